"""``tf.recompute_grad``: gradient checkpointing.

The wrapped function runs with every tape paused, so none of its intermediate
values is kept for the backward pass; one custom-gradient op stands for it on
the tapes. Its gradient runs the function again under a fresh tape and
differentiates that recomputation (TF's eager implementation, step for step).
Memory for a block's activations is traded for a second forward pass of it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from . import _core, _nest
from .custom_gradient import custom_gradient
from .tape import GradientTape, UnconnectedGradients, stop_recording_all

__all__ = ["recompute_grad"]


def recompute_grad(f: Callable[..., Any]) -> Callable[..., Any]:
    """``f`` with the same values and gradients, whose intermediates are recomputed in
    the backward pass instead of stored.

    ``f`` takes tensors and may read trainable variables (their gradients are
    computed too); keyword arguments are passed through and not differentiated.

    >>> import tapegrad as tf
    >>> block = tf.recompute_grad(lambda x: tf.tanh(x) * x)
    >>> x = tf.constant(0.5)
    >>> with tf.GradientTape() as tape:
    ...     tape.watch(x)
    ...     y = block(x)
    >>> round(float(tape.gradient(y, x)), 6)
    0.856295
    """

    @functools.wraps(f)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        @custom_gradient
        def inner(*inner_args: Any) -> Any:
            with stop_recording_all():
                result = f(*inner_args, **kwargs)

            def grad(*dresult: Any, variables: Any = None) -> Any:
                variables = list(variables or [])
                with GradientTape() as tape:
                    ids = [_core.identity(a) for a in inner_args]
                    tape.watch(ids)
                    tape.watch(variables)
                    recomputed = f(*ids, **kwargs)
                flat = _nest.flatten(recomputed)
                grads = tape.gradient(
                    flat,
                    ids + variables,
                    output_gradients=list(dresult),
                    unconnected_gradients=UnconnectedGradients.ZERO,
                )
                grads = [_core.convert_to_tensor(g) for g in grads]
                input_grads = grads[: len(ids)]
                if variables:
                    return input_grads, grads[len(ids) :]
                return input_grads

            return result, grad

        tensors = [
            a if isinstance(a, (_core.Tensor, _core.Variable)) else _core.convert_to_tensor(a) for a in args
        ]
        return inner(*tensors)

    return wrapped

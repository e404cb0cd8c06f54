"""``tf.custom_gradient``: functions whose gradient you write yourself.

TF's eager implementation (``_eager_mode_decorator``), step for step: ``f`` runs
with tapes recording as usual, under a variable watcher that finds the trainable
variables it reads; each output is replaced by an identity; and one op is
recorded on every active tape that watches an input, from the tensor arguments
plus those variables to the identities. Its gradient calls ``grad_fn``. The op
and its backward pass live in Rust (``tapegrad::autodiff::custom``), which calls
back into the function built here.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from . import _core, _nest
from .variables import canonical

__all__ = ["custom_gradient"]


def custom_gradient(f: Callable[..., Any] | None = None) -> Any:
    """Decorator to define a function with a custom gradient (TF's ``tf.custom_gradient``).

    ``f(*args)`` returns ``(y, grad_fn)``: ``y`` is the result (a tensor or a nested
    structure of them) and ``grad_fn(*upstreams)`` returns one gradient per tensor
    in ``args`` (flattened), ``None`` for "no gradient". ``upstreams`` holds one
    gradient per flattened output of ``y`` (zeros where none flowed). If ``f``
    reads trainable variables that are not arguments, ``grad_fn`` must accept a
    ``variables`` keyword and return ``(input_grads, variable_grads)``.

    Ops run by ``grad_fn`` are recorded on enclosing tapes, so nested tapes can
    differentiate through a custom gradient.

    >>> import tapegrad as tf
    >>> @tf.custom_gradient
    ... def log1pexp(x):
    ...     e = tf.exp(x)
    ...     def grad(upstream):
    ...         return upstream * (1 - 1 / (1 + e))
    ...     return tf.math.log(1 + e), grad
    >>> x = tf.constant(100.0)
    >>> with tf.GradientTape() as tape:
    ...     tape.watch(x)
    ...     y = log1pexp(x)
    >>> float(tape.gradient(y, x))
    1.0
    """
    if f is None:
        return lambda f: custom_gradient(f=f)
    return _CustomGradientFunction(f)


class _CustomGradientFunction:
    """The decorated function: callable, and bindable as a method (TF's ``Bind``),
    so that ``self`` is never taken for a differentiable argument."""

    def __init__(self, f: Callable[..., Any]) -> None:
        self._f = f
        functools.update_wrapper(self, f)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return _call(self._f, args, kwargs)

    def __get__(self, instance: Any, owner: Any = None) -> Any:
        if instance is None:
            return self
        return _CustomGradientFunction(self._f.__get__(instance, owner))

    def __repr__(self) -> str:
        return f"<custom_gradient {getattr(self._f, '__qualname__', self._f)!r}>"


def _same_variable(v: Any, x: Any) -> bool:
    return isinstance(x, _core.Variable) and x._id == v._id


def _accepts_variables(grad_fn: Callable[..., Any]) -> bool:
    try:
        spec = inspect.getfullargspec(grad_fn)
    except TypeError:  # a builtin with no introspectable signature: let the call decide
        return True
    return "variables" in spec.args or "variables" in spec.kwonlyargs or spec.varkw is not None


def _as_gradient(g: Any, like: Any) -> Any:
    """A gradient returned by ``grad_fn``: Python numbers take their input's dtype."""
    if g is None or isinstance(g, _core.Tensor):
        return g
    return _core.convert_to_tensor(g, dtype_hint=like.dtype)


def _call(f: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    out, watched = _core.call_watching_variables(f, args, kwargs)
    result, grad_fn = out
    flat_args = _nest.flatten(args)
    all_inputs = flat_args + _nest.flatten(kwargs)
    # The variables grad_fn returns gradients for: those read that are not inputs.
    variables = [canonical(v) for v in watched if not any(_same_variable(v, x) for x in all_inputs)]
    if variables and not _accepts_variables(grad_fn):
        raise TypeError(
            "@tf.custom_gradient grad_fn must accept keyword argument 'variables', "
            f"since function uses variables: {variables}"
        )
    flat_result = _nest.flatten(result)
    # Tensor keyword arguments are not inputs of the op (as in TF): they get no gradient.
    inputs = [_core.convert_to_tensor(x) for x in flat_args + variables]
    arg_count = len(flat_args)

    def actual_grad_fn(*upstreams: Any) -> list[Any]:
        if variables:
            input_grads, variable_grads = grad_fn(*upstreams, variables=variables)
            if len(variable_grads) != len(variables):
                raise ValueError("Must return gradient for each variable from @custom_gradient grad_fn.")
        else:
            input_grads = grad_fn(*upstreams)
            variable_grads = []
        flat_grads = _nest.flatten(input_grads)
        if len(flat_grads) != arg_count:
            raise ValueError(
                f"custom_gradient function expected to return {arg_count} "
                f"gradients, but returned {len(flat_grads)} instead."
            )
        return [_as_gradient(g, x) for g, x in zip(flat_grads + list(variable_grads), inputs)]

    name = getattr(f, "__name__", "custom_gradient")
    outputs = _core.record_custom_gradient(name, inputs, flat_result, actual_grad_fn)
    return _nest.pack_sequence_as(result, outputs)

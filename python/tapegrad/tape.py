"""``GradientTape``: TensorFlow's tape as a thin context manager over the Rust tape.

Everything per-op happens in Rust; this class only handles what TF's Python
layer does: nested structures of sources and targets, warnings, and the
context-manager protocol.
"""

from __future__ import annotations

import contextlib
import enum
import warnings
from collections.abc import Iterator
from typing import Any

from . import _core, _nest
from .variables import canonical

__all__ = ["GradientTape", "UnconnectedGradients"]


class UnconnectedGradients(enum.Enum):
    """What ``gradient`` returns for a source the target does not depend on."""

    NONE = "none"
    ZERO = "zero"


_SOURCE_TYPES = (_core.Tensor, _core.Variable)


def _is_float(x: Any) -> bool:
    return bool(x.dtype.is_floating)


class GradientTape:
    """Records operations for automatic differentiation (TF's ``tf.GradientTape``).

    Ops run inside the ``with`` block are recorded when one of their inputs is
    watched: trainable variables are watched as they are read (unless
    ``watch_accessed_variables=False``), tensors by :meth:`watch`. Calling
    :meth:`gradient` inside another tape's block records the backward pass on
    that tape, so gradients can be differentiated again.

    >>> import tapegrad as tf
    >>> x = tf.constant(3.0)
    >>> with tf.GradientTape() as g:
    ...     g.watch(x)
    ...     y = x * x
    >>> float(g.gradient(y, x))
    6.0
    """

    def __init__(self, persistent: bool = False, watch_accessed_variables: bool = True) -> None:
        self._tape = _core.Tape(persistent, watch_accessed_variables)
        self._persistent = persistent
        self._watch_accessed_variables = watch_accessed_variables

    def __enter__(self) -> GradientTape:
        self._tape.push()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self._tape.pop()

    def watch(self, tensor: Any) -> None:
        """Watches a tensor or variable, or every one in a nested structure.

        tapegrad also watches it on every enclosing active tape (the seeds' semantics).
        Non-float values cannot carry gradients: they are skipped with a warning.
        """
        for t in _nest.flatten(tensor):
            if not (isinstance(t, (_core.Tensor, _core.Variable))):
                raise ValueError(
                    f"Passed in object {t!r} of type {type(t).__name__!r}, not tf.Tensor or tf.Variable"
                )
            if not self._tape.watch(t):
                warnings.warn(
                    f"The dtype of the watched tensor must be floating (e.g. tf.float32), got {t.dtype!r}",
                    stacklevel=2,
                )

    def gradient(
        self,
        target: Any,
        sources: Any,
        output_gradients: Any = None,
        unconnected_gradients: UnconnectedGradients | str = UnconnectedGradients.NONE,
    ) -> Any:
        """Gradients of ``target`` (summed, if not scalar) with respect to ``sources``.

        ``sources`` may be any nested list/tuple/dict of tensors and variables; the
        result has the same structure, with ``None`` (or zeros, with
        ``unconnected_gradients='zero'``) for sources the target does not reach.
        A non-persistent tape can compute gradients only once.
        """
        if self._persistent and self._tape.is_active:
            warnings.warn(
                "Calling GradientTape.gradient on a persistent tape inside its context is significantly less "
                "efficient than calling it outside the context (it causes the gradient ops to be recorded on "
                "the tape, leading to increased CPU and memory usage). Only call GradientTape.gradient "
                "inside "
                "the context if you actually want to trace the gradient in order to compute higher order "
                "derivatives.",
                stacklevel=2,
            )
        # A single target or source skips the nest round trip (most calls; it is
        # a third of a small gradient's cost).
        flat_targets = _nest.flatten(target) if _nest.is_nested(target) else [target]
        single_source = not _nest.is_nested(sources)
        flat_sources = [sources] if single_source else _nest.flatten(sources)
        for s in flat_sources:
            if isinstance(s, _SOURCE_TYPES) and not _is_float(s):
                warnings.warn(
                    f"The dtype of the source tensor must be floating (e.g. tf.float32) when calling "
                    f"GradientTape.gradient, got {s.dtype!r}",
                    stacklevel=2,
                )
        flat_og = None
        if output_gradients is not None:
            flat_og = _nest.flatten(output_gradients)
            if len(flat_og) != len(flat_targets):
                raise ValueError(
                    f"output_gradients has {len(flat_og)} entries but target has {len(flat_targets)}"
                )
        if unconnected_gradients is UnconnectedGradients.NONE:
            zero = False
        else:
            zero = UnconnectedGradients(unconnected_gradients) is UnconnectedGradients.ZERO
        grads = self._tape.gradient(flat_targets, flat_sources, flat_og, zero)
        return grads[0] if single_source else _nest.pack_sequence_as(sources, grads)

    def watched_variables(self) -> tuple[Any, ...]:
        """The variables this tape watches, in the order it first watched them."""
        return tuple(canonical(v) for v in self._tape.watched_variables())

    @contextlib.contextmanager
    def stop_recording(self) -> Iterator[None]:
        """Temporarily stops recording ops on this tape."""
        if not self._tape.is_active:
            raise ValueError("Tape must be recording when stop_recording is called.")
        self._tape.pause()
        try:
            yield
        finally:
            self._tape.resume()

    def reset(self) -> None:
        """Clears everything recorded so far, as if the tape were new."""
        self._tape.reset()

    def jacobian(
        self,
        target: Any,
        sources: Any,
        unconnected_gradients: Any = UnconnectedGradients.NONE,
        parallel_iterations: Any = None,
        experimental_use_pfor: bool = True,
    ) -> Any:
        """The Jacobian of ``target`` with respect to ``sources``, one row of ``target`` at a time.

        Needs a persistent tape (each row is one backward pass).
        """
        import tapegrad as tf

        if not self._persistent:
            raise RuntimeError("GradientTape.jacobian needs a persistent tape (persistent=True) in tapegrad")
        target_t = tf.convert_to_tensor(target)
        flat_target = tf.reshape(target_t, [-1])
        n = int(flat_target.shape[0])
        flat_sources = _nest.flatten(sources)
        rows: list[list[Any]] = [[] for _ in flat_sources]
        for i in range(n):
            og = tf.reshape(tf.one_hot(i, n, dtype=target_t.dtype), target_t.shape)
            grads = self._tape.gradient(
                [target_t],
                flat_sources,
                [og],
                UnconnectedGradients(unconnected_gradients) is UnconnectedGradients.ZERO,
            )
            for r, g, s in zip(rows, grads, flat_sources):
                r.append(g if g is not None else tf.zeros_like(s))
        out = []
        for r, s in zip(rows, flat_sources):
            stacked = tf.stack(r, axis=0) if r else tf.zeros(tuple(target_t.shape) + tuple(s.shape), s.dtype)
            out.append(tf.reshape(stacked, tuple(target_t.shape) + tuple(s.shape)))
        return _nest.pack_sequence_as(sources, out)

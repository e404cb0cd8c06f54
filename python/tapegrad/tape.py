"""``GradientTape``: TensorFlow's tape as a thin context manager over the Rust tape.

Everything per-op happens in Rust; this class only handles what TF's Python
layer does: nested structures of sources and targets, warnings, and the
context-manager protocol.
"""

from __future__ import annotations

import contextlib
import enum
import math
import warnings
from collections.abc import Iterator
from typing import Any, TypeVar, overload

from . import _core, _nest
from .indexed_slices import from_gradient
from .variables import canonical

_K = TypeVar("_K")

__all__ = ["GradientTape", "UnconnectedGradients"]


class UnconnectedGradients(enum.Enum):
    """What ``gradient`` returns for a source the target does not depend on."""

    NONE = "none"
    ZERO = "zero"


_SOURCE_TYPES = (_core.Tensor, _core.Variable)


def _is_float(x: Any) -> bool:
    return bool(x.dtype.is_floating)


#: The tapes inside whose ``with`` block this code runs, innermost last
#: (``stop_recording_all`` pauses them; TF's ``tape.stop_recording()`` function).
_ACTIVE: list[GradientTape] = []


@contextlib.contextmanager
def stop_recording_all() -> Iterator[None]:
    """Pauses every active tape of this thread for the block (TF's ``tape_lib.stop_recording``)."""
    paused = [t for t in _ACTIVE if t._tape.is_active]
    for t in paused:
        t._tape.pause()
    try:
        yield
    finally:
        for t in paused:
            t._tape.resume()


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
        # TF's `_tape`: set once the tape has been entered (stop_recording's check).
        self._entered = False
        self._paused = 0

    def __enter__(self) -> GradientTape:
        if self._tape.is_active:
            raise ValueError(
                "Tape is still recording, This can happen if you try to re-enter an already-active tape."
            )
        self._tape.push()
        self._entered = True
        _ACTIVE.append(self)
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self._tape.pop()
        if self in _ACTIVE:
            _ACTIVE.remove(self)

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

    # The result has the structure of `sources`. An entry is None where the target does not
    # depend on that source; the types leave that out (as most TF code does not check).
    @overload
    def gradient(
        self,
        target: Any,
        sources: _core.Tensor | _core.Variable,
        output_gradients: Any = None,
        unconnected_gradients: UnconnectedGradients | str = UnconnectedGradients.NONE,
    ) -> _core.Tensor: ...
    @overload
    def gradient(
        self,
        target: Any,
        sources: list[Any],
        output_gradients: Any = None,
        unconnected_gradients: UnconnectedGradients | str = UnconnectedGradients.NONE,
    ) -> list[_core.Tensor]: ...
    @overload
    def gradient(
        self,
        target: Any,
        sources: tuple[Any, ...],
        output_gradients: Any = None,
        unconnected_gradients: UnconnectedGradients | str = UnconnectedGradients.NONE,
    ) -> tuple[_core.Tensor, ...]: ...
    @overload
    def gradient(
        self,
        target: Any,
        sources: dict[_K, Any],
        output_gradients: Any = None,
        unconnected_gradients: UnconnectedGradients | str = UnconnectedGradients.NONE,
    ) -> dict[_K, _core.Tensor]: ...
    @overload
    def gradient(
        self,
        target: Any,
        sources: Any,
        output_gradients: Any = None,
        unconnected_gradients: UnconnectedGradients | str = UnconnectedGradients.NONE,
    ) -> Any: ...
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
        # Sources used only through gathers get IndexedSlices, as in TF.
        grads = [
            from_gradient(g) for g in self._tape.gradient_slices(flat_targets, flat_sources, flat_og, zero)
        ]
        return grads[0] if single_source else _nest.pack_sequence_as(sources, grads)

    def watched_variables(self) -> tuple[Any, ...]:
        """The variables this tape watches, in the order it first watched them."""
        return tuple(canonical(v) for v in self._tape.watched_variables())

    @contextlib.contextmanager
    def stop_recording(self) -> Iterator[None]:
        """Temporarily stops recording ops on this tape.

        Raises:
            RuntimeError: if the tape was never entered (TF's message).
            ValueError: if it is not recording now (exited, or already stopped).
        """
        if not self._entered:
            raise RuntimeError("Trying to stop recording a tape which is not recording.")
        if not self._tape.is_active or self._paused:
            raise ValueError("Tape is not recording.")
        self._tape.pause()
        self._paused += 1
        try:
            yield
        finally:
            self._paused -= 1
            self._tape.resume()

    def reset(self) -> None:
        """Clears everything recorded so far, as if the tape were new."""
        self._tape.reset()

    def _zero(self, unconnected_gradients: Any) -> bool:
        return UnconnectedGradients(unconnected_gradients) is UnconnectedGradients.ZERO

    def _check_pfor(self, what: str, experimental_use_pfor: bool) -> None:
        # TF's vectorised (pfor) path runs one traced backward pass, so it works
        # on a non-persistent tape; its loop needs a persistent one. tapegrad runs
        # every row over one snapshot of the tape, which allows both; it keeps
        # TF's error for the loop so code behaves the same on either.
        if not experimental_use_pfor and not self._persistent:
            # TF's two messages differ in where the double space falls.
            tail = (
                "enabled and  with experimental_use_pfor"
                if what == "batch_jacobian"
                else "enabled and with  experimental_use_pfor"
            )
            raise RuntimeError(
                f"GradientTape must be created with persistent=True to compute the {what} with eager "
                f"execution {tail} set to False."
            )

    def jacobian(
        self,
        target: Any,
        sources: Any,
        unconnected_gradients: Any = UnconnectedGradients.NONE,
        parallel_iterations: Any = None,
        experimental_use_pfor: bool = True,
    ) -> Any:
        """The Jacobian of ``target`` with respect to each of ``sources``: shape
        ``target.shape + source.shape``, ``None`` for a source ``target`` does not
        reach (zeros with ``unconnected_gradients='zero'``).

        One backward pass per element of ``target``, all over one snapshot of the
        tape, so a non-persistent tape allows one call (as TF's, with pfor).
        ``parallel_iterations`` is accepted and ignored.
        """
        import tapegrad as tf

        self._check_pfor("jacobian", experimental_use_pfor)
        target_t = tf.convert_to_tensor(target)
        shape = tuple(target_t.shape)
        n = math.prod(shape)
        flat_sources = _nest.flatten(sources)
        seeds = [[tf.reshape(tf.one_hot(i, n, dtype=target_t.dtype), shape)] for i in range(n)]
        passes = self._tape.gradients([target_t], flat_sources, seeds, self._zero(unconnected_gradients))
        out: list[_core.Tensor | None] = []
        for k, s in enumerate(flat_sources):
            full_shape = shape + tuple(s.shape)
            rows = [p[k] for p in passes]
            if not rows:
                out.append(tf.zeros(full_shape, s.dtype))
            elif rows[0] is None:  # the same sources are unreachable on every pass
                out.append(None)
            else:
                out.append(tf.reshape(tf.stack(rows, axis=0), full_shape))
        return _nest.pack_sequence_as(sources, out)

    def batch_jacobian(
        self,
        target: Any,
        source: Any,
        unconnected_gradients: Any = UnconnectedGradients.NONE,
        parallel_iterations: Any = None,
        experimental_use_pfor: bool = True,
    ) -> Any:
        """The Jacobian of each batch row of ``target`` with respect to the same row of ``source``.

        ``target`` is ``[b, ...]`` and ``source`` ``[b, ...]``; the result is
        ``[b, target.shape[1:]..., source.shape[1:]...]``, where ``result[i]`` is
        the Jacobian of ``target[i]`` with respect to ``source[i]``. Rows are
        assumed independent (as TF does): the pass for target column ``j``
        differentiates the column's sum over the batch. One backward pass per
        column, over one snapshot of the tape (a non-persistent tape allows one
        call). Unreachable sources give zeros, as in TF.
        """
        import tapegrad as tf

        self._check_pfor("batch_jacobian", experimental_use_pfor)
        target_t = tf.convert_to_tensor(target)
        tshape, sshape = tuple(target_t.shape), tuple(source.shape)
        for sh in (tshape, sshape):
            if len(sh) < 2:
                raise ValueError(f"Shape {tf.TensorShape(sh)} must have rank at least 2")
        if tshape[0] != sshape[0]:
            raise ValueError(
                f"Need first dimension of target shape ({target_t.shape}) and source shape "
                f"({tf.TensorShape(sshape)}) to match."
            )
        batch, row = tshape[0], math.prod(tshape[1:])
        out_shape = tshape + sshape[1:]
        seeds = [
            [tf.reshape(tf.broadcast_to(tf.one_hot(j, row, dtype=target_t.dtype), (batch, row)), tshape)]
            for j in range(row)
        ]
        passes = self._tape.gradients([target_t], [source], seeds, self._zero(unconnected_gradients))
        cols = [p[0] for p in passes]
        if not cols or cols[0] is None:
            # TF returns zeros here whatever `unconnected_gradients` says.
            return tf.zeros(out_shape, target_t.dtype)
        return tf.reshape(tf.stack(cols, axis=1), out_shape)

"""``tf.IndexedSlices``: a gradient given as rows of a dense tensor.

The gradient of ``gather(params, indices)`` (axis 0) with respect to ``params``
is ``IndexedSlices(values=g, indices=indices, dense_shape=params.shape)``, as in
TensorFlow: the rows ``indices[i]`` of the dense gradient receive ``values[i]``,
repeated indices adding up. Every op converts it to that dense tensor (through
``__tapegrad_tensor__``, which ``_core``'s conversion calls), so ``g + t``,
``tf.convert_to_tensor(g)`` and ``tf.reduce_sum(g)`` behave as in TF; the
densified tensor is a recorded scatter-add, so it stays differentiable.
"""

from __future__ import annotations

from typing import Any

from . import _core
from ._shape import TensorShape

__all__ = ["IndexedSlices"]


class IndexedSlices:
    """Rows ``values[i]`` of a tensor of shape ``dense_shape`` at rows ``indices[i]``.

    >>> import tapegrad as tf
    >>> s = tf.IndexedSlices(tf.constant([[1.0, 2.0]]), tf.constant([1]), tf.constant([3, 2]))
    >>> tf.convert_to_tensor(s).numpy().tolist()
    [[0.0, 0.0], [1.0, 2.0], [0.0, 0.0]]
    """

    __module__ = "tapegrad"

    def __init__(self, values: Any, indices: Any, dense_shape: Any = None) -> None:
        self._values = values
        self._indices = indices
        self._dense_shape = dense_shape

    @property
    def values(self) -> Any:
        """The rows, shape ``[n] + dense_shape[1:]``."""
        return self._values

    @property
    def indices(self) -> Any:
        """The row index of each of ``values``, shape ``[n]``."""
        return self._indices

    @property
    def dense_shape(self) -> Any:
        """The shape of the dense tensor (an int tensor), or None if unknown."""
        return self._dense_shape

    @property
    def dtype(self) -> Any:
        """The dtype of ``values``."""
        return self._values.dtype

    @property
    def device(self) -> str:
        """The device of ``values`` (always the CPU)."""
        return "/job:localhost/replica:0/task:0/device:CPU:0"

    @property
    def name(self) -> str:
        """A name, for TF compatibility."""
        return "IndexedSlices"

    @property
    def shape(self) -> TensorShape:
        """The dense shape as a ``TensorShape``."""
        if self._dense_shape is None:
            return TensorShape([None, *list(self._values.shape)[1:]])
        return TensorShape([int(d) for d in _dims(self._dense_shape)])

    def __neg__(self) -> IndexedSlices:
        return IndexedSlices(_core.negative(self._values), self._indices, self._dense_shape)

    def __add__(self, other: Any) -> Any:
        if isinstance(other, IndexedSlices):
            return NotImplemented
        return _core.add(self.__tapegrad_tensor__(), other)

    def __radd__(self, other: Any) -> Any:
        if isinstance(other, IndexedSlices):
            return NotImplemented
        return _core.add(other, self.__tapegrad_tensor__())

    def __tapegrad_tensor__(self) -> Any:
        """The dense tensor (rows at repeated indices summed), as a recorded scatter-add."""
        from .array_ops import scatter_add_rows  # local: array_ops imports the package

        if self._dense_shape is None:
            raise ValueError(f"Tensor conversion requested for IndexedSlices without dense_shape: {self!s}")
        values = _core.convert_to_tensor(self._values)
        rows = int(_dims(self._dense_shape)[0])
        return scatter_add_rows(values, self._indices, rows)

    def __str__(self) -> str:
        shape = "" if self._dense_shape is None else f", dense_shape={self._dense_shape}"
        return f"IndexedSlices(indices={self._indices}, values={self._values}{shape})"

    __repr__ = __str__


def _dims(dense_shape: Any) -> list[int]:
    if _core.is_tensor(dense_shape):
        return [int(d) for d in dense_shape.numpy().tolist()]
    return [int(d) for d in dense_shape]


def from_gradient(result: Any) -> Any:
    """A ``(values, indices, dense_shape)`` triple from ``_core.Tape.gradient_slices`` as
    ``IndexedSlices`` (its dense shape an int32 tensor, as TF's); anything else unchanged."""
    if isinstance(result, tuple):
        values, indices, dense_shape = result
        dtype = _core.int32 if all(d < 2**31 for d in dense_shape) else _core.int64
        return IndexedSlices(values, indices, _core.constant(list(dense_shape), dtype=dtype))
    return result

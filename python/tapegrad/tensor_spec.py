"""``tf.TensorSpec``: the shape and dtype a tensor is expected to have.

Specs describe tensors that do not exist yet (a dataset's elements, a generator's
output), so their shapes may have unknown dimensions (``None``) or an unknown rank.
:class:`PartialShape` is a :class:`~tapegrad.TensorShape` that allows both; eager
tensors themselves always have fully known shapes.
"""

from __future__ import annotations

import math
from typing import Any, SupportsIndex, overload

from . import _core
from ._shape import TensorShape

__all__ = ["PartialShape", "TensorSpec"]


class PartialShape(TensorShape):
    """A :class:`TensorShape` whose dimensions may be ``None`` (unknown), or whose rank may be
    unknown (``PartialShape(None)``, printed ``<unknown>``, as TF's ``TensorShape(None)``)."""

    _unknown_rank: bool = False

    def __new__(cls, dims: Any = ()) -> PartialShape:
        if dims is None:
            shape = tuple.__new__(cls, ())
            shape._unknown_rank = True
            return shape
        if isinstance(dims, int):
            dims = (dims,)
        out = []
        for d in dims:
            if d is None or (isinstance(d, int) and d < 0) or (_core.is_tensor(d) and int(d) < 0):
                out.append(None)
            else:
                out.append(int(d))
        return tuple.__new__(cls, out)

    @property
    def rank(self) -> int | None:  # type: ignore[override]
        """The number of dimensions, None when unknown."""
        return None if self._unknown_rank else len(self)

    @property
    def ndims(self) -> int | None:  # type: ignore[override]
        """The number of dimensions, None when unknown (TF 1 name)."""
        return self.rank

    def as_list(self) -> list[Any]:
        """The dimensions as a list (``None`` for unknown ones).

        Raises:
            ValueError: the rank is unknown.
        """
        if self._unknown_rank:
            raise ValueError("as_list() is not defined on an unknown TensorShape.")
        return list(self)

    def num_elements(self) -> int | None:  # type: ignore[override]
        """The number of elements, or None when a dimension or the rank is unknown."""
        if not self.is_fully_defined():
            return None
        return math.prod(self)

    def is_fully_defined(self) -> bool:
        """True when the rank and every dimension are known."""
        return not self._unknown_rank and all(d is not None for d in self)

    def is_compatible_with(self, other: Any) -> bool:
        """True when ``other`` (a shape, list or tuple) could be the same shape as this one."""
        if self._unknown_rank or other is None or getattr(other, "_unknown_rank", False):
            return True
        other = list(other)
        return len(other) == len(self) and all(
            a is None or b is None or a == b for a, b in zip(self, other)
        )

    def most_specific_compatible_shape(self, other: Any) -> PartialShape:
        """The most specific shape compatible with both this one and ``other``."""
        if self._unknown_rank or other is None or getattr(other, "_unknown_rank", False):
            return PartialShape(None)
        other = list(other)
        if len(other) != len(self):
            return PartialShape(None)
        return PartialShape([a if a == b else None for a, b in zip(self, other)])

    def concatenate(self, other: Any) -> PartialShape:
        """This shape followed by ``other``."""
        if self._unknown_rank or other is None or getattr(other, "_unknown_rank", False):
            return PartialShape(None)
        return PartialShape(tuple(self) + tuple(other))

    @overload
    def __getitem__(self, key: SupportsIndex) -> int: ...
    @overload
    def __getitem__(self, key: slice) -> TensorShape: ...
    def __getitem__(self, key: Any) -> Any:
        if self._unknown_rank:
            return PartialShape(None) if isinstance(key, slice) else None
        item = tuple.__getitem__(self, key)
        return PartialShape(item) if isinstance(key, slice) else item

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PartialShape) and (self._unknown_rank or other._unknown_rank):
            return self._unknown_rank and other._unknown_rank
        return super().__eq__(other)

    __hash__ = TensorShape.__hash__

    def __repr__(self) -> str:
        return "TensorShape(None)" if self._unknown_rank else f"TensorShape({list(self)})"

    def __str__(self) -> str:
        if self._unknown_rank:
            return "<unknown>"
        return "(" + ", ".join(str(d) for d in self) + ("," if len(self) == 1 else "") + ")"


class TensorSpec:
    """The shape, dtype and optional name of a tensor (``tf.TensorSpec``).

    >>> import tapegrad as tf
    >>> spec = tf.TensorSpec([None, 3], tf.float32)
    >>> spec.is_compatible_with(tf.zeros((5, 3)))
    True
    """

    __slots__ = ("_dtype", "_name", "_shape")

    def __init__(self, shape: Any, dtype: Any = None, name: str | None = None) -> None:
        self._shape = shape if isinstance(shape, PartialShape) else PartialShape(
            None if shape is None else _dims(shape)
        )
        self._dtype = _core.float32 if dtype is None else _core.as_dtype(dtype)
        self._name = name

    @classmethod
    def from_tensor(cls, tensor: Any, name: str | None = None) -> TensorSpec:
        """The spec of an existing tensor (or anything ``convert_to_tensor`` accepts)."""
        t = tensor if _core.is_tensor(tensor) else _core.convert_to_tensor(tensor)
        return cls(tuple(t.shape), t.dtype, name)

    @classmethod
    def from_spec(cls, spec: Any, name: str | None = None) -> TensorSpec:
        """A copy of ``spec`` (with ``name`` if given)."""
        return cls(spec.shape, spec.dtype, name if name is not None else spec.name)

    @property
    def shape(self) -> PartialShape:
        """The expected shape (``None`` for unknown dimensions)."""
        return self._shape

    @property
    def dtype(self) -> Any:
        """The expected dtype."""
        return self._dtype

    @property
    def name(self) -> str | None:
        """The optional name."""
        return self._name

    def is_compatible_with(self, spec_or_tensor: Any) -> bool:
        """True when ``spec_or_tensor`` (a spec or a tensor) has this dtype and a compatible shape."""
        other = spec_or_tensor
        if not isinstance(other, TensorSpec):
            if not _core.is_tensor(other):
                try:
                    other = _core.convert_to_tensor(other)
                except (TypeError, ValueError):
                    return False
            other = TensorSpec(tuple(other.shape), other.dtype)
        return bool(self._dtype == other.dtype) and self._shape.is_compatible_with(other.shape)

    def most_specific_compatible_type(self, other: TensorSpec) -> TensorSpec:
        """The most specific spec compatible with this one and ``other`` (same dtype needed).

        Raises:
            ValueError: the dtypes differ.
        """
        if not self._dtype == other.dtype:
            raise ValueError(f"No TypeSpec is compatible with both {self!r} and {other!r}")
        return TensorSpec(self._shape.most_specific_compatible_shape(other.shape), self._dtype)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TensorSpec):
            return NotImplemented
        return (
            self._shape == other._shape
            and bool(self._dtype == other._dtype)
            and self._name == other._name
        )

    def __ne__(self, other: object) -> bool:
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    def __hash__(self) -> int:
        return hash((tuple(self._shape), self._shape.rank, self._dtype.name, self._name))

    def __repr__(self) -> str:
        name = "None" if self._name is None else repr(self._name)
        return f"TensorSpec(shape={self._shape}, dtype={self._dtype!r}, name={name})"


def _dims(shape: Any) -> Any:
    """The dims of a shape-like value (an int, a sequence, a shape or a 1-D tensor)."""
    if _core.is_tensor(shape):
        return [int(d) for d in shape.numpy().reshape(-1)]
    if isinstance(shape, PartialShape) and shape.rank is None:
        return None
    return shape

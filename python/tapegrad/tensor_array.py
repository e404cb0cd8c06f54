"""``tf.TensorArray`` as TensorFlow 2.21 runs it eagerly.

An eager TensorArray is a Python list of tensors (``None`` for a slot never written) plus
bookkeeping: a dtype every element must have, an element shape refined by each write (when
``infer_shape``), whether writes past the end grow the list (``dynamic_size``) and whether a
read empties its slot (``clear_after_read``).  TensorFlow's eager implementation keeps no
tape state of its own: every value that enters or leaves the array goes through ordinary
differentiable ops (``unstack``/``split`` on the way in, ``stack``/``concat`` on the way out,
``read`` returns the stored tensor itself), so gradients flow through the array with no rule
of its own.  This module does the same with tapegrad's ops.

Behaviours copied from TF 2.21 on purpose, because programs rely on them:

* writes mutate the array in place and return it; writing a slot twice overwrites it;
* reading a slot that was never written gives zeros of the element shape (and stores them),
  which needs a fully known element shape; ``stack``/``gather``/``concat`` do the same;
* ``unstack`` and ``split`` replace the whole content; ``scatter`` writes slot by slot;
* ``gather`` indexes the Python list, so a negative index counts from the end.
"""

from __future__ import annotations

import operator
from typing import TYPE_CHECKING, Any, NoReturn

import numpy as np

from . import _core
from ._shape import TensorShape
from .errors import OutOfRangeError

__all__ = ["TensorArray"]

if TYPE_CHECKING:
    #: A partially known shape: ``None`` (unknown rank) or a tuple of dimensions (``None`` = unknown).
    _Dims = tuple[int | None, ...] | None


def _tg() -> Any:
    """The ``tapegrad`` package (imported late: this module is imported by its ``__init__``)."""
    import tapegrad

    return tapegrad


class PartialShape:
    """A ``TensorShape`` that is not fully known, as TF reports ``TensorArray.element_shape``
    before the first write (``TensorShape(None)``) or for ``element_shape=[None, 3]``.

    Fully known element shapes are returned as :class:`tapegrad.TensorShape` instead.
    """

    def __init__(self, dims: _Dims) -> None:
        self._dims = dims

    @property
    def rank(self) -> int | None:
        """The number of dimensions, or ``None`` when unknown."""
        return None if self._dims is None else len(self._dims)

    ndims = rank

    @property
    def dims(self) -> list[int | None] | None:
        """The dimensions (``None`` for unknown ones), or ``None`` when the rank is unknown."""
        return None if self._dims is None else list(self._dims)

    def as_list(self) -> list[int | None]:
        """The dimensions as a list; raises ``ValueError`` when the rank is unknown (as TF)."""
        if self._dims is None:
            raise ValueError("as_list() is not defined on an unknown TensorShape.")
        return list(self._dims)

    def is_fully_defined(self) -> bool:
        """Always False: fully known shapes are plain ``TensorShape`` objects."""
        return False

    def is_compatible_with(self, other: Any) -> bool:
        """True if a tensor of shape ``other`` could have this shape."""
        return _compatible(self._dims, _as_dims(other))

    def __len__(self) -> int:
        if self._dims is None:
            raise ValueError("Cannot take the length of shape with unknown rank.")
        return len(self._dims)

    def __iter__(self) -> Any:
        if self._dims is None:
            raise ValueError("Cannot iterate over a shape with unknown rank.")
        return iter(self._dims)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PartialShape):
            return self._dims == other._dims
        return False

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return "TensorShape(None)" if self._dims is None else f"TensorShape({list(self._dims)})"

    def __str__(self) -> str:
        if self._dims is None:
            return "<unknown>"
        if len(self._dims) == 1:
            return f"({self._dims[0]},)"
        return "(" + ", ".join(str(d) for d in self._dims) + ")"


def _as_dims(shape: Any) -> _Dims:
    """Normalise an ``element_shape`` argument (None, int, list, tuple, TensorShape) to ``_Dims``."""
    if shape is None:
        return None
    if isinstance(shape, PartialShape):
        return shape._dims  # noqa: SLF001 - same module
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    if hasattr(shape, "numpy"):
        shape = np.asarray(shape.numpy()).tolist()
    try:
        return tuple(None if d is None else operator.index(d) for d in shape)
    except TypeError:
        raise TypeError(f"TensorArray: element_shape must be a shape, got {shape!r}") from None


def _compatible(a: _Dims, b: _Dims) -> bool:
    """TF's ``TensorShape.is_compatible_with`` on partial shapes."""
    if a is None or b is None:
        return True
    return len(a) == len(b) and all(x is None or y is None or x == y for x, y in zip(a, b))


def _merge(a: _Dims, b: _Dims) -> _Dims:
    """TF's ``TensorShape.merge_with`` for two compatible partial shapes."""
    if a is None:
        return b
    if b is None:
        return a
    return tuple(x if x is not None else y for x, y in zip(a, b))


def _fmt(dims: _Dims) -> str:
    """A shape as TF prints it in TensorArray messages: ``(2, 3)``, ``(2,)``, ``<unknown>``."""
    return str(PartialShape(dims))


def _fully_defined(dims: _Dims) -> bool:
    return dims is not None and all(d is not None for d in dims)


def _python_index(index: Any) -> Any:
    """A scalar tensor index as a Python number (TF calls ``.numpy()``); others pass through."""
    if isinstance(index, _core.Tensor) or hasattr(index, "numpy"):
        return index.numpy().item()
    return index


def _python_indices(indices: Any) -> Any:
    """A tensor of indices as a Python list; other iterables pass through."""
    if hasattr(indices, "numpy"):
        return np.asarray(indices.numpy()).tolist()
    return indices


def _holds_tensor(value: Any) -> bool:
    """True if a (nested) list or tuple has a tensor or variable among its leaves."""
    if isinstance(value, (list, tuple)):
        return any(_holds_tensor(v) for v in value)
    return hasattr(value, "numpy") and hasattr(value, "dtype")


def _to_tensor(value: Any, dtype_hint: Any) -> Any:
    """``value`` as a tensor, preferring ``dtype_hint`` for Python and numpy values.

    A (nested) list of tensors is packed with ``stack`` (TF's auto-packing), so gradients
    reach its elements instead of stopping at a numpy round trip.
    """
    tg = _tg()
    if isinstance(value, _core.Tensor):
        return value
    if isinstance(value, (list, tuple)) and value and _holds_tensor(value):
        return tg.stack([_to_tensor(v, dtype_hint) for v in value])
    return tg.convert_to_tensor(value, dtype_hint=dtype_hint)


def _out_of_range(message: str) -> NoReturn:
    raise OutOfRangeError(message)


class TensorArray:
    """A list of tensors of one dtype, written and read one slot at a time (``tf.TensorArray``).

    >>> import tapegrad as tf
    >>> ta = tf.TensorArray(tf.float32, size=0, dynamic_size=True)
    >>> ta = ta.write(0, 10.0).write(1, 20.0)
    >>> ta.stack().numpy()
    array([10., 20.], dtype=float32)

    Gradients flow through ``write``/``read``/``stack``/``unstack``/``gather``/``scatter``/
    ``concat``/``split``: values enter and leave the array through differentiable ops.
    """

    def __init__(
        self,
        dtype: Any,
        size: Any = None,
        dynamic_size: bool | None = None,
        clear_after_read: bool | None = None,
        tensor_array_name: str | None = None,
        handle: Any = None,
        flow: Any = None,
        infer_shape: bool = True,
        element_shape: Any = None,
        colocate_with_first_write_call: bool = True,
        name: str | None = None,
    ) -> None:
        del tensor_array_name, flow, name  # Not meaningful eagerly (as in TF).
        if handle is not None:
            raise ValueError(
                "TensorArray: TensorArray handles are not supported when eager execution is enabled."
            )
        if size is None:
            raise ValueError(
                "TensorArray: Size must be declared for TensorArrays when eager execution is enabled."
            )
        tg = _tg()
        self._dtype = tg.as_dtype(dtype)
        self._dynamic_size = bool(dynamic_size) if dynamic_size is not None else False
        self._clear_after_read = True if clear_after_read is None else bool(clear_after_read)
        self._infer_shape = infer_shape
        self._element_shape: _Dims = _as_dims(element_shape)
        self._colocate_with_first_write_call = colocate_with_first_write_call
        self._previously_read_indices: list[int] = []
        size = _python_index(size)
        self._tensor_array: list[Any] = [None for _ in range(size)]

    # ------------------------------------------------------------------ properties

    @property
    def dtype(self) -> Any:
        """The dtype of every element."""
        return self._dtype

    @property
    def element_shape(self) -> TensorShape | PartialShape:
        """The shape of the elements as far as it is known (refined by writes when ``infer_shape``)."""
        dims = self._element_shape
        if _fully_defined(dims):
            return TensorShape(dims)
        return PartialShape(dims)

    @property
    def dynamic_size(self) -> bool:
        """True if writes past the end grow the array."""
        return self._dynamic_size

    @property
    def flow(self) -> Any:
        """For compatibility: eager TensorArrays have no flow; TF returns an int32 zero."""
        return _tg().constant(0, dtype=_tg().int32)

    @property
    def handle(self) -> None:
        """For compatibility: eager TensorArrays have no handle."""
        return None

    def identity(self) -> TensorArray:
        """This TensorArray (eagerly there are no control dependencies to add)."""
        return self

    def grad(self, source: Any, flow: Any = None, name: str | None = None) -> NoReturn:
        """Not available eagerly (as in TF): ``GradientTape`` differentiates through the array."""
        raise NotImplementedError(
            "TensorArray.grad is not supported when executing eagerly; eager's gradient "
            "implementation does not use/need this function to compute gradients of "
            "operations that use TensorArrays."
        )

    # ------------------------------------------------------------------ reading

    def _maybe_zero(self, index: Any, op: str) -> Any:
        """The tensor in slot ``index``; an unwritten slot gets zeros of the element shape."""
        value = self._tensor_array[index]
        if value is None:
            dims = self._element_shape
            if not _fully_defined(dims):
                raise ValueError(
                    f"TensorArray.{op}: cannot read an unwritten element as zeros: "
                    f"Cannot convert a partially known TensorShape {_fmt(dims)} to a Tensor."
                )
            value = self._tensor_array[index] = _tg().zeros(list(dims or ()), dtype=self._dtype)
        return value

    def read(self, index: Any, name: str | None = None) -> Any:
        """The tensor at ``index``; zeros if never written; empties the slot if ``clear_after_read``.

        Raises:
            OutOfRangeError: ``index`` is negative or past the end.
            InvalidArgumentError: the slot was already read and cleared.
        """
        del name
        index = _python_index(index)
        if index < 0:
            _out_of_range(f"TensorArray.read: Reading from negative indices (index {index}) is not allowed.")
        if index >= len(self._tensor_array):
            _out_of_range(
                f"TensorArray.read: Tried to read from index {index} but array size is: "
                f"{len(self._tensor_array)} "
            )
        tensor = self._tensor_array[index]
        if tensor is None:
            if index in self._previously_read_indices:
                raise _core.InvalidArgumentError(
                    f"TensorArray.read: Could not read index {index} twice because it was cleared after "
                    "a previous read (perhaps try setting clear_after_read = false?)"
                )
            tensor = self._maybe_zero(index, "read")
        if self._clear_after_read:
            self._tensor_array[index] = None
            self._previously_read_indices.append(index)
        return tensor

    def stack(self, name: str | None = None) -> Any:
        """All elements stacked along a new first axis (unwritten slots as zeros)."""
        del name
        tg = _tg()
        if self._tensor_array:
            for i in range(len(self._tensor_array)):
                self._maybe_zero(i, "stack")
            # Eager TF packs with ``convert_to_tensor(list, dtype)``, which also casts elements
            # that ``unstack``/``split`` stored with another dtype.
            return tg.stack(
                [e if e.dtype == self._dtype else tg.cast(e, self._dtype) for e in self._tensor_array]
            )
        dims = self._element_shape
        shape = [0, *dims] if dims is not None and _fully_defined(dims) else [0]
        return tg.zeros(shape, dtype=self._dtype)

    def gather(self, indices: Any, name: str | None = None) -> Any:
        """The elements at ``indices`` stacked along a new first axis."""
        del name
        tg = _tg()
        picked = [self._maybe_zero(i, "gather") for i in _python_indices(indices)]
        if not picked:
            return tg.zeros([0], dtype=self._dtype)
        return tg.stack(picked)

    def concat(self, name: str | None = None) -> Any:
        """All elements concatenated along their first axis (each must be at least a vector)."""
        del name
        tg = _tg()
        parts = [self._maybe_zero(i, "concat") for i in range(len(self._tensor_array))]
        for i, part in enumerate(parts):
            if len(part.shape) == 0:
                raise _core.InvalidArgumentError(
                    f"TensorArray.concat: Concat saw a scalar shape at index {i} but requires at least "
                    "vectors."
                )
        if not parts:
            raise _core.InvalidArgumentError(
                "TensorArray.concat: the TensorArray is empty; there is nothing to concatenate"
            )
        return tg.concat(parts, 0)

    def size(self, name: str | None = None) -> Any:
        """The number of slots, as an int32 scalar tensor."""
        del name
        tg = _tg()
        return tg.constant(len(self._tensor_array), dtype=tg.int32)

    # ------------------------------------------------------------------ writing

    def _convert(self, value: Any) -> Any:
        """``value`` as a tensor, preferring the array's dtype for Python and numpy values."""
        return _to_tensor(value, self._dtype)

    def _write(self, index: Any, value: Any, op: str) -> None:
        index = _python_index(index)
        if index < 0:
            _out_of_range(f"TensorArray.{op}: Writing to negative indices (index {index}) is not allowed.")
        size = len(self._tensor_array)
        if index >= size:
            if not self._dynamic_size:
                _out_of_range(
                    f"TensorArray.{op}: Tried to write to index {index} but array is not resizeable and size "
                    f"is: {size} "
                )
            self._tensor_array.extend(None for _ in range(index - size + 1))
        value = self._convert(value)
        if value.dtype != self._dtype:
            raise _core.InvalidArgumentError(
                f"TensorArray.{op}: TensorArray dtype is {self._dtype.name} but Op is trying to write dtype "
                f"{value.dtype.name} "
            )
        value_dims = tuple(int(d) for d in value.shape)
        if not _compatible(self._element_shape, value_dims):
            raise ValueError(
                f"TensorArray.{op}: Incompatible shape for value ({_fmt(value_dims)}), expected "
                f"({_fmt(self._element_shape)})"
            )
        if self._infer_shape:
            self._element_shape = _merge(self._element_shape, value_dims)
        self._tensor_array[index] = value

    def write(self, index: Any, value: Any, name: str | None = None) -> TensorArray:
        """Store ``value`` at ``index`` (overwriting any earlier write) and return this array.

        Raises:
            OutOfRangeError: ``index`` is negative, or past the end without ``dynamic_size``.
            InvalidArgumentError: ``value``'s dtype is not the array's.
            ValueError: ``value``'s shape is incompatible with the element shape.
        """
        del name
        self._write(index, value, "write")
        return self

    def unstack(self, value: Any, name: str | None = None) -> TensorArray:
        """Replace the content by the slices of ``value`` along its first axis; return this array."""
        del name
        tensors = _tg().unstack(self._convert(value))
        if len(tensors) > len(self._tensor_array) and not self._dynamic_size:
            raise ValueError(
                f"TensorArray.unstack: Cannot unstack {len(tensors)} tensors into a TensorArray of "
                f"static size {len(self._tensor_array)} "
            )
        self._tensor_array = list(tensors)
        return self

    def scatter(self, indices: Any, value: Any, name: str | None = None) -> TensorArray:
        """Write ``value[i]`` to slot ``indices[i]`` for each ``i``; return this array."""
        del name
        indices = _python_indices(indices)
        for index, element in zip(indices, _tg().unstack(self._convert(value))):
            self._write(index, element, "scatter")
        return self

    def split(self, value: Any, lengths: Any, name: str | None = None) -> TensorArray:
        """Replace the content by consecutive pieces of ``value`` (along axis 0) of ``lengths``.

        Raises:
            InvalidArgumentError: ``lengths`` is not a vector, ``value`` is a scalar, the lengths
                do not add up to ``value.shape[0]``, or (without ``dynamic_size``) their number
                differs from the array's size.
        """
        del name
        tg = _tg()
        value = self._convert(value)
        lengths_np = np.asarray(
            lengths.numpy() if hasattr(lengths, "numpy") else np.asarray(lengths)
        )
        shape = [int(d) for d in value.shape]
        if lengths_np.ndim != 1:
            raise _core.InvalidArgumentError(
                "TensorArray.split: Expected lengths to be a vector, received shape: "
                f"{list(lengths_np.shape)} "
            )
        if not shape:
            raise _core.InvalidArgumentError(
                f"TensorArray.split: Expected value to be at least a vector, but received shape: {shape} "
            )
        total = int(lengths_np.sum())
        if total != shape[0]:
            raise _core.InvalidArgumentError(
                "TensorArray.split: Expected sum of lengths to be equal to values.shape[0], but sum of "
                f"lengths is {total} and value's shape is: {shape} "
            )
        if not self._dynamic_size and lengths_np.shape[0] != len(self._tensor_array):
            raise _core.InvalidArgumentError(
                "TensorArray.split: TensorArray's size is not equal to the size of lengths "
                f"({len(self._tensor_array)} vs. {lengths_np.shape[0]}), and the TensorArray is "
                "not marked as dynamically resizeable."
            )
        self._tensor_array = list(tg.split(value, [int(n) for n in lengths_np.tolist()]))
        return self

    def close(self, name: str | None = None) -> None:
        """Drop every element (the size becomes 0)."""
        del name
        del self._tensor_array[:]

    def __repr__(self) -> str:
        return (
            f"<tapegrad.TensorArray size={len(self._tensor_array)} dtype={self._dtype.name} "
            f"element_shape={_fmt(self._element_shape)}>"
        )


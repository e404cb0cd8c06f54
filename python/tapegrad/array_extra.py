"""More of the ``tf`` top level: slicing (``slice``, ``strided_slice``), masks and sequences,
partition/stitch, integer division variants, shape helpers, ``case``, ``name_scope`` and
the small enums real code passes around.

Data always flows through recorded ops (indexing, ``gather``, ``clip_by_value``,
``cast``), so gradients reach it; index bookkeeping (positions, partitions, sequence
lengths) is numpy, as those arguments are never differentiated.
"""

from __future__ import annotations

import builtins
import enum
from collections import namedtuple
from typing import Any, Callable

import numpy as np

from . import _core
from ._core import Tensor
from ._shape import TensorShape
from .array_ops import int_values
from .errors import InvalidArgumentError

__all__ = [
    "AggregationMethod",
    "Assert",
    "VariableAggregation",
    "VariableSynchronization",
    "broadcast_dynamic_shape",
    "broadcast_static_shape",
    "case",
    "dynamic_partition",
    "dynamic_stitch",
    "gradients",
    "hessians",
    "histogram_fixed_width",
    "histogram_fixed_width_bins",
    "identity_n",
    "name_scope",
    "parallel_stack",
    "reverse_sequence",
    "saturate_cast",
    "searchsorted",
    "sequence_mask",
    "shape_n",
    "slice",
    "strided_slice",
    "truncatediv",
    "truncatemod",
    "unique_with_counts",
    "unravel_index",
]


def _t(x: Any, dtype: Any = None) -> Tensor:
    if _core.is_tensor(x) and dtype is None:
        return x
    return _core.convert_to_tensor(x, dtype=dtype)


def _ints(x: Any) -> list[int]:
    return [int(v) for v in int_values(x, "shape").reshape(-1)]


class AggregationMethod:
    """How gradients of one value from several uses are combined (all sum the same way here)."""

    ADD_N = 0
    DEFAULT = ADD_N
    EXPERIMENTAL_TREE = 1
    EXPERIMENTAL_ACCUMULATE_N = 2


class VariableAggregation(enum.Enum):
    """How a distributed variable's updates combine (one replica here: accepted, not used)."""

    NONE = 0
    SUM = 1
    MEAN = 2
    ONLY_FIRST_REPLICA = 3


class VariableSynchronization(enum.Enum):
    """When a distributed variable is synchronised (one replica here: accepted, not used)."""

    AUTO = 0
    NONE = 1
    ON_WRITE = 2
    ON_READ = 3


def Assert(condition: Any, data: Any, summarize: int | None = None, name: str | None = None) -> None:  # noqa: N802
    """Raise unless ``condition`` is true (eager ``tf.Assert``).

    Raises:
        InvalidArgumentError: ``condition`` is false; the message lists ``data``.
    """
    if bool(np.all(np.asarray(condition.numpy() if _core.is_tensor(condition) else condition))):
        return None
    shown = " ".join(str(d.numpy() if _core.is_tensor(d) else d) for d in data)
    raise InvalidArgumentError(f"Expected '{condition}' to be true. Summarized data: {shown}")


def gradients(*args: Any, **kwargs: Any) -> Any:
    """Graph-mode symbolic gradients: not available eagerly, in TF either.

    Raises:
        RuntimeError: always (use ``tf.GradientTape``).
    """
    raise RuntimeError(
        "tf.gradients is not supported when eager execution is enabled. Use tf.GradientTape instead."
    )


def hessians(*args: Any, **kwargs: Any) -> Any:
    """Graph-mode Hessians: not available eagerly, in TF either.

    Raises:
        RuntimeError: always (use nested ``tf.GradientTape``s).
    """
    return gradients()


class name_scope:  # noqa: N801 - TF's spelling
    """``with tf.name_scope("block") as scope:`` gives ``scope == "block/"``; names are not
    used by tapegrad's eager ops, so nothing else changes."""

    def __init__(self, name: str) -> None:
        if not isinstance(name, str):
            raise ValueError(f"name for name_scope must be a string, got {name!r}")
        self._name = name

    @property
    def name(self) -> str:
        """The scope's name."""
        return self._name

    def __enter__(self) -> str:
        return f"{self._name}/" if self._name else ""

    def __exit__(self, *exc: Any) -> None:
        return None


def case(pred_fn_pairs: Any, default: Callable[[], Any] | None = None, exclusive: bool = False,
         strict: bool = False, name: str = "case") -> Any:
    """The result of the first ``fn`` whose ``pred`` is true, else of ``default``.

    Raises:
        InvalidArgumentError: no predicate is true and there is no ``default``.
        TypeError: ``pred_fn_pairs`` is not a list of pairs (or a dict).
    """
    pairs = list(pred_fn_pairs.items()) if isinstance(pred_fn_pairs, dict) else list(pred_fn_pairs)
    for pair in pairs:
        if not isinstance(pair, tuple) or len(pair) != 2 or not callable(pair[1]):
            raise TypeError(f"Each entry in pred_fn_pairs must be a 2-tuple with a callable, got {pair!r}")
    for pred, fn in pairs:
        if bool(np.asarray(pred.numpy() if _core.is_tensor(pred) else pred)):
            return fn()
    if default is None:
        raise InvalidArgumentError(
            "Expected 'tf.Tensor(False, shape=(), dtype=bool)' to be true. Summarized data: "
            "b'Input error: None of conditions evaluated as True:'"
        )
    return default()


def truncatediv(x: Any, y: Any, name: str | None = None) -> Tensor:
    """``x / y`` rounded toward zero (C's integer division; also for floats). No gradient, as in TF.

    Raises:
        InvalidArgumentError: integer division by zero.
    """
    a, b = _t(x), _t(y)
    av, bv = np.asarray(a.numpy()), np.asarray(b.numpy())
    if a.dtype.is_integer:
        if np.any(bv == 0):
            raise InvalidArgumentError("Integer division by zero [Op:TruncateDiv]")
        q = np.sign(av) * np.sign(bv) * (np.abs(av) // np.abs(bv))
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            q = np.trunc(av / bv)
    return _core.constant(np.asarray(q, dtype=a.dtype.as_numpy_dtype), dtype=a.dtype)


def truncatemod(x: Any, y: Any, name: str | None = None) -> Tensor:
    """The remainder of :func:`truncatediv` (sign of ``x``, C's ``fmod``). No gradient, as in TF.

    Raises:
        InvalidArgumentError: integer division by zero.
    """
    a, b = _t(x), _t(y)
    av, bv = np.asarray(a.numpy()), np.asarray(b.numpy())
    if a.dtype.is_integer and np.any(bv == 0):
        raise InvalidArgumentError("Integer division by zero [Op:TruncateMod]")
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.fmod(av, bv)
    return _core.constant(np.asarray(r, dtype=a.dtype.as_numpy_dtype), dtype=a.dtype)


def saturate_cast(value: Any, dtype: Any, name: str | None = None) -> Tensor:
    """``cast`` that clamps to the target type's range first instead of wrapping around."""
    x = _t(value)
    target = _core.as_dtype(dtype)
    if target.is_integer and (x.dtype.is_floating or x.dtype.size > target.size):
        info = np.iinfo(target.as_numpy_dtype)
        lo, hi = float(info.min), float(info.max)
        if x.dtype.is_floating:
            # The largest float of x's type that is not above the integer maximum.
            hi = float(np.nextafter(x.dtype.as_numpy_dtype(hi), x.dtype.as_numpy_dtype(0))) if (
                float(x.dtype.as_numpy_dtype(hi)) > hi) else hi
            x = _core.clip_by_value(x, _core.constant(lo, dtype=x.dtype), _core.constant(hi, dtype=x.dtype))
        else:
            x = _core.clip_by_value(x, _core.constant(int(lo), dtype=x.dtype),
                                    _core.constant(int(hi), dtype=x.dtype))
    return _core.cast(x, target)


def slice(input_: Any, begin: Any, size: Any, name: str | None = None) -> Tensor:  # noqa: A001
    """``input_[begin[i] : begin[i] + size[i]]`` in every dimension (``size[i] = -1``: to the end).

    Raises:
        InvalidArgumentError: the slice leaves the tensor.
    """
    x = _t(input_)
    b, s = _ints(begin), _ints(size)
    shape = [int(d) for d in x.shape]
    if len(b) != len(shape) or len(s) != len(shape):
        raise InvalidArgumentError(
            f"Expected begin and size arguments to be 1-D tensors of size {len(shape)}, but got "
            f"shapes [{len(b)}] and [{len(s)}] instead. [Op:Slice]"
        )
    index = []
    for i, (start, n, dim) in enumerate(zip(b, s, shape)):
        if n == -1:
            n = dim - start
        if not 0 <= start <= dim or not 0 <= n <= dim - start:
            raise InvalidArgumentError(
                f"Expected size[{i}] in [0, {max(dim - start, 0)}], but got {n} [Op:Slice]"
                if 0 <= start <= dim else f"Expected begin[{i}] in [0, {dim}], but got {start} [Op:Slice]"
            )
        index.append(builtins.slice(start, start + n))
    return x[tuple(index)]


def strided_slice(input_: Any, begin: Any, end: Any, strides: Any = None, begin_mask: int = 0,
                  end_mask: int = 0, ellipsis_mask: int = 0, new_axis_mask: int = 0,
                  shrink_axis_mask: int = 0, var: Any = None, name: str | None = None) -> Tensor:
    """Python-style ``input_[begin:end:strides, ...]`` spelled with TF's bit masks."""
    x = _t(input_)
    b, e = _ints(begin), _ints(end)
    st = [1] * len(b) if strides is None else _ints(strides)
    index: list[Any] = []
    for i in range(len(b)):
        bit = 1 << i
        if ellipsis_mask & bit:
            index.append(Ellipsis)
        elif new_axis_mask & bit:
            index.append(None)
        elif shrink_axis_mask & bit:
            index.append(b[i])
        else:
            start = None if begin_mask & bit else b[i]
            stop = None if end_mask & bit else e[i]
            index.append(builtins.slice(start, stop, st[i]))
    return x[tuple(index)]


def sequence_mask(
    lengths: Any, maxlen: Any = None, dtype: Any = _core.bool, name: str | None = None
) -> Tensor:
    """``mask[..., j] = j < lengths[...]`` with ``maxlen`` (default ``max(lengths)``) columns."""
    lens = int_values(lengths, "sequence_mask lengths")
    n = int(lens.max(initial=0)) if maxlen is None else int(
        maxlen.numpy() if _core.is_tensor(maxlen) else maxlen)
    mask = np.arange(n) < lens[..., None]
    target = _core.as_dtype(dtype)
    return _core.constant(mask.astype(target.as_numpy_dtype), dtype=target)


def reverse_sequence(input: Any, seq_lengths: Any, seq_axis: int | None = None,  # noqa: A002
                     batch_axis: int | None = None, name: str | None = None) -> Tensor:
    """Reverses the first ``seq_lengths[b]`` entries along ``seq_axis`` of each batch entry ``b``.

    Raises:
        InvalidArgumentError: a length exceeds the sequence dimension.
    """
    x = _t(input)
    rank = len(x.shape)
    sa = int(seq_axis) % rank
    ba = 0 if batch_axis is None else int(batch_axis) % rank
    lens = int_values(seq_lengths, "reverse_sequence seq_lengths")
    shape = [int(d) for d in x.shape]
    if lens.shape != (shape[ba],) or np.any(lens > shape[sa]) or np.any(lens < 0):
        raise InvalidArgumentError(
            f"reverse_sequence: seq_lengths must be a vector of length {shape[ba]} with values in "
            f"[0, {shape[sa]}], got {lens.tolist()!r:.200}"
        )
    # Position j of batch entry b reads position lens[b]-1-j when j < lens[b], else j.
    bview, jview = [1] * rank, [1] * rank
    bview[ba], jview[sa] = shape[ba], shape[sa]
    blen = lens.reshape(bview)
    j = np.arange(shape[sa]).reshape(jview)
    order = np.broadcast_to(np.where(j < blen, blen - 1 - j, j), shape)
    from .array_ops import take_along_axis

    return take_along_axis(x, np.ascontiguousarray(order), sa)


def shape_n(input: Any, out_type: Any = _core.int32, name: str | None = None) -> list[Tensor]:  # noqa: A002
    """The shapes of several tensors."""
    return [_core.cast(_core.shape(_t(t)), out_type) for t in input]


def identity_n(input: Any, name: str | None = None) -> list[Tensor]:  # noqa: A002
    """``identity`` of each tensor."""
    return [_core.identity(_t(t)) for t in input]


def parallel_stack(values: Any, name: str = "parallel_stack") -> Tensor:
    """Graph-only in TF (a stack whose inputs are copied in as they are produced).

    Raises:
        RuntimeError: always, as TF does eagerly (use ``tf.stack``).
    """
    raise RuntimeError("tf.parallel_stack() is not compatible with eager execution.")


def broadcast_static_shape(shape_x: Any, shape_y: Any) -> TensorShape:
    """The broadcast of two shapes.

    Raises:
        ValueError: they do not broadcast.
    """
    try:
        return TensorShape(np.broadcast_shapes(tuple(shape_x), tuple(shape_y)))
    except ValueError:
        raise ValueError(f"Incompatible shapes for broadcasting. Got {tuple(shape_x)} and "
                         f"{tuple(shape_y)}.") from None


def broadcast_dynamic_shape(shape_x: Any, shape_y: Any) -> Tensor:
    """The broadcast of two shapes given as 1-D int tensors.

    Raises:
        InvalidArgumentError: they do not broadcast.
    """
    tx = _t(shape_x)
    try:
        out = np.broadcast_shapes(tuple(_ints(tx)), tuple(_ints(shape_y)))
    except ValueError:
        raise InvalidArgumentError(
            f"Incompatible shapes: {_ints(tx)} vs. {_ints(shape_y)} [Op:BroadcastArgs]"
        ) from None
    return _core.constant(np.asarray(out, dtype=tx.dtype.as_numpy_dtype), dtype=tx.dtype)


def dynamic_partition(data: Any, partitions: Any, num_partitions: int, name: str | None = None
                      ) -> list[Tensor]:
    """``data`` split into ``num_partitions`` tensors by the index in ``partitions``.

    Raises:
        InvalidArgumentError: a partition index is out of range or the shapes do not fit.
    """
    x = _t(data)
    p = int_values(partitions, "dynamic_partition partitions")
    shape = [int(d) for d in x.shape]
    if shape[: p.ndim] != list(p.shape):
        raise InvalidArgumentError(
            f"data.shape must start with partitions.shape, got data.shape = {shape}, "
            f"partitions.shape = {list(p.shape)}"
        )
    flat = p.reshape(-1)
    if flat.size and (flat.min() < 0 or flat.max() >= num_partitions):
        bad = int(flat[(flat < 0) | (flat >= num_partitions)][0])
        raise InvalidArgumentError(f"partitions has a value {bad} not in [0, {num_partitions})")
    rows = _core.reshape(x, [flat.size, *shape[p.ndim:]])
    return [_core.gather(rows, _core.constant(np.flatnonzero(flat == k).astype(np.int64)))
            for k in range(num_partitions)]


def dynamic_stitch(indices: Any, data: Any, name: str | None = None) -> Tensor:
    """``merged[indices[m][i]] = data[m][i]``; a later write wins (as TF).

    Raises:
        InvalidArgumentError: an index is negative or the shapes do not fit.
    """
    idx = [int_values(i, "dynamic_stitch indices") for i in indices]
    parts = [_t(d) for d in data]
    if len(idx) != len(parts):
        raise InvalidArgumentError("dynamic_stitch: indices and data must have the same length")
    rows, positions = [], []
    offset = 0
    row_shape: list[int] | None = None
    for ix, d in zip(idx, parts):
        dshape = [int(s) for s in d.shape]
        if dshape[: ix.ndim] != list(ix.shape):
            raise InvalidArgumentError(
                f"data.shape must start with indices.shape, got {dshape} and {list(ix.shape)}"
            )
        rs = dshape[ix.ndim:]
        if row_shape is not None and rs != row_shape:
            raise InvalidArgumentError("dynamic_stitch: data entries must have the same row shape")
        row_shape = rs
        rows.append(_core.reshape(d, [ix.size, *rs]))
        positions.append(ix.reshape(-1) + 0)
        offset += ix.size
    flat = np.concatenate(positions) if positions else np.zeros(0, np.int64)
    if flat.size and flat.min() < 0:
        raise InvalidArgumentError("dynamic_stitch: indices must be non-negative")
    n = int(flat.max(initial=-1)) + 1
    source = np.zeros(n, dtype=np.int64)
    source[flat] = np.arange(flat.size)  # the last write to a position wins
    all_rows = _core.concat(rows, 0)
    return _core.gather(all_rows, _core.constant(source))


def unravel_index(indices: Any, dims: Any, name: str | None = None) -> Tensor:
    """The coordinates of flat ``indices`` in an array of shape ``dims`` (one row per dimension).

    Raises:
        InvalidArgumentError: an index is out of range.
    """
    t = _t(indices)
    flat = int_values(t, "unravel_index indices")
    shape = tuple(_ints(dims))
    size = int(np.prod(shape))
    if flat.size and (flat.min() < 0 or flat.max() >= size):
        raise InvalidArgumentError(f"index out of bounds for array with shape {list(shape)}")
    coords = np.stack(np.unravel_index(flat, shape)) if flat.ndim else np.asarray(
        np.unravel_index(int(flat), shape))
    return _core.constant(coords.astype(t.dtype.as_numpy_dtype), dtype=t.dtype)


def searchsorted(sorted_sequence: Any, values: Any, side: str = "left", out_type: Any = _core.int32,
                 name: str | None = None) -> Tensor:
    """Per row, where each value would be inserted into the sorted innermost dimension.

    Raises:
        ValueError: ``side`` is not "left" or "right".
        InvalidArgumentError: the leading dimensions differ.
    """
    if side not in ("left", "right"):
        raise ValueError(f"Argument `side` must be either 'right' or 'left'. Received: `side` = {side}.")
    seq = np.asarray(_t(sorted_sequence).numpy())
    vals = np.asarray(_t(values).numpy())
    if seq.shape[:-1] != vals.shape[:-1]:
        raise InvalidArgumentError(
            "Leading dim_size of both tensors must match, got sorted_sequence shape "
            f"{list(seq.shape)} and values shape {list(vals.shape)}"
        )
    s2, v2 = seq.reshape(-1, seq.shape[-1]), vals.reshape(-1, vals.shape[-1])
    out = np.stack([np.searchsorted(a, b, side=side) for a, b in zip(s2, v2)]).reshape(vals.shape)
    target = _core.as_dtype(out_type)
    return _core.constant(out.astype(target.as_numpy_dtype), dtype=target)


def histogram_fixed_width_bins(values: Any, value_range: Any, nbins: int = 100,
                               dtype: Any = _core.int32, name: str | None = None) -> Tensor:
    """The bin of each value in ``nbins`` equal bins over ``value_range`` (clamped at both ends)."""
    v = np.asarray(_t(values).numpy(), dtype=np.float64)
    lo, hi = (float(r) for r in np.asarray(_t(value_range).numpy()).reshape(-1)[:2])
    if nbins <= 0:
        raise InvalidArgumentError(f"nbins should be a positive number, but got '{nbins}'")
    if not lo < hi:
        raise InvalidArgumentError("value_range should satisfy value_range[0] < value_range[1]")
    idx = np.clip(np.floor((v - lo) / (hi - lo) * nbins), 0, nbins - 1).astype(np.int64)
    target = _core.as_dtype(dtype)
    return _core.constant(idx.astype(target.as_numpy_dtype), dtype=target)


def histogram_fixed_width(values: Any, value_range: Any, nbins: int = 100, dtype: Any = _core.int32,
                          name: str | None = None) -> Tensor:
    """How many values fall in each of ``nbins`` equal bins over ``value_range`` (clamped)."""
    idx = np.asarray(histogram_fixed_width_bins(values, value_range, nbins, _core.int64).numpy())
    target = _core.as_dtype(dtype)
    counts = np.bincount(idx.reshape(-1), minlength=nbins)
    return _core.constant(counts.astype(target.as_numpy_dtype), dtype=target)


UniqueWithCounts = namedtuple("UniqueWithCounts", ["y", "idx", "count"])


def unique_with_counts(x: Any, out_idx: Any = _core.int32, name: str | None = None) -> UniqueWithCounts:
    """The distinct values of a 1-D tensor in order of appearance, each element's index into
    them, and how often each occurs."""
    from .array_ops import unique

    y, idx = unique(x, out_idx)
    counts = np.bincount(np.asarray(idx.numpy()).reshape(-1), minlength=int(y.shape[0]))
    target = _core.as_dtype(out_idx)
    return UniqueWithCounts(y, idx, _core.constant(counts.astype(target.as_numpy_dtype), dtype=target))

"""Array and index functions of TensorFlow built from tapegrad's differentiable ops.

Every function here moves values with ``gather``, ``reshape``, ``transpose``,
strided indexing or ``where``, so the tape records it and gradients (of any
order) flow to the inputs TensorFlow differentiates. The *integer bookkeeping*
(which positions a boolean mask keeps, a sort order, flat indices) is computed
with numpy from the ``.numpy()`` value of inputs that TensorFlow itself does not
differentiate; each such place says so.
"""

from __future__ import annotations

import collections
from typing import Any

import numpy as np

from . import _core
from ._core import DType, Tensor
from .errors import InvalidArgumentError

__all__ = [
    "argsort",
    "boolean_mask",
    "gather_nd",
    "get_static_value",
    "meshgrid",
    "repeat",
    "reverse",
    "roll",
    "scatter_add_rows",
    "sort",
    "top_k",
    "unique",
]

TopKV2 = collections.namedtuple("TopKV2", ["values", "indices"])
Unique = collections.namedtuple("Unique", ["y", "idx"])

_INDEX_DTYPES = ("int32", "int64")


def _tensor(x: Any) -> Any:
    """``x`` as a tensor; variables stay variables so that reading them is recorded."""
    return x if _core.is_tensor(x) else _core.convert_to_tensor(x)


def int_values(x: Any, what: str) -> np.ndarray:
    """The value of a non-differentiable integer argument (indices, ids, shifts) as int64 numpy.

    Raises:
        TypeError: if ``x`` holds floats or booleans, as TensorFlow rejects them.
    """
    arr = np.asarray(x.numpy() if _core.is_tensor(x) else x)
    if arr.dtype.kind not in "iu" and not (arr.size == 0 and arr.dtype.kind == "f"):
        raise TypeError(f"{what} must be int32 or int64, got {arr.dtype}")
    return arr.astype(np.int64)


def _index_tensor(values: np.ndarray) -> Tensor:
    """An int64 index tensor from computed numpy bookkeeping."""
    return _core.constant(np.ascontiguousarray(values, dtype=np.int64), dtype=_core.int64)


def _norm_axis(axis: int, rank: int, what: str = "axis") -> int:
    """``axis`` in ``[0, rank)``, counting negatives from the end."""
    axis = int(axis)
    if not -rank <= axis < rank:
        raise InvalidArgumentError(f"{what} {axis} is out of range for a tensor of rank {rank}")
    return axis + rank if axis < 0 else axis


def scatter_add_rows(updates: Any, indices: Any, num_rows: int) -> Tensor:
    """Sum the rows of ``updates`` into ``zeros([num_rows, ...])`` at rows ``indices``.

    ``updates`` has shape ``indices.shape + row_shape``; the result is differentiable
    w.r.t. ``updates`` at every order. tapegrad has no public scatter op, but the
    adjoint of ``gather`` *is* a scatter-add kernel (recorded on the tape, with
    ``gather`` as its own adjoint), so the vector-Jacobian product of ``gather``
    taken with an inner tape gives it, in O(size of updates).
    """
    from .tape import GradientTape  # local: tape.py imports the package namespace

    updates = _tensor(updates)
    indices = _tensor(indices)
    row_shape = list(updates.shape[len(indices.shape) :])
    zeros = _core.zeros([num_rows, *row_shape], dtype=updates.dtype)
    with GradientTape() as tape:
        tape.watch(zeros)
        gathered = _core.gather(zeros, indices)
    # The dense pass: `tape.gradient` would hand back IndexedSlices here.
    return tape._tape.gradient([gathered], [zeros], [updates], False)[0]


def take_along_axis(x: Any, order: np.ndarray, axis: int) -> Tensor:
    """``np.take_along_axis(x, order, axis)`` with one recorded ``gather``.

    ``order`` (computed numpy bookkeeping) matches ``x``'s shape except along
    ``axis``. The axis is moved last, rows are flattened, and ``order`` becomes flat
    indices ``row * n + order``.
    """
    x = _tensor(x)
    rank = len(x.shape)
    perm = [d for d in range(rank) if d != axis] + [axis]
    moved = _core.transpose(x, perm) if axis != rank - 1 else x
    n = int(x.shape[axis])
    order_moved = np.moveaxis(order, axis, -1)
    rows = int(np.prod(order_moved.shape[:-1], dtype=np.int64))
    k = order_moved.shape[-1]
    flat_idx = (np.arange(rows, dtype=np.int64)[:, None] * n + order_moved.reshape(rows, k)).reshape(-1)
    picked = _core.gather(_core.reshape(moved, [-1]), _index_tensor(flat_idx))
    picked = _core.reshape(picked, list(order_moved.shape))
    if axis == rank - 1:
        return picked
    return _core.transpose(picked, list(np.argsort(perm)))


def gather_nd(params: Any, indices: Any, batch_dims: int = 0, name: str | None = None) -> Tensor:
    """TF's ``gather_nd``: slices of ``params`` at the index vectors in the last axis of ``indices``.

    The result has shape ``indices.shape[:-1] + params.shape[batch_dims + K:]`` for
    ``K = indices.shape[-1]``; gradients flow to ``params`` (a scatter-add), not to
    ``indices``.

    Raises:
        InvalidArgumentError: an index is out of bounds.
        ValueError: ``indices`` is a scalar, its last dim exceeds ``params``' rank, or
            ``batch_dims`` is not smaller than both ranks.
    """
    params = _tensor(params)
    idx = int_values(indices, "gather_nd indices")
    batch_dims = int(batch_dims)
    pshape = [int(d) for d in params.shape]
    if idx.ndim == 0:
        raise ValueError("gather_nd: indices must have rank >= 1")
    if batch_dims < 0 or batch_dims >= idx.ndim or batch_dims > len(pshape):
        raise ValueError(
            f"gather_nd: batch_dims={batch_dims} must be in [0, rank(indices)) and <= rank(params)"
        )
    if list(idx.shape[:batch_dims]) != pshape[:batch_dims]:
        raise ValueError(
            f"gather_nd: batch dimensions of params {pshape[:batch_dims]} and indices "
            f"{list(idx.shape[:batch_dims])} differ"
        )
    if batch_dims:
        # Prefix each index vector with its batch coordinates; then it is a plain gather_nd.
        grids = np.indices(idx.shape[:-1], dtype=np.int64)[:batch_dims]
        idx = np.concatenate([np.moveaxis(grids, 0, -1), idx], axis=-1)
    k = idx.shape[-1]
    if k > len(pshape):
        raise InvalidArgumentError(f"gather_nd: index depth {k} exceeds the rank {len(pshape)} of params")
    lead = pshape[:k]
    bad = (idx < 0) | (idx >= np.asarray(lead, dtype=np.int64))
    if bad.any():
        where_bad = tuple(int(i) for i in np.argwhere(bad.any(axis=-1))[0])
        raise InvalidArgumentError(
            f"gather_nd: indices{list(where_bad)} = {idx[where_bad].tolist()} does not index "
            f"into param shape {pshape}"
        )
    # Flatten the first K dims of params and turn each index vector into a row number.
    strides = np.cumprod([1, *lead[::-1]], dtype=np.int64)[:-1][::-1]
    flat = idx.reshape(-1, k) @ strides if k else np.zeros(idx.size, dtype=np.int64)
    rows = _core.reshape(params, [int(np.prod(lead, dtype=np.int64)), *pshape[k:]])
    out = _core.gather(rows, _index_tensor(flat))
    return _core.reshape(out, [*idx.shape[:-1], *pshape[k:]])


def boolean_mask(tensor: Any, mask: Any, axis: int | None = None, name: str = "boolean_mask") -> Tensor:
    """TF's ``boolean_mask``: the entries of ``tensor`` where ``mask`` is True.

    ``mask`` (k-D, boolean) covers dims ``axis .. axis + k`` of ``tensor``, which are
    replaced by one dim holding the selected entries in row-major order.

    Raises:
        ValueError: ``mask`` is a scalar or its shape does not match ``tensor``'s.
    """
    tensor = _tensor(tensor)
    # The mask is a non-differentiable boolean input: its True positions are numpy bookkeeping.
    m = np.asarray(mask.numpy() if _core.is_tensor(mask) else mask)
    if m.ndim == 0:
        raise ValueError("mask cannot be scalar.")
    if m.dtype != np.bool_:
        raise TypeError(f"boolean_mask: mask must be bool, got {m.dtype}")
    shape = [int(d) for d in tensor.shape]
    axis = 0 if axis is None else int(axis)
    if axis < 0:
        axis += len(shape)
    if axis < 0 or axis + m.ndim > len(shape) or shape[axis : axis + m.ndim] != list(m.shape):
        raise ValueError(
            f"Shapes {shape[axis : axis + m.ndim] if axis >= 0 else shape} and {list(m.shape)} "
            "are incompatible (boolean_mask: mask shape must match tensor.shape[axis:axis+mask.ndim])"
        )
    merged = _core.reshape(tensor, [*shape[:axis], m.size, *shape[axis + m.ndim :]])
    return _core.gather(merged, _index_tensor(np.flatnonzero(m)), axis=axis)


def roll(input: Any, shift: Any, axis: Any, name: str | None = None) -> Tensor:  # noqa: A002
    """TF's ``roll``: shift elements along ``axis`` (ints or lists), wrapping around.

    Shifts given for the same axis add up. Gradients flow to ``input``.
    """
    x = _tensor(input)
    shifts = np.atleast_1d(int_values(shift, "roll shift"))
    axes = np.atleast_1d(int_values(axis, "roll axis"))
    if shifts.ndim != 1 or shifts.shape != axes.shape:
        raise ValueError(f"roll: shift {shifts.tolist()} and axis {axes.tolist()} must have the same shape")
    rank = len(x.shape)
    total: dict[int, int] = {}
    for s, a in zip(shifts.tolist(), axes.tolist()):
        a = _norm_axis(a, rank)
        total[a] = total.get(a, 0) + s
    for a, s in sorted(total.items()):
        n = int(x.shape[a])
        if n and s % n:
            x = _core.gather(x, _index_tensor((np.arange(n) - s) % n), axis=a)
    return x if total else _core.identity(x)


def reverse(tensor: Any, axis: Any, name: str | None = None) -> Tensor:
    """TF's ``reverse``: flip ``tensor`` along each dim in ``axis`` (a list of ints).

    Raises:
        InvalidArgumentError: an axis is out of range or repeated.
    """
    x = _tensor(tensor)
    rank = len(x.shape)
    axes = [_norm_axis(a, rank) for a in np.atleast_1d(int_values(axis, "reverse axis")).tolist()]
    if len(set(axes)) != len(axes):
        raise InvalidArgumentError(f"reverse: axis {axes} contains a dimension more than once")
    key = tuple(slice(None, None, -1) if d in axes else slice(None) for d in range(rank))
    return x[key] if axes else _core.identity(x)


def repeat(input: Any, repeats: Any, axis: int | None = None, name: str | None = None) -> Tensor:  # noqa: A002
    """TF's ``repeat``: repeat each element (of the flattened input when ``axis`` is None).

    ``repeats`` is a scalar or one count per element along ``axis``.
    """
    x = _tensor(input)
    if axis is None:
        x = _core.reshape(x, [-1])
        axis = 0
    axis = _norm_axis(axis, len(x.shape))
    reps = int_values(repeats, "repeat repeats")
    n = int(x.shape[axis])
    if reps.ndim > 1 or (reps.ndim == 1 and reps.size not in (1, n)):
        raise InvalidArgumentError(f"repeat: repeats of shape {list(reps.shape)} do not match dim size {n}")
    if (reps < 0).any():
        raise InvalidArgumentError("repeat: repeats must be non-negative")
    return _core.gather(
        x, _index_tensor(np.repeat(np.arange(n), reps.reshape(-1) if reps.ndim else reps)), axis=axis
    )


def meshgrid(*args: Any, **kwargs: Any) -> list[Tensor]:
    """TF's ``meshgrid(*args, indexing='xy')``: N-D coordinate grids from 1-D inputs.

    With ``indexing='xy'`` the first two output dims are swapped (Cartesian), with
    ``'ij'`` they follow the argument order. Gradients flow to every input.
    """
    indexing = kwargs.pop("indexing", "xy")
    kwargs.pop("name", None)
    if kwargs:
        raise TypeError(f"meshgrid: unexpected keyword arguments {sorted(kwargs)}")
    if indexing not in ("xy", "ij"):
        raise ValueError(f"Argument `indexing` parameter must be either 'xy' or 'ij', got '{indexing}'")
    xs = [_core.reshape(_tensor(a), [-1]) for a in args]
    sizes = [int(x.shape[0]) for x in xs]
    if indexing == "xy" and len(xs) > 1:
        sizes[0], sizes[1] = sizes[1], sizes[0]
    out = []
    for i, x in enumerate(xs):
        dim = (1 - i if i < 2 else i) if indexing == "xy" and len(xs) > 1 else i
        shape = [1] * len(xs)
        shape[dim] = -1
        # TF multiplies by ones (not broadcast_to), so gradients sum over the grid.
        out.append(_core.reshape(x, shape) * _core.ones(sizes, dtype=x.dtype))
    return out


def _check_direction(direction: str) -> None:
    if direction not in ("ASCENDING", "DESCENDING"):
        raise ValueError(
            f"Argument `direction` should be one of ASCENDING, DESCENDING. Received: direction={direction}"
        )


def _sort_order(values: np.ndarray, axis: int, descending: bool) -> np.ndarray:
    """A stable sort order along ``axis`` (ties keep their index order, as TF's top_k does)."""
    if descending:
        # Negating keeps stability for ties; booleans and unsigned go through a signed view.
        keyed = -values.astype(np.float64) if values.dtype.kind in "bu" else -values
        return np.argsort(keyed, axis=axis, kind="stable")
    return np.argsort(values, axis=axis, kind="stable")


def _sorted_along(values: Any, axis: int, direction: str, op: str) -> tuple[Tensor, np.ndarray, int]:
    """``values`` as a tensor, its stable sort order along ``axis`` and the normalised axis
    (what ``sort`` and ``argsort`` share)."""
    _check_direction(direction)
    x = _tensor(values)
    if len(x.shape) == 0:
        raise ValueError(f"{op}: values must have rank >= 1")
    axis = _norm_axis(axis, len(x.shape))
    # The order is computed from the values but is itself piecewise constant: numpy bookkeeping.
    return x, _sort_order(np.asarray(x.numpy()), axis, direction == "DESCENDING"), axis


def sort(values: Any, axis: int = -1, direction: str = "ASCENDING", name: str | None = None) -> Tensor:
    """TF's ``sort``: ``values`` sorted along ``axis``; gradients flow back through the order."""
    x, order, axis = _sorted_along(values, axis, direction, "sort")
    return take_along_axis(x, order, axis)


def argsort(
    values: Any, axis: int = -1, direction: str = "ASCENDING", stable: bool = False, name: str | None = None
) -> Tensor:
    """TF's ``argsort``: int32 indices that sort ``values`` along ``axis`` (always stable here)."""
    _, order, _ = _sorted_along(values, axis, direction, "argsort")
    return _core.constant(order.astype(np.int32), dtype=_core.int32)


def top_k(
    input: Any,  # noqa: A002
    k: int | Tensor = 1,
    sorted: bool = True,  # noqa: A002
    index_type: DType = _core.int32,
    name: str | None = None,
) -> TopKV2:
    """TF's ``math.top_k``: the ``k`` largest entries of the last axis and their indices.

    Returns a ``TopKV2(values, indices)`` namedtuple; ties keep the lower index first.
    ``values`` get gradients (a gather), ``indices`` do not.

    Raises:
        InvalidArgumentError: ``k`` is negative or larger than the last dim.
    """
    x = _tensor(input)
    if len(x.shape) == 0:
        raise ValueError("top_k: input must have rank >= 1")
    k = int(k.numpy()) if isinstance(k, Tensor) else int(k)
    n = int(x.shape[-1])
    if k < 0:
        raise InvalidArgumentError(f"Need k >= 0, got {k}")
    if k > n:
        raise InvalidArgumentError(f"input must have at least k columns. Had {n}, needed {k}")
    order = _sort_order(np.asarray(x.numpy()), -1, descending=True)[..., :k]
    values_out = take_along_axis(x, order, len(x.shape) - 1)
    indices = _core.constant(order, dtype=_core.as_dtype(index_type))
    return TopKV2(values_out, indices)


def unique(x: Any, out_idx: DType = _core.int32, name: str | None = None) -> Unique:
    """TF's ``unique`` of a 1-D tensor: ``Unique(y, idx)`` with ``y`` in first-occurrence order.

    ``x[i] == y[idx[i]]``. ``y`` is a gather of ``x``, so it carries gradients
    (TensorFlow registers none for ``Unique`` and raises instead).
    """
    t = _tensor(x)
    if len(t.shape) != 1:
        raise InvalidArgumentError(f"unique expects a 1D vector, got shape {list(t.shape)}")
    vals = np.asarray(t.numpy())
    # First occurrences and the inverse map are bookkeeping on the values, not differentiable.
    _, first, inverse = np.unique(vals, return_index=True, return_inverse=True)
    rank_of_first = np.argsort(np.argsort(first, kind="stable"), kind="stable")
    y = _core.gather(t, _index_tensor(np.sort(first)))
    idx = _core.constant(rank_of_first[inverse.reshape(-1)], dtype=_core.as_dtype(out_idx))
    return Unique(y, idx)


def get_static_value(tensor: Any, partial: bool = False) -> Any:
    """TF's ``get_static_value``: a tensor's numpy value (always known in eager mode).

    Variables give None (their value can change), as in TF; non-tensors are returned unchanged.
    """
    if isinstance(tensor, _core.Variable):
        return None
    if isinstance(tensor, Tensor):
        return tensor.numpy()
    return tensor


def batch_gather(params: Any, indices: Any, axis: Any, batch_dims: int) -> Tensor:
    """``gather(params, indices, axis, batch_dims)`` for ``batch_dims != 0``.

    ``out[b..., i..., t...] = params[b..., p..., indices[b..., i...], t...]``: the gathered
    ``axis`` is moved next to the batch dims, ``gather_nd`` (with ``batch_dims``) picks the
    rows, and the ``p...`` dims are moved back in front of the index dims. The gradient is
    dense, as TensorFlow's is for ``batch_dims > 0``.

    Raises:
        InvalidArgumentError: ``batch_dims`` or ``axis`` is out of range (or ``batch_dims >
            axis``), the batch dims of ``params`` and ``indices`` differ, or an index is out
            of range.
    """
    params = _tensor(params)
    idx = int_values(indices, "gather indices")
    r_i, r_p = idx.ndim, len(params.shape)
    b = int(batch_dims)
    b = b + r_i if b < 0 else b
    if not 0 <= b <= r_i or b >= r_p:
        raise InvalidArgumentError(
            f"gather: batch_dims ({batch_dims}) must be in [-{r_i}, {r_i}] for indices of rank {r_i} "
            f"and less than rank(params) ({r_p})"
        )
    a = b if axis is None else int(axis.numpy() if _core.is_tensor(axis) else axis)
    a = a + r_p if a < 0 else a
    if not b <= a < r_p:
        raise InvalidArgumentError(
            f"gather: batch_dims ({batch_dims}) must be less than or equal to axis ({axis}), "
            f"and axis must be in [0, {r_p}) for params of rank {r_p}"
        )
    pshape = [int(d) for d in params.shape]
    if list(idx.shape[:b]) != pshape[:b]:
        raise InvalidArgumentError(
            f"gather: params.shape[:{b}] = {pshape[:b]} and indices.shape[:{b}] = "
            f"{list(idx.shape[:b])} must be equal"
        )
    if a != b:
        perm = [*range(b), a, *range(b, a), *range(a + 1, r_p)]
        params = _core.transpose(params, perm)
    out = gather_nd(params, idx[..., None], batch_dims=b)
    if a != b:
        rank = len(out.shape)
        perm = [*range(b), *range(r_i, r_i + a - b), *range(b, r_i), *range(r_i + a - b, rank)]
        out = _core.transpose(out, perm)
    return out

"""``scatter_nd`` and ``tensor_scatter_nd_{add,sub,update,min,max}``, and the
``Variable.scatter_*`` updates, built on the recorded scatter-add of ``array_ops``.

Index vectors in the last axis of ``indices`` address the first ``K`` dims of the
output (TF's convention); they are checked and flattened to row numbers with numpy
(indices are never differentiated), and the data flows through recorded ops, so
gradients reach ``updates`` (a ``gather_nd`` of the output gradient) and ``tensor``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _core
from ._core import Tensor
from .array_ops import int_values, scatter_add_rows
from .errors import InvalidArgumentError

__all__ = [
    "scatter_nd",
    "tensor_scatter_nd_add",
    "tensor_scatter_nd_max",
    "tensor_scatter_nd_min",
    "tensor_scatter_nd_sub",
    "tensor_scatter_nd_update",
]


def _rows(op: str, indices: Any, updates: Tensor, shape: list[int]) -> tuple[np.ndarray, int, list[int]]:
    """Flat row numbers of the index vectors, the row count, and the row shape; shapes
    and bounds checked with TF's exception types."""
    idx = int_values(indices, f"{op} indices")
    if idx.ndim == 0:
        raise InvalidArgumentError(f"{op}: indices must have rank >= 1, got a scalar")
    k = int(idx.shape[-1])
    if k > len(shape):
        raise InvalidArgumentError(
            f"{op}: index depth {k} exceeds the rank {len(shape)} of the output {shape}"
        )
    row_shape = shape[k:]
    want = [*idx.shape[:-1], *row_shape]
    if [int(d) for d in updates.shape] != want:
        raise InvalidArgumentError(
            f"{op}: updates must have shape indices.shape[:-1] + shape[{k}:] = {want}, "
            f"got {list(updates.shape)} (indices {list(idx.shape)}, shape {shape})"
        )
    lead = np.asarray(shape[:k], dtype=np.int64)
    flat_idx = idx.reshape(-1, k)
    bad = ((flat_idx < 0) | (flat_idx >= lead)).any(axis=-1)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InvalidArgumentError(
            f"{op}: indices[{i}] = {flat_idx[i].tolist()} does not index into shape {shape}"
        )
    strides = np.cumprod([1, *shape[:k][::-1]], dtype=np.int64)[:-1][::-1]
    rows = flat_idx @ strides if k else np.zeros(flat_idx.shape[0], dtype=np.int64)
    return rows.astype(np.int64), int(np.prod(shape[:k], dtype=np.int64)), row_shape


def _scatter_sum(updates: Tensor, rows: np.ndarray, num_rows: int, row_shape: list[int]) -> Tensor:
    """``zeros([num_rows, *row_shape])`` with each ``updates`` row added at ``rows`` (summed)."""
    flat = _core.reshape(updates, [len(rows), *row_shape])
    if not updates.dtype.is_floating:
        out = np.zeros([num_rows, *row_shape], dtype=updates.dtype.as_numpy_dtype)
        np.add.at(out, rows, flat.numpy())
        return _core.constant(out)
    return scatter_add_rows(flat, _core.constant(rows, dtype=_core.int64), num_rows)


def _as_shape(shape: Any) -> list[int]:
    if _core.is_tensor(shape):
        return [int(d) for d in shape.numpy().tolist()]
    return [int(d) for d in shape]


def scatter_nd(indices: Any, updates: Any, shape: Any, name: str | None = None) -> Tensor:
    """TF's ``scatter_nd``: zeros of ``shape`` with ``updates`` added at the index vectors
    (repeated indices sum)."""
    updates = _core.convert_to_tensor(updates)
    shape = _as_shape(shape)
    rows, num_rows, row_shape = _rows("scatter_nd", indices, updates, shape)
    return _core.reshape(_scatter_sum(updates, rows, num_rows, row_shape), shape)


def _prepare(
    op: str, tensor: Any, indices: Any, updates: Any
) -> tuple[Tensor, Tensor, np.ndarray, int, list[int]]:
    tensor = _core.convert_to_tensor(tensor)
    updates = _core.convert_to_tensor(updates, dtype_hint=tensor.dtype)
    if updates.dtype != tensor.dtype:
        raise InvalidArgumentError(
            f"{op}: updates dtype {updates.dtype} must match tensor dtype {tensor.dtype}"
        )
    shape = [int(d) for d in tensor.shape]
    rows, num_rows, row_shape = _rows(op, indices, updates, shape)
    return tensor, updates, rows, num_rows, row_shape


def tensor_scatter_nd_add(tensor: Any, indices: Any, updates: Any, name: str | None = None) -> Tensor:
    """``tensor`` with ``updates`` added at the index vectors (repeated indices sum)."""
    tensor, updates, rows, n, row_shape = _prepare("tensor_scatter_nd_add", tensor, indices, updates)
    return _core.add(tensor, _core.reshape(_scatter_sum(updates, rows, n, row_shape), list(tensor.shape)))


def tensor_scatter_nd_sub(tensor: Any, indices: Any, updates: Any, name: str | None = None) -> Tensor:
    """``tensor`` with ``updates`` subtracted at the index vectors (repeated indices sum)."""
    tensor, updates, rows, n, row_shape = _prepare("tensor_scatter_nd_sub", tensor, indices, updates)
    return _core.subtract(
        tensor, _core.reshape(_scatter_sum(updates, rows, n, row_shape), list(tensor.shape))
    )


def _written_mask(rows: np.ndarray, n: int, shape: list[int], row_shape: list[int]) -> Tensor:
    written = np.zeros(n, dtype=bool)
    written[rows] = True
    return _core.constant(written.reshape([*shape[: len(shape) - len(row_shape)], *[1] * len(row_shape)]))


def tensor_scatter_nd_update(tensor: Any, indices: Any, updates: Any, name: str | None = None) -> Tensor:
    """``tensor`` with the rows at the index vectors replaced by ``updates``.

    With repeated indices the last update wins (TF's CPU kernel applies them in
    order); the gradient reaches ``tensor`` outside the written rows and each
    winning update.
    """
    tensor, updates, rows, n, row_shape = _prepare("tensor_scatter_nd_update", tensor, indices, updates)
    shape = [int(d) for d in tensor.shape]
    # The last occurrence of each row.
    _, first_in_reversed = np.unique(rows[::-1], return_index=True)
    keep = np.sort(len(rows) - 1 - first_in_reversed)
    flat = _core.reshape(updates, [len(rows), *row_shape])
    if len(keep) != len(rows):
        flat = _core.gather(flat, _core.constant(keep, dtype=_core.int64))
    scattered = _core.reshape(_scatter_sum(flat, rows[keep], n, row_shape), shape)
    return _core.where(_written_mask(rows, n, shape, row_shape), scattered, tensor)


def _tensor_scatter_extreme(op: str, tensor: Any, indices: Any, updates: Any, pick: Any) -> Tensor:
    tensor, updates, rows, n, row_shape = _prepare(op, tensor, indices, updates)
    shape = [int(d) for d in tensor.shape]
    # Fold repeated rows first (numpy bookkeeping on which update wins), then compare once.
    flat = _core.reshape(updates, [len(rows), *row_shape])
    out = tensor
    remaining = np.arange(len(rows))
    while remaining.size:
        _, first = np.unique(rows[remaining], return_index=True)
        batch = remaining[np.sort(first)]
        part = _core.gather(flat, _core.constant(batch, dtype=_core.int64))
        placed = _core.reshape(_scatter_sum(part, rows[batch], n, row_shape), shape)
        out = _core.where(_written_mask(rows[batch], n, shape, row_shape), pick(out, placed), out)
        remaining = np.setdiff1d(remaining, batch, assume_unique=True)
    return out


def tensor_scatter_nd_max(tensor: Any, indices: Any, updates: Any, name: str | None = None) -> Tensor:
    """``tensor`` with each indexed row replaced by its elementwise maximum with ``updates``."""
    return _tensor_scatter_extreme("tensor_scatter_nd_max", tensor, indices, updates, _core.maximum)


def tensor_scatter_nd_min(tensor: Any, indices: Any, updates: Any, name: str | None = None) -> Tensor:
    """``tensor`` with each indexed row replaced by its elementwise minimum with ``updates``."""
    return _tensor_scatter_extreme("tensor_scatter_nd_min", tensor, indices, updates, _core.minimum)

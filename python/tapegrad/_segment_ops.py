"""``tf.math`` segment reductions built on a scatter-add (the recorded adjoint of ``gather``).

Segment ids are never differentiated, so checking them and counting segment sizes
is numpy bookkeeping on their ``.numpy()`` values; the data always flows through
recorded ops (``gather``, the scatter-add, ``where``, ``divide``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _core
from ._core import Tensor
from .array_ops import int_values, scatter_add_rows
from .errors import InvalidArgumentError

__all__ = [
    "segment_max",
    "segment_mean",
    "segment_sum",
    "unsorted_segment_max",
    "unsorted_segment_mean",
    "unsorted_segment_sum",
]


def _prepare(
    data: Any, segment_ids: Any, num_segments: Any, op: str
) -> tuple[Any, np.ndarray, int, list[int]]:
    """Data as ``[rows, *row_shape]``, flat ids, the segment count and ``row_shape``; rows with a
    negative id (dropped by TensorFlow) are removed."""
    data = data if _core.is_tensor(data) else _core.convert_to_tensor(data)
    ids = int_values(segment_ids, f"{op} segment_ids")
    n = int(np.asarray(num_segments.numpy() if _core.is_tensor(num_segments) else num_segments))
    shape = [int(d) for d in data.shape]
    if shape[: ids.ndim] != list(ids.shape):
        raise InvalidArgumentError(
            f"data.shape = {shape} does not start with segment_ids.shape = {list(ids.shape)}"
        )
    flat_ids = ids.reshape(-1)
    too_big = np.flatnonzero(flat_ids >= n)
    if too_big.size:
        i = int(too_big[0])
        raise InvalidArgumentError(f"segment_ids[{i}] = {int(flat_ids[i])} is out of range [0, {n})")
    row_shape = shape[ids.ndim :]
    rows = _core.reshape(data, [flat_ids.size, *row_shape])
    keep = flat_ids >= 0
    if not keep.all():
        rows = _core.gather(rows, _core.constant(np.flatnonzero(keep), dtype=_core.int64))
        flat_ids = flat_ids[keep]
    return rows, flat_ids, n, row_shape


def _ids_tensor(ids: np.ndarray) -> Tensor:
    return _core.constant(ids, dtype=_core.int64)


def _scatter(rows: Any, ids: np.ndarray, n: int) -> Tensor:
    """Scatter-add rows; integers (never differentiated) go through float64 and back."""
    if rows.dtype.is_floating:
        return scatter_add_rows(rows, _ids_tensor(ids), n)
    summed = scatter_add_rows(_core.cast(rows, _core.float64), _ids_tensor(ids), n)
    return _core.cast(summed, rows.dtype)


def _counts(ids: np.ndarray, n: int, row_rank: int) -> np.ndarray:
    """How many rows each segment has, shaped to broadcast against ``[n, *row_shape]``."""
    return np.bincount(ids, minlength=n).reshape([n, *[1] * row_rank])


def unsorted_segment_sum(data: Any, segment_ids: Any, num_segments: Any, name: str | None = None) -> Tensor:
    """TF's ``math.unsorted_segment_sum``: ``out[s] = Σ data[i]`` over ``segment_ids[i] == s``.

    Rows with a negative id are dropped; empty segments are 0. Gradients flow to ``data``.

    Raises:
        InvalidArgumentError: an id is ``>= num_segments`` or the shapes do not fit.
    """
    rows, ids, n, _ = _prepare(data, segment_ids, num_segments, "unsorted_segment_sum")
    return _scatter(rows, ids, n)


def unsorted_segment_mean(data: Any, segment_ids: Any, num_segments: Any, name: str | None = None) -> Tensor:
    """TF's ``math.unsorted_segment_mean``: the per-segment mean (0 for empty segments)."""
    rows, ids, n, row_shape = _prepare(data, segment_ids, num_segments, "unsorted_segment_mean")
    counts = np.maximum(_counts(ids, n, len(row_shape)), 1)
    return _core.divide(_scatter(rows, ids, n), _core.constant(counts.astype(rows.dtype.as_numpy_dtype)))


def unsorted_segment_max(data: Any, segment_ids: Any, num_segments: Any, name: str | None = None) -> Tensor:
    """TF's ``math.unsorted_segment_max``: the per-segment maximum.

    Empty segments hold the dtype's lowest value, as in TensorFlow. The gradient
    is split evenly among the entries equal to their segment's maximum (TF's rule):
    the result is computed as ``Σ selected / #selected``, so with three or more tied
    maxima the value can differ from the maximum in the last bit.
    """
    rows, ids, n, row_shape = _prepare(data, segment_ids, num_segments, "unsorted_segment_max")
    np_dtype = rows.dtype.as_numpy_dtype
    lowest = np.finfo(np_dtype).min if rows.dtype.is_floating else np.iinfo(np_dtype).min
    # Which entries attain their segment's maximum is piecewise-constant bookkeeping.
    values = np.asarray(rows.numpy())
    maxima = np.full([n, *row_shape], lowest, dtype=np_dtype)
    np.maximum.at(maxima, ids, values)
    selected = values == maxima[ids]
    picked = _core.where(_core.constant(selected), rows, _core.zeros_like(rows))
    num_selected = np.zeros([n, *row_shape], dtype=np_dtype)
    np.add.at(num_selected, ids, selected.astype(np_dtype))
    empty = num_selected == 0
    mean_of_maxima = _core.divide(_scatter(picked, ids, n), _core.constant(np.where(empty, 1, num_selected)))
    if not rows.dtype.is_floating:
        mean_of_maxima = _core.cast(mean_of_maxima, rows.dtype)
    return _core.where(_core.constant(empty), _core.constant(maxima), mean_of_maxima)


def _sorted_ids(segment_ids: Any, op: str) -> tuple[np.ndarray, int]:
    """Checks that sorted-segment ids are 1-D, non-negative and non-decreasing; returns them and the count."""
    ids = int_values(segment_ids, f"{op} segment_ids")
    if ids.ndim != 1:
        raise InvalidArgumentError(f"{op}: segment_ids should be a vector, got shape {list(ids.shape)}")
    if (ids < 0).any():
        raise InvalidArgumentError(f"{op}: segment ids must be >= 0")
    if (np.diff(ids) < 0).any():
        raise InvalidArgumentError("segment ids are not increasing")
    return ids, int(ids[-1]) + 1 if ids.size else 0


def segment_sum(data: Any, segment_ids: Any, name: str | None = None) -> Tensor:
    """TF's ``math.segment_sum``: like :func:`unsorted_segment_sum` with sorted ids and
    ``num_segments = max(id) + 1``.

    Raises:
        InvalidArgumentError: the ids are negative or not sorted.
    """
    ids, n = _sorted_ids(segment_ids, "segment_sum")
    return unsorted_segment_sum(data, ids, n)


def segment_mean(data: Any, segment_ids: Any, name: str | None = None) -> Tensor:
    """TF's ``math.segment_mean`` over sorted ids (empty segments are 0)."""
    ids, n = _sorted_ids(segment_ids, "segment_mean")
    return unsorted_segment_mean(data, ids, n)


def segment_max(data: Any, segment_ids: Any, name: str | None = None) -> Tensor:
    """TF's ``math.segment_max`` over sorted ids; empty segments are 0 (unlike the unsorted form)."""
    ids, n = _sorted_ids(segment_ids, "segment_max")
    out = unsorted_segment_max(data, ids, n)
    empty = np.bincount(ids, minlength=n) == 0
    if not empty.any():
        return out
    mask = _core.constant(empty.reshape([n, *[1] * (len(out.shape) - 1)]))
    return _core.where(mask, _core.zeros_like(out), out)

"""More of ``tf.math``: safe products and logs, counting, cumulative log-sum-exp, extra segment
reductions, ranking helpers and special functions (see :mod:`._special`).

Differentiable names are compositions of recorded ops, so their gradients (and higher
derivatives) come from the tape. Where TF's gradient differs from the naive
composition at a special point (``xlogy`` at ``x = 0``, ``multiply_no_nan`` at
``y = 0``), the unused ``where`` branch gets a safe input, which reproduces TF's rule.
Names that only count, rank or compare (``confusion_matrix``, ``bincount``,
``in_top_k``...) are computed in numpy: TF defines no gradient for them either.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _core
from ._core import Tensor
from ._segment_ops import unsorted_segment_max, unsorted_segment_sum
from ._special import (
    bessel_i0,
    bessel_i0e,
    bessel_i1,
    bessel_i1e,
    betainc,
    digamma,
    erfc,
    erfcinv,
    erfinv,
    igamma,
    igammac,
    lbeta,
    lgamma,
    ndtri,
    polygamma,
    zeta,
)
from .array_ops import int_values, top_k
from .errors import InvalidArgumentError

__all__ = [
    "accumulate_n",
    "approx_max_k",
    "approx_min_k",
    "bessel_i0",
    "bessel_i0e",
    "bessel_i1",
    "bessel_i1e",
    "betainc",
    "bincount",
    "confusion_matrix",
    "count_nonzero",
    "cumulative_logsumexp",
    "digamma",
    "erfc",
    "erfcinv",
    "erfinv",
    "igamma",
    "igammac",
    "in_top_k",
    "invert_permutation",
    "is_non_decreasing",
    "is_strictly_increasing",
    "lbeta",
    "lgamma",
    "multiply_no_nan",
    "ndtri",
    "polygamma",
    "reciprocal_no_nan",
    "rint",
    "scalar_mul",
    "segment_min",
    "segment_prod",
    "softsign",
    "unsorted_segment_min",
    "unsorted_segment_prod",
    "unsorted_segment_sqrt_n",
    "xdivy",
    "xlog1py",
    "xlogy",
    "zero_fraction",
    "zeta",
]


def _t(x: Any, dtype: Any = None) -> Tensor:
    if _core.is_tensor(x) and dtype is None:
        return x
    return _core.convert_to_tensor(x, dtype=dtype)


def _pair(x: Any, y: Any) -> tuple[Tensor, Tensor]:
    """Two operands with a common dtype (a Python number takes the tensor's dtype)."""
    if _core.is_tensor(x):
        return x, _t(y, x.dtype) if not _core.is_tensor(y) else y
    if _core.is_tensor(y):
        return _t(x, y.dtype), y
    return _t(x), _t(y)


def _zeros(like: Tensor) -> Tensor:
    return _core.zeros_like(like)


def accumulate_n(inputs: Any, shape: Any = None, tensor_dtype: Any = None, name: str | None = None) -> Tensor:
    """The elementwise sum of a list of tensors (``add_n``; ``shape``/``tensor_dtype`` are checks in TF)."""
    return _core.add_n(inputs)


def scalar_mul(scalar: Any, x: Any, name: str | None = None) -> Tensor:
    """``scalar * x`` for a 0-d ``scalar``.

    Raises:
        ValueError: ``scalar`` is not a scalar.
    """
    s = _t(scalar, x.dtype if _core.is_tensor(x) and not _core.is_tensor(scalar) else None)
    if len(s.shape) != 0:
        raise ValueError(f"The input scalar must be a 0-D value. Received shape {tuple(s.shape)}.")
    return _core.multiply(s, x)


def count_nonzero(
    input: Any = None,  # noqa: A002
    axis: Any = None,
    keepdims: bool | None = None,
    dtype: Any = _core.int64,
    name: str | None = None,
    reduction_indices: Any = None,
    keep_dims: bool | None = None,
    input_tensor: Any = None,
) -> Tensor:
    """How many elements are non-zero (non-False) along ``axis``, as ``dtype`` (int64)."""
    x = _t(input if input is not None else input_tensor)
    if axis is None:
        axis = reduction_indices
    keep = bool(keepdims if keepdims is not None else keep_dims)
    nonzero = _core.not_equal(x, _core.zeros_like(x)) if x.dtype != _core.bool else x
    counts = _core.reduce_sum(_core.cast(nonzero, _core.int64), axis, keep)
    return _core.cast(counts, dtype)


def cumulative_logsumexp(
    x: Any, axis: int = 0, exclusive: bool = False, reverse: bool = False, name: str | None = None
) -> Tensor:
    """``log(cumsum(exp(x)))`` along ``axis`` without overflow (``exclusive`` starts at ``-inf``).

    Raises:
        TypeError: ``x`` is not floating point.
    """
    x = _t(x)
    if not x.dtype.is_floating:
        raise TypeError(f"cumulative_logsumexp needs a float tensor, got {x.dtype.name}")
    if len(x.shape) == 0:
        raise ValueError("cumulative_logsumexp: input must have rank >= 1")
    parts = _core.unstack(x, axis=axis)
    if reverse:
        parts = parts[::-1]
    # A running log-add-exp: each step rescales by its own maximum, so no entry underflows.
    out = [parts[0]]
    for p in parts[1:]:
        prev = out[-1]
        m = _core.stop_gradient(_core.maximum(prev, p))
        m = _core.where(_core.is_finite(m), m, _core.zeros_like(m))
        out.append(m + _core.log(_core.exp(prev - m) + _core.exp(p - m)))
    if exclusive:
        out = [_core.fill(_core.shape(parts[0]), _core.constant(-np.inf, dtype=x.dtype)), *out[:-1]]
    if reverse:
        out = out[::-1]
    return _core.stack(out, axis=axis)


def multiply_no_nan(x: Any, y: Any, name: str | None = None) -> Tensor:
    """``x * y``, but 0 where ``y`` is 0 even if ``x`` is inf or NaN (TF's gradient rule)."""
    x, y = _pair(x, y)
    mask = _core.logical_and(_core.equal(y, _zeros(y)), _core.logical_not(_core.is_finite(x)))
    x_safe = _core.where(mask, _zeros(x), x)
    return _core.where(mask, _zeros(x_safe * y), x_safe * y)


def reciprocal_no_nan(x: Any, name: str | None = None) -> Tensor:
    """``1 / x``, with 0 where ``x`` is 0."""
    x = _t(x)
    zero = _core.equal(x, _zeros(x))
    safe = _core.where(zero, _core.ones_like(x), x)
    return _core.where(zero, _zeros(x), _core.reciprocal(safe))


def rint(x: Any, name: str | None = None) -> Tensor:
    """Rounds to the nearest integer, halves to even (float input, as ``tf.math.rint``)."""
    return _core.round(_t(x))


def softsign(features: Any, name: str | None = None) -> Tensor:
    """``x / (1 + |x|)``."""
    x = _t(features)
    return x / (1.0 + _core.abs(x))


def xlogy(x: Any, y: Any, name: str | None = None) -> Tensor:
    """``x * log(y)``, and 0 where ``x`` is 0 (whatever ``y``); TF's gradients at ``x = 0`` (0)."""
    x, y = _pair(x, y)
    zero = _core.equal(x, _zeros(x))
    y_safe = _core.where(zero, _core.ones_like(y) + _zeros(x), y + _zeros(x))
    return _core.where(zero, _zeros(x) + _zeros(y), x * _core.log(y_safe))


def xlog1py(x: Any, y: Any, name: str | None = None) -> Tensor:
    """``x * log1p(y)``, and 0 where ``x`` is 0."""
    x, y = _pair(x, y)
    zero = _core.equal(x, _zeros(x))
    y_safe = _core.where(zero, _zeros(y) + _zeros(x), y + _zeros(x))
    return _core.where(zero, _zeros(x) + _zeros(y), x * _core.log1p(y_safe))


def xdivy(x: Any, y: Any, name: str | None = None) -> Tensor:
    """``x / y``, and 0 where ``x`` is 0."""
    x, y = _pair(x, y)
    zero = _core.equal(x, _zeros(x))
    y_safe = _core.where(zero, _core.ones_like(y) + _zeros(x), y + _zeros(x))
    return _core.where(zero, _zeros(x) + _zeros(y), x / y_safe)


def zero_fraction(value: Any, name: str | None = None) -> Tensor:
    """The fraction of elements that are zero, as a float32 scalar."""
    x = _t(value)
    zero = _core.equal(x, _core.zeros_like(x))
    return _core.reduce_mean(_core.cast(zero, _core.float32))


def confusion_matrix(
    labels: Any,
    predictions: Any,
    num_classes: Any = None,
    weights: Any = None,
    dtype: Any = _core.int32,
    name: str | None = None,
) -> Tensor:
    """``out[i, j]`` = how many (or the summed ``weights`` of) examples with label ``i`` were
    predicted ``j``; ``num_classes`` defaults to ``max(labels, predictions) + 1``.

    Raises:
        InvalidArgumentError: a label or prediction is negative or ``>= num_classes``.
        ValueError: ``labels`` and ``predictions`` differ in size.
    """
    lab = int_values(labels, "confusion_matrix labels").reshape(-1)
    pred = int_values(predictions, "confusion_matrix predictions").reshape(-1)
    if lab.shape != pred.shape:
        raise ValueError(
            f"Dimensions {lab.size} and {pred.size} are not compatible (labels vs predictions)"
        )
    if lab.size and (lab.min() < 0 or pred.min() < 0):
        raise InvalidArgumentError("`labels` and `predictions` must be non-negative (confusion_matrix)")
    if num_classes is None:
        n = int(max(lab.max(initial=-1), pred.max(initial=-1))) + 1
    else:
        n = int(num_classes.numpy() if _core.is_tensor(num_classes) else num_classes)
        if lab.size and (lab.max() >= n or pred.max() >= n):
            raise InvalidArgumentError(
                f"`labels` and `predictions` must be less than num_classes = {n} (confusion_matrix)"
            )
    out_dtype = _core.as_dtype(dtype)
    w = np.ones(lab.size) if weights is None else np.asarray(
        weights.numpy() if _core.is_tensor(weights) else weights, dtype=np.float64
    ).reshape(-1)
    out = np.zeros((n, n), dtype=np.float64)
    np.add.at(out, (lab, pred), w)
    return _core.constant(out.astype(out_dtype.as_numpy_dtype), dtype=out_dtype)


def bincount(
    arr: Any,
    weights: Any = None,
    minlength: Any = None,
    maxlength: Any = None,
    dtype: Any = _core.int32,
    name: str | None = None,
    axis: Any = None,
    binary_output: bool = False,
) -> Tensor:
    """How often each value ``0, 1, ...`` occurs in ``arr`` (summed ``weights`` if given);
    ``axis=-1`` counts each row of a 2-D ``arr`` separately.

    Raises:
        InvalidArgumentError: ``arr`` has a negative value.
    """
    values = int_values(arr, "bincount arr")
    if values.size and values.min() < 0:
        raise InvalidArgumentError("Input arr must be non-negative!")
    size = int(values.max(initial=-1)) + 1
    if minlength is not None:
        size = max(size, int(minlength))
    if maxlength is not None:
        size = min(size, int(maxlength))
    w = None
    out_dtype = _core.as_dtype(dtype)
    if weights is not None:
        wt = _t(weights)
        w = np.asarray(wt.numpy(), dtype=np.float64)
        out_dtype = wt.dtype
    rows = values.reshape(1, -1) if axis is None else values.reshape(values.shape[0], -1)
    wrows = None if w is None else (w.reshape(1, -1) if axis is None else w.reshape(w.shape[0], -1))
    out = np.zeros((rows.shape[0], size), dtype=np.float64)
    for r in range(rows.shape[0]):
        keep = rows[r] < size
        np.add.at(out[r], rows[r][keep], 1.0 if wrows is None else wrows[r][keep])
    if binary_output:
        out = (out > 0).astype(np.float64)
    result = out[0] if axis is None else out
    return _core.constant(result.astype(out_dtype.as_numpy_dtype), dtype=out_dtype)


def in_top_k(targets: Any, predictions: Any, k: Any, name: str | None = None) -> Tensor:
    """For each row, whether ``predictions[row, targets[row]]`` is among the ``k`` largest
    (ties count as in; a non-finite prediction is never in).

    Raises:
        InvalidArgumentError: a target is out of range.
    """
    pred = np.asarray(_t(predictions).numpy(), dtype=np.float64)
    tgt = int_values(targets, "in_top_k targets")
    k = int(k)
    if pred.ndim != 2 or tgt.shape != (pred.shape[0],):
        raise InvalidArgumentError(
            f"in_top_k: predictions must be 2-D and targets 1-D of the same batch, got "
            f"{list(pred.shape)} and {list(tgt.shape)}"
        )
    out = np.zeros(tgt.shape, dtype=bool)
    for i, t in enumerate(tgt):
        if not 0 <= t < pred.shape[1]:
            continue
        v = pred[i, t]
        if not np.isfinite(v):
            continue
        out[i] = int(np.sum(pred[i] > v)) < k
    return _core.constant(out)


def invert_permutation(x: Any, name: str | None = None) -> Tensor:
    """``y`` with ``y[x[i]] = i``.

    Raises:
        InvalidArgumentError: ``x`` is not a permutation of ``0 .. n-1``.
    """
    t = _t(x)
    p = int_values(t, "invert_permutation x")
    if p.ndim != 1:
        raise InvalidArgumentError(f"invert_permutation expects a 1-D vector, got shape {list(p.shape)}")
    if sorted(p.tolist()) != list(range(p.size)):
        raise InvalidArgumentError(f"{p.tolist()!r:.200} is not a permutation of 0..{p.size - 1}")
    out = np.empty_like(p)
    out[p] = np.arange(p.size)
    return _core.constant(out.astype(t.dtype.as_numpy_dtype), dtype=t.dtype)


def is_non_decreasing(x: Any, name: str | None = None) -> Tensor:
    """True when the flattened ``x`` never decreases."""
    v = np.asarray(_t(x).numpy()).reshape(-1)
    return _core.constant(bool(np.all(v[1:] >= v[:-1])))


def is_strictly_increasing(x: Any, name: str | None = None) -> Tensor:
    """True when the flattened ``x`` always increases."""
    v = np.asarray(_t(x).numpy()).reshape(-1)
    return _core.constant(bool(np.all(v[1:] > v[:-1])))


def approx_max_k(
    operand: Any, k: int, reduction_dimension: int = -1, recall_target: float = 0.95,
    reduction_input_size_override: int = -1, aggregate_to_topk: bool = True, name: str | None = None,
) -> tuple[Tensor, Tensor]:
    """The ``k`` largest values along the last dimension and their int32 indices (computed exactly)."""
    x = _t(operand)
    if reduction_dimension not in (-1, len(x.shape) - 1):
        raise ValueError("approx_max_k: only the last dimension is supported")
    values, indices = top_k(x, k)
    return values, indices


def approx_min_k(
    operand: Any, k: int, reduction_dimension: int = -1, recall_target: float = 0.95,
    reduction_input_size_override: int = -1, aggregate_to_topk: bool = True, name: str | None = None,
) -> tuple[Tensor, Tensor]:
    """The ``k`` smallest values along the last dimension and their int32 indices (computed exactly)."""
    x = _t(operand)
    values, indices = approx_max_k(_core.negative(x), k, reduction_dimension)
    return _core.negative(values), indices


# --------------------------------------------------------------------------- segment reductions
def _ids_and_count(segment_ids: Any, num_segments: Any) -> tuple[np.ndarray, int]:
    ids = int_values(segment_ids, "segment_ids")
    n = int(np.asarray(num_segments.numpy() if _core.is_tensor(num_segments) else num_segments))
    return ids, n


def _bcast_mask(mask: np.ndarray, like: Tensor) -> Tensor:
    return _core.constant(mask.reshape([mask.shape[0], *[1] * (len(like.shape) - 1)]))


def unsorted_segment_min(data: Any, segment_ids: Any, num_segments: Any, name: str | None = None) -> Tensor:
    """The per-segment minimum; empty segments hold the dtype's largest value (as TF)."""
    x = _t(data)
    ids, n = _ids_and_count(segment_ids, num_segments)
    out = _core.negative(unsorted_segment_max(_core.negative(x), ids, n))
    empty = np.bincount(ids[ids >= 0].reshape(-1), minlength=n)[:n] == 0
    if not empty.any():
        return out
    np_dtype = x.dtype.as_numpy_dtype
    highest = np.finfo(np_dtype).max if x.dtype.is_floating else np.iinfo(np_dtype).max
    fill = _core.fill(_core.shape(out), _core.constant(highest, dtype=x.dtype))
    return _core.where(_bcast_mask(empty, out), fill, out)


def unsorted_segment_prod(data: Any, segment_ids: Any, num_segments: Any, name: str | None = None) -> Tensor:
    """The per-segment product (1 for empty segments), differentiable through ``reduce_prod``.

    Rows are gathered into a ``[num_segments, longest, ...]`` block padded with ones, whose
    product over axis 1 is the result.

    Raises:
        InvalidArgumentError: an id is ``>= num_segments`` or the shapes do not fit.
    """
    x = _t(data)
    ids, n = _ids_and_count(segment_ids, num_segments)
    shape = [int(d) for d in x.shape]
    if shape[: ids.ndim] != list(ids.shape):
        raise InvalidArgumentError(
            f"data.shape = {shape} does not start with segment_ids.shape = {list(ids.shape)}"
        )
    flat = ids.reshape(-1)
    if flat.size and flat.max() >= n:
        i = int(np.flatnonzero(flat >= n)[0])
        raise InvalidArgumentError(f"segment_ids[{i}] = {int(flat[i])} is out of range [0, {n})")
    row_shape = shape[ids.ndim:]
    rows = _core.reshape(x, [flat.size, *row_shape])
    rows = _core.concat([rows, _core.ones([1, *row_shape], dtype=x.dtype)], 0)
    members = [np.flatnonzero(flat == s) for s in range(n)]
    longest = max((m.size for m in members), default=0)
    index = np.full((n, max(longest, 1)), flat.size, dtype=np.int64)
    for s, m in enumerate(members):
        index[s, : m.size] = m
    block = _core.gather(rows, _core.constant(index))
    return _core.reduce_prod(block, 1)


def unsorted_segment_sqrt_n(
    data: Any, segment_ids: Any, num_segments: Any, name: str | None = None
) -> Tensor:
    """The per-segment sum divided by ``sqrt(segment size)`` (0 for empty segments)."""
    x = _t(data)
    ids, n = _ids_and_count(segment_ids, num_segments)
    total = unsorted_segment_sum(x, ids, n)
    counts = np.bincount(ids[ids >= 0].reshape(-1), minlength=n)[:n].astype(np.float64)
    scale = 1.0 / np.sqrt(np.maximum(counts, 1.0))
    return total * _core.constant(
        scale.reshape([n, *[1] * (len(total.shape) - 1)]).astype(x.dtype.as_numpy_dtype)
    )


def _sorted(segment_ids: Any, op: str) -> tuple[np.ndarray, int]:
    ids = int_values(segment_ids, f"{op} segment_ids")
    if ids.ndim != 1:
        raise InvalidArgumentError(f"{op}: segment_ids should be a vector, got shape {list(ids.shape)}")
    if (ids < 0).any():
        raise InvalidArgumentError(f"{op}: segment ids must be >= 0")
    if (np.diff(ids) < 0).any():
        raise InvalidArgumentError("segment ids are not increasing")
    return ids, int(ids[-1]) + 1 if ids.size else 0


def segment_min(data: Any, segment_ids: Any, name: str | None = None) -> Tensor:
    """The minimum of each segment of sorted ids; empty segments are 0.

    Raises:
        InvalidArgumentError: the ids are negative or not sorted.
    """
    ids, n = _sorted(segment_ids, "segment_min")
    out = unsorted_segment_min(data, ids, n)
    empty = np.bincount(ids, minlength=n) == 0
    if not empty.any():
        return out
    return _core.where(_bcast_mask(empty, out), _core.zeros_like(out), out)


def segment_prod(data: Any, segment_ids: Any, name: str | None = None) -> Tensor:
    """The product of each segment of sorted ids; empty segments are 1.

    Raises:
        InvalidArgumentError: the ids are negative or not sorted.
    """
    ids, n = _sorted(segment_ids, "segment_prod")
    return unsorted_segment_prod(data, ids, n)

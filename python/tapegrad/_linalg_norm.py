"""``tf.norm``/``tf.linalg.norm`` with TF's ``ord`` and ``axis`` rules, and ``tf.linalg.normalize``.

TF's ``norm_v2`` step for step: an ``axis`` pair means a matrix norm (``'fro'``,
``'euclidean'``, 1, 2, ``inf``), anything else a vector norm (``'euclidean'``,
1, 2, ``inf`` or any ``p > 0``). The matrix 2-norm is the largest singular
value; the rest are sums and maxima of ``|x|``, so gradients come from those
ops (and the SVD's rule).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _core
from ._core import convert_to_tensor


def _is(ord: Any, *values: Any) -> bool:
    """``ord in values`` without numpy's elementwise comparison of strings and numbers."""
    for v in values:
        if isinstance(v, str):
            if isinstance(ord, str) and ord == v:
                return True
        elif not isinstance(ord, str) and ord is not None and not isinstance(ord, bool):
            try:
                if float(ord) == float(v):
                    return True
            except (TypeError, ValueError):
                continue
    return False


def _check(ord: Any, axis: Any) -> tuple[bool, Any]:
    """TF's argument checks; returns ``(is_matrix_norm, axis)`` with a vector axis as a 1-tuple."""
    is_matrix = isinstance(axis, (tuple, list)) and len(axis) == 2
    if is_matrix:
        axis = tuple(axis)
        if (
            not isinstance(axis[0], (int, np.integer))
            or not isinstance(axis[1], (int, np.integer))
            or axis[0] == axis[1]
        ):
            raise ValueError(f"'axis' must be None, an integer, or a tuple of 2 unique integers, got {axis}")
        if not _is(ord, "euclidean", "fro", 1, 2, np.inf):
            raise ValueError(
                f"'ord' must be a supported matrix norm in ['euclidean', 'fro', 1, 2, inf], got {ord}"
            )
        return True, (int(axis[0]), int(axis[1]))
    if not (isinstance(axis, (int, np.integer)) or axis is None):
        raise ValueError(f"'axis' must be None, an integer, or a tuple of 2 unique integers, got {axis}")
    if not _is(ord, "euclidean", 1, 2, np.inf):
        positive = not isinstance(ord, (str, bool)) and ord is not None and np.isreal(ord) and ord > 0
        if not positive:
            raise ValueError(f"'ord' must be a supported vector norm, got {ord}")
    return False, (None if axis is None else (int(axis),))


def norm(tensor, ord="euclidean", axis=None, keepdims=None, name=None, keep_dims=None):  # type: ignore[no-untyped-def]
    """The vector or matrix norm of ``tensor`` over ``axis`` (TF's ``tf.norm``)."""
    if keepdims is None:
        keepdims = bool(keep_dims) if keep_dims is not None else False
    is_matrix, axis = _check(ord, axis)
    x = convert_to_tensor(tensor)
    rank = len(x.shape)
    if _is(ord, "fro", "euclidean", 2):
        if is_matrix and _is(ord, 2):
            pos = [a + rank if a < 0 else a for a in axis]
            if any(not 0 <= a < rank for a in pos):
                raise _core.InvalidArgumentError(f"norm: axis {axis} is out of range for rank {rank}")
            perm_before = [i for i in range(rank) if i not in pos] + pos
            perm_after = [perm_before.index(i) for i in range(rank)]
            permed = _core.transpose(x, perm=perm_before)
            s = _core.svd(permed, compute_uv=False)
            top = _core.expand_dims(_core.reduce_max(_core.abs(s), axis=-1, keepdims=True), -1)
            result = _core.transpose(top, perm=perm_after)
        else:
            result = _core.sqrt(_core.reduce_sum(x * x, axis=axis, keepdims=True))
    else:
        result = _core.abs(x)
        if _is(ord, 1):
            result = _core.reduce_sum(result, axis=None if axis is None else axis[0], keepdims=True)
            if is_matrix:
                result = _core.reduce_max(result, axis=axis[-1], keepdims=True)
        elif _is(ord, np.inf):
            if is_matrix:
                result = _core.reduce_sum(result, axis=axis[1], keepdims=True)
            result = _core.reduce_max(result, axis=None if axis is None else axis[0], keepdims=True)
        else:
            p = _core.cast(ord, x.dtype)
            summed = _core.reduce_sum(_core.pow(result, p), axis=axis, keepdims=True)
            result = _core.pow(summed, _core.cast(1.0 / float(ord), x.dtype))
    if not keepdims:
        result = _core.squeeze(result, axis=None if axis is None else list(axis))
    return result


def normalize(tensor, ord="euclidean", axis=None, name=None):  # type: ignore[no-untyped-def]
    """``(tensor / norm, norm)`` with the norm kept over ``axis`` (TF's ``tf.linalg.normalize``)."""
    x = convert_to_tensor(tensor)
    n = norm(x, ord=ord, axis=axis, keepdims=True)
    n = _core.cast(n, x.dtype)
    return x / n, n

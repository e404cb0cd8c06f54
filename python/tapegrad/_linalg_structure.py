"""Structural ``tf.linalg`` ops: ``matvec``, ``diag``/``diag_part``/``set_diag`` (main
diagonal), ``band_part``, ``trace``, ``tensor_diag``/``tensor_diag_part``, ``cross``.

The matrix ones call a core op each (``matrix_band_part``, ``matrix_diag``, ...);
the rest compose differentiable ops, so every gradient comes from existing rules.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _core
from ._core import Tensor, convert_to_tensor


def _tensor(x: Any, dtype: Any = None) -> Tensor:
    return convert_to_tensor(x, dtype=dtype)


def _only_main_diagonal(op: str, k: Any, align: str | None = None) -> None:
    if not (isinstance(k, (int, np.integer)) and int(k) == 0):
        raise NotImplementedError(f"{op}: only the main diagonal (k=0) is supported; got k={k!r}")


def matvec(a, b, transpose_a=False, adjoint_a=False, a_is_sparse=False, b_is_sparse=False, name=None):  # type: ignore[no-untyped-def]
    """``a @ b`` for matrices ``a: [..., m, n]`` and vectors ``b: [..., n]`` (TF's ``matvec``)."""
    a = _tensor(a)
    b = _tensor(b, a.dtype)
    column = _core.expand_dims(b, -1)
    return _core.squeeze(_core.matmul(a, column, transpose_a=transpose_a, adjoint_a=adjoint_a), -1)


def diag(diagonal, name="diag", k=0, num_rows=-1, num_cols=-1, padding_value=0, align="RIGHT_LEFT"):  # type: ignore[no-untyped-def]
    """Matrices with ``diagonal: [..., n]`` on their main diagonal (TF's ``tf.linalg.diag``).

    ``num_rows``/``num_cols`` (at least ``n``) pad the matrices; other entries are
    ``padding_value``.
    """
    _only_main_diagonal("diag", k)
    d = _tensor(diagonal)
    if len(d.shape) < 1:
        raise ValueError(f"diag: input must be at least 1-dim, received shape {tuple(d.shape)}")
    n = int(d.shape[-1])
    rows = n if num_rows in (-1, None) else int(num_rows)
    cols = n if num_cols in (-1, None) else int(num_cols)
    if rows < n or cols < n or (rows != n and cols != n):
        raise _core.InvalidArgumentError(
            f"MatrixDiagV3: num_rows={rows} and num_cols={cols} do not fit a diagonal of length {n}"
        )
    square = _core.matrix_diag(d)
    if rows == n and cols == n and _is_zero(padding_value):
        return square
    rank = len(d.shape) + 1
    paddings = [[0, 0]] * (rank - 2) + [[0, rows - n], [0, cols - n]]
    out = _core.pad(square, paddings)
    if _is_zero(padding_value):
        return out
    on_diag = np.eye(rows, cols, dtype=bool)
    return _core.where(on_diag, out, _core.cast(padding_value, out.dtype))


def _is_zero(v: Any) -> bool:
    try:
        return bool(np.all(np.asarray(v) == 0))
    except (TypeError, ValueError):
        return False


def diag_part(input, name="diag_part", k=0, padding_value=0, align="RIGHT_LEFT"):  # type: ignore[no-untyped-def]
    """The main diagonal of each matrix of ``input: [..., m, n]``, ``[..., min(m, n)]``."""
    _only_main_diagonal("diag_part", k)
    return _core.matrix_diag_part(input)


def set_diag(input, diagonal, name="set_diag", k=0, align="RIGHT_LEFT"):  # type: ignore[no-untyped-def]
    """``input`` with its main diagonal replaced by ``diagonal`` (TF's ``set_diag``)."""
    _only_main_diagonal("set_diag", k)
    return _core.matrix_set_diag(input, diagonal)


def band_part(input, num_lower, num_upper, name=None):  # type: ignore[no-untyped-def]
    """Keeps ``num_lower`` sub- and ``num_upper`` superdiagonals (negative: all) of each matrix."""
    return _core.matrix_band_part(input, int(num_lower), int(num_upper))


def trace(x, name=None):  # type: ignore[no-untyped-def]
    """The sum of the main diagonal of each matrix of ``x: [..., m, n]``."""
    return _core.trace(x)


def tensor_diag(diagonal, name=None):  # type: ignore[no-untyped-def]
    """A rank-``2k`` tensor with ``diagonal`` (rank ``k``) on its diagonal (TF's ``tensor_diag``)."""
    d = _tensor(diagonal)
    shape = [int(s) for s in d.shape]
    if not shape:
        return d
    flat = _core.matrix_diag(_core.reshape(d, [-1]))
    return _core.reshape(flat, shape + shape)


def tensor_diag_part(input, name=None):  # type: ignore[no-untyped-def]
    """The diagonal of a rank-``2k`` tensor of shape ``s + s`` (TF's ``tensor_diag_part``)."""
    x = _tensor(input)
    shape = [int(s) for s in x.shape]
    k = len(shape) // 2
    if len(shape) % 2 or shape[:k] != shape[k:]:
        raise _core.InvalidArgumentError(
            f"DiagPart: input must have shape [s, s] (even rank, two equal halves); got {tuple(shape)}"
        )
    if k == 0:
        return x
    n = int(np.prod(shape[:k]))
    part = _core.matrix_diag_part(_core.reshape(x, [n, n]))
    return _core.reshape(part, shape[:k])


def cross(a, b, name=None):  # type: ignore[no-untyped-def]
    """Pairwise cross products of the 3-vectors along the last dim of ``a`` and ``b``."""
    a = _tensor(a)
    b = _tensor(b, a.dtype)
    if len(a.shape) < 1 or int(a.shape[-1]) != 3 or tuple(a.shape) != tuple(b.shape):
        raise _core.InvalidArgumentError(
            f"Cross: inputs must have the same shape [..., 3]; got {tuple(a.shape)} and {tuple(b.shape)}"
        )
    a0, a1, a2 = _core.unstack(a, axis=-1)
    b0, b1, b2 = _core.unstack(b, axis=-1)
    return _core.stack([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], axis=-1)

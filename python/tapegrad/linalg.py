"""``tapegrad.linalg``: the parts of ``tf.linalg`` tapegrad has."""

from __future__ import annotations

from typing import NamedTuple

from ._clip_ops import global_norm
from ._core import (
    Tensor,
    cholesky,
    convert_to_tensor,
    eye,
    log_matrix_determinant,
    logdet,
    matmul,
    matrix_determinant,
    matrix_inverse,
    matrix_solve,
    matrix_triangular_solve,
    norm,
    tensordot,
    transpose,
)
from ._einsum import einsum


class LogMatrixDeterminant(NamedTuple):
    """What :func:`slogdet` returns, as TF's namedtuple of the same name."""

    sign: Tensor
    log_abs_determinant: Tensor


def slogdet(input, name=None):  # type: ignore[no-untyped-def]
    """``(sign, log_abs_determinant)`` of each matrix of ``input`` (TF's ``tf.linalg.slogdet``).

    A singular matrix gives ``(0, -inf)``; only ``log_abs_determinant`` has a gradient.
    """
    sign, log_abs = log_matrix_determinant(input, name=name)
    return LogMatrixDeterminant(sign, log_abs)


def matrix_transpose(a, name="matrix_transpose", conjugate=False):  # type: ignore[no-untyped-def]
    """Swaps the last two dims of a (batch of) matrices (``tf.linalg.matrix_transpose``)."""
    x = convert_to_tensor(a)
    rank = len(x.shape)
    if rank < 2:
        raise ValueError(
            "Argument `a` should be a (batch) matrix with rank >= 2.  "
            f"Received `a` = {x} with shape: {tuple(x.shape)}"
        )
    return transpose(x, perm=[*range(rank - 2), rank - 1, rank - 2])


def adjoint(matrix, name=None):  # type: ignore[no-untyped-def]
    """The conjugate transpose of the last two dims; for real dtypes, :func:`matrix_transpose`."""
    return matrix_transpose(matrix)


det = matrix_determinant
inv = matrix_inverse
solve = matrix_solve
triangular_solve = matrix_triangular_solve

__all__ = [
    "LogMatrixDeterminant",
    "adjoint",
    "cholesky",
    "det",
    "einsum",
    "eye",
    "global_norm",
    "inv",
    "logdet",
    "matmul",
    "matrix_transpose",
    "norm",
    "slogdet",
    "solve",
    "tensordot",
    "transpose",
    "triangular_solve",
]

"""``tapegrad.linalg``: the parts of ``tf.linalg`` tapegrad has (see ``__all__``)."""

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
    tensordot,
    transpose,
)
from ._einsum import einsum
from ._linalg_factor import (
    Lu,
    Qr,
    cholesky_solve,
    eigh,
    eigvalsh,
    expm,
    lstsq,
    lu,
    lu_matrix_inverse,
    lu_reconstruct,
    lu_solve,
    matrix_rank,
    pinv,
    qr,
    svd,
)
from ._linalg_norm import norm, normalize
from ._linalg_structure import (
    band_part,
    cross,
    diag,
    diag_part,
    matvec,
    set_diag,
    tensor_diag,
    tensor_diag_part,
    trace,
)
from ._linear_operator import LinearOperatorFullMatrix
from .math import l2_normalize


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
    "LinearOperatorFullMatrix",
    "LogMatrixDeterminant",
    "Lu",
    "Qr",
    "adjoint",
    "band_part",
    "cholesky",
    "cholesky_solve",
    "cross",
    "det",
    "diag",
    "diag_part",
    "eigh",
    "eigvalsh",
    "einsum",
    "expm",
    "eye",
    "global_norm",
    "inv",
    "l2_normalize",
    "logdet",
    "lstsq",
    "lu",
    "lu_matrix_inverse",
    "lu_reconstruct",
    "lu_solve",
    "matmul",
    "matrix_rank",
    "matrix_transpose",
    "matvec",
    "norm",
    "normalize",
    "pinv",
    "qr",
    "set_diag",
    "slogdet",
    "solve",
    "svd",
    "tensor_diag",
    "tensor_diag_part",
    "tensordot",
    "trace",
    "transpose",
    "triangular_solve",
]

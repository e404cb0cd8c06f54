"""``tf.linalg`` factorisations and what TF builds on them: ``eigh``, ``eigvalsh``, ``svd``,
``qr``, ``lu`` (+ ``lu_solve``, ``lu_reconstruct``, ``lu_matrix_inverse``),
``cholesky_solve``, ``lstsq``, ``pinv``, ``matrix_rank``, ``expm``.

The factorisations are core ops with TF's gradient rules; the rest are TF's own
compositions (``linalg_impl.py``, ``linalg_ops.py``) of differentiable ops, so
their gradients are TF's. Where TF has no gradient (``Lu``; ``lstsq`` with
``fast=False``), a gradient through them raises what TF raises.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from . import _core
from ._core import Tensor, convert_to_tensor
from .custom_gradient import custom_gradient


class Qr(NamedTuple):
    """What :func:`qr` returns, as TF's namedtuple of the same name."""

    q: Tensor
    r: Tensor


class Lu(NamedTuple):
    """What :func:`lu` returns, as TF's namedtuple of the same name."""

    lu: Tensor
    p: Tensor


def eigh(tensor, name=None):  # type: ignore[no-untyped-def]
    """``(e, v)``: eigenvalues (ascending) and eigenvectors (columns) of self-adjoint matrices.

    Only the lower triangle is read. The gradient is TF's: it divides by eigenvalue gaps,
    so (nearly) repeated eigenvalues give huge or zero terms there, as in TF.
    """
    return _core.self_adjoint_eig(tensor)


def eigvalsh(tensor, name=None):  # type: ignore[no-untyped-def]
    """The eigenvalues of self-adjoint matrices, ascending (TF's ``eigvalsh``)."""
    return _core.self_adjoint_eigvals(tensor)


def svd(tensor, full_matrices=False, compute_uv=True, name=None):  # type: ignore[no-untyped-def]
    """TF's ``svd``: singular values ``s`` (descending), or ``(s, u, v)`` with ``a = u diag(s) vᵀ``."""
    return _core.svd(tensor, full_matrices=bool(full_matrices), compute_uv=bool(compute_uv))


def qr(input, full_matrices=False, name=None):  # type: ignore[no-untyped-def]
    """``Qr(q, r)``: Householder QR of each matrix (TF's ``qr``)."""
    q, r = _core.qr(input, full_matrices=bool(full_matrices))
    return Qr(q, r)


def _without_gradient(inputs: list[Tensor], y: Tensor, exc: type[Exception], message: str) -> Tensor:
    """``y`` as a function of ``inputs`` whose gradient raises ``exc(message)``: what TF
    does for an op with no registered gradient, or one that refuses its attributes."""

    @custom_gradient
    def attach(*xs):  # type: ignore[no-untyped-def]
        def grad(*upstream):  # type: ignore[no-untyped-def]
            raise exc(message)

        return _core.identity(y), grad

    return attach(*inputs)  # type: ignore[no-any-return]


def lu(input, output_idx_type=_core.int32, name=None):  # type: ignore[no-untyped-def]
    """``Lu(lu, p)``: LU with partial pivoting, ``input[p] = L U`` (TF's ``lu``).

    ``lu`` holds the unit-lower ``L`` below the diagonal and ``U`` on and above it.
    As in TF, it has no gradient (a tape asking for one raises ``LookupError``).
    """
    x = convert_to_tensor(input)
    factors, perm = _core.lu(x, output_idx_type=output_idx_type)
    if x.dtype.is_floating:
        factors = _without_gradient([x], factors, LookupError, "gradient registry has no entry for: Lu")
    return Lu(factors, perm)


def _permutation_matrix(perm: Tensor, n: int, dtype: Any) -> Tensor:
    """``P`` with ``(P @ x)[i] = x[perm[i]]``, batched like ``perm``."""
    return _core.one_hot(perm, n, dtype=dtype)


def _unit_lower(lower_upper: Tensor) -> Tensor:
    lower = _core.matrix_band_part(lower_upper, -1, 0)
    ones = _core.ones(tuple(lower_upper.shape)[:-1], dtype=lower_upper.dtype)
    return _core.matrix_set_diag(lower, ones)


def lu_solve(lower_upper, perm, rhs, validate_args=False, name=None):  # type: ignore[no-untyped-def]
    """``X`` with ``A X = rhs`` from ``lu(A)``'s ``(lower_upper, perm)`` (TF's ``lu_solve``)."""
    lower_upper = convert_to_tensor(lower_upper)
    rhs = convert_to_tensor(rhs, dtype=lower_upper.dtype)
    perm = convert_to_tensor(perm)
    n = int(lower_upper.shape[-1])
    permuted = _core.matmul(_permutation_matrix(perm, n, lower_upper.dtype), rhs)
    y = _core.matrix_triangular_solve(_unit_lower(lower_upper), permuted, lower=True)
    return _core.matrix_triangular_solve(lower_upper, y, lower=False)


def lu_reconstruct(lower_upper, perm, validate_args=False, name=None):  # type: ignore[no-untyped-def]
    """The matrix ``A`` that ``lu(A)`` factored (TF's ``lu_reconstruct``)."""
    lower_upper = convert_to_tensor(lower_upper)
    perm = convert_to_tensor(perm)
    n = int(lower_upper.shape[-1])
    upper = _core.matrix_band_part(lower_upper, 0, -1)
    product = _core.matmul(_unit_lower(lower_upper), upper)
    return _core.matmul(_permutation_matrix(perm, n, lower_upper.dtype), product, transpose_a=True)


def lu_matrix_inverse(lower_upper, perm, validate_args=False, name=None):  # type: ignore[no-untyped-def]
    """The inverse of ``A`` from ``lu(A)``'s factors (TF's ``lu_matrix_inverse``)."""
    lower_upper = convert_to_tensor(lower_upper)
    n = int(lower_upper.shape[-1])
    batch = tuple(lower_upper.shape)[:-2]
    eye = _core.eye(n, batch_shape=list(batch) or None, dtype=lower_upper.dtype)
    return lu_solve(lower_upper, perm, eye)


def cholesky_solve(chol, rhs, name=None):  # type: ignore[no-untyped-def]
    """``X`` with ``A X = rhs`` given ``chol = cholesky(A)`` (TF's ``cholesky_solve``)."""
    y = _core.matrix_triangular_solve(chol, rhs, lower=True, adjoint=False)
    return _core.matrix_triangular_solve(chol, y, lower=True, adjoint=True)


def _regularized_gramian_cholesky(matrix: Tensor, l2_regularizer: Any, first_kind: bool) -> Tensor:
    """TF's ``_RegularizedGramianCholesky``: ``cholesky(AᵀA + λI)`` (``AAᵀ + λI`` otherwise)."""
    gramian = _core.matmul(matrix, matrix, adjoint_a=first_kind, adjoint_b=not first_kind)
    if isinstance(l2_regularizer, Tensor) or l2_regularizer != 0:
        small = int(matrix.shape[-1] if first_kind else matrix.shape[-2])
        eye = _core.eye(small, dtype=matrix.dtype)
        gramian = gramian + _core.cast(l2_regularizer, matrix.dtype) * eye
    return _core.cholesky(gramian)


def lstsq(matrix, rhs, l2_regularizer=0.0, fast=True, name=None):  # type: ignore[no-untyped-def]
    """Least-squares solutions of ``matrix @ X ≈ rhs`` (TF's ``lstsq``/``matrix_solve_ls``).

    ``fast=True`` solves the (``l2_regularizer``-regularised) normal equations by
    Cholesky, as TF's composite does, and is differentiable. ``fast=False`` gives
    the minimum-norm solution through the SVD (TF's complete orthogonal
    decomposition gives the same) and, as in TF, has no gradient.
    """
    a = convert_to_tensor(matrix)
    b = convert_to_tensor(rhs, dtype=a.dtype)
    if len(a.shape) < 2 or len(b.shape) < 2:
        raise ValueError(
            f"lstsq: matrix and rhs must have rank >= 2; got shapes {tuple(a.shape)} and {tuple(b.shape)}"
        )
    if int(a.shape[-2]) != int(b.shape[-2]):
        raise ValueError(
            f"lstsq: matrix and rhs must have the same number of rows; got shapes "
            f"{tuple(a.shape)} and {tuple(b.shape)}"
        )
    m, n = int(a.shape[-2]), int(a.shape[-1])
    if fast:
        if m >= n:
            chol = _regularized_gramian_cholesky(a, l2_regularizer, first_kind=True)
            return cholesky_solve(chol, _core.matmul(a, b, adjoint_a=True))
        chol = _regularized_gramian_cholesky(a, l2_regularizer, first_kind=False)
        return _core.matmul(a, cholesky_solve(chol, b), adjoint_a=True)
    s, u, v = _core.svd(_core.stop_gradient(a), full_matrices=False, compute_uv=True)
    eps = np.finfo(a.dtype.as_numpy_dtype).eps
    cutoff = eps * max(m, n) * _core.reduce_max(s, axis=-1, keepdims=True) if min(m, n) else s
    s = _core.where(s > cutoff, s, np.array(np.inf, a.dtype.as_numpy_dtype))
    x = _core.matmul(v / _core.expand_dims(s, -2), _core.matmul(u, _core.stop_gradient(b), adjoint_a=True))
    return _without_gradient([a, b], x, ValueError, "Gradient not defined for fast=False")


def pinv(a, rcond=None, validate_args=False, name=None):  # type: ignore[no-untyped-def]
    """The Moore-Penrose pseudo-inverse through the SVD, TF's ``pinv`` step for step.

    Singular values at most ``rcond · max(s)`` (default ``10 · max(m, n) · eps``) count as zero.
    """
    a = convert_to_tensor(a)
    if not a.dtype.is_floating:
        raise TypeError(f"pinv: input must have a float dtype; got {a.dtype.name}")
    dtype = a.dtype.as_numpy_dtype
    if rcond is None:
        rcond = 10.0 * max(int(a.shape[-2]), int(a.shape[-1])) * np.finfo(dtype).eps
    rcond = _core.cast(rcond, a.dtype)
    s, u, v = _core.svd(a, full_matrices=False, compute_uv=True)
    cutoff = rcond * _core.reduce_max(s, axis=-1)
    s = _core.where(s > _core.expand_dims(cutoff, -1), s, np.array(np.inf, dtype))
    return _core.matmul(v / _core.expand_dims(s, -2), u, adjoint_b=True)


def matrix_rank(a, tol=None, validate_args=False, name=None):  # type: ignore[no-untyped-def]
    """The number of singular values above ``tol`` (default ``eps · max(m, n) · max(s)``), int32."""
    a = convert_to_tensor(a)
    s = _core.svd(a, compute_uv=False)
    if tol is None:
        eps = np.finfo(a.dtype.as_numpy_dtype).eps
        m = max(int(a.shape[-2]), int(a.shape[-1]))
        tol = eps * float(m) * _core.reduce_max(s, axis=-1, keepdims=True)
    return _core.reduce_sum(_core.cast(s > tol, _core.int32), axis=-1)


def expm(input, name=None):  # type: ignore[no-untyped-def]
    """The matrix exponential by scaling and squaring with Padé approximants (TF's ``expm``)."""
    return _core.matrix_exponential(input)

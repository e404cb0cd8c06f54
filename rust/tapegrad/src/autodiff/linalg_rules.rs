//! Gradient rules of the `tf.linalg` primitives ([`LinalgOp`]), TF's
//! `linalg_grad.py` transcribed. Like every rule, they are written with the
//! public differentiable ops (the linalg ops themselves, matmul with transposes,
//! mul, expand_dims), so a recorded backward pass gives exact second derivatives.
//! Masks (`tril`, the Cholesky diagonal weights) and the identity are constants.

use smallvec::smallvec;

use crate::autodiff::rules::InputGrads;
use crate::ops::{self, LinalgOp, matrix_constant};
use crate::{Result, Tensor};

/// `[...]` → `[..., 1, 1]`: a per-matrix scalar broadcast over its matrix.
fn per_matrix(t: &Tensor) -> Result<Tensor> {
    ops::expand_dims(&ops::expand_dims(t, -1)?, -1)
}

/// `x` with its last two dims swapped.
fn transpose_last2(x: &Tensor) -> Result<Tensor> {
    let r = x.rank();
    let mut perm: Vec<usize> = (0..r).collect();
    perm.swap(r - 2, r - 1);
    ops::transpose(x, Some(&perm))
}

/// `X = op(A)⁻¹ B`, `A` at `xs[0]`, `X` the output `c`, for a `solve` that is
/// either general or triangular:
/// `gB = op(A)⁻ᵀ g` (the same solve with `!adjoint`), and `gA = −gB Xᵀ`
/// (`−X gBᵀ` with `adjoint`). A triangular `A` keeps its triangle of `gA` only.
fn solve_vjp(
    a: &Tensor,
    c: &Tensor,
    g: &Tensor,
    adjoint: bool,
    triangle: Option<bool>,
    need_a: bool,
) -> Result<InputGrads> {
    let gb = match triangle {
        None => ops::matrix_solve(a, g, !adjoint)?,
        Some(lower) => ops::matrix_triangular_solve(a, g, lower, !adjoint)?,
    };
    let ga = if need_a {
        let p = if adjoint { ops::matmul(c, &gb, false, true)? } else { ops::matmul(&gb, c, false, true)? };
        let ga = ops::neg(&p)?;
        Some(match triangle {
            None => ga,
            Some(lower) => {
                let n = a.shape()[a.rank() - 1];
                let band = matrix_constant(n, a.dtype(), |i, j| {
                    f64::from(u8::from(if lower { i >= j } else { i <= j }))
                })?;
                ops::mul(&ga, &band)?
            }
        })
    } else {
        None
    };
    Ok(smallvec![ga, Some(gb)])
}

/// Gradients of one linalg node's inputs `xs` from `g`, the gradient of its output `y`.
pub(crate) fn vjp(
    op: LinalgOp,
    xs: &[Tensor],
    y: &Tensor,
    g: &Tensor,
    need: impl Fn(usize) -> bool,
) -> Result<InputGrads> {
    let a = &xs[0];
    Ok(match op {
        LinalgOp::Solve { adjoint } => solve_vjp(a, y, g, adjoint, None, need(0))?,
        LinalgOp::TriangularSolve { lower, adjoint } => solve_vjp(a, y, g, adjoint, Some(lower), need(0))?,
        // Y = A⁻¹: gA = −Yᵀ g Yᵀ; Y = A⁻ᵀ: gA = −Y gᵀ Y (TF's `_MatrixInverseGrad`)
        LinalgOp::Inverse { adjoint } => {
            let inner = ops::matmul(g, y, adjoint, !adjoint)?;
            smallvec![Some(ops::neg(&ops::matmul(y, &inner, !adjoint, false)?)?)]
        }
        // d det A = det A · A⁻ᵀ
        LinalgOp::Determinant => {
            let m = per_matrix(&ops::mul(g, y)?)?;
            smallvec![Some(ops::mul(&m, &ops::matrix_inverse(a, true)?)?)]
        }
        // d log|det A| = A⁻ᵀ
        LinalgOp::LogAbsDeterminant => {
            smallvec![Some(ops::mul(&per_matrix(g)?, &ops::matrix_inverse(a, true)?)?)]
        }
        // the sign is piecewise constant: TF hands back zeros
        LinalgOp::SignDeterminant => smallvec![Some(ops::zeros_like(a))],
        // TF's `_CholeskyGrad`: L⁻ᵀ Φ(Lᵀ g) L⁻¹, symmetrised, with Φ taking the
        // lower triangle and halving the diagonal
        LinalgOp::Cholesky => {
            let l = y;
            let n = l.shape()[l.rank() - 1];
            let eye = crate::kernels::broadcast_to(
                &matrix_constant(n, l.dtype(), |i, j| f64::from(u8::from(i == j)))?,
                l.shape(),
            )?;
            let l_inv = ops::matrix_triangular_solve(l, &eye, true, false)?;
            let phi = matrix_constant(n, l.dtype(), |i, j| match i.cmp(&j) {
                std::cmp::Ordering::Greater => 1.0,
                std::cmp::Ordering::Equal => 0.5,
                std::cmp::Ordering::Less => 0.0,
            })?;
            let middle = ops::mul(&ops::matmul(l, g, true, false)?, &phi)?;
            let ga = ops::matmul(&ops::matmul(&l_inv, &middle, true, false)?, &l_inv, false, false)?;
            let sym = ops::add(&ga, &transpose_last2(&ga)?)?;
            smallvec![Some(ops::mul(&sym, &ops::scalar(0.5, l.dtype()))?)]
        }
        LinalgOp::Eigh { .. } | LinalgOp::Svd { .. } | LinalgOp::Qr { .. } => {
            crate::autodiff::decomp_rules::vjp(op, xs, y, g)?
        }
    })
}

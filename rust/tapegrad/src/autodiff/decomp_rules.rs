//! Gradient rules of the matrix decompositions (`eigh`, `svd`, `qr`), TF's
//! `_SelfAdjointEigV2Grad`, `_SvdGrad` and `_QrGrad` (linalg_grad.py)
//! transcribed with differentiable ops, so a recorded backward pass gives
//! second derivatives.
//!
//! The node's output is the packed tensor of every output (see
//! `ops::decompositions`); the rule unpacks it and its gradient into the
//! outputs and their gradients. Like TF, the rules divide by differences of
//! eigenvalues (squared singular values) through `_SafeReciprocal`,
//! `x / (x² + 1e-20)`: for exactly equal ones that term is 0, not inf, and
//! nearly equal ones give huge gradients, as in TF.

use smallvec::smallvec;

use crate::autodiff::rules::InputGrads;
use crate::ops::{self, LinalgOp, packed_parts, unpack};
use crate::{Error, Result, Tensor};

/// `x` with its last two dims swapped.
fn mt(x: &Tensor) -> Result<Tensor> {
    let r = x.rank();
    let mut perm: Vec<usize> = (0..r).collect();
    perm.swap(r - 2, r - 1);
    ops::transpose(x, Some(&perm))
}

/// `a @ b`.
fn mm(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    ops::matmul(a, b, false, false)
}

/// TF's `_SafeReciprocal`: `x / (x² + 1e-20)`.
fn safe_reciprocal(x: &Tensor) -> Result<Tensor> {
    let eps = ops::scalar(1e-20, x.dtype());
    ops::div(x, &ops::add(&ops::mul(x, x)?, &eps)?)
}

/// `f[i][j] = 1 / (d[j] − d[i])` off the diagonal (safely), 0 on it.
fn inverse_gaps(d: &Tensor) -> Result<Tensor> {
    let gaps = ops::sub(&ops::expand_dims(d, -2)?, &ops::expand_dims(d, -1)?)?;
    ops::matrix_set_diag(&safe_reciprocal(&gaps)?, &ops::zeros_like(d))
}

/// `x[..., :, start..start+len]`.
fn cols(x: &Tensor, start: usize, len: usize) -> Result<Tensor> {
    ops::slice_axis(x, x.rank() - 1, start, len)
}

/// The forward op reads only the lower triangle: fold `g` onto it
/// (`tril(g + gᵀ)` with the diagonal halved back).
fn onto_lower_triangle(g: &Tensor) -> Result<Tensor> {
    let folded = ops::matrix_band_part(&ops::add(g, &mt(g)?)?, -1, 0)?;
    let half = ops::mul(&ops::matrix_diag_part_rect(&folded)?, &ops::scalar(0.5, g.dtype()))?;
    ops::matrix_set_diag(&folded, &half)
}

/// `_SelfAdjointEigV2Grad`: `gA = v (diag(ge) + f ∘ (vᵀ gv)) vᵀ`, folded onto
/// the lower triangle. Without eigenvectors (`eigvalsh`) they are recomputed.
fn eigh_vjp(a: &Tensor, y: &Tensor, g: &Tensor, compute_v: bool) -> Result<Tensor> {
    let n = a.shape()[a.rank() - 1];
    let ga = if compute_v {
        let parts = packed_parts(LinalgOp::Eigh { compute_v }, n, n);
        let (ev, gs) = (unpack(y, &parts)?, unpack(g, &parts)?);
        let (e, v, ge, gv) = (&ev[0], &ev[1], &gs[0], &gs[1]);
        let f = inverse_gaps(e)?;
        let inner = ops::add(&ops::matrix_diag(ge)?, &ops::mul(&f, &ops::matmul(v, gv, true, false)?)?)?;
        mm(v, &ops::matmul(&inner, v, false, true)?)?
    } else {
        let (_, v) = ops::self_adjoint_eig(a)?;
        mm(&v, &ops::matmul(&ops::matrix_diag(g)?, &v, false, true)?)?
    };
    onto_lower_triangle(&ga)
}

/// `_SvdGrad` (Giles 2008; Townsend's note for the thin case).
fn svd_vjp(a: &Tensor, y: &Tensor, g: &Tensor, full_matrices: bool, compute_uv: bool) -> Result<Tensor> {
    let r = a.rank();
    let (m0, n0) = (a.shape()[r - 2], a.shape()[r - 1]);
    if !compute_uv {
        let (_, uv) = ops::svd(a, false, true)?;
        let (u, v) = uv.ok_or_else(|| Error::arg("Svd", "internal: svd without u, v"))?;
        return mm(&u, &ops::matmul(&ops::matrix_diag(g)?, &v, false, true)?);
    }
    let parts = packed_parts(LinalgOp::Svd { full_matrices, compute_uv }, m0, n0);
    let (outs, grads) = (unpack(y, &parts)?, unpack(g, &parts)?);
    let (s, mut u, mut v) = (&outs[0], &outs[1], &outs[2]);
    let (gs, mut gu, mut gv) = (&grads[0], &grads[1], &grads[2]);
    // For m > n, differentiate aᵀ = v sᵀ uᵀ and transpose at the end.
    let use_adjoint = m0 > n0;
    let (m, n) = if use_adjoint { (n0, m0) } else { (m0, n0) };
    if use_adjoint {
        std::mem::swap(&mut u, &mut v);
        std::mem::swap(&mut gu, &mut gv);
    }
    if full_matrices && n - m > 1 {
        return Err(Error::arg(
            "Svd",
            format!(
                "svd gradient is not implemented for abs(m - n) > 1 when full_matrices is True. \
                 Received: m={m} and n={n} from an input of shape {:?}",
                a.shape()
            ),
        ));
    }
    let s_mat = ops::matrix_diag(s)?;
    let f = inverse_gaps(&ops::mul(s, s)?)?;
    let v1 = cols(v, 0, m)?;
    let gv1 = cols(gv, 0, m)?;
    let f_u = ops::mul(&f, &ops::matmul(u, gu, true, false)?)?;
    let f_v = ops::mul(&f, &ops::matmul(&v1, &gv1, true, false)?)?;
    let term1_nouv = ops::add(
        &ops::add(&ops::matrix_diag(gs)?, &mm(&ops::add(&f_u, &mt(&f_u)?)?, &s_mat)?)?,
        &mm(&s_mat, &ops::add(&f_v, &mt(&f_v)?)?)?,
    )?;
    let term1 = mm(u, &ops::matmul(&term1_nouv, &v1, false, true)?)?;
    let ga = if m == n {
        term1
    } else {
        let gv1t = mt(&gv1)?;
        let mut term2_nous = ops::sub(&gv1t, &ops::matmul(&mm(&gv1t, &v1)?, &v1, false, true)?)?;
        if full_matrices {
            let v2 = cols(v, m, n - m)?;
            let gv2 = cols(gv, m, n - m)?;
            let v1t_gv2 = ops::matmul(&v1, &gv2, true, false)?;
            term2_nous = ops::sub(&term2_nous, &ops::matmul(&v1t_gv2, &v2, false, true)?)?;
        }
        let u_s_inv = mm(u, &ops::matrix_diag(&safe_reciprocal(s)?)?)?;
        ops::add(&term1, &mm(&u_s_inv, &term2_nous)?)?
    };
    if use_adjoint { mt(&ga) } else { Ok(ga) }
}

/// `x R⁻ᵀ` for an upper-triangular `R`, by one triangular solve.
fn times_inv_rt(x: &Tensor, r: &Tensor) -> Result<Tensor> {
    mt(&ops::matrix_triangular_solve(r, &mt(x)?, false, false)?)
}

/// `_QrGradSquareAndDeepMatrices` (m ≥ n, thin): Roberts & Roberts' algorithm.
fn qr_square_deep(q: &Tensor, r: &Tensor, dq: &Tensor, dr: &Tensor) -> Result<Tensor> {
    let qdq = ops::matmul(q, dq, true, false)?;
    let qdq_ = ops::sub(&qdq, &mt(&qdq)?)?;
    let rdr = ops::matmul(r, dr, false, true)?;
    let rdr_ = ops::sub(&rdr, &mt(&rdr)?)?;
    let tril = ops::matrix_band_part(&ops::add(&qdq_, &rdr_)?, -1, 0)?;
    let grad_a = mm(q, &ops::add(dr, &times_inv_rt(&tril, r)?)?)?;
    let grad_b = times_inv_rt(&ops::sub(dq, &mm(q, &qdq)?)?, r)?;
    ops::add(&grad_a, &grad_b)
}

/// `_QrGrad`: the deep/square formula; a wide `a = [x, y]` reduces to it.
fn qr_vjp(a: &Tensor, y: &Tensor, g: &Tensor, full_matrices: bool) -> Result<Tensor> {
    let rank = a.rank();
    let (m, n) = (a.shape()[rank - 2], a.shape()[rank - 1]);
    if full_matrices && m > n {
        return Err(Error::arg(
            "Qr",
            format!(
                "QrGrad not implemented when nrows > ncols and full_matrices is true. Received input shape {:?}",
                a.shape()
            ),
        ));
    }
    let parts = packed_parts(LinalgOp::Qr { full_matrices }, m, n);
    let (outs, grads) = (unpack(y, &parts)?, unpack(g, &parts)?);
    let (q, r, dq, dr) = (&outs[0], &outs[1], &grads[0], &grads[1]);
    if m >= n {
        return qr_square_deep(q, r, dq, dr);
    }
    let ya = cols(a, m, n - m)?;
    let u = cols(r, 0, m)?;
    let dv = cols(dr, m, n - m)?;
    let du = cols(dr, 0, m)?;
    let dy = mm(q, &dv)?;
    let dx = qr_square_deep(q, &u, &ops::add(dq, &ops::matmul(&ya, &dv, false, true)?)?, &du)?;
    ops::concat(&[dx, dy], -1)
}

/// Gradients of a decomposition node's input `xs[0]` from the packed output `y`
/// and its gradient `g`.
pub(crate) fn vjp(op: LinalgOp, xs: &[Tensor], y: &Tensor, g: &Tensor) -> Result<InputGrads> {
    let a = &xs[0];
    let ga = match op {
        LinalgOp::Eigh { compute_v } => eigh_vjp(a, y, g, compute_v)?,
        LinalgOp::Svd { full_matrices, compute_uv } => svd_vjp(a, y, g, full_matrices, compute_uv)?,
        LinalgOp::Qr { full_matrices } => qr_vjp(a, y, g, full_matrices)?,
        other => return Err(Error::arg(other.name(), "internal: not a decomposition")),
    };
    Ok(smallvec![Some(ga)])
}

//! Dense factorisations of `[..., m, n]` batches through the `faer` crate:
//! the self-adjoint eigendecomposition (TF's `SelfAdjointEigV2`), the singular
//! value decomposition (`Svd`) and the Householder QR (`Qr`).
//!
//! Each matrix of a batch is copied into a `faer::Mat`, factored on its own
//! (faer runs sequentially here; batches go parallel through
//! [`for_each_chunk_weighted`] when the work is large), and its factors are
//! written back row-major into one *packed* row per matrix: the factors' values
//! one after another (see [`Packed`]). The ops layer records one tape node for
//! that packed tensor and splits it into the outputs, so a decomposition with
//! several outputs stays a one-output node of the tape.
//!
//! Shapes faer asserts on (empty matrices) are handled here before faer sees
//! them. A factorisation that does not converge (NaN or inf input) gives NaNs,
//! as TF's CPU kernels hand back without raising.
//!
//! LU, Cholesky and the triangular solves stay hand-written in `kernels::lu`:
//! they reproduce Eigen's `PartialPivLU` pivot order and TF's conventions for
//! singular, non-positive-definite and zero-diagonal inputs exactly, which
//! `tf.linalg.lu`'s `(lu, p)` output and the singular-matrix errors depend on.

use std::sync::atomic::{AtomicBool, Ordering};

use faer::traits::RealField;
use faer::{Mat, MatRef, Side};

use crate::kernels::math::Float;
use crate::kernels::parallel::for_each_chunk_weighted;
use crate::shape::Shape;
use crate::{Buffer, Error, Result, Tensor};

/// A float type both faer and our kernels compute with (f32, f64).
trait Real: Float + RealField + Copy + Send + Sync {}
impl Real for f32 {}
impl Real for f64 {}

/// Where each output of a decomposition lives in the packed row of one matrix.
#[derive(Clone, Debug)]
pub(crate) struct Packed {
    /// The packed tensor `[..., total]`, `total` the sum of the parts' sizes.
    pub tensor: Tensor,
    /// The per-matrix shape of each output, in packing order.
    pub parts: Vec<Vec<usize>>,
}

/// `(batch shape, batch count, m, n)` of a `[..., m, n]` input, or TF's error.
pub(crate) fn matrix_dims(op: &'static str, a: &Tensor) -> Result<(Shape, usize, usize, usize)> {
    let r = a.rank();
    if r < 2 {
        return Err(Error::shape(
            op,
            format!("Input tensor 0 must have rank >= 2, got {r} (shape {:?})", a.shape()),
        ));
    }
    if !a.dtype().is_float() {
        return Err(Error::UnsupportedDType {
            op,
            dtype: a.dtype(),
            hint: "it needs float32 or float64 matrices; cast them first",
        });
    }
    let batch_shape = Shape::from_slice(&a.shape()[..r - 2]);
    let batch = batch_shape.iter().product();
    Ok((batch_shape, batch, a.shape()[r - 2], a.shape()[r - 1]))
}

fn nan<T: Real>() -> T {
    Float::div(T::ZERO, T::ZERO)
}

/// The row-major `m x n` matrix `a` as a faer matrix.
fn load<T: Real>(a: &[T], m: usize, n: usize) -> Mat<T> {
    Mat::from_fn(m, n, |i, j| a[i * n + j])
}

/// Writes `src` row-major into `out` (exactly `rows * cols` long).
fn store<T: Real>(src: MatRef<'_, T>, out: &mut [T]) {
    let cols = src.ncols();
    for (i, row) in out.chunks_mut(cols.max(1)).enumerate().take(src.nrows()) {
        for (j, v) in row.iter_mut().enumerate() {
            *v = src[(i, j)];
        }
    }
}

/// Writes the identity (or its leading `cols` columns) row-major into `out`.
fn store_identity<T: Real>(cols: usize, out: &mut [T]) {
    for (p, v) in out.iter_mut().enumerate() {
        *v = if p / cols.max(1) == p % cols.max(1) { T::ONE } else { T::ZERO };
    }
}

/// Runs `f(matrix, packed_row)` for each of `batch` matrices of `per_in`
/// values, each writing `per_out` values; parallel when the work is large.
/// Returns the rows and whether every call succeeded (returned true).
fn per_matrix<T: Real>(
    a: &[T],
    batch: usize,
    per_in: usize,
    per_out: usize,
    work: usize,
    f: impl Fn(&[T], &mut [T]) -> bool + Sync + Send,
) -> (Vec<T>, bool) {
    let mut out = vec![T::ZERO; batch * per_out];
    if per_out == 0 {
        return (out, true);
    }
    let ok = AtomicBool::new(true);
    let mut items: Vec<(usize, &mut [T])> = out.chunks_mut(per_out).enumerate().collect();
    for_each_chunk_weighted(&mut items, work.max(1), |_, chunk| {
        for (b, o) in chunk.iter_mut() {
            if !f(&a[*b * per_in..(*b + 1) * per_in], o) {
                ok.store(false, Ordering::Relaxed);
            }
        }
    });
    (out, ok.into_inner())
}

/// Applies `typed` to `a`'s f32 or f64 data and builds the packed tensor.
/// A matrix for which a call returned false is `failed`'s error.
fn packed(
    op: &'static str,
    a: &Tensor,
    batch_shape: &Shape,
    parts: Vec<Vec<usize>>,
    failed: &'static str,
    f32_fn: impl Fn(&[f32]) -> (Vec<f32>, bool),
    f64_fn: impl Fn(&[f64]) -> (Vec<f64>, bool),
) -> Result<Packed> {
    let total: usize = parts.iter().map(|p| p.iter().product::<usize>()).sum();
    let (buf, ok) = match a.buffer() {
        Buffer::F32(v) => {
            let (o, ok) = f32_fn(v);
            (Buffer::F32(o), ok)
        }
        Buffer::F64(v) => {
            let (o, ok) = f64_fn(v);
            (Buffer::F64(o), ok)
        }
        _ => {
            return Err(Error::UnsupportedDType {
                op,
                dtype: a.dtype(),
                hint: "it needs float32 or float64 matrices; cast them first",
            });
        }
    };
    if !ok {
        return Err(Error::arg(op, failed));
    }
    let mut shape = batch_shape.clone();
    shape.push(total);
    Ok(Packed { tensor: Tensor::new_unchecked(buf, shape), parts })
}

fn square(op: &'static str, a: &Tensor) -> Result<(Shape, usize, usize)> {
    let (batch_shape, batch, m, n) = matrix_dims(op, a)?;
    if m != n {
        return Err(Error::shape(op, format!("Input matrix must be square; got shape {:?}", a.shape())));
    }
    Ok((batch_shape, batch, n))
}

/// Eigenvalues (ascending) and, with `compute_v`, eigenvectors (columns) of
/// each matrix of `a: [..., n, n]`, read from its lower triangle: packed as
/// `[e (n), v (n x n)]` per matrix. A decomposition that fails (NaN input) is
/// TF's `InvalidArgumentError`.
pub(crate) fn eigh(a: &Tensor, compute_v: bool) -> Result<Packed> {
    const OP: &str = "SelfAdjointEigV2";
    const FAILED: &str = "Self-adjoint eigen decomposition was not successful. The input might not be valid.";
    let (batch_shape, batch, n) = square(OP, a)?;
    let mut parts = vec![vec![n]];
    if compute_v {
        parts.push(vec![n, n]);
    }
    fn typed<T: Real>(a: &[T], batch: usize, n: usize, compute_v: bool) -> (Vec<T>, bool) {
        let per_out = if compute_v { n + n * n } else { n };
        per_matrix(a, batch, n * n, per_out, 10 * n * n * n, |x, o| {
            if x.iter().any(|&v| !Float::is_finite(v)) {
                return false;
            }
            let m = load(x, n, n);
            if !compute_v {
                return match m.self_adjoint_eigenvalues(Side::Lower) {
                    Ok(s) if s.len() == n => {
                        o.copy_from_slice(&s);
                        true
                    }
                    _ => false,
                };
            }
            match m.self_adjoint_eigen(Side::Lower) {
                Ok(evd) => {
                    let s = evd.S().column_vector();
                    for (i, v) in o[..n].iter_mut().enumerate() {
                        *v = s[i];
                    }
                    store(evd.U(), &mut o[n..]);
                    true
                }
                Err(_) => false,
            }
        })
    }
    packed(
        OP,
        a,
        &batch_shape,
        parts,
        FAILED,
        |v| typed(v, batch, n, compute_v),
        |v| typed(v, batch, n, compute_v),
    )
}

/// Singular values (descending) of each matrix of `a: [..., m, n]` and, with
/// `compute_uv`, `u` and `v` (`a = u diag(s) vᵀ`; `[m, m]` and `[n, n]` with
/// `full_matrices`, else `[m, p]` and `[n, p]`, `p = min(m, n)`): packed as
/// `[s, u, v]`. A decomposition that does not converge gives NaNs (as TF).
pub(crate) fn svd(a: &Tensor, full_matrices: bool, compute_uv: bool) -> Result<Packed> {
    const OP: &str = "Svd";
    let (batch_shape, batch, m, n) = matrix_dims(OP, a)?;
    let p = m.min(n);
    let (ku, kv) = if full_matrices { (m, n) } else { (p, p) };
    let mut parts = vec![vec![p]];
    if compute_uv {
        parts.push(vec![m, ku]);
        parts.push(vec![n, kv]);
    }
    fn typed<T: Real>(a: &[T], batch: usize, dims: [usize; 4], full: bool, uv: bool) -> (Vec<T>, bool) {
        let [m, n, ku, kv] = dims;
        let p = m.min(n);
        let per_out = if uv { p + m * ku + n * kv } else { p };
        let work = 20 * m.max(n) * m.max(n) * p.max(1);
        per_matrix(a, batch, m * n, per_out, work, |x, o| {
            let (s_out, rest) = o.split_at_mut(p);
            let (u_out, v_out) = rest.split_at_mut(if uv { m * ku } else { 0 });
            if p == 0 {
                // No singular values; the full bases of an empty matrix are identities.
                store_identity(ku, u_out);
                store_identity(kv, v_out);
                return true;
            }
            if x.iter().any(|&v| !Float::is_finite(v)) {
                o.fill(nan());
                return true;
            }
            let mat = load(x, m, n);
            if !uv {
                match mat.singular_values() {
                    Ok(s) if s.len() == p => s_out.copy_from_slice(&s),
                    _ => s_out.fill(nan()),
                }
                return true;
            }
            match if full { mat.svd() } else { mat.thin_svd() } {
                Ok(d) => {
                    let s = d.S().column_vector();
                    for (i, v) in s_out.iter_mut().enumerate() {
                        *v = s[i];
                    }
                    store(d.U(), u_out);
                    store(d.V(), v_out);
                }
                Err(_) => o.fill(nan()),
            }
            true
        })
    }
    let dims = [m, n, ku, kv];
    packed(
        OP,
        a,
        &batch_shape,
        parts,
        "SVD did not converge",
        |v| typed(v, batch, dims, full_matrices, compute_uv),
        |v| typed(v, batch, dims, full_matrices, compute_uv),
    )
}

/// Householder QR of each matrix of `a: [..., m, n]`: `q` orthonormal columns
/// and `r` upper triangular, `[m, m]`/`[m, n]` with `full_matrices`, else
/// `[m, k]`/`[k, n]` (`k = min(m, n)`): packed as `[q, r]`.
pub(crate) fn qr(a: &Tensor, full_matrices: bool) -> Result<Packed> {
    const OP: &str = "Qr";
    let (batch_shape, batch, m, n) = matrix_dims(OP, a)?;
    let k = m.min(n);
    let (kq, kr) = if full_matrices { (m, m) } else { (k, k) };
    let parts = vec![vec![m, kq], vec![kr, n]];
    fn typed<T: Real>(a: &[T], batch: usize, dims: [usize; 4], full: bool) -> (Vec<T>, bool) {
        let [m, n, kq, kr] = dims;
        let work = 4 * m * n * m.min(n).max(1);
        per_matrix(a, batch, m * n, m * kq + kr * n, work, |x, o| {
            let (q_out, r_out) = o.split_at_mut(m * kq);
            if m == 0 || n == 0 {
                store_identity(kq, q_out);
                return true;
            }
            let qr = load(x, m, n).qr();
            if full {
                store(qr.compute_Q().as_ref(), q_out);
                store(qr.R(), r_out);
            } else {
                store(qr.compute_thin_Q().as_ref(), q_out);
                store(qr.thin_R(), r_out);
            }
            true
        })
    }
    let dims = [m, n, kq, kr];
    packed(
        OP,
        a,
        &batch_shape,
        parts,
        "QR failed",
        |v| typed(v, batch, dims, full_matrices),
        |v| typed(v, batch, dims, full_matrices),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t64(v: &[f64], shape: &[usize]) -> Tensor {
        Tensor::from_vec(v.to_vec(), shape).unwrap()
    }

    #[test]
    fn eigh_of_a_known_matrix() {
        // [[2, 1], [1, 2]]: eigenvalues 1 and 3; the upper triangle is not read.
        let p = eigh(&t64(&[2.0, 100.0, 1.0, 2.0], &[2, 2]), true).unwrap();
        let v = p.tensor.as_slice::<f64>().unwrap();
        assert!((v[0] - 1.0).abs() < 1e-12 && (v[1] - 3.0).abs() < 1e-12, "{v:?}");
        assert!((v[2].abs() - 0.5f64.sqrt()).abs() < 1e-12);
        assert_eq!(p.parts, vec![vec![2], vec![2, 2]]);
    }

    #[test]
    fn svd_and_qr_shapes() {
        let a = t64(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[3, 2]);
        let s = svd(&a, false, true).unwrap();
        assert_eq!(s.parts, vec![vec![2], vec![3, 2], vec![2, 2]]);
        assert_eq!(s.tensor.shape(), &[2 + 6 + 4]);
        let f = svd(&a, true, true).unwrap();
        assert_eq!(f.parts, vec![vec![2], vec![3, 3], vec![2, 2]]);
        let q = qr(&a, false).unwrap();
        assert_eq!(q.parts, vec![vec![3, 2], vec![2, 2]]);
        let r = &q.tensor.as_slice::<f64>().unwrap()[6..];
        assert_eq!(r[2], 0.0);
        let e = svd(&t64(&[], &[0, 3]), true, true).unwrap();
        assert_eq!(e.tensor.as_slice::<f64>().unwrap(), &[1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0]);
        assert!(matches!(qr(&t64(&[1.0], &[1]), false), Err(Error::InvalidShape { .. })));
    }
}

//! Dense square-matrix kernels on `[..., n, n]` batches: LU with partial
//! pivoting (solve, inverse, determinant, log-determinant), Cholesky, and
//! triangular solves.
//!
//! Each matrix of a batch is factored independently in a scratch copy
//! (row-major, as every tensor is), the way Eigen's `PartialPivLU` (TF's CPU
//! kernels) does: at step `j` the row with the largest `|a[i][j]|`, `i >= j`,
//! becomes the pivot. A matrix is singular for solve/inverse only when a pivot
//! is exactly zero (TF's test `min |u_ii| > 0`). The determinant is
//! `sign · exp(Σ ln|u_ii|)`, as TF's `MatrixDeterminant` computes it.
//!
//! Right-hand sides are updated a whole row (`k` values) at a time, so the
//! inner loops are contiguous. Batches go parallel through
//! [`for_each_chunk_weighted`] only when the total work is large; each matrix
//! is computed the same way either way, so results do not depend on threads.
//!
//! Why hand-written rather than `faer` (which `kernels::decomp` uses for QR,
//! SVD and eigh): these kernels must reproduce Eigen's `PartialPivLU` pivot
//! order (first maximum on ties), so `tf.linalg.lu`'s `(lu, p)` are TF's, and
//! TF's conventions for exact-zero pivots (solve/inverse/lu raise, det is 0,
//! slogdet is `(0, -inf)`), non-positive-definite Cholesky inputs (NaNs, no
//! error) and zero diagonals in triangular solves (inf/NaN, no error). At the
//! sizes tape code uses (n ≤ a few hundred), the unblocked loops are not the
//! bottleneck.

use std::sync::atomic::{AtomicBool, Ordering};

use crate::kernels::math::Float;
use crate::kernels::parallel::for_each_chunk_weighted;
use crate::shape::Shape;
use crate::{Buffer, DType, Error, Result, Tensor};

/// Message of TF's `MatrixSolve` for a singular input.
pub(crate) const SOLVE_SINGULAR: &str = "Input matrix is not invertible.";
/// Message of TF's `MatrixInverse` for a singular input.
pub(crate) const INVERSE_SINGULAR: &str = "Input is not invertible.";

/// In-place LU of the row-major `n x n` matrix `a` with partial pivoting:
/// afterwards `a` holds `U` on and above the diagonal and the unit-lower `L`
/// below it, and `P A = L U` where row `i` of `P A` is row `perm[i]` of `A`.
/// Returns the permutation's sign (±1). Zero pivots are left in place (the
/// column below them is already zero); callers test the diagonal.
fn lu_in_place<T: Float>(a: &mut [T], n: usize, perm: &mut [usize]) -> T {
    let mut sign = T::ONE;
    for (i, p) in perm.iter_mut().enumerate() {
        *p = i;
    }
    for j in 0..n {
        // Pivot: the largest |a[i][j]| at or below the diagonal (first on ties, as Eigen).
        let mut p = j;
        let mut best = a[j * n + j].abs();
        for i in j + 1..n {
            let v = a[i * n + j].abs();
            if v > best {
                best = v;
                p = i;
            }
        }
        if p != j {
            for c in 0..n {
                a.swap(j * n + c, p * n + c);
            }
            perm.swap(j, p);
            sign = T::ZERO.sub(sign);
        }
        let pivot = a[j * n + j];
        if pivot == T::ZERO {
            continue;
        }
        let (top, rest) = a.split_at_mut((j + 1) * n);
        let urow = &top[j * n + j + 1..j * n + n];
        for row in rest.chunks_mut(n) {
            let l = row[j].div(pivot);
            row[j] = l;
            if l != T::ZERO {
                for (x, &u) in row[j + 1..].iter_mut().zip(urow) {
                    *x = x.sub(l.mul(u));
                }
            }
        }
    }
    sign
}

/// `x[i] -= f · x[j]` for rows `i != j` of a row-major matrix with `k` columns.
#[inline]
fn axpy_row<T: Float>(x: &mut [T], k: usize, i: usize, j: usize, f: T) {
    if f == T::ZERO {
        return;
    }
    let (dst, src) = if i > j {
        let (lo, hi) = x.split_at_mut(i * k);
        (&mut hi[..k], &lo[j * k..j * k + k])
    } else {
        let (lo, hi) = x.split_at_mut(j * k);
        (&mut lo[i * k..i * k + k], &hi[..k])
    };
    for (d, &s) in dst.iter_mut().zip(src) {
        *d = d.sub(f.mul(s));
    }
}

/// `x[i] /= d` for row `i` of a row-major matrix with `k` columns.
#[inline]
fn scale_row<T: Float>(x: &mut [T], k: usize, i: usize, d: T) {
    for v in &mut x[i * k..i * k + k] {
        *v = v.div(d);
    }
}

/// Solves `op(T) X = X` in place for a triangular `n x n` matrix `t` (read from
/// its `lower` or upper triangle, with a unit diagonal if `unit`), where `op` is
/// the transpose when `transpose`. `x` is `n x k` row-major.
fn triangular_in_place<T: Float>(
    t: &[T],
    n: usize,
    x: &mut [T],
    k: usize,
    lower: bool,
    transpose: bool,
    unit: bool,
) {
    // Element (i, j) of op(T).
    let at = |i: usize, j: usize| if transpose { t[j * n + i] } else { t[i * n + j] };
    // op(T) is lower triangular exactly when `lower != transpose`: forward substitution.
    if lower != transpose {
        for i in 0..n {
            for j in 0..i {
                axpy_row(x, k, i, j, at(i, j));
            }
            if !unit {
                scale_row(x, k, i, at(i, i));
            }
        }
    } else {
        for i in (0..n).rev() {
            for j in i + 1..n {
                axpy_row(x, k, i, j, at(i, j));
            }
            if !unit {
                scale_row(x, k, i, at(i, i));
            }
        }
    }
}

/// Solves `A X = B` (`A^T X = B` if `adjoint`) for one `n x n` matrix whose LU
/// factors are in `lu` with permutation `perm`; `x` holds `B` (`n x k`) on entry.
fn lu_solve_in_place<T: Float>(lu: &[T], perm: &[usize], n: usize, x: &mut [T], k: usize, adjoint: bool) {
    let mut tmp = vec![T::ZERO; n * k];
    if !adjoint {
        // L U X = P B
        for (i, &p) in perm.iter().enumerate() {
            tmp[i * k..i * k + k].copy_from_slice(&x[p * k..p * k + k]);
        }
        triangular_in_place(lu, n, &mut tmp, k, true, false, true);
        triangular_in_place(lu, n, &mut tmp, k, false, false, false);
        x.copy_from_slice(&tmp);
    } else {
        // Aᵀ = Uᵀ Lᵀ P, so X = Pᵀ (Lᵀ)⁻¹ (Uᵀ)⁻¹ B
        tmp.copy_from_slice(x);
        triangular_in_place(lu, n, &mut tmp, k, false, true, false);
        triangular_in_place(lu, n, &mut tmp, k, true, true, true);
        for (i, &p) in perm.iter().enumerate() {
            x[p * k..p * k + k].copy_from_slice(&tmp[i * k..i * k + k]);
        }
    }
}

fn has_zero_pivot<T: Float>(lu: &[T], n: usize) -> bool {
    (0..n).any(|i| lu[i * n + i] == T::ZERO)
}

/// The matrix size `n` of a `[..., n, n]` input, or TF's error.
fn square_dim(op: &'static str, a: &Tensor) -> Result<usize> {
    let r = a.rank();
    if r < 2 {
        return Err(Error::shape(
            op,
            format!("Input tensor 0 must have rank >= 2, got {r} (shape {:?})", a.shape()),
        ));
    }
    let (m, n) = (a.shape()[r - 2], a.shape()[r - 1]);
    if m != n {
        return Err(Error::shape(op, format!("Input matrix must be square; got shape {:?}", a.shape())));
    }
    Ok(n)
}

fn float_only(op: &'static str, dtype: DType) -> Error {
    Error::UnsupportedDType { op, dtype, hint: "it needs float32 or float64 matrices; cast them first" }
}

/// Runs `f(b, out_b)` for each matrix `b` of a batch of `batch`, where `out_b` is
/// that matrix's `out_per` elements of `out`; parallel over the batch when the
/// total work (`work_per` per matrix) is large. Returns true if any call
/// returned `false` (a singular matrix).
fn per_matrix<U: Send, F>(batch: usize, out: &mut [U], out_per: usize, work_per: usize, f: F) -> bool
where
    F: Fn(usize, &mut [U]) -> bool + Sync + Send,
{
    let bad = AtomicBool::new(false);
    let run = |b: usize, o: &mut [U]| {
        if !f(b, o) {
            bad.store(true, Ordering::Relaxed);
        }
    };
    if out_per == 0 {
        // Empty outputs (k = 0): the matrices are still checked, as TF does.
        for b in 0..batch {
            run(b, &mut []);
        }
        return bad.into_inner();
    }
    let mut items: Vec<(usize, &mut [U])> = out.chunks_mut(out_per).enumerate().collect();
    for_each_chunk_weighted(&mut items, work_per.max(1), |_, chunk| {
        for (b, o) in chunk.iter_mut() {
            run(*b, o);
        }
    });
    bad.into_inner()
}

/// The LU factors and permutation of one matrix, or `None` if a pivot is zero.
fn factor<T: Float>(m: &[T], n: usize) -> Option<(Vec<T>, Vec<usize>)> {
    let mut lu = m.to_vec();
    let mut perm = vec![0; n];
    lu_in_place(&mut lu, n, &mut perm);
    if has_zero_pivot(&lu, n) { None } else { Some((lu, perm)) }
}

fn solve_typed<T: Float>(
    a: &[T],
    b: &[T],
    batch: usize,
    n: usize,
    k: usize,
    adjoint: bool,
) -> (Vec<T>, bool) {
    let mut out = b.to_vec();
    let bad = per_matrix(batch, &mut out, n * k, n * n * (n + k), |i, x| {
        let Some((lu, perm)) = factor(&a[i * n * n..(i + 1) * n * n], n) else { return false };
        lu_solve_in_place(&lu, &perm, n, x, k, adjoint);
        true
    });
    (out, bad)
}

/// `X` with `A X = B` (`A^T X = B` if `adjoint`) for `a: [..., n, n]`,
/// `b: [..., n, k]` with equal batch dims (TF's `MatrixSolve` does not broadcast).
pub(crate) fn solve(a: &Tensor, b: &Tensor, adjoint: bool) -> Result<Tensor> {
    const OP: &str = "MatrixSolve";
    let n = square_dim(OP, a).map_err(|e| match e {
        Error::InvalidShape { msg, .. } if msg.starts_with("Input matrix") => {
            Error::shape(OP, format!("First input (lhs) must be a square matrix; got shape {:?}", a.shape()))
        }
        other => other,
    })?;
    if b.rank() != a.rank() {
        return Err(Error::shape(
            OP,
            format!(
                "All input tensors must have the same rank; got matrix shape {:?} and rhs shape {:?}",
                a.shape(),
                b.shape()
            ),
        ));
    }
    let r = a.rank();
    if b.shape()[r - 2] != n {
        return Err(Error::shape(
            OP,
            format!(
                "Input matrix and rhs are incompatible: matrix shape {:?}, rhs shape {:?}",
                a.shape(),
                b.shape()
            ),
        ));
    }
    if a.shape()[..r - 2] != b.shape()[..r - 2] {
        return Err(Error::shape(
            OP,
            format!(
                "All input tensors must have the same outer dimensions; got matrix shape {:?} and rhs shape {:?}",
                a.shape(),
                b.shape()
            ),
        ));
    }
    if a.dtype() != b.dtype() {
        return Err(Error::DTypeMismatch { op: OP, lhs: a.dtype(), rhs: b.dtype() });
    }
    let k = b.shape()[r - 1];
    let batch: usize = a.shape()[..r - 2].iter().product();
    let (buf, bad) = match (a.buffer(), b.buffer()) {
        (Buffer::F32(av), Buffer::F32(bv)) => {
            let (o, bad) = solve_typed(av, bv, batch, n, k, adjoint);
            (Buffer::F32(o), bad)
        }
        (Buffer::F64(av), Buffer::F64(bv)) => {
            let (o, bad) = solve_typed(av, bv, batch, n, k, adjoint);
            (Buffer::F64(o), bad)
        }
        _ => return Err(float_only(OP, a.dtype())),
    };
    if bad {
        return Err(Error::NotInvertible { op: OP, msg: SOLVE_SINGULAR });
    }
    Ok(Tensor::new_unchecked(buf, Shape::from_slice(b.shape())))
}

fn inverse_typed<T: Float>(a: &[T], batch: usize, n: usize, adjoint: bool) -> (Vec<T>, bool) {
    let mut out = vec![T::ZERO; a.len()];
    let bad = per_matrix(batch, &mut out, n * n, 2 * n * n * n, |b, o| {
        let Some((lu, perm)) = factor(&a[b * n * n..(b + 1) * n * n], n) else { return false };
        for i in 0..n {
            o[i * n + i] = T::ONE;
        }
        lu_solve_in_place(&lu, &perm, n, o, n, adjoint);
        true
    });
    (out, bad)
}

/// The inverse of each matrix of `a: [..., n, n]` (of its transpose if `adjoint`).
pub(crate) fn inverse(a: &Tensor, adjoint: bool) -> Result<Tensor> {
    const OP: &str = "MatrixInverse";
    let n = square_dim(OP, a)?;
    let batch: usize = a.shape()[..a.rank() - 2].iter().product();
    let (buf, bad) = match a.buffer() {
        Buffer::F32(v) => {
            let (o, bad) = inverse_typed(v, batch, n, adjoint);
            (Buffer::F32(o), bad)
        }
        Buffer::F64(v) => {
            let (o, bad) = inverse_typed(v, batch, n, adjoint);
            (Buffer::F64(o), bad)
        }
        _ => return Err(float_only(OP, a.dtype())),
    };
    if bad {
        return Err(Error::NotInvertible { op: OP, msg: INVERSE_SINGULAR });
    }
    Ok(Tensor::new_unchecked(buf, Shape::from_slice(a.shape())))
}

/// `(sign, ln|det|)` of one matrix via LU, with TF's convention for a singular
/// one: sign 0 and ln|det| = −inf.
fn slogdet_one<T: Float>(m: &[T], n: usize) -> (T, T) {
    let mut lu = m.to_vec();
    let mut perm = vec![0; n];
    let mut sign = lu_in_place(&mut lu, n, &mut perm);
    let mut log_abs = T::ZERO;
    for i in 0..n {
        let d = lu[i * n + i];
        log_abs = log_abs.add(d.abs().ln());
        if d < T::ZERO {
            sign = T::ZERO.sub(sign);
        }
    }
    if !log_abs.is_finite() {
        // Eigen: a zero pivot gives ln 0 = −inf; TF then reports sign 0.
        let neg = log_abs < T::ZERO || log_abs.is_nan();
        return (T::ZERO, if neg { T::LOWEST } else { T::HIGHEST });
    }
    (sign, log_abs)
}

fn slogdet_typed<T: Float>(a: &[T], n: usize, batch: usize) -> (Vec<T>, Vec<T>) {
    let mut out = vec![(T::ONE, T::ZERO); batch];
    per_matrix(batch, &mut out, 1, n * n * n, |b, o| {
        o[0] = slogdet_one(&a[b * n * n..(b + 1) * n * n], n);
        true
    });
    out.into_iter().unzip()
}

/// `(sign, ln|det|)` of each matrix of `a: [..., n, n]`, both of shape `[...]`.
/// A singular matrix gives `(0, -inf)`; an empty one `(1, 0)`.
pub(crate) fn slogdet(a: &Tensor) -> Result<(Tensor, Tensor)> {
    slogdet_named("LogMatrixDeterminant", a)
}

fn slogdet_named(op: &'static str, a: &Tensor) -> Result<(Tensor, Tensor)> {
    let n = square_dim(op, a)?;
    let batch_shape = Shape::from_slice(&a.shape()[..a.rank() - 2]);
    let batch: usize = batch_shape.iter().product();
    let (s, l) = match a.buffer() {
        Buffer::F32(v) => {
            let (s, l) = slogdet_typed(v, n, batch);
            (Buffer::F32(s), Buffer::F32(l))
        }
        Buffer::F64(v) => {
            let (s, l) = slogdet_typed(v, n, batch);
            (Buffer::F64(s), Buffer::F64(l))
        }
        _ => return Err(float_only(op, a.dtype())),
    };
    Ok((Tensor::new_unchecked(s, batch_shape.clone()), Tensor::new_unchecked(l, batch_shape)))
}

/// The determinant of each matrix of `a: [..., n, n]`, as `sign · exp(ln|det|)`
/// (TF's `MatrixDeterminant`): 0 for a singular matrix, 1 for an empty one.
pub(crate) fn determinant(a: &Tensor) -> Result<Tensor> {
    let (s, l) = slogdet_named("MatrixDeterminant", a)?;
    let buf = match (s.buffer(), l.buffer()) {
        (Buffer::F32(s), Buffer::F32(l)) => {
            Buffer::F32(s.iter().zip(l).map(|(&s, &l)| s * l.exp()).collect())
        }
        (Buffer::F64(s), Buffer::F64(l)) => {
            Buffer::F64(s.iter().zip(l).map(|(&s, &l)| s * l.exp()).collect())
        }
        _ => return Err(float_only("MatrixDeterminant", a.dtype())),
    };
    Ok(Tensor::new_unchecked(buf, Shape::from_slice(s.shape())))
}

/// The packed LU factors of each matrix of `a: [..., n, n]` (TF's `Lu`: the
/// unit-lower `L` below the diagonal, `U` on and above it) and the row
/// permutation `p` (`[..., n]`, `P A = L U` with row `i` of `P A` being row
/// `p[i]` of `A`). A zero pivot is TF's "Input is not invertible." error.
pub(crate) fn lu(a: &Tensor) -> Result<(Tensor, Vec<usize>)> {
    const OP: &str = "Lu";
    let n = square_dim(OP, a)?;
    let batch: usize = a.shape()[..a.rank() - 2].iter().product();
    fn typed<T: Float>(a: &[T], batch: usize, n: usize) -> (Vec<T>, Vec<usize>, bool) {
        let mut out = vec![(Vec::new(), Vec::new()); batch];
        let bad = per_matrix(batch, &mut out, 1, n * n * n, |b, o| {
            match factor(&a[b * n * n..(b + 1) * n * n], n) {
                Some(f) => {
                    o[0] = f;
                    true
                }
                None => false,
            }
        });
        let (lu, perm): (Vec<Vec<T>>, Vec<Vec<usize>>) = out.into_iter().unzip();
        (lu.concat(), perm.concat(), bad)
    }
    let (buf, perm, bad) = match a.buffer() {
        Buffer::F32(v) => {
            let (o, p, bad) = typed(v, batch, n);
            (Buffer::F32(o), p, bad)
        }
        Buffer::F64(v) => {
            let (o, p, bad) = typed(v, batch, n);
            (Buffer::F64(o), p, bad)
        }
        _ => return Err(float_only(OP, a.dtype())),
    };
    if bad {
        return Err(Error::NotInvertible { op: OP, msg: INVERSE_SINGULAR });
    }
    Ok((Tensor::new_unchecked(buf, Shape::from_slice(a.shape())), perm))
}

fn cholesky_one<T: Float>(m: &[T], n: usize, l: &mut [T]) {
    for j in 0..n {
        let mut d = m[j * n + j];
        for p in 0..j {
            d = d.sub(l[j * n + p].mul(l[j * n + p]));
        }
        // Not positive definite (or NaN): TF's CPU kernel hands back NaNs.
        if d.is_nan() || d <= T::ZERO {
            for i in 0..n {
                for c in 0..=i {
                    l[i * n + c] = T::ZERO.div(T::ZERO);
                }
            }
            return;
        }
        let djj = d.sqrt();
        l[j * n + j] = djj;
        for i in j + 1..n {
            let mut v = m[i * n + j];
            for p in 0..j {
                v = v.sub(l[i * n + p].mul(l[j * n + p]));
            }
            l[i * n + j] = v.div(djj);
        }
    }
}

/// The lower Cholesky factor `L` (`A = L Lᵀ`) of each matrix of `a: [..., n, n]`,
/// read from the lower triangle of `a` only (as TF/Eigen). The strict upper
/// triangle of `L` is zero. A matrix that is not positive definite gives NaNs
/// in the lower triangle (TF's CPU kernel does not raise either).
pub(crate) fn cholesky(a: &Tensor) -> Result<Tensor> {
    const OP: &str = "Cholesky";
    let n = square_dim(OP, a)?;
    let batch: usize = a.shape()[..a.rank() - 2].iter().product();
    fn typed<T: Float>(a: &[T], batch: usize, n: usize) -> Vec<T> {
        let mut out = vec![T::ZERO; a.len()];
        per_matrix(batch, &mut out, n * n, n * n * n, |b, o| {
            cholesky_one(&a[b * n * n..(b + 1) * n * n], n, o);
            true
        });
        out
    }
    let buf = match a.buffer() {
        Buffer::F32(v) => Buffer::F32(typed(v, batch, n)),
        Buffer::F64(v) => Buffer::F64(typed(v, batch, n)),
        _ => return Err(float_only(OP, a.dtype())),
    };
    Ok(Tensor::new_unchecked(buf, Shape::from_slice(a.shape())))
}

/// `X` with `op(T) X = B` for the triangular part (`lower` or upper) of each
/// matrix of `t: [..., n, n]`, `op` the transpose if `adjoint`; `b: [..., n, k]`
/// with *the same* batch dims (the ops layer broadcasts first). A zero on the
/// diagonal divides by zero (inf/NaN), as TF's `MatrixTriangularSolve`.
pub(crate) fn triangular_solve(t: &Tensor, b: &Tensor, lower: bool, adjoint: bool) -> Result<Tensor> {
    const OP: &str = "MatrixTriangularSolve";
    let n = square_dim(OP, t)?;
    let r = t.rank();
    if b.rank() != r || t.shape()[..r - 2] != b.shape()[..r - 2] {
        return Err(Error::shape(
            OP,
            format!(
                "matrix and rhs must have the same batch dimensions here; got {:?} and {:?}",
                t.shape(),
                b.shape()
            ),
        ));
    }
    if b.shape()[r - 2] != n {
        return Err(Error::shape(
            OP,
            format!(
                "In[0] mismatch In[1] shape: {n} vs. {}: {:?} {:?}",
                b.shape()[r - 2],
                t.shape(),
                b.shape()
            ),
        ));
    }
    if t.dtype() != b.dtype() {
        return Err(Error::DTypeMismatch { op: OP, lhs: t.dtype(), rhs: b.dtype() });
    }
    let k = b.shape()[r - 1];
    let batch: usize = t.shape()[..r - 2].iter().product();
    fn typed<T: Float>(t: &[T], b: &[T], batch: usize, n: usize, k: usize, lower: bool, adj: bool) -> Vec<T> {
        let mut out = b.to_vec();
        per_matrix(batch, &mut out, n * k, n * n * k, |i, x| {
            triangular_in_place(&t[i * n * n..(i + 1) * n * n], n, x, k, lower, adj, false);
            true
        });
        out
    }
    let buf = match (t.buffer(), b.buffer()) {
        (Buffer::F32(tv), Buffer::F32(bv)) => Buffer::F32(typed(tv, bv, batch, n, k, lower, adjoint)),
        (Buffer::F64(tv), Buffer::F64(bv)) => Buffer::F64(typed(tv, bv, batch, n, k, lower, adjoint)),
        _ => return Err(float_only(OP, t.dtype())),
    };
    Ok(Tensor::new_unchecked(buf, Shape::from_slice(b.shape())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t64(v: &[f64], shape: &[usize]) -> Tensor {
        Tensor::from_vec(v.to_vec(), shape).unwrap()
    }

    fn close(a: &[f64], b: &[f64], tol: f64) {
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(b) {
            assert!((x - y).abs() <= tol * (1.0 + y.abs()), "{a:?} vs {b:?}");
        }
    }

    // A 3x3 with a known inverse and determinant (needs pivoting: a[0][0] = 0).
    const A: [f64; 9] = [0.0, 2.0, 1.0, 1.0, 1.0, 0.0, 3.0, 0.0, 1.0];
    // det = 0·(1·1−0·0) − 2·(1·1−0·3) + 1·(1·0−1·3) = −2 − 3 = −5
    const A_INV: [f64; 9] = [-0.2, 0.4, 0.2, 0.2, 0.6, -0.2, 0.6, -1.2, 0.4];

    #[test]
    fn known_3x3() {
        let a = t64(&A, &[3, 3]);
        close(determinant(&a).unwrap().as_slice::<f64>().unwrap(), &[-5.0], 1e-14);
        let (s, l) = slogdet(&a).unwrap();
        assert_eq!(s.as_slice::<f64>().unwrap(), &[-1.0]);
        close(l.as_slice::<f64>().unwrap(), &[5f64.ln()], 1e-14);
        close(inverse(&a, false).unwrap().as_slice::<f64>().unwrap(), &A_INV, 1e-14);
        let at: Vec<f64> = (0..9).map(|i| A_INV[(i % 3) * 3 + i / 3]).collect();
        close(inverse(&a, true).unwrap().as_slice::<f64>().unwrap(), &at, 1e-14);
        // A x = b with x = [1, 2, 3]: b = [7, 3, 6]
        let b = t64(&[7.0, 3.0, 6.0], &[3, 1]);
        close(solve(&a, &b, false).unwrap().as_slice::<f64>().unwrap(), &[1.0, 2.0, 3.0], 1e-14);
        // Aᵀ x = b with x = [1, 2, 3]: b = [11, 4, 4]
        let b = t64(&[11.0, 4.0, 4.0], &[3, 1]);
        close(solve(&a, &b, true).unwrap().as_slice::<f64>().unwrap(), &[1.0, 2.0, 3.0], 1e-14);
    }

    #[test]
    fn f32_and_batches() {
        let mut v: Vec<f32> = A.iter().map(|&x| x as f32).collect();
        v.extend([2.0f32, 0.0, 0.0, 0.0, 3.0, 0.0, 0.0, 0.0, 4.0]);
        let a = Tensor::from_vec(v, &[2, 3, 3]).unwrap();
        let d = determinant(&a).unwrap();
        assert_eq!(d.shape(), &[2]);
        let d = d.as_slice::<f32>().unwrap();
        assert!((d[0] + 5.0).abs() < 1e-5 && (d[1] - 24.0).abs() < 1e-4);
        let inv = inverse(&a, false).unwrap();
        let inv = inv.as_slice::<f32>().unwrap();
        assert!((inv[9] - 0.5).abs() < 1e-7 && (inv[13] - 1.0 / 3.0).abs() < 1e-7);
        let b = Tensor::from_vec(
            vec![7.0f32, 14.0, 3.0, 6.0, 6.0, 12.0, 2.0, 2.0, 3.0, 3.0, 4.0, 4.0],
            &[2, 3, 2],
        )
        .unwrap();
        let x = solve(&a, &b, false).unwrap();
        let want = [1.0f32, 2.0, 2.0, 4.0, 3.0, 6.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0];
        for (g, w) in x.as_slice::<f32>().unwrap().iter().zip(want) {
            assert!((g - w).abs() < 1e-5, "{g} vs {w}");
        }
    }

    #[test]
    fn singular_matrices() {
        let s = t64(&[1.0, 2.0, 2.0, 4.0], &[2, 2]);
        let b = t64(&[1.0, 1.0], &[2, 1]);
        assert!(matches!(solve(&s, &b, false), Err(Error::NotInvertible { .. })));
        let e = inverse(&s, false).unwrap_err();
        assert!(e.to_string().contains(INVERSE_SINGULAR), "{e}");
        assert_eq!(determinant(&s).unwrap().as_slice::<f64>().unwrap(), &[0.0]);
        let (sg, l) = slogdet(&s).unwrap();
        assert_eq!(sg.as_slice::<f64>().unwrap(), &[0.0]);
        assert_eq!(l.as_slice::<f64>().unwrap(), &[f64::NEG_INFINITY]);
        // k = 0 still checks the matrix
        let b0 = t64(&[], &[2, 0]);
        assert!(solve(&s, &b0, false).is_err());
    }

    #[test]
    fn empty_and_shape_errors() {
        let e = t64(&[], &[2, 0, 0]);
        assert_eq!(determinant(&e).unwrap().as_slice::<f64>().unwrap(), &[1.0, 1.0]);
        assert_eq!(inverse(&e, false).unwrap().shape(), &[2, 0, 0]);
        let a = t64(&A, &[3, 3]);
        assert!(matches!(inverse(&t64(&[1.0, 2.0], &[2]), false), Err(Error::InvalidShape { .. })));
        assert!(matches!(determinant(&t64(&[0.0; 6], &[2, 3])), Err(Error::InvalidShape { .. })));
        assert!(
            solve(&a, &t64(&[1.0, 2.0], &[2, 1]), false).unwrap_err().to_string().contains("incompatible")
        );
        assert!(solve(&a, &t64(&[0.0; 6], &[2, 3, 1]), false).unwrap_err().to_string().contains("same rank"));
        let i = Tensor::from_vec(vec![1i32, 0, 0, 1], &[2, 2]).unwrap();
        assert!(matches!(inverse(&i, false), Err(Error::UnsupportedDType { .. })));
    }

    #[test]
    fn cholesky_and_triangular() {
        // [[4, 2], [2, 5]] = L Lᵀ with L = [[2, 0], [1, 2]]; the upper triangle is not read.
        let a = t64(&[4.0, 100.0, 2.0, 5.0], &[2, 2]);
        close(cholesky(&a).unwrap().as_slice::<f64>().unwrap(), &[2.0, 0.0, 1.0, 2.0], 1e-15);
        let bad = cholesky(&t64(&[1.0, 2.0, 2.0, 1.0], &[2, 2])).unwrap();
        let bad = bad.as_slice::<f64>().unwrap();
        assert!(bad[0].is_nan() && bad[2].is_nan() && bad[3].is_nan() && bad[1] == 0.0);
        let l = t64(&[2.0, 7.0, 1.0, 2.0], &[2, 2]);
        // L x = [2, 5] → x = [1, 2]; Lᵀ x = [4, 4] → x = [1, 2]
        let x = triangular_solve(&l, &t64(&[2.0, 5.0], &[2, 1]), true, false).unwrap();
        close(x.as_slice::<f64>().unwrap(), &[1.0, 2.0], 1e-15);
        let x = triangular_solve(&l, &t64(&[4.0, 4.0], &[2, 1]), true, true).unwrap();
        close(x.as_slice::<f64>().unwrap(), &[1.0, 2.0], 1e-15);
        // upper: [[2, 7], [·, 2]] x = [16, 4] → x = [1, 2]
        let x = triangular_solve(&l, &t64(&[16.0, 4.0], &[2, 1]), false, false).unwrap();
        close(x.as_slice::<f64>().unwrap(), &[1.0, 2.0], 1e-15);
    }
}

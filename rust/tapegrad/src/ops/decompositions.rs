//! Matrix decompositions of `tf.linalg`: `eigh`/`eigvalsh`, `svd`, `qr`, `lu`.
//!
//! A decomposition has several outputs but the tape's ordinary nodes have one,
//! so each is recorded as one [`LinalgOp`] node whose output is the *packed*
//! tensor `[..., total]` (every output of one matrix, flattened, one after
//! another; see `kernels::decomp`), and the outputs are recorded slices of it
//! (`split` + `reshape`). Gradients of the outputs meet in the packed tensor's
//! gradient, and the rule unpacks it with the same [`unpack`], so it sees
//! every output's gradient at once, as TF's `SvdGrad` and friends do.

use crate::autodiff::tape::record;
use crate::kernels;
use crate::kernels::decomp::Packed;
use crate::ops::{LinalgOp, Op, reshape, split};
use crate::{DType, Error, Result, Tensor};

/// The per-matrix shapes of the packed outputs of `op` on an `m x n` input.
pub(crate) fn packed_parts(op: LinalgOp, m: usize, n: usize) -> Vec<Vec<usize>> {
    let p = m.min(n);
    match op {
        LinalgOp::Eigh { compute_v: true } => vec![vec![n], vec![n, n]],
        LinalgOp::Svd { full_matrices, compute_uv: true } => {
            let (ku, kv) = if full_matrices { (m, n) } else { (p, p) };
            vec![vec![p], vec![m, ku], vec![n, kv]]
        }
        LinalgOp::Qr { full_matrices } => {
            let k = if full_matrices { m } else { p };
            vec![vec![m, k], vec![k, n]]
        }
        _ => Vec::new(),
    }
}

/// Splits a packed `[..., total]` tensor into its parts, each `[..., *part]`.
pub(crate) fn unpack(packed: &Tensor, parts: &[Vec<usize>]) -> Result<Vec<Tensor>> {
    let r = packed.rank();
    let batch: Vec<i64> = packed.shape()[..r.saturating_sub(1)].iter().map(|&d| d as i64).collect();
    let sizes: Vec<usize> = parts.iter().map(|p| p.iter().product()).collect();
    let pieces = split(packed, &sizes, -1)?;
    pieces
        .iter()
        .zip(parts)
        .map(|(t, shape)| {
            let full: Vec<i64> = batch.iter().copied().chain(shape.iter().map(|&d| d as i64)).collect();
            reshape(t, &full)
        })
        .collect()
}

/// Records `op` from `x` to the packed tensor and returns its parts.
fn record_packed(op: LinalgOp, x: &Tensor, packed: Packed) -> Result<Vec<Tensor>> {
    record(Op::Linalg(op), &[x], &packed.tensor);
    unpack(&packed.tensor, &packed.parts)
}

/// Eigenvalues `e: [..., n]` (ascending) and eigenvectors `v: [..., n, n]`
/// (columns; `a v = v diag(e)`) of each self-adjoint matrix of
/// `x: [..., n, n]`, read from its lower triangle (TF's `eigh`).
///
/// ```
/// use tapegrad::{Tensor, ops};
/// let a = Tensor::from_vec(vec![2.0f64, 1.0, 1.0, 2.0], &[2, 2]).unwrap();
/// let (e, _v) = ops::self_adjoint_eig(&a).unwrap();
/// let e = e.as_slice::<f64>().unwrap();
/// assert!((e[0] - 1.0).abs() < 1e-12 && (e[1] - 3.0).abs() < 1e-12);
/// ```
pub fn self_adjoint_eig(x: &Tensor) -> Result<(Tensor, Tensor)> {
    let op = LinalgOp::Eigh { compute_v: true };
    let mut parts = record_packed(op, x, kernels::decomp::eigh(x, true)?)?;
    let v = parts.pop();
    let e = parts.pop();
    match (e, v) {
        (Some(e), Some(v)) => Ok((e, v)),
        _ => Err(Error::arg("SelfAdjointEigV2", "internal: missing outputs")),
    }
}

/// The eigenvalues of each self-adjoint matrix of `x: [..., n, n]`, ascending
/// (TF's `eigvalsh`).
pub fn self_adjoint_eigvals(x: &Tensor) -> Result<Tensor> {
    let packed = kernels::decomp::eigh(x, false)?;
    record(Op::Linalg(LinalgOp::Eigh { compute_v: false }), &[x], &packed.tensor);
    Ok(packed.tensor)
}

/// The singular values `s: [..., p]` (descending, `p = min(m, n)`) of each
/// matrix of `x: [..., m, n]`, and with `compute_uv` `u` and `v` with
/// `x = u diag(s) vᵀ` (TF's `svd`, which returns `s, u, v` in that order).
/// `full_matrices` makes `u: [..., m, m]` and `v: [..., n, n]` instead of
/// `[..., m, p]` and `[..., n, p]`.
///
/// ```
/// use tapegrad::{Tensor, ops};
/// let a = Tensor::from_vec(vec![3.0f64, 0.0, 0.0, -2.0], &[2, 2]).unwrap();
/// let (s, _) = ops::svd(&a, false, false).unwrap();
/// assert_eq!(s.as_slice::<f64>().unwrap(), &[3.0, 2.0]);
/// ```
pub fn svd(x: &Tensor, full_matrices: bool, compute_uv: bool) -> Result<(Tensor, Option<(Tensor, Tensor)>)> {
    let packed = kernels::decomp::svd(x, full_matrices, compute_uv)?;
    if !compute_uv {
        record(Op::Linalg(LinalgOp::Svd { full_matrices, compute_uv }), &[x], &packed.tensor);
        return Ok((packed.tensor, None));
    }
    let op = LinalgOp::Svd { full_matrices, compute_uv };
    let mut parts = record_packed(op, x, packed)?.into_iter();
    match (parts.next(), parts.next(), parts.next()) {
        (Some(s), Some(u), Some(v)) => Ok((s, Some((u, v)))),
        _ => Err(Error::arg("Svd", "internal: missing outputs")),
    }
}

/// The QR decomposition `x = q r` of each matrix of `x: [..., m, n]`: `q` with
/// orthonormal columns, `r` upper triangular; `[..., m, m]` and `[..., m, n]`
/// with `full_matrices`, else `[..., m, k]` and `[..., k, n]`, `k = min(m, n)`
/// (TF's `qr`).
///
/// ```
/// use tapegrad::{Tensor, ops};
/// let a = Tensor::from_vec(vec![3.0f64, 1.0, 4.0, 2.0], &[2, 2]).unwrap();
/// let (q, r) = ops::qr(&a, false).unwrap();
/// let back = ops::matmul(&q, &r, false, false).unwrap();
/// assert!((back.as_slice::<f64>().unwrap()[2] - 4.0).abs() < 1e-12);
/// ```
pub fn qr(x: &Tensor, full_matrices: bool) -> Result<(Tensor, Tensor)> {
    let op = LinalgOp::Qr { full_matrices };
    let mut parts = record_packed(op, x, kernels::decomp::qr(x, full_matrices)?)?.into_iter();
    match (parts.next(), parts.next()) {
        (Some(q), Some(r)) => Ok((q, r)),
        _ => Err(Error::arg("Qr", "internal: missing outputs")),
    }
}

/// TF's `lu`: the packed factors `lu: [..., n, n]` (unit-lower `L` below the
/// diagonal, `U` on and above it) and the row permutation `p: [..., n]` of
/// `index_dtype` (int32 or int64) with `x[p] = L U`, by partial pivoting as
/// Eigen (TF's kernel) pivots. Not recorded: TF defines no gradient for `Lu`.
///
/// ```
/// use tapegrad::{DType, Tensor, ops};
/// let a = Tensor::from_vec(vec![1.0f64, 2.0, 3.0, 4.0], &[2, 2]).unwrap();
/// let (lu, p) = ops::lu(&a, DType::I32).unwrap();
/// assert_eq!(p.as_slice::<i32>().unwrap(), &[1, 0]);
/// assert_eq!(lu.as_slice::<f64>().unwrap()[0], 3.0);
/// ```
pub fn lu(x: &Tensor, index_dtype: DType) -> Result<(Tensor, Tensor)> {
    const OP: &str = "Lu";
    let (lu, perm) = kernels::lu::lu(x)?;
    let shape = &x.shape()[..x.rank() - 1];
    let p = match index_dtype {
        DType::I32 => {
            let v =
                perm.iter().map(|&i| i32::try_from(i).map_err(|_| Error::arg(OP, "index overflows int32")));
            Tensor::from_vec(v.collect::<Result<Vec<i32>>>()?, shape)?
        }
        DType::I64 => {
            let v =
                perm.iter().map(|&i| i64::try_from(i).map_err(|_| Error::arg(OP, "index overflows int64")));
            Tensor::from_vec(v.collect::<Result<Vec<i64>>>()?, shape)?
        }
        other => {
            return Err(Error::UnsupportedDType {
                op: OP,
                dtype: other,
                hint: "output_idx_type must be int32 or int64",
            });
        }
    };
    Ok((lu.detached(), p))
}

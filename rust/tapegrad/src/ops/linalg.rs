//! Matrix products and dense linear algebra (`tf.linalg`): solve, inverse,
//! determinants, Cholesky and triangular solves, on `[..., n, n]` batches.

use crate::autodiff::tape::record;
use crate::kernels;
use crate::kernels::index::IndexItem;
use crate::ops::{Op, reshape, transpose};
use crate::shape::{Shape, broadcast_shapes, normalize_axis};
use crate::{DType, Error, Result, Tensor};

/// Batched matrix product `a @ b` of rank ≥ 2 float tensors, batch dims broadcast.
///
/// ```
/// use tapegrad::{Tensor, ops};
/// let a = Tensor::from_vec(vec![1.0f32, 2.0, 3.0], &[1, 3]).unwrap();
/// let b = Tensor::from_vec(vec![1.0f32, 1.0, 1.0], &[3, 1]).unwrap();
/// assert_eq!(ops::matmul(&a, &b, false, false).unwrap().as_slice::<f32>().unwrap(), &[6.0]);
/// ```
pub fn matmul(a: &Tensor, b: &Tensor, transpose_a: bool, transpose_b: bool) -> Result<Tensor> {
    let y = kernels::matmul(a, b, transpose_a, transpose_b)?;
    record(Op::MatMul { transpose_a, transpose_b }, &[a, b], &y);
    Ok(y)
}

/// How `tensordot` contracts: the last `n` axes of `a` with the first `n` of `b`,
/// or explicit axis lists.
#[derive(Clone, Debug, PartialEq)]
pub enum TensordotAxes {
    /// `axes=n`.
    Count(usize),
    /// `axes=[[a axes], [b axes]]`.
    Pairs(Vec<i64>, Vec<i64>),
}

/// TF's `tensordot`, as transposes, reshapes and one matmul (so it needs no rule).
///
/// ```
/// use tapegrad::{Tensor, ops};
/// let x = Tensor::from_vec(vec![0.0f32, 1.0, 2.0, 3.0], &[4]).unwrap();
/// let d = ops::tensordot(&x, &x, &ops::TensordotAxes::Count(1)).unwrap();
/// assert_eq!(d.to_scalar::<f32>(), Some(14.0));
/// ```
pub fn tensordot(a: &Tensor, b: &Tensor, axes: &TensordotAxes) -> Result<Tensor> {
    const OP: &str = "tensordot";
    let (ra, rb) = (a.rank(), b.rank());
    let (a_axes, b_axes): (Vec<usize>, Vec<usize>) = match axes {
        TensordotAxes::Count(n) => {
            if *n > ra || *n > rb {
                return Err(Error::arg(
                    OP,
                    format!(
                        "axes={n} exceeds the rank of an operand (shapes {:?} and {:?})",
                        a.shape(),
                        b.shape()
                    ),
                ));
            }
            ((ra - n..ra).collect(), (0..*n).collect())
        }
        TensordotAxes::Pairs(pa, pb) => {
            if pa.len() != pb.len() {
                return Err(Error::arg(OP, format!("axes lists differ in length: {pa:?} vs {pb:?}")));
            }
            let na = pa.iter().map(|&x| normalize_axis(OP, x, ra)).collect::<Result<Vec<_>>>()?;
            let nb = pb.iter().map(|&x| normalize_axis(OP, x, rb)).collect::<Result<Vec<_>>>()?;
            (na, nb)
        }
    };
    for (&i, &j) in a_axes.iter().zip(&b_axes) {
        if a.shape()[i] != b.shape()[j] {
            return Err(Error::IncompatibleShapes {
                op: OP,
                lhs: a.shape().to_vec(),
                rhs: b.shape().to_vec(),
            });
        }
    }
    let a_free: Vec<usize> = (0..ra).filter(|i| !a_axes.contains(i)).collect();
    let b_free: Vec<usize> = (0..rb).filter(|i| !b_axes.contains(i)).collect();
    let contracted: usize = a_axes.iter().map(|&i| a.shape()[i]).product();
    let a_free_n: usize = a_free.iter().map(|&i| a.shape()[i]).product();
    let b_free_n: usize = b_free.iter().map(|&i| b.shape()[i]).product();

    let perm_a: Vec<usize> = a_free.iter().chain(&a_axes).copied().collect();
    let perm_b: Vec<usize> = b_axes.iter().chain(&b_free).copied().collect();
    let at = transpose(a, Some(&perm_a))?;
    let bt = transpose(b, Some(&perm_b))?;
    let a2 = reshape(&at, &[a_free_n as i64, contracted as i64])?;
    let b2 = reshape(&bt, &[contracted as i64, b_free_n as i64])?;
    let prod = matmul(&a2, &b2, false, false)?;
    let out_shape: Vec<i64> = a_free
        .iter()
        .map(|&i| a.shape()[i] as i64)
        .chain(b_free.iter().map(|&i| b.shape()[i] as i64))
        .collect();
    reshape(&prod, &out_shape)
}

/// A recorded `tf.linalg` primitive (the payload of [`Op::Linalg`]); its rules
/// live in `autodiff::linalg_rules`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinalgOp {
    /// `matrix_solve(a, b, adjoint)`: inputs `[a, b]`.
    Solve {
        /// Solve with the transpose of `a`.
        adjoint: bool,
    },
    /// `matrix_inverse(a, adjoint)`.
    Inverse {
        /// Invert the transpose.
        adjoint: bool,
    },
    /// `matrix_determinant(a)`.
    Determinant,
    /// The `log_abs_determinant` output of `log_matrix_determinant(a)`.
    LogAbsDeterminant,
    /// The `sign` output of `log_matrix_determinant(a)` (gradient zero).
    SignDeterminant,
    /// `cholesky(a)`.
    Cholesky,
    /// `matrix_triangular_solve(a, b, lower, adjoint)`: inputs `[a, b]` (batch dims
    /// already broadcast).
    TriangularSolve {
        /// Read the lower triangle of `a` (else the upper).
        lower: bool,
        /// Solve with the transpose of `a`.
        adjoint: bool,
    },
    /// `self_adjoint_eig(a)`: output the packed `[e, v]` (just `e` without
    /// `compute_v`); see `ops::decompositions`.
    Eigh {
        /// Whether the eigenvectors are outputs.
        compute_v: bool,
    },
    /// `svd(a)`: output the packed `[s, u, v]` (just `s` without `compute_uv`).
    Svd {
        /// `u` and `v` square rather than thin.
        full_matrices: bool,
        /// Whether `u` and `v` are outputs.
        compute_uv: bool,
    },
    /// `qr(a)`: output the packed `[q, r]`.
    Qr {
        /// `q` square rather than thin.
        full_matrices: bool,
    },
}

impl LinalgOp {
    /// Whether the rule reads input `i`'s values (see [`Op::needs_input`]).
    pub fn needs_input(&self, i: usize) -> bool {
        match self {
            LinalgOp::Solve { .. } | LinalgOp::TriangularSolve { .. } => i == 0,
            LinalgOp::Determinant | LinalgOp::LogAbsDeterminant => true,
            LinalgOp::Inverse { .. } | LinalgOp::SignDeterminant | LinalgOp::Cholesky => false,
            // without the vectors, the rule recomputes them from the input
            LinalgOp::Eigh { compute_v } => !compute_v,
            LinalgOp::Svd { compute_uv, .. } => !compute_uv,
            // the wide case reads the input's trailing columns
            LinalgOp::Qr { .. } => true,
        }
    }

    /// Whether the rule reads the output's values.
    pub fn needs_output(&self) -> bool {
        !matches!(
            self,
            LinalgOp::LogAbsDeterminant
                | LinalgOp::SignDeterminant
                | LinalgOp::Eigh { compute_v: false }
                | LinalgOp::Svd { compute_uv: false, .. }
        )
    }

    /// TF's op name.
    pub fn name(&self) -> &'static str {
        match self {
            LinalgOp::Solve { .. } => "MatrixSolve",
            LinalgOp::Inverse { .. } => "MatrixInverse",
            LinalgOp::Determinant => "MatrixDeterminant",
            LinalgOp::LogAbsDeterminant | LinalgOp::SignDeterminant => "LogMatrixDeterminant",
            LinalgOp::Cholesky => "Cholesky",
            LinalgOp::TriangularSolve { .. } => "MatrixTriangularSolve",
            LinalgOp::Eigh { .. } => "SelfAdjointEigV2",
            LinalgOp::Svd { .. } => "Svd",
            LinalgOp::Qr { .. } => "Qr",
        }
    }
}

/// `X` with `A X = B` for `matrix: [..., n, n]` and `rhs: [..., n, k]` (`Aᵀ X = B`
/// with `adjoint`), by LU with partial pivoting. Batch dims must be equal (TF's
/// `MatrixSolve` does not broadcast); a singular matrix is
/// [`Error::NotInvertible`].
///
/// ```
/// use tapegrad::{Tensor, ops};
/// let a = Tensor::from_vec(vec![2.0f64, 1.0, 1.0, 3.0], &[2, 2]).unwrap();
/// let b = Tensor::from_vec(vec![3.0f64, 5.0], &[2, 1]).unwrap();
/// let x = ops::matrix_solve(&a, &b, false).unwrap();
/// assert_eq!(x.as_slice::<f64>().unwrap(), &[0.8, 1.4]);
/// let singular = Tensor::from_vec(vec![1.0f64, 2.0, 2.0, 4.0], &[2, 2]).unwrap();
/// assert!(ops::matrix_solve(&singular, &b, false).is_err());
/// ```
pub fn matrix_solve(matrix: &Tensor, rhs: &Tensor, adjoint: bool) -> Result<Tensor> {
    let y = kernels::lu::solve(matrix, rhs, adjoint)?;
    record(Op::Linalg(LinalgOp::Solve { adjoint }), &[matrix, rhs], &y);
    Ok(y)
}

/// The inverse of each matrix of `x: [..., n, n]` (of its transpose with
/// `adjoint`); a singular matrix is [`Error::NotInvertible`].
///
/// ```
/// use tapegrad::{Tensor, ops};
/// let a = Tensor::from_vec(vec![4.0f32, 0.0, 0.0, 2.0], &[2, 2]).unwrap();
/// let inv = ops::matrix_inverse(&a, false).unwrap();
/// assert_eq!(inv.as_slice::<f32>().unwrap(), &[0.25, 0.0, 0.0, 0.5]);
/// ```
pub fn matrix_inverse(x: &Tensor, adjoint: bool) -> Result<Tensor> {
    let y = kernels::lu::inverse(x, adjoint)?;
    record(Op::Linalg(LinalgOp::Inverse { adjoint }), &[x], &y);
    Ok(y)
}

/// The determinant of each matrix of `x: [..., n, n]`, shape `[...]`: 0 for a
/// singular matrix, 1 for an empty one.
///
/// ```
/// use tapegrad::{Tensor, ops};
/// let a = Tensor::from_vec(vec![1.0f64, 2.0, 3.0, 4.0], &[2, 2]).unwrap();
/// let d = ops::matrix_determinant(&a).unwrap().to_scalar::<f64>().unwrap();
/// assert!((d + 2.0).abs() < 1e-12);
/// ```
pub fn matrix_determinant(x: &Tensor) -> Result<Tensor> {
    let y = kernels::lu::determinant(x)?;
    record(Op::Linalg(LinalgOp::Determinant), &[x], &y);
    Ok(y)
}

/// `(sign, log|det|)` of each matrix of `x: [..., n, n]` (TF's
/// `LogMatrixDeterminant`, `tf.linalg.slogdet`); a singular matrix gives
/// `(0, -inf)`. Only `log|det|` has a gradient (the sign's is zero).
///
/// ```
/// use tapegrad::{Tensor, ops};
/// let a = Tensor::from_vec(vec![0.0f64, 2.0, 3.0, 0.0], &[2, 2]).unwrap();
/// let (sign, logabs) = ops::log_matrix_determinant(&a).unwrap();
/// assert_eq!(sign.to_scalar::<f64>(), Some(-1.0));
/// assert!((logabs.to_scalar::<f64>().unwrap() - 6f64.ln()).abs() < 1e-12);
/// ```
pub fn log_matrix_determinant(x: &Tensor) -> Result<(Tensor, Tensor)> {
    let (sign, logabs) = kernels::lu::slogdet(x)?;
    record(Op::Linalg(LinalgOp::SignDeterminant), &[x], &sign);
    record(Op::Linalg(LinalgOp::LogAbsDeterminant), &[x], &logabs);
    Ok((sign, logabs))
}

/// The lower Cholesky factor `L` of each matrix of `x: [..., n, n]`
/// (`x = L Lᵀ`), read from `x`'s lower triangle. A matrix that is not positive
/// definite gives NaNs (as TF's CPU kernel).
///
/// ```
/// use tapegrad::{Tensor, ops};
/// let a = Tensor::from_vec(vec![4.0f64, 2.0, 2.0, 5.0], &[2, 2]).unwrap();
/// let l = ops::cholesky(&a).unwrap();
/// assert_eq!(l.as_slice::<f64>().unwrap(), &[2.0, 0.0, 1.0, 2.0]);
/// ```
pub fn cholesky(x: &Tensor) -> Result<Tensor> {
    let y = kernels::lu::cholesky(x)?;
    record(Op::Linalg(LinalgOp::Cholesky), &[x], &y);
    Ok(y)
}

/// `X` with `op(T) X = B`, `T` the `lower` (else upper) triangle of each matrix
/// of `matrix: [..., n, n]` and `op` the transpose with `adjoint`; `rhs:
/// [..., n, k]`. Batch dims broadcast (as TF 2.21's `triangular_solve`); a
/// zero on the diagonal gives inf/NaN rather than an error (as TF).
///
/// ```
/// use tapegrad::{Tensor, ops};
/// let l = Tensor::from_vec(vec![2.0f64, 0.0, 1.0, 2.0], &[2, 2]).unwrap();
/// let b = Tensor::from_vec(vec![2.0f64, 5.0], &[2, 1]).unwrap();
/// let x = ops::matrix_triangular_solve(&l, &b, true, false).unwrap();
/// assert_eq!(x.as_slice::<f64>().unwrap(), &[1.0, 2.0]);
/// ```
pub fn matrix_triangular_solve(matrix: &Tensor, rhs: &Tensor, lower: bool, adjoint: bool) -> Result<Tensor> {
    const OP: &str = "MatrixTriangularSolve";
    let (ra, rb) = (matrix.rank(), rhs.rank());
    if ra < 2 || rb < 2 {
        return Err(Error::shape(
            OP,
            format!(
                "matrix and rhs must have rank >= 2; got shapes {:?} and {:?}",
                matrix.shape(),
                rhs.shape()
            ),
        ));
    }
    let batch = broadcast_shapes(OP, &matrix.shape()[..ra - 2], &rhs.shape()[..rb - 2]).map_err(|_| {
        Error::shape(
            OP,
            format!(
                "In[0] and In[1] must have compatible batch dimensions: {:?} vs. {:?}",
                matrix.shape(),
                rhs.shape()
            ),
        )
    })?;
    let widen = |t: &Tensor, r: usize| -> Result<Tensor> {
        let mut shape: Shape = batch.clone();
        shape.extend_from_slice(&t.shape()[r - 2..]);
        if t.shape() == &shape[..] { Ok(t.clone()) } else { crate::ops::broadcast_to(t, &shape) }
    };
    let (a, b) = (widen(matrix, ra)?, widen(rhs, rb)?);
    let y = kernels::lu::triangular_solve(&a, &b, lower, adjoint)?;
    record(Op::Linalg(LinalgOp::TriangularSolve { lower, adjoint }), &[&a, &b], &y);
    Ok(y)
}

/// The diagonal of each matrix of `x: [..., n, n]`, shape `[..., n]` (differentiable:
/// a reshape and a strided slice).
///
/// ```
/// use tapegrad::{Tensor, ops};
/// let a = Tensor::from_vec(vec![1.0f32, 2.0, 3.0, 4.0], &[2, 2]).unwrap();
/// assert_eq!(ops::matrix_diag_part(&a).unwrap().as_slice::<f32>().unwrap(), &[1.0, 4.0]);
/// ```
pub fn matrix_diag_part(x: &Tensor) -> Result<Tensor> {
    const OP: &str = "MatrixDiagPart";
    let r = x.rank();
    if r < 2 || x.shape()[r - 1] != x.shape()[r - 2] {
        return Err(Error::shape(
            OP,
            format!("needs square matrices [..., n, n]; got shape {:?}", x.shape()),
        ));
    }
    let n = x.shape()[r - 1];
    let mut flat: Vec<i64> = x.shape()[..r - 2].iter().map(|&d| d as i64).collect();
    flat.push((n * n) as i64);
    let f = reshape(x, &flat)?;
    let items = [IndexItem::Ellipsis, IndexItem::Slice { start: None, stop: None, step: Some(n as i64 + 1) }];
    crate::ops::strided_slice(&f, &items)
}

/// `log(det(x))` of positive-definite matrices `x: [..., n, n]`, computed as TF's
/// `tf.linalg.logdet`: `2 · Σ log(diag(cholesky(x)))` (NaN if `x` is not
/// positive definite; only `x`'s lower triangle is read).
///
/// ```
/// use tapegrad::{Tensor, ops};
/// let a = Tensor::from_vec(vec![4.0f64, 2.0, 2.0, 5.0], &[2, 2]).unwrap();
/// let ld = ops::logdet(&a).unwrap().to_scalar::<f64>().unwrap();
/// assert!((ld - 16f64.ln()).abs() < 1e-12);
/// ```
pub fn logdet(x: &Tensor) -> Result<Tensor> {
    let chol = cholesky(x)?;
    let logs = crate::ops::log(&matrix_diag_part(&chol)?)?;
    let s = crate::ops::reduce_sum(&logs, Some(&[-1]), false)?;
    crate::ops::mul(&s, &crate::ops::scalar(2.0, x.dtype()))
}

/// An `n x n` constant (no tape) of `dtype` with `f(i, j)` at `(i, j)`.
pub(crate) fn matrix_constant(n: usize, dtype: DType, f: impl Fn(usize, usize) -> f64) -> Result<Tensor> {
    let v: Vec<f64> = (0..n * n).map(|p| f(p / n, p % n)).collect();
    kernels::cast(&Tensor::from_vec(v, &[n, n])?, dtype)
}

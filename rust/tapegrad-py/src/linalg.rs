//! `tf.linalg`'s dense solvers and decompositions: solve, inverse, determinants,
//! Cholesky, triangular solves, eigh, svd, qr, lu, expm, and the structural ops
//! (band part, diagonals, trace). Each parses TF's argument names and calls one
//! core op (`tapegrad::ops::*`); no math happens here.

use pyo3::prelude::*;
use tapegrad::{Tensor, ops};

use crate::convert::to_tensor;
use crate::errors::IntoPy;
use crate::tensor::PyTensor;

type Obj<'py> = Bound<'py, PyAny>;

/// `matrix` and `rhs` as tensors; a non-tensor `rhs` takes `matrix`'s dtype.
fn operands(matrix: &Obj<'_>, rhs: &Obj<'_>) -> PyResult<(Tensor, Tensor)> {
    let a = to_tensor(matrix, None)?;
    let b = to_tensor(rhs, Some(a.dtype()))?;
    Ok((a, b))
}

/// Work (about n³ per matrix) that decides whether the GIL is released.
fn work(t: &Tensor) -> usize {
    let n = t.shape().last().copied().unwrap_or(1);
    t.numel().saturating_mul(n)
}

/// `X` with `matrix @ X = rhs` (`adjoint`: `matrix^T @ X = rhs`), TF's `MatrixSolve`.
#[pyfunction]
#[pyo3(signature = (matrix, rhs, adjoint=false, name=None))]
pub fn matrix_solve(
    matrix: &Obj<'_>,
    rhs: &Obj<'_>,
    adjoint: bool,
    name: Option<&str>,
) -> PyResult<PyTensor> {
    let _ = name;
    let (a, b) = operands(matrix, rhs)?;
    let w = work(&a);
    Ok(PyTensor::new(crate::gil::compute(matrix.py(), w, || ops::matrix_solve(&a, &b, adjoint)).py()?))
}

/// The inverse of each matrix (of its transpose with `adjoint`), TF's `MatrixInverse`.
#[pyfunction]
#[pyo3(signature = (input, adjoint=false, name=None))]
pub fn matrix_inverse(input: &Obj<'_>, adjoint: bool, name: Option<&str>) -> PyResult<PyTensor> {
    let _ = name;
    let x = to_tensor(input, None)?;
    let w = work(&x);
    Ok(PyTensor::new(crate::gil::compute(input.py(), w, || ops::matrix_inverse(&x, adjoint)).py()?))
}

/// The determinant of each matrix, TF's `MatrixDeterminant`.
#[pyfunction]
#[pyo3(signature = (input, name=None))]
pub fn matrix_determinant(input: &Obj<'_>, name: Option<&str>) -> PyResult<PyTensor> {
    let _ = name;
    let x = to_tensor(input, None)?;
    let w = work(&x);
    Ok(PyTensor::new(crate::gil::compute(input.py(), w, || ops::matrix_determinant(&x)).py()?))
}

/// `(sign, log_abs_determinant)` of each matrix, TF's `LogMatrixDeterminant`.
#[pyfunction]
#[pyo3(signature = (input, name=None))]
pub fn log_matrix_determinant(input: &Obj<'_>, name: Option<&str>) -> PyResult<(PyTensor, PyTensor)> {
    let _ = name;
    let x = to_tensor(input, None)?;
    let w = work(&x);
    let (s, l) = crate::gil::compute(input.py(), w, || ops::log_matrix_determinant(&x)).py()?;
    Ok((PyTensor::new(s), PyTensor::new(l)))
}

/// `log(det(matrix))` of positive-definite matrices, via Cholesky (TF's `logdet`).
#[pyfunction]
#[pyo3(signature = (matrix, name=None))]
pub fn logdet(matrix: &Obj<'_>, name: Option<&str>) -> PyResult<PyTensor> {
    let _ = name;
    let x = to_tensor(matrix, None)?;
    let w = work(&x);
    Ok(PyTensor::new(crate::gil::compute(matrix.py(), w, || ops::logdet(&x)).py()?))
}

/// The lower Cholesky factor of each matrix, TF's `Cholesky`.
#[pyfunction]
#[pyo3(signature = (input, name=None))]
pub fn cholesky(input: &Obj<'_>, name: Option<&str>) -> PyResult<PyTensor> {
    let _ = name;
    let x = to_tensor(input, None)?;
    let w = work(&x);
    Ok(PyTensor::new(crate::gil::compute(input.py(), w, || ops::cholesky(&x)).py()?))
}

/// `X` with `tri(matrix) @ X = rhs`, batch dims broadcast, TF's `triangular_solve`.
#[pyfunction]
#[pyo3(signature = (matrix, rhs, lower=true, adjoint=false, name=None))]
pub fn matrix_triangular_solve(
    matrix: &Obj<'_>,
    rhs: &Obj<'_>,
    lower: bool,
    adjoint: bool,
    name: Option<&str>,
) -> PyResult<PyTensor> {
    let _ = name;
    let (a, b) = operands(matrix, rhs)?;
    let w = work(&b).max(work(&a));
    Ok(PyTensor::new(
        crate::gil::compute(matrix.py(), w, || ops::matrix_triangular_solve(&a, &b, lower, adjoint)).py()?,
    ))
}

/// Eigenvalues and eigenvectors `(e, v)` of self-adjoint matrices, TF's `eigh`.
#[pyfunction]
#[pyo3(signature = (tensor, name=None))]
pub fn self_adjoint_eig(tensor: &Obj<'_>, name: Option<&str>) -> PyResult<(PyTensor, PyTensor)> {
    let _ = name;
    let x = to_tensor(tensor, None)?;
    let w = work(&x);
    let (e, v) = crate::gil::compute(tensor.py(), w, || ops::self_adjoint_eig(&x)).py()?;
    Ok((PyTensor::new(e), PyTensor::new(v)))
}

/// Eigenvalues of self-adjoint matrices, ascending, TF's `eigvalsh`.
#[pyfunction]
#[pyo3(signature = (tensor, name=None))]
pub fn self_adjoint_eigvals(tensor: &Obj<'_>, name: Option<&str>) -> PyResult<PyTensor> {
    let _ = name;
    let x = to_tensor(tensor, None)?;
    let w = work(&x);
    Ok(PyTensor::new(crate::gil::compute(tensor.py(), w, || ops::self_adjoint_eigvals(&x)).py()?))
}

/// TF's `svd`: `s` alone, or `(s, u, v)` with `compute_uv`.
#[pyfunction]
#[pyo3(signature = (tensor, full_matrices=false, compute_uv=true, name=None))]
pub fn svd<'py>(
    tensor: &Obj<'py>,
    full_matrices: bool,
    compute_uv: bool,
    name: Option<&str>,
) -> PyResult<Bound<'py, PyAny>> {
    let _ = name;
    let py = tensor.py();
    let x = to_tensor(tensor, None)?;
    let w = work(&x);
    let (s, uv) = crate::gil::compute(py, w, || ops::svd(&x, full_matrices, compute_uv)).py()?;
    match uv {
        Some((u, v)) => {
            (PyTensor::new(s), PyTensor::new(u), PyTensor::new(v)).into_pyobject(py).map(|t| t.into_any())
        }
        None => PyTensor::new(s).into_pyobject(py).map(|t| t.into_any()),
    }
}

/// TF's `qr`: `(q, r)`.
#[pyfunction]
#[pyo3(signature = (input, full_matrices=false, name=None))]
pub fn qr(input: &Obj<'_>, full_matrices: bool, name: Option<&str>) -> PyResult<(PyTensor, PyTensor)> {
    let _ = name;
    let x = to_tensor(input, None)?;
    let w = work(&x);
    let (q, r) = crate::gil::compute(input.py(), w, || ops::qr(&x, full_matrices)).py()?;
    Ok((PyTensor::new(q), PyTensor::new(r)))
}

/// TF's `lu`: `(lu, p)`, the packed factors and the row permutation.
#[pyfunction]
#[pyo3(signature = (input, output_idx_type=None, name=None))]
pub fn lu(
    input: &Obj<'_>,
    output_idx_type: Option<&Obj<'_>>,
    name: Option<&str>,
) -> PyResult<(PyTensor, PyTensor)> {
    let _ = name;
    let x = to_tensor(input, None)?;
    let idx = match output_idx_type {
        Some(d) if !d.is_none() => crate::dtype::parse_dtype(d)?,
        _ => tapegrad::DType::I32,
    };
    let w = work(&x);
    let (l, p) = crate::gil::compute(input.py(), w, || ops::lu(&x, idx)).py()?;
    Ok((PyTensor::new(l), PyTensor::new(p)))
}

/// The matrix exponential, TF's `expm`.
#[pyfunction]
#[pyo3(signature = (input, name=None))]
pub fn matrix_exponential(input: &Obj<'_>, name: Option<&str>) -> PyResult<PyTensor> {
    let _ = name;
    let x = to_tensor(input, None)?;
    let w = work(&x);
    Ok(PyTensor::new(crate::gil::compute(input.py(), w, || ops::matrix_exponential(&x)).py()?))
}

/// TF's `matrix_band_part(input, num_lower, num_upper)`.
#[pyfunction]
#[pyo3(signature = (input, num_lower, num_upper, name=None))]
pub fn matrix_band_part(
    input: &Obj<'_>,
    num_lower: i64,
    num_upper: i64,
    name: Option<&str>,
) -> PyResult<PyTensor> {
    let _ = name;
    let x = to_tensor(input, None)?;
    Ok(PyTensor::new(ops::matrix_band_part(&x, num_lower, num_upper).py()?))
}

/// `[..., n]` diagonals to `[..., n, n]` diagonal matrices (TF's `matrix_diag`, `k = 0`).
#[pyfunction]
#[pyo3(signature = (diagonal, name=None))]
pub fn matrix_diag(diagonal: &Obj<'_>, name: Option<&str>) -> PyResult<PyTensor> {
    let _ = name;
    let d = to_tensor(diagonal, None)?;
    Ok(PyTensor::new(ops::matrix_diag(&d).py()?))
}

/// The main diagonal of each (possibly rectangular) matrix (TF's `matrix_diag_part`, `k = 0`).
#[pyfunction]
#[pyo3(signature = (input, name=None))]
pub fn matrix_diag_part(input: &Obj<'_>, name: Option<&str>) -> PyResult<PyTensor> {
    let _ = name;
    let x = to_tensor(input, None)?;
    Ok(PyTensor::new(ops::matrix_diag_part_rect(&x).py()?))
}

/// Each matrix with its main diagonal replaced (TF's `matrix_set_diag`, `k = 0`).
#[pyfunction]
#[pyo3(signature = (input, diagonal, name=None))]
pub fn matrix_set_diag(input: &Obj<'_>, diagonal: &Obj<'_>, name: Option<&str>) -> PyResult<PyTensor> {
    let _ = name;
    let (x, d) = operands(input, diagonal)?;
    Ok(PyTensor::new(ops::matrix_set_diag(&x, &d).py()?))
}

/// The sum of each matrix's main diagonal (TF's `trace`).
#[pyfunction]
#[pyo3(signature = (x, name=None))]
pub fn trace(x: &Obj<'_>, name: Option<&str>) -> PyResult<PyTensor> {
    let _ = name;
    let t = to_tensor(x, None)?;
    Ok(PyTensor::new(ops::trace(&t).py()?))
}

/// Adds this module's functions to `_core`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(matrix_solve, m)?)?;
    m.add_function(wrap_pyfunction!(matrix_inverse, m)?)?;
    m.add_function(wrap_pyfunction!(matrix_determinant, m)?)?;
    m.add_function(wrap_pyfunction!(log_matrix_determinant, m)?)?;
    m.add_function(wrap_pyfunction!(logdet, m)?)?;
    m.add_function(wrap_pyfunction!(cholesky, m)?)?;
    m.add_function(wrap_pyfunction!(matrix_triangular_solve, m)?)?;
    m.add_function(wrap_pyfunction!(self_adjoint_eig, m)?)?;
    m.add_function(wrap_pyfunction!(self_adjoint_eigvals, m)?)?;
    m.add_function(wrap_pyfunction!(svd, m)?)?;
    m.add_function(wrap_pyfunction!(qr, m)?)?;
    m.add_function(wrap_pyfunction!(lu, m)?)?;
    m.add_function(wrap_pyfunction!(matrix_exponential, m)?)?;
    m.add_function(wrap_pyfunction!(matrix_band_part, m)?)?;
    m.add_function(wrap_pyfunction!(matrix_diag, m)?)?;
    m.add_function(wrap_pyfunction!(matrix_diag_part, m)?)?;
    m.add_function(wrap_pyfunction!(matrix_set_diag, m)?)?;
    m.add_function(wrap_pyfunction!(trace, m)?)?;
    Ok(())
}

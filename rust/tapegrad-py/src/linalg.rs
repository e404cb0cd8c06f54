//! `tf.linalg`'s dense solvers and decompositions: solve, inverse, determinants,
//! Cholesky, triangular solves. Each parses TF's argument names and calls one
//! core op (`tapegrad::ops::matrix_*`); no math happens here.

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

/// Adds this module's functions to `_core`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(matrix_solve, m)?)?;
    m.add_function(wrap_pyfunction!(matrix_inverse, m)?)?;
    m.add_function(wrap_pyfunction!(matrix_determinant, m)?)?;
    m.add_function(wrap_pyfunction!(log_matrix_determinant, m)?)?;
    m.add_function(wrap_pyfunction!(logdet, m)?)?;
    m.add_function(wrap_pyfunction!(cholesky, m)?)?;
    m.add_function(wrap_pyfunction!(matrix_triangular_solve, m)?)?;
    Ok(())
}

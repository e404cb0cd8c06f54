//! `tf.custom_gradient`'s Rust half: a Python callable as the core's
//! [`CustomGradient`], and the variable watcher the decorator runs `f` under.
//! The decorator itself (argument flattening, TF's checks and messages) is
//! `tapegrad/custom_gradient.py`.

use std::sync::Arc;

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use tapegrad::autodiff::{CustomGradient, VariableWatcher, custom};
use tapegrad::error::SharedError;
use tapegrad::{Error, Tensor};

use crate::convert::to_tensor;
use crate::tensor::PyTensor;
use crate::variable::PyVariable;

/// A Python gradient function: called with one upstream tensor per output,
/// it returns a sequence with one tensor (or None) per input.
#[derive(Debug)]
struct PyGradFn {
    name: String,
    f: Py<PyAny>,
}

/// Reports the Python function behind a custom gradient to the garbage
/// collector (`Tape.__traverse__`), if `g` is one of ours.
pub(crate) fn visit_grad_fn(
    g: &dyn CustomGradient,
    visit: &pyo3::PyVisit<'_>,
) -> Result<(), pyo3::PyTraverseError> {
    match g.as_any().and_then(|a| a.downcast_ref::<PyGradFn>()) {
        Some(f) => visit.call(&f.f),
        None => Ok(()),
    }
}

impl PyGradFn {
    fn call(&self, py: Python<'_>, upstream: &[Tensor]) -> PyResult<Vec<Option<Tensor>>> {
        let args =
            upstream.iter().map(|t| Py::new(py, PyTensor::new(t.clone()))).collect::<PyResult<Vec<_>>>()?;
        let out = self.f.bind(py).call1(PyTuple::new(py, args)?)?;
        let items: Vec<Bound<'_, PyAny>> = out
            .try_iter()
            .map_err(|_| {
                PyTypeError::new_err("a custom gradient function must return a sequence of gradients")
            })?
            .collect::<PyResult<_>>()?;
        items.iter().map(|g| if g.is_none() { Ok(None) } else { to_tensor(g, None).map(Some) }).collect()
    }
}

impl CustomGradient for PyGradFn {
    fn vjp(&self, upstream: &[Tensor]) -> tapegrad::Result<Vec<Option<Tensor>>> {
        // The backward pass may run with the GIL released (`gil::compute`);
        // `attach` takes it back on this same thread, whose tapes the callback's
        // ops must be recorded on. The exception travels back untouched inside
        // the typed error, and `errors::to_pyerr` re-raises it.
        Python::attach(|py| self.call(py, upstream))
            .map_err(|e| Error::CustomGradientFailed { name: self.name.clone(), source: SharedError::new(e) })
    }

    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
}

/// Records `outputs = f(inputs)` on the active tapes with `grad_fn` as its
/// gradient; returns the outputs under fresh ids (TF's identities).
#[pyfunction]
pub fn record_custom_gradient(
    py: Python<'_>,
    name: String,
    inputs: Vec<Bound<'_, PyAny>>,
    outputs: Vec<Bound<'_, PyAny>>,
    grad_fn: Py<PyAny>,
) -> PyResult<Vec<Py<PyTensor>>> {
    let inputs: Vec<Tensor> = inputs.iter().map(|t| to_tensor(t, None)).collect::<PyResult<_>>()?;
    let outputs: Vec<Tensor> = outputs.iter().map(|t| to_tensor(t, None)).collect::<PyResult<_>>()?;
    let input_refs: Vec<&Tensor> = inputs.iter().collect();
    let grad = Arc::new(PyGradFn { name: name.clone(), f: grad_fn });
    custom::record(name, &input_refs, &outputs, grad)
        .into_iter()
        .map(|t| Py::new(py, PyTensor::new(t)))
        .collect()
}

/// Calls `f(*args, **kwargs)` and returns its result with the trainable
/// variables it read, in first-read order (TF's `VariableWatcher`).
#[pyfunction]
#[pyo3(signature = (f, args, kwargs=None))]
pub fn call_watching_variables<'py>(
    f: &Bound<'py, PyAny>,
    args: &Bound<'py, PyTuple>,
    kwargs: Option<&Bound<'py, PyDict>>,
) -> PyResult<(Bound<'py, PyAny>, Vec<PyVariable>)> {
    // Dropped (unregistered) on every path out, exceptions included.
    let watcher = VariableWatcher::new();
    let out = f.call(args, kwargs)?;
    let vars = watcher.watched_variables().into_iter().map(|var| PyVariable { var }).collect();
    Ok((out, vars))
}

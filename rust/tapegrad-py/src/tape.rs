//! `_core.Tape`: the core `GradientTape`, driven by the Python context manager
//! in `tapegrad/tape.py` (which handles nested structures and warnings).

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use tapegrad::Tensor;
use tapegrad::autodiff::{GradientTape, Source, SourceGradient, Unconnected};

use crate::convert::to_tensor;
use crate::errors::{IntoPy, type_error};
use crate::tensor::PyTensor;
use crate::variable::PyVariable;

/// The Rust tape behind `tapegrad.GradientTape`.
#[pyclass(name = "Tape", module = "tapegrad._core")]
pub struct PyTape {
    tape: GradientTape,
}

#[pymethods]
impl PyTape {
    /// Garbage-collector support: the Python gradient functions this tape's
    /// custom-gradient nodes hold (they may close over the tape itself).
    fn __traverse__(&self, visit: pyo3::PyVisit<'_>) -> Result<(), pyo3::PyTraverseError> {
        let mut out = Ok(());
        self.tape.for_each_owned_custom_gradient(|g| {
            if out.is_ok() {
                out = crate::custom::visit_grad_fn(g, &visit);
            }
        });
        out
    }

    /// Breaks a reference cycle through this tape by dropping what it recorded.
    fn __clear__(&mut self) {
        self.tape.clear_recorded();
    }

    #[new]
    #[pyo3(signature = (persistent=false, watch_accessed_variables=true))]
    fn new(persistent: bool, watch_accessed_variables: bool) -> PyTape {
        PyTape { tape: GradientTape::new(persistent, watch_accessed_variables) }
    }

    /// Starts recording.
    fn push(&self) -> PyResult<()> {
        self.tape.push().py()
    }

    /// Stops recording.
    fn pop(&self) {
        self.tape.pop()
    }

    /// True while recording.
    #[getter]
    fn is_active(&self) -> bool {
        self.tape.is_active()
    }

    /// Watches one tensor or variable; False if its dtype is not float (nothing watched).
    fn watch(&self, x: &Bound<'_, PyAny>) -> PyResult<bool> {
        if let Ok(v) = x.cast::<PyVariable>() {
            return Ok(self.tape.watch_variable(&v.get().var));
        }
        if let Ok(t) = x.cast::<PyTensor>() {
            return Ok(self.tape.watch(&t.borrow().t));
        }
        Err(type_error("GradientTape.watch takes Tensors and Variables (or nested structures of them)", x))
    }

    /// Gradients of the sum of `targets` with respect to each of `sources`.
    #[pyo3(signature = (targets, sources, output_gradients=None, unconnected_zero=false))]
    fn gradient(
        &self,
        py: Python<'_>,
        targets: Vec<Bound<'_, PyAny>>,
        sources: Vec<Bound<'_, PyAny>>,
        output_gradients: Option<Vec<Bound<'_, PyAny>>>,
        unconnected_zero: bool,
    ) -> PyResult<Vec<Option<Py<PyTensor>>>> {
        let mut passes = self.passes(py, &targets, &sources, &[output_gradients], unconnected_zero)?;
        passes.pop().ok_or_else(|| {
            pyo3::exceptions::PyRuntimeError::new_err("GradientTape.gradient: no backward pass ran")
        })
    }

    /// `gradient`, except that a source used only through gathers along axis 0
    /// gets `(values, indices, dense_shape)` (TF's `IndexedSlices`, built by
    /// `tape.py`) instead of a dense tensor.
    #[pyo3(signature = (targets, sources, output_gradients=None, unconnected_zero=false))]
    fn gradient_slices(
        &self,
        py: Python<'_>,
        targets: Vec<Bound<'_, PyAny>>,
        sources: Vec<Bound<'_, PyAny>>,
        output_gradients: Option<Vec<Bound<'_, PyAny>>>,
        unconnected_zero: bool,
    ) -> PyResult<Vec<Option<Py<PyAny>>>> {
        let targets = targets_of(&targets)?;
        let sources = sources_of(&sources)?;
        let og = output_gradients.as_deref().map(|v| output_gradients_of(v, &targets)).transpose()?;
        let unconnected = if unconnected_zero { Unconnected::Zero } else { Unconnected::None };
        let work = targets.iter().map(|t| t.value().numel()).sum::<usize>().max(self.tape.recorded_elems());
        let tape = &self.tape;
        let grads = crate::gil::compute(py, work, || {
            tape.gradient_slices(&targets, &sources, og.as_deref(), unconnected)
        })
        .py()?;
        grads
            .into_iter()
            .map(|g| {
                g.map(|g| -> PyResult<Py<PyAny>> {
                    Ok(match g {
                        SourceGradient::Dense(t) => Py::new(py, PyTensor::new(t))?.into_any(),
                        SourceGradient::Slices(s) => {
                            let values = Py::new(py, PyTensor::new(s.values))?;
                            let indices = Py::new(py, PyTensor::new(s.indices))?;
                            (values, indices, s.dense_shape).into_pyobject(py)?.into_any().unbind()
                        }
                    })
                })
                .transpose()
            })
            .collect()
    }

    /// One backward pass per entry of `output_gradients` (a list per pass, one
    /// entry per target), over one snapshot: a non-persistent tape allows it once.
    #[pyo3(signature = (targets, sources, output_gradients, unconnected_zero=false))]
    fn gradients(
        &self,
        py: Python<'_>,
        targets: Vec<Bound<'_, PyAny>>,
        sources: Vec<Bound<'_, PyAny>>,
        output_gradients: Vec<Vec<Bound<'_, PyAny>>>,
        unconnected_zero: bool,
    ) -> PyResult<Vec<Vec<Option<Py<PyTensor>>>>> {
        let og: Vec<_> = output_gradients.into_iter().map(Some).collect();
        self.passes(py, &targets, &sources, &og, unconnected_zero)
    }

    /// The variables watched, in the order they were first watched.
    fn watched_variables(&self) -> PyResult<Vec<PyVariable>> {
        Ok(self.tape.watched_variables().py()?.into_iter().map(|var| PyVariable { var }).collect())
    }

    /// Pauses recording (TF's `stop_recording`).
    fn pause(&self) -> PyResult<()> {
        self.tape.pause().py()
    }

    /// Resumes recording.
    fn resume(&self) -> PyResult<()> {
        self.tape.resume().py()
    }

    /// Forgets everything recorded.
    fn reset(&self) -> PyResult<()> {
        self.tape.reset().py()
    }
}

/// Targets as tensors (a variable target is its current value, unrecorded).
impl PyTape {
    /// What `gradient` and `gradients` share: converts the arguments, runs one
    /// backward pass per entry of `output_gradients` (`None` = ones) over one
    /// snapshot, without the GIL once the graph holds real work.
    fn passes(
        &self,
        py: Python<'_>,
        targets: &[Bound<'_, PyAny>],
        sources: &[Bound<'_, PyAny>],
        output_gradients: &[Option<Vec<Bound<'_, PyAny>>>],
        unconnected_zero: bool,
    ) -> PyResult<Vec<Vec<Option<Py<PyTensor>>>>> {
        let targets = targets_of(targets)?;
        let sources = sources_of(sources)?;
        let og = output_gradients
            .iter()
            .map(|v| v.as_deref().map(|v| output_gradients_of(v, &targets)).transpose())
            .collect::<PyResult<Vec<_>>>()?;
        let og_refs: Vec<Option<&[Option<Tensor>]>> = og.iter().map(Option::as_deref).collect();
        let unconnected = if unconnected_zero { Unconnected::Zero } else { Unconnected::None };
        let work: usize = og.len()
            * targets.iter().map(|t| t.value().numel()).sum::<usize>().max(self.tape.recorded_elems());
        let tape = &self.tape;
        let passes =
            crate::gil::compute(py, work, || tape.gradients_with(&targets, &sources, &og_refs, unconnected))
                .py()?;
        passes
            .into_iter()
            .map(|grads| {
                grads.into_iter().map(|g| g.map(|g| Py::new(py, PyTensor::new(g))).transpose()).collect()
            })
            .collect()
    }
}

/// Targets as sources: a variable target stands for its handle, as in TF.
fn targets_of(targets: &[Bound<'_, PyAny>]) -> PyResult<Vec<Source>> {
    targets
        .iter()
        .map(|t| match t.cast::<PyVariable>() {
            Ok(v) => Ok(Source::Variable(v.get().var.clone())),
            Err(_) => to_tensor(t, None).map(Source::Tensor),
        })
        .collect()
}

fn sources_of(sources: &[Bound<'_, PyAny>]) -> PyResult<Vec<Source>> {
    sources
        .iter()
        .map(|s| {
            if let Ok(v) = s.cast::<PyVariable>() {
                Ok(Source::Variable(v.get().var.clone()))
            } else if let Ok(t) = s.cast::<PyTensor>() {
                Ok(Source::Tensor(t.borrow().t.clone()))
            } else {
                Err(PyTypeError::new_err(format!(
                    "GradientTape.gradient: sources must be Tensors or Variables, got {}",
                    s.get_type().name().map(|n| n.to_string()).unwrap_or_default()
                )))
            }
        })
        .collect()
}

/// One output gradient per target (None: ones), converted to the target's dtype.
fn output_gradients_of(og: &[Bound<'_, PyAny>], targets: &[Source]) -> PyResult<Vec<Option<Tensor>>> {
    og.iter()
        .zip(targets)
        .map(|(g, t)| if g.is_none() { Ok(None) } else { to_tensor(g, Some(t.value().dtype())).map(Some) })
        .collect()
}

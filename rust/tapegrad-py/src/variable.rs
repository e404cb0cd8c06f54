//! `tapegrad.Variable`: a named, mutable handle whose reads tapes watch.

use pyo3::exceptions::{PyIndexError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use tapegrad::kernels::BinaryKind;
use tapegrad::{Error, Tensor, Variable, ops};

use crate::convert::{to_tensor, to_tensor_as};
use crate::dtype::parse_dtype;
use crate::errors::IntoPy;
use crate::tensor::{HasTensor, PyTensor, numpy_text, shape_text, tensor_like_methods};

/// TF's `tf.Variable`: `Variable(initial_value, trainable=True, name=None, dtype=None)`.
#[pyclass(name = "Variable", module = "tapegrad", frozen, weakref, subclass)]
pub struct PyVariable {
    pub var: Variable,
}

impl HasTensor for PyVariable {
    fn tensor(&self) -> Tensor {
        self.var.read()
    }
    fn peek(&self) -> Tensor {
        self.var.value()
    }
}

#[pymethods]
impl PyVariable {
    #[new]
    #[pyo3(signature = (initial_value=None, trainable=true, name=None, dtype=None, shape=None, **_kwargs))]
    fn py_new(
        initial_value: Option<&Bound<'_, PyAny>>,
        trainable: Option<bool>,
        name: Option<String>,
        dtype: Option<&Bound<'_, PyAny>>,
        shape: Option<&Bound<'_, PyAny>>,
        _kwargs: Option<&Bound<'_, pyo3::types::PyDict>>,
    ) -> PyResult<PyVariable> {
        let _ = shape;
        let Some(init) = initial_value else {
            return Err(pyo3::exceptions::PyValueError::new_err("initial_value must be specified"));
        };
        // TF accepts a callable initial value.
        let init =
            if init.is_callable() && init.cast::<PyTensor>().is_err() { init.call0()? } else { init.clone() };
        let t = match dtype {
            Some(d) if !d.is_none() => to_tensor_as(&init, parse_dtype(d)?)?,
            _ => match init.cast::<PyVariable>() {
                Ok(v) => v.get().var.value(),
                Err(_) => to_tensor(&init, None)?,
            },
        };
        let name = name.unwrap_or_else(|| "Variable".to_string());
        Ok(PyVariable { var: Variable::new(t, name, trainable.unwrap_or(true)) })
    }

    /// TF's full name: `'<name>:0'`.
    #[getter]
    fn name(&self) -> String {
        format!("{}:0", self.var.name())
    }

    /// Whether tapes watch it automatically.
    #[getter]
    fn trainable(&self) -> bool {
        self.var.trainable()
    }

    /// The current value as a Tensor (a read: recorded on watching tapes).
    fn read_value(&self) -> PyTensor {
        PyTensor::new(self.var.read())
    }

    /// The current value as a Tensor (a read: recorded on watching tapes).
    fn value(&self) -> PyTensor {
        PyTensor::new(self.var.read())
    }

    /// Replaces the value (same dtype and shape); returns the variable.
    #[pyo3(signature = (value, use_locking=false, name=None, read_value=true))]
    fn assign<'py>(
        slf: &Bound<'py, Self>,
        value: &Bound<'py, PyAny>,
        use_locking: bool,
        name: Option<&str>,
        read_value: bool,
    ) -> PyResult<Bound<'py, Self>> {
        let _ = (use_locking, name, read_value);
        let var = &slf.get().var;
        let t = to_tensor(value, Some(var.dtype()))?;
        var.assign(&t).py()?;
        Ok(slf.clone())
    }

    /// Adds to the value in place (not recorded); returns the variable.
    #[pyo3(signature = (delta, use_locking=false, name=None, read_value=true))]
    fn assign_add<'py>(
        slf: &Bound<'py, Self>,
        delta: &Bound<'py, PyAny>,
        use_locking: bool,
        name: Option<&str>,
        read_value: bool,
    ) -> PyResult<Bound<'py, Self>> {
        let _ = (use_locking, name, read_value);
        update(slf, delta, Variable::assign_add)
    }

    /// Subtracts from the value in place (not recorded); returns the variable.
    #[pyo3(signature = (delta, use_locking=false, name=None, read_value=true))]
    fn assign_sub<'py>(
        slf: &Bound<'py, Self>,
        delta: &Bound<'py, PyAny>,
        use_locking: bool,
        name: Option<&str>,
        read_value: bool,
    ) -> PyResult<Bound<'py, Self>> {
        let _ = (use_locking, name, read_value);
        update(slf, delta, Variable::assign_sub)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let t = self.var.value();
        Ok(format!(
            "<tapegrad.Variable '{}' shape={} dtype={}, numpy={}>",
            self.name(),
            shape_text(t.shape()),
            t.dtype(),
            numpy_text(py, &t, true)?
        ))
    }

    fn __str__(&self, py: Python<'_>) -> PyResult<String> {
        self.__repr__(py)
    }

    /// A unique id for the variable.
    #[getter]
    fn _id(&self) -> u64 {
        self.var.id().0
    }
}

/// Converts `delta` to the variable's dtype and applies `f` (assign_add/sub).
fn update<'py>(
    slf: &Bound<'py, PyVariable>,
    delta: &Bound<'py, PyAny>,
    f: fn(&Variable, &Tensor) -> tapegrad::Result<()>,
) -> PyResult<Bound<'py, PyVariable>> {
    let var = &slf.get().var;
    let delta = to_tensor(delta, Some(var.dtype()))?;
    crate::gil::compute(slf.py(), delta.numel(), || f(var, &delta)).py()?;
    Ok(slf.clone())
}

tensor_like_methods!(PyVariable);

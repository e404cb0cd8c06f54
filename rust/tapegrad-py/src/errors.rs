//! Maps the core's typed errors onto Python exceptions.
//!
//! The `match` is exhaustive on purpose (polars' `error.rs`): a new core error
//! variant breaks this build until someone decides which Python exception it is.

use pyo3::exceptions::{PyException, PyMemoryError, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::{PyErr, create_exception};
use tapegrad::Error;

// Registered under its public module, so reprs and tracebacks say
// `tapegrad.errors.InvalidArgumentError` (the class is re-exported there).
create_exception!(
    tapegrad.errors,
    InvalidArgumentError,
    PyValueError,
    "An op got an argument it cannot use: a shape, dtype, axis or value (TF's InvalidArgumentError)."
);

create_exception!(
    _core,
    ResourceExhaustedError,
    PyMemoryError,
    "Memory for a result could not be allocated (TF's ResourceExhaustedError; also a MemoryError)."
);

create_exception!(
    _core,
    InternalError,
    PyException,
    "A bug inside tapegrad (a Rust panic caught at the binding); the message names the op. Please report it."
);

/// Converts a core error into the Python exception a TF user would expect.
pub fn to_pyerr(e: Error) -> PyErr {
    let msg = e.to_string();
    match e {
        Error::IncompatibleShapes { .. }
        | Error::InvalidShape { .. }
        | Error::AxisOutOfRange { .. }
        | Error::IndexOutOfRange { .. }
        | Error::ReshapeSize { .. }
        | Error::DataLength { .. }
        | Error::DTypeMismatch { .. }
        | Error::UnsupportedDType { .. }
        | Error::OutputGradientShape { .. }
        | Error::InvalidArgument { .. }
        | Error::NotInvertible { .. } => InvalidArgumentError::new_err(msg),
        Error::ResourceExhausted { .. } => ResourceExhaustedError::new_err(msg),
        Error::TapeConsumed | Error::TapeMisuse(_) => PyRuntimeError::new_err(msg),
        // A Python gradient function's own exception, re-raised as itself (same
        // object, type and traceback): the caller of `gradient` sees what it raised.
        Error::CustomGradientFailed { source, .. } | Error::Interrupted { source } => {
            match source.downcast_ref::<PyErr>() {
                Some(e) => Python::attach(|py| e.clone_ref(py)),
                None => PyRuntimeError::new_err(msg),
            }
        }
        // `Error` is non_exhaustive for downstream crates; every variant known
        // today is mapped above, so this arm only catches future additions.
        #[allow(unreachable_patterns)]
        _ => PyRuntimeError::new_err(msg),
    }
}

/// `.map_err(to_pyerr)` in one word.
pub trait IntoPy<T> {
    /// Converts a core result into a Python result.
    fn py(self) -> PyResult<T>;
}

impl<T> IntoPy<T> for Result<T, Error> {
    fn py(self) -> PyResult<T> {
        self.map_err(to_pyerr)
    }
}

/// A TypeError naming what was expected and what came.
pub fn type_error(what: &str, got: &Bound<'_, PyAny>) -> PyErr {
    let tname = got.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "?".into());
    PyTypeError::new_err(format!("{what}; got an object of type '{tname}'"))
}

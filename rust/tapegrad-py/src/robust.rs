//! Process-level safety hooks of the extension: fork handlers, and the test
//! switch that plants a panic.
//!
//! A Rust panic that reaches a binding entry point is caught there by PyO3 and
//! raised as `pyo3_runtime.PanicException`, a `BaseException` (`except
//! Exception` would miss it). `tapegrad/errors.py` rebases that class under
//! `tapegrad.errors.InternalError` (an `Exception`) at import, so every panic
//! left anywhere in the core reaches Python as an `InternalError` whose message
//! is the panic's, with no per-call cost. The panic hook installed here prints
//! where in the core it happened (the default hook's message) once.

use pyo3::prelude::*;

/// The class PyO3 raises for a caught panic, for `tapegrad.errors` to rebase.
#[pyfunction]
fn _panic_exception_type(py: Python<'_>) -> Py<pyo3::types::PyType> {
    py.get_type::<pyo3::panic::PanicException>().unbind()
}

/// Test switch: panics inside the core's call path with `message`, as a bug
/// would. Only for the test that checks panics reach Python as `InternalError`.
#[pyfunction]
#[allow(clippy::panic)]
fn _test_panic(message: &str) {
    panic!("{message}");
}

/// The core's interrupt check: runs Python's signal handlers (taking the GIL
/// for a moment if a kernel released it), so Ctrl-C stops a long backward pass.
fn check_signals() -> tapegrad::Result<()> {
    Python::attach(|py| py.check_signals())
        .map_err(|e| tapegrad::Error::Interrupted { source: tapegrad::error::SharedError::new(e) })
}

/// Registers the functions above, the core's fork handlers and its interrupt check.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    tapegrad::threading::install_fork_handlers();
    tapegrad::interrupt::set_interrupt_check(check_signals);
    m.add_function(wrap_pyfunction!(_panic_exception_type, m)?)?;
    m.add_function(wrap_pyfunction!(_test_panic, m)?)?;
    Ok(())
}

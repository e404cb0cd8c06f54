//! The `tapegrad._core` extension module: a thin PyO3 layer over the pure-Rust
//! `tapegrad` crate. It converts arguments, calls one core op and wraps the
//! result; the math, the tape and the gradient rules all live in the core.

mod autopack;
mod conv;
mod convert;
mod custom;
mod dtype;
mod elide;
mod errors;
mod functions;
mod gil;
mod int_range;
mod linalg;
mod recurrent;
mod robust;
mod sequence;
mod tape;
mod tensor;
mod variable;

use pyo3::prelude::*;

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_class::<tensor::PyTensor>()?;
    m.add_class::<variable::PyVariable>()?;
    m.add_class::<tape::PyTape>()?;
    m.add_class::<dtype::PyDType>()?;
    m.add_class::<convert::BufferOwner>()?;
    m.add("InvalidArgumentError", py.get_type::<errors::InvalidArgumentError>())?;
    m.add("ResourceExhaustedError", py.get_type::<errors::ResourceExhaustedError>())?;
    m.add("InternalError", py.get_type::<errors::InternalError>())?;
    for d in [
        tapegrad::DType::F32,
        tapegrad::DType::F64,
        tapegrad::DType::I32,
        tapegrad::DType::I64,
        tapegrad::DType::Bool,
    ] {
        m.add(d.name(), dtype::PyDType { dtype: d })?;
    }
    functions::register(m)?;
    m.add_function(wrap_pyfunction!(custom::record_custom_gradient, m)?)?;
    m.add_function(wrap_pyfunction!(custom::call_watching_variables, m)?)?;
    linalg::register(m)?;
    robust::register(m)?;
    conv::register(m)?;
    recurrent::register(m)?;
    Ok(())
}

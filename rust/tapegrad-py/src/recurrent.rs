//! The fused recurrent-sequence op behind the Keras `SimpleRNN`, `LSTM` and
//! `GRU` layers: parses the cell name and optional inputs, calls
//! `tapegrad::ops::recurrent_sequence`; no math happens here.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use tapegrad::ops::{self, CellKind};

use crate::convert::to_tensor;
use crate::errors::IntoPy;
use crate::tensor::PyTensor;

type Obj<'py> = Bound<'py, PyAny>;

/// A whole SimpleRNN / LSTM / GRU sequence as one recorded op, returning the
/// packed `[batch, time, sections * units]` tensor (carried `h`, LSTM's `c`,
/// then the saved gates). `cell` is `"simple_rnn"`, `"lstm"` or `"gru"`
/// (`reset_after` picks the GRU variant); `inputs` is the input projection
/// `[batch, time, gates * units]`.
#[pyfunction]
#[pyo3(signature = (cell, inputs, recurrent_kernel, initial_h, initial_c=None, recurrent_bias=None, mask=None, go_backwards=false, reset_after=true))]
#[allow(clippy::too_many_arguments)]
pub fn recurrent_sequence(
    cell: &str,
    inputs: &Obj<'_>,
    recurrent_kernel: &Obj<'_>,
    initial_h: &Obj<'_>,
    initial_c: Option<&Obj<'_>>,
    recurrent_bias: Option<&Obj<'_>>,
    mask: Option<&Obj<'_>>,
    go_backwards: bool,
    reset_after: bool,
) -> PyResult<PyTensor> {
    let kind = match cell {
        "simple_rnn" => CellKind::SimpleRnn,
        "lstm" => CellKind::Lstm,
        "gru" => CellKind::Gru { reset_after },
        other => {
            return Err(PyValueError::new_err(format!(
                "recurrent_sequence: unknown cell {other:?}; use 'simple_rnn', 'lstm' or 'gru'"
            )));
        }
    };
    let xp = to_tensor(inputs, None)?;
    let dt = Some(xp.dtype());
    let u = to_tensor(recurrent_kernel, dt)?;
    let h0 = to_tensor(initial_h, dt)?;
    let c0 = initial_c.map(|c| to_tensor(c, dt)).transpose()?;
    let rb = recurrent_bias.map(|r| to_tensor(r, dt)).transpose()?;
    let m = mask.map(|m| to_tensor(m, dt)).transpose()?;
    let work = xp.numel().saturating_mul(u.shape().first().copied().unwrap_or(1));
    let y = crate::gil::compute(inputs.py(), work, || {
        ops::recurrent_sequence(kind, &xp, &u, &h0, c0.as_ref(), rb.as_ref(), m.as_ref(), go_backwards)
    });
    Ok(PyTensor::new(y.py()?))
}

/// Adds the recurrent functions to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(recurrent_sequence, m)?)?;
    Ok(())
}

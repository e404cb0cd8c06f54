//! TF's auto-packing: a (nested) list or tuple that holds tensors or variables
//! becomes one tensor through a recorded, differentiable `stack` (TF's `Pack`).
//!
//! `tf.reduce_sum([w * 3, w * w])`, `tf.reduce_mean([loss_a, loss_b])` and
//! `tf.matmul([[a, b]], w)` all differentiate through the list in TF. Going
//! through numpy instead would read the values only, and the gradient would be
//! silently lost. `convert::to_tensor` calls [`pack`] for every such sequence,
//! so every op argument gets it.
//!
//! The rules are TF's `_autopacking_conversion_function`:
//! - the dtype is the one asked for (`dtype=`, `dtype_hint=`, the other operand
//!   of a binary op), else the first tensor's (depth-first);
//! - tensors of another dtype are cast when a dtype was asked for, and are an
//!   `InvalidArgumentError` otherwise (TF's `Pack` rejects them);
//! - everything else (Python numbers, numpy values, sub-lists without tensors)
//!   is converted as a constant of that dtype (`[1, a]` is float32 for a float32
//!   `a`; `2.5` next to an int32 tensor is a `TypeError`, as in TF);
//! - the parts must have equal shapes, and are stacked along a new axis 0.

use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};
use tapegrad::{DType, Tensor, ops};

use crate::convert::to_tensor;
use crate::errors::{IntoPy, InvalidArgumentError};
use crate::tensor::PyTensor;
use crate::variable::PyVariable;

fn is_tensor_like(obj: &Bound<'_, PyAny>) -> bool {
    obj.cast::<PyTensor>().is_ok() || obj.cast::<PyVariable>().is_ok()
}

fn items<'py>(obj: &Bound<'py, PyAny>) -> Option<Vec<Bound<'py, PyAny>>> {
    if let Ok(list) = obj.cast::<PyList>() {
        Some(list.iter().collect())
    } else if let Ok(tuple) = obj.cast::<PyTuple>() {
        Some(tuple.iter().collect())
    } else {
        None
    }
}

/// Whether a nested list/tuple holds a tensor or variable anywhere.
pub fn holds_tensor(obj: &Bound<'_, PyAny>) -> bool {
    match items(obj) {
        Some(items) => items.iter().any(|item| is_tensor_like(item) || holds_tensor(item)),
        None => false,
    }
}

/// The dtype of the first tensor or variable, depth-first.
fn first_dtype(obj: &Bound<'_, PyAny>) -> PyResult<Option<DType>> {
    if is_tensor_like(obj) {
        return Ok(Some(to_tensor(obj, None)?.dtype()));
    }
    for item in items(obj).unwrap_or_default() {
        if let Some(d) = first_dtype(&item)? {
            return Ok(Some(d));
        }
    }
    Ok(None)
}

/// Packs a nested list/tuple holding tensors into one tensor (recorded on the
/// active tapes). `hint` is the dtype asked for, if any.
pub fn pack(obj: &Bound<'_, PyAny>, hint: Option<DType>) -> PyResult<Tensor> {
    let dtype = match hint {
        Some(d) => d,
        None => first_dtype(obj)?.unwrap_or(DType::F32),
    };
    pack_as(obj, dtype, hint.is_some())
}

fn pack_as(obj: &Bound<'_, PyAny>, dtype: DType, cast_tensors: bool) -> PyResult<Tensor> {
    let mut parts: Vec<Tensor> = Vec::new();
    for item in items(obj).unwrap_or_default() {
        let part = if is_tensor_like(&item) {
            let t = to_tensor(&item, None)?;
            if t.dtype() == dtype {
                t
            } else if cast_tensors {
                ops::cast(&t, dtype).py()?
            } else {
                return Err(InvalidArgumentError::new_err(format!(
                    "cannot compute Pack as input #{}(zero-based) was expected to be a {dtype} tensor but is a {} tensor [Op:Pack]",
                    parts.len(),
                    t.dtype()
                )));
            }
        } else if holds_tensor(&item) {
            pack_as(&item, dtype, cast_tensors)?
        } else {
            let t = to_tensor(&item, Some(dtype))?;
            if t.dtype() == dtype { t } else { ops::cast(&t, dtype).py()? }
        };
        if let Some(first) = parts.first()
            && first.shape() != part.shape()
        {
            return Err(InvalidArgumentError::new_err(format!(
                "Shapes of all inputs must match: values[0].shape = {:?} != values[{}].shape = {:?} [Op:Pack]",
                first.shape(),
                parts.len(),
                part.shape()
            )));
        }
        parts.push(part);
    }
    ops::stack(&parts, 0).py()
}

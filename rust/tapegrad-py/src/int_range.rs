//! Integer range checks at conversion: values that do not fit the dtype they
//! become raise, as TF does, instead of wrapping.

use numpy::{PyArrayDyn, PyArrayMethods, PyUntypedArray, PyUntypedArrayMethods};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

/// A uint64 array becomes int64: every value must be at most `i64::MAX`
/// (numpy's `astype` would wrap `2**64 - 1` to `-1`). Python int lists with a
/// value of `2**63` or more arrive here too (numpy makes them uint64), and TF
/// rejects those with this message.
pub fn check_uint64(arr: &Bound<'_, PyUntypedArray>) -> PyResult<()> {
    let too_big = match arr.cast::<PyArrayDyn<u64>>() {
        Ok(typed) => {
            let ro = typed.readonly();
            match ro.as_slice() {
                Ok(s) => s.iter().any(|&v| v > i64::MAX as u64),
                Err(_) => ro.as_array().iter().any(|&v| v > i64::MAX as u64),
            }
        }
        Err(_) => false,
    };
    if too_big {
        return Err(PyValueError::new_err(
            "Can't convert Python sequence with out-of-range integer to Tensor: a value does not fit int64",
        ));
    }
    let _ = arr.len();
    Ok(())
}

//! Conversions between Python objects and core tensors.
//!
//! Python → Tensor follows TF's `convert_to_tensor`: Python floats become
//! float32 and ints int32 unless the other operand (the `hint`) says otherwise,
//! numpy arrays keep their dtype (numpy → Tensor copies: numpy arrays are
//! mutable, our tensors are not). Tensor → numpy is a read-only zero-copy view
//! whose base keeps the tensor's buffer alive.

use std::sync::Arc;

use numpy::{
    PyArray, PyArrayDescrMethods, PyArrayDyn, PyArrayMethods, PyUntypedArray, PyUntypedArrayMethods,
};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyInt, PyList, PyTuple};
use tapegrad::{Buffer, DType, Element, Tensor, ops};

use crate::errors::{IntoPy, type_error};
use crate::sequence::{self, Leaves};
use crate::tensor::PyTensor;
use crate::variable::PyVariable;

/// Converts any tensor-like object; `hint` is the dtype wanted for Python
/// scalars and sequences (the other operand's dtype in a binary op).
pub fn to_tensor(obj: &Bound<'_, PyAny>, hint: Option<DType>) -> PyResult<Tensor> {
    if let Ok(t) = obj.cast::<PyTensor>() {
        return Ok(t.borrow().t.clone());
    }
    if let Ok(v) = obj.cast::<PyVariable>() {
        return Ok(v.get().var.read());
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return match hint {
            None | Some(DType::Bool) => Ok(Tensor::scalar(b.is_true())),
            Some(d) => Err(PyTypeError::new_err(format!(
                "Cannot convert {} to EagerTensor of dtype {d}",
                b.is_true()
            ))),
        };
    }
    if obj.is_instance_of::<PyInt>() {
        return int_scalar(obj, hint);
    }
    // Exactly a Python float: numpy's float64 scalar subclasses float, and keeps its dtype.
    if let Ok(f) = obj.cast_exact::<PyFloat>() {
        let v = f.value();
        return match hint {
            None | Some(DType::F32) => Ok(Tensor::scalar(v as f32)),
            Some(DType::F64) => Ok(Tensor::scalar(v)),
            Some(d) => Err(PyTypeError::new_err(format!("Cannot convert {v} to EagerTensor of dtype {d}"))),
        };
    }
    if let Ok(arr) = obj.cast::<PyUntypedArray>() {
        return from_numpy(arr, hint, false);
    }
    if (obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>())
        && let Some((shape, leaves)) = sequence::read_regular(obj)
    {
        return from_leaves(shape, leaves, hint);
    }
    // Tensors inside a list: a recorded stack, so gradients flow (TF's auto-packing).
    if crate::autopack::holds_tensor(obj) {
        return crate::autopack::pack(obj, hint);
    }
    // Objects that convert themselves (IndexedSlices densify): TF's conversion registry.
    if let Ok(convert) = obj.getattr(pyo3::intern!(obj.py(), "__tapegrad_tensor__")) {
        return to_tensor(&convert.call0()?, hint);
    }
    // numpy scalars, lists, tuples and anything with __array__: through numpy.
    let np = obj.py().import("numpy")?;
    let is_np_scalar = obj.is_instance(&np.getattr("generic")?)?;
    if is_np_scalar
        || obj.is_instance_of::<PyList>()
        || obj.is_instance_of::<PyTuple>()
        || obj.hasattr("__array__")?
    {
        let arr_obj = if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
            sequence_to_numpy(obj)?
        } else {
            np.getattr("asarray")?.call1((obj,))?
        };
        let arr = arr_obj.cast::<PyUntypedArray>()?;
        // A Python list of floats is float32 in TF, not numpy's float64 (unless
        // its first leaf is a numpy float64, which then decides, as in TF).
        let python_default =
            !is_np_scalar && !obj.hasattr("__array__")? && !first_leaf_is_numpy_f64(obj, &np)?;
        return from_numpy(arr, hint, python_default);
    }
    Err(type_error("expected a Tensor, Variable, number, list or numpy array", obj))
}

/// Lists without tensors (numpy scalars or arrays inside, ragged ones) go
/// through numpy; lists holding tensors never get here (see `autopack`).
fn sequence_to_numpy<'py>(obj: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    obj.py().import("numpy")?.getattr("asarray")?.call1((obj,))
}

/// Whether the first leaf of a nested list is a numpy float64 scalar or array:
/// TF infers a list's dtype from its first leaf (`[np.float64(1), 2.0]` is
/// float64, `[1, np.float64(2)]` and `[1.0, np.float64(2)]` are float32).
fn first_leaf_is_numpy_f64(obj: &Bound<'_, PyAny>, np: &Bound<'_, PyModule>) -> PyResult<bool> {
    let mut leaf = obj.clone();
    while leaf.is_instance_of::<PyList>() || leaf.is_instance_of::<PyTuple>() {
        match leaf.get_item(0) {
            Ok(first) => leaf = first,
            Err(_) => return Ok(false),
        }
    }
    if !(leaf.is_instance(&np.getattr("generic")?)? || leaf.is_instance(&np.getattr("ndarray")?)?) {
        return Ok(false);
    }
    let dtype = leaf.getattr("dtype")?;
    Ok(dtype.getattr("kind")?.extract::<String>()? == "f"
        && dtype.getattr("itemsize")?.extract::<usize>()? == 8)
}

fn int_scalar(obj: &Bound<'_, PyAny>, hint: Option<DType>) -> PyResult<Tensor> {
    match hint {
        Some(DType::F32) => Ok(Tensor::scalar(obj.extract::<f64>()? as f32)),
        Some(DType::F64) => Ok(Tensor::scalar(obj.extract::<f64>()?)),
        Some(DType::I64) => Ok(Tensor::scalar(obj.extract::<i64>()?)),
        Some(DType::Bool) => {
            Err(PyTypeError::new_err(format!("Cannot convert {obj} to EagerTensor of dtype bool")))
        }
        Some(DType::I32) | None => match obj.extract::<i32>() {
            Ok(v) => Ok(Tensor::scalar(v)),
            // TF: ints that do not fit int32 become int64 when no dtype is asked for.
            Err(_) if hint.is_none() => Ok(Tensor::scalar(obj.extract::<i64>()?)),
            Err(_) => {
                Err(PyTypeError::new_err(format!("Cannot convert {obj} to EagerTensor of dtype int32")))
            }
        },
    }
}

/// Copies a numpy array into a tensor. `python_default` marks arrays that came
/// from Python lists, whose float64/int64 mean "Python float/int" (→ float32/int32).
fn from_numpy(
    arr: &Bound<'_, PyUntypedArray>,
    hint: Option<DType>,
    python_default: bool,
) -> PyResult<Tensor> {
    // The descriptor's kind and item size, not its `name` (a Python property, ~2 µs).
    let descr = arr.dtype();
    let natural = match (descr.kind(), descr.itemsize()) {
        (b'f', 8) if python_default => DType::F32,
        (b'i', 8) if python_default => {
            // Python ints are int32 in TF, unless one does not fit.
            let t = copy_array::<i64>(arr, arr.shape())?;
            return int_list_tensor(t, hint);
        }
        (b'f', 8) => DType::F64,
        (b'f', _) => DType::F32,
        (b'i', 8) => DType::I64,
        // uint32 and uint64 do not fit int32; uint64 must fit int64.
        (b'u', 8) => {
            crate::int_range::check_uint64(arr)?;
            DType::I64
        }
        (b'u', size) if size >= 4 => DType::I64,
        (b'i', _) | (b'u', _) => DType::I32,
        (b'b', _) => DType::Bool,
        _ => {
            let name: String = descr.getattr("name")?.extract()?;
            return Err(PyTypeError::new_err(format!(
                "cannot convert a numpy array of dtype {name} to a tensor; tapegrad has float32, float64, int32, int64 and bool"
            )));
        }
    };
    let dtype = resolve_dtype(natural, hint, arr.len() == 0)?;
    let shape: Vec<usize> = arr.shape().to_vec();
    match dtype {
        DType::F32 => copy_array::<f32>(arr, &shape),
        DType::F64 => copy_array::<f64>(arr, &shape),
        DType::I32 => copy_array::<i32>(arr, &shape),
        DType::I64 => copy_array::<i64>(arr, &shape),
        DType::Bool => copy_array::<bool>(arr, &shape),
    }
}

/// The dtype a value of dtype `natural` gets when `hint` is asked for (TF's
/// `convert_to_tensor` with a `dtype_hint`): numbers widen or narrow within
/// their kind, ints may become floats, nothing becomes or stops being bool.
fn resolve_dtype(natural: DType, hint: Option<DType>, empty: bool) -> PyResult<DType> {
    match hint {
        None => Ok(natural),
        // An empty sequence has no dtype of its own: it takes the one asked for.
        Some(h) if empty => Ok(h),
        Some(h) if h == natural => Ok(h),
        Some(h) if h.is_float() && !(natural == DType::Bool) => Ok(h),
        Some(h) if h.is_int() && !natural.is_float() && natural != DType::Bool => Ok(h),
        Some(h) => Err(PyTypeError::new_err(format!(
            "cannot convert a value of dtype {natural} to a tensor of dtype {h}; cast it first"
        ))),
    }
}

/// Python ints: int32 unless one does not fit (then int64), or the hint's
/// dtype; a bool hint is ignored, as TF does for int lists.
fn int_list_tensor(t: Tensor, hint: Option<DType>) -> PyResult<Tensor> {
    let fits = t.as_slice::<i64>().is_some_and(|v| v.iter().all(|&x| i32::try_from(x).is_ok()));
    let natural = if fits { DType::I32 } else { DType::I64 };
    let target = hint.filter(|h| *h != DType::Bool).unwrap_or(natural);
    ops::cast(&t, target).py()
}

/// A tensor from the leaves of a regular nested list, with the dtype numpy's
/// route would give (Python floats are float32, ints int32, as in TF).
fn from_leaves(shape: Vec<usize>, leaves: Leaves, hint: Option<DType>) -> PyResult<Tensor> {
    let empty = shape.contains(&0);
    match leaves {
        Leaves::Ints(values) => int_list_tensor(Tensor::from_vec(values, &shape).py()?, hint),
        Leaves::Floats(values) => match resolve_dtype(DType::F32, hint, empty)? {
            DType::F64 => Tensor::from_vec(values, &shape).py(),
            DType::F32 => Tensor::from_vec(values.iter().map(|&v| v as f32).collect(), &shape).py(),
            // Only reachable for an empty list with an int or bool hint.
            other => ops::cast(&Tensor::from_vec(values, &shape).py()?, other).py(),
        },
        Leaves::Bools(values) => {
            let dtype = resolve_dtype(DType::Bool, hint, empty)?;
            let t = Tensor::from_vec(values, &shape).py()?;
            if dtype == DType::Bool { Ok(t) } else { ops::cast(&t, dtype).py() }
        }
    }
}

/// Copies `arr` as `T`, converting through numpy's `astype` only when its dtype differs.
fn copy_array<T: Element + numpy::Element>(
    arr: &Bound<'_, PyUntypedArray>,
    shape: &[usize],
) -> PyResult<Tensor> {
    let typed = match arr.cast::<PyArrayDyn<T>>() {
        Ok(typed) => typed.clone(),
        Err(_) => arr.call_method1("astype", (numpy::dtype::<T>(arr.py()),))?.cast_into::<PyArrayDyn<T>>()?,
    };
    let ro = typed.readonly();
    // `as_slice` also accepts Fortran order (memory order is then not row-major):
    // only a C-contiguous array is copied as one slice.
    let data: Vec<T> = match ro.as_slice() {
        Ok(s) if typed.is_c_contiguous() => s.to_vec(),
        _ => ro.as_array().iter().copied().collect(),
    };
    Tensor::from_vec(data, shape).py()
}

/// Converts with an explicit dtype: casts tensors whose dtype differs (as `constant(x, dtype)` does).
pub fn to_tensor_as(obj: &Bound<'_, PyAny>, dtype: DType) -> PyResult<Tensor> {
    let t = to_tensor(obj, Some(dtype))?;
    if t.dtype() == dtype { Ok(t) } else { ops::cast(&t, dtype).py() }
}

/// A read-only numpy view of the tensor's buffer; `owner` keeps it alive.
pub fn to_numpy<'py>(t: &Tensor, owner: Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let arr = match t.buffer() {
        Buffer::F32(_) => view::<f32>(t, owner)?,
        Buffer::F64(_) => view::<f64>(t, owner)?,
        Buffer::I32(_) => view::<i32>(t, owner)?,
        Buffer::I64(_) => view::<i64>(t, owner)?,
        Buffer::Bool(_) => view::<bool>(t, owner)?,
    };
    arr.getattr("flags")?.setattr("writeable", false)?;
    Ok(arr)
}

fn view<'py, T: Element + numpy::Element>(
    t: &Tensor,
    owner: Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let v =
        t.view::<T>().ok_or_else(|| PyTypeError::new_err("internal: tensor dtype and buffer disagree"))?;
    // SAFETY: `v` borrows the tensor's `Arc<Buffer>`, which is immutable for its
    // whole life (tensors never mutate) and is owned by `owner` (the Python
    // Tensor, or a holder of the same Arc), which numpy keeps alive as the
    // array's base for as long as the view exists. The view is made read-only
    // right after, so numpy never writes through it.
    let arr: Bound<'py, PyArray<T, _>> = unsafe { PyArray::borrow_from_array(&v, owner) };
    Ok(arr.into_any())
}

/// Keeps a tensor buffer alive as a numpy base object (for variable reads,
/// whose numpy view must not pin the Python Variable).
#[pyclass(frozen)]
pub struct BufferOwner {
    _buf: Arc<Buffer>,
}

impl BufferOwner {
    /// An owner holding `t`'s buffer.
    pub fn new(t: &Tensor) -> BufferOwner {
        BufferOwner { _buf: t.buffer_arc().clone() }
    }
}

/// `.numpy()`: a scalar for rank 0 (as TF), else a read-only view.
pub fn numpy_value<'py>(py: Python<'py>, t: &Tensor) -> PyResult<Bound<'py, PyAny>> {
    let owner = Bound::new(py, BufferOwner::new(t))?.into_any();
    let arr = to_numpy(t, owner)?;
    if t.rank() == 0 { arr.get_item(()) } else { Ok(arr) }
}

//! `tapegrad.Tensor`: the core tensor as a Python object, with every operator
//! implemented in Rust (no Python frame on the per-op path).

use pyo3::exceptions::{PyIndexError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyEllipsis, PyNone, PySlice, PyTuple};
use tapegrad::kernels::BinaryKind;
use tapegrad::kernels::index::IndexItem;
use tapegrad::{DType, Error, Tensor, ops};

use crate::convert::{numpy_value, to_tensor};
use crate::errors::IntoPy;

/// An immutable n-dimensional array (TF's `EagerTensor`).
#[pyclass(name = "Tensor", module = "tapegrad", weakref, dict)]
pub struct PyTensor {
    pub t: Tensor,
}

impl PyTensor {
    pub fn new(t: Tensor) -> PyTensor {
        PyTensor { t }
    }
}

/// Anything that reads as a tensor: a tensor itself, or a variable's current value.
pub trait HasTensor {
    /// The value as an op input (for a variable: a read, recorded on watching tapes).
    fn tensor(&self) -> Tensor;
    /// The value without recording anything.
    fn peek(&self) -> Tensor;
}

impl HasTensor for PyTensor {
    fn tensor(&self) -> Tensor {
        self.t.clone()
    }
    fn peek(&self) -> Tensor {
        self.t.clone()
    }
}

static TENSOR_SHAPE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// A `tapegrad.TensorShape` (a tuple subclass with TF's helpers) for `shape`.
pub fn tensor_shape<'py>(py: Python<'py>, shape: &[usize]) -> PyResult<Bound<'py, PyAny>> {
    let cls = TENSOR_SHAPE.get_or_try_init(py, || -> PyResult<Py<PyAny>> {
        Ok(py.import("tapegrad._shape")?.getattr("TensorShape")?.unbind())
    })?;
    cls.bind(py).call1((PyTuple::new(py, shape)?,))
}

static NUMPY_TEXT: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// numpy's text for the value, as TF prints it (see `tapegrad/_format.py`).
pub fn numpy_text(py: Python<'_>, t: &Tensor, is_repr: bool) -> PyResult<String> {
    let f = NUMPY_TEXT.get_or_try_init(py, || -> PyResult<Py<PyAny>> {
        Ok(py.import("tapegrad._format")?.getattr("numpy_text")?.unbind())
    })?;
    f.bind(py).call1((numpy_value(py, t)?, is_repr))?.extract()
}

pub fn shape_text(shape: &[usize]) -> String {
    match shape {
        [d] => format!("({d},)"),
        _ => format!("({})", shape.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", ")),
    }
}

#[pymethods]
impl PyTensor {
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "<tapegrad.Tensor: shape={}, dtype={}, numpy={}>",
            shape_text(self.t.shape()),
            self.t.dtype(),
            numpy_text(py, &self.t, true)?
        ))
    }

    fn __str__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "tapegrad.Tensor({}, shape={}, dtype={})",
            numpy_text(py, &self.t, false)?,
            shape_text(self.t.shape()),
            self.t.dtype()
        ))
    }

    /// A unique id for the value (TF's `tensor.ref()` needs none: tensors are immutable).
    #[getter]
    fn _id(&self) -> u64 {
        self.t.id().0
    }
}

pub fn binop(a: Tensor, other: &Bound<'_, PyAny>, op: BinaryKind, reflected: bool) -> PyResult<PyTensor> {
    let b = to_tensor(other, Some(a.dtype()))?;
    let (x, y) = if reflected { (b, a) } else { (a, b) };
    let n = x.numel().max(y.numel());
    Ok(PyTensor::new(crate::gil::compute(other.py(), n, || ops::binary(op, &x, &y)).py()?))
}

/// `+`, `-`, `*` and `/` (`op` Div) on a tensor or variable `slf`: over the
/// buffer of a temporary operand when there is one (see `elide`), else
/// [`binop`] / [`truediv`].
pub fn arith<T: HasTensor + pyo3::PyClass>(
    slf: &Bound<'_, T>,
    other: &Bound<'_, PyAny>,
    op: BinaryKind,
    reflected: bool,
) -> PyResult<PyTensor> {
    if let Some(y) = crate::elide::try_reuse(slf.as_any(), other, op, reflected)? {
        return Ok(PyTensor::new(y));
    }
    let a = slf.borrow().tensor();
    if op == BinaryKind::Div { truediv(a, other, reflected) } else { binop(a, other, op, reflected) }
}

/// `/`: true division; TF divides ints as float64.
pub fn truediv(a: Tensor, other: &Bound<'_, PyAny>, reflected: bool) -> PyResult<PyTensor> {
    let b = to_tensor(other, Some(a.dtype()))?;
    let (mut x, mut y) = if reflected { (b, a) } else { (a, b) };
    if x.dtype().is_int() && y.dtype().is_int() {
        x = ops::cast(&x, DType::F64).py()?;
        y = ops::cast(&y, DType::F64).py()?;
    }
    Ok(PyTensor::new(ops::div(&x, &y).py()?))
}

pub fn matmul_op(a: Tensor, other: &Bound<'_, PyAny>, reflected: bool) -> PyResult<PyTensor> {
    let b = to_tensor(other, Some(a.dtype()))?;
    let (x, y) = if reflected { (b, a) } else { (a, b) };
    let n = x.numel().max(y.numel());
    Ok(PyTensor::new(crate::gil::compute(other.py(), n, || ops::matmul(&x, &y, false, false)).py()?))
}

/// `==`/`!=`: elementwise, but incomparable objects or shapes give a plain
/// answer instead of an error (TF's `tensor_equals`).
pub fn equality(py: Python<'_>, a: Tensor, other: &Bound<'_, PyAny>, eq: bool) -> PyResult<Py<PyAny>> {
    let op = if eq { BinaryKind::Equal } else { BinaryKind::NotEqual };
    let Ok(b) = to_tensor(other, Some(a.dtype())) else {
        return Ok(pyo3::types::PyBool::new(py, !eq).to_owned().into_any().unbind());
    };
    match ops::binary(op, &a, &b) {
        Ok(t) => Ok(Py::new(py, PyTensor::new(t))?.into_any()),
        Err(Error::IncompatibleShapes { .. } | Error::DTypeMismatch { .. }) => {
            Ok(Py::new(py, PyTensor::new(Tensor::scalar(!eq)))?.into_any())
        }
        Err(e) => Err(crate::errors::to_pyerr(e)),
    }
}

/// Parses a Python index expression into core index items.
pub fn parse_index(key: &Bound<'_, PyAny>) -> PyResult<Vec<IndexItem>> {
    let items: Vec<Bound<'_, PyAny>> = match key.cast::<PyTuple>() {
        Ok(t) => t.iter().collect(),
        Err(_) => vec![key.clone()],
    };
    items
        .iter()
        .map(|it| {
            if it.is_instance_of::<PyEllipsis>() {
                Ok(IndexItem::Ellipsis)
            } else if it.is_instance_of::<PyNone>() {
                Ok(IndexItem::NewAxis)
            } else if let Ok(s) = it.cast::<PySlice>() {
                let part = |name: &str| -> PyResult<Option<i64>> {
                    let v = s.getattr(name)?;
                    if v.is_none() { Ok(None) } else { Ok(Some(index_int(&v)?)) }
                };
                let step = part("step")?;
                if step == Some(0) {
                    return Err(PyValueError::new_err("slice step cannot be zero"));
                }
                Ok(IndexItem::Slice { start: part("start")?, stop: part("stop")?, step })
            } else {
                Ok(IndexItem::Index(index_int(it)?))
            }
        })
        .collect()
}

fn index_int(v: &Bound<'_, PyAny>) -> PyResult<i64> {
    if let Ok(t) = v.cast::<PyTensor>() {
        let t = t.borrow().t.clone();
        if t.rank() == 0 && t.dtype().is_int() {
            return Ok(tapegrad::kernels::cast(&t, DType::I64).py()?.to_scalar::<i64>().unwrap_or(0));
        }
    }
    v.call_method0("__index__").and_then(|i| i.extract()).map_err(|_| {
        PyTypeError::new_err(format!(
            "Only integers, slices (`:`), ellipsis (`...`), tapegrad.newaxis (`None`) and scalar int32/int64 tensors are valid indices, got {}",
            v.repr().map(|r| r.to_string()).unwrap_or_default()
        ))
    })
}

/// Python's conversions of a one-element value (`bool`, `float`, `int`).
pub fn scalar_f64(t: &Tensor, what: &str) -> PyResult<f64> {
    if t.numel() != 1 {
        return Err(PyTypeError::new_err(format!(
            "{what}: only a tensor with one element can be converted to a Python scalar; this one has shape {:?}",
            t.shape()
        )));
    }
    let c = tapegrad::kernels::cast(t, DType::F64).py()?;
    Ok(c.to_scalar::<f64>().unwrap_or(f64::NAN))
}

/// Methods shared by `Tensor` and `Variable`: every operator, conversion and
/// shape accessor. Variables read themselves (recorded) before each op.
macro_rules! tensor_like_methods {
    ($ty:ty) => {
        #[pymethods]
        impl $ty {
            #[classattr]
            fn __array_priority__() -> i32 {
                100
            }

            /// The value as a numpy array (a numpy scalar for rank 0), read-only.
            fn numpy<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                $crate::convert::numpy_value(py, &self.peek())
            }

            #[pyo3(signature = (dtype=None, copy=None))]
            fn __array__<'py>(
                &self,
                py: Python<'py>,
                dtype: Option<Bound<'py, PyAny>>,
                copy: Option<bool>,
            ) -> PyResult<Bound<'py, PyAny>> {
                let t = self.peek();
                let owner = Bound::new(py, $crate::convert::BufferOwner::new(&t))?.into_any();
                let mut arr = $crate::convert::to_numpy(&t, owner)?;
                if let Some(d) = dtype {
                    arr = arr.call_method1("astype", (d,))?;
                } else if copy == Some(true) {
                    arr = arr.call_method0("copy")?;
                }
                Ok(arr)
            }

            /// The dimensions, as a `TensorShape` (a tuple).
            #[getter]
            fn shape<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                $crate::tensor::tensor_shape(py, self.peek().shape())
            }

            /// TF's `get_shape()` (same as `.shape`), served here because PyO3 names
            /// the `shape` getter's symbol `get_shape` too.
            fn __getattr__<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
                if name == "get_shape" {
                    let shape = $crate::tensor::tensor_shape(py, self.peek().shape())?.unbind();
                    let f = pyo3::types::PyCFunction::new_closure(py, Some(c"get_shape"), None, move |args, _| {
                        Ok::<_, PyErr>(shape.clone_ref(args.py()))
                    })?;
                    return Ok(f.into_any());
                }
                Err(pyo3::exceptions::PyAttributeError::new_err(format!(
                    "'{}' object has no attribute '{name}'",
                    stringify!($ty).trim_start_matches("Py")
                )))
            }

            /// The element type.
            #[getter]
            fn dtype(&self) -> $crate::dtype::PyDType {
                $crate::dtype::PyDType { dtype: self.peek().dtype() }
            }

            /// The number of dimensions.
            #[getter]
            fn ndim(&self) -> usize {
                self.peek().rank()
            }

            /// Always `'/job:localhost/replica:0/task:0/device:CPU:0'`.
            #[getter]
            fn device(&self) -> &'static str {
                "/job:localhost/replica:0/task:0/device:CPU:0"
            }

            fn __len__(&self) -> PyResult<usize> {
                let t = self.peek();
                match t.shape().first() {
                    Some(&n) => Ok(n),
                    None => Err(PyTypeError::new_err("Scalar tensor has no `len()`")),
                }
            }

            fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                let t = self.tensor();
                if t.rank() == 0 {
                    return Err(PyTypeError::new_err("Cannot iterate over a scalar tensor."));
                }
                let rows: Vec<PyTensor> = ops::unstack(&t, 0).py()?.into_iter().map(PyTensor::new).collect();
                pyo3::types::PyList::new(py, rows)?.call_method0("__iter__")
            }

            fn __getitem__(&self, key: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
                let items = $crate::tensor::parse_index(key)?;
                match ops::strided_slice(&self.tensor(), &items) {
                    Ok(t) => Ok(PyTensor::new(t)),
                    // Python's sequence protocol (e.g. list(t) fallbacks) expects IndexError.
                    Err(e @ Error::IndexOutOfRange { .. }) => Err(PyIndexError::new_err(e.to_string())),
                    Err(e) => Err($crate::errors::to_pyerr(e)),
                }
            }

            fn __bool__(&self) -> PyResult<bool> {
                let t = self.peek();
                if t.numel() != 1 {
                    return Err(PyValueError::new_err(format!(
                        "The truth value of an array with more than one element is ambiguous (shape {:?}). Use a.any() or a.all()",
                        t.shape()
                    )));
                }
                Ok($crate::tensor::scalar_f64(&t, "bool")? != 0.0)
            }

            fn __float__(&self) -> PyResult<f64> {
                $crate::tensor::scalar_f64(&self.peek(), "float")
            }

            fn __int__(&self) -> PyResult<i64> {
                let t = self.peek();
                let v = $crate::tensor::scalar_f64(&t, "int")?;
                if !v.is_finite() {
                    return Err(PyValueError::new_err(format!("cannot convert {v} to an integer")));
                }
                Ok(v.trunc() as i64)
            }

            fn __index__(&self) -> PyResult<i64> {
                let t = self.peek();
                if !t.dtype().is_int() {
                    return Err(PyTypeError::new_err(format!(
                        "only integer scalar tensors can be used as an index; this one is {}",
                        t.dtype()
                    )));
                }
                self.__int__()
            }

            fn __format__(&self, py: Python<'_>, spec: &str) -> PyResult<String> {
                let t = self.peek();
                let v = if t.rank() == 0 {
                    $crate::convert::numpy_value(py, &t)?
                } else {
                    pyo3::types::PyString::new(py, &self.__str__(py)?).into_any()
                };
                v.call_method1("__format__", (spec,))?.extract()
            }

            fn __add__(slf: &Bound<'_, Self>, o: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
                $crate::tensor::arith(slf, o, BinaryKind::Add, false)
            }
            fn __radd__(slf: &Bound<'_, Self>, o: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
                $crate::tensor::arith(slf, o, BinaryKind::Add, true)
            }
            fn __sub__(slf: &Bound<'_, Self>, o: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
                $crate::tensor::arith(slf, o, BinaryKind::Sub, false)
            }
            fn __rsub__(slf: &Bound<'_, Self>, o: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
                $crate::tensor::arith(slf, o, BinaryKind::Sub, true)
            }
            fn __mul__(slf: &Bound<'_, Self>, o: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
                $crate::tensor::arith(slf, o, BinaryKind::Mul, false)
            }
            fn __rmul__(slf: &Bound<'_, Self>, o: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
                $crate::tensor::arith(slf, o, BinaryKind::Mul, true)
            }
            fn __truediv__(slf: &Bound<'_, Self>, o: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
                $crate::tensor::arith(slf, o, BinaryKind::Div, false)
            }
            fn __rtruediv__(slf: &Bound<'_, Self>, o: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
                $crate::tensor::arith(slf, o, BinaryKind::Div, true)
            }
            fn __floordiv__(&self, o: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
                $crate::tensor::binop(self.tensor(), o, BinaryKind::FloorDiv, false)
            }
            fn __rfloordiv__(&self, o: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
                $crate::tensor::binop(self.tensor(), o, BinaryKind::FloorDiv, true)
            }
            fn __mod__(&self, o: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
                $crate::tensor::binop(self.tensor(), o, BinaryKind::FloorMod, false)
            }
            fn __rmod__(&self, o: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
                $crate::tensor::binop(self.tensor(), o, BinaryKind::FloorMod, true)
            }
            fn __pow__(&self, o: &Bound<'_, PyAny>, modulo: Option<&Bound<'_, PyAny>>) -> PyResult<PyTensor> {
                let _ = modulo;
                $crate::tensor::binop(self.tensor(), o, BinaryKind::Pow, false)
            }
            fn __rpow__(&self, o: &Bound<'_, PyAny>, modulo: Option<&Bound<'_, PyAny>>) -> PyResult<PyTensor> {
                let _ = modulo;
                $crate::tensor::binop(self.tensor(), o, BinaryKind::Pow, true)
            }
            fn __matmul__(&self, o: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
                $crate::tensor::matmul_op(self.tensor(), o, false)
            }
            fn __rmatmul__(&self, o: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
                $crate::tensor::matmul_op(self.tensor(), o, true)
            }
            fn __and__(&self, o: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
                $crate::tensor::binop(self.tensor(), o, BinaryKind::LogicalAnd, false)
            }
            fn __rand__(&self, o: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
                $crate::tensor::binop(self.tensor(), o, BinaryKind::LogicalAnd, true)
            }
            fn __or__(&self, o: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
                $crate::tensor::binop(self.tensor(), o, BinaryKind::LogicalOr, false)
            }
            fn __ror__(&self, o: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
                $crate::tensor::binop(self.tensor(), o, BinaryKind::LogicalOr, true)
            }
            fn __xor__(&self, o: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
                $crate::tensor::binop(self.tensor(), o, BinaryKind::LogicalXor, false)
            }
            fn __rxor__(&self, o: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
                $crate::tensor::binop(self.tensor(), o, BinaryKind::LogicalXor, true)
            }
            fn __invert__(&self) -> PyResult<PyTensor> {
                Ok(PyTensor::new(ops::logical_not(&self.tensor()).py()?))
            }
            fn __neg__(&self) -> PyResult<PyTensor> {
                Ok(PyTensor::new(ops::neg(&self.tensor()).py()?))
            }
            fn __pos__(&self) -> PyTensor {
                PyTensor::new(self.tensor())
            }
            fn __abs__(&self) -> PyResult<PyTensor> {
                Ok(PyTensor::new(ops::abs(&self.tensor()).py()?))
            }
            fn __lt__(&self, o: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
                $crate::tensor::binop(self.tensor(), o, BinaryKind::Less, false)
            }
            fn __le__(&self, o: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
                $crate::tensor::binop(self.tensor(), o, BinaryKind::LessEqual, false)
            }
            fn __gt__(&self, o: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
                $crate::tensor::binop(self.tensor(), o, BinaryKind::Greater, false)
            }
            fn __ge__(&self, o: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
                $crate::tensor::binop(self.tensor(), o, BinaryKind::GreaterEqual, false)
            }
            fn __eq__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                $crate::tensor::equality(py, self.tensor(), o, true)
            }
            fn __ne__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                $crate::tensor::equality(py, self.tensor(), o, false)
            }
            fn __hash__(slf: &Bound<'_, Self>) -> isize {
                // Identity hash, so tensors and variables can key dicts and sets.
                slf.as_ptr() as isize
            }
        }
    };
}
pub(crate) use tensor_like_methods;

tensor_like_methods!(PyTensor);

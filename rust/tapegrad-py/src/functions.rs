//! Module-level functions with TensorFlow's names and signatures. Each one
//! parses its arguments and calls one core op: no math happens here.
//!
//! TF's `name=` arguments are accepted everywhere and ignored.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};
use tapegrad::kernels::{self, BinaryKind, UnaryKind};
use tapegrad::ops::{self, TensordotAxes};
use tapegrad::{DType, Tensor};

use crate::convert::{to_tensor, to_tensor_as};
use crate::dtype::{PyDType, parse_dtype};
use crate::errors::{IntoPy, type_error};
use crate::tensor::PyTensor;
use crate::variable::PyVariable;

type Obj<'py> = Bound<'py, PyAny>;

fn is_tensor_like(o: &Obj<'_>) -> bool {
    o.cast::<PyTensor>().is_ok() || o.cast::<PyVariable>().is_ok()
}

/// Converts a binary op's operands: tensors fix the dtype Python scalars take.
fn pair(a: &Obj<'_>, b: &Obj<'_>) -> PyResult<(Tensor, Tensor)> {
    if !is_tensor_like(a) && is_tensor_like(b) {
        let tb = to_tensor(b, None)?;
        let ta = to_tensor(a, Some(tb.dtype()))?;
        Ok((ta, tb))
    } else {
        let ta = to_tensor(a, None)?;
        let tb = to_tensor(b, Some(ta.dtype()))?;
        Ok((ta, tb))
    }
}

fn wrap(t: Tensor) -> PyTensor {
    PyTensor::new(t)
}

fn opt_dtype(d: Option<&Obj<'_>>) -> PyResult<Option<DType>> {
    match d {
        Some(d) if !d.is_none() => Ok(Some(parse_dtype(d)?)),
        _ => Ok(None),
    }
}

/// Reads an `axis` argument: None, an int, a list/tuple of ints, or an int tensor.
pub fn parse_axes(axis: Option<&Obj<'_>>) -> PyResult<Option<Vec<i64>>> {
    let Some(axis) = axis else { return Ok(None) };
    if axis.is_none() {
        return Ok(None);
    }
    if let Ok(i) = axis.extract::<i64>() {
        return Ok(Some(vec![i]));
    }
    if is_tensor_like(axis) || axis.is_instance_of::<PyList>() || axis.is_instance_of::<PyTuple>() {
        let t = to_tensor(axis, Some(DType::I64))?;
        let t = kernels::cast(&t, DType::I64).py()?;
        return Ok(Some(t.as_slice::<i64>().map(|s| s.to_vec()).unwrap_or_default()));
    }
    Err(type_error("axis must be None, an int, or a list of ints", axis))
}

fn parse_axis(axis: &Obj<'_>, op: &str) -> PyResult<i64> {
    match parse_axes(Some(axis))? {
        Some(v) if v.len() == 1 => Ok(v[0]),
        _ => Err(PyValueError::new_err(format!("{op}: axis must be a single int"))),
    }
}

/// Reads a shape argument: an int, a list/tuple/TensorShape of ints, or an int tensor.
pub fn parse_shape(shape: &Obj<'_>) -> PyResult<Vec<usize>> {
    let dims: Vec<i64> = if let Ok(i) = shape.extract::<i64>() {
        vec![i]
    } else if is_tensor_like(shape) {
        let t = kernels::cast(&to_tensor(shape, None)?, DType::I64).py()?;
        t.as_slice::<i64>().map(|s| s.to_vec()).unwrap_or_default()
    } else {
        shape
            .try_iter()
            .map_err(|_| type_error("shape must be an int or a sequence of ints", shape))?
            .map(|d| d.and_then(|d| d.extract::<i64>()))
            .collect::<PyResult<_>>()?
    };
    dims.into_iter()
        .map(|d| {
            usize::try_from(d)
                .map_err(|_| PyValueError::new_err(format!("shape dimensions must be non-negative, got {d}")))
        })
        .collect()
}

fn reshape_dims(shape: &Obj<'_>) -> PyResult<Vec<i64>> {
    if let Ok(i) = shape.extract::<i64>() {
        return Ok(vec![i]);
    }
    if is_tensor_like(shape) {
        let t = kernels::cast(&to_tensor(shape, None)?, DType::I64).py()?;
        return Ok(t.as_slice::<i64>().map(|s| s.to_vec()).unwrap_or_default());
    }
    shape
        .try_iter()
        .map_err(|_| type_error("shape must be a sequence of ints", shape))?
        .map(|d| d.and_then(|d| if d.is_none() { Ok(-1) } else { d.extract::<i64>() }))
        .collect()
}

fn tensors(values: &Obj<'_>) -> PyResult<Vec<Tensor>> {
    let items: Vec<Obj<'_>> = values.try_iter()?.collect::<PyResult<_>>()?;
    let first_dtype =
        items.iter().find(|o| is_tensor_like(o)).map(|o| to_tensor(o, None)).transpose()?.map(|t| t.dtype());
    items.iter().map(|o| to_tensor(o, first_dtype)).collect()
}

fn scalar_of(v: &Obj<'_>) -> PyResult<f64> {
    if is_tensor_like(v) {
        crate::tensor::scalar_f64(&to_tensor(v, None)?, "value")
    } else {
        v.extract::<f64>()
    }
}

// ---------------------------------------------------------------- creation

/// TF's `constant(value, dtype=None, shape=None)`.
#[pyfunction]
#[pyo3(signature = (value, dtype=None, shape=None, name=None))]
pub fn constant(
    value: &Obj<'_>,
    dtype: Option<&Obj<'_>>,
    shape: Option<&Obj<'_>>,
    name: Option<&str>,
) -> PyResult<PyTensor> {
    let _ = name;
    let no_shape = shape.is_none_or(|s| s.is_none());
    if let Ok(given) = value.cast::<PyTensor>() {
        // TF hands a tensor back as itself (same value, still differentiable),
        // and will not cast it.
        let t = given.borrow().t.clone();
        match opt_dtype(dtype)? {
            Some(d) if d != t.dtype() => {
                return Err(PyTypeError::new_err(format!(
                    "Expected tensor with dtype {d}, but got dtype {}.",
                    t.dtype()
                )));
            }
            _ if no_shape => return Ok(wrap(t)),
            _ => {}
        }
    }
    if crate::autopack::holds_tensor(value) {
        // TF 2.21's `constant` fails on these too; `convert_to_tensor` and
        // `stack` pack them differentiably.
        return Err(PyValueError::new_err(
            "tf.constant cannot take a list or tuple holding tensors; use tf.stack or tf.convert_to_tensor",
        ));
    }
    let mut t = match opt_dtype(dtype)? {
        Some(d) => to_tensor_as(value, d)?,
        None => to_tensor(value, None)?,
    };
    // A fresh id: a constant built from a variable or a shape change is a new value.
    t = t.detached();
    if let Some(shape) = shape.filter(|s| !s.is_none()) {
        let shape = parse_shape(shape)?;
        let n: usize = shape.iter().product();
        t = if t.numel() == n {
            t.with_shape(&shape).py()?
        } else if t.numel() == 1 {
            ops::broadcast_to(&t, &shape).py()?
        } else {
            return Err(PyTypeError::new_err(format!(
                "Eager execution of tf.constant with unsupported shape. Tensor of shape {:?} cannot be reshaped to {:?}",
                t.shape(),
                shape
            )));
        };
    }
    Ok(wrap(t))
}

/// TF's `convert_to_tensor(value, dtype=None, dtype_hint=None)`: tensors pass through.
#[pyfunction]
#[pyo3(signature = (value, dtype=None, dtype_hint=None, name=None))]
pub fn convert_to_tensor(
    value: &Obj<'_>,
    dtype: Option<&Obj<'_>>,
    dtype_hint: Option<&Obj<'_>>,
    name: Option<&str>,
) -> PyResult<PyTensor> {
    let _ = name;
    if let Some(d) = opt_dtype(dtype)? {
        let t = to_tensor(value, Some(d))?;
        if t.dtype() != d {
            return Err(PyValueError::new_err(format!(
                "Tensor conversion requested dtype {d} for Tensor with dtype {}",
                t.dtype()
            )));
        }
        return Ok(wrap(t));
    }
    let hint = opt_dtype(dtype_hint)?;
    let t = match to_tensor(value, hint) {
        Ok(t) => t,
        Err(_) if hint.is_some() => to_tensor(value, None)?,
        Err(e) => return Err(e),
    };
    Ok(wrap(t))
}

fn dtype_or(d: Option<&Obj<'_>>, default: DType) -> PyResult<DType> {
    Ok(opt_dtype(d)?.unwrap_or(default))
}

/// Zeros of `shape` (float32 by default).
#[pyfunction]
#[pyo3(signature = (shape, dtype=None, name=None))]
pub fn zeros(shape: &Obj<'_>, dtype: Option<&Obj<'_>>, name: Option<&str>) -> PyResult<PyTensor> {
    let _ = name;
    Ok(wrap(ops::checked_fill("zeros", &parse_shape(shape)?, 0.0, dtype_or(dtype, DType::F32)?).py()?))
}

/// Ones of `shape` (float32 by default).
#[pyfunction]
#[pyo3(signature = (shape, dtype=None, name=None))]
pub fn ones(shape: &Obj<'_>, dtype: Option<&Obj<'_>>, name: Option<&str>) -> PyResult<PyTensor> {
    let _ = name;
    Ok(wrap(ops::checked_fill("ones", &parse_shape(shape)?, 1.0, dtype_or(dtype, DType::F32)?).py()?))
}

/// Zeros shaped like `input`.
#[pyfunction]
#[pyo3(signature = (input, dtype=None, name=None))]
pub fn zeros_like(input: &Obj<'_>, dtype: Option<&Obj<'_>>, name: Option<&str>) -> PyResult<PyTensor> {
    let _ = name;
    let t = to_tensor(input, None)?;
    Ok(wrap(ops::zeros(t.shape(), dtype_or(dtype, t.dtype())?)))
}

/// Ones shaped like `input`.
#[pyfunction]
#[pyo3(signature = (input, dtype=None, name=None))]
pub fn ones_like(input: &Obj<'_>, dtype: Option<&Obj<'_>>, name: Option<&str>) -> PyResult<PyTensor> {
    let _ = name;
    let t = to_tensor(input, None)?;
    Ok(wrap(ops::ones(t.shape(), dtype_or(dtype, t.dtype())?)))
}

/// `fill(dims, value)`: the value's dtype.
#[pyfunction]
#[pyo3(signature = (dims, value, name=None))]
pub fn fill(dims: &Obj<'_>, value: &Obj<'_>, name: Option<&str>) -> PyResult<PyTensor> {
    let _ = name;
    let v = to_tensor(value, None)?;
    Ok(wrap(ops::broadcast_to(&v, &parse_shape(dims)?).py()?))
}

/// TF's `range(start, limit=None, delta=1, dtype=None)`.
#[pyfunction]
#[pyo3(name = "range", signature = (start, limit=None, delta=None, dtype=None, name=None))]
pub fn range_(
    start: &Obj<'_>,
    limit: Option<&Obj<'_>>,
    delta: Option<&Obj<'_>>,
    dtype: Option<&Obj<'_>>,
    name: Option<&str>,
) -> PyResult<PyTensor> {
    let _ = name;
    let (start, limit) = match limit.filter(|l| !l.is_none()) {
        Some(l) => (start.clone(), l.clone()),
        None => (0i64.into_pyobject(start.py())?.into_any(), start.clone()),
    };
    let delta = match delta {
        Some(d) if !d.is_none() => d.clone(),
        _ => 1i64.into_pyobject(start.py())?.into_any(),
    };
    let parts = [&start, &limit, &delta];
    // The widest of the arguments' dtypes, as TF infers it.
    let inferred = parts
        .iter()
        .map(|p| to_tensor(p, None).map(|t| t.dtype()))
        .collect::<PyResult<Vec<_>>>()?
        .into_iter()
        .max_by_key(|d| match d {
            DType::I32 => 0,
            DType::I64 => 1,
            DType::F32 => 2,
            DType::F64 => 3,
            DType::Bool => -1,
        })
        .unwrap_or(DType::I32);
    let dtype = dtype_or(dtype, inferred)?;
    Ok(wrap(kernels::range(scalar_of(&start)?, scalar_of(&limit)?, scalar_of(&delta)?, dtype).py()?))
}

/// `linspace(start, stop, num)`.
#[pyfunction]
#[pyo3(signature = (start, stop, num, name=None, axis=0))]
pub fn linspace(
    start: &Obj<'_>,
    stop: &Obj<'_>,
    num: usize,
    name: Option<&str>,
    axis: i64,
) -> PyResult<PyTensor> {
    let _ = (name, axis);
    let (s, e) = pair(start, stop)?;
    let dtype = if s.dtype().is_float() { s.dtype() } else { DType::F32 };
    let (a, b) = (crate::tensor::scalar_f64(&s, "start")?, crate::tensor::scalar_f64(&e, "stop")?);
    tapegrad::shape::check_alloc("linspace", &[num], DType::F64).py()?;
    let step = if num > 1 { (b - a) / (num - 1) as f64 } else { 0.0 };
    let vals: Vec<f64> =
        (0..num).map(|i| if i + 1 == num && num > 1 { b } else { a + step * i as f64 }).collect();
    let t = Tensor::from_vec(vals, &[num]).py()?;
    Ok(wrap(kernels::cast(&t, dtype).py()?))
}

/// Identity matrix `eye(num_rows, num_columns=None, dtype=float32)`.
#[pyfunction]
#[pyo3(signature = (num_rows, num_columns=None, batch_shape=None, dtype=None, name=None))]
pub fn eye(
    num_rows: usize,
    num_columns: Option<usize>,
    batch_shape: Option<&Obj<'_>>,
    dtype: Option<&Obj<'_>>,
    name: Option<&str>,
) -> PyResult<PyTensor> {
    let _ = name;
    let m = num_columns.unwrap_or(num_rows);
    tapegrad::shape::check_alloc("eye", &[num_rows, m], DType::F64).py()?;
    let vals: Vec<f64> = (0..num_rows * m).map(|i| if i / m == i % m { 1.0 } else { 0.0 }).collect();
    let mut t =
        kernels::cast(&Tensor::from_vec(vals, &[num_rows, m]).py()?, dtype_or(dtype, DType::F32)?).py()?;
    if let Some(b) = batch_shape.filter(|b| !b.is_none()) {
        let mut shape = parse_shape(b)?;
        shape.extend([num_rows, m]);
        t = kernels::broadcast_to(&t, &shape).py()?;
    }
    Ok(wrap(t))
}

// ---------------------------------------------------------------- elementwise

macro_rules! unary_pyfns {
    ($($(#[$doc:meta])* $name:ident => $kind:ident;)*) => {$(
        $(#[$doc])*
        #[pyfunction]
        #[pyo3(signature = (x, name=None))]
        pub fn $name(x: &Obj<'_>, name: Option<&str>) -> PyResult<PyTensor> {
            let _ = name;
            let t = to_tensor(x, None)?;
            Ok(wrap(crate::gil::compute(x.py(), t.numel(), || ops::unary(UnaryKind::$kind, &t)).py()?))
        }
    )*};
}

unary_pyfns! {
    /// `-x`.
    negative => Neg;
    /// `|x|`.
    abs => Abs;
    /// sign of x.
    sign => Sign;
    /// `x²`.
    square => Square;
    /// `√x`.
    sqrt => Sqrt;
    /// `1/√x`.
    rsqrt => Rsqrt;
    /// `1/x`.
    reciprocal => Reciprocal;
    /// `eˣ`.
    exp => Exp;
    /// `eˣ − 1`.
    expm1 => Expm1;
    /// natural log.
    log => Log;
    /// `ln(1 + x)`.
    log1p => Log1p;
    /// sine.
    sin => Sin;
    /// cosine.
    cos => Cos;
    /// tangent.
    tan => Tan;
    /// arcsine.
    asin => Asin;
    /// arccosine.
    acos => Acos;
    /// arctangent.
    atan => Atan;
    /// hyperbolic sine.
    sinh => Sinh;
    /// hyperbolic cosine.
    cosh => Cosh;
    /// hyperbolic tangent.
    tanh => Tanh;
    /// inverse hyperbolic sine.
    asinh => Asinh;
    /// inverse hyperbolic cosine.
    acosh => Acosh;
    /// inverse hyperbolic tangent.
    atanh => Atanh;
    /// logistic sigmoid.
    sigmoid => Sigmoid;
    /// `max(x, 0)`.
    relu => Relu;
    /// `ln(1 + eˣ)`.
    softplus => Softplus;
    /// error function.
    erf => Erf;
    /// floor.
    floor => Floor;
    /// ceiling.
    ceil => Ceil;
    /// round half to even.
    round => Round;
    /// NaN test.
    is_nan => IsNan;
    /// infinity test.
    is_inf => IsInf;
    /// finiteness test.
    is_finite => IsFinite;
    /// boolean not.
    logical_not => LogicalNot;
}

macro_rules! binary_pyfns {
    ($($(#[$doc:meta])* $name:ident => $kind:ident;)*) => {$(
        $(#[$doc])*
        #[pyfunction]
        #[pyo3(signature = (x, y, name=None))]
        pub fn $name(x: &Obj<'_>, y: &Obj<'_>, name: Option<&str>) -> PyResult<PyTensor> {
            let _ = name;
            let (a, b) = pair(x, y)?;
            let n = a.numel().max(b.numel());
            Ok(wrap(crate::gil::compute(x.py(), n, || ops::binary(BinaryKind::$kind, &a, &b)).py()?))
        }
    )*};
}

binary_pyfns! {
    /// `x + y`.
    add => Add;
    /// `x − y`.
    subtract => Sub;
    /// `x · y`.
    multiply => Mul;
    /// `x ^ y`.
    pow => Pow;
    /// elementwise max.
    maximum => Maximum;
    /// elementwise min.
    minimum => Minimum;
    /// `⌊x / y⌋`.
    floordiv => FloorDiv;
    /// Python-style `x % y`.
    floormod => FloorMod;
    /// `atan2(y, x)`.
    atan2 => Atan2;
    /// `x == y`.
    equal => Equal;
    /// `x != y`.
    not_equal => NotEqual;
    /// `x < y`.
    less => Less;
    /// `x <= y`.
    less_equal => LessEqual;
    /// `x > y`.
    greater => Greater;
    /// `x >= y`.
    greater_equal => GreaterEqual;
    /// `x && y`.
    logical_and => LogicalAnd;
    /// `x || y`.
    logical_or => LogicalOr;
    /// `x ^ y`.
    logical_xor => LogicalXor;
}

/// `x / y`; ints divide as float64 (TF's `truediv`).
#[pyfunction]
#[pyo3(signature = (x, y, name=None))]
pub fn divide(x: &Obj<'_>, y: &Obj<'_>, name: Option<&str>) -> PyResult<PyTensor> {
    let _ = name;
    let (mut a, mut b) = pair(x, y)?;
    if a.dtype().is_int() && b.dtype().is_int() {
        a = ops::cast(&a, DType::F64).py()?;
        b = ops::cast(&b, DType::F64).py()?;
    }
    Ok(wrap(ops::div(&a, &b).py()?))
}

/// `x / y`, 0 where `y == 0`.
#[pyfunction]
#[pyo3(signature = (x, y, name=None))]
pub fn divide_no_nan(x: &Obj<'_>, y: &Obj<'_>, name: Option<&str>) -> PyResult<PyTensor> {
    let _ = name;
    let (a, b) = pair(x, y)?;
    let zero = ops::scalar(0.0, b.dtype());
    let nonzero = kernels::binary(BinaryKind::NotEqual, &b, &zero).py()?;
    let safe_b = ops::where_(&nonzero, &b, &ops::scalar(1.0, b.dtype())).py()?;
    let q = ops::div(&a, &safe_b).py()?;
    Ok(wrap(ops::where_(&nonzero, &q, &zero).py()?))
}

/// `(x − y)²`.
#[pyfunction]
#[pyo3(signature = (x, y, name=None))]
pub fn squared_difference(x: &Obj<'_>, y: &Obj<'_>, name: Option<&str>) -> PyResult<PyTensor> {
    let _ = name;
    let (a, b) = pair(x, y)?;
    Ok(wrap(ops::squared_difference(&a, &b).py()?))
}

/// Sums a list of same-shaped tensors.
#[pyfunction]
#[pyo3(signature = (inputs, name=None))]
pub fn add_n(inputs: &Obj<'_>, name: Option<&str>) -> PyResult<PyTensor> {
    let _ = name;
    let ts = tensors(inputs)?;
    let mut it = ts.into_iter();
    let Some(mut acc) = it.next() else {
        return Err(PyValueError::new_err("add_n needs at least one tensor"));
    };
    for (i, t) in it.enumerate() {
        // TF's AddN does not broadcast.
        if t.shape() != acc.shape() {
            return Err(crate::errors::InvalidArgumentError::new_err(format!(
                "add_n: Inputs to operation AddN of type AddN must have the same size and shape.  Input 0: {:?} != input {}: {:?}",
                acc.shape(),
                i + 1,
                t.shape()
            )));
        }
        acc = ops::add(&acc, &t).py()?;
    }
    Ok(wrap(acc))
}

/// `cond ? x : y` (TF2's `where`); with only `condition`, the coordinates of true elements.
#[pyfunction]
#[pyo3(name = "where", signature = (condition, x=None, y=None, name=None))]
pub fn where_(
    condition: &Obj<'_>,
    x: Option<&Obj<'_>>,
    y: Option<&Obj<'_>>,
    name: Option<&str>,
) -> PyResult<PyTensor> {
    let _ = name;
    let cond = to_tensor(condition, Some(DType::Bool))?;
    match (x, y) {
        (Some(x), Some(y)) if !x.is_none() && !y.is_none() => {
            let (a, b) = pair(x, y)?;
            Ok(wrap(ops::where_(&cond, &a, &b).py()?))
        }
        (None, None) => {
            let c = kernels::cast(&cond, DType::Bool).py()?;
            let flags = c.as_slice::<bool>().unwrap_or(&[]);
            let strides = tapegrad::shape::strides(c.shape());
            let mut coords: Vec<i64> = Vec::new();
            let mut n = 0;
            for (i, &f) in flags.iter().enumerate() {
                if f {
                    n += 1;
                    for s in strides.iter().zip(c.shape()) {
                        coords.push(((i / s.0) % s.1) as i64);
                    }
                }
            }
            Ok(wrap(Tensor::from_vec(coords, &[n, c.rank()]).py()?))
        }
        _ => Err(PyValueError::new_err("where: pass both x and y, or neither")),
    }
}

/// Clips to `[clip_value_min, clip_value_max]`.
#[pyfunction]
#[pyo3(signature = (t, clip_value_min, clip_value_max, name=None))]
pub fn clip_by_value(
    t: &Obj<'_>,
    clip_value_min: &Obj<'_>,
    clip_value_max: &Obj<'_>,
    name: Option<&str>,
) -> PyResult<PyTensor> {
    let _ = name;
    let x = to_tensor(t, None)?;
    let lo = to_tensor(clip_value_min, Some(x.dtype()))?;
    let hi = to_tensor(clip_value_max, Some(x.dtype()))?;
    Ok(wrap(ops::clip_by_value(&x, &lo, &hi).py()?))
}

/// Converts to `dtype`.
#[pyfunction]
#[pyo3(signature = (x, dtype, name=None))]
pub fn cast(x: &Obj<'_>, dtype: &Obj<'_>, name: Option<&str>) -> PyResult<PyTensor> {
    let _ = name;
    let d = parse_dtype(dtype)?;
    let t = match to_tensor(x, Some(d)) {
        Ok(t) => t,
        Err(_) => to_tensor(x, None)?,
    };
    Ok(wrap(ops::cast(&t, d).py()?))
}

/// The same value, recorded (gradients pass through).
#[pyfunction]
#[pyo3(signature = (input, name=None))]
pub fn identity(input: &Obj<'_>, name: Option<&str>) -> PyResult<PyTensor> {
    let _ = name;
    Ok(wrap(ops::identity(&to_tensor(input, None)?).py()?))
}

/// The same value, cut out of every tape.
#[pyfunction]
#[pyo3(signature = (input, name=None))]
pub fn stop_gradient(input: &Obj<'_>, name: Option<&str>) -> PyResult<PyTensor> {
    let _ = name;
    Ok(wrap(ops::stop_gradient(&to_tensor(input, None)?)))
}

// ---------------------------------------------------------------- reductions

macro_rules! reduce_pyfns {
    ($($(#[$doc:meta])* $name:ident => $f:path;)*) => {$(
        $(#[$doc])*
        #[pyfunction]
        #[pyo3(signature = (input_tensor, axis=None, keepdims=false, name=None))]
        pub fn $name(input_tensor: &Obj<'_>, axis: Option<&Obj<'_>>, keepdims: Option<bool>, name: Option<&str>) -> PyResult<PyTensor> {
            let _ = name;
            let x = to_tensor(input_tensor, None)?;
            let axes = parse_axes(axis)?;
            let keep = keepdims.unwrap_or(false);
            Ok(wrap(crate::gil::compute(input_tensor.py(), x.numel(), || $f(&x, axes.as_deref(), keep)).py()?))
        }
    )*};
}

reduce_pyfns! {
    /// Sum over `axis` (all by default).
    reduce_sum => ops::reduce_sum;
    /// Mean over `axis`.
    reduce_mean => ops::reduce_mean;
    /// Max over `axis`.
    reduce_max => ops::reduce_max;
    /// Min over `axis`.
    reduce_min => ops::reduce_min;
    /// Product over `axis`.
    reduce_prod => ops::reduce_prod;
    /// Logical or over `axis`.
    reduce_any => ops::reduce_any;
    /// Logical and over `axis`.
    reduce_all => ops::reduce_all;
    /// `log Σ exp` over `axis`, stabilised.
    reduce_logsumexp => ops::reduce_logsumexp;
    /// Variance over `axis`.
    reduce_variance => ops::reduce_variance;
    /// Standard deviation over `axis`.
    reduce_std => ops::reduce_std;
}

/// Vector norm: `ord` 'euclidean'/2 (default), 1, or inf.
#[pyfunction]
#[pyo3(signature = (tensor, ord=None, axis=None, keepdims=None, name=None))]
pub fn norm(
    tensor: &Obj<'_>,
    ord: Option<&Obj<'_>>,
    axis: Option<&Obj<'_>>,
    keepdims: Option<bool>,
    name: Option<&str>,
) -> PyResult<PyTensor> {
    let _ = name;
    let x = to_tensor(tensor, None)?;
    let ord = match ord {
        None => 2.0,
        Some(o) if o.is_none() => 2.0,
        Some(o) => match o.extract::<String>() {
            Ok(s) if s == "euclidean" || s == "fro" => 2.0,
            Ok(s) => return Err(PyValueError::new_err(format!("norm: ord='{s}' is not supported"))),
            Err(_) => o.extract::<f64>()?,
        },
    };
    let axes = parse_axes(axis)?;
    Ok(wrap(ops::norm(&x, ord, axes.as_deref(), keepdims.unwrap_or(false)).py()?))
}

fn arg_reduce(
    input: &Obj<'_>,
    axis: Option<&Obj<'_>>,
    output_type: Option<&Obj<'_>>,
    max: bool,
) -> PyResult<PyTensor> {
    let x = to_tensor(input, None)?;
    let axis = match axis {
        Some(a) if !a.is_none() => parse_axis(a, "argmax")?,
        _ => 0,
    };
    let out = dtype_or(output_type, DType::I64)?;
    let f = if max { ops::argmax } else { ops::argmin };
    Ok(wrap(f(&x, axis, out).py()?))
}

/// Index of the max along `axis` (0 by default), int64.
#[pyfunction]
#[pyo3(signature = (input, axis=None, output_type=None, name=None))]
pub fn argmax(
    input: &Obj<'_>,
    axis: Option<&Obj<'_>>,
    output_type: Option<&Obj<'_>>,
    name: Option<&str>,
) -> PyResult<PyTensor> {
    let _ = name;
    arg_reduce(input, axis, output_type, true)
}

/// Index of the min along `axis` (0 by default), int64.
#[pyfunction]
#[pyo3(signature = (input, axis=None, output_type=None, name=None))]
pub fn argmin(
    input: &Obj<'_>,
    axis: Option<&Obj<'_>>,
    output_type: Option<&Obj<'_>>,
    name: Option<&str>,
) -> PyResult<PyTensor> {
    let _ = name;
    arg_reduce(input, axis, output_type, false)
}

/// Running sum along `axis`.
#[pyfunction]
#[pyo3(signature = (x, axis=0, exclusive=false, reverse=false, name=None))]
pub fn cumsum(
    x: &Obj<'_>,
    axis: i64,
    exclusive: bool,
    reverse: bool,
    name: Option<&str>,
) -> PyResult<PyTensor> {
    let _ = name;
    Ok(wrap(ops::cumsum(&to_tensor(x, None)?, axis, exclusive, reverse).py()?))
}

/// Running product along `axis`.
#[pyfunction]
#[pyo3(signature = (x, axis=0, exclusive=false, reverse=false, name=None))]
pub fn cumprod(
    x: &Obj<'_>,
    axis: i64,
    exclusive: bool,
    reverse: bool,
    name: Option<&str>,
) -> PyResult<PyTensor> {
    let _ = name;
    Ok(wrap(ops::cumprod(&to_tensor(x, None)?, axis, exclusive, reverse).py()?))
}

// ---------------------------------------------------------------- linear algebra

/// Batched `a @ b`, optionally transposing either (adjoint = transpose for reals).
#[pyfunction]
#[pyo3(signature = (a, b, transpose_a=false, transpose_b=false, adjoint_a=false, adjoint_b=false, a_is_sparse=false, b_is_sparse=false, output_type=None, name=None))]
#[allow(clippy::too_many_arguments)]
pub fn matmul(
    a: &Obj<'_>,
    b: &Obj<'_>,
    transpose_a: bool,
    transpose_b: bool,
    adjoint_a: bool,
    adjoint_b: bool,
    a_is_sparse: bool,
    b_is_sparse: bool,
    output_type: Option<&Obj<'_>>,
    name: Option<&str>,
) -> PyResult<PyTensor> {
    let _ = (a_is_sparse, b_is_sparse, output_type, name);
    let (x, y) = pair(a, b)?;
    let (ta, tb) = (transpose_a || adjoint_a, transpose_b || adjoint_b);
    let n = x.numel().max(y.numel());
    Ok(wrap(crate::gil::compute(a.py(), n, || ops::matmul(&x, &y, ta, tb)).py()?))
}

/// TF's `tensordot(a, b, axes)`: `axes` an int or a pair of axis lists.
#[pyfunction]
#[pyo3(signature = (a, b, axes, name=None))]
pub fn tensordot(a: &Obj<'_>, b: &Obj<'_>, axes: &Obj<'_>, name: Option<&str>) -> PyResult<PyTensor> {
    let _ = name;
    let (x, y) = pair(a, b)?;
    let spec = if let Ok(n) = axes.extract::<i64>() {
        if n < 0 {
            return Err(PyValueError::new_err(format!("tensordot: axes must be non-negative, got {n}")));
        }
        TensordotAxes::Count(n as usize)
    } else {
        let parts: Vec<Obj<'_>> = axes.try_iter()?.collect::<PyResult<_>>()?;
        if parts.len() != 2 {
            return Err(PyValueError::new_err("tensordot: axes must be an int or a pair [a_axes, b_axes]"));
        }
        let pa = parse_axes(Some(&parts[0]))?.unwrap_or_default();
        let pb = parse_axes(Some(&parts[1]))?.unwrap_or_default();
        TensordotAxes::Pairs(pa, pb)
    };
    Ok(wrap(ops::tensordot(&x, &y, &spec).py()?))
}

// ---------------------------------------------------------------- shapes

/// Same elements, new shape (one dim may be -1).
#[pyfunction]
#[pyo3(signature = (tensor, shape, name=None))]
pub fn reshape(tensor: &Obj<'_>, shape: &Obj<'_>, name: Option<&str>) -> PyResult<PyTensor> {
    let _ = name;
    Ok(wrap(ops::reshape(&to_tensor(tensor, None)?, &reshape_dims(shape)?).py()?))
}

/// Permutes dims (reverses them by default).
#[pyfunction]
#[pyo3(signature = (a, perm=None, conjugate=false, name=None))]
pub fn transpose(
    a: &Obj<'_>,
    perm: Option<&Obj<'_>>,
    conjugate: bool,
    name: Option<&str>,
) -> PyResult<PyTensor> {
    let _ = (conjugate, name);
    let x = to_tensor(a, None)?;
    let perm: Option<Vec<usize>> = match parse_axes(perm)? {
        None => None,
        Some(p) => Some(
            p.into_iter()
                .map(|i| {
                    tapegrad::shape::normalize_axis("transpose", i, x.rank()).map_err(crate::errors::to_pyerr)
                })
                .collect::<PyResult<_>>()?,
        ),
    };
    Ok(wrap(ops::transpose(&x, perm.as_deref()).py()?))
}

/// Inserts a size-1 dim at `axis`.
#[pyfunction]
#[pyo3(signature = (input, axis, name=None))]
pub fn expand_dims(input: &Obj<'_>, axis: &Obj<'_>, name: Option<&str>) -> PyResult<PyTensor> {
    let _ = name;
    Ok(wrap(ops::expand_dims(&to_tensor(input, None)?, parse_axis(axis, "expand_dims")?).py()?))
}

/// Removes size-1 dims (all, or those in `axis`).
#[pyfunction]
#[pyo3(signature = (input, axis=None, name=None))]
pub fn squeeze(input: &Obj<'_>, axis: Option<&Obj<'_>>, name: Option<&str>) -> PyResult<PyTensor> {
    let _ = name;
    let axes = parse_axes(axis)?;
    Ok(wrap(ops::squeeze(&to_tensor(input, None)?, axes.as_deref()).py()?))
}

/// Joins along an existing axis.
#[pyfunction]
#[pyo3(signature = (values, axis, name=None))]
pub fn concat(values: &Obj<'_>, axis: &Obj<'_>, name: Option<&str>) -> PyResult<PyTensor> {
    let _ = name;
    Ok(wrap(ops::concat(&tensors(values)?, parse_axis(axis, "concat")?).py()?))
}

/// Stacks along a new axis.
#[pyfunction]
#[pyo3(signature = (values, axis=0, name=None))]
pub fn stack(values: &Obj<'_>, axis: i64, name: Option<&str>) -> PyResult<PyTensor> {
    let _ = name;
    Ok(wrap(ops::stack(&tensors(values)?, axis).py()?))
}

/// Splits along `axis` into its slices.
#[pyfunction]
#[pyo3(signature = (value, num=None, axis=0, name=None))]
pub fn unstack(
    value: &Obj<'_>,
    num: Option<usize>,
    axis: i64,
    name: Option<&str>,
) -> PyResult<Vec<PyTensor>> {
    let _ = (num, name);
    Ok(ops::unstack(&to_tensor(value, None)?, axis).py()?.into_iter().map(wrap).collect())
}

/// Splits into `num_or_size_splits` equal pieces, or pieces of the given sizes.
#[pyfunction]
#[pyo3(signature = (value, num_or_size_splits, axis=0, num=None, name=None))]
pub fn split(
    value: &Obj<'_>,
    num_or_size_splits: &Obj<'_>,
    axis: i64,
    num: Option<usize>,
    name: Option<&str>,
) -> PyResult<Vec<PyTensor>> {
    let _ = (num, name);
    let x = to_tensor(value, None)?;
    let ax = tapegrad::shape::normalize_axis("split", axis, x.rank()).map_err(crate::errors::to_pyerr)?;
    let sizes: Vec<usize> = if let Ok(n) = num_or_size_splits.extract::<usize>() {
        let d = x.shape()[ax];
        if n == 0 || d % n != 0 {
            return Err(crate::errors::InvalidArgumentError::new_err(format!(
                "split: dimension {ax} of size {d} cannot be split into {n} equal pieces"
            )));
        }
        vec![d / n; n]
    } else {
        let dims = reshape_dims(num_or_size_splits)?;
        let known: i64 = dims.iter().filter(|&&d| d >= 0).sum();
        dims.iter()
            .map(|&d| if d < 0 { (x.shape()[ax] as i64 - known).max(0) as usize } else { d as usize })
            .collect()
    };
    Ok(ops::split(&x, &sizes, axis).py()?.into_iter().map(wrap).collect())
}

/// Broadcasts to `shape`.
#[pyfunction]
#[pyo3(signature = (input, shape, name=None))]
pub fn broadcast_to(input: &Obj<'_>, shape: &Obj<'_>, name: Option<&str>) -> PyResult<PyTensor> {
    let _ = name;
    Ok(wrap(ops::broadcast_to(&to_tensor(input, None)?, &parse_shape(shape)?).py()?))
}

/// Repeats along each dim.
#[pyfunction]
#[pyo3(signature = (input, multiples, name=None))]
pub fn tile(input: &Obj<'_>, multiples: &Obj<'_>, name: Option<&str>) -> PyResult<PyTensor> {
    let _ = name;
    Ok(wrap(ops::tile(&to_tensor(input, None)?, &parse_shape(multiples)?).py()?))
}

/// Constant padding: `paddings` is `[[before, after], …]` per dim.
#[pyfunction]
#[pyo3(signature = (tensor, paddings, mode="CONSTANT", constant_values=None, name=None))]
pub fn pad(
    tensor: &Obj<'_>,
    paddings: &Obj<'_>,
    mode: &str,
    constant_values: Option<&Obj<'_>>,
    name: Option<&str>,
) -> PyResult<PyTensor> {
    let _ = name;
    if !mode.eq_ignore_ascii_case("constant") {
        return Err(PyValueError::new_err(format!("pad: mode '{mode}' is not supported; only 'CONSTANT'")));
    }
    let x = to_tensor(tensor, None)?;
    let p = kernels::cast(&to_tensor(paddings, Some(DType::I64))?, DType::I64).py()?;
    let flat = p.as_slice::<i64>().unwrap_or(&[]);
    if p.shape() != [x.rank(), 2] || flat.iter().any(|&v| v < 0) {
        return Err(crate::errors::InvalidArgumentError::new_err(format!(
            "pad: paddings must be a [{}, 2] list of non-negative ints for a tensor of shape {:?}; got shape {:?}",
            x.rank(),
            x.shape(),
            p.shape()
        )));
    }
    let pairs: Vec<(usize, usize)> = flat.chunks(2).map(|c| (c[0] as usize, c[1] as usize)).collect();
    let value = match constant_values {
        Some(v) if !v.is_none() => scalar_of(v)?,
        _ => 0.0,
    };
    Ok(wrap(ops::pad(&x, &pairs, value).py()?))
}

/// TF's `gather(params, indices, axis=0)`.
#[pyfunction]
#[pyo3(signature = (params, indices, validate_indices=None, axis=None, batch_dims=0, name=None))]
pub fn gather(
    params: &Obj<'_>,
    indices: &Obj<'_>,
    validate_indices: Option<bool>,
    axis: Option<&Obj<'_>>,
    batch_dims: i64,
    name: Option<&str>,
) -> PyResult<PyTensor> {
    let _ = (validate_indices, name);
    if batch_dims != 0 {
        // Composed in Python from transposes and gather_nd (dense gradient, as TF's).
        let batch_gather = params.py().import("tapegrad.array_ops")?.getattr("batch_gather")?;
        let axis = axis.map(|a| a.clone().unbind()).unwrap_or_else(|| params.py().None());
        let out = batch_gather.call1((params, indices, axis, batch_dims))?;
        let out = out.cast::<PyTensor>()?;
        return Ok(wrap(out.borrow().t.clone()));
    }
    let p = to_tensor(params, None)?;
    let idx = index_tensor(indices)?;
    let axis = match axis {
        Some(a) if !a.is_none() => parse_axis(a, "gather")?,
        _ => 0,
    };
    Ok(wrap(ops::gather(&p, &idx, axis).py()?))
}

/// Indices as TF converts them: Python ints keep their natural int32/int64
/// (an index beyond int32 stays out of range instead of wrapping into it);
/// anything else is asked for as int32.
fn index_tensor(indices: &Obj<'_>) -> PyResult<Tensor> {
    match to_tensor(indices, None) {
        Ok(t) if t.dtype().is_int() => Ok(t),
        _ => to_tensor(indices, Some(DType::I32)),
    }
}

/// One-hot rows along a new last axis.
#[pyfunction]
#[pyo3(signature = (indices, depth, on_value=None, off_value=None, axis=None, dtype=None, name=None))]
#[allow(clippy::too_many_arguments)]
pub fn one_hot(
    indices: &Obj<'_>,
    depth: usize,
    on_value: Option<&Obj<'_>>,
    off_value: Option<&Obj<'_>>,
    axis: Option<i64>,
    dtype: Option<&Obj<'_>>,
    name: Option<&str>,
) -> PyResult<PyTensor> {
    let _ = name;
    let idx = index_tensor(indices)?;
    let on = on_value.filter(|v| !v.is_none()).map(scalar_of).transpose()?.unwrap_or(1.0);
    let off = off_value.filter(|v| !v.is_none()).map(scalar_of).transpose()?.unwrap_or(0.0);
    let d = dtype_or(dtype, DType::F32)?;
    let t = ops::one_hot(&idx, depth, on, off, d).py()?;
    match axis {
        None | Some(-1) => Ok(wrap(t)),
        Some(a) => {
            let r = t.rank();
            let a = tapegrad::shape::normalize_axis("one_hot", a, r).map_err(crate::errors::to_pyerr)?;
            let mut perm: Vec<usize> = (0..r - 1).collect();
            perm.insert(a, r - 1);
            Ok(wrap(ops::transpose(&t, Some(&perm)).py()?))
        }
    }
}

/// The shape as an int32 tensor.
#[pyfunction]
#[pyo3(signature = (input, out_type=None, name=None))]
pub fn shape(input: &Obj<'_>, out_type: Option<&Obj<'_>>, name: Option<&str>) -> PyResult<PyTensor> {
    let _ = name;
    let t = to_tensor(input, None)?;
    let dims: Vec<i64> = t.shape().iter().map(|&d| d as i64).collect();
    let s = Tensor::from_vec(dims, &[t.rank()]).py()?;
    Ok(wrap(kernels::cast(&s, dtype_or(out_type, DType::I32)?).py()?))
}

/// The element count as an int32 scalar.
#[pyfunction]
#[pyo3(signature = (input, out_type=None, name=None))]
pub fn size(input: &Obj<'_>, out_type: Option<&Obj<'_>>, name: Option<&str>) -> PyResult<PyTensor> {
    let _ = name;
    let t = to_tensor(input, None)?;
    Ok(wrap(kernels::cast(&Tensor::scalar(t.numel() as i64), dtype_or(out_type, DType::I32)?).py()?))
}

/// The rank as an int32 scalar.
#[pyfunction]
#[pyo3(signature = (input, name=None))]
pub fn rank(input: &Obj<'_>, name: Option<&str>) -> PyResult<PyTensor> {
    let _ = name;
    Ok(wrap(Tensor::scalar(to_tensor(input, None)?.rank() as i32)))
}

// ---------------------------------------------------------------- nn

fn softmax_axis(axis: Option<&Obj<'_>>) -> PyResult<i64> {
    match axis {
        Some(a) if !a.is_none() => parse_axis(a, "softmax"),
        _ => Ok(-1),
    }
}

/// Softmax along `axis` (last by default).
#[pyfunction]
#[pyo3(signature = (logits, axis=None, name=None))]
pub fn softmax(logits: &Obj<'_>, axis: Option<&Obj<'_>>, name: Option<&str>) -> PyResult<PyTensor> {
    let _ = name;
    Ok(wrap(ops::softmax(&to_tensor(logits, None)?, softmax_axis(axis)?).py()?))
}

/// Log-softmax along `axis` (last by default).
#[pyfunction]
#[pyo3(signature = (logits, axis=None, name=None))]
pub fn log_softmax(logits: &Obj<'_>, axis: Option<&Obj<'_>>, name: Option<&str>) -> PyResult<PyTensor> {
    let _ = name;
    Ok(wrap(ops::log_softmax(&to_tensor(logits, None)?, softmax_axis(axis)?).py()?))
}

/// `−Σ labels · log_softmax(logits)` along `axis`.
#[pyfunction]
#[pyo3(signature = (labels, logits, axis=None, name=None))]
pub fn softmax_cross_entropy_with_logits(
    labels: &Obj<'_>,
    logits: &Obj<'_>,
    axis: Option<i64>,
    name: Option<&str>,
) -> PyResult<PyTensor> {
    let _ = name;
    let axis = axis.unwrap_or(-1);
    let lg = to_tensor(logits, None)?;
    let lb = to_tensor(labels, Some(lg.dtype()))?;
    Ok(wrap(ops::softmax_cross_entropy_with_logits(&lb, &lg, axis).py()?))
}

/// Cross-entropy against integer class labels.
#[pyfunction]
#[pyo3(signature = (labels, logits, name=None))]
pub fn sparse_softmax_cross_entropy_with_logits(
    labels: &Obj<'_>,
    logits: &Obj<'_>,
    name: Option<&str>,
) -> PyResult<PyTensor> {
    let _ = name;
    let lg = to_tensor(logits, None)?;
    let lb = to_tensor(labels, Some(DType::I32))?;
    Ok(wrap(ops::sparse_softmax_cross_entropy_with_logits(&lb, &lg).py()?))
}

/// `x·σ(x)`.
#[pyfunction]
#[pyo3(signature = (features, beta=1.0, name=None))]
pub fn silu(features: &Obj<'_>, beta: f64, name: Option<&str>) -> PyResult<PyTensor> {
    let _ = name;
    let x = to_tensor(features, None)?;
    if beta == 1.0 {
        return Ok(wrap(ops::silu(&x).py()?));
    }
    let bx = ops::mul(&x, &ops::scalar(beta, x.dtype())).py()?;
    Ok(wrap(ops::mul(&x, &ops::sigmoid(&bx).py()?).py()?))
}

/// `log σ(x)`.
#[pyfunction]
#[pyo3(signature = (x, name=None))]
pub fn log_sigmoid(x: &Obj<'_>, name: Option<&str>) -> PyResult<PyTensor> {
    let _ = name;
    Ok(wrap(ops::log_sigmoid(&to_tensor(x, None)?).py()?))
}

/// GELU (exact by default; `approximate=True` for the tanh form).
#[pyfunction]
#[pyo3(signature = (features, approximate=false, name=None))]
pub fn gelu(features: &Obj<'_>, approximate: bool, name: Option<&str>) -> PyResult<PyTensor> {
    let _ = name;
    Ok(wrap(ops::gelu(&to_tensor(features, None)?, approximate).py()?))
}

/// ELU with α = 1.
#[pyfunction]
#[pyo3(signature = (features, name=None))]
pub fn elu(features: &Obj<'_>, name: Option<&str>) -> PyResult<PyTensor> {
    let _ = name;
    Ok(wrap(ops::elu(&to_tensor(features, None)?, 1.0).py()?))
}

/// SELU.
#[pyfunction]
#[pyo3(signature = (features, name=None))]
pub fn selu(features: &Obj<'_>, name: Option<&str>) -> PyResult<PyTensor> {
    let _ = name;
    Ok(wrap(ops::selu(&to_tensor(features, None)?).py()?))
}

/// Leaky ReLU (α = 0.2 by default, as TF).
#[pyfunction]
#[pyo3(signature = (features, alpha=0.2, name=None))]
pub fn leaky_relu(features: &Obj<'_>, alpha: f64, name: Option<&str>) -> PyResult<PyTensor> {
    let _ = name;
    Ok(wrap(ops::leaky_relu(&to_tensor(features, None)?, alpha).py()?))
}

/// `min(max(x, 0), 6)`.
#[pyfunction]
#[pyo3(signature = (features, name=None))]
pub fn relu6(features: &Obj<'_>, name: Option<&str>) -> PyResult<PyTensor> {
    let _ = name;
    Ok(wrap(ops::relu6(&to_tensor(features, None)?).py()?))
}

/// `Σ x² / 2`.
#[pyfunction]
#[pyo3(signature = (t, name=None))]
pub fn l2_loss(t: &Obj<'_>, name: Option<&str>) -> PyResult<PyTensor> {
    let _ = name;
    Ok(wrap(ops::l2_loss(&to_tensor(t, None)?).py()?))
}

// ---------------------------------------------------------------- random

/// Sets the global random seed (TF's `random.set_seed`).
#[pyfunction]
#[pyo3(signature = (seed))]
pub fn set_seed(seed: Option<&Obj<'_>>) -> PyResult<()> {
    let s = match seed {
        Some(s) if !s.is_none() => Some(s.extract::<i64>()? as u64),
        _ => None,
    };
    kernels::random::set_seed(s);
    Ok(())
}

fn seed_arg(seed: Option<&Obj<'_>>) -> PyResult<Option<u64>> {
    match seed {
        Some(s) if !s.is_none() => Ok(Some(s.extract::<i64>()? as u64)),
        _ => Ok(None),
    }
}

/// Normal samples of `shape`.
#[pyfunction]
#[pyo3(signature = (shape, mean=0.0, stddev=1.0, dtype=None, seed=None, name=None))]
pub fn random_normal(
    shape: &Obj<'_>,
    mean: f64,
    stddev: f64,
    dtype: Option<&Obj<'_>>,
    seed: Option<&Obj<'_>>,
    name: Option<&str>,
) -> PyResult<PyTensor> {
    let _ = name;
    let d = dtype_or(dtype, DType::F32)?;
    Ok(wrap(kernels::random::normal(&parse_shape(shape)?, mean, stddev, d, seed_arg(seed)?).py()?))
}

/// Truncated-normal samples of `shape`.
#[pyfunction]
#[pyo3(signature = (shape, mean=0.0, stddev=1.0, dtype=None, seed=None, name=None))]
pub fn truncated_normal(
    shape: &Obj<'_>,
    mean: f64,
    stddev: f64,
    dtype: Option<&Obj<'_>>,
    seed: Option<&Obj<'_>>,
    name: Option<&str>,
) -> PyResult<PyTensor> {
    let _ = name;
    let d = dtype_or(dtype, DType::F32)?;
    Ok(wrap(kernels::random::truncated_normal(&parse_shape(shape)?, mean, stddev, d, seed_arg(seed)?).py()?))
}

/// Uniform samples of `shape` in `[minval, maxval)`.
#[pyfunction]
#[pyo3(signature = (shape, minval=None, maxval=None, dtype=None, seed=None, name=None))]
pub fn random_uniform(
    shape: &Obj<'_>,
    minval: Option<&Obj<'_>>,
    maxval: Option<&Obj<'_>>,
    dtype: Option<&Obj<'_>>,
    seed: Option<&Obj<'_>>,
    name: Option<&str>,
) -> PyResult<PyTensor> {
    let _ = name;
    let d = dtype_or(dtype, DType::F32)?;
    let lo = minval.filter(|v| !v.is_none()).map(scalar_of).transpose()?.unwrap_or(0.0);
    let hi = match maxval.filter(|v| !v.is_none()) {
        Some(v) => scalar_of(v)?,
        None if d.is_int() => {
            return Err(PyValueError::new_err("random.uniform: maxval must be given for integer dtypes"));
        }
        None => 1.0,
    };
    Ok(wrap(kernels::random::uniform(&parse_shape(shape)?, lo, hi, d, seed_arg(seed)?).py()?))
}

// ---------------------------------------------------------------- dtypes

/// Looks up a dtype by name or numpy type.
#[pyfunction]
pub fn as_dtype(d: &Obj<'_>) -> PyResult<PyDType> {
    Ok(PyDType { dtype: parse_dtype(d)? })
}

/// True for tensors and variables.
#[pyfunction]
pub fn is_tensor(x: &Obj<'_>) -> bool {
    is_tensor_like(x)
}

/// Sets the size of the thread pool kernels and backward passes use (0 = default).
#[pyfunction]
pub fn set_num_threads(n: usize) -> PyResult<()> {
    tapegrad::threading::set_num_threads(n).py()
}

/// The size of the thread pool kernels and backward passes use.
#[pyfunction]
pub fn get_num_threads() -> usize {
    tapegrad::threading::num_threads()
}

/// Switches lazy fusion of large elementwise chains on or off (process-wide).
#[pyfunction]
pub fn set_fusion(enabled: bool) {
    tapegrad::kernels::fusion::set_enabled(enabled);
}

/// Whether large elementwise chains are fused lazily.
#[pyfunction]
pub fn get_fusion() -> bool {
    tapegrad::kernels::fusion::enabled()
}

/// Registers every function on the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    macro_rules! add {
        ($($f:ident),* $(,)?) => {$( m.add_function(wrap_pyfunction!($f, m)?)?; )*};
    }
    add!(
        set_fusion,
        get_fusion,
        constant,
        convert_to_tensor,
        zeros,
        ones,
        zeros_like,
        ones_like,
        fill,
        range_,
        linspace,
        eye,
        negative,
        abs,
        sign,
        square,
        sqrt,
        rsqrt,
        reciprocal,
        exp,
        expm1,
        log,
        log1p,
        sin,
        cos,
        tan,
        asin,
        acos,
        atan,
        sinh,
        cosh,
        tanh,
        asinh,
        acosh,
        atanh,
        sigmoid,
        relu,
        softplus,
        erf,
        floor,
        ceil,
        round,
        is_nan,
        is_inf,
        is_finite,
        logical_not,
        add,
        subtract,
        multiply,
        pow,
        maximum,
        minimum,
        floordiv,
        floormod,
        atan2,
        equal,
        not_equal,
        less,
        less_equal,
        greater,
        greater_equal,
        logical_and,
        logical_or,
        logical_xor,
        divide,
        divide_no_nan,
        squared_difference,
        add_n,
        where_,
        clip_by_value,
        cast,
        identity,
        stop_gradient,
        reduce_sum,
        reduce_mean,
        reduce_max,
        reduce_min,
        reduce_prod,
        reduce_any,
        reduce_all,
        reduce_logsumexp,
        reduce_variance,
        reduce_std,
        norm,
        argmax,
        argmin,
        cumsum,
        cumprod,
        matmul,
        tensordot,
        reshape,
        transpose,
        expand_dims,
        squeeze,
        concat,
        stack,
        unstack,
        split,
        broadcast_to,
        tile,
        pad,
        gather,
        one_hot,
        shape,
        size,
        rank,
        softmax,
        log_softmax,
        softmax_cross_entropy_with_logits,
        sparse_softmax_cross_entropy_with_logits,
        silu,
        log_sigmoid,
        gelu,
        elu,
        selu,
        leaky_relu,
        relu6,
        l2_loss,
        set_seed,
        random_normal,
        truncated_normal,
        random_uniform,
        as_dtype,
        is_tensor,
        set_num_threads,
        get_num_threads,
    );
    Ok(())
}

//! `tf.nn`'s convolution and pooling primitives on NHWC tensors. The Python
//! facade (`tapegrad._conv_ops`) normalises TF's argument forms (ints or lists
//! for strides, data formats, 1-D variants) and calls these with explicit
//! pairs; each parses the padding and calls one core op. No math happens here.

use pyo3::prelude::*;
use tapegrad::kernels::conv::Padding;
use tapegrad::{Error, Tensor, ops};

use crate::convert::to_tensor;
use crate::errors::IntoPy;
use crate::tensor::PyTensor;

type Obj<'py> = Bound<'py, PyAny>;
type Pair = (usize, usize);

/// TF's `padding`: "SAME", "VALID", or "EXPLICIT" with `[(top, bottom), (left, right)]`.
fn padding(op: &'static str, padding: &str, explicit: Option<Vec<Pair>>) -> PyResult<Padding> {
    match (padding, explicit) {
        ("SAME", _) => Ok(Padding::Same),
        ("VALID", _) => Ok(Padding::Valid),
        ("EXPLICIT", Some(p)) if p.len() == 2 => Ok(Padding::Explicit([[p[0].0, p[0].1], [p[1].0, p[1].1]])),
        ("EXPLICIT", p) => Err(Error::arg(
            op,
            format!("explicit padding needs two (before, after) pairs for height and width, got {p:?}"),
        ))
        .py(),
        (other, _) => Err(Error::arg(
            op,
            format!("Value for attr 'padding' of \"{other}\" is not in the list of allowed values: \"SAME\", \"VALID\", \"EXPLICIT\""),
        ))
        .py(),
    }
}

/// `input` and `other` as tensors; a non-tensor `other` takes `input`'s dtype.
fn operands(input: &Obj<'_>, other: &Obj<'_>) -> PyResult<(Tensor, Tensor)> {
    let a = to_tensor(input, None)?;
    let b = to_tensor(other, Some(a.dtype()))?;
    Ok((a, b))
}

fn arr(p: Pair) -> [usize; 2] {
    [p.0, p.1]
}

fn run(
    py: Python<'_>,
    work: usize,
    f: impl FnOnce() -> tapegrad::Result<Tensor> + Send,
) -> PyResult<PyTensor> {
    Ok(PyTensor::new(crate::gil::compute(py, work, f).py()?))
}

/// TF's `Conv2D` (NHWC input, HWIO filter; grouped when the input depth is a
/// multiple of the filter's).
#[pyfunction]
#[pyo3(signature = (input, filters, strides, dilations, padding_, explicit_paddings=None))]
pub fn conv2d_nhwc(
    input: &Obj<'_>,
    filters: &Obj<'_>,
    strides: Pair,
    dilations: Pair,
    padding_: &str,
    explicit_paddings: Option<Vec<Pair>>,
) -> PyResult<PyTensor> {
    let pad = padding("Conv2D", padding_, explicit_paddings)?;
    let (x, f) = operands(input, filters)?;
    let w = x.numel().saturating_mul(f.numel() / f.shape().first().copied().unwrap_or(1).max(1));
    run(input.py(), w, || ops::conv2d(&x, &f, arr(strides), arr(dilations), &pad))
}

/// TF's `Conv2DBackpropInput` (the transposed convolution) for an input of
/// shape `input_sizes`.
#[pyfunction]
#[pyo3(signature = (input_sizes, filters, out_backprop, strides, dilations, padding_, explicit_paddings=None))]
#[allow(clippy::too_many_arguments)]
pub fn conv2d_backprop_input_nhwc(
    input_sizes: Vec<usize>,
    filters: &Obj<'_>,
    out_backprop: &Obj<'_>,
    strides: Pair,
    dilations: Pair,
    padding_: &str,
    explicit_paddings: Option<Vec<Pair>>,
) -> PyResult<PyTensor> {
    let pad = padding("Conv2DBackpropInput", padding_, explicit_paddings)?;
    let (f, dy) = operands(filters, out_backprop)?;
    let w = dy.numel().saturating_mul(f.numel() / f.shape().last().copied().unwrap_or(1).max(1));
    run(filters.py(), w, || {
        ops::conv2d_backprop_input(&input_sizes, &f, &dy, arr(strides), arr(dilations), &pad)
    })
}

/// TF's `Conv2DBackpropFilter` for a filter of shape `filter_sizes`.
#[pyfunction]
#[pyo3(signature = (input, filter_sizes, out_backprop, strides, dilations, padding_, explicit_paddings=None))]
#[allow(clippy::too_many_arguments)]
pub fn conv2d_backprop_filter_nhwc(
    input: &Obj<'_>,
    filter_sizes: Vec<usize>,
    out_backprop: &Obj<'_>,
    strides: Pair,
    dilations: Pair,
    padding_: &str,
    explicit_paddings: Option<Vec<Pair>>,
) -> PyResult<PyTensor> {
    let pad = padding("Conv2DBackpropFilter", padding_, explicit_paddings)?;
    let (x, dy) = operands(input, out_backprop)?;
    let w = x.numel().saturating_mul(dy.shape().last().copied().unwrap_or(1));
    run(input.py(), w, || {
        ops::conv2d_backprop_filter(&x, &filter_sizes, &dy, arr(strides), arr(dilations), &pad)
    })
}

/// TF's `MaxPool` on NHWC input.
#[pyfunction]
#[pyo3(signature = (input, ksize, strides, padding_, explicit_paddings=None))]
pub fn max_pool2d_nhwc(
    input: &Obj<'_>,
    ksize: Pair,
    strides: Pair,
    padding_: &str,
    explicit_paddings: Option<Vec<Pair>>,
) -> PyResult<PyTensor> {
    let pad = padding("MaxPool", padding_, explicit_paddings)?;
    let x = to_tensor(input, None)?;
    let w = x.numel().saturating_mul(ksize.0 * ksize.1);
    run(input.py(), w, || ops::max_pool2d(&x, arr(ksize), arr(strides), &pad))
}

/// TF's `AvgPool` on NHWC input (padding not counted in the averages).
#[pyfunction]
#[pyo3(signature = (input, ksize, strides, padding_))]
pub fn avg_pool2d_nhwc(input: &Obj<'_>, ksize: Pair, strides: Pair, padding_: &str) -> PyResult<PyTensor> {
    let pad = padding("AvgPool", padding_, None)?;
    let x = to_tensor(input, None)?;
    let w = x.numel().saturating_mul(ksize.0 * ksize.1);
    run(input.py(), w, || ops::avg_pool2d(&x, arr(ksize), arr(strides), &pad))
}

/// Adds this module's functions to `_core`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(conv2d_nhwc, m)?)?;
    m.add_function(wrap_pyfunction!(conv2d_backprop_input_nhwc, m)?)?;
    m.add_function(wrap_pyfunction!(conv2d_backprop_filter_nhwc, m)?)?;
    m.add_function(wrap_pyfunction!(max_pool2d_nhwc, m)?)?;
    m.add_function(wrap_pyfunction!(avg_pool2d_nhwc, m)?)?;
    Ok(())
}

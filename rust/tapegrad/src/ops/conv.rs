//! Convolution and pooling ops (`tf.nn.conv2d`, its transposes, max and
//! average pooling): NHWC layout, HWIO filters, padding resolved to explicit
//! pads before the kernel runs, so a node's parameters describe its geometry
//! completely. The gradients are ops of their own (TF's `Conv2DBackpropInput`,
//! `Conv2DBackpropFilter`, `MaxPoolGrad`, `MaxPoolGradGrad`, `AvgPoolGrad`)
//! with rules in `autodiff::conv_rules`, so gradients of gradients work.

use crate::autodiff::tape::record;
use crate::kernels::conv::{self as kconv, Conv2dSpec, Padding};
use crate::kernels::pool::{self as kpool, Pool2dSpec};
use crate::ops::Op;
use crate::{Result, Tensor};

/// A recorded convolution or pooling primitive (the payload of [`Op::Conv`]);
/// its rules live in `autodiff::conv_rules`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConvOp {
    /// `conv2d(x, filter)`: inputs `[x, filter]`.
    Conv2d(Conv2dSpec),
    /// `Conv2DBackpropInput(filter, dy)` for an input of `input_shape`: inputs `[filter, dy]`.
    Conv2dBackpropInput {
        /// The convolution's geometry.
        spec: Conv2dSpec,
        /// The shape of the convolution's input (this op's output).
        input_shape: [usize; 4],
    },
    /// `Conv2DBackpropFilter(x, dy)` for a filter of `filter_shape`: inputs `[x, dy]`.
    Conv2dBackpropFilter {
        /// The convolution's geometry.
        spec: Conv2dSpec,
        /// The filter's shape (this op's output).
        filter_shape: [usize; 4],
    },
    /// `max_pool(x)`: input `[x]`.
    MaxPool(Pool2dSpec),
    /// `MaxPoolGrad(x, dy)`: inputs `[x, dy]`.
    MaxPoolGrad(Pool2dSpec),
    /// `MaxPoolGradGrad(x, h)`: inputs `[x, h]`.
    MaxPoolGradGrad(Pool2dSpec),
    /// `avg_pool(x)`: input `[x]`.
    AvgPool(Pool2dSpec),
    /// `AvgPoolGrad(dy)` for an input of `input_shape`: input `[dy]`.
    AvgPoolGrad {
        /// The pooling's geometry.
        spec: Pool2dSpec,
        /// The shape of the pooling's input (this op's output).
        input_shape: [usize; 4],
    },
}

impl ConvOp {
    /// Whether the rule reads input `i`'s values (see [`Op::needs_input`]).
    pub fn needs_input(&self, i: usize) -> bool {
        match self {
            // bilinear: each input's gradient reads the other one
            ConvOp::Conv2d(_) | ConvOp::Conv2dBackpropInput { .. } | ConvOp::Conv2dBackpropFilter { .. } => {
                true
            }
            // the argmax comes from x; the gradient operand is linear
            ConvOp::MaxPool(_) | ConvOp::MaxPoolGrad(_) | ConvOp::MaxPoolGradGrad(_) => i == 0,
            ConvOp::AvgPool(_) | ConvOp::AvgPoolGrad { .. } => false,
        }
    }

    /// TF's op name.
    pub fn name(&self) -> &'static str {
        match self {
            ConvOp::Conv2d(_) => "Conv2D",
            ConvOp::Conv2dBackpropInput { .. } => "Conv2DBackpropInput",
            ConvOp::Conv2dBackpropFilter { .. } => "Conv2DBackpropFilter",
            ConvOp::MaxPool(_) => "MaxPool",
            ConvOp::MaxPoolGrad(_) => "MaxPoolGrad",
            ConvOp::MaxPoolGradGrad(_) => "MaxPoolGradGrad",
            ConvOp::AvgPool(_) => "AvgPool",
            ConvOp::AvgPoolGrad { .. } => "AvgPoolGrad",
        }
    }
}

fn dims4(t: &[usize]) -> Option<[usize; 4]> {
    <[usize; 4]>::try_from(t).ok()
}

fn shape_err(op: &'static str, what: &str, s: &[usize]) -> crate::Error {
    crate::Error::shape(op, format!("{what} must be 4-dimensional (NHWC), got shape {s:?}"))
}

/// The geometry of a convolution of `x_shape` by `filter_shape` with `padding`.
pub fn conv2d_spec(
    op: &'static str,
    x_shape: &[usize],
    filter_shape: &[usize],
    strides: [usize; 2],
    dilations: [usize; 2],
    padding: &Padding,
) -> Result<Conv2dSpec> {
    let x = dims4(x_shape).ok_or_else(|| shape_err(op, "input", x_shape))?;
    let f = dims4(filter_shape).ok_or_else(|| shape_err(op, "filter", filter_shape))?;
    let pads = padding.resolve(op, [x[1], x[2]], [f[0], f[1]], strides, dilations)?;
    Ok(Conv2dSpec { strides, dilations, pads })
}

/// The geometry of a pooling of `x_shape` with `padding`.
pub fn pool2d_spec(
    op: &'static str,
    x_shape: &[usize],
    window: [usize; 2],
    strides: [usize; 2],
    padding: &Padding,
) -> Result<Pool2dSpec> {
    let x = dims4(x_shape).ok_or_else(|| shape_err(op, "input", x_shape))?;
    let pads = padding.resolve(op, [x[1], x[2]], window, strides, [1, 1])?;
    Ok(Pool2dSpec { window, strides, pads })
}

/// `tf.nn.conv2d` on NHWC `x` `[n, h, w, c]` with filter `[kh, kw, c / groups, cout]`
/// (grouped when `c` is a multiple of the filter's depth, as TF).
///
/// ```
/// use tapegrad::{Tensor, ops};
/// use tapegrad::kernels::conv::Padding;
/// let x = Tensor::from_vec(vec![1.0f32, 2.0, 3.0, 4.0], &[1, 2, 2, 1]).unwrap();
/// let f = Tensor::from_vec(vec![1.0f32; 4], &[2, 2, 1, 1]).unwrap();
/// let y = ops::conv2d(&x, &f, [1, 1], [1, 1], &Padding::Valid).unwrap();
/// assert_eq!(y.as_slice::<f32>().unwrap(), &[10.0]);
/// ```
pub fn conv2d(
    x: &Tensor,
    filter: &Tensor,
    strides: [usize; 2],
    dilations: [usize; 2],
    padding: &Padding,
) -> Result<Tensor> {
    let spec = conv2d_spec("Conv2D", x.shape(), filter.shape(), strides, dilations, padding)?;
    conv2d_with(x, filter, &spec)
}

/// [`conv2d`] with resolved geometry.
pub fn conv2d_with(x: &Tensor, filter: &Tensor, spec: &Conv2dSpec) -> Result<Tensor> {
    let y = kconv::conv2d(x, filter, spec)?;
    record(Op::Conv(ConvOp::Conv2d(*spec)), &[x, filter], &y);
    Ok(y)
}

/// TF's `Conv2DBackpropInput`: the gradient of a convolution of an input of
/// shape `input_shape` with respect to that input, for output gradient `dy`
/// (also `conv2d_transpose`). `padding` is resolved against `input_shape`.
pub fn conv2d_backprop_input(
    input_shape: &[usize],
    filter: &Tensor,
    dy: &Tensor,
    strides: [usize; 2],
    dilations: [usize; 2],
    padding: &Padding,
) -> Result<Tensor> {
    const OP: &str = "Conv2DBackpropInput";
    let spec = conv2d_spec(OP, input_shape, filter.shape(), strides, dilations, padding)?;
    let input_shape = dims4(input_shape).ok_or_else(|| shape_err(OP, "input_sizes", input_shape))?;
    conv2d_backprop_input_with(input_shape, filter, dy, &spec)
}

/// [`conv2d_backprop_input`] with resolved geometry.
pub fn conv2d_backprop_input_with(
    input_shape: [usize; 4],
    filter: &Tensor,
    dy: &Tensor,
    spec: &Conv2dSpec,
) -> Result<Tensor> {
    let y = kconv::conv2d_backprop_input(&input_shape, filter, dy, spec)?;
    record(Op::Conv(ConvOp::Conv2dBackpropInput { spec: *spec, input_shape }), &[filter, dy], &y);
    Ok(y)
}

/// TF's `Conv2DBackpropFilter`: the gradient of a convolution of `x` with
/// respect to its filter of shape `filter_shape`, for output gradient `dy`.
pub fn conv2d_backprop_filter(
    x: &Tensor,
    filter_shape: &[usize],
    dy: &Tensor,
    strides: [usize; 2],
    dilations: [usize; 2],
    padding: &Padding,
) -> Result<Tensor> {
    const OP: &str = "Conv2DBackpropFilter";
    let spec = conv2d_spec(OP, x.shape(), filter_shape, strides, dilations, padding)?;
    let filter_shape = dims4(filter_shape).ok_or_else(|| shape_err(OP, "filter_sizes", filter_shape))?;
    conv2d_backprop_filter_with(x, filter_shape, dy, &spec)
}

/// [`conv2d_backprop_filter`] with resolved geometry.
pub fn conv2d_backprop_filter_with(
    x: &Tensor,
    filter_shape: [usize; 4],
    dy: &Tensor,
    spec: &Conv2dSpec,
) -> Result<Tensor> {
    let y = kconv::conv2d_backprop_filter(x, &filter_shape, dy, spec)?;
    record(Op::Conv(ConvOp::Conv2dBackpropFilter { spec: *spec, filter_shape }), &[x, dy], &y);
    Ok(y)
}

/// 2-D max pooling of NHWC `x` (`tf.nn.max_pool2d`).
///
/// ```
/// use tapegrad::{Tensor, ops};
/// use tapegrad::kernels::conv::Padding;
/// let x = Tensor::from_vec(vec![1.0f32, 5.0, 3.0, 2.0], &[1, 2, 2, 1]).unwrap();
/// let y = ops::max_pool2d(&x, [2, 2], [2, 2], &Padding::Valid).unwrap();
/// assert_eq!(y.as_slice::<f32>().unwrap(), &[5.0]);
/// ```
pub fn max_pool2d(x: &Tensor, window: [usize; 2], strides: [usize; 2], padding: &Padding) -> Result<Tensor> {
    let spec = pool2d_spec("MaxPool", x.shape(), window, strides, padding)?;
    max_pool2d_with(x, &spec)
}

/// [`max_pool2d`] with resolved geometry.
pub fn max_pool2d_with(x: &Tensor, spec: &Pool2dSpec) -> Result<Tensor> {
    let y = kpool::max_pool2d(x, spec)?;
    record(Op::Conv(ConvOp::MaxPool(*spec)), &[x], &y);
    Ok(y)
}

/// TF's `MaxPoolGrad`: `dy` routed to the first maximum of each window of `x`.
pub fn max_pool2d_grad(x: &Tensor, dy: &Tensor, spec: &Pool2dSpec) -> Result<Tensor> {
    let y = kpool::max_pool2d_grad(x, dy, spec)?;
    record(Op::Conv(ConvOp::MaxPoolGrad(*spec)), &[x, dy], &y);
    Ok(y)
}

/// TF's `MaxPoolGradGrad`: `h` gathered at the first maximum of each window of `x`.
pub fn max_pool2d_grad_grad(x: &Tensor, h: &Tensor, spec: &Pool2dSpec) -> Result<Tensor> {
    let y = kpool::max_pool2d_grad_grad(x, h, spec)?;
    record(Op::Conv(ConvOp::MaxPoolGradGrad(*spec)), &[x, h], &y);
    Ok(y)
}

/// 2-D average pooling of NHWC `x` (`tf.nn.avg_pool2d`; padding not counted).
///
/// ```
/// use tapegrad::{Tensor, ops};
/// use tapegrad::kernels::conv::Padding;
/// let x = Tensor::from_vec(vec![1.0f32, 5.0, 3.0, 3.0], &[1, 2, 2, 1]).unwrap();
/// let y = ops::avg_pool2d(&x, [2, 2], [2, 2], &Padding::Valid).unwrap();
/// assert_eq!(y.as_slice::<f32>().unwrap(), &[3.0]);
/// ```
pub fn avg_pool2d(x: &Tensor, window: [usize; 2], strides: [usize; 2], padding: &Padding) -> Result<Tensor> {
    let spec = pool2d_spec("AvgPool", x.shape(), window, strides, padding)?;
    avg_pool2d_with(x, &spec)
}

/// [`avg_pool2d`] with resolved geometry.
pub fn avg_pool2d_with(x: &Tensor, spec: &Pool2dSpec) -> Result<Tensor> {
    let y = kpool::avg_pool2d(x, spec)?;
    record(Op::Conv(ConvOp::AvgPool(*spec)), &[x], &y);
    Ok(y)
}

/// TF's `AvgPoolGrad`: `dy` spread evenly over each window of an input of `input_shape`.
pub fn avg_pool2d_grad(input_shape: [usize; 4], dy: &Tensor, spec: &Pool2dSpec) -> Result<Tensor> {
    let y = kpool::avg_pool2d_grad(&input_shape, dy, spec)?;
    record(Op::Conv(ConvOp::AvgPoolGrad { spec: *spec, input_shape }), &[dy], &y);
    Ok(y)
}

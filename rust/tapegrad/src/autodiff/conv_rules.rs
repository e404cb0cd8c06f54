//! Gradient rules of the convolution and pooling primitives ([`ConvOp`]), as
//! TF's `nn_grad.py`. The convolution and its two adjoints are bilinear, so
//! each one's gradients are the other two (or itself):
//!
//! - `y = conv(x, f)`: `dx = Bi(f, g)`, `df = Bf(x, g)`;
//! - `dx = Bi(f, dy)`: `d f = Bf(G, dy)`, `d dy = conv(G, f)`;
//! - `df = Bf(x, dy)`: `d x = Bi(G, dy)`, `d dy = conv(x, G)`;
//!
//! all with the forward op's geometry, and all recorded, so second and higher
//! derivatives (a gradient penalty on a convolutional critic) are exact. Max
//! pooling's gradient is linear in `dy` with a piecewise-constant routing, so
//! its rules pass gradients through `MaxPoolGradGrad`/`MaxPoolGrad` and give
//! `x` zeros (TF); average pooling and its gradient are each other's adjoint.

use smallvec::smallvec;

use crate::autodiff::rules::InputGrads;
use crate::ops::{self, ConvOp};
use crate::{Error, Result, Tensor};

fn shape4(op: &'static str, t: &Tensor) -> Result<[usize; 4]> {
    <[usize; 4]>::try_from(t.shape())
        .map_err(|_| Error::shape(op, format!("expected a 4-dimensional tensor, got shape {:?}", t.shape())))
}

/// Gradients of one conv/pool node's inputs `xs` from `g`, the gradient of its output.
pub(crate) fn vjp(op: ConvOp, xs: &[Tensor], g: &Tensor, need: impl Fn(usize) -> bool) -> Result<InputGrads> {
    let name = op.name();
    Ok(match op {
        ConvOp::Conv2d(spec) => {
            let (x, f) = (&xs[0], &xs[1]);
            let gx = if need(0) {
                Some(ops::conv2d_backprop_input_with(shape4(name, x)?, f, g, &spec)?)
            } else {
                None
            };
            let gf = if need(1) {
                Some(ops::conv2d_backprop_filter_with(x, shape4(name, f)?, g, &spec)?)
            } else {
                None
            };
            smallvec![gx, gf]
        }
        ConvOp::Conv2dBackpropInput { spec, .. } => {
            let (f, dy) = (&xs[0], &xs[1]);
            let gf = if need(0) {
                Some(ops::conv2d_backprop_filter_with(g, shape4(name, f)?, dy, &spec)?)
            } else {
                None
            };
            let gdy = if need(1) { Some(ops::conv2d_with(g, f, &spec)?) } else { None };
            smallvec![gf, gdy]
        }
        ConvOp::Conv2dBackpropFilter { spec, .. } => {
            let (x, dy) = (&xs[0], &xs[1]);
            let gx = if need(0) {
                Some(ops::conv2d_backprop_input_with(shape4(name, x)?, g, dy, &spec)?)
            } else {
                None
            };
            let gdy = if need(1) { Some(ops::conv2d_with(x, g, &spec)?) } else { None };
            smallvec![gx, gdy]
        }
        // dx = dy routed to each window's first maximum
        ConvOp::MaxPool(spec) => smallvec![Some(ops::max_pool2d_grad(&xs[0], g, &spec)?)],
        // linear in dy (gathered through the same argmax); x's routing is flat
        ConvOp::MaxPoolGrad(spec) => {
            let gdy = if need(1) { Some(ops::max_pool2d_grad_grad(&xs[0], g, &spec)?) } else { None };
            smallvec![Some(ops::zeros_like(&xs[0])), gdy]
        }
        ConvOp::MaxPoolGradGrad(spec) => {
            let gh = if need(1) { Some(ops::max_pool2d_grad(&xs[0], g, &spec)?) } else { None };
            smallvec![Some(ops::zeros_like(&xs[0])), gh]
        }
        // average pooling and its gradient are adjoint linear maps
        ConvOp::AvgPool(spec) => smallvec![Some(ops::avg_pool2d_grad(shape4(name, &xs[0])?, g, &spec)?)],
        ConvOp::AvgPoolGrad { spec, .. } => smallvec![Some(ops::avg_pool2d_with(g, &spec)?)],
    })
}

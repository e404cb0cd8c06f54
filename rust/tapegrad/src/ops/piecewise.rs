//! Piecewise-constant functions of a tensor, recorded with a zero gradient.
//!
//! The gradients of relu, relu6 and leaky_relu multiply by a mask of `x`
//! (`[x > 0]`, or `1`/`α`). Made by a kernel, the mask is a constant, and the
//! second derivative of relu is then `None`: the gradient does not depend on
//! `x` at all as far as an outer tape can see. TensorFlow's `ReluGrad` family
//! has gradients, so its answer is *connected zeros*. Recording the mask as
//! [`Op::PiecewiseConstant`] of `x` (rule: zeros) gives the same answer at
//! the cost of one node, and only while a tape is recording.

use crate::autodiff::tape::record;
use crate::kernels::{self, BinaryKind};
use crate::ops::Op;
use crate::{Result, Tensor};

/// Records `value`, a piecewise-constant function of `x` computed by the
/// caller, as depending on `x` with derivative zero; returns `value`.
///
/// The caller guarantees that `value` is locally constant in `x` (a mask, a
/// sign, a step): its gradient with respect to `x` is then zeros, as here.
pub fn piecewise_constant(x: &Tensor, value: Tensor) -> Tensor {
    record(Op::PiecewiseConstant, &[x], &value);
    value
}

/// `[pred(x, threshold)]` as 0/1 in `x`'s dtype, recorded as a piecewise
/// constant of `x` (for relu's gradient: `step_mask(Greater, x, 0)`).
pub fn step_mask(pred: BinaryKind, x: &Tensor, threshold: f64) -> Result<Tensor> {
    let t = kernels::fill(&[], threshold, x.dtype());
    let m = kernels::cast(&kernels::binary(pred, x, &t)?, x.dtype())?;
    Ok(piecewise_constant(x, m))
}

/// `1` where `x > 0`, else `alpha`, in `x`'s dtype, recorded as a piecewise
/// constant of `x`: leaky relu is `x · leaky_mask(x, α)`.
pub fn leaky_mask(x: &Tensor, alpha: f64) -> Result<Tensor> {
    let zero = kernels::fill(&[], 0.0, x.dtype());
    let pos = kernels::binary(BinaryKind::Greater, x, &zero)?;
    let one = kernels::fill(&[], 1.0, x.dtype());
    let a = kernels::fill(&[], alpha, x.dtype());
    let m = kernels::where_(&pos, &one, &a)?;
    Ok(piecewise_constant(x, m))
}

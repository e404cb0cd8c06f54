//! Ops defined as compositions of primitives: they need no gradient rule of
//! their own, and their higher derivatives come for free.

use crate::kernels::{self, ReduceKind};
use crate::ops::*;
use crate::shape::normalize_axes;
use crate::{DType, Error, Result, Tensor};

fn c(x: &Tensor, v: f64) -> Tensor {
    scalar(v, x.dtype())
}

fn float_only(op: &'static str, x: &Tensor) -> Result<()> {
    if x.dtype().is_float() {
        Ok(())
    } else {
        Err(Error::UnsupportedDType { op, dtype: x.dtype(), hint: "it accepts float32 and float64 tensors" })
    }
}

/// `(a − b)²`.
pub fn squared_difference(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    square(&sub(a, b)?)
}

/// Clips to `[lo, hi]`; the gradient passes where `lo <= x <= hi`, as TF's.
pub fn clip_by_value(x: &Tensor, lo: &Tensor, hi: &Tensor) -> Result<Tensor> {
    minimum(&maximum(x, lo)?, hi)
}

/// `log(sum(exp(x)))` over `axes`, stabilised by the (gradient-stopped) max, as TF's.
///
/// ```
/// use tapegrad::{Tensor, ops};
/// let x = Tensor::from_vec(vec![1000.0f64, 1000.0], &[2]).unwrap();
/// let y = ops::reduce_logsumexp(&x, None, false).unwrap();
/// assert!((y.to_scalar::<f64>().unwrap() - (1000.0 + 2f64.ln())).abs() < 1e-9);
/// ```
pub fn reduce_logsumexp(x: &Tensor, axes: Option<&[i64]>, keepdims: bool) -> Result<Tensor> {
    float_only("reduce_logsumexp", x)?;
    let axes_n = normalize_axes("reduce_logsumexp", axes, x.rank())?;
    let axes_i: Vec<i64> = axes_n.iter().map(|&a| a as i64).collect();
    let raw_max = kernels::reduce(ReduceKind::Max, x, &axes_n, true)?;
    let finite = kernels::unary(kernels::UnaryKind::IsFinite, &raw_max)?;
    let my_max = kernels::where_(&finite, &raw_max, &c(x, 0.0))?;
    let shifted = sub(x, &my_max)?;
    let lse = log(&reduce_sum(&exp(&shifted)?, Some(&axes_i), true)?)?;
    let out = add(&lse, &my_max)?;
    if keepdims { Ok(out) } else { squeeze(&out, Some(&axes_i)) }
}

/// Vector norms: `ord` 2 (euclidean, the default), 1 or ∞, over `axes` (`None` = all).
pub fn norm(x: &Tensor, ord: f64, axes: Option<&[i64]>, keepdims: bool) -> Result<Tensor> {
    float_only("norm", x)?;
    if ord == 2.0 {
        sqrt(&reduce_sum(&mul(x, x)?, axes, keepdims)?)
    } else if ord == 1.0 {
        reduce_sum(&abs(x)?, axes, keepdims)
    } else if ord == f64::INFINITY {
        reduce_max(&abs(x)?, axes, keepdims)
    } else if ord > 0.0 {
        let p = c(x, ord);
        pow(&reduce_sum(&pow(&abs(x)?, &p)?, axes, keepdims)?, &c(x, 1.0 / ord))
    } else {
        Err(Error::arg("norm", format!("ord={ord} is not supported; use 1, 2, a positive number or inf")))
    }
}

/// `sum(x²) / 2`.
pub fn l2_loss(x: &Tensor) -> Result<Tensor> {
    mul(&reduce_sum(&square(x)?, None, false)?, &c(x, 0.5))
}

/// Variance over `axes`.
pub fn reduce_variance(x: &Tensor, axes: Option<&[i64]>, keepdims: bool) -> Result<Tensor> {
    float_only("reduce_variance", x)?;
    let mean = reduce_mean(x, axes, true)?;
    reduce_mean(&squared_difference(x, &mean)?, axes, keepdims)
}

/// Standard deviation over `axes`.
pub fn reduce_std(x: &Tensor, axes: Option<&[i64]>, keepdims: bool) -> Result<Tensor> {
    sqrt(&reduce_variance(x, axes, keepdims)?)
}

/// `−Σ labels · log_softmax(logits)` along `axis`.
pub fn softmax_cross_entropy_with_logits(labels: &Tensor, logits: &Tensor, axis: i64) -> Result<Tensor> {
    let labels = cast(labels, logits.dtype())?;
    if labels.shape() != logits.shape() {
        return Err(Error::IncompatibleShapes {
            op: "softmax_cross_entropy_with_logits",
            lhs: labels.shape().to_vec(),
            rhs: logits.shape().to_vec(),
        });
    }
    neg(&reduce_sum(&mul(&labels, &log_softmax(logits, axis)?)?, Some(&[axis]), false)?)
}

/// Cross-entropy against integer class labels along the last axis of `logits`.
pub fn sparse_softmax_cross_entropy_with_logits(labels: &Tensor, logits: &Tensor) -> Result<Tensor> {
    const OP: &str = "sparse_softmax_cross_entropy_with_logits";
    if !labels.dtype().is_int() {
        return Err(Error::UnsupportedDType {
            op: OP,
            dtype: labels.dtype(),
            hint: "labels must be int32 or int64",
        });
    }
    if logits.rank() == 0 || labels.shape() != &logits.shape()[..logits.rank() - 1] {
        return Err(Error::shape(
            OP,
            format!(
                "labels of shape {:?} must have the shape of logits {:?} without its last dim",
                labels.shape(),
                logits.shape()
            ),
        ));
    }
    let depth = logits.shape()[logits.rank() - 1];
    if let Some(bad) = kernels::cast(labels, DType::I64)?
        .as_slice::<i64>()
        .and_then(|v| v.iter().copied().find(|&l| l < 0 || l as usize >= depth))
    {
        return Err(Error::arg(
            OP,
            format!("received a label value of {bad} which is outside the valid range of [0, {depth})"),
        ));
    }
    let onehot = one_hot(labels, depth, 1.0, 0.0, logits.dtype())?;
    softmax_cross_entropy_with_logits(&onehot, logits, -1)
}

/// `x·σ(x)` (SiLU / swish).
pub fn silu(x: &Tensor) -> Result<Tensor> {
    mul(x, &sigmoid(x)?)
}

/// `log σ(x) = −softplus(−x)`.
pub fn log_sigmoid(x: &Tensor) -> Result<Tensor> {
    neg(&softplus(&neg(x)?)?)
}

/// GELU; `approximate` uses TF's tanh form.
pub fn gelu(x: &Tensor, approximate: bool) -> Result<Tensor> {
    float_only("gelu", x)?;
    let inner = if approximate {
        let cube = mul(&c(x, 0.044715), &pow(x, &c(x, 3.0))?)?;
        tanh(&mul(&c(x, (2.0 / std::f64::consts::PI).sqrt()), &add(x, &cube)?)?)?
    } else {
        erf(&mul(x, &c(x, std::f64::consts::FRAC_1_SQRT_2))?)?
    };
    mul(&mul(&c(x, 0.5), x)?, &add(&c(x, 1.0), &inner)?)
}

/// `x` where positive, else `α(eˣ − 1)`.
pub fn elu(x: &Tensor, alpha: f64) -> Result<Tensor> {
    let pos = kernels::binary(kernels::BinaryKind::Greater, x, &c(x, 0.0))?;
    where_(&pos, x, &mul(&c(x, alpha), &expm1(x)?)?)
}

/// SELU with TF's constants.
pub fn selu(x: &Tensor) -> Result<Tensor> {
    const ALPHA: f64 = 1.673_263_242_354_377_3;
    const SCALE: f64 = 1.050_700_987_355_480_5;
    mul(&c(x, SCALE), &elu(x, ALPHA)?)
}

/// `x` where positive, else `αx`; gradient α at 0, as TF's.
///
/// Float inputs compute `x · m` with `m = [x > 0] ? 1 : α` recorded as a
/// piecewise constant of `x`, so the second derivative is connected zeros (TF's
/// `LeakyReluGrad` has a gradient), not `None`.
pub fn leaky_relu(x: &Tensor, alpha: f64) -> Result<Tensor> {
    if x.dtype().is_float() {
        return mul(x, &leaky_mask(x, alpha)?);
    }
    let pos = kernels::binary(kernels::BinaryKind::Greater, x, &c(x, 0.0))?;
    where_(&pos, x, &mul(&c(x, alpha), x)?)
}

/// `min(max(x, 0), 6)`; gradient 1 only strictly inside (0, 6), as TF's.
///
/// `where(x < 6, relu(x), 6)`: the gradient goes through relu's, whose mask is
/// recorded, so the second derivative is connected zeros as in TF.
pub fn relu6(x: &Tensor) -> Result<Tensor> {
    let hi = kernels::binary(kernels::BinaryKind::Less, x, &c(x, 6.0))?;
    if x.dtype().is_float() {
        return where_(&hi, &relu(x)?, &c(x, 6.0));
    }
    let lo = kernels::binary(kernels::BinaryKind::Greater, x, &c(x, 0.0))?;
    let inner = where_(&hi, x, &c(x, 6.0))?;
    where_(&lo, &inner, &c(x, 0.0))
}

/// A tensor of `shape` filled with `value` (a constant).
pub fn fill(shape: &[usize], value: f64, dtype: DType) -> Tensor {
    kernels::fill(shape, value, dtype)
}

/// [`fill`] for a shape from outside (a user's): checks that the shape is
/// valid and its buffer can be allocated first ([`crate::shape::check_alloc`]),
/// naming `op` in the error.
///
/// ```
/// use tapegrad::{DType, ops::checked_fill};
/// assert_eq!(checked_fill("zeros", &[2, 2], 0.0, DType::F32).unwrap().shape(), &[2, 2]);
/// assert!(checked_fill("zeros", &[1 << 32, 1 << 32], 0.0, DType::F32).is_err());
/// ```
pub fn checked_fill(op: &'static str, shape: &[usize], value: f64, dtype: DType) -> Result<Tensor> {
    crate::shape::check_alloc(op, shape, dtype)?;
    Ok(kernels::fill(shape, value, dtype))
}

/// Zeros of `shape`.
///
/// ```
/// let z = tapegrad::ops::zeros(&[2], tapegrad::DType::F32);
/// assert_eq!(z.as_slice::<f32>().unwrap(), &[0.0, 0.0]);
/// ```
pub fn zeros(shape: &[usize], dtype: DType) -> Tensor {
    fill(shape, 0.0, dtype)
}

/// Ones of `shape`.
pub fn ones(shape: &[usize], dtype: DType) -> Tensor {
    fill(shape, 1.0, dtype)
}

/// Zeros with `x`'s shape and dtype.
pub fn zeros_like(x: &Tensor) -> Tensor {
    fill(x.shape(), 0.0, x.dtype())
}

/// Ones with `x`'s shape and dtype.
pub fn ones_like(x: &Tensor) -> Tensor {
    fill(x.shape(), 1.0, x.dtype())
}

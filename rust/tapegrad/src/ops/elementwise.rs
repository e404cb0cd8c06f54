//! Elementwise ops of one and two tensors.

use crate::autodiff::tape::record;
use crate::kernels::{self, BinaryKind, UnaryKind};
use crate::ops::Op;
use crate::{DType, Result, Tensor};

/// A rank-0 tensor of `dtype` holding `v` (never recorded: a constant).
///
/// ```
/// let two = tapegrad::ops::scalar(2.0, tapegrad::DType::F64);
/// assert_eq!(two.to_scalar::<f64>(), Some(2.0));
/// ```
pub fn scalar(v: f64, dtype: DType) -> Tensor {
    kernels::fill(&[], v, dtype)
}

/// Applies a unary function and records it when it has a gradient.
///
/// Rounding ops and predicates are not recorded: TF defines no gradient for
/// them, so they cut the tape (their gradient is `None`).
pub fn unary(op: UnaryKind, x: &Tensor) -> Result<Tensor> {
    let y = kernels::unary(op, x)?;
    let differentiable = !matches!(
        op,
        UnaryKind::Floor
            | UnaryKind::Ceil
            | UnaryKind::Round
            | UnaryKind::IsNan
            | UnaryKind::IsInf
            | UnaryKind::IsFinite
            | UnaryKind::LogicalNot
    );
    if differentiable {
        record(Op::Unary(op), &[x], &y);
    }
    Ok(y)
}

/// Applies a broadcasting binary function and records it when it has a gradient.
pub fn binary(op: BinaryKind, a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let y = kernels::binary(op, a, b)?;
    if matches!(
        op,
        BinaryKind::Add
            | BinaryKind::Sub
            | BinaryKind::Mul
            | BinaryKind::Div
            | BinaryKind::Pow
            | BinaryKind::Maximum
            | BinaryKind::Minimum
            | BinaryKind::FloorMod
            | BinaryKind::Atan2
            | BinaryKind::TanhGrad
    ) {
        record(Op::Binary(op), &[a, b], &y);
    }
    Ok(y)
}

/// [`binary`] that may write its result over `owned`'s buffer instead of
/// allocating one: the temporary elision of numpy (`a * b + c` reuses the buffer
/// of `a * b`), which keeps one large temporary fewer alive at the peak.
///
/// `owned` is the left operand if `owned_is_lhs`, else the right one. Its buffer
/// is reused only when nothing else can see it (no other tensor, tape or numpy
/// view shares it: `Arc::get_mut`), the op is float add/sub/mul/div with `other`
/// of `owned`'s shape or one element, and no recording tape needs the operand's
/// old value (add and sub need none; mul and div are reused only while nothing
/// records). Then `owned` holds the result afterwards, under its old id, and
/// the returned tensor shares that buffer under a fresh id; the caller is
/// expected to drop `owned`. Otherwise this is exactly [`binary`]. Either way
/// the result's bits are [`binary`]'s.
///
/// ```
/// use tapegrad::{Tensor, kernels::BinaryKind, ops};
/// let mut a = Tensor::from_vec(vec![1.0f32, 2.0], &[2]).unwrap();
/// let b = Tensor::from_vec(vec![10.0f32, 20.0], &[2]).unwrap();
/// let y = ops::binary_reusing(BinaryKind::Sub, &mut a, &b, false).unwrap();
/// assert_eq!(y.as_slice::<f32>().unwrap(), &[9.0, 18.0]);
/// // `a`'s buffer was unshared, so it now holds the result.
/// assert_eq!(a.as_slice::<f32>().unwrap(), &[9.0, 18.0]);
/// ```
pub fn binary_reusing(
    op: BinaryKind,
    owned: &mut Tensor,
    other: &Tensor,
    owned_is_lhs: bool,
) -> Result<Tensor> {
    let old_value_free =
        matches!(op, BinaryKind::Add | BinaryKind::Sub) || !crate::autodiff::tape::is_recording();
    // A pending operand fuses into the out-of-place op instead (Note [Fusion]).
    let fuses = kernels::fusion::any_pending(&[owned, other]);
    if old_value_free && !fuses && kernels::binary_in_place(op, owned, other, owned_is_lhs) {
        let y = owned.detached();
        let inputs: [&Tensor; 2] = if owned_is_lhs { [owned, other] } else { [other, owned] };
        record(Op::Binary(op), &inputs, &y);
        return Ok(y);
    }
    if owned_is_lhs { binary(op, owned, other) } else { binary(op, other, owned) }
}

macro_rules! unary_fns {
    ($($(#[$doc:meta])* $name:ident => $kind:ident;)*) => {$(
        $(#[$doc])*
        pub fn $name(x: &Tensor) -> Result<Tensor> {
            unary(UnaryKind::$kind, x)
        }
    )*};
}

macro_rules! binary_fns {
    ($($(#[$doc:meta])* $name:ident => $kind:ident;)*) => {$(
        $(#[$doc])*
        pub fn $name(a: &Tensor, b: &Tensor) -> Result<Tensor> {
            binary(BinaryKind::$kind, a, b)
        }
    )*};
}

unary_fns! {
    /// `-x`.
    neg => Neg;
    /// `|x|`; its gradient at 0 is 0 (TF uses `sign`).
    abs => Abs;
    /// `sign(x)`; its gradient is 0.
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
    ///
    /// ```
    /// let y = tapegrad::ops::exp(&tapegrad::Tensor::scalar(0.0f32)).unwrap();
    /// assert_eq!(y.to_scalar::<f32>(), Some(1.0));
    /// ```
    exp => Exp;
    /// `eˣ − 1`.
    expm1 => Expm1;
    /// `ln x`.
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
    /// `max(x, 0)`; its gradient at 0 is 0, as in TF.
    relu => Relu;
    /// `ln(1 + eˣ)`.
    softplus => Softplus;
    /// error function.
    erf => Erf;
    /// floor (no gradient).
    floor => Floor;
    /// ceiling (no gradient).
    ceil => Ceil;
    /// round half to even (no gradient).
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

binary_fns! {
    /// `a + b` with broadcasting.
    ///
    /// ```
    /// use tapegrad::{Tensor, ops};
    /// let a = Tensor::from_vec(vec![1.0f32, 2.0], &[2, 1]).unwrap();
    /// let b = Tensor::from_vec(vec![10.0f32, 20.0, 30.0], &[3]).unwrap();
    /// assert_eq!(ops::add(&a, &b).unwrap().shape(), &[2, 3]);
    /// ```
    add => Add;
    /// `a − b`.
    sub => Sub;
    /// `a · b`.
    mul => Mul;
    /// `a / b`.
    div => Div;
    /// `aᵇ`.
    pow => Pow;
    /// `max(a, b)`; ties send the gradient to `a`, as in TF.
    maximum => Maximum;
    /// `min(a, b)`; ties send the gradient to `a`, as in TF.
    minimum => Minimum;
    /// `⌊a / b⌋` (no gradient, as in TF).
    floor_div => FloorDiv;
    /// Python-style `a % b`.
    floor_mod => FloorMod;
    /// `atan2(a, b)`.
    atan2 => Atan2;
    /// `g · (1 − y²)`: tanh's gradient from its output `y` (TF's `TanhGrad`).
    ///
    /// ```
    /// use tapegrad::{Tensor, ops};
    /// let y = Tensor::from_vec(vec![0.5f32], &[1]).unwrap();
    /// let g = Tensor::from_vec(vec![2.0f32], &[1]).unwrap();
    /// assert_eq!(ops::tanh_grad(&y, &g).unwrap().as_slice::<f32>().unwrap(), &[1.5]);
    /// ```
    tanh_grad => TanhGrad;
    /// `a == b`.
    equal => Equal;
    /// `a != b`.
    not_equal => NotEqual;
    /// `a < b`.
    less => Less;
    /// `a <= b`.
    less_equal => LessEqual;
    /// `a > b`.
    greater => Greater;
    /// `a >= b`.
    greater_equal => GreaterEqual;
    /// `a && b`.
    logical_and => LogicalAnd;
    /// `a || b`.
    logical_or => LogicalOr;
    /// `a ^ b`.
    logical_xor => LogicalXor;
}

/// `x` unchanged, under a new id, recorded (TF's `identity`).
pub fn identity(x: &Tensor) -> Result<Tensor> {
    let y = x.detached();
    record(Op::Identity, &[x], &y);
    Ok(y)
}

/// `x` under a new id that no tape has seen: gradients stop here.
///
/// ```
/// let x = tapegrad::Tensor::scalar(1.0f32);
/// assert_ne!(tapegrad::ops::stop_gradient(&x).id(), x.id());
/// ```
pub fn stop_gradient(x: &Tensor) -> Tensor {
    x.detached()
}

/// Converts to `dtype`; recorded between float dtypes only.
pub fn cast(x: &Tensor, dtype: DType) -> Result<Tensor> {
    if x.dtype() == dtype {
        return Ok(x.clone());
    }
    let y = kernels::cast(x, dtype)?;
    if x.dtype().is_float() {
        record(Op::Cast { from: x.dtype() }, &[x], &y);
    }
    Ok(y)
}

/// `cond ? a : b` with three-way broadcasting; `cond` gets no gradient.
pub fn where_(cond: &Tensor, a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let y = kernels::where_(cond, a, b)?;
    record(Op::Where, &[cond, a, b], &y);
    Ok(y)
}

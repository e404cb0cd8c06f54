//! The gradient-rule table: one `match` over [`Op`], each arm the vector-Jacobian
//! product with its math in a comment (candle's `backprop.rs` style).
//!
//! Rules are written with the public differentiable ops, never raw kernels, for
//! anything that depends on the incoming gradient `g` or on saved values that an
//! outer tape may be watching: when an outer tape records, the backward pass is
//! recorded too and can be differentiated again. Masks and counts that are
//! piecewise constant (relu's `x > 0`, max's tie indicators) come from kernels
//! directly: their derivative is zero, so recording them would only cost time.
//!
//! Every binary rule ends with `sum_to(·, input shape)`, the one "unbroadcast"
//! step (TF's `broadcast_gradient_args`).

use smallvec::{SmallVec, smallvec};

use crate::autodiff::fused;
use crate::autodiff::tape::Node;
use crate::kernels::{self, BinaryKind as B, ReduceKind as R, UnaryKind as U};
use crate::ops::{self, Op};
use crate::shape::{Shape, reduced_shape};
use crate::{Result, Tensor};

/// Gradients of one node's inputs, `None` where an input gets none.
pub(crate) type InputGrads = SmallVec<[Option<Tensor>; 2]>;

fn c(like: &Tensor, v: f64) -> Tensor {
    ops::scalar(v, like.dtype())
}

/// A 0/1 float mask of `pred(a, b)` in `like`'s dtype: a constant.
fn mask(pred: B, a: &Tensor, b: &Tensor, like: &Tensor) -> Result<Tensor> {
    kernels::cast(&kernels::binary(pred, a, b)?, like.dtype())
}

/// Reshapes a reduced gradient so it broadcasts against the reduction's input.
fn keep_dims(g: &Tensor, in_shape: &[usize], axes: &[usize], keepdims: bool) -> Result<Tensor> {
    if keepdims {
        return Ok(g.clone());
    }
    ops::reshape_to(g, &reduced_shape(in_shape, axes, true))
}

/// Ops whose rules accept a lazy (broadcastable) output gradient.
fn broadcast_friendly(op: &Op) -> bool {
    matches!(op, Op::Unary(_) | Op::Binary(_) | Op::Cast { .. } | Op::Where) || matches!(op, Op::Identity)
}

/// Reduces a gradient `t` of an op's output (shape `out`, or lazily smaller) to
/// input shape `x`: TF's unbroadcast, keeping lazy gradients lazy where `x`
/// covers the whole output.
fn unbroadcast(t: Tensor, x: &[usize], out: &[usize]) -> Result<Tensor> {
    if t.shape() == x {
        return Ok(t);
    }
    if x == out {
        // t broadcasts to `out` (it is a lazy gradient of it) and so to `x`.
        return Ok(t);
    }
    let full = if t.shape() == out { t } else { ops::broadcast_to(&t, out)? };
    ops::sum_to(&full, x)
}

fn inverse_perm(perm: &[usize]) -> Vec<usize> {
    let mut inv = vec![0; perm.len()];
    for (i, &p) in perm.iter().enumerate() {
        inv[p] = i;
    }
    inv
}

/// Computes the gradients of `node`'s inputs from `g`, the gradient of its output.
/// `needs[i]` is false for inputs nobody asked about: their rule is skipped.
///
/// # Note [Lazy gradients]
/// With `lazy` (no tape is recording the backward pass), a gradient may be any
/// tensor that *broadcasts* to its value's shape and stands for that broadcast:
/// reduce-sum hands back its (tiny) output gradient instead of a full tensor of
/// copies, and elementwise rules consume it directly (`g · cos x` broadcasts).
/// Rules that need the exact shape get `g` materialised first; `backward`
/// materialises what it returns. Recorded backward passes never go lazy, so an
/// outer tape sees exactly TF's ops.
///
/// `g` is taken by value so that, on the lazy path, rules can compute into its
/// buffer when nothing else holds it (Note [In-place gradients] in `fused`).
pub(crate) fn vjp(node: &Node, g: Tensor, needs: &[bool], lazy: bool) -> Result<InputGrads> {
    let g = if lazy {
        match fused::in_place(node, g, needs) {
            Ok(grads) => return Ok(grads),
            Err(g) => g,
        }
    } else {
        g
    };
    let g = &g;
    let xs = &node.saved_inputs;
    let y = &node.saved_output;
    let need = |i: usize| needs.get(i).copied().unwrap_or(false);
    let x = &xs[0];
    let materialised;
    let g = if g.shape() == y.shape() || broadcast_friendly(&node.op) {
        g
    } else {
        materialised = ops::broadcast_to(g, y.shape())?;
        &materialised
    };
    Ok(match &node.op {
        // d/dx x = 1 (a lazy g already stands for x's shape)
        Op::Identity | Op::Reshape if g.shape() != y.shape() => smallvec![Some(g.clone())],
        Op::Identity | Op::Reshape => smallvec![Some(ops::reshape_to(g, x.shape())?)],
        Op::Unary(u) => {
            let fast = if lazy { fused::unary_grad(*u, x, y, g) } else { None };
            smallvec![Some(match fast {
                Some(t) => t,
                None => unary_vjp(*u, x, y, g)?,
            })]
        }
        Op::Binary(b) => binary_vjp(*b, x, &xs[1], y, g, need(0), need(1), lazy)?,
        Op::Reduce { kind, axes, keepdims } => {
            smallvec![Some(reduce_vjp(*kind, x, y, g, axes, *keepdims, lazy)?)]
        }
        Op::MatMul { transpose_a, transpose_b } => {
            matmul_vjp(x, &xs[1], g, *transpose_a, *transpose_b, need(0), need(1))?
        }
        // transpose(g, perm⁻¹)
        Op::Transpose { perm } => smallvec![Some(ops::transpose(g, Some(&inverse_perm(perm)))?)],
        // broadcast ↔ sum are adjoint
        Op::BroadcastTo => smallvec![Some(ops::sum_to(g, x.shape())?)],
        Op::SumTo => smallvec![Some(ops::broadcast_to(g, x.shape())?)],
        // each input gets its slice of g
        Op::Concat { axis } => {
            let mut start = 0;
            let mut out = InputGrads::new();
            for (i, xi) in xs.iter().enumerate() {
                let len = xi.shape()[*axis];
                out.push(if need(i) { Some(ops::slice_axis(g, *axis, start, len)?) } else { None });
                start += len;
            }
            out
        }
        // pad g back out to the input's extent
        Op::SliceAxis { axis, start } => {
            let mut paddings = vec![(0, 0); x.rank()];
            paddings[*axis] = (*start, x.shape()[*axis] - start - y.shape()[*axis]);
            smallvec![Some(ops::pad(g, &paddings, 0.0)?)]
        }
        // the interior of g
        Op::Pad { paddings } => {
            let items: Vec<kernels::index::IndexItem> = paddings
                .iter()
                .zip(x.shape())
                .map(|(&(before, _), &n)| kernels::index::IndexItem::Slice {
                    start: Some(before as i64),
                    stop: Some((before + n) as i64),
                    step: Some(1),
                })
                .collect();
            smallvec![Some(ops::strided_slice(g, &items)?)]
        }
        Op::StridedSlice(spec) => smallvec![Some(ops::strided_slice_grad(g, spec)?)],
        Op::StridedSliceGrad(spec) => smallvec![Some(ops::strided_slice_spec(g, spec)?)],
        // scatter-add g back to the gathered rows; indices get none
        Op::Gather { axis } => smallvec![Some(ops::gather_grad(g, &xs[1], *axis, x.shape())?), None],
        Op::GatherGrad { axis, .. } => smallvec![Some(ops::gather(g, &xs[1], *axis as i64)?), None],
        // cond ? g : 0 for a, cond ? 0 : g for b
        Op::Where => {
            let (cond, a, b) = (&xs[0], &xs[1], &xs[2]);
            let zero = c(g, 0.0);
            let ga =
                if need(1) { Some(ops::sum_to(&ops::where_(cond, g, &zero)?, a.shape())?) } else { None };
            let gb =
                if need(2) { Some(ops::sum_to(&ops::where_(cond, &zero, g)?, b.shape())?) } else { None };
            smallvec![None, ga, gb]
        }
        Op::Cast { from } => smallvec![Some(ops::cast(g, *from)?)],
        // dx = (g − Σ g·y) · y
        Op::Softmax { axis } => {
            let a = [*axis as i64];
            let s = ops::reduce_sum(&ops::mul(g, y)?, Some(&a), true)?;
            smallvec![Some(ops::mul(&ops::sub(g, &s)?, y)?)]
        }
        // dx = g − exp(y) · Σ g
        Op::LogSoftmax { axis } => {
            let a = [*axis as i64];
            let s = ops::reduce_sum(g, Some(&a), true)?;
            smallvec![Some(ops::sub(g, &ops::mul(&ops::exp(y)?, &s)?)?)]
        }
        // cumsum's adjoint is the cumsum in the other direction
        Op::Cumulative { prod: false, axis, exclusive, reverse } => {
            smallvec![Some(ops::cumsum(g, *axis as i64, *exclusive, !*reverse)?)]
        }
        // TF's rule: cumsum(y·g, reversed) / x
        Op::Cumulative { prod: true, axis, exclusive, reverse } => {
            let s = ops::cumsum(&ops::mul(y, g)?, *axis as i64, *exclusive, !*reverse)?;
            smallvec![Some(ops::div(&s, x)?)]
        }
        // fold each repeat onto its own axis and sum them
        Op::Tile { multiples } => {
            let mut split: Vec<i64> = Vec::with_capacity(2 * x.rank());
            for (&m, &d) in multiples.iter().zip(x.shape()) {
                split.push(m as i64);
                split.push(d as i64);
            }
            let folded = ops::reshape(g, &split)?;
            let axes: Vec<i64> = (0..x.rank() as i64).map(|i| 2 * i).collect();
            smallvec![Some(ops::reduce_sum(&folded, Some(&axes), false)?)]
        }
        Op::Linalg(l) => crate::autodiff::linalg_rules::vjp(*l, xs, y, g, need)?,
        // locally constant: zeros, but connected (TF's ReluGrad family)
        Op::PiecewiseConstant => smallvec![Some(ops::zeros_like(x))],
        Op::Conv(c) => crate::autodiff::conv_rules::vjp(*c, xs, g, need)?,
        Op::Recurrent(r) => crate::autodiff::recurrent_rules::vjp(*r, xs, y, g, !lazy)?,
        // Its rule is the user's callback, which sees every output's gradient at
        // once: the backward pass calls `custom::vjp` for these nodes instead.
        Op::Custom(c) => {
            return Err(crate::Error::arg(
                "gradient",
                format!("the custom gradient of {} must be run by custom::vjp", c.name()),
            ));
        }
    })
}

fn unary_vjp(u: U, x: &Tensor, y: &Tensor, g: &Tensor) -> Result<Tensor> {
    use ops::*;
    Ok(match u {
        U::Neg => neg(g)?,
        // d|x| = sign(x), 0 at 0 (TF)
        U::Abs => mul(g, &sign(x)?)?,
        // sign is flat: TF returns zeros, not None
        U::Sign => zeros_like(x),
        // d x² = 2x
        U::Square => mul(g, &mul(x, &c(x, 2.0))?)?,
        // d √x = 0.5 / y; 0 where g is 0 (TF's SqrtGrad: no NaN from 0 · ∞ at x = 0)
        U::Sqrt => zero_where_g_zero(g, &div(&mul(g, &c(x, 0.5))?, y)?)?,
        // d x^-½ = −½ y³; 0 where g is 0 (TF's RsqrtGrad)
        U::Rsqrt => zero_where_g_zero(g, &mul(&mul(g, &c(x, -0.5))?, &mul(&square(y)?, y)?)?)?,
        // d 1/x = −y²; 0 where g is 0 (TF's ReciprocalGrad)
        U::Reciprocal => zero_where_g_zero(g, &neg(&mul(g, &square(y)?)?)?)?,
        // d eˣ = y
        U::Exp => mul(g, y)?,
        // d (eˣ−1) = y + 1
        U::Expm1 => mul(g, &add(y, &c(x, 1.0))?)?,
        // d ln x = 1/x
        U::Log => div(g, x)?,
        // d ln(1+x) = 1/(1+x)
        U::Log1p => div(g, &add(x, &c(x, 1.0))?)?,
        // d sin = cos
        U::Sin => mul(g, &cos(x)?)?,
        // d cos = −sin
        U::Cos => neg(&mul(g, &sin(x)?)?)?,
        // d tan = sec² = 1/cos²
        U::Tan => div(g, &square(&cos(x)?)?)?,
        // d asin = 1/√(1−x²)
        U::Asin => mul(g, &rsqrt(&sub(&c(x, 1.0), &square(x)?)?)?)?,
        // d acos = −1/√(1−x²)
        U::Acos => neg(&mul(g, &rsqrt(&sub(&c(x, 1.0), &square(x)?)?)?)?)?,
        // d atan = 1/(1+x²)
        U::Atan => div(g, &add(&c(x, 1.0), &square(x)?)?)?,
        // d sinh = cosh, d cosh = sinh
        U::Sinh => mul(g, &cosh(x)?)?,
        U::Cosh => mul(g, &sinh(x)?)?,
        // d tanh = 1 − y², as one recorded op (TF's TanhGrad)
        U::Tanh => tanh_grad(y, g)?,
        // d asinh = 1/√(x²+1)
        U::Asinh => mul(g, &rsqrt(&add(&square(x)?, &c(x, 1.0))?)?)?,
        // d acosh = 1/sinh(y)
        U::Acosh => div(g, &sinh(y)?)?,
        // d atanh = 1/(1−x²)
        U::Atanh => div(g, &sub(&c(x, 1.0), &square(x)?)?)?,
        // d σ = y(1−y)
        U::Sigmoid => mul(g, &mul(y, &sub(&c(x, 1.0), y)?)?)?,
        // d relu = [x > 0]; 0 at 0 (TF); the mask is recorded as a function of x
        // with zero gradient, so relu'' is connected zeros as in TF, not None
        U::Relu => mul(g, &step_mask(B::Greater, x, 0.0)?)?,
        // d softplus = σ(x)
        U::Softplus => mul(g, &sigmoid(x)?)?,
        // d erf = 2/√π e^{−x²}
        U::Erf => mul(g, &mul(&c(x, std::f64::consts::FRAC_2_SQRT_PI), &exp(&neg(&square(x)?)?)?)?)?,
        // never recorded (see `ops::unary`)
        U::Floor | U::Ceil | U::Round | U::IsNan | U::IsInf | U::IsFinite | U::LogicalNot => zeros_like(x),
    })
}

/// `t` (a gradient computed from `g`) with 0 wherever `g` is 0: TF's SqrtGrad,
/// RsqrtGrad and ReciprocalGrad return 0 for a zero incoming gradient even
/// where the derivative is infinite (`where(x > 0, sqrt(x), 0)` at `x = 0`
/// has gradient 0, not NaN). The condition is a constant; `where` keeps the
/// result differentiable in `t`.
fn zero_where_g_zero(g: &Tensor, t: &Tensor) -> Result<Tensor> {
    let nonzero = kernels::binary(B::NotEqual, g, &c(g, 0.0))?;
    ops::where_(&nonzero, t, &c(t, 0.0))
}

/// True for a lazy gradient that is the single value 1: the seed of a
/// `reduce_sum` loss, handed down unbroadcast (Note [Lazy gradients]).
fn is_lazy_one(g: &Tensor, y: &Tensor, lazy: bool) -> bool {
    lazy && g.shape() != y.shape() && (g.to_scalar::<f32>() == Some(1.0) || g.to_scalar::<f64>() == Some(1.0))
}

#[allow(clippy::too_many_arguments)]
fn binary_vjp(
    b: B,
    x: &Tensor,
    z: &Tensor,
    y: &Tensor,
    g: &Tensor,
    nx: bool,
    nz: bool,
    lazy: bool,
) -> Result<InputGrads> {
    use ops::*;
    let (gx, gz): (Option<Tensor>, Option<Tensor>) = match b {
        B::Add => (nx.then(|| g.clone()), nz.then(|| g.clone())),
        B::Sub => (nx.then(|| g.clone()), if nz { Some(neg(g)?) } else { None }),
        // d(x·x) = 2x dx, in one product instead of two plus a sum (same bits:
        // doubling is exact)
        B::Mul if nx && nz && x.id() == z.id() => (Some(mul(&mul(g, &c(g, 2.0))?, x)?), None),
        // d(xz) = z dx + x dz; under a lazy g = 1 (a reduce_sum loss) these are z
        // and x themselves (new ids, shared data) rather than a pass of `1 · z` (the
        // same bits, but for subnormals, which the multiply would flush)
        B::Mul if is_lazy_one(g, y, lazy) => (nx.then(|| z.detached()), nz.then(|| x.detached())),
        B::Mul => (if nx { Some(mul(g, z)?) } else { None }, if nz { Some(mul(x, g)?) } else { None }),
        // d(x/z) = dx/z − x/z² dz
        B::Div => (
            if nx { Some(div(g, z)?) } else { None },
            if nz { Some(neg(&div(&div(&mul(g, x)?, z)?, z)?)?) } else { None },
        ),
        // d xᶻ = z x^(z−1) dx + xᶻ ln x dz, with ln x taken as 0 where x <= 0 (TF)
        B::Pow => {
            let gx = if nx { Some(mul(&mul(g, z)?, &pow(x, &sub(z, &c(z, 1.0))?)?)?) } else { None };
            let gz = if nz {
                let positive = kernels::binary(B::Greater, x, &c(x, 0.0))?;
                let safe_x = where_(&positive, x, &c(x, 1.0))?;
                let log_x = where_(&positive, &log(&safe_x)?, &c(x, 0.0))?;
                Some(mul(&mul(g, y)?, &log_x)?)
            } else {
                None
            };
            (gx, gz)
        }
        // ties go to x: x >= z for maximum, x <= z for minimum (TF)
        B::Maximum | B::Minimum => {
            let pred = if b == B::Maximum { B::GreaterEqual } else { B::LessEqual };
            let m = mask(pred, x, z, g)?;
            let gx = mul(g, &m)?;
            let gz = if nz { Some(mul(g, &sub(&c(g, 1.0), &m)?)?) } else { None };
            (nx.then_some(gx), gz)
        }
        // d (x mod z) = dx − ⌊x/z⌋ dz
        B::FloorMod => {
            let q = kernels::binary(B::FloorDiv, x, z)?;
            (nx.then(|| g.clone()), if nz { Some(neg(&mul(g, &q)?)?) } else { None })
        }
        // d atan2(x, z) = (z dx − x dz) / (x² + z²)
        B::Atan2 => {
            let r = add(&square(x)?, &square(z)?)?;
            (
                if nx { Some(div(&mul(g, z)?, &r)?) } else { None },
                if nz { Some(neg(&div(&mul(g, x)?, &r)?)?) } else { None },
            )
        }
        // TanhGrad(y, g) = g (1 − y²): d/dy = −2 y g, d/dg = TanhGrad(y, ·)
        B::TanhGrad => (
            if nx { Some(mul(&mul(g, z)?, &mul(x, &c(x, -2.0))?)?) } else { None },
            if nz { Some(tanh_grad(x, g)?) } else { None },
        ),
        _ => (None, None),
    };
    let gx = match gx {
        Some(t) => Some(unbroadcast(t, x.shape(), y.shape())?),
        None => None,
    };
    let gz = match gz {
        Some(t) => Some(unbroadcast(t, z.shape(), y.shape())?),
        None => None,
    };
    Ok(smallvec![gx, gz])
}

fn reduce_vjp(
    kind: R,
    x: &Tensor,
    y: &Tensor,
    g: &Tensor,
    axes: &[usize],
    keepdims: bool,
    lazy: bool,
) -> Result<Tensor> {
    use ops::*;
    let gk = keep_dims(g, x.shape(), axes, keepdims)?;
    let spread = |t: Tensor| if lazy { Ok(t) } else { broadcast_to(&t, x.shape()) };
    Ok(match kind {
        // every element contributes once
        R::Sum => spread(gk)?,
        // … divided by the count
        R::Mean => {
            let count: usize = axes.iter().map(|&a| x.shape()[a]).product();
            spread(div(&gk, &c(x, count as f64))?)?
        }
        // ties share evenly: indicators / number selected (TF's _MinOrMaxGrad)
        R::Max | R::Min => {
            let yk = keep_dims(y, x.shape(), axes, keepdims)?;
            let ind = mask(B::Equal, x, &yk, x)?;
            let num = kernels::reduce(R::Sum, &ind, axes, true)?;
            mul(&div(&ind, &num)?, &gk)?
        }
        // product of all the other elements, via exclusive cumprods both ways (exact at zeros)
        R::Prod => {
            let others = prod_of_others(x, axes)?;
            mul(&broadcast_to(&gk, x.shape())?, &others)?
        }
        R::Any | R::All => zeros_like(x),
    })
}

/// For each element, the product of the other elements of its reduction group.
fn prod_of_others(x: &Tensor, axes: &[usize]) -> Result<Tensor> {
    use ops::*;
    let rank = x.rank();
    let other: Vec<usize> = (0..rank).filter(|a| !axes.contains(a)).collect();
    let perm: Vec<usize> = axes.iter().chain(&other).copied().collect();
    let reduced_n: usize = axes.iter().map(|&a| x.shape()[a]).product();
    let other_n: usize = other.iter().map(|&a| x.shape()[a]).product();
    let permuted = transpose(x, Some(&perm))?;
    let permuted_shape: Shape = permuted.shape().into();
    let flat = reshape(&permuted, &[reduced_n as i64, other_n as i64])?;
    let left = cumprod(&flat, 0, true, false)?;
    let right = cumprod(&flat, 0, true, true)?;
    let others = reshape_to(&mul(&left, &right)?, &permuted_shape)?;
    transpose(&others, Some(&inverse_perm(&perm)))
}

/// `C = op(A) @ op(B)`; TF's `_BatchMatMulV2` rules, then unbroadcast batch dims.
fn matmul_vjp(
    a: &Tensor,
    b: &Tensor,
    g: &Tensor,
    ta: bool,
    tb: bool,
    na: bool,
    nb: bool,
) -> Result<InputGrads> {
    use ops::matmul;
    let ga = if !na {
        None
    } else {
        Some(match (ta, tb) {
            (false, false) => matmul(g, b, false, true)?,
            (false, true) => matmul(g, b, false, false)?,
            (true, false) => matmul(b, g, false, true)?,
            (true, true) => matmul(b, g, true, true)?,
        })
    };
    let gb = if !nb {
        None
    } else {
        Some(match (ta, tb) {
            (false, false) => matmul(a, g, true, false)?,
            (false, true) => matmul(g, a, true, false)?,
            (true, false) => matmul(a, g, false, false)?,
            (true, true) => matmul(g, a, true, true)?,
        })
    };
    let ga = match ga {
        Some(t) => Some(ops::sum_to(&t, a.shape())?),
        None => None,
    };
    let gb = match gb {
        Some(t) => Some(ops::sum_to(&t, b.shape())?),
        None => None,
    };
    Ok(smallvec![ga, gb])
}

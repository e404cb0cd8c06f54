//! One-pass gradient rules for the unrecorded backward path.
//!
//! The composite rules in `rules.rs` are written with public ops so that they
//! can be recorded and differentiated again; for `tanh` that is three passes
//! and three temporaries (`y²`, `1 − y²`, `g·(1 − y²)`). When no tape records
//! the backward pass, this module computes the same expression in one pass over
//! contiguous float data: rules whose factor is algebraic in `x` or `y` here,
//! and `sin`/`cos`, whose factor is a transcendental of `x`, through the
//! kernels' one-pass `unary_times` (float32 SIMD; other cases keep the
//! composite rule).
//!
//! # Note [In-place gradients]
//! The incoming gradient `g` is usually a temporary that only the backward pass
//! holds (`Arc` count one): the previous rule made it and nothing else will read
//! it. Then [`in_place`] overwrites `g` with `g · f'(·)` (and, for mul, div and
//! sub, `g · z`, `g / z`, `−g`) instead of allocating: no fresh output page to
//! fault in or zero, and `g`, just written by the previous rule, is still in
//! cache. It computes the very expression of the out-of-place rule, element by
//! element, so the bits never depend on which path ran. A `g` someone else can
//! see (a source's own gradient, a user's `output_gradients`) is shared and so
//! never touched.
//!
//! Results may differ from the composite rule in the last bit (one rounding
//! instead of several); both are deterministic at any thread count, and the
//! choice between them depends only on whether an outer tape is recording.

use smallvec::smallvec;

use crate::autodiff::rules::InputGrads;
use crate::autodiff::tape::Node;
use crate::kernels::fusion;
use crate::kernels::parallel::{for_each_chunk, zip_with};
use crate::kernels::{BinaryKind as B, UnaryKind as U};
use crate::ops::Op;
use crate::{Buffer, Tensor};

/// Which saved operand unary op `u`'s algebraic factor reads: `Some(true)` for
/// the output `y`, `Some(false)` for the input `x`, `None` if it has none here.
fn factor_reads_output(u: U) -> Option<bool> {
    match u {
        U::Tanh | U::Sigmoid | U::Sqrt | U::Rsqrt | U::Reciprocal | U::Exp | U::Expm1 => Some(true),
        U::Relu | U::Square | U::Log | U::Log1p | U::Abs => Some(false),
        _ => None,
    }
}

/// Runs `$body` with `$f32` and `$f64` bound to `g · f'(v)` of unary op `u` (as
/// closures of the incoming gradient `g` and the operand `v` that
/// [`factor_reads_output`] names), one copy of `$body` per op. sqrt, rsqrt and
/// reciprocal give 0 where `g` is 0 (TF's SqrtGrad family), even where `f'` is
/// infinite.
///
/// Why a copy per op: with the `match` on `u` inside the element loop, the loop
/// neither vectorises nor drops the dead arms; relu's rule took ~1.5 ns per element
/// (55 µs on W5's 64x512 activations), hoisted it is a plain SIMD loop.
macro_rules! with_factor {
    ($u:expr, ($f32:ident, $f64:ident) => $body:expr) => {{
        macro_rules! arm {
            (|$v:ident| $e:expr) => {{
                #[allow(unused_variables)]
                let $f32 = |gv: f32, $v: f32| -> f32 { gv * $e };
                #[allow(unused_variables)]
                let $f64 = |gv: f64, $v: f64| -> f64 { gv * $e };
                $body
            }};
            (zero_safe |$v:ident| $e:expr) => {{
                let $f32 = |gv: f32, $v: f32| -> f32 { if gv == 0.0 { 0.0 } else { gv * $e } };
                let $f64 = |gv: f64, $v: f64| -> f64 { if gv == 0.0 { 0.0 } else { gv * $e } };
                $body
            }};
        }
        match $u {
            U::Tanh => arm!(|v| 1.0 - v * v),
            U::Sigmoid => arm!(|v| v * (1.0 - v)),
            U::Sqrt => arm!(zero_safe |v| 0.5 / v),
            U::Rsqrt => arm!(zero_safe |v| -0.5 * v * v * v),
            U::Reciprocal => arm!(zero_safe |v| -(v * v)),
            U::Exp => arm!(|v| v),
            U::Expm1 => arm!(|v| v + 1.0),
            U::Relu => arm!(|v| if v > 0.0 { 1.0 } else { 0.0 }),
            U::Square => arm!(|v| 2.0 * v),
            U::Log => arm!(|v| 1.0 / v),
            U::Log1p => arm!(|v| 1.0 / (1.0 + v)),
            U::Abs => arm!(|v| if v > 0.0 {
                1.0
            } else if v < 0.0 {
                -1.0
            } else {
                0.0
            }),
            _ => arm!(|v| 0.0),
        }
    }};
}

/// `g · f'(·)` for unary op `u` in one pass, or `None` to use the composite rule
/// (unsupported op, dtype, or a `g` that is not exactly `y`'s shape or a scalar).
pub(crate) fn unary_grad(u: U, x: &Tensor, y: &Tensor, g: &Tensor) -> Option<Tensor> {
    if fusion::defers([x, y, g]) {
        // The composite rule's ops fuse into the gradient's expression instead.
        return None;
    }
    if g.dtype() != x.dtype() || (g.shape() != y.shape() && g.numel() != 1) {
        return None;
    }
    // Factors that are a transcendental of x: one SIMD pass in the kernels.
    match u {
        U::Sin => return crate::kernels::unary_times(U::Cos, x, g, 1.0),
        U::Cos => return crate::kernels::unary_times(U::Sin, x, g, -1.0),
        _ => {}
    }
    let operand = if factor_reads_output(u)? { y } else { x };
    macro_rules! go {
        ($t:ty, $v:ident, $gs:ident, $factor:ident) => {{
            let mut out: Vec<$t> = vec![0.0; $v.len()];
            for_each_chunk(&mut out, 1, |start, o| {
                let vs = &$v[start..start + o.len()];
                if let [gv] = $gs[..] {
                    o.iter_mut().zip(vs).for_each(|(o, &v)| *o = $factor(gv, v));
                } else {
                    let gs = &$gs[start..start + o.len()];
                    o.iter_mut().zip(vs).zip(gs).for_each(|((o, &v), &gv)| *o = $factor(gv, v));
                }
            });
            <$t as crate::Element>::into_buffer(out)
        }};
    }
    let buf = with_factor!(u, (factor_f32, factor_f64) => match (operand.buffer(), g.buffer()) {
        (Buffer::F32(v), Buffer::F32(gs)) => go!(f32, v, gs, factor_f32),
        (Buffer::F64(v), Buffer::F64(gs)) => go!(f64, v, gs, factor_f64),
        _ => return None,
    });
    Tensor::from_buffer(buf, y.shape()).ok()
}

/// `g` overwritten by `f(g, v)` elementwise, if `g`'s buffer is unshared and `v`
/// has exactly its dtype and length (a ghost or a broadcast operand does not);
/// false (nothing touched) otherwise.
fn overwrite(
    g: &mut Tensor,
    v: &Tensor,
    f32_op: impl Fn(f32, f32) -> f32 + Sync + Send,
    f64_op: impl Fn(f64, f64) -> f64 + Sync + Send,
) -> bool {
    let n = g.numel();
    match (g.buffer_mut(), v.buffer()) {
        (Some(Buffer::F32(gs)), Buffer::F32(vs)) if vs.len() == n => zip_with(gs, vs, f32_op),
        (Some(Buffer::F64(gs)), Buffer::F64(vs)) if vs.len() == n => zip_with(gs, vs, f64_op),
        _ => return false,
    }
    true
}

/// `g = 0 − g` (the neg kernel's expression) if `g`'s buffer is unshared float.
fn negate(g: &mut Tensor) -> bool {
    match g.buffer_mut() {
        Some(Buffer::F32(gs)) => for_each_chunk(gs, 1, |_, o| o.iter_mut().for_each(|a| *a = 0.0 - *a)),
        Some(Buffer::F64(gs)) => for_each_chunk(gs, 1, |_, o| o.iter_mut().for_each(|a| *a = 0.0 - *a)),
        _ => return false,
    }
    true
}

/// For a unary `node` whose input already has an unshared gradient `acc`:
/// `acc += g · f'(·)` in one pass (Note [In-place gradients]), adding exactly
/// the value the separate rule would have made, in the same order. False
/// (nothing touched) when `acc` is shared or the shapes, dtypes or op do not
/// allow it. Only for the unrecorded backward pass.
pub(crate) fn accumulate(node: &Node, g: &Tensor, acc: &mut Tensor) -> bool {
    let Op::Unary(u) = node.op else { return false };
    let (x, y) = (&node.saved_inputs[0], &node.saved_output);
    if fusion::defers([x, y, g, &*acc]) {
        return false;
    }
    if g.shape() != y.shape()
        || acc.shape() != y.shape()
        || g.dtype() != y.dtype()
        || acc.dtype() != y.dtype()
    {
        return false;
    }
    match u {
        U::Sin => return crate::kernels::add_times_unary(U::Cos, x, g, acc, 1.0),
        U::Cos => return crate::kernels::add_times_unary(U::Sin, x, g, acc, -1.0),
        _ => {}
    }
    let Some(reads_y) = factor_reads_output(u) else { return false };
    let v = if reads_y { y } else { x };
    let n = acc.numel();
    macro_rules! go {
        ($acc:ident, $gs:ident, $vs:ident, $factor:ident) => {
            for_each_chunk($acc, 1, |s, o| {
                let (gs, vs) = (&$gs[s..s + o.len()], &$vs[s..s + o.len()]);
                o.iter_mut().zip(gs).zip(vs).for_each(|((a, &gv), &v)| *a += $factor(gv, v));
            })
        };
    }
    with_factor!(u, (factor_f32, factor_f64) => match (acc.buffer_mut(), g.buffer(), v.buffer()) {
        (Some(Buffer::F32(a)), Buffer::F32(gs), Buffer::F32(vs)) if gs.len() == n && vs.len() == n => {
            go!(a, gs, vs, factor_f32)
        }
        (Some(Buffer::F64(a)), Buffer::F64(gs), Buffer::F64(vs)) if gs.len() == n && vs.len() == n => {
            go!(a, gs, vs, factor_f64)
        }
        _ => return false,
    });
    true
}

/// The gradients of `node`'s inputs computed into `g`'s own buffer (Note
/// [In-place gradients]), or `g` back untouched when this node, its operands or
/// `g` do not allow it. Only for the unrecorded (lazy) backward pass.
pub(crate) fn in_place(node: &Node, mut g: Tensor, needs: &[bool]) -> Result<InputGrads, Tensor> {
    let y = &node.saved_output;
    if g.shape() != y.shape() || g.dtype() != y.dtype() {
        return Err(g);
    }
    if fusion::defers([&g, y].into_iter().chain(&node.saved_inputs)) {
        // The out-of-place rules' ops fuse into the gradient's expression instead.
        return Err(g);
    }
    let need = |i: usize| needs.get(i).copied().unwrap_or(false);
    let xs = &node.saved_inputs;
    // Which input `g` becomes the gradient of, and the other input's gradient if any.
    let (slot, other) = match node.op {
        // g · cos x and −g · sin x: one SIMD pass.
        Op::Unary(U::Sin) => {
            (crate::kernels::times_unary_in_place(U::Cos, &xs[0], &mut g, 1.0).then_some(0), None)
        }
        Op::Unary(U::Cos) => {
            (crate::kernels::times_unary_in_place(U::Sin, &xs[0], &mut g, -1.0).then_some(0), None)
        }
        Op::Unary(u) => match factor_reads_output(u) {
            Some(reads_y) => {
                let v = if reads_y { y } else { &xs[0] };
                (
                    with_factor!(u, (factor_f32, factor_f64) => overwrite(&mut g, v, factor_f32, factor_f64))
                        .then_some(0),
                    None,
                )
            }
            None => (None, None),
        },
        // Binary rules, only where no operand broadcasts (so `sum_to` is the identity).
        Op::Binary(b) if xs.iter().all(|t| t.shape() == y.shape()) => {
            let (x, z) = (&xs[0], &xs[1]);
            match (b, need(0), need(1)) {
                // d(x·x) = (g·2)·x
                (B::Mul, true, true) if x.id() == z.id() => {
                    (overwrite(&mut g, x, |gv, v| gv * 2.0 * v, |gv, v| gv * 2.0 * v).then_some(0), None)
                }
                // dz = x·g (computed first, from g as it came), dx = g·z
                (B::Mul, true, nz) => {
                    let gz = if nz {
                        match crate::kernels::binary(B::Mul, x, &g) {
                            Ok(t) => Some(t),
                            Err(_) => return Err(g),
                        }
                    } else {
                        None
                    };
                    (overwrite(&mut g, z, |gv, v| gv * v, |gv, v| gv * v).then_some(0), gz)
                }
                (B::Mul, false, true) => {
                    (overwrite(&mut g, x, |gv, v| v * gv, |gv, v| v * gv).then_some(1), None)
                }
                // dx = g / z
                (B::Div, true, false) => {
                    (overwrite(&mut g, z, |gv, v| gv / v, |gv, v| gv / v).then_some(0), None)
                }
                // dz = −g, as the neg kernel computes it (0 − g)
                (B::Sub, false, true) => (negate(&mut g).then_some(1), None),
                _ => (None, None),
            }
        }
        _ => (None, None),
    };
    match slot {
        Some(0) => Ok(smallvec![Some(g), other]),
        Some(_) => Ok(smallvec![other, Some(g)]),
        None => Err(g),
    }
}

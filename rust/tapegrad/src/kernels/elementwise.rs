//! Unary and binary elementwise kernels, `where` and `cast`.

use crate::kernels::alloc::alloc;
use crate::kernels::broadcast::{Operand, map1, map1_scalar, map2, map2_in_place, map3};
use crate::kernels::fusion;
use crate::kernels::math::Float;
use crate::kernels::parallel::for_each_chunk;
use crate::kernels::scalar::Num;
use crate::kernels::vmath::{self, Fun};
use crate::kernels::{BinaryKind, UnaryKind};
use crate::shape::{Shape, broadcast_shapes, check_alloc};
use crate::{Buffer, DType, Error, Result, Tensor};

const FLOAT_HINT: &str =
    "it needs a float32 or float64 tensor; convert the input with tapegrad.cast(x, tf.float32)";
const BOOL_HINT: &str = "logical ops take bool tensors; compare (e.g. x != 0) or cast to bool first";
const NUMERIC_HINT: &str = "it needs a numeric tensor; cast bool tensors to a number type first";
const INT_OR_FLOAT_HINT: &str = "it is not defined for integer tensors; cast to float32 first";

fn unsupported(op: &'static str, dtype: DType, hint: &'static str) -> Error {
    Error::UnsupportedDType { op, dtype, hint }
}

fn operand<'a, T>(data: &'a [T], t: &'a Tensor) -> Operand<'a, T> {
    Operand { data, shape: t.shape() }
}

/// The per-element definition of each arithmetic float unary op over `$t`,
/// handed to `$apply!` as a closure: `Some($apply!(closure))` for those ops,
/// `None` for the rest. The one definition both the eager kernel and the fused
/// evaluator (`fusion::program`) compile, so a fused chain computes exactly the
/// bits of the ops it stands for. Calls are spelled through the traits so that
/// a concrete `f32` never picks an inherent method of other semantics
/// (`f32::maximum` treats ±0 differently).
macro_rules! arith_unary {
    ($op:expr, $t:ty, $apply:ident) => {{
        use $crate::kernels::UnaryKind as U;
        use $crate::kernels::math::Float as F;
        use $crate::kernels::scalar::Num as N;
        match $op {
            U::Neg => Some($apply!(|p: $t| N::sub(<$t as N>::ZERO, p))),
            U::Abs => Some($apply!(|p: $t| F::abs(p))),
            U::Square => Some($apply!(|p: $t| N::mul(p, p))),
            U::Sqrt => Some($apply!(|p: $t| F::sqrt(p))),
            U::Rsqrt => Some($apply!(|p: $t| F::div(<$t as N>::ONE, F::sqrt(p)))),
            U::Reciprocal => Some($apply!(|p: $t| F::div(<$t as N>::ONE, p))),
            // NaN stays NaN (TF's relu propagates it).
            U::Relu => {
                Some($apply!(|p: $t| if p > <$t as N>::ZERO || N::is_nan(p) { p } else { <$t as N>::ZERO }))
            }
            _ => None,
        }
    }};
}
pub(crate) use arith_unary;

/// [`arith_unary!`] for the arithmetic float binary ops (closures of two
/// arguments; broadcasting is the caller's business).
macro_rules! arith_binary {
    ($op:expr, $t:ty, $apply:ident) => {{
        use $crate::kernels::BinaryKind as B;
        use $crate::kernels::math::Float as F;
        use $crate::kernels::scalar::Num as N;
        match $op {
            B::Add => Some($apply!(|p: $t, q: $t| N::add(p, q))),
            B::Sub => Some($apply!(|p: $t, q: $t| N::sub(p, q))),
            B::Mul => Some($apply!(|p: $t, q: $t| N::mul(p, q))),
            B::Div => Some($apply!(|p: $t, q: $t| F::div(p, q))),
            B::Maximum => Some($apply!(|p: $t, q: $t| N::maximum(p, q))),
            B::Minimum => Some($apply!(|p: $t, q: $t| N::minimum(p, q))),
            // g · (1 − y·y), the very expression of the composite rule it replaces
            B::TanhGrad => Some($apply!(|p: $t, q: $t| N::mul(q, N::sub(<$t as N>::ONE, N::mul(p, p))))),
            _ => None,
        }
    }};
}
pub(crate) use arith_binary;

// ---------------------------------------------------------------- unary

pub(crate) fn unary(op: UnaryKind, x: &Tensor) -> Result<Tensor> {
    let name = op.name();
    if op == UnaryKind::LogicalNot && x.dtype() != DType::Bool {
        return Err(unsupported(name, x.dtype(), BOOL_HINT));
    }
    if let Some(y) = fusion::unary(op, x) {
        return Ok(y);
    }
    let buf = match x.buffer() {
        Buffer::F32(v) => match vmath_fun(op) {
            Some(f) => Buffer::F32(map_fun_f32(f, v)),
            None => float_unary(op, v),
        },
        Buffer::F64(v) => float_unary(op, v),
        Buffer::I32(v) => int_unary(op, v).ok_or_else(|| unsupported(name, DType::I32, FLOAT_HINT))?,
        Buffer::I64(v) => int_unary(op, v).ok_or_else(|| unsupported(name, DType::I64, FLOAT_HINT))?,
        Buffer::Bool(v) => match op {
            UnaryKind::LogicalNot => Buffer::Bool(map1(v, |p: bool| !p)),
            _ => return Err(unsupported(name, DType::Bool, NUMERIC_HINT)),
        },
    };
    Ok(Tensor::new_unchecked(buf, Shape::from_slice(x.shape())))
}

/// The float32 ops with vectorised implementations in [`vmath`].
///
/// Unoptimised (debug) builds keep std's libm instead: the polynomial code is
/// ~10× slower than libm without optimisation, which would dominate debug test
/// runs. Both agree to ≤ 1 ulp; vmath's own tests exercise it in every build.
pub(crate) fn vmath_fun(op: UnaryKind) -> Option<Fun> {
    use UnaryKind as U;
    if cfg!(debug_assertions) {
        return None;
    }
    Some(match op {
        U::Exp => Fun::Exp,
        U::Expm1 => Fun::Expm1,
        U::Log => Fun::Log,
        U::Log1p => Fun::Log1p,
        U::Sin => Fun::Sin,
        U::Cos => Fun::Cos,
        U::Tanh => Fun::Tanh,
        U::Sigmoid => Fun::Sigmoid,
        U::Softplus => Fun::Softplus,
        _ => return None,
    })
}

/// `scale · g · f(x)` for a SIMD float32 function `f`, in one pass over memory:
/// `f` is evaluated block by block into a scratch buffer that stays in cache and
/// multiplied at once (the gradient of `sin` is `g · cos x`). `g` has `x`'s
/// shape or is a scalar. `None` when `f` has no vectorised form here (f64, debug
/// builds) or the operands do not fit; callers then use the composite rule.
pub(crate) fn unary_times(op: UnaryKind, x: &Tensor, g: &Tensor, scale: f32) -> Option<Tensor> {
    let f = vmath_fun(op)?;
    let (Buffer::F32(xs), Buffer::F32(gs)) = (x.buffer(), g.buffer()) else { return None };
    if gs.len() != xs.len() && gs.len() != 1 {
        return None;
    }
    let mut out = alloc::<f32>(xs.len());
    times_blocks(f, xs, Times::Into(gs), scale, &mut out);
    Some(Tensor::new_unchecked(Buffer::F32(out), Shape::from_slice(x.shape())))
}

/// [`unary_times`] written over `g`'s own buffer: true if done, false (`g`
/// untouched) when `g` is shared, not float32 of `x`'s length, or `f` has no
/// vectorised form. The same expression, so the same bits, as `unary_times`.
pub(crate) fn times_unary_in_place(op: UnaryKind, x: &Tensor, g: &mut Tensor, scale: f32) -> bool {
    let Some(f) = vmath_fun(op) else { return false };
    let Buffer::F32(xs) = x.buffer() else { return false };
    match g.buffer_mut() {
        Some(Buffer::F32(gs)) if gs.len() == xs.len() => times_blocks(f, xs, Times::InPlace, scale, gs),
        _ => return false,
    }
    true
}

/// `acc += scale · g · f(x)` in one pass into `acc`'s own buffer (gradient
/// accumulation fused with the rule): true if done, false (`acc` untouched)
/// when `acc` is shared, the operands are not float32 of one length, or `f` has
/// no vectorised form. Adds exactly what [`unary_times`] would have produced.
pub(crate) fn add_times_unary(op: UnaryKind, x: &Tensor, g: &Tensor, acc: &mut Tensor, scale: f32) -> bool {
    let Some(f) = vmath_fun(op) else { return false };
    let (Buffer::F32(xs), Buffer::F32(gs)) = (x.buffer(), g.buffer()) else { return false };
    match acc.buffer_mut() {
        Some(Buffer::F32(acc)) if acc.len() == xs.len() && gs.len() == xs.len() => {
            times_blocks(f, xs, Times::AddTo(gs), scale, acc)
        }
        _ => return false,
    }
    true
}

/// Where [`times_blocks`] takes `g` from and puts `scale · g · f(x)`.
#[derive(Clone, Copy)]
enum Times<'a> {
    /// `out = scale · g · f(x)`; `g` full length or one scalar.
    Into(&'a [f32]),
    /// `out = scale · out · f(x)`: `out` holds `g`.
    InPlace,
    /// `out += scale · g · f(x)`; `g` full length.
    AddTo(&'a [f32]),
}

/// `scale · g · f(xs)` into `out`, as [`Times`] says.
fn times_blocks(f: Fun, xs: &[f32], g: Times<'_>, scale: f32, out: &mut [f32]) {
    const BLOCK: usize = 1024;
    for_each_chunk(out, BLOCK, |start, o| {
        let mut tmp = [0.0f32; BLOCK];
        for (b, ob) in o.chunks_mut(BLOCK).enumerate() {
            let at = start + b * BLOCK;
            let t = &mut tmp[..ob.len()];
            vmath::map_f32(f, &xs[at..at + ob.len()], t);
            match g {
                Times::Into([g]) => {
                    let k = g * scale;
                    ob.iter_mut().zip(t.iter()).for_each(|(o, &v)| *o = k * v);
                }
                Times::Into(gs) => {
                    let gb = &gs[at..at + ob.len()];
                    ob.iter_mut().zip(t.iter()).zip(gb).for_each(|((o, &v), &gv)| *o = scale * gv * v);
                }
                Times::InPlace => ob.iter_mut().zip(t.iter()).for_each(|(o, &v)| *o = scale * *o * v),
                Times::AddTo(gs) => {
                    let gb = &gs[at..at + ob.len()];
                    ob.iter_mut().zip(t.iter()).zip(gb).for_each(|((o, &v), &gv)| *o += scale * gv * v);
                }
            }
        }
    });
}

fn map_fun_f32(f: Fun, v: &[f32]) -> Vec<f32> {
    let mut out = alloc::<f32>(v.len());
    for_each_chunk(&mut out, 1, |s, o| vmath::map_f32(f, &v[s..s + o.len()], o));
    out
}

#[inline(always)]
fn sigmoid<T: Float>(p: T) -> T {
    // Never exponentiate a large positive number: exp(-|x|) <= 1 on both branches.
    if p >= T::ZERO {
        T::ONE.div(T::ONE.add((T::ZERO.sub(p)).exp()))
    } else {
        let e = p.exp();
        e.div(T::ONE.add(e))
    }
}

#[inline(always)]
fn sign<T: Num>(p: T) -> T {
    if p > T::ZERO {
        T::ONE
    } else if p < T::ZERO {
        T::ZERO.sub(T::ONE)
    } else if p.is_nan() {
        p
    } else {
        // ±0 → +0, as Eigen's `(x > 0) - (x < 0)`.
        T::ZERO
    }
}

/// Float unary ops; the predicates return bool buffers. `LogicalNot` is rejected by the caller.
fn float_unary<T: Float>(op: UnaryKind, v: &[T]) -> Buffer {
    use UnaryKind as U;
    // A macro, not a closure taking `fn` pointers: each op's body must be inlined
    // into its own loop for the cheap ones to vectorise.
    macro_rules! f {
        ($g:expr) => {
            T::into_buffer(map1(v, $g))
        };
    }
    // libm calls: no point compiling the loop for wider vectors.
    macro_rules! lib {
        ($g:expr) => {
            T::into_buffer(map1_scalar(v, $g))
        };
    }
    if let Some(buf) = arith_unary!(op, T, f) {
        return buf;
    }
    match op {
        U::Sign => f!(sign),
        U::Exp => lib!(|p| p.exp()),
        U::Expm1 => lib!(|p| p.exp_m1()),
        U::Log => lib!(|p| p.ln()),
        U::Log1p => lib!(|p| p.ln_1p()),
        U::Sin => lib!(|p| p.sin()),
        U::Cos => lib!(|p| p.cos()),
        U::Tan => lib!(|p| p.tan()),
        U::Asin => lib!(|p| p.asin()),
        U::Acos => lib!(|p| p.acos()),
        U::Atan => lib!(|p| p.atan()),
        U::Sinh => lib!(|p| p.sinh()),
        U::Cosh => lib!(|p| p.cosh()),
        U::Tanh => lib!(|p| p.tanh()),
        U::Asinh => lib!(|p| p.asinh()),
        U::Acosh => lib!(|p| p.acosh()),
        U::Atanh => lib!(|p| p.atanh()),
        U::Sigmoid => lib!(sigmoid),
        U::Softplus => lib!(|p| p.maximum(T::ZERO).add((T::ZERO.sub(p.abs())).exp().ln_1p())),
        U::Erf => lib!(|p| p.erf()),
        U::Floor => f!(|p| p.floor()),
        U::Ceil => f!(|p| p.ceil()),
        U::Round => f!(|p| p.round_ties_even()),
        U::IsNan => Buffer::Bool(map1(v, |p: T| p.is_nan())),
        U::IsInf => Buffer::Bool(map1(v, |p: T| p.is_infinite())),
        U::IsFinite => Buffer::Bool(map1(v, |p: T| p.is_finite())),
        // `arith_unary!` ops were handled above; `LogicalNot` is rejected by
        // `unary` before dispatch. Unreachable here.
        _ => Buffer::Bool(Vec::new()),
    }
}

/// Integer operations beyond [`Num`]: all wrapping, so no input can panic.
pub(crate) trait Int: Num {
    fn wrapping_neg_(self) -> Self;
    fn wrapping_abs_(self) -> Self;
    fn wrapping_div_(self, o: Self) -> Self;
    fn wrapping_rem_(self, o: Self) -> Self;
    fn wrapping_pow_(self, e: Self) -> Self;
    fn signum_(self) -> Self;
}

macro_rules! impl_int {
    ($t:ty) => {
        impl Int for $t {
            #[inline(always)]
            fn wrapping_neg_(self) -> Self {
                self.wrapping_neg()
            }
            #[inline(always)]
            fn wrapping_abs_(self) -> Self {
                self.wrapping_abs()
            }
            #[inline(always)]
            fn wrapping_div_(self, o: Self) -> Self {
                // Callers reject zero divisors first; keep a non-panicking answer anyway.
                if o == 0 { 0 } else { self.wrapping_div(o) }
            }
            #[inline(always)]
            fn wrapping_rem_(self, o: Self) -> Self {
                if o == 0 { 0 } else { self.wrapping_rem(o) }
            }
            #[inline(always)]
            fn wrapping_pow_(self, e: Self) -> Self {
                // Square-and-multiply; callers reject negative exponents first.
                let (mut base, mut e, mut acc) = (self, e.max(0), 1 as $t);
                while e > 0 {
                    if e & 1 == 1 {
                        acc = acc.wrapping_mul(base);
                    }
                    base = base.wrapping_mul(base);
                    e >>= 1;
                }
                acc
            }
            #[inline(always)]
            fn signum_(self) -> Self {
                self.signum()
            }
        }
    };
}
impl_int!(i32);
impl_int!(i64);

/// Integer unary ops; `None` for float-only ops.
fn int_unary<T: Int>(op: UnaryKind, v: &[T]) -> Option<Buffer> {
    use UnaryKind as U;
    macro_rules! f {
        ($g:expr) => {
            Some(T::into_buffer(map1(v, $g)))
        };
    }
    match op {
        U::Neg => f!(|p| p.wrapping_neg_()),
        U::Abs => f!(|p| p.wrapping_abs_()),
        U::Sign => f!(|p| p.signum_()),
        U::Square => f!(|p| p.mul(p)),
        U::Relu => f!(|p| if p > T::ZERO { p } else { T::ZERO }),
        // Rounding an integer is the identity (TF accepts ints here).
        U::Floor | U::Ceil | U::Round => Some(T::into_buffer(v.to_vec())),
        _ => None,
    }
}

// ---------------------------------------------------------------- binary

pub(crate) fn binary(op: BinaryKind, a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let name = op.name();
    if a.dtype() != b.dtype() {
        return Err(Error::DTypeMismatch { op: name, lhs: a.dtype(), rhs: b.dtype() });
    }
    let shape = broadcast_shapes(name, a.shape(), b.shape())?;
    if a.shape() != shape.as_slice() && b.shape() != shape.as_slice() {
        // A broadcast that grows both sides: its buffer is new memory.
        check_alloc(name, &shape, a.dtype())?;
    }
    if let Some(y) = fusion::binary(op, a, b) {
        return Ok(y);
    }
    let buf = match (a.buffer(), b.buffer()) {
        (Buffer::F32(x), Buffer::F32(y)) => float_binary(op, operand(x, a), operand(y, b), &shape)?,
        (Buffer::F64(x), Buffer::F64(y)) => float_binary(op, operand(x, a), operand(y, b), &shape)?,
        (Buffer::I32(x), Buffer::I32(y)) => int_binary(op, operand(x, a), operand(y, b), &shape)?,
        (Buffer::I64(x), Buffer::I64(y)) => int_binary(op, operand(x, a), operand(y, b), &shape)?,
        (Buffer::Bool(x), Buffer::Bool(y)) => bool_binary(op, operand(x, a), operand(y, b), &shape)?,
        _ => return Err(Error::DTypeMismatch { op: name, lhs: a.dtype(), rhs: b.dtype() }),
    };
    Ok(Tensor::new_unchecked(buf, shape))
}

/// `owned = owned op other` (or `other op owned` when `owned_is_lhs` is false)
/// written over `owned`'s buffer, for float add, sub, mul and div where `other`
/// has `owned`'s shape or is a one-element tensor that broadcasts into it. These
/// four ops round exactly once, so the bits equal [`binary`]'s. A pending
/// (fused) `other` is computed block by block into the update, never stored.
/// False, touching nothing, when the op, dtypes or shapes do not allow it or the
/// buffer is shared.
pub(crate) fn binary_in_place(
    op: BinaryKind,
    owned: &mut Tensor,
    other: &Tensor,
    owned_is_lhs: bool,
) -> bool {
    use BinaryKind as B;
    let fits = owned.dtype() == other.dtype()
        && (other.shape() == owned.shape() || (other.numel() == 1 && other.rank() <= owned.rank()));
    if !fits || !matches!(op, B::Add | B::Sub | B::Mul | B::Div) {
        return false;
    }
    if let Some(prog) =
        other.as_pending().filter(|_| other.shape() == owned.shape()).and_then(|p| p.program())
    {
        // A pending operand is computed block by block straight into the update.
        let Some(Buffer::F32(o)) = owned.buffer_mut() else { return false };
        macro_rules! zip {
            ($f:expr) => {
                prog.zip_into(o, move |own, oth| if owned_is_lhs { $f(own, oth) } else { $f(oth, own) })
            };
        }
        return arith_binary!(op, f32, zip).is_some();
    }
    match (owned.buffer_mut(), other.buffer()) {
        (Some(Buffer::F32(o)), Buffer::F32(y)) => float_in_place(op, o, y, owned_is_lhs),
        (Some(Buffer::F64(o)), Buffer::F64(y)) => float_in_place(op, o, y, owned_is_lhs),
        _ => false,
    }
}

/// [`binary_in_place`] on buffers, with the ops' one per-element definition
/// ([`arith_binary!`]); false for ops it has none for.
fn float_in_place<T: Float>(op: BinaryKind, owned: &mut [T], other: &[T], owned_is_lhs: bool) -> bool {
    macro_rules! apply {
        ($f:expr) => {
            map2_in_place(owned, other, owned_is_lhs, $f)
        };
    }
    arith_binary!(op, T, apply).unwrap_or(false)
}

/// Comparisons, shared by every dtype; `None` if `op` is not a comparison.
fn compare<T: Copy + Sync + PartialOrd>(
    op: BinaryKind,
    a: Operand<'_, T>,
    b: Operand<'_, T>,
    shape: &[usize],
) -> Option<Buffer> {
    use BinaryKind as B;
    let v = match op {
        B::Equal => map2(a, b, shape, |p, q| p == q),
        B::NotEqual => map2(a, b, shape, |p, q| p != q),
        B::Less => map2(a, b, shape, |p, q| p < q),
        B::LessEqual => map2(a, b, shape, |p, q| p <= q),
        B::Greater => map2(a, b, shape, |p, q| p > q),
        B::GreaterEqual => map2(a, b, shape, |p, q| p >= q),
        _ => return None,
    };
    Some(Buffer::Bool(v))
}

fn float_binary<T: Float>(
    op: BinaryKind,
    a: Operand<'_, T>,
    b: Operand<'_, T>,
    shape: &[usize],
) -> Result<Buffer> {
    use BinaryKind as B;
    if let Some(buf) = compare(op, a, b, shape) {
        return Ok(buf);
    }
    macro_rules! f {
        ($g:expr) => {
            Ok(T::into_buffer(map2(a, b, shape, $g)))
        };
    }
    if let Some(buf) = arith_binary!(op, T, f) {
        return buf;
    }
    match op {
        B::Pow => f!(|p, q| p.powf(q)),
        B::FloorDiv => f!(|p, q| p.div(q).floor()),
        // TF's floormod: C's fmod, shifted by `b` when the signs differ.
        B::FloorMod => f!(|p, q| {
            let r = p.rem(q);
            if r != T::ZERO && ((q < T::ZERO) != (r < T::ZERO)) { r.add(q) } else { r }
        }),
        B::Atan2 => f!(|p, q| p.atan2(q)),
        _ => Err(unsupported(op.name(), T::DTYPE, BOOL_HINT)),
    }
}

fn int_binary<T: Int>(
    op: BinaryKind,
    a: Operand<'_, T>,
    b: Operand<'_, T>,
    shape: &[usize],
) -> Result<Buffer> {
    use BinaryKind as B;
    if let Some(buf) = compare(op, a, b, shape) {
        return Ok(buf);
    }
    let used = crate::shape::numel(shape) > 0;
    // Integer division by zero has no value (TF raises too); check up front so the
    // hot loops stay branch-free.
    if matches!(op, B::Div | B::FloorDiv | B::FloorMod) && used && b.data.contains(&T::ZERO) {
        return Err(Error::arg(
            op.name(),
            format!(
                "integer division by zero (divisor of dtype {} contains 0); cast to float for inf/nan results",
                T::DTYPE
            ),
        ));
    }
    if op == B::Pow && used && b.data.iter().any(|&q| q < T::ZERO) {
        return Err(Error::arg(
            "pow",
            format!(
                "integers to negative integer powers are not allowed ({}); cast to float first",
                T::DTYPE
            ),
        ));
    }
    macro_rules! f {
        ($g:expr) => {
            Ok(T::into_buffer(map2(a, b, shape, $g)))
        };
    }
    match op {
        B::Add => f!(|p, q| p.add(q)),
        B::Sub => f!(|p, q| p.sub(q)),
        B::Mul => f!(|p, q| p.mul(q)),
        // Truncation toward zero, as C and TF's truncatediv.
        B::Div => f!(|p, q| p.wrapping_div_(q)),
        B::Pow => f!(|p, q| p.wrapping_pow_(q)),
        B::Maximum => f!(|p, q| p.maximum(q)),
        B::Minimum => f!(|p, q| p.minimum(q)),
        B::FloorDiv => f!(|p, q| {
            let d = p.wrapping_div_(q);
            // Round toward -inf when the division was inexact and the signs differ.
            if p.wrapping_rem_(q) != T::ZERO && ((p < T::ZERO) != (q < T::ZERO)) { d.sub(T::ONE) } else { d }
        }),
        B::FloorMod => f!(|p, q| {
            let r = p.wrapping_rem_(q);
            if r != T::ZERO && ((r < T::ZERO) != (q < T::ZERO)) { r.add(q) } else { r }
        }),
        B::Atan2 | B::TanhGrad => Err(unsupported(op.name(), T::DTYPE, INT_OR_FLOAT_HINT)),
        _ => Err(unsupported(op.name(), T::DTYPE, BOOL_HINT)),
    }
}

fn bool_binary(
    op: BinaryKind,
    a: Operand<'_, bool>,
    b: Operand<'_, bool>,
    shape: &[usize],
) -> Result<Buffer> {
    use BinaryKind as B;
    if let Some(buf) = compare(op, a, b, shape) {
        return Ok(buf);
    }
    let v = match op {
        B::LogicalAnd => map2(a, b, shape, |p, q| p & q),
        B::LogicalOr => map2(a, b, shape, |p, q| p | q),
        B::LogicalXor => map2(a, b, shape, |p, q| p ^ q),
        _ => return Err(unsupported(op.name(), DType::Bool, NUMERIC_HINT)),
    };
    Ok(Buffer::Bool(v))
}

// ---------------------------------------------------------------- where

pub(crate) fn where_(cond: &Tensor, a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let Buffer::Bool(c) = cond.buffer() else {
        return Err(unsupported("where", cond.dtype(), "the condition must be a bool tensor (e.g. x > 0)"));
    };
    if a.dtype() != b.dtype() {
        return Err(Error::DTypeMismatch { op: "where", lhs: a.dtype(), rhs: b.dtype() });
    }
    let ab = broadcast_shapes("where", a.shape(), b.shape())?;
    let shape = broadcast_shapes("where", cond.shape(), &ab)?;
    check_alloc("where", &shape, a.dtype())?;
    let c = operand(c, cond);
    fn pick<T: Copy>(k: bool, p: T, q: T) -> T {
        if k { p } else { q }
    }
    let buf = match (a.buffer(), b.buffer()) {
        (Buffer::F32(x), Buffer::F32(y)) => Buffer::F32(map3(c, operand(x, a), operand(y, b), &shape, pick)),
        (Buffer::F64(x), Buffer::F64(y)) => Buffer::F64(map3(c, operand(x, a), operand(y, b), &shape, pick)),
        (Buffer::I32(x), Buffer::I32(y)) => Buffer::I32(map3(c, operand(x, a), operand(y, b), &shape, pick)),
        (Buffer::I64(x), Buffer::I64(y)) => Buffer::I64(map3(c, operand(x, a), operand(y, b), &shape, pick)),
        (Buffer::Bool(x), Buffer::Bool(y)) => {
            Buffer::Bool(map3(c, operand(x, a), operand(y, b), &shape, pick))
        }
        _ => return Err(Error::DTypeMismatch { op: "where", lhs: a.dtype(), rhs: b.dtype() }),
    };
    Ok(Tensor::new_unchecked(buf, shape))
}

// ---------------------------------------------------------------- cast

/// `as`-style conversion between element types: float→int truncates toward
/// zero and saturates (NaN → 0); anything→bool is `!= 0`; bool→number is 0/1.
trait CastFrom<S>: Sized {
    fn cast_from(s: S) -> Self;
}

macro_rules! cast_numeric {
    ($s:ty => $($d:ty),*) => {
        $(impl CastFrom<$s> for $d {
            #[inline(always)]
            fn cast_from(s: $s) -> Self { s as $d }
        })*
        impl CastFrom<$s> for bool {
            #[inline(always)]
            fn cast_from(s: $s) -> Self { s != (0 as $s) }
        }
        impl CastFrom<bool> for $s {
            #[inline(always)]
            fn cast_from(s: bool) -> Self { u8::from(s) as $s }
        }
    };
}
cast_numeric!(f32 => f32, f64, i32, i64);
cast_numeric!(f64 => f32, f64, i32, i64);
cast_numeric!(i32 => f32, f64, i32, i64);
cast_numeric!(i64 => f32, f64, i32, i64);
impl CastFrom<bool> for bool {
    fn cast_from(s: bool) -> Self {
        s
    }
}

fn convert<S, D>(v: &[S]) -> Vec<D>
where
    S: Copy + Sync,
    D: CastFrom<S> + crate::kernels::alloc::Pooled,
{
    map1(v, D::cast_from)
}

pub(crate) fn cast(x: &Tensor, dtype: DType) -> Result<Tensor> {
    if x.dtype() == dtype {
        // Tensors are immutable: share the buffer under a fresh id.
        return Ok(x.detached());
    }
    let buf = crate::with_buffer!(x.buffer(), v => match dtype {
        DType::F32 => Buffer::F32(convert(v)),
        DType::F64 => Buffer::F64(convert(v)),
        DType::I32 => Buffer::I32(convert(v)),
        DType::I64 => Buffer::I64(convert(v)),
        DType::Bool => Buffer::Bool(convert(v)),
    });
    Ok(Tensor::new_unchecked(buf, Shape::from_slice(x.shape())))
}

/// A vector of `n` copies of `value` converted to `T` (fill, pad values).
pub(crate) fn splat<T: crate::kernels::scalar::FromF64>(n: usize, value: f64) -> Vec<T> {
    vec![T::from_f64_value(value); n]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Element;
    use crate::kernels::{BinaryKind as B, UnaryKind as U};

    fn t<T: Element>(v: Vec<T>, s: &[usize]) -> Tensor {
        Tensor::from_vec(v, s).unwrap()
    }

    #[test]
    fn unary_float_values() {
        let x = t(vec![-2.0f32, -0.0, 0.5, 3.0], &[4]);
        let get = |op| unary(op, &x).unwrap().as_slice::<f32>().unwrap().to_vec();
        assert_eq!(get(U::Neg), vec![2.0, 0.0, -0.5, -3.0]);
        assert_eq!(get(U::Abs), vec![2.0, 0.0, 0.5, 3.0]);
        assert_eq!(get(U::Sign), vec![-1.0, 0.0, 1.0, 1.0]);
        assert_eq!(get(U::Relu), vec![0.0, 0.0, 0.5, 3.0]);
        assert_eq!(get(U::Square), vec![4.0, 0.0, 0.25, 9.0]);
        for (got, &p) in get(U::Sigmoid).iter().zip(&[-2.0f32, -0.0, 0.5, 3.0]) {
            assert!((got - 1.0 / (1.0 + (-p).exp())).abs() < 1e-7);
        }
        for (got, &p) in get(U::Softplus).iter().zip(&[-2.0f32, -0.0, 0.5, 3.0]) {
            assert!((got - (1.0 + p.exp()).ln()).abs() < 1e-6);
        }
        assert_eq!(get(U::Exp)[3], 3.0f32.exp());
        let r = unary(U::Round, &t(vec![0.5f64, 1.5, 2.5, -0.5], &[4])).unwrap();
        assert_eq!(r.as_slice::<f64>().unwrap(), &[0.0, 2.0, 2.0, -0.0]);
    }

    #[test]
    fn sigmoid_and_softplus_are_stable_at_extremes() {
        let x = t(vec![-1000.0f32, 1000.0, f32::NAN], &[3]);
        let s = unary(U::Sigmoid, &x).unwrap();
        let s = s.as_slice::<f32>().unwrap();
        assert_eq!(&s[..2], &[0.0, 1.0]);
        assert!(s[2].is_nan());
        let sp = unary(U::Softplus, &x).unwrap();
        assert_eq!(&sp.as_slice::<f32>().unwrap()[..2], &[0.0, 1000.0]);
    }

    #[test]
    fn predicates_return_bool() {
        let x = t(vec![1.0f64, f64::NAN, f64::INFINITY], &[3]);
        let r = unary(U::IsNan, &x).unwrap();
        assert_eq!(r.as_slice::<bool>().unwrap(), &[false, true, false]);
        let r = unary(U::IsFinite, &x).unwrap();
        assert_eq!(r.as_slice::<bool>().unwrap(), &[true, false, false]);
    }

    #[test]
    fn unary_int_and_errors() {
        let x = t(vec![i32::MIN, -3, 0, 4], &[2, 2]);
        let r = unary(U::Abs, &x).unwrap();
        assert_eq!(r.as_slice::<i32>().unwrap(), &[i32::MIN, 3, 0, 4]);
        assert_eq!(r.shape(), &[2, 2]);
        assert_eq!(unary(U::Sign, &x).unwrap().as_slice::<i32>().unwrap(), &[-1, -1, 0, 1]);
        assert!(matches!(
            unary(U::Exp, &x),
            Err(Error::UnsupportedDType { op: "exp", dtype: DType::I32, .. })
        ));
        assert!(matches!(unary(U::LogicalNot, &x), Err(Error::UnsupportedDType { .. })));
        let b = t(vec![true, false], &[2]);
        assert_eq!(unary(U::LogicalNot, &b).unwrap().as_slice::<bool>().unwrap(), &[false, true]);
        assert!(matches!(unary(U::Neg, &b), Err(Error::UnsupportedDType { .. })));
    }

    #[test]
    fn binary_broadcasting_and_shapes() {
        let a = t(vec![1.0f32, 2.0, 3.0], &[3, 1]);
        let b = t(vec![10.0f32, 20.0], &[2]);
        let r = binary(B::Add, &a, &b).unwrap();
        assert_eq!(r.shape(), &[3, 2]);
        assert_eq!(r.as_slice::<f32>().unwrap(), &[11.0, 21.0, 12.0, 22.0, 13.0, 23.0]);
        // rank-0 with rank-0
        let r = binary(B::Mul, &Tensor::scalar(3i64), &Tensor::scalar(4i64)).unwrap();
        assert_eq!(r.shape(), &[] as &[usize]);
        assert_eq!(r.to_scalar::<i64>(), Some(12));
        // size-0 dim
        let z = t(Vec::<f32>::new(), &[0, 1]);
        let r = binary(B::Sub, &z, &b).unwrap();
        assert_eq!(r.shape(), &[0, 2]);
        // errors
        let c = t(vec![1.0f32, 2.0, 3.0], &[3]);
        assert!(matches!(binary(B::Add, &c, &b), Err(Error::IncompatibleShapes { op: "add", .. })));
        let i = t(vec![1i32, 2], &[2]);
        assert!(matches!(binary(B::Add, &i, &b), Err(Error::DTypeMismatch { lhs: DType::I32, .. })));
    }

    #[test]
    fn binary_general_path_matches_reference() {
        let a: Vec<f64> = (0..24).map(|v| v as f64).collect();
        let b: Vec<f64> = (0..8).map(|v| v as f64 * 0.5).collect();
        let r = binary(B::Sub, &t(a.clone(), &[2, 1, 3, 4]), &t(b.clone(), &[2, 1, 4])).unwrap();
        assert_eq!(r.shape(), &[2, 2, 3, 4]);
        let r = r.as_slice::<f64>().unwrap();
        let mut k = 0;
        for i in 0..2 {
            for j in 0..2 {
                for m in 0..3 {
                    for n in 0..4 {
                        assert_eq!(r[k], a[i * 12 + m * 4 + n] - b[j * 4 + n]);
                        k += 1;
                    }
                }
            }
        }
    }

    #[test]
    fn comparisons_and_logical() {
        let a = t(vec![1i32, 2, 3], &[3]);
        let r = binary(B::GreaterEqual, &a, &Tensor::scalar(2i32)).unwrap();
        assert_eq!(r.as_slice::<bool>().unwrap(), &[false, true, true]);
        let p = t(vec![true, true, false, false], &[4]);
        let q = t(vec![true, false, true, false], &[4]);
        assert_eq!(
            binary(B::LogicalXor, &p, &q).unwrap().as_slice::<bool>().unwrap(),
            &[false, true, true, false]
        );
        assert!(matches!(binary(B::LogicalAnd, &a, &a), Err(Error::UnsupportedDType { .. })));
        assert!(matches!(binary(B::Add, &p, &q), Err(Error::UnsupportedDType { .. })));
    }

    #[test]
    fn int_division_semantics() {
        let a = t(vec![7i64, -7, 7, -7, i64::MIN], &[5]);
        let b = t(vec![2i64, 2, -2, -2, -1], &[5]);
        let get = |op| binary(op, &a, &b).unwrap().as_slice::<i64>().unwrap().to_vec();
        assert_eq!(get(B::Div), vec![3, -3, -3, 3, i64::MIN]);
        assert_eq!(get(B::FloorDiv), vec![3, -4, -4, 3, i64::MIN]);
        assert_eq!(get(B::FloorMod), vec![1, 1, -1, -1, 0]);
        let z = t(vec![1i64, 0, 1, 1, 1], &[5]);
        assert!(matches!(binary(B::Div, &a, &z), Err(Error::InvalidArgument { op: "div", .. })));
        assert!(matches!(binary(B::FloorMod, &a, &z), Err(Error::InvalidArgument { .. })));
        let e = t(vec![0i32, 1, 5], &[3]);
        let base = t(vec![3i32, 3, 2], &[3]);
        assert_eq!(binary(B::Pow, &base, &e).unwrap().as_slice::<i32>().unwrap(), &[1, 3, 32]);
        assert!(matches!(
            binary(B::Pow, &base, &t(vec![-1i32, 1, 1], &[3])),
            Err(Error::InvalidArgument { op: "pow", .. })
        ));
        // Overflow wraps instead of panicking.
        let big = t(vec![i32::MAX], &[1]);
        assert_eq!(
            binary(B::Add, &big, &t(vec![1i32], &[1])).unwrap().as_slice::<i32>().unwrap(),
            &[i32::MIN]
        );
    }

    #[test]
    fn float_floor_ops_and_nan_max() {
        let a = t(vec![7.0f32, -7.0, f32::NAN], &[3]);
        let b = t(vec![-2.0f32, 2.0, 1.0], &[3]);
        let m = binary(B::FloorMod, &a, &b).unwrap();
        assert_eq!(&m.as_slice::<f32>().unwrap()[..2], &[-1.0, 1.0]);
        let d = binary(B::FloorDiv, &a, &b).unwrap();
        assert_eq!(&d.as_slice::<f32>().unwrap()[..2], &[-4.0, -4.0]);
        let mx = binary(B::Maximum, &a, &b).unwrap();
        assert!(mx.as_slice::<f32>().unwrap()[2].is_nan());
        let mx = binary(B::Minimum, &b, &a).unwrap();
        assert!(mx.as_slice::<f32>().unwrap()[2].is_nan());
    }

    #[test]
    fn large_elementwise_is_thread_independent() {
        let n = 300_001;
        let a: Vec<f32> = (0..n).map(|i| (i as f32 * 0.37).sin()).collect();
        let b: Vec<f32> = (0..n).map(|i| (i as f32 * 0.11).cos()).collect();
        let (ta, tb) = (t(a.clone(), &[n]), t(b.clone(), &[n]));
        let run = |threads| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| {
                let s = binary(B::Mul, &ta, &tb).unwrap();
                let y = unary(U::Tanh, &s).unwrap();
                y.materialize(); // on this pool, not on the first read below
                y
            })
        };
        let (r1, r4) = (run(1), run(4));
        assert_eq!(r1.as_slice::<f32>().unwrap(), r4.as_slice::<f32>().unwrap());
        let r = r1.as_slice::<f32>().unwrap();
        for i in [0, 1, 65_535, 65_536, n - 1] {
            // The vectorised tanh is correctly rounded (up to rare 1-ulp cases).
            let want = ((a[i] * b[i]) as f64).tanh() as f32;
            assert!((r[i].to_bits() as i64 - want.to_bits() as i64).abs() <= 1, "{} vs {want}", r[i]);
        }
    }

    #[test]
    fn where_broadcasts_three_ways() {
        let c = t(vec![true, false], &[2, 1]);
        let a = t(vec![1.0f32, 2.0, 3.0], &[3]);
        let r = where_(&c, &a, &Tensor::scalar(0.0f32)).unwrap();
        assert_eq!(r.shape(), &[2, 3]);
        assert_eq!(r.as_slice::<f32>().unwrap(), &[1.0, 2.0, 3.0, 0.0, 0.0, 0.0]);
        assert!(matches!(where_(&a, &a, &a), Err(Error::UnsupportedDType { .. })));
        assert!(matches!(where_(&c, &a, &Tensor::scalar(0i32)), Err(Error::DTypeMismatch { .. })));
        assert!(matches!(where_(&t(vec![true; 4], &[4]), &a, &a), Err(Error::IncompatibleShapes { .. })));
    }

    #[test]
    fn cast_all_pairs() {
        let x = t(vec![-1.7f32, 0.0, 2.9, f32::NAN, 1e20], &[5]);
        assert_eq!(cast(&x, DType::I32).unwrap().as_slice::<i32>().unwrap(), &[-1, 0, 2, 0, i32::MAX]);
        assert_eq!(
            cast(&x, DType::Bool).unwrap().as_slice::<bool>().unwrap(),
            &[true, false, true, true, true]
        );
        let b = t(vec![true, false], &[2]);
        assert_eq!(cast(&b, DType::F64).unwrap().as_slice::<f64>().unwrap(), &[1.0, 0.0]);
        assert_eq!(cast(&b, DType::I64).unwrap().as_slice::<i64>().unwrap(), &[1, 0]);
        let i = t(vec![3i64, -2], &[1, 2]);
        let f = cast(&i, DType::F32).unwrap();
        assert_eq!((f.shape(), f.as_slice::<f32>().unwrap()), (&[1usize, 2][..], &[3.0f32, -2.0][..]));
        let same = cast(&i, DType::I64).unwrap();
        assert_ne!(same.id(), i.id());
        assert_eq!(same.as_slice::<i64>(), i.as_slice::<i64>());
        for src in [DType::F32, DType::F64, DType::I32, DType::I64, DType::Bool] {
            let s = cast(&i, src).unwrap();
            for dst in [DType::F32, DType::F64, DType::I32, DType::I64, DType::Bool] {
                assert_eq!(cast(&s, dst).unwrap().dtype(), dst);
            }
        }
    }
}

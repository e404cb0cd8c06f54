//! Vectorisable float32 transcendentals: exp, expm1, log, log1p, sin, cos, tanh,
//! sigmoid, softplus.
//!
//! Two kinds of core, both within 1 ulp of the correctly rounded result (the
//! tests check it over 44M points, and sin/cos over every f32 below 2^19):
//! - **f32 cores** for the hot ones (exp, sin, cos, tanh, sigmoid): f32
//!   arithmetic, 16 lanes per AVX-512 instruction, Cephes' short minimax
//!   polynomials; correctly rounded for 86–98% of inputs in [-10, 10] (numpy's
//!   own float32 kernels: 61–86%). Working in f64 throughout, as these did
//!   first, made them correctly rounded but 1.5–2× slower (below the 2 G
//!   elements/s per core the project asks of them).
//! - **f64 cores** for the rest (expm1, log, log1p, softplus): the f32 input is
//!   widened, a Cody–Waite reduction and a long polynomial run in f64 (about
//!   1e-15 relative), and the result is rounded once, so it is the correctly
//!   rounded f32 but in rare near-ties. Working in f64 also makes the edges
//!   simple: f32 denormals are normal f64s, and f32 overflow/underflow happen in
//!   the final rounding, exactly as they should.
//!
//! The code is branch-free (`if` on values compiles to selects) and uses no
//! libm calls, so the loops in [`map_f32`] auto-vectorise; they are compiled for
//! AVX-512 / AVX2+FMA at run time through [`dispatch`]. `FMA` selects fused
//! multiply-adds (one instruction on those levels); on the baseline they would
//! be libm calls, so it uses a separate multiply and add there.
//!
//! sin/cos reduce exactly enough for |x| < 2^19; larger arguments (rare in
//! practice) fall back to std, detected per block.

use crate::kernels::simd::{Level, dispatch};

/// The float32 functions computed here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fun {
    Exp,
    Expm1,
    Log,
    Log1p,
    Sin,
    Cos,
    Tanh,
    Sigmoid,
    Softplus,
}

/// `1.5 * 2^52`: adding it rounds an f64 of magnitude < 2^51 to an integer, which
/// then sits in the low mantissa bits.
const SHIFT: f64 = 6755399441055744.0;

/// The float types the cores compute in.
trait Lane: Copy + PartialOrd + std::ops::Mul<Output = Self> + std::ops::Add<Output = Self> {
    fn fused(self, b: Self, c: Self) -> Self;
}
impl Lane for f32 {
    #[inline(always)]
    fn fused(self, b: f32, c: f32) -> f32 {
        self.mul_add(b, c)
    }
}
impl Lane for f64 {
    #[inline(always)]
    fn fused(self, b: f64, c: f64) -> f64 {
        self.mul_add(b, c)
    }
}

/// `a * b + c`, fused where `FMA` says the instruction exists.
#[inline(always)]
fn mla<const FMA: bool, T: Lane>(a: T, b: T, c: T) -> T {
    if FMA { a.fused(b, c) } else { a * b + c }
}

/// Horner evaluation of `c[0] + x*(c[1] + x*(…))` for N ≤ 13, unrolled (a loop
/// would stay a loop in unoptimised builds).
#[inline(always)]
fn horner<const FMA: bool, const N: usize, T: Lane>(x: T, c: &[T; N]) -> T {
    macro_rules! step {
        ($acc:ident, $i:expr) => {
            if $i < N - 1 {
                $acc = mla::<FMA, T>($acc, x, c[N - 2 - $i]);
            }
        };
    }
    let mut acc = c[N - 1];
    step!(acc, 0);
    step!(acc, 1);
    step!(acc, 2);
    step!(acc, 3);
    step!(acc, 4);
    step!(acc, 5);
    step!(acc, 6);
    step!(acc, 7);
    step!(acc, 8);
    step!(acc, 9);
    step!(acc, 10);
    step!(acc, 11);
    acc
}

/// `1/n!` for n = 0..=12.
const EXP_C: [f64; 13] = [
    1.0,
    1.0,
    0.5,
    1.0 / 6.0,
    1.0 / 24.0,
    1.0 / 120.0,
    1.0 / 720.0,
    1.0 / 5040.0,
    1.0 / 40320.0,
    1.0 / 362880.0,
    1.0 / 3628800.0,
    1.0 / 39916800.0,
    1.0 / 479001600.0,
];

/// ln 2 split so that `k * LN2_HI` is exact for |k| < 2^20.
const LN2_HI: f64 = f64::from_bits(0x3fe62e42fee00000);
const LN2_LO: f64 = f64::from_bits(0x3dea39ef35793c76);

/// `e^x` for `x` in [-700, 700] (callers clamp); NaN propagates.
#[inline(always)]
fn exp_core<const FMA: bool>(x: f64) -> f64 {
    let t = mla::<FMA, f64>(x, std::f64::consts::LOG2_E, SHIFT);
    let k = t - SHIFT;
    let r = mla::<FMA, f64>(-k, LN2_LO, mla::<FMA, f64>(-k, LN2_HI, x));
    // |r| <= 0.3466; Taylor to r^10: truncation < 3e-13 relative.
    let p = horner::<FMA, 11, f64>(
        r,
        &[
            EXP_C[0], EXP_C[1], EXP_C[2], EXP_C[3], EXP_C[4], EXP_C[5], EXP_C[6], EXP_C[7], EXP_C[8],
            EXP_C[9], EXP_C[10],
        ],
    );
    // 2^k from the integer in t's low bits (|k| <= 1010).
    let scale = f64::from_bits(t.to_bits().wrapping_add(1023) << 52);
    p * scale
}

/// Clamps to `[lo, hi]`, letting NaN through.
#[inline(always)]
fn clamp<T: Lane>(x: T, lo: T, hi: T) -> T {
    let x = if x > hi { hi } else { x };
    if x < lo { lo } else { x }
}

#[inline(always)]
pub(crate) fn expm1<const FMA: bool>(x: f32) -> f32 {
    let xd = clamp(x as f64, -200.0, 200.0);
    // Small |x|: Taylor without the constant term (no cancellation); x^10/10! < 1e-16 x.
    let small = xd
        * horner::<FMA, 10, f64>(
            xd,
            &[1.0, 0.5, EXP_C[3], EXP_C[4], EXP_C[5], EXP_C[6], EXP_C[7], EXP_C[8], EXP_C[9], EXP_C[10]],
        );
    let big = exp_core::<FMA>(xd) - 1.0;
    (if xd.abs() < 0.125 { small } else { big }) as f32
}

/// `ln x` for positive finite normal `x`.
#[inline(always)]
fn log_core<const FMA: bool>(x: f64) -> f64 {
    // Split x = 2^e * m with m in [sqrt(1/2), sqrt(2)) (musl's offset trick).
    const OFF: u64 = 0x3ff0000000000000 - 0x3fe6a09e667f3bcd;
    let ix = x.to_bits().wrapping_add(OFF);
    let e = f64::from_bits(0x4330000000000000 | (ix >> 52)) - (4503599627370496.0 + 1023.0);
    let m = f64::from_bits((ix & 0x000fffffffffffff).wrapping_add(0x3fe6a09e667f3bcd));
    // ln m = 2 atanh(s), s = (m-1)/(m+1), |s| <= 0.1716.
    let f = m - 1.0;
    let s = f / (2.0 + f);
    let z = s * s;
    // Truncation after z^7: < 4e-14 relative.
    const C: [f64; 8] = [2.0, 2.0 / 3.0, 2.0 / 5.0, 2.0 / 7.0, 2.0 / 9.0, 2.0 / 11.0, 2.0 / 13.0, 2.0 / 15.0];
    let lm = s * horner::<FMA, 8, f64>(z, &C);
    mla::<FMA, f64>(e, LN2_HI, mla::<FMA, f64>(e, LN2_LO, lm))
}

/// `ln x` with IEEE edges: 0 → -inf, negative → NaN, inf → inf, NaN → NaN.
#[inline(always)]
fn log_f64<const FMA: bool>(xd: f64) -> f64 {
    let ok = xd > 0.0 && xd < f64::INFINITY;
    let core = log_core::<FMA>(if ok { xd } else { 1.0 });
    let edge = if xd == 0.0 {
        f64::NEG_INFINITY
    } else if xd < 0.0 {
        f64::NAN
    } else {
        xd
    };
    if ok { core } else { edge }
}

#[inline(always)]
pub(crate) fn log<const FMA: bool>(x: f32) -> f32 {
    log_f64::<FMA>(x as f64) as f32
}

#[inline(always)]
pub(crate) fn log1p<const FMA: bool>(x: f32) -> f32 {
    let xd = x as f64;
    // 1 + x is exact in f64 for |x| >= 2^-29; below that log1p(x) rounds to x.
    let l = log_f64::<FMA>(1.0 + xd);
    (if xd.abs() < 1.0 / 536870912.0 { xd } else { l }) as f32
}

// ------------------------------------------------------------ float32 cores
//
// exp, sin, cos, tanh and sigmoid are the hot ones (activations and their
// gradients, W3/W6/W8): they run in f32 arithmetic, 16 lanes per AVX-512
// instruction instead of 8, with Cephes' short minimax polynomials. Measured
// against the correctly rounded value they stay within 1 ulp (the tests below
// assert it), and are correctly rounded for most inputs (more often than
// numpy's own float32 kernels). sin/cos reduce their argument to a pair
// `rh + rl` accurate far beyond f32 (in f32 with FMA, else in f64) and carry
// the low part into the polynomial, which is what keeps them within 1 ulp for
// every f32 below TRIG_MAX (checked exhaustively by `trig_exhaustive`).

/// `1.5 * 2^23`: adding it rounds an f32 of magnitude < 2^22 to an integer held
/// in the low mantissa bits.
const SHIFT32: f32 = 12582912.0;

/// `e^x` in f32 for `x` in [-104, 89] (callers clamp); NaN propagates.
#[inline(always)]
fn exp32_core<const FMA: bool>(x: f32) -> f32 {
    // Cephes expf: ln 2 split so that k * LN2_HI is exact for |k| < 2^15.
    const LN2_HI: f32 = 0.693_359_4;
    const LN2_LO: f32 = -2.121_944_4e-4;
    const P: [f32; 6] = [0.5, 0.166_666_66, 0.041_665_796, 0.008_333_452, 0.001_398_199_9, 1.987_569_1e-4];
    let t = mla::<FMA, f32>(x, std::f32::consts::LOG2_E, SHIFT32);
    let k = t - SHIFT32;
    let r = mla::<FMA, f32>(-k, LN2_LO, mla::<FMA, f32>(-k, LN2_HI, x));
    // |r| <= 0.347: e^r = 1 + r + r^2 P(r).
    let y = mla::<FMA, f32>(horner::<FMA, 6, f32>(r, &P), r * r, r) + 1.0;
    // 2^k in two factors, so k down to -150 (subnormal results) still scales
    // with one final rounding: the first product is exact.
    let ki = (t.to_bits() as i32).wrapping_sub(SHIFT32.to_bits() as i32);
    let k1 = ki >> 1;
    let pow2 = |e: i32| f32::from_bits((e.wrapping_add(127) as u32) << 23);
    y * pow2(k1) * pow2(ki.wrapping_sub(k1))
}

#[inline(always)]
pub(crate) fn exp<const FMA: bool>(x: f32) -> f32 {
    exp32_core::<FMA>(clamp(x, -104.0, 89.0))
}

/// π/2 in three parts (fdlibm's pio2_1, pio2_2, pio2_2t): the first two have 33
/// significant bits, so `k * part` is exact for |k| < 2^20.
const PIO2_1: f64 = f64::from_bits(0x3ff921fb54400000);
const PIO2_2: f64 = f64::from_bits(0x3dd0b4611a600000);
const PIO2_2T: f64 = f64::from_bits(0x3ba3198a2e037073);

/// Arguments at or above this use std (the reduction above is exact below it).
pub(crate) const TRIG_MAX: f32 = 524288.0;

/// `x = k π/2 + (rh + rl)` with |rh| ≲ π/4: the reduced argument as an f32
/// pair, and bits whose low two are `k mod 4`. In f64 (exact to ~2^-60
/// relative for |x| < [`TRIG_MAX`]); the fallback where FMA is missing.
#[inline(always)]
fn reduce_f64<const FMA: bool>(x: f32) -> (f32, f32, u32) {
    let xd = x as f64;
    let t = mla::<FMA, f64>(xd, std::f64::consts::FRAC_2_PI, SHIFT);
    let k = t - SHIFT;
    let r = mla::<FMA, f64>(-k, PIO2_2T, mla::<FMA, f64>(-k, PIO2_2, mla::<FMA, f64>(-k, PIO2_1, xd)));
    let rh = r as f32;
    (rh, (r - rh as f64) as f32, t.to_bits() as u32)
}

/// [`reduce_f64`] in f32 arithmetic, twice the lanes and no conversions (sin and
/// cos 1.5× faster); it needs fused multiply-adds. π/2 = P1 + P2 + P3 (each the
/// f32 nearest the rest, 1e-23 left over): `x − k·P1` is exact (it is a
/// multiple of P1's last bit below 2), `k·P2` is split exactly into `ph + pl`
/// by an FMA, and the rounding of `r1 − ph` is recovered by TwoSum, so `rh + rl`
/// carries the reduced argument to about 2^-48 relative, as the f64 one does.
#[inline(always)]
fn reduce_f32(x: f32) -> (f32, f32, u32) {
    const FRAC_2_PI: f32 = 0.636_619_75;
    const P1: f32 = 1.570_796_4;
    const P2: f32 = -4.371_139e-8;
    const P3: f32 = -1.715_124_5e-15;
    let t = x.mul_add(FRAC_2_PI, SHIFT32);
    let k = t - SHIFT32;
    let r1 = (-k).mul_add(P1, x);
    let ph = k * P2;
    let pl = k.mul_add(P2, -ph);
    // TwoSum: s + e = r1 − ph exactly.
    let s = r1 - ph;
    let v = s - r1;
    let e = (r1 - (s - v)) + (-ph - v);
    (s, (-k).mul_add(P3, e - pl), t.to_bits())
}

/// `sin(x)` (`COS = false`) or `cos(x)` for |x| < [`TRIG_MAX`].
#[inline(always)]
fn sincos<const FMA: bool, const COS: bool>(x: f32) -> f32 {
    let (s, c, q) = sin_cos_core::<FMA>(x);
    select_sin_cos::<COS>(x, s, c, q)
}

/// `(sin(x), cos(x))` for |x| < [`TRIG_MAX`]: one range reduction and both
/// polynomials (which [`sincos`] computes anyway), the bits of two calls.
#[inline(always)]
fn sin_and_cos<const FMA: bool>(x: f32) -> (f32, f32) {
    let (s, c, q) = sin_cos_core::<FMA>(x);
    (select_sin_cos::<false>(x, s, c, q), select_sin_cos::<true>(x, s, c, q))
}

/// The reduced argument's sine and cosine polynomials and the quadrant.
#[inline(always)]
fn sin_cos_core<const FMA: bool>(x: f32) -> (f32, f32, u32) {
    let (rh, rl, q) = if FMA { reduce_f32(x) } else { reduce_f64::<FMA>(x) };
    let z = rh * rh;
    // Cephes sinf/cosf minimax polynomials on [-π/4, π/4].
    const S: [f32; 3] = [-0.166_666_55, 0.008_332_161, -1.951_529_6e-4];
    const C: [f32; 4] = [-0.5, 0.041_666_646, -0.001_388_731_6, 2.443_315_7e-5];
    // sin(rh + rl) ≈ rh + (rh z S(z) + rl); cos(rh + rl) ≈ 1 + (z C(z) - rh rl).
    let s = rh + mla::<FMA, f32>(rh * z, horner::<FMA, 3, f32>(z, &S), rl);
    let c = 1.0 + mla::<FMA, f32>(z, horner::<FMA, 4, f32>(z, &C), -(rh * rl));
    (s, c, q)
}

/// sin (`COS = false`) or cos of `x` from [`sin_cos_core`]'s results.
#[inline(always)]
fn select_sin_cos<const COS: bool>(x: f32, s: f32, c: f32, q: u32) -> f32 {
    // Quadrant: k mod 4; cos(x) = sin(x + π/2).
    let q = q.wrapping_add(COS as u32);
    let v = if q & 1 == 0 { s } else { c };
    let v = if q & 2 == 0 { v } else { -v };
    // sin(±0) = ±0 (rh + rl above would give +0 for -0).
    if !COS && x == 0.0 { x } else { v }
}

#[inline(always)]
pub(crate) fn tanh<const FMA: bool>(x: f32) -> f32 {
    let a = x.abs();
    // |x| < 0.625: Cephes tanhf's odd polynomial, x + x^3 P(x^2).
    const T: [f32; 5] = [-0.333_332_8, 0.133_314_42, -0.053_739_715, 0.020_639_09, -0.005_704_988_7];
    let z = x * x;
    let small = mla::<FMA, f32>(x * z, horner::<FMA, 5, f32>(z, &T), x);
    // Otherwise 1 - 2 / (e^2a + 1): e^2a >= 3.49, so little cancellation; tanh
    // rounds to 1 in f32 from |x| > 9.01.
    let e = exp32_core::<FMA>(2.0 * clamp(a, 0.0, 10.0));
    let big = (1.0 - 2.0 / (e + 1.0)).copysign(x);
    // tanh(±0) = ±0 (x + (-0) above would give +0 for -0).
    if a == 0.0 {
        x
    } else if a < 0.625 {
        small
    } else {
        big
    }
}

#[inline(always)]
pub(crate) fn sigmoid<const FMA: bool>(x: f32) -> f32 {
    // e^-|x| <= 1 never overflows: 1 / (1 + e) for x >= 0, e / (1 + e) below,
    // which also gets the subnormal tail for x < -87 right.
    let e = exp32_core::<FMA>(-clamp(x.abs(), 0.0, 104.0));
    // The quotient in f64 rounds once, keeping the error at exp's.
    let num = if x >= 0.0 { 1.0 } else { e as f64 };
    (num / (1.0 + e as f64)) as f32
}

#[inline(always)]
pub(crate) fn softplus<const FMA: bool>(x: f32) -> f32 {
    // max(x, 0) + log1p(e^-|x|), as the scalar kernel.
    let xd = x as f64;
    let e = exp_core::<FMA>(-clamp(xd.abs(), 0.0, 200.0));
    // log1p(e): series for small e (e^7/7 < 1e-16 e), ln(1 + e) otherwise.
    const L: [f64; 7] = [1.0, -0.5, 1.0 / 3.0, -0.25, 0.2, -1.0 / 6.0, 1.0 / 7.0];
    let small = e * horner::<FMA, 7, f64>(e, &L);
    let big = log_core::<FMA>(1.0 + e);
    let l1p = if e < 0.0078125 { small } else { big };
    let m = if xd > 0.0 { xd } else { 0.0 };
    // NaN: xd + anything.
    (if xd.is_nan() { xd } else { m + l1p }) as f32
}

/// The std (libm) version of `f`, used for sin/cos arguments beyond [`TRIG_MAX`].
fn scalar(f: Fun, x: f32) -> f32 {
    // f64 libm (its own exact reduction), rounded once: correctly rounded but for ties.
    let d = x as f64;
    (match f {
        Fun::Sin => d.sin(),
        _ => d.cos(),
    }) as f32
}

/// Elements per block for the sin/cos large-argument check.
const BLOCK: usize = 1024;

#[inline(always)]
fn run<const FMA: bool>(f: Fun, x: &[f32], out: &mut [f32]) {
    macro_rules! go {
        ($g:expr) => {
            for (o, &p) in out.iter_mut().zip(x) {
                *o = $g(p);
            }
        };
    }
    match f {
        Fun::Exp => go!(exp::<FMA>),
        Fun::Expm1 => go!(expm1::<FMA>),
        Fun::Log => go!(log::<FMA>),
        Fun::Log1p => go!(log1p::<FMA>),
        Fun::Tanh => go!(tanh::<FMA>),
        Fun::Sigmoid => go!(sigmoid::<FMA>),
        Fun::Softplus => go!(softplus::<FMA>),
        Fun::Sin | Fun::Cos => {
            for (o, x) in out.chunks_mut(BLOCK).zip(x.chunks(BLOCK)) {
                let mut big = 0u32;
                if f == Fun::Sin {
                    for (o, &p) in o.iter_mut().zip(x) {
                        *o = sincos::<FMA, false>(p);
                        big |= u32::from(p.abs() >= TRIG_MAX);
                    }
                } else {
                    for (o, &p) in o.iter_mut().zip(x) {
                        *o = sincos::<FMA, true>(p);
                        big |= u32::from(p.abs() >= TRIG_MAX);
                    }
                }
                if big != 0 {
                    for (o, &p) in o.iter_mut().zip(x) {
                        if p.abs() >= TRIG_MAX {
                            *o = scalar(f, p);
                        }
                    }
                }
            }
        }
    }
}

/// `sin[i] = sin(x[i])` and `cos[i] = cos(x[i])` (equal lengths) in one pass:
/// the bits of [`map_f32`] with `Sin` and with `Cos`, for little more than
/// the cost of one (the gradient of `sin(x)·x` reads both).
pub(crate) fn map_sin_cos_f32(x: &[f32], sin: &mut [f32], cos: &mut [f32]) {
    #[inline(always)]
    fn run<const FMA: bool>(x: &[f32], sin: &mut [f32], cos: &mut [f32]) {
        for ((s, c), x) in sin.chunks_mut(BLOCK).zip(cos.chunks_mut(BLOCK)).zip(x.chunks(BLOCK)) {
            let mut big = 0u32;
            for ((s, c), &p) in s.iter_mut().zip(c.iter_mut()).zip(x) {
                (*s, *c) = sin_and_cos::<FMA>(p);
                big |= u32::from(p.abs() >= TRIG_MAX);
            }
            if big != 0 {
                for ((s, c), &p) in s.iter_mut().zip(c.iter_mut()).zip(x) {
                    if p.abs() >= TRIG_MAX {
                        (*s, *c) = (scalar(Fun::Sin, p), scalar(Fun::Cos, p));
                    }
                }
            }
        }
    }
    dispatch(
        #[inline(always)]
        |l: Level| {
            if l.fma() { run::<true>(x, sin, cos) } else { run::<false>(x, sin, cos) }
        },
    )
}

/// `out[i] = f(x[i])` (equal lengths), compiled for the best instruction set.
pub(crate) fn map_f32(f: Fun, x: &[f32], out: &mut [f32]) {
    dispatch(
        #[inline(always)]
        |l: Level| {
            if l.fma() { run::<true>(f, x, out) } else { run::<false>(f, x, out) }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Distance in ulps between two f32s (NaN only equals NaN; ±0 equal).
    fn ulps(a: f32, b: f32) -> u64 {
        if a.is_nan() || b.is_nan() {
            return if a.is_nan() && b.is_nan() { 0 } else { u64::MAX };
        }
        let key = |v: f32| {
            let i = v.to_bits() as i32;
            (if i < 0 { i32::MIN - i } else { i }) as i64
        };
        (key(a) - key(b)).unsigned_abs()
    }

    fn reference(f: Fun, x: f32) -> f32 {
        let d = x as f64;
        (match f {
            Fun::Exp => d.exp(),
            Fun::Expm1 => d.exp_m1(),
            Fun::Log => d.ln(),
            Fun::Log1p => d.ln_1p(),
            Fun::Sin => d.sin(),
            Fun::Cos => d.cos(),
            Fun::Tanh => d.tanh(),
            Fun::Sigmoid => 1.0 / (1.0 + (-d).exp()),
            Fun::Softplus => d.max(0.0) + (-d.abs()).exp().ln_1p(),
        }) as f32
    }

    const ALL: [Fun; 9] = [
        Fun::Exp,
        Fun::Expm1,
        Fun::Log,
        Fun::Log1p,
        Fun::Sin,
        Fun::Cos,
        Fun::Tanh,
        Fun::Sigmoid,
        Fun::Softplus,
    ];

    /// Max ulp error of `f` over `xs`, on every level this CPU has.
    fn max_err(f: Fun, xs: &[f32]) -> u64 {
        let mut out = vec![0.0f32; xs.len()];
        let mut worst = 0;
        map_f32(f, xs, &mut out);
        let mut base = vec![0.0f32; xs.len()];
        run::<false>(f, xs, &mut base);
        for ((&x, &o), &b) in xs.iter().zip(&out).zip(&base) {
            let r = reference(f, x);
            let e = ulps(o, r).max(ulps(b, r));
            assert!(e <= 1, "{f:?}({x:e}) = {o:e} / {b:e}, want {r:e}");
            worst = worst.max(e);
        }
        worst
    }

    /// A deterministic spread of f32s: every exponent, pseudo-random mantissas, both signs.
    fn sample(n: usize, seed: u64) -> Vec<f32> {
        let mut s = seed;
        (0..n)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                f32::from_bits(s as u32)
            })
            .filter(|v| !v.is_nan())
            .collect()
    }

    #[test]
    fn edge_cases() {
        let edges = [
            0.0f32,
            -0.0,
            f32::MIN_POSITIVE,
            -f32::MIN_POSITIVE,
            1e-45,
            -1e-45,
            1e-40,
            f32::MAX,
            f32::MIN,
            f32::INFINITY,
            f32::NEG_INFINITY,
            1.0,
            -1.0,
            88.72283,
            88.72284,
            -87.33654,
            -103.27893,
            -103.97208,
            -104.0,
            10.0,
            -10.0,
            20.0,
            1e-8,
            -1e-8,
            0.0625,
            0.125,
            TRIG_MAX,
            -TRIG_MAX,
            TRIG_MAX * 0.999,
            1e30,
        ];
        for f in ALL {
            max_err(f, &edges);
            let mut out = [0.0f32; 1];
            map_f32(f, &[f32::NAN], &mut out);
            assert!(out[0].is_nan(), "{f:?}(NaN)");
        }
        // Signed zeros survive where the function is odd.
        let mut out = [0.0f32; 1];
        for f in [Fun::Sin, Fun::Tanh, Fun::Expm1, Fun::Log1p] {
            map_f32(f, &[-0.0], &mut out);
            assert_eq!(out[0].to_bits(), (-0.0f32).to_bits(), "{f:?}(-0)");
        }
        // What TF prints for these seeds.
        map_f32(Fun::Sigmoid, &[10.0], &mut out);
        assert_eq!(out[0], 0.9999546);
    }

    #[test]
    fn random_over_whole_range() {
        let xs = sample(300_000, 0x9e3779b97f4a7c15);
        for f in ALL {
            max_err(f, &xs);
        }
    }

    #[test]
    fn dense_near_interesting_ranges() {
        // Uniform grids where the functions change fastest or reductions are hardest.
        let grid = |lo: f32, hi: f32, n: usize| -> Vec<f32> {
            (0..n).map(|i| lo + (hi - lo) * (i as f32 / n as f32)).collect()
        };
        for f in ALL {
            max_err(f, &grid(-110.0, 110.0, 100_000));
            max_err(f, &grid(-1.0, 1.0, 50_000));
        }
        for f in [Fun::Sin, Fun::Cos] {
            max_err(f, &grid(-TRIG_MAX, TRIG_MAX, 100_000));
            // f32 neighbours of multiples of π/2 (the worst cancellation in the reduction).
            let near: Vec<f32> = (1..20_000)
                .flat_map(|k| {
                    let v = (k as f64 * 17.0 * std::f64::consts::FRAC_PI_2) as f32;
                    [f32::from_bits(v.to_bits() - 1), v, f32::from_bits(v.to_bits() + 1)]
                })
                .filter(|v| v.abs() < TRIG_MAX)
                .collect();
            max_err(f, &near);
        }
        max_err(Fun::Log, &grid(0.5, 2.0, 100_000));
        max_err(Fun::Log1p, &grid(-0.999, 1.0, 100_000));
    }

    /// Every non-negative f32 below TRIG_MAX (1.2e9 points; sin is odd and cos
    /// even, and the reductions are symmetric) for sin and cos, against f64 libm.
    /// `cargo test --release -- --ignored --nocapture trig_exhaustive` (~1 min).
    #[test]
    #[ignore]
    fn trig_exhaustive() {
        const STEP: u32 = 1 << 22;
        for f in [Fun::Sin, Fun::Cos] {
            let (worst, off) = std::thread::scope(|sc| {
                let parts: Vec<_> = (0..2u32)
                    .map(|half| {
                        sc.spawn(move || {
                            let (mut worst, mut off) = (0u64, 0u64);
                            let (mut out, mut xs) =
                                (vec![0.0f32; STEP as usize], Vec::with_capacity(STEP as usize));
                            let mut start = half * STEP;
                            while start < TRIG_MAX.to_bits() {
                                xs.clear();
                                xs.extend(
                                    (start..(start + STEP).min(TRIG_MAX.to_bits())).map(f32::from_bits),
                                );
                                map_f32(f, &xs, &mut out[..xs.len()]);
                                for (&x, &o) in xs.iter().zip(&out) {
                                    let e = ulps(o, reference(f, x));
                                    worst = worst.max(e);
                                    off += u64::from(e > 0);
                                }
                                start += 2 * STEP;
                            }
                            (worst, off)
                        })
                    })
                    .collect();
                parts.into_iter().map(|h| h.join().unwrap()).fold((0, 0), |a, b| (a.0.max(b.0), a.1 + b.1))
            });
            println!("{f:?} exhaustive below TRIG_MAX: max {worst} ulp, {off} not correctly rounded");
            assert!(worst <= 1);
        }
    }

    /// Exhaustive-ish sweep for the report: every 97th f32 bit pattern (44M
    /// points, all signs and exponents). `cargo test --release -- --ignored --nocapture ulp_sweep`.
    #[test]
    #[ignore]
    fn ulp_sweep() {
        let xs: Vec<f32> =
            (0..u32::MAX / 97).map(|i| f32::from_bits(i * 97)).filter(|v| !v.is_nan()).collect();
        let mut out = vec![0.0f32; xs.len()];
        for f in ALL {
            map_f32(f, &xs, &mut out);
            let (mut worst, mut off) = (0u64, 0usize);
            for (&x, &o) in xs.iter().zip(&out) {
                let e = ulps(o, reference(f, x));
                worst = worst.max(e);
                off += usize::from(e > 0);
            }
            println!("{f:?}: {} points, max {worst} ulp, {off} not correctly rounded", xs.len());
        }
    }
}

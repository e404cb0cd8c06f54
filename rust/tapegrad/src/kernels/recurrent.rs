//! Fused recurrent sequences (SimpleRNN, LSTM, GRU): the whole time loop of one
//! layer call in one kernel, and its backward pass (BPTT) in another.
//!
//! # Layout
//! The input projection `xp = x · W + b` of every step is computed beforehand
//! in one large GEMM (by the caller, through the ordinary ops), so each step only
//! multiplies the previous state by the recurrent kernel `u: [H, G·H]` (a small
//! GEMM through the `gemm` crate) and applies the gate math in one pass.
//! `xp` is batch-major, `[B, T, G·H]`, gates ordered as Keras orders them
//! (LSTM `i, f, c, o`; GRU `z, r, h`).
//!
//! The forward pass returns one *packed* tensor `[B, T, K]` that holds, per
//! processed step `s`, everything the backward pass reads:
//!
//! | cell                   | sections of the last dim (each `H` wide) |
//! |------------------------|------------------------------------------|
//! | SimpleRNN (`tanh`)     | `h`                                      |
//! | LSTM                   | `h, c, i, f, g, o` (gates activated)     |
//! | GRU, `reset_after`     | `h, z, r, ĥ, q` with `q = h₋₁ U_h + b_rh` |
//! | GRU, not `reset_after` | `h, z, r, ĥ`                             |
//!
//! `h` (and `c`) are the *carried* states: with a mask, a masked step keeps the
//! previous state (Keras' `where(mask, new, old)`), which is also Keras' output
//! at that step. With `reverse` (Keras' `go_backwards`), step `s` reads input
//! step `T-1-s` and is stored at `s`, so the output is in processing order as
//! Keras returns it.
//!
//! # Backward
//! The backward kernel takes the gradient of the *whole* packed tensor, so the
//! saved gates are outputs like any other (a gradient reaching them, as a
//! second-order pass may produce, is folded in through the activation's
//! derivative). Per step, from the last: the row math gives the pre-activation
//! gradients `dz` (which are also `d xp` at that input step) and the direct part
//! of `d h₋₁`; one small GEMM adds `dz · Uᵀ`. `dU = Σ_s h₋₁ᵀ dz` is one large
//! GEMM over all steps at the end (k = B·T), as is the recurrent bias' sum.
//!
//! Everything runs on the calling thread except the final large GEMMs, so
//! results do not depend on the thread count.

#![allow(clippy::needless_range_loop)] // gate math walks several parallel rows by one index

use std::ops::{Add, AddAssign, Mul, Sub};

use gemm::Parallelism;

use crate::kernels::math::Float;
use crate::kernels::vmath::{self, Fun};
use crate::{Buffer, DType, Error, Result, Tensor};

/// Which recurrent cell a fused sequence runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CellKind {
    /// `h = tanh(xp + h₋₁ U)`.
    SimpleRnn,
    /// Keras' LSTM cell (sigmoid gates, tanh cell activation).
    Lstm,
    /// Keras' GRU cell; `reset_after` applies the reset gate after the
    /// recurrent product (Keras' default, with a separate recurrent bias).
    Gru {
        /// Reset gate applied after the recurrent matrix product.
        reset_after: bool,
    },
}

impl CellKind {
    /// Number of gates `G` (columns of the kernels are `G · H`).
    pub fn gates(self) -> usize {
        match self {
            CellKind::SimpleRnn => 1,
            CellKind::Lstm => 4,
            CellKind::Gru { .. } => 3,
        }
    }

    /// Number of `H`-wide sections of the packed forward output.
    pub fn sections(self) -> usize {
        match self {
            CellKind::SimpleRnn => 1,
            CellKind::Lstm => 6,
            CellKind::Gru { reset_after: true } => 5,
            CellKind::Gru { reset_after: false } => 4,
        }
    }

    /// Whether the cell carries a second state `c` (LSTM).
    pub fn has_cell_state(self) -> bool {
        self == CellKind::Lstm
    }

    /// Whether the cell takes a recurrent bias input (GRU with `reset_after`).
    pub fn has_recurrent_bias(self) -> bool {
        self == (CellKind::Gru { reset_after: true })
    }

    /// TF-style op name used in error messages.
    pub fn op_name(self) -> &'static str {
        match self {
            CellKind::SimpleRnn => "SimpleRNNSequence",
            CellKind::Lstm => "LSTMSequence",
            CellKind::Gru { .. } => "GRUSequence",
        }
    }
}

/// Element types the recurrent kernels run on (float32, float64).
pub(crate) trait RnnElem:
    Float + Copy + Add<Output = Self> + Sub<Output = Self> + Mul<Output = Self> + AddAssign + 'static
{
    /// `dst[i] = sigmoid(src[i])`.
    fn sigmoid_into(src: &[Self], dst: &mut [Self]);
    /// `dst[i] = tanh(src[i])`.
    fn tanh_into(src: &[Self], dst: &mut [Self]);
    /// The buffer holding `v`.
    fn buffer(v: Vec<Self>) -> Buffer;
    /// The elements of `t`, if it has this type.
    fn data_of(t: &Tensor) -> Option<&[Self]>;
}

impl RnnElem for f32 {
    fn sigmoid_into(src: &[f32], dst: &mut [f32]) {
        vmath::map_f32(Fun::Sigmoid, src, dst);
    }
    fn tanh_into(src: &[f32], dst: &mut [f32]) {
        vmath::map_f32(Fun::Tanh, src, dst);
    }
    fn buffer(v: Vec<f32>) -> Buffer {
        Buffer::F32(v)
    }
    fn data_of(t: &Tensor) -> Option<&[f32]> {
        t.as_slice::<f32>()
    }
}

impl RnnElem for f64 {
    fn sigmoid_into(src: &[f64], dst: &mut [f64]) {
        for (d, &x) in dst.iter_mut().zip(src) {
            // exp of a non-positive number only: stable at both ends.
            *d = if x >= 0.0 {
                1.0 / (1.0 + (-x).exp())
            } else {
                let e = x.exp();
                e / (1.0 + e)
            };
        }
    }
    fn tanh_into(src: &[f64], dst: &mut [f64]) {
        for (d, &x) in dst.iter_mut().zip(src) {
            *d = x.tanh();
        }
    }
    fn buffer(v: Vec<f64>) -> Buffer {
        Buffer::F64(v)
    }
    fn data_of(t: &Tensor) -> Option<&[f64]> {
        t.as_slice::<f64>()
    }
}

/// A strided matrix inside a slice: element `(i, j)` is at `off + i·rs + j·cs`.
#[derive(Clone, Copy, Debug)]
struct Mat {
    rows: usize,
    cols: usize,
    rs: usize,
    cs: usize,
    off: usize,
}

impl Mat {
    /// A row-major `rows x cols` block whose rows are `rs` apart, starting at `off`.
    fn rows(rows: usize, cols: usize, rs: usize, off: usize) -> Mat {
        Mat { rows, cols, rs, cs: 1, off }
    }

    /// The same elements read as the transpose.
    fn t(self) -> Mat {
        Mat { rows: self.cols, cols: self.rows, rs: self.cs, cs: self.rs, off: self.off }
    }

    /// Whether every element lies inside a slice of `len` elements (checked arithmetic).
    fn fits(&self, len: usize) -> bool {
        if self.rows == 0 || self.cols == 0 {
            return true;
        }
        let last = (self.rows - 1)
            .checked_mul(self.rs)
            .and_then(|a| (self.cols - 1).checked_mul(self.cs).and_then(|b| a.checked_add(b)))
            .and_then(|a| a.checked_add(self.off));
        matches!(last, Some(l) if l < len)
    }
}

/// `dst (+)= lhs · rhs` on strided matrices, single-threaded (the per-step
/// products are small). Shapes and bounds are checked; a mismatch is an error,
/// never undefined behaviour.
fn gemm_into<T: RnnElem>(
    dst: &mut [T],
    d: Mat,
    lhs: &[T],
    a: Mat,
    rhs: &[T],
    b: Mat,
    accumulate: bool,
) -> Result<()> {
    if a.rows != d.rows || b.cols != d.cols || a.cols != b.rows {
        return Err(Error::arg("RecurrentSequence", "internal: GEMM operand shapes disagree"));
    }
    if !d.fits(dst.len()) || !a.fits(lhs.len()) || !b.fits(rhs.len()) {
        return Err(Error::arg("RecurrentSequence", "internal: GEMM operand out of bounds"));
    }
    let (m, n, k) = (d.rows, d.cols, a.cols);
    if m == 0 || n == 0 {
        return Ok(());
    }
    if k == 0 {
        if !accumulate {
            for i in 0..m {
                for j in 0..n {
                    dst[d.off + i * d.rs + j * d.cs] = T::ZERO;
                }
            }
        }
        return Ok(());
    }
    // SAFETY: `fits` checked above that every element the three strided matrices
    // address lies inside its slice (offsets and strides are non-negative), and
    // the shapes agree (m x k times k x n into m x n). `dst` is borrowed mutably
    // for the call and so aliases neither input. With read_dst, alpha = 1 keeps
    // dst and beta = 1 adds the product; without it dst = lhs · rhs.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            dst.as_mut_ptr().add(d.off),
            d.cs as isize,
            d.rs as isize,
            accumulate,
            lhs.as_ptr().add(a.off),
            a.cs as isize,
            a.rs as isize,
            rhs.as_ptr().add(b.off),
            b.cs as isize,
            b.rs as isize,
            T::ONE,
            T::ONE,
            false,
            false,
            false,
            Parallelism::None,
        );
    }
    Ok(())
}

/// Sizes of one fused sequence.
#[derive(Clone, Copy, Debug)]
struct Dims {
    b: usize,
    t: usize,
    h: usize,
    /// `G · H`: columns of `xp` and `u`.
    gh: usize,
    /// Width of the packed output.
    k: usize,
}

fn shape_err(cell: CellKind, msg: String) -> Error {
    Error::shape(cell.op_name(), msg)
}

/// Checks the inputs of a fused sequence and returns its sizes.
fn check_inputs(
    cell: CellKind,
    xp: &Tensor,
    u: &Tensor,
    h0: &Tensor,
    c0: Option<&Tensor>,
    rb: Option<&Tensor>,
    mask: Option<&Tensor>,
) -> Result<Dims> {
    let op = cell.op_name();
    let dtype = xp.dtype();
    if !matches!(dtype, DType::F32 | DType::F64) {
        return Err(Error::UnsupportedDType { op, dtype, hint: "use float32 or float64" });
    }
    let mut all = vec![("recurrent_kernel", u), ("initial h state", h0)];
    all.extend(c0.map(|t| ("initial c state", t)));
    all.extend(rb.map(|t| ("recurrent bias", t)));
    all.extend(mask.map(|t| ("mask", t)));
    for (what, t) in &all {
        if t.dtype() != dtype {
            return Err(Error::arg(
                op,
                format!("{what} has dtype {} but the projected inputs have dtype {dtype}", t.dtype()),
            ));
        }
    }
    if xp.rank() != 3 || u.rank() != 2 {
        return Err(shape_err(
            cell,
            format!(
                "projected inputs must be [batch, time, {g}*units] and the recurrent kernel [units, {g}*units]; got {:?} and {:?}",
                xp.shape(),
                u.shape(),
                g = cell.gates()
            ),
        ));
    }
    let (b, t, gh) = (xp.shape()[0], xp.shape()[1], xp.shape()[2]);
    let h = u.shape()[0];
    let want_gh = h.checked_mul(cell.gates());
    if want_gh != Some(gh) || u.shape()[1] != gh {
        return Err(shape_err(
            cell,
            format!(
                "the recurrent kernel must be [units, {g}*units] matching the projected inputs' last dim; got {:?} and {:?}",
                u.shape(),
                xp.shape(),
                g = cell.gates()
            ),
        ));
    }
    for (what, s) in [("initial h state", Some(h0)), ("initial c state", c0)] {
        if let Some(s) = s {
            if s.shape() != [b, h] {
                return Err(shape_err(cell, format!("{what} must be [{b}, {h}]; got {:?}", s.shape())));
            }
        }
    }
    if cell.has_cell_state() != c0.is_some() || cell.has_recurrent_bias() != rb.is_some() {
        return Err(Error::arg(op, "internal: state or bias inputs do not match the cell"));
    }
    if let Some(rb) = rb {
        if rb.shape() != [gh] {
            return Err(shape_err(cell, format!("recurrent bias must be [{gh}]; got {:?}", rb.shape())));
        }
    }
    if let Some(m) = mask {
        if m.shape() != [b, t] {
            return Err(shape_err(
                cell,
                format!("mask must be [{b}, {t}] (batch, time); got {:?}", m.shape()),
            ));
        }
    }
    let k = h.checked_mul(cell.sections());
    let total = k.and_then(|k| k.checked_mul(b)).and_then(|n| n.checked_mul(t));
    match (k, total) {
        (Some(k), Some(_)) => Ok(Dims { b, t, h, gh, k }),
        _ => Err(shape_err(cell, "the output's size overflows".into())),
    }
}

/// Whether row `bi` takes step `ti` (no mask, or a non-zero mask entry).
#[inline]
fn active<T: RnnElem>(mask: Option<&[T]>, d: Dims, bi: usize, ti: usize) -> bool {
    mask.is_none_or(|m| m[bi * d.t + ti] != T::ZERO)
}

/// The fused forward pass: the packed `[B, T, K]` tensor described in the
/// module docs. `xp` is the projected input `[B, T, G·H]` (input bias
/// included), `u` the recurrent kernel `[H, G·H]`, `h0`/`c0` the initial states
/// `[B, H]`, `rb` GRU's recurrent bias `[G·H]` (`reset_after` only), `mask`
/// `[B, T]` (non-zero = take the step), `reverse` Keras' `go_backwards`.
#[allow(clippy::too_many_arguments)]
pub fn sequence_forward(
    cell: CellKind,
    xp: &Tensor,
    u: &Tensor,
    h0: &Tensor,
    c0: Option<&Tensor>,
    rb: Option<&Tensor>,
    mask: Option<&Tensor>,
    reverse: bool,
) -> Result<Tensor> {
    let d = check_inputs(cell, xp, u, h0, c0, rb, mask)?;
    let shape = [d.b, d.t, d.k];
    match xp.dtype() {
        DType::F32 => forward_typed::<f32>(cell, d, xp, u, h0, c0, rb, mask, reverse)
            .and_then(|v| Tensor::from_buffer(Buffer::F32(v), &shape)),
        _ => forward_typed::<f64>(cell, d, xp, u, h0, c0, rb, mask, reverse)
            .and_then(|v| Tensor::from_buffer(Buffer::F64(v), &shape)),
    }
}

fn data<'a, T: RnnElem>(t: &'a Tensor, op: &'static str) -> Result<&'a [T]> {
    T::data_of(t).ok_or_else(|| Error::arg(op, "internal: unexpected dtype"))
}

#[allow(clippy::too_many_arguments)]
fn forward_typed<T: RnnElem>(
    cell: CellKind,
    d: Dims,
    xp: &Tensor,
    u: &Tensor,
    h0: &Tensor,
    c0: Option<&Tensor>,
    rb: Option<&Tensor>,
    mask: Option<&Tensor>,
    reverse: bool,
) -> Result<Vec<T>> {
    let op = cell.op_name();
    let xp = data::<T>(xp, op)?;
    let u = data::<T>(u, op)?;
    let mask = mask.map(|m| data::<T>(m, op)).transpose()?;
    let rb = rb.map(|r| data::<T>(r, op)).transpose()?;
    let Dims { b, t, h, gh, k } = d;
    let mut out = vec![T::ZERO; b * t * k];
    let mut hs = data::<T>(h0, op)?.to_vec();
    let mut cs = match c0 {
        Some(c) => data::<T>(c, op)?.to_vec(),
        None => Vec::new(),
    };
    // pre-activations and activated gates of one step, [B, G·H]
    let mut pre = vec![T::ZERO; b * gh];
    let mut act = vec![T::ZERO; b * gh];
    // GRU: recurrent product [B, G·H]; reset-scaled state [B, H]
    let mut rec = vec![T::ZERO; if matches!(cell, CellKind::Gru { .. }) { b * gh } else { 0 }];
    let mut rh = vec![T::ZERO; if cell == (CellKind::Gru { reset_after: false }) { b * h } else { 0 }];
    let mut tmp = vec![T::ZERO; h];
    let mut tmp2 = vec![T::ZERO; h];
    let state = Mat::rows(b, h, h, 0);
    for s in 0..t {
        let ti = if reverse { t - 1 - s } else { s };
        for bi in 0..b {
            let src = (bi * t + ti) * gh;
            pre[bi * gh..(bi + 1) * gh].copy_from_slice(&xp[src..src + gh]);
        }
        match cell {
            CellKind::SimpleRnn => {
                gemm_into(&mut pre, Mat::rows(b, gh, gh, 0), &hs, state, u, Mat::rows(h, gh, gh, 0), true)?;
                T::tanh_into(&pre, &mut act);
                for bi in 0..b {
                    if active(mask, d, bi, ti) {
                        hs[bi * h..(bi + 1) * h].copy_from_slice(&act[bi * h..(bi + 1) * h]);
                    }
                    let o = (bi * t + s) * k;
                    out[o..o + h].copy_from_slice(&hs[bi * h..(bi + 1) * h]);
                }
            }
            CellKind::Lstm => {
                gemm_into(&mut pre, Mat::rows(b, gh, gh, 0), &hs, state, u, Mat::rows(h, gh, gh, 0), true)?;
                for bi in 0..b {
                    let r = bi * gh;
                    T::sigmoid_into(&pre[r..r + 2 * h], &mut act[r..r + 2 * h]);
                    T::tanh_into(&pre[r + 2 * h..r + 3 * h], &mut act[r + 2 * h..r + 3 * h]);
                    T::sigmoid_into(&pre[r + 3 * h..r + 4 * h], &mut act[r + 3 * h..r + 4 * h]);
                    let a = &act[r..r + gh];
                    let (ig, fg, gg, og) = (&a[..h], &a[h..2 * h], &a[2 * h..3 * h], &a[3 * h..]);
                    let c_prev = &cs[bi * h..(bi + 1) * h];
                    for j in 0..h {
                        tmp[j] = fg[j] * c_prev[j] + ig[j] * gg[j];
                    }
                    T::tanh_into(&tmp, &mut tmp2);
                    if active(mask, d, bi, ti) {
                        cs[bi * h..(bi + 1) * h].copy_from_slice(&tmp);
                        for j in 0..h {
                            hs[bi * h + j] = og[j] * tmp2[j];
                        }
                    }
                    let o = (bi * t + s) * k;
                    out[o..o + h].copy_from_slice(&hs[bi * h..(bi + 1) * h]);
                    out[o + h..o + 2 * h].copy_from_slice(&cs[bi * h..(bi + 1) * h]);
                    out[o + 2 * h..o + 6 * h].copy_from_slice(a);
                }
            }
            CellKind::Gru { reset_after } => {
                let uzr = Mat::rows(h, 2 * h, gh, 0);
                if reset_after {
                    gemm_into(
                        &mut rec,
                        Mat::rows(b, gh, gh, 0),
                        &hs,
                        state,
                        u,
                        Mat::rows(h, gh, gh, 0),
                        false,
                    )?;
                    if let Some(rb) = rb {
                        for row in rec.chunks_exact_mut(gh) {
                            row.iter_mut().zip(rb).for_each(|(x, &bv)| *x += bv);
                        }
                    }
                } else {
                    gemm_into(&mut rec, Mat::rows(b, 2 * h, gh, 0), &hs, state, u, uzr, false)?;
                }
                for bi in 0..b {
                    let r = bi * gh;
                    for j in 0..2 * h {
                        pre[r + j] += rec[r + j];
                    }
                    T::sigmoid_into(&pre[r..r + 2 * h], &mut act[r..r + 2 * h]);
                    if reset_after {
                        for j in 0..h {
                            pre[r + 2 * h + j] += act[r + h + j] * rec[r + 2 * h + j];
                        }
                    } else {
                        for j in 0..h {
                            rh[bi * h + j] = act[r + h + j] * hs[bi * h + j];
                        }
                    }
                }
                if !reset_after {
                    // ĥ pre-activation += (r ⊙ h₋₁) U_h
                    let uh = Mat::rows(h, h, gh, 2 * h);
                    gemm_into(&mut pre, Mat::rows(b, h, gh, 2 * h), &rh, state, u, uh, true)?;
                }
                for bi in 0..b {
                    let r = bi * gh;
                    T::tanh_into(&pre[r + 2 * h..r + 3 * h], &mut tmp);
                    let (z, hh) = (&act[r..r + h], &tmp);
                    let take = active(mask, d, bi, ti);
                    let o = (bi * t + s) * k;
                    for j in 0..h {
                        let hp = hs[bi * h + j];
                        let hn = z[j] * hp + (T::ONE - z[j]) * hh[j];
                        if take {
                            hs[bi * h + j] = hn;
                        }
                    }
                    out[o..o + h].copy_from_slice(&hs[bi * h..(bi + 1) * h]);
                    out[o + h..o + 3 * h].copy_from_slice(&act[r..r + 2 * h]);
                    out[o + 3 * h..o + 4 * h].copy_from_slice(&tmp);
                    if reset_after {
                        out[o + 4 * h..o + 5 * h].copy_from_slice(&rec[r + 2 * h..r + 3 * h]);
                    }
                }
            }
        }
    }
    Ok(out)
}

/// Gradients of a fused sequence's inputs.
#[derive(Clone, Debug)]
pub struct SequenceGrads {
    /// Of the projected inputs `xp`, `[B, T, G·H]`.
    pub xp: Tensor,
    /// Of the recurrent kernel `u`, `[H, G·H]`.
    pub u: Tensor,
    /// Of the initial `h` state, `[B, H]`.
    pub h0: Tensor,
    /// Of the initial `c` state (LSTM).
    pub c0: Option<Tensor>,
    /// Of the recurrent bias (GRU with `reset_after`), `[G·H]`.
    pub rb: Option<Tensor>,
}

/// The fused backward pass (BPTT) of [`sequence_forward`]: `out` is its packed
/// output and `g` the gradient of all of `out` (same shape). Other arguments as
/// for the forward pass (`xp` is not needed: the gates were saved).
#[allow(clippy::too_many_arguments)]
pub fn sequence_backward(
    cell: CellKind,
    u: &Tensor,
    h0: &Tensor,
    c0: Option<&Tensor>,
    mask: Option<&Tensor>,
    out: &Tensor,
    g: &Tensor,
    reverse: bool,
) -> Result<SequenceGrads> {
    let op = cell.op_name();
    if out.rank() != 3 || g.shape() != out.shape() || g.dtype() != out.dtype() {
        return Err(Error::shape(
            op,
            format!("gradient {:?} does not match the sequence output {:?}", g.shape(), out.shape()),
        ));
    }
    let (b, t) = (out.shape()[0], out.shape()[1]);
    let h = u.shape().first().copied().unwrap_or(0);
    let gh = h.checked_mul(cell.gates()).ok_or_else(|| shape_err(cell, "size overflows".into()))?;
    let d = Dims { b, t, h, gh, k: h * cell.sections() };
    if out.shape()[2] != d.k || u.shape() != [h, gh] || h0.shape() != [b, h] || out.dtype() != u.dtype() {
        return Err(shape_err(
            cell,
            format!("saved tensors disagree: out {:?}, u {:?}", out.shape(), u.shape()),
        ));
    }
    if let Some(m) = mask {
        if m.shape() != [b, t] || m.dtype() != out.dtype() {
            return Err(shape_err(cell, format!("mask must be [{b}, {t}]; got {:?}", m.shape())));
        }
    }
    if c0.is_some_and(|c| c.shape() != [b, h] || c.dtype() != out.dtype())
        || cell.has_cell_state() != c0.is_some()
    {
        return Err(shape_err(cell, "the initial c state disagrees with the cell".into()));
    }
    match out.dtype() {
        DType::F32 => backward_typed::<f32>(cell, d, u, h0, c0, mask, out, g, reverse),
        DType::F64 => backward_typed::<f64>(cell, d, u, h0, c0, mask, out, g, reverse),
        dtype => Err(Error::UnsupportedDType { op, dtype, hint: "use float32 or float64" }),
    }
}

/// Adds `src` into `dst` elementwise.
#[inline]
fn add_into<T: RnnElem>(dst: &mut [T], src: &[T]) {
    dst.iter_mut().zip(src).for_each(|(d, &s)| *d += s);
}

#[allow(clippy::too_many_arguments)]
fn backward_typed<T: RnnElem>(
    cell: CellKind,
    d: Dims,
    u: &Tensor,
    h0: &Tensor,
    c0: Option<&Tensor>,
    mask: Option<&Tensor>,
    out: &Tensor,
    g: &Tensor,
    reverse: bool,
) -> Result<SequenceGrads> {
    let op = cell.op_name();
    let ud = data::<T>(u, op)?;
    let h0d = data::<T>(h0, op)?;
    let c0d = c0.map(|c| data::<T>(c, op)).transpose()?;
    let mask = mask.map(|m| data::<T>(m, op)).transpose()?;
    let od = data::<T>(out, op)?;
    let gd = data::<T>(g, op)?;
    let Dims { b, t, h, gh, k } = d;
    let gru_ra = cell == (CellKind::Gru { reset_after: true });
    let gru_plain = cell == (CellKind::Gru { reset_after: false });

    let mut dxp = vec![T::ZERO; b * t * gh];
    // h₋₁ of every step at its input position, [B, T, H]: the left factor of dU
    let mut hprev_all = vec![T::ZERO; b * t * h];
    // GRU: dq (reset_after) or r ⊙ h₋₁ (not), [B, T, H]
    let mut extra_all = vec![T::ZERO; if gru_ra || gru_plain { b * t * h } else { 0 }];
    let mut dh = vec![T::ZERO; b * h];
    let mut dc = vec![T::ZERO; if c0d.is_some() { b * h } else { 0 }];
    // this step's gradient of the recurrent product's output, [B, G·H]
    let mut drec = vec![T::ZERO; b * gh];
    let mut drh = vec![T::ZERO; if gru_plain { b * h } else { 0 }];
    let mut tc = vec![T::ZERO; h];
    let zero_row = vec![T::ZERO; h];

    for s in (0..t).rev() {
        let ti = if reverse { t - 1 - s } else { s };
        for bi in 0..b {
            let o = (bi * t + s) * k;
            let (orow, grow) = (&od[o..o + k], &gd[o..o + k]);
            let hp: &[T] = if s == 0 { &h0d[bi * h..(bi + 1) * h] } else { &od[o - k..o - k + h] };
            let hpa = (bi * t + ti) * h;
            hprev_all[hpa..hpa + h].copy_from_slice(hp);
            let take = active(mask, d, bi, ti);
            let dhr = &mut dh[bi * h..(bi + 1) * h];
            add_into(dhr, &grow[..h]);
            let dz = &mut drec[bi * gh..(bi + 1) * gh];
            match cell {
                CellKind::SimpleRnn => {
                    for j in 0..h {
                        let hv = orow[j];
                        if take {
                            dz[j] = dhr[j] * (T::ONE - hv * hv);
                            dhr[j] = T::ZERO;
                        } else {
                            dz[j] = T::ZERO;
                        }
                    }
                }
                CellKind::Lstm => {
                    let cp: &[T] = match (s, c0d) {
                        (0, Some(c)) => &c[bi * h..(bi + 1) * h],
                        (0, None) => &zero_row,
                        _ => &od[o - k + h..o - k + 2 * h],
                    };
                    let dcr = &mut dc[bi * h..(bi + 1) * h];
                    add_into(dcr, &grow[h..2 * h]);
                    T::tanh_into(&orow[h..2 * h], &mut tc);
                    let (ig, fg, gg, og) =
                        (&orow[2 * h..3 * h], &orow[3 * h..4 * h], &orow[4 * h..5 * h], &orow[5 * h..6 * h]);
                    let (gi, gf, gg_, go) =
                        (&grow[2 * h..3 * h], &grow[3 * h..4 * h], &grow[4 * h..5 * h], &grow[5 * h..6 * h]);
                    for j in 0..h {
                        // the new (h̃, c̃) are taken only where the mask allows; otherwise the
                        // carried gradients pass straight to the previous state.
                        let (dht, dct, dh_dir, dc_dir) = if take {
                            (dhr[j], dcr[j], T::ZERO, T::ZERO)
                        } else {
                            (T::ZERO, T::ZERO, dhr[j], dcr[j])
                        };
                        let do_ = dht * tc[j] + go[j];
                        let dcn = dct + dht * og[j] * (T::ONE - tc[j] * tc[j]);
                        let di = dcn * gg[j] + gi[j];
                        let dg = dcn * ig[j] + gg_[j];
                        let df = dcn * cp[j] + gf[j];
                        dz[j] = di * ig[j] * (T::ONE - ig[j]);
                        dz[h + j] = df * fg[j] * (T::ONE - fg[j]);
                        dz[2 * h + j] = dg * (T::ONE - gg[j] * gg[j]);
                        dz[3 * h + j] = do_ * og[j] * (T::ONE - og[j]);
                        dcr[j] = dcn * fg[j] + dc_dir;
                        dhr[j] = dh_dir;
                    }
                }
                CellKind::Gru { reset_after } => {
                    let (zg, rg, hh) = (&orow[h..2 * h], &orow[2 * h..3 * h], &orow[3 * h..4 * h]);
                    let (gz, gr, ghh) = (&grow[h..2 * h], &grow[2 * h..3 * h], &grow[3 * h..4 * h]);
                    let ea = (bi * t + ti) * h;
                    for j in 0..h {
                        let (dht, dir) = if take { (dhr[j], T::ZERO) } else { (T::ZERO, dhr[j]) };
                        let dzg = dht * (hp[j] - hh[j]) + gz[j];
                        let dhh = dht * (T::ONE - zg[j]) + ghh[j];
                        let dhh_pre = dhh * (T::ONE - hh[j] * hh[j]);
                        dz[j] = dzg * zg[j] * (T::ONE - zg[j]);
                        dz[2 * h + j] = dhh_pre;
                        dhr[j] = dir + dht * zg[j];
                        if reset_after {
                            let q = orow[4 * h + j];
                            let dr = dhh_pre * q + gr[j];
                            dz[h + j] = dr * rg[j] * (T::ONE - rg[j]);
                            // q's gradient, the last third of the recurrent product's
                            extra_all[ea + j] = dhh_pre * rg[j] + grow[4 * h + j];
                        } else {
                            extra_all[ea + j] = rg[j] * hp[j];
                        }
                    }
                }
            }
            let xa = (bi * t + ti) * gh;
            dxp[xa..xa + gh].copy_from_slice(dz);
        }
        // d h₋₁ += (gradient of the recurrent product) · Uᵀ
        let ut = |cols: usize, off: usize| Mat::rows(h, cols, gh, off).t();
        match cell {
            CellKind::Gru { reset_after: true } => {
                for bi in 0..b {
                    let ea = (bi * t + ti) * h;
                    drec[bi * gh + 2 * h..(bi + 1) * gh].copy_from_slice(&extra_all[ea..ea + h]);
                }
                gemm_into(
                    &mut dh,
                    Mat::rows(b, h, h, 0),
                    &drec,
                    Mat::rows(b, gh, gh, 0),
                    ud,
                    ut(gh, 0),
                    true,
                )?;
            }
            CellKind::Gru { reset_after: false } => {
                // d(r ⊙ h₋₁) = dĥ_pre · U_hᵀ, then r's gradient and h₋₁'s direct share
                gemm_into(
                    &mut drh,
                    Mat::rows(b, h, h, 0),
                    &drec,
                    Mat::rows(b, h, gh, 2 * h),
                    ud,
                    ut(h, 2 * h),
                    false,
                )?;
                for bi in 0..b {
                    let o = (bi * t + s) * k;
                    let (orow, grow) = (&od[o..o + k], &gd[o..o + k]);
                    let hp: &[T] = if s == 0 { &h0d[bi * h..(bi + 1) * h] } else { &od[o - k..o - k + h] };
                    for j in 0..h {
                        let rg = orow[2 * h + j];
                        let dr = drh[bi * h + j] * hp[j] + grow[2 * h + j];
                        let dzr = dr * rg * (T::ONE - rg);
                        drec[bi * gh + h + j] = dzr;
                        dxp[(bi * t + ti) * gh + h + j] = dzr;
                        dh[bi * h + j] += drh[bi * h + j] * rg;
                    }
                }
                gemm_into(
                    &mut dh,
                    Mat::rows(b, h, h, 0),
                    &drec,
                    Mat::rows(b, 2 * h, gh, 0),
                    ud,
                    ut(2 * h, 0),
                    true,
                )?;
            }
            _ => {
                gemm_into(
                    &mut dh,
                    Mat::rows(b, h, h, 0),
                    &drec,
                    Mat::rows(b, gh, gh, 0),
                    ud,
                    ut(gh, 0),
                    true,
                )?;
            }
        }
    }

    let dtype = out.dtype();
    let tensor = |v: Vec<T>, shape: &[usize]| Tensor::from_buffer(T::buffer(v), shape);
    let bt = b * t;
    let hprev = tensor(hprev_all, &[bt, h])?;
    let dxp_t = tensor(dxp, &[b, t, gh])?;
    let dxp2 = dxp_t.with_shape(&[bt, gh])?;
    // dU = Σ h₋₁ᵀ dz: one large product over all steps (parallel, deterministic)
    let (du, drb) = match cell {
        CellKind::Gru { reset_after } => {
            let zr = crate::kernels::slice_axis(&dxp2, 1, 0, 2 * h)?;
            let du_zr = crate::kernels::matmul(&hprev, &zr, true, false)?;
            let extra = tensor(extra_all, &[bt, h])?;
            if reset_after {
                let du_h = crate::kernels::matmul(&hprev, &extra, true, false)?;
                let drb_zr = crate::kernels::reduce(crate::kernels::ReduceKind::Sum, &zr, &[0], false)?;
                let drb_h = crate::kernels::reduce(crate::kernels::ReduceKind::Sum, &extra, &[0], false)?;
                (
                    crate::kernels::concat(&[du_zr, du_h], 1)?,
                    Some(crate::kernels::concat(&[drb_zr, drb_h], 0)?),
                )
            } else {
                let hcols = crate::kernels::slice_axis(&dxp2, 1, 2 * h, h)?;
                let du_h = crate::kernels::matmul(&extra, &hcols, true, false)?;
                (crate::kernels::concat(&[du_zr, du_h], 1)?, None)
            }
        }
        _ => (crate::kernels::matmul(&hprev, &dxp2, true, false)?, None),
    };
    debug_assert_eq!(du.dtype(), dtype);
    let c0g = if c0d.is_some() { Some(tensor(dc, &[b, h])?) } else { None };
    Ok(SequenceGrads { xp: dxp_t, u: du, h0: tensor(dh, &[b, h])?, c0: c0g, rb: drb })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t64(v: Vec<f64>, shape: &[usize]) -> Tensor {
        Tensor::from_buffer(Buffer::F64(v), shape).unwrap_or_else(|_| Tensor::scalar(0.0f64))
    }

    fn lcg(n: usize, seed: u64) -> Vec<f64> {
        let mut s = seed;
        (0..n)
            .map(|_| {
                s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                ((s >> 11) as f64 / (1u64 << 53) as f64) - 0.5
            })
            .collect()
    }

    /// Finite differences of `<w, forward>` against the backward pass, every cell,
    /// with a mask and both directions.
    #[test]
    fn backward_matches_finite_differences() -> Result<()> {
        let (b, t, h) = (2, 3, 2);
        for cell in [
            CellKind::SimpleRnn,
            CellKind::Lstm,
            CellKind::Gru { reset_after: true },
            CellKind::Gru { reset_after: false },
        ] {
            for reverse in [false, true] {
                let gh = cell.gates() * h;
                let k = cell.sections() * h;
                let xp = lcg(b * t * gh, 1);
                let u = lcg(h * gh, 2);
                let h0 = lcg(b * h, 3);
                let c0 = lcg(b * h, 4);
                let rb = lcg(gh, 5);
                let w = lcg(b * t * k, 6);
                let mask = t64(vec![1.0, 0.0, 1.0, 1.0, 1.0, 0.0], &[b, t]);
                let run = |xp: &[f64], u: &[f64], h0: &[f64], c0: &[f64], rb: &[f64]| -> Result<f64> {
                    let c0t = t64(c0.to_vec(), &[b, h]);
                    let rbt = t64(rb.to_vec(), &[gh]);
                    let y = sequence_forward(
                        cell,
                        &t64(xp.to_vec(), &[b, t, gh]),
                        &t64(u.to_vec(), &[h, gh]),
                        &t64(h0.to_vec(), &[b, h]),
                        cell.has_cell_state().then_some(&c0t),
                        cell.has_recurrent_bias().then_some(&rbt),
                        Some(&mask),
                        reverse,
                    )?;
                    let yv = y.as_slice::<f64>().unwrap_or(&[]);
                    Ok(yv.iter().zip(&w).map(|(a, b)| a * b).sum())
                };
                let y = sequence_forward(
                    cell,
                    &t64(xp.clone(), &[b, t, gh]),
                    &t64(u.clone(), &[h, gh]),
                    &t64(h0.clone(), &[b, h]),
                    cell.has_cell_state().then_some(&t64(c0.clone(), &[b, h])),
                    cell.has_recurrent_bias().then_some(&t64(rb.clone(), &[gh])),
                    Some(&mask),
                    reverse,
                )?;
                let c0t = t64(c0.clone(), &[b, h]);
                let grads = sequence_backward(
                    cell,
                    &t64(u.clone(), &[h, gh]),
                    &t64(h0.clone(), &[b, h]),
                    cell.has_cell_state().then_some(&c0t),
                    Some(&mask),
                    &y,
                    &t64(w.clone(), &[b, t, k]),
                    reverse,
                )?;
                let eps = 1e-6;
                let check = |which: usize, analytic: &Tensor| -> Result<()> {
                    let a = analytic.as_slice::<f64>().unwrap_or(&[]);
                    for i in 0..a.len() {
                        let mut args = [xp.clone(), u.clone(), h0.clone(), c0.clone(), rb.clone()];
                        args[which][i] += eps;
                        let up = run(&args[0], &args[1], &args[2], &args[3], &args[4])?;
                        args[which][i] -= 2.0 * eps;
                        let dn = run(&args[0], &args[1], &args[2], &args[3], &args[4])?;
                        let fd = (up - dn) / (2.0 * eps);
                        assert!(
                            (fd - a[i]).abs() < 1e-6,
                            "{cell:?} rev={reverse} input {which}[{i}]: {fd} vs {}",
                            a[i]
                        );
                    }
                    Ok(())
                };
                check(0, &grads.xp)?;
                check(1, &grads.u)?;
                check(2, &grads.h0)?;
                if let Some(c) = &grads.c0 {
                    check(3, c)?;
                }
                if let Some(r) = &grads.rb {
                    check(4, r)?;
                }
            }
        }
        Ok(())
    }
}

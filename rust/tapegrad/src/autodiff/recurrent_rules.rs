//! Gradient rules of the fused recurrent sequences ([`RecurrentOp`]).
//!
//! The rule runs the fused BPTT kernel (`kernels::recurrent::sequence_backward`)
//! on the saved packed output, which holds every gate the backward pass needs.
//! The kernel's math (per step, from the last; `m` the step's mask):
//!
//! * LSTM: `dh̃ = m·dh`, `dc̃ = m·dc + dh̃·o·(1 − tanh²c)`, `do = dh̃·tanh c`,
//!   `di = dc̃·g`, `dg = dc̃·i`, `df = dc̃·c₋₁`, pre-activations through σ' and
//!   tanh', `dc₋₁ = dc̃·f + (1 − m)·dc`, `dh₋₁ = dz·Uᵀ + (1 − m)·dh`.
//! * GRU: `h̃ = z·h₋₁ + (1 − z)·ĥ`, `ĥ = tanh(x_h + r·q)` (`q = h₋₁U_h + b_rh`,
//!   `reset_after`) or `tanh(x_h + (r·h₋₁)U_h)`.
//! * SimpleRNN: `dz = dh̃·(1 − h²)`.
//!
//! `dU = Σ_t h₋₁ᵀ dz_t`, `dxp_t = dz_t` (at the input step), `dh0`/`dc0` what is
//! left after step 0.
//!
//! The kernel is not made of recorded ops. When an outer tape records this
//! backward pass (second order), the rule instead recomputes the sequence step
//! by step with recorded ops (`ops::unfused_sequence`) on a private tape and
//! differentiates that with `g` as the output gradient: the outer tape sees
//! ordinary differentiable ops, so higher derivatives are exact.

use smallvec::smallvec;

use crate::autodiff::rules::InputGrads;
use crate::autodiff::{GradientTape, Source, Unconnected};
use crate::kernels;
use crate::ops::RecurrentOp;
use crate::{Result, Tensor};

/// Gradients of one recurrent node's inputs `xs` from `g`, the gradient of its
/// packed output `y`. `recording`: an outer tape records this pass.
pub(crate) fn vjp(
    op: RecurrentOp,
    xs: &[Tensor],
    y: &Tensor,
    g: &Tensor,
    recording: bool,
) -> Result<InputGrads> {
    match op {
        RecurrentOp::Sequence { cell, reverse, masked } => {
            let (u, h0) = (&xs[1], &xs[2]);
            let c0 = if cell.has_cell_state() { xs.get(3) } else { None };
            let mask = if masked { xs.last() } else { None };
            let full;
            let g = if g.shape() == y.shape() {
                g
            } else {
                full = crate::ops::broadcast_to(g, y.shape())?;
                &full
            };
            if recording {
                return recorded_vjp(cell, reverse, masked, xs, g);
            }
            let grads = kernels::recurrent::sequence_backward(cell, u, h0, c0, mask, y, g, reverse)?;
            let mut out: InputGrads = smallvec![Some(grads.xp), Some(grads.u), Some(grads.h0)];
            if cell.has_cell_state() {
                out.push(grads.c0);
            }
            if cell.has_recurrent_bias() {
                out.push(grads.rb);
            }
            if masked {
                out.push(None);
            }
            Ok(out)
        }
    }
}

/// The recorded (differentiable) VJP: `∂⟨g, unfused(xs)⟩/∂xs` through a private
/// tape, every op of which the recording outer tapes see too.
fn recorded_vjp(
    cell: crate::ops::CellKind,
    reverse: bool,
    masked: bool,
    xs: &[Tensor],
    g: &Tensor,
) -> Result<InputGrads> {
    let n_diff = xs.len() - usize::from(masked);
    let at = |i: usize| xs.get(i);
    let mut next = 3;
    let mut take = |present: bool| {
        if present {
            next += 1;
            at(next - 1)
        } else {
            None
        }
    };
    let c0 = take(cell.has_cell_state());
    let rb = take(cell.has_recurrent_bias());
    let mask = if masked { xs.last() } else { None };
    let tape = GradientTape::new(false, false);
    let y = tape.record(|| {
        for x in &xs[..n_diff] {
            tape.watch(x);
        }
        crate::ops::unfused_sequence(cell, &xs[0], &xs[1], &xs[2], c0, rb, mask, reverse)
    })??;
    let sources: Vec<Source> = xs[..n_diff].iter().cloned().map(Source::Tensor).collect();
    let grads = tape.gradient_with(&[y], &sources, Some(&[Some(g.clone())]), Unconnected::Zero)?;
    let mut out: InputGrads = grads.into_iter().collect();
    if masked {
        out.push(None);
    }
    Ok(out)
}

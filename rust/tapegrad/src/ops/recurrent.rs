//! Fused recurrent sequences as one recorded op: a whole SimpleRNN / LSTM / GRU
//! layer call is one node on the tape (not one per step per gate), computed by
//! `kernels::recurrent` and differentiated by its fused BPTT kernel
//! (`autodiff::recurrent_rules`).

use crate::autodiff::tape::record;
use crate::kernels::recurrent;
pub use crate::kernels::recurrent::CellKind;
use crate::ops::Op;
use crate::{Result, Tensor};

/// A recorded recurrent primitive (the payload of [`Op::Recurrent`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecurrentOp {
    /// [`recurrent_sequence`]: inputs `[xp, u, h0, c0 (LSTM), rb (GRU reset_after), mask (if masked)]`.
    Sequence {
        /// The cell.
        cell: CellKind,
        /// Keras' `go_backwards`.
        reverse: bool,
        /// Whether the last input is a mask.
        masked: bool,
    },
}

impl RecurrentOp {
    /// Whether the rule reads input `i`'s values (see [`Op::needs_input`]).
    pub fn needs_input(&self, _i: usize) -> bool {
        match self {
            // all of them: a recorded backward pass recomputes the sequence from its inputs
            RecurrentOp::Sequence { .. } => true,
        }
    }

    /// Whether the rule reads the output's values (the packed states and gates).
    pub fn needs_output(&self) -> bool {
        true
    }

    /// TF-style op name.
    pub fn name(&self) -> &'static str {
        match self {
            RecurrentOp::Sequence { cell, .. } => cell.op_name(),
        }
    }
}

/// A whole recurrent sequence in one op: the packed `[B, T, K]` tensor of
/// `kernels::recurrent` (carried `h` in the first `H` columns, LSTM's carried
/// `c` in the next `H`, then the saved gates). `xp` is the input projection of
/// every step `[B, T, G·H]` (input bias included), `u` the recurrent kernel
/// `[H, G·H]`, `h0`/`c0` the initial states, `rb` GRU's recurrent bias
/// (`reset_after` only), `mask` `[B, T]` in `xp`'s dtype (0 = skip the step,
/// carrying the state), `reverse` Keras' `go_backwards`.
///
/// ```
/// use tapegrad::{Tensor, ops};
/// use tapegrad::ops::CellKind;
/// // one unit, identity-free RNN: h_t = tanh(x_t + 0.5 h_{t-1})
/// let xp = Tensor::from_vec(vec![1.0f64, 0.0], &[1, 2, 1]).unwrap();
/// let u = Tensor::from_vec(vec![0.5f64], &[1, 1]).unwrap();
/// let h0 = Tensor::from_vec(vec![0.0f64], &[1, 1]).unwrap();
/// let y = ops::recurrent_sequence(CellKind::SimpleRnn, &xp, &u, &h0, None, None, None, false).unwrap();
/// let h = y.as_slice::<f64>().unwrap();
/// assert!((h[0] - 1f64.tanh()).abs() < 1e-12 && (h[1] - (0.5 * 1f64.tanh()).tanh()).abs() < 1e-12);
/// ```
#[allow(clippy::too_many_arguments)]
pub fn recurrent_sequence(
    cell: CellKind,
    xp: &Tensor,
    u: &Tensor,
    h0: &Tensor,
    c0: Option<&Tensor>,
    rb: Option<&Tensor>,
    mask: Option<&Tensor>,
    reverse: bool,
) -> Result<Tensor> {
    let y = recurrent::sequence_forward(cell, xp, u, h0, c0, rb, mask, reverse)?;
    let mut inputs: Vec<&Tensor> = vec![xp, u, h0];
    inputs.extend(c0);
    inputs.extend(rb);
    inputs.extend(mask);
    record(Op::Recurrent(RecurrentOp::Sequence { cell, reverse, masked: mask.is_some() }), &inputs, &y);
    Ok(y)
}

/// The same packed tensor as [`recurrent_sequence`], computed step by step with
/// recorded ops (slices, matmuls, sigmoid/tanh, products), so it can be
/// differentiated to any order. A mask blends `m·new + (1 − m)·old`, which
/// equals Keras' `where(mask, new, old)` for a 0/1 mask. The fused op's rule
/// differentiates this when an outer tape records its backward pass.
#[allow(clippy::too_many_arguments)]
pub(crate) fn unfused_sequence(
    cell: CellKind,
    xp: &Tensor,
    u: &Tensor,
    h0: &Tensor,
    c0: Option<&Tensor>,
    rb: Option<&Tensor>,
    mask: Option<&Tensor>,
    reverse: bool,
) -> Result<Tensor> {
    use crate::ops::{add, concat, matmul, mul, reshape, scalar, sigmoid, slice_axis, stack, sub, tanh};
    let (b, t, gh) = match xp.shape() {
        [b, t, gh] => (*b, *t, *gh),
        _ => {
            return Err(crate::Error::shape(
                cell.op_name(),
                format!("xp must be rank 3; got {:?}", xp.shape()),
            ));
        }
    };
    let h = u.shape().first().copied().unwrap_or(0);
    let one = scalar(1.0, xp.dtype());
    let sec = |x: &Tensor, k: usize| slice_axis(x, 1, k * h, h);
    let mut hs = h0.clone();
    let mut cs = c0.cloned();
    let mut steps = Vec::with_capacity(t);
    for s in 0..t {
        let ti = if reverse { t - 1 - s } else { s };
        let xt = reshape(&slice_axis(xp, 1, ti, 1)?, &[b as i64, gh as i64])?;
        let mt = mask.map(|m| slice_axis(m, 1, ti, 1)).transpose()?;
        let keep = |new: &Tensor, old: &Tensor| -> Result<Tensor> {
            match &mt {
                None => Ok(new.clone()),
                Some(m) => add(&mul(m, new)?, &mul(&sub(&one, m)?, old)?),
            }
        };
        let packed = match cell {
            CellKind::SimpleRnn => {
                let hn = tanh(&add(&xt, &matmul(&hs, u, false, false)?)?)?;
                hs = keep(&hn, &hs)?;
                hs.clone()
            }
            CellKind::Lstm => {
                let c_prev =
                    cs.clone().ok_or_else(|| crate::Error::arg(cell.op_name(), "missing c state"))?;
                let z = add(&xt, &matmul(&hs, u, false, false)?)?;
                let (i, f, g, o) = (
                    sigmoid(&sec(&z, 0)?)?,
                    sigmoid(&sec(&z, 1)?)?,
                    tanh(&sec(&z, 2)?)?,
                    sigmoid(&sec(&z, 3)?)?,
                );
                let cn = add(&mul(&f, &c_prev)?, &mul(&i, &g)?)?;
                let hn = mul(&o, &tanh(&cn)?)?;
                let c_new = keep(&cn, &c_prev)?;
                hs = keep(&hn, &hs)?;
                let packed = concat(&[hs.clone(), c_new.clone(), i, f, g, o], 1)?;
                cs = Some(c_new);
                packed
            }
            CellKind::Gru { reset_after } => {
                let (rec, hh_in) = if reset_after {
                    let mut rec = matmul(&hs, u, false, false)?;
                    if let Some(rb) = rb {
                        rec = add(&rec, rb)?;
                    }
                    (rec, None)
                } else {
                    (
                        matmul(&hs, &slice_axis(u, 1, 0, 2 * h)?, false, false)?,
                        Some(slice_axis(u, 1, 2 * h, h)?),
                    )
                };
                let z = sigmoid(&add(&sec(&xt, 0)?, &sec(&rec, 0)?)?)?;
                let r = sigmoid(&add(&sec(&xt, 1)?, &sec(&rec, 1)?)?)?;
                let (hh, q) = match hh_in {
                    None => {
                        let q = sec(&rec, 2)?;
                        (tanh(&add(&sec(&xt, 2)?, &mul(&r, &q)?)?)?, Some(q))
                    }
                    Some(uh) => {
                        (tanh(&add(&sec(&xt, 2)?, &matmul(&mul(&r, &hs)?, &uh, false, false)?)?)?, None)
                    }
                };
                let hn = add(&mul(&z, &hs)?, &mul(&sub(&one, &z)?, &hh)?)?;
                hs = keep(&hn, &hs)?;
                let mut parts = vec![hs.clone(), z, r, hh];
                parts.extend(q);
                concat(&parts, 1)?
            }
        };
        steps.push(packed);
    }
    if steps.is_empty() {
        return crate::kernels::recurrent::sequence_forward(cell, xp, u, h0, c0, rb, mask, reverse);
    }
    stack(&steps, 1)
}

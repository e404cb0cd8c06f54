//! Gradient accumulation: `acc + g`, in place when one of the two buffers is
//! provably ours (HIPS autograd's `add_outgrads`; never a `zeros_like` + add
//! per edge as candle does).
//!
//! In place and out of place compute the same `a + b` per element (IEEE addition
//! is commutative), so which one runs never changes a result's bits.

use crate::kernels::parallel::zip_with;
use crate::kernels::{self, BinaryKind};
use crate::{Buffer, Result, Tensor, ops};

/// `acc + g`. With `recording`, through the recorded op (an outer tape must see
/// it); otherwise in place into whichever operand's buffer is unshared.
pub(crate) fn add(acc: Tensor, g: Tensor, recording: bool) -> Result<Tensor> {
    if recording || acc.shape() != g.shape() || acc.dtype() != g.dtype() {
        return ops::add(&acc, &g);
    }
    if kernels::fusion::any_pending(&[&acc, &g]) {
        // Fuses with the pending operand (Note [Fusion]) rather than computing it to add in place.
        return kernels::binary(BinaryKind::Add, &acc, &g);
    }
    let (mut acc, mut g) = (acc, g);
    if add_assign(&mut acc, &g) {
        return Ok(acc);
    }
    if add_assign(&mut g, &acc) {
        return Ok(g);
    }
    kernels::binary(BinaryKind::Add, &acc, &g)
}

/// `dst += src` if `dst`'s buffer is unshared and both are float; false otherwise.
fn add_assign(dst: &mut Tensor, src: &Tensor) -> bool {
    let src_buf = src.buffer();
    match (dst.buffer_mut(), src_buf) {
        (Some(Buffer::F32(d)), Buffer::F32(s)) => zip_with(d, s, |a, b| a + b),
        (Some(Buffer::F64(d)), Buffer::F64(s)) => zip_with(d, s, |a, b| a + b),
        _ => return false,
    }
    true
}

//! 2-D max and average pooling over NHWC tensors, with their gradients.
//!
//! Each pass is one sweep over the windows, vectorised over channels (the
//! innermost, contiguous dim). Max pooling's gradient routes each output's
//! gradient to the first maximum of its window in row-major order (TF's CPU
//! `MaxPoolGrad`), found again from the input, so no argmax is stored; its
//! gradient-of-gradient (TF's `MaxPoolGradGrad`) gathers through the same
//! argmax. Average pooling divides by the number of window elements inside the
//! input (padding is not counted, as TF).
//!
//! Images are independent: passes run in parallel over images when large, each
//! image's output (or input gradient) computed by one thread in a fixed order,
//! so the bits do not depend on the thread count.

use crate::kernels::conv::{Float, out_size};
use crate::kernels::parallel::{is_large, par_blocks};
use crate::{Buffer, DType, Error, Result, Tensor};

/// Window sizes, strides and resolved padding of a 2-D pooling.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Pool2dSpec {
    /// Window height and width.
    pub window: [usize; 2],
    /// Steps between windows.
    pub strides: [usize; 2],
    /// `[before, after]` padding along height and width.
    pub pads: [[usize; 2]; 2],
}

/// Validated sizes of one pooling.
#[derive(Clone, Copy, Debug)]
struct Geo {
    n: usize,
    h: usize,
    w: usize,
    c: usize,
    oh: usize,
    ow: usize,
    spec: Pool2dSpec,
}

impl Geo {
    fn new(op: &'static str, x: &[usize], spec: &Pool2dSpec) -> Result<Geo> {
        let &[n, h, w, c] = x else {
            return Err(Error::shape(op, format!("input must be 4-dimensional, got shape {x:?}")));
        };
        // A window wholly inside the padding would have no element to pool.
        let too_wide = spec.pads.iter().zip(&spec.window).any(|(p, &k)| p[0] >= k.max(1) || p[1] >= k.max(1));
        if too_wide && spec.pads != [[0, 0]; 2] {
            return Err(Error::arg(
                op,
                format!(
                    "padding {:?} must be smaller than the window {:?} (input shape {x:?})",
                    spec.pads, spec.window
                ),
            ));
        }
        let oh = out_size(op, h, spec.window[0], spec.strides[0], 1, spec.pads[0])?;
        let ow = out_size(op, w, spec.window[1], spec.strides[1], 1, spec.pads[1])?;
        [n, h, w, c, oh, ow]
            .iter()
            .try_fold(1usize, |a, &d| a.checked_mul(d))
            .ok_or_else(|| Error::arg(op, format!("shape {x:?} is too large")))?;
        Ok(Geo { n, h, w, c, oh, ow, spec: *spec })
    }

    /// The input rows and columns of output `(oy, ox)`'s window, clipped to the image.
    #[inline]
    fn window(&self, oy: usize, ox: usize) -> (std::ops::Range<usize>, std::ops::Range<usize>) {
        let s = &self.spec;
        let y0 = oy * s.strides[0];
        let x0 = ox * s.strides[1];
        let ys = y0.saturating_sub(s.pads[0][0])..(y0 + s.window[0]).saturating_sub(s.pads[0][0]).min(self.h);
        let xs = x0.saturating_sub(s.pads[1][0])..(x0 + s.window[1]).saturating_sub(s.pads[1][0]).min(self.w);
        (ys, xs)
    }

    fn out_shape(&self) -> [usize; 4] {
        [self.n, self.oh, self.ow, self.c]
    }

    /// Elements touched by one pass (decides parallelism).
    fn work(&self) -> usize {
        self.n * self.oh * self.ow * self.c * self.spec.window[0] * self.spec.window[1]
    }
}

/// Runs `f(image, block)` over `out` cut per image, in parallel when large.
fn per_image<T: Float>(out: &mut [T], block: usize, work: usize, f: impl Fn(usize, &mut [T]) + Sync + Send) {
    if out.is_empty() || block == 0 {
        return;
    }
    if is_large(work) && !crate::threading::single_threaded() && out.len() > block {
        par_blocks(out, block, f);
    } else {
        for (i, b) in out.chunks_mut(block).enumerate() {
            f(i, b);
        }
    }
}

/// Calls `f(oy, ox, out_offset, argmax)` for each window of image `b`, with
/// `argmax[ch]` the input offset (within the image) of channel `ch`'s first
/// maximum.
fn for_each_argmax<T: Float>(g: &Geo, x_img: &[T], mut f: impl FnMut(usize, &[usize])) {
    let c = g.c;
    let mut best = vec![T::NEG_INF; c];
    let mut at = vec![0usize; c];
    for oy in 0..g.oh {
        for ox in 0..g.ow {
            let (ys, xs) = g.window(oy, ox);
            let mut first = true;
            for iy in ys.clone() {
                for ix in xs.clone() {
                    let off = (iy * g.w + ix) * c;
                    let row = &x_img[off..off + c];
                    if first {
                        best.copy_from_slice(row);
                        for (ch, a) in at.iter_mut().enumerate() {
                            *a = off + ch;
                        }
                        first = false;
                    } else {
                        for (ch, ((b, a), &v)) in best.iter_mut().zip(at.iter_mut()).zip(row).enumerate() {
                            // strict: ties keep the first; a NaN wins (as it propagates in max)
                            if v > *b || (v.is_nan() && !b.is_nan()) {
                                *b = v;
                                *a = off + ch;
                            }
                        }
                    }
                }
            }
            f((oy * g.ow + ox) * c, &at);
        }
    }
}

fn max_fwd<T: Float>(g: &Geo, x: &[T]) -> Vec<T> {
    let (img, oimg) = (g.h * g.w * g.c, g.oh * g.ow * g.c);
    let mut y = vec![T::ZERO; g.n * oimg];
    per_image(&mut y, oimg, g.work(), |b, y_img| {
        let x_img = &x[b * img..(b + 1) * img];
        for oy in 0..g.oh {
            for ox in 0..g.ow {
                let (ys, xs) = g.window(oy, ox);
                let o = (oy * g.ow + ox) * g.c;
                let dst = &mut y_img[o..o + g.c];
                dst.fill(T::NEG_INF);
                for iy in ys.clone() {
                    for ix in xs.clone() {
                        let off = (iy * g.w + ix) * g.c;
                        // a select, not a branch, so the channel loop vectorises
                        for (d, &v) in dst.iter_mut().zip(&x_img[off..off + g.c]) {
                            *d = if v > *d { v } else { *d };
                        }
                    }
                }
            }
        }
    });
    y
}

fn max_grad<T: Float>(g: &Geo, x: &[T], dy: &[T]) -> Vec<T> {
    let (img, oimg) = (g.h * g.w * g.c, g.oh * g.ow * g.c);
    let mut dx = vec![T::ZERO; g.n * img];
    per_image(&mut dx, img, g.work(), |b, dx_img| {
        let dy_img = &dy[b * oimg..(b + 1) * oimg];
        for_each_argmax(g, &x[b * img..(b + 1) * img], |o, at| {
            for (ch, &a) in at.iter().enumerate() {
                dx_img[a] += dy_img[o + ch];
            }
        });
    });
    dx
}

fn max_grad_grad<T: Float>(g: &Geo, x: &[T], h: &[T]) -> Vec<T> {
    let (img, oimg) = (g.h * g.w * g.c, g.oh * g.ow * g.c);
    let mut out = vec![T::ZERO; g.n * oimg];
    per_image(&mut out, oimg, g.work(), |b, o_img| {
        let h_img = &h[b * img..(b + 1) * img];
        for_each_argmax(g, &x[b * img..(b + 1) * img], |o, at| {
            for (ch, &a) in at.iter().enumerate() {
                o_img[o + ch] = h_img[a];
            }
        });
    });
    out
}

fn avg_fwd<T: Float>(g: &Geo, x: &[T]) -> Vec<T> {
    let (img, oimg) = (g.h * g.w * g.c, g.oh * g.ow * g.c);
    let mut y = vec![T::ZERO; g.n * oimg];
    per_image(&mut y, oimg, g.work(), |b, y_img| {
        let x_img = &x[b * img..(b + 1) * img];
        for oy in 0..g.oh {
            for ox in 0..g.ow {
                let (ys, xs) = g.window(oy, ox);
                let count = T::from_count((ys.len() * xs.len()).max(1));
                let o = (oy * g.ow + ox) * g.c;
                let dst = &mut y_img[o..o + g.c];
                dst.fill(T::ZERO);
                for iy in ys.clone() {
                    for ix in xs.clone() {
                        let off = (iy * g.w + ix) * g.c;
                        for (d, &v) in dst.iter_mut().zip(&x_img[off..off + g.c]) {
                            *d += v;
                        }
                    }
                }
                for d in dst.iter_mut() {
                    *d = *d / count;
                }
            }
        }
    });
    y
}

fn avg_grad<T: Float>(g: &Geo, dy: &[T]) -> Vec<T> {
    let (img, oimg) = (g.h * g.w * g.c, g.oh * g.ow * g.c);
    let mut dx = vec![T::ZERO; g.n * img];
    per_image(&mut dx, img, g.work(), |b, dx_img| {
        let dy_img = &dy[b * oimg..(b + 1) * oimg];
        for oy in 0..g.oh {
            for ox in 0..g.ow {
                let (ys, xs) = g.window(oy, ox);
                let count = T::from_count((ys.len() * xs.len()).max(1));
                let o = (oy * g.ow + ox) * g.c;
                let src = &dy_img[o..o + g.c];
                for iy in ys.clone() {
                    for ix in xs.clone() {
                        let off = (iy * g.w + ix) * g.c;
                        for (d, &v) in dx_img[off..off + g.c].iter_mut().zip(src) {
                            *d += v / count;
                        }
                    }
                }
            }
        }
    });
    dx
}

fn check_float(op: &'static str, t: &Tensor) -> Result<()> {
    if matches!(t.dtype(), DType::F32 | DType::F64) {
        Ok(())
    } else {
        Err(Error::UnsupportedDType {
            op,
            dtype: t.dtype(),
            hint: "pooling takes float32 or float64 tensors; cast with tf.cast first",
        })
    }
}

fn check_same(op: &'static str, what: &str, t: &Tensor, want: &[usize], dtype: DType) -> Result<()> {
    if t.shape() != want {
        return Err(Error::shape(op, format!("{what} has shape {:?}, expected {want:?}", t.shape())));
    }
    if t.dtype() != dtype {
        return Err(Error::DTypeMismatch { op, lhs: dtype, rhs: t.dtype() });
    }
    Ok(())
}

macro_rules! dispatch1 {
    ($op:expr, $t:expr, |$a:ident| $body:expr) => {
        match $t.buffer() {
            Buffer::F32($a) => Buffer::F32($body),
            Buffer::F64($a) => Buffer::F64($body),
            _ => {
                return Err(Error::UnsupportedDType {
                    op: $op,
                    dtype: $t.dtype(),
                    hint: "use float32 or float64",
                })
            }
        }
    };
}

macro_rules! dispatch2 {
    ($op:expr, $t:expr, $u:expr, |$a:ident, $b:ident| $body:expr) => {
        match ($t.buffer(), $u.buffer()) {
            (Buffer::F32($a), Buffer::F32($b)) => Buffer::F32($body),
            (Buffer::F64($a), Buffer::F64($b)) => Buffer::F64($body),
            _ => return Err(Error::DTypeMismatch { op: $op, lhs: $t.dtype(), rhs: $u.dtype() }),
        }
    };
}

/// The output shape of pooling an input of shape `x` (validating it).
pub fn pool2d_output_shape(op: &'static str, x: &[usize], spec: &Pool2dSpec) -> Result<[usize; 4]> {
    Ok(Geo::new(op, x, spec)?.out_shape())
}

/// 2-D max pooling of `x: [n, h, w, c]`.
pub fn max_pool2d(x: &Tensor, spec: &Pool2dSpec) -> Result<Tensor> {
    const OP: &str = "MaxPool";
    check_float(OP, x)?;
    let g = Geo::new(OP, x.shape(), spec)?;
    let buf = dispatch1!(OP, x, |a| max_fwd(&g, a));
    Tensor::from_buffer(buf, &g.out_shape())
}

/// The gradient of [`max_pool2d`] at `x` for the output gradient `dy` (TF's
/// `MaxPoolGrad`): `dy` routed to each window's first maximum.
pub fn max_pool2d_grad(x: &Tensor, dy: &Tensor, spec: &Pool2dSpec) -> Result<Tensor> {
    const OP: &str = "MaxPoolGrad";
    check_float(OP, x)?;
    let g = Geo::new(OP, x.shape(), spec)?;
    check_same(OP, "grad", dy, &g.out_shape(), x.dtype())?;
    let buf = dispatch2!(OP, x, dy, |a, b| max_grad(&g, a, b));
    Tensor::from_buffer(buf, x.shape())
}

/// `h` (shaped like `x`) gathered at each window's first maximum of `x` (TF's
/// `MaxPoolGradGrad`): the adjoint of [`max_pool2d_grad`] in its gradient.
pub fn max_pool2d_grad_grad(x: &Tensor, h: &Tensor, spec: &Pool2dSpec) -> Result<Tensor> {
    const OP: &str = "MaxPoolGradGrad";
    check_float(OP, x)?;
    let g = Geo::new(OP, x.shape(), spec)?;
    check_same(OP, "grad", h, x.shape(), x.dtype())?;
    let buf = dispatch2!(OP, x, h, |a, b| max_grad_grad(&g, a, b));
    Tensor::from_buffer(buf, &g.out_shape())
}

/// 2-D average pooling of `x: [n, h, w, c]` (padding not counted).
pub fn avg_pool2d(x: &Tensor, spec: &Pool2dSpec) -> Result<Tensor> {
    const OP: &str = "AvgPool";
    check_float(OP, x)?;
    let g = Geo::new(OP, x.shape(), spec)?;
    let buf = dispatch1!(OP, x, |a| avg_fwd(&g, a));
    Tensor::from_buffer(buf, &g.out_shape())
}

/// The gradient of [`avg_pool2d`] for an input of shape `input_shape` (TF's
/// `AvgPoolGrad`): each output's gradient spread evenly over its window.
pub fn avg_pool2d_grad(input_shape: &[usize], dy: &Tensor, spec: &Pool2dSpec) -> Result<Tensor> {
    const OP: &str = "AvgPoolGrad";
    check_float(OP, dy)?;
    let g = Geo::new(OP, input_shape, spec)?;
    check_same(OP, "grad", dy, &g.out_shape(), dy.dtype())?;
    let buf = dispatch1!(OP, dy, |a| avg_grad(&g, a));
    Tensor::from_buffer(buf, input_shape)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_and_avg_on_a_small_image() {
        // 1x3x3x1, 2x2 windows, stride 1, VALID
        let x =
            Tensor::from_vec(vec![1.0f64, 5.0, 2.0, 4.0, 3.0, 9.0, 7.0, 8.0, 6.0], &[1, 3, 3, 1]).unwrap();
        let spec = Pool2dSpec { window: [2, 2], strides: [1, 1], pads: [[0, 0]; 2] };
        let y = max_pool2d(&x, &spec).unwrap();
        assert_eq!(y.as_slice::<f64>().unwrap(), &[5.0, 9.0, 8.0, 9.0]);
        let a = avg_pool2d(&x, &spec).unwrap();
        assert_eq!(a.as_slice::<f64>().unwrap(), &[3.25, 4.75, 5.5, 6.5]);
        let dy = Tensor::from_vec(vec![1.0f64, 2.0, 3.0, 4.0], &[1, 2, 2, 1]).unwrap();
        let dx = max_pool2d_grad(&x, &dy, &spec).unwrap();
        assert_eq!(dx.as_slice::<f64>().unwrap(), &[0.0, 1.0, 0.0, 0.0, 0.0, 6.0, 0.0, 3.0, 0.0]);
        let gg = max_pool2d_grad_grad(&x, &dx, &spec).unwrap();
        assert_eq!(gg.as_slice::<f64>().unwrap(), &[1.0, 6.0, 3.0, 6.0]);
        // SAME-style padding: the corner window averages its 1 valid element... of 4
        let padded = Pool2dSpec { window: [2, 2], strides: [2, 2], pads: [[0, 1], [0, 1]] };
        let a = avg_pool2d(&x, &padded).unwrap();
        assert_eq!(a.as_slice::<f64>().unwrap(), &[3.25, 5.5, 7.5, 6.0]);
        let d = avg_pool2d_grad(&[1, 3, 3, 1], &dy, &padded).unwrap();
        assert_eq!(d.as_slice::<f64>().unwrap(), &[0.25, 0.25, 1.0, 0.25, 0.25, 1.0, 1.5, 1.5, 4.0]);
    }
}

//! 2-D convolution (NHWC input, HWIO filter, optionally grouped) and its two
//! adjoints (TF's `Conv2DBackpropInput` and `Conv2DBackpropFilter`), by im2col
//! into gemm, tile by tile.
//!
//! # Algorithm
//! The output's rows (one per `(batch, oy, ox)`, `cout` wide) are cut into tiles
//! of a fixed number of rows, sized so a tile's patch matrix (`rows x kh·kw·cin`)
//! stays in L2. For each tile the patches are gathered (im2col) into per-thread
//! scratch and multiplied by the filter (one single-threaded gemm per group)
//! straight into the output's rows: the full patch matrix is never built.
//!
//! - forward: `y_tile = col_tile · W`; tiles are independent and run in parallel.
//! - input gradient: per image (images own disjoint parts of `dx`), per tile,
//!   `dcol = g_tile · Wᵀ`, then col2im adds `dcol` back onto the image's pixels in
//!   a fixed order.
//! - filter gradient: tiles are grouped into a fixed number of spans; each span
//!   accumulates `col_tiletᵀ · g_tile` into its own partial, and the partials are
//!   summed in span order.
//!
//! The tile size and span count depend on the shapes only, never on the number
//! of threads, so every result is bit-identical at any thread count.
//!
//! Grouped convolution (TF's `Conv2D` with `in_channels = groups · filter_in`)
//! lays each group's patch columns out contiguously (`group, kh, kw, cin/groups`)
//! so each group is one strided gemm; a depthwise convolution is the grouped one
//! with `groups = cin`.

use std::cell::RefCell;

use crate::kernels::parallel::par_blocks;
use crate::{Buffer, DType, Error, Result, Tensor};

/// Float element types the convolution and pooling kernels support.
pub(crate) trait Float:
    crate::kernels::alloc::Pooled
    + Copy
    + Send
    + Sync
    + Default
    + PartialOrd
    + std::ops::Add<Output = Self>
    + std::ops::Mul<Output = Self>
    + std::ops::Div<Output = Self>
    + std::ops::AddAssign
    + 'static
{
    /// `0`.
    const ZERO: Self;
    /// `1`.
    const ONE: Self;
    /// `-inf`, the identity of max.
    const NEG_INF: Self;
    /// `n` as this type (window counts: exact below 2^24).
    fn from_count(n: usize) -> Self;
    /// Whether this is NaN.
    fn is_nan(self) -> bool;
    /// Runs `f` on this thread's scratch buffer of at least `len` elements
    /// (contents unspecified).
    fn with_scratch<R>(len: usize, f: impl FnOnce(&mut [Self]) -> R) -> R;
}

thread_local! {
    static SCRATCH_F32: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
    static SCRATCH_F64: RefCell<Vec<f64>> = const { RefCell::new(Vec::new()) };
}

macro_rules! impl_float {
    ($t:ty, $scratch:ident) => {
        impl Float for $t {
            const ZERO: Self = 0.0;
            const ONE: Self = 1.0;
            const NEG_INF: Self = <$t>::NEG_INFINITY;
            fn from_count(n: usize) -> Self {
                n as $t
            }
            fn is_nan(self) -> bool {
                <$t>::is_nan(self)
            }
            fn with_scratch<R>(len: usize, f: impl FnOnce(&mut [Self]) -> R) -> R {
                $scratch.with(|s| match s.try_borrow_mut() {
                    Ok(mut v) => {
                        if v.len() < len {
                            v.resize(len, 0.0);
                        }
                        f(&mut v[..len])
                    }
                    // Re-entered on this thread (never by these kernels): a fresh buffer.
                    Err(_) => f(&mut vec![0.0; len]),
                })
            }
        }
    };
}
impl_float!(f32, SCRATCH_F32);
impl_float!(f64, SCRATCH_F64);

/// Strides, dilations and resolved padding of a 2-D convolution or pooling
/// window: everything but the operands' shapes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Conv2dSpec {
    /// Steps between windows along height and width.
    pub strides: [usize; 2],
    /// Spacing of filter taps along height and width (1: dense).
    pub dilations: [usize; 2],
    /// `[before, after]` zero padding along height and width.
    pub pads: [[usize; 2]; 2],
}

/// How the border is padded, as TF's `padding` argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Padding {
    /// Output size `ceil(in / stride)`, padding split evenly (extra after).
    Same,
    /// No padding: windows lie wholly inside the input.
    Valid,
    /// `[before, after]` per spatial dim.
    Explicit([[usize; 2]; 2]),
}

/// The effective extent `(k − 1)·d + 1` of a dilated window.
fn effective(op: &'static str, k: usize, d: usize) -> Result<usize> {
    k.checked_sub(1)
        .and_then(|k1| k1.checked_mul(d))
        .and_then(|e| e.checked_add(1))
        .ok_or_else(|| Error::arg(op, format!("window size {k} with dilation {d} is out of range")))
}

impl Padding {
    /// `[before, after]` pads for each spatial dim of `input` (height, width)
    /// under `window` sizes, `strides` and `dilations`.
    pub fn resolve(
        &self,
        op: &'static str,
        input: [usize; 2],
        window: [usize; 2],
        strides: [usize; 2],
        dilations: [usize; 2],
    ) -> Result<[[usize; 2]; 2]> {
        match self {
            Padding::Valid => Ok([[0, 0]; 2]),
            Padding::Explicit(p) => Ok(*p),
            Padding::Same => {
                let one = |a: usize| -> Result<[usize; 2]> {
                    if strides[a] == 0 {
                        return Err(Error::arg(op, format!("strides must be positive, got {strides:?}")));
                    }
                    let eff = effective(op, window[a], dilations[a])?;
                    let out = input[a].div_ceil(strides[a]);
                    let need = out
                        .saturating_sub(1)
                        .checked_mul(strides[a])
                        .and_then(|v| v.checked_add(eff))
                        .ok_or_else(|| Error::arg(op, "padding size overflows"))?;
                    let total = need.saturating_sub(input[a]);
                    Ok([total / 2, total - total / 2])
                };
                Ok([one(0)?, one(1)?])
            }
        }
    }
}

/// Output length of one spatial dim: `(in + pads − eff) / stride + 1`, or TF's
/// "Computed output size would be negative" error.
pub(crate) fn out_size(
    op: &'static str,
    input: usize,
    window: usize,
    stride: usize,
    dilation: usize,
    pads: [usize; 2],
) -> Result<usize> {
    if stride == 0 || dilation == 0 {
        return Err(Error::arg(
            op,
            format!("strides and dilations must be positive, got stride {stride}, dilation {dilation}"),
        ));
    }
    if window == 0 {
        return Err(Error::arg(op, "window (filter or pool) sizes must be positive, got 0"));
    }
    let eff = effective(op, window, dilation)?;
    let padded = input
        .checked_add(pads[0])
        .and_then(|v| v.checked_add(pads[1]))
        .ok_or_else(|| Error::arg(op, "padded input size overflows"))?;
    // TF's GetWindowedOutputSize: (padded − eff + stride) / stride, an error only
    // when negative (a window one short of fitting gives an empty output).
    let num = padded as i128 - eff as i128 + stride as i128;
    if num < 0 {
        return Err(Error::arg(
            op,
            format!(
                "Computed output size would be negative: {} [input_size: {input}, effective_filter_size: {eff}, stride: {stride}]",
                num / stride as i128
            ),
        ));
    }
    Ok((num / stride as i128) as usize)
}

/// Every size of one convolution, validated.
#[derive(Clone, Copy, Debug)]
struct Geo {
    n: usize,
    h: usize,
    w: usize,
    c: usize,
    kh: usize,
    kw: usize,
    /// Input channels per group (the filter's third dim).
    cig: usize,
    cout: usize,
    groups: usize,
    /// Output channels per group.
    cog: usize,
    oh: usize,
    ow: usize,
    sh: usize,
    sw: usize,
    dh: usize,
    dw: usize,
    pt: usize,
    pl: usize,
    /// Patch columns per group (`kh·kw·cig`) and in all (`kg·groups`).
    kg: usize,
    ktot: usize,
    /// Output rows (`n·oh·ow`).
    rows: usize,
}

fn shape4(op: &'static str, what: &str, s: &[usize]) -> Result<[usize; 4]> {
    match s {
        &[a, b, c, d] => Ok([a, b, c, d]),
        _ => Err(Error::shape(op, format!("{what} must be 4-dimensional, got shape {s:?}"))),
    }
}

fn checked_prod(op: &'static str, dims: &[usize]) -> Result<usize> {
    dims.iter()
        .try_fold(1usize, |a, &d| a.checked_mul(d))
        .ok_or_else(|| Error::arg(op, format!("the size of shape {dims:?} overflows")))
}

impl Geo {
    fn new(op: &'static str, x: &[usize], f: &[usize], spec: &Conv2dSpec) -> Result<Geo> {
        let [n, h, w, c] = shape4(op, "input", x)?;
        let [kh, kw, cig, cout] = shape4(op, "filter", f)?;
        if cig == 0 || c % cig != 0 {
            return Err(Error::arg(
                op,
                format!(
                    "input depth must be evenly divisible by filter depth: {c} vs {cig} (input shape {x:?}, filter shape {f:?})"
                ),
            ));
        }
        let groups = c / cig;
        if groups == 0 || cout % groups != 0 {
            return Err(Error::arg(
                op,
                format!(
                    "output depth must be evenly divisible by the number of groups: {cout} vs {groups} (input shape {x:?}, filter shape {f:?})"
                ),
            ));
        }
        let [sh, sw] = spec.strides;
        let [dh, dw] = spec.dilations;
        let oh = out_size(op, h, kh, sh, dh, spec.pads[0])?;
        let ow = out_size(op, w, kw, sw, dw, spec.pads[1])?;
        let kg = checked_prod(op, &[kh, kw, cig])?;
        let ktot = checked_prod(op, &[kg, groups])?;
        let rows = checked_prod(op, &[n, oh, ow])?;
        checked_prod(op, &[rows, cout])?;
        checked_prod(op, &[rows, ktot])?;
        checked_prod(op, &[n, h, w, c])?;
        Ok(Geo {
            n,
            h,
            w,
            c,
            kh,
            kw,
            cig,
            cout,
            groups,
            cog: cout / groups,
            oh,
            ow,
            sh,
            sw,
            dh,
            dw,
            pt: spec.pads[0][0],
            pl: spec.pads[1][0],
            kg,
            ktot,
            rows,
        })
    }

    /// Output rows per tile: the patch tile holds about 64K elements (256 KB of
    /// f32, inside L2), between 32 and 2048 rows. Depends on the shapes only.
    fn tile_rows(&self) -> usize {
        ((1usize << 16) / self.ktot.max(1)).clamp(32, 2048)
    }

    /// Multiply-adds of one pass (forward or one gradient).
    fn flops(&self) -> usize {
        self.rows.saturating_mul(self.ktot).saturating_mul(self.cog)
    }

    /// Input position `(iy, ix)` of filter tap `(i, j)` for output `(oy, ox)`,
    /// if it is inside the image (else it reads padding).
    #[inline]
    fn tap(&self, oy: usize, ox: usize, i: usize, j: usize) -> Option<(usize, usize)> {
        let iy = (oy * self.sh + i * self.dh).checked_sub(self.pt)?;
        let ix = (ox * self.sw + j * self.dw).checked_sub(self.pl)?;
        (iy < self.h && ix < self.w).then_some((iy, ix))
    }
}

/// Below this many multiply-adds a convolution runs on the calling thread.
const CONV_PAR_MIN_FLOPS: usize = 1 << 20;

/// Gathers the patches of output rows `r0..r0 + rows` into `col` (`rows x
/// ktot`, each group's columns contiguous).
fn im2col<T: Float>(g: &Geo, x: &[T], r0: usize, rows: usize, col: &mut [T]) {
    let ohw = g.oh * g.ow;
    for r in 0..rows {
        let idx = r0 + r;
        let (b, rem) = (idx / ohw, idx % ohw);
        let (oy, ox) = (rem / g.ow, rem % g.ow);
        let dst = &mut col[r * g.ktot..(r + 1) * g.ktot];
        let img = b * g.h * g.w * g.c;
        for i in 0..g.kh {
            for j in 0..g.kw {
                let tap = g.tap(oy, ox, i, j);
                for grp in 0..g.groups {
                    let d0 = grp * g.kg + (i * g.kw + j) * g.cig;
                    let d = &mut dst[d0..d0 + g.cig];
                    match tap {
                        Some((iy, ix)) => {
                            let s0 = img + (iy * g.w + ix) * g.c + grp * g.cig;
                            d.copy_from_slice(&x[s0..s0 + g.cig]);
                        }
                        None => d.fill(T::ZERO),
                    }
                }
            }
        }
    }
}

/// Adds `dcol` (`rows x ktot`, rows `r0..` of image `b`'s output) back onto the
/// image's pixels `dx_img` (`h x w x c`).
fn col2im<T: Float>(g: &Geo, dcol: &[T], r0: usize, rows: usize, dx_img: &mut [T]) {
    for r in 0..rows {
        let rem = r0 + r;
        let (oy, ox) = (rem / g.ow, rem % g.ow);
        let src = &dcol[r * g.ktot..(r + 1) * g.ktot];
        for i in 0..g.kh {
            for j in 0..g.kw {
                let Some((iy, ix)) = g.tap(oy, ox, i, j) else { continue };
                for grp in 0..g.groups {
                    let s0 = grp * g.kg + (i * g.kw + j) * g.cig;
                    let d0 = (iy * g.w + ix) * g.c + grp * g.cig;
                    for (d, &s) in dx_img[d0..d0 + g.cig].iter_mut().zip(&src[s0..s0 + g.cig]) {
                        *d += s;
                    }
                }
            }
        }
    }
}

/// One strided product `dst (+)= lhs · rhs`, single-threaded: `m x k` times
/// `k x n`, element `(i, p)` of lhs at `i·lrs + p·lcs`, and so on.
struct Gemm {
    m: usize,
    n: usize,
    k: usize,
    lhs: (usize, usize),
    rhs: (usize, usize),
    dst: (usize, usize),
}

impl Gemm {
    /// The farthest element a `rows x cols` operand with strides `(rs, cs)` reaches.
    fn reach(rows: usize, cols: usize, (rs, cs): (usize, usize)) -> usize {
        (rows - 1) * rs + (cols - 1) * cs
    }

    /// Runs the product on slices that start at each operand's first element;
    /// `accumulate` adds to `dst` instead of overwriting it. Slices too short for
    /// the plan are a bug: the product is skipped (and debug builds stop).
    fn run<T: Float>(&self, lhs: &[T], rhs: &[T], dst: &mut [T], accumulate: bool) {
        let Gemm { m, n, k, .. } = *self;
        if m == 0 || n == 0 {
            return;
        }
        if k == 0 {
            if !accumulate {
                for i in 0..m {
                    for j in 0..n {
                        dst[i * self.dst.0 + j * self.dst.1] = T::ZERO;
                    }
                }
            }
            return;
        }
        if Self::reach(m, k, self.lhs) >= lhs.len()
            || Self::reach(k, n, self.rhs) >= rhs.len()
            || Self::reach(m, n, self.dst) >= dst.len()
        {
            debug_assert!(false, "conv gemm: operand too short");
            return;
        }
        // SAFETY: the three checks above prove that every element the plan addresses
        // (strides non-negative, up to `reach`) lies inside its slice; `dst` is a
        // `&mut` borrow, so it aliases neither input and nobody else touches it. With
        // read_dst = `accumulate`, gemm computes dst = 1·dst + 1·lhs·rhs (or
        // dst = lhs·rhs when not reading dst).
        unsafe {
            gemm::gemm(
                m,
                n,
                k,
                dst.as_mut_ptr(),
                self.dst.1 as isize,
                self.dst.0 as isize,
                accumulate,
                lhs.as_ptr(),
                self.lhs.1 as isize,
                self.lhs.0 as isize,
                rhs.as_ptr(),
                self.rhs.1 as isize,
                self.rhs.0 as isize,
                T::ONE,
                T::ONE,
                false,
                false,
                false,
                gemm::Parallelism::None,
            );
        }
    }
}

/// Runs `f(i, block)` over `out` cut into `block`-long pieces: in parallel when
/// the work is large, else inline (same blocks, so the same bits).
fn blocks<T: Float>(out: &mut [T], block: usize, flops: usize, f: impl Fn(usize, &mut [T]) + Sync + Send) {
    if out.is_empty() {
        return;
    }
    let block = block.max(1);
    if flops >= CONV_PAR_MIN_FLOPS && !crate::threading::single_threaded() && out.len() > block {
        par_blocks(out, block, f);
    } else {
        let _flush = crate::denormal::FlushDenormals::new();
        for (i, b) in out.chunks_mut(block).enumerate() {
            f(i, b);
        }
    }
}

fn forward<T: Float>(g: &Geo, x: &[T], f: &[T]) -> Vec<T> {
    // gemm overwrites every element: a recycled buffer needs no zeroing
    let mut out = crate::kernels::alloc::alloc::<T>(g.rows * g.cout);
    let tile = g.tile_rows();
    blocks(&mut out, tile * g.cout, g.flops(), |t, y| {
        let r0 = t * tile;
        let rows = y.len() / g.cout.max(1);
        T::with_scratch(rows * g.ktot, |col| {
            im2col(g, x, r0, rows, col);
            for grp in 0..g.groups {
                let plan =
                    Gemm { m: rows, n: g.cog, k: g.kg, lhs: (g.ktot, 1), rhs: (g.cout, 1), dst: (g.cout, 1) };
                plan.run(&col[grp * g.kg..], &f[grp * g.cog..], &mut y[grp * g.cog..], false);
            }
        });
    });
    out
}

fn backprop_input<T: Float>(g: &Geo, f: &[T], dy: &[T]) -> Vec<T> {
    let img = g.h * g.w * g.c;
    if g.rows == 0 || img == 0 {
        return vec![T::ZERO; g.n * img];
    }
    // each image's block is zeroed by the thread that accumulates into it
    let mut dx = crate::kernels::alloc::alloc::<T>(g.n * img);
    // Wᵀ per group, [cog][kg] row-major: a row-major right operand for gemm.
    let mut wt = vec![T::ZERO; g.groups * g.cog * g.kg];
    for grp in 0..g.groups {
        for q in 0..g.cog {
            for p in 0..g.kg {
                wt[(grp * g.cog + q) * g.kg + p] = f[p * g.cout + grp * g.cog + q];
            }
        }
    }
    let ohw = g.oh * g.ow;
    let tile = g.tile_rows();
    blocks(&mut dx, img, g.flops(), |b, dx_img| {
        dx_img.fill(T::ZERO);
        T::with_scratch(tile.min(ohw) * g.ktot, |dcol| {
            let mut r0 = 0;
            while r0 < ohw {
                let rows = tile.min(ohw - r0);
                let g_tile = &dy[(b * ohw + r0) * g.cout..];
                for grp in 0..g.groups {
                    let plan = Gemm {
                        m: rows,
                        n: g.kg,
                        k: g.cog,
                        lhs: (g.cout, 1),
                        rhs: (g.kg, 1),
                        dst: (g.ktot, 1),
                    };
                    plan.run(
                        &g_tile[grp * g.cog..],
                        &wt[grp * g.cog * g.kg..],
                        &mut dcol[grp * g.kg..],
                        false,
                    );
                }
                col2im(g, dcol, r0, rows, dx_img);
                r0 += rows;
            }
        });
    });
    dx
}

/// Number of partial sums the filter gradient is split into (fixed by shape).
const FILTER_SPANS: usize = 16;

fn backprop_filter<T: Float>(g: &Geo, x: &[T], dy: &[T]) -> Vec<T> {
    let fsize = g.kg * g.cout;
    let tile = g.tile_rows();
    let tiles = g.rows.div_ceil(tile);
    if tiles == 0 || fsize == 0 {
        return vec![T::ZERO; fsize];
    }
    let spans = tiles.min(FILTER_SPANS);
    let per_span = tiles.div_ceil(spans);
    let spans = tiles.div_ceil(per_span);
    let mut partials = vec![T::ZERO; spans * fsize];
    blocks(&mut partials, fsize, g.flops(), |s, part| {
        let first = s * per_span;
        let last = ((s + 1) * per_span).min(tiles);
        T::with_scratch(tile * g.ktot, |col| {
            for t in first..last {
                let r0 = t * tile;
                let rows = tile.min(g.rows - r0);
                im2col(g, x, r0, rows, col);
                for grp in 0..g.groups {
                    let plan = Gemm {
                        m: g.kg,
                        n: g.cog,
                        k: rows,
                        lhs: (1, g.ktot),
                        rhs: (g.cout, 1),
                        dst: (g.cout, 1),
                    };
                    plan.run(
                        &col[grp * g.kg..],
                        &dy[r0 * g.cout + grp * g.cog..],
                        &mut part[grp * g.cog..],
                        t > first,
                    );
                }
            }
        });
    });
    let (first, rest) = partials.split_at_mut(fsize);
    for part in rest.chunks(fsize) {
        for (a, &b) in first.iter_mut().zip(part) {
            *a += b;
        }
    }
    partials.truncate(fsize);
    partials
}

fn float_pair<'a>(op: &'static str, a: &'a Tensor, b: &'a Tensor) -> Result<(&'a Buffer, &'a Buffer)> {
    if a.dtype() != b.dtype() {
        return Err(Error::DTypeMismatch { op, lhs: a.dtype(), rhs: b.dtype() });
    }
    if !matches!(a.dtype(), DType::F32 | DType::F64) {
        return Err(Error::UnsupportedDType {
            op,
            dtype: a.dtype(),
            hint: "convolutions take float32 or float64 tensors; cast them with tf.cast first",
        });
    }
    Ok((a.buffer(), b.buffer()))
}

/// `conv2d(x, filter)`: `x` `[n, h, w, c]`, `filter` `[kh, kw, c / groups, cout]`,
/// output `[n, oh, ow, cout]`.
pub fn conv2d(x: &Tensor, filter: &Tensor, spec: &Conv2dSpec) -> Result<Tensor> {
    const OP: &str = "Conv2D";
    let g = Geo::new(OP, x.shape(), filter.shape(), spec)?;
    let buf = match float_pair(OP, x, filter)? {
        (Buffer::F32(a), Buffer::F32(b)) => Buffer::F32(forward(&g, a, b)),
        (Buffer::F64(a), Buffer::F64(b)) => Buffer::F64(forward(&g, a, b)),
        _ => return Err(Error::DTypeMismatch { op: OP, lhs: x.dtype(), rhs: filter.dtype() }),
    };
    Tensor::from_buffer(buf, &[g.n, g.oh, g.ow, g.cout])
}

/// The output's shape of [`conv2d`] (validating the operands' shapes).
pub fn conv2d_output_shape(
    op: &'static str,
    x: &[usize],
    filter: &[usize],
    spec: &Conv2dSpec,
) -> Result<[usize; 4]> {
    let g = Geo::new(op, x, filter, spec)?;
    Ok([g.n, g.oh, g.ow, g.cout])
}

/// The gradient of [`conv2d`] with respect to its input of shape `input_shape`,
/// from the output gradient `dy` (TF's `Conv2DBackpropInput`, the transposed
/// convolution).
pub fn conv2d_backprop_input(
    input_shape: &[usize],
    filter: &Tensor,
    dy: &Tensor,
    spec: &Conv2dSpec,
) -> Result<Tensor> {
    const OP: &str = "Conv2DBackpropInput";
    let g = Geo::new(OP, input_shape, filter.shape(), spec)?;
    check_dy(OP, &g, dy)?;
    let buf = match float_pair(OP, filter, dy)? {
        (Buffer::F32(a), Buffer::F32(b)) => Buffer::F32(backprop_input(&g, a, b)),
        (Buffer::F64(a), Buffer::F64(b)) => Buffer::F64(backprop_input(&g, a, b)),
        _ => return Err(Error::DTypeMismatch { op: OP, lhs: filter.dtype(), rhs: dy.dtype() }),
    };
    Tensor::from_buffer(buf, input_shape)
}

/// The gradient of [`conv2d`] with respect to its filter of shape
/// `filter_shape`, from the input `x` and the output gradient `dy` (TF's
/// `Conv2DBackpropFilter`).
pub fn conv2d_backprop_filter(
    x: &Tensor,
    filter_shape: &[usize],
    dy: &Tensor,
    spec: &Conv2dSpec,
) -> Result<Tensor> {
    const OP: &str = "Conv2DBackpropFilter";
    let g = Geo::new(OP, x.shape(), filter_shape, spec)?;
    check_dy(OP, &g, dy)?;
    let buf = match float_pair(OP, x, dy)? {
        (Buffer::F32(a), Buffer::F32(b)) => Buffer::F32(backprop_filter(&g, a, b)),
        (Buffer::F64(a), Buffer::F64(b)) => Buffer::F64(backprop_filter(&g, a, b)),
        _ => return Err(Error::DTypeMismatch { op: OP, lhs: x.dtype(), rhs: dy.dtype() }),
    };
    Tensor::from_buffer(buf, filter_shape)
}

fn check_dy(op: &'static str, g: &Geo, dy: &Tensor) -> Result<()> {
    let want = [g.n, g.oh, g.ow, g.cout];
    if dy.shape() != want {
        return Err(Error::shape(
            op,
            format!(
                "out_backprop has shape {:?} but the convolution's output has shape {want:?}",
                dy.shape()
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The definition, one output element at a time.
    fn naive(x: &[f64], xs: [usize; 4], f: &[f64], fs: [usize; 4], spec: &Conv2dSpec) -> Vec<f64> {
        let g = Geo::new("t", &xs, &fs, spec).unwrap();
        let mut y = vec![0.0; g.rows * g.cout];
        for b in 0..g.n {
            for oy in 0..g.oh {
                for ox in 0..g.ow {
                    for co in 0..g.cout {
                        let grp = co / g.cog;
                        let mut s = 0.0;
                        for i in 0..g.kh {
                            for j in 0..g.kw {
                                if let Some((iy, ix)) = g.tap(oy, ox, i, j) {
                                    for ci in 0..g.cig {
                                        s += x[((b * g.h + iy) * g.w + ix) * g.c + grp * g.cig + ci]
                                            * f[((i * g.kw + j) * g.cig + ci) * g.cout + co];
                                    }
                                }
                            }
                        }
                        y[((b * g.oh + oy) * g.ow + ox) * g.cout + co] = s;
                    }
                }
            }
        }
        y
    }

    fn vals(n: usize, seed: f64) -> Vec<f64> {
        (0..n).map(|i| ((i as f64 + seed) * 0.37).sin()).collect()
    }

    fn dot(a: &[f64], b: &[f64]) -> f64 {
        a.iter().zip(b).map(|(x, y)| x * y).sum()
    }

    #[test]
    fn forward_and_adjoints_match_the_definition() {
        let cases = [
            ([2, 7, 6, 3], [3, 2, 3, 4], [1, 1], [1, 1], [[1, 1], [0, 1]]),
            ([1, 9, 8, 4], [3, 3, 2, 6], [2, 1], [1, 2], [[2, 0], [1, 1]]),
            ([3, 40, 30, 2], [2, 3, 2, 5], [1, 2], [2, 1], [[0, 0], [0, 0]]),
            ([1, 5, 5, 4], [3, 3, 1, 8], [1, 1], [1, 1], [[1, 1], [1, 1]]),
        ];
        for (xs, fs, strides, dilations, pads) in cases {
            let spec = Conv2dSpec { strides, dilations, pads };
            let x = vals(xs.iter().product(), 0.5);
            let f = vals(fs.iter().product(), 1.5);
            let want = naive(&x, xs, &f, fs, &spec);
            let xt = Tensor::from_vec(x.clone(), &xs).unwrap();
            let ft = Tensor::from_vec(f.clone(), &fs).unwrap();
            let y = conv2d(&xt, &ft, &spec).unwrap();
            for (a, b) in y.as_slice::<f64>().unwrap().iter().zip(&want) {
                assert!((a - b).abs() < 1e-12, "{xs:?} {fs:?}: {a} vs {b}");
            }
            // <conv(x, f), g> = <x, Bi(f, g)> = <f, Bf(x, g)>
            let gv = vals(want.len(), 2.5);
            let gt = Tensor::from_vec(gv.clone(), y.shape()).unwrap();
            let dx = conv2d_backprop_input(&xs, &ft, &gt, &spec).unwrap();
            let df = conv2d_backprop_filter(&xt, &fs, &gt, &spec).unwrap();
            let lhs = dot(&want, &gv);
            assert!((dot(&x, dx.as_slice::<f64>().unwrap()) - lhs).abs() < 1e-9);
            assert!((dot(&f, df.as_slice::<f64>().unwrap()) - lhs).abs() < 1e-9);
        }
    }

    #[test]
    fn bad_shapes_are_errors() {
        let spec = Conv2dSpec { strides: [1, 1], dilations: [1, 1], pads: [[0, 0]; 2] };
        let x = Tensor::from_vec(vec![0.0f32; 12], &[1, 2, 2, 3]).unwrap();
        let f = Tensor::from_vec(vec![0.0f32; 54], &[3, 3, 3, 2]).unwrap();
        // one short of fitting: an empty output (TF); two short: an error
        assert_eq!(conv2d(&x, &f, &spec).unwrap().shape(), &[1, 0, 0, 2]);
        let x1 = Tensor::from_vec(vec![0.0f32; 3], &[1, 1, 1, 3]).unwrap();
        assert!(conv2d(&x1, &f, &spec).is_err());
        let f4 = Tensor::from_vec(vec![0.0f32; 8], &[1, 1, 4, 2]).unwrap();
        assert!(conv2d(&x, &f4, &spec).is_err());
        let x3 = Tensor::from_vec(vec![0.0f32; 12], &[2, 2, 3]).unwrap();
        assert!(conv2d(&x3, &f, &spec).is_err());
        let huge = Conv2dSpec { strides: [1, 1], dilations: [usize::MAX, 1], pads: [[0, 0]; 2] };
        assert!(conv2d(&x, &f, &huge).is_err());
    }
}

//! Batched matrix products through the `gemm` crate.
//!
//! Transposes are folded into gemm's row/column strides, so no operand is ever
//! copied. Batch dims broadcast with numpy rules; each batch is one gemm call.

use gemm::Parallelism;
use rayon::prelude::*;

use crate::kernels::alloc::{Pooled, alloc};
use crate::kernels::strided::{Strided, Strides, broadcast_strides};
use crate::shape::{Shape, broadcast_shapes, numel};
use crate::{Buffer, Error, Result, Tensor};

/// A batch of products with at least this many multiply-adds in all runs its
/// products on the pool; less work runs single-threaded (threading costs more).
const GEMM_PAR_MIN_FLOPS: usize = 1 << 18;
/// One product with at least this many multiply-adds (m·n·k) is cut into a block
/// per thread. Higher than [`GEMM_PAR_MIN_FLOPS`]: a cut product waits for every
/// block, and waking a pool thread took 16-100 µs on the 2-core VMs we measure
/// on, while 2^22 multiply-adds are ~45 µs of one core. Below this, a 64x512x10
/// logits product went from 21 µs to 57 µs at 2 threads.
const GEMM_SPLIT_MIN_FLOPS: usize = 1 << 22;

/// Dimensions and strides of one (possibly transposed) matrix product.
#[derive(Clone, Copy, Debug)]
struct Plan {
    m: usize,
    n: usize,
    k: usize,
    /// lhs element (i, p) is at `i * lhs_rs + p * lhs_cs`.
    lhs_rs: isize,
    lhs_cs: isize,
    /// rhs element (p, j) is at `p * rhs_rs + j * rhs_cs`.
    rhs_rs: isize,
    rhs_cs: isize,
}

/// Element types gemm supports that tapegrad stores.
trait GemmElem: Pooled + Send + Sync + 'static {
    const ZERO: Self;
    const ONE: Self;
}
impl GemmElem for f32 {
    const ZERO: Self = 0.0;
    const ONE: Self = 1.0;
}
impl GemmElem for f64 {
    const ZERO: Self = 0.0;
    const ONE: Self = 1.0;
}

/// `dst = lhs @ rhs` for one matrix, split into `pieces` independent products
/// run on the pool when `pieces > 1`. `dst` is row-major `m x n`.
fn gemm_one<T: GemmElem>(plan: &Plan, lhs: &[T], rhs: &[T], dst: &mut [T], pieces: usize) {
    let Plan { m, n, k, lhs_rs, lhs_cs, rhs_rs, rhs_cs } = *plan;
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        // An empty sum: the (already zeroed) output is the answer.
        dst.fill(T::ZERO);
        return;
    }
    // Hard bounds checks (cheap, once per call) so the unsafe calls below can rely on them
    // even if a caller made a mistake: the farthest element each operand addresses.
    // No product here wraps: m x k, k x n and m x n are valid shapes (the inputs are
    // tensors, the output passed `shape::check_alloc` in `matmul`), so each is at most
    // `shape::MAX_ELEMENTS` (2^60) and fits `isize`.
    let last =
        |rows: usize, rs: isize, cols: usize, cs: isize| (rows - 1) as isize * rs + (cols - 1) as isize * cs;
    if dst.len() != m * n
        || last(m, lhs_rs, k, lhs_cs) as usize >= lhs.len()
        || last(k, rhs_rs, n, rhs_cs) as usize >= rhs.len()
    {
        debug_assert!(false, "gemm_one: operand too short for plan {plan:?}");
        return;
    }
    if col_major_output_pays(plan) {
        // gemm writes a column-major copy, transposed into `dst` afterwards.
        let mut scratch = alloc::<T>(m * n);
        run_blocks(plan, lhs, rhs, &mut scratch, (1, m), pieces);
        if !crate::kernels::transpose::permute_into(&scratch, &[m, n], &[1, m as isize], dst) {
            // m or n is 1: the column-major copy is already row-major.
            dst.copy_from_slice(&scratch);
        }
    } else {
        run_blocks(plan, lhs, rhs, dst, (n, 1), pieces);
    }
}

/// Whether writing the product column-major (then transposing it) beats writing
/// it row-major. gemm works in column-major orientation, so for a row-major
/// output it solves the transposed problem, whose first operand is `rhs^T`. When
/// `rhs` is column-major itself (a transposed B: the backward pass's `g @ W^T`)
/// and the output has few rows, that problem runs 2-7x slower in gemm 0.19 than
/// the untransposed one; the transposing copy of a short-and-wide output costs
/// far less. Measured (1 thread, µs, row-major vs column-major + copy):
/// 16x512x512 621 vs 95, 64x512x512 852 vs 394, 64x784x512 660 vs 531; with more
/// rows, or a short sum (k), the copy costs more than it saves (512x512x64 367 vs
/// 867; 64x10x512 10 vs 58, 64x128x512 106 vs 131).
fn col_major_output_pays(plan: &Plan) -> bool {
    plan.rhs_cs != 1 && plan.rhs_rs == 1 && plan.m <= 64 && plan.n > plan.m && plan.k >= 256
}

/// `dst = lhs @ rhs` with `dst` strided by `(dst_rs, dst_cs)` (one of them 1),
/// split into `pieces` blocks run on the pool when `pieces > 1`. The operands'
/// bounds were checked by [`gemm_one`].
fn run_blocks<T: GemmElem>(
    plan: &Plan,
    lhs: &[T],
    rhs: &[T],
    dst: &mut [T],
    (dst_rs, dst_cs): (usize, usize),
    pieces: usize,
) {
    let Plan { m, n, lhs_rs, rhs_cs, .. } = *plan;
    debug_assert_eq!(dst.len(), m * n);
    let split = Split::new(m, n, pieces);
    let (dst_ptr, lhs_ptr, rhs_ptr) =
        (SendPtr(dst.as_mut_ptr()), SendPtr(lhs.as_ptr().cast_mut()), SendPtr(rhs.as_ptr().cast_mut()));
    let piece = |p: usize| {
        let (rows, cols) = split.piece(p);
        // SAFETY: (checked invariant: `gemm_one`'s bounds checks passed, and m*n, m*k,
        // k*n are element counts of valid shapes, so no offset below wraps.)
        // `rows` and `cols` lie inside 0..m and 0..n, so every element the piece
        // reads or writes is one the full product addresses: in bounds for the inputs by
        // `gemm_one`'s checks (strides are non-negative), and for `dst`, which holds
        // m*n elements laid out by (dst_rs, dst_cs) = (n, 1) or (1, m). Different pieces
        // cover disjoint blocks of `dst`, so no two writers alias, and `dst` (borrowed
        // `&mut` for this whole call) aliases neither input. The pointers outlive the
        // pieces: the rayon scope below returns before this function does.
        unsafe {
            gemm_block(
                Plan { m: rows.len(), n: cols.len(), ..*plan },
                dst_ptr.get().add(rows.start * dst_rs + cols.start * dst_cs),
                (dst_rs as isize, dst_cs as isize),
                lhs_ptr.get().offset(rows.start as isize * lhs_rs),
                rhs_ptr.get().offset(cols.start as isize * rhs_cs),
            )
        }
    };
    crate::threading::for_each_piece(split.pieces, piece);
}

/// `dst = lhs @ rhs` for one block of a product, single-threaded. `dst` has row
/// and column strides `dst_rs`, `dst_cs`.
///
/// # Safety
/// `lhs`, `rhs` and `dst` must address every element the plan's strides reach for
/// its `m x k`, `k x n` and `m x n` operands, and `dst`'s elements must not be read or
/// written by anyone else during the call.
unsafe fn gemm_block<T: GemmElem>(
    plan: Plan,
    dst: *mut T,
    (dst_rs, dst_cs): (isize, isize),
    lhs: *const T,
    rhs: *const T,
) {
    let Plan { m, n, k, lhs_rs, lhs_cs, rhs_rs, rhs_cs } = plan;
    // SAFETY: the caller guarantees the operands cover what the plan addresses and
    // that `dst` is not aliased. read_dst = false means alpha (which would scale dst)
    // is ignored; beta = 1 scales the product, giving dst = lhs @ rhs.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            dst,
            dst_cs,
            dst_rs,
            false,
            lhs,
            lhs_cs,
            lhs_rs,
            rhs,
            rhs_cs,
            rhs_rs,
            T::ZERO,
            T::ONE,
            false,
            false,
            false,
            Parallelism::None,
        );
    }
}

/// A raw pointer handed to the pool's threads; [`gemm_one`] proves the disjointness.
#[derive(Clone, Copy)]
struct SendPtr<T>(*mut T);
impl<T> SendPtr<T> {
    /// The pointer. A method, not field access, so closures capture the whole
    /// `SendPtr` (which is `Send`), not the bare pointer field.
    fn get(self) -> *mut T {
        self.0
    }
}
// SAFETY: a `SendPtr` is only dereferenced in `gemm_one`'s pieces, which write
// disjoint blocks of one `&mut` output and only read the shared inputs.
unsafe impl<T: Send> Send for SendPtr<T> {}
// SAFETY: as above; shared access only ever reads the inputs.
unsafe impl<T: Sync> Sync for SendPtr<T> {}

/// How one product is cut into blocks that run on separate threads.
///
/// Why not gemm's own `Parallelism::Rayon`: on the skinny products of an MLP step
/// (64 x 784 x 512 and its transposes) it was no faster at 2 threads than at 1 --
/// it synchronises the pool several times per call (packing, then each k block).
/// Cutting the output into one block per thread and running single-threaded gemm on
/// each needs one synchronisation, and each thread packs only its share of the
/// wide operand.
///
/// The cut keeps the bits: every output element is still computed by the same
/// sequence of FMAs, because gemm's k blocking depends on k alone -- provided each
/// block takes the same code path in gemm as the whole product would (gemm switches
/// to other kernels for tiny or vector-shaped products; see [`same_gemm_path`]).
#[derive(Clone, Copy, Debug)]
struct Split {
    /// Cut along rows (m) if true, else along columns (n).
    rows: bool,
    m: usize,
    n: usize,
    /// Rows or columns per block (the last block may be shorter).
    step: usize,
    pieces: usize,
}

/// Blocks are multiples of this many rows or columns, a multiple of every f32/f64
/// gemm micro-tile edge, so no block boundary creates an extra partial tile.
const SPLIT_ALIGN: usize = 16;

impl Split {
    fn new(m: usize, n: usize, wanted: usize) -> Self {
        // Cut the longer side: the other operand is then packed once per thread in
        // full, and the shorter it is, the less that duplication costs.
        let rows = m > n;
        let len = if rows { m } else { n };
        let mut pieces = wanted.max(1);
        loop {
            let step = len.div_ceil(pieces).next_multiple_of(SPLIT_ALIGN).min(len);
            let pieces_now = len.div_ceil(step);
            let (pm, pn) = if rows {
                (step.min(len - step * (pieces_now - 1)), n)
            } else {
                (m, step.min(len - step * (pieces_now - 1)))
            };
            let (fm, fn_) = if rows { (step, n) } else { (m, step) };
            if pieces_now == 1 || (same_gemm_path(m, n, fm, fn_) && same_gemm_path(m, n, pm, pn)) {
                return Split { rows, m, n, step, pieces: pieces_now };
            }
            pieces -= 1;
        }
    }

    /// The rows and columns of block `p`.
    fn piece(&self, p: usize) -> (std::ops::Range<usize>, std::ops::Range<usize>) {
        let len = if self.rows { self.m } else { self.n };
        let cut = p * self.step..((p + 1) * self.step).min(len);
        if self.rows { (cut, 0..self.n) } else { (0..self.m, cut) }
    }
}

/// Whether gemm 0.19 computes an `pm x pn` block with the same kernels, and so the
/// same k blocking and FMA order, as the whole `m x n` product. gemm's dispatch
/// (gemm-common `gemm.rs`) branches on: m·n <= 256 (horizontal kernels), m or n <= 1
/// (gemv), and m <= 64 && n <= 64 (fixed kc = min(k, 512) instead of the
/// cache-derived kc).
fn same_gemm_path(m: usize, n: usize, pm: usize, pn: usize) -> bool {
    let class = |m: usize, n: usize| (m * n <= 256, m <= 1, n <= 1, m <= 64 && n <= 64);
    class(m, n) == class(pm, pn)
}

fn batched<T: GemmElem>(
    a: &[T],
    b: &[T],
    plan: &Plan,
    batch: &Shape,
    a_batch: &[usize],
    b_batch: &[usize],
) -> Vec<T> {
    let (m, n, k) = (plan.m, plan.n, plan.k);
    let nb = numel(batch);
    let mn = m * n;
    // gemm overwrites every element (and k = 0 fills zeros), so a recycled buffer
    // serves: no zeroing pass, no page faults on a fresh mapping.
    let mut out = alloc::<T>(nb * mn);
    if out.is_empty() {
        return out;
    }
    // Per-batch element offsets of each operand (0 stride on broadcast batch dims).
    let sa: Strides = broadcast_strides(a_batch, batch).iter().map(|&s| s * (m * k) as isize).collect();
    let sb: Strides = broadcast_strides(b_batch, batch).iter().map(|&s| s * (k * n) as isize).collect();
    let it = Strided::<2>::new(batch, [&sa, &sb], [0, 0]);
    let mut offsets = Vec::with_capacity(nb);
    let [ia, ib] = it.inner_strides();
    it.for_rows(0, it.rows(), |_, [oa, ob]| {
        for i in 0..it.inner() as isize {
            offsets.push(((oa + i * ia) as usize, (ob + i * ib) as usize));
        }
    });
    let (alen, blen) = (m * k, k * n);
    let flops = m.saturating_mul(n).saturating_mul(k);
    let parallel =
        flops >= GEMM_SPLIT_MIN_FLOPS || (nb > 1 && nb.saturating_mul(flops) >= GEMM_PAR_MIN_FLOPS);
    if !parallel || crate::threading::single_threaded() {
        // Small products, or one thread: no pool wake-up (it costs more than a
        // small GEMM); the pool threads' flush-to-zero mode keeps the bits the same.
        let _flush = crate::denormal::FlushDenormals::new();
        for (dst, &(oa, ob)) in out.chunks_mut(mn).zip(&offsets) {
            gemm_one(plan, &a[oa..oa + alen], &b[ob..ob + blen], dst, 1);
        }
        return out;
    }
    if flops >= GEMM_SPLIT_MIN_FLOPS {
        // Big products: each one is cut into a block per thread, the caller
        // computing one block (see `threading::for_each_piece`).
        let pieces = crate::threading::threads_here();
        for (dst, &(oa, ob)) in out.chunks_mut(mn).zip(&offsets) {
            gemm_one(plan, &a[oa..oa + alen], &b[ob..ob + blen], dst, pieces);
        }
    } else {
        // Many small products (`parallel` above): one single-threaded gemm per
        // batch, batches in parallel.
        crate::threading::install(|| {
            out.par_chunks_mut(mn).zip(offsets.par_iter()).for_each(|(dst, &(oa, ob))| {
                gemm_one(plan, &a[oa..oa + alen], &b[ob..ob + blen], dst, 1);
            });
        });
    }
    out
}

pub(crate) fn matmul(a: &Tensor, b: &Tensor, transpose_a: bool, transpose_b: bool) -> Result<Tensor> {
    if a.dtype() != b.dtype() {
        return Err(Error::DTypeMismatch { op: "matmul", lhs: a.dtype(), rhs: b.dtype() });
    }
    if !a.dtype().is_float() {
        return Err(Error::UnsupportedDType {
            op: "matmul",
            dtype: a.dtype(),
            hint: "matmul takes float32 or float64 tensors; cast the operands with tapegrad.cast first",
        });
    }
    let (ar, br) = (a.rank(), b.rank());
    if ar < 2 || br < 2 {
        return Err(Error::shape(
            "matmul",
            format!(
                "both operands need rank >= 2, got shapes {:?} and {:?}; add a dim with tf.expand_dims or reshape",
                a.shape(),
                b.shape()
            ),
        ));
    }
    let (a_batch, a_mat) = a.shape().split_at(ar - 2);
    let (b_batch, b_mat) = b.shape().split_at(br - 2);
    let (m, ka) = if transpose_a { (a_mat[1], a_mat[0]) } else { (a_mat[0], a_mat[1]) };
    let (kb, n) = if transpose_b { (b_mat[1], b_mat[0]) } else { (b_mat[0], b_mat[1]) };
    if ka != kb {
        return Err(Error::shape(
            "matmul",
            format!(
                "Matrix size-incompatible: In[0]: {:?}, In[1]: {:?} (transpose_a={transpose_a}, transpose_b={transpose_b}); \
                 the contracted dims are {ka} and {kb} and must be equal",
                a.shape(),
                b.shape()
            ),
        ));
    }
    let k = ka;
    let batch = broadcast_shapes("matmul", a_batch, b_batch).map_err(|_| {
        Error::shape(
            "matmul",
            format!(
                "batch dims {a_batch:?} and {b_batch:?} of shapes {:?} and {:?} do not broadcast; each must match or be 1",
                a.shape(),
                b.shape()
            ),
        )
    })?;
    // Row-major storage: A is [m,k] (or [k,m] transposed), B is [k,n] (or [n,k]).
    let (lhs_rs, lhs_cs) = if transpose_a { (1, m as isize) } else { (k as isize, 1) };
    let (rhs_rs, rhs_cs) = if transpose_b { (1, k as isize) } else { (n as isize, 1) };
    let plan = Plan { m, n, k, lhs_rs, lhs_cs, rhs_rs, rhs_cs };
    let mut shape = batch.clone();
    shape.extend([m, n]);
    crate::shape::check_alloc("matmul", &shape, a.dtype())?;
    let buf = match (a.buffer(), b.buffer()) {
        (Buffer::F32(x), Buffer::F32(y)) => Buffer::F32(batched(x, y, &plan, &batch, a_batch, b_batch)),
        (Buffer::F64(x), Buffer::F64(y)) => Buffer::F64(batched(x, y, &plan, &batch, a_batch, b_batch)),
        _ => return Err(Error::DTypeMismatch { op: "matmul", lhs: a.dtype(), rhs: b.dtype() }),
    };
    Ok(Tensor::new_unchecked(buf, shape))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Element;

    fn t<T: Element>(v: Vec<T>, s: &[usize]) -> Tensor {
        Tensor::from_vec(v, s).unwrap()
    }

    fn naive(a: &[f64], b: &[f64], m: usize, k: usize, n: usize) -> Vec<f64> {
        let mut c = vec![0.0; m * n];
        for i in 0..m {
            for j in 0..n {
                c[i * n + j] = (0..k).map(|p| a[i * k + p] * b[p * n + j]).sum();
            }
        }
        c
    }

    fn transpose2(x: &[f64], r: usize, c: usize) -> Vec<f64> {
        let mut o = vec![0.0; r * c];
        for i in 0..r {
            for j in 0..c {
                o[j * r + i] = x[i * c + j];
            }
        }
        o
    }

    #[test]
    fn matches_naive_with_transposes() {
        // (3, 300, 70) with a transposed rhs takes the column-major output path.
        for (m, k, n) in [(5, 7, 3), (3, 300, 70)] {
            let a: Vec<f64> = (0..m * k).map(|v| (v as f64 * 0.3).sin()).collect();
            let b: Vec<f64> = (0..k * n).map(|v| (v as f64 * 0.7).cos()).collect();
            let want = naive(&a, &b, m, k, n);
            let at = transpose2(&a, m, k);
            let bt = transpose2(&b, k, n);
            for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
                let x = if ta { t(at.clone(), &[k, m]) } else { t(a.clone(), &[m, k]) };
                let y = if tb { t(bt.clone(), &[n, k]) } else { t(b.clone(), &[k, n]) };
                let r = matmul(&x, &y, ta, tb).unwrap();
                assert_eq!(r.shape(), &[m, n]);
                for (g, w) in r.as_slice::<f64>().unwrap().iter().zip(&want) {
                    assert!((g - w).abs() < 1e-12, "{m}x{k}x{n} ta={ta} tb={tb}: {g} vs {w}");
                }
            }
        }
    }

    #[test]
    fn batch_broadcasting() {
        let a: Vec<f64> = (0..2 * 2 * 3).map(|v| v as f64).collect();
        let b: Vec<f64> = (0..3 * 4).map(|v| v as f64 - 5.0).collect();
        // [2,1,2,3] @ [3,3,4] -> [2,3,2,4]
        let b3: Vec<f64> = (0..3).flat_map(|i| b.iter().map(move |v| v * (i as f64 + 1.0))).collect();
        let r = matmul(&t(a.clone(), &[2, 1, 2, 3]), &t(b3.clone(), &[3, 3, 4]), false, false).unwrap();
        assert_eq!(r.shape(), &[2, 3, 2, 4]);
        let r = r.as_slice::<f64>().unwrap();
        for i in 0..2 {
            for j in 0..3 {
                let want = naive(&a[i * 6..i * 6 + 6], &b3[j * 12..j * 12 + 12], 2, 3, 4);
                assert_eq!(&r[(i * 3 + j) * 8..(i * 3 + j) * 8 + 8], want.as_slice());
            }
        }
    }

    #[test]
    fn edge_shapes_and_errors() {
        let z = matmul(&t(Vec::<f32>::new(), &[2, 0]), &t(Vec::<f32>::new(), &[0, 3]), false, false).unwrap();
        assert_eq!((z.shape(), z.as_slice::<f32>().unwrap()), (&[2usize, 3][..], &[0.0f32; 6][..]));
        let e = matmul(&t(Vec::<f32>::new(), &[0, 2]), &t(vec![1.0f32; 6], &[2, 3]), false, false).unwrap();
        assert_eq!(e.shape(), &[0, 3]);
        let a = t(vec![1.0f32; 6], &[2, 3]);
        assert!(matches!(matmul(&a, &a, false, false), Err(Error::InvalidShape { op: "matmul", .. })));
        assert!(matmul(&a, &a, false, true).is_ok());
        assert!(matches!(
            matmul(&t(vec![1.0f32; 3], &[3]), &a, false, false),
            Err(Error::InvalidShape { .. })
        ));
        let i = t(vec![1i32; 4], &[2, 2]);
        assert!(matches!(matmul(&i, &i, false, false), Err(Error::UnsupportedDType { .. })));
        assert!(matches!(
            matmul(&a, &t(vec![1.0f64; 6], &[3, 2]), false, false),
            Err(Error::DTypeMismatch { .. })
        ));
        let bb = matmul(&t(vec![1.0f32; 12], &[2, 2, 3]), &t(vec![1.0f32; 18], &[3, 3, 2]), false, false);
        assert!(matches!(bb, Err(Error::InvalidShape { .. })));
    }

    /// gemm's rayon mode must give the same bits at any pool size: measured
    /// bit-identical at 1, 2 and 4 threads for this 300x200x500 f32 product.
    #[test]
    fn gemm_is_thread_count_independent() {
        let (m, k, n) = (300, 200, 500);
        let a: Vec<f32> = (0..m * k).map(|v| ((v * 7919) % 1000) as f32 * 1e-3 - 0.5).collect();
        let b: Vec<f32> = (0..k * n).map(|v| ((v * 104_729) % 997) as f32 * 1e-3 - 0.4).collect();
        let (ta, tb) = (t(a, &[m, k]), t(b, &[k, n]));
        let run = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| matmul(&ta, &tb, false, false).unwrap())
        };
        let r1 = run(1);
        for threads in [2, 4] {
            let r = run(threads);
            let same = r1
                .as_slice::<f32>()
                .unwrap()
                .iter()
                .zip(r.as_slice::<f32>().unwrap())
                .all(|(x, y)| x.to_bits() == y.to_bits());
            assert!(same, "matmul differs between 1 and {threads} threads");
        }
    }

    /// Cutting a product into per-thread blocks must not change a bit, whatever
    /// the number of blocks, the shape (skinny, square, near gemm's path
    /// boundaries) or the transposes.
    #[test]
    fn split_products_are_bit_identical() {
        let shapes = [
            (64, 784, 512),
            (512, 64, 10),
            (784, 64, 512),
            (65, 300, 70),
            (64, 600, 65),
            (300, 1000, 40),
            (1, 700, 900),
            (900, 700, 2),
            (16, 512, 512),
            (64, 784, 512),
            (3, 300, 400),
        ];
        for &(m, k, n) in &shapes {
            let a: Vec<f32> = (0..m * k).map(|v| ((v * 7919) % 1000) as f32 * 1e-3 - 0.5).collect();
            let b: Vec<f32> = (0..k * n).map(|v| ((v * 104_729) % 997) as f32 * 1e-3 - 0.4).collect();
            for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
                let (lhs_rs, lhs_cs) = if ta { (1, m as isize) } else { (k as isize, 1) };
                let (rhs_rs, rhs_cs) = if tb { (1, k as isize) } else { (n as isize, 1) };
                let plan = Plan { m, n, k, lhs_rs, lhs_cs, rhs_rs, rhs_cs };
                let mut whole = vec![0.0f32; m * n];
                gemm_one(&plan, &a, &b, &mut whole, 1);
                for pieces in [2, 3, 4, 8, 16] {
                    let mut cut = vec![0.0f32; m * n];
                    gemm_one(&plan, &a, &b, &mut cut, pieces);
                    let same = whole.iter().zip(&cut).all(|(x, y)| x.to_bits() == y.to_bits());
                    assert!(same, "{m}x{k}x{n} (ta={ta}, tb={tb}) differs when cut into {pieces} blocks");
                }
            }
        }
    }
}

//! Reductions (sum, mean, max, min, prod, any, all) over any set of axes.
//!
//! The input is first coalesced into alternating groups of kept and reduced
//! dims (`[2,3,4]` over axes `{1,2}` is just 2 rows of 12).
//! Each reduced group is then removed by one of two contiguous kernels:
//! * trailing group, `[.., R]`: reduce each row of length R ([`reduce_slice`]);
//! * inner group, `[.., R, K]`: add R rows of length K elementwise
//!   ([`reduce_cols`]), a vectorisable loop over contiguous rows.
//!
//! Float order is fixed by the data's shape alone: slices are reduced with 32
//! independent lanes inside pairwise-split blocks, columns by pairwise-split
//! row ranges, and parallel partials are combined in chunk order. The result is
//! bit-identical whatever the thread count, and more accurate than a running sum.

use crate::kernels::ReduceKind;
use crate::kernels::fusion::{Pending, Program, with_scratch};
use crate::kernels::parallel::{CHUNK_ELEMS, for_each_chunk_weighted, is_large, map_chunks, par_blocks};
use crate::kernels::scalar::Num;
use crate::kernels::simd::dispatch;
use crate::shape::{Shape, reduced_shape};
use crate::{Buffer, DType, Error, Result, Tensor};

/// An associative, commutative combine with an identity: what a reduction folds with.
pub(crate) trait Monoid<T>: Copy + Send + Sync {
    /// True for selections (max/min), whose value does not depend on the
    /// grouping: their leaves use [`WIDE_LANES`] accumulators, hiding the
    /// latency of the NaN-propagating compare-and-select.
    const WIDE: bool = false;
    fn identity(self) -> T;
    /// For `WIDE` monoids: the combine on non-NaN values (a plain compare-select).
    #[inline(always)]
    fn select(self, a: T, b: T) -> T {
        self.combine(a, b)
    }
    /// For `WIDE` monoids: true if `v` is a NaN (which then wins).
    #[inline(always)]
    fn nan(self, _v: T) -> bool {
        false
    }
    fn combine(self, a: T, b: T) -> T;
}

#[derive(Clone, Copy)]
pub(crate) struct SumOp;
#[derive(Clone, Copy)]
pub(crate) struct ProdOp;
#[derive(Clone, Copy)]
pub(crate) struct MaxOp;
#[derive(Clone, Copy)]
pub(crate) struct MinOp;
#[derive(Clone, Copy)]
struct AnyOp;
#[derive(Clone, Copy)]
struct AllOp;

impl<T: Num> Monoid<T> for SumOp {
    #[inline(always)]
    fn identity(self) -> T {
        T::ZERO
    }
    #[inline(always)]
    fn combine(self, a: T, b: T) -> T {
        a.add(b)
    }
}
impl<T: Num> Monoid<T> for ProdOp {
    #[inline(always)]
    fn identity(self) -> T {
        T::ONE
    }
    #[inline(always)]
    fn combine(self, a: T, b: T) -> T {
        a.mul(b)
    }
}
impl<T: Num> Monoid<T> for MaxOp {
    const WIDE: bool = true;
    #[inline(always)]
    fn select(self, a: T, b: T) -> T {
        if b > a { b } else { a }
    }
    #[inline(always)]
    fn nan(self, v: T) -> bool {
        v.is_nan()
    }
    #[inline(always)]
    fn identity(self) -> T {
        T::LOWEST
    }
    #[inline(always)]
    fn combine(self, a: T, b: T) -> T {
        a.maximum(b)
    }
}
impl<T: Num> Monoid<T> for MinOp {
    const WIDE: bool = true;
    #[inline(always)]
    fn select(self, a: T, b: T) -> T {
        if b < a { b } else { a }
    }
    #[inline(always)]
    fn nan(self, v: T) -> bool {
        v.is_nan()
    }
    #[inline(always)]
    fn identity(self) -> T {
        T::HIGHEST
    }
    #[inline(always)]
    fn combine(self, a: T, b: T) -> T {
        a.minimum(b)
    }
}
impl Monoid<bool> for AnyOp {
    fn identity(self) -> bool {
        false
    }
    fn combine(self, a: bool, b: bool) -> bool {
        a | b
    }
}
impl Monoid<bool> for AllOp {
    fn identity(self) -> bool {
        true
    }
    fn combine(self, a: bool, b: bool) -> bool {
        a & b
    }
}

/// Lanes of independent accumulators in the innermost loop: element `i` of a
/// leaf goes to lane `i % LANES` whatever the instruction set, so the bits
/// never depend on it. 32 float32 lanes are two AVX-512 or four AVX2
/// registers: enough independent additions in flight to hide the adder's
/// latency (8 lanes, one dependent chain, ran at a third of the L1 rate).
const LANES: usize = 32;
/// Slices up to this long are reduced by one lane loop; longer ones are split in halves.
const LEAF: usize = 512;

fn reduce_lanes<T: Copy, M: Monoid<T>>(m: M, x: &[T]) -> T {
    dispatch(
        #[inline(always)]
        |_| reduce_lanes_body(m, x),
    )
}

/// Accumulators of the selection (max/min) leaves.
const WIDE_LANES: usize = 32;

#[inline(always)]
fn reduce_wide_body<T: Copy, M: Monoid<T>>(m: M, x: &[T]) -> T {
    let mut acc = [m.identity(); WIDE_LANES];
    let mut nan = [false; WIDE_LANES];
    let chunks = x.chunks_exact(WIDE_LANES);
    let rest = chunks.remainder();
    for c in chunks {
        for ((a, n), &v) in acc.iter_mut().zip(nan.iter_mut()).zip(c) {
            *a = m.select(*a, v);
            *n |= m.nan(v);
        }
    }
    if nan.iter().any(|&n| n) {
        // NaN propagates: the first one wins.
        if let Some(&v) = x.iter().find(|&&v| m.nan(v)) {
            return v;
        }
    }
    finish_lanes(m, &mut acc, rest)
}

/// The lanes combined by a fixed halving tree (their count a power of two),
/// then the tail folded in order: the end of every leaf fold.
#[inline(always)]
fn finish_lanes<T: Copy, M: Monoid<T>>(m: M, acc: &mut [T], rest: &[T]) -> T {
    let mut h = acc.len() / 2;
    while h > 0 {
        for i in 0..h {
            acc[i] = m.combine(acc[i], acc[i + h]);
        }
        h /= 2;
    }
    rest.iter().fold(acc[0], |r, &v| m.combine(r, v))
}

#[inline(always)]
fn reduce_lanes_body<T: Copy, M: Monoid<T>>(m: M, x: &[T]) -> T {
    if M::WIDE {
        return reduce_wide_body(m, x);
    }
    let mut acc = [m.identity(); LANES];
    let chunks = x.chunks_exact(LANES);
    let rest = chunks.remainder();
    for c in chunks {
        // As an array, so the lane loop compiles to whole registers (over the
        // slice it did not, and ran at half speed).
        if let Ok(c) = <&[T; LANES]>::try_from(c) {
            for (a, &v) in acc.iter_mut().zip(c) {
                *a = m.combine(*a, v);
            }
        }
    }
    finish_lanes(m, &mut acc, rest)
}

fn reduce_pairwise<T: Copy, M: Monoid<T>>(m: M, x: &[T]) -> T {
    reduce_pairwise_by(m, 0, x.len(), &mut |s, n| reduce_lanes(m, &x[s..s + n]))
}

/// The split tree of [`reduce_pairwise`] over `start..start + len`, with
/// `leaf(start, len)` folding each leaf range.
fn reduce_pairwise_by<T: Copy, M: Monoid<T>>(
    m: M,
    start: usize,
    len: usize,
    leaf: &mut impl FnMut(usize, usize) -> T,
) -> T {
    // Selections need no pairwise split for accuracy: one wide pass.
    if len <= LEAF || M::WIDE {
        return leaf(start, len);
    }
    let half = len / 2;
    let l = reduce_pairwise_by(m, start, half, leaf);
    let r = reduce_pairwise_by(m, start + half, len - half, leaf);
    m.combine(l, r)
}

fn combine_tree<T: Copy, M: Monoid<T>>(m: M, parts: &[T]) -> T {
    match parts {
        [] => m.identity(),
        [v] => *v,
        _ => {
            let (l, r) = parts.split_at(parts.len() / 2);
            m.combine(combine_tree(m, l), combine_tree(m, r))
        }
    }
}

/// Reduces a whole slice. The order depends on `x.len()` only; long slices are
/// cut into fixed chunks reduced in parallel and combined as a tree.
pub(crate) fn reduce_slice<T: Copy + Send + Sync, M: Monoid<T>>(m: M, x: &[T]) -> T {
    reduce_chunks(m, x.len(), |s, e| reduce_pairwise(m, &x[s..e]))
}

/// The chunking and combining tree of [`reduce_slice`] over `0..n`, with
/// `leaf(start, end)` folding one chunk (of at most [`CHUNK_ELEMS`]).
fn reduce_chunks<T: Copy + Send + Sync, M: Monoid<T>>(
    m: M,
    n: usize,
    leaf: impl Fn(usize, usize) -> T + Sync + Send,
) -> T {
    if n <= CHUNK_ELEMS {
        return leaf(0, n);
    }
    let parts = map_chunks(n, 1, leaf);
    combine_tree(m, &parts)
}

thread_local! {
    static LEAF_SCRATCH: std::cell::RefCell<Vec<f32>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// `m` folded over each of `outer` rows of length `r` of a pending tensor's
/// expression, never storing it: each leaf range of the fold is computed into
/// a scratch in L1 and folded at once, in the chunks and tree [`reduce_slice`]
/// uses, so the bits are those of reducing the computed tensor (the
/// trailing-group path of [`reduce_mask`]). Leaf by leaf rather than chunk by
/// chunk keeps the leaves' memory streaming: a chunk computed into L2 and then
/// folded ran at half the read bandwidth.
fn reduce_rows_pending<M: Monoid<f32>>(m: M, prog: &Program, outer: usize, r: usize) -> Vec<f32> {
    let mut out = vec![m.identity(); outer];
    for_each_chunk_weighted(&mut out, r, |s, o| {
        for (i, v) in o.iter_mut().enumerate() {
            let row = (s + i) * r;
            *v = reduce_chunks(m, r, |a, b| {
                let widest = if M::WIDE { b - a } else { LEAF };
                prog.evaluate(|ev| {
                    with_scratch(&LEAF_SCRATCH, widest, |buf| {
                        reduce_pairwise_by(m, a, b - a, &mut |s, n| {
                            let buf = &mut buf[..n];
                            dispatch(
                                #[inline(always)]
                                |_| {
                                    ev.fill(row + s, buf);
                                    reduce_lanes_body(m, buf)
                                },
                            )
                        })
                    })
                })
            });
        }
    });
    out
}

/// The reduction of a pending float32 tensor straight from its expression,
/// when the reduced dims are trailing (a full reduction, or one over the last
/// dims): `None` for other layouts, which reduce the computed tensor.
fn reduce_pending(
    op: ReduceKind,
    p: &Pending,
    shape: &[usize],
    mask: &[bool],
    count: usize,
) -> Option<Vec<f32>> {
    let (outer, r) = match groups(shape, mask).as_slice() {
        [Group { size, reduced: true }] => (1, *size),
        [Group { size: k, reduced: false }, Group { size: r, reduced: true }] => (*k, *r),
        _ => return None,
    };
    let prog = p.program()?;
    Some(match op {
        ReduceKind::Sum => reduce_rows_pending(SumOp, &prog, outer, r),
        ReduceKind::Mean => {
            let mut v = reduce_rows_pending(SumOp, &prog, outer, r);
            v.iter_mut().for_each(|e| *e = e.div_count(count));
            v
        }
        ReduceKind::Prod => reduce_rows_pending(ProdOp, &prog, outer, r),
        ReduceKind::Max => reduce_rows_pending(MaxOp, &prog, outer, r),
        ReduceKind::Min => reduce_rows_pending(MinOp, &prog, outer, r),
        ReduceKind::Any | ReduceKind::All => return None,
    })
}

/// Rows folded sequentially at the leaves of the column reduction.
const LEAF_ROWS: usize = 16;

/// `out[j] = fold over r of x[r * cols + c0 + j]` for the `out.len()` columns from
/// `c0`, splitting the rows pairwise. `scratch` holds one row per remaining level.
fn cols_seq<T: Copy, M: Monoid<T>>(
    m: M,
    x: &[T],
    rows: usize,
    cols: usize,
    c0: usize,
    out: &mut [T],
    scratch: &mut [T],
) {
    let w = out.len();
    if rows <= LEAF_ROWS {
        match rows {
            0 => out.fill(m.identity()),
            _ => dispatch(
                #[inline(always)]
                |_| {
                    out.copy_from_slice(&x[c0..c0 + w]);
                    for r in 1..rows {
                        let row = &x[r * cols + c0..r * cols + c0 + w];
                        for (o, &v) in out.iter_mut().zip(row) {
                            *o = m.combine(*o, v);
                        }
                    }
                },
            ),
        }
        return;
    }
    let h = rows / 2;
    let (tmp, rest) = scratch.split_at_mut(w);
    cols_seq(m, x, h, cols, c0, out, rest);
    cols_seq(m, &x[h * cols..], rows - h, cols, c0, tmp, rest);
    dispatch(
        #[inline(always)]
        |_| {
            for (o, &v) in out.iter_mut().zip(tmp.iter()) {
                *o = m.combine(*o, v);
            }
        },
    )
}

/// Column bands a large column reduction is split into (values do not depend on it).
const BANDS: usize = 8;
/// Narrowest column band worth a task of its own.
const MIN_BAND: usize = 256;

/// Levels of halving until a range of `rows` rows is at most `LEAF_ROWS` long.
fn depth(mut rows: usize) -> usize {
    let mut d = 0;
    while rows > LEAF_ROWS {
        rows -= rows / 2;
        d += 1;
    }
    d
}

/// Column reduction of a row-major `[rows, cols]` block into `out` (`cols` long).
/// Columns are independent, so splitting them across threads leaves every value unchanged.
pub(crate) fn reduce_cols<T: Copy + Send + Sync, M: Monoid<T>>(
    m: M,
    x: &[T],
    rows: usize,
    cols: usize,
    out: &mut [T],
) {
    let d = depth(rows);
    if is_large(rows.saturating_mul(cols)) && cols >= 2 * MIN_BAND {
        // Parallel over column bands. Wide bands keep each row segment a long
        // contiguous read (prefetch-friendly); enough of them to balance the pool.
        let band = cols.div_ceil(BANDS).next_multiple_of(16).max(MIN_BAND);
        par_blocks(out, band, |i, o| {
            let mut scratch = vec![m.identity(); d * o.len()];
            cols_seq(m, x, rows, cols, i * band, o, &mut scratch);
        });
    } else {
        let mut scratch = vec![m.identity(); d * cols];
        cols_seq(m, x, rows, cols, 0, out, &mut scratch);
    }
}

/// One coalesced group of dims: its size and whether it is reduced.
#[derive(Clone, Copy, Debug)]
struct Group {
    size: usize,
    reduced: bool,
}

/// Merges adjacent dims of the same kind; size-1 dims vanish (they change nothing).
fn groups(shape: &[usize], mask: &[bool]) -> Vec<Group> {
    let mut g: Vec<Group> = Vec::with_capacity(shape.len());
    for (&size, &reduced) in shape.iter().zip(mask) {
        if size == 1 {
            continue;
        }
        match g.last_mut() {
            Some(last) if last.reduced == reduced => last.size *= size,
            _ => g.push(Group { size, reduced }),
        }
    }
    g
}

/// Reduces `x` (of `shape`) over the dims where `mask` is true, returning the
/// kept elements in row-major order.
pub(crate) fn reduce_mask<T: Copy + Send + Sync, M: Monoid<T>>(
    m: M,
    x: &[T],
    shape: &[usize],
    mask: &[bool],
) -> Vec<T> {
    let mut g = groups(shape, mask);
    let mut cur: Option<Vec<T>> = None;
    while let Some(pos) = g.iter().rposition(|grp| grp.reduced) {
        let data: &[T] = cur.as_deref().unwrap_or(x);
        let r = g[pos].size;
        let next = if pos + 1 == g.len() {
            // Trailing group: one fold per row.
            let outer: usize = g[..pos].iter().map(|grp| grp.size).product();
            let mut out = vec![m.identity(); outer];
            for_each_chunk_weighted(&mut out, r, |s, o| {
                for (i, v) in o.iter_mut().enumerate() {
                    let row = (s + i) * r;
                    *v = reduce_slice(m, &data[row..row + r]);
                }
            });
            out
        } else {
            // Inner group followed by one kept group of K: fold R rows of K per prefix.
            let k = g[pos + 1].size;
            let outer: usize = g[..pos].iter().map(|grp| grp.size).product();
            let mut out = vec![m.identity(); outer * k];
            if k > 0 {
                let one = |p: usize, o: &mut [T]| reduce_cols(m, &data[p * r * k..(p + 1) * r * k], r, k, o);
                if outer > 1 && is_large(outer * r * k) {
                    // Each prefix block is independent: parallel over blocks changes no value.
                    let per_task = (CHUNK_ELEMS / (r * k).max(1)).max(1);
                    par_blocks(&mut out, per_task * k, |i, o| {
                        for (j, oj) in o.chunks_mut(k).enumerate() {
                            one(i * per_task + j, oj);
                        }
                    });
                } else {
                    for (p, o) in out.chunks_mut(k).enumerate() {
                        one(p, o);
                    }
                }
            }
            out
        };
        g.remove(pos);
        // Two kept groups may now be adjacent; merge them so the next step sees one run.
        if pos > 0 && pos < g.len() && !g[pos - 1].reduced && !g[pos].reduced {
            g[pos - 1].size *= g[pos].size;
            g.remove(pos);
        }
        cur = Some(next);
    }
    cur.unwrap_or_else(|| x.to_vec())
}

fn numeric<T: Num>(op: ReduceKind, x: &[T], shape: &[usize], mask: &[bool], count: usize) -> Vec<T> {
    match op {
        ReduceKind::Sum => reduce_mask(SumOp, x, shape, mask),
        ReduceKind::Mean => {
            let mut v = reduce_mask(SumOp, x, shape, mask);
            for e in v.iter_mut() {
                *e = e.div_count(count);
            }
            v
        }
        ReduceKind::Prod => reduce_mask(ProdOp, x, shape, mask),
        ReduceKind::Max => reduce_mask(MaxOp, x, shape, mask),
        // Any/All are rejected before dispatch; Min is the only remaining kind.
        _ => reduce_mask(MinOp, x, shape, mask),
    }
}

pub(crate) fn reduce(op: ReduceKind, x: &Tensor, axes: &[usize], keepdims: bool) -> Result<Tensor> {
    let name = op.name();
    let rank = x.rank();
    let mut mask = vec![false; rank];
    for &a in axes {
        match mask.get_mut(a) {
            Some(slot) => *slot = true,
            None => return Err(Error::AxisOutOfRange { op: name, axis: a as i64, rank }),
        }
    }
    let count: usize = x.shape().iter().zip(&mask).filter(|(_, m)| **m).map(|(d, _)| *d).product();
    let shape = x.shape();
    let logical = matches!(op, ReduceKind::Any | ReduceKind::All);
    let sorted: Shape = (0..rank).filter(|&i| mask[i]).collect();
    if let Some(p) = x.as_pending()
        && let Some(v) = reduce_pending(op, p, shape, &mask, count)
    {
        return Ok(Tensor::new_unchecked(Buffer::F32(v), reduced_shape(shape, &sorted, keepdims)));
    }
    let buf = match x.buffer() {
        Buffer::Bool(v) if logical => Buffer::Bool(match op {
            ReduceKind::Any => reduce_mask(AnyOp, v, shape, &mask),
            _ => reduce_mask(AllOp, v, shape, &mask),
        }),
        _ if logical => {
            return Err(Error::UnsupportedDType {
                op: name,
                dtype: x.dtype(),
                hint: "reduce_any/reduce_all take bool tensors; compare first (e.g. x > 0)",
            });
        }
        Buffer::F32(v) => Buffer::F32(numeric(op, v, shape, &mask, count)),
        Buffer::F64(v) => Buffer::F64(numeric(op, v, shape, &mask, count)),
        Buffer::I32(v) => Buffer::I32(numeric(op, v, shape, &mask, count)),
        Buffer::I64(v) => Buffer::I64(numeric(op, v, shape, &mask, count)),
        Buffer::Bool(_) => {
            return Err(Error::UnsupportedDType {
                op: name,
                dtype: DType::Bool,
                hint: "cast bool tensors to a number type first (e.g. tapegrad.cast(x, tf.int32))",
            });
        }
    };
    Ok(Tensor::new_unchecked(buf, reduced_shape(shape, &sorted, keepdims)))
}

/// Sum of `x` over `mask`, typed: used by `sum_to`.
pub(crate) fn sum_mask(x: &Tensor, mask: &[bool]) -> Result<Buffer> {
    let shape = x.shape();
    Ok(match x.buffer() {
        Buffer::F32(v) => Buffer::F32(reduce_mask(SumOp, v, shape, mask)),
        Buffer::F64(v) => Buffer::F64(reduce_mask(SumOp, v, shape, mask)),
        Buffer::I32(v) => Buffer::I32(reduce_mask(SumOp, v, shape, mask)),
        Buffer::I64(v) => Buffer::I64(reduce_mask(SumOp, v, shape, mask)),
        Buffer::Bool(_) => {
            return Err(Error::UnsupportedDType {
                op: "sum_to",
                dtype: DType::Bool,
                hint: "it needs a numeric tensor",
            });
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Element;
    use crate::kernels::ReduceKind as R;

    fn t<T: Element>(v: Vec<T>, s: &[usize]) -> Tensor {
        Tensor::from_vec(v, s).unwrap()
    }

    /// Reference: naive f64 fold over `axes` of a 3-d tensor.
    fn reference(x: &[f64], shape: [usize; 3], axes: [bool; 3]) -> Vec<f64> {
        let kd = |i: usize| if axes[i] { 1 } else { shape[i] };
        let mut out = vec![0.0; kd(0) * kd(1) * kd(2)];
        for i in 0..shape[0] {
            for j in 0..shape[1] {
                for k in 0..shape[2] {
                    let (a, b, c) = (
                        if axes[0] { 0 } else { i },
                        if axes[1] { 0 } else { j },
                        if axes[2] { 0 } else { k },
                    );
                    out[(a * kd(1) + b) * kd(2) + c] += x[(i * shape[1] + j) * shape[2] + k];
                }
            }
        }
        out
    }

    #[test]
    fn sum_over_every_axis_subset() {
        let shape = [3usize, 5, 7];
        let x: Vec<f64> = (0..105).map(|v| (v as f64 * 0.7).sin()).collect();
        let tx = t(x.clone(), &shape);
        for bits in 0..8u32 {
            let axes_mask = [bits & 1 != 0, bits & 2 != 0, bits & 4 != 0];
            let axes: Vec<usize> = (0..3).filter(|&i| axes_mask[i]).collect();
            let r = reduce(R::Sum, &tx, &axes, true).unwrap();
            let want = reference(&x, shape, axes_mask);
            let got = r.as_slice::<f64>().unwrap();
            assert_eq!(got.len(), want.len());
            for (g, w) in got.iter().zip(&want) {
                assert!((g - w).abs() < 1e-12, "axes {axes:?}: {g} vs {w}");
            }
            let r2 = reduce(R::Sum, &tx, &axes, false).unwrap();
            assert_eq!(r2.rank(), 3 - axes.len());
        }
    }

    #[test]
    fn max_min_prod_mean_any_all() {
        let x = t(vec![1i32, 5, -2, 4, 0, 3], &[2, 3]);
        let get =
            |op, axes: &[usize]| reduce(op, &x, axes, false).unwrap().as_slice::<i32>().unwrap().to_vec();
        assert_eq!(get(R::Max, &[1]), vec![5, 4]);
        assert_eq!(get(R::Min, &[0]), vec![1, 0, -2]);
        assert_eq!(get(R::Prod, &[0, 1]), vec![0]);
        assert_eq!(get(R::Mean, &[1]), vec![1, 2]); // 4/3 and 7/3 truncate
        let b = t(vec![true, false, true, true], &[2, 2]);
        let any = reduce(R::Any, &b, &[0], false).unwrap();
        assert_eq!(any.as_slice::<bool>().unwrap(), &[true, true]);
        let all = reduce(R::All, &b, &[1], false).unwrap();
        assert_eq!(all.as_slice::<bool>().unwrap(), &[false, true]);
        assert!(matches!(reduce(R::Any, &x, &[0], false), Err(Error::UnsupportedDType { .. })));
        assert!(matches!(reduce(R::Sum, &b, &[0], false), Err(Error::UnsupportedDType { .. })));
        assert!(matches!(reduce(R::Sum, &x, &[2], false), Err(Error::AxisOutOfRange { .. })));
    }

    #[test]
    fn empty_and_scalar_reductions() {
        let e = t(Vec::<f32>::new(), &[0, 3]);
        let s = reduce(R::Sum, &e, &[0], false).unwrap();
        assert_eq!(s.as_slice::<f32>().unwrap(), &[0.0, 0.0, 0.0]);
        let mx = reduce(R::Max, &e, &[0], false).unwrap();
        assert_eq!(mx.as_slice::<f32>().unwrap(), &[f32::NEG_INFINITY; 3]);
        let mean = reduce(R::Mean, &e, &[0, 1], false).unwrap();
        assert!(mean.to_scalar::<f32>().unwrap().is_nan());
        let p = reduce(R::Prod, &e, &[0], true).unwrap();
        assert_eq!(p.shape(), &[1, 3]);
        let kept = reduce(R::Sum, &e, &[1], false).unwrap();
        assert_eq!(kept.shape(), &[0]);
        let sc = Tensor::scalar(2.5f64);
        assert_eq!(reduce(R::Sum, &sc, &[], false).unwrap().to_scalar::<f64>(), Some(2.5));
        let nan = t(vec![1.0f32, f32::NAN, 3.0], &[3]);
        assert!(reduce(R::Max, &nan, &[0], false).unwrap().to_scalar::<f32>().unwrap().is_nan());
        assert!(reduce(R::Min, &nan, &[0], false).unwrap().to_scalar::<f32>().unwrap().is_nan());
    }

    #[test]
    fn large_sum_is_thread_independent_and_accurate() {
        let n = 1_000_000;
        let x: Vec<f32> = (0..n).map(|i| ((i % 1000) as f32) * 0.001 + 0.1).collect();
        let tx = t(x.clone(), &[n]);
        let m = t(x.clone(), &[1000, 1000]);
        let run = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| {
                let all = reduce(R::Sum, &tx, &[0], false).unwrap();
                let rows = reduce(R::Sum, &m, &[1], false).unwrap();
                let cols = reduce(R::Sum, &m, &[0], false).unwrap();
                (all, rows, cols)
            })
        };
        let (a1, r1, c1) = run(1);
        let (a4, r4, c4) = run(4);
        assert_eq!(a1.to_scalar::<f32>().unwrap().to_bits(), a4.to_scalar::<f32>().unwrap().to_bits());
        assert_eq!(r1.as_slice::<f32>(), r4.as_slice::<f32>());
        assert_eq!(c1.as_slice::<f32>(), c4.as_slice::<f32>());
        let exact: f64 = x.iter().map(|&v| v as f64).sum();
        let got = a1.to_scalar::<f32>().unwrap() as f64;
        assert!((got - exact).abs() / exact < 1e-6, "{got} vs {exact}");
        let col0: f64 = (0..1000).map(|r| x[r * 1000] as f64).sum();
        assert!((c1.as_slice::<f32>().unwrap()[0] as f64 - col0).abs() / col0 < 1e-6);
    }

    #[test]
    fn max_min_wide_path_matches_naive_and_threads() {
        // Rows long enough for the wide (32-lane) selection path and parallel chunks.
        let (rows, cols) = (40usize, 9_001usize);
        let x: Vec<f32> = (0..rows * cols).map(|i| ((i as f32) * 0.618).sin() * (1 + i % 7) as f32).collect();
        let m = t(x.clone(), &[rows, cols]);
        let run = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| {
                [R::Max, R::Min].map(|op| {
                    [&[1usize][..], &[0][..], &[0, 1][..]]
                        .map(|axes| reduce(op, &m, axes, false).unwrap().as_slice::<f32>().unwrap().to_vec())
                })
            })
        };
        let (r1, r3) = (run(1), run(3));
        assert_eq!(r1, r3);
        let naive_rows = |max: bool| -> Vec<f32> {
            x.chunks(cols)
                .map(|r| {
                    r.iter().copied().fold(if max { f32::NEG_INFINITY } else { f32::INFINITY }, |a, v| {
                        if max { a.max(v) } else { a.min(v) }
                    })
                })
                .collect()
        };
        assert_eq!(r1[0][0], naive_rows(true));
        assert_eq!(r1[1][0], naive_rows(false));
        let col_max: Vec<f32> =
            (0..cols).map(|c| (0..rows).map(|r| x[r * cols + c]).fold(f32::NEG_INFINITY, f32::max)).collect();
        assert_eq!(r1[0][1], col_max);
        // A NaN anywhere in a row (including the remainder lanes) wins.
        for pos in [0usize, 31, 4_500, cols - 1] {
            let mut y = x.clone();
            y[3 * cols + pos] = f32::NAN;
            let r = reduce(R::Max, &t(y.clone(), &[rows, cols]), &[1], false).unwrap();
            let r = r.as_slice::<f32>().unwrap();
            assert!(r[3].is_nan() && !r[2].is_nan() && !r[4].is_nan(), "NaN at {pos}");
            let all = reduce(R::Min, &t(y, &[rows * cols]), &[0], false).unwrap();
            assert!(all.to_scalar::<f32>().unwrap().is_nan());
        }
    }
}

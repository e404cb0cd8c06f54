//! When and how kernels go parallel.
//!
//! Work is split into chunks of a *fixed* number of elements, never "one chunk
//! per thread": the split, and so every floating-point partial result, is the
//! same whatever the size of the rayon pool, which keeps outputs bit-identical
//! across machines and `RAYON_NUM_THREADS` settings. Partial results are always
//! combined in chunk order.

use std::sync::Mutex;

use crate::threading::lock;

/// Below this many elements a kernel runs on the calling thread: rayon's
/// fork/join overhead (a pool wake-up, tens of microseconds on a busy machine)
/// outweighs the work. Measured: a 100k-element mul takes 17 µs inline and 37 µs
/// split over 2 threads; wide graphs get their parallelism from the backward
/// executor instead.
pub(crate) const PAR_MIN_ELEMS: usize = 1 << 18;

/// Elements per parallel task. Fixed (see the module docs).
pub(crate) const CHUNK_ELEMS: usize = 1 << 15;

/// True if a kernel touching `n` elements should use rayon.
#[inline]
pub(crate) fn is_large(n: usize) -> bool {
    n >= PAR_MIN_ELEMS
}

/// Calls `f(start, chunk)` over `out` split into chunks whose lengths are
/// multiples of `unit` (a row length, so no row straddles two chunks), where
/// `start` is the chunk's element offset in `out`. Runs the whole of `out` as a
/// single chunk on the calling thread when it is small.
pub(crate) fn for_each_chunk<T, F>(out: &mut [T], unit: usize, f: F)
where
    T: Send,
    F: Fn(usize, &mut [T]) + Sync + Send,
{
    if out.is_empty() {
        return;
    }
    if !is_large(out.len()) {
        f(0, out);
        return;
    }
    let unit = unit.max(1);
    let chunk = (CHUNK_ELEMS / unit).max(1) * unit;
    run_chunks(out, chunk, |i, c| f(i * chunk, c));
}

/// `dst[i] = f(dst[i], src[i])` over equal-length slices (the in-place
/// elementwise update of gradient accumulation and in-place rules), chunked as
/// [`for_each_chunk`].
pub(crate) fn zip_with<T, U, F>(dst: &mut [T], src: &[U], f: F)
where
    T: Copy + Send,
    U: Copy + Sync,
    F: Fn(T, U) -> T + Sync + Send,
{
    debug_assert_eq!(dst.len(), src.len());
    for_each_chunk(dst, 1, |start, d| {
        let s = &src[start..start + d.len()];
        d.iter_mut().zip(s).for_each(|(a, &b)| *a = f(*a, b));
    });
}

/// Like [`for_each_chunk`] for outputs whose items each cost `weight` input
/// elements (e.g. one output per reduced row of length `weight`): goes parallel
/// on the total work, with chunks of about [`CHUNK_ELEMS`] input elements.
pub(crate) fn for_each_chunk_weighted<T, F>(out: &mut [T], weight: usize, f: F)
where
    T: Send,
    F: Fn(usize, &mut [T]) + Sync + Send,
{
    if out.is_empty() {
        return;
    }
    let weight = weight.max(1);
    if !is_large(out.len().saturating_mul(weight)) {
        f(0, out);
        return;
    }
    let chunk = (CHUNK_ELEMS / weight).max(1);
    run_chunks(out, chunk, |i, c| f(i * chunk, c));
}

/// Calls `f(i, block)` for the `block`-long pieces of `out` in parallel on the
/// tapegrad pool. For work whose values do not depend on how it is split (each
/// block is computed independently); callers decide when it is worth it.
pub(crate) fn par_blocks<T, F>(out: &mut [T], block: usize, f: F)
where
    T: Send,
    F: Fn(usize, &mut [T]) + Sync + Send,
{
    if out.is_empty() {
        return;
    }
    let block = block.max(1);
    run_chunks(out, block, f);
}

/// Maps each fixed-size chunk of `0..n` (chunk length a multiple of `unit`) to a
/// partial result with `f(start, end)` and returns the partials in chunk order.
/// The chunking does not depend on `n` being large; only whether rayon runs it does.
pub(crate) fn map_chunks<R, F>(n: usize, unit: usize, f: F) -> Vec<R>
where
    R: Send,
    F: Fn(usize, usize) -> R + Sync + Send,
{
    let unit = unit.max(1);
    let chunk = (CHUNK_ELEMS / unit).max(1) * unit;
    let count = n.div_ceil(chunk);
    let run = |i: usize| f(i * chunk, ((i + 1) * chunk).min(n));
    if !is_large(n) {
        return (0..count).map(run).collect();
    }
    let slots: Vec<Mutex<Option<R>>> = (0..count).map(|_| Mutex::new(None)).collect();
    crate::threading::for_each_piece(count, |i| *lock(&slots[i]) = Some(run(i)));
    let partials: Option<Vec<R>> =
        slots.into_iter().map(|s| s.into_inner().unwrap_or_else(|e| e.into_inner())).collect();
    // Every piece ran (`for_each_piece` runs each once); the fallback keeps this total.
    partials.unwrap_or_else(|| (0..count).map(run).collect())
}

/// Calls `f(index, chunk)` for each `chunk`-sized piece of `out` through
/// [`crate::threading::for_each_piece`]: on the pool with the caller taking
/// part, or inline when it has a single thread (same chunks, and flush-to-zero
/// mode everywhere, so the bits do not change).
fn run_chunks<T, F>(out: &mut [T], chunk: usize, f: F)
where
    T: Send,
    F: Fn(usize, &mut [T]) + Sync + Send,
{
    // One uncontended lock per chunk hands each `&mut` chunk to whichever thread
    // claims its index (chunks are tens of thousands of elements).
    let slots: Vec<Mutex<Option<&mut [T]>>> = out.chunks_mut(chunk).map(|c| Mutex::new(Some(c))).collect();
    crate::threading::for_each_piece(slots.len(), |i| {
        if let Some(c) = lock(&slots[i]).take() {
            f(i, c);
        }
    });
}

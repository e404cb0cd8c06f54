//! Cache-blocked permutation copy (the transpose kernel's fast path).
//!
//! A transpose whose innermost output dim is not the input's innermost dim reads
//! one of the two with a large stride. Walking it in square tiles (a few KiB of
//! input rows and output rows, both L1-resident) makes every cache line read and
//! written whole, instead of once per element.

use crate::kernels::alloc::{Pooled, alloc};
use crate::kernels::parallel::for_each_chunk;
use crate::shape::numel;

/// Tile rows (along the input-contiguous output dim).
const TILE_B: usize = 128;
/// Tile columns (along the output-contiguous dim): few, so a tile touches few
/// input pages (each input row of a 2-D transpose is its own page or more).
const TILE_A: usize = 8;

/// Merges output dims that are contiguous in the input and drops size-1 dims.
fn coalesce(shape: &[usize], strides: &[isize]) -> (Vec<usize>, Vec<isize>) {
    let mut s: Vec<usize> = Vec::with_capacity(shape.len());
    let mut t: Vec<isize> = Vec::with_capacity(shape.len());
    for (&d, &st) in shape.iter().zip(strides) {
        if d == 1 {
            continue;
        }
        match (s.last_mut(), t.last_mut()) {
            (Some(pd), Some(pt)) if *pt == st * d as isize => {
                *pd *= d;
                *pt = st;
            }
            _ => {
                s.push(d);
                t.push(st);
            }
        }
    }
    (s, t)
}

/// `out[i] = x[offset(i)]` for the output of `shape` whose dim `d` reads the input
/// with stride `strides[d]` (a permutation of a contiguous input's strides).
/// `None` when the fast path does not apply (the strided gather handles it).
pub(crate) fn permute<T: Pooled>(x: &[T], shape: &[usize], strides: &[isize]) -> Option<Vec<T>> {
    let mut out = alloc::<T>(numel(shape));
    permute_into(x, shape, strides, &mut out).then_some(out)
}

/// [`permute`] into a caller's buffer of the output's length; false (nothing
/// written) when the fast path does not apply.
pub(crate) fn permute_into<T: Copy + Send + Sync>(
    x: &[T],
    shape: &[usize],
    strides: &[isize],
    out: &mut [T],
) -> bool {
    let (shape, strides) = coalesce(shape, strides);
    let r = shape.len();
    if r < 2 || strides[r - 1] == 1 || strides.iter().any(|&s| s < 0) || out.len() != numel(&shape) {
        return false;
    }
    // The output dim that walks the input contiguously.
    let Some(j) = (0..r - 1).find(|&d| strides[d] == 1) else { return false };
    let a_len = shape[r - 1];
    let sa = strides[r - 1] as usize;
    let b_len = shape[j];
    // Output elements per index of dim j (the mid dims and the last).
    let row: usize = shape[j + 1..].iter().product();
    let outer = &shape[..j];
    let outer_str = &strides[..j];
    let mid = &shape[j + 1..r - 1];
    let mid_str = &strides[j + 1..r - 1];
    let mid_count: usize = mid.iter().product();
    let offset = |mut i: usize, dims: &[usize], st: &[isize]| -> usize {
        let mut off = 0usize;
        for (&d, &s) in dims.iter().zip(st).rev() {
            off += (i % d) * s as usize;
            i /= d;
        }
        off
    };
    // Chunks of whole tiles of rows (parallel tasks stay of similar size).
    for_each_chunk(out, row * TILE_B.min(b_len), |start, chunk| {
        let (r0, nrows) = (start / row, chunk.len() / row);
        let mut rr = 0;
        while rr < nrows {
            // Global row g = o * b_len + b: a tile of rows never crosses an outer index.
            let g = r0 + rr;
            let (o, b0) = (g / b_len, g % b_len);
            let tb = (b_len - b0).min(TILE_B).min(nrows - rr);
            let ibase = offset(o, outer, outer_str) + b0;
            for m in 0..mid_count {
                let ib = ibase + offset(m, mid, mid_str);
                let ob = m * a_len;
                for a0 in (0..a_len).step_by(TILE_A) {
                    let ta = TILE_A.min(a_len - a0);
                    for bb in 0..tb {
                        let src = &x[ib + bb + a0 * sa..];
                        let d0 = (rr + bb) * row + ob + a0;
                        for (d, s) in chunk[d0..d0 + ta].iter_mut().zip(src.iter().step_by(sa)) {
                            *d = *s;
                        }
                    }
                }
            }
            rr += tb;
        }
    });
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::strided::contiguous_strides;

    /// Reference: the element of the input at the permuted index, one at a time.
    fn naive(x: &[i64], shape: &[usize], perm: &[usize]) -> Vec<i64> {
        let own = contiguous_strides(shape);
        let oshape: Vec<usize> = perm.iter().map(|&p| shape[p]).collect();
        let n = numel(&oshape);
        (0..n)
            .map(|mut i| {
                let mut off = 0isize;
                for d in (0..oshape.len()).rev() {
                    off += (i % oshape[d]) as isize * own[perm[d]];
                    i /= oshape[d];
                }
                x[off as usize]
            })
            .collect()
    }

    #[test]
    fn matches_naive_on_odd_shapes() {
        let cases: &[(&[usize], &[usize])] = &[
            (&[3, 5], &[1, 0]),
            (&[130, 67], &[1, 0]),
            (&[2, 3, 4], &[2, 0, 1]),
            (&[5, 70, 9], &[0, 2, 1]),
            (&[7, 1, 66, 3], &[3, 2, 1, 0]),
            (&[4, 65, 3, 5], &[1, 3, 0, 2]),
            (&[300, 257], &[1, 0]),
        ];
        for &(shape, perm) in cases {
            let n = numel(shape);
            let x: Vec<i64> = (0..n as i64).collect();
            let own = contiguous_strides(shape);
            let oshape: Vec<usize> = perm.iter().map(|&p| shape[p]).collect();
            let st: Vec<isize> = perm.iter().map(|&p| own[p]).collect();
            if let Some(got) = permute(&x, &oshape, &st) {
                assert_eq!(got, naive(&x, shape, perm), "{shape:?} {perm:?}");
            }
        }
        // Large enough to run in parallel chunks.
        let shape = [3usize, 200, 300];
        let x: Vec<i64> = (0..numel(&shape) as i64).collect();
        let own = contiguous_strides(&shape);
        let perm = [2usize, 0, 1];
        let oshape: Vec<usize> = perm.iter().map(|&p| shape[p]).collect();
        let st: Vec<isize> = perm.iter().map(|&p| own[p]).collect();
        assert_eq!(permute(&x, &oshape, &st).unwrap(), naive(&x, &shape, &perm));
    }
}

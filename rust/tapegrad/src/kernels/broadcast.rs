//! Elementwise maps over broadcast operands, with fast paths.
//!
//! Binary ops and `where` spend nearly all their time here. Same-shape and
//! scalar operands (the overwhelmingly common cases) run as flat zipped slice
//! loops the compiler auto-vectorises — compiled for the CPU's best instruction
//! set through [`dispatch`]; anything else walks the output row by row through
//! [`Strided`], whose inner runs are again flat slice loops. Outputs come from
//! [`alloc`], which recycles large buffers.

use crate::kernels::alloc::{Pooled, alloc};
use crate::kernels::parallel::for_each_chunk;
use crate::kernels::simd::dispatch;
use crate::kernels::strided::{Strided, broadcast_strides};
use crate::shape::numel;

/// A contiguous operand: its elements and its shape.
#[derive(Clone, Copy)]
pub(crate) struct Operand<'a, T> {
    pub(crate) data: &'a [T],
    pub(crate) shape: &'a [usize],
}

/// `out[i] = f(x[i])`: the unary map, chunked for rayon when large.
pub(crate) fn map1<T, U, F>(x: &[T], f: F) -> Vec<U>
where
    T: Copy + Sync,
    U: Pooled,
    F: Fn(T) -> U + Sync + Send + Copy,
{
    let mut out = alloc::<U>(x.len());
    for_each_chunk(&mut out, 1, |s, o| {
        let x = &x[s..s + o.len()];
        dispatch(
            #[inline(always)]
            |_| {
                for (o, &p) in o.iter_mut().zip(x) {
                    *o = f(p);
                }
            },
        )
    });
    out
}

/// [`map1`] without [`dispatch`], for `f`s that call out to libm (nothing to vectorise).
pub(crate) fn map1_scalar<T, U, F>(x: &[T], f: F) -> Vec<U>
where
    T: Copy + Sync,
    U: Pooled,
    F: Fn(T) -> U + Sync + Send + Copy,
{
    let mut out = alloc::<U>(x.len());
    for_each_chunk(&mut out, 1, |s, o| {
        let x = &x[s..s + o.len()];
        for (o, &p) in o.iter_mut().zip(x) {
            *o = f(p);
        }
    });
    out
}

/// [`map2`] writing into one operand's own storage: `owned[i] = f(owned[i], other[i])`
/// (`f(other[i], owned[i])` when `owned_is_lhs` is false), where `other` has
/// `owned`'s length or one element. The chunks, the closure and so the flush mode
/// are [`map2`]'s, so the bits are too. False, touching nothing, for any other
/// `other` length.
pub(crate) fn map2_in_place<T, F>(owned: &mut [T], other: &[T], owned_is_lhs: bool, f: F) -> bool
where
    T: Copy + Send + Sync,
    F: Fn(T, T) -> T + Sync + Send + Copy,
{
    let n = owned.len();
    let g = move |own: T, oth: T| if owned_is_lhs { f(own, oth) } else { f(oth, own) };
    if other.len() == n {
        for_each_chunk(owned, 1, |s, o| {
            let y = &other[s..s + o.len()];
            dispatch(
                #[inline(always)]
                |_| {
                    for (o, &q) in o.iter_mut().zip(y) {
                        *o = g(*o, q);
                    }
                },
            )
        });
    } else if other.len() == 1 {
        let q = other[0];
        for_each_chunk(owned, 1, |_, o| {
            dispatch(
                #[inline(always)]
                |_| {
                    for o in o.iter_mut() {
                        *o = g(*o, q);
                    }
                },
            )
        });
    } else {
        return false;
    }
    true
}

/// `out[i] = f(a[i'], b[i''])` over the broadcast `out_shape` (already checked).
pub(crate) fn map2<T, U, F>(a: Operand<'_, T>, b: Operand<'_, T>, out_shape: &[usize], f: F) -> Vec<U>
where
    T: Copy + Sync,
    U: Pooled,
    F: Fn(T, T) -> U + Sync + Send + Copy,
{
    let n = numel(out_shape);
    let mut out = alloc::<U>(n);
    if n == 0 {
        return out;
    }
    let (x, y) = (a.data, b.data);
    if x.len() == n && y.len() == n {
        // Same layout: a flat zip.
        for_each_chunk(&mut out, 1, |s, o| {
            let (x, y) = (&x[s..s + o.len()], &y[s..s + o.len()]);
            dispatch(
                #[inline(always)]
                |_| {
                    for ((o, &p), &q) in o.iter_mut().zip(x).zip(y) {
                        *o = f(p, q);
                    }
                },
            )
        });
    } else if x.len() == n && y.len() == 1 {
        let q = y[0];
        for_each_chunk(&mut out, 1, |s, o| {
            let x = &x[s..s + o.len()];
            dispatch(
                #[inline(always)]
                |_| {
                    for (o, &p) in o.iter_mut().zip(x) {
                        *o = f(p, q);
                    }
                },
            )
        });
    } else if x.len() == 1 && y.len() == n {
        let p = x[0];
        for_each_chunk(&mut out, 1, |s, o| {
            let y = &y[s..s + o.len()];
            dispatch(
                #[inline(always)]
                |_| {
                    for (o, &q) in o.iter_mut().zip(y) {
                        *o = f(p, q);
                    }
                },
            )
        });
    } else {
        let sa = broadcast_strides(a.shape, out_shape);
        let sb = broadcast_strides(b.shape, out_shape);
        let it = Strided::<2>::new(out_shape, [&sa, &sb], [0, 0]);
        let inner = it.inner();
        let [ia, ib] = it.inner_strides();
        for_each_chunk(&mut out, inner, |start, chunk| {
            let r0 = start / inner;
            it.for_rows(r0, r0 + chunk.len() / inner, |row, [oa, ob]| {
                let dst = &mut chunk[(row - r0) * inner..(row - r0 + 1) * inner];
                let (oa, ob) = (oa as usize, ob as usize);
                match (ia, ib) {
                    (1, 1) => {
                        for ((o, &p), &q) in dst.iter_mut().zip(&x[oa..oa + inner]).zip(&y[ob..ob + inner]) {
                            *o = f(p, q);
                        }
                    }
                    (1, 0) => {
                        let q = y[ob];
                        for (o, &p) in dst.iter_mut().zip(&x[oa..oa + inner]) {
                            *o = f(p, q);
                        }
                    }
                    (0, 1) => {
                        let p = x[oa];
                        for (o, &q) in dst.iter_mut().zip(&y[ob..ob + inner]) {
                            *o = f(p, q);
                        }
                    }
                    // Both broadcast along the run (only possible when the run is 1 long
                    // after coalescing, but harmless in general).
                    _ => {
                        for (i, o) in dst.iter_mut().enumerate() {
                            let p = x[(oa as isize + i as isize * ia) as usize];
                            let q = y[(ob as isize + i as isize * ib) as usize];
                            *o = f(p, q);
                        }
                    }
                }
            });
        });
    }
    out
}

/// `out[i] = f(c[i'], a[i''], b[i'''])` over the broadcast `out_shape` (already checked).
pub(crate) fn map3<C, T, F>(
    c: Operand<'_, C>,
    a: Operand<'_, T>,
    b: Operand<'_, T>,
    out_shape: &[usize],
    f: F,
) -> Vec<T>
where
    C: Copy + Sync,
    T: Pooled,
    F: Fn(C, T, T) -> T + Sync + Send + Copy,
{
    let n = numel(out_shape);
    let mut out = alloc::<T>(n);
    if n == 0 {
        return out;
    }
    let (z, x, y) = (c.data, a.data, b.data);
    if z.len() == n && x.len() == n && y.len() == n {
        for_each_chunk(&mut out, 1, |s, o| {
            let e = s + o.len();
            let (z, x, y) = (&z[s..e], &x[s..e], &y[s..e]);
            dispatch(
                #[inline(always)]
                |_| {
                    for (((o, &k), &p), &q) in o.iter_mut().zip(z).zip(x).zip(y) {
                        *o = f(k, p, q);
                    }
                },
            )
        });
        return out;
    }
    let sc = broadcast_strides(c.shape, out_shape);
    let sa = broadcast_strides(a.shape, out_shape);
    let sb = broadcast_strides(b.shape, out_shape);
    let it = Strided::<3>::new(out_shape, [&sc, &sa, &sb], [0, 0, 0]);
    let inner = it.inner();
    let [ic, ia, ib] = it.inner_strides();
    for_each_chunk(&mut out, inner, |start, chunk| {
        let r0 = start / inner;
        it.for_rows(r0, r0 + chunk.len() / inner, |row, [oc, oa, ob]| {
            let dst = &mut chunk[(row - r0) * inner..(row - r0 + 1) * inner];
            for (i, o) in dst.iter_mut().enumerate() {
                let i = i as isize;
                *o = f(z[(oc + i * ic) as usize], x[(oa + i * ia) as usize], y[(ob + i * ib) as usize]);
            }
        });
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op<'a, T>(data: &'a [T], shape: &'a [usize]) -> Operand<'a, T> {
        Operand { data, shape }
    }

    #[test]
    fn all_paths_agree_with_reference() {
        let a: Vec<i64> = (0..6).collect();
        let b: Vec<i64> = (0..4).map(|v| v * 10).collect();
        // [2,3,1] + [4] -> [2,3,4]
        let out = map2(op(&a, &[2, 3, 1]), op(&b, &[4]), &[2, 3, 4], |p, q| p + q);
        let mut expect = vec![];
        for &p in &a {
            for &q in &b {
                expect.push(p + q);
            }
        }
        assert_eq!(out, expect);
        // scalar on either side
        assert_eq!(map2(op(&a, &[6]), op(&[1], &[]), &[6], |p, q| p - q), vec![-1, 0, 1, 2, 3, 4]);
        assert_eq!(map2(op(&[1], &[1]), op(&a, &[6]), &[6], |p, q| p - q), vec![1, 0, -1, -2, -3, -4]);
        // size-0 dims
        assert!(map2(op(&[] as &[i64], &[0, 3]), op(&a[..3], &[3]), &[0, 3], |p, q| p + q).is_empty());
    }

    #[test]
    fn map3_broadcasts() {
        let c = [true, false];
        let out = map3(
            op(&c, &[2, 1]),
            op(&[1, 2, 3], &[3]),
            op(&[9], &[]),
            &[2, 3],
            |k, p, q| if k { p } else { q },
        );
        assert_eq!(out, vec![1, 2, 3, 9, 9, 9]);
    }
}

//! Kernels that move elements without computing on them: transpose,
//! broadcast_to / sum_to, concat, slice, pad, tile.
//!
//! All of them describe the move as strides over an index space and let
//! [`strided::gather`] / [`strided::scatter`] do the copying in contiguous runs.

use crate::kernels::elementwise::splat;
use crate::kernels::reduce::sum_mask;
use crate::kernels::scalar::FromF64;
use crate::kernels::strided::{self, Strided, Strides, broadcast_strides, contiguous_strides};
use crate::kernels::transpose::permute;
use crate::shape::{Shape, numel};
use crate::{DType, Element, Error, Result, Tensor, with_buffer};

/// The same data under a fresh id (tensors are immutable, so sharing is safe).
fn share(x: &Tensor) -> Result<Tensor> {
    Ok(x.detached())
}

/// Copies what `it` addresses in `x` into a new tensor of `shape`.
fn gather_into(x: &Tensor, it: &Strided<1>, shape: Shape) -> Tensor {
    let n = numel(&shape);
    let buf = with_buffer!(x.buffer(), v => Element::into_buffer(strided::gather(v, it, n)));
    Tensor::new_unchecked(buf, shape)
}

pub(crate) fn transpose(x: &Tensor, perm: &[usize]) -> Result<Tensor> {
    let rank = x.rank();
    let mut seen = vec![false; rank];
    let valid = perm.len() == rank
        && perm.iter().all(|&p| match seen.get_mut(p) {
            Some(s) if !*s => {
                *s = true;
                true
            }
            _ => false,
        });
    if !valid {
        return Err(Error::arg(
            "transpose",
            format!(
                "perm {perm:?} is not a permutation of 0..{rank} for a tensor of shape {:?}; give each dim exactly once",
                x.shape()
            ),
        ));
    }
    let own = contiguous_strides(x.shape());
    let shape: Shape = perm.iter().map(|&p| x.shape()[p]).collect();
    let s: Strides = perm.iter().map(|&p| own[p]).collect();
    if perm.iter().enumerate().all(|(i, &p)| i == p) {
        return share(x);
    }
    // Cache-blocked copy when the innermost dim moves; the strided gather otherwise.
    if let Some(buf) = with_buffer!(x.buffer(), v => permute(v, &shape, &s).map(Element::into_buffer)) {
        return Ok(Tensor::new_unchecked(buf, shape));
    }
    let it = Strided::<1>::new(&shape, [&s], [0]);
    Ok(gather_into(x, &it, shape))
}

/// True if `from` broadcasts to exactly `to` (numpy rules, right-aligned).
fn broadcasts_to(from: &[usize], to: &[usize]) -> bool {
    from.len() <= to.len() && from.iter().rev().zip(to.iter().rev()).all(|(&f, &t)| f == t || f == 1)
}

pub(crate) fn broadcast_to(x: &Tensor, shape: &[usize]) -> Result<Tensor> {
    if !broadcasts_to(x.shape(), shape) {
        return Err(Error::IncompatibleShapes {
            op: "broadcast_to",
            lhs: x.shape().to_vec(),
            rhs: shape.to_vec(),
        });
    }
    if x.shape() == shape {
        return share(x);
    }
    crate::shape::check_alloc("broadcast_to", shape, x.dtype())?;
    let s = broadcast_strides(x.shape(), shape);
    let it = Strided::<1>::new(shape, [&s], [0]);
    Ok(gather_into(x, &it, Shape::from_slice(shape)))
}

pub(crate) fn sum_to(x: &Tensor, shape: &[usize]) -> Result<Tensor> {
    if !broadcasts_to(shape, x.shape()) {
        return Err(Error::IncompatibleShapes { op: "sum_to", lhs: x.shape().to_vec(), rhs: shape.to_vec() });
    }
    if x.shape() == shape {
        return share(x);
    }
    // Sum the leading dims broadcasting added and the dims it stretched from 1.
    let lead = x.rank() - shape.len();
    let mask: Vec<bool> =
        x.shape().iter().enumerate().map(|(i, &d)| i < lead || (shape[i - lead] == 1 && d != 1)).collect();
    let buf = sum_mask(x, &mask)?;
    Ok(Tensor::new_unchecked(buf, Shape::from_slice(shape)))
}

fn concat_typed<T: Element + Default>(xs: &[Tensor], axis: usize, shape: &[usize]) -> Result<Vec<T>> {
    let outer: usize = shape[..axis].iter().product();
    let inner: usize = shape[axis + 1..].iter().product();
    let mut parts: Vec<(&[T], usize)> = Vec::with_capacity(xs.len());
    for x in xs {
        let v =
            x.as_slice::<T>().ok_or(Error::DTypeMismatch { op: "concat", lhs: T::DTYPE, rhs: x.dtype() })?;
        parts.push((v, x.shape()[axis] * inner));
    }
    let mut out = Vec::with_capacity(numel(shape));
    for o in 0..outer {
        for &(v, run) in &parts {
            out.extend_from_slice(&v[o * run..(o + 1) * run]);
        }
    }
    Ok(out)
}

pub(crate) fn concat(xs: &[Tensor], axis: usize) -> Result<Tensor> {
    let Some(first) = xs.first() else {
        return Err(Error::arg("concat", "needs at least one tensor; got an empty list"));
    };
    let rank = first.rank();
    if axis >= rank {
        return Err(Error::AxisOutOfRange { op: "concat", axis: axis as i64, rank });
    }
    let mut shape = Shape::from_slice(first.shape());
    shape[axis] = 0;
    for (i, x) in xs.iter().enumerate() {
        if x.dtype() != first.dtype() {
            return Err(Error::DTypeMismatch { op: "concat", lhs: first.dtype(), rhs: x.dtype() });
        }
        let same = x.rank() == rank
            && x.shape().iter().zip(first.shape()).enumerate().all(|(d, (a, b))| d == axis || a == b);
        if !same {
            return Err(Error::shape(
                "concat",
                format!(
                    "input {i} has shape {:?} but input 0 has shape {:?}; all dims except axis {axis} must match",
                    x.shape(),
                    first.shape()
                ),
            ));
        }
        shape[axis] = shape[axis]
            .checked_add(x.shape()[axis])
            .ok_or_else(|| crate::shape::too_many_elements("concat", first.shape()))?;
    }
    crate::shape::check_alloc("concat", &shape, first.dtype())?;
    let buf = match first.dtype() {
        DType::F32 => Element::into_buffer(concat_typed::<f32>(xs, axis, &shape)?),
        DType::F64 => Element::into_buffer(concat_typed::<f64>(xs, axis, &shape)?),
        DType::I32 => Element::into_buffer(concat_typed::<i32>(xs, axis, &shape)?),
        DType::I64 => Element::into_buffer(concat_typed::<i64>(xs, axis, &shape)?),
        DType::Bool => Element::into_buffer(concat_typed::<bool>(xs, axis, &shape)?),
    };
    Ok(Tensor::new_unchecked(buf, shape))
}

pub(crate) fn slice_axis(x: &Tensor, axis: usize, start: usize, len: usize) -> Result<Tensor> {
    let rank = x.rank();
    let Some(&dim) = x.shape().get(axis) else {
        return Err(Error::AxisOutOfRange { op: "slice", axis: axis as i64, rank });
    };
    if start.checked_add(len).is_none_or(|end| end > dim) {
        return Err(Error::arg(
            "slice",
            format!("range {start}..{start}+{len} exceeds dim {axis} of size {dim} in shape {:?}", x.shape()),
        ));
    }
    let mut shape = Shape::from_slice(x.shape());
    shape[axis] = len;
    if len == dim {
        return share(x);
    }
    let outer: usize = x.shape()[..axis].iter().product();
    let inner: usize = x.shape()[axis + 1..].iter().product();
    let (run, skip) = (len * inner, dim * inner);
    let buf = with_buffer!(x.buffer(), v => {
        let mut out = Vec::with_capacity(outer * run);
        for o in 0..outer {
            let s = o * skip + start * inner;
            out.extend_from_slice(&v[s..s + run]);
        }
        Element::into_buffer(out)
    });
    Ok(Tensor::new_unchecked(buf, shape))
}

fn pad_typed<T: FromF64 + Copy>(v: &[T], it: &Strided<1>, n: usize, value: f64) -> Vec<T> {
    let mut out = splat::<T>(n, value);
    strided::scatter(v, it, &mut out);
    out
}

pub(crate) fn pad(x: &Tensor, paddings: &[(usize, usize)], value: f64) -> Result<Tensor> {
    if paddings.len() != x.rank() {
        return Err(Error::arg(
            "pad",
            format!(
                "got {} (before, after) pairs for a tensor of rank {} (shape {:?}); give one pair per dim",
                paddings.len(),
                x.rank(),
                x.shape()
            ),
        ));
    }
    let mut shape = Shape::new();
    for (&d, &(b, a)) in x.shape().iter().zip(paddings) {
        let padded = d.checked_add(b).and_then(|v| v.checked_add(a));
        shape.push(padded.ok_or_else(|| crate::shape::too_many_elements("pad", x.shape()))?);
    }
    crate::shape::check_alloc("pad", &shape, x.dtype())?;
    let ostr = contiguous_strides(&shape);
    let base: isize = paddings.iter().zip(&ostr).map(|(&(b, _), &s)| b as isize * s).sum();
    // Walk the input (contiguous) and address the output's interior.
    let it = Strided::<1>::new(x.shape(), [&ostr], [base]);
    let n = numel(&shape);
    let buf = with_buffer!(x.buffer(), v => Element::into_buffer(pad_typed(v, &it, n, value)));
    Ok(Tensor::new_unchecked(buf, shape))
}

pub(crate) fn tile(x: &Tensor, multiples: &[usize]) -> Result<Tensor> {
    if multiples.len() != x.rank() {
        return Err(Error::arg(
            "tile",
            format!(
                "got {} multiples for a tensor of rank {} (shape {:?}); give one multiple per dim",
                multiples.len(),
                x.rank(),
                x.shape()
            ),
        ));
    }
    // Output dim i is (multiples[i], shape[i]) row-major: the copy index reads
    // stride 0 along the repeat and the input's stride along the original dim.
    let own = contiguous_strides(x.shape());
    let mut dims: Shape = Shape::new();
    let mut s = Strides::new();
    let mut shape = Shape::new();
    for ((&d, &m), &st) in x.shape().iter().zip(multiples).zip(&own) {
        dims.extend([m, d]);
        s.extend([0, st]);
        shape.push(d.checked_mul(m).ok_or_else(|| crate::shape::too_many_elements("tile", x.shape()))?);
    }
    // The copy walks `dims` ([m0, d0, m1, d1, ...]): same element count as `shape`.
    crate::shape::check_alloc("tile", &shape, x.dtype())?;
    let it = Strided::<1>::new(&dims, [&s], [0]);
    Ok(gather_into(x, &it, shape))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t<T: Element>(v: Vec<T>, s: &[usize]) -> Tensor {
        Tensor::from_vec(v, s).unwrap()
    }

    #[test]
    fn transpose_matches_reference() {
        let x: Vec<i32> = (0..24).collect();
        let r = transpose(&t(x.clone(), &[2, 3, 4]), &[2, 0, 1]).unwrap();
        assert_eq!(r.shape(), &[4, 2, 3]);
        let r = r.as_slice::<i32>().unwrap();
        for i in 0..4 {
            for j in 0..2 {
                for k in 0..3 {
                    assert_eq!(r[(i * 2 + j) * 3 + k], x[(j * 3 + k) * 4 + i]);
                }
            }
        }
        let big: Vec<f32> = (0..300 * 500).map(|v| v as f32).collect();
        let bt = transpose(&t(big.clone(), &[300, 500]), &[1, 0]).unwrap();
        assert_eq!(bt.as_slice::<f32>().unwrap()[7 * 300 + 11], big[11 * 500 + 7]);
        assert!(matches!(
            transpose(&t(x.clone(), &[2, 3, 4]), &[0, 0, 1]),
            Err(Error::InvalidArgument { .. })
        ));
        assert!(matches!(transpose(&t(x, &[2, 3, 4]), &[0, 1]), Err(Error::InvalidArgument { .. })));
        let s = transpose(&Tensor::scalar(1.0f32), &[]).unwrap();
        assert_eq!(s.to_scalar::<f32>(), Some(1.0));
    }

    #[test]
    fn broadcast_to_and_sum_to_are_adjoint() {
        let x = t(vec![1.0f64, 2.0, 3.0], &[3, 1]);
        let b = broadcast_to(&x, &[2, 3, 2]).unwrap();
        assert_eq!(b.shape(), &[2, 3, 2]);
        assert_eq!(
            b.as_slice::<f64>().unwrap(),
            &[1.0, 1.0, 2.0, 2.0, 3.0, 3.0, 1.0, 1.0, 2.0, 2.0, 3.0, 3.0]
        );
        let s = sum_to(&b, &[3, 1]).unwrap();
        assert_eq!(s.shape(), &[3, 1]);
        assert_eq!(s.as_slice::<f64>().unwrap(), &[4.0, 8.0, 12.0]);
        let s = sum_to(&b, &[]).unwrap();
        assert_eq!(s.to_scalar::<f64>(), Some(24.0));
        let s = sum_to(&b, &[1, 2]).unwrap();
        assert_eq!(s.as_slice::<f64>().unwrap(), &[12.0, 12.0]);
        assert!(matches!(broadcast_to(&x, &[3, 2, 2]), Err(Error::IncompatibleShapes { .. })));
        assert!(matches!(sum_to(&b, &[4]), Err(Error::IncompatibleShapes { .. })));
        let e = broadcast_to(&Tensor::scalar(1i32), &[0, 4]).unwrap();
        assert_eq!(e.shape(), &[0, 4]);
        assert_eq!(sum_to(&e, &[4]).unwrap().as_slice::<i32>().unwrap(), &[0, 0, 0, 0]);
    }

    #[test]
    fn concat_slice_roundtrip() {
        let a = t((0..6).collect::<Vec<i64>>(), &[2, 3]);
        let b = t((6..10).collect::<Vec<i64>>(), &[2, 2]);
        let c = concat(&[a.clone(), b.clone()], 1).unwrap();
        assert_eq!(c.shape(), &[2, 5]);
        assert_eq!(c.as_slice::<i64>().unwrap(), &[0, 1, 2, 6, 7, 3, 4, 5, 8, 9]);
        assert_eq!(slice_axis(&c, 1, 3, 2).unwrap().as_slice::<i64>(), b.as_slice::<i64>());
        assert_eq!(slice_axis(&c, 1, 0, 3).unwrap().as_slice::<i64>(), a.as_slice::<i64>());
        assert_eq!(slice_axis(&c, 0, 1, 0).unwrap().shape(), &[0, 5]);
        assert!(matches!(slice_axis(&c, 1, 4, 2), Err(Error::InvalidArgument { .. })));
        assert!(matches!(slice_axis(&c, 2, 0, 1), Err(Error::AxisOutOfRange { .. })));
        assert!(matches!(concat(&[a.clone(), b.clone()], 0), Err(Error::InvalidShape { .. })));
        assert!(matches!(concat(&[], 0), Err(Error::InvalidArgument { .. })));
        assert!(matches!(
            concat(&[a.clone(), t(vec![1.0f32; 2], &[2, 1])], 1),
            Err(Error::DTypeMismatch { .. })
        ));
        assert!(matches!(concat(&[Tensor::scalar(1i64)], 0), Err(Error::AxisOutOfRange { .. })));
        let v = concat(&[a.clone(), a], 0).unwrap();
        assert_eq!(v.shape(), &[4, 3]);
    }

    #[test]
    fn pad_and_tile() {
        let x = t(vec![1i32, 2, 3, 4], &[2, 2]);
        let p = pad(&x, &[(1, 0), (0, 2)], 9.0).unwrap();
        assert_eq!(p.shape(), &[3, 4]);
        assert_eq!(p.as_slice::<i32>().unwrap(), &[9, 9, 9, 9, 1, 2, 9, 9, 3, 4, 9, 9]);
        assert!(matches!(pad(&x, &[(1, 0)], 0.0), Err(Error::InvalidArgument { .. })));
        let tl = tile(&x, &[2, 3]).unwrap();
        assert_eq!(tl.shape(), &[4, 6]);
        assert_eq!(&tl.as_slice::<i32>().unwrap()[..12], &[1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4]);
        assert_eq!(&tl.as_slice::<i32>().unwrap()[12..18], &[1, 2, 1, 2, 1, 2]);
        assert_eq!(tile(&x, &[0, 1]).unwrap().shape(), &[0, 2]);
        assert!(matches!(tile(&x, &[2]), Err(Error::InvalidArgument { .. })));
        let b = pad(&t(vec![true], &[1]), &[(1, 1)], 0.0).unwrap();
        assert_eq!(b.as_slice::<bool>().unwrap(), &[false, true, false]);
    }
}

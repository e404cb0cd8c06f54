//! Integer-indexed kernels: `gather`, its adjoint, and `one_hot`.

use crate::kernels::elementwise::splat;
use crate::kernels::parallel::is_large;
use crate::kernels::scalar::{FromF64, Num};
use crate::shape::{Shape, numel};
use crate::{Buffer, DType, Element, Error, Result, Tensor, with_buffer};

/// The indices as i64, or `UnsupportedDType` naming `op` for non-integer tensors.
fn index_values<'a>(op: &'static str, indices: &'a Tensor) -> Result<std::borrow::Cow<'a, [i64]>> {
    match indices.buffer() {
        Buffer::I64(v) => Ok(std::borrow::Cow::Borrowed(v)),
        Buffer::I32(v) => Ok(std::borrow::Cow::Owned(v.iter().map(|&i| i64::from(i)).collect())),
        _ => Err(Error::UnsupportedDType {
            op,
            dtype: indices.dtype(),
            hint: "indices must be int32 or int64; cast them with tapegrad.cast(indices, tf.int32)",
        }),
    }
}

/// Checks every index against the gathered dim (TF's CPU kernel raises on any bad one).
fn check_indices(op: &'static str, idx: &[i64], axis: usize, size: usize) -> Result<()> {
    match idx.iter().find(|&&i| i < 0 || i as u64 >= size as u64) {
        Some(&index) => Err(Error::IndexOutOfRange { op, index, axis, size }),
        None => Ok(()),
    }
}

/// `params.shape[:axis] + indices.shape + params.shape[axis+1:]`.
fn gathered_shape(params_shape: &[usize], indices_shape: &[usize], axis: usize) -> Shape {
    let mut s = Shape::from_slice(&params_shape[..axis]);
    s.extend_from_slice(indices_shape);
    s.extend_from_slice(&params_shape[axis + 1..]);
    s
}

pub(crate) fn gather(params: &Tensor, indices: &Tensor, axis: usize) -> Result<Tensor> {
    let pshape = params.shape();
    let Some(&n) = pshape.get(axis) else {
        return Err(Error::AxisOutOfRange { op: "gather", axis: axis as i64, rank: params.rank() });
    };
    let idx = index_values("gather", indices)?;
    check_indices("gather", &idx, axis, n)?;
    let outer: usize = pshape[..axis].iter().product();
    let inner: usize = pshape[axis + 1..].iter().product();
    let shape = gathered_shape(pshape, indices.shape(), axis);
    crate::shape::check_alloc("gather", &shape, params.dtype())?;
    let buf = with_buffer!(params.buffer(), v => {
        let mut out = Vec::with_capacity(numel(&shape));
        for o in 0..outer {
            for &i in idx.iter() {
                let s = (o * n + i as usize) * inner;
                out.extend_from_slice(&v[s..s + inner]);
            }
        }
        Element::into_buffer(out)
    });
    Ok(Tensor::new_unchecked(buf, shape))
}

/// Adds slice `j` of `g` into row `idx[j]` of `out`, block by block. Within a
/// block the order is the index order, so repeated indices accumulate the same
/// way every time; blocks are independent and may run in parallel.
fn scatter_add<T: Num>(g: &[T], idx: &[i64], outer: usize, n: usize, inner: usize) -> Vec<T> {
    let mut out = vec![T::ZERO; outer * n * inner];
    let (gblock, oblock) = (idx.len() * inner, n * inner);
    if gblock == 0 || oblock == 0 {
        return out;
    }
    let one = |o: usize, dst: &mut [T]| {
        for (j, &i) in idx.iter().enumerate() {
            let src = &g[o * gblock + j * inner..o * gblock + (j + 1) * inner];
            let row = &mut dst[i as usize * inner..(i as usize + 1) * inner];
            for (d, &s) in row.iter_mut().zip(src) {
                *d = d.add(s);
            }
        }
    };
    if outer > 1 && is_large(g.len()) {
        crate::kernels::parallel::par_blocks(&mut out, oblock, one);
    } else {
        for (o, dst) in out.chunks_mut(oblock).enumerate() {
            one(o, dst);
        }
    }
    out
}

pub(crate) fn gather_grad(
    grad: &Tensor,
    indices: &Tensor,
    axis: usize,
    params_shape: &[usize],
) -> Result<Tensor> {
    let Some(&n) = params_shape.get(axis) else {
        return Err(Error::AxisOutOfRange { op: "gather_grad", axis: axis as i64, rank: params_shape.len() });
    };
    let idx = index_values("gather_grad", indices)?;
    check_indices("gather_grad", &idx, axis, n)?;
    let expected = gathered_shape(params_shape, indices.shape(), axis);
    if grad.shape() != expected.as_slice() {
        return Err(Error::shape(
            "gather_grad",
            format!(
                "gradient has shape {:?} but gathering {:?} from params of shape {params_shape:?} on axis {axis} gives {expected:?}",
                grad.shape(),
                indices.shape()
            ),
        ));
    }
    let outer: usize = params_shape[..axis].iter().product();
    let inner: usize = params_shape[axis + 1..].iter().product();
    let buf = match grad.buffer() {
        Buffer::F32(g) => Buffer::F32(scatter_add(g, &idx, outer, n, inner)),
        Buffer::F64(g) => Buffer::F64(scatter_add(g, &idx, outer, n, inner)),
        Buffer::I32(g) => Buffer::I32(scatter_add(g, &idx, outer, n, inner)),
        Buffer::I64(g) => Buffer::I64(scatter_add(g, &idx, outer, n, inner)),
        Buffer::Bool(_) => {
            return Err(Error::UnsupportedDType {
                op: "gather_grad",
                dtype: DType::Bool,
                hint: "gradients are numeric",
            });
        }
    };
    Ok(Tensor::new_unchecked(buf, Shape::from_slice(params_shape)))
}

fn one_hot_typed<T: FromF64 + Copy>(idx: &[i64], depth: usize, on: f64, off: f64) -> Vec<T> {
    let mut out = splat::<T>(idx.len() * depth, off);
    let on = T::from_f64_value(on);
    for (row, &i) in out.chunks_mut(depth.max(1)).zip(idx) {
        // Out-of-range (including negative) indices leave the row all `off`, as TF.
        if let Some(slot) = usize::try_from(i).ok().and_then(|u| row.get_mut(u)) {
            *slot = on;
        }
    }
    out
}

pub(crate) fn one_hot(indices: &Tensor, depth: usize, on: f64, off: f64, dtype: DType) -> Result<Tensor> {
    let idx = index_values("one_hot", indices)?;
    let mut shape = Shape::from_slice(indices.shape());
    shape.push(depth);
    crate::shape::check_alloc("one_hot", &shape, dtype)?;
    let buf = match dtype {
        DType::F32 => Buffer::F32(one_hot_typed(&idx, depth, on, off)),
        DType::F64 => Buffer::F64(one_hot_typed(&idx, depth, on, off)),
        DType::I32 => Buffer::I32(one_hot_typed(&idx, depth, on, off)),
        DType::I64 => Buffer::I64(one_hot_typed(&idx, depth, on, off)),
        DType::Bool => Buffer::Bool(one_hot_typed(&idx, depth, on, off)),
    };
    Ok(Tensor::new_unchecked(buf, shape))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t<T: Element>(v: Vec<T>, s: &[usize]) -> Tensor {
        Tensor::from_vec(v, s).unwrap()
    }

    #[test]
    fn gather_matches_reference() {
        let p: Vec<f32> = (0..24).map(|v| v as f32).collect();
        let params = t(p.clone(), &[2, 3, 4]);
        let idx = t(vec![2i32, 0, 2], &[3, 1]);
        let r = gather(&params, &idx, 1).unwrap();
        assert_eq!(r.shape(), &[2, 3, 1, 4]);
        let r = r.as_slice::<f32>().unwrap();
        for o in 0..2 {
            for (j, &i) in [2usize, 0, 2].iter().enumerate() {
                for k in 0..4 {
                    assert_eq!(r[(o * 3 + j) * 4 + k], p[(o * 3 + i) * 4 + k]);
                }
            }
        }
        let s = gather(&params, &Tensor::scalar(1i64), 0).unwrap();
        assert_eq!(s.shape(), &[3, 4]);
        assert!(matches!(
            gather(&params, &t(vec![3i32], &[1]), 1),
            Err(Error::IndexOutOfRange { index: 3, .. })
        ));
        assert!(matches!(gather(&params, &t(vec![-1i32], &[1]), 0), Err(Error::IndexOutOfRange { .. })));
        assert!(matches!(gather(&params, &t(vec![0.0f32], &[1]), 0), Err(Error::UnsupportedDType { .. })));
        assert!(matches!(gather(&params, &Tensor::scalar(0i32), 3), Err(Error::AxisOutOfRange { .. })));
        let e = gather(&params, &t(Vec::<i32>::new(), &[0]), 2).unwrap();
        assert_eq!(e.shape(), &[2, 3, 0]);
    }

    #[test]
    fn gather_grad_accumulates_repeats() {
        let g = t(vec![1.0f64, 2.0, 3.0, 4.0, 5.0, 6.0], &[3, 2]);
        let idx = t(vec![1i64, 1, 0], &[3]);
        let r = gather_grad(&g, &idx, 0, &[4, 2]).unwrap();
        assert_eq!(r.shape(), &[4, 2]);
        assert_eq!(r.as_slice::<f64>().unwrap(), &[5.0, 6.0, 4.0, 6.0, 0.0, 0.0, 0.0, 0.0]);
        let r = gather_grad(&t(vec![1i32, 2, 3, 4], &[2, 2]), &t(vec![0i32, 0], &[2]), 1, &[2, 3]).unwrap();
        assert_eq!(r.as_slice::<i32>().unwrap(), &[3, 0, 0, 7, 0, 0]);
        assert!(matches!(gather_grad(&g, &idx, 0, &[4, 3]), Err(Error::InvalidShape { .. })));
        assert!(matches!(gather_grad(&g, &idx, 0, &[1, 2]), Err(Error::IndexOutOfRange { .. })));
    }

    #[test]
    fn one_hot_rows() {
        let r = one_hot(&t(vec![0i32, 2, -1, 5], &[2, 2]), 3, 1.0, 0.0, DType::F32).unwrap();
        assert_eq!(r.shape(), &[2, 2, 3]);
        assert_eq!(
            r.as_slice::<f32>().unwrap(),
            &[1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
        );
        let b = one_hot(&Tensor::scalar(1i64), 2, 5.0, -1.0, DType::I64).unwrap();
        assert_eq!(b.as_slice::<i64>().unwrap(), &[-1, 5]);
        assert_eq!(one_hot(&t(vec![0i32], &[1]), 0, 1.0, 0.0, DType::F32).unwrap().shape(), &[1, 0]);
        assert!(matches!(
            one_hot(&Tensor::scalar(true), 2, 1.0, 0.0, DType::F32),
            Err(Error::UnsupportedDType { .. })
        ));
    }
}

//! Shape, layout and indexing ops.

use std::sync::Arc;

use crate::autodiff::tape::record;
use crate::kernels::{self, index::IndexItem, index::NormalizedSlice};
use crate::ops::Op;
use crate::shape::{Shape, normalize_axis, resolve_reshape};
use crate::{DType, Error, Result, Tensor};

/// Same elements in a new shape; one dim may be `-1`. No copy.
///
/// ```
/// use tapegrad::{Tensor, ops};
/// let x = Tensor::from_vec(vec![1.0f32; 6], &[2, 3]).unwrap();
/// assert_eq!(ops::reshape(&x, &[3, -1]).unwrap().shape(), &[3, 2]);
/// ```
pub fn reshape(x: &Tensor, shape: &[i64]) -> Result<Tensor> {
    let shape = resolve_reshape("reshape", x.numel(), shape)?;
    let y = x.with_shape(&shape)?;
    record(Op::Reshape, &[x], &y);
    Ok(y)
}

/// Reshape to an already resolved shape.
pub(crate) fn reshape_to(x: &Tensor, shape: &[usize]) -> Result<Tensor> {
    if x.shape() == shape {
        return Ok(x.clone());
    }
    let y = x.with_shape(shape)?;
    record(Op::Reshape, &[x], &y);
    Ok(y)
}

/// Permutes dims (`None` reverses them, as TF's default).
pub fn transpose(x: &Tensor, perm: Option<&[usize]>) -> Result<Tensor> {
    let r = x.rank();
    let perm: Shape = match perm {
        Some(p) => Shape::from_slice(p),
        None => (0..r).rev().collect(),
    };
    let mut seen = vec![false; r];
    if perm.len() != r || perm.iter().any(|&p| p >= r || std::mem::replace(&mut seen[p], true)) {
        return Err(Error::arg(
            "transpose",
            format!(
                "perm {:?} is not a permutation of the {r} dims of a tensor of shape {:?}",
                perm,
                x.shape()
            ),
        ));
    }
    if perm.iter().enumerate().all(|(i, &p)| i == p) {
        return Ok(x.clone());
    }
    let y = kernels::transpose(x, &perm)?;
    record(Op::Transpose { perm }, &[x], &y);
    Ok(y)
}

/// Inserts a dim of size 1 at `axis` (in `[-rank-1, rank]`).
pub fn expand_dims(x: &Tensor, axis: i64) -> Result<Tensor> {
    let axis = normalize_axis("expand_dims", axis, x.rank() + 1)?;
    let mut shape = Shape::from_slice(x.shape());
    shape.insert(axis, 1);
    reshape_to(x, &shape)
}

/// Removes dims of size 1 (`None`: all of them; naming a dim that is not 1 is an error).
pub fn squeeze(x: &Tensor, axes: Option<&[i64]>) -> Result<Tensor> {
    let shape: Shape = match axes {
        None => x.shape().iter().copied().filter(|&d| d != 1).collect(),
        Some(axes) => {
            let mut drop = vec![false; x.rank()];
            for &a in axes {
                let a = normalize_axis("squeeze", a, x.rank())?;
                if x.shape()[a] != 1 {
                    return Err(Error::arg(
                        "squeeze",
                        format!(
                            "cannot squeeze dim {a} of size {} in shape {:?}; it must be 1",
                            x.shape()[a],
                            x.shape()
                        ),
                    ));
                }
                drop[a] = true;
            }
            x.shape().iter().zip(drop).filter(|(_, d)| !d).map(|(&s, _)| s).collect()
        }
    };
    reshape_to(x, &shape)
}

/// Broadcasts to `shape` (numpy rules).
pub fn broadcast_to(x: &Tensor, shape: &[usize]) -> Result<Tensor> {
    if x.shape() == shape {
        return Ok(x.clone());
    }
    let y = kernels::broadcast_to(x, shape)?;
    record(Op::BroadcastTo, &[x], &y);
    Ok(y)
}

/// Sums away the dims that broadcasting `shape` up to `x.shape()` added: the
/// "unbroadcast" every binary gradient ends with.
pub fn sum_to(x: &Tensor, shape: &[usize]) -> Result<Tensor> {
    if x.shape() == shape {
        return Ok(x.clone());
    }
    let y = kernels::sum_to(x, shape)?;
    record(Op::SumTo, &[x], &y);
    Ok(y)
}

/// Joins tensors along `axis`.
pub fn concat(xs: &[Tensor], axis: i64) -> Result<Tensor> {
    let Some(first) = xs.first() else {
        return Err(Error::arg("concat", "needs at least one tensor"));
    };
    let axis = normalize_axis("concat", axis, first.rank().max(1))?;
    if xs.len() == 1 {
        return Ok(first.clone());
    }
    let y = kernels::concat(xs, axis)?;
    let refs: Vec<&Tensor> = xs.iter().collect();
    record(Op::Concat { axis }, &refs, &y);
    Ok(y)
}

/// Stacks same-shaped tensors along a new `axis`.
pub fn stack(xs: &[Tensor], axis: i64) -> Result<Tensor> {
    let Some(first) = xs.first() else {
        return Err(Error::arg("stack", "needs at least one tensor"));
    };
    let axis = normalize_axis("stack", axis, first.rank() + 1)?;
    for x in xs {
        if x.shape() != first.shape() {
            return Err(Error::IncompatibleShapes {
                op: "stack",
                lhs: first.shape().to_vec(),
                rhs: x.shape().to_vec(),
            });
        }
    }
    let expanded = xs.iter().map(|x| expand_dims(x, axis as i64)).collect::<Result<Vec<_>>>()?;
    concat(&expanded, axis as i64)
}

/// `x[.., start..start+len, ..]` along `axis`.
pub fn slice_axis(x: &Tensor, axis: usize, start: usize, len: usize) -> Result<Tensor> {
    let y = kernels::slice_axis(x, axis, start, len)?;
    record(Op::SliceAxis { axis, start }, &[x], &y);
    Ok(y)
}

/// Splits into pieces of `sizes` along `axis` (TF's `split` with a size list).
pub fn split(x: &Tensor, sizes: &[usize], axis: i64) -> Result<Vec<Tensor>> {
    let axis = normalize_axis("split", axis, x.rank())?;
    let total = sizes.iter().try_fold(0usize, |acc, &s| acc.checked_add(s)).unwrap_or(usize::MAX);
    if total != x.shape()[axis] {
        return Err(Error::arg(
            "split",
            format!(
                "sizes {sizes:?} sum to {total} but dim {axis} of shape {:?} is {}",
                x.shape(),
                x.shape()[axis]
            ),
        ));
    }
    let mut start = 0;
    let mut out = Vec::with_capacity(sizes.len());
    for &n in sizes {
        out.push(slice_axis(x, axis, start, n)?);
        start += n;
    }
    Ok(out)
}

/// Splits along `axis` into its slices, removing the axis (TF's `unstack`).
pub fn unstack(x: &Tensor, axis: i64) -> Result<Vec<Tensor>> {
    let axis = normalize_axis("unstack", axis, x.rank())?;
    let n = x.shape()[axis];
    (0..n).map(|i| slice_axis(x, axis, i, 1).and_then(|s| squeeze(&s, Some(&[axis as i64])))).collect()
}

/// Pads with `value` (`(before, after)` per dim).
pub fn pad(x: &Tensor, paddings: &[(usize, usize)], value: f64) -> Result<Tensor> {
    if paddings.len() != x.rank() {
        return Err(Error::arg(
            "pad",
            format!(
                "paddings has {} rows but the tensor of shape {:?} has rank {}",
                paddings.len(),
                x.shape(),
                x.rank()
            ),
        ));
    }
    let y = kernels::pad(x, paddings, value)?;
    record(Op::Pad { paddings: paddings.to_vec() }, &[x], &y);
    Ok(y)
}

/// Repeats along each dim.
pub fn tile(x: &Tensor, multiples: &[usize]) -> Result<Tensor> {
    if multiples.len() != x.rank() {
        return Err(Error::arg(
            "tile",
            format!(
                "multiples has {} entries but the tensor of shape {:?} has rank {}",
                multiples.len(),
                x.shape(),
                x.rank()
            ),
        ));
    }
    let y = kernels::tile(x, multiples)?;
    record(Op::Tile { multiples: Shape::from_slice(multiples) }, &[x], &y);
    Ok(y)
}

/// numpy basic indexing: `x[items]`.
pub fn strided_slice(x: &Tensor, items: &[IndexItem]) -> Result<Tensor> {
    let spec = NormalizedSlice::new(x.shape(), items)?;
    strided_slice_spec(x, &Arc::new(spec))
}

pub(crate) fn strided_slice_spec(x: &Tensor, spec: &Arc<NormalizedSlice>) -> Result<Tensor> {
    let y = kernels::index::strided_slice(x, spec)?;
    record(Op::StridedSlice(spec.clone()), &[x], &y);
    Ok(y)
}

pub(crate) fn strided_slice_grad(g: &Tensor, spec: &Arc<NormalizedSlice>) -> Result<Tensor> {
    let y = kernels::index::strided_slice_grad(g, spec)?;
    record(Op::StridedSliceGrad(spec.clone()), &[g], &y);
    Ok(y)
}

/// TF's `gather(params, indices, axis)`.
pub fn gather(params: &Tensor, indices: &Tensor, axis: i64) -> Result<Tensor> {
    let axis = normalize_axis("gather", axis, params.rank())?;
    let y = kernels::gather(params, indices, axis)?;
    record(Op::Gather { axis }, &[params, indices], &y);
    Ok(y)
}

pub(crate) fn gather_grad(
    g: &Tensor,
    indices: &Tensor,
    axis: usize,
    params_shape: &[usize],
) -> Result<Tensor> {
    let y = kernels::gather_grad(g, indices, axis, params_shape)?;
    record(Op::GatherGrad { axis, params_shape: Shape::from_slice(params_shape) }, &[g, indices], &y);
    Ok(y)
}

/// One-hot encoding along a new last axis (not differentiable).
pub fn one_hot(indices: &Tensor, depth: usize, on: f64, off: f64, dtype: DType) -> Result<Tensor> {
    kernels::one_hot(indices, depth, on, off, dtype)
}

//! numpy/TF basic indexing: `x[1:, ::2]`, `x[i][j]`, `x[..., None]`.

use crate::kernels::elementwise::splat;
use crate::kernels::scalar::FromF64;
use crate::kernels::strided::{self, Strided, Strides, contiguous_strides};
use crate::shape::{Shape, numel};
use crate::{Element, Error, Result, Tensor, with_buffer};

/// One item of an index expression, as Python's `__getitem__` receives it.
#[derive(Clone, Debug, PartialEq)]
pub enum IndexItem {
    /// An integer: selects one position and removes the dim (negative counts from the end).
    Index(i64),
    /// `start:stop:step` with Python's defaults for `None`; `step != 0`.
    Slice {
        /// First position (None = start, or end for negative step).
        start: Option<i64>,
        /// One past the last (None = end, or before start for negative step).
        stop: Option<i64>,
        /// Step (None = 1).
        step: Option<i64>,
    },
    /// `None` / `tf.newaxis`: inserts a dim of size 1.
    NewAxis,
    /// `...`: as many full slices as needed.
    Ellipsis,
}

/// An index expression resolved against an input shape.
#[derive(Clone, Debug, PartialEq)]
pub struct NormalizedSlice {
    /// The input's shape.
    pub input_shape: Shape,
    /// Per input dim: (first position, step, count). An integer index is `(i, 1, 1)`.
    pub dims: Vec<(i64, i64, usize)>,
    /// The output's shape (int-indexed dims removed, new axes inserted).
    pub out_shape: Shape,
}

impl NormalizedSlice {
    /// Resolves `items` against `shape` with numpy's rules; errors name the dim and size.
    pub fn new(shape: &[usize], items: &[IndexItem]) -> Result<NormalizedSlice> {
        let rank = shape.len();
        if items.iter().filter(|i| **i == IndexItem::Ellipsis).count() > 1 {
            return Err(Error::arg(OP, "an index can only have a single ellipsis ('...')"));
        }
        let consumed =
            items.iter().filter(|i| matches!(i, IndexItem::Index(_) | IndexItem::Slice { .. })).count();
        if consumed > rank {
            return Err(Error::arg(
                OP,
                format!(
                    "too many indices for a tensor of rank {rank} (shape {shape:?}): {consumed} dims were indexed; \
                     index at most {rank} dims"
                ),
            ));
        }
        let mut dims = Vec::with_capacity(rank);
        let mut out_shape = Shape::new();
        // Full slices for the dims an ellipsis (or the end of the index) leaves untouched.
        let full = |dims: &mut Vec<(i64, i64, usize)>, out: &mut Shape, size: usize| {
            dims.push((0, 1, size));
            out.push(size);
        };
        for item in items {
            match *item {
                IndexItem::Index(i) => {
                    let axis = dims.len();
                    let size = shape[axis];
                    let pos = if i < 0 { i.checked_add(size as i64) } else { Some(i) };
                    match pos {
                        Some(p) if p >= 0 && (p as u64) < size as u64 => dims.push((p, 1, 1)),
                        _ => return Err(Error::IndexOutOfRange { op: OP, index: i, axis, size }),
                    }
                }
                IndexItem::Slice { start, stop, step } => {
                    let size = shape[dims.len()];
                    let step = step.unwrap_or(1);
                    if step == 0 {
                        return Err(Error::arg(
                            OP,
                            format!("slice step cannot be zero (dim {})", dims.len()),
                        ));
                    }
                    let (first, count) = python_slice(start, stop, step, size);
                    dims.push((first, step, count));
                    out_shape.push(count);
                }
                IndexItem::NewAxis => out_shape.push(1),
                IndexItem::Ellipsis => {
                    for _ in 0..rank - consumed {
                        let size = shape[dims.len()];
                        full(&mut dims, &mut out_shape, size);
                    }
                }
            }
        }
        while dims.len() < rank {
            let size = shape[dims.len()];
            full(&mut dims, &mut out_shape, size);
        }
        Ok(NormalizedSlice { input_shape: Shape::from_slice(shape), dims, out_shape })
    }

    /// Checks that the (public, so possibly hand-built) spec only addresses
    /// positions inside `input_shape` and that `out_shape` holds the selection.
    fn validate(&self) -> Result<()> {
        let bad = |msg: String| Err(Error::arg(OP, msg));
        if self.dims.len() != self.input_shape.len() {
            return bad(format!("spec has {} dims for input shape {:?}", self.dims.len(), self.input_shape));
        }
        for (axis, (&(first, step, count), &size)) in self.dims.iter().zip(&self.input_shape).enumerate() {
            if count == 0 {
                continue;
            }
            let last = (count as i128 - 1) * step as i128 + first as i128;
            let ok = |p: i128| p >= 0 && p < size as i128;
            if !ok(first as i128) || !ok(last) {
                return bad(format!("spec dim {axis} ({first}, {step}, {count}) leaves [0, {size})"));
            }
        }
        let selected: usize = self.dims.iter().map(|d| d.2).product();
        if crate::shape::checked_numel(OP, &self.out_shape)? != selected {
            return bad(format!(
                "spec out_shape {:?} does not hold the {selected} selected elements",
                self.out_shape
            ));
        }
        Ok(())
    }

    /// The walk over the selected positions: index space = per-dim counts,
    /// addresses = strides scaled by the steps, starting at the first positions.
    fn walk(&self) -> Strided<1> {
        let own = contiguous_strides(&self.input_shape);
        let counts: Shape = self.dims.iter().map(|d| d.2).collect();
        // A dim selecting at most one position never moves, so its step (maybe huge) is unused.
        let s: Strides = self
            .dims
            .iter()
            .zip(&own)
            .map(|(&(_, step, count), &st)| if count > 1 { step as isize * st } else { 0 })
            .collect();
        let base: isize = self.dims.iter().zip(&own).map(|(&(first, _, _), &st)| first as isize * st).sum();
        Strided::new(&counts, [&s], [base])
    }
}

/// Python's `slice(start, stop, step).indices(size)`: returns (first, count).
fn python_slice(start: Option<i64>, stop: Option<i64>, step: i64, size: usize) -> (i64, usize) {
    let len = size as i128;
    let (step, start, stop) = (step as i128, start.map(i128::from), stop.map(i128::from));
    // Negative positions count from the end; then clamp into the reachable range.
    let wrap = |v: i128| if v < 0 { v + len } else { v };
    let (first, count) = if step > 0 {
        let a = start.map_or(0, |v| wrap(v).clamp(0, len));
        let b = stop.map_or(len, |v| wrap(v).clamp(0, len));
        (a, if b > a { (b - a + step - 1) / step } else { 0 })
    } else {
        let a = start.map_or(len - 1, |v| wrap(v).clamp(-1, len - 1));
        let b = stop.map_or(-1, |v| wrap(v).clamp(-1, len - 1));
        (a, if a > b { (a - b - step - 1) / -step } else { 0 })
    };
    if count == 0 { (0, 0) } else { (first as i64, count as usize) }
}

const OP: &str = "strided_slice";

/// Gathers the elements `spec` selects.
pub fn strided_slice(x: &Tensor, spec: &NormalizedSlice) -> Result<Tensor> {
    if x.shape() != spec.input_shape.as_slice() {
        return Err(Error::shape(
            OP,
            format!(
                "the index was resolved for shape {:?} but the tensor has shape {:?}",
                spec.input_shape,
                x.shape()
            ),
        ));
    }
    spec.validate()?;
    let n = numel(&spec.out_shape);
    let it = spec.walk();
    let buf = with_buffer!(x.buffer(), v => Element::into_buffer(strided::gather(v, &it, n)));
    Ok(Tensor::new_unchecked(buf, spec.out_shape.clone()))
}

fn scatter_typed<T: FromF64 + Copy>(g: &[T], it: &Strided<1>, n: usize) -> Vec<T> {
    let mut out = splat::<T>(n, 0.0);
    strided::scatter(g, it, &mut out);
    out
}

/// The adjoint of [`strided_slice`]: zeros of `spec.input_shape` with `grad` scattered in.
pub fn strided_slice_grad(grad: &Tensor, spec: &NormalizedSlice) -> Result<Tensor> {
    if grad.shape() != spec.out_shape.as_slice() {
        return Err(Error::shape(
            OP,
            format!(
                "gradient has shape {:?} but the slice's output has shape {:?}",
                grad.shape(),
                spec.out_shape
            ),
        ));
    }
    spec.validate()?;
    let n = numel(&spec.input_shape);
    let it = spec.walk();
    // Slices never select a position twice, so scattering by assignment is the sum.
    let buf = with_buffer!(grad.buffer(), v => Element::into_buffer(scatter_typed(v, &it, n)));
    Ok(Tensor::new_unchecked(buf, spec.input_shape.clone()))
}

#[cfg(test)]
mod tests {
    use super::IndexItem::*;
    use super::*;

    fn sl(start: Option<i64>, stop: Option<i64>, step: Option<i64>) -> IndexItem {
        Slice { start, stop, step }
    }

    /// Reference: Python's slice.indices then materialised positions.
    fn positions(start: Option<i64>, stop: Option<i64>, step: i64, len: i64) -> Vec<i64> {
        let (f, c) = python_slice(start, stop, step, len as usize);
        (0..c as i64).map(|i| f + i * step).collect()
    }

    #[test]
    fn python_slice_semantics() {
        assert_eq!(positions(None, None, 1, 5), vec![0, 1, 2, 3, 4]);
        assert_eq!(positions(None, None, -1, 5), vec![4, 3, 2, 1, 0]);
        assert_eq!(positions(Some(1), Some(-1), 2, 6), vec![1, 3]);
        assert_eq!(positions(Some(-100), Some(100), 3, 7), vec![0, 3, 6]);
        assert_eq!(positions(Some(100), Some(-100), -3, 7), vec![6, 3, 0]);
        assert_eq!(positions(Some(3), Some(1), 1, 5), Vec::<i64>::new());
        assert_eq!(positions(Some(-2), None, -1, 5), vec![3, 2, 1, 0]);
        assert_eq!(positions(Some(0), Some(5), i64::MAX, 5), vec![0]);
        assert_eq!(positions(None, None, i64::MIN, 5), vec![4]);
        assert_eq!(positions(None, None, 1, 0), Vec::<i64>::new());
    }

    #[test]
    fn resolves_items() {
        let s = NormalizedSlice::new(&[2, 3, 4], &[Index(-1), Ellipsis, NewAxis, sl(None, None, Some(2))])
            .unwrap();
        assert_eq!(s.dims, vec![(1, 1, 1), (0, 1, 3), (0, 2, 2)]);
        assert_eq!(s.out_shape.as_slice(), &[3, 1, 2]);
        let s = NormalizedSlice::new(&[2, 3], &[NewAxis]).unwrap();
        assert_eq!(s.out_shape.as_slice(), &[1, 2, 3]);
        let s = NormalizedSlice::new(&[], &[Ellipsis, NewAxis]).unwrap();
        assert_eq!(s.out_shape.as_slice(), &[1]);
        let e = NormalizedSlice::new(&[2, 3], &[Index(0), Index(3)]);
        assert!(matches!(e, Err(Error::IndexOutOfRange { index: 3, axis: 1, size: 3, .. })));
        let e = NormalizedSlice::new(&[2, 3], &[Index(-3)]);
        assert!(matches!(e, Err(Error::IndexOutOfRange { index: -3, axis: 0, size: 2, .. })));
        assert!(matches!(
            NormalizedSlice::new(&[2], &[Index(0), Index(0)]),
            Err(Error::InvalidArgument { .. })
        ));
        assert!(matches!(
            NormalizedSlice::new(&[2], &[Ellipsis, Ellipsis]),
            Err(Error::InvalidArgument { .. })
        ));
        assert!(matches!(
            NormalizedSlice::new(&[2], &[sl(None, None, Some(0))]),
            Err(Error::InvalidArgument { .. })
        ));
        assert!(matches!(NormalizedSlice::new(&[], &[Index(i64::MIN)]), Err(Error::InvalidArgument { .. })));
        assert!(matches!(NormalizedSlice::new(&[4], &[Index(i64::MIN)]), Err(Error::IndexOutOfRange { .. })));
    }

    #[test]
    fn slice_and_grad_match_reference() {
        let x: Vec<i32> = (0..60).collect();
        let t = Tensor::from_vec(x.clone(), &[3, 4, 5]).unwrap();
        let items = [sl(None, None, Some(-1)), Index(2), sl(Some(4), Some(0), Some(-2))];
        let spec = NormalizedSlice::new(t.shape(), &items).unwrap();
        let r = strided_slice(&t, &spec).unwrap();
        assert_eq!(r.shape(), &[3, 2]);
        let mut want = vec![];
        for i in [2, 1, 0] {
            for k in [4, 2] {
                want.push(x[i * 20 + 2 * 5 + k]);
            }
        }
        assert_eq!(r.as_slice::<i32>().unwrap(), want.as_slice());
        let g = strided_slice_grad(&Tensor::from_vec(vec![1.0f32; 6], &[3, 2]).unwrap(), &spec).unwrap();
        assert_eq!(g.shape(), &[3, 4, 5]);
        let gs = g.as_slice::<f32>().unwrap();
        assert_eq!(gs.iter().sum::<f32>(), 6.0);
        assert_eq!(gs[2 * 20 + 10 + 4], 1.0);
        assert_eq!(gs[10 + 3], 0.0);
        // empty selections and mismatched inputs
        let spec = NormalizedSlice::new(&[3, 4, 5], &[sl(Some(2), Some(1), None)]).unwrap();
        assert_eq!(strided_slice(&t, &spec).unwrap().shape(), &[0, 4, 5]);
        let other = Tensor::from_vec(vec![0i32; 4], &[4]).unwrap();
        assert!(matches!(strided_slice(&other, &spec), Err(Error::InvalidShape { .. })));
        let mut bad = NormalizedSlice::new(&[3, 4, 5], &[]).unwrap();
        bad.dims[0] = (2, 1, 3);
        assert!(matches!(strided_slice(&t, &bad), Err(Error::InvalidArgument { .. })));
        assert!(matches!(strided_slice_grad(&other, &bad), Err(Error::InvalidShape { .. })));
        // scalar index on a rank-1 tensor yields a rank-0 tensor
        let v = Tensor::from_vec(vec![5.0f64, 6.0], &[2]).unwrap();
        let spec = NormalizedSlice::new(&[2], &[Index(-1)]).unwrap();
        assert_eq!(strided_slice(&v, &spec).unwrap().to_scalar::<f64>(), Some(6.0));
    }
}

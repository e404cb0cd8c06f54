//! Shapes, numpy broadcasting and axis normalisation.

use smallvec::SmallVec;

use crate::{Error, Result};

/// A tensor's dimensions. Inline up to 4 dims, so small shapes never allocate.
pub type Shape = SmallVec<[usize; 4]>;

/// The most elements any tensor may hold: a buffer of the widest dtype (8
/// bytes) of that many elements is still at most `isize::MAX` bytes, the
/// largest allocation Rust can describe.
pub const MAX_ELEMENTS: usize = isize::MAX as usize / 8;

/// Number of elements a shape holds (1 for a scalar).
///
/// Unchecked: only for shapes already known to be valid (a live tensor's, or
/// one [`checked_numel`] accepted). Shapes from outside go through [`checked_numel`].
///
/// ```
/// assert_eq!(tapegrad::shape::numel(&[2, 3]), 6);
/// assert_eq!(tapegrad::shape::numel(&[]), 1);
/// ```
pub fn numel(shape: &[usize]) -> usize {
    shape.iter().product()
}

/// The element count of `shape`, or an `InvalidArgument` error naming `op` and
/// the shape if it is not a valid tensor shape.
///
/// A shape is valid when the product of its *nonzero* dims is at most
/// [`MAX_ELEMENTS`]. Counting zero dims as 1 makes the bound hold for every
/// sub-product too, so kernels may multiply any subset of a valid shape's dims
/// (strides, outer/inner counts, flat indices) without overflow, even in an
/// empty tensor such as `[0, 2^40, 2^40]`. This is the invariant every
/// `numel`, stride and index computation in the crate relies on.
///
/// ```
/// use tapegrad::shape::checked_numel;
/// assert_eq!(checked_numel("zeros", &[2, 3]).unwrap(), 6);
/// assert_eq!(checked_numel("zeros", &[0, 5]).unwrap(), 0);
/// assert!(checked_numel("zeros", &[1 << 32, 1 << 32]).is_err());
/// assert!(checked_numel("zeros", &[0, 1 << 32, 1 << 32]).is_err());
/// ```
pub fn checked_numel(op: &'static str, shape: &[usize]) -> Result<usize> {
    let mut bound = 1usize;
    let mut empty = false;
    for &d in shape {
        empty |= d == 0;
        bound = match bound.checked_mul(d.max(1)) {
            Some(b) if b <= MAX_ELEMENTS => b,
            _ => return Err(too_many_elements(op, shape)),
        };
    }
    Ok(if empty { 0 } else { bound })
}

/// The error for a shape whose element count does not fit (TF's wording).
pub fn too_many_elements(op: &'static str, shape: &[usize]) -> Error {
    Error::arg(
        op,
        format!("Shape {shape:?} has too many elements (more than {MAX_ELEMENTS}, which is 2**60 - 1)"),
    )
}

/// Checks that a tensor of `shape` and `dtype` can be described and
/// allocated: its element count is valid ([`checked_numel`]) and, for large
/// buffers, memory for it can be reserved. Returns the element count.
///
/// The reservation is a probe (reserve, then free at once) made only for
/// buffers of [`PROBE_BYTES`] or more, where its cost (a map and unmap of
/// untouched pages) is far below that of writing the buffer: it turns a
/// request the machine cannot satisfy into a `ResourceExhausted` error here,
/// before a kernel's infallible allocation would abort the process.
///
/// ```
/// use tapegrad::{DType, Error, shape::check_alloc};
/// assert_eq!(check_alloc("zeros", &[2, 3], DType::F32).unwrap(), 6);
/// let err = check_alloc("zeros", &[1 << 20, 1 << 20], DType::F32).unwrap_err(); // 4 TiB
/// assert!(matches!(err, Error::ResourceExhausted { .. }));
/// ```
pub fn check_alloc(op: &'static str, shape: &[usize], dtype: crate::DType) -> Result<usize> {
    let n = checked_numel(op, shape)?;
    let bytes = n * dtype.size_in_bytes(); // <= isize::MAX: n <= MAX_ELEMENTS, size <= 8
    if bytes >= PROBE_BYTES {
        let mut probe: Vec<u8> = Vec::new();
        if probe.try_reserve_exact(bytes).is_err() {
            return Err(Error::ResourceExhausted { op, shape: shape.to_vec(), dtype, bytes });
        }
    }
    Ok(n)
}

/// Buffers at least this large are reserved once by [`check_alloc`] before a
/// kernel allocates them.
pub const PROBE_BYTES: usize = 64 << 20;

/// Row-major (C order) strides of a contiguous tensor, in elements.
///
/// ```
/// assert_eq!(tapegrad::shape::strides(&[2, 3, 4]).as_slice(), &[12, 4, 1]);
/// ```
pub fn strides(shape: &[usize]) -> Shape {
    let mut s: Shape = SmallVec::from_elem(1, shape.len());
    for i in (0..shape.len().saturating_sub(1)).rev() {
        s[i] = s[i + 1] * shape[i + 1];
    }
    s
}

/// The numpy broadcast of two shapes, or `IncompatibleShapes` naming `op`.
///
/// ```
/// use tapegrad::shape::broadcast_shapes;
/// assert_eq!(broadcast_shapes("add", &[3, 1], &[4]).unwrap().as_slice(), &[3, 4]);
/// assert!(broadcast_shapes("add", &[3], &[4]).is_err());
/// // Two valid shapes can broadcast to one too large to exist.
/// assert!(broadcast_shapes("add", &[1 << 32, 1], &[1, 1 << 32]).is_err());
/// ```
pub fn broadcast_shapes(op: &'static str, a: &[usize], b: &[usize]) -> Result<Shape> {
    let n = a.len().max(b.len());
    let mut out: Shape = SmallVec::with_capacity(n);
    for i in 0..n {
        let da = if i + a.len() >= n { a[i + a.len() - n] } else { 1 };
        let db = if i + b.len() >= n { b[i + b.len() - n] } else { 1 };
        let d = if da == db || db == 1 {
            da
        } else if da == 1 {
            db
        } else {
            return Err(Error::IncompatibleShapes { op, lhs: a.to_vec(), rhs: b.to_vec() });
        };
        out.push(d);
    }
    // Equal shapes (the common case) are valid already; a broadcast that grows
    // either side must still be a valid shape.
    if a.len() != b.len() || a != b {
        checked_numel(op, &out)?;
    }
    Ok(out)
}

/// Normalises a possibly negative axis into `[0, rank)`.
///
/// ```
/// assert_eq!(tapegrad::shape::normalize_axis("sum", -1, 3).unwrap(), 2);
/// assert!(tapegrad::shape::normalize_axis("sum", 3, 3).is_err());
/// ```
pub fn normalize_axis(op: &'static str, axis: i64, rank: usize) -> Result<usize> {
    let r = rank as i64;
    if axis < -r || axis >= r {
        return Err(Error::AxisOutOfRange { op, axis, rank });
    }
    Ok(if axis < 0 { (axis + r) as usize } else { axis as usize })
}

/// Normalises a list of axes (None = all axes), sorted and deduplicated.
///
/// ```
/// use tapegrad::shape::normalize_axes;
/// assert_eq!(normalize_axes("sum", Some(&[-1, 0]), 3).unwrap().as_slice(), &[0, 2]);
/// assert_eq!(normalize_axes("sum", None, 2).unwrap().as_slice(), &[0, 1]);
/// ```
pub fn normalize_axes(op: &'static str, axes: Option<&[i64]>, rank: usize) -> Result<Shape> {
    let mut out: Shape = match axes {
        None => (0..rank).collect(),
        Some(axes) => {
            let mut v = Shape::new();
            for &a in axes {
                v.push(normalize_axis(op, a, rank)?);
            }
            v
        }
    };
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

/// The shape left after reducing `axes` (sorted, normalised), keeping them as 1 if `keepdims`.
///
/// ```
/// use tapegrad::shape::reduced_shape;
/// assert_eq!(reduced_shape(&[2, 3, 4], &[1], false).as_slice(), &[2, 4]);
/// assert_eq!(reduced_shape(&[2, 3, 4], &[1], true).as_slice(), &[2, 1, 4]);
/// ```
pub fn reduced_shape(shape: &[usize], axes: &[usize], keepdims: bool) -> Shape {
    let mut out = Shape::new();
    for (i, &d) in shape.iter().enumerate() {
        if axes.contains(&i) {
            if keepdims {
                out.push(1);
            }
        } else {
            out.push(d);
        }
    }
    out
}

/// Resolves a reshape target with at most one `-1` against `numel` elements.
///
/// ```
/// use tapegrad::shape::resolve_reshape;
/// assert_eq!(resolve_reshape("reshape", 6, &[-1, 2]).unwrap().as_slice(), &[3, 2]);
/// assert!(resolve_reshape("reshape", 6, &[4, -1]).is_err());
/// // 7 * 7905747460161236407 wraps to 1 in 64 bits: still an error.
/// assert!(resolve_reshape("reshape", 1, &[7, 7905747460161236407]).is_err());
/// ```
pub fn resolve_reshape(op: &'static str, numel_in: usize, target: &[i64]) -> Result<Shape> {
    let bad = |to_count| Error::ReshapeSize { op, from: numel_in, to: target.to_vec(), to_count };
    let mut infer = None;
    // `known` is the product of the nonzero known dims (bounded as in
    // `checked_numel`); `zero` records whether one of them is 0.
    let mut known = 1usize;
    let mut zero = false;
    let mut out = Shape::with_capacity(target.len());
    for (i, &d) in target.iter().enumerate() {
        if d == -1 {
            if infer.is_some() {
                return Err(Error::shape(op, "only one dimension of the new shape can be -1"));
            }
            infer = Some(i);
            out.push(1);
        } else if d < 0 {
            return Err(Error::shape(op, format!("dimension {d} in shape {target:?} is negative")));
        } else {
            let d = usize::try_from(d).map_err(|_| Error::arg(op, format!("dimension {d} is too large")))?;
            known = match known.checked_mul(d.max(1)) {
                Some(k) if k <= MAX_ELEMENTS => k,
                _ => {
                    let shown: Vec<usize> = target.iter().map(|&t| t.max(0) as usize).collect();
                    return Err(too_many_elements(op, &shown));
                }
            };
            if d == 0 {
                zero = true;
            }
            out.push(d);
        }
    }
    let count = if zero { 0 } else { known };
    match infer {
        Some(i) => {
            if zero || numel_in % known != 0 {
                return Err(bad(count));
            }
            out[i] = numel_in / known;
        }
        None if count != numel_in => return Err(bad(count)),
        None => {}
    }
    Ok(out)
}

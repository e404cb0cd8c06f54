//! Structural matrix ops of `tf.linalg`: `band_part`, `set_diag`, `diag`
//! (vector to diagonal matrix), the diagonal of a rectangular matrix, and
//! `trace`. Each is a composition of differentiable ops (`where` with a constant
//! mask, `pad`, `reshape`, strided slices), so none needs a gradient rule of its
//! own and all have exact higher derivatives. Masks select with `where` rather
//! than multiplying, so an inf outside the band gives 0 (as TF), not NaN.

use crate::kernels::index::IndexItem;
use crate::ops::{pad, reduce_sum, reshape, slice_axis, strided_slice, where_};
use crate::{Error, Result, Tensor};

/// `(m, n)` of a `[..., m, n]` tensor, or TF's error naming `op`.
fn matrix_sides(op: &'static str, x: &Tensor) -> Result<(usize, usize)> {
    let r = x.rank();
    if r < 2 {
        return Err(Error::shape(
            op,
            format!("input must be at least 2-dim, received shape {:?}", x.shape()),
        ));
    }
    Ok((x.shape()[r - 2], x.shape()[r - 1]))
}

/// A constant `[m, n]` bool mask with `f(i, j)` at `(i, j)`.
fn mask(m: usize, n: usize, f: impl Fn(usize, usize) -> bool) -> Result<Tensor> {
    let total = m.checked_mul(n).ok_or_else(|| Error::arg("mask", format!("{m} x {n} overflows")))?;
    let v: Vec<bool> = (0..total).map(|p| f(p / n.max(1), p % n.max(1))).collect();
    Tensor::from_vec(v, &[m, n])
}

/// TF's `matrix_band_part`: keeps `num_lower` subdiagonals and `num_upper`
/// superdiagonals of each matrix of `x: [..., m, n]` (a negative count keeps the
/// whole triangle) and zeroes the rest.
///
/// ```
/// use tapegrad::{Tensor, ops};
/// let x = Tensor::from_vec(vec![1.0f32, 2.0, 3.0, 4.0], &[2, 2]).unwrap();
/// let lower = ops::matrix_band_part(&x, -1, 0).unwrap();
/// assert_eq!(lower.as_slice::<f32>().unwrap(), &[1.0, 0.0, 3.0, 4.0]);
/// ```
pub fn matrix_band_part(x: &Tensor, num_lower: i64, num_upper: i64) -> Result<Tensor> {
    const OP: &str = "MatrixBandPart";
    let (m, n) = matrix_sides(OP, x)?;
    if num_lower > m as i64 {
        return Err(Error::arg(
            OP,
            format!("num_lower must be negative or less or equal to number of rows ({m}) got: {num_lower}"),
        ));
    }
    if num_upper > n as i64 {
        return Err(Error::arg(
            OP,
            format!(
                "num_upper must be negative or less or equal to number of columns ({n}) got: {num_upper}"
            ),
        ));
    }
    let keep = mask(m, n, |i, j| {
        let (i, j) = (i as i64, j as i64);
        (num_lower < 0 || i - j <= num_lower) && (num_upper < 0 || j - i <= num_upper)
    })?;
    where_(&keep, x, &crate::ops::zeros(&[], x.dtype()))
}

/// The `[..., n, n]` matrices with `d: [..., n]` on the diagonal and zeros
/// elsewhere (TF's `matrix_diag` with `k = 0`), as a pad and two reshapes:
/// row `i` of `[d_i, 0 × n]` flattened puts `d_i` at `i (n + 1)`.
///
/// ```
/// use tapegrad::{Tensor, ops};
/// let d = Tensor::from_vec(vec![1.0f64, 2.0], &[2]).unwrap();
/// assert_eq!(ops::matrix_diag(&d).unwrap().as_slice::<f64>().unwrap(), &[1.0, 0.0, 0.0, 2.0]);
/// ```
pub fn matrix_diag(d: &Tensor) -> Result<Tensor> {
    const OP: &str = "MatrixDiag";
    let r = d.rank();
    if r < 1 {
        return Err(Error::shape(
            OP,
            format!("input must be at least 1-dim, received shape {:?}", d.shape()),
        ));
    }
    let n = d.shape()[r - 1];
    let batch: Vec<i64> = d.shape()[..r - 1].iter().map(|&s| s as i64).collect();
    let nn = n.checked_mul(n).ok_or_else(|| Error::arg(OP, format!("diagonal length {n} overflows")))?;
    let col = crate::ops::expand_dims(d, -1)?;
    let mut paddings = vec![(0, 0); r + 1];
    paddings[r] = (0, n);
    let rows = pad(&col, &paddings, 0.0)?;
    let flat = reshape(&rows, &[batch.clone(), vec![(n * (n + 1)) as i64]].concat())?;
    let head = slice_axis(&flat, r - 1, 0, nn)?;
    reshape(&head, &[batch, vec![n as i64, n as i64]].concat())
}

/// The main diagonal of each matrix of `x: [..., m, n]`, shape `[..., min(m, n)]`
/// (TF's `matrix_diag_part` with `k = 0`).
///
/// ```
/// use tapegrad::{Tensor, ops};
/// let x = Tensor::from_vec(vec![1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]).unwrap();
/// assert_eq!(ops::matrix_diag_part_rect(&x).unwrap().as_slice::<f32>().unwrap(), &[1.0, 5.0]);
/// ```
pub fn matrix_diag_part_rect(x: &Tensor) -> Result<Tensor> {
    const OP: &str = "MatrixDiagPart";
    let (m, n) = matrix_sides(OP, x)?;
    let r = x.rank();
    let k = m.min(n);
    if k == 0 {
        let mut shape: Vec<usize> = x.shape()[..r - 2].to_vec();
        shape.push(0);
        return Ok(crate::ops::zeros(&shape, x.dtype()));
    }
    let mut flat: Vec<i64> = x.shape()[..r - 2].iter().map(|&d| d as i64).collect();
    flat.push((m * n) as i64);
    let f = reshape(x, &flat)?;
    let items = [IndexItem::Ellipsis, IndexItem::Slice { start: None, stop: None, step: Some(n as i64 + 1) }];
    let strided = strided_slice(&f, &items)?;
    if strided.shape()[r - 2] == k { Ok(strided) } else { slice_axis(&strided, r - 2, 0, k) }
}

/// TF's `matrix_set_diag` (`k = 0`): `x: [..., m, n]` with its main diagonal
/// replaced by `diag: [..., min(m, n)]`.
///
/// ```
/// use tapegrad::{Tensor, ops};
/// let x = Tensor::from_vec(vec![1.0f32, 2.0, 3.0, 4.0], &[2, 2]).unwrap();
/// let d = Tensor::from_vec(vec![9.0f32, 8.0], &[2]).unwrap();
/// assert_eq!(ops::matrix_set_diag(&x, &d).unwrap().as_slice::<f32>().unwrap(), &[9.0, 2.0, 3.0, 8.0]);
/// ```
pub fn matrix_set_diag(x: &Tensor, diag: &Tensor) -> Result<Tensor> {
    const OP: &str = "MatrixSetDiag";
    let (m, n) = matrix_sides(OP, x)?;
    let r = x.rank();
    let k = m.min(n);
    let mut want: Vec<usize> = x.shape()[..r - 2].to_vec();
    want.push(k);
    if diag.shape() != &want[..] {
        return Err(Error::shape(
            OP,
            format!(
                "diagonal must have shape {want:?} for an input of shape {:?}; got {:?}",
                x.shape(),
                diag.shape()
            ),
        ));
    }
    if diag.dtype() != x.dtype() {
        return Err(Error::DTypeMismatch { op: OP, lhs: x.dtype(), rhs: diag.dtype() });
    }
    let square = matrix_diag(diag)?;
    let mut paddings = vec![(0, 0); r];
    paddings[r - 2] = (0, m - k);
    paddings[r - 1] = (0, n - k);
    let placed = if m == n { square } else { pad(&square, &paddings, 0.0)? };
    let on_diag = mask(m, n, |i, j| i == j)?;
    where_(&on_diag, &placed, x)
}

/// The sum of the main diagonal of each matrix of `x: [..., m, n]` (TF's `trace`).
///
/// ```
/// use tapegrad::{Tensor, ops};
/// let x = Tensor::from_vec(vec![1.0f32, 2.0, 3.0, 4.0], &[2, 2]).unwrap();
/// assert_eq!(ops::trace(&x).unwrap().to_scalar::<f32>(), Some(5.0));
/// ```
pub fn trace(x: &Tensor) -> Result<Tensor> {
    reduce_sum(&matrix_diag_part_rect(x)?, Some(&[-1]), false)
}

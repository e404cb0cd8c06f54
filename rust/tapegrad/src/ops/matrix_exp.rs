//! `tf.linalg.expm`: the matrix exponential by scaling and squaring with Padé
//! approximants (Higham 2005), the algorithm and constants of TF's
//! `matrix_exponential`, so values agree with TF's to rounding.
//!
//! Per matrix, the 1-norm picks the Padé degree (3, 5, 7 for float32; 3, 5, 7,
//! 9, 13 for float64); above the last threshold the matrix is scaled by
//! `2^-s` and the result squared `s` times. The choices are made on the values
//! (they are constants for the tape); everything else is matmuls, sums and one
//! `matrix_solve`, so gradients of every order come from those ops' rules — the
//! same gradient TF's composite gives. A batch computes only the degrees its
//! matrices need and selects per matrix with `where`, as TF does.

use crate::kernels;
use crate::ops::{add, div, matmul, matrix_constant, matrix_solve, mul, reshape, scalar, sub, where_};
use crate::{Buffer, DType, Error, Result, Tensor};

/// Padé numerator/denominator coefficients `b` of each degree (TF's `_matrix_exp_padeN`).
fn coefficients(degree: usize) -> &'static [f64] {
    match degree {
        3 => &[120.0, 60.0, 12.0],
        5 => &[30240.0, 15120.0, 3360.0, 420.0, 30.0],
        7 => &[17297280.0, 8648640.0, 1995840.0, 277200.0, 25200.0, 1512.0, 56.0],
        9 => &[
            17643225600.0,
            8821612800.0,
            2075673600.0,
            302702400.0,
            30270240.0,
            2162160.0,
            110880.0,
            3960.0,
            90.0,
        ],
        _ => &[
            64764752532480000.0,
            32382376266240000.0,
            7771770303897600.0,
            1187353796428800.0,
            129060195264000.0,
            10559470521600.0,
            670442572800.0,
            33522128640.0,
            1323241920.0,
            40840800.0,
            960960.0,
            16380.0,
            182.0,
        ],
    }
}

/// `c₀ t₀ + c₁ t₁ + … (+ c_eye · I)`, summed left to right as TF's expression is.
fn combination(terms: &[(f64, &Tensor)], c_eye: Option<f64>, eye: &Tensor) -> Result<Tensor> {
    let dtype = eye.dtype();
    let scaled = |c: f64, t: &Tensor| if c == 1.0 { Ok(t.clone()) } else { mul(t, &scalar(c, dtype)) };
    let mut acc: Option<Tensor> = None;
    for (c, t) in terms {
        let term = scaled(*c, t)?;
        acc = Some(match acc {
            None => term,
            Some(a) => add(&a, &term)?,
        });
    }
    let acc = acc.ok_or_else(|| Error::arg("MatrixExponential", "internal: empty Padé sum"))?;
    match c_eye {
        Some(c) => add(&acc, &mul(eye, &scalar(c, dtype))?),
        None => Ok(acc),
    }
}

/// `(u, v)` of the degree-`degree` Padé approximant of `exp(x)` (`x: [b, n, n]`).
fn pade(x: &Tensor, degree: usize, eye: &Tensor) -> Result<(Tensor, Tensor)> {
    let b = coefficients(degree);
    let mm = |p: &Tensor, q: &Tensor| matmul(p, q, false, false);
    let x2 = mm(x, x)?;
    if degree == 13 {
        let x4 = mm(&x2, &x2)?;
        let x6 = mm(&x4, &x2)?;
        let inner_u = combination(&[(1.0, &x6), (b[11], &x4), (b[9], &x2)], None, eye)?;
        let x6_inner = mm(&x6, &inner_u)?;
        let tmp_u = combination(&[(1.0, &x6_inner), (b[7], &x6), (b[5], &x4), (b[3], &x2)], Some(b[1]), eye)?;
        let tmp_v = combination(&[(b[12], &x6), (b[10], &x4), (b[8], &x2)], None, eye)?;
        let x6_tmp_v = mm(&x6, &tmp_v)?;
        let v = combination(&[(1.0, &x6_tmp_v), (b[6], &x6), (b[4], &x4), (b[2], &x2)], Some(b[0]), eye)?;
        return Ok((mm(x, &tmp_u)?, v));
    }
    // powers x², x⁴, …, x^(degree−1)
    let top = (degree - 1) / 2;
    let mut powers = vec![x2];
    for k in 1..top {
        let next = mm(&powers[k - 1], &powers[0])?;
        powers.push(next);
    }
    // u = x (x^(d−1) + b[d−2] x^(d−3) + … + b[3] x² + b[1] I)
    // v = b[d−1] x^(d−1) + … + b[2] x² + b[0] I   (highest power first, as TF)
    let u_terms: Vec<(f64, &Tensor)> =
        (1..=top).rev().map(|k| (if k == top { 1.0 } else { b[2 * k + 1] }, &powers[k - 1])).collect();
    let v_terms: Vec<(f64, &Tensor)> = (1..=top).rev().map(|k| (b[2 * k], &powers[k - 1])).collect();
    let u = mm(x, &combination(&u_terms, Some(b[1]), eye)?)?;
    let v = combination(&v_terms, Some(b[0]), eye)?;
    Ok((u, v))
}

/// The 1-norm (largest absolute column sum) of each of `b` matrices `n x n`.
fn one_norms(x: &Tensor, b: usize, n: usize) -> Result<Vec<f64>> {
    let x64 = kernels::cast(x, DType::F64)?;
    let Buffer::F64(v) = x64.buffer() else {
        return Err(Error::arg("MatrixExponential", "internal: cast to float64 failed"));
    };
    Ok((0..b)
        .map(|k| {
            let m = &v[k * n * n..(k + 1) * n * n];
            (0..n).map(|j| (0..n).map(|i| m[i * n + j].abs()).sum::<f64>()).fold(0.0, f64::max)
        })
        .collect())
}

/// A `[b, 1, 1]` bool constant from `f(matrix index)`.
fn per_matrix_mask(b: usize, f: impl Fn(usize) -> bool) -> Result<Tensor> {
    Tensor::from_vec((0..b).map(f).collect::<Vec<bool>>(), &[b, 1, 1])
}

/// The matrix exponential of each matrix of `x: [..., n, n]` (TF's `expm`).
/// A batch with a non-finite entry gives NaNs (as TF).
///
/// ```
/// use tapegrad::{Tensor, ops};
/// let x = Tensor::from_vec(vec![0.0f64, 1.0, 0.0, 0.0], &[2, 2]).unwrap();
/// let e = ops::matrix_exponential(&x).unwrap();
/// let e = e.as_slice::<f64>().unwrap();
/// assert!((e[0] - 1.0).abs() < 1e-14 && (e[1] - 1.0).abs() < 1e-14 && e[2].abs() < 1e-14);
/// ```
// The thresholds are TF's literals, digit for digit (some carry more digits than f64 keeps).
#[allow(clippy::excessive_precision)]
pub fn matrix_exponential(x: &Tensor) -> Result<Tensor> {
    const OP: &str = "MatrixExponential";
    let r = x.rank();
    if r < 2 || x.shape()[r - 1] != x.shape()[r - 2] {
        return Err(Error::shape(
            OP,
            format!("input must be square matrices [..., n, n]; got shape {:?}", x.shape()),
        ));
    }
    let (maxnorm, conds, degrees): (f64, &[f64], &[usize]) = match x.dtype() {
        DType::F32 => (3.925724783138660, &[4.258730016922831e-001, 1.880152677804762e+000], &[3, 5, 7]),
        DType::F64 => (
            5.371920351148152,
            &[1.495585217958292e-002, 2.539398330063230e-001, 9.504178996162932e-001, 2.097847961257068e+000],
            &[3, 5, 7, 9, 13],
        ),
        other => {
            return Err(Error::UnsupportedDType {
                op: OP,
                dtype: other,
                hint: "tf.linalg.expm needs float32 or float64",
            });
        }
    };
    let n = x.shape()[r - 1];
    let b: usize = x.shape()[..r - 2].iter().product();
    if n == 0 || b == 0 {
        return crate::ops::identity(x);
    }
    let norms = one_norms(x, b, n)?;
    if norms.iter().any(|v| !v.is_finite()) {
        return Ok(kernels::fill(x.shape(), f64::NAN, x.dtype()));
    }
    let flat = reshape(x, &[b as i64, n as i64, n as i64])?;
    let eye = matrix_constant(n, x.dtype(), |i, j| f64::from(u8::from(i == j)))?;
    // per matrix: which degree, and how many squarings (only the top degree scales)
    let pick: Vec<usize> =
        norms.iter().map(|&l1| conds.iter().position(|&c| l1 < c).unwrap_or(conds.len())).collect();
    let squarings: Vec<u32> =
        norms.iter().map(|&l1| ((l1 / maxnorm).ln() / 2f64.ln()).floor().max(0.0) as u32).collect();
    let mut uv: Option<(Tensor, Tensor)> = None;
    for (d, &degree) in degrees.iter().enumerate() {
        if !pick.contains(&d) {
            continue;
        }
        let input = if d + 1 == degrees.len() {
            let scale: Vec<f64> = squarings.iter().map(|&s| 2f64.powi(s as i32)).collect();
            let scale = kernels::cast(&Tensor::from_vec(scale, &[b, 1, 1])?, x.dtype())?;
            div(&flat, &scale)?
        } else {
            flat.clone()
        };
        let (u, v) = pade(&input, degree, &eye)?;
        uv = Some(match uv {
            None => (u, v),
            Some((u0, v0)) => {
                let here = per_matrix_mask(b, |k| pick[k] == d)?;
                (where_(&here, &u, &u0)?, where_(&here, &v, &v0)?)
            }
        });
    }
    let (u, v) = uv.ok_or_else(|| Error::arg(OP, "internal: no Padé degree chosen"))?;
    let mut result = matrix_solve(&sub(&v, &u)?, &add(&u, &v)?, false)?;
    let max_squarings = squarings.iter().copied().max().unwrap_or(0);
    for i in 0..max_squarings {
        let squared = matmul(&result, &result, false, false)?;
        result = if squarings.iter().all(|&s| i < s) {
            squared
        } else {
            where_(&per_matrix_mask(b, |k| i < squarings[k])?, &squared, &result)?
        };
    }
    let shape: Vec<i64> = x.shape().iter().map(|&d| d as i64).collect();
    reshape(&result, &shape)
}

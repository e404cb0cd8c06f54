//! Property tests of the core's shape arithmetic at `usize` extremes: checked
//! element counts, broadcasting, reshape resolution, slicing and indexing
//! never panic or wrap, and what they accept is a valid shape.

use proptest::prelude::*;
use tapegrad::kernels::index::IndexItem;
use tapegrad::shape::{MAX_ELEMENTS, broadcast_shapes, checked_numel, resolve_reshape};
use tapegrad::{DType, Error, Tensor, ops};

/// A dim drawn to hit the edges: 0, 1, small, around 2^32, near `usize::MAX`.
fn dim() -> impl Strategy<Value = usize> {
    prop_oneof![
        3 => 0usize..6,
        1 => Just(0usize),
        1 => (1usize << 31)..(1usize << 33),
        1 => (usize::MAX - 8)..=usize::MAX,
        1 => any::<usize>(),
    ]
}

fn shape() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(dim(), 0..6)
}

/// Product of the nonzero dims in u128 (saturating): the exact bound `checked_numel` enforces.
fn bound(shape: &[usize]) -> u128 {
    shape.iter().fold(1u128, |acc, &d| acc.saturating_mul(d.max(1) as u128))
}

fn small_shape() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(0usize..5, 0..4)
}

fn extreme_i64() -> impl Strategy<Value = i64> {
    prop_oneof![
        3 => -6i64..6,
        1 => Just(i64::MIN),
        1 => Just(i64::MAX),
        1 => any::<i64>(),
    ]
}

fn index_item() -> impl Strategy<Value = IndexItem> {
    prop_oneof![
        extreme_i64().prop_map(IndexItem::Index),
        (prop::option::of(extreme_i64()), prop::option::of(extreme_i64()), prop::option::of(extreme_i64()))
            .prop_map(|(start, stop, step)| IndexItem::Slice { start, stop, step }),
        Just(IndexItem::NewAxis),
        Just(IndexItem::Ellipsis),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn checked_numel_is_exact(s in shape()) {
        let b = bound(&s);
        match checked_numel("t", &s) {
            Ok(n) => {
                prop_assert!(b <= MAX_ELEMENTS as u128);
                let expected = if s.contains(&0) { 0 } else { b as usize };
                prop_assert_eq!(n, expected);
            }
            Err(e) => {
                prop_assert!(b > MAX_ELEMENTS as u128);
                let is_arg = matches!(e, Error::InvalidArgument { .. });
                prop_assert!(is_arg);
            }
        }
    }

    #[test]
    fn broadcast_result_is_numpys_and_valid(a in shape(), b in shape()) {
        if let Ok(out) = broadcast_shapes("t", &a, &b) {
            prop_assert_eq!(out.len(), a.len().max(b.len()));
            for (i, &d) in out.iter().rev().enumerate() {
                let da = a.iter().rev().nth(i).copied().unwrap_or(1);
                let db = b.iter().rev().nth(i).copied().unwrap_or(1);
                prop_assert!(d == da || da == 1);
                prop_assert!(d == db || db == 1);
            }
            if a != b {
                prop_assert!(checked_numel("t", &out).is_ok());
            }
        }
    }

    #[test]
    fn reshape_resolution_never_wraps(numel in prop_oneof![0usize..50, 0..=MAX_ELEMENTS],
                                      target in prop::collection::vec(prop_oneof![
                                          4 => -1i64..7, 1 => any::<i64>(), 1 => Just(i64::MAX)], 0..5)) {
        if let Ok(out) = resolve_reshape("reshape", numel, &target) {
            prop_assert_eq!(checked_numel("reshape", &out).ok(), Some(numel));
        }
    }

    #[test]
    fn reshape_of_a_real_tensor_keeps_its_elements(s in small_shape(),
                                                     target in prop::collection::vec(prop_oneof![
                                                         4 => -1i64..7, 1 => any::<i64>()], 0..5)) {
        let n: usize = s.iter().product();
        let x = Tensor::from_vec(vec![1.0f32; n], &s).map_err(|e| TestCaseError::fail(e.to_string()))?;
        if let Ok(y) = ops::reshape(&x, &target) {
            prop_assert_eq!(y.numel(), n);
            prop_assert_eq!(y.shape().iter().product::<usize>(), n);
        }
    }

    #[test]
    fn strided_slice_stays_in_bounds(s in small_shape(), items in prop::collection::vec(index_item(), 0..5)) {
        let n: usize = s.iter().product();
        let data: Vec<f32> = (0..n).map(|i| i as f32).collect();
        let x = Tensor::from_vec(data, &s).map_err(|e| TestCaseError::fail(e.to_string()))?;
        if let Ok(y) = ops::strided_slice(&x, &items) {
            let m: usize = y.shape().iter().product();
            prop_assert_eq!(y.numel(), m);
            // Every selected value is an element of the input (values are their own indices).
            for &v in y.as_slice::<f32>().unwrap_or(&[]) {
                prop_assert!((v as usize) < n);
            }
        }
    }

    #[test]
    fn gather_rejects_every_out_of_range_index(size in 0usize..5, idx in prop::collection::vec(extreme_i64(), 0..6)) {
        let params = Tensor::from_vec((0..size).map(|i| i as f32).collect::<Vec<_>>(), &[size])
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let indices = Tensor::from_vec(idx.clone(), &[idx.len()]).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let ok = idx.iter().all(|&i| i >= 0 && (i as u64) < size as u64);
        match ops::gather(&params, &indices, 0) {
            Ok(y) => {
                prop_assert!(ok);
                let got = y.as_slice::<f32>().unwrap_or(&[]).to_vec();
                let want: Vec<f32> = idx.iter().map(|&i| i as f32).collect();
                prop_assert_eq!(got, want);
            }
            Err(_) => prop_assert!(!ok),
        }
    }

    #[test]
    fn creation_and_layout_ops_never_panic_on_extreme_shapes(s in shape(), m in shape()) {
        // Each either works (small shapes) or fails with a typed error. Shapes
        // between tiny and impossible would really allocate gigabytes: skipped.
        let tiny_or_invalid = |x: &[usize]| bound(x) <= 4096 || bound(x) > MAX_ELEMENTS as u128;
        prop_assume!(tiny_or_invalid(&s) && tiny_or_invalid(&m));
        let pad_ok = m.iter().all(|&d| d <= 64);
        let _ = ops::checked_fill("zeros", &s, 0.0, DType::F32);
        let x = ops::zeros(&[1, 1], DType::F32);
        let _ = ops::broadcast_to(&x, &s);
        if m.len() == 2 {
            let _ = ops::tile(&x, &m);
            if pad_ok {
                let _ = ops::pad(&x, &[(m[0], m[1]), (m[1], m[0])], 0.0);
            }
        }
        let idx = Tensor::from_vec(vec![0i32], &[1]).map_err(|e| TestCaseError::fail(e.to_string()))?;
        if let Some(&d) = s.first() {
            let _ = ops::one_hot(&idx, d, 1.0, 0.0, DType::F32);
        }
    }
}

#[test]
fn the_issues_examples_fail_cleanly() {
    let one = Tensor::from_vec(vec![1.0f32], &[1]).unwrap_or_else(|_| ops::zeros(&[1], DType::F32));
    // 7 * 7905747460161236407 == 1 (mod 2^64).
    assert!(ops::reshape(&one, &[7, 7_905_747_460_161_236_407]).is_err());
    assert!(ops::checked_fill("zeros", &[1 << 32, 1 << 32], 0.0, DType::F32).is_err());
    let r = ops::checked_fill("zeros", &[1 << 20, 1 << 20], 0.0, DType::F32);
    assert!(matches!(r, Err(Error::ResourceExhausted { .. })), "{r:?}");
    let a = ops::zeros(&[1 << 20, 1], DType::F32);
    let b = ops::zeros(&[1, 1 << 20], DType::F32);
    assert!(matches!(ops::matmul(&a, &b, false, false), Err(Error::ResourceExhausted { .. })));
    assert!(matches!(ops::add(&a, &b), Err(Error::ResourceExhausted { .. })));
}

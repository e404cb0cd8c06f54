//! Fuzzes shape, broadcast, reshape and slicing arithmetic with raw bytes
//! read as dims and indices at `usize`/`i64` extremes: any panic is a bug.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tapegrad::kernels::index::IndexItem;
use tapegrad::shape::{broadcast_shapes, checked_numel, resolve_reshape};
use tapegrad::{DType, Tensor, ops};

fn words(data: &[u8]) -> Vec<u64> {
    data.chunks(8).map(|c| c.iter().fold(0u64, |a, &b| (a << 8) | u64::from(b))).collect()
}

fuzz_target!(|data: &[u8]| {
    let w = words(data);
    let split = w.len() / 2;
    let a: Vec<usize> = w[..split].iter().take(6).map(|&v| v as usize).collect();
    let b: Vec<usize> = w[split..].iter().take(6).map(|&v| v as usize).collect();
    let _ = checked_numel("fuzz", &a);
    let _ = broadcast_shapes("fuzz", &a, &b);
    let target: Vec<i64> = b.iter().map(|&v| v as i64).collect();
    let _ = resolve_reshape("fuzz", a.first().copied().unwrap_or(0), &target);
    let _ = ops::checked_fill("fuzz", &a, 0.0, DType::F32);
    // Small real tensor, hostile indices.
    if let Ok(x) = Tensor::from_vec((0..24).map(|i| i as f32).collect::<Vec<_>>(), &[2, 3, 4]) {
        let items: Vec<IndexItem> = w
            .iter()
            .take(4)
            .map(|&v| match v % 4 {
                0 => IndexItem::Index(v as i64 >> 2),
                1 => IndexItem::Slice { start: Some(v as i64), stop: Some(!(v as i64)), step: Some((v as i64) | 1) },
                2 => IndexItem::NewAxis,
                _ => IndexItem::Ellipsis,
            })
            .collect();
        let _ = ops::strided_slice(&x, &items);
        let _ = ops::reshape(&x, &target);
        let _ = ops::broadcast_to(&x, &a);
        if let Ok(idx) = Tensor::from_vec(target.clone(), &[target.len()]) {
            let _ = ops::gather(&x, &idx, 1);
        }
    }
});

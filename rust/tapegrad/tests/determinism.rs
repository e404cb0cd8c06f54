//! Gradients are bit-identical whatever the thread count (Note [Deterministic
//! parallel backward]). One test per binary: it changes the global pool size.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use tapegrad::autodiff::{GradientTape, Source};
use tapegrad::{DType, Tensor, kernels, ops, threading};

/// 64 branches of elementwise ops on a shared input, with reuse inside each
/// branch (so values get several contributions), summed into one loss.
fn wide_graph_grads(x: &Tensor, w: &Tensor) -> Vec<Vec<f32>> {
    let tape = GradientTape::new(false, true);
    let loss = tape
        .record(|| {
            tape.watch(x);
            tape.watch(w);
            let mut total: Option<Tensor> = None;
            for k in 0..64 {
                let c = Tensor::scalar(1.0 + k as f32 * 1e-2);
                let mut y = ops::mul(x, &c).unwrap();
                for j in 0..6 {
                    y = match j % 3 {
                        0 => ops::sin(&y).unwrap(),
                        1 => ops::mul(&y, w).unwrap(),
                        _ => ops::add(&ops::tanh(&y).unwrap(), &ops::mul(&y, &y).unwrap()).unwrap(),
                    };
                }
                total = Some(match total {
                    None => y,
                    Some(t) => ops::add(&t, &y).unwrap(),
                });
            }
            ops::reduce_sum(&total.unwrap(), None, false).unwrap()
        })
        .unwrap();
    let g = tape.gradient(&[loss], &[Source::Tensor(x.clone()), Source::Tensor(w.clone())]).unwrap();
    g.into_iter().map(|g| g.unwrap().as_slice::<f32>().unwrap().to_vec()).collect()
}

/// A chain (run by the sequential executor from this thread, which then takes
/// part in the split GEMMs and chunked kernels alongside awake workers): two
/// matmul layers on tensors above the parallel and fusion thresholds.
fn chain_grads(x: &Tensor, w1: &Tensor, w2: &Tensor) -> Vec<Vec<f32>> {
    let tape = GradientTape::new(false, true);
    let loss = tape
        .record(|| {
            tape.watch(w1);
            tape.watch(w2);
            let h = ops::tanh(&ops::matmul(x, w1, false, false)?)?;
            let y = ops::matmul(&h, w2, false, true)?;
            let sq = ops::reduce_sum(&ops::mul(&y, &y)?, None, false)?;
            let per_row = ops::add(&sq, &ops::reduce_mean(&ops::exp(&ops::neg(&h)?)?, Some(&[1]), false)?)?;
            ops::reduce_sum(&per_row, None, false)
        })
        .unwrap()
        .unwrap();
    let g = tape.gradient(&[loss], &[Source::Tensor(w1.clone()), Source::Tensor(w2.clone())]).unwrap();
    g.into_iter().map(|g| g.unwrap().as_slice::<f32>().unwrap().to_vec()).collect()
}

#[test]
fn gradients_are_bit_identical_at_any_thread_count() {
    let n = 100_000;
    let x = kernels::random::normal(&[n], 0.0, 1.0, DType::F32, Some(7)).unwrap();
    let w = kernels::random::uniform(&[n], 0.5, 1.0, DType::F32, Some(8)).unwrap();
    let (m, k, n) = (512, 256, 512);
    let cx = kernels::random::normal(&[m, k], 0.0, 1.0, DType::F32, Some(9)).unwrap();
    let c1 = kernels::random::normal(&[k, n], 0.0, 0.05, DType::F32, Some(10)).unwrap();
    let c2 = kernels::random::normal(&[n, n], 0.0, 0.05, DType::F32, Some(11)).unwrap();
    threading::set_num_threads(1).unwrap();
    let reference = [wide_graph_grads(&x, &w), chain_grads(&cx, &c1, &c2)];
    for threads in [2, 3, 4, 8] {
        threading::set_num_threads(threads).unwrap();
        // The second round finds workers still awake from the first.
        for _ in 0..2 {
            let got = [wide_graph_grads(&x, &w), chain_grads(&cx, &c1, &c2)];
            for (r, g) in reference.iter().zip(&got) {
                for (a, b) in r.iter().zip(g) {
                    assert!(
                        a.iter().zip(b).all(|(p, q)| p.to_bits() == q.to_bits()),
                        "gradients differ at {threads} threads"
                    );
                }
            }
        }
    }
    threading::set_num_threads(0).unwrap();
    assert!(reference.iter().flatten().flatten().all(|v| v.is_finite()));
}

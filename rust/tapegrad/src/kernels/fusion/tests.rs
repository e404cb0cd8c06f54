//! Fused results against the eager kernels, bit for bit.

use super::*;
use crate::kernels::ReduceKind;
use crate::ops;

const N: usize = FUSE_MIN_ELEMS + 1234;

fn input(seed: u32, n: usize) -> Tensor {
    // Values in (-4, 4) plus a few specials, deterministic.
    let mut s = seed.wrapping_mul(2654435761).wrapping_add(1);
    let v: Vec<f32> = (0..n)
        .map(|i| {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            match i % 997 {
                0 => 0.0,
                1 => -0.0,
                2 => f32::NAN,
                _ => (s as f32 / u32::MAX as f32) * 8.0 - 4.0,
            }
        })
        .collect();
    Tensor::from_vec(v, &[n]).unwrap()
}

fn bits(t: &Tensor) -> Vec<u32> {
    t.as_slice::<f32>().unwrap().iter().map(|v| v.to_bits()).collect()
}

/// Whether the transcendentals fuse: only in optimised builds, where the
/// eager kernels use the vectorised `vmath` functions too (debug builds use libm).
fn transcendentals_fuse() -> bool {
    unary_weight(U::Sin).is_some()
}

/// `f` run fused and eagerly: the fused result must be pending, and both must agree bitwise.
fn check(f: impl Fn() -> Tensor) {
    check_fusing(true, f);
}

/// [`check`], expecting a pending result only if `fuses`.
fn check_fusing(fuses: bool, f: impl Fn() -> Tensor) {
    let eager = with_fusion(false, &f);
    let fused = with_fusion(true, &f);
    assert!(!eager.is_pending());
    assert_eq!(fused.is_pending(), fuses);
    assert_eq!(eager.shape(), fused.shape());
    assert_eq!(bits(&eager), bits(&fused));
}

#[test]
fn every_fused_unary_op_matches_eager() {
    let x = input(1, N);
    let pos = ops::abs(&x).unwrap();
    for op in [
        U::Neg,
        U::Abs,
        U::Square,
        U::Sqrt,
        U::Rsqrt,
        U::Reciprocal,
        U::Relu,
        U::Exp,
        U::Expm1,
        U::Log,
        U::Log1p,
        U::Sin,
        U::Cos,
        U::Tanh,
        U::Sigmoid,
        U::Softplus,
    ] {
        let arg = if matches!(op, U::Log | U::Sqrt | U::Rsqrt) { &pos } else { &x };
        // Chained after a fused op, so the op itself runs inside a program.
        check_fusing(unary_weight(op).is_some(), || {
            ops::unary(op, &ops::mul(arg, &ops::scalar(1.5, DType::F32)).unwrap()).unwrap()
        });
    }
}

#[test]
fn every_fused_binary_op_matches_eager_with_scalars_on_either_side() {
    let (a, b) = (input(2, N), input(3, N));
    let two = ops::scalar(2.0, DType::F32);
    for op in [B::Add, B::Sub, B::Mul, B::Div, B::Maximum, B::Minimum, B::TanhGrad] {
        check(|| crate::kernels::binary(op, &ops::neg(&a).unwrap(), &b).unwrap());
        check(|| crate::kernels::binary(op, &ops::neg(&a).unwrap(), &two).unwrap());
        check(|| crate::kernels::binary(op, &two, &ops::sqrt(&a).unwrap()).unwrap());
    }
}

#[test]
fn long_chains_and_shared_subexpressions_match_eager() {
    let x = input(4, N);
    check(|| {
        let mut y = x.clone();
        for i in 0..40 {
            y = match i % 3 {
                0 => ops::sqrt(&ops::abs(&y).unwrap()).unwrap(),
                1 => ops::mul(&y, &x).unwrap(),
                _ => ops::add(&y, &y).unwrap(),
            };
        }
        y
    });
    // A pending value read by two consumers and also computed on its own.
    check(|| {
        let s = ops::relu(&x).unwrap();
        let t = ops::mul(&s, &s).unwrap();
        s.materialize();
        ops::sub(&t, &s).unwrap()
    });
}

#[test]
fn reductions_of_pending_tensors_match_eager() {
    for (n, shape) in [(N, vec![N]), (3 * 100_003, vec![3, 100_003]), (1 << 20, vec![16, 256, 256])] {
        let x = input(5, n).with_shape(&shape).unwrap();
        let rank = shape.len() as i64;
        for kind in [ReduceKind::Sum, ReduceKind::Mean, ReduceKind::Max, ReduceKind::Min, ReduceKind::Prod] {
            for axes in [None, Some(vec![rank - 1]), Some(vec![0])] {
                let f = || {
                    let y = ops::add(&ops::mul(&ops::sin(&x).unwrap(), &x).unwrap(), &x).unwrap();
                    ops::reduce(kind, &y, axes.as_deref(), false).unwrap()
                };
                let eager = with_fusion(false, f);
                let fused = with_fusion(true, f);
                assert_eq!(bits(&eager), bits(&fused), "{kind:?} over {axes:?} of {shape:?}");
            }
        }
    }
}

#[test]
fn fused_results_do_not_depend_on_the_thread_count() {
    let x = input(6, 3 << 20);
    let f = || {
        let y = ops::add(&ops::mul(&ops::sin(&x).unwrap(), &x).unwrap(), &ops::square(&x).unwrap()).unwrap();
        (bits(&ops::reduce_sum(&y, None, false).unwrap()), bits(&y))
    };
    let run = |threads| rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap().install(f);
    let (one, many) = (run(1), run(4));
    assert_eq!(one, many);
}

#[test]
fn small_other_dtypes_and_general_broadcasts_stay_eager() {
    let small = input(7, FUSE_MIN_ELEMS - 1);
    assert!(!ops::sin(&small).unwrap().is_pending());
    let x64 = ops::cast(&input(8, N), DType::F64).unwrap();
    assert!(!ops::sin(&x64).unwrap().is_pending());
    let m = input(9, 512 * 1024).with_shape(&[512, 1024]).unwrap();
    let row = input(10, 1024);
    assert!(!ops::add(&m, &row).unwrap().is_pending());
    assert!(ops::add(&m, &ops::scalar(1.0, DType::F32)).unwrap().is_pending());
}

#[test]
fn weights_stay_bounded_and_deep_chains_compute_their_operands() {
    let x = input(11, N);
    let mut y = x.clone();
    for _ in 0..100 {
        y = ops::abs(&y).unwrap();
        let p = y.as_pending().expect("a fused abs");
        assert!(p.weight <= MAX_WEIGHT);
    }
}

#[test]
fn a_pending_tensor_keeps_its_leaves_and_is_never_updated_in_place() {
    let x = input(12, N);
    let before = bits(&x);
    let v = crate::Variable::new(x.clone(), "v", true);
    drop(x);
    let y = ops::mul(&v.value(), &ops::scalar(3.0, DType::F32)).unwrap();
    // The variable's buffer is a leaf of `y`: the update must not write into it.
    v.assign_add(&ops::scalar(1.0, DType::F32)).unwrap();
    let expect: Vec<u32> = before.iter().map(|&b| (f32::from_bits(b) * 3.0).to_bits()).collect();
    assert_eq!(bits(&y), expect);
}

#[test]
fn a_fused_backward_pass_gives_the_eager_gradient() {
    use crate::autodiff::{GradientTape, Source};
    let x = input(13, N);
    let grad = || {
        let tape = GradientTape::new(false, true);
        let loss = tape
            .record(|| {
                tape.watch(&x);
                // W3's loss: the gradient reads sin(x) and cos(x) (one SinCos step).
                let y = ops::add(&ops::mul(&ops::sin(&x)?, &x)?, &ops::mul(&x, &x)?)?;
                ops::reduce_sum(&y, None, false)
            })
            .unwrap()
            .unwrap();
        let g = tape.gradient(std::slice::from_ref(&loss), &[Source::Tensor(x.clone())]).unwrap();
        (bits(&loss), g[0].clone().unwrap())
    };
    let (loss_eager, g_eager) = with_fusion(false, grad);
    let (loss_fused, g_fused) = with_fusion(true, grad);
    assert!(!g_fused.is_pending(), "gradient returns computed tensors");
    assert_eq!(loss_eager, loss_fused);
    assert_eq!(bits(&g_eager), bits(&g_fused));
}

#[test]
fn sin_and_cos_of_one_operand_share_a_pass_with_the_same_bits() {
    if !transcendentals_fuse() {
        return;
    }
    let x = input(14, N);
    let f = || {
        let y = ops::mul(&x, &ops::scalar(3.0, DType::F32)).unwrap();
        let (s, c) = (ops::sin(&y).unwrap(), ops::cos(&y).unwrap());
        ops::add(&ops::mul(&s, &x).unwrap(), &ops::mul(&c, &c).unwrap()).unwrap()
    };
    let fused = with_fusion(true, f);
    let prog = fused.as_pending().unwrap().program().unwrap();
    assert!(format!("{prog:?}").contains("SinCos"), "{prog:?}");
    check(f);
}

#[test]
fn a_computed_sole_fused_tensor_can_be_updated_in_place() {
    let x = input(15, N);
    let mut y = ops::mul(&x, &ops::scalar(2.0, DType::F32)).unwrap();
    assert!(y.buffer_mut().is_none(), "pending: the out-of-place op fuses instead");
    y.materialize();
    let ptr = y.as_slice::<f32>().unwrap().as_ptr();
    let buf = y.buffer_mut().expect("computed and unshared");
    assert!(matches!(buf, Buffer::F32(v) if v.as_ptr() == ptr));
    // A clone shares it: no longer writable.
    let keep = y.clone();
    assert!(y.buffer_mut().is_none());
    drop(keep);
}

#[test]
fn an_update_by_a_pending_tensor_is_one_pass_with_the_eager_bits() {
    let (w, g) = (input(16, N), input(17, N));
    for (op, owned_is_lhs) in [(B::Sub, true), (B::Add, true), (B::Mul, false), (B::Div, false)] {
        let delta = || ops::mul(&ops::square(&g).unwrap(), &ops::scalar(0.01, DType::F32)).unwrap();
        let eager = with_fusion(false, || {
            let d = delta();
            if owned_is_lhs { ops::binary(op, &w, &d) } else { ops::binary(op, &d, &w) }.unwrap()
        });
        let mut owned = Tensor::from_vec(w.as_slice::<f32>().unwrap().to_vec(), &[N]).unwrap();
        let d = with_fusion(true, delta);
        assert!(d.is_pending());
        assert!(crate::kernels::binary_in_place(op, &mut owned, &d, owned_is_lhs));
        assert!(d.is_pending(), "the operand was read block by block, not computed");
        assert_eq!(bits(&owned), bits(&eager), "{op:?}");
    }
}

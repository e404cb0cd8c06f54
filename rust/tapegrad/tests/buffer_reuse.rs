//! `ops::binary_reusing`: a result written over an operand's unshared buffer has
//! the bits of the allocating op, never touches a buffer someone else can see,
//! and never destroys a value a recording tape still needs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use tapegrad::autodiff::{GradientTape, Source};
use tapegrad::kernels::BinaryKind;
use tapegrad::kernels::fusion::with_fusion;
use tapegrad::{Error, Tensor, ops};

const OPS: [BinaryKind; 4] = [BinaryKind::Add, BinaryKind::Sub, BinaryKind::Mul, BinaryKind::Div];

fn ramp(n: usize, scale: f32, shift: f32) -> Vec<f32> {
    (0..n).map(|i| ((i * 7919) % 1013) as f32 * scale + shift).collect()
}

fn bits(t: &Tensor) -> Vec<u32> {
    t.as_slice::<f32>().unwrap().iter().map(|v| v.to_bits()).collect()
}

/// Large enough that the kernels go parallel (chunked), with a ragged tail.
const N: usize = (1 << 19) + 37;

#[test]
fn reused_results_have_the_bits_of_the_allocating_op() {
    let x = ramp(N, 1e-3, -0.4);
    let y = Tensor::from_vec(ramp(N, 7e-4, 0.3), &[N]).unwrap();
    let scalar = Tensor::scalar(1.7f32);
    let tiny = Tensor::from_vec(vec![f32::MIN_POSITIVE * 0.25; N], &[N]).unwrap();
    for op in OPS {
        for other in [&y, &scalar, &tiny] {
            for owned_is_lhs in [true, false] {
                let fresh = Tensor::from_vec(x.clone(), &[N]).unwrap();
                // Computed now, so that it holds no reference to `fresh`'s buffer.
                let want = with_fusion(false, || {
                    if owned_is_lhs { ops::binary(op, &fresh, other) } else { ops::binary(op, other, &fresh) }
                });
                let mut owned = fresh.detached();
                drop(fresh);
                let got = ops::binary_reusing(op, &mut owned, other, owned_is_lhs).unwrap();
                assert_eq!(bits(&got), bits(&want.unwrap()), "{op:?}, lhs={owned_is_lhs}");
                // The buffer was reused: `owned` now shows the result.
                assert_eq!(bits(&owned), bits(&got), "{op:?} did not reuse an unshared buffer");
                assert_ne!(owned.id(), got.id());
            }
        }
    }
}

#[test]
fn shared_buffers_are_never_written() {
    let a = Tensor::from_vec(ramp(1000, 1e-2, 0.5), &[1000]).unwrap();
    let keep = a.clone();
    let before = bits(&a);
    let mut owned = a;
    let y = ops::binary_reusing(BinaryKind::Add, &mut owned, &keep, true).unwrap();
    assert_eq!(bits(&keep), before, "a buffer another tensor shares was overwritten");
    assert_eq!(bits(&y), bits(&ops::add(&keep, &keep).unwrap()));
}

#[test]
fn broadcasting_into_a_larger_shape_falls_back() {
    let mut row = Tensor::from_vec(vec![1.0f32, 2.0, 3.0], &[3]).unwrap();
    let col = Tensor::from_vec(vec![10.0f32, 20.0], &[2, 1]).unwrap();
    let y = ops::binary_reusing(BinaryKind::Add, &mut row, &col, true).unwrap();
    assert_eq!(y.shape(), &[2, 3]);
    assert_eq!(y.as_slice::<f32>().unwrap(), &[11.0, 12.0, 13.0, 21.0, 22.0, 23.0]);
    assert_eq!(row.as_slice::<f32>().unwrap(), &[1.0, 2.0, 3.0]);
}

#[test]
fn errors_are_the_allocating_ops_errors() {
    let mut a = Tensor::from_vec(vec![1.0f32; 4], &[4]).unwrap();
    let b = Tensor::from_vec(vec![1.0f64; 4], &[4]).unwrap();
    let err = ops::binary_reusing(BinaryKind::Mul, &mut a, &b, true).unwrap_err();
    assert!(matches!(err, Error::DTypeMismatch { .. }), "{err:?}");
    assert_eq!(a.as_slice::<f32>().unwrap(), &[1.0; 4]);
}

/// Under a recording tape, mul and div need their operands' old values for the
/// backward pass, so the buffer must survive; add and sub need none and reuse it.
/// Either way the gradients are those of the allocating ops.
#[test]
fn recorded_ops_keep_what_the_tape_needs() {
    let x = Tensor::from_vec(ramp(64, 1e-2, 0.1), &[64]).unwrap();
    for op in OPS {
        let run = |reuse: bool| {
            let tape = GradientTape::new(false, true);
            let (y, kept) = tape
                .record(|| {
                    tape.watch(&x);
                    let mut t = ops::sin(&x)?;
                    let y = if reuse {
                        ops::binary_reusing(op, &mut t, &x, true)?
                    } else {
                        ops::binary(op, &t, &x)?
                    };
                    Ok::<_, Error>((ops::reduce_sum(&ops::mul(&y, &y)?, None, false)?, bits(&t)))
                })
                .unwrap()
                .unwrap();
            let g = tape.gradient(&[y], &[Source::Tensor(x.clone())]).unwrap();
            (bits(g[0].as_ref().unwrap()), kept)
        };
        let (want, sin_bits) = run(false);
        let (got, kept) = run(true);
        assert_eq!(got, want, "{op:?}: gradient changed by buffer reuse");
        let reused = kept != sin_bits;
        assert_eq!(reused, matches!(op, BinaryKind::Add | BinaryKind::Sub), "{op:?}: reuse under a tape");
    }
}

/// `assign_sub`/`assign_add` update a variable's unshared buffer in place (an SGD
/// step allocates nothing), under a fresh id, with the bits of the allocating op;
/// a value someone still holds is never changed.
#[test]
fn variable_updates_reuse_only_unshared_buffers() {
    use tapegrad::Variable;
    let init = ramp(N, 1e-3, 0.2);
    let delta = Tensor::from_vec(ramp(N, 3e-4, -0.1), &[N]).unwrap();
    let v = Variable::new(Tensor::from_vec(init.clone(), &[N]).unwrap(), "v", true);
    let want = ops::sub(&Tensor::from_vec(init, &[N]).unwrap(), &delta).unwrap();

    let held = v.value();
    let held_bits = bits(&held);
    v.assign_sub(&delta).unwrap();
    assert_eq!(bits(&held), held_bits, "a held value was overwritten");
    assert_eq!(bits(&v.value()), bits(&want));
    drop(held);

    let before = v.value();
    let (id, ptr) = (before.id(), before.as_slice::<f32>().unwrap().as_ptr());
    drop(before);
    v.assign_add(&delta).unwrap();
    v.assign_sub(&delta).unwrap();
    let after = v.value();
    assert_eq!(after.as_slice::<f32>().unwrap().as_ptr(), ptr, "unshared buffer was not reused");
    assert_ne!(after.id(), id);
    let twice = ops::sub(&ops::add(&want, &delta).unwrap(), &delta).unwrap();
    assert_eq!(bits(&after), bits(&twice));
    // Shapes that do not fit are still errors, and leave the value alone.
    assert!(v.assign_sub(&Tensor::from_vec(vec![1.0f32; 2 * N], &[2, N]).unwrap()).is_err());
    assert_eq!(bits(&v.value()), bits(&twice));
}

//! Seeded random tensors (`tf.random.set_seed`, `normal`, `uniform`).
//!
//! Seeding follows TensorFlow 2's eager rules:
//! * no global seed, no op seed: a fresh stream (seeded once from the OS);
//! * global seed only: every op draws from one stream that `set_seed` restarts,
//!   so a program repeats its numbers after each `set_seed(Some(s))`;
//! * op seed (with or without a global seed): the draw is a pure function of
//!   (global seed or a fixed default, op seed, how many times that op seed was
//!   used since the last `set_seed`), so repeated calls differ but the sequence
//!   repeats from run to run.
//!
//! Each call derives its own ChaCha8 generator under the lock and samples
//! after releasing it, so concurrent ops do not serialise on the sampling.

use std::collections::HashMap;
use std::sync::Mutex;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

use crate::shape::{Shape, check_alloc, numel};
use crate::{Buffer, DType, Error, Result, Tensor};

/// The global seed TF uses when only an op seed is given.
const DEFAULT_GLOBAL_SEED: u64 = 87_654_321;

struct State {
    global: Option<u64>,
    stream: ChaCha8Rng,
    op_counts: HashMap<u64, u64>,
}

impl State {
    fn new(global: Option<u64>) -> State {
        let stream = match global {
            Some(s) => ChaCha8Rng::seed_from_u64(s),
            None => entropy_rng(),
        };
        State { global, stream, op_counts: HashMap::new() }
    }
}

/// A generator seeded from the OS, falling back to the clock if the OS source fails.
fn entropy_rng() -> ChaCha8Rng {
    ChaCha8Rng::try_from_os_rng().unwrap_or_else(|_| {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        let local = 0u8;
        ChaCha8Rng::seed_from_u64(t ^ (&local as *const u8 as u64).rotate_left(32))
    })
}

static STATE: Mutex<Option<State>> = Mutex::new(None);

/// Runs `f` on the global state, creating it on first use. A panic elsewhere while
/// holding the lock cannot leave the state half-updated in a harmful way, so a
/// poisoned lock is simply taken over.
fn with_state<R>(f: impl FnOnce(&mut State) -> R) -> R {
    let mut guard = STATE.lock().unwrap_or_else(|e| e.into_inner());
    let state = guard.get_or_insert_with(|| State::new(None));
    f(state)
}

/// Sets (or with `None` clears) the global seed, restarting the op-seed sequence,
/// so the same program draws the same numbers after each `set_seed(Some(s))`.
pub fn set_seed(seed: Option<u64>) {
    let mut guard = STATE.lock().unwrap_or_else(|e| e.into_inner());
    *guard = Some(State::new(seed));
}

/// The generator for one op call (see the module docs for the rules).
fn op_rng(seed: Option<u64>) -> ChaCha8Rng {
    with_state(|st| match seed {
        Some(op) => {
            let count = st.op_counts.entry(op).or_insert(0);
            let n = *count;
            *count += 1;
            let mut key = [0u8; 32];
            key[..8].copy_from_slice(&st.global.unwrap_or(DEFAULT_GLOBAL_SEED).to_le_bytes());
            key[8..16].copy_from_slice(&op.to_le_bytes());
            key[16..24].copy_from_slice(&n.to_le_bytes());
            ChaCha8Rng::from_seed(key)
        }
        None => ChaCha8Rng::from_rng(&mut st.stream),
    })
}

fn float_only(op: &'static str, dtype: DType) -> Result<()> {
    if dtype.is_float() {
        Ok(())
    } else {
        Err(Error::UnsupportedDType { op, dtype, hint: "it samples float32 or float64 values" })
    }
}

/// `n` values of `f(rng)` as a float buffer of `dtype` (sampled in f64, then rounded).
fn float_buffer(
    dtype: DType,
    n: usize,
    rng: &mut ChaCha8Rng,
    mut f: impl FnMut(&mut ChaCha8Rng) -> f64,
) -> Buffer {
    if dtype == DType::F64 {
        Buffer::F64((0..n).map(|_| f(rng)).collect())
    } else {
        Buffer::F32((0..n).map(|_| f(rng) as f32).collect())
    }
}

/// Normal samples of `shape`; `seed` (op seed) makes the draw repeatable.
pub fn normal(shape: &[usize], mean: f64, stddev: f64, dtype: DType, seed: Option<u64>) -> Result<Tensor> {
    float_only("random.normal", dtype)?;
    check_alloc("random.normal", shape, dtype)?;
    let mut rng = op_rng(seed);
    let buf = float_buffer(dtype, numel(shape), &mut rng, |r| {
        let z: f64 = r.sample(StandardNormal);
        mean + stddev * z
    });
    Ok(Tensor::new_unchecked(buf, Shape::from_slice(shape)))
}

/// Samples of `shape` from a normal truncated to 2 stddevs.
pub fn truncated_normal(
    shape: &[usize],
    mean: f64,
    stddev: f64,
    dtype: DType,
    seed: Option<u64>,
) -> Result<Tensor> {
    float_only("random.truncated_normal", dtype)?;
    check_alloc("random.truncated_normal", shape, dtype)?;
    let mut rng = op_rng(seed);
    let buf = float_buffer(dtype, numel(shape), &mut rng, |r| {
        // Rejection: P(|z| > 2) ≈ 4.6%, so this loops about 1.05 times on average.
        loop {
            let z: f64 = r.sample(StandardNormal);
            if z.abs() <= 2.0 {
                return mean + stddev * z;
            }
        }
    });
    Ok(Tensor::new_unchecked(buf, Shape::from_slice(shape)))
}

/// Uniform floats in `[lo, hi)`, redrawing the rare sample that rounds up to `hi`
/// in the output type. (A bounded number of tries: with `hi <= lo` there is no such interval.)
fn uniform_float<T: Copy + PartialOrd>(rng: &mut ChaCha8Rng, lo: f64, hi: f64, cast: impl Fn(f64) -> T) -> T {
    let top = cast(hi);
    let mut v = cast(lo);
    for _ in 0..64 {
        let u: f64 = rng.random();
        v = cast(lo + (hi - lo) * u);
        if v < top || hi <= lo {
            return v;
        }
    }
    v
}

/// Uniform samples in `[minval, maxval)`; ints draw from `[minval, maxval)` too.
pub fn uniform(shape: &[usize], minval: f64, maxval: f64, dtype: DType, seed: Option<u64>) -> Result<Tensor> {
    const OP: &str = "random.uniform";
    let n = check_alloc(OP, shape, dtype)?;
    let buf = match dtype {
        DType::F32 => {
            let mut rng = op_rng(seed);
            Buffer::F32((0..n).map(|_| uniform_float(&mut rng, minval, maxval, |v| v as f32)).collect())
        }
        DType::F64 => {
            let mut rng = op_rng(seed);
            Buffer::F64((0..n).map(|_| uniform_float(&mut rng, minval, maxval, |v| v)).collect())
        }
        DType::I32 | DType::I64 => {
            let (lo, hi) = (minval as i64, maxval as i64);
            if hi <= lo {
                return Err(Error::arg(
                    OP,
                    format!("Need minval < maxval for integer samples: {lo} >= {hi}"),
                ));
            }
            if dtype == DType::I32 && (lo < i64::from(i32::MIN) || hi > i64::from(i32::MAX) + 1) {
                return Err(Error::arg(OP, format!("[{lo}, {hi}) does not fit in int32; use dtype int64")));
            }
            let mut rng = op_rng(seed);
            if dtype == DType::I32 {
                Buffer::I32((0..n).map(|_| rng.random_range(lo..hi) as i32).collect())
            } else {
                Buffer::I64((0..n).map(|_| rng.random_range(lo..hi)).collect())
            }
        }
        DType::Bool => {
            return Err(Error::UnsupportedDType { op: OP, dtype, hint: "it samples numeric values" });
        }
    };
    Ok(Tensor::new_unchecked(buf, Shape::from_slice(shape)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The generator state is process-wide and tests run on parallel threads:
    /// serialise the tests that depend on it.
    static SERIAL: Mutex<()> = Mutex::new(());

    fn f32s(t: &Tensor) -> Vec<f32> {
        t.as_slice::<f32>().unwrap().to_vec()
    }

    #[test]
    fn global_seed_repeats_the_program() {
        let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
        set_seed(Some(42));
        let a1 = f32s(&normal(&[5], 0.0, 1.0, DType::F32, None).unwrap());
        let b1 = f32s(&uniform(&[5], 0.0, 1.0, DType::F32, Some(7)).unwrap());
        let c1 = f32s(&uniform(&[5], 0.0, 1.0, DType::F32, Some(7)).unwrap());
        set_seed(Some(42));
        let a2 = f32s(&normal(&[5], 0.0, 1.0, DType::F32, None).unwrap());
        let b2 = f32s(&uniform(&[5], 0.0, 1.0, DType::F32, Some(7)).unwrap());
        let c2 = f32s(&uniform(&[5], 0.0, 1.0, DType::F32, Some(7)).unwrap());
        assert_eq!((a1.clone(), b1.clone(), c1.clone()), (a2, b2, c2));
        // Repeated calls with the same op seed differ (as TF eager).
        assert_ne!(b1, c1);
        set_seed(Some(43));
        assert_ne!(a1, f32s(&normal(&[5], 0.0, 1.0, DType::F32, None).unwrap()));
        // Without a global seed, op seeds are still reproducible after a reset.
        set_seed(None);
        let d1 = f32s(&uniform(&[3], 0.0, 1.0, DType::F32, Some(1)).unwrap());
        set_seed(None);
        assert_eq!(d1, f32s(&uniform(&[3], 0.0, 1.0, DType::F32, Some(1)).unwrap()));
    }

    #[test]
    fn distributions_and_ranges() {
        let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
        set_seed(Some(1));
        let n = 20_000;
        let x = normal(&[n], 3.0, 2.0, DType::F64, None).unwrap();
        let v = x.as_slice::<f64>().unwrap();
        let mean = v.iter().sum::<f64>() / n as f64;
        let var = v.iter().map(|a| (a - mean).powi(2)).sum::<f64>() / n as f64;
        assert!((mean - 3.0).abs() < 0.1 && (var.sqrt() - 2.0).abs() < 0.1, "{mean} {var}");
        let tn = truncated_normal(&[n], 0.0, 1.5, DType::F32, None).unwrap();
        assert!(tn.as_slice::<f32>().unwrap().iter().all(|v| v.abs() <= 3.0));
        let u = uniform(&[4, 5], -2.0, 5.0, DType::F32, None).unwrap();
        assert_eq!(u.shape(), &[4, 5]);
        assert!(u.as_slice::<f32>().unwrap().iter().all(|&v| (-2.0..5.0).contains(&v)));
        let i = uniform(&[1000], -3.0, 4.0, DType::I32, Some(3)).unwrap();
        let iv = i.as_slice::<i32>().unwrap();
        assert!(iv.iter().all(|v| (-3..4).contains(v)));
        assert!(iv.contains(&-3) && iv.contains(&3));
        let l = uniform(&[10], 0.0, 1e12, DType::I64, None).unwrap();
        assert!(l.as_slice::<i64>().unwrap().iter().all(|v| (0..1_000_000_000_000).contains(v)));
        assert!(matches!(uniform(&[2], 3.0, 3.0, DType::I64, None), Err(Error::InvalidArgument { .. })));
        assert!(matches!(uniform(&[2], 0.0, 1e10, DType::I32, None), Err(Error::InvalidArgument { .. })));
        assert!(matches!(uniform(&[2], 0.0, 1.0, DType::Bool, None), Err(Error::UnsupportedDType { .. })));
        assert!(matches!(normal(&[2], 0.0, 1.0, DType::I32, None), Err(Error::UnsupportedDType { .. })));
        assert_eq!(normal(&[0, 3], 0.0, 1.0, DType::F32, None).unwrap().shape(), &[0, 3]);
        assert_eq!(uniform(&[], 1.0, 1.0, DType::F64, None).unwrap().to_scalar::<f64>(), Some(1.0));
    }
}

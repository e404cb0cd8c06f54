//! Seed 000 (TensorFlow's gradient-tape tutorial) written against the Rust crate:
//! the gradient of `(sum x)^2` at `ones((2, 2))`, a persistent tape giving two gradients,
//! and a second derivative from nested tapes.
//!
//! Run: `cargo run -p tapegrad --example seed_000`

use tapegrad::autodiff::{GradientTape, Source};
use tapegrad::{Result, Tensor, ops};

fn main() -> Result<()> {
    // dz/dx of z = (sum x)^2 at x = ones((2, 2)): every element is 2 * sum(x) = 8.
    let x = ops::ones(&[2, 2], tapegrad::DType::F32);
    let tape = GradientTape::new(false, true);
    let z = tape.record(|| {
        tape.watch(&x);
        let y = ops::reduce_sum(&x, None, false)?;
        ops::mul(&y, &y)
    })??;
    let dz_dx = tape.gradient(&[z], &[Source::Tensor(x.clone())])?;
    let dz_dx = dz_dx[0].as_ref().and_then(|g| g.as_slice::<f32>().map(<[f32]>::to_vec));
    println!("dz/dx = {dz_dx:?}");
    assert_eq!(dz_dx, Some(vec![8.0; 4]));

    // A persistent tape: y = x^2, z = y^2 at x = 3; dz/dx = 4 x^3 = 108, dy/dx = 2 x = 6.
    let x = Tensor::scalar(3.0f32);
    let tape = GradientTape::new(true, true);
    let (y, z) = tape.record(|| -> Result<(Tensor, Tensor)> {
        tape.watch(&x);
        let y = ops::mul(&x, &x)?;
        let z = ops::mul(&y, &y)?;
        Ok((y, z))
    })??;
    let dz = tape.gradient(&[z], &[Source::Tensor(x.clone())])?;
    let dy = tape.gradient(&[y], &[Source::Tensor(x.clone())])?;
    println!("dz/dx = {:?}, dy/dx = {:?}", scalar(&dz[0]), scalar(&dy[0]));
    assert_eq!((scalar(&dz[0]), scalar(&dy[0])), (Some(108.0), Some(6.0)));

    // Nested tapes: y = x^3 at x = 1 has dy/dx = 3 and d2y/dx2 = 6.
    let x = Tensor::scalar(1.0f32);
    let outer = GradientTape::new(false, true);
    let dy_dx = outer.record(|| -> Result<Option<Tensor>> {
        outer.watch(&x);
        let inner = GradientTape::new(false, true);
        let y = inner.record(|| {
            inner.watch(&x);
            ops::mul(&ops::mul(&x, &x)?, &x)
        })??;
        // Computed while `outer` records, so the gradient computation is differentiable too.
        Ok(inner.gradient(&[y], &[Source::Tensor(x.clone())])?.remove(0))
    })??;
    let d2y_dx2 = match &dy_dx {
        Some(g) => outer.gradient(std::slice::from_ref(g), &[Source::Tensor(x.clone())])?.remove(0),
        None => None,
    };
    println!("dy/dx = {:?}, d2y/dx2 = {:?}", scalar(&dy_dx), scalar(&d2y_dx2));
    assert_eq!((scalar(&dy_dx), scalar(&d2y_dx2)), (Some(3.0), Some(6.0)));
    Ok(())
}

fn scalar(t: &Option<Tensor>) -> Option<f32> {
    t.as_ref().and_then(|t| t.to_scalar::<f32>())
}

#[cfg(test)]
mod tests {
    /// `cargo test` runs the example (see `[[example]]` in Cargo.toml).
    #[test]
    fn seed_000_runs() {
        assert!(super::main().is_ok());
    }
}

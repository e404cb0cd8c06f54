//! # tapegrad
//!
//! Reverse-mode automatic differentiation with TensorFlow's `GradientTape`
//! semantics, in a small pure-Rust core: immutable tensors with runtime dtypes,
//! CPU kernels, an arena-allocated tape, and a gradient-rule table written with
//! the same differentiable ops users call — so gradients of gradients work.
//!
//! ```
//! use tapegrad::autodiff::{GradientTape, Source};
//! use tapegrad::{Tensor, Variable, ops};
//!
//! let w = Variable::new(Tensor::from_vec(vec![1.0f32, 2.0], &[2])?, "w", true);
//! let x = Tensor::from_vec(vec![3.0f32, 4.0], &[2])?;
//! let tape = GradientTape::new(false, true);
//! let loss = tape.record(|| ops::reduce_sum(&ops::mul(&w.read(), &x)?, None, false))??;
//! let grads = tape.gradient(&[loss], &[Source::Variable(w.clone())])?;
//! assert_eq!(grads[0].as_ref().unwrap().as_slice::<f32>().unwrap(), &[3.0, 4.0]);
//! # Ok::<(), tapegrad::Error>(())
//! ```
#![deny(missing_docs)]

pub mod autodiff;
pub mod denormal;
pub mod dtype;
pub mod error;
pub mod interrupt;
pub mod kernels;
pub mod ops;
pub mod shape;
pub mod tensor;
pub mod threading;
pub mod variable;

pub use dtype::{DType, Element};
pub use error::{Error, Result};
pub use tensor::{Buffer, Tensor, TensorId};
pub use variable::{VarId, Variable};

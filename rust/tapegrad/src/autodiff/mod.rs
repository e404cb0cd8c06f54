//! The public tape API for Rust users: TensorFlow's `GradientTape`.
//!
//! ```
//! use tapegrad::autodiff::{GradientTape, Source};
//! use tapegrad::{Tensor, ops};
//!
//! // Seed 000: a persistent tape, then higher order through nested tapes.
//! let x = Tensor::scalar(3.0f32);
//! let t = GradientTape::new(true, true);
//! let (y, z) = t.record(|| {
//!     t.watch(&x);
//!     let y = ops::mul(&x, &x)?;
//!     let z = ops::mul(&y, &y)?;
//!     Ok::<_, tapegrad::Error>((y, z))
//! })??;
//! let dz_dx = t.gradient(&[z], &[Source::Tensor(x.clone())])?;
//! assert_eq!(dz_dx[0].as_ref().unwrap().to_scalar::<f32>(), Some(108.0)); // 4x³
//! let dy_dx = t.gradient(&[y], &[Source::Tensor(x.clone())])?;
//! assert_eq!(dy_dx[0].as_ref().unwrap().to_scalar::<f32>(), Some(6.0));
//!
//! let x = Tensor::scalar(1.0f32);
//! let outer = GradientTape::new(false, true);
//! let inner = GradientTape::new(false, true);
//! let dy_dx = outer.record(|| -> tapegrad::Result<Tensor> {
//!     let y = inner.record(|| {
//!         inner.watch(&x); // also watches x on `outer` (the seeds' semantics)
//!         ops::mul(&ops::mul(&x, &x)?, &x)
//!     })??;
//!     Ok(inner.gradient(&[y], &[Source::Tensor(x.clone())])?[0].clone().unwrap())
//! })??;
//! let d2y_dx2 = outer.gradient(&[dy_dx.clone()], &[Source::Tensor(x.clone())])?;
//! assert_eq!(dy_dx.to_scalar::<f32>(), Some(3.0));
//! assert_eq!(d2y_dx2[0].as_ref().unwrap().to_scalar::<f32>(), Some(6.0));
//! # Ok::<(), tapegrad::Error>(())
//! ```

mod accumulate;
mod backward;
mod conv_rules;
pub mod custom;
mod decomp_rules;
mod fused;
mod gc;
mod linalg_rules;
mod parallel;
mod recurrent_rules;
mod rules;
mod sparse;
pub mod tape;

pub use backward::{Source, Unconnected};
pub use custom::{CustomGradient, CustomOp};
pub use sparse::{Slices, SourceGradient};
pub use tape::{TapeId, VariableWatcher, is_recording};

use crate::variable::Variable;
use crate::{Result, Tensor};

/// A tape that records differentiable ops run while it is active on this
/// thread, and computes gradients from them in reverse mode.
///
/// Dropping it frees everything it recorded in one go.
#[derive(Debug)]
pub struct GradientTape {
    id: TapeId,
}

impl GradientTape {
    /// A new, inactive tape. `persistent` allows several `gradient` calls;
    /// `watch_accessed_variables` watches trainable variables as they are read.
    pub fn new(persistent: bool, watch_accessed_variables: bool) -> GradientTape {
        GradientTape { id: tape::create(persistent, watch_accessed_variables) }
    }

    /// This tape's id.
    pub fn id(&self) -> TapeId {
        self.id
    }

    /// Starts recording (pushes onto the thread's tape stack).
    pub fn push(&self) -> Result<()> {
        tape::with_registry(|reg| {
            if !reg.tapes.contains_key(&self.id) {
                return Err(crate::Error::TapeMisuse("this tape belongs to another thread".into()));
            }
            if reg.active.contains(&self.id) {
                return Err(crate::Error::TapeMisuse(
                    "this tape is already recording; a tape cannot be entered twice".into(),
                ));
            }
            reg.active.push(self.id);
            Ok(())
        })
    }

    /// Stops recording (removes it from the thread's tape stack). Idempotent.
    pub fn pop(&self) {
        tape::with_registry(|reg| reg.active.retain(|a| *a != self.id));
    }

    /// True while the tape is on the stack.
    pub fn is_active(&self) -> bool {
        tape::with_registry(|reg| reg.active.contains(&self.id))
    }

    /// Runs `f` with this tape recording, then stops recording — even if `f` fails.
    pub fn record<R>(&self, f: impl FnOnce() -> R) -> Result<R> {
        self.push()?;
        let out = f();
        self.pop();
        Ok(out)
    }

    /// Pauses recording on this tape until [`GradientTape::resume`] (TF's `stop_recording`).
    pub fn pause(&self) -> Result<()> {
        tape::with_tape(self.id, |t| {
            t.paused += 1;
            Ok(())
        })
    }

    /// Undoes one [`GradientTape::pause`].
    pub fn resume(&self) -> Result<()> {
        tape::with_tape(self.id, |t| {
            t.paused = t.paused.saturating_sub(1);
            Ok(())
        })
    }

    /// Forgets everything recorded so far (TF's `reset`).
    pub fn reset(&self) -> Result<()> {
        tape::with_tape(self.id, |t| {
            t.clear();
            t.consumed = false;
            Ok(())
        })
    }

    /// Watches a float tensor on this tape **and every enclosing active tape**
    /// (the seeds' semantics). Returns false, watching nothing, for non-float dtypes.
    pub fn watch(&self, x: &Tensor) -> bool {
        if !x.dtype().is_float() {
            return false;
        }
        self.for_self_and_enclosing(|t| t.watch_tensor(x));
        true
    }

    /// Watches a variable on this tape and every enclosing active tape.
    pub fn watch_variable(&self, v: &Variable) -> bool {
        if !v.dtype().is_float() {
            return false;
        }
        self.for_self_and_enclosing(|t| t.watch_variable(v));
        true
    }

    fn for_self_and_enclosing(&self, mut f: impl FnMut(&mut tape::TapeData)) {
        tape::with_registry(|reg| {
            let enclosing: Vec<TapeId> = match reg.active.iter().position(|a| *a == self.id) {
                Some(pos) => reg.active[..=pos].to_vec(),
                None => reg.active.iter().copied().chain(std::iter::once(self.id)).collect(),
            };
            for id in enclosing {
                if let Some(t) = reg.tapes.get_mut(&id) {
                    if !t.consumed {
                        f(t);
                    }
                }
            }
        });
    }

    /// The variables this tape watches, in creation order (as TF's, whose tape
    /// keeps them in a set ordered by variable id).
    pub fn watched_variables(&self) -> Result<Vec<Variable>> {
        let mut vars = tape::with_tape(self.id, |t| Ok(t.watched_vars.clone()))?;
        vars.sort_by_key(|v| v.id());
        Ok(vars)
    }

    /// Elements produced by the ops recorded so far: a measure of the work a
    /// backward pass will do (bindings use it to decide whether to release locks).
    pub fn recorded_elems(&self) -> usize {
        tape::with_tape(self.id, |t| {
            Ok(t.nodes.iter().map(|n| n.saved_output.shape().iter().product::<usize>()).sum())
        })
        .unwrap_or(0)
    }

    /// Whether the tape is persistent.
    pub fn persistent(&self) -> Result<bool> {
        tape::with_tape(self.id, |t| Ok(t.persistent))
    }

    /// d(Σ targets)/d(source) for each source; see [`GradientTape::gradient_with`].
    pub fn gradient<T: AsTarget>(&self, targets: &[T], sources: &[Source]) -> Result<Vec<Option<Tensor>>> {
        self.gradient_with(targets, sources, None, Unconnected::None)
    }

    /// The full form of `gradient`: `output_gradients` weight each target (one per
    /// target, `None` = ones), and `unconnected` says what unreachable sources get.
    /// A non-persistent tape stops recording and frees its arena here; calling it
    /// again is [`Error::TapeConsumed`](crate::Error::TapeConsumed).
    pub fn gradient_with<T: AsTarget>(
        &self,
        targets: &[T],
        sources: &[Source],
        output_gradients: Option<&[Option<Tensor>]>,
        unconnected: Unconnected,
    ) -> Result<Vec<Option<Tensor>>> {
        if !self.persistent()? {
            self.pop();
        }
        let targets: Vec<Source> = targets.iter().map(AsTarget::as_target).collect();
        backward::gradient(self.id, &targets, sources, output_gradients, unconnected)
    }

    /// Several weightings of the same targets: one backward pass per entry of
    /// `output_gradients` (as in [`GradientTape::gradient_with`]), all over one
    /// snapshot of the tape, so a non-persistent tape allows it once — how
    /// Jacobians are computed.
    ///
    /// ```
    /// use tapegrad::autodiff::{GradientTape, Source, Unconnected};
    /// use tapegrad::{Tensor, ops};
    /// let x = Tensor::from_vec(vec![1.0f32, 2.0], &[2])?;
    /// let tape = GradientTape::new(false, true); // not persistent
    /// let y = tape.record(|| { tape.watch(&x); ops::mul(&x, &x) })??;
    /// let rows = [
    ///     vec![Some(Tensor::from_vec(vec![1.0f32, 0.0], &[2])?)],
    ///     vec![Some(Tensor::from_vec(vec![0.0f32, 1.0], &[2])?)],
    /// ];
    /// let og: Vec<_> = rows.iter().map(|r| Some(r.as_slice())).collect();
    /// let jac = tape.gradients_with(&[y], &[Source::Tensor(x)], &og, Unconnected::None)?;
    /// assert_eq!(jac[0][0].as_ref().unwrap().as_slice::<f32>(), Some(&[2.0f32, 0.0][..]));
    /// assert_eq!(jac[1][0].as_ref().unwrap().as_slice::<f32>(), Some(&[0.0f32, 4.0][..]));
    /// # Ok::<(), tapegrad::Error>(())
    /// ```
    pub fn gradients_with<T: AsTarget>(
        &self,
        targets: &[T],
        sources: &[Source],
        output_gradients: &[Option<&[Option<Tensor>]>],
        unconnected: Unconnected,
    ) -> Result<Vec<Vec<Option<Tensor>>>> {
        if !self.persistent()? {
            self.pop();
        }
        let targets: Vec<Source> = targets.iter().map(AsTarget::as_target).collect();
        backward::gradients(self.id, &targets, sources, output_gradients, unconnected)
    }
}

/// What [`GradientTape::gradient`] differentiates: a [`Tensor`], or a
/// [`Source`], whose variable stands for its handle as in TF, so a variable
/// that is both target and source gets ones (`tape.gradient(v, v)`).
///
/// ```
/// use tapegrad::autodiff::{GradientTape, Source};
/// use tapegrad::{Tensor, Variable};
/// let v = Variable::new(Tensor::scalar(2.0f32), "v", true);
/// let tape = GradientTape::new(false, true);
/// let g = tape.gradient(&[Source::Variable(v.clone())], &[Source::Variable(v)])?;
/// assert_eq!(g[0].as_ref().and_then(|g| g.to_scalar::<f32>()), Some(1.0));
/// # Ok::<(), tapegrad::Error>(())
/// ```
pub trait AsTarget {
    /// As a [`Source`] (the same tensor or variable).
    fn as_target(&self) -> Source;
}

impl AsTarget for Tensor {
    fn as_target(&self) -> Source {
        Source::Tensor(self.clone())
    }
}

impl AsTarget for Source {
    fn as_target(&self) -> Source {
        self.clone()
    }
}

impl Drop for GradientTape {
    fn drop(&mut self) {
        tape::release(self.id);
    }
}

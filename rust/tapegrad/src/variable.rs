//! Variables: named, mutable handles to immutable tensor values.
//!
//! `assign` swaps in a new [`Tensor`]; tensors saved by tapes are never mutated,
//! so a tape stays correct across assignments between reads (TF semantics: each
//! read is its own value, and a variable's gradient sums over all its reads).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use crate::autodiff::tape;
use crate::{DType, Error, Result, Tensor, ops};

/// Identity of a variable, unique for the life of the process.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VarId(pub u64);

static NEXT_VAR_ID: AtomicU64 = AtomicU64::new(1);

#[derive(Debug)]
struct VarInner {
    id: VarId,
    name: String,
    trainable: bool,
    value: RwLock<Tensor>,
}

/// A shared, mutable handle to a tensor value, watched automatically by tapes
/// when trainable.
///
/// ```
/// use tapegrad::{Tensor, Variable};
/// let v = Variable::new(Tensor::scalar(1.0f32), "v", true);
/// v.assign_add(&Tensor::scalar(2.0f32)).unwrap();
/// assert_eq!(v.value().to_scalar::<f32>(), Some(3.0));
/// assert!(v.assign(&Tensor::scalar(1.0f64)).is_err()); // dtype is fixed
/// ```
#[derive(Clone, Debug)]
pub struct Variable {
    inner: Arc<VarInner>,
}

impl Variable {
    /// A new variable holding `initial` (its dtype and shape are fixed from now on).
    pub fn new(initial: Tensor, name: impl Into<String>, trainable: bool) -> Variable {
        // A variable holds computed state, never a fused expression (Note [Fusion]):
        // reads would recompute it, and it would keep the buffers it reads alive.
        Variable {
            inner: Arc::new(VarInner {
                id: VarId(NEXT_VAR_ID.fetch_add(1, Ordering::Relaxed)),
                name: name.into(),
                trainable,
                value: RwLock::new(initial.detached().into_computed()),
            }),
        }
    }

    /// The variable's id.
    pub fn id(&self) -> VarId {
        self.inner.id
    }

    /// The name given at creation (without TF's `:0` suffix).
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// Whether tapes watch it automatically.
    pub fn trainable(&self) -> bool {
        self.inner.trainable
    }

    /// The current value, without recording a read on any tape.
    pub fn value(&self) -> Tensor {
        // A poisoned lock only means another thread panicked mid-assign; the
        // stored tensor is still a whole value (assign swaps it in one move).
        self.inner.value.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The element type.
    pub fn dtype(&self) -> DType {
        self.value().dtype()
    }

    /// The dimensions.
    pub fn shape(&self) -> Vec<usize> {
        self.value().shape().to_vec()
    }

    /// Reads the value as an op input: on tapes that watch this variable the read
    /// is recorded, so gradients flow back to the variable.
    pub fn read(&self) -> Tensor {
        let value = self.value();
        tape::variable_accessed(self);
        if !tape::any_tape_reads(self) {
            return value;
        }
        let read = value.detached();
        tape::record_variable_read(self, &value, &read);
        read
    }

    fn check(&self, op: &'static str, new: &Tensor) -> Result<()> {
        let cur = self.value();
        if cur.dtype() != new.dtype() {
            return Err(Error::DTypeMismatch { op, lhs: cur.dtype(), rhs: new.dtype() });
        }
        if cur.shape() != new.shape() {
            return Err(Error::shape(
                op,
                format!(
                    "cannot assign a value of shape {:?} to variable '{}' of shape {:?}",
                    new.shape(),
                    self.name(),
                    cur.shape()
                ),
            ));
        }
        Ok(())
    }

    fn set(&self, t: Tensor) {
        let t = t.into_computed();
        *self.inner.value.write().unwrap_or_else(|e| e.into_inner()) = t;
    }

    /// Replaces the value; dtype and shape must match.
    pub fn assign(&self, value: &Tensor) -> Result<()> {
        self.check("assign", value)?;
        self.set(value.detached());
        Ok(())
    }

    /// Adds `delta` to the value (not recorded on tapes, as in TF).
    pub fn assign_add(&self, delta: &Tensor) -> Result<()> {
        self.update("assign_add", crate::kernels::BinaryKind::Add, delta)
    }

    /// Subtracts `delta` from the value (not recorded on tapes, as in TF).
    pub fn assign_sub(&self, delta: &Tensor) -> Result<()> {
        self.update("assign_sub", crate::kernels::BinaryKind::Sub, delta)
    }

    /// `value = value <op> delta`, checked like `assign`.
    ///
    /// Written over the value's own buffer when nothing else shares it (no tape
    /// saved a read, no tensor or numpy view the user holds): an SGD step then
    /// allocates nothing. The value still gets a fresh id, as a swapped-in value
    /// would, so nothing that knew the old value can mistake the new one for it.
    fn update(&self, name: &'static str, op: crate::kernels::BinaryKind, delta: &Tensor) -> Result<()> {
        {
            let mut value = self.inner.value.write().unwrap_or_else(|e| e.into_inner());
            if crate::kernels::binary_in_place(op, &mut value, delta, true) {
                *value = value.detached();
                return Ok(());
            }
        }
        let new = crate::kernels::binary(op, &self.value(), delta)?;
        self.check(name, &new)?;
        self.set(new);
        Ok(())
    }

    /// `value + other`, recorded: a convenience for Rust users.
    pub fn add(&self, other: &Tensor) -> Result<Tensor> {
        ops::add(&self.read(), other)
    }
}

//! The crate's typed error. Every message names the op, the shapes or dtypes
//! involved and, where there is one, the fix (candle's `error.rs` style).

use std::sync::Arc;

use crate::DType;

/// Shorthand for `Result<T, tapegrad::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in tapegrad, grouped by kind.
///
/// ```
/// use tapegrad::{Error, Tensor};
/// let a = Tensor::from_vec(vec![1.0f32, 2.0, 3.0], &[3]).unwrap();
/// let b = Tensor::from_vec(vec![1.0f32, 2.0], &[2]).unwrap();
/// let err = tapegrad::ops::add(&a, &b).unwrap_err();
/// assert!(matches!(err, Error::IncompatibleShapes { .. }));
/// assert!(err.to_string().contains("[3] vs. [2]"));
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    // ---- Shape errors ----
    /// Two shapes that must broadcast together do not.
    #[error("{op}: Incompatible shapes: {lhs:?} vs. {rhs:?}; each dimension must match or be 1")]
    IncompatibleShapes {
        /// The op that failed.
        op: &'static str,
        /// Left operand's shape.
        lhs: Vec<usize>,
        /// Right operand's shape.
        rhs: Vec<usize>,
    },
    /// A shape does not fit what the op needs; `msg` says what it needed.
    #[error("{op}: {msg}")]
    InvalidShape {
        /// The op that failed.
        op: &'static str,
        /// What was wrong and how to fix it.
        msg: String,
    },
    /// An axis outside `[-rank, rank)`.
    #[error("{op}: axis {axis} is out of range for a tensor of rank {rank}; use an axis in [{lo}, {rank})", lo = -(*rank as i64))]
    AxisOutOfRange {
        /// The op that failed.
        op: &'static str,
        /// The axis given.
        axis: i64,
        /// The tensor's rank.
        rank: usize,
    },
    /// An index outside a dimension.
    #[error("{op}: index {index} is out of bounds for dimension {axis} of size {size}")]
    IndexOutOfRange {
        /// The op that failed.
        op: &'static str,
        /// The index given.
        index: i64,
        /// The dimension indexed.
        axis: usize,
        /// The size of that dimension.
        size: usize,
    },
    /// A reshape whose element count differs from the input's.
    #[error("{op}: cannot reshape a tensor with {from} elements to shape {to:?} ({to_count} elements)")]
    ReshapeSize {
        /// The op that failed.
        op: &'static str,
        /// Elements in the input.
        from: usize,
        /// The requested shape (-1 printed as usize::MAX is never shown: it is resolved first).
        to: Vec<i64>,
        /// Elements the requested shape holds.
        to_count: usize,
    },
    /// Data length does not match the shape.
    #[error("{op}: {len} values do not fill shape {shape:?} ({expected} elements)")]
    DataLength {
        /// The op that failed.
        op: &'static str,
        /// Values given.
        len: usize,
        /// The shape requested.
        shape: Vec<usize>,
        /// Elements the shape holds.
        expected: usize,
    },

    // ---- DType errors ----
    /// Two operands with different dtypes (TF never promotes implicitly).
    #[error(
        "{op}: cannot compute {op} with a {lhs} tensor and a {rhs} tensor; cast one with tapegrad.cast first"
    )]
    DTypeMismatch {
        /// The op that failed.
        op: &'static str,
        /// Left operand's dtype.
        lhs: DType,
        /// Right operand's dtype.
        rhs: DType,
    },
    /// The op does not accept this dtype.
    #[error("{op}: dtype {dtype} is not supported; {hint}")]
    UnsupportedDType {
        /// The op that failed.
        op: &'static str,
        /// The dtype given.
        dtype: DType,
        /// What the op accepts.
        hint: &'static str,
    },

    // ---- Tape errors ----
    /// `gradient` called twice on a non-persistent tape.
    #[error(
        "A non-persistent GradientTape can only be used to compute one set of gradients (or jacobians); create the tape with persistent=True to call gradient more than once"
    )]
    TapeConsumed,
    /// A tape used after it was released, or from a thread it does not belong to.
    #[error("GradientTape: {0}")]
    TapeMisuse(String),
    /// `output_gradients` do not match the targets.
    #[error("gradient: output_gradients[{index}] has shape {got:?} but its target has shape {expected:?}")]
    OutputGradientShape {
        /// Which target.
        index: usize,
        /// The shape given.
        got: Vec<usize>,
        /// The target's shape.
        expected: Vec<usize>,
    },

    /// A user-defined gradient (`autodiff::CustomGradient`) failed. `source` is
    /// the callback's own error, untouched, so a binding can hand the original
    /// (a Python exception, say) back to its caller.
    #[error("the custom gradient of {name} failed: {source}")]
    CustomGradientFailed {
        /// The custom op's name (the decorated function's, in Python).
        name: String,
        /// What the callback returned.
        #[source]
        source: SharedError,
    },

    // ---- Value errors ----
    /// A value outside what the op can take (negative count, zero step, …).
    #[error("{op}: {msg}")]
    InvalidArgument {
        /// The op that failed.
        op: &'static str,
        /// What was wrong and how to fix it.
        msg: String,
    },
    /// Memory for a result could not be reserved (TF's ResourceExhaustedError,
    /// "OOM when allocating tensor with shape...").
    #[error(
        "{op}: OOM when allocating tensor with shape{shape:?} and type {dtype}: {bytes} bytes could not be reserved"
    )]
    ResourceExhausted {
        /// The op that failed.
        op: &'static str,
        /// The shape of the tensor it tried to allocate.
        shape: Vec<usize>,
        /// Its dtype.
        dtype: DType,
        /// The bytes requested.
        bytes: usize,
    },
    /// A long computation stopped because the host's interrupt check failed
    /// (`crate::interrupt`); `source` is the host's own error (Python's
    /// `KeyboardInterrupt`, say), for the binding to raise unchanged.
    #[error("interrupted: {source}")]
    Interrupted {
        /// What the check returned.
        #[source]
        source: SharedError,
    },
    /// A matrix that must be invertible has a zero pivot (TF's
    /// InvalidArgumentError "Input matrix is not invertible.").
    #[error("{op}: {msg}")]
    NotInvertible {
        /// The op that failed.
        op: &'static str,
        /// TF's message.
        msg: &'static str,
    },
}

/// A foreign error carried inside an [`Error`]: shared (an `Arc`, not a `Box`)
/// because [`Error`] is `Clone`. Two are equal only if they are the same error.
///
/// ```
/// use tapegrad::error::SharedError;
/// let e = SharedError::new(std::io::Error::other("disk on fire"));
/// assert_eq!(e.to_string(), "disk on fire");
/// assert!(e.downcast_ref::<std::io::Error>().is_some());
/// assert_eq!(e, e.clone());
/// ```
#[derive(Clone, Debug)]
pub struct SharedError(pub Arc<dyn std::error::Error + Send + Sync + 'static>);

impl SharedError {
    /// Wraps any error.
    pub fn new(e: impl std::error::Error + Send + Sync + 'static) -> SharedError {
        SharedError(Arc::new(e))
    }

    /// The wrapped error as `T`, if it is one.
    pub fn downcast_ref<T: std::error::Error + 'static>(&self) -> Option<&T> {
        self.0.downcast_ref::<T>()
    }
}

impl std::fmt::Display for SharedError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for SharedError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

impl PartialEq for SharedError {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Error {
    /// Builds an [`Error::InvalidShape`].
    pub fn shape(op: &'static str, msg: impl Into<String>) -> Self {
        Error::InvalidShape { op, msg: msg.into() }
    }

    /// Builds an [`Error::InvalidArgument`].
    pub fn arg(op: &'static str, msg: impl Into<String>) -> Self {
        Error::InvalidArgument { op, msg: msg.into() }
    }
}

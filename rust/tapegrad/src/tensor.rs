//! The immutable tensor value: an id, a shape and a shared buffer.
//!
//! Tensors never change after creation, so saving one for the backward pass is
//! an `Arc` clone and no version counters are needed (PyTorch needs them only
//! because its tensors mutate in place).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::kernels::fusion::Pending;
use crate::shape::{Shape, checked_numel, numel};
use crate::{DType, Element, Error, Result};

/// Identity of a tensor value, unique for the life of the process. Tapes map
/// these ids to their own dense value indices.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TensorId(pub u64);

static NEXT_TENSOR_ID: AtomicU64 = AtomicU64::new(1);

impl TensorId {
    /// A fresh id, never handed out before.
    pub fn fresh() -> TensorId {
        TensorId(NEXT_TENSOR_ID.fetch_add(1, Ordering::Relaxed))
    }
}

/// Contiguous row-major element storage of one runtime dtype, in one allocation.
#[derive(Clone, Debug, PartialEq)]
pub enum Buffer {
    /// float32 elements.
    F32(Vec<f32>),
    /// float64 elements.
    F64(Vec<f64>),
    /// int32 elements.
    I32(Vec<i32>),
    /// int64 elements.
    I64(Vec<i64>),
    /// bool elements.
    Bool(Vec<bool>),
}

impl Buffer {
    /// The dtype of the elements held.
    pub fn dtype(&self) -> DType {
        match self {
            Buffer::F32(_) => DType::F32,
            Buffer::F64(_) => DType::F64,
            Buffer::I32(_) => DType::I32,
            Buffer::I64(_) => DType::I64,
            Buffer::Bool(_) => DType::Bool,
        }
    }

    /// Number of elements held.
    pub fn len(&self) -> usize {
        match self {
            Buffer::F32(v) => v.len(),
            Buffer::F64(v) => v.len(),
            Buffer::I32(v) => v.len(),
            Buffer::I64(v) => v.len(),
            Buffer::Bool(v) => v.len(),
        }
    }

    /// True if no elements are held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Applies `$body` with `$v` bound to the typed `Vec`/slice inside a [`Buffer`],
/// once per dtype: the one place dtype dispatch is spelled out.
#[macro_export]
macro_rules! with_buffer {
    ($buf:expr, $v:ident => $body:expr) => {
        match $buf {
            $crate::Buffer::F32($v) => $body,
            $crate::Buffer::F64($v) => $body,
            $crate::Buffer::I32($v) => $body,
            $crate::Buffer::I64($v) => $body,
            $crate::Buffer::Bool($v) => $body,
        }
    };
}

/// An immutable n-dimensional array with a runtime dtype.
///
/// Cloning is cheap (the buffer is shared by reference count) and keeps the id:
/// a clone *is* the same value. [`Tensor::detached`] makes the same data under a
/// new id, which is how `stop_gradient` cuts a tensor out of every tape.
///
/// ```
/// use tapegrad::{DType, Tensor};
/// let t = Tensor::from_vec(vec![1.0f32, 2.0, 3.0, 4.0], &[2, 2]).unwrap();
/// assert_eq!(t.shape(), &[2, 2]);
/// assert_eq!(t.dtype(), DType::F32);
/// assert_eq!(t.as_slice::<f32>().unwrap()[3], 4.0);
/// assert_eq!(t.clone().id(), t.id());
/// assert_ne!(t.detached().id(), t.id());
/// ```
#[derive(Clone, Debug)]
pub struct Tensor {
    id: TensorId,
    shape: Shape,
    data: Data,
}

/// Where a tensor's elements are: computed, or still a fused elementwise
/// expression that computes them on first read (Note [Fusion] in `kernels::fusion`).
#[derive(Clone, Debug)]
enum Data {
    Ready(Arc<Buffer>),
    Pending(Arc<Pending>),
}

impl Drop for Tensor {
    /// Allocation hook: a large buffer whose last owner this is goes to the
    /// kernels' reuse cache (`kernels::alloc`) instead of back to the OS.
    fn drop(&mut self) {
        if self.nbytes() < crate::kernels::alloc::MIN_BYTES {
            return;
        }
        let last = match &mut self.data {
            Data::Ready(buf) => Arc::get_mut(buf),
            Data::Pending(p) => Arc::get_mut(p).and_then(Pending::value_mut).and_then(Arc::get_mut),
        };
        if let Some(buf) = last {
            crate::kernels::alloc::recycle(buf);
        }
    }
}

impl Tensor {
    /// Builds a tensor from a buffer and a shape, checking that they agree.
    pub fn from_buffer(buf: Buffer, shape: &[usize]) -> Result<Tensor> {
        Self::from_arc(Arc::new(buf), shape)
    }

    /// Builds a tensor over an already shared buffer (no copy).
    pub fn from_arc(buf: Arc<Buffer>, shape: &[usize]) -> Result<Tensor> {
        let expected = checked_numel("tensor", shape)?;
        if buf.len() != expected {
            return Err(Error::DataLength { op: "tensor", len: buf.len(), shape: shape.to_vec(), expected });
        }
        Ok(Tensor { id: TensorId::fresh(), shape: Shape::from_slice(shape), data: Data::Ready(buf) })
    }

    /// Builds a tensor from a vector of elements and a shape.
    pub fn from_vec<T: Element>(data: Vec<T>, shape: &[usize]) -> Result<Tensor> {
        Self::from_buffer(T::into_buffer(data), shape)
    }

    /// A rank-0 tensor holding one value.
    ///
    /// ```
    /// let t = tapegrad::Tensor::scalar(3.0f32);
    /// assert_eq!(t.shape(), &[] as &[usize]);
    /// assert_eq!(t.to_scalar::<f32>(), Some(3.0));
    /// ```
    pub fn scalar<T: Element>(v: T) -> Tensor {
        Tensor {
            id: TensorId::fresh(),
            shape: Shape::new(),
            data: Data::Ready(Arc::new(T::into_buffer(vec![v]))),
        }
    }

    /// Internal constructor for kernels that already know `buf.len() == numel(shape)`.
    pub(crate) fn new_unchecked(buf: Buffer, shape: Shape) -> Tensor {
        debug_assert_eq!(buf.len(), numel(&shape));
        Tensor { id: TensorId::fresh(), shape, data: Data::Ready(Arc::new(buf)) }
    }

    /// A tensor whose elements a fused expression computes on first read.
    pub(crate) fn pending(p: Pending, shape: &[usize]) -> Tensor {
        debug_assert_eq!(p.len(), numel(shape));
        Tensor { id: TensorId::fresh(), shape: Shape::from_slice(shape), data: Data::Pending(Arc::new(p)) }
    }

    /// The fused expression behind this tensor, if its elements are not computed yet.
    pub(crate) fn as_pending(&self) -> Option<&Pending> {
        match &self.data {
            Data::Pending(p) if !p.is_computed() => Some(p),
            _ => None,
        }
    }

    /// True while this tensor's elements are a fused expression not yet computed.
    pub fn is_pending(&self) -> bool {
        self.as_pending().is_some()
    }

    /// Computes the elements now if they are still pending (a no-op otherwise).
    ///
    /// ```
    /// use tapegrad::{Tensor, ops};
    /// let x = Tensor::from_vec(vec![1.0f32; 1 << 20], &[1 << 20]).unwrap();
    /// let y = ops::add(&x, &x).unwrap(); // large float32 elementwise results fuse lazily
    /// y.materialize();
    /// assert!(!y.is_pending());
    /// assert_eq!(y.as_slice::<f32>().unwrap()[7], 2.0);
    /// ```
    pub fn materialize(&self) {
        let _ = self.buffer_arc();
    }

    /// This tensor with its elements computed and held directly: the fused
    /// expression is let go, so a buffer only this tensor holds is unshared
    /// again (in-place updates and gradient accumulation can write into it).
    pub(crate) fn into_computed(self) -> Tensor {
        self.materialize();
        let mut t = self;
        let _ = t.buffer_mut(); // settles a computed pending tensor into a held buffer
        t
    }

    /// This value's id.
    pub fn id(&self) -> TensorId {
        self.id
    }

    /// The dimensions.
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// Number of dimensions.
    pub fn rank(&self) -> usize {
        self.shape.len()
    }

    /// Number of elements.
    pub fn numel(&self) -> usize {
        match &self.data {
            Data::Ready(buf) => buf.len(),
            Data::Pending(p) => p.len(),
        }
    }

    /// The element type.
    pub fn dtype(&self) -> DType {
        match &self.data {
            Data::Ready(buf) => buf.dtype(),
            Data::Pending(_) => DType::F32,
        }
    }

    /// The shared buffer (computing a pending tensor's elements first).
    pub fn buffer(&self) -> &Buffer {
        self.buffer_arc()
    }

    /// The shared buffer's reference-counted handle (for zero-copy interop),
    /// computing a pending tensor's elements first.
    pub fn buffer_arc(&self) -> &Arc<Buffer> {
        match &self.data {
            Data::Ready(buf) => buf,
            Data::Pending(p) => p.value(),
        }
    }

    /// The elements in row-major order, if the dtype is `T`.
    pub fn as_slice<T: Element>(&self) -> Option<&[T]> {
        T::slice(self.buffer())
    }

    /// The buffer, mutably, if no other tensor shares it (`Arc::get_mut`): lets
    /// gradient accumulation add in place into buffers nobody else can see.
    /// `None` for a pending tensor: an in-place update would force its elements
    /// out, where the caller's out-of-place op can fuse with them instead. A
    /// fused tensor already computed holds its buffer directly from here on.
    pub(crate) fn buffer_mut(&mut self) -> Option<&mut Buffer> {
        if let Data::Pending(p) = &self.data
            && p.is_computed()
        {
            self.data = Data::Ready(p.value().clone());
        }
        match &mut self.data {
            Data::Ready(buf) => Arc::get_mut(buf),
            Data::Pending(_) => None,
        }
    }

    /// The single element of a one-element tensor, if the dtype is `T`.
    pub fn to_scalar<T: Element>(&self) -> Option<T> {
        match self.as_slice::<T>() {
            Some([v]) => Some(*v),
            _ => None,
        }
    }

    /// The same data under a fresh id: a value no tape has seen.
    pub fn detached(&self) -> Tensor {
        Tensor { id: TensorId::fresh(), shape: self.shape.clone(), data: self.data.clone() }
    }

    /// A stand-in with this tensor's id, shape and dtype but no data: what a tape
    /// keeps for values whose gradient rule needs only their shape (see
    /// `Op::needs_input`). Ghosts never leave the crate, and no kernel sees one.
    pub(crate) fn ghost(&self) -> Tensor {
        static EMPTY: std::sync::OnceLock<[Arc<Buffer>; 5]> = std::sync::OnceLock::new();
        let empty = EMPTY.get_or_init(|| {
            [
                Arc::new(Buffer::F32(Vec::new())),
                Arc::new(Buffer::F64(Vec::new())),
                Arc::new(Buffer::I32(Vec::new())),
                Arc::new(Buffer::I64(Vec::new())),
                Arc::new(Buffer::Bool(Vec::new())),
            ]
        });
        let i = match self.dtype() {
            DType::F32 => 0,
            DType::F64 => 1,
            DType::I32 => 2,
            DType::I64 => 3,
            DType::Bool => 4,
        };
        Tensor { id: self.id, shape: self.shape.clone(), data: Data::Ready(empty[i].clone()) }
    }

    /// The same data viewed with another shape of the same element count (no copy, fresh id).
    pub fn with_shape(&self, shape: &[usize]) -> Result<Tensor> {
        let expected = checked_numel("reshape", shape)?;
        if self.numel() != expected {
            return Err(Error::DataLength {
                op: "reshape",
                len: self.numel(),
                shape: shape.to_vec(),
                expected,
            });
        }
        Ok(Tensor { id: TensorId::fresh(), shape: Shape::from_slice(shape), data: self.data.clone() })
    }

    /// A zero-copy ndarray view, if the dtype is `T`.
    ///
    /// ```
    /// let t = tapegrad::Tensor::from_vec(vec![1.0f64, 2.0, 3.0, 4.0], &[2, 2]).unwrap();
    /// let v = t.view::<f64>().unwrap();
    /// assert_eq!(v[[1, 0]], 3.0);
    /// ```
    pub fn view<T: Element>(&self) -> Option<ndarray::ArrayViewD<'_, T>> {
        let data = self.as_slice::<T>()?;
        ndarray::ArrayViewD::from_shape(ndarray::IxDyn(&self.shape), data).ok()
    }

    /// Copies an ndarray into a new tensor.
    pub fn from_ndarray<T: Element>(a: ndarray::ArrayViewD<'_, T>) -> Tensor {
        let shape = Shape::from_slice(a.shape());
        let data: Vec<T> = a.iter().copied().collect();
        Tensor::new_unchecked(T::into_buffer(data), shape)
    }

    /// Bytes held by the buffer.
    pub fn nbytes(&self) -> usize {
        self.numel() * self.dtype().size_in_bytes()
    }
}

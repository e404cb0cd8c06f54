//! Lazily fused elementwise chains.
//!
//! # Note \[Fusion\]
//! On tensors too large for the caches, an elementwise op costs what moving
//! its operands and result through memory costs: `reduce_sum(sin(x)*x + x*x)`
//! on 10⁷ floats is four full passes that write 160 MB, where one pass reading
//! `x` would do. So a float32 elementwise op on at least `FUSE_MIN_ELEMS`
//! elements does not compute: it returns a *pending* tensor holding the
//! expression (`Expr`: the op over its operands' expressions or buffers). The
//! elements are computed on first read (`Tensor::buffer`), one pass over the
//! leaves block by block with the intermediates in cache (`program`); a
//! reduction reads a pending input the same way without ever storing it
//! (`reduce::reduce_pending`), and an elementwise op on a pending operand
//! extends its expression. The gradient rules are written with the same ops, so
//! a large backward pass fuses too, and `gradient` computes what it returns.
//!
//! Same bits as eager, always: each op runs the eager kernel's own per-element
//! code (`arith_unary!`/`arith_binary!`, `vmath`) on each element, and a
//! reduction of a pending tensor folds the same chunks in the same tree as the
//! reduction of its computed elements. Whether a value was fused, computed once
//! or recomputed changes time, never a result.
//!
//! Limits that keep recomputation bounded: an operand's expression is inlined
//! only while its weighted op count is at most `INLINE_MAX` (transcendental
//! ops weigh `TRANSCENDENTAL_WEIGHT`) and the new expression's at most
//! `MAX_WEIGHT`; past that the operand is computed (once: the value is kept)
//! and read as a buffer. Above the caches this trades a little arithmetic for
//! memory traffic, as XLA's and tinygrad's fusers do; below `FUSE_MIN_ELEMS`
//! (data in L2, where eager ops already run at cache speed) nothing is deferred.
//!
//! Pending tensors hold their leaves' buffers (`Arc`s), so a buffer a pending
//! tensor reads is shared and is never updated in place under it.

mod program;

use std::cell::Cell;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use crate::kernels::BinaryKind as B;
use crate::kernels::UnaryKind as U;
use crate::kernels::{BinaryKind, UnaryKind};
use crate::threading::lock;
use crate::{Buffer, DType, Tensor};

pub(crate) use program::{Program, with_scratch};

/// Element count from which float32 elementwise ops defer (1 MB of float32:
/// beyond a core's L2, where eager passes become memory-bound). Equal to the
/// kernels' parallel threshold, for the same reason.
pub(crate) const FUSE_MIN_ELEMS: usize = crate::kernels::parallel::PAR_MIN_ELEMS;
/// Largest weight of a pending operand that is inlined rather than computed.
pub(crate) const INLINE_MAX: u32 = 12;
/// Largest weight of one expression.
pub(crate) const MAX_WEIGHT: u32 = 24;
/// Weight of a vectorised transcendental (exp, log, sin, …) relative to one
/// arithmetic op: about what one costs per element against a memory pass.
pub(crate) const TRANSCENDENTAL_WEIGHT: u32 = 4;

/// A fused elementwise expression over float32 data of one length.
#[derive(Debug)]
pub(crate) enum Expr {
    /// A computed float32 buffer of the expression's length.
    Leaf(Arc<Buffer>),
    /// One value broadcast to every element.
    Scalar(f32),
    /// An elementwise op of one operand.
    Unary(UnaryKind, Arc<Expr>),
    /// An elementwise op of two operands.
    Binary(BinaryKind, Arc<Expr>, Arc<Expr>),
}

/// The elements of a pending tensor: its expression until first read, then the
/// computed buffer (and the expression dropped, releasing its leaves).
pub(crate) struct Pending {
    expr: Mutex<Option<Arc<Expr>>>,
    value: OnceLock<Arc<Buffer>>,
    len: usize,
    weight: u32,
}

impl std::fmt::Debug for Pending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pending")
            .field("len", &self.len)
            .field("weight", &self.weight)
            .field("computed", &self.is_computed())
            .finish()
    }
}

impl Pending {
    fn new(expr: Expr, len: usize, weight: u32) -> Pending {
        Pending { expr: Mutex::new(Some(Arc::new(expr))), value: OnceLock::new(), len, weight }
    }

    /// Number of elements.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// True once the elements are computed.
    pub(crate) fn is_computed(&self) -> bool {
        self.value.get().is_some()
    }

    /// The computed elements, computing them now if needed.
    ///
    /// Never blocks on another thread's computation: two threads reading at once
    /// may both compute (the same bits), and the first to finish is kept. A
    /// blocking once-cell could deadlock here, since a rayon worker waiting in
    /// the computation's parallel loop may steal a task that reads this value.
    pub(crate) fn value(&self) -> &Arc<Buffer> {
        if let Some(v) = self.value.get() {
            return v;
        }
        // The expression is dropped only after the value is set, so one of the two is there.
        let expr = lock(&self.expr).clone();
        let computed = match expr {
            Some(e) => Program::compile(&e).materialize(self.len),
            None => return self.value.get_or_init(|| Arc::new(Buffer::F32(vec![0.0; self.len]))),
        };
        let v = self.value.get_or_init(|| Arc::new(Buffer::F32(computed)));
        *lock(&self.expr) = None;
        v
    }

    /// The computed buffer, if computed, for a sole owner.
    pub(crate) fn value_mut(&mut self) -> Option<&mut Arc<Buffer>> {
        self.value.get_mut()
    }

    /// The expression to inline into a consumer with `budget` weight to spare,
    /// or `None` if this value should be read as a buffer instead.
    fn inline(&self, budget: u32) -> Option<Arc<Expr>> {
        if self.is_computed() || self.weight > INLINE_MAX || self.weight > budget {
            return None;
        }
        lock(&self.expr).clone()
    }

    /// The expression (for reductions that read it without storing it).
    pub(crate) fn program(&self) -> Option<Program> {
        lock(&self.expr).as_ref().map(Program::compile)
    }
}

thread_local! {
    static ENABLED_HERE: Cell<Option<bool>> = const { Cell::new(None) };
}

/// The process-wide setting: 0 = not set (the environment decides), 1 = on, 2 = off.
static ENABLED: AtomicU8 = AtomicU8::new(0);

/// Whether ops defer on this thread: the thread's [`with_fusion`] setting,
/// else the process's [`set_enabled`] one, else on unless the
/// `TAPEGRAD_NO_FUSION` environment variable is set.
pub fn enabled() -> bool {
    static DEFAULT: OnceLock<bool> = OnceLock::new();
    ENABLED_HERE.with(Cell::get).unwrap_or_else(|| match ENABLED.load(Ordering::Relaxed) {
        1 => true,
        2 => false,
        _ => *DEFAULT.get_or_init(|| std::env::var_os("TAPEGRAD_NO_FUSION").is_none()),
    })
}

/// Switches fusion on or off for the whole process (results are the same
/// bits either way; only time and memory change).
///
/// ```
/// use tapegrad::kernels::fusion;
/// fusion::set_enabled(false);
/// assert!(!fusion::enabled());
/// fusion::set_enabled(true);
/// assert!(fusion::enabled());
/// ```
pub fn set_enabled(on: bool) {
    ENABLED.store(if on { 1 } else { 2 }, Ordering::Relaxed);
}

/// Runs `f` with fusion switched on or off for ops called on this thread
/// (comparisons of fused and eager results; both give the same bits).
///
/// ```
/// use tapegrad::{Tensor, kernels::fusion, ops};
/// let x = Tensor::from_vec(vec![0.5f32; 1 << 20], &[1 << 20]).unwrap();
/// let eager = fusion::with_fusion(false, || ops::sqrt(&x).unwrap());
/// let fused = fusion::with_fusion(true, || ops::sqrt(&x).unwrap());
/// assert!(!eager.is_pending() && fused.is_pending());
/// assert_eq!(eager.as_slice::<f32>(), fused.as_slice::<f32>());
/// ```
pub fn with_fusion<R>(on: bool, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<bool>);
    impl Drop for Restore {
        fn drop(&mut self) {
            ENABLED_HERE.with(|c| c.set(self.0));
        }
    }
    let _restore = Restore(ENABLED_HERE.with(|c| c.replace(Some(on))));
    f()
}

/// The weight of unary op `op` in a fused expression, `None` if it does not fuse.
fn unary_weight(op: UnaryKind) -> Option<u32> {
    if crate::kernels::elementwise::vmath_fun(op).is_some() {
        return Some(TRANSCENDENTAL_WEIGHT);
    }
    matches!(op, U::Neg | U::Abs | U::Square | U::Sqrt | U::Rsqrt | U::Reciprocal | U::Relu).then_some(1)
}

/// The weight of binary op `op` in a fused expression, `None` if it does not fuse.
fn binary_weight(op: BinaryKind) -> Option<u32> {
    matches!(op, B::Add | B::Sub | B::Mul | B::Div | B::Maximum | B::Minimum | B::TanhGrad).then_some(1)
}

/// `t` as an operand expression with `budget` weight to spare: a one-element
/// tensor as a scalar, a pending tensor's expression if it fits, else its
/// buffer (computed now if pending). Returns the expression and its weight.
fn operand(t: &Tensor, budget: u32) -> (Arc<Expr>, u32) {
    if t.numel() == 1
        && let Some(&v) = t.as_slice::<f32>().and_then(|s| s.first())
    {
        return (Arc::new(Expr::Scalar(v)), 0);
    }
    if let Some(p) = t.as_pending()
        && let Some(e) = p.inline(budget)
    {
        return (e, p.weight);
    }
    (Arc::new(Expr::Leaf(t.buffer_arc().clone())), 0)
}

/// `op(x)` as a pending tensor, or `None` when it should run eagerly (fusion
/// off, not float32, too small, or an op without a fused form).
pub(crate) fn unary(op: UnaryKind, x: &Tensor) -> Option<Tensor> {
    let w = unary_weight(op)?;
    if x.dtype() != DType::F32 || x.numel() < FUSE_MIN_ELEMS || !enabled() {
        return None;
    }
    let (e, we) = operand(x, MAX_WEIGHT - w);
    Some(Tensor::pending(Pending::new(Expr::Unary(op, e), x.numel(), w + we), x.shape()))
}

/// `op(a, b)` as a pending tensor, or `None` when it should run eagerly: as
/// [`unary`], and also when the broadcast is more than a one-element operand.
/// The caller has checked the dtypes agree.
pub(crate) fn binary(op: BinaryKind, a: &Tensor, b: &Tensor) -> Option<Tensor> {
    let w = binary_weight(op)?;
    if a.dtype() != DType::F32 || b.dtype() != DType::F32 {
        return None;
    }
    let shape = if a.shape() == b.shape() || (b.numel() == 1 && b.rank() <= a.rank()) {
        a.shape()
    } else if a.numel() == 1 && a.rank() <= b.rank() {
        b.shape()
    } else {
        return None;
    };
    let len = crate::shape::numel(shape);
    if len < FUSE_MIN_ELEMS || !enabled() {
        return None;
    }
    let (ea, wa) = operand(a, MAX_WEIGHT - w);
    let (eb, wb) = operand(b, MAX_WEIGHT - w - wa);
    Some(Tensor::pending(Pending::new(Expr::Binary(op, ea, eb), len, w + wa + wb), shape))
}

/// True if any of `ts` is pending: in-place fast paths step aside for them,
/// since the out-of-place op fuses with the pending expression instead of
/// computing it first.
pub(crate) fn any_pending(ts: &[&Tensor]) -> bool {
    ts.iter().any(|t| t.is_pending())
}

/// True if elementwise ops on `ts` defer: one of them is pending, or fusion is
/// on and one is a float32 tensor of at least [`FUSE_MIN_ELEMS`]. The backward
/// pass's one-pass gradient rules step aside then: the composite rule's ops
/// fuse into the gradient's expression, computed in the pass that computes the
/// rest of it, where a one-pass rule would write and re-read a full buffer.
pub(crate) fn defers<'a>(ts: impl IntoIterator<Item = &'a Tensor>) -> bool {
    let mut large = false;
    for t in ts {
        if t.is_pending() {
            return true;
        }
        large |= t.dtype() == DType::F32 && t.numel() >= FUSE_MIN_ELEMS;
    }
    // The setting is read last, once, and only when it matters.
    large && enabled()
}

#[cfg(test)]
mod tests;

//! A fused expression compiled to a flat list of steps, and its evaluation
//! block by block.
//!
//! Each step writes one block of [`BLOCK`] elements into its own scratch row
//! (the last step straight into the output), reading leaves in place: the
//! intermediates of a block stay in L1, so a chain costs one pass over its
//! leaves and its output. Subexpressions shared by pointer (the same pending
//! tensor used twice) and leaves shared by buffer are computed or read once.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;
use std::thread::LocalKey;

use super::Expr;
use crate::Buffer;
use crate::kernels::alloc::alloc;
use crate::kernels::elementwise::{arith_binary, arith_unary, vmath_fun};
use crate::kernels::parallel::for_each_chunk;
use crate::kernels::simd::dispatch;
use crate::kernels::vmath;
use crate::kernels::{BinaryKind, UnaryKind};

/// Elements per evaluation block: 2 KB of float32 per step, so a long
/// program's rows stay in L1 (at 4 KB a 12-step backward ran 12% slower).
const BLOCK: usize = 512;

/// Where a step reads an operand.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Arg {
    /// Leaf buffer `i`, at the block's position.
    Leaf(usize),
    /// The block that step `i` wrote.
    Step(usize),
    /// One value for every element.
    Scalar(f32),
}

#[derive(Clone, Copy, Debug)]
enum Step {
    Unary(UnaryKind, Arg),
    Binary(BinaryKind, Arg, Arg),
    /// `sin` and `cos` of one operand, into rows `sin` and `cos` (this step's
    /// own and a later one's, which is then [`Step::Done`]): one pass for both.
    SinCos {
        x: Arg,
        sin: usize,
        cos: usize,
    },
    /// Computed by an earlier step.
    Done,
}

/// A compiled expression: leaves, then steps in dependency order; the value is
/// the last step's.
#[derive(Debug)]
pub(crate) struct Program {
    leaves: Vec<Arc<Buffer>>,
    steps: Vec<Step>,
    /// The value when it is not a step (an expression that is a bare leaf or scalar).
    result: Arg,
}

impl Program {
    /// Flattens `expr` (post-order, shared nodes once).
    pub(crate) fn compile(expr: &Arc<Expr>) -> Program {
        let mut p = Program { leaves: Vec::new(), steps: Vec::new(), result: Arg::Scalar(0.0) };
        let mut seen_nodes: HashMap<*const Expr, Arg> = HashMap::new();
        let mut seen_leaves: HashMap<*const Buffer, usize> = HashMap::new();
        p.result = p.add(expr, &mut seen_nodes, &mut seen_leaves);
        p.pair_sin_cos();
        p
    }

    /// Merges a `sin` and a `cos` of the same operand (the gradient of `sin`
    /// next to a recomputed `sin`) into one [`Step::SinCos`] at the earlier
    /// one's place. The last step writes the output, not a row, so it is left out.
    fn pair_sin_cos(&mut self) {
        use UnaryKind::{Cos, Sin};
        let last = self.steps.len().saturating_sub(1);
        for i in 0..last {
            let Step::Unary(first @ (Sin | Cos), x) = self.steps[i] else { continue };
            let other = if first == Sin { Cos } else { Sin };
            let partner =
                (i + 1..last).find(|&j| matches!(self.steps[j], Step::Unary(op, y) if op == other && y == x));
            if let Some(j) = partner {
                let (sin, cos) = if first == Sin { (i, j) } else { (j, i) };
                self.steps[i] = Step::SinCos { x, sin, cos };
                self.steps[j] = Step::Done;
            }
        }
    }

    fn add(
        &mut self,
        e: &Arc<Expr>,
        seen_nodes: &mut HashMap<*const Expr, Arg>,
        seen_leaves: &mut HashMap<*const Buffer, usize>,
    ) -> Arg {
        if let Some(&a) = seen_nodes.get(&Arc::as_ptr(e)) {
            return a;
        }
        let arg = match &**e {
            Expr::Scalar(v) => Arg::Scalar(*v),
            Expr::Leaf(buf) => {
                let next = self.leaves.len();
                let i = *seen_leaves.entry(Arc::as_ptr(buf)).or_insert(next);
                if i == next {
                    self.leaves.push(buf.clone());
                }
                Arg::Leaf(i)
            }
            Expr::Unary(op, x) => {
                let x = self.add(x, seen_nodes, seen_leaves);
                self.steps.push(Step::Unary(*op, x));
                Arg::Step(self.steps.len() - 1)
            }
            Expr::Binary(op, a, b) => {
                let a = self.add(a, seen_nodes, seen_leaves);
                let b = self.add(b, seen_nodes, seen_leaves);
                self.steps.push(Step::Binary(*op, a, b));
                Arg::Step(self.steps.len() - 1)
            }
        };
        seen_nodes.insert(Arc::as_ptr(e), arg);
        arg
    }

    /// All `len` elements, computed in parallel chunks.
    pub(crate) fn materialize(&self, len: usize) -> Vec<f32> {
        let mut out = alloc::<f32>(len);
        for_each_chunk(&mut out, 1, |start, o| self.eval(start, o));
        out
    }

    /// `dst[i] = f(dst[i], value[i])` for every element: each block of the value
    /// is computed into L1 scratch and consumed at once, so an update such as
    /// `p -= lr * g` with a pending `lr * g` is one pass over `p` and `g` and no
    /// temporary (computing the value first cost a zeroed 1.6 MB buffer per
    /// weight matrix of an MLP step). Same bits as computing the value, then `f`.
    pub(crate) fn zip_into(&self, dst: &mut [f32], f: impl Fn(f32, f32) -> f32 + Sync + Send + Copy) {
        for_each_chunk(dst, 1, |start, chunk| {
            self.evaluate(|ev| {
                with_scratch(&VALUE_SCRATCH, BLOCK, |value| {
                    dispatch(
                        #[inline(always)]
                        |_| {
                            for (b, d) in chunk.chunks_mut(BLOCK).enumerate() {
                                let v = &mut value[..d.len()];
                                ev.fill(start + b * BLOCK, v);
                                for (d, &v) in d.iter_mut().zip(v.iter()) {
                                    *d = f(*d, v);
                                }
                            }
                        },
                    )
                })
            })
        });
    }

    /// Elements `start..start + out.len()` into `out`.
    pub(crate) fn eval(&self, start: usize, out: &mut [f32]) {
        self.evaluate(|ev| {
            dispatch(
                #[inline(always)]
                |_| ev.fill(start, out),
            )
        });
    }

    /// Runs `f` with an [`Evaluator`] of this program: the per-call setup
    /// (leaf slices, scratch) done once for many small [`Evaluator::fill`]s.
    pub(crate) fn evaluate<R>(&self, f: impl FnOnce(&mut Evaluator<'_>) -> R) -> R {
        let leaves: Vec<&[f32]> = self
            .leaves
            .iter()
            .map(|b| match &**b {
                Buffer::F32(v) => v.as_slice(),
                // Leaves are float32 by construction (`fusion::operand`).
                _ => &[],
            })
            .collect();
        with_scratch(&STEP_SCRATCH, self.steps.len().saturating_sub(1) * BLOCK, |scratch| {
            f(&mut Evaluator { prog: self, leaves, scratch })
        })
    }
}

/// A program ready to fill ranges of its value (see [`Program::evaluate`]).
pub(crate) struct Evaluator<'a> {
    prog: &'a Program,
    leaves: Vec<&'a [f32]>,
    scratch: &'a mut [f32],
}

impl Evaluator<'_> {
    /// Elements `start..start + out.len()` into `out`. Inlined into the
    /// caller's `dispatch` closure, so its loops are compiled for the CPU's
    /// instruction set (called outside one, they run at the baseline's).
    #[inline(always)]
    pub(crate) fn fill(&mut self, start: usize, out: &mut [f32]) {
        for (b, o) in out.chunks_mut(BLOCK).enumerate() {
            self.prog.eval_block(&self.leaves, start + b * BLOCK, o, self.scratch);
        }
    }
}

impl Program {
    /// One block: every step in order, the last one into `out`.
    #[inline(always)]
    fn eval_block(&self, leaves: &[&[f32]], at: usize, out: &mut [f32], scratch: &mut [f32]) {
        let n = out.len();
        let Some(last) = self.steps.len().checked_sub(1) else {
            // A bare leaf or scalar: copy it.
            match read(self.result, leaves, &[], at, n) {
                Src::Slice(s) => out.copy_from_slice(s),
                Src::Scalar(v) => out.fill(v),
            }
            return;
        };
        for (i, step) in self.steps.iter().enumerate() {
            let (done, rest) = scratch.split_at_mut(i * BLOCK);
            let dst = if i == last { &mut out[..] } else { &mut rest[..n] };
            let done: &[f32] = done;
            match *step {
                Step::Unary(op, x) => unary_block(op, read(x, leaves, done, at, n), dst),
                Step::Binary(op, a, b) => {
                    binary_block(op, read(a, leaves, done, at, n), read(b, leaves, done, at, n), dst)
                }
                Step::SinCos { x, sin, cos } => {
                    // Rows `sin` and `cos` are this one (`i`) and a later one: both in `rest`.
                    let (lo, hi) = rest.split_at_mut((sin.max(cos) - i) * BLOCK);
                    let first = &mut lo[(sin.min(cos) - i) * BLOCK..][..n];
                    let (s, c) = if sin < cos { (first, &mut hi[..n]) } else { (&mut hi[..n], first) };
                    match read(x, leaves, done, at, n) {
                        Src::Slice(xs) => vmath::map_sin_cos_f32(xs, s, c),
                        scalar => {
                            unary_block(UnaryKind::Sin, scalar, s);
                            unary_block(UnaryKind::Cos, scalar, c);
                        }
                    }
                }
                Step::Done => {}
            }
        }
    }
}

/// An operand's values for one block.
#[derive(Clone, Copy)]
enum Src<'a> {
    Slice(&'a [f32]),
    Scalar(f32),
}

#[inline(always)]
fn read<'a>(arg: Arg, leaves: &[&'a [f32]], done: &'a [f32], at: usize, n: usize) -> Src<'a> {
    match arg {
        Arg::Leaf(i) => Src::Slice(&leaves[i][at..at + n]),
        Arg::Step(j) => Src::Slice(&done[j * BLOCK..j * BLOCK + n]),
        Arg::Scalar(v) => Src::Scalar(v),
    }
}

#[inline(always)]
fn unary_block(op: UnaryKind, x: Src<'_>, dst: &mut [f32]) {
    // A scalar operand only arises for a bare scalar, never from `fusion::unary`; computed once anyway.
    let one;
    let xs = match x {
        Src::Slice(s) => s,
        Src::Scalar(v) => {
            one = [v];
            &one[..]
        }
    };
    let n = dst.len();
    let d = if xs.len() == 1 { &mut dst[..1] } else { &mut dst[..] };
    if let Some(f) = vmath_fun(op) {
        vmath::map_f32(f, xs, d);
    } else {
        macro_rules! each {
            ($g:expr) => {{
                let g = $g;
                d.iter_mut().zip(xs).for_each(|(o, &p)| *o = g(p));
            }};
        }
        // Only ops `fusion::unary_weight` accepts reach a program.
        let _ = arith_unary!(op, f32, each);
    }
    if xs.len() == 1 && n > 1 {
        let v = dst[0];
        dst.fill(v);
    }
}

#[inline(always)]
fn binary_block(op: BinaryKind, a: Src<'_>, b: Src<'_>, dst: &mut [f32]) {
    macro_rules! each {
        ($g:expr) => {{
            let g = $g;
            match (a, b) {
                (Src::Slice(a), Src::Slice(b)) => {
                    dst.iter_mut().zip(a).zip(b).for_each(|((o, &p), &q)| *o = g(p, q))
                }
                (Src::Slice(a), Src::Scalar(q)) => dst.iter_mut().zip(a).for_each(|(o, &p)| *o = g(p, q)),
                (Src::Scalar(p), Src::Slice(b)) => dst.iter_mut().zip(b).for_each(|(o, &q)| *o = g(p, q)),
                (Src::Scalar(p), Src::Scalar(q)) => dst.fill(g(p, q)),
            }
        }};
    }
    // Only ops `fusion::binary_weight` accepts reach a program.
    let _ = arith_binary!(op, f32, each);
}

thread_local! {
    static STEP_SCRATCH: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
    /// One block of a program's value, for [`Program::zip_into`].
    static VALUE_SCRATCH: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` on the scratch buffer in `key` (this thread's), grown to at least
/// `len` floats; a fresh one if `key`'s is in use further up this thread's stack.
pub(crate) fn with_scratch<R>(
    key: &'static LocalKey<RefCell<Vec<f32>>>,
    len: usize,
    f: impl FnOnce(&mut [f32]) -> R,
) -> R {
    key.with(|cell| match cell.try_borrow_mut() {
        Ok(mut v) => {
            if v.len() < len {
                v.resize(len, 0.0);
            }
            f(&mut v[..len])
        }
        Err(_) => f(&mut vec![0.0; len]),
    })
}

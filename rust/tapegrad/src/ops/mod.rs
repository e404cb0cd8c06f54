//! Differentiable operations: run a kernel, then record the op on every active
//! tape that has seen one of its inputs.
//!
//! [`Op`] is data only (parameters, no tensors, no closures): the arena node
//! holds it together with the saved tensors, and `autodiff::rules` holds the one
//! table of gradient rules. Rules are written with these same public functions,
//! so when an outer tape is recording, a backward pass is itself recorded and
//! can be differentiated again (TF's model of higher-order gradients).
//!
//! Anything without a rule of its own (softplus-free compositions such as
//! `tensordot`, `norm`, `reduce_logsumexp`, the cross-entropies) is written as a
//! composition of primitives here, tinygrad-style, and needs no rule.

use std::sync::Arc;

use crate::DType;
use crate::kernels::index::NormalizedSlice;
use crate::kernels::{BinaryKind, ReduceKind, UnaryKind};
use crate::shape::Shape;

mod composite;
mod conv;
mod decompositions;
mod elementwise;
mod linalg;
mod matrix_exp;
mod matrix_structure;
mod nn;
mod piecewise;
mod recurrent;
mod reduce;
mod shape_ops;

pub use composite::*;
pub use conv::*;
pub use decompositions::*;
pub use elementwise::*;
pub use linalg::*;
pub use matrix_exp::*;
pub use matrix_structure::*;
pub use nn::*;
pub use piecewise::*;
pub use recurrent::*;
pub use reduce::*;
pub use shape_ops::*;

/// A recorded primitive and its parameters: the key of the gradient-rule table.
#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    /// `y = x` (variable reads, `identity`).
    Identity,
    /// An elementwise function of one input.
    Unary(UnaryKind),
    /// An elementwise function of two broadcast inputs.
    Binary(BinaryKind),
    /// A reduction over `axes` (normalised, sorted).
    Reduce {
        /// Which reduction.
        kind: ReduceKind,
        /// Reduced axes.
        axes: Shape,
        /// Whether reduced axes are kept as 1.
        keepdims: bool,
    },
    /// Batched matrix product.
    MatMul {
        /// Transpose the last two dims of the first input.
        transpose_a: bool,
        /// Transpose the last two dims of the second input.
        transpose_b: bool,
    },
    /// Same elements, new shape.
    Reshape,
    /// Dimension permutation.
    Transpose {
        /// Output dim `i` is input dim `perm[i]`.
        perm: Shape,
    },
    /// Broadcast to the output's shape.
    BroadcastTo,
    /// Sum over broadcast dims down to the output's shape.
    SumTo,
    /// Join along `axis`.
    Concat {
        /// The joined axis.
        axis: usize,
    },
    /// `start..start+len` along `axis`.
    SliceAxis {
        /// The sliced axis.
        axis: usize,
        /// First position.
        start: usize,
    },
    /// Constant padding.
    Pad {
        /// `(before, after)` per dim.
        paddings: Vec<(usize, usize)>,
    },
    /// Basic indexing (`x[1:, ::2]`).
    StridedSlice(Arc<NormalizedSlice>),
    /// The adjoint of basic indexing.
    StridedSliceGrad(Arc<NormalizedSlice>),
    /// `gather(params, indices, axis)`.
    Gather {
        /// The gathered axis.
        axis: usize,
    },
    /// The adjoint of gather (scatter-add into zeros).
    GatherGrad {
        /// The gathered axis.
        axis: usize,
        /// Shape of the gathered params.
        params_shape: Shape,
    },
    /// `where(cond, a, b)`.
    Where,
    /// Dtype conversion from `from`.
    Cast {
        /// The input's dtype.
        from: DType,
    },
    /// Softmax along `axis`.
    Softmax {
        /// The normalised axis.
        axis: usize,
    },
    /// Log-softmax along `axis`.
    LogSoftmax {
        /// The normalised axis.
        axis: usize,
    },
    /// Cumulative sum or product.
    Cumulative {
        /// Product instead of sum.
        prod: bool,
        /// The scanned axis.
        axis: usize,
        /// Exclude the current element.
        exclusive: bool,
        /// Scan from the end.
        reverse: bool,
    },
    /// Repetition along each dim.
    Tile {
        /// Repeats per dim.
        multiples: Shape,
    },
    /// A function with a user-defined gradient (TF's `custom_gradient`): the
    /// one op whose rule is not in the table. See `autodiff::custom`.
    Custom(Arc<crate::autodiff::CustomOp>),
    /// A dense linear-algebra primitive (solve, inverse, determinants, ...).
    Linalg(LinalgOp),
    /// A piecewise-constant function of its input (a mask or step made by a
    /// kernel): its gradient is zeros, connected (see `ops::piecewise`).
    PiecewiseConstant,
    /// A convolution or pooling primitive (or one of their gradients).
    Conv(ConvOp),
    /// A fused recurrent sequence (SimpleRNN / LSTM / GRU) or its gradient.
    Recurrent(RecurrentOp),
}

impl Op {
    /// Whether the gradient rule reads input `i`'s values (not just its shape).
    /// Inputs it does not read are saved as shape-only ghosts, so a tape does not
    /// keep, say, both 40 MB operands of an `add` alive (dfdx's save-policy flags).
    pub fn needs_input(&self, i: usize) -> bool {
        use BinaryKind as B;
        use ReduceKind as R;
        use UnaryKind as U;
        match self {
            Op::Unary(u) => matches!(
                u,
                U::Abs
                    | U::Square
                    | U::Log
                    | U::Log1p
                    | U::Sin
                    | U::Cos
                    | U::Tan
                    | U::Asin
                    | U::Acos
                    | U::Atan
                    | U::Sinh
                    | U::Cosh
                    | U::Asinh
                    | U::Atanh
                    | U::Relu
                    | U::Softplus
                    | U::Erf
            ),
            Op::Binary(b) => !matches!(b, B::Add | B::Sub),
            Op::Reduce { kind, .. } => matches!(kind, R::Max | R::Min | R::Prod),
            Op::MatMul { .. } => true,
            Op::Gather { .. } | Op::GatherGrad { .. } => i == 1,
            Op::Where => i == 0,
            Op::Cumulative { prod, .. } => *prod,
            Op::Linalg(l) => l.needs_input(i),
            Op::Conv(c) => c.needs_input(i),
            Op::Recurrent(r) => r.needs_input(i),
            Op::Identity
            | Op::Reshape
            | Op::Transpose { .. }
            | Op::BroadcastTo
            | Op::SumTo
            | Op::Concat { .. }
            | Op::SliceAxis { .. }
            | Op::Pad { .. }
            | Op::StridedSlice(_)
            | Op::StridedSliceGrad(_)
            | Op::Cast { .. }
            | Op::Softmax { .. }
            | Op::LogSoftmax { .. }
            | Op::Tile { .. }
            | Op::PiecewiseConstant
            // Shapes only (for zeros and unconnected inputs): values the callback
            // needs, it captured itself.
            | Op::Custom(_) => false,
        }
    }

    /// Whether the gradient rule reads the output's values.
    pub fn needs_output(&self) -> bool {
        use BinaryKind as B;
        use ReduceKind as R;
        use UnaryKind as U;
        match self {
            Op::Unary(u) => matches!(
                u,
                U::Sqrt | U::Rsqrt | U::Reciprocal | U::Exp | U::Expm1 | U::Tanh | U::Sigmoid | U::Acosh
            ),
            Op::Binary(b) => matches!(b, B::Pow),
            Op::Reduce { kind, .. } => matches!(kind, R::Max | R::Min),
            Op::Softmax { .. } | Op::LogSoftmax { .. } => true,
            Op::Cumulative { prod, .. } => *prod,
            Op::Linalg(l) => l.needs_output(),
            Op::Recurrent(r) => r.needs_output(),
            _ => false,
        }
    }

    /// The TF-style name of the op, used in error messages.
    pub fn name(&self) -> &'static str {
        match self {
            Op::Identity => "Identity",
            Op::Unary(_) => "Unary",
            Op::Binary(_) => "Binary",
            Op::Reduce { .. } => "Reduce",
            Op::MatMul { .. } => "MatMul",
            Op::Reshape => "Reshape",
            Op::Transpose { .. } => "Transpose",
            Op::BroadcastTo => "BroadcastTo",
            Op::SumTo => "SumTo",
            Op::Concat { .. } => "ConcatV2",
            Op::SliceAxis { .. } => "Slice",
            Op::Pad { .. } => "Pad",
            Op::StridedSlice(_) => "StridedSlice",
            Op::StridedSliceGrad(_) => "StridedSliceGrad",
            Op::Gather { .. } => "GatherV2",
            Op::GatherGrad { .. } => "GatherGrad",
            Op::Where => "SelectV2",
            Op::Cast { .. } => "Cast",
            Op::Softmax { .. } => "Softmax",
            Op::LogSoftmax { .. } => "LogSoftmax",
            Op::Cumulative { .. } => "Cumulative",
            Op::Tile { .. } => "Tile",
            Op::Custom(_) => "CustomGradient",
            Op::Linalg(l) => l.name(),
            Op::PiecewiseConstant => "PiecewiseConstant",
            Op::Conv(c) => c.name(),
            Op::Recurrent(r) => r.name(),
        }
    }
}

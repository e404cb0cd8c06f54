//! Pure compute: forward kernels on [`Tensor`]s, with no autodiff and no tapes.
//!
//! Every function here validates its inputs and returns a typed [`Error`](crate::Error)
//! instead of panicking. The ops layer (`crate::ops`) calls these and records
//! the results on tapes; the gradient rules call the ops layer back.
//!
//! Conventions: inputs are contiguous row-major (every [`Tensor`] is); axes
//! arrive already normalised into `[0, rank)`; binary kernels broadcast with
//! numpy rules and require equal dtypes (the ops layer never promotes).

use crate::{DType, Result, Tensor};

/// Elementwise functions of one tensor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnaryKind {
    /// `-x` (floats and ints).
    Neg,
    /// `|x|` (floats and ints).
    Abs,
    /// `-1, 0, 1` by sign; 0 for 0 (floats and ints; NaN stays NaN).
    Sign,
    /// `x * x` (floats and ints).
    Square,
    /// `sqrt(x)`.
    Sqrt,
    /// `1 / sqrt(x)`.
    Rsqrt,
    /// `1 / x`.
    Reciprocal,
    /// `e^x`.
    Exp,
    /// `e^x - 1`, accurate near 0.
    Expm1,
    /// natural log.
    Log,
    /// `log(1 + x)`, accurate near 0.
    Log1p,
    /// sine.
    Sin,
    /// cosine.
    Cos,
    /// tangent.
    Tan,
    /// arcsine.
    Asin,
    /// arccosine.
    Acos,
    /// arctangent.
    Atan,
    /// hyperbolic sine.
    Sinh,
    /// hyperbolic cosine.
    Cosh,
    /// hyperbolic tangent.
    Tanh,
    /// inverse hyperbolic sine.
    Asinh,
    /// inverse hyperbolic cosine.
    Acosh,
    /// inverse hyperbolic tangent.
    Atanh,
    /// `1 / (1 + e^-x)`, computed stably for large |x|.
    Sigmoid,
    /// `max(x, 0)` (floats and ints).
    Relu,
    /// `log(1 + e^x)`, computed stably (`max(x,0) + log1p(e^-|x|)`).
    Softplus,
    /// error function.
    Erf,
    /// round toward -inf (floats; identity on ints).
    Floor,
    /// round toward +inf (floats; identity on ints).
    Ceil,
    /// round half to even, as TF's `round` (floats; identity on ints).
    Round,
    /// NaN test → bool.
    IsNan,
    /// ±inf test → bool.
    IsInf,
    /// finite test → bool.
    IsFinite,
    /// boolean not (bool only).
    LogicalNot,
}

/// Elementwise functions of two broadcast tensors of one dtype.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinaryKind {
    /// `a + b`.
    Add,
    /// `a - b`.
    Sub,
    /// `a * b`.
    Mul,
    /// `a / b` (true division for floats; C-style truncation for ints as TF's `truncatediv`).
    Div,
    /// `a ^ b` (floats: `powf`; ints: repeated multiply, negative exponent an error).
    Pow,
    /// `max(a, b)`, NaN-propagating.
    Maximum,
    /// `min(a, b)`, NaN-propagating.
    Minimum,
    /// `floor(a / b)` (Python `//`).
    FloorDiv,
    /// Python-style modulo: result has the sign of `b` (TF's `floormod`).
    FloorMod,
    /// `atan2(a, b)`.
    Atan2,
    /// `b · (1 − a²)` (floats only): TF's `TanhGrad(y, dy)`, tanh's gradient from
    /// its output. One recorded op instead of three where a backward pass is
    /// itself recorded (higher-order gradients).
    TanhGrad,
    /// `a == b` → bool.
    Equal,
    /// `a != b` → bool.
    NotEqual,
    /// `a < b` → bool.
    Less,
    /// `a <= b` → bool.
    LessEqual,
    /// `a > b` → bool.
    Greater,
    /// `a >= b` → bool.
    GreaterEqual,
    /// `a && b` (bool only).
    LogicalAnd,
    /// `a || b` (bool only).
    LogicalOr,
    /// `a ^ b` (bool only).
    LogicalXor,
}

/// Reductions over a set of axes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReduceKind {
    /// sum (0 for empty).
    Sum,
    /// arithmetic mean (NaN for empty floats).
    Mean,
    /// maximum, NaN-propagating (−inf for empty floats, as TF).
    Max,
    /// minimum, NaN-propagating (+inf for empty floats).
    Min,
    /// product (1 for empty).
    Prod,
    /// logical or (bool only).
    Any,
    /// logical and (bool only).
    All,
}

impl UnaryKind {
    /// The op's name in error messages (TF's snake_case name).
    pub fn name(self) -> &'static str {
        use UnaryKind::*;
        match self {
            Neg => "neg",
            Abs => "abs",
            Sign => "sign",
            Square => "square",
            Sqrt => "sqrt",
            Rsqrt => "rsqrt",
            Reciprocal => "reciprocal",
            Exp => "exp",
            Expm1 => "expm1",
            Log => "log",
            Log1p => "log1p",
            Sin => "sin",
            Cos => "cos",
            Tan => "tan",
            Asin => "asin",
            Acos => "acos",
            Atan => "atan",
            Sinh => "sinh",
            Cosh => "cosh",
            Tanh => "tanh",
            Asinh => "asinh",
            Acosh => "acosh",
            Atanh => "atanh",
            Sigmoid => "sigmoid",
            Relu => "relu",
            Softplus => "softplus",
            Erf => "erf",
            Floor => "floor",
            Ceil => "ceil",
            Round => "round",
            IsNan => "is_nan",
            IsInf => "is_inf",
            IsFinite => "is_finite",
            LogicalNot => "logical_not",
        }
    }
}

impl BinaryKind {
    /// The op's name in error messages (TF's snake_case name).
    pub fn name(self) -> &'static str {
        use BinaryKind::*;
        match self {
            Add => "add",
            Sub => "sub",
            Mul => "mul",
            Div => "div",
            Pow => "pow",
            Maximum => "maximum",
            Minimum => "minimum",
            FloorDiv => "floordiv",
            FloorMod => "floormod",
            Atan2 => "atan2",
            TanhGrad => "tanh_grad",
            Equal => "equal",
            NotEqual => "not_equal",
            Less => "less",
            LessEqual => "less_equal",
            Greater => "greater",
            GreaterEqual => "greater_equal",
            LogicalAnd => "logical_and",
            LogicalOr => "logical_or",
            LogicalXor => "logical_xor",
        }
    }
}

impl ReduceKind {
    /// The op's name in error messages (TF's `reduce_*` name).
    pub fn name(self) -> &'static str {
        match self {
            ReduceKind::Sum => "reduce_sum",
            ReduceKind::Mean => "reduce_mean",
            ReduceKind::Max => "reduce_max",
            ReduceKind::Min => "reduce_min",
            ReduceKind::Prod => "reduce_prod",
            ReduceKind::Any => "reduce_any",
            ReduceKind::All => "reduce_all",
        }
    }
}

/// Applies `op` elementwise. Float-only functions reject ints with `UnsupportedDType`.
pub fn unary(op: UnaryKind, x: &Tensor) -> Result<Tensor> {
    elementwise::unary(op, x)
}

/// Applies `op` elementwise with numpy broadcasting. Both inputs must share a dtype
/// (`DTypeMismatch` otherwise); comparisons and logical ops return bool tensors.
pub fn binary(op: BinaryKind, a: &Tensor, b: &Tensor) -> Result<Tensor> {
    elementwise::binary(op, a, b)
}

/// Reduces `x` over `axes` (normalised, sorted, deduplicated; may be empty = copy).
/// Sum/Mean/Max/Min/Prod keep the input dtype (Mean of ints truncates, as TF).
pub fn reduce(op: ReduceKind, x: &Tensor, axes: &[usize], keepdims: bool) -> Result<Tensor> {
    reduce::reduce(op, x, axes, keepdims)
}

/// Index of the max (`max = true`) or min along `axis`, first index on ties, as `out_dtype`
/// (I32 or I64). The axis is removed from the shape.
pub fn arg_reduce(max: bool, x: &Tensor, axis: usize, out_dtype: DType) -> Result<Tensor> {
    scan::arg_reduce(max, x, axis, out_dtype)
}

/// Cumulative sum (`prod = false`) or product along `axis`, with TF's `exclusive`
/// and `reverse` flags. Same shape and dtype as `x`.
pub fn cumulative(prod: bool, x: &Tensor, axis: usize, exclusive: bool, reverse: bool) -> Result<Tensor> {
    scan::cumulative(prod, x, axis, exclusive, reverse)
}

/// Batched matrix product of float tensors of rank ≥ 2, optionally transposing the
/// last two dims of either operand (folded into strides, never copied). Batch dims
/// broadcast with numpy rules. `[.., m, k] @ [.., k, n] -> [.., m, n]`.
pub fn matmul(a: &Tensor, b: &Tensor, transpose_a: bool, transpose_b: bool) -> Result<Tensor> {
    matmul::matmul(a, b, transpose_a, transpose_b)
}

/// Permutes dimensions: output dim `i` is input dim `perm[i]`.
pub fn transpose(x: &Tensor, perm: &[usize]) -> Result<Tensor> {
    layout::transpose(x, perm)
}

/// Broadcasts `x` to `shape` (numpy rules), materialising the result.
pub fn broadcast_to(x: &Tensor, shape: &[usize]) -> Result<Tensor> {
    layout::broadcast_to(x, shape)
}

/// The adjoint of [`broadcast_to`]: sums `x` over the dims that broadcasting to
/// `x.shape()` from `shape` expanded, returning a tensor of exactly `shape`.
pub fn sum_to(x: &Tensor, shape: &[usize]) -> Result<Tensor> {
    layout::sum_to(x, shape)
}

/// Joins tensors of one dtype along an existing `axis`; all other dims must match.
pub fn concat(xs: &[Tensor], axis: usize) -> Result<Tensor> {
    layout::concat(xs, axis)
}

/// The sub-tensor `start..start+len` along `axis` (used by concat's and split's gradients).
pub fn slice_axis(x: &Tensor, axis: usize, start: usize, len: usize) -> Result<Tensor> {
    layout::slice_axis(x, axis, start, len)
}

/// Pads each dim with `(before, after)` copies of `value`.
pub fn pad(x: &Tensor, paddings: &[(usize, usize)], value: f64) -> Result<Tensor> {
    layout::pad(x, paddings, value)
}

/// Repeats `x` `multiples[i]` times along each dim `i` (TF's `tile`).
pub fn tile(x: &Tensor, multiples: &[usize]) -> Result<Tensor> {
    layout::tile(x, multiples)
}

/// `cond ? a : b` elementwise; `cond` is bool; all three broadcast together.
pub fn where_(cond: &Tensor, a: &Tensor, b: &Tensor) -> Result<Tensor> {
    elementwise::where_(cond, a, b)
}

/// Converts to `dtype` (float→int truncates toward zero; to bool is `!= 0`).
pub fn cast(x: &Tensor, dtype: DType) -> Result<Tensor> {
    elementwise::cast(x, dtype)
}

/// TF's `gather(params, indices, axis)` with `batch_dims = 0`: output shape is
/// `params.shape[:axis] + indices.shape + params.shape[axis+1:]`. Indices are I32
/// or I64; negative or out-of-range indices are an `IndexOutOfRange` error.
pub fn gather(params: &Tensor, indices: &Tensor, axis: usize) -> Result<Tensor> {
    gather::gather(params, indices, axis)
}

/// The adjoint of [`gather`]: a zero tensor of `params_shape` into which each slice
/// of `grad` is added at its index (repeated indices accumulate).
pub fn gather_grad(grad: &Tensor, indices: &Tensor, axis: usize, params_shape: &[usize]) -> Result<Tensor> {
    gather::gather_grad(grad, indices, axis, params_shape)
}

/// `one_hot(indices, depth)` along a new last axis, `on`/`off` values of `dtype`;
/// out-of-range indices give an all-`off` row (as TF).
pub fn one_hot(indices: &Tensor, depth: usize, on: f64, off: f64, dtype: DType) -> Result<Tensor> {
    gather::one_hot(indices, depth, on, off, dtype)
}

/// Numerically stable softmax along `axis` (float only).
pub fn softmax(x: &Tensor, axis: usize) -> Result<Tensor> {
    softmax::softmax_impl(x, axis, false)
}

/// Numerically stable log-softmax along `axis` (float only).
pub fn log_softmax(x: &Tensor, axis: usize) -> Result<Tensor> {
    softmax::softmax_impl(x, axis, true)
}

/// A tensor of `shape` filled with `value` converted to `dtype`.
pub fn fill(shape: &[usize], value: f64, dtype: DType) -> Tensor {
    creation::fill(shape, value, dtype)
}

/// `start, start+delta, …` below `limit` (above it for negative `delta`), as TF's `range`.
pub fn range(start: f64, limit: f64, delta: f64, dtype: DType) -> Result<Tensor> {
    creation::range(start, limit, delta, dtype)
}

/// Frees the buffers kept for reuse by kernel outputs (see the `alloc` module:
/// at most a few recently freed large buffers are cached).
pub fn release_buffer_cache() {
    alloc::release_cache()
}

/// `scale · g · f(x)` in one SIMD pass (see `elementwise::unary_times`).
pub(crate) use elementwise::{add_times_unary, binary_in_place, times_unary_in_place, unary_times};

pub mod index;
pub mod random;

pub(crate) mod alloc;
mod broadcast;
pub mod conv;
mod creation;
pub(crate) mod decomp;
mod elementwise;
pub mod fusion;
mod gather;
mod layout;
pub(crate) mod lu;
mod math;
mod matmul;
pub(crate) mod parallel;
pub mod pool;
pub(crate) mod recurrent;
mod reduce;
mod scalar;
mod scan;
mod simd;
mod softmax;
mod strided;
mod transpose;
mod vmath;

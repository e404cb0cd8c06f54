"""Type stubs for ``tapegrad._core``, the Rust extension module.

Function stubs follow the Rust signatures in ``rust/tapegrad-py/src/functions.rs``;
``mypy.stubtest tapegrad._core`` checks them against the built module.
"""

import builtins
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Union, final

import numpy as np
import numpy.typing as npt
from typing_extensions import disjoint_base

from ._shape import TensorShape

__all__ = [
    "BufferOwner",
    "DType",
    "InvalidArgumentError",
    "Tape",
    "Tensor",
    "Variable",
    "abs",
    "acos",
    "acosh",
    "add",
    "add_n",
    "argmax",
    "argmin",
    "as_dtype",
    "asin",
    "asinh",
    "atan",
    "atan2",
    "atanh",
    "bool",
    "broadcast_to",
    "call_watching_variables",
    "cast",
    "ceil",
    "cholesky",
    "clip_by_value",
    "concat",
    "constant",
    "convert_to_tensor",
    "cos",
    "cosh",
    "cumprod",
    "cumsum",
    "divide",
    "divide_no_nan",
    "elu",
    "equal",
    "erf",
    "exp",
    "expand_dims",
    "expm1",
    "eye",
    "fill",
    "float32",
    "float64",
    "floor",
    "floordiv",
    "floormod",
    "gather",
    "gelu",
    "get_fusion",
    "get_num_threads",
    "greater",
    "greater_equal",
    "identity",
    "int32",
    "int64",
    "is_finite",
    "is_inf",
    "is_nan",
    "is_tensor",
    "l2_loss",
    "leaky_relu",
    "less",
    "less_equal",
    "linspace",
    "log",
    "log1p",
    "log_matrix_determinant",
    "log_sigmoid",
    "log_softmax",
    "logdet",
    "logical_and",
    "logical_not",
    "logical_or",
    "logical_xor",
    "matmul",
    "matrix_determinant",
    "matrix_inverse",
    "matrix_solve",
    "matrix_triangular_solve",
    "maximum",
    "minimum",
    "multiply",
    "negative",
    "norm",
    "not_equal",
    "one_hot",
    "ones",
    "ones_like",
    "pad",
    "pow",
    "random_normal",
    "random_uniform",
    "range",
    "rank",
    "reciprocal",
    "record_custom_gradient",
    "recurrent_sequence",
    "reduce_all",
    "reduce_any",
    "reduce_logsumexp",
    "reduce_max",
    "reduce_mean",
    "reduce_min",
    "reduce_prod",
    "reduce_std",
    "reduce_sum",
    "reduce_variance",
    "relu",
    "relu6",
    "reshape",
    "round",
    "rsqrt",
    "selu",
    "set_fusion",
    "set_num_threads",
    "set_seed",
    "shape",
    "sigmoid",
    "sign",
    "silu",
    "sin",
    "sinh",
    "size",
    "softmax",
    "softmax_cross_entropy_with_logits",
    "softplus",
    "sparse_softmax_cross_entropy_with_logits",
    "split",
    "sqrt",
    "square",
    "squared_difference",
    "squeeze",
    "stack",
    "stop_gradient",
    "subtract",
    "tan",
    "tanh",
    "tensordot",
    "tile",
    "transpose",
    "truncated_normal",
    "unstack",
    "where",
    "zeros",
    "zeros_like",
    # tf.linalg: decompositions, expm, structural matrix ops
    "lu",
    "matrix_band_part",
    "matrix_diag",
    "matrix_diag_part",
    "matrix_exponential",
    "matrix_set_diag",
    "qr",
    "self_adjoint_eig",
    "self_adjoint_eigvals",
    "svd",
    "trace",
    # robustness
    "InternalError",
    "ResourceExhaustedError",
    "_panic_exception_type",
    "_test_panic",
]

_TensorArg = Union["Tensor", "Variable", float, int, builtins.bool, Sequence[Any], npt.ArrayLike]
_DTypeArg = Union["DType", str, type, np.dtype[Any]]
_AxisArg = Union[int, Sequence[int], "Tensor", None]
_ShapeArg = Union[int, Sequence[int], TensorShape, "Tensor"]

class InvalidArgumentError(ValueError):
    """An op got an argument it cannot use: a shape, dtype, axis or value."""

@final
class DType:
    """A tensor element type (``tapegrad.float32``, …)."""

    @property
    def name(self) -> str: ...
    @property
    def is_floating(self) -> builtins.bool: ...
    @property
    def is_integer(self) -> builtins.bool: ...
    @property
    def is_bool(self) -> builtins.bool: ...
    @property
    def as_numpy_dtype(self) -> type: ...
    @property
    def size(self) -> int: ...
    @property
    def base_dtype(self) -> DType: ...
    def __eq__(self, other: object, /) -> builtins.bool: ...
    def __ne__(self, other: object, /) -> builtins.bool: ...
    def __hash__(self) -> int: ...

float32: DType
float64: DType
int32: DType
int64: DType
bool: DType

class __TensorArg:
    """Operators and accessors shared by ``Tensor`` and ``Variable``."""

    __array_priority__: int
    def numpy(self) -> np.ndarray[Any, Any]: ...
    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray[Any, Any]: ...
    @property
    def shape(self) -> TensorShape: ...
    def get_shape(self) -> TensorShape: ...
    @property
    def dtype(self) -> DType: ...
    @property
    def ndim(self) -> int: ...
    @property
    def device(self) -> str: ...
    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[Tensor]: ...
    def __getitem__(self, key: Any, /) -> Tensor: ...
    def __bool__(self) -> builtins.bool: ...
    def __float__(self) -> float: ...
    def __int__(self) -> int: ...
    def __index__(self) -> int: ...
    def __format__(self, spec: str, /) -> str: ...
    def __add__(self, o: _TensorArg, /) -> Tensor: ...
    def __radd__(self, o: _TensorArg, /) -> Tensor: ...
    def __sub__(self, o: _TensorArg, /) -> Tensor: ...
    def __rsub__(self, o: _TensorArg, /) -> Tensor: ...
    def __mul__(self, o: _TensorArg, /) -> Tensor: ...
    def __rmul__(self, o: _TensorArg, /) -> Tensor: ...
    def __truediv__(self, o: _TensorArg, /) -> Tensor: ...
    def __rtruediv__(self, o: _TensorArg, /) -> Tensor: ...
    def __floordiv__(self, o: _TensorArg, /) -> Tensor: ...
    def __rfloordiv__(self, o: _TensorArg, /) -> Tensor: ...
    def __mod__(self, o: _TensorArg, /) -> Tensor: ...
    def __rmod__(self, o: _TensorArg, /) -> Tensor: ...
    def __pow__(self, o: _TensorArg, modulo: Any = None, /) -> Tensor: ...
    def __rpow__(self, o: _TensorArg, modulo: Any = None, /) -> Tensor: ...
    def __matmul__(self, o: _TensorArg, /) -> Tensor: ...
    def __rmatmul__(self, o: _TensorArg, /) -> Tensor: ...
    def __and__(self, o: _TensorArg, /) -> Tensor: ...
    def __rand__(self, o: _TensorArg, /) -> Tensor: ...
    def __or__(self, o: _TensorArg, /) -> Tensor: ...
    def __ror__(self, o: _TensorArg, /) -> Tensor: ...
    def __xor__(self, o: _TensorArg, /) -> Tensor: ...
    def __rxor__(self, o: _TensorArg, /) -> Tensor: ...
    def __invert__(self) -> Tensor: ...
    def __neg__(self) -> Tensor: ...
    def __pos__(self) -> Tensor: ...
    def __abs__(self) -> Tensor: ...
    def __lt__(self, o: _TensorArg, /) -> Tensor: ...
    def __le__(self, o: _TensorArg, /) -> Tensor: ...
    def __gt__(self, o: _TensorArg, /) -> Tensor: ...
    def __ge__(self, o: _TensorArg, /) -> Tensor: ...
    def __eq__(self, o: object, /) -> Any: ...  # type: ignore[override]
    def __ne__(self, o: object, /) -> Any: ...  # type: ignore[override]
    def __hash__(self) -> int: ...

@final
class Tensor(__TensorArg):
    """An immutable n-dimensional array (TF's ``EagerTensor``)."""

    @property
    def _id(self) -> int: ...

@disjoint_base
class Variable(__TensorArg):
    """A named, mutable handle to a tensor value, watched by tapes when read."""

    def __new__(
        cls,
        initial_value: Any = None,
        trainable: builtins.bool | None = True,
        name: str | None = None,
        dtype: _DTypeArg | None = None,
        shape: Any = None,
        **_kwargs: Any,
    ) -> Variable: ...
    @property
    def name(self) -> str: ...
    @property
    def trainable(self) -> builtins.bool: ...
    @property
    def _id(self) -> int: ...
    def read_value(self) -> Tensor: ...
    def value(self) -> Tensor: ...
    def assign(
        self,
        value: _TensorArg,
        use_locking: builtins.bool = False,
        name: str | None = None,
        read_value: builtins.bool = True,
    ) -> Variable: ...
    def assign_add(
        self,
        delta: _TensorArg,
        use_locking: builtins.bool = False,
        name: str | None = None,
        read_value: builtins.bool = True,
    ) -> Variable: ...
    def assign_sub(
        self,
        delta: _TensorArg,
        use_locking: builtins.bool = False,
        name: str | None = None,
        read_value: builtins.bool = True,
    ) -> Variable: ...

@final
class Tape:
    """The Rust tape behind ``tapegrad.GradientTape``."""

    def __new__(
        cls, persistent: builtins.bool = False, watch_accessed_variables: builtins.bool = True
    ) -> Tape: ...
    def push(self) -> None: ...
    def pop(self) -> None: ...
    @property
    def is_active(self) -> builtins.bool: ...
    def watch(self, x: Tensor | Variable) -> builtins.bool: ...
    def gradient(
        self,
        targets: list[Any],
        sources: list[Any],
        output_gradients: list[Any] | None = None,
        unconnected_zero: builtins.bool = False,
    ) -> list[Tensor | None]: ...
    def gradients(
        self,
        targets: list[Any],
        sources: list[Any],
        output_gradients: list[list[Any]],
        unconnected_zero: builtins.bool = False,
    ) -> list[list[Tensor | None]]: ...
    def watched_variables(self) -> list[Variable]: ...
    def pause(self) -> None: ...
    def resume(self) -> None: ...
    def reset(self) -> None: ...
    # sparse gradients: (values, indices, dense_shape) for sources used only through gathers
    def gradient_slices(
        self,
        targets: list[Any],
        sources: list[Any],
        output_gradients: list[Any] | None = None,
        unconnected_zero: builtins.bool = False,
    ) -> list[Tensor | tuple[Tensor, Tensor, list[builtins.int]] | None]: ...

@final
class BufferOwner:
    """Keeps a tensor's buffer alive under a numpy view."""

def abs(x: _TensorArg, name: str | None = None) -> Tensor:
    """`|x|`."""

def acos(x: _TensorArg, name: str | None = None) -> Tensor:
    """arccosine."""

def acosh(x: _TensorArg, name: str | None = None) -> Tensor:
    """inverse hyperbolic cosine."""

def add(x: _TensorArg, y: _TensorArg, name: str | None = None) -> Tensor:
    """`x + y`."""

def add_n(inputs: _TensorArg, name: str | None = None) -> Tensor:
    """Sums a list of same-shaped tensors."""

def argmax(
    input: _TensorArg, axis: _AxisArg = None, output_type: _DTypeArg | None = None, name: str | None = None
) -> Tensor:
    """Index of the max along `axis` (0 by default), int64."""

def argmin(
    input: _TensorArg, axis: _AxisArg = None, output_type: _DTypeArg | None = None, name: str | None = None
) -> Tensor:
    """Index of the min along `axis` (0 by default), int64."""

def as_dtype(d: _DTypeArg) -> DType:
    """Looks up a dtype by name or numpy type."""

def asin(x: _TensorArg, name: str | None = None) -> Tensor:
    """arcsine."""

def asinh(x: _TensorArg, name: str | None = None) -> Tensor:
    """inverse hyperbolic sine."""

def atan(x: _TensorArg, name: str | None = None) -> Tensor:
    """arctangent."""

def atan2(x: _TensorArg, y: _TensorArg, name: str | None = None) -> Tensor:
    """`atan2(y, x)`."""

def atanh(x: _TensorArg, name: str | None = None) -> Tensor:
    """inverse hyperbolic tangent."""

def broadcast_to(input: _TensorArg, shape: _ShapeArg, name: str | None = None) -> Tensor:
    """Broadcasts to `shape`."""

def cast(x: _TensorArg, dtype: _DTypeArg, name: str | None = None) -> Tensor:
    """Converts to `dtype`."""

def ceil(x: _TensorArg, name: str | None = None) -> Tensor:
    """ceiling."""

def cholesky(input: _TensorArg, name: str | None = None) -> Tensor:
    """The lower Cholesky factor of each matrix of `[..., n, n]` (TF's `Cholesky`)."""

def clip_by_value(
    t: _TensorArg, clip_value_min: _TensorArg, clip_value_max: _TensorArg, name: str | None = None
) -> Tensor:
    """Clips to `[clip_value_min, clip_value_max]`."""

def concat(values: _TensorArg, axis: _AxisArg, name: str | None = None) -> Tensor:
    """Joins along an existing axis."""

def constant(
    value: _TensorArg, dtype: _DTypeArg | None = None, shape: _ShapeArg | None = None, name: str | None = None
) -> Tensor:
    """TF's `constant(value, dtype=None, shape=None)`."""

def convert_to_tensor(
    value: _TensorArg,
    dtype: _DTypeArg | None = None,
    dtype_hint: _DTypeArg | None = None,
    name: str | None = None,
) -> Tensor:
    """TF's `convert_to_tensor(value, dtype=None, dtype_hint=None)`: tensors pass through."""

def cos(x: _TensorArg, name: str | None = None) -> Tensor:
    """cosine."""

def cosh(x: _TensorArg, name: str | None = None) -> Tensor:
    """hyperbolic cosine."""

def cumprod(
    x: _TensorArg,
    axis: _AxisArg = 0,
    exclusive: builtins.bool | None = False,
    reverse: builtins.bool | None = False,
    name: str | None = None,
) -> Tensor:
    """Running product along `axis`."""

def cumsum(
    x: _TensorArg,
    axis: _AxisArg = 0,
    exclusive: builtins.bool | None = False,
    reverse: builtins.bool | None = False,
    name: str | None = None,
) -> Tensor:
    """Running sum along `axis`."""

def divide(x: _TensorArg, y: _TensorArg, name: str | None = None) -> Tensor:
    """`x / y`; ints divide as float64 (TF's `truediv`)."""

def divide_no_nan(x: _TensorArg, y: _TensorArg, name: str | None = None) -> Tensor:
    """`x / y`, 0 where `y == 0`."""

def elu(features: _TensorArg, name: str | None = None) -> Tensor:
    """ELU with α = 1."""

def equal(x: _TensorArg, y: _TensorArg, name: str | None = None) -> Tensor:
    """`x == y`."""

def erf(x: _TensorArg, name: str | None = None) -> Tensor:
    """error function."""

def exp(x: _TensorArg, name: str | None = None) -> Tensor:
    """`eˣ`."""

def expand_dims(input: _TensorArg, axis: _AxisArg, name: str | None = None) -> Tensor:
    """Inserts a size-1 dim at `axis`."""

def expm1(x: _TensorArg, name: str | None = None) -> Tensor:
    """`eˣ − 1`."""

def eye(
    num_rows: int,
    num_columns: int | None = None,
    batch_shape: _ShapeArg | None = None,
    dtype: _DTypeArg | None = None,
    name: str | None = None,
) -> Tensor:
    """Identity matrix `eye(num_rows, num_columns=None, dtype=float32)`."""

def fill(dims: _ShapeArg, value: _TensorArg, name: str | None = None) -> Tensor:
    """`fill(dims, value)`: the value's dtype."""

def floor(x: _TensorArg, name: str | None = None) -> Tensor:
    """floor."""

def floordiv(x: _TensorArg, y: _TensorArg, name: str | None = None) -> Tensor:
    """`⌊x / y⌋`."""

def floormod(x: _TensorArg, y: _TensorArg, name: str | None = None) -> Tensor:
    """Python-style `x % y`."""

def gather(
    params: _TensorArg,
    indices: _TensorArg,
    validate_indices: builtins.bool | None = None,
    axis: _AxisArg = None,
    batch_dims: int = 0,
    name: str | None = None,
) -> Tensor:
    """TF's `gather(params, indices, axis=0)`."""

def gelu(features: _TensorArg, approximate: builtins.bool | None = False, name: str | None = None) -> Tensor:
    """GELU (exact by default; `approximate=True` for the tanh form)."""

def greater(x: _TensorArg, y: _TensorArg, name: str | None = None) -> Tensor:
    """`x > y`."""

def greater_equal(x: _TensorArg, y: _TensorArg, name: str | None = None) -> Tensor:
    """`x >= y`."""

def identity(input: _TensorArg, name: str | None = None) -> Tensor:
    """The same value, recorded (gradients pass through)."""

def is_finite(x: _TensorArg, name: str | None = None) -> Tensor:
    """finiteness test."""

def is_inf(x: _TensorArg, name: str | None = None) -> Tensor:
    """infinity test."""

def is_nan(x: _TensorArg, name: str | None = None) -> Tensor:
    """NaN test."""

def is_tensor(x: _TensorArg) -> builtins.bool:
    """True for tensors and variables."""

def l2_loss(t: _TensorArg, name: str | None = None) -> Tensor:
    """`Σ x² / 2`."""

def leaky_relu(features: _TensorArg, alpha: float = 0.2, name: str | None = None) -> Tensor:
    """Leaky ReLU (α = 0.2 by default, as TF)."""

def less(x: _TensorArg, y: _TensorArg, name: str | None = None) -> Tensor:
    """`x < y`."""

def less_equal(x: _TensorArg, y: _TensorArg, name: str | None = None) -> Tensor:
    """`x <= y`."""

def linspace(
    start: _TensorArg, stop: _TensorArg, num: int, name: str | None = None, axis: _AxisArg = 0
) -> Tensor:
    """`linspace(start, stop, num)`."""

def log(x: _TensorArg, name: str | None = None) -> Tensor:
    """natural log."""

def log1p(x: _TensorArg, name: str | None = None) -> Tensor:
    """`ln(1 + x)`."""

def log_matrix_determinant(input: _TensorArg, name: str | None = None) -> tuple[Tensor, Tensor]:
    """`(sign, log_abs_determinant)` of each matrix (TF's `LogMatrixDeterminant`)."""

def log_sigmoid(x: _TensorArg, name: str | None = None) -> Tensor:
    """`log σ(x)`."""

def log_softmax(logits: _TensorArg, axis: _AxisArg = None, name: str | None = None) -> Tensor:
    """Log-softmax along `axis` (last by default)."""

def logdet(matrix: _TensorArg, name: str | None = None) -> Tensor:
    """`log(det(matrix))` of positive-definite matrices, via Cholesky (TF's `logdet`)."""

def logical_and(x: _TensorArg, y: _TensorArg, name: str | None = None) -> Tensor:
    """`x && y`."""

def logical_not(x: _TensorArg, name: str | None = None) -> Tensor:
    """boolean not."""

def logical_or(x: _TensorArg, y: _TensorArg, name: str | None = None) -> Tensor:
    """`x || y`."""

def logical_xor(x: _TensorArg, y: _TensorArg, name: str | None = None) -> Tensor:
    """`x ^ y`."""

def matmul(
    a: _TensorArg,
    b: _TensorArg,
    transpose_a: builtins.bool | None = False,
    transpose_b: builtins.bool | None = False,
    adjoint_a: builtins.bool | None = False,
    adjoint_b: builtins.bool | None = False,
    a_is_sparse: builtins.bool | None = False,
    b_is_sparse: builtins.bool | None = False,
    output_type: _DTypeArg | None = None,
    name: str | None = None,
) -> Tensor:
    """Batched `a @ b`, optionally transposing either (adjoint = transpose for reals)."""

def matrix_determinant(input: _TensorArg, name: str | None = None) -> Tensor:
    """The determinant of each matrix (TF's `MatrixDeterminant`)."""

def matrix_inverse(input: _TensorArg, adjoint: builtins.bool = False, name: str | None = None) -> Tensor:
    """The inverse of each matrix, of its transpose with `adjoint` (TF's `MatrixInverse`)."""

def matrix_solve(
    matrix: _TensorArg, rhs: _TensorArg, adjoint: builtins.bool = False, name: str | None = None
) -> Tensor:
    """`X` with `matrix @ X = rhs` (TF's `MatrixSolve`)."""

def matrix_triangular_solve(
    matrix: _TensorArg,
    rhs: _TensorArg,
    lower: builtins.bool = True,
    adjoint: builtins.bool = False,
    name: str | None = None,
) -> Tensor:
    """`X` with `tri(matrix) @ X = rhs`, batch dims broadcast (TF's `triangular_solve`)."""

def maximum(x: _TensorArg, y: _TensorArg, name: str | None = None) -> Tensor:
    """elementwise max."""

def minimum(x: _TensorArg, y: _TensorArg, name: str | None = None) -> Tensor:
    """elementwise min."""

def multiply(x: _TensorArg, y: _TensorArg, name: str | None = None) -> Tensor:
    """`x · y`."""

def negative(x: _TensorArg, name: str | None = None) -> Tensor:
    """`-x`."""

def norm(
    tensor: _TensorArg,
    ord: _TensorArg | None = None,
    axis: _AxisArg = None,
    keepdims: builtins.bool | None = None,
    name: str | None = None,
) -> Tensor:
    """Vector norm: `ord` 'euclidean'/2 (default), 1, or inf."""

def not_equal(x: _TensorArg, y: _TensorArg, name: str | None = None) -> Tensor:
    """`x != y`."""

def one_hot(
    indices: _TensorArg,
    depth: int,
    on_value: _TensorArg | None = None,
    off_value: _TensorArg | None = None,
    axis: _AxisArg = None,
    dtype: _DTypeArg | None = None,
    name: str | None = None,
) -> Tensor:
    """One-hot rows along a new last axis."""

def ones(shape: _ShapeArg, dtype: _DTypeArg | None = None, name: str | None = None) -> Tensor:
    """Ones of `shape` (float32 by default)."""

def ones_like(input: _TensorArg, dtype: _DTypeArg | None = None, name: str | None = None) -> Tensor:
    """Ones shaped like `input`."""

def pad(
    tensor: _TensorArg,
    paddings: _TensorArg,
    mode: str = "CONSTANT",
    constant_values: _TensorArg | None = None,
    name: str | None = None,
) -> Tensor:
    """Constant padding: `paddings` is `[[before, after], …]` per dim."""

def pow(x: _TensorArg, y: _TensorArg, name: str | None = None) -> Tensor:
    """`x ^ y`."""

def random_normal(
    shape: _ShapeArg,
    mean: float = 0.0,
    stddev: float = 1.0,
    dtype: _DTypeArg | None = None,
    seed: int | None = None,
    name: str | None = None,
) -> Tensor:
    """Normal samples of `shape`."""

def random_uniform(
    shape: _ShapeArg,
    minval: _TensorArg | None = None,
    maxval: _TensorArg | None = None,
    dtype: _DTypeArg | None = None,
    seed: int | None = None,
    name: str | None = None,
) -> Tensor:
    """Uniform samples of `shape` in `[minval, maxval)`."""

def range(
    start: _TensorArg,
    limit: _TensorArg | None = None,
    delta: _TensorArg | None = None,
    dtype: _DTypeArg | None = None,
    name: str | None = None,
) -> Tensor:
    """TF's `range(start, limit=None, delta=1, dtype=None)`."""

def rank(input: _TensorArg, name: str | None = None) -> Tensor:
    """The rank as an int32 scalar."""

def reciprocal(x: _TensorArg, name: str | None = None) -> Tensor:
    """`1/x`."""

def reduce_all(
    input_tensor: _TensorArg,
    axis: _AxisArg = None,
    keepdims: builtins.bool | None = False,
    name: str | None = None,
) -> Tensor:
    """Logical and over `axis`."""

def reduce_any(
    input_tensor: _TensorArg,
    axis: _AxisArg = None,
    keepdims: builtins.bool | None = False,
    name: str | None = None,
) -> Tensor:
    """Logical or over `axis`."""

def reduce_logsumexp(
    input_tensor: _TensorArg,
    axis: _AxisArg = None,
    keepdims: builtins.bool | None = False,
    name: str | None = None,
) -> Tensor:
    """`log Σ exp` over `axis`, stabilised."""

def reduce_max(
    input_tensor: _TensorArg,
    axis: _AxisArg = None,
    keepdims: builtins.bool | None = False,
    name: str | None = None,
) -> Tensor:
    """Max over `axis`."""

def reduce_mean(
    input_tensor: _TensorArg,
    axis: _AxisArg = None,
    keepdims: builtins.bool | None = False,
    name: str | None = None,
) -> Tensor:
    """Mean over `axis`."""

def reduce_min(
    input_tensor: _TensorArg,
    axis: _AxisArg = None,
    keepdims: builtins.bool | None = False,
    name: str | None = None,
) -> Tensor:
    """Min over `axis`."""

def reduce_prod(
    input_tensor: _TensorArg,
    axis: _AxisArg = None,
    keepdims: builtins.bool | None = False,
    name: str | None = None,
) -> Tensor:
    """Product over `axis`."""

def reduce_std(
    input_tensor: _TensorArg,
    axis: _AxisArg = None,
    keepdims: builtins.bool | None = False,
    name: str | None = None,
) -> Tensor:
    """Standard deviation over `axis`."""

def reduce_sum(
    input_tensor: _TensorArg,
    axis: _AxisArg = None,
    keepdims: builtins.bool | None = False,
    name: str | None = None,
) -> Tensor:
    """Sum over `axis` (all by default)."""

def reduce_variance(
    input_tensor: _TensorArg,
    axis: _AxisArg = None,
    keepdims: builtins.bool | None = False,
    name: str | None = None,
) -> Tensor:
    """Variance over `axis`."""

def relu(x: _TensorArg, name: str | None = None) -> Tensor:
    """`max(x, 0)`."""

def relu6(features: _TensorArg, name: str | None = None) -> Tensor:
    """`min(max(x, 0), 6)`."""

def reshape(tensor: _TensorArg, shape: _ShapeArg, name: str | None = None) -> Tensor:
    """Same elements, new shape (one dim may be -1)."""

def round(x: _TensorArg, name: str | None = None) -> Tensor:
    """round half to even."""

def rsqrt(x: _TensorArg, name: str | None = None) -> Tensor:
    """`1/√x`."""

def selu(features: _TensorArg, name: str | None = None) -> Tensor:
    """SELU."""

def set_seed(seed: int | None) -> None:
    """Sets the global random seed (TF's `random.set_seed`)."""

def shape(input: _TensorArg, out_type: _DTypeArg | None = None, name: str | None = None) -> Tensor:
    """The shape as an int32 tensor."""

def sigmoid(x: _TensorArg, name: str | None = None) -> Tensor:
    """logistic sigmoid."""

def sign(x: _TensorArg, name: str | None = None) -> Tensor:
    """sign of x."""

def silu(features: _TensorArg, beta: float = 1.0, name: str | None = None) -> Tensor:
    """`x·σ(x)`."""

def sin(x: _TensorArg, name: str | None = None) -> Tensor:
    """sine."""

def sinh(x: _TensorArg, name: str | None = None) -> Tensor:
    """hyperbolic sine."""

def size(input: _TensorArg, out_type: _DTypeArg | None = None, name: str | None = None) -> Tensor:
    """The element count as an int32 scalar."""

def softmax(logits: _TensorArg, axis: _AxisArg = None, name: str | None = None) -> Tensor:
    """Softmax along `axis` (last by default)."""

def softmax_cross_entropy_with_logits(
    labels: _TensorArg, logits: _TensorArg, axis: int | None = None, name: str | None = None
) -> Tensor:
    """`−Σ labels · log_softmax(logits)` along `axis`."""

def softplus(x: _TensorArg, name: str | None = None) -> Tensor:
    """`ln(1 + eˣ)`."""

def sparse_softmax_cross_entropy_with_logits(
    labels: _TensorArg, logits: _TensorArg, name: str | None = None
) -> Tensor:
    """Cross-entropy against integer class labels."""

def split(
    value: _TensorArg,
    num_or_size_splits: _TensorArg,
    axis: _AxisArg = 0,
    num: int | None = None,
    name: str | None = None,
) -> list[Tensor]:
    """Splits into `num_or_size_splits` equal pieces, or pieces of the given sizes."""

def sqrt(x: _TensorArg, name: str | None = None) -> Tensor:
    """`√x`."""

def square(x: _TensorArg, name: str | None = None) -> Tensor:
    """`x²`."""

def squared_difference(x: _TensorArg, y: _TensorArg, name: str | None = None) -> Tensor:
    """`(x − y)²`."""

def squeeze(input: _TensorArg, axis: _AxisArg = None, name: str | None = None) -> Tensor:
    """Removes size-1 dims (all, or those in `axis`)."""

def stack(values: _TensorArg, axis: _AxisArg = 0, name: str | None = None) -> Tensor:
    """Stacks along a new axis."""

def stop_gradient(input: _TensorArg, name: str | None = None) -> Tensor:
    """The same value, cut out of every tape."""

def subtract(x: _TensorArg, y: _TensorArg, name: str | None = None) -> Tensor:
    """`x − y`."""

def tan(x: _TensorArg, name: str | None = None) -> Tensor:
    """tangent."""

def tanh(x: _TensorArg, name: str | None = None) -> Tensor:
    """hyperbolic tangent."""

def tensordot(a: _TensorArg, b: _TensorArg, axes: _AxisArg, name: str | None = None) -> Tensor:
    """TF's `tensordot(a, b, axes)`: `axes` an int or a pair of axis lists."""

def tile(input: _TensorArg, multiples: _ShapeArg, name: str | None = None) -> Tensor:
    """Repeats along each dim."""

def transpose(
    a: _TensorArg, perm: _AxisArg = None, conjugate: builtins.bool | None = False, name: str | None = None
) -> Tensor:
    """Permutes dims (reverses them by default)."""

def truncated_normal(
    shape: _ShapeArg,
    mean: float = 0.0,
    stddev: float = 1.0,
    dtype: _DTypeArg | None = None,
    seed: int | None = None,
    name: str | None = None,
) -> Tensor:
    """Truncated-normal samples of `shape`."""

def unstack(
    value: _TensorArg, num: int | None = None, axis: _AxisArg = 0, name: str | None = None
) -> list[Tensor]:
    """Splits along `axis` into its slices."""

def where(
    condition: _TensorArg, x: _TensorArg | None = None, y: _TensorArg | None = None, name: str | None = None
) -> Tensor:
    """`cond ? x : y` (TF2's `where`); with only `condition`, the coordinates of true elements."""

def zeros(shape: _ShapeArg, dtype: _DTypeArg | None = None, name: str | None = None) -> Tensor:
    """Zeros of `shape` (float32 by default)."""

def zeros_like(input: _TensorArg, dtype: _DTypeArg | None = None, name: str | None = None) -> Tensor:
    """Zeros shaped like `input`."""

def set_num_threads(n: int) -> None:
    """Sets the size of the thread pool kernels and backward passes use (0 = default)."""

def get_num_threads() -> int:
    """The size of the thread pool kernels and backward passes use."""

def set_fusion(enabled: builtins.bool) -> None:
    """Switches lazy fusion of large elementwise chains on or off (process-wide)."""

def get_fusion() -> builtins.bool:
    """Whether large elementwise chains are fused lazily."""

def record_custom_gradient(
    name: str,
    inputs: list[Any],
    outputs: list[Any],
    grad_fn: Callable[..., Sequence[Any]],
) -> list[Tensor]:
    """Records ``outputs = f(inputs)`` on the active tapes with ``grad_fn`` as its gradient."""

def call_watching_variables(
    f: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any] | None = None
) -> tuple[Any, list[Variable]]:
    """Calls ``f(*args, **kwargs)``; returns its result and the trainable variables it read."""

# ---- tf.linalg: decompositions, expm, structural matrix ops ----

def self_adjoint_eig(tensor: _TensorArg, name: str | None = None) -> tuple[Tensor, Tensor]:
    """Eigenvalues and eigenvectors `(e, v)` of self-adjoint matrices, TF's `eigh`."""

def self_adjoint_eigvals(tensor: _TensorArg, name: str | None = None) -> Tensor:
    """Eigenvalues of self-adjoint matrices, ascending, TF's `eigvalsh`."""

def svd(
    tensor: _TensorArg,
    full_matrices: builtins.bool = False,
    compute_uv: builtins.bool = True,
    name: str | None = None,
) -> Any:
    """TF's `svd`: `s` alone, or `(s, u, v)` with `compute_uv`."""

def qr(
    input: _TensorArg, full_matrices: builtins.bool = False, name: str | None = None
) -> tuple[Tensor, Tensor]:
    """TF's `qr`: `(q, r)`."""

def lu(
    input: _TensorArg, output_idx_type: _DTypeArg | None = None, name: str | None = None
) -> tuple[Tensor, Tensor]:
    """TF's `lu`: `(lu, p)`, the packed factors and the row permutation."""

def matrix_exponential(input: _TensorArg, name: str | None = None) -> Tensor:
    """The matrix exponential, TF's `expm`."""

def matrix_band_part(
    input: _TensorArg, num_lower: int, num_upper: int, name: str | None = None
) -> Tensor:
    """TF's `matrix_band_part(input, num_lower, num_upper)`."""

def matrix_diag(diagonal: _TensorArg, name: str | None = None) -> Tensor:
    """`[..., n]` diagonals to `[..., n, n]` diagonal matrices (TF's `matrix_diag`, `k = 0`)."""

def matrix_diag_part(input: _TensorArg, name: str | None = None) -> Tensor:
    """The main diagonal of each (possibly rectangular) matrix (TF's `matrix_diag_part`, `k = 0`)."""

def matrix_set_diag(input: _TensorArg, diagonal: _TensorArg, name: str | None = None) -> Tensor:
    """Each matrix with its main diagonal replaced (TF's `matrix_set_diag`, `k = 0`)."""

def trace(x: _TensorArg, name: str | None = None) -> Tensor:
    """The sum of each matrix's main diagonal (TF's `trace`)."""
# ---- robustness: error types, panic and fork hooks

class ResourceExhaustedError(MemoryError):
    """Memory for a result could not be allocated (TF's ResourceExhaustedError; also a MemoryError)."""

class InternalError(Exception):
    """A bug inside tapegrad (a Rust panic caught at the binding); ``tapegrad.errors`` has the one to catch."""

def _panic_exception_type() -> type[BaseException]:
    """The class PyO3 raises for a caught panic, for ``tapegrad.errors`` to rebase."""

def _test_panic(message: str) -> None:
    """Test switch: panics inside the extension with ``message``."""
# Convolution and pooling (NHWC; the tf.nn argument forms are handled in tapegrad._conv_ops).
def conv2d_nhwc(
    input: _TensorArg,
    filters: _TensorArg,
    strides: tuple[int, int],
    dilations: tuple[int, int],
    padding_: str,
    explicit_paddings: Sequence[tuple[int, int]] | None = None,
) -> Tensor:
    """TF's `Conv2D` (NHWC input, HWIO filter; grouped when the input depth is a multiple of the filter's)."""

def conv2d_backprop_input_nhwc(
    input_sizes: Sequence[int],
    filters: _TensorArg,
    out_backprop: _TensorArg,
    strides: tuple[int, int],
    dilations: tuple[int, int],
    padding_: str,
    explicit_paddings: Sequence[tuple[int, int]] | None = None,
) -> Tensor:
    """TF's `Conv2DBackpropInput` (the transposed convolution) for an input of shape `input_sizes`."""

def conv2d_backprop_filter_nhwc(
    input: _TensorArg,
    filter_sizes: Sequence[int],
    out_backprop: _TensorArg,
    strides: tuple[int, int],
    dilations: tuple[int, int],
    padding_: str,
    explicit_paddings: Sequence[tuple[int, int]] | None = None,
) -> Tensor:
    """TF's `Conv2DBackpropFilter` for a filter of shape `filter_sizes`."""

def max_pool2d_nhwc(
    input: _TensorArg,
    ksize: tuple[int, int],
    strides: tuple[int, int],
    padding_: str,
    explicit_paddings: Sequence[tuple[int, int]] | None = None,
) -> Tensor:
    """TF's `MaxPool` on NHWC input."""

def avg_pool2d_nhwc(
    input: _TensorArg, ksize: tuple[int, int], strides: tuple[int, int], padding_: str
) -> Tensor:
    """TF's `AvgPool` on NHWC input (padding not counted in the averages)."""

__all__ += [
    "avg_pool2d_nhwc",
    "conv2d_backprop_filter_nhwc",
    "conv2d_backprop_input_nhwc",
    "conv2d_nhwc",
    "max_pool2d_nhwc",
]
# ---- fused recurrent sequences (keras SimpleRNN / LSTM / GRU)

def recurrent_sequence(
    cell: str,
    inputs: _TensorArg,
    recurrent_kernel: _TensorArg,
    initial_h: _TensorArg,
    initial_c: _TensorArg | None = None,
    recurrent_bias: _TensorArg | None = None,
    mask: _TensorArg | None = None,
    go_backwards: builtins.bool = False,
    reset_after: builtins.bool = True,
) -> Tensor:
    """A whole recurrent sequence as one op: the packed ``[batch, time, sections * units]`` tensor."""

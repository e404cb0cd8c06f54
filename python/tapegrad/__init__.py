"""tapegrad: reverse-mode automatic differentiation with TensorFlow's GradientTape API,
computed by a Rust core.

``import tapegrad as tf`` runs ordinary TensorFlow eager GradientTape code. Every
op below is a Rust function from :mod:`tapegrad._core`, re-exported by name, so
no Python frame sits on the per-op path.
"""

from __future__ import annotations

import builtins as _builtins  # `bool` below is tf.bool, the dtype

from . import (
    _core,
    autodiff,
    compat,
    config,
    data,
    debugging,
    dtypes,
    errors,
    image,
    keras,
    linalg,
    math,
    nest,
    nn,
    random,
)
from ._clip_ops import clip_by_global_norm, clip_by_norm
from ._core import (
    DType,
    Tensor,
    abs,
    add,
    add_n,
    argmax,
    argmin,
    as_dtype,
    bool,
    broadcast_to,
    cast,
    clip_by_value,
    concat,
    constant,
    convert_to_tensor,
    cos,
    cosh,
    cumsum,
    divide,
    equal,
    exp,
    expand_dims,
    eye,
    fill,
    float32,
    float64,
    gather,
    greater,
    greater_equal,
    identity,
    int32,
    int64,
    is_tensor,
    less,
    less_equal,
    linspace,
    log,
    logical_and,
    logical_not,
    logical_or,
    matmul,
    maximum,
    minimum,
    multiply,
    negative,
    not_equal,
    one_hot,
    ones,
    ones_like,
    pad,
    pow,
    range,
    rank,
    reduce_all,
    reduce_any,
    reduce_logsumexp,
    reduce_max,
    reduce_mean,
    reduce_min,
    reduce_prod,
    reduce_std,
    reduce_sum,
    reduce_variance,
    reshape,
    round,
    shape,
    sigmoid,
    sign,
    sin,
    sinh,
    size,
    split,
    sqrt,
    square,
    squeeze,
    stack,
    stop_gradient,
    subtract,
    tan,
    tanh,
    tensordot,
    tile,
    transpose,
    unstack,
    where,
    zeros,
    zeros_like,
)
from ._einsum import einsum
from ._linalg_norm import norm
from ._scatter_ops import (
    scatter_nd,
    tensor_scatter_nd_add,
    tensor_scatter_nd_max,
    tensor_scatter_nd_min,
    tensor_scatter_nd_sub,
    tensor_scatter_nd_update,
)
from ._shape import TensorShape
from .array_ops import (
    argsort,
    boolean_mask,
    gather_nd,
    get_static_value,
    meshgrid,
    repeat,
    reverse,
    roll,
    sort,
    unique,
)
from .compat import contrib, enable_eager_execution, executing_eagerly
from .control_flow import cond, foldl, foldr, map_fn, scan, switch_case, vectorized_map, while_loop
from .custom_gradient import custom_gradient
from .indexed_slices import IndexedSlices
from .keras import initializers, losses, metrics, optimizers  # tf.losses & co. are Keras's
from .module import Module
from .recompute import recompute_grad
from .tape import GradientTape, UnconnectedGradients
from .tensor_spec import TensorSpec
from .variables import Variable

__version__ = "0.1.0"

#: ``tf.newaxis``: index with it to insert a dimension of size 1.
newaxis = None

float16 = None  # not supported: present so `tf.float16` attribute checks fail softly
double = float64
truediv = divide
sub = subtract
mul = multiply
div = divide
floordiv = _core.floordiv
realdiv = divide
squared_difference = _core.squared_difference
erf = _core.erf
log1p = _core.log1p
floor = _core.floor
ceil = _core.ceil
atan2 = _core.atan2
reciprocal = _core.reciprocal
rsqrt = _core.rsqrt
cumprod = _core.cumprod
is_nan = _core.is_nan
is_finite = _core.is_finite
divide_no_nan = _core.divide_no_nan


def executing_eagerly_outside_functions() -> _builtins.bool:
    """Always True: tapegrad is eager only."""
    return True


def function(func=None, **kwargs):  # type: ignore[no-untyped-def]
    """``tf.function`` stand-in: tapegrad is eager, so the function runs as written."""
    if func is None:
        return lambda f: f
    return func


def print(*args, **kwargs):  # type: ignore[no-untyped-def]  # noqa: A001
    """``tf.print``: prints tensors' values like Python's print."""
    import builtins

    sep = kwargs.pop("sep", " ")
    end = kwargs.pop("end", "\n")
    kwargs.pop("output_stream", None)
    kwargs.pop("summarize", None)
    parts = [str(a.numpy()) if isinstance(a, (Tensor, Variable)) else str(a) for a in args]
    builtins.print(*parts, sep=sep, end=end)


__all__ = [
    "DType",
    "GradientTape",
    "IndexedSlices",
    "Module",
    "Tensor",
    "TensorShape",
    "TensorSpec",
    "UnconnectedGradients",
    "Variable",
    "abs",
    "add",
    "add_n",
    "argmax",
    "argmin",
    "argsort",
    "as_dtype",
    "atan2",
    "bool",
    "boolean_mask",
    "broadcast_to",
    "cast",
    "ceil",
    "clip_by_global_norm",
    "clip_by_norm",
    "clip_by_value",
    "compat",
    "concat",
    "cond",
    "config",
    "constant",
    "contrib",
    "convert_to_tensor",
    "cos",
    "cosh",
    "cumprod",
    "cumsum",
    "custom_gradient",
    "data",
    "debugging",
    "div",
    "divide",
    "divide_no_nan",
    "double",
    "dtypes",
    "einsum",
    "enable_eager_execution",
    "equal",
    "erf",
    "errors",
    "executing_eagerly",
    "executing_eagerly_outside_functions",
    "exp",
    "expand_dims",
    "eye",
    "fill",
    "float16",
    "float32",
    "float64",
    "floor",
    "floordiv",
    "foldl",
    "foldr",
    "function",
    "gather",
    "gather_nd",
    "get_static_value",
    "greater",
    "greater_equal",
    "identity",
    "initializers",
    "int32",
    "int64",
    "is_finite",
    "is_nan",
    "is_tensor",
    "keras",
    "less",
    "less_equal",
    "linalg",
    "linspace",
    "log",
    "log1p",
    "logical_and",
    "logical_not",
    "logical_or",
    "losses",
    "map_fn",
    "math",
    "matmul",
    "maximum",
    "meshgrid",
    "metrics",
    "minimum",
    "mul",
    "multiply",
    "negative",
    "nest",
    "newaxis",
    "image",
    "nn",
    "norm",
    "not_equal",
    "one_hot",
    "ones",
    "ones_like",
    "optimizers",
    "pad",
    "pow",
    "print",
    "random",
    "range",
    "rank",
    "realdiv",
    "reciprocal",
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
    "repeat",
    "reshape",
    "reverse",
    "roll",
    "round",
    "rsqrt",
    "scan",
    "shape",
    "sigmoid",
    "sign",
    "sin",
    "sinh",
    "size",
    "sort",
    "split",
    "sqrt",
    "square",
    "squared_difference",
    "squeeze",
    "stack",
    "stop_gradient",
    "sub",
    "subtract",
    "switch_case",
    "tan",
    "tanh",
    "tensordot",
    "tile",
    "transpose",
    "truediv",
    "unique",
    "unstack",
    "vectorized_map",
    "where",
    "while_loop",
    "zeros",
    "zeros_like",
    # forward mode and checkpointing
    "autodiff",
    "recompute_grad",
    # sparse gradients and scatter ops
    "scatter_nd",
    "tensor_scatter_nd_add",
    "tensor_scatter_nd_max",
    "tensor_scatter_nd_min",
    "tensor_scatter_nd_sub",
    "tensor_scatter_nd_update",
]

# The long tail of the top level (each in its own module; see math_extra, array_extra, ...).
from ._core import acos, acosh, asin, asinh, atan, atanh  # noqa: E402
from ._eager_ops import *  # noqa: E402,F403
from ._eager_ops import __all__ as _eager_names  # noqa: E402
from ._space_batch import (  # noqa: E402
    batch_to_space,
    required_space_to_batch_paddings,
    space_to_batch,
    space_to_batch_nd,
)
from .array_extra import *  # noqa: E402,F403
from .array_extra import __all__ as _array_extra_names  # noqa: E402
from .debugging import (  # noqa: E402
    assert_equal,
    assert_greater,
    assert_less,
    assert_rank,
)
from .keras.initializers import Constant as constant_initializer  # noqa: E402
from .keras.initializers import Ones as ones_initializer  # noqa: E402
from .keras.initializers import RandomNormal as random_normal_initializer  # noqa: E402
from .keras.initializers import RandomUniform as random_uniform_initializer  # noqa: E402
from .keras.initializers import Zeros as zeros_initializer  # noqa: E402
from .math_extra import scalar_mul  # noqa: E402

__all__ += [
    *_array_extra_names,
    *_eager_names,
    "acos", "acosh", "asin", "asinh", "atan", "atanh",
    "assert_equal", "assert_greater", "assert_less", "assert_rank",
    "constant_initializer", "ones_initializer", "random_normal_initializer",
    "random_uniform_initializer", "zeros_initializer", "scalar_mul",
    "batch_to_space", "required_space_to_batch_paddings", "space_to_batch", "space_to_batch_nd",
]

# tf.TensorArray (eager).
from .tensor_array import TensorArray  # noqa: E402

__all__ += ["TensorArray"]

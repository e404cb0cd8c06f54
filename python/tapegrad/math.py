"""``tapegrad.math``: TensorFlow's ``tf.math`` namespace."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from . import _core
from ._core import (
    Tensor,
    abs,
    acos,
    acosh,
    add,
    add_n,
    argmax,
    argmin,
    asin,
    asinh,
    atan,
    atan2,
    atanh,
    ceil,
    cos,
    cosh,
    cumprod,
    cumsum,
    divide,
    divide_no_nan,
    equal,
    erf,
    exp,
    expm1,
    floor,
    floordiv,
    floormod,
    greater,
    greater_equal,
    is_finite,
    is_inf,
    is_nan,
    less,
    less_equal,
    log,
    log1p,
    log_sigmoid,
    log_softmax,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
    maximum,
    minimum,
    multiply,
    negative,
    norm,
    not_equal,
    pow,
    reciprocal,
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
    round,
    rsqrt,
    sigmoid,
    sign,
    sin,
    sinh,
    softmax,
    softplus,
    sqrt,
    square,
    squared_difference,
    subtract,
    tan,
    tanh,
)
from ._segment_ops import (
    segment_max,
    segment_mean,
    segment_sum,
    unsorted_segment_max,
    unsorted_segment_mean,
    unsorted_segment_sum,
)
from .array_ops import top_k

truediv = divide
mod = floormod


def l2_normalize(
    x: Any, axis: Any = None, epsilon: float = 1e-12, name: str | None = None, dim: Any = None
) -> Tensor:
    """``x / sqrt(max(sum(x²), epsilon))`` along ``axis`` (TF's ``l2_normalize``; ``dim`` is the old name)."""
    if axis is None:
        axis = dim
    sq = _core.reduce_sum(_core.square(x), axis, True)
    return _core.multiply(x, _core.rsqrt(_core.maximum(sq, epsilon)))


def reduce_euclidean_norm(
    input_tensor: Any, axis: Any = None, keepdims: bool = False, name: str | None = None
) -> Tensor:
    """``sqrt(Σ x²)`` over ``axis``; integer inputs give a (truncated) integer norm, as in TF."""
    x = input_tensor if _core.is_tensor(input_tensor) else _core.convert_to_tensor(input_tensor)
    if x.dtype.is_floating:
        return _core.sqrt(_core.reduce_sum(_core.square(x), axis, keepdims))
    # Integers are never differentiated: compute in float64 and truncate like TF's integer kernel.
    norm64 = _core.sqrt(_core.reduce_sum(_core.square(_core.cast(x, _core.float64)), axis, keepdims))
    return _core.cast(_core.floor(norm64), x.dtype)


def polyval(coeffs: Sequence[Any], x: Any, name: str | None = None) -> Tensor:
    """``coeffs[0]·x^(n-1) + … + coeffs[n-1]`` by Horner's rule; zeros like ``x`` when ``coeffs`` is empty.

    Raises:
        ValueError: ``coeffs`` is not a list or tuple.
    """
    if not isinstance(coeffs, (list, tuple)):
        raise ValueError(f"Argument coeffs must be list type. Received type: {type(coeffs)}.")
    x = x if _core.is_tensor(x) else _core.convert_to_tensor(x)
    if not coeffs:
        return _core.zeros_like(x)
    p = coeffs[0] if _core.is_tensor(coeffs[0]) else _core.convert_to_tensor(coeffs[0], dtype=x.dtype)
    for c in coeffs[1:]:
        p = c + p * x
    return p


__all__ = [
    "abs",
    "acos",
    "acosh",
    "add",
    "add_n",
    "argmax",
    "argmin",
    "asin",
    "asinh",
    "atan",
    "atan2",
    "atanh",
    "ceil",
    "cos",
    "cosh",
    "cumprod",
    "cumsum",
    "divide",
    "divide_no_nan",
    "equal",
    "erf",
    "exp",
    "expm1",
    "floor",
    "floordiv",
    "floormod",
    "greater",
    "greater_equal",
    "is_finite",
    "is_inf",
    "is_nan",
    "l2_normalize",
    "less",
    "less_equal",
    "log",
    "log1p",
    "log_sigmoid",
    "log_softmax",
    "logical_and",
    "logical_not",
    "logical_or",
    "logical_xor",
    "maximum",
    "minimum",
    "mod",
    "multiply",
    "negative",
    "norm",
    "not_equal",
    "polyval",
    "pow",
    "reciprocal",
    "reduce_all",
    "reduce_any",
    "reduce_euclidean_norm",
    "reduce_logsumexp",
    "reduce_max",
    "reduce_mean",
    "reduce_min",
    "reduce_prod",
    "reduce_std",
    "reduce_sum",
    "reduce_variance",
    "round",
    "rsqrt",
    "segment_max",
    "segment_mean",
    "segment_sum",
    "sigmoid",
    "sign",
    "sin",
    "sinh",
    "softmax",
    "softplus",
    "sqrt",
    "square",
    "squared_difference",
    "subtract",
    "tan",
    "tanh",
    "top_k",
    "truediv",
    "unsorted_segment_max",
    "unsorted_segment_mean",
    "unsorted_segment_sum",
]

# The long tail of tf.math lives in its own module.
from .math_extra import *  # noqa: E402,F403
from .math_extra import __all__ as _extra_names  # noqa: E402

__all__ += _extra_names

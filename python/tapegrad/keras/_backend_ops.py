"""The Keras 2 backend functions (``tf.keras.backend.mean``, ``K.batch_dot``, ...), ported from
Keras' legacy backend onto tapegrad ops with the same formulas (clipping constants, the
order of operations), so values and gradients match.

``tapegrad`` is imported as ``tf`` and only read when a function runs, so importing this
module while the package initialises is safe.
"""

from __future__ import annotations

import builtins
import itertools
from typing import Any

import numpy as np

import tapegrad as tf

from . import backend as _backend

__all__ = [
    "abs", "all", "any", "arange", "argmax", "argmin", "batch_dot", "batch_flatten",
    "batch_normalization", "bias_add", "binary_crossentropy", "binary_focal_crossentropy", "cast",
    "cast_to_floatx", "categorical_crossentropy", "categorical_focal_crossentropy", "clip",
    "concatenate", "constant", "cos", "count_params", "cumprod", "cumsum", "dot", "dropout",
    "dtype", "elu", "equal", "exp", "expand_dims", "eye", "flatten", "foldl", "foldr", "gather",
    "greater", "greater_equal", "hard_sigmoid", "in_top_k", "int_shape", "is_float_dtype",
    "is_int_dtype", "l2_normalize", "less", "less_equal", "log", "map_fn", "max", "maximum",
    "mean", "min", "minimum", "moving_average_update", "name_scope", "ndim", "not_equal",
    "one_hot", "ones", "ones_like", "permute_dimensions", "pow", "prod", "random_bernoulli",
    "random_normal", "random_normal_variable", "random_uniform", "random_uniform_variable",
    "relu", "repeat", "repeat_elements", "reshape", "result_type", "reverse", "round", "shape",
    "sigmoid", "sign", "sin", "softmax", "softplus", "softsign", "sparse_categorical_crossentropy",
    "spatial_2d_padding", "spatial_3d_padding", "sqrt", "square", "squeeze", "stack",
    "standardize_dtype", "std", "stop_gradient", "sum", "switch", "tanh", "temporal_padding",
    "tile", "to_dense", "transpose", "truncated_normal", "update", "update_add", "update_sub",
    "var", "variable", "zeros", "zeros_like",
]


def _t(x: Any) -> Any:
    return x if tf.is_tensor(x) else tf.convert_to_tensor(x)


def abs(x: Any) -> Any:  # noqa: A001
    """``|x|``."""
    return tf.abs(x)


def all(x: Any, axis: Any = None, keepdims: bool = False) -> Any:  # noqa: A001
    """Logical AND over ``axis`` (``x`` cast to bool)."""
    return tf.reduce_all(tf.cast(x, tf.bool), axis, keepdims)


def any(x: Any, axis: Any = None, keepdims: bool = False) -> Any:  # noqa: A001
    """Logical OR over ``axis`` (``x`` cast to bool)."""
    return tf.reduce_any(tf.cast(x, tf.bool), axis, keepdims)


def argmax(x: Any, axis: int = -1) -> Any:
    """Index of the maximum along ``axis``."""
    return tf.argmax(x, axis)


def argmin(x: Any, axis: int = -1) -> Any:
    """Index of the minimum along ``axis``."""
    return tf.argmin(x, axis)


def arange(start: Any, stop: Any = None, step: Any = 1, dtype: Any = "int32") -> Any:
    """``range(start, stop, step)`` as a tensor (int32 by default)."""
    if stop is None and start < 0:
        start = 0
    result = tf.range(start, stop, step) if stop is not None else tf.range(0, start, step)
    return tf.cast(result, dtype) if dtype != "int32" or result.dtype != tf.int32 else result


def batch_dot(x: Any, y: Any, axes: Any = None) -> Any:
    """Per-example dot products of two batches along ``axes``.

    Raises:
        ValueError: ranks below 2, different batch sizes, or axes that do not match.
    """
    x, y = _t(x), _t(y)
    x_shape, y_shape = tuple(x.shape), tuple(y.shape)
    x_ndim, y_ndim = len(x_shape), len(y_shape)
    if x_ndim < 2 or y_ndim < 2:
        raise ValueError("Cannot do batch_dot on inputs with rank < 2. Received inputs with "
                         f"tf.shapes {x_shape} and {y_shape}.")
    if x_shape[0] != y_shape[0]:
        raise ValueError("Cannot do batch_dot on inputs with different batch sizes. Received "
                         f"inputs with tf.shapes {x_shape} and {y_shape}.")
    if isinstance(axes, int):
        axes = [axes, axes]
    if axes is None:
        axes = [x_ndim - 1, y_ndim - 1] if y_ndim == 2 else [x_ndim - 1, y_ndim - 2]
    axes = list(axes)
    if axes[0] < 0:
        axes[0] += x_ndim
    if axes[1] < 0:
        axes[1] += y_ndim
    if 0 in axes:
        raise ValueError("Cannot perform batch_dot over axis 0.")
    a0, a1 = axes
    if x_shape[a0] != y_shape[a1]:
        raise ValueError(f"Cannot do batch_dot on inputs with tf.shapes {x_shape} and {y_shape} "
                         f"with axes={axes}. x.shape[{a0}] != y.shape[{a1}] "
                         f"({x_shape[a0]} != {y_shape[a1]}).")
    orig_x_ndim, orig_y_ndim = x_ndim, y_ndim
    if x_ndim == 2:
        x = tf.expand_dims(x, 1)
        a0 += 1
        x_ndim += 1
    if y_ndim == 2:
        y = tf.expand_dims(y, 2)
        y_ndim += 1
    if a0 != x_ndim - 1:
        pattern = list(builtins.range(x_ndim))
        for i in builtins.range(a0, x_ndim - 1):
            pattern[i] = pattern[i + 1]
        pattern[-1] = a0
        x = tf.transpose(x, pattern)
    if a1 != 1:
        pattern = list(builtins.range(y_ndim))
        for i in builtins.range(a1, 1, -1):
            pattern[i] = pattern[i - 1]
        pattern[1] = a1
        y = tf.transpose(y, pattern)
    xs, ys = [int(d) for d in x.shape], [int(d) for d in y.shape]
    if x_ndim > 3:
        x = tf.reshape(x, [xs[0], -1, xs[-1]])
    if y_ndim > 3:
        y = tf.reshape(y, [ys[0], ys[1], -1])
    result = tf.matmul(x, y)
    out_shape = [int(d) for d in result.shape]
    if x_ndim > 3:
        out_shape = out_shape[:1] + xs[1:-1] + out_shape[-1:]
    if y_ndim > 3:
        out_shape = out_shape[:-1] + ys[2:]
    if x_ndim > 3 or y_ndim > 3:
        result = tf.reshape(result, out_shape)
    if orig_x_ndim == 2:
        result = tf.squeeze(result, 1)
    elif orig_y_ndim == 2:
        result = tf.squeeze(result, -1)
    return result


def batch_flatten(x: Any) -> Any:
    """``x`` reshaped to ``[batch, -1]``."""
    x = _t(x)
    return tf.reshape(x, [-1, int(np.prod([int(d) for d in x.shape[1:]]))])


def batch_normalization(x: Any, mean: Any, var: Any, beta: Any, gamma: Any, axis: int = -1,
                        epsilon: float = 1e-3) -> Any:
    """``tf.nn.batch_normalization`` with Keras' argument order."""
    return tf.nn.batch_normalization(x, mean, var, beta, gamma, epsilon)


def bias_add(x: Any, bias: Any, data_format: Any = None) -> Any:
    """``x + bias`` along the channel axis (last by default).

    Raises:
        ValueError: an unknown ``data_format`` or a bias of the wrong rank.
    """
    data_format = data_format or "channels_last"
    if data_format not in {"channels_first", "channels_last"}:
        raise ValueError(f"Unknown data_format: {data_format}")
    x, bias = _t(x), _t(bias)
    if len(bias.shape) != 1 and len(bias.shape) != len(x.shape) - 1:
        raise ValueError(f"Unexpected bias dimensions {len(bias.shape)}. Expected it to be 1 or "
                         f"{len(x.shape) - 1} dimensions")
    if data_format == "channels_first" and len(bias.shape) == 1:
        return x + tf.reshape(bias, [1, -1] + [1] * (len(x.shape) - 2))
    if len(bias.shape) == 1:
        return tf.nn.bias_add(x, bias)
    if data_format == "channels_first":
        bs = [int(d) for d in bias.shape]
        return x + tf.reshape(bias, [1, bs[-1], *bs[:-1]])
    return x + tf.reshape(bias, [1, *[int(d) for d in bias.shape]])


def binary_crossentropy(target: Any, output: Any, from_logits: bool = False) -> Any:
    """Elementwise binary cross-entropy (probabilities clipped to ``[ε, 1 - ε]``)."""
    target, output = _t(target), _t(output)
    if from_logits:
        return tf.nn.sigmoid_cross_entropy_with_logits(labels=target, logits=output)
    eps = tf.constant(_backend.epsilon(), dtype=output.dtype)
    output = tf.clip_by_value(output, eps, 1.0 - eps)
    bce = target * tf.math.log(output + _backend.epsilon())
    bce += (1 - target) * tf.math.log(1 - output + _backend.epsilon())
    return -bce


def binary_focal_crossentropy(target: Any, output: Any, apply_class_balancing: bool = False,
                              alpha: float = 0.25, gamma: float = 2.0, from_logits: bool = False) -> Any:
    """Binary cross-entropy down-weighted by ``(1 - p_t)^gamma``."""
    target, output = _t(target), _t(output)
    sigmoidal = tf.sigmoid(output) if from_logits else output
    p_t = target * sigmoidal + (1 - target) * (1 - sigmoidal)
    focal = tf.pow(1.0 - p_t, gamma) * binary_crossentropy(target, output, from_logits)
    if apply_class_balancing:
        focal = (target * alpha + (1 - target) * (1 - alpha)) * focal
    return focal


def cast(x: Any, dtype: Any) -> Any:
    """``tf.cast``."""
    return tf.cast(x, dtype)


def cast_to_floatx(x: Any) -> Any:
    """``x`` in the default float type (numpy in, numpy out)."""
    if tf.is_tensor(x) or isinstance(x, tf.Variable):
        return tf.cast(x, _backend.floatx())
    return np.asarray(x, dtype=_backend.floatx())


def categorical_crossentropy(target: Any, output: Any, from_logits: bool = False, axis: int = -1) -> Any:
    """Cross-entropy of one-hot targets (probabilities renormalised, then clipped)."""
    target, output = _t(target), _t(output)
    if from_logits:
        return tf.nn.softmax_cross_entropy_with_logits(labels=target, logits=output, axis=axis)
    output = output / tf.reduce_sum(output, axis, True)
    eps = tf.constant(_backend.epsilon(), dtype=output.dtype)
    output = tf.clip_by_value(output, eps, 1.0 - eps)
    return -tf.reduce_sum(target * tf.math.log(output), axis)


def categorical_focal_crossentropy(target: Any, output: Any, alpha: float = 0.25, gamma: float = 2.0,
                                   from_logits: bool = False, axis: int = -1) -> Any:
    """Categorical cross-entropy weighted by ``alpha (1 - p)^gamma``."""
    target, output = _t(target), _t(output)
    if from_logits:
        output = tf.nn.softmax(output, axis=axis)
    output = output / tf.reduce_sum(output, axis=axis, keepdims=True)
    eps = tf.constant(_backend.epsilon(), dtype=output.dtype)
    output = tf.clip_by_value(output, eps, 1.0 - eps)
    cce = -target * tf.math.log(output)
    return tf.reduce_sum(tf.multiply(tf.pow(1.0 - output, gamma), alpha) * cce, axis=axis)


def clip(x: Any, min_value: Any, max_value: Any) -> Any:
    """``clip_by_value`` (a maximum below the minimum is raised to it; None means unbounded)."""
    if isinstance(min_value, (int, float)) and isinstance(max_value, (int, float)) and max_value < min_value:
        max_value = min_value
    x = _t(x)
    lo = -np.inf if min_value is None else min_value
    hi = np.inf if max_value is None else max_value
    return tf.clip_by_value(x, tf.cast(lo, x.dtype), tf.cast(hi, x.dtype))


def concatenate(tensors: Any, axis: int = -1) -> Any:
    """``concat`` (a negative axis counts from the first tensor's rank)."""
    if axis < 0:
        rank = len(_t(tensors[0]).shape)
        axis = axis % rank if rank else 0
    return tf.concat(list(tensors), axis)


def constant(value: Any, dtype: Any = None, shape: Any = None, name: str | None = None) -> Any:
    """``tf.constant`` in the default float type unless ``dtype`` is given."""
    out = tf.constant(value, dtype=dtype or _backend.floatx())
    return out if shape is None else tf.broadcast_to(out, shape)


def cos(x: Any) -> Any:
    """``cos(x)``."""
    return tf.cos(x)


def count_params(x: Any) -> int:
    """The number of elements of ``x``."""
    return int(np.prod([int(d) for d in x.shape]))


def cumsum(x: Any, axis: int = 0) -> Any:
    """Cumulative sum along ``axis``."""
    return tf.cumsum(x, axis=axis)


def cumprod(x: Any, axis: int = 0) -> Any:
    """Cumulative product along ``axis``."""
    return tf.math.cumprod(x, axis=axis)


def dot(x: Any, y: Any) -> Any:
    """Keras' ``dot``: the last axis of ``x`` against the second-to-last of ``y`` (matmul for 2-D)."""
    x, y = _t(x), _t(y)
    if len(x.shape) > 2 or len(y.shape) > 2:
        xs, ys = [int(d) for d in x.shape], [int(d) for d in y.shape]
        y_perm = list(builtins.range(len(ys)))
        y_perm = [y_perm.pop(-2)] + y_perm
        xt = tf.reshape(x, [-1, xs[-1]])
        yt = tf.reshape(tf.transpose(y, y_perm), [ys[-2], -1])
        return tf.reshape(tf.matmul(xt, yt), xs[:-1] + ys[:-2] + ys[-1:])
    return tf.matmul(x, y)


def dropout(x: Any, level: float, noise_shape: Any = None, seed: Any = None) -> Any:
    """``tf.nn.dropout`` with rate ``level``."""
    return tf.nn.dropout(x, rate=level, noise_shape=noise_shape, seed=seed)


def dtype(x: Any) -> str:
    """The dtype's name."""
    return x.dtype.name


def elu(x: Any, alpha: float = 1.0) -> Any:
    """``elu`` with a scale ``alpha`` for the negative part."""
    res = tf.nn.elu(x)
    return res if alpha == 1 else tf.where(_t(x) > 0, res, alpha * res)


def equal(x: Any, y: Any) -> Any:
    """``x == y``."""
    return tf.equal(x, y)


def exp(x: Any) -> Any:
    """``exp(x)``."""
    return tf.exp(x)


def expand_dims(x: Any, axis: int = -1) -> Any:
    """``tf.expand_dims``."""
    return tf.expand_dims(x, axis)


def eye(size: Any, dtype: Any = None, name: str | None = None) -> Any:
    """An identity-matrix variable."""
    d = dtype or _backend.floatx()
    return variable(tf.eye(size, dtype=d), d, name)


def flatten(x: Any) -> Any:
    """``x`` as a vector."""
    return tf.reshape(x, [-1])


def foldl(fn: Any, elems: Any, initializer: Any = None, name: str | None = None) -> Any:
    """``tf.foldl``."""
    return tf.foldl(fn, elems, initializer=initializer)


def foldr(fn: Any, elems: Any, initializer: Any = None, name: str | None = None) -> Any:
    """``tf.foldr``."""
    return tf.foldr(fn, elems, initializer=initializer)


def gather(reference: Any, indices: Any) -> Any:
    """``tf.gather``."""
    return tf.gather(reference, indices)


def greater(x: Any, y: Any) -> Any:
    """``x > y``."""
    return tf.greater(x, y)


def greater_equal(x: Any, y: Any) -> Any:
    """``x >= y``."""
    return tf.greater_equal(x, y)


def hard_sigmoid(x: Any) -> Any:
    """``clip(0.2 x + 0.5, 0, 1)``."""
    x = _t(x)
    x = tf.add(tf.multiply(x, tf.constant(0.2, dtype=x.dtype)), tf.constant(0.5, dtype=x.dtype))
    return tf.clip_by_value(x, tf.constant(0.0, dtype=x.dtype), tf.constant(1.0, dtype=x.dtype))


def in_top_k(predictions: Any, targets: Any, k: int) -> Any:
    """Whether each target is among the top ``k`` predictions of its row."""
    return tf.math.in_top_k(targets, predictions, k)


def int_shape(x: Any) -> tuple[int, ...]:
    """The shape as a tuple of ints."""
    return tuple(int(d) for d in x.shape)


def is_float_dtype(dtype: Any) -> bool:
    """True for float dtypes."""
    return standardize_dtype(dtype).startswith(("float", "bfloat"))


def is_int_dtype(dtype: Any) -> bool:
    """True for (unsigned) integer dtypes."""
    return standardize_dtype(dtype).startswith(("int", "uint"))


def l2_normalize(x: Any, axis: Any = None) -> Any:
    """``x / ||x||`` along ``axis``."""
    return tf.math.l2_normalize(x, axis=axis)


def less(x: Any, y: Any) -> Any:
    """``x < y``."""
    return tf.less(x, y)


def less_equal(x: Any, y: Any) -> Any:
    """``x <= y``."""
    return tf.less_equal(x, y)


def log(x: Any) -> Any:
    """``log(x)``."""
    return tf.math.log(x)


def map_fn(fn: Any, elems: Any, name: str | None = None, dtype: Any = None) -> Any:
    """``tf.map_fn``."""
    return tf.map_fn(fn, elems)


def max(x: Any, axis: Any = None, keepdims: bool = False) -> Any:  # noqa: A001
    """Maximum over ``axis``."""
    return tf.reduce_max(x, axis, keepdims)


def maximum(x: Any, y: Any) -> Any:
    """Elementwise maximum."""
    return tf.maximum(x, y)


def _floats(x: Any) -> Any:
    x = _t(x)
    return tf.cast(x, _backend.floatx()) if x.dtype == tf.bool else x


def mean(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Mean over ``axis`` (bools count as floats)."""
    return tf.reduce_mean(_floats(x), axis, keepdims)


def min(x: Any, axis: Any = None, keepdims: bool = False) -> Any:  # noqa: A001
    """Minimum over ``axis``."""
    return tf.reduce_min(x, axis, keepdims)


def minimum(x: Any, y: Any) -> Any:
    """Elementwise minimum."""
    return tf.minimum(x, y)


def moving_average_update(x: Any, value: Any, momentum: Any) -> Any:
    """``x -= (x - value) (1 - momentum)`` on a variable."""
    m = tf.cast(momentum, x.dtype)
    return x.assign_sub((x - tf.cast(value, x.dtype)) * (1 - m))


def name_scope(name: str) -> Any:
    """``tf.name_scope``."""
    return tf.name_scope(name)


def ndim(x: Any) -> int:
    """The rank."""
    return len(x.shape)


def not_equal(x: Any, y: Any) -> Any:
    """``x != y``."""
    return tf.not_equal(x, y)


def one_hot(indices: Any, num_classes: int) -> Any:
    """One-hot rows for integer ``indices``."""
    return tf.one_hot(indices, num_classes, axis=-1)


def ones(shape: Any, dtype: Any = None, name: str | None = None) -> Any:
    """A variable of ones (Keras returns variables here)."""
    d = dtype or _backend.floatx()
    return variable(tf.ones(shape, dtype=d), d, name)


def ones_like(x: Any, dtype: Any = None, name: str | None = None) -> Any:
    """Ones shaped like ``x``."""
    out = tf.ones_like(x)
    return out if dtype is None else tf.cast(out, dtype)


def permute_dimensions(x: Any, pattern: Any) -> Any:
    """``tf.transpose(x, pattern)``."""
    return tf.transpose(x, list(pattern))


def pow(x: Any, a: Any) -> Any:  # noqa: A001
    """``x ** a``."""
    return tf.pow(x, a)


def prod(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Product over ``axis``."""
    return tf.reduce_prod(x, axis, keepdims)


def random_bernoulli(shape: Any, p: float = 0.0, dtype: Any = None, seed: Any = None) -> Any:
    """Ones with probability ``p``, else zeros."""
    d = dtype or _backend.floatx()
    return tf.where(tf.random.uniform(shape, dtype=d, seed=seed) <= p, tf.ones(shape, dtype=d),
                    tf.zeros(shape, dtype=d))


def random_normal(shape: Any, mean: float = 0.0, stddev: float = 1.0, dtype: Any = None,
                  seed: Any = None) -> Any:
    """Normal draws in the default float type."""
    return tf.random.normal(shape, mean=mean, stddev=stddev, dtype=dtype or _backend.floatx(), seed=seed)


def random_uniform(shape: Any, minval: float = 0.0, maxval: float = 1.0, dtype: Any = None,
                   seed: Any = None) -> Any:
    """Uniform draws in the default float type."""
    return tf.random.uniform(shape, minval=minval, maxval=maxval, dtype=dtype or _backend.floatx(),
                             seed=seed)


def random_normal_variable(shape: Any, mean: float, scale: float, dtype: Any = None,
                           name: str | None = None, seed: Any = None) -> Any:
    """A variable of normal draws."""
    d = dtype or _backend.floatx()
    return variable(tf.random.normal(shape, mean=mean, stddev=scale, dtype=d, seed=seed), d, name)


def random_uniform_variable(shape: Any, low: float, high: float, dtype: Any = None,
                            name: str | None = None, seed: Any = None) -> Any:
    """A variable of uniform draws."""
    d = dtype or _backend.floatx()
    return variable(tf.random.uniform(shape, minval=low, maxval=high, dtype=d, seed=seed), d, name)


def relu(x: Any, alpha: float = 0.0, max_value: Any = None, threshold: float = 0.0) -> Any:
    """Rectified linear unit with a leak ``alpha``, a cap ``max_value`` and a ``threshold``."""
    x = _t(x)
    if alpha != 0.0:
        if max_value is None and threshold == 0:
            return tf.nn.leaky_relu(x, alpha=alpha)
        negative_part = tf.nn.relu(-x + threshold) if threshold != 0 else tf.nn.relu(-x)
    clip_max = max_value is not None
    if threshold != 0:
        x = x * tf.cast(tf.greater(x, threshold), x.dtype)
    elif max_value == 6:
        x = tf.nn.relu6(x)
        clip_max = False
    else:
        x = tf.nn.relu(x)
    if clip_max:
        x = tf.clip_by_value(x, tf.constant(0, dtype=x.dtype), tf.constant(max_value, dtype=x.dtype))
    if alpha != 0.0:
        x -= tf.constant(alpha, dtype=x.dtype) * negative_part
    return x


def repeat(x: Any, n: int) -> Any:
    """A 2-D ``[batch, d]`` repeated into ``[batch, n, d]``.

    Raises:
        ValueError: ``x`` is not 2-D.
    """
    x = _t(x)
    if len(x.shape) != 2:
        raise ValueError(f"Expected input `x` to have rank 2. Received: rank(x)={len(x.shape)}")
    return tf.tile(tf.expand_dims(x, 1), [1, n, 1])


def repeat_elements(x: Any, rep: int, axis: int) -> Any:
    """Each slice along ``axis`` repeated ``rep`` times (like ``np.repeat``)."""
    x = _t(x)
    splits = tf.split(x, int(x.shape[axis]), axis=axis)
    return concatenate([s for s in splits for _ in builtins.range(rep)], axis)


def reshape(x: Any, shape: Any) -> Any:
    """``tf.reshape``."""
    return tf.reshape(x, shape)


def result_type(*dtypes: Any) -> str:
    """The dtype numpy promotion gives (names; Python floats count as float32)."""
    names = [standardize_dtype(d) for d in dtypes]
    return str(np.result_type(*[np.dtype(n) for n in names])) if names else _backend.floatx()


def reverse(x: Any, axes: Any) -> Any:
    """``tf.reverse`` (an int axis allowed)."""
    return tf.reverse(x, [axes] if isinstance(axes, int) else axes)


def round(x: Any) -> Any:  # noqa: A001
    """Round half to even."""
    return tf.round(x)


def shape(x: Any) -> Any:
    """``tf.shape``."""
    return tf.shape(x)


def sigmoid(x: Any) -> Any:
    """``sigmoid(x)``."""
    return tf.sigmoid(x)


def sign(x: Any) -> Any:
    """``sign(x)``."""
    return tf.sign(x)


def sin(x: Any) -> Any:
    """``sin(x)``."""
    return tf.sin(x)


def softmax(x: Any, axis: int = -1) -> Any:
    """``tf.nn.softmax``.

    Raises:
        ValueError: ``x`` is 1-D.
    """
    x = _t(x)
    if len(x.shape) <= 1:
        raise ValueError(f"Cannot apply softmax to a tensor that is 1D. Received input: {x}")
    return tf.nn.softmax(x, axis=axis)


def softplus(x: Any) -> Any:
    """``log(1 + exp(x))``."""
    return tf.math.softplus(x)


def softsign(x: Any) -> Any:
    """``x / (1 + |x|)``."""
    return tf.math.softsign(x)


def sparse_categorical_crossentropy(target: Any, output: Any, from_logits: bool = False,
                                    axis: int = -1, ignore_class: Any = None) -> Any:
    """Cross-entropy of integer targets (probabilities clipped to ``[ε, 1 - ε]``)."""
    target, output = tf.cast(_t(target), tf.int64), _t(output)
    if not from_logits:
        eps = tf.constant(_backend.epsilon(), dtype=output.dtype)
        output = tf.math.log(tf.clip_by_value(output, eps, 1 - eps))
    rank = len(output.shape)
    axis %= rank
    if axis != rank - 1:
        output = tf.transpose(output, list(itertools.chain(builtins.range(axis),
                                                           builtins.range(axis + 1, rank), [axis])))
    out_shape = [int(d) for d in output.shape]
    update = len(target.shape) != rank - 1
    if update:
        target = flatten(target)
        output = tf.reshape(output, [-1, out_shape[-1]])
    res = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=target, logits=output)
    if update and rank >= 3:
        res = tf.reshape(res, out_shape[:-1])
    return res


def _padding_check(padding: Any, n: int) -> None:
    if len(padding) != n or builtins.any(len(p) != 2 for p in padding):
        raise ValueError(f"Expected `padding` to be a tuple of {n} tuples of 2 integers. "
                         f"Received: padding={padding}")


def spatial_2d_padding(x: Any, padding: Any = ((1, 1), (1, 1)), data_format: Any = None) -> Any:
    """Zero padding of the two spatial dimensions."""
    _padding_check(padding, 2)
    p = [list(q) for q in padding]
    pattern = [[0, 0], [0, 0], *p] if data_format == "channels_first" else [[0, 0], *p, [0, 0]]
    return tf.pad(x, pattern)


def spatial_3d_padding(x: Any, padding: Any = ((1, 1), (1, 1), (1, 1)), data_format: Any = None) -> Any:
    """Zero padding of the three spatial dimensions."""
    _padding_check(padding, 3)
    p = [list(q) for q in padding]
    pattern = [[0, 0], [0, 0], *p] if data_format == "channels_first" else [[0, 0], *p, [0, 0]]
    return tf.pad(x, pattern)


def sqrt(x: Any) -> Any:
    """``sqrt(max(x, 0))``."""
    x = _t(x)
    return tf.sqrt(tf.maximum(x, tf.constant(0.0, dtype=x.dtype)))


def square(x: Any) -> Any:
    """``x²``."""
    return tf.square(x)


def squeeze(x: Any, axis: int) -> Any:
    """Drop the size-1 dimension ``axis``."""
    return tf.squeeze(x, [axis])


def stack(x: Any, axis: int = 0) -> Any:
    """``tf.stack``."""
    return tf.stack(x, axis=axis)


def standardize_dtype(dtype: Any) -> str:
    """A dtype's name (``"float32"``...); Python ``float``/``int`` give the defaults."""
    if dtype is None:
        return _backend.floatx()
    if dtype is float:
        return "float32"
    if dtype is int:
        return "int64"
    if dtype is bool:
        return "bool"
    name = getattr(dtype, "name", None)
    if isinstance(name, str):
        return name
    return str(np.dtype(dtype))


def std(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Standard deviation over ``axis``."""
    return tf.math.reduce_std(_floats(x), axis=axis, keepdims=keepdims)


def stop_gradient(variables: Any) -> Any:
    """``tf.stop_gradient`` of a tensor (or of each tensor of a list)."""
    if isinstance(variables, (list, tuple)):
        return map(tf.stop_gradient, variables)
    return tf.stop_gradient(variables)


def sum(x: Any, axis: Any = None, keepdims: bool = False) -> Any:  # noqa: A001
    """Sum over ``axis``."""
    return tf.reduce_sum(x, axis, keepdims)


def switch(condition: Any, then_expression: Any, else_expression: Any) -> Any:
    """``then`` or ``else`` by a scalar condition (called if callable), elementwise by a
    tensor condition (broadcast over trailing dimensions).

    Raises:
        ValueError: the condition has a higher rank than the expressions.
    """
    condition = _t(condition)
    if condition.dtype != tf.bool:
        condition = tf.cast(condition, tf.bool)
    if len(condition.shape) == 0:
        chosen = then_expression if bool(condition) else else_expression
        return chosen() if callable(chosen) else chosen
    then_v = then_expression() if callable(then_expression) else then_expression
    else_v = else_expression() if callable(else_expression) else else_expression
    then_v = _t(then_v)
    c_ndim, e_ndim = len(condition.shape), len(then_v.shape)
    if c_ndim > e_ndim:
        raise ValueError("Rank of `condition` should be less than or equal to rank of "
                         f"`then_expression` and `else_expression`. ndim(condition)={c_ndim}, "
                         f"ndim(then_expression)={e_ndim}")
    if 1 < c_ndim < e_ndim:  # as Keras: a rank-1 condition is not expanded
        condition = tf.reshape(condition, [int(d) for d in condition.shape] + [1] * (e_ndim - c_ndim))
    return tf.where(condition, then_v, else_v)


def tanh(x: Any) -> Any:
    """``tanh(x)``."""
    return tf.tanh(x)


def temporal_padding(x: Any, padding: Any = (1, 1)) -> Any:
    """Zero padding of the time dimension of ``[batch, time, features]``.

    Raises:
        ValueError: ``padding`` is not a pair.
    """
    if len(padding) != 2:
        raise ValueError(f"Expected `padding` to be a tuple of 2 integers. Received: padding={padding}")
    return tf.pad(x, [[0, 0], [padding[0], padding[1]], [0, 0]])


def tile(x: Any, n: Any) -> Any:
    """``tf.tile`` (an int multiple allowed)."""
    return tf.tile(x, [n] if isinstance(n, int) else n)


def to_dense(tensor: Any) -> Any:
    """The tensor itself (tapegrad tensors are dense)."""
    return tensor


def transpose(x: Any) -> Any:
    """All dimensions reversed."""
    return tf.transpose(x)


def truncated_normal(shape: Any, mean: float = 0.0, stddev: float = 1.0, dtype: Any = None,
                     seed: Any = None) -> Any:
    """Truncated-normal draws in the default float type."""
    return tf.random.truncated_normal(shape, mean, stddev, dtype=dtype or _backend.floatx(), seed=seed)


def update(x: Any, new_x: Any) -> Any:
    """``x.assign(new_x)``."""
    return x.assign(new_x)


def update_add(x: Any, increment: Any) -> Any:
    """``x.assign_add(increment)``."""
    return x.assign_add(increment)


def update_sub(x: Any, decrement: Any) -> Any:
    """``x.assign_sub(decrement)``."""
    return x.assign_sub(decrement)


def var(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Variance over ``axis``."""
    return tf.math.reduce_variance(_floats(x), axis=axis, keepdims=keepdims)


def variable(value: Any, dtype: Any = None, name: str | None = None, constraint: Any = None) -> Any:
    """A ``tf.Variable`` in the default float type unless ``dtype`` is given."""
    d = dtype or _backend.floatx()
    v = value if tf.is_tensor(value) else tf.convert_to_tensor(np.asarray(value), dtype=d)
    if not v.dtype == tf.as_dtype(d):
        v = tf.cast(v, d)
    return tf.Variable(v, name=name) if name else tf.Variable(v)


def zeros(shape: Any, dtype: Any = None, name: str | None = None) -> Any:
    """A variable of zeros (Keras returns variables here)."""
    d = dtype or _backend.floatx()
    return variable(tf.zeros(shape, dtype=d), d, name)


def zeros_like(x: Any, dtype: Any = None, name: str | None = None) -> Any:
    """Zeros shaped like ``x``."""
    out = tf.zeros_like(x)
    return out if dtype is None else tf.cast(out, dtype)

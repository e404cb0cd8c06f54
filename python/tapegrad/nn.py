"""``tapegrad.nn``: TensorFlow's ``tf.nn`` namespace."""

from __future__ import annotations

from typing import Any

from . import _core
from ._conv_ops import (
    avg_pool,
    avg_pool1d,
    avg_pool2d,
    conv1d,
    conv2d,
    conv2d_transpose,
    convolution,
    depthwise_conv2d,
    max_pool,
    max_pool1d,
    max_pool2d,
    pool,
    separable_conv2d,
)
from ._core import (
    Tensor,
    elu,
    gelu,
    l2_loss,
    leaky_relu,
    log_sigmoid,
    log_softmax,
    relu,
    relu6,
    selu,
    sigmoid,
    silu,
    softmax,
    softmax_cross_entropy_with_logits,
    softplus,
    sparse_softmax_cross_entropy_with_logits,
    tanh,
)
from .array_ops import top_k
from .errors import InvalidArgumentError
from .math import l2_normalize

swish = silu


def _tensor(x: Any) -> Any:
    return x if _core.is_tensor(x) else _core.convert_to_tensor(x)


def sigmoid_cross_entropy_with_logits(
    labels: Any = None, logits: Any = None, name: str | None = None
) -> Tensor:
    """Elementwise logistic loss ``max(x, 0) - x·z + log(1 + exp(-|x|))`` for logits ``x``, labels ``z``.

    TF's numerically stable form, with ``max`` and ``|x|`` written as ``where`` so the
    gradient at ``x = 0`` is TF's. Gradients flow to both ``logits`` and ``labels``.

    Raises:
        ValueError: an argument is missing, or the shapes differ.
    """
    if labels is None or logits is None:
        raise ValueError("Both labels and logits must be provided for sigmoid_cross_entropy_with_logits")
    logits, labels = _tensor(logits), _tensor(labels)
    if tuple(labels.shape) != tuple(logits.shape):
        raise ValueError(
            f"`logits` and `labels` must have the same shape, received ({logits.shape} vs {labels.shape})."
        )
    zeros = _core.zeros_like(logits)
    cond = logits >= zeros
    relu_logits = _core.where(cond, logits, zeros)
    neg_abs_logits = _core.where(cond, -logits, logits)
    return _core.add(relu_logits - logits * labels, _core.log1p(_core.exp(neg_abs_logits)))


def weighted_cross_entropy_with_logits(
    labels: Any, logits: Any, pos_weight: Any, name: str | None = None
) -> Tensor:
    """Logistic loss with positives weighted by ``pos_weight``:
    ``(1 - z)·x + (1 + (q - 1)·z)·(log(1 + exp(-|x|)) + max(-x, 0))``, as TF computes it.

    Raises:
        ValueError: the shapes of ``logits`` and ``labels`` differ.
    """
    logits, labels = _tensor(logits), _tensor(labels)
    if tuple(labels.shape) != tuple(logits.shape):
        raise ValueError(
            f"`logits` and `labels` must have the same shape, received ({logits.shape} vs {labels.shape})."
        )
    log_weight = 1 + (pos_weight - 1) * labels
    return _core.add(
        (1 - labels) * logits,
        log_weight * (_core.log1p(_core.exp(-_core.abs(logits))) + _core.relu(-logits)),
    )


def moments(
    x: Any, axes: Any, shift: Any = None, keepdims: bool = False, name: str | None = None
) -> tuple[Tensor, Tensor]:
    """``(mean, variance)`` of ``x`` over ``axes`` (population variance), as TF's ``nn.moments``.

    Like TF, the variance is taken around ``stop_gradient(mean)``: first derivatives
    are the usual ones, but nested tapes see the mean as a constant (TF's second
    derivatives, which differ from the exact ones).
    """
    x = _tensor(x)
    mean = _core.reduce_mean(x, axes, keepdims=True)
    variance = _core.reduce_mean(_core.squared_difference(x, _core.stop_gradient(mean)), axes, keepdims=True)
    if not keepdims:
        mean = _core.squeeze(mean, axes)
        variance = _core.squeeze(variance, axes)
    return mean, variance


def _noise_shape(x: Any, noise_shape: Any) -> list[int]:
    """The mask shape: ``x``'s shape, or ``noise_shape`` with unknown (None) dims taken from ``x``."""
    if noise_shape is None:
        return [int(d) for d in x.shape]
    dims = list(noise_shape.numpy()) if _core.is_tensor(noise_shape) else list(noise_shape)
    if len(dims) == len(x.shape):
        dims = [int(x.shape[i]) if d is None else d for i, d in enumerate(dims)]
    return [int(d) for d in dims]


def dropout(
    x: Any, rate: Any, noise_shape: Any = None, seed: int | None = None, name: str | None = None
) -> Tensor:
    """TF 2's ``nn.dropout``: zero each entry with probability ``rate``, scale the rest by
    ``1 / (1 - rate)``. Draws from :mod:`tapegrad.random` (so values differ from TF's).

    Raises:
        ValueError: ``rate`` is outside ``[0, 1)`` or ``x`` is not floating point.
    """
    import numbers

    from . import random

    is_number = isinstance(rate, numbers.Real)
    if is_number and not 0 <= rate < 1:
        raise ValueError(
            f"`rate` must be a scalar tensor or a float in the range [0, 1). Received: rate={rate}"
        )
    x = _tensor(x)
    if not x.dtype.is_floating:
        raise ValueError(
            "`x.dtype` must be a floating point tensor as `x` will be scaled. "
            f"Received: x_dtype={x.dtype}"
        )
    if is_number and rate == 0:
        return x
    if is_number:
        scaled = x * _core.constant(1 / (1 - rate), dtype=x.dtype)
    else:
        rate = _core.cast(_tensor(rate), x.dtype)
        if len(rate.shape) != 0:
            raise ValueError(f"`rate` must be a scalar or scalar tensor. Received shape {rate.shape}")
        scaled = x / (1 - rate)
    keep = random.uniform(_noise_shape(x, noise_shape), dtype=x.dtype, seed=seed) >= rate
    return _core.where(keep, scaled, _core.zeros([], dtype=x.dtype))


def bias_add(value: Any, bias: Any, data_format: str | None = None, name: str | None = None) -> Tensor:
    """``value + bias`` with the 1-D ``bias`` along the channel dim (last, or 1 for ``'NC...'`` formats).

    Raises:
        InvalidArgumentError: ``value`` is below 2-D, ``bias`` is not 1-D, or the sizes differ.
    """
    value, bias = _tensor(value), _tensor(bias)
    rank = len(value.shape)
    if rank < 2:
        raise InvalidArgumentError(f"Input tensor must be at least 2D: {list(value.shape)}")
    if len(bias.shape) != 1:
        raise InvalidArgumentError(f"Biases must be 1D: {list(bias.shape)}")
    channel = 1 if data_format is not None and data_format.startswith("NC") else rank - 1
    if int(bias.shape[0]) != int(value.shape[channel]):
        raise InvalidArgumentError(
            f"Must provide as many biases as the channel dimension of the input tensor: "
            f"{list(bias.shape)} vs. {list(value.shape)}"
        )
    if channel == rank - 1:
        return _core.add(value, bias)
    return _core.add(value, _core.reshape(bias, [-1, *[1] * (rank - 2)]))


def embedding_lookup(params: Any, ids: Any, max_norm: Any = None, name: str | None = None) -> Tensor:
    """TF's ``embedding_lookup``: ``gather(params, ids)``, whose gradient with respect to a
    ``params`` variable is ``IndexedSlices``.

    ``params`` may be a list of shards (TF's "div" partitioning of consecutive rows,
    equal here to looking up their concatenation); ``max_norm`` clips each looked-up
    row to that L2 norm.
    """
    if isinstance(params, (list, tuple)):
        if not params:
            raise ValueError("embedding_lookup: params must not be empty")
        params = params[0] if len(params) == 1 else _core.concat(list(params), 0)
    rows = _core.gather(params, ids)
    if max_norm is not None:
        from ._clip_ops import clip_by_norm

        rank = len(rows.shape)
        axes = list(range(len(_tensor(ids).shape), rank))
        rows = clip_by_norm(rows, max_norm, axes=axes)
    return rows


__all__ = [
    "bias_add",
    "embedding_lookup",
    "dropout",
    "elu",
    "gelu",
    "l2_loss",
    "l2_normalize",
    "leaky_relu",
    "log_sigmoid",
    "log_softmax",
    "moments",
    "relu",
    "relu6",
    "selu",
    "sigmoid",
    "sigmoid_cross_entropy_with_logits",
    "silu",
    "softmax",
    "softmax_cross_entropy_with_logits",
    "softplus",
    "sparse_softmax_cross_entropy_with_logits",
    "swish",
    "tanh",
    "top_k",
    "weighted_cross_entropy_with_logits",
]

# The long tail of tf.nn lives in its own module.
from .nn_extra import *  # noqa: E402,F403
from .nn_extra import __all__ as _extra_names  # noqa: E402

__all__ += _extra_names
from .nn_sampled import *  # noqa: E402,F403
from .nn_sampled import __all__ as _sampled_names  # noqa: E402

__all__ += _sampled_names
# Convolution and pooling (``_conv_ops``).
__all__ += [
    "avg_pool",
    "avg_pool1d",
    "avg_pool2d",
    "conv1d",
    "conv2d",
    "conv2d_transpose",
    "convolution",
    "depthwise_conv2d",
    "max_pool",
    "max_pool1d",
    "max_pool2d",
    "pool",
    "separable_conv2d",
]

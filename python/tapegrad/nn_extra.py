"""More of ``tf.nn``: normalisation helpers, moments, CReLU, LRN, depth/space rearrangement and
the distribution-strategy loss helpers (a single replica here).

All are compositions of recorded ops (reshape, transpose, pad, reductions), so their
gradients and second derivatives come from the tape. Formulas follow TF's Python
implementations term by term, so float32 results round the same way.
"""

from __future__ import annotations

import math
from typing import Any

from . import _core
from ._core import Tensor
from ._space_batch import space_to_batch
from .math_extra import approx_max_k, approx_min_k, in_top_k, softsign, zero_fraction

__all__ = [
    "approx_max_k",
    "approx_min_k",
    "batch_norm_with_global_normalization",
    "batch_normalization",
    "compute_average_loss",
    "crelu",
    "depth_to_space",
    "in_top_k",
    "local_response_normalization",
    "log_poisson_loss",
    "lrn",
    "normalize_moments",
    "scale_regularization_loss",
    "softsign",
    "space_to_batch",
    "space_to_depth",
    "sufficient_statistics",
    "weighted_moments",
    "zero_fraction",
]


def _t(x: Any, dtype: Any = None) -> Tensor:
    if _core.is_tensor(x) and dtype is None:
        return x
    return _core.convert_to_tensor(x, dtype=dtype)


def _axes(axes: Any, rank: int) -> list[int]:
    if isinstance(axes, int):
        axes = [axes]
    return [a % rank if rank else a for a in (int(a) for a in axes)]


def crelu(features: Any, name: str | None = None, axis: int = -1) -> Tensor:
    """``concat([relu(x), relu(-x)], axis)``: keeps both signs of the pre-activation."""
    x = _t(features)
    return _core.concat([_core.relu(x), _core.relu(_core.negative(x))], axis)


def normalize_moments(counts: Any, mean_ss: Any, variance_ss: Any, shift: Any, name: str | None = None
                      ) -> tuple[Tensor, Tensor]:
    """Mean and variance from sufficient statistics (``count``, shifted sum, shifted sum of squares)."""
    divisor = _core.reciprocal(_t(counts))
    shifted_mean = _core.multiply(_t(mean_ss), divisor)
    mean = shifted_mean if shift is None else _core.add(shifted_mean, _t(shift))
    variance = _core.subtract(_core.multiply(_t(variance_ss), divisor), _core.square(shifted_mean))
    return mean, variance


def sufficient_statistics(x: Any, axes: Any, shift: Any = None, keepdims: bool = False,
                          name: str | None = None, keep_dims: bool | None = None
                          ) -> tuple[Tensor, Tensor, Tensor, Any]:
    """``(count, Σ(x - shift), Σ(x - shift)², shift)`` over ``axes``; ``count`` has ``x``'s dtype."""
    x = _t(x)
    if keep_dims is not None:
        keepdims = keep_dims
    shape = [int(d) for d in x.shape]
    ax = _axes(axes, len(shape))
    count = _core.constant(float(math.prod(shape[a] for a in ax)), dtype=x.dtype)
    if shift is not None:
        shift = _t(shift, x.dtype if not _core.is_tensor(shift) else None)
        m_ss = _core.reduce_sum(_core.subtract(x, shift), ax, keepdims)
        v_ss = _core.reduce_sum(_core.squared_difference(x, shift), ax, keepdims)
    else:
        m_ss = _core.reduce_sum(x, ax, keepdims)
        v_ss = _core.reduce_sum(_core.square(x), ax, keepdims)
    return count, m_ss, v_ss, shift


def weighted_moments(x: Any, axes: Any, frequency_weights: Any, name: str | None = None,
                     keepdims: bool = False, keep_dims: bool | None = None) -> tuple[Tensor, Tensor]:
    """The ``frequency_weights``-weighted mean and variance of ``x`` over ``axes``."""
    x = _t(x)
    if keep_dims is not None:
        keepdims = keep_dims
    w = _t(frequency_weights, x.dtype if not _core.is_tensor(frequency_weights) else None)
    ax = _axes(axes, len(x.shape))
    weighted_sum = _core.reduce_sum(_core.multiply(w, x), ax, True)
    sum_of_weights = _core.reduce_sum(_core.add(w, _core.zeros_like(x)), ax, True)
    divisor = _core.reciprocal(sum_of_weights)
    mean = _core.multiply(weighted_sum, divisor)
    variance = _core.multiply(
        _core.reduce_sum(_core.multiply(w, _core.squared_difference(x, mean)), ax, True), divisor
    )
    if not keepdims:
        mean = _core.squeeze(mean, ax)
        variance = _core.squeeze(variance, ax)
    return mean, variance


def batch_normalization(x: Any, mean: Any, variance: Any, offset: Any, scale: Any,
                        variance_epsilon: float, name: str | None = None) -> Tensor:
    """``scale · (x - mean) / sqrt(variance + ε) + offset``, written as TF does
    (``x · inv + (offset - mean · inv)``)."""
    x = _t(x)
    inv = _core.rsqrt(_core.add(_t(variance), variance_epsilon))
    if scale is not None:
        inv = _core.multiply(inv, _t(scale))
    shift = _core.negative(_core.multiply(_t(mean), inv)) if offset is None else _core.subtract(
        _t(offset), _core.multiply(_t(mean), inv)
    )
    return _core.add(_core.multiply(x, _core.cast(inv, x.dtype)), _core.cast(shift, x.dtype))


def batch_norm_with_global_normalization(
    t: Any = None, m: Any = None, v: Any = None, beta: Any = None, gamma: Any = None,
    variance_epsilon: Any = None, scale_after_normalization: Any = None, name: str | None = None,
    input: Any = None, mean: Any = None, variance: Any = None,  # noqa: A002
) -> Tensor:
    """TF 1's batch normalisation: :func:`batch_normalization` with ``gamma`` used only when
    ``scale_after_normalization``."""
    x = t if t is not None else input
    m = m if m is not None else mean
    v = v if v is not None else variance
    return batch_normalization(x, m, v, beta, gamma if scale_after_normalization else None,
                               variance_epsilon)


def log_poisson_loss(targets: Any, log_input: Any, compute_full_loss: bool = False,
                     name: str | None = None) -> Tensor:
    """``exp(c) - z·c`` for log-rate ``c`` and count ``z``; with ``compute_full_loss``, plus
    Stirling's ``z log z - z + ½ log(2π z)`` for ``z > 1``.

    Raises:
        ValueError: the shapes differ.
    """
    log_input = _t(log_input)
    targets = _t(targets, log_input.dtype if not _core.is_tensor(targets) else None)
    if tuple(targets.shape) != tuple(log_input.shape):
        raise ValueError(
            f"`log_input` and `targets` must have the same shape, received ({log_input.shape} vs "
            f"{targets.shape})."
        )
    result = _core.subtract(_core.exp(log_input), _core.multiply(log_input, targets))
    if compute_full_loss:
        zeros = _core.zeros_like(targets)
        ones = _core.ones_like(targets)
        small = _core.logical_and(targets >= zeros, targets <= ones)
        safe = _core.where(small, ones, targets)
        stirling = safe * _core.log(safe) - safe + 0.5 * _core.log((2.0 * math.pi) * safe)
        result = _core.add(result, _core.where(small, zeros, stirling))
    return result


def compute_average_loss(per_example_loss: Any, sample_weight: Any = None,
                         global_batch_size: Any = None) -> Tensor:
    """``Σ loss · weight / global_batch_size`` (the batch size by default: one replica).

    Raises:
        ValueError: ``global_batch_size`` is given and not positive.
    """
    loss = _t(per_example_loss)
    if sample_weight is not None:
        loss = _core.multiply(loss, _t(sample_weight, loss.dtype if not _core.is_tensor(sample_weight)
                                       else None))
    if global_batch_size is None:
        size = int(loss.shape[0]) if len(loss.shape) else 1
    else:
        size = int(global_batch_size)
        if size <= 0:
            raise ValueError(f"global_batch_size must be positive. Got: {global_batch_size}")
    total = _core.reduce_sum(loss)
    return _core.divide_no_nan(total, _core.constant(float(size), dtype=loss.dtype))


def scale_regularization_loss(regularization_loss: Any) -> Tensor:
    """The (summed, if a list) regularisation loss divided by the number of replicas (1)."""
    if isinstance(regularization_loss, (list, tuple)):
        return _core.add_n(list(regularization_loss))
    return _t(regularization_loss)


def local_response_normalization(input: Any, depth_radius: int = 5, bias: float = 1.0,  # noqa: A002
                                 alpha: float = 1.0, beta: float = 0.5, name: str | None = None
                                 ) -> Tensor:
    """``x / (bias + alpha · Σ x²)^beta``, the sum over ``depth_radius`` channels either side.

    Raises:
        InvalidArgumentError: ``input`` is not 4-D.
    """
    x = _t(input)
    if len(x.shape) != 4:
        from .errors import InvalidArgumentError

        raise InvalidArgumentError(f"LRN: input must be 4-dimensional, got shape {list(x.shape)}")
    r = int(depth_radius)
    depth = int(x.shape[3])
    padded = _core.pad(_core.square(x), [[0, 0], [0, 0], [0, 0], [r, r]])
    windows = [padded[:, :, :, k: k + depth] for k in range(2 * r + 1)]
    sqr_sum = _core.add_n(windows) if len(windows) > 1 else windows[0]
    return x / _core.pow(bias + alpha * sqr_sum, beta)


lrn = local_response_normalization


def _check_blocks(x: Tensor, block_size: int, op: str) -> list[int]:
    from .errors import InvalidArgumentError

    if block_size < 2:
        raise InvalidArgumentError(f"{op}: block_size should be > 1, got {block_size}")
    if len(x.shape) != 4:
        raise InvalidArgumentError(f"{op}: input rank should be 4 instead of {len(x.shape)}")
    return [int(d) for d in x.shape]


def space_to_depth(input: Any, block_size: int, data_format: str = "NHWC",  # noqa: A002
                   name: str | None = None) -> Tensor:
    """Moves ``block_size × block_size`` spatial blocks into channels (NHWC).

    Raises:
        InvalidArgumentError: the height or width is not a multiple of ``block_size``.
    """
    x = _t(input)
    b, h, w, c = _check_blocks(x, int(block_size), "SpaceToDepth")
    bs = int(block_size)
    if h % bs or w % bs:
        from .errors import InvalidArgumentError

        raise InvalidArgumentError(
            f"Image width {w} and height {h} should be divisible by block_size: {bs}"
        )
    y = _core.reshape(x, [b, h // bs, bs, w // bs, bs, c])
    y = _core.transpose(y, [0, 1, 3, 2, 4, 5])
    return _core.reshape(y, [b, h // bs, w // bs, bs * bs * c])


def depth_to_space(input: Any, block_size: int, data_format: str = "NHWC",  # noqa: A002
                   name: str | None = None) -> Tensor:
    """Moves channels into ``block_size × block_size`` spatial blocks (NHWC; the inverse of
    :func:`space_to_depth`).

    Raises:
        InvalidArgumentError: the depth is not a multiple of ``block_size²``.
    """
    x = _t(input)
    b, h, w, c = _check_blocks(x, int(block_size), "DepthToSpace")
    bs = int(block_size)
    if c % (bs * bs):
        from .errors import InvalidArgumentError

        raise InvalidArgumentError(
            f"Input depth dimension {c} should be divisible by: {bs * bs}"
        )
    y = _core.reshape(x, [b, h, w, bs, bs, c // (bs * bs)])
    y = _core.transpose(y, [0, 1, 3, 2, 4, 5])
    return _core.reshape(y, [b, h * bs, w * bs, c // (bs * bs)])

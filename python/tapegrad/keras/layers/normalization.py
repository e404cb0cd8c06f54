"""Normalization layers: ``BatchNormalization``, ``LayerNormalization``, ``GroupNormalization``,
``RMSNormalization``, ``UnitNormalization``.

All three compute ``(x - mean) * rsqrt(variance + epsilon) * gamma + beta`` in
Keras' (and ``tf.nn.batch_normalization``'s) order of operations:
``inv = rsqrt(variance + epsilon) * gamma``, ``x * inv + (beta - mean * inv)``.
The statistics come from ``tf.nn.moments`` (population variance), so gradients
flow through the batch mean and variance as in TensorFlow.

``BatchNormalization`` normalizes with the batch statistics only when called with
``training=True`` on a trainable layer (and then updates ``moving_mean`` /
``moving_variance``, non-trainable weights, by ``momentum``); otherwise — including
``training=None`` — it uses the moving statistics, as Keras 3 does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import tapegrad

from .. import initializers
from ._spec import (
    check_input,
    get_constraint,
    get_initializer,
    get_regularizer,
    normalize_axis,
    serialize_constraint,
    serialize_initializer,
    serialize_regularizer,
)
from .base import Layer


def _normalize(inputs: Any, mean: Any, variance: Any, gamma: Any, beta: Any, epsilon: float) -> Any:
    """``inputs * inv + (beta - mean * inv)`` with ``inv = rsqrt(variance + epsilon) * gamma``."""
    inv = tapegrad.math.rsqrt(variance + tapegrad.cast(epsilon, variance.dtype))
    if gamma is not None:
        inv = inv * gamma
    shift = -mean * inv
    if beta is not None:
        shift = shift + beta
    return inputs * inv + shift


def _broadcast_to_rank(vector: Any, axis: int, rank: int) -> Any:
    """A 1-D ``vector`` reshaped so that it lies along ``axis`` of a rank-``rank`` tensor."""
    if vector is None or axis == rank - 1:
        return vector
    shape = [1] * rank
    shape[axis] = -1
    return tapegrad.reshape(vector, shape)


class _AffineNormalization(Layer):
    """What the three layers share: ``epsilon``, ``center``/``scale`` and the ``gamma``/``beta`` weights."""

    def __init__(
        self,
        epsilon: float,
        center: bool,
        scale: bool,
        beta_initializer: initializers.InitializerLike,
        gamma_initializer: initializers.InitializerLike,
        **kwargs: Any,
    ) -> None:
        # Keras takes these four as keywords of every normalization layer; they reach the
        # weights through ``add_weight`` (penalties in ``losses``, constraints after each step).
        beta_regularizer = get_regularizer(kwargs.pop("beta_regularizer", None))
        gamma_regularizer = get_regularizer(kwargs.pop("gamma_regularizer", None))
        beta_constraint = get_constraint(kwargs.pop("beta_constraint", None))
        gamma_constraint = get_constraint(kwargs.pop("gamma_constraint", None))
        super().__init__(**kwargs)
        self.beta_regularizer = beta_regularizer
        self.gamma_regularizer = gamma_regularizer
        self.beta_constraint = beta_constraint
        self.gamma_constraint = gamma_constraint
        self.epsilon = float(epsilon)
        self.center = bool(center)
        self.scale = bool(scale)
        self.beta_initializer = get_initializer(beta_initializer)
        self.gamma_initializer = get_initializer(gamma_initializer)
        self.gamma: Any = None
        self.beta: Any = None

    def _build_affine(self, shape: tuple[int, ...]) -> None:
        if self.scale:
            self.gamma = self.add_weight(
                name="gamma",
                shape=shape,
                initializer=self.gamma_initializer,
                regularizer=self.gamma_regularizer,
                constraint=self.gamma_constraint,
            )
        if self.center:
            self.beta = self.add_weight(
                name="beta",
                shape=shape,
                initializer=self.beta_initializer,
                regularizer=self.beta_regularizer,
                constraint=self.beta_constraint,
            )

    def _affine_weights(self, dtype: Any) -> tuple[Any, Any]:
        gamma = None if self.gamma is None else tapegrad.cast(self.gamma, dtype)
        beta = None if self.beta is None else tapegrad.cast(self.beta, dtype)
        return gamma, beta

    def compute_output_shape(self, input_shape: Sequence[Any]) -> tuple[Any, ...]:
        """The input shape (normalization keeps it)."""
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": serialize_initializer(self.beta_initializer),
            "gamma_initializer": serialize_initializer(self.gamma_initializer),
            "beta_regularizer": serialize_regularizer(self.beta_regularizer),
            "gamma_regularizer": serialize_regularizer(self.gamma_regularizer),
            "beta_constraint": serialize_constraint(self.beta_constraint),
            "gamma_constraint": serialize_constraint(self.gamma_constraint),
        }


class BatchNormalization(_AffineNormalization):
    """Normalize over every axis but ``axis`` with the batch statistics (training) or the moving ones.

    Weights, in Keras' order: ``gamma`` and ``beta`` (trainable, shape ``(channels,)``),
    then ``moving_mean`` and ``moving_variance`` (non-trainable). While training,
    ``moving = moving * momentum + batch_statistic * (1 - momentum)``.
    """

    def __init__(
        self,
        axis: int = -1,
        momentum: float = 0.99,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        beta_initializer: initializers.InitializerLike = "zeros",
        gamma_initializer: initializers.InitializerLike = "ones",
        moving_mean_initializer: initializers.InitializerLike = "zeros",
        moving_variance_initializer: initializers.InitializerLike = "ones",
        **kwargs: Any,
    ) -> None:
        for flag in ("renorm", "synchronized", "fused"):
            if kwargs.pop(flag, None):
                raise NotImplementedError(f"BatchNormalization: {flag}=True is not supported by tapegrad")
        kwargs.pop("renorm_clipping", None)
        kwargs.pop("renorm_momentum", None)
        kwargs.pop("virtual_batch_size", None)
        kwargs.pop("adjustment", None)
        super().__init__(epsilon, center, scale, beta_initializer, gamma_initializer, **kwargs)
        if isinstance(axis, (list, tuple)):
            if len(axis) != 1:
                raise NotImplementedError("BatchNormalization: only a single `axis` is supported by tapegrad")
            axis = axis[0]
        self.axis = int(axis)
        self.momentum = float(momentum)
        self.moving_mean_initializer = get_initializer(moving_mean_initializer)
        self.moving_variance_initializer = get_initializer(moving_variance_initializer)
        self.moving_mean: Any = None
        self.moving_variance: Any = None
        self._rank: int | None = None
        self._channels: int | None = None

    def build(self, input_shape: Any) -> None:
        """Create ``gamma``, ``beta``, ``moving_mean`` and ``moving_variance`` of shape ``(channels,)``."""
        shape = tuple(input_shape)
        axis = normalize_axis(self, self.axis, len(shape))
        channels = shape[axis]
        if channels is None:
            raise ValueError(
                f'Layer "{self.name}": axis {self.axis} of the input must have a known size. '
                f"Received input_shape={shape}"
            )
        self._rank, self._channels = len(shape), int(channels)
        self._build_affine((int(channels),))
        self.moving_mean = self.add_weight(
            name="moving_mean",
            shape=(int(channels),),
            initializer=self.moving_mean_initializer,
            trainable=False,
        )
        self.moving_variance = self.add_weight(
            name="moving_variance",
            shape=(int(channels),),
            initializer=self.moving_variance_initializer,
            trainable=False,
        )
        self.built = True

    def call(self, inputs: Any, training: bool | None = None) -> Any:  # type: ignore[override]
        """Batch statistics when ``training`` (and trainable), else the moving statistics."""
        shape = check_input(self, inputs, ndim=self._rank, axes={self.axis: self._channels})
        rank = len(shape)
        axis = normalize_axis(self, self.axis, rank)
        moving_mean = tapegrad.cast(self.moving_mean, inputs.dtype)
        moving_variance = tapegrad.cast(self.moving_variance, inputs.dtype)
        if training and self.trainable:
            reduction_axes = [a for a in range(rank) if a != axis]
            mean, variance = tapegrad.nn.moments(inputs, axes=reduction_axes)
            # Python-float factors, as Keras writes them (1.0 - 0.99 rounds differently in float32).
            new_mean = moving_mean * self.momentum + mean * (1.0 - self.momentum)
            new_variance = moving_variance * self.momentum + variance * (1.0 - self.momentum)
            self.moving_mean.assign(tapegrad.cast(tapegrad.stop_gradient(new_mean), self.moving_mean.dtype))
            self.moving_variance.assign(
                tapegrad.cast(tapegrad.stop_gradient(new_variance), self.moving_variance.dtype)
            )
        else:
            mean, variance = moving_mean, moving_variance
        gamma, beta = self._affine_weights(inputs.dtype)
        return _normalize(
            inputs,
            _broadcast_to_rank(mean, axis, rank),
            _broadcast_to_rank(variance, axis, rank),
            _broadcast_to_rank(gamma, axis, rank),
            _broadcast_to_rank(beta, axis, rank),
            self.epsilon,
        )

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "axis": self.axis,
            "momentum": self.momentum,
            "moving_mean_initializer": serialize_initializer(self.moving_mean_initializer),
            "moving_variance_initializer": serialize_initializer(self.moving_variance_initializer),
            "synchronized": False,
            "renorm": False,
            "renorm_clipping": None,
            "renorm_momentum": 0.99,
        }


class LayerNormalization(_AffineNormalization):
    """Normalize each sample over ``axis`` (an int or a list of axes), then scale by ``gamma`` and
    shift by ``beta`` (shape: the sizes of those axes)."""

    def __init__(
        self,
        axis: int | Sequence[int] = -1,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        beta_initializer: initializers.InitializerLike = "zeros",
        gamma_initializer: initializers.InitializerLike = "ones",
        **kwargs: Any,
    ) -> None:
        if kwargs.pop("rms_scaling", False):
            raise NotImplementedError("LayerNormalization: rms_scaling=True is not supported by tapegrad")
        super().__init__(epsilon, center, scale, beta_initializer, gamma_initializer, **kwargs)
        if isinstance(axis, (list, tuple)):
            self.axis: int | list[int] = [int(a) for a in axis]
        elif isinstance(axis, int):
            self.axis = axis
        else:
            raise TypeError(
                f"Expected an int or a list/tuple of ints for the argument 'axis', but received: {axis!r}"
            )
        self._axes: list[int] = []
        self._sizes: dict[int, int] = {}

    def build(self, input_shape: Any) -> None:
        """Create ``gamma`` and ``beta`` with the sizes of the normalized axes."""
        shape = tuple(input_shape)
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        self._axes = sorted(normalize_axis(self, a, len(shape)) for a in axes)
        for a in self._axes:
            if shape[a] is None:
                raise ValueError(
                    f'Layer "{self.name}": axis {a} of the input must have a known size. '
                    f"Received input_shape={shape}"
                )
        self._sizes = {a: int(shape[a]) for a in self._axes}
        self._rank = len(shape)
        self._build_affine(tuple(self._sizes[a] for a in self._axes))
        self.built = True

    def call(self, inputs: Any) -> Any:  # type: ignore[override]
        """``(x - mean) / sqrt(variance + epsilon) * gamma + beta`` over the normalized axes."""
        shape = check_input(self, inputs, ndim=self._rank, axes=self._sizes)
        rank = len(shape)
        mean, variance = tapegrad.nn.moments(inputs, axes=self._axes, keepdims=True)
        gamma, beta = self._affine_weights(inputs.dtype)
        if self._axes != [rank - 1]:
            broadcast = [shape[a] if a in self._sizes else 1 for a in range(rank)]
            gamma = None if gamma is None else tapegrad.reshape(gamma, broadcast)
            beta = None if beta is None else tapegrad.reshape(beta, broadcast)
        return _normalize(inputs, mean, variance, gamma, beta, self.epsilon)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis, "rms_scaling": False}


class GroupNormalization(_AffineNormalization):
    """Split the channels (``axis``) into ``groups`` and normalize each group of each sample
    over its channels and every other non-batch axis; ``groups=-1`` is instance normalization."""

    def __init__(
        self,
        groups: int = 32,
        axis: int = -1,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        beta_initializer: initializers.InitializerLike = "zeros",
        gamma_initializer: initializers.InitializerLike = "ones",
        **kwargs: Any,
    ) -> None:
        if not isinstance(groups, int) or (groups <= 0 and groups != -1):
            raise ValueError(
                "Received an invalid value for argument `groups`, expected a positive integer "
                f"(or `-1` for instance normalization). Received: groups={groups}"
            )
        super().__init__(epsilon, center, scale, beta_initializer, gamma_initializer, **kwargs)
        self.groups = groups
        self.axis = int(axis)
        self._rank: int | None = None
        self._channels: int | None = None

    def build(self, input_shape: Any) -> None:
        """Check that ``groups`` divides the channels; create ``gamma`` and ``beta`` ``(channels,)``."""
        shape = tuple(input_shape)
        axis = normalize_axis(self, self.axis, len(shape))
        dim = shape[axis]
        if dim is None:
            raise ValueError(
                f'Layer "{self.name}": axis {self.axis} of input tensor should have a defined dimension but '
                "the layer "
                f"received an input with shape {shape}."
            )
        if self.groups == -1:
            self.groups = int(dim)
        if dim < self.groups:
            raise ValueError(
                f'Layer "{self.name}": Number of groups ({self.groups}) cannot be more than the number of '
                f"channels ({dim})."
            )
        if dim % self.groups != 0:
            raise ValueError(
                f'Layer "{self.name}": Number of groups ({self.groups}) must be a multiple of the number of '
                f"channels ({dim})."
            )
        self._rank, self._channels = len(shape), int(dim)
        self._build_affine((int(dim),))
        self.built = True

    def call(self, inputs: Any) -> Any:  # type: ignore[override]
        """Reshape to ``(..., groups, channels // groups, ...)``, normalize per group, reshape back."""
        shape = check_input(self, inputs, ndim=self._rank, axes={self.axis: self._channels})
        rank = len(shape)
        axis = normalize_axis(self, self.axis, rank)
        # -1 for the batch axis, so an unknown batch size works as in Keras.
        grouped_shape = [-1, *shape[1:axis], self.groups, shape[axis] // self.groups, *shape[axis + 1 :]]
        grouped = tapegrad.reshape(inputs, grouped_shape)
        reduction_axes = [a for a in range(1, rank + 1) if a != axis]
        mean, variance = tapegrad.nn.moments(grouped, axes=reduction_axes, keepdims=True)
        broadcast = [1] * (rank + 1)
        broadcast[axis], broadcast[axis + 1] = self.groups, shape[axis] // self.groups
        gamma, beta = self._affine_weights(inputs.dtype)
        gamma = None if gamma is None else tapegrad.reshape(gamma, broadcast)
        beta = None if beta is None else tapegrad.reshape(beta, broadcast)
        outputs = _normalize(grouped, mean, variance, gamma, beta, self.epsilon)
        return tapegrad.reshape(outputs, (-1, *shape[1:]))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "groups": self.groups, "axis": self.axis}


def _axes_list(layer: Layer, axis: int | Sequence[int], rank: int) -> list[int]:
    axes: list[int] = [int(a) for a in axis] if isinstance(axis, (list, tuple)) else [int(axis)]  # type: ignore[arg-type]
    return sorted(normalize_axis(layer, a, rank) for a in axes)


class RMSNormalization(Layer):
    """``x * rsqrt(mean(x^2, axis) + epsilon) * scale``, with a learned ``scale`` over ``axis``."""

    def __init__(self, axis: int | Sequence[int] = -1, epsilon: float = 1e-6, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = list(axis) if isinstance(axis, (list, tuple)) else axis
        self.epsilon = epsilon
        self.scale: Any = None
        self._axes: list[int] = []
        self._sizes: dict[int, int] = {}
        self._rank: int | None = None

    def build(self, input_shape: Any) -> None:
        """Create ``scale`` (ones) with the sizes of the normalized axes."""
        shape = tuple(input_shape)
        self._axes = _axes_list(self, self.axis, len(shape))
        self._sizes = {a: int(shape[a]) for a in self._axes}
        self._rank = len(shape)
        self.scale = self.add_weight(
            name="scale", shape=tuple(self._sizes[a] for a in self._axes), initializer="ones"
        )
        self.built = True

    def call(self, inputs: Any) -> Any:  # type: ignore[override]
        """``inputs * rsqrt(mean(inputs^2) + epsilon) * scale``."""
        shape = check_input(self, inputs, ndim=self._rank, axes=self._sizes)
        mean_square = tapegrad.reduce_mean(tapegrad.square(inputs), axis=self._axes, keepdims=True)
        outputs = inputs * tapegrad.math.rsqrt(mean_square + tapegrad.cast(self.epsilon, inputs.dtype))
        scale = tapegrad.cast(self.scale, inputs.dtype)
        if self._axes != [len(shape) - 1]:
            scale = tapegrad.reshape(scale, [shape[a] if a in self._sizes else 1 for a in range(len(shape))])
        return outputs * scale

    def compute_output_shape(self, input_shape: Sequence[Any]) -> tuple[Any, ...]:
        """The input shape."""
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon}


class UnitNormalization(Layer):
    """Scale each sample to unit L2 norm over ``axis``: ``x * min(rsqrt(sum(x^2)), 1e12)``."""

    def __init__(self, axis: int | Sequence[int] = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):
            self.axis: int | list[int] = [int(a) for a in axis]
        elif isinstance(axis, int):
            self.axis = axis
        else:
            raise TypeError(
                "Invalid value for `axis` argument: expected an int or a list/tuple of ints. "
                f"Received: axis={axis}"
            )

    def call(self, inputs: Any) -> Any:  # type: ignore[override]
        """``inputs / ||inputs||`` along ``axis`` (Keras' ``ops.normalize`` with epsilon 1e-12)."""
        axes = _axes_list(self, self.axis, len(inputs.shape))
        square_sum = tapegrad.reduce_sum(tapegrad.square(inputs), axis=axes, keepdims=True)
        inv_norm = tapegrad.minimum(tapegrad.math.rsqrt(square_sum), tapegrad.cast(1e12, inputs.dtype))
        return inputs * inv_norm

    def compute_output_shape(self, input_shape: Sequence[Any]) -> tuple[Any, ...]:
        """The input shape."""
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis}

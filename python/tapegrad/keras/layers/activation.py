"""Activation layers: ``ReLU``, ``Softmax``, ``LeakyReLU``, ``PReLU``, ``ELU``."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import tapegrad

from .. import initializers
from ._spec import (
    check_input,
    get_constraint,
    get_initializer,
    get_regularizer,
    serialize_constraint,
    serialize_initializer,
    serialize_regularizer,
)
from .base import Layer


class ReLU(Layer):
    """``max_value`` above it, ``x`` from ``threshold`` up, ``negative_slope * (x - threshold)`` below."""

    def __init__(
        self,
        max_value: float | None = None,
        negative_slope: float = 0.0,
        threshold: float = 0.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if max_value is not None and max_value < 0.0:
            raise ValueError(f"max_value of a ReLU layer cannot be a negative value. Received: {max_value}")
        if negative_slope is None or negative_slope < 0.0:
            raise ValueError(
                f"negative_slope of a ReLU layer cannot be a negative value. Received: {negative_slope}"
            )
        if threshold is None or threshold < 0.0:
            raise ValueError(f"threshold of a ReLU layer cannot be a negative value. Received: {threshold}")
        self.max_value = max_value
        self.negative_slope = negative_slope
        self.threshold = threshold

    def call(self, inputs: Any) -> Any:  # type: ignore[override]
        """The thresholded, leaky, capped rectifier (``tf.nn.relu`` with the defaults)."""
        if self.negative_slope == 0.0 and self.threshold == 0.0:
            outputs = tapegrad.nn.relu(inputs)
        else:
            below = self.negative_slope * (inputs - self.threshold)
            outputs = tapegrad.where(inputs >= self.threshold, inputs, below)
        if self.max_value is not None:
            outputs = tapegrad.minimum(outputs, self.max_value)
        return outputs

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "max_value": self.max_value,
            "negative_slope": self.negative_slope,
            "threshold": self.threshold,
        }


class Softmax(Layer):
    """``softmax(inputs)`` along ``axis``."""

    def __init__(self, axis: int = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = axis

    def call(self, inputs: Any, mask: Any = None) -> Any:  # type: ignore[override]
        """``exp(inputs) / sum(exp(inputs), axis)``; ``axis`` may be a list of axes.

        Where ``mask`` (broadcastable to ``inputs``) is false the logits are replaced
        by a large negative number and the outputs by 0, as Keras does.
        """
        if mask is not None:
            mask = tapegrad.convert_to_tensor(mask)
            if len(mask.shape) > len(inputs.shape) or any(
                m != 1 and m != i for m, i in zip(tuple(mask.shape)[::-1], tuple(inputs.shape)[::-1])
            ):
                raise ValueError(
                    "The `mask` must be broadcastable to `inputs`. Each mask dimension must be 1 or "
                    f"match the corresponding input dimension. Received: inputs.shape={tuple(inputs.shape)}, "
                    f"mask.shape={tuple(mask.shape)}"
                )
            if mask.dtype != tapegrad.bool:
                mask = mask > tapegrad.cast(0.5, mask.dtype)
            mask = tapegrad.broadcast_to(mask, tuple(inputs.shape))
            large_negative = -3e4 if inputs.dtype == tapegrad.float16 else -1e9
            filler = tapegrad.fill(tuple(inputs.shape), tapegrad.cast(large_negative, inputs.dtype))
            inputs = tapegrad.where(mask, inputs, filler)
        if isinstance(self.axis, (list, tuple)) and len(self.axis) > 1:
            axes = list(self.axis)
            outputs = tapegrad.exp(inputs - tapegrad.reduce_logsumexp(inputs, axis=axes, keepdims=True))
        else:
            axis = self.axis[0] if isinstance(self.axis, (list, tuple)) else self.axis
            outputs = tapegrad.nn.softmax(inputs, axis=axis)
        if mask is not None:
            outputs = tapegrad.where(mask, outputs, tapegrad.zeros_like(outputs))
        return outputs

    def compute_output_shape(self, input_shape: Sequence[Any]) -> tuple[Any, ...]:
        """The input shape."""
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis}


class LeakyReLU(Layer):
    """``x`` for ``x >= 0``, ``negative_slope * x`` below (Keras 3's default slope is 0.3).

    The tf.keras 2 keyword ``alpha`` is accepted for ``negative_slope`` (with Keras 3's
    deprecation warning).
    """

    def __init__(self, negative_slope: float = 0.3, **kwargs: Any) -> None:
        if "alpha" in kwargs:
            negative_slope = kwargs.pop("alpha")
            warnings.warn("Argument `alpha` is deprecated. Use `negative_slope` instead.", stacklevel=2)
        super().__init__(**kwargs)
        if negative_slope is None or negative_slope < 0:
            raise ValueError(
                "The negative_slope value of a Leaky ReLU layer cannot be None or negative value. "
                f"Expected a float. Received: negative_slope={negative_slope}"
            )
        self.negative_slope = negative_slope

    def call(self, inputs: Any) -> Any:  # type: ignore[override]
        """``tf.nn.leaky_relu(inputs, alpha=negative_slope)``."""
        return tapegrad.nn.leaky_relu(inputs, alpha=self.negative_slope)

    def compute_output_shape(self, input_shape: Sequence[Any]) -> tuple[Any, ...]:
        """The input shape."""
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "negative_slope": self.negative_slope}


class PReLU(Layer):
    """A leaky ReLU whose slope ``alpha`` is learned: ``relu(x) - alpha * relu(-x)``.

    ``alpha`` has the shape of one sample, with size 1 along the ``shared_axes``
    (1-based, as in Keras: ``shared_axes=[1, 2]`` shares it over height and width).
    """

    def __init__(
        self,
        alpha_initializer: initializers.InitializerLike = "zeros",
        alpha_regularizer: Any = None,
        alpha_constraint: Any = None,
        shared_axes: int | Sequence[int] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.alpha_regularizer = get_regularizer(alpha_regularizer)
        self.alpha_constraint = get_constraint(alpha_constraint)
        self.alpha_initializer = get_initializer(alpha_initializer)
        if shared_axes is None:
            self.shared_axes: list[int] | None = None
        elif isinstance(shared_axes, (list, tuple)):
            self.shared_axes = [int(a) for a in shared_axes]
        else:
            self.shared_axes = [int(shared_axes)]  # type: ignore[arg-type]
        self.alpha: Any = None
        self._rank: int | None = None
        self._sizes: dict[int, int] = {}

    def build(self, input_shape: Any) -> None:
        """Create ``alpha`` with the sample shape, 1 along ``shared_axes``."""
        shape = tuple(input_shape)
        param_shape = list(shape[1:])
        for axis in self.shared_axes or []:
            if not 1 <= axis < len(shape):
                raise ValueError(
                    f'Layer "{self.name}": shared_axes must be in [1, {len(shape) - 1}] for inputs of '
                    f"shape {shape}. Received: shared_axes={self.shared_axes}"
                )
            param_shape[axis - 1] = 1
        if any(d is None for d in param_shape):
            raise ValueError(
                f'Layer "{self.name}": every non-batch axis that is not shared must have a known size. '
                f"Received input_shape={shape}"
            )
        self.alpha = self.add_weight(
            name="alpha",
            shape=tuple(param_shape),
            initializer=self.alpha_initializer,
            regularizer=self.alpha_regularizer,
            constraint=self.alpha_constraint,
        )
        self._rank = len(shape)
        self._sizes = {i: int(shape[i]) for i in range(1, len(shape)) if i not in (self.shared_axes or [])}
        self.built = True

    def call(self, inputs: Any) -> Any:  # type: ignore[override]
        """``relu(inputs) - alpha * relu(-inputs)``."""
        check_input(self, inputs, ndim=self._rank, axes=self._sizes)
        return tapegrad.nn.relu(inputs) + (-self.alpha) * tapegrad.nn.relu(-inputs)

    def compute_output_shape(self, input_shape: Sequence[Any]) -> tuple[Any, ...]:
        """The input shape."""
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "alpha_initializer": serialize_initializer(self.alpha_initializer),
            "alpha_regularizer": serialize_regularizer(self.alpha_regularizer),
            "alpha_constraint": serialize_constraint(self.alpha_constraint),
            "shared_axes": self.shared_axes,
        }


class ELU(Layer):
    """``x`` for ``x > 0``, ``alpha * (exp(x) - 1)`` below."""

    def __init__(self, alpha: float = 1.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.alpha = alpha

    def call(self, inputs: Any) -> Any:  # type: ignore[override]
        """``tf.nn.elu(inputs)``, scaled by ``alpha`` on the negative side."""
        outputs = tapegrad.nn.elu(inputs)
        if self.alpha == 1:
            return outputs
        return tapegrad.where(inputs > 0, outputs, self.alpha * outputs)

    def compute_output_shape(self, input_shape: Sequence[Any]) -> tuple[Any, ...]:
        """The input shape."""
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "alpha": self.alpha}

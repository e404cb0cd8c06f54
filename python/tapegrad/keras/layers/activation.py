"""Activation layers: ``ReLU``, ``Softmax``."""

from __future__ import annotations

from typing import Any

import tapegrad

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

    def call(self, inputs: Any) -> Any:  # type: ignore[override]
        """``exp(inputs) / sum(exp(inputs), axis)``."""
        return tapegrad.nn.softmax(inputs, axis=self.axis)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis}

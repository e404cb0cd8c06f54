"""Regularization layers that act only while training: ``GaussianNoise``, ``GaussianDropout``,
``SpatialDropout1D/2D/3D`` (``Dropout`` itself lives in ``core``).

Outside training (``training`` false or not given) each returns its inputs unchanged.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import tapegrad

from ._spec import check_input
from .base import Layer
from .core import Dropout


def _check_unit_interval(argument: str, value: Any) -> None:
    if not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ValueError(
            f"Invalid value received for argument `{argument}`. Expected a float value between 0 and 1. "
            f"Received: {argument}={value}"
        )


class GaussianNoise(Layer):
    """Adds zero-mean Gaussian noise of standard deviation ``stddev`` while training."""

    def __init__(self, stddev: float, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        _check_unit_interval("stddev", stddev)
        self.stddev = stddev
        self.seed = seed

    def call(self, inputs: Any, training: bool | None = None) -> Any:  # type: ignore[override]
        """``inputs + normal(0, stddev)`` when training."""
        if not training or self.stddev == 0:
            return inputs
        noise = tapegrad.random.normal(
            tuple(inputs.shape), mean=0.0, stddev=self.stddev, dtype=inputs.dtype, seed=self.seed
        )
        return inputs + noise

    def compute_output_shape(self, input_shape: Sequence[Any]) -> tuple[Any, ...]:
        """The input shape."""
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "stddev": self.stddev, "seed": self.seed}


class GaussianDropout(Layer):
    """Multiplies the inputs by ``normal(1, sqrt(rate / (1 - rate)))`` noise while training."""

    def __init__(self, rate: float, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        _check_unit_interval("rate", rate)
        self.rate = rate
        self.seed = seed

    def call(self, inputs: Any, training: bool | None = None) -> Any:  # type: ignore[override]
        """``inputs * normal(1, sqrt(rate / (1 - rate)))`` when training."""
        if not training or self.rate == 0:
            return inputs
        stddev = math.sqrt(self.rate / (1.0 - self.rate)) if self.rate < 1 else math.inf
        noise = tapegrad.random.normal(
            tuple(inputs.shape), mean=1.0, stddev=stddev, dtype=inputs.dtype, seed=self.seed
        )
        return inputs * noise

    def compute_output_shape(self, input_shape: Sequence[Any]) -> tuple[Any, ...]:
        """The input shape."""
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


def _standardize_data_format(data_format: str | None) -> str:
    data_format = "channels_last" if data_format is None else str(data_format).lower()
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError(
            "The `data_format` argument must be one of {'channels_first', 'channels_last'}. "
            f"Received: data_format={data_format}"
        )
    return data_format


class _SpatialDropout(Dropout):
    """Dropout of whole feature maps: one mask value per (sample, channel)."""

    _rank = 3

    def __init__(
        self,
        rate: float,
        data_format: str | None = None,
        seed: int | None = None,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(rate, seed=seed, name=name, dtype=dtype)
        self.data_format = _standardize_data_format(data_format)

    def _noise_shape(self, inputs: Any) -> tuple[int, ...]:
        shape = tuple(int(d) for d in inputs.shape)
        ones = (1,) * (len(shape) - 2)
        if self.data_format == "channels_first":
            return (shape[0], shape[1], *ones)
        return (shape[0], *ones, shape[-1])

    def call(self, inputs: Any, training: bool | None = None) -> Any:  # type: ignore[override]
        """Dropout with the mask shared over the spatial axes, when training."""
        check_input(self, inputs, ndim=self._rank)
        return super().call(inputs, training=training)

    def compute_output_shape(self, input_shape: Sequence[Any]) -> tuple[Any, ...]:
        """The input shape."""
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {
            "rate": self.rate,
            "seed": self.seed,
            "name": self.name,
            "dtype": str(getattr(self.dtype, "name", self.dtype)),
        }


class SpatialDropout1D(_SpatialDropout):
    """Drops entire channels of ``(batch, steps, channels)`` inputs while training."""

    _rank = 3

    def __init__(
        self, rate: float, seed: int | None = None, name: str | None = None, dtype: Any = None
    ) -> None:
        super().__init__(rate, data_format="channels_last", seed=seed, name=name, dtype=dtype)


class SpatialDropout2D(_SpatialDropout):
    """Drops entire channels of 4-D inputs (``channels_last`` by default) while training."""

    _rank = 4

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "data_format": self.data_format}


class SpatialDropout3D(_SpatialDropout):
    """Drops entire channels of 5-D inputs (``channels_last`` by default) while training."""

    _rank = 5

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "data_format": self.data_format}

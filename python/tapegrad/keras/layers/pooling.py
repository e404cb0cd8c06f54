"""Pooling layers: ``MaxPooling1D/2D``, ``AveragePooling1D/2D`` and the global poolings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import tapegrad

from ... import _conv_ops
from .base import Layer
from .convolutional import check_rank, normalize_data_format, normalize_padding, normalize_tuple


class _Pooling(Layer):
    """Windowed max or average pooling over ``_rank`` spatial dims."""

    _rank = 2
    _kind = "max"

    def __init__(
        self,
        pool_size: Any = 2,
        strides: Any = None,
        padding: str = "valid",
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        n = self._rank
        self.pool_size = normalize_tuple(pool_size, n, "pool_size")
        self.strides = self.pool_size if strides is None else normalize_tuple(strides, n, "strides")
        self.padding = normalize_padding(padding)
        self.data_format = normalize_data_format(data_format)

    def call(self, inputs: Any) -> Any:  # type: ignore[override]
        """Pool each window of the inputs."""
        check_rank(self, tuple(inputs.shape), self._rank + 2)
        last = self.data_format == "channels_last"
        if self._rank == 1:
            fn = _conv_ops.max_pool1d if self._kind == "max" else _conv_ops.avg_pool1d
            fmt = "NWC" if last else "NCW"
        else:
            fn = _conv_ops.max_pool2d if self._kind == "max" else _conv_ops.avg_pool2d
            fmt = "NHWC" if last else "NCHW"
        return fn(inputs, self.pool_size, self.strides, self.padding.upper(), fmt)

    def compute_output_shape(self, input_shape: Sequence[Any]) -> tuple[Any, ...]:
        """The pooled shape (``None`` dims stay ``None``)."""
        last = self.data_format == "channels_last"
        spatial = list(input_shape[1:-1] if last else input_shape[2:])
        out = []
        for d, k, s in zip(spatial, self.pool_size, self.strides):
            if d is None:
                out.append(None)
            elif self.padding == "same":
                out.append((int(d) + s - 1) // s)
            else:
                out.append((int(d) - k) // s + 1)
        if last:
            return (input_shape[0], *out, input_shape[-1])
        return (input_shape[0], input_shape[1], *out)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "pool_size": self.pool_size,
            "padding": self.padding,
            "strides": self.strides,
            "data_format": self.data_format,
        }


class MaxPooling2D(_Pooling):
    """The maximum of each ``pool_size`` window (strides default to ``pool_size``)."""

    _rank, _kind = 2, "max"


class AveragePooling2D(_Pooling):
    """The mean of each ``pool_size`` window (padding not counted)."""

    _rank, _kind = 2, "avg"


class MaxPooling1D(_Pooling):
    """The maximum of each window of ``(batch, steps, channels)`` inputs."""

    _rank, _kind = 1, "max"


class AveragePooling1D(_Pooling):
    """The mean of each window of ``(batch, steps, channels)`` inputs."""

    _rank, _kind = 1, "avg"


class _GlobalPooling(Layer):
    """Max or mean over all spatial dims."""

    _rank = 2
    _kind = "max"

    def __init__(self, data_format: str | None = None, keepdims: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.data_format = normalize_data_format(data_format)
        self.keepdims = bool(keepdims)

    def _axes(self) -> list[int]:
        if self.data_format == "channels_last":
            return list(range(1, self._rank + 1))
        return list(range(2, self._rank + 2))

    def call(self, inputs: Any) -> Any:  # type: ignore[override]
        """Reduce the spatial dims."""
        check_rank(self, tuple(inputs.shape), self._rank + 2)
        reduce = tapegrad.reduce_max if self._kind == "max" else tapegrad.reduce_mean
        return reduce(inputs, axis=self._axes(), keepdims=self.keepdims)

    def compute_output_shape(self, input_shape: Sequence[Any]) -> tuple[Any, ...]:
        """``(batch, channels)``, or with kept 1s when ``keepdims``."""
        axes = self._axes()
        if self.keepdims:
            return tuple(1 if i in axes else d for i, d in enumerate(input_shape))
        return tuple(d for i, d in enumerate(input_shape) if i not in axes)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "data_format": self.data_format, "keepdims": self.keepdims}


class GlobalMaxPooling2D(_GlobalPooling):
    """The maximum over height and width."""

    _rank, _kind = 2, "max"


class GlobalAveragePooling2D(_GlobalPooling):
    """The mean over height and width."""

    _rank, _kind = 2, "avg"


class GlobalMaxPooling1D(_GlobalPooling):
    """The maximum over steps."""

    _rank, _kind = 1, "max"


class GlobalAveragePooling1D(_GlobalPooling):
    """The mean over steps."""

    _rank, _kind = 1, "avg"


__all__ = [
    "AveragePooling1D",
    "AveragePooling2D",
    "GlobalAveragePooling1D",
    "GlobalAveragePooling2D",
    "GlobalMaxPooling1D",
    "GlobalMaxPooling2D",
    "MaxPooling1D",
    "MaxPooling2D",
]

"""Spatial reshaping layers for images: ``UpSampling2D``, ``ZeroPadding2D``, ``Cropping2D``."""

from __future__ import annotations

from typing import Any

import tapegrad

from .base import Layer
from .convolutional import check_rank, normalize_data_format, normalize_tuple


def _pairs(value: Any, name: str) -> tuple[tuple[int, int], tuple[int, int]]:
    """An int, ``(h, w)`` or ``((top, bottom), (left, right))`` as two pairs (Keras's forms)."""
    if isinstance(value, int):
        return ((value, value), (value, value))
    items = tuple(value)
    if len(items) != 2:
        raise ValueError(f"`{name}` should have two elements. Received: {name}={value!r}.")
    if all(isinstance(v, int) for v in items):
        return ((items[0], items[0]), (items[1], items[1]))
    pairs = [tuple(int(x) for x in v) for v in items]
    if any(len(p) != 2 or min(p) < 0 for p in pairs):
        raise ValueError(f"`{name}` must be non-negative pairs. Received: {name}={value!r}.")
    return ((pairs[0][0], pairs[0][1]), (pairs[1][0], pairs[1][1]))


class UpSampling2D(Layer):
    """Repeats rows and columns ``size`` times (``interpolation="nearest"``) or resizes bilinearly."""

    def __init__(
        self,
        size: Any = (2, 2),
        data_format: str | None = None,
        interpolation: str = "nearest",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.size = normalize_tuple(size, 2, "size")
        self.data_format = normalize_data_format(data_format)
        if interpolation not in ("nearest", "bilinear"):
            raise ValueError(
                f"`interpolation` argument should be 'nearest' or 'bilinear'. Received: {interpolation}"
            )
        self.interpolation = interpolation

    def call(self, inputs: Any) -> Any:  # type: ignore[override]
        """The upsampled inputs."""
        check_rank(self, tuple(inputs.shape), 4)
        x = inputs if self.data_format == "channels_last" else tapegrad.transpose(inputs, [0, 2, 3, 1])
        if self.interpolation == "nearest":
            x = tapegrad.repeat(x, self.size[0], axis=1)
            x = tapegrad.repeat(x, self.size[1], axis=2)
        else:
            h, w = int(x.shape[1]), int(x.shape[2])
            x = tapegrad.image.resize(x, (h * self.size[0], w * self.size[1]), method="bilinear")
        return x if self.data_format == "channels_last" else tapegrad.transpose(x, [0, 3, 1, 2])

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "size": self.size,
            "data_format": self.data_format,
            "interpolation": self.interpolation,
        }


class ZeroPadding2D(Layer):
    """Zero rows and columns around each image: ``padding`` an int, ``(h, w)`` or two pairs."""

    def __init__(self, padding: Any = (1, 1), data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.padding = _pairs(padding, "padding")
        self.data_format = normalize_data_format(data_format)

    def call(self, inputs: Any) -> Any:  # type: ignore[override]
        """The padded inputs."""
        check_rank(self, tuple(inputs.shape), 4)
        (t, b), (l, r) = self.padding
        if self.data_format == "channels_last":
            pads = [[0, 0], [t, b], [l, r], [0, 0]]
        else:
            pads = [[0, 0], [0, 0], [t, b], [l, r]]
        return tapegrad.pad(inputs, pads)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "padding": self.padding, "data_format": self.data_format}


class Cropping2D(Layer):
    """Drops rows and columns at the edges: ``cropping`` an int, ``(h, w)`` or two pairs."""

    def __init__(
        self, cropping: Any = ((0, 0), (0, 0)), data_format: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.cropping = _pairs(cropping, "cropping")
        self.data_format = normalize_data_format(data_format)

    def call(self, inputs: Any) -> Any:  # type: ignore[override]
        """The cropped inputs."""
        check_rank(self, tuple(inputs.shape), 4)
        (t, b), (l, r) = self.cropping
        last = self.data_format == "channels_last"
        h, w = (
            (int(inputs.shape[1]), int(inputs.shape[2]))
            if last
            else (int(inputs.shape[2]), int(inputs.shape[3]))
        )
        if t + b >= h or l + r >= w:
            raise ValueError(
                f"Cropping2D {self.name!r}: cropping {self.cropping} leaves nothing of an input of shape "
                f"{tuple(inputs.shape)}"
            )
        if last:
            return inputs[:, t : h - b, l : w - r, :]
        return inputs[:, :, t : h - b, l : w - r]

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "cropping": self.cropping, "data_format": self.data_format}


__all__ = ["Cropping2D", "UpSampling2D", "ZeroPadding2D"]

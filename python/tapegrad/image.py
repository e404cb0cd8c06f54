"""``tapegrad.image``: ``resize`` (nearest and bilinear, TF2's half-pixel sampling).

Both methods are gathers of the input rows and columns with constant weights, so they are
differentiable through ``gather``'s own gradient. Sample positions follow TF's
``ResizeNearestNeighbor``/``ResizeBilinear`` with ``half_pixel_centers=True`` computed in
float32 as TF does: nearest takes ``min(floor((i + 0.5) · scale), n − 1)``; bilinear samples
at ``(i + 0.5) · scale − 0.5`` between its clamped floor and ceiling.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _core
from ._core import Tensor


def _nearest_index(out: int, size: int) -> np.ndarray:
    scale = np.float32(size) / np.float32(out)
    pos = (np.arange(out, dtype=np.float32) + np.float32(0.5)) * scale
    return np.minimum(np.floor(pos).astype(np.int64), size - 1).astype(np.int32)


def _linear_taps(out: int, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    scale = np.float32(size) / np.float32(out)
    pos = (np.arange(out, dtype=np.float32) + np.float32(0.5)) * scale - np.float32(0.5)
    floor = np.floor(pos)
    lower = np.maximum(floor.astype(np.int64), 0).astype(np.int32)
    upper = np.minimum(np.ceil(pos).astype(np.int64), size - 1).astype(np.int32)
    return lower, upper, (pos - floor).astype(np.float32)


def resize(
    images: Any,
    size: Any,
    method: str = "bilinear",
    preserve_aspect_ratio: bool = False,
    antialias: bool = False,
    name: str | None = None,
) -> Tensor:
    """Resize ``images`` (``[h, w, c]`` or ``[n, h, w, c]``) to ``size = (new_h, new_w)``.

    ``method`` is ``"nearest"`` (keeps the dtype) or ``"bilinear"`` (returns float32, as TF).

    Raises:
        ValueError: a bad rank, size or method.
        NotImplementedError: ``preserve_aspect_ratio``, ``antialias`` or another method.
    """
    x = images if _core.is_tensor(images) else _core.convert_to_tensor(images)
    rank = len(x.shape)
    if rank not in (3, 4):
        raise ValueError(f"'images' must have either 3 or 4 dimensions, got shape {tuple(x.shape)}")
    if preserve_aspect_ratio or antialias:
        raise NotImplementedError("image.resize: preserve_aspect_ratio and antialias are not supported")
    new_h, new_w = (int(v) for v in (size.numpy() if hasattr(size, "numpy") else size))
    if new_h <= 0 or new_w <= 0:
        raise ValueError(f"image.resize: size must be positive, got {(new_h, new_w)}")
    batch = x if rank == 4 else _core.expand_dims(x, 0)
    h, w = int(batch.shape[1]), int(batch.shape[2])
    kind = str(method).lower()
    if kind == "nearest":
        y = _core.gather(batch, _nearest_index(new_h, h), axis=1)
        y = _core.gather(y, _nearest_index(new_w, w), axis=2)
    elif kind == "bilinear":
        if batch.dtype != _core.float32:
            batch = _core.cast(batch, _core.float32)
        y_lo, y_hi, y_l = _linear_taps(new_h, h)
        x_lo, x_hi, x_l = _linear_taps(new_w, w)
        xl = _core.convert_to_tensor(x_l.reshape(1, 1, new_w, 1))
        yl = _core.convert_to_tensor(y_l.reshape(1, new_h, 1, 1))

        def lerp_x(rows: Any) -> Any:
            left = _core.gather(rows, x_lo, axis=2)
            right = _core.gather(rows, x_hi, axis=2)
            return left + (right - left) * xl

        top = lerp_x(_core.gather(batch, y_lo, axis=1))
        bottom = lerp_x(_core.gather(batch, y_hi, axis=1))
        y = top + (bottom - top) * yl
    else:
        raise NotImplementedError(
            f"image.resize: method {method!r} is not supported (use 'nearest' or 'bilinear')"
        )
    return y if rank == 4 else _core.squeeze(y, [0])


__all__ = ["resize"]

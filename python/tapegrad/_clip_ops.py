"""TF's norm clipping (``clip_by_norm``, ``clip_by_global_norm``, ``global_norm``), written as
TensorFlow writes them in ``clip_ops.py`` so values and gradients match."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from . import _core
from ._core import Tensor

__all__ = ["clip_by_global_norm", "clip_by_norm", "global_norm"]


def _as_list(t_list: Any, what: str) -> list[Any]:
    if not isinstance(t_list, Sequence) or isinstance(t_list, str):
        raise TypeError(f"`t_list` should be a sequence of tensors. Received {type(t_list)}.")
    return [t if t is None or _core.is_tensor(t) else _core.convert_to_tensor(t) for t in t_list]


def clip_by_norm(t: Any, clip_norm: Any, axes: Any = None, name: str | None = None) -> Tensor:
    """``t * clip_norm / max(‖t‖₂, clip_norm)``, the L2 norm taken over ``axes`` (all by default).

    A zero norm is handled without NaNs in the value or the gradient, as in TF.
    """
    t = t if _core.is_tensor(t) else _core.convert_to_tensor(t)
    l2sum = _core.reduce_sum(t * t, axes, keepdims=True)
    pred = l2sum > 0
    # Two wheres keep sqrt's gradient finite where the norm is zero.
    l2sum_safe = _core.where(pred, l2sum, _core.ones_like(l2sum))
    l2norm = _core.where(pred, _core.sqrt(l2sum_safe), l2sum)
    return _core.identity(t * clip_norm / _core.maximum(l2norm, clip_norm))


def global_norm(t_list: Any, name: str | None = None) -> Tensor:
    """``sqrt(Σ ‖t‖₂²)`` over the tensors of ``t_list`` (None entries skipped)."""
    values = [t for t in _as_list(t_list, "global_norm") if t is not None]
    half_squared = _core.reduce_sum(_core.stack([_core.l2_loss(v) for v in values]))
    return _core.sqrt(half_squared * _core.constant(2.0, dtype=half_squared.dtype))


def clip_by_global_norm(
    t_list: Any, clip_norm: Any, use_norm: Any = None, name: str | None = None
) -> tuple[list[Tensor | None], Tensor]:
    """Scale every tensor of ``t_list`` by ``clip_norm / max(global_norm, clip_norm)``.

    Returns ``(clipped_list, global_norm)``; None entries stay None. A non-finite norm
    makes every clipped value NaN, as in TF.

    Raises:
        TypeError: ``t_list`` is not a sequence.
    """
    values = _as_list(t_list, "clip_by_global_norm")
    if use_norm is None:
        use_norm = global_norm(values)
    elif not _core.is_tensor(use_norm):
        use_norm = _core.convert_to_tensor(use_norm)
    scale_for_finite = clip_norm * _core.minimum(
        1.0 / use_norm, _core.constant(1.0, dtype=use_norm.dtype) / clip_norm
    )
    # Zero for a finite norm; NaN for inf/NaN, which then poisons the scale on purpose.
    scale = scale_for_finite + (use_norm - use_norm)
    clipped = [None if v is None else _core.identity(v * _core.cast(scale, v.dtype)) for v in values]
    return clipped, use_norm

"""``Masking``: marks the timesteps whose features all equal ``mask_value`` as padding."""

from __future__ import annotations

from typing import Any

import tapegrad

from .base import Layer

__all__ = ["Masking"]


class Masking(Layer):
    """Zeroes and masks out steps where every feature equals ``mask_value``.

    For inputs ``(batch, steps, features)`` the mask is ``(batch, steps)``: True
    where some feature differs from ``mask_value``. Layers downstream that take
    ``mask`` (recurrent layers, ``Softmax``...) receive it.
    """

    def __init__(self, mask_value: float = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.mask_value = mask_value
        self.supports_masking = True

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """``any(inputs != mask_value, axis=-1)``."""
        return tapegrad.reduce_any(tapegrad.not_equal(inputs, self.mask_value), axis=-1)

    def call(self, inputs: Any) -> Any:  # type: ignore[override]
        """The inputs with masked steps set to zero."""
        keep = tapegrad.reduce_any(tapegrad.not_equal(inputs, self.mask_value), axis=-1, keepdims=True)
        return inputs * tapegrad.cast(keep, inputs.dtype)

    def compute_output_shape(self, input_shape: Any) -> Any:
        """The input shape."""
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "mask_value": self.mask_value}

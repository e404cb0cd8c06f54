"""``ActivityRegularization``: the identity, adding an L1/L2 penalty on its outputs to ``losses``."""

from __future__ import annotations

from typing import Any

from .. import regularizers
from .base import Layer

__all__ = ["ActivityRegularization"]


class ActivityRegularization(Layer):
    """Returns its inputs and adds ``l1 * sum(|x|) + l2 * sum(x**2)``, divided by the batch size, to
    :attr:`losses` (the base layer's activity-regularizer path, as in Keras)."""

    def __init__(self, l1: float = 0.0, l2: float = 0.0, **kwargs: Any) -> None:
        kwargs.pop("activity_regularizer", None)
        super().__init__(activity_regularizer=regularizers.L1L2(l1=l1, l2=l2), **kwargs)
        self.supports_masking = True
        self.l1 = l1
        self.l2 = l2

    def call(self, inputs: Any) -> Any:  # type: ignore[override]
        """The inputs, unchanged."""
        return inputs

    def compute_output_shape(self, input_shape: Any) -> Any:
        """The input shape."""
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "l1": self.l1, "l2": self.l2}

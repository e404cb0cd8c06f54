"""``TFOpLambda``: a tf op or operator applied to KerasTensors, kept as a layer of the model."""

from __future__ import annotations

from typing import Any, Callable

from .. import backend
from .base import Layer

__all__ = ["TFOpLambda"]


class TFOpLambda(Layer):
    """Wraps ``function(*args, **kwargs)`` so a functional model can replay it on real tensors.

    Made for you when a tf op or an operator meets a KerasTensor; it is named
    after the op (``tf.concat``, ``tf.__operators__.add``, ``tf.math.reduce_mean``)
    and has no weights. Arguments that are not KerasTensors are stored as given.
    """

    def __init__(self, function: Callable[..., Any], name: str | None = None, **kwargs: Any) -> None:
        op_name = name or getattr(function, "__name__", "op")
        super().__init__(name=backend.unique_object_name(f"tf.{op_name}"), autocast=False, **kwargs)
        self.function = function
        self.symbol = f"tf.{op_name}"
        self.built = True

    def call(self, *args: Any, **kwargs: Any) -> Any:
        """``function(*args, **kwargs)``."""
        return self.function(*args, **kwargs)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "function": self.symbol}

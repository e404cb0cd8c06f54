"""Merging layers: ``Concatenate``, ``Add``."""

from __future__ import annotations

from typing import Any

import tapegrad

from .base import Layer


def _check_merge_inputs(layer: Layer, inputs: Any) -> list[Any]:
    if not isinstance(inputs, (list, tuple)) or len(inputs) < 1:
        raise ValueError(
            f"A merge layer {type(layer).__name__} should be called on a list of inputs. "
            f"Received: inputs={inputs}"
        )
    return list(inputs)


class Concatenate(Layer):
    """Concatenate a list of tensors along ``axis``."""

    def __init__(self, axis: int = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = axis

    def call(self, inputs: Any) -> Any:  # type: ignore[override]
        """``concat(inputs, axis)``."""
        return tapegrad.concat(_check_merge_inputs(self, inputs), axis=self.axis)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis}


class Add(Layer):
    """The element-wise sum of a list of tensors (broadcasting as ``+`` does)."""

    def call(self, inputs: Any) -> Any:  # type: ignore[override]
        """``inputs[0] + inputs[1] + ...``."""
        tensors = _check_merge_inputs(self, inputs)
        total = tensors[0]
        for tensor in tensors[1:]:
            total = total + tensor
        return total

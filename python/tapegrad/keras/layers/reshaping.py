"""Reshaping layers: ``Flatten``, ``Reshape``."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import tapegrad

from .base import Layer


class Flatten(Layer):
    """Collapse every axis but the batch axis: ``(batch, d1, d2, ...)`` -> ``(batch, d1 * d2 * ...)``."""

    def call(self, inputs: Any) -> Any:  # type: ignore[override]
        """The inputs reshaped to rank 2 (a rank-1 batch becomes ``(batch, 1)``)."""
        shape = tuple(inputs.shape)
        if len(shape) == 1:
            return tapegrad.expand_dims(inputs, -1)
        return tapegrad.reshape(inputs, (shape[0], math.prod(shape[1:])))

    def compute_output_shape(self, input_shape: Sequence[Any]) -> tuple[Any, ...]:
        """``(batch, prod(rest))``, with ``None`` where unknown."""
        rest = tuple(input_shape)[1:]
        return (input_shape[0], None if None in rest else math.prod(rest))


class Reshape(Layer):
    """Reshape each sample to ``target_shape`` (the batch axis is kept; one entry may be -1)."""

    def __init__(self, target_shape: Sequence[int], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.target_shape = tuple(int(d) for d in target_shape)
        if sum(d == -1 for d in self.target_shape) > 1:
            raise ValueError(
                f"Reshape: at most one dimension of target_shape can be -1, got {self.target_shape}"
            )

    def call(self, inputs: Any) -> Any:  # type: ignore[override]
        """``reshape(inputs, (batch, *target_shape))``."""
        batch = int(inputs.shape[0])
        sample = math.prod(int(d) for d in inputs.shape[1:])
        known = math.prod(d for d in self.target_shape if d != -1)
        if (-1 not in self.target_shape and known != sample) or (known == 0 or sample % known):
            raise ValueError(
                f"Reshape {self.name!r}: total size of the new array must be unchanged, "
                f"input_shape = {tuple(inputs.shape)[1:]}, output_shape = {self.target_shape}"
            )
        return tapegrad.reshape(inputs, (batch, *self.target_shape))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "target_shape": self.target_shape}

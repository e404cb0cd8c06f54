"""Reshaping layers: ``Flatten``, ``Reshape``, ``Permute``, ``RepeatVector``."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import tapegrad

from ._spec import check_input
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


class Permute(Layer):
    """Permute the non-batch axes: ``dims`` is 1-based, ``Permute((2, 1))`` swaps axes 1 and 2."""

    def __init__(self, dims: Sequence[int], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.dims = tuple(int(d) for d in dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError(
                "Invalid permutation argument `dims` for Permute Layer. The set of indices in `dims` "
                f"must be consecutive and start from 1. Received dims={dims}"
            )

    def call(self, inputs: Any) -> Any:  # type: ignore[override]
        """``transpose(inputs, (0, *dims))``."""
        check_input(self, inputs, ndim=len(self.dims) + 1)
        return tapegrad.transpose(inputs, (0, *self.dims))

    def compute_output_shape(self, input_shape: Sequence[Any]) -> tuple[Any, ...]:
        """The input shape with the non-batch axes in ``dims`` order."""
        shape = tuple(input_shape)
        return (shape[0], *(shape[d] for d in self.dims))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "dims": self.dims}


class RepeatVector(Layer):
    """Repeat each ``(batch, features)`` sample ``n`` times: output ``(batch, n, features)``."""

    def __init__(self, n: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not isinstance(n, int):
            raise TypeError(f"Expected an integer value for `n`, got {type(n)}.")
        self.n = n

    def call(self, inputs: Any) -> Any:  # type: ignore[override]
        """``tile(expand_dims(inputs, 1), (1, n, 1))``."""
        check_input(self, inputs, ndim=2)
        return tapegrad.tile(tapegrad.expand_dims(inputs, 1), (1, self.n, 1))

    def compute_output_shape(self, input_shape: Sequence[Any]) -> tuple[Any, ...]:
        """``(batch, n, features)``."""
        return (input_shape[0], self.n, input_shape[1])

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "n": self.n}

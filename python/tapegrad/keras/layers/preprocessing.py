"""Preprocessing layers: ``Rescaling``, ``Normalization`` (with ``adapt``), ``CategoryEncoding``.

``Normalization.adapt`` follows Keras 3: NumPy data is reduced in float64 by NumPy,
a tensor with tensor ops, and any other iterable of batches (a ``tf.data``-style
dataset, a list, a generator; ``(x, y)`` tuples give their ``x``) is merged batch by
batch with the parallel mean/variance update, so its result does not depend on
how the data is batched.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

import tapegrad

from ._spec import check_input
from .base import Layer

#: Keras' ``backend.epsilon()``: the smallest standard deviation ``Normalization`` divides by.
_EPSILON = 1e-7


class Rescaling(Layer):
    """``inputs * scale + offset``, in the layer's dtype (integer images become floats)."""

    def __init__(self, scale: Any, offset: Any = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scale = scale
        self.offset = offset

    def call(self, inputs: Any) -> Any:  # type: ignore[override]
        """``cast(inputs) * scale + offset``."""
        dtype = tapegrad.as_dtype(self.dtype)
        scale = tapegrad.cast(self.scale, dtype)
        offset = tapegrad.cast(self.offset, dtype)
        return tapegrad.cast(inputs, dtype) * scale + offset

    def compute_output_shape(self, input_shape: Sequence[Any]) -> tuple[Any, ...]:
        """The input shape."""
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "scale": self.scale, "offset": self.offset}


def _first_of_tuple(batch: Any) -> Any:
    """``x`` of an ``(x, y)`` or ``(x, y, sample_weight)`` element, else the element."""
    return batch[0] if isinstance(batch, tuple) else batch


class Normalization(Layer):
    """``(inputs - mean) / max(sqrt(variance), 1e-7)`` per feature along ``axis`` (``invert`` undoes it).

    ``mean``/``variance`` are given, or learned from data with :meth:`adapt`; until then
    they are 0 and 1. ``axis`` lists the axes that keep their own statistics (the
    features, ``-1`` by default); ``None`` normalizes with one scalar mean/variance.
    """

    def __init__(
        self,
        axis: int | Sequence[int] | None = -1,
        mean: Any = None,
        variance: Any = None,
        invert: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if axis is None:
            self.axis: tuple[int, ...] = ()
        elif isinstance(axis, int):
            self.axis = (axis,)
        else:
            self.axis = tuple(int(a) for a in axis)
        self.input_mean = mean
        self.input_variance = variance
        self.invert = invert
        if (mean is not None) != (variance is not None):
            raise ValueError(
                "When setting values directly, both `mean` and `variance` must be set. "
                f"Received: mean={mean} and variance={variance}"
            )
        if mean is not None:
            if np.shape(mean) != np.shape(variance):
                raise ValueError(
                    "When setting values directly, `mean` and `variance` must have the same shape. "
                    f"Received: mean shape {np.shape(mean)} and variance shape {np.shape(variance)}"
                )
            if len(np.shape(mean)) > len(self.axis):
                raise ValueError(
                    "The rank of `mean` must be less than or equal to the number of axes "
                    f"({len(self.axis)}). Received: mean shape {np.shape(mean)} for axis {self.axis}"
                )
        self.mean: Any = None
        self.variance: Any = None
        self.adapt_mean: Any = None
        self.adapt_variance: Any = None
        self.count: Any = None
        self._build_input_shape: tuple[Any, ...] | None = None

    def build(self, input_shape: Any) -> None:
        """Fix the kept and reduced axes; create the ``mean``/``variance``/``count`` weights (or
        broadcast the given statistics)."""
        shape = tuple(input_shape)
        ndim = len(shape)
        if any(a < -ndim or a >= ndim for a in self.axis):
            raise ValueError(
                "All `axis` values must be in the range [-ndim, ndim). "
                f"Received inputs with ndim={ndim}, while axis={self.axis}"
            )
        self._build_input_shape = shape
        self._keep_axis = tuple(sorted(a % ndim for a in self.axis))
        for d in self._keep_axis:
            if shape[d] is None:
                raise ValueError(
                    "All `axis` values to be kept must have a known shape. Received axis="
                    f"{self.axis}, inputs.shape={shape}, with unknown axis at index {d}"
                )
        self._reduce_axis = tuple(d for d in range(ndim) if d not in self._keep_axis)
        self._broadcast_shape = [int(shape[d]) if d in self._keep_axis else 1 for d in range(ndim)]
        self._mean_and_var_shape = tuple(int(shape[d]) for d in self._keep_axis)
        if self.input_mean is None:
            self.adapt_mean = self.add_weight(
                name="mean", shape=self._mean_and_var_shape, initializer="zeros", trainable=False
            )
            self.adapt_variance = self.add_weight(
                name="variance", shape=self._mean_and_var_shape, initializer="ones", trainable=False
            )
            self.count = self.add_weight(
                name="count", shape=(), dtype=tapegrad.int64, initializer="zeros", trainable=False
            )
            self.built = True
            self.finalize_state()
            return
        mean = np.asarray(self.input_mean, dtype=np.float64)
        variance = np.asarray(self.input_variance, dtype=np.float64)
        if mean.ndim:
            expanded = [1] * ndim
            for i in range(1, mean.ndim + 1):
                expanded[self._keep_axis[-i]] = mean.shape[-i]
            mean, variance = mean.reshape(expanded), variance.reshape(expanded)
        dtype = tapegrad.as_dtype(self.dtype)
        self.mean = tapegrad.cast(np.broadcast_to(mean, self._broadcast_shape).copy(), dtype)
        self.variance = tapegrad.cast(np.broadcast_to(variance, self._broadcast_shape).copy(), dtype)
        self.built = True

    def adapt(self, data: Any) -> None:
        """Compute ``mean`` and ``variance`` over the reduced axes of ``data`` (an array, a tensor,
        or an iterable of batches)."""
        is_iterable = False
        if isinstance(data, np.ndarray) or isinstance(data, tapegrad.Tensor):
            input_shape = tuple(data.shape)
        elif hasattr(data, "__iter__"):
            is_iterable = True
            batches = iter(data)
            first = next(batches, None)
            if first is None:
                raise ValueError(
                    "adapt() received an empty iterable (no batches). Expected at least one batch. "
                    "Pass a non-empty iterable of arrays or tensors, e.g. layer.adapt([x])."
                )
            first = _first_of_tuple(first)
            if getattr(first, "shape", None) is None:
                raise TypeError(
                    "adapt() expects an iterable that yields arrays or tensors with a `.shape` "
                    f"attribute. Got an element of type {type(first).__name__}."
                )
            input_shape = tuple(first.shape)
            data = itertools.chain([first], batches)
        else:
            raise TypeError(
                f"Unsupported data type: {type(data)}. `adapt` supports `np.ndarray`, tensors, "
                "and iterables of batches (e.g. a dataset, a list, a generator)."
            )
        input_shape = tuple(None if d is None else int(d) for d in input_shape)
        if not self.built:
            self.build(input_shape)
            self.built = True
        else:
            self._check_adapt_shape(
                input_shape, "adapt() is being called with data with an incompatible shape"
            )
        if self.input_mean is not None:
            raise ValueError(
                f'Layer "{self.name}": adapt() cannot be used when `mean` and `variance` were given.'
            )
        if isinstance(data, np.ndarray):
            total_mean: Any = np.mean(data, axis=self._reduce_axis)
            total_var: Any = np.var(data, axis=self._reduce_axis)
        elif not is_iterable:
            total_mean = tapegrad.reduce_mean(data, axis=list(self._reduce_axis))
            total_var = tapegrad.reduce_variance(data, axis=list(self._reduce_axis))
        else:
            total_mean, total_var = self._adapt_batches(data)
        self.adapt_mean.assign(tapegrad.cast(total_mean, self.adapt_mean.dtype))
        self.adapt_variance.assign(tapegrad.cast(total_var, self.adapt_variance.dtype))
        self.finalize_state()

    def _check_adapt_shape(self, shape: tuple[Any, ...], what: str) -> None:
        assert self._build_input_shape is not None
        if len(shape) != len(self._build_input_shape) or any(
            shape[d] is not None and shape[d] != self._build_input_shape[d] for d in self._keep_axis
        ):
            raise ValueError(
                f"The layer was built with input_shape={self._build_input_shape}, but {what}, "
                f"data.shape={shape}"
            )

    def _adapt_batches(self, batches: Any) -> tuple[Any, Any]:
        """Merge per-batch mean/variance into running totals (Chan et al.'s parallel update)."""
        dtype = tapegrad.as_dtype(self.dtype)
        total_mean = tapegrad.zeros(self._mean_and_var_shape, dtype=dtype)
        total_var = tapegrad.zeros(self._mean_and_var_shape, dtype=dtype)
        total_count = 0
        for element in batches:
            batch = tapegrad.cast(tapegrad.convert_to_tensor(_first_of_tuple(element)), dtype)
            self._check_adapt_shape(tuple(int(d) for d in batch.shape), "adapt() yielded a batch")
            axes = list(self._reduce_axis)
            batch_mean = tapegrad.reduce_mean(batch, axis=axes)
            batch_var = tapegrad.reduce_variance(batch, axis=axes)
            batch_count = math.prod(int(batch.shape[d]) for d in self._reduce_axis) if axes else 1
            total_count += batch_count
            batch_weight = float(batch_count) / total_count
            existing_weight = 1.0 - batch_weight
            new_mean = total_mean * existing_weight + batch_mean * batch_weight
            total_var = (total_var + tapegrad.square(total_mean - new_mean)) * existing_weight + (
                batch_var + tapegrad.square(batch_mean - new_mean)
            ) * batch_weight
            total_mean = new_mean
        return total_mean, total_var

    def finalize_state(self) -> None:
        """Reshape the adapted statistics so that they broadcast against the inputs."""
        if self.input_mean is not None or self.adapt_mean is None:
            return
        dtype = tapegrad.as_dtype(self.dtype)
        self.mean = tapegrad.cast(tapegrad.reshape(self.adapt_mean, self._broadcast_shape), dtype)
        self.variance = tapegrad.cast(tapegrad.reshape(self.adapt_variance, self._broadcast_shape), dtype)

    def call(self, inputs: Any) -> Any:  # type: ignore[override]
        """``(inputs - mean) / max(sqrt(variance), 1e-7)``, or ``mean + inputs * ...`` if ``invert``."""
        dtype = tapegrad.as_dtype(self.dtype)
        if self._build_input_shape is not None and len(inputs.shape) == len(self._build_input_shape):
            # Same rank as at build time: the kept axes must match the statistics.
            check_input(self, inputs, axes={d: self._build_input_shape[d] for d in self._keep_axis})
        inputs = tapegrad.cast(inputs, dtype)
        std = tapegrad.maximum(tapegrad.sqrt(self.variance), tapegrad.cast(_EPSILON, dtype))
        if self.invert:
            return self.mean + inputs * std
        return (inputs - self.mean) / std

    def compute_output_shape(self, input_shape: Sequence[Any]) -> tuple[Any, ...]:
        """The input shape."""
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "axis": self.axis,
            "invert": self.invert,
            "mean": np.array(self.input_mean).tolist(),
            "variance": np.array(self.input_variance).tolist(),
        }


class CategoryEncoding(Layer):
    """Integer category ids in ``[0, num_tokens)`` to dense vectors of length ``num_tokens``.

    ``"one_hot"``: one vector per id; ``"multi_hot"`` (the default): 1 for each id that
    occurs in a sample (the last axis; a rank-1 input is one sample); ``"count"``: how
    often it occurs (weighted by ``count_weights`` if given).
    """

    def __init__(
        self,
        num_tokens: int | None = None,
        output_mode: str = "multi_hot",
        sparse: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if output_mode == "binary":
            output_mode = "multi_hot"
        if output_mode not in ("count", "one_hot", "multi_hot"):
            raise ValueError(f"Unknown arg for output_mode: {output_mode}")
        if num_tokens is None:
            raise ValueError(
                "num_tokens must be set to use this layer. If the number of tokens is not known "
                "beforehand, use the IntegerLookup layer instead."
            )
        if num_tokens < 1:
            raise ValueError(f"`num_tokens` must be >= 1. Received: num_tokens={num_tokens}.")
        if sparse:
            raise NotImplementedError("CategoryEncoding(sparse=True): tapegrad has no sparse tensors")
        self.num_tokens = int(num_tokens)
        self.output_mode = output_mode
        self.sparse = sparse

    def _convert_leaf(self, value: Any) -> Any:
        # Ids stay integers: no float cast of the inputs.
        if isinstance(value, (np.ndarray, np.number, int, float)) and not isinstance(value, bool):
            return tapegrad.convert_to_tensor(value)
        return value

    def call(self, inputs: Any, count_weights: Any = None) -> Any:  # type: ignore[override]
        """The one-hot, multi-hot or count encoding of ``inputs``."""
        dtype = tapegrad.as_dtype(self.dtype)
        if count_weights is not None:
            if self.output_mode != "count":
                raise ValueError(
                    "`count_weights` is not used when `output_mode` is not `'count'`. "
                    f"Received `count_weights={count_weights}`."
                )
            count_weights = tapegrad.cast(count_weights, dtype)
        ids = tapegrad.convert_to_tensor(inputs)
        if ids.dtype not in (tapegrad.int32, tapegrad.int64):
            ids = tapegrad.cast(ids, tapegrad.int64)
        if len(ids.shape) == 0:
            ids = tapegrad.reshape(ids, (1,))
        if self.output_mode == "one_hot":
            if len(ids.shape) > 1 and ids.shape[-1] == 1:
                ids = tapegrad.squeeze(ids, -1)
            return tapegrad.one_hot(ids, self.num_tokens, dtype=dtype)
        if len(ids.shape) > 2:
            raise ValueError(
                "When output_mode is not `'int'`, maximum supported output rank is 2. "
                f"Received output_mode {self.output_mode} and input shape {tuple(ids.shape)}, "
                f"which would result in output rank {len(ids.shape)}."
            )
        if bool(tapegrad.reduce_any(ids < 0)):
            raise tapegrad.errors.InvalidArgumentError(
                None, None, f'Layer "{self.name}": category ids must be non-negative, got {ids.numpy()}'
            )
        encoded = tapegrad.one_hot(ids, self.num_tokens, dtype=dtype)
        axis = len(ids.shape) - 1
        if self.output_mode == "multi_hot":
            return tapegrad.reduce_max(encoded, axis=axis)
        if count_weights is not None:
            encoded = encoded * tapegrad.expand_dims(count_weights, -1)
        return tapegrad.reduce_sum(encoded, axis=axis)

    def compute_output_shape(self, input_shape: Sequence[Any]) -> tuple[Any, ...]:
        """``input_shape[:-1] + (num_tokens,)`` (one-hot of a vector adds an axis)."""
        shape = tuple(input_shape)
        if not shape:
            return (self.num_tokens,)
        if self.output_mode == "one_hot" and (shape[-1] != 1 or len(shape) == 1):
            return (*shape, self.num_tokens)
        return (*shape[:-1], self.num_tokens)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "num_tokens": self.num_tokens, "output_mode": self.output_mode}

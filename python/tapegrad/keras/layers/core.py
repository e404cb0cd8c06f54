"""Core Keras layers: ``Dense``, ``Activation``, ``Dropout``, ``Embedding``, ``Lambda``, ``Identity``."""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import Any, Callable

import tapegrad

from .. import activations, constraints, initializers, regularizers
from .base import InputSpec, Layer


def _initializer(identifier: Any) -> Any:
    """``initializers.get``, also taking the ``{"class_name", "config"}`` dicts ``get_config`` writes."""
    if isinstance(identifier, dict) and "class_name" in identifier:
        return getattr(initializers, identifier["class_name"])(**identifier.get("config", {}))
    return initializers.get(identifier)


def _serialize_initializer(init: Any) -> Any:
    if isinstance(init, initializers.Initializer):
        return {"class_name": type(init).__name__, "config": init.get_config()}
    return init


def _serialize_or_none(module: Any, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, (module.Regularizer if hasattr(module, "Regularizer") else module.Constraint)):
        return module.serialize(value)
    return value


class Dense(Layer):
    """``activation(inputs @ kernel + bias)``, with ``kernel`` of shape ``(in, units)``."""

    def __init__(
        self,
        units: int,
        activation: activations.ActivationLike = None,
        use_bias: bool = True,
        kernel_initializer: initializers.InitializerLike = "glorot_uniform",
        bias_initializer: initializers.InitializerLike = "zeros",
        kernel_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        kernel_constraint: Any = None,
        bias_constraint: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        if int(units) <= 0:
            raise ValueError(f"Dense: units must be a positive integer, got {units!r}")
        self.units = int(units)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = _initializer(kernel_initializer)
        self.bias_initializer = _initializer(bias_initializer)
        self.kernel: Any = None
        self.bias: Any = None
        self.input_spec = InputSpec(min_ndim=2)

    def build(self, input_shape: Any) -> None:
        """Create ``kernel`` ``(input_shape[-1], units)`` and ``bias`` ``(units,)``."""
        if not input_shape or input_shape[-1] is None:
            raise ValueError(
                f"Dense {self.name!r}: the last dimension of the inputs must be known, got {input_shape!r}"
            )
        last = int(input_shape[-1])
        self.kernel = self.add_weight(
            "kernel",
            (last, self.units),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        if self.use_bias:
            self.bias = self.add_weight(
                "bias",
                (self.units,),
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )
        self.input_spec = InputSpec(min_ndim=2, axes={-1: last})
        self.built = True

    def call(self, inputs: Any) -> Any:  # type: ignore[override]
        """``activation(inputs @ kernel + bias)``; inputs of rank > 2 contract their last axis."""
        rank = len(inputs.shape)
        if rank < 2:
            raise ValueError(f"Dense {self.name!r}: inputs need rank >= 2, got shape {tuple(inputs.shape)}")
        if rank == 2:
            outputs = tapegrad.matmul(inputs, self.kernel)
        else:
            outputs = tapegrad.tensordot(inputs, self.kernel, axes=1)
        if self.bias is not None:
            outputs = outputs + self.bias
        return self.activation(outputs)

    def compute_output_shape(self, input_shape: Sequence[Any]) -> tuple[Any, ...]:
        """``input_shape[:-1] + (units,)``."""
        return (*tuple(input_shape)[:-1], self.units)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": _serialize_initializer(self.kernel_initializer),
            "bias_initializer": _serialize_initializer(self.bias_initializer),
            "kernel_regularizer": _serialize_or_none(regularizers, self.kernel_regularizer),
            "bias_regularizer": _serialize_or_none(regularizers, self.bias_regularizer),
            "activity_regularizer": _serialize_or_none(regularizers, self.activity_regularizer),
            "kernel_constraint": _serialize_or_none(constraints, self.kernel_constraint),
            "bias_constraint": _serialize_or_none(constraints, self.bias_constraint),
        }


class Activation(Layer):
    """Applies an activation function (a name or a callable)."""

    def __init__(self, activation: activations.ActivationLike, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.activation = activations.get(activation)

    def call(self, inputs: Any) -> Any:  # type: ignore[override]
        """``activation(inputs)``."""
        return self.activation(inputs)


class Dropout(Layer):
    """Randomly zero a fraction ``rate`` of the inputs while training, scaling the rest by ``1 / (1 - rate)``.

    Outside training (``training`` false or not given) the inputs pass through unchanged.
    """

    def __init__(
        self,
        rate: float,
        noise_shape: Sequence[int | None] | None = None,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
            raise ValueError(
                f"Invalid value received for argument `rate`. Expected a float value between 0 and 1. "
                f"Received: rate={rate}"
            )
        self.rate = float(rate)
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)
        self.seed = seed

    def _noise_shape(self, inputs: Any) -> tuple[int, ...]:
        shape = tuple(int(d) for d in inputs.shape)
        if self.noise_shape is None:
            return shape
        # ``None`` entries take the input's size; 1s share one mask value along that axis.
        return tuple(d if n is None else int(n) for d, n in zip(shape, self.noise_shape))

    def call(self, inputs: Any, training: bool | None = None) -> Any:  # type: ignore[override]
        """Inverted dropout when ``training`` is true, else the inputs unchanged."""
        if not training or self.rate == 0.0:
            return inputs
        noise = tapegrad.random.uniform(self._noise_shape(inputs), dtype=inputs.dtype, seed=self.seed)
        keep = tapegrad.cast(noise >= self.rate, inputs.dtype)
        return inputs * (1.0 / (1.0 - self.rate)) * keep

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "rate": self.rate, "noise_shape": self.noise_shape, "seed": self.seed}


class Embedding(Layer):
    """A lookup table: integer inputs of any shape pick rows of ``embeddings`` ``(input_dim, output_dim)``."""

    def __init__(
        self,
        input_dim: int,
        output_dim: int,
        embeddings_initializer: initializers.InitializerLike = "uniform",
        mask_zero: bool = False,
        **kwargs: Any,
    ) -> None:
        kwargs.pop("input_length", None)  # accepted (and ignored) by Keras 3 for old code
        super().__init__(**kwargs)
        if int(input_dim) <= 0 or int(output_dim) <= 0:
            raise ValueError(
                "Both `input_dim` and `output_dim` should be positive, "
                f"Received input_dim = {input_dim} and output_dim = {output_dim}"
            )
        self.input_dim = int(input_dim)
        self.output_dim = int(output_dim)
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.mask_zero = bool(mask_zero)
        self.supports_masking = self.mask_zero
        self.embeddings: Any = None

    def build(self, input_shape: Any) -> None:
        """Create ``embeddings`` ``(input_dim, output_dim)``."""
        self.embeddings = self.add_weight(
            "embeddings", (self.input_dim, self.output_dim), initializer=self.embeddings_initializer
        )
        self.built = True

    def call(self, inputs: Any) -> Any:  # type: ignore[override]
        """``gather(embeddings, inputs)``: shape ``inputs.shape + (output_dim,)``."""
        if inputs.dtype not in (tapegrad.int32, tapegrad.int64):
            inputs = tapegrad.cast(inputs, tapegrad.int32)
        return tapegrad.gather(self.embeddings, inputs)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """``inputs != 0`` when ``mask_zero``, else None."""
        if not self.mask_zero:
            return None
        return tapegrad.not_equal(tapegrad.convert_to_tensor(inputs), 0)

    def compute_output_shape(self, input_shape: Sequence[Any]) -> tuple[Any, ...]:
        """``input_shape + (output_dim,)``."""
        return (*tuple(input_shape), self.output_dim)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "input_dim": self.input_dim,
            "output_dim": self.output_dim,
            "mask_zero": self.mask_zero,
        }


class Lambda(Layer):
    """Wraps a function of the inputs as a layer: ``Lambda(lambda x: x * 2)``.

    ``arguments`` are passed to the function as keywords; so is ``training`` when
    the function takes it. A Lambda layer has no weights of its own.
    """

    def __init__(
        self, function: Callable[..., Any], arguments: dict[str, Any] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        if not callable(function):
            raise TypeError(f"Lambda: `function` must be callable, got {type(function).__name__}")
        self.function = function
        self.arguments = dict(arguments or {})
        try:
            parameters = inspect.signature(function).parameters
        except (TypeError, ValueError):
            parameters = {}  # type: ignore[assignment]
        self._fn_takes_training = "training" in parameters

    def call(self, inputs: Any, training: bool | None = None) -> Any:  # type: ignore[override]
        """``function(inputs, **arguments)`` (plus ``training`` if the function accepts it)."""
        kwargs = dict(self.arguments)
        if self._fn_takes_training:
            kwargs["training"] = training
        return self.function(inputs, **kwargs)


class Identity(Layer):
    """Returns its inputs unchanged (a placeholder, e.g. for a skipped block)."""

    def call(self, inputs: Any) -> Any:  # type: ignore[override]
        """``inputs``."""
        return inputs

    def compute_output_shape(self, input_shape: Any) -> Any:
        """The input shape."""
        return input_shape

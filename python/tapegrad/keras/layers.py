"""Keras layers: the ``Layer`` base class (build on first call), ``Dense``, ``Embedding``,
``Dropout`` and shape/activation/merge layers.

Variable names follow TF 1 / tf.keras 2: a layer's weights are created inside the
layer's name scope, so the first ``Dense`` owns ``dense/kernel:0`` and
``dense/bias:0``, the second ``dense_1/kernel:0``, and a layer built inside a
subclassed model's call gets ``my_model/dense/kernel:0``.
"""

from __future__ import annotations

import contextlib
import inspect
import math
from collections.abc import Iterable, Sequence
from typing import Any, Callable

import numpy as np

import tapegrad

from .. import _nest
from ..module import Module, NameScope, innermost_name_scope, scoped_name
from . import activations, backend, initializers

__all__ = [
    "Activation",
    "Add",
    "Concatenate",
    "Dense",
    "Dropout",
    "Embedding",
    "Flatten",
    "Lambda",
    "Layer",
    "ReLU",
    "Reshape",
    "Softmax",
]

_LAYER_KWARGS = frozenset({"input_shape", "batch_input_shape", "input_dim", "autocast"})

# Attribute values that can hold no layer or variable: __setattr__ skips looking
# inside them (a Dense sets a dozen such attributes while it is made).
_PLAIN_TYPES = frozenset({int, float, str, bool, bytes, type(None)})


def _is_variable(value: Any) -> bool:
    return isinstance(value, tapegrad.Variable)


def _is_floating(dtype: Any) -> bool:
    flag = getattr(dtype, "is_floating", None)
    if flag is not None:
        return bool(flag)
    return "float" in str(getattr(dtype, "name", dtype))


def _dedup(values: Iterable[Any]) -> list[Any]:
    seen: set[int] = set()
    out = []
    for value in values:
        if id(value) not in seen:
            seen.add(id(value))
            out.append(value)
    return out


def _shape_of(value: Any) -> Any:
    shape = getattr(value, "shape", None)
    return tuple(shape) if shape is not None else None


_ACCEPTS_TRAINING: dict[Any, bool] = {}


def accepts_training(layer: Any) -> bool:
    """Whether ``layer.call`` takes a ``training`` argument (or ``**kwargs``); decided once per class."""
    call = getattr(type(layer), "call", None)
    known = _ACCEPTS_TRAINING.get(call)
    if known is None:
        try:
            parameters = inspect.signature(layer.call).parameters
            known = "training" in parameters or any(p.kind is p.VAR_KEYWORD for p in parameters.values())
        except (TypeError, ValueError):
            known = False
        _ACCEPTS_TRAINING[call] = known
    return known


class Layer(Module):
    """Base class of Keras layers: subclasses override ``build`` and ``call``.

    ``layer(inputs)`` converts NumPy/Python inputs to tensors (floats become the
    layer's dtype), calls ``build(input_shape)`` the first time, then ``call``.
    Weights made with :meth:`add_weight` (or assigned as attributes) and the
    weights of sub-layers assigned as attributes are tracked in creation order.
    """

    _trainable_weights: list[Any]
    _non_trainable_weights: list[Any]
    _layers: list[Layer]

    def __init__(
        self, trainable: bool = True, name: str | None = None, dtype: Any = None, **kwargs: Any
    ) -> None:
        unknown = set(kwargs) - _LAYER_KWARGS
        if unknown:
            raise TypeError(f"Keyword argument(s) not understood: {sorted(unknown)}")
        # Bookkeeping first: __setattr__ below relies on it.
        object.__setattr__(self, "_trainable_weights", [])
        object.__setattr__(self, "_non_trainable_weights", [])
        object.__setattr__(self, "_layers", [])
        if name is None:
            name = backend.unique_object_name(backend.to_snake_case(type(self).__name__))
        self._name = name
        self._name_scope = NameScope(name)
        self._trainable = trainable
        self._dtype = dtype
        self._autocast = kwargs.get("autocast", True)
        self.built = False
        self._batch_input_shape: tuple[Any, ...] | None = None
        if "batch_input_shape" in kwargs:
            self._batch_input_shape = tuple(kwargs["batch_input_shape"])
        elif "input_shape" in kwargs:
            self._batch_input_shape = (None, *tuple(kwargs["input_shape"]))
        elif "input_dim" in kwargs:
            self._batch_input_shape = (None, kwargs["input_dim"])

    # ----------------------------------------------------------------- tracking
    def __setattr__(self, key: str, value: Any) -> None:
        if type(value) not in _PLAIN_TYPES and not key.startswith("__"):
            for leaf in _nest.flatten(value):
                if isinstance(leaf, Layer) and leaf is not self:
                    self._track_layer(leaf)
                elif _is_variable(leaf):
                    self._track_variable(leaf)
        object.__setattr__(self, key, value)

    def _tracking(self, attr: str) -> list[Any]:
        try:
            return self.__dict__[attr]  # type: ignore[no-any-return]
        except KeyError:
            raise RuntimeError(
                f"{type(self).__name__}: call super().__init__() before assigning layers or variables"
            ) from None

    def _track_layer(self, layer: Layer) -> None:
        layers = self._tracking("_layers")
        if all(layer is not known for known in layers):
            layers.append(layer)

    def _track_variable(self, variable: Any) -> None:
        trainable = bool(getattr(variable, "trainable", True))
        target = self._tracking("_trainable_weights" if trainable else "_non_trainable_weights")
        if all(variable is not known for known in self.__dict__.get("_trainable_weights", [])) and all(
            variable is not known for known in self.__dict__.get("_non_trainable_weights", [])
        ):
            target.append(variable)

    # --------------------------------------------------------------- properties
    @property
    def dtype(self) -> Any:
        """The dtype of the layer's weights and (float) inputs; ``tapegrad.float32`` by default."""
        return tapegrad.float32 if self._dtype is None else self._dtype

    @property
    def trainable(self) -> bool:
        """Whether the layer's weights are trained; setting it also sets every sub-layer's."""
        return bool(self._trainable)

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self._trainable = bool(value)
        for layer in self._layers:
            layer.trainable = value

    @property
    def trainable_weights(self) -> list[Any]:
        """Trainable variables: this layer's in creation order, then each sub-layer's."""
        if not self.trainable:
            return []
        children = [w for layer in self._layers for w in layer.trainable_weights]
        return _dedup([*self._trainable_weights, *children])

    @property
    def non_trainable_weights(self) -> list[Any]:
        """Variables that are not trained (all of them when ``trainable`` is False)."""
        if self.trainable:
            children = [w for layer in self._layers for w in layer.non_trainable_weights]
            return _dedup([*self._non_trainable_weights, *children])
        children = [w for layer in self._layers for w in layer.weights]
        return _dedup([*self._trainable_weights, *self._non_trainable_weights, *children])

    @property
    def weights(self) -> list[Any]:
        """All variables: ``trainable_weights + non_trainable_weights``."""
        return _dedup([*self.trainable_weights, *self.non_trainable_weights])

    @property
    def variables(self) -> list[Any]:  # type: ignore[override]
        """Alias of :attr:`weights`."""
        return self.weights

    @property
    def trainable_variables(self) -> list[Any]:  # type: ignore[override]
        """Alias of :attr:`trainable_weights`."""
        return self.trainable_weights

    @property
    def non_trainable_variables(self) -> list[Any]:  # type: ignore[override]
        """Alias of :attr:`non_trainable_weights`."""
        return self.non_trainable_weights

    # ------------------------------------------------------------------ weights
    def add_weight(
        self,
        name: str,
        shape: Sequence[int] = (),
        dtype: Any = None,
        initializer: Any = None,
        trainable: bool = True,
    ) -> Any:
        """Create, track and return a ``tapegrad.Variable`` named ``<scope>/<layer>/<name>:0``."""
        dtype = self.dtype if dtype is None else dtype
        init = initializers.get(initializer)
        if init is None:
            init = initializers.GlorotUniform() if _is_floating(dtype) else initializers.Zeros()
        shape = tuple(int(d) for d in shape)
        scope = contextlib.nullcontext() if innermost_name_scope() is self._name_scope else self._name_scope
        with scope:
            variable = tapegrad.Variable(
                init(shape, dtype=dtype), trainable=trainable, name=scoped_name(name)
            )
        self._track_variable(variable)
        return variable

    def get_weights(self) -> list[np.ndarray]:
        """The values of :attr:`weights` as NumPy arrays."""
        return [np.asarray(w.numpy()) for w in self.weights]

    def set_weights(self, values: Sequence[Any]) -> None:
        """Assign NumPy values to :attr:`weights`, in order."""
        weights = self.weights
        if len(values) != len(weights):
            raise ValueError(f"{self.name}: expected {len(weights)} weight values, got {len(values)}")
        for weight, value in zip(weights, values):
            weight.assign(np.asarray(value))

    def count_params(self) -> int:
        """Total number of scalars in :attr:`weights`."""
        return int(sum(int(np.prod(_shape_of(w))) for w in self.weights))

    # ----------------------------------------------------------------- calling
    def build(self, input_shape: Any) -> None:
        """Create the layer's weights; called once, before the first ``call``."""
        self.built = True

    def call(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        """The forward computation; the default returns ``inputs`` unchanged."""
        return inputs

    def _call_scope(self) -> contextlib.AbstractContextManager[Any]:
        return self._name_scope

    def __call__(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        inputs = self._convert_inputs(inputs)
        if "training" in kwargs and not accepts_training(self):
            # Keras passes `training` only to a `call` that takes it (or **kwargs).
            del kwargs["training"]
        with self._call_scope():
            self._maybe_build(inputs)
            return self.call(inputs, *args, **kwargs)

    def _maybe_build(self, inputs: Any) -> None:
        if not self.built:
            self.build(_nest.map_structure(_shape_of, inputs))
            self.built = True

    def _convert_inputs(self, inputs: Any) -> Any:
        """NumPy arrays and Python numbers become tensors; floats are cast to the layer's dtype."""
        if (
            isinstance(inputs, (list, tuple))
            and inputs
            and all(isinstance(leaf, (int, float, np.number)) for leaf in _nest.flatten(inputs))
        ):
            inputs = np.asarray(inputs)
        return _nest.map_structure(self._convert_leaf, inputs)

    def _convert_leaf(self, value: Any) -> Any:
        if isinstance(value, (np.ndarray, np.number, int, float)) and not isinstance(value, bool):
            value = tapegrad.convert_to_tensor(value)
        elif not isinstance(value, tapegrad.Tensor):
            return value
        if self._autocast and _is_floating(value.dtype) and value.dtype != self.dtype:
            value = tapegrad.cast(value, self.dtype)
        return value

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments, as a dict."""
        return {"name": self.name, "trainable": self.trainable}

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r}, built={self.built}>"


class Dense(Layer):
    """``activation(inputs @ kernel + bias)``, with ``kernel`` of shape ``(in, units)``."""

    def __init__(
        self,
        units: int,
        activation: activations.ActivationLike = None,
        use_bias: bool = True,
        kernel_initializer: initializers.InitializerLike = "glorot_uniform",
        bias_initializer: initializers.InitializerLike = "zeros",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if int(units) <= 0:
            raise ValueError(f"Dense: units must be a positive integer, got {units!r}")
        self.units = int(units)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel: Any = None
        self.bias: Any = None

    def build(self, input_shape: Any) -> None:
        """Create ``kernel`` ``(input_shape[-1], units)`` and ``bias`` ``(units,)``."""
        if not input_shape or input_shape[-1] is None:
            raise ValueError(
                f"Dense {self.name!r}: the last dimension of the inputs must be known, got {input_shape!r}"
            )
        last = int(input_shape[-1])
        self.kernel = self.add_weight("kernel", (last, self.units), initializer=self.kernel_initializer)
        if self.use_bias:
            self.bias = self.add_weight("bias", (self.units,), initializer=self.bias_initializer)
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
        }


class Activation(Layer):
    """Applies an activation function (a name or a callable)."""

    def __init__(self, activation: activations.ActivationLike, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.activation = activations.get(activation)

    def call(self, inputs: Any) -> Any:  # type: ignore[override]
        """``activation(inputs)``."""
        return self.activation(inputs)


class ReLU(Layer):
    """``max_value`` above it, ``x`` from ``threshold`` up, ``negative_slope * (x - threshold)`` below."""

    def __init__(
        self,
        max_value: float | None = None,
        negative_slope: float = 0.0,
        threshold: float = 0.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if max_value is not None and max_value < 0.0:
            raise ValueError(f"max_value of a ReLU layer cannot be a negative value. Received: {max_value}")
        if negative_slope is None or negative_slope < 0.0:
            raise ValueError(
                f"negative_slope of a ReLU layer cannot be a negative value. Received: {negative_slope}"
            )
        if threshold is None or threshold < 0.0:
            raise ValueError(f"threshold of a ReLU layer cannot be a negative value. Received: {threshold}")
        self.max_value = max_value
        self.negative_slope = negative_slope
        self.threshold = threshold

    def call(self, inputs: Any) -> Any:  # type: ignore[override]
        """The thresholded, leaky, capped rectifier (``tf.nn.relu`` with the defaults)."""
        if self.negative_slope == 0.0 and self.threshold == 0.0:
            outputs = tapegrad.nn.relu(inputs)
        else:
            below = self.negative_slope * (inputs - self.threshold)
            outputs = tapegrad.where(inputs >= self.threshold, inputs, below)
        if self.max_value is not None:
            outputs = tapegrad.minimum(outputs, self.max_value)
        return outputs

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "max_value": self.max_value,
            "negative_slope": self.negative_slope,
            "threshold": self.threshold,
        }


class Softmax(Layer):
    """``softmax(inputs)`` along ``axis``."""

    def __init__(self, axis: int = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = axis

    def call(self, inputs: Any) -> Any:  # type: ignore[override]
        """``exp(inputs) / sum(exp(inputs), axis)``."""
        return tapegrad.nn.softmax(inputs, axis=self.axis)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis}


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
        seed = {} if self.seed is None else {"seed": self.seed}
        noise = tapegrad.random.uniform(self._noise_shape(inputs), dtype=inputs.dtype, **seed)
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
        if mask_zero:
            raise NotImplementedError("Embedding(mask_zero=True): tapegrad has no Keras masking")
        self.input_dim = int(input_dim)
        self.output_dim = int(output_dim)
        self.embeddings_initializer = initializers.get(embeddings_initializer)
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

    def compute_output_shape(self, input_shape: Sequence[Any]) -> tuple[Any, ...]:
        """``input_shape + (output_dim,)``."""
        return (*tuple(input_shape), self.output_dim)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "input_dim": self.input_dim, "output_dim": self.output_dim}


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

"""The Keras ``Layer`` base class: weight tracking, build on first call, input conversion.

Variable names follow TF 1 / tf.keras 2: a layer's weights are created inside the
layer's name scope, so the first ``Dense`` owns ``dense/kernel:0`` and
``dense/bias:0``, the second ``dense_1/kernel:0``, and a layer built inside a
subclassed model's call gets ``my_model/dense/kernel:0``.
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

import tapegrad

from ... import _nest
from ...module import Module, NameScope, innermost_name_scope, scoped_name
from .. import backend, initializers

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

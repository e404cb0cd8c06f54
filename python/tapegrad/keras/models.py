"""Keras models: ``Model`` (subclassed, or functional as ``Model(inputs, outputs)``) and ``Sequential``.

``keras.Model(inputs, outputs)`` makes a functional model (see ``functional.py``);
a subclass of ``Model`` defines ``call`` itself. ``Sequential`` is a stack of
layers; given an input shape (an ``Input`` first, or ``input_shape=`` on the
first layer) it is built at once, as a functional graph, so ``summary()`` and
``model.inputs``/``outputs`` work before any data is seen. Training
(``compile``/``fit``/...) comes from ``training.py``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from typing import Any

from . import backend
from .functional import _FunctionalMixin
from .keras_tensor import KerasTensor
from .layers import Layer, accepts_training
from .layers.input_layer import Input, InputLayer
from .summary import print_summary
from .training import TrainingMixin

__all__ = ["Model", "Sequential", "clone_model"]


def _is_functional_call(args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
    if "inputs" in kwargs and "outputs" in kwargs:
        return True
    if len(args) >= 2:
        return True
    return len(args) == 1 and "outputs" in kwargs


class Model(TrainingMixin, _FunctionalMixin, Layer):
    """A layer made of layers, with training methods.

    * ``Model(inputs, outputs, name=None)``: a functional model (``inputs`` and
      ``outputs`` are KerasTensors, lists or dicts of them).
    * ``class MyModel(Model)``: create sub-layers in ``__init__``, override ``call``.
      Sub-layers built during ``call`` get names prefixed with the model's name
      (``my_model/dense/kernel:0``), as in tf.keras 2.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        functional = _is_functional_call(args, kwargs)
        if functional:
            inputs = kwargs.pop("inputs") if "inputs" in kwargs else args[0]
            outputs = kwargs.pop("outputs") if "outputs" in kwargs else args[1]
            args = args[2:] if len(args) >= 2 else args[1:]
        elif args:
            raise TypeError(
                "Model() takes inputs and outputs (or nothing, when subclassed); "
                f"got {len(args)} positional argument(s)"
            )
        if kwargs.get("name") is None:
            base = (
                "functional"
                if functional and type(self) is Model
                else backend.to_snake_case(type(self).__name__)
            )
            kwargs["name"] = backend.unique_object_name(base)
        super().__init__(*args, **kwargs)
        object.__setattr__(self, "_is_graph_network", functional)
        self._init_training()
        if functional:
            self._init_graph(inputs, outputs)

    @property
    def layers(self) -> list[Layer]:
        """The sub-layers: a functional model's in graph order (its ``InputLayer``s first), else in
        the order they were assigned. Ops applied to KerasTensors are not layers and are left out."""
        from .layers.tf_op import TFOpLambda

        return [layer for layer in self._layers if not isinstance(layer, TFOpLambda)]

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        """The sub-layer called ``name``, or at position ``index`` of :attr:`layers`."""
        if index is not None and name is not None:
            raise ValueError(
                f"Provide only a layer name or a layer index. Received: index={index}, name={name}."
            )
        layers = self.layers
        if index is not None:
            if not -len(layers) <= index < len(layers):
                raise ValueError(
                    f"Was asked to retrieve layer at index {index} but model only has {len(layers)} layers."
                )
            return layers[index]
        if name is not None:
            for layer in layers:
                if layer.name == name:
                    return layer
            raise ValueError(
                f"No such layer: {name}. Existing layers are: {[layer.name for layer in layers]}."
            )
        raise ValueError("Provide either a layer name or layer index at `get_layer`.")

    def summary(
        self,
        line_length: int | None = None,
        positions: Any = None,
        print_fn: Any = None,
        expand_nested: bool = False,
        show_trainable: bool = False,
        layer_range: Any = None,
    ) -> None:
        """Print Keras' table of the model: each layer's name and type, output shape, parameter count
        (and, for a functional model, the layers it is connected to), then the totals."""
        print_summary(self, line_length=line_length, positions=positions, print_fn=print_fn)

    def call(self, inputs: Any, training: Any = None, mask: Any = None) -> Any:  # type: ignore[override]
        """Run the functional graph on ``inputs`` (subclassed models override this)."""
        if not self.__dict__.get("_is_graph_network"):
            raise NotImplementedError(
                f"Model {self.name!r}: a subclassed Model must implement `call` "
                "(or be made as Model(inputs, outputs))"
            )
        return self._run_graph(inputs, training=training, mask=mask)

    def _call_scope(self) -> contextlib.AbstractContextManager[Any]:
        if self.__dict__.get("_is_graph_network"):
            return contextlib.nullcontext()
        return super()._call_scope()

    def _maybe_build(self, inputs: Any) -> None:
        if self.__dict__.get("_is_graph_network"):
            self.built = True
            return
        super()._maybe_build(inputs)

    def build(self, input_shape: Any) -> None:
        """A subclassed model is built by calling it once on zeros of ``input_shape`` (None becomes 1)."""
        if self.__dict__.get("_is_graph_network") or self.built:
            self.built = True
            return
        if input_shape is None or type(self).call is Model.call:
            self.built = True
            return
        import tapegrad

        def zeros(shape: Any) -> Any:
            return tapegrad.zeros(tuple(1 if d is None else int(d) for d in shape), dtype=self.dtype)

        nested = (
            isinstance(input_shape, (list, tuple))
            and input_shape
            and isinstance(input_shape[0], (list, tuple))
        )
        self.built = True
        self(([zeros(s) for s in input_shape]) if nested else zeros(input_shape))
        self._clear_losses()

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "trainable": self.trainable}


class Sequential(Model):
    """A linear stack of layers: ``Sequential([Input((4,)), Dense(16, activation="relu"), Dense(3)])``.

    As in tf.keras 2, the weights of its layers are named without the model's
    prefix (``dense/kernel:0``). With an input shape (an ``Input`` first, or
    ``input_shape=`` on the first layer) the model is built at once.
    """

    _input_tensor: Any

    def __init__(
        self, layers: Iterable[Any] | None = None, name: str | None = None, trainable: bool = True
    ) -> None:
        super().__init__(name=name, trainable=trainable)
        object.__setattr__(self, "_input_tensor", None)
        for layer in layers or ():
            self.add(layer)

    @property
    def layers(self) -> list[Layer]:
        """The stacked layers (without the ``InputLayer``)."""
        return [layer for layer in self._layers if not isinstance(layer, InputLayer)]

    def add(self, layer: Any) -> None:
        """Append ``layer`` (or an ``Input``'s KerasTensor, which sets the input shape) to the stack."""
        if isinstance(layer, KerasTensor):
            history = layer._keras_history
            if history is None or not isinstance(history[0], InputLayer):
                raise TypeError(
                    "Sequential.add: a KerasTensor added to a Sequential model must come from keras.Input"
                )
            if self.layers or self._input_tensor is not None:
                raise ValueError("Sequential.add: an Input can only be the first entry of a Sequential model")
            object.__setattr__(self, "_input_tensor", layer)
            return
        if isinstance(layer, InputLayer):
            self.add(layer._inbound_nodes[0].outputs)
            return
        if not isinstance(layer, Layer):
            raise TypeError(
                "The added layer must be an instance of class Layer. "
                f"Received: layer={layer} of type {type(layer)}."
            )
        if any(layer is known for known in self._layers):
            raise ValueError(f"Sequential.add: layer {layer.name!r} is already in the model")
        self._track_layer(layer)
        self.built = False
        object.__setattr__(self, "_is_graph_network", False)
        input_tensor = self._input_tensor
        if input_tensor is None and self.layers[0]._batch_input_shape is not None:
            input_tensor = Input(batch_shape=self.layers[0]._batch_input_shape, dtype=self.layers[0]._dtype)
            object.__setattr__(self, "_input_tensor", input_tensor)
        if input_tensor is not None:
            self._build_graph(input_tensor)

    def pop(self) -> Layer:
        """Remove and return the last layer."""
        layers = self.layers
        if not layers:
            raise TypeError("There are no layers in the model.")
        last = layers[-1]
        self._layers.remove(last)
        self.built = False
        object.__setattr__(self, "_is_graph_network", False)
        if self._input_tensor is not None and self.layers:
            self._build_graph(self._input_tensor)
        return last

    def _build_graph(self, input_tensor: KerasTensor) -> None:
        outputs: Any = input_tensor
        for layer in self.layers:
            outputs = layer(outputs)
        object.__setattr__(self, "_input_structure", input_tensor)
        object.__setattr__(self, "_output_structure", outputs)
        object.__setattr__(self, "_graph_inputs", [input_tensor])
        object.__setattr__(self, "_graph_outputs", [outputs])
        self.built = True

    def build(self, input_shape: Any = None) -> None:
        """Build every layer for inputs of ``input_shape`` (batch dimension first)."""
        if input_shape is None:
            if self._input_tensor is None:
                raise ValueError("You must provide an `input_shape` argument.")
            self._build_graph(self._input_tensor)
            return
        input_tensor = Input(batch_shape=tuple(input_shape), dtype=self._dtype)
        object.__setattr__(self, "_input_tensor", input_tensor)
        if self.layers:
            self._build_graph(input_tensor)
        else:
            self.built = True

    @property
    def inputs(self) -> list[KerasTensor]:
        return [self._input_tensor] if self.built and self._input_tensor is not None else []

    @property
    def outputs(self) -> list[KerasTensor]:
        out = self.__dict__.get("_graph_outputs")
        return list(out) if self.built and out else []

    def _call_scope(self) -> contextlib.AbstractContextManager[Any]:
        return contextlib.nullcontext()

    def _maybe_build(self, inputs: Any) -> None:
        self.built = True  # each layer builds itself on its first call

    def call(self, inputs: Any, training: Any = None, mask: Any = None) -> Any:  # type: ignore[override]
        """Feed ``inputs`` through each layer in turn (``training`` only to layers that take it)."""
        outputs = inputs
        for layer in self.layers:
            if training is not None and accepts_training(layer):
                outputs = layer(outputs, training=training)
            else:
                outputs = layer(outputs)
        return outputs

    def get_config(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "trainable": self.trainable,
            "layers": [
                {"class_name": type(layer).__name__, "config": layer.get_config()} for layer in self.layers
            ],
        }


def _clone_layer(layer: Layer) -> Layer:
    """A new layer of the same class and config (fresh weights)."""
    from .layers.tf_op import TFOpLambda

    if isinstance(layer, TFOpLambda):
        return TFOpLambda(layer.function, name=layer.symbol.removeprefix("tf."))
    if isinstance(layer, Model) and layer.__dict__.get("_is_graph_network"):
        return clone_model(layer)
    try:
        return type(layer).from_config(layer.get_config())  # type: ignore[no-any-return]
    except (TypeError, ValueError, KeyError) as error:
        raise ValueError(
            f"clone_model: layer {layer.name!r} ({type(layer).__name__}) cannot be rebuilt from its "
            f"get_config() ({error}); pass a clone_function that makes it."
        ) from None


def clone_model(
    model: Model, input_tensors: Any = None, clone_function: Any = None, **kwargs: Any
) -> Model:
    """A new model with the same structure and new (freshly initialized) weights.

    Works for functional and Sequential models (not subclassed ones, as in Keras);
    each layer is remade with ``clone_function(layer)`` (default:
    ``type(layer).from_config(layer.get_config())``); a layer shared in the graph
    stays shared in the clone. Copy the weights with ``clone.set_weights(model.get_weights())``.
    """
    from .. import _nest

    make = clone_function or _clone_layer
    if isinstance(model, Sequential):
        clone = Sequential(name=model.name)
        if input_tensors is not None:
            clone.add(input_tensors)
        elif model._input_tensor is not None:
            spec = model._input_tensor
            clone.add(Input(batch_shape=tuple(spec.shape), dtype=spec.dtype))
        for layer in model.layers:
            clone.add(make(layer))
        return clone
    if not isinstance(model, Model) or not model.__dict__.get("_is_graph_network"):
        raise ValueError(
            "Expected `model` argument to be a functional `Model` instance, but got a subclassed model "
            f"({type(model).__name__}); clone it by constructing a new instance instead."
        )
    old_inputs = model.inputs
    if input_tensors is None:
        new_inputs = [
            Input(
                batch_shape=tuple(t.shape),
                dtype=t.dtype,
                name=t._keras_history[0].name if t._keras_history else None,
            )
            for t in old_inputs
        ]
    else:
        new_inputs = _nest.flatten(input_tensors) if _nest.is_nested(input_tensors) else [input_tensors]
        if len(new_inputs) != len(old_inputs):
            raise ValueError(
                f"clone_model: the model has {len(old_inputs)} inputs, got {len(new_inputs)} input tensors"
            )
    tensor_map: dict[int, Any] = {id(old): new for old, new in zip(old_inputs, new_inputs)}
    layer_map: dict[int, Layer] = {}

    def swap(value: Any) -> Any:
        return tensor_map[id(value)] if isinstance(value, KerasTensor) else value

    for node in model._nodes:  # type: ignore[attr-defined]
        if node.is_input:
            continue
        layer = node.layer
        new_layer = layer_map.get(id(layer))
        if new_layer is None:
            new_layer = layer_map[id(layer)] = make(layer)
        args = _nest.map_structure(swap, node.call_args)
        outputs = new_layer(*args, **_nest.map_structure(swap, node.call_kwargs))
        flat = _nest.flatten(outputs) if _nest.is_nested(outputs) else [outputs]
        for old, new in zip(node.output_tensors, flat):
            tensor_map[id(old)] = new
    structure = model.input
    inputs = _nest.pack_sequence_as(structure, new_inputs) if _nest.is_nested(structure) else new_inputs[0]
    outputs = _nest.map_structure(swap, model.output)
    return Model(inputs, outputs, name=model.name)

"""Keras containers: ``Model`` (for subclassing) and ``Sequential``.

These are eager-only: there is no ``compile``/``fit``; train them with a
``GradientTape`` loop over ``model.trainable_variables``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from typing import Any

import tapegrad

from .layers import Layer, accepts_training

__all__ = ["Model", "Sequential"]


class Model(Layer):
    """A layer made of layers: subclass it, create sub-layers in ``__init__``, override ``call``.

    Sub-layers built during ``call`` get names prefixed with the model's name
    (``my_model/dense/kernel:0``), as in tf.keras 2.
    """

    @property
    def layers(self) -> list[Layer]:
        """The sub-layers, in the order they were assigned."""
        return list(self._layers)

    def summary(self, print_fn: Any = print) -> None:
        """Print one line per sub-layer and the total parameter count."""
        print_fn(f'Model: "{self.name}"')
        for layer in self.layers:
            count = layer.count_params() if layer.built else "(unbuilt)"
            print_fn(f"  {layer.name:<24} {type(layer).__name__:<16} params: {count}")
        print_fn(f"Total params: {self.count_params()}")


class Sequential(Model):
    """A linear stack of layers: ``Sequential([Dense(16, activation="relu"), Dense(3)])``.

    As in tf.keras 2, the weights of its layers are named without the model's
    prefix (``dense/kernel:0``). If the first layer was given ``input_shape``, the
    model is built immediately.
    """

    def __init__(self, layers: Iterable[Layer] | None = None, name: str | None = None) -> None:
        super().__init__(name=name)
        for layer in layers or ():
            self.add(layer)

    def add(self, layer: Layer) -> None:
        """Append ``layer`` to the stack."""
        if not isinstance(layer, Layer):
            raise TypeError(f"Sequential.add expects a keras Layer, got {type(layer).__name__}")
        self._track_layer(layer)
        self.built = False
        first_shape = self._layers[0]._batch_input_shape
        if first_shape is not None:
            self.build(first_shape)

    def build(self, input_shape: Any) -> None:
        """Build every layer by running a batch of one zero row through the stack."""
        shape = tuple(1 if d is None else int(d) for d in input_shape)
        self.built = True
        self.call(tapegrad.zeros(shape, dtype=self.dtype))

    def _call_scope(self) -> contextlib.AbstractContextManager[Any]:
        return contextlib.nullcontext()

    def _maybe_build(self, inputs: Any) -> None:
        self.built = True  # each layer builds itself on its first call

    def call(self, inputs: Any, training: bool | None = None) -> Any:  # type: ignore[override]
        """Feed ``inputs`` through each layer in turn (``training`` only to layers that take it)."""
        outputs = inputs
        for layer in self._layers:
            if training is not None and accepts_training(layer):
                outputs = layer(outputs, training=training)
            else:
                outputs = layer(outputs)
        return outputs

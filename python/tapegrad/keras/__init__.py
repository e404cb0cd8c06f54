"""A small eager subset of ``tf.keras``: layers, activations, initializers, models,
optimizers, losses and metrics (enough for custom training loops).

>>> import tapegrad as tf
>>> layer = tf.keras.layers.Dense(2, activation="relu")
>>> y = layer(tf.constant([[1.0, 2.0, 3.0]]))
>>> [v.name for v in layer.trainable_variables]  # doctest: +SKIP
['dense/kernel:0', 'dense/bias:0']
"""

from __future__ import annotations

from . import (
    activations,
    backend,
    callbacks,
    constraints,
    initializers,
    layers,
    losses,
    metrics,
    models,
    optimizers,
    regularizers,
    utils,
)
from .layers import Input, InputLayer
from .models import Model, Sequential

__all__ = [
    "Input",
    "InputLayer",
    "Model",
    "Sequential",
    "activations",
    "backend",
    "callbacks",
    "constraints",
    "initializers",
    "layers",
    "losses",
    "metrics",
    "models",
    "optimizers",
    "regularizers",
    "utils",
]

from . import random  # noqa: E402  (Keras 3's keras.random)

__all__ += ["random"]

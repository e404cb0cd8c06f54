"""Keras layers, one module per family: ``base`` (the ``Layer`` class), ``core``, ``activation``,
``reshaping`` and ``merging``."""

from __future__ import annotations

from .activation import ReLU, Softmax
from .base import InputSpec, Layer, accepts_training
from .core import Activation, Dense, Dropout, Embedding, Lambda
from .input_layer import Input, InputLayer
from .masking import Masking
from .merging import Add, Concatenate
from .reshaping import Flatten, Reshape

__all__ = [
    "Activation",
    "Add",
    "Concatenate",
    "Dense",
    "Dropout",
    "Embedding",
    "Flatten",
    "Input",
    "InputLayer",
    "InputSpec",
    "Lambda",
    "Masking",
    "Layer",
    "ReLU",
    "Reshape",
    "Softmax",
    "accepts_training",
]

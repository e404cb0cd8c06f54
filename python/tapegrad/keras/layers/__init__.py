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

# Normalization, activation, regularization, merging, reshaping and preprocessing layers.
from .activation import ELU, LeakyReLU, PReLU  # noqa: E402
from .core import Identity  # noqa: E402
from .merging import (  # noqa: E402
    Average,
    Dot,
    Maximum,
    Minimum,
    Multiply,
    Subtract,
    add,
    average,
    concatenate,
    dot,
    maximum,
    minimum,
    multiply,
    subtract,
)
from .normalization import (  # noqa: E402
    BatchNormalization,
    GroupNormalization,
    LayerNormalization,
    RMSNormalization,
    UnitNormalization,
)
from .preprocessing import CategoryEncoding, Normalization, Rescaling  # noqa: E402
from .regularization import (  # noqa: E402
    GaussianDropout,
    GaussianNoise,
    SpatialDropout1D,
    SpatialDropout2D,
    SpatialDropout3D,
)
from .reshaping import Permute, RepeatVector  # noqa: E402

__all__ += [
    "Average",
    "BatchNormalization",
    "CategoryEncoding",
    "Dot",
    "ELU",
    "GaussianDropout",
    "GaussianNoise",
    "GroupNormalization",
    "Identity",
    "LayerNormalization",
    "LeakyReLU",
    "Maximum",
    "Minimum",
    "Multiply",
    "Normalization",
    "PReLU",
    "Permute",
    "RMSNormalization",
    "RepeatVector",
    "Rescaling",
    "SpatialDropout1D",
    "SpatialDropout2D",
    "SpatialDropout3D",
    "Subtract",
    "UnitNormalization",
    "add",
    "average",
    "concatenate",
    "dot",
    "maximum",
    "minimum",
    "multiply",
    "subtract",
]

from . import experimental  # noqa: E402  (tf.keras 2's layers.experimental.preprocessing)

__all__ += ["experimental"]

from .activity_regularization import ActivityRegularization  # noqa: E402

__all__ += ["ActivityRegularization"]

"""Keras layers, one module per family: ``base`` (the ``Layer`` class), ``core``, ``activation``,
``reshaping`` and ``merging``."""

from __future__ import annotations

from .activation import ReLU, Softmax
from .base import InputSpec, Layer, accepts_training

# Convolution, pooling and spatial layers.
from .convolutional import Conv1D, Conv2D, Conv2DTranspose, DepthwiseConv2D, SeparableConv2D
from .core import Activation, Dense, Dropout, Embedding, Lambda
from .input_layer import Input, InputLayer
from .masking import Masking
from .merging import Add, Concatenate
from .pooling import (
    AveragePooling1D,
    AveragePooling2D,
    GlobalAveragePooling1D,
    GlobalAveragePooling2D,
    GlobalMaxPooling1D,
    GlobalMaxPooling2D,
    MaxPooling1D,
    MaxPooling2D,
)
from .reshaping import Flatten, Reshape
from .spatial import Cropping2D, UpSampling2D, ZeroPadding2D

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
__all__ += [
    "AveragePooling1D",
    "AveragePooling2D",
    "Conv1D",
    "Conv2D",
    "Conv2DTranspose",
    "Cropping2D",
    "DepthwiseConv2D",
    "GlobalAveragePooling1D",
    "GlobalAveragePooling2D",
    "GlobalMaxPooling1D",
    "GlobalMaxPooling2D",
    "MaxPooling1D",
    "MaxPooling2D",
    "SeparableConv2D",
    "UpSampling2D",
    "ZeroPadding2D",
]
# Keras's aliases.
Convolution2D = Conv2D
MaxPool2D = MaxPooling2D
AvgPool2D = AveragePooling2D
MaxPool1D = MaxPooling1D
AvgPool1D = AveragePooling1D
__all__ += ["AvgPool1D", "AvgPool2D", "Convolution2D", "MaxPool1D", "MaxPool2D"]
from .attention import AdditiveAttention, Attention, MultiHeadAttention  # noqa: E402
from .recurrent import GRU, LSTM, RNN, GRUCell, LSTMCell, SimpleRNN, SimpleRNNCell  # noqa: E402
from .wrappers import Bidirectional, TimeDistributed  # noqa: E402

__all__ += [
    "GRU",
    "LSTM",
    "RNN",
    "AdditiveAttention",
    "Attention",
    "Bidirectional",
    "GRUCell",
    "LSTMCell",
    "MultiHeadAttention",
    "SimpleRNN",
    "SimpleRNNCell",
    "TimeDistributed",
]

"""Keras layers, one module per family: ``base`` (the ``Layer`` class), ``core``, ``activation``,
``reshaping`` and ``merging``."""

from __future__ import annotations

from .activation import ReLU, Softmax
from .base import Layer, accepts_training

# Convolution, pooling and spatial layers.
from .convolutional import Conv1D, Conv2D, Conv2DTranspose, DepthwiseConv2D, SeparableConv2D
from .core import Activation, Dense, Dropout, Embedding, Lambda
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
    "Lambda",
    "Layer",
    "ReLU",
    "Reshape",
    "Softmax",
    "accepts_training",
]
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

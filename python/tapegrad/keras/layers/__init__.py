"""Keras layers, one module per family: ``base`` (the ``Layer`` class), ``core``, ``activation``,
``reshaping`` and ``merging``."""

from __future__ import annotations

from .activation import ReLU, Softmax
from .base import Layer, accepts_training
from .core import Activation, Dense, Dropout, Embedding, Lambda
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
    "Lambda",
    "Layer",
    "ReLU",
    "Reshape",
    "Softmax",
    "accepts_training",
]

from .attention import AdditiveAttention, Attention, MultiHeadAttention
from .recurrent import GRU, LSTM, RNN, GRUCell, LSTMCell, SimpleRNN, SimpleRNNCell
from .wrappers import Bidirectional, TimeDistributed

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

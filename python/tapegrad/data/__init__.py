"""``tf.data``: eager input pipelines (``Dataset`` and its transformations)."""

from __future__ import annotations

from . import experimental
from .dataset import (
    AUTOTUNE,
    INFINITE_CARDINALITY,
    UNKNOWN_CARDINALITY,
    Dataset,
    Iterator,
    NumpyIterator,
    Options,
)

__all__ = [
    "AUTOTUNE",
    "INFINITE_CARDINALITY",
    "UNKNOWN_CARDINALITY",
    "Dataset",
    "Iterator",
    "NumpyIterator",
    "Options",
    "experimental",
]

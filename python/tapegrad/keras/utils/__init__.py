"""``keras.utils``: ``Progbar``, ``to_categorical``, ``normalize`` and the data helpers
``unpack_x_y_sample_weight`` / ``pack_x_y_sample_weight``."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..data_adapter import pack_x_y_sample_weight, unpack_x_y_sample_weight
from .progbar import Progbar
from .py_dataset import PyDataset, Sequence

__all__ = [
    "Progbar",
    "normalize",
    "PyDataset",
    "Sequence",
    "pack_x_y_sample_weight",
    "set_random_seed",
    "to_categorical",
    "unpack_x_y_sample_weight",
]


def to_categorical(x: Any, num_classes: int | None = None) -> np.ndarray:
    """One-hot rows for the integer labels ``x`` (float32, ``num_classes`` = max label + 1 by default)."""
    labels = np.asarray(x, dtype="int64")
    shape = labels.shape
    if shape and shape[-1] == 1 and len(shape) > 1:
        shape = shape[:-1]
    labels = labels.reshape(-1)
    if num_classes is None:
        num_classes = int(labels.max(initial=-1)) + 1
    out = np.zeros((labels.size, num_classes), dtype="float32")
    out[np.arange(labels.size), labels] = 1.0
    return out.reshape((*shape, num_classes))


def normalize(x: Any, axis: int = -1, order: int = 2) -> np.ndarray:
    """``x`` divided by its ``order``-norm along ``axis`` (zero norms left as they are)."""
    array = np.asarray(x)
    norms = np.atleast_1d(np.linalg.norm(array, order, axis))
    norms[norms == 0] = 1
    return array / np.expand_dims(norms, axis)


def set_random_seed(seed: int) -> None:
    """Seed Python's, NumPy's and tapegrad's random generators."""
    import random

    import tapegrad

    random.seed(seed)
    np.random.seed(seed)
    setter = getattr(tapegrad.random, "set_seed", None)
    if setter is not None:
        setter(seed)

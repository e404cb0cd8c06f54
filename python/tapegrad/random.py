"""``tapegrad.random``: seeded random tensors (TF's ``tf.random``)."""

from __future__ import annotations

from ._core import random_normal as normal
from ._core import random_uniform as uniform
from ._core import set_seed, truncated_normal

__all__ = ["normal", "set_seed", "truncated_normal", "uniform"]

# The rest of tf.random lives in its own module.
from .random_extra import *  # noqa: E402,F403
from .random_extra import __all__ as _extra_names  # noqa: E402

__all__ += _extra_names

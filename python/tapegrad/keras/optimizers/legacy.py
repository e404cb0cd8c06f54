"""``tf.keras.optimizers.legacy``: the tf.keras 2 names, served by the Keras 3 optimizers.

TF 2.21 itself raises ``ImportError`` here (Keras 3 dropped the legacy optimizers);
tapegrad keeps the names so that tf.keras 2 programs run, with Keras 3's updates.
"""

from __future__ import annotations

from . import SGD, Adagrad, Adam, Optimizer, RMSprop
from .ftrl import Ftrl

__all__ = ["SGD", "Adagrad", "Adam", "Ftrl", "Optimizer", "RMSprop"]

"""``tf.keras.layers.experimental.preprocessing``: where tf.keras 2.3-2.5 kept ``Rescaling``,
``Normalization`` and ``CategoryEncoding`` (TF 2.21 no longer has the path; older programs use it)."""

from __future__ import annotations

from . import preprocessing

__all__ = ["preprocessing"]

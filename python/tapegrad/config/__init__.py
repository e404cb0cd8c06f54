"""``tapegrad.config``: runtime settings (TF's ``tf.config``)."""

from __future__ import annotations

from . import optimizer, threading

__all__ = ["optimizer", "threading"]

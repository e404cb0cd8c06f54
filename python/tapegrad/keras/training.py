"""Training methods of ``keras.Model``: ``compile``, ``fit``, ``evaluate``, ``predict`` and friends."""

from __future__ import annotations

__all__ = ["TrainingMixin"]


class TrainingMixin:
    """``compile``/``fit``/``evaluate``/``predict``, mixed into ``Model``."""

    def _init_training(self) -> None:
        object.__setattr__(self, "_is_compiled", False)

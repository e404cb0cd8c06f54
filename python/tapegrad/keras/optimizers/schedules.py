"""Learning-rate schedules, as in ``tf.keras.optimizers.schedules`` (Keras 3 formulas).

A schedule is called with the optimizer's ``iterations`` (the number of updates
applied so far) and returns the learning rate for the next update as a tensor.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import tapegrad

__all__ = [
    "ExponentialDecay",
    "InverseTimeDecay",
    "LearningRateSchedule",
    "PiecewiseConstantDecay",
    "deserialize",
    "serialize",
]


def _check_decay_steps(decay_steps: Any) -> None:
    if decay_steps <= 0:
        raise ValueError(f"Argument `decay_steps` must be > 0. Received: decay_steps={decay_steps}")


def _decay_progress(step: Any, decay_steps: Any, staircase: bool, dtype: Any) -> Any:
    """``step / decay_steps`` in ``dtype``, floored when ``staircase``."""
    progress = tapegrad.cast(step, dtype) / tapegrad.cast(decay_steps, dtype)
    return tapegrad.floor(progress) if staircase else progress


class LearningRateSchedule:
    """Base class: subclasses implement ``__call__(step)`` and ``get_config()``."""

    def __call__(self, step: Any) -> Any:
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override `__call__(self, step)`."
        )

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments, as a dict."""
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override `get_config()` "
            "in order to be serializable."
        )

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> LearningRateSchedule:
        """Rebuild a schedule from :meth:`get_config`'s output."""
        return cls(**config)


class _DecaySchedule(LearningRateSchedule):
    """What the decay schedules share: their arguments and config; subclasses give the formula."""

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        decay_rate: float,
        staircase: bool = False,
        name: str | None = None,
    ) -> None:
        _check_decay_steps(decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = type(self).__name__ if name is None else name

    def _parts(self, step: Any) -> tuple[Any, Any, Any]:
        """The initial rate, the decay rate (same dtype) and ``step / decay_steps`` (floored if staircase)."""
        initial = tapegrad.convert_to_tensor(self.initial_learning_rate)
        progress = _decay_progress(step, self.decay_steps, self.staircase, initial.dtype)
        return initial, tapegrad.cast(self.decay_rate, initial.dtype), progress

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments, as a dict."""
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "decay_rate": self.decay_rate,
            "staircase": self.staircase,
            "name": self.name,
        }


class ExponentialDecay(_DecaySchedule):
    """``initial_learning_rate * decay_rate ** (step / decay_steps)`` (exponent floored if ``staircase``)."""

    def __call__(self, step: Any) -> Any:
        initial, rate, progress = self._parts(step)
        return initial * tapegrad.pow(rate, progress)


class InverseTimeDecay(_DecaySchedule):
    """``initial_learning_rate / (1 + decay_rate * step / decay_steps)``."""

    def __call__(self, step: Any) -> Any:
        initial, rate, progress = self._parts(step)
        return initial / (1.0 + rate * progress)


class PiecewiseConstantDecay(LearningRateSchedule):
    """``values[0]`` while ``step <= boundaries[0]``, ``values[i]`` on ``(boundaries[i-1], boundaries[i]]``,
    and ``values[-1]`` after the last boundary."""

    def __init__(
        self, boundaries: Sequence[Any], values: Sequence[Any], name: str = "PiecewiseConstant"
    ) -> None:
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "The length of boundaries should be 1 less than the length of values. "
                f"Received: boundaries={boundaries} of length {len(boundaries)}, "
                f"and values={values} of length {len(values)}."
            )
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def __call__(self, step: Any) -> Any:
        step = tapegrad.convert_to_tensor(step)
        values = [tapegrad.convert_to_tensor(v) for v in self.values]
        dtype = values[0].dtype
        bounds = [tapegrad.cast(b, step.dtype) for b in self.boundaries]
        # Sum of indicator * value, as Keras does, so exactly one term is non-zero.
        result = tapegrad.cast(step <= bounds[0], dtype) * values[0]
        result += tapegrad.cast(step > bounds[-1], dtype) * values[-1]
        for low, high, value in zip(bounds[:-1], bounds[1:], values[1:-1]):
            in_range = tapegrad.logical_and(step > low, step <= high)
            result += tapegrad.cast(in_range, dtype) * value
        return result

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments, as a dict."""
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


_BY_NAME: dict[str, type[LearningRateSchedule]] = {
    cls.__name__: cls for cls in (ExponentialDecay, InverseTimeDecay, PiecewiseConstantDecay)
}


def serialize(schedule: LearningRateSchedule) -> dict[str, Any]:
    """A Keras-style config dict: ``{"module", "class_name", "config", "registered_name"}``."""
    return {
        "module": "keras.optimizers.schedules",
        "class_name": type(schedule).__name__,
        "config": schedule.get_config(),
        "registered_name": None,
    }


def deserialize(config: dict[str, Any]) -> LearningRateSchedule:
    """Rebuild a schedule from :func:`serialize`'s output."""
    name = config.get("class_name")
    if name not in _BY_NAME:
        raise ValueError(f"Unknown learning rate schedule: {name!r}. Known: {sorted(_BY_NAME)}")
    return _BY_NAME[name].from_config(config["config"])

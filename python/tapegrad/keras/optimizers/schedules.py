"""Learning-rate schedules, as in ``tf.keras.optimizers.schedules`` (Keras 3 formulas).

A schedule is called with the optimizer's ``iterations`` (the number of updates
applied so far) and returns the learning rate for the next update as a tensor.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import tapegrad

__all__ = [
    "CosineDecay",
    "CosineDecayRestarts",
    "ExponentialDecay",
    "InverseTimeDecay",
    "LearningRateSchedule",
    "PiecewiseConstantDecay",
    "PolynomialDecay",
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


class PolynomialDecay(LearningRateSchedule):
    """``(initial - end) * (1 - step / decay_steps) ** power + end``; the step stops at
    ``decay_steps``, or with ``cycle`` the horizon grows to the next multiple of ``decay_steps``."""

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        end_learning_rate: float = 0.0001,
        power: float = 1.0,
        cycle: bool = False,
        name: str = "PolynomialDecay",
    ) -> None:
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.end_learning_rate = end_learning_rate
        self.power = power
        self.cycle = cycle
        self.name = name
        _check_decay_steps(decay_steps)

    def __call__(self, step: Any) -> Any:
        initial = tapegrad.convert_to_tensor(self.initial_learning_rate)
        dtype = initial.dtype
        end = tapegrad.cast(self.end_learning_rate, dtype)
        power = tapegrad.cast(self.power, dtype)
        step_f = tapegrad.cast(step, dtype)
        decay_steps = tapegrad.cast(self.decay_steps, dtype)
        if self.cycle:
            multiplier = tapegrad.where(
                tapegrad.equal(step_f, 0),
                tapegrad.ones_like(step_f),
                tapegrad.ceil(step_f / self.decay_steps),
            )
            decay_steps = decay_steps * multiplier
        else:
            step_f = tapegrad.minimum(step_f, decay_steps)
        p = step_f / decay_steps
        return (initial - end) * tapegrad.pow(1 - p, power) + end

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments, as a dict."""
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "end_learning_rate": self.end_learning_rate,
            "power": self.power,
            "cycle": self.cycle,
            "name": self.name,
        }


class CosineDecay(LearningRateSchedule):
    """Cosine decay from the initial rate to ``alpha`` times it over ``decay_steps``, optionally
    after a linear warmup of ``warmup_steps`` to ``warmup_target`` (the decay then starts there).

    ``rate(s) = lr * ((1 - alpha) * 0.5 * (1 + cos(pi * min(s, decay_steps) / decay_steps)) + alpha)``.
    """

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        alpha: float = 0.0,
        name: str = "CosineDecay",
        warmup_target: float | None = None,
        warmup_steps: int = 0,
    ) -> None:
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.alpha = alpha
        self.name = name
        self.warmup_steps = warmup_steps
        self.warmup_target = warmup_target
        _check_decay_steps(decay_steps)

    def _decay(self, step: Any, decay_steps: Any, decay_from: Any, dtype: Any) -> Any:
        completed_fraction = step / decay_steps
        pi = tapegrad.constant(math.pi, dtype=dtype)
        cosine_decayed = 0.5 * (1.0 + tapegrad.cos(pi * completed_fraction))
        decayed = (1 - self.alpha) * cosine_decayed + self.alpha
        return decay_from * decayed

    def __call__(self, step: Any) -> Any:
        initial = tapegrad.convert_to_tensor(self.initial_learning_rate)
        dtype = initial.dtype
        decay_steps = tapegrad.cast(self.decay_steps, dtype)
        step_f = tapegrad.cast(step, dtype)
        if self.warmup_target is None:
            return self._decay(tapegrad.minimum(step_f, decay_steps), decay_steps, initial, dtype)
        warmup_target = tapegrad.cast(self.warmup_target, dtype)
        warmup_steps = tapegrad.cast(self.warmup_steps, dtype)
        step_f = tapegrad.minimum(step_f, decay_steps + warmup_steps)
        if bool(step_f < warmup_steps):
            return (warmup_target - initial) * (step_f / warmup_steps) + initial
        return self._decay(step_f - warmup_steps, decay_steps, warmup_target, dtype)

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments, as a dict."""
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "alpha": self.alpha,
            "name": self.name,
            "warmup_target": self.warmup_target,
            "warmup_steps": self.warmup_steps,
        }


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR): the i-th period lasts ``first_decay_steps * t_mul**i``
    steps and starts from ``initial_learning_rate * m_mul**i``."""

    def __init__(
        self,
        initial_learning_rate: float,
        first_decay_steps: int,
        t_mul: float = 2.0,
        m_mul: float = 1.0,
        alpha: float = 0.0,
        name: str = "SGDRDecay",
    ) -> None:
        self.initial_learning_rate = initial_learning_rate
        self.first_decay_steps = first_decay_steps
        self._t_mul = t_mul
        self._m_mul = m_mul
        self.alpha = alpha
        self.name = name
        if first_decay_steps <= 0:
            raise ValueError(
                f"Argument `first_decay_steps` must be > 0. Received: first_decay_steps={first_decay_steps}"
            )

    def __call__(self, step: Any) -> Any:
        initial = tapegrad.convert_to_tensor(self.initial_learning_rate)
        dtype = initial.dtype
        first_decay_steps = tapegrad.cast(self.first_decay_steps, dtype)
        alpha = tapegrad.cast(self.alpha, dtype)
        t_mul = tapegrad.cast(self._t_mul, dtype)
        m_mul = tapegrad.cast(self._m_mul, dtype)
        completed_fraction = tapegrad.cast(step, dtype) / first_decay_steps
        if self._t_mul == 1.0:
            i_restart = tapegrad.floor(completed_fraction)
            completed_fraction = completed_fraction - i_restart
        else:
            # The restart index solves sum_{j < i} t_mul**j <= fraction (a geometric series).
            i_restart = tapegrad.floor(
                tapegrad.log(1.0 - completed_fraction * (1.0 - t_mul)) / tapegrad.log(t_mul)
            )
            sum_r = (1.0 - tapegrad.pow(t_mul, i_restart)) / (1.0 - t_mul)
            completed_fraction = (completed_fraction - sum_r) / tapegrad.pow(t_mul, i_restart)
        m_fac = tapegrad.pow(m_mul, i_restart)
        pi = tapegrad.constant(math.pi, dtype=dtype)
        cosine_decayed = 0.5 * m_fac * (1.0 + tapegrad.cos(pi * completed_fraction))
        decayed = (1 - alpha) * cosine_decayed + alpha
        return initial * decayed

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments, as a dict."""
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "first_decay_steps": self.first_decay_steps,
            "t_mul": self._t_mul,
            "m_mul": self._m_mul,
            "alpha": self.alpha,
            "name": self.name,
        }


_BY_NAME: dict[str, type[LearningRateSchedule]] = {
    cls.__name__: cls
    for cls in (
        ExponentialDecay,
        InverseTimeDecay,
        PiecewiseConstantDecay,
        PolynomialDecay,
        CosineDecay,
        CosineDecayRestarts,
    )
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

"""Adafactor: Adam-like steps with the second moment of a matrix stored factored, as a row and
a column average (Shazeer & Stern, 2018), in Keras 3's form.

For a variable of rank >= 2 the running row means ``r`` and column means ``c`` of
``g^2 + epsilon_1`` (over the last two axes) stand for the full second moment
``v = (r / mean(r)) outer c``; smaller variables keep ``v`` itself. The step is
``alpha_t * u / max(1, rms(u) / clip_threshold)`` with ``u = g / sqrt(v)`` and
``alpha_t = max(epsilon_2, rms(var)) * min(lr, 1 / sqrt(t))``.
"""

from __future__ import annotations

from typing import Any

import tapegrad

from . import LearningRateLike, Optimizer
from .schedules import LearningRateSchedule


def _rms(x: Any) -> Any:
    return tapegrad.sqrt(tapegrad.reduce_mean(tapegrad.square(x)))


class Adafactor(Optimizer):
    """The Adafactor optimizer (Keras 3's ``Adafactor``)."""

    def __init__(
        self,
        learning_rate: LearningRateLike = 0.001,
        beta_2_decay: float = -0.8,
        epsilon_1: float = 1e-30,
        epsilon_2: float = 1e-3,
        clip_threshold: float = 1.0,
        relative_step: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_2_decay = beta_2_decay
        self.epsilon_1 = epsilon_1
        self.epsilon_2 = epsilon_2
        self.clip_threshold = clip_threshold
        self.relative_step = relative_step
        # id(variable) -> (variable, row means, column means); only for variables of rank >= 2.
        self._factors: dict[int, tuple[Any, Any, Any]] = {}

    def _slot_specs(self) -> list[tuple[str, float]]:
        return [("velocity", 0.0)]

    def _row_and_column(self, variable: Any) -> tuple[Any, Any]:
        entry = self._factors.get(id(variable))
        if entry is None:
            shape = tuple(int(d) for d in variable.shape)
            prefix = f"{self.name}/{str(variable.name).replace('/', '_').replace(':', '_')}"
            row = self._track(
                tapegrad.Variable(
                    tapegrad.zeros(shape[:-1], dtype=variable.dtype), trainable=False, name=f"{prefix}_r"
                )
            )
            column = self._track(
                tapegrad.Variable(
                    tapegrad.zeros((*shape[:-2], shape[-1]), dtype=variable.dtype),
                    trainable=False,
                    name=f"{prefix}_c",
                )
            )
            entry = self._factors[id(variable)] = (variable, row, column)
        return entry[1], entry[2]

    def update_step(self, gradient: Any, variable: Any, learning_rate: Any) -> None:
        """One Adafactor step (Keras 3's ``Adafactor.update_step``)."""
        dtype = variable.dtype
        lr = learning_rate
        local_step = tapegrad.cast(self._iterations + 1, dtype)
        inv_sqrt_step = 1 / tapegrad.sqrt(local_step)
        schedule = isinstance(self._learning_rate, LearningRateSchedule) or (
            callable(self._learning_rate) and not isinstance(self._learning_rate, tapegrad.Variable)
        )
        if not schedule and self.relative_step:
            lr = tapegrad.minimum(lr, inv_sqrt_step)
        rho_t = tapegrad.minimum(lr, inv_sqrt_step)
        alpha_t = tapegrad.maximum(tapegrad.cast(self.epsilon_2, dtype), _rms(variable)) * rho_t
        regulated_grad_square = self._square(gradient) + self.epsilon_1
        beta_2_t = 1 - tapegrad.pow(local_step, self.beta_2_decay)
        v = self._slots_for(variable)["velocity"]
        if len(variable.shape) >= 2:
            r, c = self._row_and_column(variable)
            r.assign(beta_2_t * r + (1 - beta_2_t) * tapegrad.reduce_mean(regulated_grad_square, axis=-1))
            c.assign(beta_2_t * c + (1 - beta_2_t) * tapegrad.reduce_mean(regulated_grad_square, axis=-2))
            v.assign(
                tapegrad.expand_dims(r / tapegrad.reduce_mean(r, axis=-1, keepdims=True), -1)
                * tapegrad.expand_dims(c, -2)
            )
        else:
            v.assign(beta_2_t * v + (1 - beta_2_t) * regulated_grad_square)
        sqrt_v = tapegrad.sqrt(v)
        u_t = gradient / sqrt_v
        # rms(u_t): for IndexedSlices Keras' u_t is slices too, squared slice by slice.
        u_t_squared = self._per_slice(lambda g, s: tapegrad.square(g / s), gradient, sqrt_v)
        rms_u_t = tapegrad.sqrt(tapegrad.reduce_mean(u_t_squared))
        u_t_hat = u_t / tapegrad.maximum(tapegrad.cast(1.0, dtype), rms_u_t / self.clip_threshold)
        variable.assign_sub(alpha_t * u_t_hat)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "beta_2_decay": self.beta_2_decay,
            "epsilon_1": self.epsilon_1,
            "epsilon_2": self.epsilon_2,
            "clip_threshold": self.clip_threshold,
            "relative_step": self.relative_step,
        }

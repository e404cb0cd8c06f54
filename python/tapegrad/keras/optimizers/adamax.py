"""Adamax: Adam with the infinity norm, ``u = max(beta_2 * u, |g|)``, in Keras 3's form."""

from __future__ import annotations

from typing import Any

import tapegrad

from . import LearningRateLike, Optimizer


class Adamax(Optimizer):
    """``m += (g - m) * (1 - beta_1)``, ``u = max(beta_2 * u, |g|)``,
    ``var -= lr * m / ((1 - beta_1**t) * (u + epsilon))``."""

    def __init__(
        self,
        learning_rate: LearningRateLike = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        **kwargs: Any,
    ) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def _slot_specs(self) -> list[tuple[str, float]]:
        return [("momentum", 0.0), ("norm", 0.0)]

    def update_step(self, gradient: Any, variable: Any, learning_rate: Any) -> None:
        """One Adamax step (Keras 3's ``Adamax.update_step``)."""
        local_step = tapegrad.cast(self._iterations + 1, variable.dtype)
        beta_1_power = tapegrad.pow(tapegrad.cast(self.beta_1, variable.dtype), local_step)
        slots = self._slots_for(variable)
        m, u = slots["momentum"], slots["norm"]
        m.assign_add((gradient - m) * (1 - self.beta_1))
        # For IndexedSlices Keras takes |slice| before summing repeated rows.
        u.assign(tapegrad.maximum(self.beta_2 * u, self._per_slice(tapegrad.abs, gradient)))
        variable.assign_sub((learning_rate * m) / ((1 - beta_1_power) * (u + self.epsilon)))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon}

"""LAMB: Adam's bias-corrected step rescaled per variable by the trust ratio
``||var|| / ||update||`` (1 when either norm is 0), in Keras 3's form."""

from __future__ import annotations

from typing import Any

import tapegrad

from . import LearningRateLike, Optimizer


class Lamb(Optimizer):
    """``update = m_hat / (sqrt(v_hat) + epsilon)``, ``var -= trust_ratio * lr * update``."""

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
        return [("momentum", 0.0), ("velocity", 0.0)]

    def update_step(self, gradient: Any, variable: Any, learning_rate: Any) -> None:
        """One LAMB step (Keras 3's ``Lamb.update_step``)."""
        local_step = tapegrad.cast(self._iterations + 1, variable.dtype)
        beta_1_power = tapegrad.pow(tapegrad.cast(self.beta_1, variable.dtype), local_step)
        beta_2_power = tapegrad.pow(tapegrad.cast(self.beta_2, variable.dtype), local_step)
        slots = self._slots_for(variable)
        m, v = slots["momentum"], slots["velocity"]
        m.assign_add((gradient - m) * (1 - self.beta_1))
        v.assign_add((self._square(gradient) - v) * (1 - self.beta_2))
        m_t_hat = m / (1.0 - beta_1_power)
        v_sqrt = tapegrad.sqrt(v / (1.0 - beta_2_power)) + self.epsilon
        update = m_t_hat / v_sqrt
        w_norm = tapegrad.sqrt(tapegrad.reduce_sum(tapegrad.pow(variable, 2)))
        g_norm = tapegrad.sqrt(tapegrad.reduce_sum(tapegrad.pow(update, 2)))
        one = tapegrad.ones_like(w_norm)
        safe_g_norm = tapegrad.where(g_norm > 0, g_norm, one)
        ratio = tapegrad.where(w_norm > 0, tapegrad.where(g_norm > 0, w_norm / safe_g_norm, one), one)
        variable.assign_sub(ratio * learning_rate * update)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon}

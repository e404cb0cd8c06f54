"""Nadam: Adam with Nesterov momentum, in Keras 3's form (Dozat's momentum schedule).

``u_t = beta_1 * (1 - 0.5 * 0.96**t)``; a running product ``u_product = prod u_t``
(an optimizer variable, updated once per ``apply_gradients``) corrects the bias of
the first moment; the update is ``var -= lr * m_hat / (sqrt(v_hat) + epsilon)`` with
``m_hat = u_{t+1} m / (1 - u_product * u_{t+1}) + (1 - u_t) g / (1 - u_product)``.
"""

from __future__ import annotations

from typing import Any

import tapegrad

from . import LearningRateLike, Optimizer


class Nadam(Optimizer):
    """Adam with Nesterov momentum (Keras 3's ``Nadam``)."""

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
        self._u_product: Any = None
        self._u_product_step = -1  # the value of ``iterations`` when u_product was last advanced

    def _slot_specs(self) -> list[tuple[str, float]]:
        return [("momentum", 0.0), ("velocity", 0.0)]

    def _advance_u_product(self, dtype: Any) -> None:
        """Multiply ``u_product`` by ``u_t``, once per step (Keras does it before the variable updates)."""
        if self._u_product is None:
            self._u_product = self._track(
                tapegrad.Variable(1.0, dtype=dtype, trainable=False, name=f"{self.name}/u_product")
            )
        step = int(self._iterations.numpy())
        if self._u_product_step == step:
            return
        self._u_product_step = step
        u_dtype = self._u_product.dtype
        decay = tapegrad.pow(
            tapegrad.constant(0.96, dtype=u_dtype), tapegrad.cast(self._iterations + 1, u_dtype)
        )
        self._u_product.assign(self._u_product * self.beta_1 * (1.0 - 0.5 * decay))

    def update_step(self, gradient: Any, variable: Any, learning_rate: Any) -> None:
        """One Nadam step (Keras 3's ``Nadam.update_step``)."""
        self._advance_u_product(variable.dtype)
        dtype = variable.dtype
        local_step = tapegrad.cast(self._iterations + 1, dtype)
        next_step = tapegrad.cast(self._iterations + 2, dtype)
        decay = tapegrad.cast(0.96, dtype)
        beta_1 = tapegrad.cast(self.beta_1, dtype)
        beta_2 = tapegrad.cast(self.beta_2, dtype)
        u_t = beta_1 * (1.0 - 0.5 * tapegrad.pow(decay, local_step))
        u_t_1 = beta_1 * (1.0 - 0.5 * tapegrad.pow(decay, next_step))
        u_product_t = tapegrad.cast(self._u_product, dtype)
        u_product_t_1 = u_product_t * u_t_1
        beta_2_power = tapegrad.pow(beta_2, local_step)
        slots = self._slots_for(variable)
        m, v = slots["momentum"], slots["velocity"]
        m.assign_add((gradient - m) * (1 - beta_1))
        v.assign_add((self._square(gradient) - v) * (1 - beta_2))
        m_hat = (u_t_1 * m) / (1 - u_product_t_1) + ((1 - u_t) * gradient) / (1 - u_product_t)
        v_hat = v / (1 - beta_2_power)
        variable.assign_sub((m_hat * learning_rate) / (tapegrad.sqrt(v_hat) + self.epsilon))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon}

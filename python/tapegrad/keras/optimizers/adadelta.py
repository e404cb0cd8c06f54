"""Adadelta: step sizes from running averages of squared gradients and squared updates."""

from __future__ import annotations

from typing import Any

import tapegrad

from . import LearningRateLike, Optimizer


class Adadelta(Optimizer):
    """``acc_g = rho acc_g + (1 - rho) g^2``, ``delta = -sqrt(acc_d + eps) g / sqrt(acc_g + eps)``,
    ``acc_d = rho acc_d + (1 - rho) delta^2``, ``var += lr * delta`` (Keras 3's ``Adadelta``)."""

    def __init__(
        self, learning_rate: LearningRateLike = 0.001, rho: float = 0.95, epsilon: float = 1e-7, **kwargs: Any
    ) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.rho = rho
        self.epsilon = epsilon

    def _slot_specs(self) -> list[tuple[str, float]]:
        return [("accumulated_grad", 0.0), ("accumulated_delta_var", 0.0)]

    def update_step(self, gradient: Any, variable: Any, learning_rate: Any) -> None:
        """One Adadelta step (Keras 3's ``Adadelta.update_step``)."""
        slots = self._slots_for(variable)
        accumulated_grad = slots["accumulated_grad"]
        accumulated_delta = slots["accumulated_delta_var"]
        rho = self.rho

        def rms(x: Any) -> Any:
            return tapegrad.sqrt(x + self.epsilon)

        accumulated_grad.assign(rho * accumulated_grad + (1 - rho) * self._square(gradient))
        rms_delta, rms_grad = rms(accumulated_delta), rms(accumulated_grad)

        def delta_of(grad: Any, rms_delta: Any, rms_grad: Any) -> Any:
            return -((rms_delta * grad) / rms_grad)

        delta = delta_of(gradient, rms_delta, rms_grad)
        # For IndexedSlices Keras' `delta` is slices too, squared slice by slice.
        delta_squared = self._per_slice(
            lambda g, d, a: tapegrad.square(delta_of(g, d, a)), gradient, rms_delta, rms_grad
        )
        accumulated_delta.assign(rho * accumulated_delta + (1 - rho) * delta_squared)
        variable.assign_add(learning_rate * delta)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}

"""FTRL-Proximal ("Follow The Regularized Leader"), in Keras 3's form, with L1, L2 and
L2-shrinkage regularization."""

from __future__ import annotations

from typing import Any

import tapegrad

from . import LearningRateLike, Optimizer


def _check_non_negative(name: str, value: float) -> None:
    if value < 0.0:
        raise ValueError(f"`{name}` needs to be positive or zero. Received: {name}={value}.")


class Ftrl(Optimizer):
    """FTRL-Proximal: per coordinate, ``accum += g^2``; ``linear`` accumulates the gradient minus
    the change of ``accum**-lr_power / lr`` times ``var``; ``var`` is the closed-form minimizer
    ``(clip(linear, -l1, l1) - linear) / (accum**-lr_power / lr + 2 * l2)``."""

    def __init__(
        self,
        learning_rate: LearningRateLike = 0.001,
        learning_rate_power: float = -0.5,
        initial_accumulator_value: float = 0.1,
        l1_regularization_strength: float = 0.0,
        l2_regularization_strength: float = 0.0,
        l2_shrinkage_regularization_strength: float = 0.0,
        beta: float = 0.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        _check_non_negative("initial_accumulator_value", initial_accumulator_value)
        if learning_rate_power > 0.0:
            raise ValueError(
                "`learning_rate_power` needs to be negative or zero. "
                f"Received: learning_rate_power={learning_rate_power}."
            )
        _check_non_negative("l1_regularization_strength", l1_regularization_strength)
        _check_non_negative("l2_regularization_strength", l2_regularization_strength)
        _check_non_negative("l2_shrinkage_regularization_strength", l2_shrinkage_regularization_strength)
        self.learning_rate_power = learning_rate_power
        self.initial_accumulator_value = initial_accumulator_value
        self.l1_regularization_strength = l1_regularization_strength
        self.l2_regularization_strength = l2_regularization_strength
        self.l2_shrinkage_regularization_strength = l2_shrinkage_regularization_strength
        self.beta = beta

    def _slot_specs(self) -> list[tuple[str, float]]:
        return [("accumulator", self.initial_accumulator_value), ("linear", 0.0)]

    def update_step(self, gradient: Any, variable: Any, learning_rate: Any) -> None:
        """One FTRL step (Keras 3's ``Ftrl.update_step``)."""
        slots = self._slots_for(variable)
        accum, linear = slots["accumulator"], slots["linear"]
        lr = learning_rate
        lr_power = self.learning_rate_power
        l2_reg = self.l2_regularization_strength + self.beta / (2.0 * lr)
        grad_to_use = gradient + 2 * self.l2_shrinkage_regularization_strength * variable
        new_accum = accum + self._square(gradient)
        linear.assign_add(
            grad_to_use
            - ((tapegrad.pow(new_accum, -lr_power) - tapegrad.pow(accum, -lr_power)) / lr) * variable
        )
        quadratic = tapegrad.pow(new_accum, -lr_power) / lr + 2 * l2_reg
        l1 = self.l1_regularization_strength
        linear_clipped = tapegrad.clip_by_value(linear, -l1, l1)
        variable.assign((linear_clipped - linear) / quadratic)
        accum.assign(new_accum)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "learning_rate_power": self.learning_rate_power,
            "initial_accumulator_value": self.initial_accumulator_value,
            "l1_regularization_strength": self.l1_regularization_strength,
            "l2_regularization_strength": self.l2_regularization_strength,
            "l2_shrinkage_regularization_strength": self.l2_shrinkage_regularization_strength,
            "beta": self.beta,
        }

"""Lion (evolved sign momentum): ``var -= lr * sign(beta_1 m + (1 - beta_1) g)``,
then ``m = beta_2 m + (1 - beta_2) g``."""

from __future__ import annotations

from typing import Any

import tapegrad

from . import LearningRateLike, Optimizer


class Lion(Optimizer):
    """The Lion optimizer (Keras 3's ``Lion``); ``beta_1`` must lie in ``(0, 1]``."""

    def __init__(
        self,
        learning_rate: LearningRateLike = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.99,
        **kwargs: Any,
    ) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        if beta_1 <= 0 or beta_1 > 1:
            raise ValueError(
                "Argument `beta_1` must be in the [0, 1] range. Otherwise, the optimizer degenerates to "
                f"SignSGD. Received: beta_1={beta_1}."
            )

    def _slot_specs(self) -> list[tuple[str, float]]:
        return [("momentum", 0.0)]

    def update_step(self, gradient: Any, variable: Any, learning_rate: Any) -> None:
        """One Lion step (Keras 3's ``Lion.update_step``)."""
        beta_1 = tapegrad.cast(self.beta_1, variable.dtype)
        beta_2 = tapegrad.cast(self.beta_2, variable.dtype)
        m = self._slots_for(variable)["momentum"]
        variable.assign_sub(learning_rate * tapegrad.sign(m * beta_1 + gradient * (1.0 - beta_1)))
        m.assign(m * beta_2 + gradient * (1.0 - beta_2))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2}

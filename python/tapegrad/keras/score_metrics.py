"""Score metrics over whole epochs: ``FBetaScore``, ``F1Score`` and ``R2Score`` (Keras 3 semantics).

Both keep per-class sums (true/false positives and negatives, or sums of targets,
squared targets and squared errors) in state variables created at the first update,
when the number of classes (columns) is known.
"""

from __future__ import annotations

import warnings
from typing import Any

import tapegrad

from .losses import squeeze_or_expand_to_same_rank
from .metrics import Metric

_EPSILON = 1e-7


def _check_2d(metric: str, y_true_shape: tuple[Any, ...], y_pred_shape: tuple[Any, ...]) -> None:
    if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
        raise ValueError(
            f"{metric} expects 2D inputs with shape (batch_size, output_dim). Received input "
            f"shapes: y_pred.shape={y_pred_shape} and y_true.shape={y_true_shape}."
        )


class FBetaScore(Metric):
    """The F-beta score ``(1 + beta^2) P R / (beta^2 P + R)`` per class, or averaged.

    Predictions are 1 where ``y_pred > threshold`` (with ``threshold=None``: where each
    row's maximum is); ``average`` is ``None`` (one score per class), ``"micro"``,
    ``"macro"`` or ``"weighted"`` (by support).
    """

    def __init__(
        self,
        average: str | None = None,
        beta: float = 1.0,
        threshold: float | None = None,
        name: str = "fbeta_score",
        dtype: Any = None,
    ) -> None:
        super().__init__(name=name, dtype=dtype)
        if average not in (None, "micro", "macro", "weighted"):
            raise ValueError(
                "Invalid `average` argument value. Expected one of: {None, 'micro', 'macro', 'weighted'}. "
                f"Received: average={average}"
            )
        if not isinstance(beta, float):
            raise ValueError(
                f"Invalid `beta` argument value. It should be a Python float. Received: beta={beta} "
                f"of type '{type(beta)}'"
            )
        if beta <= 0.0:
            raise ValueError(f"Invalid `beta` argument value. It should be > 0. Received: beta={beta}")
        if threshold is not None:
            if not isinstance(threshold, float):
                raise ValueError(
                    "Invalid `threshold` argument value. It should be a Python float. "
                    f"Received: threshold={threshold} of type '{type(threshold)}'"
                )
            if threshold > 1.0 or threshold <= 0.0:
                raise ValueError(
                    "Invalid `threshold` argument value. It should verify 0 < threshold <= 1. "
                    f"Received: threshold={threshold}"
                )
        self.average = average
        self.beta = beta
        self.threshold = threshold
        self.axis = None if average == "micro" else 0
        self._built = False

    def _build(self, y_true_shape: tuple[Any, ...], y_pred_shape: tuple[Any, ...]) -> None:
        _check_2d("FBetaScore", y_true_shape, y_pred_shape)
        shape: tuple[int, ...] = () if self.average == "micro" else (int(y_pred_shape[-1]),)
        self.true_positives = self.add_variable(name="true_positives", shape=shape)
        self.false_positives = self.add_variable(name="false_positives", shape=shape)
        self.false_negatives = self.add_variable(name="false_negatives", shape=shape)
        self.intermediate_weights = self.add_variable(name="intermediate_weights", shape=shape)
        self._built = True

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:  # type: ignore[override]
        """Accumulate this batch's weighted true/false positives and false negatives per class."""
        y_true = tapegrad.cast(tapegrad.convert_to_tensor(y_true), self.dtype)
        y_pred = tapegrad.cast(tapegrad.convert_to_tensor(y_pred), self.dtype)
        if not self._built:
            self._build(tuple(y_true.shape), tuple(y_pred.shape))
        if self.threshold is None:
            row_max = tapegrad.reduce_max(y_pred, axis=-1, keepdims=True)
            predicted = tapegrad.logical_and(y_pred >= row_max, tapegrad.abs(y_pred) > 1e-9)
        else:
            predicted = y_pred > self.threshold
        y_pred = tapegrad.cast(predicted, self.dtype)
        weight = None
        if sample_weight is not None:
            weight = tapegrad.expand_dims(
                tapegrad.cast(tapegrad.convert_to_tensor(sample_weight), self.dtype), 1
            )

        def weighted_sum(value: Any) -> Any:
            if weight is not None:
                value = value * weight
            return tapegrad.reduce_sum(value, axis=self.axis)

        self.true_positives.assign_add(weighted_sum(y_pred * y_true))
        self.false_positives.assign_add(weighted_sum(y_pred * (1 - y_true)))
        self.false_negatives.assign_add(weighted_sum((1 - y_pred) * y_true))
        self.intermediate_weights.assign_add(weighted_sum(y_true))

    def result(self) -> Any:
        """The F-beta score (per class, or averaged as ``average`` says)."""
        if not self._built:
            return tapegrad.constant(0.0, dtype=self.dtype)
        tp = self.true_positives
        precision = tp / (tp + self.false_positives + _EPSILON)
        recall = tp / (tp + self.false_negatives + _EPSILON)
        beta_sq = self.beta**2
        score = precision * recall / (beta_sq * precision + recall + _EPSILON) * (1 + beta_sq)
        if self.average == "weighted":
            weights = self.intermediate_weights / (tapegrad.reduce_sum(self.intermediate_weights) + _EPSILON)
            return tapegrad.reduce_sum(score * weights)
        if self.average is not None:
            return tapegrad.reduce_mean(score)
        return score

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "average": self.average,
            "beta": self.beta,
            "threshold": self.threshold,
        }


class F1Score(FBetaScore):
    """The F1 score: the harmonic mean of precision and recall (``FBetaScore`` with ``beta=1``)."""

    def __init__(
        self,
        average: str | None = None,
        threshold: float | None = None,
        name: str = "f1_score",
        dtype: Any = None,
    ) -> None:
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name, dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        del config["beta"]
        return config


class R2Score(Metric):
    """The coefficient of determination ``1 - SS_res / SS_tot`` per output column, averaged
    uniformly (the default), by variance, or not at all (``class_aggregation=None``);
    ``num_regressors > 0`` gives the adjusted R^2."""

    def __init__(
        self,
        class_aggregation: str | None = "uniform_average",
        num_regressors: int = 0,
        name: str = "r2_score",
        dtype: Any = None,
    ) -> None:
        super().__init__(name=name, dtype=dtype)
        valid = (None, "uniform_average", "variance_weighted_average")
        if class_aggregation not in valid:
            raise ValueError(
                f"Invalid value for argument `class_aggregation`. Expected one of {valid}. "
                f"Received: class_aggregation={class_aggregation}"
            )
        if num_regressors < 0:
            raise ValueError(
                "Invalid value for argument `num_regressors`. Expected a value >= 0. "
                f"Received: num_regressors={num_regressors}"
            )
        self.class_aggregation = class_aggregation
        self.num_regressors = num_regressors
        self.num_samples = self.add_variable(name="num_samples", shape=())
        self._built = False

    def _build(self, y_true_shape: tuple[Any, ...], y_pred_shape: tuple[Any, ...]) -> None:
        _check_2d("R2Score", y_true_shape, y_pred_shape)
        shape = (int(y_pred_shape[-1]),)
        self.squared_sum = self.add_variable(name="squared_sum", shape=shape)
        self.sum = self.add_variable(name="sum", shape=shape)
        self.total_mse = self.add_variable(name="residual", shape=shape)
        self.count = self.add_variable(name="count", shape=shape)
        self._built = True

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:  # type: ignore[override]
        """Accumulate the weighted sums of targets, squared targets and squared errors per column."""
        y_true = tapegrad.cast(tapegrad.convert_to_tensor(y_true), self.dtype)
        y_pred = tapegrad.cast(tapegrad.convert_to_tensor(y_pred), self.dtype)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        if not self._built:
            self._build(tuple(y_true.shape), tuple(y_pred.shape))
        weight = tapegrad.cast(
            tapegrad.convert_to_tensor(1.0 if sample_weight is None else sample_weight), self.dtype
        )
        if len(weight.shape) == 1:
            weight = tapegrad.expand_dims(weight, 1)
        weight = tapegrad.broadcast_to(weight, tuple(y_true.shape))
        weighted_y_true = y_true * weight
        self.sum.assign_add(tapegrad.reduce_sum(weighted_y_true, axis=0))
        self.squared_sum.assign_add(tapegrad.reduce_sum(y_true * weighted_y_true, axis=0))
        self.total_mse.assign_add(tapegrad.reduce_sum(tapegrad.square(y_true - y_pred) * weight, axis=0))
        self.count.assign_add(tapegrad.reduce_sum(weight, axis=0))
        self.num_samples.assign_add(tapegrad.cast(tapegrad.size(y_true), self.dtype))

    def result(self) -> Any:
        """R^2 (adjusted when ``num_regressors`` is set and there are enough samples)."""
        mean = self.sum / self.count
        total = self.squared_sum - self.sum * mean
        raw = 1 - self.total_mse / total
        raw = tapegrad.where(tapegrad.math.is_inf(raw), tapegrad.zeros_like(raw), raw)
        if self.class_aggregation == "uniform_average":
            score = tapegrad.reduce_mean(raw)
        elif self.class_aggregation == "variance_weighted_average":
            score = tapegrad.reduce_sum(total * raw) / tapegrad.reduce_sum(total)
        else:
            score = raw
        if self.num_regressors != 0:
            n = float(self.num_samples.numpy())
            if self.num_regressors > n - 1:
                warnings.warn(
                    "More independent predictors than datapoints in adjusted R2 score. "
                    "Falling back to standard R2 score.",
                    stacklevel=2,
                )
            elif self.num_regressors == n - 1:
                warnings.warn(
                    "Division by zero in Adjusted R2 score. Falling back to standard R2 score.", stacklevel=2
                )
            else:
                score = 1.0 - (1.0 - score) * (n - 1.0) / (n - self.num_regressors - 1.0)
        return score

    def reset_state(self) -> None:
        """Zero every sum."""
        super().reset_state()

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "class_aggregation": self.class_aggregation,
            "num_regressors": self.num_regressors,
        }

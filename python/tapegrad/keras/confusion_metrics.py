"""Metrics built on confusion-matrix counts: ``TruePositives`` / ``FalsePositives`` /
``TrueNegatives`` / ``FalseNegatives``, ``Precision``, ``Recall`` and ``AUC`` (Keras 3 semantics).

Each prediction is compared with every threshold: it is predicted positive when
``y_pred > threshold``; labels count as positive when non-zero. Counts are
accumulated, weighted by ``sample_weight``, in one state variable per count with one
entry per threshold. ``top_k`` keeps only each sample's k largest predictions
(the others count as negative), ``class_id`` looks at one column only.

``AUC`` uses ``num_thresholds`` evenly spaced thresholds (plus ``-eps`` and
``1 + eps`` at the ends) and sums the ROC or PR curve with the trapezoidal rule, or
for PR with Davis & Goadrich's interpolation, as Keras does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

import tapegrad

from .losses import squeeze_or_expand_to_same_rank
from .metrics import Metric

#: Keras' ``NEG_INF``: predictions outside the top k are replaced by it.
NEG_INF = -1e10
_EPSILON = 1e-7


def _threshold_list(thresholds: Any, default: float) -> list[float]:
    if thresholds is None:
        return [default]
    values = [float(t) for t in (thresholds if isinstance(thresholds, (list, tuple)) else [thresholds])]
    invalid = [t for t in values if t is None or t < 0 or t > 1]
    if invalid:
        raise ValueError(f"Threshold values must be in [0, 1]. Received: {thresholds}")
    return values


def _filter_top_k(x: Any, k: int) -> Any:
    """``x`` where it is among the ``k`` largest of its row (last axis), ``NEG_INF`` elsewhere."""
    _, indices = tapegrad.nn.top_k(x, k=k, sorted=False)
    mask = tapegrad.reduce_sum(tapegrad.one_hot(indices, int(x.shape[-1]), dtype=x.dtype), axis=-2)
    return x * mask + NEG_INF * (1 - mask)


def update_confusion_counts(
    variables: dict[str, Any],
    y_true: Any,
    y_pred: Any,
    thresholds: Sequence[float],
    *,
    top_k: int | None = None,
    class_id: int | None = None,
    sample_weight: Any = None,
    multi_label: bool = False,
    label_weights: Any = None,
) -> None:
    """Add the weighted counts of ``variables`` (keys ``"tp"``, ``"fp"``, ``"tn"``, ``"fn"``) for
    each threshold; with ``multi_label`` the variables have a second axis, one entry per label."""
    dtype = next(iter(variables.values())).dtype
    y_true = tapegrad.cast(tapegrad.convert_to_tensor(y_true), dtype)
    y_pred = tapegrad.cast(tapegrad.convert_to_tensor(y_pred), dtype)
    y_pred, y_true = squeeze_or_expand_to_same_rank(y_pred, y_true)
    if tuple(y_true.shape) != tuple(y_pred.shape):
        raise ValueError(
            "`y_true` and `y_pred` must have the same shape. "
            f"Received: y_true.shape={tuple(y_true.shape)}, y_pred.shape={tuple(y_pred.shape)}"
        )
    if sample_weight is not None:
        sample_weight = tapegrad.expand_dims(
            tapegrad.cast(tapegrad.convert_to_tensor(sample_weight), dtype), -1
        )
        _, sample_weight = squeeze_or_expand_to_same_rank(y_true, sample_weight, expand_rank_1=False)
    if top_k is not None:
        y_pred = _filter_top_k(y_pred, top_k)
    if class_id is not None:
        if len(y_pred.shape) == 1:
            raise ValueError(
                "When class_id is provided, y_pred must be a 2D array with shape "
                f"(num_samples, num_classes), found shape: {tuple(y_pred.shape)}"
            )
        y_true = y_true[..., class_id : class_id + 1]
        y_pred = y_pred[..., class_id : class_id + 1]
    weights = None
    if sample_weight is not None:
        weights = tapegrad.broadcast_to(sample_weight, tuple(y_pred.shape))
    if label_weights is not None and not multi_label:
        label_weights = tapegrad.broadcast_to(tapegrad.cast(label_weights, dtype), tuple(y_pred.shape))
        weights = label_weights if weights is None else weights * label_weights
    t = tapegrad.constant(np.asarray(thresholds), dtype=dtype)
    if multi_label:
        # (thresholds, samples, labels)
        predictions = tapegrad.expand_dims(y_pred, 0)
        labels = tapegrad.expand_dims(tapegrad.not_equal(y_true, 0), 0)
        t = tapegrad.reshape(t, (-1, 1, 1))
        weights = None if weights is None else tapegrad.expand_dims(weights, 0)
    else:
        # (thresholds, every prediction)
        predictions = tapegrad.reshape(y_pred, (1, -1))
        labels = tapegrad.reshape(tapegrad.not_equal(y_true, 0), (1, -1))
        t = tapegrad.reshape(t, (-1, 1))
        weights = None if weights is None else tapegrad.reshape(weights, (1, -1))
    pred_is_pos = tapegrad.broadcast_to(predictions > t, (len(thresholds), *tuple(predictions.shape)[1:]))
    label_is_pos = tapegrad.broadcast_to(labels, tuple(pred_is_pos.shape))
    conditions = {
        "tp": (label_is_pos, pred_is_pos),
        "fp": (tapegrad.logical_not(label_is_pos), pred_is_pos),
        "tn": (tapegrad.logical_not(label_is_pos), tapegrad.logical_not(pred_is_pos)),
        "fn": (label_is_pos, tapegrad.logical_not(pred_is_pos)),
    }
    for kind, variable in variables.items():
        label, pred = conditions[kind]
        hits = tapegrad.cast(tapegrad.logical_and(label, pred), dtype)
        if weights is not None:
            hits = hits * weights
        variable.assign_add(tapegrad.reduce_sum(hits, axis=1))  # over the predictions


class _ConfusionMatrixConditionCount(Metric):
    """The weighted count of one confusion-matrix cell, per threshold."""

    _kind = "tp"

    def __init__(
        self, thresholds: float | Sequence[float] | None = None, name: str | None = None, dtype: Any = None
    ) -> None:
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.thresholds = _threshold_list(thresholds, 0.5)
        self.accumulator = self.add_variable(name="accumulator", shape=(len(self.thresholds),))

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:  # type: ignore[override]
        """Add this batch's weighted count for each threshold."""
        update_confusion_counts(
            {self._kind: self.accumulator}, y_true, y_pred, self.thresholds, sample_weight=sample_weight
        )

    def result(self) -> Any:
        """The count (a vector when several thresholds were given)."""
        return tapegrad.identity(self.accumulator[0] if len(self.thresholds) == 1 else self.accumulator)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "thresholds": self.init_thresholds}


class TruePositives(_ConfusionMatrixConditionCount):
    """The weighted number of positive labels predicted positive (``y_pred > threshold``)."""

    _kind = "tp"


class FalsePositives(_ConfusionMatrixConditionCount):
    """The weighted number of negative labels predicted positive."""

    _kind = "fp"


class TrueNegatives(_ConfusionMatrixConditionCount):
    """The weighted number of negative labels predicted negative."""

    _kind = "tn"


class FalseNegatives(_ConfusionMatrixConditionCount):
    """The weighted number of positive labels predicted negative."""

    _kind = "fn"


class _PrecisionRecall(Metric):
    """``tp / (tp + other)`` per threshold, with Keras' ``thresholds``/``top_k``/``class_id``."""

    _other = "fp"
    _other_variable = "false_positives"

    def __init__(
        self,
        thresholds: float | Sequence[float] | None = None,
        top_k: int | None = None,
        class_id: int | None = None,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = class_id
        self.thresholds = _threshold_list(thresholds, 0.5 if top_k is None else NEG_INF)
        self.true_positives = self.add_variable(name="true_positives", shape=(len(self.thresholds),))
        self._other_counts = self.add_variable(name=self._other_variable, shape=(len(self.thresholds),))
        setattr(self, self._other_variable, self._other_counts)

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:  # type: ignore[override]
        """Accumulate this batch's true positives and false positives (or negatives)."""
        update_confusion_counts(
            {"tp": self.true_positives, self._other: self._other_counts},
            y_true,
            y_pred,
            self.thresholds,
            top_k=self.top_k,
            class_id=self.class_id,
            sample_weight=sample_weight,
        )

    def result(self) -> Any:
        """``tp / (tp + fp)`` (precision) or ``tp / (tp + fn)`` (recall); 0 when undefined."""
        value = tapegrad.math.divide_no_nan(self.true_positives, self.true_positives + self._other_counts)
        return value[0] if len(self.thresholds) == 1 else value

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "thresholds": self.init_thresholds,
            "top_k": self.top_k,
            "class_id": self.class_id,
        }


class Precision(_PrecisionRecall):
    """The fraction of positive predictions that are right: ``tp / (tp + fp)``."""

    _other = "fp"
    _other_variable = "false_positives"


class Recall(_PrecisionRecall):
    """The fraction of positive labels that are found: ``tp / (tp + fn)``."""

    _other = "fn"
    _other_variable = "false_negatives"


class AUC(Metric):
    """Area under the ROC or precision-recall curve, from counts at ``num_thresholds`` thresholds.

    ``from_logits=True`` applies a sigmoid first; ``multi_label=True`` keeps one curve
    per label (column) and averages their areas (weighted by ``label_weights``).
    """

    def __init__(
        self,
        num_thresholds: int = 200,
        curve: str = "ROC",
        summation_method: str = "interpolation",
        name: str | None = None,
        dtype: Any = None,
        thresholds: Sequence[float] | None = None,
        multi_label: bool = False,
        num_labels: int | None = None,
        label_weights: Any = None,
        from_logits: bool = False,
    ) -> None:
        curve = str(getattr(curve, "value", curve)).upper()
        if curve not in ("ROC", "PR"):
            raise ValueError(f'Invalid `curve` argument value "{curve}". Expected one of: ["ROC", "PR"]')
        summation_method = str(getattr(summation_method, "value", summation_method)).lower()
        if summation_method not in ("interpolation", "minoring", "majoring"):
            raise ValueError(
                f'Invalid `summation_method` argument value "{summation_method}". '
                'Expected one of: ["interpolation", "minoring", "majoring"]'
            )
        super().__init__(name=name, dtype=dtype)
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            inner = sorted(_threshold_list(list(thresholds), 0.5))
            self.num_thresholds = len(inner) + 2
        else:
            if num_thresholds <= 1:
                raise ValueError(
                    "Argument `num_thresholds` must be an integer > 1. "
                    f"Received: num_thresholds={num_thresholds}"
                )
            self.num_thresholds = int(num_thresholds)
            inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
        self._thresholds = [0.0 - _EPSILON, *inner, 1.0 + _EPSILON]
        self.curve = curve
        self.summation_method = summation_method
        self.multi_label = multi_label
        self.num_labels = num_labels
        self.label_weights = (
            None if label_weights is None else tapegrad.constant(np.asarray(label_weights), dtype=self.dtype)
        )
        self._from_logits = from_logits
        self._built = False
        if multi_label:
            if num_labels:
                self._build((None, num_labels))
        else:
            if num_labels:
                raise ValueError("`num_labels` is needed only when `multi_label` is True.")
            self._build(None)

    @property
    def thresholds(self) -> list[float]:
        """The thresholds, including ``-eps`` and ``1 + eps`` at the ends."""
        return list(self._thresholds)

    def _build(self, shape: Any) -> None:
        if self.multi_label:
            if shape is None or len(shape) != 2:
                raise ValueError(
                    "`y_pred` must have rank 2 when `multi_label=True`. "
                    f"Found rank {None if shape is None else len(shape)}. "
                    f"Full shape received for `y_pred`: {shape}"
                )
            self._num_labels = int(shape[1])
            variable_shape: tuple[int, ...] = (self.num_thresholds, self._num_labels)
        else:
            variable_shape = (self.num_thresholds,)
        self.true_positives = self.add_variable(name="true_positives", shape=variable_shape)
        self.false_positives = self.add_variable(name="false_positives", shape=variable_shape)
        self.true_negatives = self.add_variable(name="true_negatives", shape=variable_shape)
        self.false_negatives = self.add_variable(name="false_negatives", shape=variable_shape)
        self._built = True

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:  # type: ignore[override]
        """Accumulate this batch's confusion counts at every threshold."""
        y_pred = tapegrad.convert_to_tensor(y_pred)
        if not self._built:
            self._build(tuple(y_pred.shape))
        if self._from_logits:
            y_pred = tapegrad.sigmoid(y_pred)
        update_confusion_counts(
            {
                "tp": self.true_positives,
                "tn": self.true_negatives,
                "fp": self.false_positives,
                "fn": self.false_negatives,
            },
            y_true,
            y_pred,
            self._thresholds,
            sample_weight=sample_weight,
            multi_label=self.multi_label,
            label_weights=None if self.multi_label else self.label_weights,
        )

    def _average_over_labels(self, by_threshold: Any) -> Any:
        if not self.multi_label:
            return tapegrad.reduce_sum(by_threshold)
        by_label = tapegrad.reduce_sum(by_threshold, axis=0)
        if self.label_weights is None:
            return tapegrad.reduce_mean(by_label)
        return tapegrad.math.divide_no_nan(
            tapegrad.reduce_sum(by_label * self.label_weights), tapegrad.reduce_sum(self.label_weights)
        )

    def interpolate_pr_auc(self) -> Any:
        """The PR area with precision interpolated between thresholds (Davis & Goadrich, 2006)."""
        n = self.num_thresholds
        tp, fp, fn = self.true_positives, self.false_positives, self.false_negatives
        dtp = tp[: n - 1] - tp[1:]
        p = tp + fp
        dp = p[: n - 1] - p[1:]
        prec_slope = tapegrad.math.divide_no_nan(dtp, tapegrad.maximum(dp, 0))
        intercept = tp[1:] - prec_slope * p[1:]
        safe_p_ratio = tapegrad.where(
            tapegrad.logical_and(p[: n - 1] > 0, p[1:] > 0),
            tapegrad.math.divide_no_nan(p[: n - 1], tapegrad.maximum(p[1:], 0)),
            tapegrad.ones_like(p[1:]),
        )
        increments = tapegrad.math.divide_no_nan(
            prec_slope * (dtp + intercept * tapegrad.log(safe_p_ratio)),
            tapegrad.maximum(tp[1:] + fn[1:], 0),
        )
        return self._average_over_labels(increments)

    def result(self) -> Any:
        """The area under the curve (averaged over labels with ``multi_label``)."""
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self.interpolate_pr_auc()
        n = self.num_thresholds
        tp, fp, tn, fn = self.true_positives, self.false_positives, self.true_negatives, self.false_negatives
        recall = tapegrad.math.divide_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x, y = tapegrad.math.divide_no_nan(fp, fp + tn), recall
        else:
            x, y = recall, tapegrad.math.divide_no_nan(tp, tp + fp)
        if self.summation_method == "interpolation":
            heights = (y[: n - 1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = tapegrad.minimum(y[: n - 1], y[1:])
        else:
            heights = tapegrad.maximum(y[: n - 1], y[1:])
        return self._average_over_labels((x[: n - 1] - x[1:]) * heights)

    def reset_state(self) -> None:
        """Zero the counts."""
        if self._built:
            super().reset_state()

    def get_config(self) -> dict[str, Any]:
        label_weights = (
            None if self.label_weights is None else np.asarray(self.label_weights.numpy()).tolist()
        )
        config = {
            **super().get_config(),
            "num_thresholds": self.num_thresholds,
            "curve": self.curve,
            "summation_method": self.summation_method,
            "multi_label": self.multi_label,
            "num_labels": self.num_labels,
            "label_weights": label_weights,
            "from_logits": self._from_logits,
        }
        if self._init_from_thresholds:
            config["thresholds"] = self._thresholds[1:-1]
        return config


class _AtOperatingPoint(Metric):
    """The best value of one rate among the thresholds where another rate reaches ``value``.

    Counts are kept at ``num_thresholds`` evenly spaced thresholds from 0 to 1 (just 0.5
    when ``num_thresholds`` is 1).
    """

    _argument = "value"

    def __init__(
        self,
        value: float,
        num_thresholds: int = 200,
        class_id: int | None = None,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        if value < 0 or value > 1:
            raise ValueError(
                f"Argument `{self._argument}` must be in the range [0, 1]. Received: {self._argument}={value}"
            )
        if num_thresholds <= 0:
            raise ValueError(
                f"Argument `num_thresholds` must be an integer > 0. Received: num_thresholds={num_thresholds}"
            )
        super().__init__(name=name, dtype=dtype)
        self.value = value
        self.num_thresholds = num_thresholds
        self.class_id = class_id
        if num_thresholds == 1:
            self.thresholds = [0.5]
        else:
            inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self.thresholds = [0.0, *inner, 1.0]
        shape = (len(self.thresholds),)
        self.true_positives = self.add_variable(name="true_positives", shape=shape)
        self.false_positives = self.add_variable(name="false_positives", shape=shape)
        self.true_negatives = self.add_variable(name="true_negatives", shape=shape)
        self.false_negatives = self.add_variable(name="false_negatives", shape=shape)

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:  # type: ignore[override]
        """Accumulate this batch's confusion counts at every threshold."""
        update_confusion_counts(
            {
                "tp": self.true_positives,
                "tn": self.true_negatives,
                "fp": self.false_positives,
                "fn": self.false_negatives,
            },
            y_true,
            y_pred,
            self.thresholds,
            class_id=self.class_id,
            sample_weight=sample_weight,
        )

    def _rates(self) -> dict[str, Any]:
        tp, fp, tn, fn = self.true_positives, self.false_positives, self.true_negatives, self.false_negatives
        divide = tapegrad.math.divide_no_nan
        return {
            "sensitivity": divide(tp, tp + fn),  # = recall
            "specificity": divide(tn, tn + fp),
            "precision": divide(tp, tp + fp),
        }

    def _best(self, constrained: Any, dependent: Any) -> Any:
        """``max(dependent where constrained >= value)``, 0 when no threshold qualifies."""
        feasible = constrained >= self.value
        return tapegrad.reduce_max(
            tapegrad.concat(
                [
                    tapegrad.zeros((1,), dtype=dependent.dtype),
                    tapegrad.where(feasible, dependent, tapegrad.zeros_like(dependent)),
                ],
                axis=0,
            )
        )

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "class_id": self.class_id,
            "num_thresholds": self.num_thresholds,
            self._argument: self.value,
        }


class SensitivityAtSpecificity(_AtOperatingPoint):
    """The best sensitivity (recall) at a specificity of at least ``specificity``."""

    _argument = "specificity"

    def __init__(
        self,
        specificity: float,
        num_thresholds: int = 200,
        class_id: int | None = None,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(
            specificity, num_thresholds=num_thresholds, class_id=class_id, name=name, dtype=dtype
        )
        self.specificity = specificity

    def result(self) -> Any:
        """``max(sensitivity)`` over thresholds with ``specificity >= value``."""
        rates = self._rates()
        return self._best(rates["specificity"], rates["sensitivity"])


class SpecificityAtSensitivity(_AtOperatingPoint):
    """The best specificity at a sensitivity (recall) of at least ``sensitivity``."""

    _argument = "sensitivity"

    def __init__(
        self,
        sensitivity: float,
        num_thresholds: int = 200,
        class_id: int | None = None,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(
            sensitivity, num_thresholds=num_thresholds, class_id=class_id, name=name, dtype=dtype
        )
        self.sensitivity = sensitivity

    def result(self) -> Any:
        """``max(specificity)`` over thresholds with ``sensitivity >= value``."""
        rates = self._rates()
        return self._best(rates["sensitivity"], rates["specificity"])


class PrecisionAtRecall(_AtOperatingPoint):
    """The best precision at a recall of at least ``recall``."""

    _argument = "recall"

    def __init__(
        self,
        recall: float,
        num_thresholds: int = 200,
        class_id: int | None = None,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(recall, num_thresholds=num_thresholds, class_id=class_id, name=name, dtype=dtype)
        self.recall = recall

    def result(self) -> Any:
        """``max(precision)`` over thresholds with ``recall >= value``."""
        rates = self._rates()
        return self._best(rates["sensitivity"], rates["precision"])


class RecallAtPrecision(_AtOperatingPoint):
    """The best recall at a precision of at least ``precision``."""

    _argument = "precision"

    def __init__(
        self,
        precision: float,
        num_thresholds: int = 200,
        class_id: int | None = None,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(precision, num_thresholds=num_thresholds, class_id=class_id, name=name, dtype=dtype)
        self.precision = precision

    def result(self) -> Any:
        """``max(recall)`` over thresholds with ``precision >= value``."""
        rates = self._rates()
        return self._best(rates["precision"], rates["sensitivity"])

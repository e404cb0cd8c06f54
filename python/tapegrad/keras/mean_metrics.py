"""Metrics that are running means of a per-sample value: top-k accuracies, regression errors
(``RootMeanSquaredError``, ``MeanAbsolutePercentageError``, ``CosineSimilarity``, ...),
cross-entropies, hinge losses, ``KLDivergence`` and ``Poisson`` (Keras 3 semantics)."""

from __future__ import annotations

from typing import Any

import tapegrad

from . import losses
from .losses import squeeze_or_expand_to_same_rank
from .metrics import Mean, MeanMetricWrapper, _FunctionMetric


# ---------------------------------------------------------- value functions
def in_top_k(targets: Any, predictions: Any, k: int) -> Any:
    """TF's ``math.in_top_k``: whether ``predictions[i, targets[i]]`` is among the ``k`` largest
    of row ``i`` (ties count as in; a non-finite or out-of-range target is never in)."""
    predictions = tapegrad.convert_to_tensor(predictions)
    targets = tapegrad.cast(tapegrad.convert_to_tensor(targets), tapegrad.int64)
    num_classes = int(predictions.shape[-1])
    chosen = tapegrad.one_hot(targets, num_classes, on_value=True, off_value=False, dtype=tapegrad.bool)
    neg_inf = tapegrad.fill(tuple(predictions.shape), tapegrad.cast(float("-inf"), predictions.dtype))
    target_value = tapegrad.reduce_max(tapegrad.where(chosen, predictions, neg_inf), axis=-1)
    larger = tapegrad.reduce_sum(
        tapegrad.cast(predictions > tapegrad.expand_dims(target_value, -1), tapegrad.int32), axis=-1
    )
    in_range = tapegrad.logical_and(targets >= 0, targets < num_classes)
    return tapegrad.logical_and(tapegrad.logical_and(larger < k, tapegrad.is_finite(target_value)), in_range)


def _top_k_matches(y_true: Any, y_pred: Any, k: int) -> Any:
    """``in_top_k`` over rows of any leading shape, shaped like ``y_true``."""
    shape = tuple(y_true.shape)
    if len(y_pred.shape) > 2:
        y_pred = tapegrad.reshape(y_pred, (-1, int(y_pred.shape[-1])))
    if len(shape) > 1:
        y_true = tapegrad.reshape(y_true, (-1,))
    matches = tapegrad.cast(in_top_k(y_true, y_pred, k), tapegrad.float32)
    return tapegrad.reshape(matches, shape) if len(shape) > 1 else matches


def top_k_categorical_accuracy(y_true: Any, y_pred: Any, k: int = 5) -> Any:
    """1.0 where the one-hot label's class is among the ``k`` largest predictions."""
    y_pred = tapegrad.convert_to_tensor(y_pred)
    y_true = tapegrad.argmax(tapegrad.cast(tapegrad.convert_to_tensor(y_true), y_pred.dtype), axis=-1)
    return _top_k_matches(y_true, y_pred, k)


def sparse_top_k_categorical_accuracy(y_true: Any, y_pred: Any, k: int = 5) -> Any:
    """1.0 where the integer label is among the ``k`` largest predictions."""
    y_pred = tapegrad.convert_to_tensor(y_pred)
    y_true = tapegrad.cast(tapegrad.convert_to_tensor(y_true), tapegrad.int32)
    return _top_k_matches(y_true, y_pred, k)


def cosine_similarity(y_true: Any, y_pred: Any, axis: int = -1) -> Any:
    """The cosine of the angle between ``y_true`` and ``y_pred`` along ``axis`` (1 is a perfect match)."""
    return -losses.cosine_similarity(y_true, y_pred, axis=axis)


# ------------------------------------------------------------------ classes
class TopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the one-hot label is among the ``k`` largest predictions."""

    def __init__(self, k: int = 5, name: str = "top_k_categorical_accuracy", dtype: Any = None) -> None:
        super().__init__(top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "k": self.k}


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the integer label is among the ``k`` largest predictions."""

    def __init__(
        self, k: int = 5, name: str = "sparse_top_k_categorical_accuracy", dtype: Any = None, **kwargs: Any
    ) -> None:
        if kwargs.pop("from_sorted_ids", False):
            raise NotImplementedError("SparseTopKCategoricalAccuracy(from_sorted_ids=True) is not supported")
        if kwargs:
            raise TypeError(f"Unexpected keyword argument(s): {sorted(kwargs)}")
        super().__init__(sparse_top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "k": self.k, "from_sorted_ids": False}


class RootMeanSquaredError(Mean):
    """``sqrt`` of the running mean of the squared error."""

    def __init__(self, name: str = "root_mean_squared_error", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:  # type: ignore[override]
        """Accumulate ``(y_pred - y_true)^2``, optionally weighted per sample."""
        y_true = tapegrad.cast(tapegrad.convert_to_tensor(y_true), self.dtype)
        y_pred = tapegrad.cast(tapegrad.convert_to_tensor(y_pred), self.dtype)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        super().update_state(tapegrad.square(y_pred - y_true), sample_weight=sample_weight)

    def result(self) -> Any:
        """``sqrt(total / count)``."""
        return tapegrad.sqrt(super().result())


class CosineSimilarity(MeanMetricWrapper):
    """Running mean of the cosine similarity along ``axis``."""

    def __init__(self, name: str = "cosine_similarity", dtype: Any = None, axis: int = -1) -> None:
        super().__init__(cosine_similarity, name=name, dtype=dtype, axis=axis)
        self.axis = axis

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis}


class BinaryCrossentropy(MeanMetricWrapper):
    """Running mean of the binary cross-entropy."""

    def __init__(
        self,
        name: str = "binary_crossentropy",
        dtype: Any = None,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__(
            losses.binary_crossentropy,
            name=name,
            dtype=dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
        )
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "from_logits": self.from_logits,
            "label_smoothing": self.label_smoothing,
        }


class CategoricalCrossentropy(MeanMetricWrapper):
    """Running mean of the categorical cross-entropy (one-hot labels)."""

    def __init__(
        self,
        name: str = "categorical_crossentropy",
        dtype: Any = None,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
        axis: int = -1,
    ) -> None:
        super().__init__(
            losses.categorical_crossentropy,
            name=name,
            dtype=dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "from_logits": self.from_logits,
            "label_smoothing": self.label_smoothing,
            "axis": self.axis,
        }


class SparseCategoricalCrossentropy(MeanMetricWrapper):
    """Running mean of the sparse categorical cross-entropy (integer labels)."""

    def __init__(
        self,
        name: str = "sparse_categorical_crossentropy",
        dtype: Any = None,
        from_logits: bool = False,
        axis: int = -1,
    ) -> None:
        super().__init__(
            losses.sparse_categorical_crossentropy, name=name, dtype=dtype, from_logits=from_logits, axis=axis
        )
        self.from_logits = from_logits
        self.axis = axis

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "from_logits": self.from_logits, "axis": self.axis}


class MeanAbsolutePercentageError(_FunctionMetric):
    """Running mean of the absolute percentage error."""

    _default_name = "mean_absolute_percentage_error"
    _metric_fn = staticmethod(losses.mean_absolute_percentage_error)


class MeanSquaredLogarithmicError(_FunctionMetric):
    """Running mean of the squared logarithmic error."""

    _default_name = "mean_squared_logarithmic_error"
    _metric_fn = staticmethod(losses.mean_squared_logarithmic_error)


class LogCoshError(_FunctionMetric):
    """Running mean of ``log(cosh(y_pred - y_true))``."""

    _default_name = "logcosh"
    _metric_fn = staticmethod(losses.log_cosh)


class KLDivergence(_FunctionMetric):
    """Running mean of the Kullback-Leibler divergence."""

    _default_name = "kl_divergence"
    _metric_fn = staticmethod(losses.kl_divergence)


class Poisson(_FunctionMetric):
    """Running mean of the Poisson loss."""

    _default_name = "poisson"
    _metric_fn = staticmethod(losses.poisson)


class Hinge(_FunctionMetric):
    """Running mean of the hinge loss."""

    _default_name = "hinge"
    _metric_fn = staticmethod(losses.hinge)


class SquaredHinge(_FunctionMetric):
    """Running mean of the squared hinge loss."""

    _default_name = "squared_hinge"
    _metric_fn = staticmethod(losses.squared_hinge)


class CategoricalHinge(_FunctionMetric):
    """Running mean of the categorical hinge loss."""

    _default_name = "categorical_hinge"
    _metric_fn = staticmethod(losses.categorical_hinge)

"""Streaming Keras metrics, as in ``tf.keras.metrics`` (TF 2.21 / Keras 3 semantics).

A metric accumulates state in non-trainable variables with ``update_state``,
reports it with ``result()`` and starts over with ``reset_state()``; calling the
metric does ``update_state`` then returns ``result()``.

>>> import tapegrad as tf
>>> m = tf.keras.metrics.Mean()
>>> m.update_state([1.0, 2.0, 3.0])
>>> float(m.result())
2.0
"""

from __future__ import annotations

from typing import Any, Callable

import tapegrad

from . import backend, initializers
from .losses import mean_absolute_error, mean_squared_error, squeeze_or_expand_to_same_rank

__all__ = [
    "Accuracy",
    "BinaryAccuracy",
    "CategoricalAccuracy",
    "Mean",
    "MeanAbsoluteError",
    "MeanMetricWrapper",
    "MeanSquaredError",
    "Metric",
    "SparseCategoricalAccuracy",
    "Sum",
    "accuracy",
    "binary_accuracy",
    "categorical_accuracy",
    "sparse_categorical_accuracy",
]


# ---------------------------------------------------------- value functions
def accuracy(y_true: Any, y_pred: Any) -> Any:
    """1.0 where ``y_true == y_pred``, else 0.0."""
    y_pred = tapegrad.convert_to_tensor(y_pred)
    y_true = tapegrad.cast(tapegrad.convert_to_tensor(y_true), y_pred.dtype)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return tapegrad.cast(tapegrad.equal(y_true, y_pred), tapegrad.float32)


def binary_accuracy(y_true: Any, y_pred: Any, threshold: float = 0.5) -> Any:
    """1.0 where ``(y_pred > threshold) == y_true``, else 0.0."""
    y_pred = tapegrad.convert_to_tensor(y_pred)
    y_true = tapegrad.convert_to_tensor(y_true)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    predicted = tapegrad.cast(y_pred > threshold, y_true.dtype)
    return tapegrad.cast(tapegrad.equal(y_true, predicted), tapegrad.float32)


def categorical_accuracy(y_true: Any, y_pred: Any) -> Any:
    """1.0 where ``argmax(y_true) == argmax(y_pred)`` (one-hot labels), else 0.0."""
    y_pred = tapegrad.convert_to_tensor(y_pred)
    true_class = tapegrad.argmax(tapegrad.convert_to_tensor(y_true), axis=-1)
    pred_class = tapegrad.argmax(y_pred, axis=-1)
    return tapegrad.cast(tapegrad.equal(true_class, pred_class), tapegrad.float32)


def sparse_categorical_accuracy(y_true: Any, y_pred: Any) -> Any:
    """1.0 where the integer label ``y_true`` equals ``argmax(y_pred)``, else 0.0."""
    y_pred = tapegrad.convert_to_tensor(y_pred)
    y_true = tapegrad.cast(tapegrad.convert_to_tensor(y_true), y_pred.dtype)
    if len(y_true.shape) == len(y_pred.shape) and y_true.shape[-1] == 1:
        y_true = tapegrad.squeeze(y_true, -1)
    predicted = tapegrad.cast(tapegrad.argmax(y_pred, axis=-1), y_true.dtype)
    return tapegrad.cast(tapegrad.equal(y_true, predicted), tapegrad.float32)


# ---------------------------------------------------------------- helpers
def _reduce_to_samplewise(values: Any, sample_weight: Any, reduce_fn: Callable[..., Any], dtype: Any) -> Any:
    """Per-sample values (all axes but the first reduced) times their weights, and the weights.

    Follows Keras 3's ``reduce_to_samplewise_values``: weights broadcast against the
    values after axes beyond the weights' rank are reduced away.
    """
    values = tapegrad.cast(tapegrad.convert_to_tensor(values), dtype)
    if sample_weight is not None:
        sample_weight = tapegrad.cast(tapegrad.convert_to_tensor(sample_weight), dtype)
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        weight_ndim, values_ndim = len(sample_weight.shape), len(values.shape)
        if values_ndim > weight_ndim:
            values = reduce_fn(values, axis=list(range(weight_ndim, values_ndim)))
        sample_weight = tapegrad.broadcast_to(sample_weight, tuple(values.shape))
        values = values * sample_weight
        if weight_ndim > 1:
            sample_weight = reduce_fn(sample_weight, axis=list(range(1, weight_ndim)))
    if len(values.shape) > 1:
        values = reduce_fn(values, axis=list(range(1, len(values.shape))))
    return values, sample_weight


# ---------------------------------------------------------------- classes
class Metric:
    """Base class: subclasses create state with :meth:`add_variable` and implement
    ``update_state`` and ``result``."""

    def __init__(self, name: str | None = None, dtype: Any = None) -> None:
        self.name = name or backend.unique_object_name(backend.to_snake_case(type(self).__name__))
        self.dtype = tapegrad.float32 if dtype is None else tapegrad.as_dtype(dtype)
        self._variables: list[Any] = []

    def add_variable(
        self,
        shape: Any = (),
        initializer: Any = None,
        dtype: Any = None,
        aggregation: str = "sum",
        name: str | None = None,
    ) -> Any:
        """Create and track a non-trainable state variable (zeros unless ``initializer`` says
        otherwise), with Keras 3's signature; ``add_variable("name", shape)`` also works."""
        if isinstance(shape, str):  # the (name, shape, dtype) order
            name, shape, initializer = shape, (() if initializer is None else initializer), None
        shape = tuple(int(d) for d in shape)
        dtype = self.dtype if dtype is None else tapegrad.as_dtype(dtype)
        init = initializers.get("zeros" if initializer is None else initializer)
        assert init is not None
        variable = tapegrad.Variable(
            tapegrad.cast(init(shape, dtype=dtype), dtype),
            trainable=False,
            name=f"{self.name}/{name or 'variable'}",
        )
        self._variables.append(variable)
        return variable

    def add_weight(
        self,
        name: str | None = None,
        shape: Any = (),
        dtype: Any = None,
        initializer: Any = None,
        **kwargs: Any,
    ) -> Any:
        """tf.keras 2's spelling of :meth:`add_variable` (``initializer`` defaults to zeros)."""
        if name is not None and not isinstance(name, str):  # Keras 3's (shape, initializer, ...) order
            name, shape, initializer = kwargs.pop("name", None), name, (None if shape == () else shape)
        kwargs.pop("aggregation", None)
        kwargs.pop("synchronization", None)
        if kwargs:
            raise TypeError(f"add_weight: unexpected keyword argument(s) {sorted(kwargs)}")
        return self.add_variable(shape=shape, initializer=initializer, dtype=dtype, name=name)

    @property
    def variables(self) -> list[Any]:
        """The state variables, in creation order."""
        return list(self._variables)

    def update_state(self, *args: Any, **kwargs: Any) -> None:
        """Accumulate a batch into the state; subclasses implement it."""
        raise NotImplementedError

    def result(self) -> Any:
        """The metric's value as a scalar tensor; subclasses implement it."""
        raise NotImplementedError

    def reset_state(self) -> None:
        """Set every state variable back to zero."""
        for variable in self._variables:
            variable.assign(tapegrad.zeros(tuple(variable.shape), dtype=variable.dtype))

    def reset_states(self) -> None:
        """Alias of :meth:`reset_state` (the tf.keras 2 name)."""
        self.reset_state()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """``update_state(*args, **kwargs)``, then ``result()``."""
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments, as a dict."""
        return {"name": self.name, "dtype": self.dtype.name}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Metric:
        """Rebuild a metric (with fresh state) from :meth:`get_config`'s output."""
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"


class Sum(Metric):
    """The (weighted) sum of every value seen."""

    def __init__(self, name: str = "sum", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(name="total")

    def update_state(self, values: Any, sample_weight: Any = None) -> None:  # type: ignore[override]
        """Add ``sum(values * sample_weight)`` to the total."""
        values, _ = _reduce_to_samplewise(values, sample_weight, tapegrad.reduce_sum, self.dtype)
        self.total.assign_add(tapegrad.reduce_sum(values))

    def result(self) -> Any:
        """The total."""
        return tapegrad.identity(self.total)


class Mean(Metric):
    """The (weighted) mean of every value seen: ``total / count``."""

    def __init__(self, name: str = "mean", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(name="total")
        self.count = self.add_variable(name="count")

    def update_state(self, values: Any, sample_weight: Any = None) -> None:  # type: ignore[override]
        """Add the weighted per-sample means to ``total``, the sample count (or weights) to ``count``."""
        values, sample_weight = _reduce_to_samplewise(values, sample_weight, tapegrad.reduce_mean, self.dtype)
        self.total.assign_add(tapegrad.reduce_sum(values))
        if sample_weight is not None:
            num_samples = tapegrad.reduce_sum(sample_weight)
        elif len(values.shape) >= 1:
            num_samples = tapegrad.constant(float(values.shape[0]), dtype=self.dtype)
        else:
            num_samples = tapegrad.constant(1.0, dtype=self.dtype)
        self.count.assign_add(tapegrad.cast(num_samples, self.dtype))

    def result(self) -> Any:
        """``total / count`` (0 before any update)."""
        return tapegrad.math.divide_no_nan(self.total, self.count)


class MeanMetricWrapper(Mean):
    """The running mean of ``fn(y_true, y_pred, **kwargs)``."""

    def __init__(
        self, fn: Callable[..., Any], name: str | None = None, dtype: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(name=name, dtype=dtype)  # type: ignore[arg-type]
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:  # type: ignore[override]
        """Accumulate ``fn(y_true, y_pred)``, optionally weighted per sample."""
        super().update_state(self._fn(y_true, y_pred, **self._fn_kwargs), sample_weight=sample_weight)


class _FunctionMetric(MeanMetricWrapper):
    """The running mean of a function without hyper-parameters.

    Subclasses set ``_metric_fn`` (a ``staticmethod``) and ``_default_name``; their
    constructor takes only ``name`` and ``dtype``, as in Keras.
    """

    _default_name = "mean_metric_wrapper"

    @staticmethod
    def _metric_fn(y_true: Any, y_pred: Any) -> Any:
        raise NotImplementedError

    def __init__(self, name: str | None = None, dtype: Any = None) -> None:
        super().__init__(self._metric_fn, name=name or self._default_name, dtype=dtype)


class Accuracy(_FunctionMetric):
    """How often ``y_pred`` equals ``y_true``."""

    _default_name = "accuracy"
    _metric_fn = staticmethod(accuracy)


class CategoricalAccuracy(_FunctionMetric):
    """How often ``argmax(y_pred)`` matches the one-hot label."""

    _default_name = "categorical_accuracy"
    _metric_fn = staticmethod(categorical_accuracy)


class SparseCategoricalAccuracy(_FunctionMetric):
    """How often ``argmax(y_pred)`` matches the integer label."""

    _default_name = "sparse_categorical_accuracy"
    _metric_fn = staticmethod(sparse_categorical_accuracy)


class MeanSquaredError(_FunctionMetric):
    """Running mean of the squared error."""

    _default_name = "mean_squared_error"
    _metric_fn = staticmethod(mean_squared_error)


class MeanAbsoluteError(_FunctionMetric):
    """Running mean of the absolute error."""

    _default_name = "mean_absolute_error"
    _metric_fn = staticmethod(mean_absolute_error)


class BinaryAccuracy(MeanMetricWrapper):
    """How often ``y_pred > threshold`` matches the binary label."""

    def __init__(self, name: str = "binary_accuracy", dtype: Any = None, threshold: float = 0.5) -> None:
        super().__init__(binary_accuracy, name=name, dtype=dtype, threshold=threshold)
        self.threshold = threshold

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "threshold": self.threshold}


# Confusion-matrix metrics and more running-mean metrics, in their own modules.
from .confusion_metrics import (  # noqa: E402
    AUC,
    FalseNegatives,
    FalsePositives,
    Precision,
    PrecisionAtRecall,
    Recall,
    RecallAtPrecision,
    SensitivityAtSpecificity,
    SpecificityAtSensitivity,
    TrueNegatives,
    TruePositives,
)
from .iou_metrics import BinaryIoU, IoU, MeanIoU, OneHotIoU, OneHotMeanIoU  # noqa: E402
from .mean_metrics import (  # noqa: E402
    BinaryCrossentropy,
    CategoricalCrossentropy,
    CategoricalHinge,
    CosineSimilarity,
    Hinge,
    KLDivergence,
    LogCoshError,
    MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError,
    Poisson,
    RootMeanSquaredError,
    SparseCategoricalCrossentropy,
    SparseTopKCategoricalAccuracy,
    SquaredHinge,
    TopKCategoricalAccuracy,
    sparse_top_k_categorical_accuracy,
    top_k_categorical_accuracy,
)
from .score_metrics import F1Score, FBetaScore, R2Score  # noqa: E402

__all__ += [
    "AUC",
    "F1Score",
    "FBetaScore",
    "R2Score",
    "BinaryIoU",
    "IoU",
    "MeanIoU",
    "OneHotIoU",
    "OneHotMeanIoU",
    "BinaryCrossentropy",
    "CategoricalCrossentropy",
    "CategoricalHinge",
    "CosineSimilarity",
    "FalseNegatives",
    "FalsePositives",
    "Hinge",
    "KLDivergence",
    "LogCoshError",
    "MeanAbsolutePercentageError",
    "MeanSquaredLogarithmicError",
    "Poisson",
    "Precision",
    "PrecisionAtRecall",
    "Recall",
    "RecallAtPrecision",
    "SensitivityAtSpecificity",
    "SpecificityAtSensitivity",
    "RootMeanSquaredError",
    "SparseCategoricalCrossentropy",
    "SparseTopKCategoricalAccuracy",
    "SquaredHinge",
    "TopKCategoricalAccuracy",
    "TrueNegatives",
    "TruePositives",
    "sparse_top_k_categorical_accuracy",
    "top_k_categorical_accuracy",
]

# tf.keras.metrics also exports the loss functions (and their short names).
from .losses import (  # noqa: E402
    KLD,
    MAE,
    MAPE,
    MSE,
    MSLE,
    binary_crossentropy,
    binary_focal_crossentropy,
    categorical_crossentropy,
    categorical_focal_crossentropy,
    categorical_hinge,
    hinge,
    huber,
    kld,
    kullback_leibler_divergence,
    logcosh,
    mae,
    mape,
    mse,
    msle,
    poisson,
    sparse_categorical_crossentropy,
    squared_hinge,
)

__all__ += [
    "KLD",
    "MAE",
    "MAPE",
    "MSE",
    "MSLE",
    "binary_crossentropy",
    "binary_focal_crossentropy",
    "categorical_crossentropy",
    "categorical_focal_crossentropy",
    "categorical_hinge",
    "hinge",
    "huber",
    "kld",
    "kullback_leibler_divergence",
    "logcosh",
    "mae",
    "mape",
    "mse",
    "msle",
    "poisson",
    "sparse_categorical_crossentropy",
    "squared_hinge",
]


# ------------------------------------------------------------ lookup by name (Keras 3 rules)
def _metric_classes() -> dict[str, type[Metric]]:
    """Every exported metric class by its name and by its snake_case name, plus Keras' aliases."""
    classes = [
        value
        for value in globals().values()
        if isinstance(value, type) and issubclass(value, Metric) and not value.__name__.startswith("_")
    ]
    table: dict[str, type[Metric]] = {cls.__name__: cls for cls in classes}
    table.update({backend.to_snake_case(cls.__name__): cls for cls in classes})
    aliases = {
        "bce": BinaryCrossentropy,
        "mse": MeanSquaredError,
        "mae": MeanAbsoluteError,
        "mape": MeanAbsolutePercentageError,
        "msle": MeanSquaredLogarithmicError,
    }
    table.update(aliases)
    table.update({name.upper(): cls for name, cls in aliases.items()})
    return table


def serialize(metric: Metric) -> dict[str, Any]:
    """A Keras-style config dict for ``metric``."""
    return {
        "module": "keras.metrics",
        "class_name": type(metric).__name__,
        "config": metric.get_config(),
        "registered_name": None,
    }


def deserialize(config: dict[str, Any]) -> Metric:
    """Rebuild a metric (with fresh state) from :func:`serialize`'s output."""
    cls = _metric_classes().get(str(config.get("class_name")))
    if cls is None:
        raise ValueError(f"Could not interpret metric identifier: {config}")
    return cls.from_config(dict(config.get("config", {})))


def get(identifier: Any) -> Any:
    """Resolve a metric: a name (``"auc"``, ``"AUC"``, ``"mse"``) gives a fresh instance, a config
    dict a rebuilt one; metrics and callables are returned as they are, ``None`` as ``None``."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    obj = _metric_classes().get(identifier) if isinstance(identifier, str) else identifier
    if isinstance(obj, type):
        return obj()
    if callable(obj):
        return obj
    raise ValueError(f"Could not interpret metric identifier: {identifier}")


__all__ += ["deserialize", "get", "serialize"]

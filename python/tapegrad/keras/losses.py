"""Keras losses, as in ``tf.keras.losses`` (TF 2.21 / Keras 3 formulas).

Each loss exists as a function returning one value per sample (the last axis is
reduced) and as a class whose ``__call__(y_true, y_pred, sample_weight=None)``
weights and reduces those values: ``"sum_over_batch_size"`` (the default: the sum
divided by the number of values), ``"sum"`` or ``"none"``. Probabilities are
clipped to ``[1e-7, 1 - 1e-7]`` before logarithms, as Keras does.

>>> import tapegrad as tf
>>> loss = tf.keras.losses.MeanSquaredError()
>>> float(loss([[0.0, 1.0]], [[1.0, 1.0]]))
0.5
"""

from __future__ import annotations

import math
from typing import Any, Callable, Union

import tapegrad

__all__ = [
    "BinaryCrossentropy",
    "BinaryFocalCrossentropy",
    "CategoricalCrossentropy",
    "CategoricalFocalCrossentropy",
    "CategoricalHinge",
    "CosineSimilarity",
    "Hinge",
    "Huber",
    "KLDivergence",
    "LogCosh",
    "Loss",
    "MeanAbsoluteError",
    "MeanAbsolutePercentageError",
    "MeanSquaredError",
    "MeanSquaredLogarithmicError",
    "Poisson",
    "SparseCategoricalCrossentropy",
    "SquaredHinge",
    "binary_crossentropy",
    "binary_focal_crossentropy",
    "categorical_crossentropy",
    "categorical_focal_crossentropy",
    "categorical_hinge",
    "cosine_similarity",
    "get",
    "hinge",
    "huber",
    "kl_divergence",
    "log_cosh",
    "mean_absolute_error",
    "mean_absolute_percentage_error",
    "mean_squared_error",
    "mean_squared_logarithmic_error",
    "poisson",
    "sparse_categorical_crossentropy",
    "squared_hinge",
]

#: Keras' fuzz factor (``keras.backend.epsilon()``), used to clip probabilities.
EPSILON = 1e-7

_REDUCTIONS = ("sum_over_batch_size", "sum", "none", "mean", "mean_with_sample_weight", None)


# ------------------------------------------------------------------ helpers
def _as_tensor(value: Any, dtype: Any = None) -> Any:
    """``value`` as a tensor, cast to ``dtype`` when one is given."""
    tensor = tapegrad.convert_to_tensor(value)
    if dtype is not None and tensor.dtype != dtype:
        tensor = tapegrad.cast(tensor, dtype)
    return tensor


def _pair(y_true: Any, y_pred: Any) -> tuple[Any, Any]:
    """Tensors with ``y_true`` in ``y_pred``'s dtype, and ranks matched when they differ by one."""
    y_pred = _as_tensor(y_pred)
    y_true = _as_tensor(y_true, y_pred.dtype)
    return squeeze_or_expand_to_same_rank(y_true, y_pred)


def squeeze_or_expand_to_same_rank(x1: Any, x2: Any, expand_rank_1: bool = True) -> tuple[Any, Any]:
    """Squeeze (or, for rank 1, expand) a trailing size-1 axis when the ranks differ by exactly one."""
    rank1, rank2 = len(x1.shape), len(x2.shape)
    if rank1 == rank2 + 1 and x1.shape[-1] == 1:
        if rank2 == 1 and expand_rank_1:
            x2 = tapegrad.expand_dims(x2, -1)
        else:
            x1 = tapegrad.squeeze(x1, -1)
    if rank2 == rank1 + 1 and x2.shape[-1] == 1:
        if rank1 == 1 and expand_rank_1:
            x1 = tapegrad.expand_dims(x1, -1)
        else:
            x2 = tapegrad.squeeze(x2, -1)
    return x1, x2


def _check_same_shape(target: Any, output: Any) -> None:
    if len(target.shape) != len(output.shape):
        raise ValueError(
            "Arguments `target` and `output` must have the same rank (ndim). "
            f"Received: target.shape={tuple(target.shape)}, output.shape={tuple(output.shape)}"
        )
    if tuple(target.shape) != tuple(output.shape):
        raise ValueError(
            "Arguments `target` and `output` must have the same shape. "
            f"Received: target.shape={tuple(target.shape)}, output.shape={tuple(output.shape)}"
        )


def _clip_probabilities(output: Any) -> Any:
    return tapegrad.clip_by_value(output, EPSILON, 1.0 - EPSILON)


def _l2_normalize(x: Any, axis: int) -> Any:
    """``x * min(rsqrt(sum(x^2)), 1 / epsilon)`` (Keras' ``ops.normalize``)."""
    inv_norm = tapegrad.math.rsqrt(tapegrad.reduce_sum(tapegrad.square(x), axis=axis, keepdims=True))
    return x * tapegrad.minimum(inv_norm, 1.0 / EPSILON)


# ---------------------------------------------------------- loss functions
def mean_squared_error(y_true: Any, y_pred: Any) -> Any:
    """``mean(square(y_true - y_pred), axis=-1)``."""
    y_true, y_pred = _pair(y_true, y_pred)
    return tapegrad.reduce_mean(tapegrad.square(y_true - y_pred), axis=-1)


def mean_absolute_error(y_true: Any, y_pred: Any) -> Any:
    """``mean(abs(y_true - y_pred), axis=-1)``."""
    y_true, y_pred = _pair(y_true, y_pred)
    return tapegrad.reduce_mean(tapegrad.abs(y_true - y_pred), axis=-1)


def mean_squared_logarithmic_error(y_true: Any, y_pred: Any) -> Any:
    """``mean(square(log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1)), axis=-1)``."""
    y_true, y_pred = _pair(y_true, y_pred)
    first = tapegrad.log(tapegrad.maximum(y_pred, EPSILON) + 1.0)
    second = tapegrad.log(tapegrad.maximum(y_true, EPSILON) + 1.0)
    return tapegrad.reduce_mean(tapegrad.square(first - second), axis=-1)


def cosine_similarity(y_true: Any, y_pred: Any, axis: int = -1) -> Any:
    """Minus the cosine of the angle between ``y_true`` and ``y_pred`` along ``axis``."""
    y_true, y_pred = _pair(y_true, y_pred)
    return -tapegrad.reduce_sum(_l2_normalize(y_true, axis) * _l2_normalize(y_pred, axis), axis=axis)


def huber(y_true: Any, y_pred: Any, delta: float = 1.0) -> Any:
    """Quadratic ``0.5 * e^2`` for ``|e| <= delta``, linear ``delta * |e| - 0.5 * delta^2`` beyond."""
    y_true, y_pred = _pair(y_true, y_pred)
    delta_t = _as_tensor(delta, y_pred.dtype)
    error = y_pred - y_true
    abs_error = tapegrad.abs(error)
    quadratic = 0.5 * tapegrad.square(error)
    linear = delta_t * abs_error - 0.5 * tapegrad.square(delta_t)
    return tapegrad.reduce_mean(tapegrad.where(abs_error <= delta_t, quadratic, linear), axis=-1)


def log_cosh(y_true: Any, y_pred: Any) -> Any:
    """``mean(log(cosh(y_pred - y_true)), axis=-1)``, computed without overflow."""
    y_true, y_pred = _pair(y_true, y_pred)
    x = y_pred - y_true
    # log(cosh(x)) = x + softplus(-2x) - log(2): finite for large |x|.
    return tapegrad.reduce_mean(x + tapegrad.nn.softplus(x * -2.0) - math.log(2.0), axis=-1)


def kl_divergence(y_true: Any, y_pred: Any) -> Any:
    """``sum(y_true * log(y_true / y_pred), axis=-1)`` with both clipped to ``[eps, 1]``."""
    y_pred = _as_tensor(y_pred)
    y_true = _as_tensor(y_true, y_pred.dtype)
    y_true = tapegrad.clip_by_value(y_true, EPSILON, 1.0)
    y_pred = tapegrad.clip_by_value(y_pred, EPSILON, 1.0)
    return tapegrad.reduce_sum(y_true * tapegrad.log(y_true / y_pred), axis=-1)


def _sigmoid_cross_entropy_with_logits(labels: Any, logits: Any) -> Any:
    """``max(x, 0) - x * z + log1p(exp(-|x|))``, TF's stable form."""
    return (
        tapegrad.nn.relu(logits) - logits * labels + tapegrad.math.log1p(tapegrad.exp(-tapegrad.abs(logits)))
    )


def binary_crossentropy(
    y_true: Any, y_pred: Any, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1
) -> Any:
    """Mean over ``axis`` of ``-(y log p + (1 - y) log(1 - p))``; labels smoothed towards 0.5."""
    y_pred = _as_tensor(y_pred)
    y_true = _as_tensor(y_true, y_pred.dtype)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    _check_same_shape(y_true, y_pred)
    if from_logits:
        elementwise = _sigmoid_cross_entropy_with_logits(y_true, y_pred)
    else:
        output = _clip_probabilities(y_pred)
        elementwise = -(y_true * tapegrad.log(output) + (1 - y_true) * tapegrad.log(1 - output))
    return tapegrad.reduce_mean(elementwise, axis=axis)


def categorical_crossentropy(
    y_true: Any, y_pred: Any, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1
) -> Any:
    """``-sum(y_true * log(y_pred), axis)`` for one-hot (or soft) labels.

    Probabilities are first renormalized to sum to one along ``axis``, then clipped.
    """
    if isinstance(axis, bool):
        raise ValueError(f"`axis` must be of type `int`. Received: axis={axis} of type {type(axis)}")
    y_pred = _as_tensor(y_pred)
    y_true = _as_tensor(y_true, y_pred.dtype)
    if label_smoothing:
        num_classes = float(y_true.shape[-1])
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / num_classes
    if len(y_true.shape) < 1:
        raise ValueError(
            "Arguments `target` and `output` must be at least rank 1. "
            f"Received: target.shape={tuple(y_true.shape)}, output.shape={tuple(y_pred.shape)}"
        )
    _check_same_shape(y_true, y_pred)
    if from_logits:
        return tapegrad.nn.softmax_cross_entropy_with_logits(labels=y_true, logits=y_pred, axis=axis)
    output = y_pred / tapegrad.reduce_sum(y_pred, axis=axis, keepdims=True)
    return -tapegrad.reduce_sum(y_true * tapegrad.log(_clip_probabilities(output)), axis=axis)


def sparse_categorical_crossentropy(
    y_true: Any, y_pred: Any, from_logits: bool = False, ignore_class: int | None = None, axis: int = -1
) -> Any:
    """Cross-entropy for integer labels ``y_true`` of shape ``y_pred.shape[:-1]`` (or with a trailing 1)."""
    if ignore_class is not None:
        raise NotImplementedError(
            "sparse_categorical_crossentropy: ignore_class is not supported by tapegrad"
        )
    y_pred = _as_tensor(y_pred)
    y_true = _as_tensor(y_true)
    if axis not in (-1, len(y_pred.shape) - 1):
        raise ValueError(f"Only axis=-1 is currently supported. Received: axis={axis}")
    if len(y_true.shape) == len(y_pred.shape) and y_true.shape[-1] == 1:
        y_true = tapegrad.squeeze(y_true, -1)
    if len(y_pred.shape) < 1:
        raise ValueError(
            f"Argument `output` must be at least rank 1. Received: output.shape={tuple(y_pred.shape)}"
        )
    if tuple(y_true.shape) != tuple(y_pred.shape[:-1]):
        raise ValueError(
            "Arguments `target` and `output` must have the same shape up until the last dimension: "
            f"target.shape={tuple(y_true.shape)}, output.shape={tuple(y_pred.shape)}"
        )
    labels = tapegrad.cast(y_true, tapegrad.int64)
    logits = y_pred if from_logits else tapegrad.log(_clip_probabilities(y_pred))
    return tapegrad.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)


def mean_absolute_percentage_error(y_true: Any, y_pred: Any) -> Any:
    """``100 * mean(|y_true - y_pred| / max(|y_true|, eps), axis=-1)``."""
    y_true, y_pred = _pair(y_true, y_pred)
    diff = tapegrad.abs((y_true - y_pred) / tapegrad.maximum(tapegrad.abs(y_true), EPSILON))
    return 100.0 * tapegrad.reduce_mean(diff, axis=-1)


def poisson(y_true: Any, y_pred: Any) -> Any:
    """``mean(y_pred - y_true * log(y_pred + eps), axis=-1)``."""
    y_pred = _as_tensor(y_pred)
    y_true = _as_tensor(y_true, y_pred.dtype)
    return tapegrad.reduce_mean(y_pred - y_true * tapegrad.log(y_pred + EPSILON), axis=-1)


def _binary_labels_to_hinge(y_true: Any) -> Any:
    """Labels that are all 0 or 1 become -1 / 1; other labels are used as they are (Keras 3)."""
    is_binary = tapegrad.reduce_all(tapegrad.logical_or(tapegrad.equal(y_true, 0), tapegrad.equal(y_true, 1)))
    return 2.0 * y_true - 1.0 if bool(is_binary) else y_true


def hinge(y_true: Any, y_pred: Any) -> Any:
    """``mean(max(1 - y_true * y_pred, 0), axis=-1)``; 0/1 labels are mapped to -1/1."""
    y_pred = _as_tensor(y_pred)
    y_true = _binary_labels_to_hinge(_as_tensor(y_true, y_pred.dtype))
    return tapegrad.reduce_mean(tapegrad.maximum(1.0 - y_true * y_pred, 0.0), axis=-1)


def squared_hinge(y_true: Any, y_pred: Any) -> Any:
    """``mean(square(max(1 - y_true * y_pred, 0)), axis=-1)``; 0/1 labels are mapped to -1/1."""
    y_pred = _as_tensor(y_pred)
    y_true = _binary_labels_to_hinge(_as_tensor(y_true, y_pred.dtype))
    return tapegrad.reduce_mean(tapegrad.square(tapegrad.maximum(1.0 - y_true * y_pred, 0.0)), axis=-1)


def categorical_hinge(y_true: Any, y_pred: Any) -> Any:
    """``max(max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1, 0)`` over the last axis."""
    y_pred = _as_tensor(y_pred)
    y_true = _as_tensor(y_true, y_pred.dtype)
    pos = tapegrad.reduce_sum(y_true * y_pred, axis=-1)
    neg = tapegrad.reduce_max((1.0 - y_true) * y_pred, axis=-1)
    return tapegrad.maximum(neg - pos + 1.0, tapegrad.zeros_like(pos))


def binary_focal_crossentropy(
    y_true: Any,
    y_pred: Any,
    apply_class_balancing: bool = False,
    alpha: float = 0.25,
    gamma: float = 2.0,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> Any:
    """Binary cross-entropy scaled by ``(1 - p_t) ** gamma`` (and by ``alpha`` / ``1 - alpha`` for
    positives / negatives with ``apply_class_balancing``), averaged over ``axis``."""
    y_pred = _as_tensor(y_pred)
    y_true = _as_tensor(y_true, y_pred.dtype)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        y_pred = tapegrad.sigmoid(y_pred)
    output = _clip_probabilities(y_pred)
    bce = -(y_true * tapegrad.log(output) + (1 - y_true) * tapegrad.log(1 - output))
    p_t = y_true * y_pred + (1 - y_true) * (1 - y_pred)
    focal_bce = tapegrad.pow(1.0 - p_t, gamma) * bce
    if apply_class_balancing:
        focal_bce = (y_true * alpha + (1 - y_true) * (1 - alpha)) * focal_bce
    return tapegrad.reduce_mean(focal_bce, axis=axis)


def categorical_focal_crossentropy(
    y_true: Any,
    y_pred: Any,
    alpha: float = 0.25,
    gamma: float = 2.0,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> Any:
    """``sum(alpha * (1 - p) ** gamma * -y_true * log(p), axis)`` with ``p`` the renormalized,
    clipped probabilities."""
    if isinstance(axis, bool):
        raise ValueError(f"`axis` must be of type `int`. Received: axis={axis} of type {type(axis)}")
    y_pred = _as_tensor(y_pred)
    y_true = _as_tensor(y_true, y_pred.dtype)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / float(y_true.shape[-1])
    if from_logits:
        y_pred = tapegrad.nn.softmax(y_pred, axis=axis)
    output = _clip_probabilities(y_pred / tapegrad.reduce_sum(y_pred, axis=axis, keepdims=True))
    cce = -y_true * tapegrad.log(output)
    focal_cce = tapegrad.pow(1.0 - output, gamma) * alpha * cce
    return tapegrad.reduce_sum(focal_cce, axis=axis)


# ------------------------------------------------------------- reduction
def _standardize_reduction(reduction: str | None) -> str | None:
    if reduction not in _REDUCTIONS:
        allowed = {"sum_over_batch_size", "sum", None, "none", "mean", "mean_with_sample_weight"}
        raise ValueError(
            f"Invalid value for argument `reduction`. Expected one of {allowed}. "
            f"Received: reduction={reduction}"
        )
    return reduction


def reduce_weighted_values(
    values: Any, sample_weight: Any = None, reduction: str | None = "sum_over_batch_size"
) -> Any:
    """Multiply per-sample ``values`` by ``sample_weight`` (broadcast), then reduce (Keras 3 rules)."""
    reduction = _standardize_reduction(reduction)
    weight = None
    if sample_weight is not None:
        weight = _as_tensor(sample_weight, values.dtype)
        values, weight = squeeze_or_expand_to_same_rank(values, weight)
        values = values * weight
    if reduction in (None, "none") or tuple(values.shape) in ((), (0,)):
        return values
    loss = tapegrad.reduce_sum(values)
    if reduction == "sum":
        return loss
    if reduction == "mean_with_sample_weight" and weight is not None:
        divisor = tapegrad.reduce_sum(weight)
    else:
        divisor = tapegrad.cast(tapegrad.size(values), loss.dtype)
    return tapegrad.math.divide_no_nan(loss, divisor)


# ---------------------------------------------------------------- classes
class Loss:
    """Base class: subclasses implement ``call(y_true, y_pred)`` returning per-sample losses."""

    def __init__(
        self, name: str | None = None, reduction: str | None = "sum_over_batch_size", dtype: Any = None
    ) -> None:
        self.name = name or type(self).__name__.lower()
        self.reduction = _standardize_reduction(reduction)
        self.dtype = tapegrad.float32 if dtype is None else dtype

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Any:
        """The weighted, reduced loss; both inputs are first converted to the loss's float dtype."""
        y_pred = _as_tensor(y_pred, self.dtype)
        y_true = _as_tensor(y_true, self.dtype)
        losses = self.call(y_true, y_pred)
        return reduce_weighted_values(losses, sample_weight, self.reduction)

    def call(self, y_true: Any, y_pred: Any) -> Any:
        """Per-sample losses; subclasses implement it."""
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments, as a dict."""
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Loss:
        """Rebuild a loss from :meth:`get_config`'s output."""
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r}, reduction={self.reduction!r}>"


class LossFunctionWrapper(Loss):
    """A :class:`Loss` that calls ``fn(y_true, y_pred, **kwargs)`` after matching ranks."""

    def __init__(
        self,
        fn: Callable[..., Any],
        reduction: str | None = "sum_over_batch_size",
        name: str | None = None,
        dtype: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs

    def __getattr__(self, name: str) -> Any:
        # The hyper-parameters (``from_logits``, ``axis``, ...) are read from the keyword
        # arguments given to ``fn``: one copy, not an attribute per subclass.
        kwargs = self.__dict__.get("_fn_kwargs", {})
        if name in kwargs:
            return kwargs[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def call(self, y_true: Any, y_pred: Any) -> Any:
        """``fn(y_true, y_pred, **kwargs)`` with a trailing size-1 axis squeezed where ranks differ."""
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self._fn_kwargs}


class _FunctionLoss(LossFunctionWrapper):
    """A :class:`LossFunctionWrapper` for a loss function without hyper-parameters.

    Subclasses set ``_loss_fn`` (a ``staticmethod``) and ``_default_name``; their
    constructor takes only ``reduction``, ``name`` and ``dtype``, as in Keras.
    """

    _default_name = "loss"

    @staticmethod
    def _loss_fn(y_true: Any, y_pred: Any) -> Any:
        raise NotImplementedError

    def __init__(
        self, reduction: str | None = "sum_over_batch_size", name: str | None = None, dtype: Any = None
    ) -> None:
        super().__init__(self._loss_fn, reduction=reduction, name=name or self._default_name, dtype=dtype)


class MeanSquaredError(_FunctionLoss):
    """Mean of squared errors over the last axis."""

    _default_name = "mean_squared_error"
    _loss_fn = staticmethod(mean_squared_error)


class MeanAbsoluteError(_FunctionLoss):
    """Mean of absolute errors over the last axis."""

    _default_name = "mean_absolute_error"
    _loss_fn = staticmethod(mean_absolute_error)


class MeanSquaredLogarithmicError(_FunctionLoss):
    """Mean squared error of ``log(1 + y)``."""

    _default_name = "mean_squared_logarithmic_error"
    _loss_fn = staticmethod(mean_squared_logarithmic_error)


class KLDivergence(_FunctionLoss):
    """Kullback-Leibler divergence ``sum(y_true * log(y_true / y_pred))``."""

    _default_name = "kl_divergence"
    _loss_fn = staticmethod(kl_divergence)


class LogCosh(_FunctionLoss):
    """Mean of ``log(cosh(y_pred - y_true))``."""

    _default_name = "log_cosh"
    _loss_fn = staticmethod(log_cosh)


class CosineSimilarity(LossFunctionWrapper):
    """Minus the cosine similarity along ``axis`` (so -1 is a perfect match)."""

    def __init__(
        self,
        axis: int = -1,
        reduction: str | None = "sum_over_batch_size",
        name: str = "cosine_similarity",
        dtype: Any = None,
    ) -> None:
        super().__init__(cosine_similarity, reduction=reduction, name=name, dtype=dtype, axis=axis)

    def get_config(self) -> dict[str, Any]:
        return Loss.get_config(self)  # Keras 3 leaves ``axis`` out


class Huber(LossFunctionWrapper):
    """Huber loss: quadratic within ``delta`` of the target, linear beyond."""

    def __init__(
        self,
        delta: float = 1.0,
        reduction: str | None = "sum_over_batch_size",
        name: str = "huber_loss",
        dtype: Any = None,
    ) -> None:
        super().__init__(huber, reduction=reduction, name=name, dtype=dtype, delta=delta)

    def get_config(self) -> dict[str, Any]:
        return Loss.get_config(self)  # Keras 3 leaves ``delta`` out


class BinaryCrossentropy(LossFunctionWrapper):
    """Binary cross-entropy on probabilities (or logits with ``from_logits=True``)."""

    def __init__(
        self,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
        axis: int = -1,
        reduction: str | None = "sum_over_batch_size",
        name: str = "binary_crossentropy",
        dtype: Any = None,
    ) -> None:
        super().__init__(
            binary_crossentropy,
            reduction=reduction,
            name=name,
            dtype=dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )


class CategoricalCrossentropy(LossFunctionWrapper):
    """Cross-entropy for one-hot labels, on probabilities (or logits with ``from_logits=True``)."""

    def __init__(
        self,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
        axis: int = -1,
        reduction: str | None = "sum_over_batch_size",
        name: str = "categorical_crossentropy",
        dtype: Any = None,
    ) -> None:
        super().__init__(
            categorical_crossentropy,
            reduction=reduction,
            name=name,
            dtype=dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    """Cross-entropy for integer labels, on probabilities (or logits with ``from_logits=True``)."""

    def __init__(
        self,
        from_logits: bool = False,
        ignore_class: int | None = None,
        reduction: str | None = "sum_over_batch_size",
        axis: int = -1,
        name: str = "sparse_categorical_crossentropy",
        dtype: Any = None,
    ) -> None:
        super().__init__(
            sparse_categorical_crossentropy,
            reduction=reduction,
            name=name,
            dtype=dtype,
            from_logits=from_logits,
            ignore_class=ignore_class,
            axis=axis,
        )

    def get_config(self) -> dict[str, Any]:
        return {**Loss.get_config(self), "from_logits": self.from_logits, "ignore_class": self.ignore_class}


class MeanAbsolutePercentageError(_FunctionLoss):
    """Mean absolute percentage error: ``100 * mean(|y_true - y_pred| / |y_true|)``."""

    _default_name = "mean_absolute_percentage_error"
    _loss_fn = staticmethod(mean_absolute_percentage_error)


class Poisson(_FunctionLoss):
    """Poisson loss ``mean(y_pred - y_true * log(y_pred))``."""

    _default_name = "poisson"
    _loss_fn = staticmethod(poisson)


class Hinge(_FunctionLoss):
    """Hinge loss for labels in {-1, 1} (or {0, 1})."""

    _default_name = "hinge"
    _loss_fn = staticmethod(hinge)


class SquaredHinge(_FunctionLoss):
    """Squared hinge loss for labels in {-1, 1} (or {0, 1})."""

    _default_name = "squared_hinge"
    _loss_fn = staticmethod(squared_hinge)


class CategoricalHinge(_FunctionLoss):
    """Categorical hinge loss for one-hot labels."""

    _default_name = "categorical_hinge"
    _loss_fn = staticmethod(categorical_hinge)


class BinaryFocalCrossentropy(LossFunctionWrapper):
    """Focal loss for binary labels: cross-entropy down-weighted on well-classified examples."""

    def __init__(
        self,
        apply_class_balancing: bool = False,
        alpha: float = 0.25,
        gamma: float = 2.0,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
        axis: int = -1,
        reduction: str | None = "sum_over_batch_size",
        name: str = "binary_focal_crossentropy",
        dtype: Any = None,
    ) -> None:
        super().__init__(
            binary_focal_crossentropy,
            reduction=reduction,
            name=name,
            dtype=dtype,
            apply_class_balancing=apply_class_balancing,
            alpha=alpha,
            gamma=gamma,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )


class CategoricalFocalCrossentropy(LossFunctionWrapper):
    """Focal loss for one-hot labels: ``alpha * (1 - p) ** gamma`` times the cross-entropy."""

    def __init__(
        self,
        alpha: float = 0.25,
        gamma: float = 2.0,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
        axis: int = -1,
        reduction: str | None = "sum_over_batch_size",
        name: str = "categorical_focal_crossentropy",
        dtype: Any = None,
    ) -> None:
        super().__init__(
            categorical_focal_crossentropy,
            reduction=reduction,
            name=name,
            dtype=dtype,
            alpha=alpha,
            gamma=gamma,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )


# Short aliases exported by tf.keras (functions and classes).
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
logcosh = log_cosh
mape = MAPE = mean_absolute_percentage_error

_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "mean_squared_error": mean_squared_error,
    "mse": mse,
    "MSE": MSE,
    "mean_absolute_error": mean_absolute_error,
    "mae": mae,
    "MAE": MAE,
    "mean_squared_logarithmic_error": mean_squared_logarithmic_error,
    "msle": msle,
    "MSLE": MSLE,
    "kl_divergence": kl_divergence,
    "kld": kld,
    "KLD": KLD,
    "kullback_leibler_divergence": kl_divergence,
    "log_cosh": log_cosh,
    "logcosh": logcosh,
    "cosine_similarity": cosine_similarity,
    "huber": huber,
    "binary_crossentropy": binary_crossentropy,
    "categorical_crossentropy": categorical_crossentropy,
    "sparse_categorical_crossentropy": sparse_categorical_crossentropy,
    "mean_absolute_percentage_error": mean_absolute_percentage_error,
    "mape": mape,
    "MAPE": MAPE,
    "poisson": poisson,
    "hinge": hinge,
    "squared_hinge": squared_hinge,
    "categorical_hinge": categorical_hinge,
    "binary_focal_crossentropy": binary_focal_crossentropy,
    "categorical_focal_crossentropy": categorical_focal_crossentropy,
}
_CLASSES: dict[str, type[Loss]] = {
    cls.__name__: cls
    for cls in (
        MeanSquaredError,
        MeanAbsoluteError,
        MeanSquaredLogarithmicError,
        KLDivergence,
        LogCosh,
        CosineSimilarity,
        Huber,
        BinaryCrossentropy,
        CategoricalCrossentropy,
        SparseCategoricalCrossentropy,
        MeanAbsolutePercentageError,
        Poisson,
        Hinge,
        SquaredHinge,
        CategoricalHinge,
        BinaryFocalCrossentropy,
        CategoricalFocalCrossentropy,
    )
}

LossLike = Union[str, Loss, Callable[..., Any], None]


def get(identifier: LossLike) -> Loss | Callable[..., Any] | None:
    """Resolve a loss: a function name (``"mse"``) gives the function, a class name an instance.

    ``None`` gives ``None``; callables are returned as they are.
    """
    if identifier is None:
        return None
    if isinstance(identifier, str):
        if identifier in _FUNCTIONS:
            return _FUNCTIONS[identifier]
        if identifier in _CLASSES:
            return _CLASSES[identifier]()
        raise ValueError(f"Could not interpret loss identifier: {identifier}")
    if isinstance(identifier, type) and issubclass(identifier, Loss):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret loss identifier: {identifier}")


class Reduction:
    """tf.keras 2's reduction names, kept by TF 2.21 (``"auto"`` is refused by the losses, as there)."""

    AUTO = "auto"
    NONE = "none"
    SUM = "sum"
    SUM_OVER_BATCH_SIZE = "sum_over_batch_size"

    @classmethod
    def all(cls) -> tuple[str, ...]:
        """Every reduction name."""
        return (cls.AUTO, cls.NONE, cls.SUM, cls.SUM_OVER_BATCH_SIZE)

    @classmethod
    def validate(cls, key: str) -> None:
        """Raise ``ValueError`` unless ``key`` is one of :meth:`all`."""
        if key not in cls.all():
            raise ValueError(f'Invalid Reduction Key: {key}. Expected keys are "{cls.all()}"')


__all__ += ["Reduction"]

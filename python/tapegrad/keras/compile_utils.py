"""What ``Model.compile`` builds: the compiled loss and the compiled metrics.

``CompileLoss`` matches each output with its loss (one loss for all outputs, a
list in output order, or a dict by output name), weights them with
``loss_weights`` and sums them. ``CompileMetrics`` does the same for metrics; a
string such as ``"accuracy"`` is resolved on the first batch from the shapes of
the labels and predictions, as Keras does (binary, sparse or categorical).
Metric names in the logs follow Keras 3: ``accuracy`` for one output,
``<output>_accuracy`` for several.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import tapegrad

from .. import _nest
from . import losses as losses_module
from . import metrics as metrics_module

__all__ = ["CompileLoss", "CompileMetrics", "resolve_loss", "resolve_metric"]


def resolve_loss(identifier: Any) -> Any:
    """A ``Loss`` object for a name, a function, a class or an instance (None stays None)."""
    if identifier is None:
        return None
    try:
        loss = losses_module.get(identifier)
        if loss is None:
            raise ValueError(identifier)
    except ValueError:
        raise ValueError(
            f"Unknown loss: {identifier!r}. Pass a loss object (keras.losses.MeanSquaredError()), a function "
            "loss(y_true, y_pred), or a known name such as 'mse', 'mae', 'binary_crossentropy', "
            "'categorical_crossentropy' or 'sparse_categorical_crossentropy'."
        ) from None
    if isinstance(loss, losses_module.Loss):
        return loss
    name = identifier if isinstance(identifier, str) else getattr(loss, "__name__", "loss")
    return losses_module.LossFunctionWrapper(loss, name=name)


def _accuracy_metric(name: str, y_true: Any, y_pred: Any, loss: Any) -> Any:
    """``"accuracy"``/``"acc"`` as Keras picks it: binary, sparse or categorical from the loss and
    the shapes of the labels and predictions."""
    pred_shape = tuple(y_pred.shape)
    true_shape = tuple(getattr(y_true, "shape", ()))
    loss_name = type(loss).__name__ if loss is not None else ""
    fn_name = getattr(getattr(loss, "fn", None), "__name__", "")
    if "BinaryCrossentropy" in loss_name or fn_name == "binary_crossentropy" or pred_shape[-1:] == (1,):
        return metrics_module.BinaryAccuracy(name=name)
    sparse = len(true_shape) < len(pred_shape) or (true_shape[-1:] == (1,) and pred_shape[-1:] != (1,))
    if sparse or "Sparse" in loss_name or fn_name.startswith("sparse"):
        return metrics_module.SparseCategoricalAccuracy(name=name)
    return metrics_module.CategoricalAccuracy(name=name)


def resolve_metric(identifier: Any, y_true: Any, y_pred: Any, loss: Any) -> Any:
    """A ``Metric`` object for ``identifier``, given a batch of labels and predictions.

    Everything but ``"accuracy"`` goes through :func:`keras.metrics.get` (Keras 3's table: class
    names, their snake_case names and the short aliases); a metric made from a string is logged
    under that string, a plain function under its ``__name__``.
    """
    if isinstance(identifier, str) and identifier in ("accuracy", "acc"):
        return _accuracy_metric(identifier, y_true, y_pred, loss)
    try:
        metric = metrics_module.get(identifier)
    except ValueError:
        raise ValueError(
            f"Could not interpret metric identifier: {identifier!r}. Pass a metric object "
            "(keras.metrics.AUC()), a metric class, a function metric(y_true, y_pred), or a name from "
            "keras.metrics such as 'accuracy', 'mae', 'auc', 'precision' or 'top_k_categorical_accuracy'."
        ) from None
    if isinstance(metric, metrics_module.Metric):
        if isinstance(identifier, str):
            metric.name = identifier  # Keras logs a metric under the string it was given
        return metric
    if callable(metric):
        name = identifier if isinstance(identifier, str) else getattr(metric, "__name__", "metric")
        return metrics_module.MeanMetricWrapper(metric, name=name)
    raise ValueError(f"Could not interpret metric identifier: {identifier!r}")


def _per_output(spec: Any, names: list[str], what: str) -> list[Any]:
    """``spec`` (one value, a list in output order, or a dict by output name) as a list per output."""
    if isinstance(spec, Mapping):
        unknown = [k for k in spec if k not in names]
        if unknown:
            raise ValueError(
                f"In compile, the {what} dict has keys {unknown} that are not output names; "
                f"the model's outputs are {names}."
            )
        return [spec.get(name) for name in names]
    if isinstance(spec, (list, tuple)) and len(names) > 1:
        if len(spec) != len(names):
            raise ValueError(
                f"In compile, the {what} list has {len(spec)} entries but the model has {len(names)} outputs "
                f"({names}); pass one per output, or a dict by output name."
            )
        return list(spec)
    return [spec] * len(names)


def flatten_targets(y: Any, names: list[str]) -> list[Any]:
    """Labels (one array, a list in output order, or a dict by output name) as a list per output."""
    if isinstance(y, Mapping):
        missing = [n for n in names if n not in y]
        if missing:
            raise ValueError(f"The labels dict lacks keys {missing}; the model's outputs are {names}.")
        return [y[n] for n in names]
    if len(names) == 1:
        return [y]
    flat = _nest.flatten(y) if _nest.is_nested(y) else [y]
    if len(flat) != len(names):
        raise ValueError(
            f"The model has {len(names)} outputs ({names}) but {len(flat)} label arrays were given."
        )
    return flat


def flatten_predictions(y_pred: Any) -> list[Any]:
    """The model outputs as a flat list (dicts in sorted-key order)."""
    return _nest.flatten(y_pred) if _nest.is_nested(y_pred) else [y_pred]


class CompileLoss:
    """The weighted sum of the per-output losses given to ``compile``."""

    def __init__(self, loss: Any, loss_weights: Any, output_names: list[str]) -> None:
        self.output_names = output_names
        self.losses = [resolve_loss(item) for item in _per_output(loss, output_names, "loss")]
        if loss_weights is None:
            self.weights = [1.0] * len(output_names)
        else:
            weights = _per_output(loss_weights, output_names, "loss_weights")
            self.weights = [1.0 if w is None else float(w) for w in weights]
        self.trackers = (
            [metrics_module.Mean(name=f"{name}_loss") for name in output_names]
            if len(output_names) > 1
            else []
        )

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Any:
        preds = flatten_predictions(y_pred)
        targets = flatten_targets(y_true, self.output_names)
        weights = _per_output(sample_weight, self.output_names, "sample_weight")
        total = None
        for i, (loss, target, pred, weight) in enumerate(zip(self.losses, targets, preds, weights)):
            if loss is None or target is None:
                continue
            value = loss(target, pred, sample_weight=weight)
            if self.trackers:
                batch = int(pred.shape[0]) if len(pred.shape) else 1
                self.trackers[i].update_state(value, sample_weight=batch)
            value = value * self.weights[i] if self.weights[i] != 1.0 else value
            total = value if total is None else total + value
        return total


class CompileMetrics(metrics_module.Metric):
    """The metrics given to ``compile``, resolved on the first batch; ``result()`` is a dict by name."""

    def __init__(
        self, metrics: Any, weighted_metrics: Any, output_names: list[str], losses: list[Any]
    ) -> None:
        super().__init__(name="compile_metrics")
        self.output_names = output_names
        self._specs = _per_output(metrics, output_names, "metrics") if metrics is not None else None
        self._weighted_specs = (
            _per_output(weighted_metrics, output_names, "weighted_metrics")
            if weighted_metrics is not None
            else None
        )
        self._losses = losses
        self._metrics: list[list[Any]] | None = None
        self._weighted: list[list[Any]] | None = None

    @property
    def built(self) -> bool:
        """Whether the metric objects exist (after the first batch)."""
        return self._metrics is not None

    def _resolve(self, specs: Any, targets: list[Any], preds: list[Any], prefix: str) -> list[list[Any]]:
        out: list[list[Any]] = []
        if specs is None:
            return [[] for _ in preds]
        for i, (spec, target, pred) in enumerate(zip(specs, targets, preds)):
            items = [] if spec is None else (list(spec) if isinstance(spec, (list, tuple)) else [spec])
            resolved = []
            for item in items:
                metric = resolve_metric(
                    item, target, pred, self._losses[i] if i < len(self._losses) else None
                )
                if len(self.output_names) > 1 and isinstance(item, str):
                    metric.name = f"{self.output_names[i]}_{prefix}{item}"
                elif prefix and isinstance(item, str):
                    metric.name = f"{prefix}{item}"
                resolved.append(metric)
            out.append(resolved)
        return out

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:  # type: ignore[override]
        preds = flatten_predictions(y_pred)
        targets = flatten_targets(y_true, self.output_names)
        if self._metrics is None:
            self._metrics = self._resolve(self._specs, targets, preds, "")
            self._weighted = self._resolve(self._weighted_specs, targets, preds, "weighted_")
        weights = _per_output(sample_weight, self.output_names, "sample_weight")
        for metrics, target, pred in zip(self._metrics, targets, preds):
            for metric in metrics:
                metric.update_state(target, pred)
        for metrics, target, pred, weight in zip(self._weighted or [], targets, preds, weights):
            for metric in metrics:
                metric.update_state(target, pred, sample_weight=weight)

    @property
    def metrics(self) -> list[Any]:
        """The resolved metric objects (empty before the first batch)."""
        return [m for group in (self._metrics or []) + (self._weighted or []) for m in group]

    def result(self) -> dict[str, Any]:  # type: ignore[override]
        return {metric.name: metric.result() for metric in self.metrics}

    def reset_state(self) -> None:
        for metric in self.metrics:
            metric.reset_state()

    @property
    def variables(self) -> list[Any]:
        return [v for metric in self.metrics for v in metric.variables]


def total_regularization(losses: list[Any]) -> Any:
    """The sum of ``model.losses`` as one float32 scalar (None when there are none)."""
    if not losses:
        return None
    total = None
    for loss in losses:
        value = tapegrad.reduce_sum(tapegrad.cast(loss, tapegrad.float32))
        total = value if total is None else total + value
    return total

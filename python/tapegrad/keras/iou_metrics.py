"""Intersection-over-union metrics for segmentation: ``IoU``, ``MeanIoU``, ``BinaryIoU``,
``OneHotIoU``, ``OneHotMeanIoU`` (Keras 3 semantics).

Predictions and labels (class ids, or argmax of one-hot / score vectors) accumulate a
``num_classes x num_classes`` confusion matrix ``cm[true, pred]``; the IoU of class c is
``cm[c, c] / (row_sum + column_sum - cm[c, c])``, averaged over the target classes that
occurred. As in TF 2.21 the matrix is int64 unless ``dtype`` says otherwise, so float
sample weights are truncated (pass ``dtype="float32"`` to weight by fractions).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import tapegrad

from .metrics import Metric

_EPSILON = 1e-7


class _IoUBase(Metric):
    """Accumulates the weighted confusion matrix."""

    def __init__(
        self,
        num_classes: int,
        name: str | None = None,
        dtype: Any = None,
        ignore_class: int | None = None,
        sparse_y_true: bool = True,
        sparse_y_pred: bool = True,
        axis: int = -1,
    ) -> None:
        super().__init__(name=name, dtype=tapegrad.int64 if dtype in (None, "int") else dtype)
        self.num_classes = int(num_classes)
        self.ignore_class = ignore_class
        self.sparse_y_true = sparse_y_true
        self.sparse_y_pred = sparse_y_pred
        self.axis = axis
        self._dtype_arg = dtype
        self.total_cm = self.add_variable(
            name="total_confusion_matrix", shape=(self.num_classes, self.num_classes)
        )

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:  # type: ignore[override]
        """Add this batch's (weighted) ``cm[true, pred]`` counts; ids outside ``[0, num_classes)``
        and ``ignore_class`` labels are skipped."""
        y_true = tapegrad.convert_to_tensor(y_true)
        y_pred = tapegrad.convert_to_tensor(y_pred)
        if not self.sparse_y_true:
            y_true = tapegrad.argmax(y_true, axis=self.axis)
        if not self.sparse_y_pred:
            y_pred = tapegrad.argmax(y_pred, axis=self.axis)
        y_true = tapegrad.reshape(tapegrad.cast(y_true, tapegrad.int64), (-1,))
        y_pred = tapegrad.reshape(tapegrad.cast(y_pred, tapegrad.int64), (-1,))
        weight = tapegrad.convert_to_tensor(1 if sample_weight is None else sample_weight)
        # Weights take the matrix's dtype first (an int64 matrix truncates them, as TF does).
        weight = tapegrad.cast(tapegrad.cast(weight, self.dtype), tapegrad.float64)
        if len(weight.shape) > 1:
            weight = tapegrad.reshape(weight, (-1,))
        weight = tapegrad.broadcast_to(weight, tuple(y_true.shape))
        n = self.num_classes
        valid = tapegrad.logical_and(
            tapegrad.logical_and(y_true >= 0, y_true < n), tapegrad.logical_and(y_pred >= 0, y_pred < n)
        )
        if self.ignore_class is not None:
            valid = tapegrad.logical_and(valid, tapegrad.not_equal(y_true, self.ignore_class))
        weight = tapegrad.where(valid, weight, tapegrad.zeros_like(weight))
        true_hot = tapegrad.one_hot(y_true, n, dtype=tapegrad.float64) * tapegrad.expand_dims(weight, -1)
        pred_hot = tapegrad.one_hot(y_pred, n, dtype=tapegrad.float64)
        matrix = tapegrad.matmul(true_hot, pred_hot, transpose_a=True)
        self.total_cm.assign_add(tapegrad.cast(matrix, self.dtype))


class IoU(_IoUBase):
    """The mean IoU over ``target_class_ids`` (classes that never occurred are left out)."""

    def __init__(
        self,
        num_classes: int,
        target_class_ids: Sequence[int],
        name: str | None = None,
        dtype: Any = None,
        ignore_class: int | None = None,
        sparse_y_true: bool = True,
        sparse_y_pred: bool = True,
        axis: int = -1,
    ) -> None:
        super().__init__(
            num_classes,
            name=name,
            dtype=dtype,
            ignore_class=ignore_class,
            sparse_y_true=sparse_y_true,
            sparse_y_pred=sparse_y_pred,
            axis=axis,
        )
        if max(target_class_ids) >= num_classes:
            raise ValueError(
                f"Target class id {max(target_class_ids)} is out of range, which is [0, {num_classes})."
            )
        self.target_class_ids = list(target_class_ids)

    def result(self) -> Any:
        """``mean(tp / (row + col - tp))`` over the target classes with a non-zero denominator."""
        cm = tapegrad.cast(self.total_cm, tapegrad.float32)
        true_positives = tapegrad.reduce_sum(cm * tapegrad.eye(self.num_classes), axis=0)  # the diagonal
        denominator = tapegrad.reduce_sum(cm, axis=0) + tapegrad.reduce_sum(cm, axis=1) - true_positives
        ids = tapegrad.constant(self.target_class_ids, dtype=tapegrad.int32)
        true_positives = tapegrad.gather(true_positives, ids)
        denominator = tapegrad.gather(denominator, ids)
        valid = denominator > 1e-9
        ratio = true_positives / (denominator + _EPSILON)
        iou = tapegrad.where(valid, ratio, tapegrad.zeros_like(ratio))
        num_valid = tapegrad.reduce_sum(tapegrad.cast(valid, tapegrad.float32))
        return tapegrad.reduce_sum(iou) / (num_valid + _EPSILON)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "num_classes": self.num_classes,
            "target_class_ids": self.target_class_ids,
            "ignore_class": self.ignore_class,
            "sparse_y_true": self.sparse_y_true,
            "sparse_y_pred": self.sparse_y_pred,
            "axis": self.axis,
        }


class BinaryIoU(IoU):
    """IoU of two classes, predictions ``>= threshold`` being class 1."""

    def __init__(
        self,
        target_class_ids: Sequence[int] = (0, 1),
        threshold: float = 0.5,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(num_classes=2, target_class_ids=target_class_ids, name=name, dtype=dtype)
        self.threshold = threshold

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:  # type: ignore[override]
        """Threshold ``y_pred`` to 0/1, then accumulate."""
        y_pred = tapegrad.cast(tapegrad.convert_to_tensor(y_pred), tapegrad.float32)
        super().update_state(y_true, tapegrad.cast(y_pred >= self.threshold, tapegrad.int64), sample_weight)

    def get_config(self) -> dict[str, Any]:
        return {
            "target_class_ids": self.target_class_ids,
            "threshold": self.threshold,
            "name": self.name,
            "dtype": self._dtype_arg,
        }


class MeanIoU(IoU):
    """The IoU averaged over every class."""

    def __init__(
        self,
        num_classes: int,
        name: str | None = None,
        dtype: Any = None,
        ignore_class: int | None = None,
        sparse_y_true: bool = True,
        sparse_y_pred: bool = True,
        axis: int = -1,
    ) -> None:
        super().__init__(
            num_classes,
            list(range(num_classes)),
            name=name,
            dtype=dtype,
            ignore_class=ignore_class,
            sparse_y_true=sparse_y_true,
            sparse_y_pred=sparse_y_pred,
            axis=axis,
        )

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        del config["target_class_ids"]
        return config


class OneHotIoU(IoU):
    """``IoU`` for one-hot labels (and score-vector predictions, unless ``sparse_y_pred``)."""

    def __init__(
        self,
        num_classes: int,
        target_class_ids: Sequence[int],
        name: str | None = None,
        dtype: Any = None,
        ignore_class: int | None = None,
        sparse_y_pred: bool = False,
        axis: int = -1,
    ) -> None:
        super().__init__(
            num_classes,
            target_class_ids,
            name=name,
            dtype=dtype,
            ignore_class=ignore_class,
            sparse_y_true=False,
            sparse_y_pred=sparse_y_pred,
            axis=axis,
        )

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        del config["sparse_y_true"]
        return config


class OneHotMeanIoU(MeanIoU):
    """``MeanIoU`` for one-hot labels (and score-vector predictions, unless ``sparse_y_pred``)."""

    def __init__(
        self,
        num_classes: int,
        name: str | None = None,
        dtype: Any = None,
        ignore_class: int | None = None,
        sparse_y_pred: bool = False,
        axis: int = -1,
    ) -> None:
        super().__init__(
            num_classes,
            name=name,
            dtype=dtype,
            ignore_class=ignore_class,
            sparse_y_true=False,
            sparse_y_pred=sparse_y_pred,
            axis=axis,
        )

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        del config["sparse_y_true"]
        return config

"""``keras.callbacks``: hooks into ``fit``/``evaluate``/``predict``.

``Callback`` is the base class (every hook a no-op); ``CallbackList`` calls a
list of them; ``History`` (added by ``fit``, returned by it) and
``ProgbarLogger`` (added for ``verbose`` > 0) are the built-ins every fit has.
The others: ``EarlyStopping``, ``LearningRateScheduler``, ``ReduceLROnPlateau``,
``ModelCheckpoint`` (weights only), ``LambdaCallback``, ``CSVLogger``,
``TerminateOnNaN``. Logs hold Python floats, as in Keras 3.
"""

from __future__ import annotations

import csv
import math
import os
import warnings
from collections.abc import Iterable
from typing import Any, Callable

import numpy as np

from .utils.progbar import Progbar

__all__ = [
    "CSVLogger",
    "Callback",
    "CallbackList",
    "EarlyStopping",
    "History",
    "LambdaCallback",
    "LearningRateScheduler",
    "ModelCheckpoint",
    "ProgbarLogger",
    "ReduceLROnPlateau",
    "TensorBoard",
    "TerminateOnNaN",
]


class Callback:
    """Base class of callbacks: override the ``on_*`` hooks you need.

    ``self.model`` is the model being trained and ``self.params`` holds
    ``verbose``, ``epochs`` and ``steps``.
    """

    def __init__(self) -> None:
        self.params: dict[str, Any] = {}
        self._model: Any = None

    def set_params(self, params: dict[str, Any]) -> None:
        """Receive ``fit``'s parameters."""
        self.params = params

    def set_model(self, model: Any) -> None:
        """Receive the model."""
        self._model = model

    @property
    def model(self) -> Any:
        """The model the callback is attached to."""
        return self._model

    def on_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """Alias of ``on_train_batch_begin`` (tf.keras 2)."""

    def on_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """Alias of ``on_train_batch_end`` (tf.keras 2)."""

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        """Called at the start of each training epoch."""

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        """Called at the end of each epoch with its logs (``val_`` entries included)."""

    def on_train_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """Called before each training batch."""
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """Called after each training batch with the running metrics."""
        self.on_batch_end(batch, logs=logs)

    def on_test_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """Called before each evaluation batch."""

    def on_test_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """Called after each evaluation batch."""

    def on_predict_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """Called before each prediction batch."""

    def on_predict_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """Called after each prediction batch."""

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        """Called when ``fit`` starts."""

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        """Called when ``fit`` ends."""

    def on_test_begin(self, logs: dict[str, Any] | None = None) -> None:
        """Called when ``evaluate`` (or fit's validation) starts."""

    def on_test_end(self, logs: dict[str, Any] | None = None) -> None:
        """Called when ``evaluate`` ends."""

    def on_predict_begin(self, logs: dict[str, Any] | None = None) -> None:
        """Called when ``predict`` starts."""

    def on_predict_end(self, logs: dict[str, Any] | None = None) -> None:
        """Called when ``predict`` ends."""


class CallbackList:
    """Calls each hook on every callback in turn."""

    def __init__(
        self,
        callbacks: Iterable[Callback] | None = None,
        add_history: bool = False,
        add_progbar: bool = False,
        model: Any = None,
        **params: Any,
    ) -> None:
        self.callbacks = list(callbacks or [])
        for callback in self.callbacks:
            if not isinstance(callback, Callback):
                raise TypeError(
                    f"callbacks must be keras.callbacks.Callback instances, got {type(callback).__name__}"
                )
        if add_progbar and not any(isinstance(c, ProgbarLogger) for c in self.callbacks):
            self.callbacks.insert(0, ProgbarLogger())
        self.history: History | None = None
        if add_history:
            found = [c for c in self.callbacks if isinstance(c, History)]
            self.history = found[0] if found else History()
            if not found:
                self.callbacks.append(self.history)
        self.set_model(model)
        self.set_params(params)

    def set_model(self, model: Any) -> None:
        """Give every callback the model."""
        for callback in self.callbacks:
            callback.set_model(model)

    def set_params(self, params: dict[str, Any]) -> None:
        """Give every callback ``fit``'s parameters."""
        for callback in self.callbacks:
            callback.set_params(params)

    def _call(self, hook: str, *args: Any) -> None:
        """Call ``hook`` on every callback (each hook's ``logs`` is a dict, never None, as in Keras)."""
        for callback in self.callbacks:
            getattr(callback, hook)(*args)

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self._call("on_train_begin", _as_dict(logs))

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        self._call("on_train_end", _as_dict(logs))

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._call("on_epoch_begin", epoch, _as_dict(logs))

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._call("on_epoch_end", epoch, _as_dict(logs))

    def on_train_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self._call("on_train_batch_begin", batch, _as_dict(logs))

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self._call("on_train_batch_end", batch, _as_dict(logs))

    def on_test_begin(self, logs: dict[str, Any] | None = None) -> None:
        self._call("on_test_begin", _as_dict(logs))

    def on_test_end(self, logs: dict[str, Any] | None = None) -> None:
        self._call("on_test_end", _as_dict(logs))

    def on_test_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self._call("on_test_batch_begin", batch, _as_dict(logs))

    def on_test_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self._call("on_test_batch_end", batch, _as_dict(logs))

    def on_predict_begin(self, logs: dict[str, Any] | None = None) -> None:
        self._call("on_predict_begin", _as_dict(logs))

    def on_predict_end(self, logs: dict[str, Any] | None = None) -> None:
        self._call("on_predict_end", _as_dict(logs))

    def on_predict_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self._call("on_predict_batch_begin", batch, _as_dict(logs))

    def on_predict_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self._call("on_predict_batch_end", batch, _as_dict(logs))


def _as_dict(logs: dict[str, Any] | None) -> dict[str, Any]:
    """``logs``, or an empty dict for None: Keras hands callbacks a dict they may read keys from."""
    return {} if logs is None else logs


class History(Callback):
    """Records each epoch's logs: ``history.history["loss"]`` is the list of epoch losses."""

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list[Any]] = {}
        self.epoch: list[int] = []

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self.epoch = []

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)
        if self.model is not None:
            self.model.history = self


class ProgbarLogger(Callback):
    """Prints ``Epoch i/n`` and a progress bar (``verbose=1``) or one line per epoch (``verbose=2``)."""

    def __init__(self, count_mode: str | None = None) -> None:
        super().__init__()
        self.verbose = 1
        self.epochs = 1
        self.target: int | None = None
        self.progbar: Progbar | None = None
        self.seen = 0
        self._mode = "train"

    def set_params(self, params: dict[str, Any]) -> None:
        super().set_params(params)
        verbose = params.get("verbose", 1)
        self.verbose = 1 if verbose == "auto" else int(verbose or 0)
        self.epochs = int(params.get("epochs", 1) or 1)
        self.target = params.get("steps")

    def _reset(self, target: int | None) -> None:
        self.seen = 0
        self.progbar = Progbar(target=target, verbose=self.verbose, unit_name="step")

    def _update(self, batch: int, logs: dict[str, Any] | None, finalize: bool = False) -> None:
        if self.progbar is None:
            return
        self.seen = batch + 1
        values = [(k, v) for k, v in (logs or {}).items() if _is_number(v)]
        self.progbar.update(self.seen, values, finalize=finalize or None)

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self._mode = "train"

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._mode = "train"
        self._reset(self.target)
        if self.verbose and self.epochs > 1:
            print(f"Epoch {epoch + 1}/{self.epochs}", flush=True)

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        if self.target is None or batch + 1 < self.target:
            self._update(batch, logs)
        else:
            self._last_logs = logs

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if self.progbar is None or not self.verbose:
            return
        if self.target is None:
            self.progbar.target = self.seen or 1
        self.progbar.update(
            self.progbar.target or self.seen,
            [(k, v) for k, v in (logs or {}).items() if _is_number(v)],
            finalize=True,
        )
        self.progbar = None

    def on_test_begin(self, logs: dict[str, Any] | None = None) -> None:
        if self._mode != "train" or self.progbar is None:
            self._mode = "test"
            self._reset(self.params.get("steps"))

    def on_test_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        if self._mode == "test":
            self._update(batch, logs)

    def on_test_end(self, logs: dict[str, Any] | None = None) -> None:
        if self._mode == "test" and self.progbar is not None:
            self.progbar.target = self.seen or 1
            self.progbar.update(
                self.progbar.target, [(k, v) for k, v in (logs or {}).items() if _is_number(v)], finalize=True
            )
            self.progbar = None

    def on_predict_begin(self, logs: dict[str, Any] | None = None) -> None:
        self._mode = "predict"
        self._reset(self.params.get("steps"))

    def on_predict_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self._update(batch, None)

    def on_predict_end(self, logs: dict[str, Any] | None = None) -> None:
        if self.progbar is not None:
            self.progbar.target = self.seen or 1
            self.progbar.update(self.progbar.target, None, finalize=True)
            self.progbar = None


def _is_number(value: Any) -> bool:
    try:
        float(np.asarray(value))
    except (TypeError, ValueError):
        return False
    return np.asarray(value).size == 1


def _monitor_op(mode: str, monitor: str) -> tuple[Callable[[float, float], bool], bool]:
    """``(better(a, b), higher_is_better)`` for ``mode`` ("auto" decides from the monitored name)."""
    if mode not in ("auto", "min", "max"):
        warnings.warn(f"Unknown mode {mode!r}; using 'auto'.", stacklevel=3)
        mode = "auto"
    if mode == "auto":
        name = monitor.removeprefix("val_")
        higher = name.endswith(("acc", "accuracy", "auc", "precision", "recall")) or name in (
            "fmeasure",
            "f1_score",
        )
        mode = "max" if higher else "min"
    if mode == "max":
        return (lambda a, b: a > b), True
    return (lambda a, b: a < b), False


def _get_lr(model: Any) -> float:
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None or not hasattr(optimizer, "learning_rate"):
        raise ValueError('The optimizer must have a "learning_rate" attribute.')
    return float(np.asarray(optimizer.learning_rate))


def _set_lr(model: Any, value: float) -> None:
    optimizer = model.optimizer
    current = optimizer.learning_rate
    if hasattr(current, "assign"):
        current.assign(value)
    else:
        optimizer.learning_rate = value


class EarlyStopping(Callback):
    """Stop training when ``monitor`` has stopped improving for ``patience`` epochs."""

    def __init__(
        self,
        monitor: str = "val_loss",
        min_delta: float = 0.0,
        patience: int = 0,
        verbose: int = 0,
        mode: str = "auto",
        baseline: float | None = None,
        restore_best_weights: bool = False,
        start_from_epoch: int = 0,
    ) -> None:
        super().__init__()
        self.monitor = monitor
        self.patience = int(patience)
        self.verbose = verbose
        self.baseline = baseline
        self.min_delta = abs(float(min_delta))
        self.restore_best_weights = restore_best_weights
        self.start_from_epoch = int(start_from_epoch)
        self.mode = mode
        self.monitor_op, higher = _monitor_op(mode, monitor)
        if not higher:
            self.min_delta *= -1
        self.wait = 0
        self.stopped_epoch = 0
        self.best: float | None = None
        self.best_weights: list[Any] | None = None
        self.best_epoch = 0

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_weights = None
        self.best_epoch = 0

    def _improved(self, value: float, reference: float | None) -> bool:
        if reference is None:
            return True
        return self.monitor_op(value - self.min_delta, reference)

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        value = (logs or {}).get(self.monitor)
        if value is None:
            warnings.warn(
                f"Early stopping conditioned on metric `{self.monitor}` which is not available. "
                f"Available metrics are: {','.join(logs or {})}",
                stacklevel=2,
            )
            return
        if epoch < self.start_from_epoch:
            return
        value = float(value)
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.get_weights()
        self.wait += 1
        if self._improved(value, self.best):
            self.best = value
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._improved(value, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None and self.stopped_epoch > 0:
            if self.verbose > 0:
                print(f"Restoring model weights from the end of the best epoch: {self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)


class LearningRateScheduler(Callback):
    """Set the learning rate to ``schedule(epoch, lr)`` at the start of each epoch."""

    def __init__(self, schedule: Callable[..., Any], verbose: int = 0) -> None:
        super().__init__()
        self.schedule = schedule
        self.verbose = verbose

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        lr = _get_lr(self.model)
        try:
            value = self.schedule(epoch, lr)
        except TypeError:  # schedule(epoch) only (old API)
            value = self.schedule(epoch)
        value = float(np.asarray(value))
        if not isinstance(value, float) or math.isnan(value):
            raise ValueError(f'The output of the "schedule" function should be a float. Got: {value}')
        _set_lr(self.model, value)
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {value}.")

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if logs is not None:
            logs["learning_rate"] = _get_lr(self.model)


class ReduceLROnPlateau(Callback):
    """Multiply the learning rate by ``factor`` when ``monitor`` has not improved for ``patience`` epochs."""

    def __init__(
        self,
        monitor: str = "val_loss",
        factor: float = 0.1,
        patience: int = 10,
        verbose: int = 0,
        mode: str = "auto",
        min_delta: float = 1e-4,
        cooldown: int = 0,
        min_lr: float = 0.0,
        **kwargs: Any,
    ) -> None:
        super().__init__()
        if factor >= 1.0:
            raise ValueError(f"ReduceLROnPlateau does not support a factor >= 1.0. Received factor={factor}")
        self.monitor = monitor
        self.factor = float(factor)
        self.min_lr = float(min_lr)
        self.min_delta = float(kwargs.pop("epsilon", min_delta))
        self.patience = int(patience)
        self.verbose = verbose
        self.cooldown = int(cooldown)
        self.mode = mode
        self._reset()

    def _reset(self) -> None:
        better, higher = _monitor_op(self.mode, self.monitor)
        delta = self.min_delta
        if higher:
            self.monitor_op = lambda a, b: a > b + delta
            self.best = -np.inf
        else:
            self.monitor_op = lambda a, b: a < b - delta
            self.best = np.inf
        self.cooldown_counter = 0
        self.wait = 0

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self._reset()

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        logs = logs if logs is not None else {}
        logs["learning_rate"] = _get_lr(self.model)
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(
                f"Learning rate reduction is conditioned on metric `{self.monitor}` which is not available. "
                f"Available metrics are: {','.join(logs)}.",
                stacklevel=2,
            )
            return
        current = float(current)
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if self.monitor_op(current, self.best):
            self.best = current
            self.wait = 0
        elif self.cooldown_counter <= 0:
            self.wait += 1
            if self.wait >= self.patience:
                old = _get_lr(self.model)
                if old > np.float32(self.min_lr):
                    new = max(old * self.factor, self.min_lr)
                    _set_lr(self.model, new)
                    if self.verbose > 0:
                        print(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {new}.")
                    self.cooldown_counter = self.cooldown
                    self.wait = 0


class ModelCheckpoint(Callback):
    """Save the model's weights after each epoch (or only when ``monitor`` improves).

    ``filepath`` may hold ``{epoch}`` and log names (``"ckpt_{epoch:02d}_{val_loss:.2f}.weights.h5"``);
    it must end in ``.weights.h5`` or ``.npz`` (weights only: tapegrad does not save whole models).
    """

    def __init__(
        self,
        filepath: str,
        monitor: str = "val_loss",
        verbose: int = 0,
        save_best_only: bool = False,
        save_weights_only: bool = False,
        mode: str = "auto",
        save_freq: Any = "epoch",
        initial_value_threshold: float | None = None,
    ) -> None:
        super().__init__()
        self.filepath = os.fspath(filepath)
        if not self.filepath.endswith((".weights.h5", ".npz", ".h5")):
            raise ValueError(
                "ModelCheckpoint saves weights only: `filepath` must end in `.weights.h5` (or `.npz`). "
                f"Received: filepath={self.filepath}"
            )
        if save_freq != "epoch":
            raise ValueError("ModelCheckpoint: only save_freq='epoch' is supported")
        self.monitor = monitor
        self.verbose = verbose
        self.save_best_only = save_best_only
        self.save_weights_only = True
        self.monitor_op, _ = _monitor_op(mode, monitor)
        self.best = initial_value_threshold

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        logs = logs or {}
        path = self.filepath.format(epoch=epoch + 1, **logs)
        if self.save_best_only:
            current = logs.get(self.monitor)
            if current is None:
                warnings.warn(
                    f"Can save best model only with {self.monitor} available, skipping.", stacklevel=2
                )
                return
            current = float(current)
            if self.best is not None and not self.monitor_op(current, self.best):
                if self.verbose > 0:
                    print(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {self.best:.5f}")
                return
            if self.verbose > 0:
                previous = "inf" if self.best is None else f"{self.best:.5f}"
                print(
                    f"\nEpoch {epoch + 1}: {self.monitor} improved from {previous} to {current:.5f}, "
                    f"saving model to {path}"
                )
            self.best = current
        elif self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: saving model to {path}")
        directory = os.path.dirname(path)
        if directory:
            os.makedirs(directory, exist_ok=True)
        self.model.save_weights(path)


class LambdaCallback(Callback):
    """A callback made of functions: ``LambdaCallback(on_epoch_end=lambda epoch, logs: ...)``."""

    def __init__(
        self,
        on_epoch_begin: Callable[..., Any] | None = None,
        on_epoch_end: Callable[..., Any] | None = None,
        on_train_begin: Callable[..., Any] | None = None,
        on_train_end: Callable[..., Any] | None = None,
        on_train_batch_begin: Callable[..., Any] | None = None,
        on_train_batch_end: Callable[..., Any] | None = None,
        **kwargs: Callable[..., Any],
    ) -> None:
        super().__init__()
        hooks = {
            "on_epoch_begin": on_epoch_begin,
            "on_epoch_end": on_epoch_end,
            "on_train_begin": on_train_begin,
            "on_train_end": on_train_end,
            "on_train_batch_begin": on_train_batch_begin or kwargs.pop("on_batch_begin", None),
            "on_train_batch_end": on_train_batch_end or kwargs.pop("on_batch_end", None),
            **kwargs,
        }
        for name, fn in hooks.items():
            if fn is None:
                continue
            if not hasattr(Callback, name):
                raise ValueError(f"LambdaCallback: unknown hook {name!r}")
            setattr(self, name, fn)


class CSVLogger(Callback):
    """Append each epoch's logs to a CSV file: an ``epoch`` column, then the log names sorted."""

    def __init__(self, filename: str, separator: str = ",", append: bool = False) -> None:
        super().__init__()
        self.filename = os.fspath(filename)
        self.sep = separator
        self.append = append
        self.keys: list[str] | None = None
        self._file: Any = None
        self._writer: Any = None

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        exists = self.append and os.path.exists(self.filename) and os.path.getsize(self.filename) > 0
        self._file = open(self.filename, "a" if self.append else "w", newline="")  # noqa: SIM115
        self._has_header = exists
        self.keys = None
        self._writer = None

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
        if self._writer is None:
            self._writer = csv.DictWriter(self._file, fieldnames=["epoch", *self.keys], delimiter=self.sep)
            if not self._has_header:
                self._writer.writeheader()
        row = {"epoch": epoch, **{k: logs.get(k, "NA") for k in self.keys}}
        self._writer.writerow(row)
        self._file.flush()

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
            self._writer = None


class TerminateOnNaN(Callback):
    """Stop training as soon as a batch's loss is NaN or infinite."""

    def on_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(float(loss)):
            print(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True


class TensorBoard(Callback):
    """Accepted so that scripts using it run, but writes no event files: tapegrad has no
    ``tf.summary``. A warning says so once; log epochs with ``CSVLogger`` instead."""

    _warned = False

    def __init__(self, log_dir: str = "logs", **kwargs: Any) -> None:
        super().__init__()
        self.log_dir = os.fspath(log_dir)
        if not TensorBoard._warned:
            warnings.warn(
                "keras.callbacks.TensorBoard writes nothing in tapegrad (there is no tf.summary); "
                "use keras.callbacks.CSVLogger to keep the epoch logs.",
                stacklevel=2,
            )
            TensorBoard._warned = True

"""Training methods of ``keras.Model``: ``compile``, ``fit``, ``evaluate``, ``predict`` and the
``*_on_batch`` variants, with Keras 3's semantics.

One training step (``train_step``, which subclasses may override as in the
keras.io guide "Customizing what happens in fit") runs the model with
``training=True`` under a ``GradientTape``, computes ``compute_loss`` (the
compiled loss plus ``model.losses``), applies the gradients with the optimizer,
projects constrained weights, and updates the metrics. The logged ``loss`` is
the running mean of the batch losses weighted by batch size; every metric is
reset at the start of each epoch and of each ``evaluate``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

import tapegrad

from .. import _nest
from . import constraints as constraints_module
from . import metrics as metrics_module
from . import optimizers as optimizers_module
from .callbacks import CallbackList, History
from .compile_utils import CompileLoss, CompileMetrics, total_regularization
from .data_adapter import DataHandler, split_validation, unpack_x_y_sample_weight

__all__ = ["TrainingMixin"]


def _pythonify(logs: Mapping[str, Any]) -> dict[str, Any]:
    """Logs as Python floats, nested dicts (``compile_metrics``) flattened, as Keras 3 reports them."""
    out: dict[str, Any] = {}
    for key, value in logs.items():
        if isinstance(value, Mapping):
            out.update(_pythonify(value))
            continue
        try:
            array = np.asarray(value.numpy() if hasattr(value, "numpy") else value)
            out[key] = float(array) if array.size == 1 else array
        except (TypeError, ValueError):
            out[key] = value
    return out


def _batch_size_of(x: Any) -> int:
    leaves = _nest.flatten(x) if _nest.is_nested(x) else [x]
    for leaf in leaves:
        shape = getattr(leaf, "shape", None)
        if shape is not None and len(shape):
            return int(shape[0])
    return 1


def _concat_batches(batches: list[Any]) -> Any:
    if not batches:
        return None
    first = batches[0]
    flat = [(_nest.flatten(b) if _nest.is_nested(b) else [b]) for b in batches]
    joined = [
        np.concatenate([np.asarray(step[i].numpy()) for step in flat], axis=0) for i in range(len(flat[0]))
    ]
    return _nest.pack_sequence_as(first, joined) if _nest.is_nested(first) else joined[0]


class TrainingMixin:
    """``compile``/``fit``/``evaluate``/``predict``, mixed into ``Model``."""

    # Set by _init_training (and by Layer/Model, which this is mixed into).
    optimizer: Any
    stop_training: bool
    history: Any
    _is_compiled: bool
    _compile_loss: Any
    _compile_metrics: Any
    _loss_tracker: Any
    losses: Any
    trainable_variables: Any
    name: str

    if TYPE_CHECKING:  # Layer.__call__, which Model inherits after this mixin

        def __call__(self, *args: Any, **kwargs: Any) -> Any: ...

    # ------------------------------------------------------------------ state
    def _init_training(self) -> None:
        object.__setattr__(self, "_is_compiled", False)
        object.__setattr__(self, "optimizer", None)
        object.__setattr__(self, "_compile_loss", None)
        object.__setattr__(self, "_compile_metrics", None)
        object.__setattr__(self, "_loss_tracker", None)
        object.__setattr__(self, "stop_training", False)
        object.__setattr__(self, "history", None)

    def compile(
        self,
        optimizer: Any = "rmsprop",
        loss: Any = None,
        loss_weights: Any = None,
        metrics: Any = None,
        weighted_metrics: Any = None,
        run_eagerly: bool | None = None,
        steps_per_execution: int = 1,
        jit_compile: Any = "auto",
        auto_scale_loss: bool = True,
        **kwargs: Any,
    ) -> None:
        """Choose the optimizer, loss(es), loss weights and metrics that ``fit`` and ``evaluate`` use.

        Each may be a name (``"adam"``, ``"mse"``, ``"accuracy"``) or an object; for several
        outputs, ``loss``/``metrics``/``loss_weights`` may be lists in output order or dicts
        keyed by output name.
        """
        for unknown in set(kwargs) - {
            "sample_weight_mode",
            "target_tensors",
            "distribute",
            "pss_evaluation_shards",
        }:
            raise TypeError(f"compile() got an unexpected keyword argument '{unknown}'")
        try:
            resolved = optimizers_module.get(optimizer)
        except ValueError:
            raise ValueError(
                f"Could not interpret optimizer identifier: {optimizer!r}. Pass an optimizer object "
                "(keras.optimizers.Adam(1e-3)) or a known name such as 'sgd', 'adam', 'rmsprop' or 'adagrad'."
            ) from None
        names = self._output_names()
        object.__setattr__(self, "optimizer", resolved)
        compile_loss = CompileLoss(loss, loss_weights, names) if loss is not None else None
        object.__setattr__(self, "_compile_loss", compile_loss)
        losses = compile_loss.losses if compile_loss is not None else []
        compile_metrics = (
            CompileMetrics(metrics, weighted_metrics, names, losses)
            if metrics is not None or weighted_metrics is not None
            else None
        )
        object.__setattr__(self, "_compile_metrics", compile_metrics)
        object.__setattr__(self, "_loss_tracker", metrics_module.Mean(name="loss"))
        object.__setattr__(self, "_is_compiled", True)
        object.__setattr__(
            self, "_compile_config", {"loss": loss, "metrics": metrics, "loss_weights": loss_weights}
        )

    def _output_names(self) -> list[str]:
        structure = self.__dict__.get("_output_structure")
        if isinstance(structure, Mapping):
            return sorted(structure)
        outputs = self.__dict__.get("_graph_outputs") or []
        if len(outputs) <= 1:
            return [outputs[0]._keras_history[0].name if outputs and outputs[0]._keras_history else "output"]
        names: list[str] = []
        for tensor in outputs:
            name = tensor._keras_history[0].name if tensor._keras_history else "output"
            names.append(name if name not in names else f"{name}_{len(names)}")
        return names

    @property
    def compiled_loss(self) -> Any:
        """The compiled loss: ``compiled_loss(y, y_pred, sample_weight, regularization_losses=None)``
        (tf.keras 2's spelling; ``compute_loss`` is Keras 3's)."""
        compile_loss = self._compile_loss

        def call(
            y_true: Any, y_pred: Any, sample_weight: Any = None, regularization_losses: Any = None
        ) -> Any:
            total = compile_loss(y_true, y_pred, sample_weight) if compile_loss is not None else None
            extra = total_regularization(list(regularization_losses or []))
            if extra is not None:
                total = extra if total is None else total + extra
            return total

        return call

    @property
    def compiled_metrics(self) -> Any:
        """The compiled metrics (``update_state(y, y_pred, sample_weight)``; tf.keras 2's spelling)."""
        return self._compile_metrics

    @property
    def metrics(self) -> list[Any]:
        """The metrics ``fit`` reports: the loss tracker, the compiled metrics, and any ``Metric``
        assigned as an attribute of the model."""
        out: list[Any] = []
        if self._loss_tracker is not None:
            out.append(self._loss_tracker)
        if self._compile_loss is not None:
            out.extend(self._compile_loss.trackers)
        if self._compile_metrics is not None:
            out.append(self._compile_metrics)
        for value in self.__dict__.values():
            if isinstance(value, metrics_module.Metric) and all(value is not m for m in out):
                out.append(value)
        return out

    @property
    def metrics_names(self) -> list[str]:
        """The names of :attr:`metrics`."""
        return [m.name for m in self.metrics]

    def reset_metrics(self) -> None:
        """Reset the state of every metric in :attr:`metrics`."""
        for metric in self.metrics:
            metric.reset_state()

    # ------------------------------------------------------------------- steps
    def compute_loss(
        self,
        x: Any = None,
        y: Any = None,
        y_pred: Any = None,
        sample_weight: Any = None,
        training: bool = True,
    ) -> Any:
        """The compiled loss of ``(y, y_pred)`` plus the sum of ``model.losses``."""
        total = None
        if self._compile_loss is not None and y is not None:
            total = self._compile_loss(y, y_pred, sample_weight)
        extra = total_regularization(self.losses)
        if extra is not None:
            total = extra if total is None else total + tapegrad.cast(extra, total.dtype)
        if total is None:
            return tapegrad.constant(0.0)
        return total

    def compute_metrics(self, x: Any, y: Any, y_pred: Any, sample_weight: Any = None) -> dict[str, Any]:
        """Update the compiled metrics with this batch and return every metric's result."""
        if self._compile_metrics is not None and y is not None:
            self._compile_metrics.update_state(y, y_pred, sample_weight)
        return self.get_metrics_result()

    def get_metrics_result(self) -> dict[str, Any]:
        """``{name: result}`` of :attr:`metrics` (compiled metrics flattened into it)."""
        out: dict[str, Any] = {}
        for metric in self.metrics:
            value = metric.result()
            if isinstance(value, Mapping):
                out.update(value)
            else:
                out[metric.name] = value
        return out

    def train_step(self, data: Any) -> dict[str, Any]:
        """One optimization step on a batch ``(x, y, sample_weight)``; returns the metric results."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        with tapegrad.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight, training=True)
        if self._loss_tracker is not None:
            self._loss_tracker.update_state(loss, sample_weight=_batch_size_of(x))
        variables = self.trainable_variables
        if variables:
            gradients = tape.gradient(loss, variables)
            pairs = [(g, v) for g, v in zip(gradients, variables) if g is not None]
            if pairs:
                self.optimizer.apply_gradients(pairs)
            constraints_module.apply_constraints(variables)
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def test_step(self, data: Any) -> dict[str, Any]:
        """Loss and metrics on a batch, without training."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        y_pred = self(x, training=False)
        loss = self.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight, training=False)
        if self._loss_tracker is not None:
            self._loss_tracker.update_state(loss, sample_weight=_batch_size_of(x))
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def predict_step(self, data: Any) -> Any:
        """The model's outputs on a batch."""
        x, _, _ = unpack_x_y_sample_weight(data)
        return self(x, training=False)

    # ------------------------------------------------------------------ checks
    def _assert_compiled(self, method: str) -> None:
        if not self._is_compiled:
            raise ValueError(
                "You must call `compile()` before using the model: "
                f"`{method}` needs an optimizer and a loss, "
                "e.g. model.compile(optimizer='adam', loss='mse')."
            )
        if method == "fit" and self.optimizer is None:
            raise ValueError("fit needs an optimizer: pass one to compile().")

    def _assert_has_loss(self, method: str) -> None:
        overridden = (
            type(self).train_step is not TrainingMixin.train_step
            if method == "fit"
            else (type(self).test_step is not TrainingMixin.test_step)
        )
        if self._compile_loss is None and not overridden and not self.losses:
            raise ValueError(
                f"No loss to compute for `{method}`: pass `loss` to compile() (e.g. loss='mse'), "
                "add losses with "
                "add_loss(), or override train_step/test_step."
            )

    # --------------------------------------------------------------------- fit
    def fit(
        self,
        x: Any = None,
        y: Any = None,
        batch_size: int | None = None,
        epochs: int = 1,
        verbose: Any = "auto",
        callbacks: list[Any] | None = None,
        validation_split: float = 0.0,
        validation_data: Any = None,
        shuffle: bool = True,
        class_weight: Mapping[int, float] | None = None,
        sample_weight: Any = None,
        initial_epoch: int = 0,
        steps_per_epoch: int | None = None,
        validation_steps: int | None = None,
        validation_batch_size: int | None = None,
        validation_freq: int = 1,
    ) -> History:
        """Train for ``epochs`` epochs; returns the ``History`` (``history.history["loss"]`` ...).

        ``x``/``y`` are arrays or tensors (lists or dicts for several inputs/outputs), or
        ``x`` is a dataset/iterable of ``(x, y[, sample_weight])`` batches.
        """
        self._assert_compiled("fit")
        self._assert_has_loss("fit")
        if validation_split and validation_data is None:
            (x, y, sample_weight), validation_data = split_validation(x, y, sample_weight, validation_split)
        handler = DataHandler(
            x,
            y,
            sample_weight,
            batch_size=batch_size,
            steps_per_epoch=steps_per_epoch,
            shuffle=shuffle,
            class_weight=class_weight,
        )
        val_handler = None
        if validation_data is not None:
            if (
                isinstance(validation_data, tuple)
                and len(validation_data) in (2, 3)
                and not _is_batch_iterable(validation_data)
            ):
                vx, vy, vw = unpack_x_y_sample_weight(validation_data)
                val_handler = DataHandler(
                    vx,
                    vy,
                    vw,
                    batch_size=validation_batch_size or batch_size,
                    steps_per_epoch=validation_steps,
                )
            else:
                val_handler = DataHandler(
                    validation_data,
                    batch_size=validation_batch_size or batch_size,
                    steps_per_epoch=validation_steps,
                )
        verbose = 1 if verbose == "auto" else int(verbose)
        callback_list = CallbackList(
            callbacks,
            add_history=True,
            add_progbar=verbose != 0,
            model=self,
            verbose=verbose,
            epochs=epochs,
            steps=handler.steps,
        )
        object.__setattr__(self, "stop_training", False)
        callback_list.on_train_begin()
        epoch_logs: dict[str, Any] = {}
        logs: dict[str, Any] = {}
        for epoch in range(int(initial_epoch), int(epochs)):
            self.reset_metrics()
            callback_list.on_epoch_begin(epoch)
            step = -1
            for step, batch in enumerate(handler.epoch()):
                callback_list.on_train_batch_begin(step)
                logs = _pythonify(self.train_step(batch))
                callback_list.on_train_batch_end(step, logs)
                if self.stop_training:
                    break
            if step < 0:
                raise ValueError(
                    "fit received no data for an epoch: the dataset is empty or exhausted "
                    "(a generator can be "
                    "read once: pass steps_per_epoch, or a re-iterable dataset)."
                )
            epoch_logs = dict(logs)
            if val_handler is not None and (epoch + 1) % int(validation_freq) == 0:
                val_logs = self.evaluate(val_handler, verbose=0, return_dict=True, _callbacks=callback_list)
                epoch_logs.update({f"val_{k}": v for k, v in val_logs.items()})
            callback_list.on_epoch_end(epoch, epoch_logs)
            if self.stop_training:
                break
        callback_list.on_train_end(epoch_logs)
        history = callback_list.history
        object.__setattr__(self, "history", history)
        return history  # type: ignore[return-value]

    # ---------------------------------------------------------------- evaluate
    def evaluate(
        self,
        x: Any = None,
        y: Any = None,
        batch_size: int | None = None,
        verbose: Any = "auto",
        sample_weight: Any = None,
        steps: int | None = None,
        callbacks: list[Any] | None = None,
        return_dict: bool = False,
        **kwargs: Any,
    ) -> Any:
        """The loss and metrics over the data: a scalar (loss only), a list, or a dict with
        ``return_dict=True``."""
        self._assert_compiled("evaluate")
        outer = kwargs.pop("_callbacks", None)
        if kwargs:
            raise TypeError(f"evaluate() got unexpected keyword arguments {sorted(kwargs)}")
        handler = (
            x
            if isinstance(x, DataHandler)
            else DataHandler(x, y, sample_weight, batch_size=batch_size, steps_per_epoch=steps)
        )
        verbose = 1 if verbose == "auto" else int(verbose)
        callback_list = outer or CallbackList(
            callbacks, add_progbar=verbose != 0, model=self, verbose=verbose, epochs=1, steps=handler.steps
        )
        self.reset_metrics()
        callback_list.on_test_begin()
        logs: dict[str, Any] = {}
        for step, batch in enumerate(handler.epoch()):
            callback_list.on_test_batch_begin(step)
            logs = _pythonify(self.test_step(batch))
            callback_list.on_test_batch_end(step, logs)
        logs = _pythonify(self.get_metrics_result()) if not logs else logs
        callback_list.on_test_end(logs)
        if return_dict:
            return logs
        values = list(logs.values())
        return values[0] if len(values) == 1 else values

    # ----------------------------------------------------------------- predict
    def predict(
        self,
        x: Any,
        batch_size: int | None = None,
        verbose: Any = "auto",
        steps: int | None = None,
        callbacks: list[Any] | None = None,
    ) -> Any:
        """The model's outputs for ``x``, batch by batch, as NumPy arrays (same structure as the outputs)."""
        handler = DataHandler(x, batch_size=batch_size, steps_per_epoch=steps, for_predict=True)
        verbose = 1 if verbose == "auto" else int(verbose)
        callback_list = CallbackList(
            callbacks, add_progbar=verbose != 0, model=self, verbose=verbose, epochs=1, steps=handler.steps
        )
        callback_list.on_predict_begin()
        outputs = []
        for step, batch in enumerate(handler.epoch()):
            callback_list.on_predict_batch_begin(step)
            batch_out = self.predict_step(batch)
            outputs.append(batch_out)
            callback_list.on_predict_batch_end(step, {"outputs": batch_out})
        callback_list.on_predict_end()
        if not outputs:
            raise ValueError("predict received no data: the input is empty.")
        return _concat_batches(outputs)

    # ---------------------------------------------------------------- batches
    def train_on_batch(
        self,
        x: Any,
        y: Any = None,
        sample_weight: Any = None,
        class_weight: Mapping[int, float] | None = None,
        return_dict: bool = False,
    ) -> Any:
        """One ``train_step`` on exactly this batch; returns the (running) loss and metrics."""
        self._assert_compiled("train_on_batch")
        handler = DataHandler(
            x, y, sample_weight, batch_size=_batch_size_of_data(x), class_weight=class_weight
        )
        logs: dict[str, Any] = {}
        for batch in handler.epoch():
            logs = _pythonify(self.train_step(batch))
        return _format_logs(logs, return_dict)

    def test_on_batch(
        self, x: Any, y: Any = None, sample_weight: Any = None, return_dict: bool = False
    ) -> Any:
        """One ``test_step`` on exactly this batch."""
        self._assert_compiled("test_on_batch")
        self.reset_metrics()
        handler = DataHandler(x, y, sample_weight, batch_size=_batch_size_of_data(x))
        logs: dict[str, Any] = {}
        for batch in handler.epoch():
            logs = _pythonify(self.test_step(batch))
        return _format_logs(logs, return_dict)

    def predict_on_batch(self, x: Any) -> Any:
        """The model's outputs for this batch, as NumPy arrays."""
        handler = DataHandler(x, batch_size=_batch_size_of_data(x), for_predict=True)
        outputs = [self.predict_step(batch) for batch in handler.epoch()]
        return _concat_batches(outputs)

    # -------------------------------------------------------------- weights io
    def save_weights(self, filepath: Any, overwrite: bool = True) -> None:
        """Write the weights to ``filepath``: ``.weights.h5`` (Keras' layout, needs h5py) or ``.npz``."""
        from .saving import save_weights

        save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath: Any, skip_mismatch: bool = False) -> None:
        """Read weights written by :meth:`save_weights` (``.weights.h5`` or ``.npz``)."""
        from .saving import load_weights

        load_weights(self, filepath, skip_mismatch=skip_mismatch)


def _is_batch_iterable(value: Any) -> bool:
    return False


def _batch_size_of_data(x: Any) -> int:
    leaves = _nest.flatten(x) if _nest.is_nested(x) else [x]
    for leaf in leaves:
        shape = np.shape(leaf.numpy() if hasattr(leaf, "numpy") else leaf)
        if shape:
            return max(int(shape[0]), 1)
    return 1


def _format_logs(logs: dict[str, Any], return_dict: bool) -> Any:
    if return_dict:
        return logs
    values = list(logs.values())
    return values[0] if len(values) == 1 else values

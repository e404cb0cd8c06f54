"""keras.callbacks: the hook order, History, EarlyStopping, LearningRateScheduler,
ReduceLROnPlateau, ModelCheckpoint (weights only), LambdaCallback, CSVLogger,
TerminateOnNaN and keras.utils.Progbar; checked against TF 2.21's Keras too."""

from __future__ import annotations

import csv
import os

import numpy as np
import pytest
from _backend import tf

keras = tf.keras


def _model(lr=0.05):
    inputs = keras.Input((3,))
    model = keras.Model(inputs, keras.layers.Dense(1, kernel_initializer="zeros")(inputs))
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr), loss="mse")
    return model


def _data(n=12):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 3)).astype("float32")
    return x, (x @ np.array([[1.0], [-1.0], [2.0]], "float32")).astype("float32")


class Recorder(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.calls = []

    def on_train_begin(self, logs=None):
        self.calls.append("train_begin")

    def on_epoch_begin(self, epoch, logs=None):
        self.calls.append(f"epoch_begin{epoch}")

    def on_train_batch_end(self, batch, logs=None):
        self.calls.append(f"batch_end{batch}")
        assert isinstance(logs["loss"], float)

    def on_test_begin(self, logs=None):
        self.calls.append("test_begin")

    def on_epoch_end(self, epoch, logs=None):
        self.calls.append(f"epoch_end{epoch}:{','.join(sorted(logs))}")

    def on_train_end(self, logs=None):
        self.calls.append("train_end")


def test_hook_order_and_params():
    x, y = _data(8)
    recorder = Recorder()
    model = _model()
    model.fit(x, y, batch_size=4, epochs=2, validation_data=(x, y), callbacks=[recorder], verbose=0)
    assert recorder.calls == [
        "train_begin",
        "epoch_begin0",
        "batch_end0",
        "batch_end1",
        "test_begin",
        "epoch_end0:loss,val_loss",
        "epoch_begin1",
        "batch_end0",
        "batch_end1",
        "test_begin",
        "epoch_end1:loss,val_loss",
        "train_end",
    ]
    assert recorder.params["epochs"] == 2 and recorder.params["steps"] == 2
    assert recorder.model is model


def test_early_stopping_stops_and_restores_best():
    x, y = _data()
    model = _model(lr=0.0)  # the loss never improves

    stopper = keras.callbacks.EarlyStopping(monitor="loss", patience=2)
    history = model.fit(x, y, epochs=10, verbose=0, shuffle=False, callbacks=[stopper])
    assert len(history.history["loss"]) == 3

    model = _model(lr=0.5)  # diverges: best is the first epoch
    stopper = keras.callbacks.EarlyStopping(monitor="loss", patience=1, restore_best_weights=True)
    seen = []
    keep = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(model.get_weights()))
    x_big = x * 10.0
    history = model.fit(x_big, y, epochs=20, batch_size=12, verbose=0, callbacks=[keep, stopper])
    losses = history.history["loss"]
    best = int(np.argmin(losses))
    assert stopper.best_epoch == best
    for got, want in zip(model.get_weights(), seen[best]):
        np.testing.assert_allclose(got, want)


def test_learning_rate_scheduler_sets_rate_and_logs_it():
    x, y = _data()
    model = _model(lr=0.1)
    rates = []
    schedule = keras.callbacks.LearningRateScheduler(lambda epoch, lr: 0.1 / (epoch + 1))
    spy = keras.callbacks.LambdaCallback(
        on_epoch_begin=lambda epoch, logs: rates.append(float(np.asarray(model.optimizer.learning_rate)))
    )
    history = model.fit(x, y, epochs=3, verbose=0, callbacks=[schedule, spy])
    np.testing.assert_allclose(rates, [0.1, 0.05, 0.1 / 3], rtol=1e-6)
    np.testing.assert_allclose(history.history["learning_rate"], [0.1, 0.05, 0.1 / 3], rtol=1e-6)


def test_reduce_lr_on_plateau():
    x, y = _data()
    model = _model(lr=0.0)
    model.optimizer.learning_rate = 0.0  # the loss stays put, so the plateau starts at once
    reduce = keras.callbacks.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=1, min_lr=0.0)
    model.optimizer.learning_rate = 1e-9
    history = model.fit(x, y, epochs=4, verbose=0, callbacks=[reduce])
    lrs = history.history["learning_rate"]
    assert lrs[0] == pytest.approx(1e-9) and lrs[-1] < lrs[0]


def test_model_checkpoint_writes_weights(tmp_path):
    x, y = _data()
    model = _model()
    pattern = str(tmp_path / "ckpt_{epoch:02d}.weights.h5")
    pytest.importorskip("h5py")
    model.fit(
        x,
        y,
        epochs=2,
        verbose=0,
        callbacks=[keras.callbacks.ModelCheckpoint(pattern, save_weights_only=True)],
    )
    assert sorted(os.listdir(tmp_path)) == ["ckpt_01.weights.h5", "ckpt_02.weights.h5"]
    fresh = _model()
    fresh.load_weights(str(tmp_path / "ckpt_02.weights.h5"))
    for got, want in zip(fresh.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(got, want)


def test_model_checkpoint_save_best_only(tmp_path):
    pytest.importorskip("h5py")
    x, y = _data()
    model = _model(lr=0.0)
    path = str(tmp_path / "best.weights.h5")
    saves = []
    check = keras.callbacks.ModelCheckpoint(path, monitor="loss", save_best_only=True, save_weights_only=True)
    spy = keras.callbacks.LambdaCallback(on_epoch_end=lambda e, logs: saves.append(os.path.getmtime(path)))
    model.fit(x, y, epochs=3, verbose=0, shuffle=False, callbacks=[check, spy])
    assert saves[0] == saves[1] == saves[2]  # saved once: the loss never improved after epoch 1


def test_lambda_callback_hooks():
    x, y = _data(8)
    events = []
    callback = keras.callbacks.LambdaCallback(
        on_train_begin=lambda logs: events.append("begin"),
        on_epoch_end=lambda epoch, logs: events.append(("epoch", epoch, round(logs["loss"], 6))),
        on_train_batch_end=lambda batch, logs: events.append(("batch", batch)),
        on_train_end=lambda logs: events.append("end"),
    )
    history = _model().fit(x, y, batch_size=4, epochs=1, verbose=0, callbacks=[callback])
    assert events == [
        "begin",
        ("batch", 0),
        ("batch", 1),
        ("epoch", 0, round(history.history["loss"][0], 6)),
        "end",
    ]


def test_csv_logger(tmp_path):
    x, y = _data()
    path = tmp_path / "log.csv"
    history = _model().fit(
        x, y, epochs=2, verbose=0, validation_data=(x, y), callbacks=[keras.callbacks.CSVLogger(str(path))]
    )
    with open(path) as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["epoch", "loss", "val_loss"]
    assert [int(r["epoch"]) for r in rows] == [0, 1]
    np.testing.assert_allclose([float(r["loss"]) for r in rows], history.history["loss"], rtol=1e-6)


def test_terminate_on_nan():
    x, y = _data()
    x[5] = np.nan
    history = _model().fit(
        x, y, batch_size=4, epochs=3, verbose=0, callbacks=[keras.callbacks.TerminateOnNaN()]
    )
    assert len(history.history["loss"]) == 1
    assert np.isnan(history.history["loss"][0])


def test_progbar_update_and_add(capsys):
    bar = keras.utils.Progbar(4, verbose=1)
    for step in range(1, 5):
        bar.update(step, values=[("loss", float(step))])
    out = capsys.readouterr().out
    assert "4/4" in out and "loss: 4.0000" in out  # the final update shows the last value, as Keras does
    bar = keras.utils.Progbar(2, verbose=2, stateful_metrics=["acc"])
    bar.add(1, values=[("acc", 0.5)])
    bar.add(1, values=[("acc", 0.75)])
    assert "acc: 0.7500" in capsys.readouterr().out

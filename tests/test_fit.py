"""compile / fit / evaluate / predict and the *_on_batch methods, with Keras 3's semantics.

Expected losses come from a NumPy replay of the same training (plain SGD on a
linear model, batches in order), so the same numbers hold for TF 2.21's Keras.
Also here: the keras.io guides "Customizing what happens in fit", "Writing a
training loop from scratch" and "The Functional API", on small synthetic data."""

from __future__ import annotations

import numpy as np
import pytest
from _backend import IS_TF, tf

keras = tf.keras


def _linear_problem(n=12, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3)).astype("float32")
    y = (x @ np.array([[1.0], [-2.0], [0.5]], "float32") + 0.3).astype("float32")
    return x, y


def _linear_model(kernel=None):
    inputs = keras.Input(shape=(3,))
    outputs = keras.layers.Dense(1, kernel_initializer="zeros")(inputs)
    model = keras.Model(inputs, outputs)
    if kernel is not None:
        model.set_weights([kernel, np.zeros(1, "float32")])
    return model


def _replay_sgd(x, y, lr, batch_size, epochs, sample_weight=None):
    """Keras' fit on Dense(1) + MSE + SGD, in float64: epoch losses and final weights."""
    w = np.zeros((3, 1))
    b = np.zeros(1)
    history = []
    n = len(x)
    for _ in range(epochs):
        total, count = 0.0, 0
        for start in range(0, n, batch_size):
            xb, yb = x[start : start + batch_size].astype(float), y[start : start + batch_size].astype(float)
            sw = None if sample_weight is None else sample_weight[start : start + batch_size].astype(float)
            err = xb @ w + b - yb
            per_sample = (err**2).mean(axis=1)
            if sw is None:
                loss = per_sample.mean()
                grad_scale = np.ones(len(xb)) / len(xb)
            else:
                loss = (per_sample * sw).sum() / len(xb)
                grad_scale = sw / len(xb)
            total += loss * len(xb)
            count += len(xb)
            g = 2 * err * grad_scale[:, None]
            w -= lr * xb.T @ g
            b -= lr * g.sum(0)
        history.append(total / count)
    return history, w, b


def test_fit_matches_numpy_replay_of_sgd():
    x, y = _linear_problem()
    model = _linear_model()
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05), loss="mse")
    history = model.fit(x, y, batch_size=4, epochs=3, shuffle=False, verbose=0)
    expected, w, b = _replay_sgd(x, y, 0.05, 4, 3)
    assert list(history.history) == ["loss"]
    np.testing.assert_allclose(history.history["loss"], expected, rtol=1e-4)
    np.testing.assert_allclose(model.get_weights()[0], w, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(model.get_weights()[1], b, rtol=1e-4, atol=1e-6)
    assert history.epoch == [0, 1, 2]
    assert model.history is history


def test_fit_with_partial_last_batch_and_sample_weight():
    x, y = _linear_problem(n=10)
    weights = np.linspace(0.5, 1.5, 10).astype("float32")
    model = _linear_model()
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05), loss="mse")
    history = model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0, sample_weight=weights)
    expected, w, _ = _replay_sgd(x, y, 0.05, 4, 2, sample_weight=weights)
    np.testing.assert_allclose(history.history["loss"], expected, rtol=1e-4)
    np.testing.assert_allclose(model.get_weights()[0], w, rtol=1e-4, atol=1e-6)


def test_fit_accepts_tensors():
    x, y = _linear_problem()
    model = _linear_model()
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05), loss="mse")
    history = model.fit(tf.constant(x), tf.constant(y), batch_size=4, epochs=1, shuffle=False, verbose=0)
    np.testing.assert_allclose(history.history["loss"], _replay_sgd(x, y, 0.05, 4, 1)[0], rtol=1e-4)


def test_fit_on_a_generator_with_steps_per_epoch():
    x, y = _linear_problem()

    def batches():
        while True:
            for start in range(0, 12, 4):
                yield x[start : start + 4], y[start : start + 4]

    model = _linear_model()
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05), loss="mse")
    history = model.fit(batches(), steps_per_epoch=3, epochs=2, verbose=0)
    np.testing.assert_allclose(history.history["loss"], _replay_sgd(x, y, 0.05, 4, 2)[0], rtol=1e-4)


def test_fit_on_tf_data_dataset():
    data = getattr(tf, "data", None)
    if data is None or not hasattr(data, "Dataset"):
        pytest.skip("tf.data is not available in this build")
    x, y = _linear_problem()
    dataset = data.Dataset.from_tensor_slices((x, y)).batch(4)
    model = _linear_model()
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05), loss="mse")
    history = model.fit(dataset, epochs=2, verbose=0)
    np.testing.assert_allclose(history.history["loss"], _replay_sgd(x, y, 0.05, 4, 2)[0], rtol=1e-4)


def test_validation_split_uses_the_last_samples():
    x, y = _linear_problem(n=10)
    model = _linear_model()
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05), loss="mse")
    history = model.fit(x, y, batch_size=4, epochs=1, shuffle=False, validation_split=0.2, verbose=0)
    train_expected, w, b = _replay_sgd(x[:8], y[:8], 0.05, 4, 1)
    np.testing.assert_allclose(history.history["loss"], train_expected, rtol=1e-4)
    val = ((x[8:] @ w + b - y[8:]) ** 2).mean()
    np.testing.assert_allclose(history.history["val_loss"], [val], rtol=1e-4)


def test_validation_data_and_metrics_in_history():
    x, y = _linear_problem()
    model = _linear_model()
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05), loss="mse", metrics=["mae"])
    history = model.fit(
        x, y, batch_size=4, epochs=2, shuffle=False, validation_data=(x[:4], y[:4]), verbose=0
    )
    assert sorted(history.history) == ["loss", "mae", "val_loss", "val_mae"]
    val = model.evaluate(x[:4], y[:4], verbose=0, return_dict=True)
    np.testing.assert_allclose(history.history["val_mae"][-1], val["mae"], rtol=1e-5)


def test_evaluate_return_forms_and_values():
    x, y = _linear_problem()
    kernel = np.array([[0.5], [0.1], [-0.2]], "float32")
    model = _linear_model(kernel)
    model.compile(optimizer="sgd", loss="mse")
    err = x @ kernel - y
    np.testing.assert_allclose(model.evaluate(x, y, batch_size=5, verbose=0), (err**2).mean(), rtol=1e-5)
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    loss, mae = model.evaluate(x, y, batch_size=5, verbose=0)
    np.testing.assert_allclose([loss, mae], [(err**2).mean(), np.abs(err).mean()], rtol=1e-5)
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    assert set(logs) == {"loss", "mae"}


def test_predict_and_predict_on_batch():
    x, _ = _linear_problem(n=7)
    kernel = np.array([[0.5], [0.1], [-0.2]], "float32")
    model = _linear_model(kernel)
    out = model.predict(x, batch_size=3, verbose=0)
    assert isinstance(out, np.ndarray) and out.shape == (7, 1)
    np.testing.assert_allclose(out, x @ kernel, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model.predict_on_batch(x), x @ kernel, rtol=1e-5, atol=1e-6)


def test_train_and_test_on_batch():
    x, y = _linear_problem(n=4)
    model = _linear_model()
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05), loss="mse")
    first = model.train_on_batch(x, y)
    np.testing.assert_allclose(first, (y**2).mean(), rtol=1e-5)
    _, w, b = _replay_sgd(x, y, 0.05, 4, 1)
    np.testing.assert_allclose(model.test_on_batch(x, y), ((x @ w + b - y) ** 2).mean(), rtol=1e-4)


def test_accuracy_string_resolves_by_label_shape():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(16, 4)).astype("float32")
    labels = rng.integers(0, 3, size=16)
    inputs = keras.Input((4,))
    model = keras.Model(inputs, keras.layers.Dense(3)(inputs))
    model.compile(
        optimizer="adam",
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    logs = model.evaluate(x, labels, verbose=0, return_dict=True)
    expected = (model.predict(x, verbose=0).argmax(1) == labels).mean()
    np.testing.assert_allclose(logs["accuracy"], expected, rtol=1e-6)
    onehot = np.eye(3, dtype="float32")[labels]
    model.compile(
        optimizer="adam", loss=keras.losses.CategoricalCrossentropy(from_logits=True), metrics=["accuracy"]
    )
    np.testing.assert_allclose(
        model.evaluate(x, onehot, verbose=0, return_dict=True)["accuracy"], expected, rtol=1e-6
    )


def test_multi_output_losses_weights_and_names():
    x = np.ones((8, 3), "float32")
    inputs = keras.Input((3,))
    a = keras.layers.Dense(1, name="out1", kernel_initializer="ones")(inputs)
    b = keras.layers.Dense(2, name="out2", kernel_initializer="zeros")(inputs)
    model = keras.Model(inputs, [a, b])
    model.compile("sgd", loss=["mse", "mae"], loss_weights=[1.0, 0.5], metrics=[["mae"], ["mse"]])
    ya, yb = np.zeros((8, 1), "float32"), np.ones((8, 2), "float32")
    logs = model.evaluate(x, [ya, yb], verbose=0, return_dict=True)
    assert sorted(logs) == ["loss", "out1_loss", "out1_mae", "out2_loss", "out2_mse"]
    np.testing.assert_allclose(logs["out1_loss"], 9.0, rtol=1e-6)
    np.testing.assert_allclose(logs["out2_loss"], 1.0, rtol=1e-6)
    np.testing.assert_allclose(logs["loss"], 9.0 + 0.5, rtol=1e-6)
    history = model.fit(x, [ya, yb], epochs=1, verbose=0)
    assert sorted(history.history) == ["loss", "out1_loss", "out1_mae", "out2_loss", "out2_mse"]


def test_dict_outputs_and_losses():
    x = np.ones((8, 3), "float32")
    inputs = keras.Input((3,))
    a = keras.layers.Dense(1, kernel_initializer="ones")(inputs)
    b = keras.layers.Dense(2, kernel_initializer="zeros")(inputs)
    model = keras.Model(inputs, {"p": a, "q": b})
    model.compile("sgd", loss={"p": "mse", "q": "mae"}, metrics={"p": "mae"})
    history = model.fit(x, {"p": np.zeros((8, 1)), "q": np.ones((8, 2))}, verbose=0)
    assert sorted(history.history) == ["loss", "p_loss", "p_mae", "q_loss"]


def test_regularization_losses_join_the_loss():
    x, y = _linear_problem(n=4)
    inputs = keras.Input((3,))
    outputs = keras.layers.Dense(1, kernel_initializer="ones", kernel_regularizer=keras.regularizers.L2(0.1))(
        inputs
    )
    model = keras.Model(inputs, outputs)
    model.compile("sgd", loss="mse")
    mse = ((x @ np.ones((3, 1)) - y) ** 2).mean()
    np.testing.assert_allclose(model.evaluate(x, y, verbose=0), mse + 0.1 * 3, rtol=1e-5)


def test_class_weight_scales_samples():
    x, y = _linear_problem(n=8)
    labels = np.array([0, 1, 0, 1, 0, 1, 0, 1])
    inputs = keras.Input((3,))
    model = keras.Model(inputs, keras.layers.Dense(2, kernel_initializer="zeros")(inputs))
    model.compile(
        keras.optimizers.SGD(0.0), loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    )
    history = model.fit(x, labels, batch_size=8, epochs=1, class_weight={0: 1.0, 1: 3.0}, verbose=0)
    np.testing.assert_allclose(history.history["loss"], [np.log(2) * (4 * 1.0 + 4 * 3.0) / 8], rtol=1e-5)


def test_fit_before_compile_raises():
    model = _linear_model()
    with pytest.raises(ValueError, match="compile"):
        model.fit(np.ones((2, 3)), np.ones((2, 1)), verbose=0)
    with pytest.raises(ValueError, match="compile"):
        model.evaluate(np.ones((2, 3)), np.ones((2, 1)), verbose=0)


def test_mismatched_lengths_raise():
    model = _linear_model()
    model.compile("sgd", "mse")
    with pytest.raises(ValueError, match="Data cardinality is ambiguous"):
        model.fit(np.ones((8, 3)), np.ones((7, 1)), verbose=0)


def test_unknown_loss_and_optimizer_names_raise():
    model = _linear_model()
    with pytest.raises(ValueError, match="nope"):
        model.compile("nope", "mse")
    with pytest.raises(ValueError):
        model.compile("sgd", "not_a_loss")
        model.fit(np.ones((2, 3)), np.ones((2, 1)), verbose=0)


def test_progress_bar_and_per_epoch_lines(capsys):
    x, y = _linear_problem()
    model = _linear_model()
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    model.fit(x, y, batch_size=4, epochs=2, verbose=1)
    out = capsys.readouterr().out
    assert "Epoch 1/2" in out and "Epoch 2/2" in out
    assert "3/3" in out and "━" in out and "loss:" in out and "mae:" in out
    model.fit(x, y, batch_size=4, epochs=2, verbose=2)
    lines = [line for line in capsys.readouterr().out.splitlines() if "loss:" in line]
    assert len(lines) == 2
    assert all(line.startswith("3/3 - ") for line in lines)
    model.fit(x, y, batch_size=4, epochs=1, verbose=0)
    assert capsys.readouterr().out == ""


def test_sequential_fit_without_input():
    x, y = _linear_problem()
    model = keras.Sequential([keras.layers.Dense(4, activation="relu"), keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    history = model.fit(x, y, epochs=2, batch_size=4, verbose=0)
    assert len(history.history["loss"]) == 2 and np.isfinite(history.history["loss"]).all()


# ------------------------------------------------------------------ keras.io guides
def test_guide_customizing_fit_train_step():
    """keras.io "Customizing what happens in fit()": train_step with compute_loss and self.metrics."""

    class CustomModel(keras.Model):
        def train_step(self, data):
            x, y = data
            with tf.GradientTape() as tape:
                y_pred = self(x, training=True)
                loss = self.compute_loss(y=y, y_pred=y_pred)
            trainable_vars = self.trainable_variables
            gradients = tape.gradient(loss, trainable_vars)
            self.optimizer.apply_gradients(zip(gradients, trainable_vars))
            for metric in self.metrics:
                if metric.name == "loss":
                    metric.update_state(loss)
                else:
                    metric.update_state(y, y_pred)
            return {m.name: m.result() for m in self.metrics}

    inputs = keras.Input(shape=(32,))
    outputs = keras.layers.Dense(1)(inputs)
    model = CustomModel(inputs, outputs)
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse", metrics=["mae"])
    rng = np.random.default_rng(0)
    x = rng.random((100, 32)).astype("float32")
    y = x.mean(axis=1, keepdims=True)
    before = model.evaluate(x, y, verbose=0, return_dict=True)["loss"]
    history = model.fit(x, y, epochs=5, verbose=0)
    assert sorted(history.history) == ["loss", "mae"]
    assert model.evaluate(x, y, verbose=0, return_dict=True)["loss"] < before


def test_guide_customizing_fit_own_metrics():
    """The guide's lower-level variant: own loss tracker and metric, reset each epoch through `metrics`."""

    class CustomModel(keras.Model):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.loss_tracker = keras.metrics.Mean(name="loss")
            self.mae_metric = keras.metrics.MeanAbsoluteError(name="mae")
            self.loss_fn = keras.losses.MeanSquaredError()

        def train_step(self, data):
            x, y = data
            with tf.GradientTape() as tape:
                y_pred = self(x, training=True)
                loss = self.loss_fn(y, y_pred)
            gradients = tape.gradient(loss, self.trainable_variables)
            self.optimizer.apply_gradients(zip(gradients, self.trainable_variables))
            self.loss_tracker.update_state(loss)
            self.mae_metric.update_state(y, y_pred)
            return {"loss": self.loss_tracker.result(), "mae": self.mae_metric.result()}

        @property
        def metrics(self):
            return [self.loss_tracker, self.mae_metric]

    inputs = keras.Input(shape=(32,))
    model = CustomModel(inputs, keras.layers.Dense(1)(inputs))
    model.compile(optimizer="adam")
    x = np.random.random((64, 32)).astype("float32")
    y = np.random.random((64, 1)).astype("float32")
    epoch_ends = []
    history = model.fit(
        x,
        y,
        epochs=2,
        verbose=0,
        batch_size=64,
        callbacks=[
            keras.callbacks.LambdaCallback(
                on_epoch_end=lambda epoch, logs: epoch_ends.append(
                    float(model.loss_tracker.count.numpy()) if hasattr(model.loss_tracker, "count") else None
                )
            )
        ],
    )
    assert sorted(history.history) == ["loss", "mae"]
    if epoch_ends[0] is not None:
        assert epoch_ends == [1.0, 1.0]  # reset at each epoch start


def test_guide_customizing_fit_test_step():
    class CustomModel(keras.Model):
        def test_step(self, data):
            x, y = data
            y_pred = self(x, training=False)
            loss = self.compute_loss(y=y, y_pred=y_pred)
            for metric in self.metrics:
                if metric.name == "loss":
                    metric.update_state(loss)
                else:
                    metric.update_state(y, y_pred)
            return {m.name: m.result() for m in self.metrics}

    inputs = keras.Input(shape=(4,))
    model = CustomModel(inputs, keras.layers.Dense(1, kernel_initializer="zeros")(inputs))
    model.compile(loss="mse", metrics=["mae"])
    x = np.random.random((10, 4)).astype("float32")
    y = np.ones((10, 1), "float32")
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    np.testing.assert_allclose([logs["loss"], logs["mae"]], [1.0, 1.0], rtol=1e-6)


def test_guide_training_loop_from_scratch():
    """keras.io "Writing a training loop from scratch" (TensorFlow version), on random 'digits'."""
    rng = np.random.default_rng(0)
    x_train = rng.normal(size=(256, 784)).astype("float32")
    y_train = rng.integers(0, 10, size=256)
    inputs = keras.Input(shape=(784,), name="digits")
    x1 = keras.layers.Dense(64, activation="relu")(inputs)
    x2 = keras.layers.Dense(64, activation="relu")(x1)
    outputs = keras.layers.Dense(10, name="predictions")(x2)
    model = keras.Model(inputs=inputs, outputs=outputs)
    optimizer = keras.optimizers.Adam(learning_rate=1e-3)
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    train_acc_metric = keras.metrics.SparseCategoricalAccuracy()
    batch_size = 64
    losses = []
    for _epoch in range(3):
        for start in range(0, 256, batch_size):
            x_batch = x_train[start : start + batch_size]
            y_batch = y_train[start : start + batch_size]
            with tf.GradientTape() as tape:
                logits = model(x_batch, training=True)
                loss_value = loss_fn(y_batch, logits)
            grads = tape.gradient(loss_value, model.trainable_weights)
            optimizer.apply_gradients(zip(grads, model.trainable_weights))
            train_acc_metric.update_state(y_batch, logits)
            losses.append(float(loss_value))
        train_acc = float(train_acc_metric.result())
        train_acc_metric.reset_state()
    assert np.mean(losses[-4:]) < np.mean(losses[:4])  # the last epoch's batches against the first's
    assert 0.0 <= train_acc <= 1.0


def test_guide_functional_api_multi_input_multi_output():
    """keras.io "The Functional API": the ticket-ranking model (an Embedding and Flatten stand in
    for the LSTMs), trained with fit on dict inputs and outputs."""
    num_tags, num_words, num_departments = 12, 100, 4
    title_input = keras.Input(shape=(10,), name="title", dtype="int32")
    body_input = keras.Input(shape=(20,), name="body", dtype="int32")
    tags_input = keras.Input(shape=(num_tags,), name="tags")
    title_features = keras.layers.Flatten()(keras.layers.Embedding(num_words, 8)(title_input))
    body_features = keras.layers.Flatten()(keras.layers.Embedding(num_words, 4)(body_input))
    x = keras.layers.Concatenate()([title_features, body_features, tags_input])
    priority_pred = keras.layers.Dense(1, name="priority")(x)
    department_pred = keras.layers.Dense(num_departments, name="department")(x)
    model = keras.Model(
        inputs=[title_input, body_input, tags_input],
        outputs={"priority": priority_pred, "department": department_pred},
    )
    model.compile(
        optimizer=keras.optimizers.RMSprop(1e-3),
        loss={
            "priority": keras.losses.BinaryCrossentropy(from_logits=True),
            "department": keras.losses.CategoricalCrossentropy(from_logits=True),
        },
        loss_weights={"priority": 1.0, "department": 0.2},
    )
    rng = np.random.default_rng(0)
    title_data = rng.integers(0, num_words, size=(64, 10))
    body_data = rng.integers(0, num_words, size=(64, 20))
    tags_data = rng.integers(0, 2, size=(64, num_tags)).astype("float32")
    priority_targets = rng.random(size=(64, 1)).astype("float32")
    dept_targets = rng.integers(0, 2, size=(64, num_departments)).astype("float32")
    history = model.fit(
        {"title": title_data, "body": body_data, "tags": tags_data},
        {"priority": priority_targets, "department": dept_targets},
        epochs=2,
        batch_size=32,
        verbose=0,
    )
    assert sorted(history.history) == ["department_loss", "loss", "priority_loss"]
    assert all(np.isfinite(v).all() for v in history.history.values())


@pytest.mark.skipif(IS_TF, reason="tf.keras 2's compiled_loss / compiled_metrics spelling")
def test_tf_keras2_compiled_loss_and_metrics_train_step():
    class CustomModel(keras.Model):
        def train_step(self, data):
            x, y = data
            with tf.GradientTape() as tape:
                y_pred = self(x, training=True)
                loss = self.compiled_loss(y, y_pred, regularization_losses=self.losses)
            grads = tape.gradient(loss, self.trainable_variables)
            self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
            self.compiled_metrics.update_state(y, y_pred)
            return {m.name: m.result() for m in self.metrics}

    inputs = keras.Input(shape=(4,))
    model = CustomModel(inputs, keras.layers.Dense(1)(inputs))
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    history = model.fit(np.ones((8, 4), "float32"), np.ones((8, 1), "float32"), epochs=1, verbose=0)
    assert "mae" in history.history


def test_fit_on_a_py_dataset_calls_on_epoch_end():
    x, y = _linear_problem()

    class Batches(keras.utils.PyDataset):
        def __init__(self):
            super().__init__()
            self.epochs_ended = 0

        def __len__(self):
            return 3

        def __getitem__(self, index):
            return x[index * 4 : index * 4 + 4], y[index * 4 : index * 4 + 4]

        def on_epoch_end(self):
            self.epochs_ended += 1

    data = Batches()
    model = _linear_model()
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05), loss="mse")
    history = model.fit(data, epochs=2, shuffle=False, verbose=0)
    np.testing.assert_allclose(history.history["loss"], _replay_sgd(x, y, 0.05, 4, 2)[0], rtol=1e-4)
    assert data.epochs_ended >= 2  # after each epoch (Keras 3 may call it once more at the end)
    ended = data.epochs_ended
    model.fit(data, epochs=1, verbose=0)  # batches in shuffled order
    assert data.epochs_ended > ended

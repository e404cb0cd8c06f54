"""The Keras layers, the functional API and compile/fit working together.

Every layer family on symbolic inputs (``keras.Input``) inside functional and
``Sequential`` models (output shapes and parameter counts recorded from TF 2.21),
training vs inference in ``fit``/``evaluate``/``predict`` (BatchNormalization's
moving statistics move only in ``fit``), weight regularizers and constraints of
the normalization layers, metric names in ``compile``, tensor operators with a
KerasTensor on the right, and the keras.io "Writing your own callbacks" guide.
"""

from __future__ import annotations

import io
from contextlib import redirect_stdout

import numpy as np
import pytest
from _backend import tf

keras = tf.keras
L = keras.layers

# name -> (input shape without batch, layer factory, output shape, parameter count), from TF 2.21.
SINGLE_INPUT_LAYERS = {
    "LeakyReLU": ((5,), lambda: L.LeakyReLU(0.2), (None, 5), 0),
    "PReLU": ((5,), lambda: L.PReLU(), (None, 5), 5),
    "ELU": ((5,), lambda: L.ELU(), (None, 5), 0),
    "Softmax": ((5,), lambda: L.Softmax(axis=-1), (None, 5), 0),
    "BatchNormalization": ((4, 5), lambda: L.BatchNormalization(), (None, 4, 5), 20),
    "LayerNormalization": ((4, 5), lambda: L.LayerNormalization(), (None, 4, 5), 10),
    "GroupNormalization": ((4, 6), lambda: L.GroupNormalization(groups=2), (None, 4, 6), 12),
    "UnitNormalization": ((5,), lambda: L.UnitNormalization(), (None, 5), 0),
    "GaussianNoise": ((5,), lambda: L.GaussianNoise(0.1), (None, 5), 0),
    "GaussianDropout": ((5,), lambda: L.GaussianDropout(0.1), (None, 5), 0),
    "SpatialDropout1D": ((4, 5), lambda: L.SpatialDropout1D(0.1), (None, 4, 5), 0),
    "SpatialDropout2D": ((3, 4, 5), lambda: L.SpatialDropout2D(0.1), (None, 3, 4, 5), 0),
    "Permute": ((3, 4), lambda: L.Permute((2, 1)), (None, 4, 3), 0),
    "RepeatVector": ((5,), lambda: L.RepeatVector(3), (None, 3, 5), 0),
    "Identity": ((5,), lambda: L.Identity(), (None, 5), 0),
    "Rescaling": ((5,), lambda: L.Rescaling(1 / 255.0), (None, 5), 0),
    "Normalization": ((5,), lambda: L.Normalization(mean=1.0, variance=4.0), (None, 5), 0),
    "CategoryEncoding": (
        (3,),
        lambda: L.CategoryEncoding(num_tokens=6, output_mode="multi_hot"),
        (None, 6),
        0,
    ),
    "ActivityRegularization": ((5,), lambda: L.ActivityRegularization(l1=0.1), (None, 5), 0),
    "Masking": ((4, 5), lambda: L.Masking(), (None, 4, 5), 0),
    "Dropout": ((5,), lambda: L.Dropout(0.5), (None, 5), 0),
}

MERGE_LAYERS = ["Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate"]


def _quiet(fn, *args, **kwargs):
    """``fn(*args, **kwargs)`` with its printed output captured; returns (result, text)."""
    buffer = io.StringIO()
    with redirect_stdout(buffer):
        result = fn(*args, **kwargs)
    return result, buffer.getvalue()


# ------------------------------------------------------------------ symbolic shapes
@pytest.mark.parametrize("name", sorted(SINGLE_INPUT_LAYERS))
def test_layer_on_symbolic_input_gives_keras_shape_and_params(name):
    input_shape, make, output_shape, params = SINGLE_INPUT_LAYERS[name]
    inputs = keras.Input(input_shape)
    outputs = make()(inputs)
    model = keras.Model(inputs, outputs)
    assert tuple(outputs.shape) == output_shape
    assert tuple(model.output_shape) == output_shape
    assert model.count_params() == params
    # The functional model runs on real data with the shape it promised.
    batch = np.random.default_rng(0).integers(0, 6, size=(2, *input_shape)).astype("float32")
    assert tuple(model(batch).shape) == (2, *output_shape[1:])
    assert tuple(model.predict(batch, verbose=0).shape) == (2, *output_shape[1:])


@pytest.mark.parametrize("name", MERGE_LAYERS)
def test_merge_layer_on_symbolic_inputs(name):
    a, b = keras.Input((5,)), keras.Input((5,))
    outputs = getattr(L, name)()([a, b])
    expected = (None, 10) if name == "Concatenate" else (None, 5)
    assert tuple(outputs.shape) == expected
    model = keras.Model([a, b], outputs)
    x = np.arange(10, dtype="float32").reshape(2, 5)
    assert tuple(model([x, 2 * x]).shape) == (2, expected[1])


def test_dot_layer_on_symbolic_inputs():
    a, b = keras.Input((5,)), keras.Input((5,))
    assert tuple(L.Dot(axes=1)([a, b]).shape) == (None, 1)
    assert tuple(L.Dot(axes=1, normalize=True)([a, b]).shape) == (None, 1)


def test_sequential_with_input_summary_lists_every_layer():
    model = keras.Sequential(
        [
            keras.Input((4,)),
            L.Dense(8),
            L.BatchNormalization(),
            L.LeakyReLU(),
            L.Dropout(0.2),
            L.RepeatVector(2),
            L.LayerNormalization(),
            L.Permute((2, 1)),
            L.Flatten(),
            L.Dense(1),
        ]
    )
    lines = []
    model.summary(print_fn=lambda line, *args, **kwargs: lines.append(line))
    text = "\n".join(lines)
    for shape in ["(None, 8)", "(None, 2, 8)", "(None, 8, 2)", "(None, 16)", "(None, 1)"]:
        assert shape in text
    assert "Total params: 105" in text
    assert "Trainable params: 89" in text
    assert "Non-trainable params: 16" in text
    assert [type(layer).__name__ for layer in model.layers][:3] == [
        "Dense",
        "BatchNormalization",
        "LeakyReLU",
    ]


# ------------------------------------------------------------------ training vs inference
def _bn_model():
    inputs = keras.Input((3,))
    hidden = L.Dense(2, kernel_initializer="ones", bias_initializer="zeros")(inputs)
    outputs = L.BatchNormalization(momentum=0.9)(hidden)
    return keras.Model(inputs, outputs)


def test_batch_normalization_moving_statistics_move_only_in_fit():
    x = np.arange(24, dtype="float32").reshape(8, 3) / 10.0
    y = np.zeros((8, 2), "float32")
    model = _bn_model()
    model.compile(optimizer=keras.optimizers.SGD(0.0), loss="mse")
    bn = model.layers[-1]
    model.evaluate(x, y, verbose=0)
    model.predict(x, verbose=0)
    np.testing.assert_array_equal(bn.moving_mean.numpy(), [0.0, 0.0])
    np.testing.assert_array_equal(bn.moving_variance.numpy(), [1.0, 1.0])

    model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    hidden = x.sum(axis=1)  # Dense with a kernel of ones (learning rate 0: it stays)
    expected_mean = 0.1 * hidden.mean()
    expected_var = 0.9 + 0.1 * hidden.var()
    np.testing.assert_allclose(bn.moving_mean.numpy(), [expected_mean] * 2, rtol=1e-5)
    np.testing.assert_allclose(bn.moving_variance.numpy(), [expected_var] * 2, rtol=1e-5)

    # Inference normalizes with the moving statistics, in predict and in evaluate.
    expected = (hidden[:, None] - expected_mean) / np.sqrt(expected_var + 1e-3)
    np.testing.assert_allclose(model.predict(x, verbose=0), np.repeat(expected, 2, axis=1), rtol=1e-4)
    loss = model.evaluate(x, y, verbose=0)
    np.testing.assert_allclose(loss, np.mean(expected**2), rtol=1e-4)


def test_dropout_is_active_in_fit_only():
    seen = []

    class Probe(L.Layer):
        def call(self, inputs, training=None):
            seen.append(bool(training))
            return inputs

    inputs = keras.Input((4,))
    outputs = L.Dense(1)(Probe()(L.Dropout(0.5)(inputs)))
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="sgd", loss="mse")
    x = np.ones((4, 4), "float32")
    y = np.ones((4, 1), "float32")
    seen.clear()
    model.fit(x, y, epochs=1, batch_size=4, verbose=0)
    assert seen and all(seen)
    seen.clear()
    model.evaluate(x, y, verbose=0)
    first = model.predict(x, verbose=0)
    assert seen and not any(seen)
    np.testing.assert_array_equal(model.predict(x, verbose=0), first)  # no dropout at inference
    np.testing.assert_allclose(model(x).numpy(), first, rtol=1e-6)


def test_fit_a_two_input_model_with_normalization_dropout_and_merges():
    rng = np.random.default_rng(0)
    a_in, b_in = keras.Input((6,), name="a"), keras.Input((6,), name="b")
    a = L.BatchNormalization()(L.Dense(8, activation="relu")(a_in))
    b = L.LayerNormalization()(L.Dense(8, activation="relu")(b_in))
    merged = L.Concatenate()(
        [L.Add()([a, b]), L.Multiply()([a, b]), L.Average()([a, b]), L.Subtract()([a, b])]
    )
    hidden = L.Dropout(0.1)(L.Dense(8, activation="relu")(merged))
    outputs = L.Dense(1)(hidden)
    model = keras.Model([a_in, b_in], outputs)
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse", metrics=["mae"])
    xa = rng.normal(size=(64, 6)).astype("float32")
    xb = rng.normal(size=(64, 6)).astype("float32")
    y = (xa[:, :1] - xb[:, 1:2]).astype("float32")
    before = model.evaluate([xa, xb], y, verbose=0)[0]
    history = model.fit({"a": xa, "b": xb}, y, epochs=15, batch_size=16, verbose=0, validation_split=0.25)
    assert sorted(history.history) == ["loss", "mae", "val_loss", "val_mae"]
    assert model.evaluate([xa, xb], y, verbose=0)[0] < 0.5 * before
    assert model.predict([xa, xb], verbose=0).shape == (64, 1)


# ------------------------------------------------------------------ regularizers and constraints
def test_normalization_weight_regularizers_join_the_loss():
    x = np.arange(12, dtype="float32").reshape(4, 3)
    bn = L.BatchNormalization(gamma_regularizer=keras.regularizers.L2(0.5), beta_regularizer="l1")
    bn(x)
    np.testing.assert_allclose(sum(float(v) for v in bn.losses), 1.5, rtol=1e-6)  # 0.5 * 3 * 1**2
    prelu = L.PReLU(alpha_initializer="ones", alpha_regularizer="l2", alpha_constraint="non_neg")
    prelu(x)
    np.testing.assert_allclose([float(v) for v in prelu.losses], [0.03], rtol=1e-5)
    config = L.LayerNormalization(gamma_regularizer=keras.regularizers.L2(0.5)).get_config()
    assert config["gamma_regularizer"]["class_name"] == "L2"
    assert config["gamma_regularizer"]["config"]["l2"] == 0.5
    assert config["beta_regularizer"] is None

    inputs = keras.Input((3,))
    outputs = L.LayerNormalization(gamma_regularizer=keras.regularizers.L2(0.5))(inputs)
    model = keras.Model(inputs, outputs)
    model.compile(loss="mse")
    data = np.random.default_rng(1).normal(size=(8, 3)).astype("float32")
    loss = model.evaluate(data, np.zeros((8, 3), "float32"), verbose=0)
    normalized = (data - data.mean(1, keepdims=True)) / np.sqrt(data.var(1, keepdims=True) + 1e-3)
    np.testing.assert_allclose(loss, np.mean(normalized**2) + 1.5, rtol=1e-4)


def test_normalization_constraint_is_applied_after_each_fit_step():
    inputs = keras.Input((2,))
    outputs = L.BatchNormalization(beta_constraint="non_neg")(inputs)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.SGD(1.0), loss="mse")
    x = np.random.default_rng(2).normal(size=(16, 2)).astype("float32")
    model.fit(x, np.full((16, 2), -5.0, "float32"), epochs=2, batch_size=8, verbose=0)
    beta = model.layers[-1].beta.numpy()
    np.testing.assert_array_equal(beta, np.zeros(2, "float32"))  # pulled negative, clipped to 0


def test_activity_regularization_layer_adds_its_penalty():
    layer = L.ActivityRegularization(l1=0.1, l2=0.01)
    x = tf.constant(np.arange(12, dtype="float32").reshape(4, 3) - 5)
    np.testing.assert_array_equal(layer(x).numpy(), x.numpy())
    # (0.1 * sum|x| + 0.01 * sum x**2) / batch size, as Keras normalizes activity penalties.
    np.testing.assert_allclose([float(v) for v in layer.losses], [1.265], rtol=1e-6)
    assert {"l1": 0.1, "l2": 0.01}.items() <= layer.get_config().items()


# ------------------------------------------------------------------ metrics by name
def test_compile_accepts_metric_names_with_keras_log_keys():
    x = np.random.default_rng(3).random((16, 4)).astype("float32")
    y = np.eye(3, dtype="float32")[np.arange(16) % 3]
    names = ["auc", "precision", "recall", "top_k_categorical_accuracy", "AUC", "mse", "MeanSquaredError"]
    inputs = keras.Input((4,))
    model = keras.Model(inputs, L.Dense(3, activation="softmax", kernel_initializer="ones")(inputs))
    model.compile(optimizer=keras.optimizers.SGD(0.0), loss="categorical_crossentropy", metrics=names)
    history = model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    assert sorted(history.history) == sorted(["loss", *names])
    # Equal predictions for every class: all tied at 1/3.
    np.testing.assert_allclose(history.history["auc"], [0.5], atol=1e-6)
    np.testing.assert_allclose(history.history["precision"], [0.0], atol=1e-6)
    np.testing.assert_allclose(history.history["recall"], [0.0], atol=1e-6)
    np.testing.assert_allclose(history.history["top_k_categorical_accuracy"], [1.0], atol=1e-6)
    np.testing.assert_allclose(history.history["mse"], [np.mean((y - 1 / 3) ** 2)], rtol=1e-5)


def test_compile_rejects_an_unknown_metric_name():
    inputs = keras.Input((2,))
    model = keras.Model(inputs, L.Dense(1)(inputs))
    model.compile(optimizer="sgd", loss="mse", metrics=["no_such_metric"])
    with pytest.raises(ValueError, match="no_such_metric"):
        model.fit(np.ones((4, 2)), np.ones((4, 1)), epochs=1, verbose=0)


# ------------------------------------------------------------------ tensors meet KerasTensors
@pytest.mark.parametrize(
    "op",
    [
        lambda t, k: t + k,
        lambda t, k: t - k,
        lambda t, k: t * k,
        lambda t, k: t / k,
        lambda t, k: t**k,
    ],
    ids=["add", "sub", "mul", "div", "pow"],
)
def test_tensor_operator_with_a_keras_tensor_on_the_right(op):
    inputs = keras.Input((3,))
    outputs = op(tf.constant([1.0, 2.0, 3.0]), inputs)
    assert tuple(outputs.shape) == (None, 3)
    model = keras.Model(inputs, outputs)
    x = np.array([[1.0, 2.0, 4.0]], "float32")
    expected = op(np.array([1.0, 2.0, 3.0], "float32"), x)
    np.testing.assert_allclose(model(x).numpy(), expected, rtol=1e-6)


def test_variable_operator_with_a_keras_tensor_on_the_right():
    inputs = keras.Input((2,))
    outputs = tf.Variable(2.0) * inputs + tf.Variable([1.0, -1.0])
    model = keras.Model(inputs, outputs)
    np.testing.assert_allclose(model(np.array([[1.0, 3.0]], "float32")).numpy(), [[3.0, 5.0]])


def test_logical_tensor_operator_with_a_keras_tensor_on_the_right():
    inputs = keras.Input((2,), dtype="bool")
    outputs = tf.constant([True, False]) & inputs
    assert tuple(outputs.shape) == (None, 2)
    model = keras.Model(inputs, outputs)
    np.testing.assert_array_equal(model(np.array([[True, True]])).numpy(), [[True, False]])


def test_tensor_operators_keep_their_errors_for_other_operands():
    inputs = keras.Input((1,))
    with pytest.raises((TypeError, ValueError)):
        tf.constant(1.0) + object()
    with pytest.raises((TypeError, ValueError)):  # TF's comparisons do not defer either
        _ = tf.constant(1.0) < inputs
    np.testing.assert_allclose((tf.constant([1.0, 2.0]) + tf.constant([3.0, 4.0])).numpy(), [4.0, 6.0])
    np.testing.assert_allclose((2.0 - tf.constant([1.0])).numpy(), [1.0])


# ------------------------------------------------------------------ keras.io "Writing your own callbacks"
def _callbacks_guide_model():
    model = keras.Sequential()
    model.add(keras.layers.Dense(1))
    model.compile(
        optimizer=keras.optimizers.RMSprop(learning_rate=0.1),
        loss="mean_squared_error",
        metrics=["mean_absolute_error"],
    )
    return model


def _callbacks_guide_data():
    rng = np.random.default_rng(4)
    x_train = rng.random((256, 784)).astype("float32")
    y_train = rng.integers(0, 10, 256).astype("float32")
    x_test = rng.random((128, 784)).astype("float32")
    y_test = rng.integers(0, 10, 128).astype("float32")
    return x_train, y_train, x_test, y_test


class CustomCallback(keras.callbacks.Callback):
    """The guide's callback that reports every hook (printing the log keys it receives)."""

    def on_train_begin(self, logs=None):
        keys = list(logs.keys())
        print(f"Starting training; got log keys: {keys}")

    def on_train_end(self, logs=None):
        keys = list(logs.keys())
        print(f"Stop training; got log keys: {keys}")

    def on_epoch_begin(self, epoch, logs=None):
        keys = list(logs.keys())
        print(f"Start epoch {epoch} of training; got log keys: {keys}")

    def on_epoch_end(self, epoch, logs=None):
        keys = list(logs.keys())
        print(f"End epoch {epoch} of training; got log keys: {keys}")

    def on_test_begin(self, logs=None):
        keys = list(logs.keys())
        print(f"Start testing; got log keys: {keys}")

    def on_test_end(self, logs=None):
        keys = list(logs.keys())
        print(f"Stop testing; got log keys: {keys}")

    def on_predict_begin(self, logs=None):
        keys = list(logs.keys())
        print(f"Start predicting; got log keys: {keys}")

    def on_predict_end(self, logs=None):
        keys = list(logs.keys())
        print(f"Stop predicting; got log keys: {keys}")

    def on_train_batch_begin(self, batch, logs=None):
        keys = list(logs.keys())
        print(f"...Training: start of batch {batch}; got log keys: {keys}")

    def on_train_batch_end(self, batch, logs=None):
        keys = list(logs.keys())
        print(f"...Training: end of batch {batch}; got log keys: {keys}")

    def on_test_batch_begin(self, batch, logs=None):
        keys = list(logs.keys())
        print(f"...Evaluating: start of batch {batch}; got log keys: {keys}")

    def on_test_batch_end(self, batch, logs=None):
        keys = list(logs.keys())
        print(f"...Evaluating: end of batch {batch}; got log keys: {keys}")

    def on_predict_batch_begin(self, batch, logs=None):
        keys = list(logs.keys())
        print(f"...Predicting: start of batch {batch}; got log keys: {keys}")

    def on_predict_batch_end(self, batch, logs=None):
        keys = list(logs.keys())
        print(f"...Predicting: end of batch {batch}; got log keys: {keys}")


def test_guide_callbacks_every_hook_sees_its_logs():
    x_train, y_train, x_test, y_test = _callbacks_guide_data()
    model = _callbacks_guide_model()
    _, text = _quiet(
        model.fit,
        x_train,
        y_train,
        batch_size=128,
        epochs=1,
        verbose=0,
        validation_split=0.5,
        callbacks=[CustomCallback()],
    )
    lines = text.splitlines()
    assert lines[0] == "Starting training; got log keys: []"
    assert lines[1] == "Start epoch 0 of training; got log keys: []"
    assert "...Training: end of batch 0; got log keys: ['loss', 'mean_absolute_error']" in lines
    assert "Start testing; got log keys: []" in lines
    assert (
        "End epoch 0 of training; got log keys: "
        "['loss', 'mean_absolute_error', 'val_loss', 'val_mean_absolute_error']"
    ) in lines
    assert lines[-1].startswith("Stop training; got log keys: ")

    _, text = _quiet(model.evaluate, x_test, y_test, batch_size=128, verbose=0, callbacks=[CustomCallback()])
    assert text.splitlines()[0] == "Start testing; got log keys: []"
    assert "Stop testing; got log keys: ['loss', 'mean_absolute_error']" in text.splitlines()

    predictions, text = _quiet(model.predict, x_test, batch_size=128, verbose=0, callbacks=[CustomCallback()])
    assert predictions.shape == (128, 1)
    lines = text.splitlines()
    assert lines[0] == "Start predicting; got log keys: []"
    assert "...Predicting: end of batch 0; got log keys: ['outputs']" in lines
    assert lines[-1] == "Stop predicting; got log keys: []"


class LossAndErrorPrintingCallback(keras.callbacks.Callback):
    def on_train_batch_end(self, batch, logs=None):
        print("Up to batch {}, the average loss is {:7.2f}.".format(batch, logs["loss"]))

    def on_test_batch_end(self, batch, logs=None):
        print("Up to batch {}, the average loss is {:7.2f}.".format(batch, logs["loss"]))

    def on_epoch_end(self, epoch, logs=None):
        print(
            "The average loss for epoch {} is {:7.2f} and mean absolute error is {:7.2f}.".format(
                epoch, logs["loss"], logs["mean_absolute_error"]
            )
        )


class EarlyStoppingAtMinLoss(keras.callbacks.Callback):
    """Stop training when the loss is at its min, i.e. the loss stops decreasing."""

    def __init__(self, patience=0):
        super().__init__()
        self.patience = patience
        self.best_weights = None

    def on_train_begin(self, logs=None):
        self.wait = 0
        self.stopped_epoch = 0
        self.best = np.inf

    def on_epoch_end(self, epoch, logs=None):
        current = logs.get("loss")
        if np.less(current, self.best):
            self.best = current
            self.wait = 0
            self.best_weights = self.model.get_weights()
        else:
            self.wait += 1
            if self.wait >= self.patience:
                self.stopped_epoch = epoch
                self.model.stop_training = True
                print("Restoring model weights from the end of the best epoch.")
                self.model.set_weights(self.best_weights)

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")


def test_guide_callbacks_printing_and_early_stopping_at_min_loss():
    x_train, y_train, _, _ = _callbacks_guide_data()
    model = _callbacks_guide_model()
    early = EarlyStoppingAtMinLoss()
    history, text = _quiet(
        model.fit,
        x_train,
        y_train,
        batch_size=64,
        epochs=30,
        verbose=0,
        callbacks=[LossAndErrorPrintingCallback(), early],
    )
    assert "Up to batch 0, the average loss is" in text
    assert "The average loss for epoch 0 is" in text
    epochs_run = len(history.history["loss"])
    assert epochs_run == 30 or early.stopped_epoch == epochs_run - 1
    if early.stopped_epoch:
        assert "Restoring model weights from the end of the best epoch." in text
        # The restored weights are the best epoch's.
        for restored, best in zip(model.get_weights(), early.best_weights):
            np.testing.assert_array_equal(restored, best)


class CustomLearningRateScheduler(keras.callbacks.Callback):
    def __init__(self, schedule):
        super().__init__()
        self.schedule = schedule

    def on_epoch_begin(self, epoch, logs=None):
        if not hasattr(self.model.optimizer, "learning_rate"):
            raise ValueError('Optimizer must have a "learning_rate" attribute.')
        lr = self.model.optimizer.learning_rate
        scheduled_lr = self.schedule(epoch, lr)
        self.model.optimizer.learning_rate = scheduled_lr
        print(f"\nEpoch {epoch}: Learning rate is {float(np.array(scheduled_lr))}.")


LR_SCHEDULE = [(3, 0.05), (6, 0.01), (9, 0.005), (12, 0.001)]


def lr_schedule(epoch, lr):
    if epoch < LR_SCHEDULE[0][0] or epoch > LR_SCHEDULE[-1][0]:
        return lr
    for i in range(len(LR_SCHEDULE)):
        if epoch == LR_SCHEDULE[i][0]:
            return LR_SCHEDULE[i][1]
    return lr


def test_guide_callbacks_custom_learning_rate_scheduler():
    x_train, y_train, _, _ = _callbacks_guide_data()
    model = _callbacks_guide_model()
    _, text = _quiet(
        model.fit,
        x_train,
        y_train,
        batch_size=64,
        epochs=15,
        verbose=0,
        callbacks=[LossAndErrorPrintingCallback(), CustomLearningRateScheduler(lr_schedule)],
    )
    rates = [
        float(line.split("is ")[1].rstrip(".")) for line in text.splitlines() if "Learning rate is" in line
    ]
    np.testing.assert_allclose(
        rates, [0.1] * 3 + [0.05] * 3 + [0.01] * 3 + [0.005] * 3 + [0.001] * 3, rtol=1e-6
    )
    np.testing.assert_allclose(float(np.array(model.optimizer.learning_rate)), 0.001, rtol=1e-6)


# ------------------------------------------------------------------ keras.io "training loop from scratch"
def test_guide_training_loop_from_scratch_with_tf_function_validation_and_model_losses():
    """The guide's later sections: a compiled (tf.function) train step, a validation loop, and a
    layer that adds its own loss through add_loss (summed from model.losses)."""

    class ActivityRegularizationLayer(keras.layers.Layer):
        def call(self, inputs):
            self.add_loss(1e-2 * tf.reduce_sum(inputs))
            return inputs

    inputs = keras.Input(shape=(784,), name="digits")
    x = keras.layers.Dense(64, activation="relu")(inputs)
    x = ActivityRegularizationLayer()(x)
    x = keras.layers.Dense(64, activation="relu")(x)
    outputs = keras.layers.Dense(10, name="predictions")(x)
    model = keras.Model(inputs=inputs, outputs=outputs)

    optimizer = keras.optimizers.SGD(learning_rate=1e-3)
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    train_acc_metric = keras.metrics.SparseCategoricalAccuracy()
    val_acc_metric = keras.metrics.SparseCategoricalAccuracy()

    @tf.function
    def train_step(x, y):
        with tf.GradientTape() as tape:
            logits = model(x, training=True)
            loss_value = loss_fn(y, logits)
            # Add any extra losses created during the forward pass.
            loss_value += sum(model.losses)
        grads = tape.gradient(loss_value, model.trainable_weights)
        optimizer.apply_gradients(zip(grads, model.trainable_weights))
        train_acc_metric.update_state(y, logits)
        return loss_value

    @tf.function
    def test_step(x, y):
        val_logits = model(x, training=False)
        val_acc_metric.update_state(y, val_logits)

    rng = np.random.default_rng(5)
    x_train = rng.normal(size=(192, 784)).astype("float32")
    y_train = rng.integers(0, 10, size=192)
    x_val, y_val = x_train[-64:], y_train[-64:]
    batch_size = 64
    losses = []
    for _epoch in range(2):
        for start in range(0, 128, batch_size):
            losses.append(
                float(train_step(x_train[start : start + batch_size], y_train[start : start + batch_size]))
            )
        train_acc = float(train_acc_metric.result())
        train_acc_metric.reset_state()
        for start in range(0, 64, batch_size):
            test_step(x_val[start : start + batch_size], y_val[start : start + batch_size])
        val_acc = float(val_acc_metric.result())
        val_acc_metric.reset_state()
        assert 0.0 <= train_acc <= 1.0 and 0.0 <= val_acc <= 1.0
    assert len(model.losses) == 1  # the activity loss of the last forward pass only
    assert all(np.isfinite(losses))


# ------------------------------------------------------------------ keras.io "Customizing fit()"
def test_guide_customizing_fit_sample_weight_with_optimizer_apply():
    """The guide's "Supporting sample_weight & class_weight" section, as written for Keras 3."""

    class CustomModel(keras.Model):
        def train_step(self, data):
            if len(data) == 3:
                x, y, sample_weight = data
            else:
                sample_weight = None
                x, y = data

            with tf.GradientTape() as tape:
                y_pred = self(x, training=True)
                loss = self.compute_loss(y=y, y_pred=y_pred, sample_weight=sample_weight)

            trainable_vars = self.trainable_variables
            gradients = tape.gradient(loss, trainable_vars)
            self.optimizer.apply(gradients, trainable_vars)

            for metric in self.metrics:
                if metric.name == "loss":
                    metric.update_state(loss)
                else:
                    metric.update_state(y, y_pred, sample_weight=sample_weight)
            return {m.name: m.result() for m in self.metrics}

    inputs = keras.Input(shape=(32,))
    outputs = keras.layers.Dense(1)(inputs)
    model = CustomModel(inputs, outputs)
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])

    rng = np.random.default_rng(6)
    x = rng.random((200, 32))
    y = rng.random((200, 1))
    sw = rng.random((200, 1))
    history = model.fit(x, y, sample_weight=sw, epochs=3, verbose=0)
    assert sorted(history.history) == ["loss", "mae"]
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert int(model.optimizer.iterations.numpy()) == 3 * 7  # ceil(200 / 32) steps per epoch


def test_optimizer_apply_without_variables_updates_the_built_ones():
    variable = tf.Variable([1.0, 2.0])
    optimizer = keras.optimizers.SGD(learning_rate=0.5)
    optimizer.build([variable])
    optimizer.apply([tf.constant([1.0, -2.0])])
    np.testing.assert_allclose(variable.numpy(), [0.5, 3.0])
    with pytest.raises(ValueError):
        keras.optimizers.SGD().apply([tf.constant(1.0)])


def test_guide_customizing_fit_gan_with_dense_networks():
    """The guide's end-to-end GAN (Dense networks stand in for its convolutions): an own compile,
    two optimizers, keras.random draws from a SeedGenerator, fit on images without labels."""
    latent_dim = 8
    discriminator = keras.Sequential(
        [
            keras.Input(shape=(6, 6, 1)),
            keras.layers.Flatten(),
            keras.layers.Dense(16),
            keras.layers.LeakyReLU(negative_slope=0.2),
            keras.layers.Dense(1),
        ],
        name="discriminator",
    )
    generator = keras.Sequential(
        [
            keras.Input(shape=(latent_dim,)),
            keras.layers.Dense(36),
            keras.layers.LeakyReLU(negative_slope=0.2),
            keras.layers.Reshape((6, 6, 1)),
        ],
        name="generator",
    )

    class GAN(keras.Model):
        def __init__(self, discriminator, generator, latent_dim):
            super().__init__()
            self.discriminator = discriminator
            self.generator = generator
            self.latent_dim = latent_dim
            self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
            self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
            self.seed_generator = keras.random.SeedGenerator(1337)

        @property
        def metrics(self):
            return [self.d_loss_tracker, self.g_loss_tracker]

        def compile(self, d_optimizer, g_optimizer, loss_fn):
            super().compile()
            self.d_optimizer = d_optimizer
            self.g_optimizer = g_optimizer
            self.loss_fn = loss_fn

        def train_step(self, real_images):
            if isinstance(real_images, tuple):
                real_images = real_images[0]
            batch_size = tf.shape(real_images)[0]
            random_latent_vectors = keras.random.normal(
                shape=(batch_size, self.latent_dim), seed=self.seed_generator
            )
            generated_images = self.generator(random_latent_vectors)
            combined_images = tf.concat([generated_images, real_images], axis=0)
            labels = tf.concat([tf.ones((batch_size, 1)), tf.zeros((batch_size, 1))], axis=0)
            labels += 0.05 * keras.random.uniform(tf.shape(labels), seed=self.seed_generator)

            with tf.GradientTape() as tape:
                predictions = self.discriminator(combined_images)
                d_loss = self.loss_fn(labels, predictions)
            grads = tape.gradient(d_loss, self.discriminator.trainable_weights)
            self.d_optimizer.apply_gradients(zip(grads, self.discriminator.trainable_weights))

            random_latent_vectors = keras.random.normal(
                shape=(batch_size, self.latent_dim), seed=self.seed_generator
            )
            misleading_labels = tf.zeros((batch_size, 1))
            with tf.GradientTape() as tape:
                predictions = self.discriminator(self.generator(random_latent_vectors))
                g_loss = self.loss_fn(misleading_labels, predictions)
            grads = tape.gradient(g_loss, self.generator.trainable_weights)
            self.g_optimizer.apply_gradients(zip(grads, self.generator.trainable_weights))

            self.d_loss_tracker.update_state(d_loss)
            self.g_loss_tracker.update_state(g_loss)
            return {"d_loss": self.d_loss_tracker.result(), "g_loss": self.g_loss_tracker.result()}

    gan = GAN(discriminator=discriminator, generator=generator, latent_dim=latent_dim)
    gan.compile(
        d_optimizer=keras.optimizers.Adam(learning_rate=0.0003),
        g_optimizer=keras.optimizers.Adam(learning_rate=0.0003),
        loss_fn=keras.losses.BinaryCrossentropy(from_logits=True),
    )
    all_digits = np.random.default_rng(7).random((64, 6, 6, 1)).astype("float32")
    history = gan.fit(all_digits, batch_size=16, epochs=2, verbose=0)
    assert sorted(history.history) == ["d_loss", "g_loss"]
    assert all(np.isfinite(v).all() for v in history.history.values())
    assert int(gan.d_optimizer.iterations.numpy()) == 8


def test_seed_generator_draws_differ_and_repeat_from_the_same_seed():
    def draws(seed):
        generator = keras.random.SeedGenerator(seed)
        return [keras.random.normal((3,), seed=generator).numpy() for _ in range(2)]

    first, second = draws(42), draws(42)
    assert not np.array_equal(first[0], first[1])
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])
    assert keras.random.uniform((4,), seed=keras.random.SeedGenerator()).shape == (4,)
    np.testing.assert_array_equal(
        keras.random.normal((2,), seed=3).numpy(), keras.random.normal((2,), seed=3).numpy()
    )
    assert float(tf.reduce_max(tf.abs(keras.random.truncated_normal((200,), seed=1)))) <= 2.0

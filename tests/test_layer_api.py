"""The Layer API: add_weight (keywords and the positional tf.keras 2 form), build and
compute_output_shape, trainable freezing, non-trainable weights, add_loss / losses with
weight and activity regularizers, constraints, get/set_weights, get/from_config,
the training argument's propagation, and Keras masking.

Expected values come from NumPy (so they hold for TF 2.21's Keras as well)."""

from __future__ import annotations

import numpy as np
import pytest
from _backend import IS_TF, tf

keras = tf.keras


class Linear(keras.layers.Layer):
    """The keras.io "making new layers" example: weights made in build with keywords."""

    def __init__(self, units=4, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(
            shape=(input_shape[-1], self.units), initializer="random_normal", trainable=True
        )
        self.b = self.add_weight(shape=(self.units,), initializer="zeros", trainable=True)
        self.count = self.add_weight(shape=(), initializer="zeros", trainable=False)

    def call(self, inputs):
        return tf.matmul(inputs, self.w) + self.b

    def compute_output_shape(self, input_shape):
        return (*tuple(input_shape)[:-1], self.units)

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def test_add_weight_keywords_and_weight_lists():
    layer = Linear(3)
    out = layer(np.ones((2, 5), "float32"))
    assert tuple(out.shape) == (2, 3)
    assert [tuple(w.shape) for w in layer.trainable_weights] == [(5, 3), (3,)]
    assert [tuple(w.shape) for w in layer.non_trainable_weights] == [()]
    assert len(layer.weights) == 3
    assert layer.compute_output_shape((None, 5)) == (None, 3)


@pytest.mark.tapegrad_only  # tf.keras 2's positional order (name first); Keras 3 starts with shape
def test_add_weight_positional_keras2_form():
    class Old(keras.layers.Layer):
        def build(self, input_shape):
            self.kernel = self.add_weight("kernel", (int(input_shape[-1]), 2), tf.float32, "ones")

        def call(self, x):
            return tf.matmul(x, self.kernel)

    layer = Old(name="old")
    np.testing.assert_allclose(layer(np.ones((1, 3), "float32")).numpy(), [[3.0, 3.0]])
    assert layer.kernel.name == "old/kernel:0"


def test_add_weight_positional_keras3_form():
    class New(keras.layers.Layer):
        def build(self, input_shape):
            self.kernel = self.add_weight((int(input_shape[-1]), 2), "ones")

        def call(self, x):
            return tf.matmul(x, self.kernel)

    np.testing.assert_allclose(New()(np.ones((1, 3), "float32")).numpy(), [[3.0, 3.0]])


def test_add_weight_without_name_or_shape():
    class Scalar(keras.layers.Layer):
        def build(self, input_shape):
            self.scale = self.add_weight(initializer="ones")

        def call(self, x):
            return x * self.scale

    layer = Scalar()
    np.testing.assert_allclose(layer(np.full((2,), 3.0, "float32")).numpy(), [3.0, 3.0])
    assert tuple(layer.scale.shape) == ()


def test_trainable_freezing_of_nested_model():
    inner = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2), keras.layers.Dense(2)])
    x = keras.Input((3,))
    model = keras.Model(x, keras.layers.Dense(1)(inner(x)))
    assert len(model.trainable_weights) == 6
    inner.layers[0].trainable = False
    assert len(model.trainable_weights) == 4
    assert len(model.non_trainable_weights) == 2
    inner.trainable = False
    assert len(model.trainable_weights) == 2
    model.trainable = False
    assert model.trainable_weights == []
    assert len(model.non_trainable_weights) == 6
    model.trainable = True
    assert len(model.trainable_weights) == 6


def test_frozen_layer_gets_no_gradient_step():
    x = keras.Input((2,))
    frozen = keras.layers.Dense(2, name="frozen")
    model = keras.Model(x, keras.layers.Dense(1)(frozen(x)))
    frozen.trainable = False
    before = [w.copy() for w in frozen.get_weights()]
    data = np.ones((4, 2), "float32")
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(model(data))
    grads = tape.gradient(loss, model.trainable_weights)
    keras.optimizers.SGD(0.1).apply_gradients(zip(grads, model.trainable_weights))
    for old, new in zip(before, frozen.get_weights()):
        np.testing.assert_array_equal(old, new)


def test_kernel_and_bias_regularizer_losses():
    layer = keras.layers.Dense(
        2,
        kernel_initializer="ones",
        bias_initializer="ones",
        kernel_regularizer=keras.regularizers.L2(0.1),
        bias_regularizer=keras.regularizers.L1(0.5),
    )
    layer(np.ones((1, 3), "float32"))
    losses = [float(v) for v in layer.losses]
    np.testing.assert_allclose(sorted(losses), sorted([0.1 * 6, 0.5 * 2]), rtol=1e-6)


def test_l1l2_regularizer_values():
    w = tf.constant([[1.0, -2.0], [3.0, -4.0]])
    np.testing.assert_allclose(
        float(keras.regularizers.L1L2(l1=0.1, l2=0.01)(w)), 0.1 * 10 + 0.01 * 30, rtol=1e-6
    )
    np.testing.assert_allclose(float(keras.regularizers.get("l2")(w)), 0.01 * 30, rtol=1e-6)
    np.testing.assert_allclose(float(keras.regularizers.get("l1")(w)), 0.01 * 10, rtol=1e-6)


def test_activity_regularizer_and_add_loss_in_call():
    class WithLoss(keras.layers.Layer):
        def call(self, x):
            self.add_loss(tf.reduce_sum(x))
            return x

    layer = WithLoss()
    layer(np.ones((2, 2), "float32"))
    assert len(layer.losses) == 1
    np.testing.assert_allclose(float(layer.losses[0]), 4.0)
    layer(np.ones((1, 2), "float32"))
    assert len(layer.losses) == 1  # cleared by the next outermost call
    np.testing.assert_allclose(float(layer.losses[0]), 2.0)

    dense = keras.layers.Dense(2, kernel_initializer="ones", use_bias=False, activity_regularizer="l2")
    dense(np.ones((2, 3), "float32"))
    assert len(dense.losses) == 1
    np.testing.assert_allclose(float(dense.losses[0]), 0.01 * 36.0 / 2, rtol=1e-6)  # per sample


def test_losses_of_model_collect_sublayers():
    x = keras.Input((3,))
    y = keras.layers.Dense(2, kernel_regularizer=keras.regularizers.L2(1.0), kernel_initializer="ones")(x)
    model = keras.Model(x, keras.layers.Dense(1, kernel_regularizer="l1", kernel_initializer="ones")(y))
    model(np.ones((1, 3), "float32"))
    np.testing.assert_allclose(sorted(float(v) for v in model.losses), sorted([6.0, 0.01 * 2]), rtol=1e-6)


def test_constraints():
    w = tf.constant([[3.0, -4.0], [-1.0, 0.0]])
    np.testing.assert_allclose(keras.constraints.NonNeg()(w).numpy(), [[3.0, 0.0], [0.0, 0.0]])
    unit = keras.constraints.UnitNorm(axis=0)(w).numpy()
    np.testing.assert_allclose(np.linalg.norm(unit, axis=0), [1.0, 1.0], rtol=1e-5)
    capped = keras.constraints.MaxNorm(2.0, axis=0)(w).numpy()
    np.testing.assert_allclose(np.linalg.norm(capped, axis=0), [2.0, 2.0], rtol=1e-5)
    mm = keras.constraints.MinMaxNorm(0.5, 1.0, axis=0)(w).numpy()
    np.testing.assert_allclose(np.linalg.norm(mm, axis=0), [1.0, 1.0], rtol=1e-5)


def test_get_and_set_weights():
    layer = keras.layers.Dense(2)
    layer(np.ones((1, 3), "float32"))
    values = [np.arange(6, dtype="float32").reshape(3, 2), np.array([1.0, -1.0], "float32")]
    layer.set_weights(values)
    for got, want in zip(layer.get_weights(), values):
        np.testing.assert_array_equal(got, want)
    with pytest.raises(ValueError):
        layer.set_weights(values[:1])
    with pytest.raises(ValueError):
        layer.set_weights([np.ones((2, 2)), np.ones(2)])


def test_get_config_from_config_round_trip():
    layer = keras.layers.Dense(5, activation="relu", use_bias=False, name="cfg_dense")
    config = layer.get_config()
    assert config["units"] == 5 and config["use_bias"] is False and config["name"] == "cfg_dense"
    clone = keras.layers.Dense.from_config(config)
    assert clone.units == 5 and clone.use_bias is False
    custom = Linear.from_config(Linear(7).get_config())
    assert custom.units == 7


def test_training_propagates_to_inner_layers():
    class Block(keras.Model):
        def __init__(self):
            super().__init__()
            self.drop = keras.layers.Dropout(0.5)

        def call(self, x):  # no `training` argument: Keras passes the outer value down
            return self.drop(x)

    class Outer(keras.Model):
        def __init__(self):
            super().__init__()
            self.block = Block()

        def call(self, x, training=None):
            return self.block(x)

    model = Outer()
    data = np.ones((4, 50), "float32")
    np.testing.assert_array_equal(model(data).numpy(), data)
    trained = model(data, training=True).numpy()
    assert (trained == 0).any()
    block = Block()  # its call takes no `training`: an explicit one still reaches the Dropout
    np.testing.assert_array_equal(block(data).numpy(), data)
    assert (block(data, training=True).numpy() == 0).any()


def test_embedding_mask_zero_and_compute_mask():
    emb = keras.layers.Embedding(5, 2, mask_zero=True)
    ids = np.array([[1, 2, 0, 0], [3, 0, 0, 0]])
    mask = emb.compute_mask(ids)
    np.testing.assert_array_equal(mask.numpy(), ids != 0)


def test_mask_reaches_a_layer_whose_call_takes_mask():
    seen = {}

    class MaskedMean(keras.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.supports_masking = True

        def call(self, x, mask=None):
            seen["mask"] = mask
            weights = tf.cast(mask, x.dtype)[..., None]
            return tf.reduce_sum(x * weights, axis=1) / tf.reduce_sum(weights, axis=1)

        def compute_mask(self, inputs, mask=None):
            return None

    ids = np.array([[1, 2, 0], [3, 0, 0]])
    x = keras.Input((3,), dtype="int32")
    emb = keras.layers.Embedding(4, 2, mask_zero=True, embeddings_initializer="ones")
    model = keras.Model(x, MaskedMean()(emb(x)))
    out = model(ids)
    np.testing.assert_allclose(out.numpy(), np.ones((2, 2)), rtol=1e-6)
    np.testing.assert_array_equal(np.asarray(seen["mask"]), ids != 0)


@pytest.mark.skipif(IS_TF, reason="tapegrad's mask lookup helper")
def test_get_keras_mask_helper():
    from tapegrad.keras.layers.base import get_keras_mask

    emb = tf.keras.layers.Embedding(4, 2, mask_zero=True)
    out = emb(np.array([[1, 0]]))
    np.testing.assert_array_equal(get_keras_mask(out).numpy(), [[True, False]])


def test_masking_layer_mask_and_values():
    data = np.array([[[1.0, 2.0], [0.0, 0.0], [3.0, 0.0]]], "float32")
    layer = keras.layers.Masking(mask_value=0.0)
    np.testing.assert_array_equal(layer.compute_mask(data).numpy(), [[True, False, True]])
    np.testing.assert_array_equal(layer(data).numpy(), data)
    masked = keras.layers.Masking(mask_value=1.0)(np.ones((1, 2, 2), "float32"))
    np.testing.assert_array_equal(masked.numpy(), np.zeros((1, 2, 2)))

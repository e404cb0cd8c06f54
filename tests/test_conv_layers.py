"""Keras convolution, pooling and spatial layers.

Shapes, weights (names and shapes), configs and values with set weights are compared with
numpy computations of Keras's definitions (this file passes under
``TAPEGRAD_TEST_BACKEND=tensorflow`` too); errors match Keras's for bad input; TF's
"advanced" CNN quickstart and the DCGAN tutorial's models train on small synthetic data.
"""

from __future__ import annotations

import numpy as np
import pytest
from _backend import tf, to_numpy
from test_conv import np_conv2d
from test_pooling import np_pool2d

layers = tf.keras.layers


def _x(shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype(np.float32)


def test_conv2d_layer_values_weights_and_config():
    layer = layers.Conv2D(4, 3, strides=2, padding="same", activation="relu")
    x = _x((2, 7, 6, 3))
    y = layer(x)
    assert tuple(y.shape) == (2, 4, 3, 4)
    assert [tuple(w.shape) for w in layer.weights] == [(3, 3, 3, 4), (4,)]
    assert [w.name.split("/")[-1].split(":")[0] for w in layer.weights] == ["kernel", "bias"]
    k, b = (w.numpy() for w in layer.weights)
    bias = np.linspace(-0.5, 0.5, 4).astype(np.float32)
    layer.set_weights([k, bias])
    want = np.maximum(np_conv2d(x.astype(np.float64), k.astype(np.float64), (2, 2), (1, 1), "SAME") + bias, 0)
    np.testing.assert_allclose(to_numpy(layer(x)), want, rtol=1e-4, atol=1e-5)
    config = layer.get_config()
    for key, value in {
        "filters": 4,
        "kernel_size": (3, 3),
        "strides": (2, 2),
        "padding": "same",
        "data_format": "channels_last",
        "dilation_rate": (1, 1),
        "groups": 1,
        "activation": "relu",
        "use_bias": True,
    }.items():
        assert config[key] == value, key
    assert np.abs(k).max() <= np.sqrt(6 / (27 + 36)) + 1e-6  # glorot_uniform over (kh·kw·in, kh·kw·out)


def test_conv1d_conv2d_transpose_depthwise_separable_shapes():
    assert tuple(layers.Conv1D(5, 3)(_x((2, 10, 3))).shape) == (2, 8, 5)
    assert tuple(layers.Conv1D(5, 3, padding="causal", dilation_rate=2)(_x((2, 10, 3))).shape) == (2, 10, 5)
    t = layers.Conv2DTranspose(6, 5, strides=2, padding="same")
    assert tuple(t(_x((2, 7, 7, 4))).shape) == (2, 14, 14, 6)
    assert tuple(t.kernel.shape) == (5, 5, 6, 4)
    assert tuple(layers.Conv2DTranspose(2, 3)(_x((1, 4, 4, 3))).shape) == (1, 6, 6, 2)
    d = layers.DepthwiseConv2D(3, depth_multiplier=2, padding="same")
    assert tuple(d(_x((2, 5, 5, 3))).shape) == (2, 5, 5, 6)
    s = layers.SeparableConv2D(7, 3)
    assert tuple(s(_x((2, 6, 6, 3))).shape) == (2, 4, 4, 7)
    assert [tuple(w.shape) for w in s.weights] == [(3, 3, 3, 1), (1, 1, 3, 7), (7,)]


def test_conv2d_transpose_values():
    layer = layers.Conv2DTranspose(2, 3, strides=2, padding="same", use_bias=False)
    x = _x((1, 3, 3, 2), 1)
    y = to_numpy(layer(x))
    k = layer.kernel.numpy()
    # the transposed conv is the adjoint of conv2d: <y, z> = <x, conv2d(z, k)>
    z = _x(y.shape, 2).astype(np.float64)
    lhs = float((y * z).sum())
    rhs = float((x * np_conv2d(z, k.astype(np.float64), (2, 2), (1, 1), "SAME")).sum())
    np.testing.assert_allclose(lhs, rhs, rtol=1e-4)


def test_pooling_layers():
    x = _x((2, 6, 5, 3))
    y = layers.MaxPooling2D()(x)
    np.testing.assert_allclose(to_numpy(y), np_pool2d(x.astype(np.float64), "max", (2, 2), (2, 2), "VALID"))
    y = layers.AveragePooling2D(3, strides=1, padding="same")(x)
    np.testing.assert_allclose(
        to_numpy(y), np_pool2d(x.astype(np.float64), "avg", (3, 3), (1, 1), "SAME"), rtol=1e-5, atol=1e-6
    )
    x1 = _x((2, 7, 3))
    assert tuple(layers.MaxPooling1D()(x1).shape) == (2, 3, 3)
    assert tuple(layers.AveragePooling1D(3, strides=2, padding="same")(x1).shape) == (2, 4, 3)
    np.testing.assert_allclose(to_numpy(layers.GlobalAveragePooling2D()(x)), x.mean(axis=(1, 2)), rtol=1e-5)
    np.testing.assert_allclose(to_numpy(layers.GlobalMaxPooling2D()(x)), x.max(axis=(1, 2)))
    np.testing.assert_allclose(to_numpy(layers.GlobalMaxPooling1D()(x1)), x1.max(axis=1))
    assert tuple(layers.GlobalAveragePooling1D(keepdims=True)(x1).shape) == (2, 1, 3)
    config = layers.MaxPooling2D().get_config()
    assert (config["pool_size"], config["strides"], config["padding"]) == ((2, 2), (2, 2), "valid")


def test_spatial_layers():
    x = _x((1, 2, 3, 2))
    up = to_numpy(layers.UpSampling2D()(x))
    np.testing.assert_array_equal(up, x.repeat(2, axis=1).repeat(2, axis=2))
    assert layers.UpSampling2D().get_config()["interpolation"] == "nearest"
    bil = to_numpy(layers.UpSampling2D(interpolation="bilinear")(x))
    assert bil.shape == (1, 4, 6, 2)
    # half-pixel centres: the first output row samples row -0.25, clamped to row 0
    np.testing.assert_allclose(bil[0, 0, 0], x[0, 0, 0], rtol=1e-6)
    np.testing.assert_allclose(bil[0, 1, 0], 0.75 * x[0, 0, 0] + 0.25 * x[0, 1, 0], rtol=1e-5)
    padded = to_numpy(layers.ZeroPadding2D(((1, 0), (2, 1)))(x))
    np.testing.assert_array_equal(padded, np.pad(x, [(0, 0), (1, 0), (2, 1), (0, 0)]))
    assert layers.ZeroPadding2D().get_config()["padding"] == ((1, 1), (1, 1))
    cropped = to_numpy(layers.Cropping2D(((1, 0), (1, 1)))(_x((1, 4, 5, 2))))
    np.testing.assert_array_equal(cropped, _x((1, 4, 5, 2))[:, 1:, 1:4])


def np_resize_bilinear(x, out_h, out_w):
    """TF2's half-pixel bilinear resize of NHWC ``x``, in float64."""

    def taps(out, size):
        pos = (np.arange(out) + 0.5) * (size / out) - 0.5
        lo = np.maximum(np.floor(pos), 0).astype(int)
        hi = np.minimum(np.ceil(pos), size - 1).astype(int)
        return lo, hi, pos - np.floor(pos)

    ylo, yhi, yl = taps(out_h, x.shape[1])
    xlo, xhi, xl = taps(out_w, x.shape[2])
    top = x[:, ylo][:, :, xlo] + (x[:, ylo][:, :, xhi] - x[:, ylo][:, :, xlo]) * xl[None, None, :, None]
    bot = x[:, yhi][:, :, xlo] + (x[:, yhi][:, :, xhi] - x[:, yhi][:, :, xlo]) * xl[None, None, :, None]
    return top + (bot - top) * yl[None, :, None, None]


@pytest.mark.parametrize("size", [(2, 2), (6, 8), (5, 3), (3, 4)])
def test_image_resize(size):
    x = _x((2, 3, 4, 2))
    down = to_numpy(tf.image.resize(x, size, method="bilinear"))
    assert down.dtype == np.float32
    np.testing.assert_allclose(down, np_resize_bilinear(x.astype(np.float64), *size), rtol=1e-5, atol=1e-6)
    near = to_numpy(tf.image.resize(x, size, method="nearest"))
    rows = np.minimum(np.floor((np.arange(size[0]) + 0.5) * 3 / size[0]).astype(int), 2)
    cols = np.minimum(np.floor((np.arange(size[1]) + 0.5) * 4 / size[1]).astype(int), 3)
    np.testing.assert_array_equal(near, x[:, rows][:, :, cols])


def test_layer_errors():
    with pytest.raises(ValueError, match="min_ndim=4"):
        layers.Conv2D(2, 3)(_x((5, 5, 3)))
    with pytest.raises(ValueError, match="zero or negative"):
        layers.Conv2D(2, 3)(_x((1, 2, 2, 3)))
    with pytest.raises(ValueError, match="padding"):
        layers.Conv2D(2, 3, padding="foo")
    conv = layers.Conv2D(2, 3)
    conv(_x((1, 5, 5, 3)))
    with pytest.raises(ValueError, match="incompatible"):
        conv(_x((1, 5, 5, 4)))


def _quickstart(tf):
    """TF's "advanced" quickstart: the model, loss, optimizer, metrics and train_step, verbatim."""
    from_logits_loss = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)

    class MyModel(tf.keras.Model):
        def __init__(self):
            super().__init__()
            self.conv1 = tf.keras.layers.Conv2D(32, 3, activation="relu")
            self.flatten = tf.keras.layers.Flatten()
            self.d1 = tf.keras.layers.Dense(128, activation="relu")
            self.d2 = tf.keras.layers.Dense(10)

        def call(self, x):
            x = self.conv1(x)
            x = self.flatten(x)
            x = self.d1(x)
            return self.d2(x)

    model = MyModel()
    optimizer = tf.keras.optimizers.Adam()
    train_loss = tf.keras.metrics.Mean(name="train_loss")
    train_accuracy = tf.keras.metrics.SparseCategoricalAccuracy(name="train_accuracy")

    @tf.function
    def train_step(images, labels):
        with tf.GradientTape() as tape:
            predictions = model(images, training=True)
            loss = from_logits_loss(labels, predictions)
        gradients = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables))
        train_loss(loss)
        train_accuracy(labels, predictions)
        return loss

    return model, train_step, train_loss, train_accuracy


def test_quickstart_loss_decreases():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 10, size=64)
    # each class is a distinct bright square on noise: learnable in a few steps
    images = rng.normal(scale=0.1, size=(64, 28, 28, 1)).astype(np.float32)
    for i, c in enumerate(labels):
        images[i, 2 * c : 2 * c + 6, 2 * c : 2 * c + 6, 0] += 1.0
    model, train_step, train_loss, train_accuracy = _quickstart(tf)
    losses = [float(train_step(images[:32], labels[:32])) for _ in range(8)]
    assert losses[-1] < losses[0]
    assert len(model.trainable_variables) == 6
    assert 0.0 <= float(train_accuracy.result()) <= 1.0


@pytest.mark.skipif(
    not (hasattr(tf.keras.layers, "BatchNormalization") and hasattr(tf.keras.layers, "LeakyReLU")),
    reason="the DCGAN models need BatchNormalization and LeakyReLU",
)
def test_dcgan_models_train():
    """The DCGAN tutorial's generator and discriminator, one training step on noise."""
    L = tf.keras.layers

    def make_generator_model():
        model = tf.keras.Sequential()
        model.add(L.Dense(7 * 7 * 32, use_bias=False, input_shape=(16,)))
        model.add(L.BatchNormalization())
        model.add(L.LeakyReLU())
        model.add(L.Reshape((7, 7, 32)))
        model.add(L.Conv2DTranspose(16, (5, 5), strides=(1, 1), padding="same", use_bias=False))
        model.add(L.BatchNormalization())
        model.add(L.LeakyReLU())
        model.add(L.Conv2DTranspose(8, (5, 5), strides=(2, 2), padding="same", use_bias=False))
        model.add(L.BatchNormalization())
        model.add(L.LeakyReLU())
        model.add(
            L.Conv2DTranspose(1, (5, 5), strides=(2, 2), padding="same", use_bias=False, activation="tanh")
        )
        return model

    def make_discriminator_model():
        model = tf.keras.Sequential()
        model.add(L.Conv2D(8, (5, 5), strides=(2, 2), padding="same", input_shape=[28, 28, 1]))
        model.add(L.LeakyReLU())
        model.add(L.Dropout(0.3))
        model.add(L.Conv2D(16, (5, 5), strides=(2, 2), padding="same"))
        model.add(L.LeakyReLU())
        model.add(L.Dropout(0.3))
        model.add(L.Flatten())
        model.add(L.Dense(1))
        return model

    generator, discriminator = make_generator_model(), make_discriminator_model()
    cross_entropy = tf.keras.losses.BinaryCrossentropy(from_logits=True)
    gen_opt, disc_opt = tf.keras.optimizers.Adam(1e-4), tf.keras.optimizers.Adam(1e-4)
    images = np.random.default_rng(0).uniform(-1, 1, size=(8, 28, 28, 1)).astype(np.float32)
    noise = tf.random.normal([8, 16])
    with tf.GradientTape() as gen_tape, tf.GradientTape() as disc_tape:
        generated = generator(noise, training=True)
        assert tuple(generated.shape) == (8, 28, 28, 1)
        real_output = discriminator(images, training=True)
        fake_output = discriminator(generated, training=True)
        gen_loss = cross_entropy(tf.ones_like(fake_output), fake_output)
        disc_loss = cross_entropy(tf.ones_like(real_output), real_output) + cross_entropy(
            tf.zeros_like(fake_output), fake_output
        )
    g_grads = gen_tape.gradient(gen_loss, generator.trainable_variables)
    d_grads = disc_tape.gradient(disc_loss, discriminator.trainable_variables)
    assert all(g is not None for g in g_grads + d_grads)
    gen_opt.apply_gradients(zip(g_grads, generator.trainable_variables))
    disc_opt.apply_gradients(zip(d_grads, discriminator.trainable_variables))


def test_cnn_step_matches_numpy_gradients():
    """A Conv2D -> MaxPooling2D -> Dense chain's loss gradient in the kernel vs finite differences."""
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 6, 6, 1))
    conv = layers.Conv2D(2, 3, activation="tanh", dtype="float64")
    pool = layers.MaxPooling2D(dtype="float64")
    flat = layers.Flatten(dtype="float64")
    dense = layers.Dense(1, dtype="float64")
    out = dense(flat(pool(conv(x))))
    assert tuple(out.shape) == (2, 1)
    kernel = conv.kernel

    def loss_value():
        return float(tf.reduce_sum(dense(flat(pool(conv(x)))) ** 2))

    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(dense(flat(pool(conv(x)))) ** 2)
    g = to_numpy(tape.gradient(loss, kernel))
    k0 = kernel.numpy()
    eps = 1e-6
    for idx in [(0, 0, 0, 0), (1, 2, 0, 1), (2, 1, 0, 0)]:
        kp = k0.copy()
        kp[idx] += eps
        kernel.assign(kp)
        up = loss_value()
        kp[idx] -= 2 * eps
        kernel.assign(kp)
        down = loss_value()
        kernel.assign(k0)
        np.testing.assert_allclose(g[idx], (up - down) / (2 * eps), rtol=1e-5, atol=1e-8)


def test_dcgan_shaped_models_train_without_batchnorm():
    """The DCGAN tutorial's conv stacks with BatchNormalization left out and LeakyReLU as a Lambda."""
    L = tf.keras.layers

    def leaky():
        return L.Lambda(lambda t: tf.nn.leaky_relu(t, alpha=0.3))

    generator = tf.keras.Sequential([
        L.Dense(7 * 7 * 16, use_bias=False),
        leaky(),
        L.Reshape((7, 7, 16)),
        L.Conv2DTranspose(8, (5, 5), strides=(1, 1), padding="same", use_bias=False),
        leaky(),
        L.Conv2DTranspose(4, (5, 5), strides=(2, 2), padding="same", use_bias=False),
        leaky(),
        L.Conv2DTranspose(1, (5, 5), strides=(2, 2), padding="same", use_bias=False, activation="tanh"),
    ])
    discriminator = tf.keras.Sequential([
        L.Conv2D(4, (5, 5), strides=(2, 2), padding="same"),
        leaky(),
        L.Conv2D(8, (5, 5), strides=(2, 2), padding="same"),
        leaky(),
        L.Flatten(),
        L.Dense(1),
    ])
    cross_entropy = tf.keras.losses.BinaryCrossentropy(from_logits=True)
    opt = tf.keras.optimizers.Adam(1e-3)
    images = np.random.default_rng(0).uniform(-1, 1, size=(4, 28, 28, 1)).astype(np.float32)
    noise = tf.constant(np.random.default_rng(1).normal(size=(4, 8)).astype(np.float32))
    losses = []
    for _ in range(3):
        with tf.GradientTape() as disc_tape:
            generated = generator(noise, training=True)
            real_output = discriminator(images, training=True)
            fake_output = discriminator(generated, training=True)
            disc_loss = cross_entropy(tf.ones_like(real_output), real_output) + cross_entropy(
                tf.zeros_like(fake_output), fake_output
            )
        assert tuple(generated.shape) == (4, 28, 28, 1)
        grads = disc_tape.gradient(disc_loss, discriminator.trainable_variables)
        assert all(g is not None for g in grads)
        opt.apply_gradients(zip(grads, discriminator.trainable_variables))
        losses.append(float(disc_loss))
    assert losses[-1] < losses[0]
    with tf.GradientTape() as gen_tape:
        fake_output = discriminator(generator(noise, training=True), training=True)
        gen_loss = cross_entropy(tf.ones_like(fake_output), fake_output)
    g_grads = gen_tape.gradient(gen_loss, generator.trainable_variables)
    assert len(g_grads) == 4 and all(g is not None for g in g_grads)

"""Keras layers beyond Dense: normalization, activation, regularization, merging, reshaping,
preprocessing. Values are checked against NumPy formulas (and, run with
TAPEGRAD_TEST_BACKEND=tensorflow, against TF 2.21's Keras 3); gradients against
finite differences in float64."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest
from _backend import tf as backend_tf
from _backend import to_numpy
from gradcheck import check_gradients
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import seeds, shapes

RNG = np.random.default_rng(0)


def _data(*shape, seed=0, dtype=np.float32):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def _away_from_zero(*shape, seed=0):
    x = _data(*shape, seed=seed, dtype=np.float64)
    return np.where(np.abs(x) < 0.1, x + 0.3 * np.sign(x + 1e-12), x)


def _fd_variable_gradient(loss, variable, eps=1e-6):
    """Central differences of the scalar ``loss()`` with respect to each element of ``variable``."""
    base = to_numpy(variable).copy()
    grad = np.zeros_like(base)
    for index in np.ndindex(base.shape):
        for sign in (1, -1):
            shifted = base.copy()
            shifted[index] += sign * eps
            variable.assign(shifted)
            grad[index] += sign * float(to_numpy(loss())) / (2 * eps)
    variable.assign(base)
    return grad


def _np_batchnorm(x, mean, var, gamma, beta, eps):
    return (x - mean) / np.sqrt(var + eps) * gamma + beta


# ---------------------------------------------------------------- BatchNormalization
def test_batch_norm_training_uses_batch_statistics_and_updates_moving_ones(tf):
    x = _data(8, 3) * 2 + 1
    bn = tf.keras.layers.BatchNormalization(momentum=0.9)
    y = to_numpy(bn(x, training=True))
    mean, var = x.mean(0), x.var(0)
    np.testing.assert_allclose(y, _np_batchnorm(x, mean, var, 1, 0, 1e-3), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(to_numpy(bn.moving_mean), 0.1 * mean, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(to_numpy(bn.moving_variance), 0.9 + 0.1 * var, rtol=1e-5)
    assert [w.shape for w in bn.trainable_weights] == [(3,), (3,)]
    assert len(bn.non_trainable_weights) == 2
    assert len(bn.weights) == 4


def test_batch_norm_inference_is_the_default(tf):
    x = _data(5, 4)
    bn = tf.keras.layers.BatchNormalization(epsilon=0.01)
    bn(x, training=True)
    moving_mean, moving_var = to_numpy(bn.moving_mean), to_numpy(bn.moving_variance)
    expected = _np_batchnorm(x, moving_mean, moving_var, 1, 0, 0.01)
    for kwargs in ({}, {"training": None}, {"training": False}):
        np.testing.assert_allclose(to_numpy(bn(x, **kwargs)), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(to_numpy(bn.moving_mean), moving_mean)  # inference leaves them alone


def test_batch_norm_frozen_layer_runs_in_inference_mode(tf):
    x = _data(6, 2)
    bn = tf.keras.layers.BatchNormalization()
    bn.build((None, 2))
    bn.trainable = False
    np.testing.assert_allclose(to_numpy(bn(x, training=True)), x / np.sqrt(1 + 1e-3), rtol=1e-6)
    np.testing.assert_allclose(to_numpy(bn.moving_mean), 0.0)


def test_batch_norm_axis_1_of_images(tf):
    x = _data(4, 3, 5, 2, seed=1)
    bn = tf.keras.layers.BatchNormalization(axis=1, center=False)
    y = to_numpy(bn(x, training=True))
    mean = x.mean(axis=(0, 2, 3), keepdims=True)
    var = x.var(axis=(0, 2, 3), keepdims=True)
    np.testing.assert_allclose(y, (x - mean) / np.sqrt(var + 1e-3), rtol=1e-4, atol=1e-5)
    assert [tuple(w.shape) for w in bn.weights] == [(3,), (3,), (3,)]  # gamma, moving mean/var


def test_batch_norm_gradients_through_batch_statistics(tf):
    bn = tf.keras.layers.BatchNormalization(dtype="float64", epsilon=0.1)
    x = _data(6, 3, seed=2, dtype=np.float64)
    bn.build((None, 3))
    bn.gamma.assign(np.array([1.5, -0.5, 2.0]))
    bn.beta.assign(np.array([0.1, 0.2, -0.3]))
    # Training mode: the moving statistics change on every call but do not affect the output.
    check_gradients(lambda t: bn(t, training=True), [x], order=1)
    check_gradients(lambda t: bn(t, training=False), [x], order=2)
    w = tf.constant(_data(6, 3, seed=3, dtype=np.float64))

    def loss():
        return tf.reduce_sum(w * bn(tf.constant(x), training=True))

    with tf.GradientTape() as tape:
        value = loss()
    grads = tape.gradient(value, bn.trainable_weights)
    for grad, variable in zip(grads, bn.trainable_weights):
        np.testing.assert_allclose(
            to_numpy(grad), _fd_variable_gradient(loss, variable), rtol=1e-6, atol=1e-8
        )


def test_batch_norm_config_and_defaults(tf):
    bn = tf.keras.layers.BatchNormalization()
    config = bn.get_config()
    assert config["axis"] == -1 and config["momentum"] == 0.99 and config["epsilon"] == 0.001
    assert config["center"] is True and config["scale"] is True
    clone = tf.keras.layers.BatchNormalization(**{**config, "momentum": 0.5, "name": "bn_clone"})
    assert clone.momentum == 0.5


@pytest.mark.tapegrad_only
def test_batch_norm_variable_names_follow_tf_keras_2(tf):
    bn = tf.keras.layers.BatchNormalization(name="bn")
    bn(np.zeros((2, 3), np.float32))
    assert [w.name for w in bn.weights] == [
        "bn/gamma:0",
        "bn/beta:0",
        "bn/moving_mean:0",
        "bn/moving_variance:0",
    ]


def test_batch_norm_wrong_last_dimension_names_layer_and_shapes(tf):
    bn = tf.keras.layers.BatchNormalization(name="bn_check")
    bn(np.zeros((2, 3), np.float32))
    with pytest.raises(ValueError, match=r"'bn_check'.*axis -1 .*value 3.*\(2, 4\)"):
        bn(np.zeros((2, 4), np.float32))
    with pytest.raises(ValueError, match=r"'bn_check'.*expected ndim=2, found ndim=3"):
        bn(np.zeros((2, 5, 3), np.float32))


# ---------------------------------------------------------------- Layer / Group normalization
def test_layer_norm_matches_numpy_and_gradients(tf):
    x = _data(3, 4, 5, seed=4)
    layer = tf.keras.layers.LayerNormalization()
    mean, var = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
    np.testing.assert_allclose(to_numpy(layer(x)), (x - mean) / np.sqrt(var + 1e-3), rtol=1e-4, atol=1e-5)
    assert [tuple(w.shape) for w in layer.trainable_weights] == [(5,), (5,)]
    layer2 = tf.keras.layers.LayerNormalization(axis=[1, 2], epsilon=1e-5)
    mean, var = x.mean((1, 2), keepdims=True), x.var((1, 2), keepdims=True)
    np.testing.assert_allclose(to_numpy(layer2(x)), (x - mean) / np.sqrt(var + 1e-5), rtol=1e-4, atol=1e-5)
    assert [tuple(w.shape) for w in layer2.trainable_weights] == [(4, 5), (4, 5)]
    layer64 = tf.keras.layers.LayerNormalization(axis=1, dtype="float64", gamma_initializer="random_normal")
    check_gradients(layer64, [_data(3, 4, 2, seed=5, dtype=np.float64)], order=1)


def test_layer_norm_gamma_beta_gradients(tf):
    layer = tf.keras.layers.LayerNormalization(dtype="float64")
    x = tf.constant(_data(4, 3, seed=6, dtype=np.float64))
    w = tf.constant(_data(4, 3, seed=7, dtype=np.float64))
    layer(x)
    layer.gamma.assign([0.5, 2.0, -1.0])

    def loss():
        return tf.reduce_sum(w * layer(x))

    with tf.GradientTape() as tape:
        value = loss()
    for grad, variable in zip(tape.gradient(value, layer.trainable_weights), layer.trainable_weights):
        np.testing.assert_allclose(
            to_numpy(grad), _fd_variable_gradient(loss, variable), rtol=1e-6, atol=1e-8
        )


@pytest.mark.parametrize("axis", [-1, 1])
def test_group_norm_matches_numpy(tf, axis):
    x = _data(2, 6, 3, 4, seed=8) if axis == 1 else _data(2, 3, 4, 6, seed=8)
    layer = tf.keras.layers.GroupNormalization(groups=3, axis=axis)
    xg = np.moveaxis(x, axis, -1).reshape(2, 3, 4, 3, 2)  # channels split into (groups, 2)
    mean = xg.mean(axis=(1, 2, 4), keepdims=True)
    var = xg.var(axis=(1, 2, 4), keepdims=True)
    expected = np.moveaxis(((xg - mean) / np.sqrt(var + 1e-3)).reshape(2, 3, 4, 6), -1, axis)
    np.testing.assert_allclose(to_numpy(layer(x)), expected, rtol=1e-4, atol=1e-5)
    layer64 = tf.keras.layers.GroupNormalization(groups=2, dtype="float64", beta_initializer="random_normal")
    check_gradients(layer64, [_data(2, 3, 4, seed=9, dtype=np.float64)], order=1)


def test_group_norm_bad_groups(tf):
    with pytest.raises(ValueError, match="groups"):
        tf.keras.layers.GroupNormalization(groups=0)
    with pytest.raises(ValueError, match=r"Number of groups \(4\) must be a multiple"):
        tf.keras.layers.GroupNormalization(groups=4)(np.zeros((2, 6), np.float32))
    instance = tf.keras.layers.GroupNormalization(groups=-1)
    x = _data(2, 5, 3)
    mean, var = x.mean(1, keepdims=True), x.var(1, keepdims=True)
    np.testing.assert_allclose(to_numpy(instance(x)), (x - mean) / np.sqrt(var + 1e-3), rtol=1e-4, atol=1e-5)


@settings(max_examples=10)
@given(shape=shapes(min_dims=2, max_dims=4, min_side=2), data=st.data(), seed=seeds)
def test_normalization_layers_on_drawn_shapes(shape, data, seed):
    tf = backend_tf
    rank = len(shape)
    x = np.random.default_rng(seed).standard_normal(shape)
    axis = data.draw(st.integers(-rank, rank - 1), label="axis")
    bn = tf.keras.layers.BatchNormalization(axis=axis, dtype="float64", epsilon=0.01)
    reduce = tuple(a for a in range(rank) if a != axis % rank)
    expected = (x - x.mean(reduce, keepdims=True)) / np.sqrt(x.var(reduce, keepdims=True) + 0.01)
    np.testing.assert_allclose(to_numpy(bn(x, training=True)), expected, rtol=1e-9, atol=1e-10)
    check_gradients(lambda t: bn(t, training=True), [x], order=1)
    axes = sorted(data.draw(st.sets(st.integers(1, rank - 1), min_size=1), label="layer norm axes"))
    ln = tf.keras.layers.LayerNormalization(axis=axes, dtype="float64", epsilon=0.01)
    keep = tuple(axes)
    expected = (x - x.mean(keep, keepdims=True)) / np.sqrt(x.var(keep, keepdims=True) + 0.01)
    np.testing.assert_allclose(to_numpy(ln(x)), expected, rtol=1e-9, atol=1e-10)
    check_gradients(ln, [x], order=1)


def test_rms_and_unit_normalization(tf):
    x = _data(3, 4, 5, seed=13)
    rms = tf.keras.layers.RMSNormalization()
    np.testing.assert_allclose(
        to_numpy(rms(x)), x / np.sqrt(np.mean(x**2, -1, keepdims=True) + 1e-6), rtol=1e-5, atol=1e-6
    )
    assert tuple(rms.scale.shape) == (5,)
    unit = tf.keras.layers.UnitNormalization(axis=[1, 2])
    np.testing.assert_allclose(
        to_numpy(unit(x)), x / np.sqrt(np.sum(x**2, axis=(1, 2), keepdims=True)), rtol=1e-5, atol=1e-6
    )
    check_gradients(tf.keras.layers.RMSNormalization(dtype="float64"), [_data(2, 3, dtype=np.float64)])
    check_gradients(tf.keras.layers.UnitNormalization(dtype="float64"), [_data(2, 3, dtype=np.float64)])


# ---------------------------------------------------------------- activations
def test_leaky_relu_default_slope_and_alpha_keyword(tf):
    x = _data(3, 4)
    np.testing.assert_allclose(
        to_numpy(tf.keras.layers.LeakyReLU()(x)), np.where(x >= 0, x, 0.3 * x), rtol=1e-6
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        layer = tf.keras.layers.LeakyReLU(alpha=0.1)
    assert any("alpha" in str(w.message) for w in caught)
    np.testing.assert_allclose(to_numpy(layer(x)), np.where(x >= 0, x, 0.1 * x), rtol=1e-6)
    assert layer.get_config()["negative_slope"] == 0.1
    with pytest.raises(ValueError, match="negative_slope"):
        tf.keras.layers.LeakyReLU(negative_slope=-1.0)
    check_gradients(tf.keras.layers.LeakyReLU(0.2, dtype="float64"), [_away_from_zero(3, 4)])


def test_prelu_shared_axes_and_gradients(tf):
    x = _data(2, 3, 4, 5, seed=10)
    layer = tf.keras.layers.PReLU(alpha_initializer=tf.keras.initializers.Constant(0.25), shared_axes=[1, 2])
    np.testing.assert_allclose(to_numpy(layer(x)), np.where(x >= 0, x, 0.25 * x), rtol=1e-6)
    assert tuple(layer.alpha.shape) == (1, 1, 5)
    plain = tf.keras.layers.PReLU()
    plain(x)
    assert tuple(plain.alpha.shape) == (3, 4, 5)
    np.testing.assert_allclose(to_numpy(plain(x)), np.maximum(x, 0))
    layer64 = tf.keras.layers.PReLU(alpha_initializer="random_uniform", dtype="float64")
    check_gradients(layer64, [_away_from_zero(2, 3)])
    xs = tf.constant(_away_from_zero(2, 3))
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(layer64(xs))
    np.testing.assert_allclose(to_numpy(tape.gradient(y, layer64.alpha)), np.minimum(to_numpy(xs), 0).sum(0))


def test_elu_alpha(tf):
    x = _data(4, 3)
    np.testing.assert_allclose(to_numpy(tf.keras.layers.ELU()(x)), np.where(x > 0, x, np.expm1(x)), rtol=1e-6)
    np.testing.assert_allclose(
        to_numpy(tf.keras.layers.ELU(alpha=0.5)(x)),
        np.where(x > 0, x, 0.5 * np.expm1(x)),
        rtol=1e-5,
        atol=1e-7,
    )
    check_gradients(tf.keras.layers.ELU(alpha=0.7, dtype="float64"), [_away_from_zero(3, 3)])


def test_softmax_axis_multi_axis_and_mask(tf):
    x = _data(2, 3, 4, seed=11)
    e = np.exp(x - x.max(1, keepdims=True))
    np.testing.assert_allclose(
        to_numpy(tf.keras.layers.Softmax(axis=1)(x)), e / e.sum(1, keepdims=True), rtol=1e-5
    )
    e = np.exp(x - x.max((1, 2), keepdims=True))
    np.testing.assert_allclose(
        to_numpy(tf.keras.layers.Softmax(axis=(1, 2))(x)),
        e / e.sum((1, 2), keepdims=True),
        rtol=1e-5,
        atol=1e-7,
    )
    mask = np.array([[1, 1, 0, 1], [0, 1, 1, 1]], dtype=bool)[:, None, :]
    y = to_numpy(tf.keras.layers.Softmax()(x, mask=mask))
    e = np.where(mask, np.exp(x - x.max(-1, keepdims=True)), 0)
    np.testing.assert_allclose(y, e / e.sum(-1, keepdims=True), rtol=1e-5, atol=1e-7)
    check_gradients(tf.keras.layers.Softmax(axis=0, dtype="float64"), [_data(3, 2, dtype=np.float64)])


# ---------------------------------------------------------------- regularization
def test_noise_layers_are_identity_outside_training(tf):
    x = _data(4, 5)
    for layer in (
        tf.keras.layers.GaussianNoise(0.5),
        tf.keras.layers.GaussianDropout(0.5),
        tf.keras.layers.SpatialDropout1D(0.5),
    ):
        inputs = x[:, :, None] if "spatial" in layer.name else x
        np.testing.assert_array_equal(to_numpy(layer(inputs)), inputs)
        np.testing.assert_array_equal(to_numpy(layer(inputs, training=False)), inputs)


def test_gaussian_noise_and_dropout_statistics(tf):
    x = np.ones((200, 100), np.float32)
    noisy = to_numpy(tf.keras.layers.GaussianNoise(0.5, seed=1)(x, training=True)) - 1
    assert abs(noisy.mean()) < 0.02 and abs(noisy.std() - 0.5) < 0.02
    dropped = to_numpy(tf.keras.layers.GaussianDropout(0.2, seed=1)(x, training=True))
    assert abs(dropped.mean() - 1) < 0.02 and abs(dropped.std() - 0.5) < 0.02  # sqrt(0.2 / 0.8)
    with pytest.raises(ValueError, match="rate"):
        tf.keras.layers.GaussianDropout(1.5)
    with pytest.raises(ValueError, match="stddev"):
        tf.keras.layers.GaussianNoise(-0.1)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_spatial_dropout_drops_whole_channels(tf, data_format):
    x = np.ones((16, 6, 5, 8), np.float32)
    y = to_numpy(tf.keras.layers.SpatialDropout2D(0.5, data_format=data_format)(x, training=True))
    assert set(np.unique(y)) <= {0.0, 2.0}
    spatial = (1, 2) if data_format == "channels_last" else (2, 3)
    assert np.all(y.min(axis=spatial) == y.max(axis=spatial))
    y1 = to_numpy(tf.keras.layers.SpatialDropout1D(0.5)(np.ones((16, 7, 8), np.float32), training=True))
    assert np.all(y1.min(axis=1) == y1.max(axis=1)) and 0 < (y1 == 0).mean() < 1


def test_spatial_dropout_wrong_rank(tf):
    layer = tf.keras.layers.SpatialDropout1D(0.3, name="sd1")
    with pytest.raises(ValueError, match=r"'sd1'.*expected ndim=3, found ndim=2"):
        layer(np.ones((2, 3), np.float32), training=True)


# ---------------------------------------------------------------- merging
def test_elementwise_merges(tf):
    a, b, c = _data(3, 4, seed=1), _data(3, 4, seed=2), _data(3, 4, seed=3)
    L = tf.keras.layers
    cases = [
        (L.Multiply(), [a, b, c], a * b * c),
        (L.Average(), [a, b, c], (a + b + c) / 3),
        (L.Maximum(), [a, b, c], np.maximum(np.maximum(a, b), c)),
        (L.Minimum(), [a, b], np.minimum(a, b)),
        (L.Subtract(), [a, b], a - b),
    ]
    for layer, inputs, expected in cases:
        tensors = [tf.constant(t) for t in inputs]
        np.testing.assert_allclose(to_numpy(layer(tensors)), expected, rtol=1e-6, err_msg=layer.name)
    np.testing.assert_allclose(to_numpy(L.multiply([tf.constant(a), tf.constant(b)])), a * b, rtol=1e-6)
    with pytest.raises(ValueError, match="exactly 2 inputs"):
        L.Subtract()([tf.constant(a), tf.constant(b), tf.constant(c)])


def test_merge_gradients(tf):
    L = tf.keras.layers
    a, b = _data(2, 3, seed=4, dtype=np.float64), _data(2, 3, seed=5, dtype=np.float64)
    for layer in (L.Multiply(dtype="float64"), L.Average(dtype="float64"), L.Subtract(dtype="float64")):
        check_gradients(lambda x, y, layer=layer: layer([x, y]), [a, b])


@pytest.mark.parametrize(
    "shapes, axes, spec",
    [
        (((3, 4), (3, 4)), 1, "bi,bi->b"),
        (((3, 4), (3, 4)), -1, "bi,bi->b"),
        (((3, 2, 4), (3, 5, 4)), (2, 2), "bxi,byi->bxy"),
        (((3, 4, 2), (3, 4, 5)), 1, "bix,biy->bxy"),
        (((3, 2, 4), (3, 4)), (2, 1), "bxi,bi->bx"),
    ],
)
def test_dot_matches_einsum(tf, shapes, axes, spec):
    x, y = _data(*shapes[0], seed=1), _data(*shapes[1], seed=2)
    out = to_numpy(tf.keras.layers.Dot(axes=axes)([tf.constant(x), tf.constant(y)]))
    expected = np.einsum(spec, x, y)
    if expected.ndim == 1:
        expected = expected[:, None]
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)


def test_dot_normalize_is_cosine_and_differentiable(tf):
    x, y = _data(4, 3, seed=3, dtype=np.float64), _data(4, 3, seed=4, dtype=np.float64)
    layer = tf.keras.layers.Dot(axes=1, normalize=True, dtype="float64")
    cos = (x * y).sum(1) / np.linalg.norm(x, axis=1) / np.linalg.norm(y, axis=1)
    np.testing.assert_allclose(to_numpy(layer([tf.constant(x), tf.constant(y)]))[:, 0], cos, rtol=1e-10)
    check_gradients(lambda a, b: layer([a, b]), [x, y])
    assert layer.get_config()["axes"] == 1 and layer.get_config()["normalize"] is True


def test_dot_bad_axes(tf):
    with pytest.raises(ValueError, match="Incompatible input shapes|Dimensions must be equal"):
        tf.keras.layers.Dot(axes=1)([tf.zeros((2, 3)), tf.zeros((2, 4))])
    with pytest.raises(ValueError):
        tf.keras.layers.Dot(axes=(1, 2, 3))


# ---------------------------------------------------------------- reshaping / core
def test_permute_and_repeat_vector(tf):
    x = _data(2, 3, 4)
    np.testing.assert_array_equal(to_numpy(tf.keras.layers.Permute((2, 1))(x)), x.transpose(0, 2, 1))
    v = _data(2, 3)
    out = to_numpy(tf.keras.layers.RepeatVector(4)(v))
    assert out.shape == (2, 4, 3)
    np.testing.assert_array_equal(out, np.repeat(v[:, None, :], 4, axis=1))
    assert tf.keras.layers.RepeatVector(4).compute_output_shape((None, 3)) == (None, 4, 3)
    assert tf.keras.layers.Permute((2, 1)).compute_output_shape((None, 3, 4)) == (None, 4, 3)
    with pytest.raises(ValueError, match="dims"):
        tf.keras.layers.Permute((0, 1))
    check_gradients(
        tf.keras.layers.Permute((3, 1, 2), dtype="float64"), [_data(2, 2, 3, 4, dtype=np.float64)]
    )
    check_gradients(tf.keras.layers.RepeatVector(3, dtype="float64"), [_data(2, 2, dtype=np.float64)])


def test_repeat_vector_wrong_rank(tf):
    with pytest.raises(ValueError, match=r"'rv'.*expected ndim=2, found ndim=3"):
        tf.keras.layers.RepeatVector(2, name="rv")(np.zeros((1, 2, 3), np.float32))


def test_identity(tf):
    x = _data(2, 3)
    np.testing.assert_array_equal(to_numpy(tf.keras.layers.Identity()(x)), x)


# ---------------------------------------------------------------- preprocessing
def test_rescaling(tf):
    images = np.arange(12, dtype=np.uint8).reshape(1, 2, 2, 3)
    out = tf.keras.layers.Rescaling(1.0 / 255, offset=-0.5)(images)
    assert out.dtype == tf.float32
    np.testing.assert_allclose(to_numpy(out), images / 255 - 0.5, rtol=1e-6, atol=1e-7)
    assert tf.keras.layers.Rescaling(2.0).get_config()["scale"] == 2.0


def test_normalization_adapt_numpy_tensor_and_batches(tf):
    data = (_data(64, 3, seed=12, dtype=np.float64) * [1.0, 2.0, 3.0] + [0.0, 5.0, -1.0]).astype(np.float32)
    expected = (data - data.mean(0)) / data.std(0)
    for source in (
        data,
        tf.constant(data),
        [data[:20], data[20:50], data[50:]],
        ((data[i : i + 16], np.zeros(16)) for i in range(0, 64, 16)),
    ):
        layer = tf.keras.layers.Normalization()
        layer.adapt(source)
        np.testing.assert_allclose(to_numpy(layer(data)), expected, rtol=1e-4, atol=1e-4)
    inverse = tf.keras.layers.Normalization(invert=True)
    inverse.adapt(data)
    np.testing.assert_allclose(to_numpy(inverse(expected)), data, rtol=1e-4, atol=1e-4)


def test_normalization_given_statistics_and_axis_none(tf):
    layer = tf.keras.layers.Normalization(mean=[1.0, 2.0], variance=[4.0, 0.0])
    x = np.array([[3.0, 2.0], [1.0, 3.0]], np.float32)
    np.testing.assert_allclose(to_numpy(layer(x)), [[1.0, 0.0], [0.0, 1e7]], rtol=1e-6)
    config = layer.get_config()
    assert config["mean"] == [1.0, 2.0] and config["axis"] == (-1,)
    scalar = tf.keras.layers.Normalization(axis=None)
    scalar.adapt(np.array([[1.0, 2.0], [3.0, 4.0]], np.float32))
    np.testing.assert_allclose(to_numpy(scalar(np.array([[2.5]], np.float32))), [[0.0]], atol=1e-6)
    with pytest.raises(ValueError, match="both `mean` and `variance`"):
        tf.keras.layers.Normalization(mean=1.0)


def test_normalization_adapt_shape_mismatch(tf):
    layer = tf.keras.layers.Normalization()
    layer.adapt(np.zeros((4, 3), np.float32))
    with pytest.raises(ValueError, match="incompatible shape"):
        layer.adapt(np.zeros((4, 2), np.float32))


@pytest.mark.tapegrad_only  # TF fails later, with an InvalidArgumentError from broadcasting
def test_normalization_wrong_feature_count_names_the_layer(tf):
    layer = tf.keras.layers.Normalization(name="norm_check")
    layer.adapt(np.zeros((4, 3), np.float32))
    with pytest.raises(ValueError, match=r"'norm_check'.*axis 1 .*value 3.*\(2, 5\)"):
        layer(np.zeros((2, 5), np.float32))


def test_category_encoding_modes(tf):
    L = tf.keras.layers
    one_hot = to_numpy(L.CategoryEncoding(num_tokens=4, output_mode="one_hot")([3, 2, 0, 1]))
    np.testing.assert_array_equal(one_hot, np.eye(4)[[3, 2, 0, 1]])
    ids = np.array([[0, 1], [0, 0], [1, 2], [3, 1]])
    multi = to_numpy(L.CategoryEncoding(num_tokens=4, output_mode="multi_hot")(ids))
    np.testing.assert_array_equal(multi, [[1, 1, 0, 0], [1, 0, 0, 0], [0, 1, 1, 0], [0, 1, 0, 1]])
    count = L.CategoryEncoding(num_tokens=4, output_mode="count")
    np.testing.assert_array_equal(
        to_numpy(count(ids)), [[1, 1, 0, 0], [2, 0, 0, 0], [0, 1, 1, 0], [0, 1, 0, 1]]
    )
    weights = np.array([[0.1, 0.2], [0.1, 0.1], [0.2, 0.3], [0.4, 0.2]], np.float32)
    np.testing.assert_allclose(
        to_numpy(count(ids, count_weights=weights)),
        [[0.1, 0.2, 0, 0], [0.2, 0, 0, 0], [0, 0.2, 0.3, 0], [0, 0.2, 0, 0.4]],
        rtol=1e-6,
    )
    vector = to_numpy(L.CategoryEncoding(num_tokens=3)(np.array([0, 2, 2])))
    np.testing.assert_array_equal(vector, [1, 0, 1])
    with pytest.raises(ValueError, match="output_mode"):
        L.CategoryEncoding(num_tokens=3, output_mode="tf_idf")
    with pytest.raises(ValueError, match="num_tokens"):
        L.CategoryEncoding()


def test_layer_configs_round_trip(tf):
    L = tf.keras.layers
    for layer in (
        L.LayerNormalization(axis=1, epsilon=1e-5),
        L.GroupNormalization(groups=4),
        L.LeakyReLU(0.1),
        L.PReLU(shared_axes=[1]),
        L.Softmax(axis=1),
        L.GaussianNoise(0.2, seed=3),
        L.GaussianDropout(0.3),
        L.SpatialDropout2D(0.4),
        L.Permute((2, 1)),
        L.RepeatVector(3),
        L.Dot(axes=(1, 2)),
        L.CategoryEncoding(num_tokens=5, output_mode="count"),
        L.Rescaling(0.5, offset=1.0),
    ):
        config = layer.get_config()
        config.pop("name")
        clone = type(layer)(**config)
        for key, value in config.items():
            if key in ("dtype", "trainable") or isinstance(value, dict):
                continue
            assert clone.get_config()[key] == value, (type(layer).__name__, key)


@pytest.mark.tapegrad_only  # Keras 3 has no input spec here: TF fails later with InvalidArgumentError
def test_error_messages_name_the_layer(tf):
    layer = tf.keras.layers.LayerNormalization(name="ln_check")
    layer(np.zeros((2, 3), np.float32))
    with pytest.raises(ValueError, match=re.escape("(2, 4)")) as info:
        layer(np.zeros((2, 4), np.float32))
    assert "ln_check" in str(info.value)


def test_training_loop_with_batch_norm_matches_tensorflow(tf):
    """Dense -> BatchNormalization -> LeakyReLU -> LayerNormalization -> Dense, trained 12 steps by Nadam
    with a warmup cosine schedule; the numbers are TF 2.21's (Keras 3) for the same start."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((16, 3)).astype(np.float32)
    y = (x @ np.array([[1.0], [-2.0], [0.5]], np.float32) + 0.3).astype(np.float32)
    L = tf.keras.layers
    # No bias before BatchNormalization: its gradient is rounding noise, which Nadam would amplify.
    dense1, bn, act, ln, dense2 = (
        L.Dense(4, use_bias=False),
        L.BatchNormalization(momentum=0.9),
        L.LeakyReLU(0.1),
        L.LayerNormalization(),
        L.Dense(1),
    )

    def model(t, training):
        return dense2(ln(act(bn(dense1(t), training=training))))

    model(x, False)
    for i, v in enumerate(dense1.trainable_weights + dense2.trainable_weights):
        v.assign(np.random.default_rng(10 + i).uniform(-0.5, 0.5, tuple(v.shape)).astype(np.float32))
    variables = (
        dense1.trainable_weights + bn.trainable_weights + ln.trainable_weights + dense2.trainable_weights
    )
    schedule = tf.keras.optimizers.schedules.CosineDecay(0.0, 20, warmup_target=0.1, warmup_steps=3)
    optimizer = tf.keras.optimizers.Nadam(learning_rate=schedule)
    losses = []
    for _ in range(12):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(x, True) - y))
        optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
        losses.append(float(to_numpy(loss)))
    tf_losses = [
        2.9223060607910156,
        2.9223060607910156,
        2.5065574645996094,
        1.7978007793426514,
        1.1471410989761353,
        0.860931932926178,
        0.7831618189811707,
        0.7445491552352905,
        0.7643926739692688,
        0.5824986696243286,
        0.47819679975509644,
        0.40194499492645264,
    ]
    np.testing.assert_allclose(losses, tf_losses, rtol=2e-5)
    np.testing.assert_allclose(
        to_numpy(bn.moving_mean),
        [-0.01467086747288704, 0.0492655411362648, 0.028756819665431976, -0.014368714764714241],
        rtol=1e-4,
        atol=1e-6,
    )
    inference_loss = float(to_numpy(tf.reduce_mean(tf.square(model(x, False) - y))))
    np.testing.assert_allclose(inference_loss, 0.36360785365104675, rtol=1e-4)


def test_merge_compute_output_shape(tf):
    L = tf.keras.layers
    assert tuple(L.Multiply().compute_output_shape([(None, 3), (None, 1)])) == (None, 3)
    assert tuple(L.Add().compute_output_shape([(2, 1, 4), (2, 5, 4)])) == (2, 5, 4)
    assert tuple(L.Concatenate().compute_output_shape([(None, 3), (None, 4)])) == (None, 7)
    assert tuple(L.Dot(axes=(2, 2)).compute_output_shape([(None, 2, 4), (None, 5, 4)])) == (None, 2, 5)
    assert tuple(L.Dot(axes=1).compute_output_shape([(None, 4), (None, 4)])) == (None, 1)


@pytest.mark.tapegrad_only  # tf.keras 2's path; TF 2.21's Keras 3 dropped it
def test_experimental_preprocessing_path(tf):
    assert tf.keras.layers.experimental.preprocessing.Normalization is tf.keras.layers.Normalization
    assert tf.keras.layers.experimental.preprocessing.Rescaling is tf.keras.layers.Rescaling

"""keras.layers.Dense and Module: building, variables, activations, gradients, training."""

from __future__ import annotations

import re

import numpy as np
import pytest
from _backend import to_numpy


def _np_act(name, z):
    """Numpy version of a Keras activation given by name (None = linear)."""
    return {
        None: lambda v: v,
        "linear": lambda v: v,
        "relu": lambda v: np.maximum(v, 0),
        "sigmoid": lambda v: 1 / (1 + np.exp(-v)),
        "tanh": np.tanh,
    }[name](z)


def _x(tf):
    """A fixed float32 batch of 4 inputs with 3 features."""
    return tf.constant(np.array([[1.0, 2.0, 3.0], [-1.0, 0.5, 0.0], [0.3, -2.0, 1.0],
                                 [0.0, 0.0, 0.0]], dtype=np.float32))


def test_dense_builds_on_first_call(tf):
    """Variables are created on the first call, with shapes (in, units) and (units,)."""
    layer = tf.keras.layers.Dense(2)
    assert len(layer.trainable_variables) == 0
    y = layer(_x(tf))
    assert y.shape == (4, 2)
    assert y.dtype == tf.float32
    kernel, bias = layer.trainable_variables
    assert kernel.shape == (3, 2)
    assert bias.shape == (2,)
    assert layer.kernel is kernel or np.array_equal(to_numpy(layer.kernel), to_numpy(kernel))
    y2 = layer(_x(tf))  # second call reuses the same variables
    assert len(layer.trainable_variables) == 2
    np.testing.assert_array_equal(to_numpy(y), to_numpy(y2))


def test_dense_initialization(tf):
    """Bias starts at zero; the kernel is Glorot-uniform (within the limit, not constant)."""
    layer = tf.keras.layers.Dense(5)
    layer(tf.ones((1, 7)))
    kernel, bias = (to_numpy(v) for v in layer.trainable_variables)
    assert np.all(bias == 0.0)
    limit = np.sqrt(6.0 / (7 + 5))
    assert np.all(np.abs(kernel) <= limit)
    assert np.std(kernel) > 0.05


@pytest.mark.parametrize("activation", [None, "linear", "relu", "sigmoid", "tanh"])
def test_dense_forward_matches_numpy(tf, activation):
    """Output = activation(x @ kernel + bias)."""
    layer = tf.keras.layers.Dense(3, activation=activation)
    x = _x(tf)
    layer(x)
    kernel, bias = layer.trainable_variables
    bias.assign([0.5, -0.25, 0.1])
    y = layer(x)
    expected = _np_act(activation, to_numpy(x) @ to_numpy(kernel) + to_numpy(bias))
    np.testing.assert_allclose(to_numpy(y), expected, rtol=1e-5, atol=1e-6)


def test_dense_callable_activation(tf):
    """A callable activation (tf.nn.relu) is applied to the affine output."""
    layer = tf.keras.layers.Dense(2, activation=tf.nn.relu)
    x = _x(tf)
    layer(x)
    kernel, bias = layer.trainable_variables
    kernel.assign([[1.0, -1.0], [1.0, -1.0], [1.0, -1.0]])
    y = to_numpy(layer(x))
    s = to_numpy(x).sum(axis=1)
    np.testing.assert_allclose(y, np.stack([np.maximum(s, 0), np.maximum(-s, 0)], axis=1))


def test_dense_without_bias(tf):
    """use_bias=False creates only the kernel."""
    layer = tf.keras.layers.Dense(4, use_bias=False)
    x = _x(tf)
    y = layer(x)
    assert len(layer.trainable_variables) == 1
    (kernel,) = layer.trainable_variables
    assert kernel.shape == (3, 4)
    np.testing.assert_allclose(to_numpy(y), to_numpy(x) @ to_numpy(kernel), rtol=1e-5, atol=1e-6)


@pytest.mark.tapegrad_only  # Keras 3 names variables 'kernel' / 'bias' (no scope, no ':0')
def test_dense_variable_names(tf):
    """Variables are ``dense[_N]/kernel:0`` and ``dense[_N]/bias:0``; each new layer bumps N."""
    first = tf.keras.layers.Dense(2)
    second = tf.keras.layers.Dense(2)
    first(tf.ones((1, 3)))
    second(tf.ones((1, 3)))
    names1 = [v.name for v in first.trainable_variables]
    names2 = [v.name for v in second.trainable_variables]
    m1 = re.fullmatch(r"(dense(?:_(\d+))?)/kernel:0", names1[0])
    m2 = re.fullmatch(r"(dense(?:_(\d+))?)/kernel:0", names2[0])
    assert m1 and m2, (names1, names2)
    assert names1[1] == f"{m1.group(1)}/bias:0"
    assert names2[1] == f"{m2.group(1)}/bias:0"
    n1 = int(m1.group(2) or 0)
    n2 = int(m2.group(2) or 0)
    assert n2 == n1 + 1


def test_dense_gradients_match_closed_form(tf):
    """For a linear Dense and loss mean(y^2): dL/dK = x^T (2y/N), dL/db = sum(2y/N)."""
    layer = tf.keras.layers.Dense(2)
    x = _x(tf)
    with tf.GradientTape() as tape:
        y = layer(x)
        loss = tf.reduce_mean(y**2)
    gk, gb = tape.gradient(loss, layer.trainable_variables)
    yn = to_numpy(y)
    upstream = 2 * yn / yn.size
    np.testing.assert_allclose(to_numpy(gk), to_numpy(x).T @ upstream, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(to_numpy(gb), upstream.sum(axis=0), rtol=1e-5, atol=1e-6)
    watched = tape.watched_variables()
    assert sorted(tuple(v.shape) for v in watched) == [(2,), (3, 2)]


def test_dense_relu_gradient_masks_inactive_units(tf):
    """With relu, units whose pre-activation is negative get no gradient."""
    layer = tf.keras.layers.Dense(2, activation="relu")
    x = tf.constant([[1.0, 1.0, 1.0]])
    layer(x)
    kernel, bias = layer.trainable_variables
    kernel.assign([[1.0, -1.0], [1.0, -1.0], [1.0, -1.0]])
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(layer(x))
    gk, gb = tape.gradient(loss, [kernel, bias])
    np.testing.assert_array_equal(to_numpy(gk), [[1.0, 0.0]] * 3)
    np.testing.assert_array_equal(to_numpy(gb), [1.0, 0.0])


def test_stacked_dense_gradients_wrt_input(tf):
    """Gradients flow through two Dense layers to a watched input."""
    l1 = tf.keras.layers.Dense(4, activation="tanh")
    l2 = tf.keras.layers.Dense(1)
    x = _x(tf)
    with tf.GradientTape() as tape:
        tape.watch(x)
        out = tf.reduce_sum(l2(l1(x)))
    gx = to_numpy(tape.gradient(out, x))
    k1, b1 = (to_numpy(v) for v in l1.trainable_variables)
    k2 = to_numpy(l2.trainable_variables[0])
    h = np.tanh(to_numpy(x) @ k1 + b1)
    expected = ((1 - h**2) * k2[:, 0]) @ k1.T
    np.testing.assert_allclose(gx, expected, rtol=1e-5, atol=1e-6)


def test_linear_regression_training_loop(tf):
    """SGD with assign_sub on a Dense(1) reduces the MSE by a large factor."""
    rng = np.random.default_rng(0)
    xs = rng.standard_normal((64, 3)).astype(np.float32)
    w_true = np.array([[2.0], [-3.0], [0.5]], dtype=np.float32)
    ys = xs @ w_true + 1.25
    x = tf.constant(xs)
    y = tf.constant(ys)
    layer = tf.keras.layers.Dense(1)
    losses = []
    for _ in range(150):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(layer(x) - y))
        grads = tape.gradient(loss, layer.trainable_variables)
        for v, g in zip(layer.trainable_variables, grads):
            v.assign_sub(0.1 * g)
        losses.append(float(loss))
    assert losses[-1] < losses[0] / 1000
    kernel, bias = (to_numpy(v) for v in layer.trainable_variables)
    np.testing.assert_allclose(kernel, w_true, atol=1e-2)
    np.testing.assert_allclose(bias, [1.25], atol=1e-2)


# --------------------------------------------------------------------------------------
# Module
# --------------------------------------------------------------------------------------

def _make_modules(tf):
    """A two-level Module tree with trainable and non-trainable variables."""
    class Inner(tf.Module):
        def __init__(self):
            super().__init__()
            self.scale = tf.Variable(2.0, name="scale")

    class Outer(tf.Module):
        def __init__(self):
            super().__init__()
            self.w = tf.Variable([[1.0], [2.0]], name="w")
            self.b = tf.Variable([0.5], name="b")
            self.steps = tf.Variable(0, name="steps", trainable=False)
            self.inner = Inner()

        def __call__(self, x):
            return (tf.matmul(x, self.w) + self.b) * self.inner.scale

    return Outer()


def test_module_collects_variables(tf):
    """trainable_variables skips non-trainable ones; variables has them all (incl. submodules)."""
    m = _make_modules(tf)
    trainable = {v.name for v in m.trainable_variables}
    assert trainable == {"w:0", "b:0", "scale:0"}
    assert {v.name for v in m.variables} == {"w:0", "b:0", "scale:0", "steps:0"}


def test_module_variable_order(tf):
    """Like tf.Module: own attributes in sorted-name order first, then sub-modules' variables."""
    m = _make_modules(tf)
    assert [v.name for v in m.trainable_variables] == ["b:0", "w:0", "scale:0"]
    assert [v.name for v in m.variables] == ["b:0", "steps:0", "w:0", "scale:0"]


def test_module_gradients(tf):
    """Gradients w.r.t. a Module's trainable variables."""
    m = _make_modules(tf)
    x = tf.constant([[1.0, 1.0], [2.0, 0.0]])
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(m(x))
    grads = tape.gradient(loss, m.trainable_variables)
    by_name = {v.name: to_numpy(g) for v, g in zip(m.trainable_variables, grads)}
    np.testing.assert_allclose(by_name["w:0"], [[6.0], [2.0]])
    np.testing.assert_allclose(by_name["b:0"], [4.0])
    # d/dscale of sum(x @ w + b) * scale = sum(x @ w + b) = (3.5) + (2.5)
    np.testing.assert_allclose(by_name["scale:0"], 6.0)


def test_training_argument_reaches_only_calls_that_take_it(tf):
    """``model(x, training=True)`` works for a ``call`` without ``training`` (Keras drops it)
    and reaches a ``call`` that declares it."""
    seen = []

    class NoTraining(tf.keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = tf.keras.layers.Dense(2, kernel_initializer="ones")

        def call(self, x):
            return self.dense(x)

    class WithTraining(tf.keras.layers.Layer):
        def call(self, x, training=None):
            seen.append(training)
            return x * 2.0

    x = tf.constant([[1.0, 2.0]])
    np.testing.assert_allclose(to_numpy(NoTraining()(x, training=True)), [[3.0, 3.0]])
    np.testing.assert_allclose(to_numpy(WithTraining()(x, training=True)), [[2.0, 4.0]])
    assert seen == [True]

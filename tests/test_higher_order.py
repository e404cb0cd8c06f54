"""Second and third derivatives through nested tapes."""

from __future__ import annotations

import numpy as np
import pytest
from _backend import to_numpy
from gradcheck import check_third_order, hessian, nth_derivative, numeric_hessian


def test_cube_derivatives_exact(tf):
    """x^3 at x=2: 3x^2 = 12, 6x = 12, 6."""
    x = tf.constant(2.0, dtype=tf.float64)
    with tf.GradientTape() as t3:
        t3.watch(x)
        with tf.GradientTape() as t2:
            t2.watch(x)
            with tf.GradientTape() as t1:
                t1.watch(x)
                y = x * x * x
            d1 = t1.gradient(y, x)
        d2 = t2.gradient(d1, x)
    d3 = t3.gradient(d2, x)
    assert [float(d1), float(d2), float(d3)] == [12.0, 12.0, 6.0]


def test_fourth_derivative_of_cube_is_unconnected_or_zero(tf):
    """The 4th derivative of x^3 is 0 (None, or zeros with UnconnectedGradients.ZERO)."""
    assert nth_derivative(lambda x: x**3, 1.3, 4) == 0.0


@pytest.mark.parametrize(
    "name,fn,x0",
    [
        ("sin", lambda tf, x: tf.sin(x), 0.7),
        ("tanh chain", lambda tf, x: tf.tanh(tf.tanh(2.0 * x) + x), 0.3),
        ("exp*x", lambda tf, x: tf.exp(x) * x, -0.4),
        ("log(1+x^2)", lambda tf, x: tf.math.log(1.0 + x * x), 0.8),
        ("sigmoid", lambda tf, x: tf.sigmoid(x), 1.1),
        ("softplus", lambda tf, x: tf.nn.softplus(x), -0.5),
        ("sqrt", lambda tf, x: tf.sqrt(x), 1.7),
        ("pow", lambda tf, x: tf.pow(x, 2.5), 1.2),
        ("x/(1+x^2)", lambda tf, x: x / (1.0 + x * x), 0.6),
        ("gelu", lambda tf, x: tf.nn.gelu(x), 0.4),
    ],
)
def test_third_order_scalar(tf, name, fn, x0):
    """2nd and 3rd derivatives of scalar functions vs finite differences of the level below."""
    check_third_order(lambda x: fn(tf, x), x0)


def test_sin_derivatives_exact(tf):
    """sin' = cos, sin'' = -sin, sin''' = -cos."""
    x0 = 0.9
    f = tf.sin
    assert nth_derivative(f, x0, 1) == pytest.approx(np.cos(x0), rel=1e-12)
    assert nth_derivative(f, x0, 2) == pytest.approx(-np.sin(x0), rel=1e-12)
    assert nth_derivative(f, x0, 3) == pytest.approx(-np.cos(x0), rel=1e-12)


def test_tanh_second_derivative_exact(tf):
    """tanh'' = -2 tanh (1 - tanh^2)."""
    x0 = 0.35
    t = np.tanh(x0)
    assert nth_derivative(tf.tanh, x0, 2) == pytest.approx(-2 * t * (1 - t * t), rel=1e-12)


def test_tanh_third_derivative_exact(tf):
    """d3 tanh = -2 (1 - tanh^2)(1 - 3 tanh^2): tanh's recorded gradient op, differentiated twice."""
    x0 = -0.6
    t = np.tanh(x0)
    assert nth_derivative(tf.tanh, x0, 3) == pytest.approx(-2 * (1 - t * t) * (1 - 3 * t * t), rel=1e-12)


def test_exp_times_x_derivatives_exact(tf):
    """(x e^x)^(n) = (x + n) e^x."""
    x0 = 0.25
    for n in (1, 2, 3):
        got = nth_derivative(lambda x: tf.exp(x) * x, x0, n)
        assert got == pytest.approx((x0 + n) * np.exp(x0), rel=1e-12)


def test_matmul_quadratic_form_hessian(tf):
    """f(x) = x^T A x has Hessian A + A^T."""
    a = np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0], [4.0, 1.0, 2.0]])
    at = tf.constant(a)

    def f(x):
        xc = tf.reshape(x, (3, 1))
        return tf.reduce_sum(tf.matmul(tf.transpose(xc), tf.matmul(at, xc)))

    h = hessian(f, np.array([0.3, -0.2, 1.1]))
    np.testing.assert_allclose(h, a + a.T, rtol=1e-12, atol=1e-12)


def test_mlp_hessian_matches_finite_differences(tf):
    """Full Hessian of a tiny tanh network's loss w.r.t. its weights."""
    rng = np.random.default_rng(7)
    xs = tf.constant(rng.standard_normal((4, 2)))
    ys = tf.constant(rng.standard_normal((4, 1)))

    def loss(w):
        w1 = tf.reshape(w[:6], (2, 3))
        w2 = tf.reshape(w[6:], (3, 1))
        pred = tf.matmul(tf.tanh(tf.matmul(xs, w1)), w2)
        return tf.reduce_mean(tf.square(pred - ys))

    w0 = rng.standard_normal(9) * 0.5
    h = hessian(loss, w0)
    np.testing.assert_allclose(h, h.T, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(h, numeric_hessian(loss, w0), rtol=1e-5, atol=1e-6)


def test_softmax_hessian_matches_finite_differences(tf):
    """Hessian of a weighted log_softmax + softmax combination."""
    w = tf.constant([0.3, -1.2, 0.7, 2.0], dtype=tf.float64)

    def f(x):
        return tf.reduce_sum(w * tf.nn.log_softmax(x)) + tf.reduce_sum(tf.nn.softmax(x) ** 2)

    x0 = np.array([0.1, -0.4, 0.9, 0.2])
    np.testing.assert_allclose(hessian(f, x0), numeric_hessian(f, x0), rtol=1e-5, atol=1e-6)


def test_persistent_outer_tape_multiple_second_derivatives(tf):
    """A persistent outer tape differentiates several inner gradients."""
    x = tf.constant(1.5, dtype=tf.float64)
    y = tf.constant(-0.5, dtype=tf.float64)
    with tf.GradientTape(persistent=True) as outer:
        outer.watch([x, y])
        with tf.GradientTape() as inner:
            inner.watch([x, y])
            f = x * x * y + tf.sin(y) * x
        gx, gy = inner.gradient(f, [x, y])
    # gx = 2xy + sin(y), gy = x^2 + x cos(y)
    assert float(outer.gradient(gx, x)) == pytest.approx(2 * -0.5)
    assert float(outer.gradient(gx, y)) == pytest.approx(2 * 1.5 + np.cos(-0.5))
    assert float(outer.gradient(gy, x)) == pytest.approx(2 * 1.5 + np.cos(-0.5))
    assert float(outer.gradient(gy, y)) == pytest.approx(-1.5 * np.sin(-0.5))
    del outer


def test_second_derivative_wrt_variable(tf):
    """Gradients of gradients w.r.t. a trainable Variable (automatically watched)."""
    v = tf.Variable(2.0, dtype=tf.float64)
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            y = v**4
        g = inner.gradient(y, v)
    h = outer.gradient(g, v)
    assert float(g) == pytest.approx(32.0)
    assert float(h) == pytest.approx(48.0)


def test_second_derivative_wrt_vector_variable(tf):
    """Hessian-vector product for a vector Variable: f = sum(exp(v) * v) -> diag((v+2) e^v)."""
    v0 = np.array([0.1, -0.3, 0.5])
    v = tf.Variable(v0)
    u = tf.constant([1.0, 2.0, -1.0], dtype=tf.float64)
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            y = tf.reduce_sum(tf.exp(v) * v)
        g = inner.gradient(y, v)
        s = tf.reduce_sum(g * u)
    hv = outer.gradient(s, v)
    np.testing.assert_allclose(to_numpy(g), (v0 + 1) * np.exp(v0), rtol=1e-12)
    np.testing.assert_allclose(to_numpy(hv), (v0 + 2) * np.exp(v0) * [1.0, 2.0, -1.0], rtol=1e-12)


def test_second_derivative_watched_constant_both_tapes(tf):
    """A constant watched explicitly on both tapes: d2(x^2 sin x)/dx2."""
    x0 = 0.8
    x = tf.constant(x0, dtype=tf.float64)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = x * x * tf.sin(x)
        g = inner.gradient(y, x)
    h = outer.gradient(g, x)
    expected = 2 * np.sin(x0) + 4 * x0 * np.cos(x0) - x0 * x0 * np.sin(x0)
    assert float(h) == pytest.approx(expected, rel=1e-12)


@pytest.mark.tapegrad_only  # TF2: the outer tape does not see the inner tape's watch
def test_inner_watch_also_watches_on_outer_tape(tf):
    """tapegrad: watching on the inner tape watches on every enclosing active tape."""
    x = tf.constant(2.0)
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = x * x * x
        g = inner.gradient(y, x)
    h = outer.gradient(g, x)
    assert float(g) == 12.0
    assert float(h) == 12.0


def test_sequential_tapes_are_independent(tf):
    """Two tapes used one after the other each see only their own operations."""
    x = tf.constant(3.0)
    with tf.GradientTape() as first:
        first.watch(x)
        a = x * 2.0
    with tf.GradientTape() as second:
        second.watch(x)
        b = x * x
    assert float(first.gradient(a, x)) == 2.0
    assert second.gradient(b, x).numpy() == 6.0


def test_gradient_of_gradient_with_matmul(tf):
    """d/dW of ||dL/dx||^2 for L = sum(tanh(x W)): mixed second-order through matmul."""
    rng = np.random.default_rng(3)
    x0 = rng.standard_normal((2, 3))
    w0 = rng.standard_normal((3, 2))

    def g2(xa, wa):
        x = tf.constant(xa)
        w = tf.constant(wa)
        with tf.GradientTape() as outer:
            outer.watch(w)
            with tf.GradientTape() as inner:
                inner.watch(x)
                loss = tf.reduce_sum(tf.tanh(tf.matmul(x, w)))
            gx = inner.gradient(loss, x)
            pen = tf.reduce_sum(gx * gx)
        return float(pen), to_numpy(outer.gradient(pen, w))

    _, gw = g2(x0, w0)
    eps = 1e-6
    numeric = np.zeros_like(w0)
    for idx in np.ndindex(w0.shape):
        wp, wm = w0.copy(), w0.copy()
        wp[idx] += eps
        wm[idx] -= eps
        numeric[idx] = (g2(x0, wp)[0] - g2(x0, wm)[0]) / (2 * eps)
    np.testing.assert_allclose(gw, numeric, rtol=1e-5, atol=1e-6)

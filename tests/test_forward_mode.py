"""``tf.autodiff.ForwardAccumulator`` (JVPs, nested with GradientTape) and ``tf.recompute_grad``."""

from __future__ import annotations

import numpy as np
import pytest
from _backend import tf, to_numpy
from gradcheck import hessian
from hypothesis import given
from hypothesis import strategies as st


def f_vec(x):
    return tf.sin(x) * tf.reduce_sum(x * x) + tf.exp(x[0]) * x


def numeric_jvp(fn, x, v, eps=1e-6):
    return (to_numpy(fn(tf.constant(x + eps * v))) - to_numpy(fn(tf.constant(x - eps * v)))) / (2 * eps)


@given(n=st.integers(1, 4), seed=st.integers(0, 2**16))
def test_jvp_matches_finite_differences(n, seed):
    rng = np.random.default_rng(seed)
    x0, v0 = rng.standard_normal(n), rng.standard_normal(n)
    x = tf.constant(x0)
    with tf.autodiff.ForwardAccumulator(x, tf.constant(v0)) as acc:
        y = f_vec(x)
    np.testing.assert_allclose(to_numpy(acc.jvp(y)), numeric_jvp(f_vec, x0, v0), rtol=1e-5, atol=1e-6)


def test_jvp_of_the_primal_is_the_tangent():
    x = tf.constant([1.0, 2.0])
    v = tf.constant([3.0, 4.0])
    with tf.autodiff.ForwardAccumulator(x, v) as acc:
        pass
    assert to_numpy(acc.jvp(x)).tolist() == [3.0, 4.0]


def test_jvp_of_matmul_with_variables():
    w = tf.Variable([[1.0, 2.0], [3.0, 4.0]], dtype=tf.float64)
    x = tf.constant([[1.0, -1.0]], tf.float64)
    tw = tf.constant([[0.5, 0.0], [0.0, 1.0]], tf.float64)
    with tf.autodiff.ForwardAccumulator(w, tw) as acc:
        y = tf.matmul(x, w)
    np.testing.assert_allclose(to_numpy(acc.jvp(y)), to_numpy(tf.matmul(x, tw)))


def test_jvp_nested_structures_and_several_primals():
    a, b = tf.constant(2.0), tf.constant(3.0)
    with tf.autodiff.ForwardAccumulator([a, b], [tf.constant(1.0), tf.constant(10.0)]) as acc:
        y = {"p": a * b, "q": [a + b, a * a]}
    out = acc.jvp(y)
    assert float(out["p"]) == 23.0  # b·1 + a·10
    assert float(out["q"][0]) == 11.0
    assert float(out["q"][1]) == 4.0


def test_unconnected_jvp_is_none_or_zeros():
    x = tf.constant(1.0)
    c = tf.constant(5.0)
    with tf.autodiff.ForwardAccumulator(x, tf.constant(1.0)) as acc:
        y = c * 2.0
    assert acc.jvp(y) is None
    assert float(acc.jvp(y, unconnected_gradients=tf.UnconnectedGradients.ZERO)) == 0.0
    assert float(acc.jvp(y, unconnected_gradients="zero")) == 0.0


def test_watch_adds_a_primal():
    x, z = tf.constant(2.0), tf.constant(5.0)
    with tf.autodiff.ForwardAccumulator(x, tf.constant(1.0)) as acc:
        acc._watch(z, tf.constant(2.0))  # TF's (private) name; tapegrad also has `watch`
        y = x * z
    assert float(acc.jvp(y)) == 5.0 + 2.0 * 2.0


def test_ops_before_entering_are_not_tracked():
    x = tf.constant(2.0)
    before = x * x
    with tf.autodiff.ForwardAccumulator(x, tf.constant(1.0)) as acc:
        after = x * x
    assert acc.jvp(before) is None
    assert float(acc.jvp(after)) == 4.0


def test_structure_mismatch_is_value_error():
    with pytest.raises(ValueError):
        tf.autodiff.ForwardAccumulator([tf.constant(1.0)], [tf.constant(1.0), tf.constant(2.0)])


def scalar_f(x):
    return tf.reduce_sum(tf.sin(x) * x**2) + tf.reduce_prod(x)


def test_forward_over_reverse_hvp_matches_hessian():
    # The advanced-autodiff guide's Hessian-vector product.
    x0 = np.array([0.3, -1.2, 0.7])
    v0 = np.array([1.0, 0.5, -2.0])
    x = tf.constant(x0)
    with tf.autodiff.ForwardAccumulator(x, tf.constant(v0)) as acc:
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = scalar_f(x)
        g = tape.gradient(y, x)
    hvp = acc.jvp(g)
    np.testing.assert_allclose(to_numpy(hvp), hessian(scalar_f, x0) @ v0, rtol=1e-6, atol=1e-8)


def test_reverse_over_forward():
    x0 = np.array([0.3, -1.2, 0.7])
    v0 = np.array([1.0, 0.5, -2.0])
    x = tf.constant(x0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        with tf.autodiff.ForwardAccumulator(x, tf.constant(v0)) as acc:
            y = scalar_f(x)
        jvp = acc.jvp(y)
    np.testing.assert_allclose(
        to_numpy(tape.gradient(jvp, x)), hessian(scalar_f, x0) @ v0, rtol=1e-6, atol=1e-8
    )


def test_forward_over_reverse_with_variables():
    w = tf.Variable([[0.5, -1.0, 0.2], [1.5, 0.3, -0.7]], dtype=tf.float64)
    b = tf.Variable([0.1, 0.0, -0.2], dtype=tf.float64)
    x = tf.constant([[0.2, -0.4]], tf.float64)
    params = [w, b]

    def loss():
        return tf.reduce_sum(tf.tanh(tf.matmul(x, w) + b) ** 2)

    tangents = [tf.ones_like(v) for v in params]
    with tf.autodiff.ForwardAccumulator(params, tangents) as acc:
        with tf.GradientTape() as tape:
            out = loss()
        grads = tape.gradient(out, params)
    hvps = acc.jvp(grads)
    eps = 1e-6

    def grads_at(shift):
        for v in params:
            v.assign_add(shift * tf.ones_like(v))
        with tf.GradientTape() as t:
            out = loss()
        gs = [to_numpy(g) for g in t.gradient(out, params)]
        for v in params:
            v.assign_sub(shift * tf.ones_like(v))
        return gs

    plus, minus = grads_at(eps), grads_at(-eps)
    for h, p, m in zip(hvps, plus, minus):
        np.testing.assert_allclose(to_numpy(h), (p - m) / (2 * eps), rtol=1e-5, atol=1e-7)


# ------------------------------------------------------------ recompute_grad


def test_recompute_grad_same_values_and_gradients():
    w = tf.Variable([[0.5, -1.0], [2.0, 0.3]], dtype=tf.float64)

    def block(x):
        return tf.tanh(tf.matmul(x, w)) * x

    x = tf.constant([[0.1, 0.7], [-0.4, 0.2]], tf.float64)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        plain = tf.reduce_sum(block(x) ** 2)
        checkpointed = tf.reduce_sum(tf.recompute_grad(block)(x) ** 2)
    np.testing.assert_allclose(to_numpy(plain), to_numpy(checkpointed))
    for a, b in zip(tape.gradient(plain, [x, w]), tape.gradient(checkpointed, [x, w])):
        np.testing.assert_allclose(to_numpy(a), to_numpy(b), rtol=1e-12)


def test_recompute_grad_of_a_pure_function():
    f = tf.recompute_grad(lambda x: tf.sin(x) * x)
    x = tf.constant([0.3, 1.5], tf.float64)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = f(x)
    g = to_numpy(tape.gradient(y, x))
    x0 = np.array([0.3, 1.5])
    np.testing.assert_allclose(g, np.cos(x0) * x0 + np.sin(x0))

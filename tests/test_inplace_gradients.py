"""Gradients computed into the incoming gradient's buffer never touch anything a user holds.

The unrecorded backward pass overwrites a gradient temporary in place when only the
pass holds it (Note [In-place gradients] in ``rust/tapegrad/src/autodiff/fused.rs``).
These tests pin down that user-visible tensors (output gradients, sources, values
read back from a persistent tape) keep their values, and that the in-place path
computes what the recorded (composite) path computes.
"""

from __future__ import annotations

import numpy as np
import pytest
from _backend import to_numpy

N = 300_000  # big enough for the parallel kernels and the parallel executor


def chain(tf, x, c):
    """sin, mul, tanh, sub, div, sigmoid, exp and x*x: each rule has an in-place form."""
    y = tf.sin(x) * c
    y = tf.tanh(y) - x
    y = y / c
    y = tf.sigmoid(y) + tf.exp(-tf.square(x)) + x * x
    return tf.cos(y)


@pytest.mark.parametrize("n", [7, N])
def test_output_gradients_and_sources_are_not_overwritten(tf, n):
    """The caller's output_gradients tensor, its numpy view and the sources keep their values."""
    rng = np.random.default_rng(0)
    xv = rng.standard_normal(n).astype(np.float32)
    cv = rng.uniform(0.5, 1.5, n).astype(np.float32)
    gv = rng.standard_normal(n).astype(np.float32)
    x, c, og = tf.constant(xv), tf.constant(cv), tf.constant(gv)
    og_view = to_numpy(og)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = chain(tf, x, c)
    dx = tape.gradient(y, x, output_gradients=og)
    np.testing.assert_array_equal(to_numpy(og), gv)
    np.testing.assert_array_equal(og_view, gv)
    np.testing.assert_array_equal(to_numpy(x), xv)
    np.testing.assert_array_equal(to_numpy(c), cv)
    assert np.all(np.isfinite(to_numpy(dx)))


def test_intermediate_source_keeps_its_own_gradient(tf):
    """Asking for an intermediate and its input at once: the intermediate's gradient survives."""
    x = tf.constant(np.linspace(-2.0, 2.0, N, dtype=np.float32))
    with tf.GradientTape() as tape:
        tape.watch(x)
        h = tf.tanh(x) * 3.0
        y = tf.reduce_sum(tf.sin(h) * h)
    dh, dx = tape.gradient(y, [h, x])
    h_np = to_numpy(h).astype(np.float64)
    expected_dh = np.cos(h_np) * h_np + np.sin(h_np)
    np.testing.assert_allclose(to_numpy(dh), expected_dh, rtol=1e-4, atol=1e-5)
    t = np.tanh(to_numpy(x).astype(np.float64))
    np.testing.assert_allclose(to_numpy(dx), expected_dh * 3.0 * (1 - t * t), rtol=1e-4, atol=1e-5)


def test_persistent_tape_repeats_the_same_gradient(tf):
    """Saved tensors are never the in-place target: a persistent tape gives the same bits twice."""
    rng = np.random.default_rng(1)
    x = tf.constant(rng.standard_normal(N).astype(np.float32))
    c = tf.constant(rng.uniform(0.5, 1.5, N).astype(np.float32))
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = tf.reduce_sum(chain(tf, x, c))
    first = to_numpy(tape.gradient(y, x)).copy()
    second = to_numpy(tape.gradient(y, x))
    np.testing.assert_array_equal(first, second)
    del tape


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_in_place_path_matches_the_recorded_rules(tf, dtype):
    """The unrecorded (in-place) backward agrees with the composite rules an outer tape records."""
    rng = np.random.default_rng(2)
    xv = rng.standard_normal(5000).astype(dtype)
    cv = rng.uniform(0.5, 1.5, 5000).astype(dtype)
    x, c = tf.constant(xv), tf.constant(cv)
    with tf.GradientTape() as plain:
        plain.watch(x)
        y = tf.reduce_sum(chain(tf, x, c))
    fast = to_numpy(plain.gradient(y, x))
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = tf.reduce_sum(chain(tf, x, c))
        recorded = to_numpy(inner.gradient(y, x))
    tol = 1e-5 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(fast, recorded, rtol=tol, atol=tol)
    # Against float64 numpy by hand.
    xd, cd = xv.astype(np.float64), cv.astype(np.float64)
    s = np.sin(xd) * cd
    t = np.tanh(s) - xd
    u = t / cd
    sg = 1 / (1 + np.exp(-u))
    e = np.exp(-xd * xd)
    v = sg + e + xd * xd
    dv = -np.sin(v)
    du = dv * sg * (1 - sg)
    dt = du / cd
    ds = dt * (1 - np.tanh(s) ** 2)
    dx = ds * cd * np.cos(xd) - dt + dv * e * (-2 * xd) + dv * 2 * xd
    np.testing.assert_allclose(fast, dx, rtol=2e-4 if dtype == "float32" else 1e-10, atol=1e-4)


def test_product_under_a_sum_loss_shares_values_not_identity(tf):
    """d sum(x*c)/dx is c's values (also when broadcasting), as a value no tape confuses with c."""
    x = tf.constant([[1.0], [2.0], [3.0]])
    c = tf.constant([[10.0, 20.0, 30.0, 40.0]])
    with tf.GradientTape() as tape:
        tape.watch([x, c])
        loss = tf.reduce_sum(x * c)
    dx, dc = tape.gradient(loss, [x, c])
    np.testing.assert_array_equal(to_numpy(dx), np.full((3, 1), 100.0, np.float32))
    np.testing.assert_array_equal(to_numpy(dc), np.full((1, 4), 6.0, np.float32))
    v = tf.constant([1.0, -2.0, 3.0])
    w = tf.constant([4.0, 5.0, 6.0])
    with tf.GradientTape() as tape:
        tape.watch(v)
        loss = tf.reduce_sum(v * w)
    dv = tape.gradient(loss, v)
    np.testing.assert_array_equal(to_numpy(dv), to_numpy(w))
    with tf.GradientTape() as tape:
        tape.watch(w)
        y = tf.reduce_sum(dv * 2.0)
    assert tape.gradient(y, w) is None


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_unary_contribution_added_into_an_earlier_gradient(tf, dtype):
    """sin/tanh whose input already has a gradient: the sum is the same as computed apart."""
    rng = np.random.default_rng(3)
    xv = rng.standard_normal(N).astype(dtype)
    cv = rng.uniform(0.5, 1.5, N).astype(dtype)
    x, c = tf.constant(xv), tf.constant(cv)
    with tf.GradientTape() as tape:
        tape.watch(x)
        s, t = tf.sin(x), tf.tanh(x)  # created first, so differentiated last
        loss = tf.reduce_sum(s * c + t * c + x * x * c)
    got = to_numpy(tape.gradient(loss, x)).astype(np.float64)
    xd, cd = xv.astype(np.float64), cv.astype(np.float64)
    expected = cd * np.cos(xd) + cd * (1 - np.tanh(xd) ** 2) + 2 * xd * cd
    np.testing.assert_allclose(got, expected, rtol=1e-5 if dtype == "float32" else 1e-12, atol=1e-5)

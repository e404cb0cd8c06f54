"""Lazy fusion of elementwise chains on large float32 tensors (Note [Fusion] in
``rust/tapegrad/src/kernels/fusion/mod.rs``).

A chain is computed in one pass when first read, with the bits of the ops run
one by one: these tests compare fused and unfused results bit for bit, check
the values against numpy, and check that W3's expression stores no temporaries.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from _backend import IS_TF, to_numpy

pytestmark = pytest.mark.skipif(IS_TF, reason="tapegrad's fusion switch and memory behaviour")

N = (1 << 18) + 77  # above the fusion threshold (262,144 elements), with a ragged tail


def both_ways(tf, f):
    """``f()`` with fusion off, then on, as numpy arrays (fusion left on)."""
    results = []
    for on in (False, True):
        tf.config.optimizer.set_experimental_options({"fusion": on})
        try:
            results.append([to_numpy(t) for t in f()])
        finally:
            tf.config.optimizer.set_experimental_options({"fusion": True})
    return results


def assert_same_bits(eager, fused):
    for e, f in zip(eager, fused, strict=True):
        assert e.dtype == f.dtype and e.shape == f.shape
        np.testing.assert_array_equal(e.view(np.uint32), f.view(np.uint32))


def test_w3_loss_and_gradient_are_the_unfused_bits_and_numpys_values(tf):
    xv = np.random.default_rng(0).uniform(-3, 3, N).astype(np.float32)

    def w3():
        x = tf.Variable(xv)
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(tf.sin(x) * x + x * x)
        return loss, tape.gradient(loss, x)

    eager, fused = both_ways(tf, w3)
    assert_same_bits(eager, fused)
    x64 = xv.astype(np.float64)
    np.testing.assert_allclose(fused[0], np.sum(np.sin(x64) * x64 + x64 * x64), rtol=1e-5)
    np.testing.assert_allclose(fused[1], np.cos(x64) * x64 + np.sin(x64) + 2 * x64, rtol=1e-5, atol=1e-5)


def test_chains_reductions_and_second_derivatives_match_unfused(tf):
    xv = np.random.default_rng(1).uniform(-2, 2, (4, N // 4)).astype(np.float32)

    def chain():
        x = tf.constant(xv)
        with tf.GradientTape() as outer:
            outer.watch(x)
            with tf.GradientTape() as inner:
                inner.watch(x)
                y = tf.tanh(x) * tf.exp(-x * x) + tf.nn.relu(x - 0.5) / (1.0 + tf.abs(x))
                y = tf.maximum(y, -0.25) - tf.sigmoid(y) * 2.0
                s = tf.reduce_sum(y)
            g = inner.gradient(s, x)
            gs = tf.reduce_sum(g * g)
        h = outer.gradient(gs, x)
        return y, tf.reduce_mean(y, axis=1), tf.reduce_max(y, axis=-1), s, g, h

    eager, fused = both_ways(tf, chain)
    assert_same_bits(eager, fused)
    x = xv.astype(np.float64)
    t = np.tanh(x) * np.exp(-x * x) + np.maximum(x - 0.5, 0) / (1 + np.abs(x))
    want = np.maximum(t, -0.25) - 2 / (1 + np.exp(-t))
    np.testing.assert_allclose(fused[0], want, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(fused[1], want.mean(axis=1), rtol=1e-4)


def test_large_results_read_like_any_tensor(tf):
    x = tf.constant(np.linspace(-1, 1, N, dtype=np.float32))
    y = tf.sin(x) * 2.0 + 1.0
    np.testing.assert_allclose(y.numpy(), np.sin(np.linspace(-1, 1, N)) * 2 + 1, rtol=1e-6, atol=1e-6)
    assert y.shape == (N,) and y.dtype == tf.float32
    assert float(y[0]) == pytest.approx(1 - 2 * np.sin(1), rel=1e-6)
    v = tf.Variable(y)  # a variable holds computed values
    v.assign_add(y)
    np.testing.assert_allclose(v.numpy(), 2 * y.numpy(), rtol=1e-6)


def test_sgd_updates_by_fused_steps_match_unfused_and_numpy(tf):
    rng = np.random.default_rng(2)
    wv, gv = rng.standard_normal((2, 512, 600)).astype(np.float32)  # 307,200 elements: fused

    def sgd():
        w = tf.Variable(wv)
        g = tf.constant(gv)
        w.assign_sub(0.01 * g)  # the pending step is read block by block into w
        w.assign_add(tf.exp(g * 0.1) * 0.5)
        w.assign(w * 2.0)
        return (w.value(),)

    eager, fused = both_ways(tf, sgd)
    assert_same_bits(eager, fused)
    w64, g64 = wv.astype(np.float64), gv.astype(np.float64)
    want = 2 * (w64 - 0.01 * g64 + 0.5 * np.exp(0.1 * g64))
    np.testing.assert_allclose(fused[0], want, rtol=1e-5, atol=1e-5)


def test_the_switch_reads_back(tf):
    opt = tf.config.optimizer
    assert opt.get_experimental_options()["fusion"] is True
    opt.set_experimental_options({"fusion": False, "constant_folding": True})
    try:
        got = opt.get_experimental_options()
        assert got["fusion"] is False and got["constant_folding"] is True
    finally:
        opt.set_experimental_options({"fusion": True})


PEAK_SCRIPT = textwrap.dedent(
    """
    import tapegrad as tf

    def status(key):
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith(key + ":"))

    x = tf.Variable(tf.random.uniform([10_000_000]))  # 40 MB
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # resets the peak (VmHWM) to the current RSS
    base = status("VmRSS")
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(tf.sin(x) * x + x * x)
    g = tape.gradient(loss, x)
    print((status("VmHWM") - base) / 1024)
    """
)


@pytest.mark.skipif(sys.platform != "linux", reason="/proc accounting")
def test_w3_stores_only_its_gradient():
    """Unfused, W3's forward and backward store several 40 MB arrays; fused, only the gradient."""
    env = dict(os.environ, TAPEGRAD_NUM_THREADS="1")
    env.pop("TAPEGRAD_NO_FUSION", None)
    out = subprocess.run([sys.executable, "-c", PEAK_SCRIPT], capture_output=True, text=True,
                         check=True, env=env)
    grown_mb = float(out.stdout.strip())
    assert grown_mb < 60, f"W3 grew the peak by {grown_mb:.0f} MB (the gradient alone is 40 MB)"
    env["TAPEGRAD_NO_FUSION"] = "1"
    out = subprocess.run([sys.executable, "-c", PEAK_SCRIPT], capture_output=True, text=True,
                         check=True, env=env)
    assert float(out.stdout.strip()) > 100, "the unfused reference stores its temporaries"

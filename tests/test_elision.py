"""Temporary elision: ``a * b + c`` may write the sum over the buffer of ``a * b``.

The binding reuses an operand's buffer only when the operand is a temporary of
the running ``+``/``-``/``*``/``/`` (see ``rust/tapegrad-py/src/elide.rs``) and the
core finds nothing else sharing it. These tests pin down that results and
gradients are bit-for-bit those of the allocating path, that nothing a user can
still see (a named tensor, a variable, a numpy view, a value a tape saved)
changes, and that the peak memory of W3's expression really drops.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from _backend import IS_TF, to_numpy

N = 1 << 17  # above the elision threshold (65,536 elements)


def big(tf, seed=0, lo=0.5, hi=1.5):
    return tf.constant(np.random.default_rng(seed).uniform(lo, hi, N).astype(np.float32))


@pytest.mark.parametrize("op", ["add", "sub", "mul", "div"])
def test_elided_results_are_bitwise_the_allocating_results(tf, op):
    """A temporary on either side, a tensor or a Python scalar on the other."""
    x, y = big(tf, 0), big(tf, 1)
    f = {"add": lambda a, b: a + b, "sub": lambda a, b: a - b,
         "mul": lambda a, b: a * b, "div": lambda a, b: a / b}[op]
    t1 = x * 1.5
    t2 = y * 0.5
    for got, want in [
        (f(x * 1.5, y), f(t1, y)),          # temporary on the left
        (f(y, x * 1.5), f(y, t1)),          # temporary on the right
        (f(x * 1.5, y * 0.5), f(t1, t2)),   # both temporaries
        (f(x * 1.5, 3.0), f(t1, 3.0)),      # scalar on the right
        (f(3.0, x * 1.5), f(3.0, t1)),      # reflected: scalar on the left
    ]:
        np.testing.assert_array_equal(to_numpy(got), to_numpy(want))


def test_named_tensors_variables_and_views_keep_their_values(tf):
    x = big(tf)
    t = x * 2.0
    t_before = to_numpy(t).copy()
    _ = t + 1.0
    _ = 1.0 - t
    np.testing.assert_array_equal(to_numpy(t), t_before)

    v = tf.Variable(to_numpy(x))
    v_before = to_numpy(v).copy()
    _ = v + x * 3.0
    _ = x * 3.0 - v
    np.testing.assert_array_equal(to_numpy(v), v_before)

    # A temporary whose buffer a numpy array still views is not reused.
    views = []

    def make():
        u = x * 4.0
        views.append(to_numpy(u))
        return u

    r = make()
    view_before = views[-1].copy()
    del r
    s = make() + 100.0
    np.testing.assert_array_equal(views[-1], view_before)
    np.testing.assert_array_equal(to_numpy(s), view_before + np.float32(100.0))


def test_gradients_are_unchanged_by_elision(tf):
    """Chains of temporaries under a tape, including values the tape saves (exp's output)."""
    x = big(tf, 3)
    c = big(tf, 4)

    def elided():
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = tf.reduce_sum((tf.sin(x) * x + x * x) * c - tf.exp(x) / c + tf.exp(x) + 1.0)
        return tape.gradient(y, x)

    def named():
        with tf.GradientTape() as tape:
            tape.watch(x)
            a = tf.sin(x)
            b = a * x
            d = x * x
            e = b + d
            f = e * c
            g = tf.exp(x)
            h = g / c
            i = f - h
            j = tf.exp(x)
            k = i + j
            m = k + 1.0
            y = tf.reduce_sum(m)
        return tape.gradient(y, x)

    np.testing.assert_array_equal(to_numpy(elided()), to_numpy(named()))


def test_nested_and_persistent_tapes_see_consistent_values(tf):
    x = big(tf, 5, -1.0, 1.0)
    with tf.GradientTape(persistent=True) as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = tf.reduce_sum(tf.tanh(x) * x + x * x - 0.5)
        g = inner.gradient(y, x)
        s = tf.reduce_sum(g * g + g)
    h = outer.gradient(s, x)
    xv = to_numpy(x).astype(np.float64)
    t = np.tanh(xv)
    gv = t + xv * (1 - t * t) + 2 * xv
    np.testing.assert_allclose(to_numpy(g), gv, rtol=1e-5, atol=1e-5)
    dg = 2 * (1 - t * t) - 2 * xv * t * (1 - t * t) + 2
    np.testing.assert_allclose(to_numpy(h), (2 * gv + 1) * dg, rtol=1e-4, atol=1e-4)
    assert outer.gradient(s, x) is not None


PEAK_SCRIPT = textwrap.dedent(
    """
    import tapegrad as tf

    def status(key):
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith(key + ":"))

    x = tf.random.uniform([10_000_000])  # 40 MB
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # resets the peak (VmHWM) to the current RSS
    base = status("VmRSS")
    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = tf.reduce_sum(tf.sin(x) * x + x * x)
    print((status("VmHWM") - base) / 1024)
    """
)


@pytest.mark.skipif(IS_TF, reason="tapegrad's memory behaviour")
@pytest.mark.skipif(not (3, 11) <= sys.version_info[:2] < (3, 14),
                    reason="elision needs CPython 3.11-3.13's BINARY_OP and stack references")
@pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss units and page accounting")
def test_w3_forward_keeps_one_temporary_fewer():
    """sin(x), sin(x)*x and x*x are live at the `+`; the sum reuses sin(x)*x's buffer.

    Without elision the forward adds 4 arrays of 40 MB to the peak (160 MB),
    with it 3 (120 MB).
    """
    # Fusion off: with it the forward stores no temporaries at all (test_fusion.py).
    env = dict(os.environ, TAPEGRAD_NUM_THREADS="1", TAPEGRAD_NO_FUSION="1")
    out = subprocess.run([sys.executable, "-c", PEAK_SCRIPT], capture_output=True, text=True,
                         check=True, env=env)
    grown_mb = float(out.stdout.strip())
    assert 80 < grown_mb < 140, f"forward grew the peak by {grown_mb:.0f} MB"

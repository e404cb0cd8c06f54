"""Pooling (``tf.nn.max_pool1d/2d``, ``avg_pool1d/2d``, ``max_pool``, ``avg_pool``, ``pool``).

Values are compared with direct numpy implementations across hypothesis-drawn shapes,
windows, strides and paddings; gradients (first and second order) against central finite
differences in float64 on inputs whose elements are pairwise apart (no ties for max), so the
max-pool gradient's own gradient (TF's ``MaxPoolGradGrad``) is exercised too.
"""

from __future__ import annotations

import numpy as np
import pytest
import strategies as S
from _backend import tf, to_numpy
from gradcheck import check_gradients
from hypothesis import assume, given, settings
from hypothesis import strategies as st


def same_pads(size, k, s):
    out = -(-size // s)
    total = max((out - 1) * s + k - size, 0)
    return total // 2, total - total // 2


def np_pool2d(x, kind, ksize, strides, padding):
    n, h, w, c = x.shape
    if padding == "VALID":
        pads = [(0, 0), (0, 0)]
    elif padding == "SAME":
        pads = [same_pads(h, ksize[0], strides[0]), same_pads(w, ksize[1], strides[1])]
    else:
        pads = [tuple(p) for p in padding[1:3]]
    oh = (h + sum(pads[0]) - ksize[0]) // strides[0] + 1
    ow = (w + sum(pads[1]) - ksize[1]) // strides[1] + 1
    y = np.zeros((n, oh, ow, c))
    for i in range(oh):
        for j in range(ow):
            y0, x0 = i * strides[0] - pads[0][0], j * strides[1] - pads[1][0]
            win = x[:, max(y0, 0) : max(y0 + ksize[0], 0), max(x0, 0) : max(x0 + ksize[1], 0), :]
            y[:, i, j, :] = win.max(axis=(1, 2)) if kind == "max" else win.mean(axis=(1, 2))
    return y


@st.composite
def pool_cases(draw, max_side=7, explicit=True):
    n = draw(st.integers(1, 2))
    h, w, c = draw(st.integers(1, max_side)), draw(st.integers(1, max_side)), draw(st.integers(1, 3))
    ksize = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    strides = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    padding = draw(st.sampled_from(["SAME", "VALID"] + (["EXPLICIT"] if explicit else [])))
    if padding == "EXPLICIT":
        padding = [
            [0, 0],
            [draw(st.integers(0, ksize[0] - 1)), draw(st.integers(0, ksize[0] - 1))],
            [draw(st.integers(0, ksize[1] - 1)), draw(st.integers(0, ksize[1] - 1))],
            [0, 0],
        ]
    if padding == "VALID":
        assume(h >= ksize[0] and w >= ksize[1])
    elif padding != "SAME":
        assume(h + sum(padding[1]) >= ksize[0] and w + sum(padding[2]) >= ksize[1])
    x = draw(S.distinct_arrays((n, h, w, c)))
    return x, ksize, strides, padding


@settings(max_examples=60, deadline=None)
@given(pool_cases())
def test_max_pool2d_values(case):
    x, ksize, strides, padding = case
    got = tf.nn.max_pool2d(tf.constant(x), ksize, strides, padding)
    np.testing.assert_allclose(to_numpy(got), np_pool2d(x, "max", ksize, strides, padding))


@settings(max_examples=60, deadline=None)
@given(pool_cases(explicit=False))
def test_avg_pool2d_values(case):
    x, ksize, strides, padding = case
    got = tf.nn.avg_pool2d(tf.constant(x), ksize, strides, padding)
    np.testing.assert_allclose(to_numpy(got), np_pool2d(x, "avg", ksize, strides, padding), rtol=1e-12)


@settings(max_examples=15, deadline=None)
@given(pool_cases(max_side=5, explicit=False))  # TF has no MaxPoolGrad for explicit padding
def test_max_pool2d_gradients(case):
    x, ksize, strides, padding = case
    check_gradients(lambda x: tf.nn.max_pool2d(x, ksize, strides, padding), [x], order=2)


@settings(max_examples=15, deadline=None)
@given(pool_cases(max_side=5, explicit=False))
def test_avg_pool2d_gradients(case):
    x, ksize, strides, padding = case
    check_gradients(lambda x: tf.nn.avg_pool2d(x, ksize, strides, padding), [x], order=2)


@pytest.mark.tapegrad_only  # TF's MaxPoolGrad takes only SAME and VALID
def test_max_pool_explicit_padding_gradients():
    x = np.random.default_rng(5).permutation(30).reshape(1, 5, 3, 2).astype(np.float64) * 0.37
    pads = [[0, 0], [1, 0], [0, 1], [0, 0]]
    check_gradients(lambda x: tf.nn.max_pool2d(x, 2, [2, 1], pads), [x], order=2)


def test_max_pool_grad_of_grad():
    """The input gradient of max pooling, differentiated in the output gradient (MaxPoolGradGrad)."""
    rng = np.random.default_rng(0)
    x = tf.constant(rng.permutation(32).reshape(1, 4, 4, 2).astype(np.float64))
    dy = tf.constant(rng.normal(size=(1, 2, 2, 2)))
    with tf.GradientTape() as outer:
        outer.watch(dy)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = tf.nn.max_pool2d(x, 2, 2, "VALID")
        gx = inner.gradient(y, x, output_gradients=dy)
        z = tf.reduce_sum(gx * x)
    gdy = outer.gradient(z, dy)
    # d/d dy of <routed dy, x> = x at each window's argmax = the pooled values
    np.testing.assert_allclose(to_numpy(gdy), to_numpy(y))


def test_pool_1d_and_generic_forms():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 9, 3))
    want = np_pool2d(x[:, None], "max", (1, 3), (1, 2), "SAME")[:, 0]
    np.testing.assert_allclose(to_numpy(tf.nn.max_pool1d(x, 3, 2, "SAME")), want)
    np.testing.assert_allclose(to_numpy(tf.nn.max_pool(x, 3, 2, "SAME")), want)
    want_avg = np_pool2d(x[:, None], "avg", (1, 2), (1, 2), "VALID")[:, 0]
    np.testing.assert_allclose(to_numpy(tf.nn.avg_pool1d(x, 2, 2, "VALID")), want_avg, rtol=1e-12)
    np.testing.assert_allclose(to_numpy(tf.nn.pool(x, [2], "AVG", strides=[2])), want_avg, rtol=1e-12)
    x4 = rng.normal(size=(1, 5, 4, 2))
    np.testing.assert_allclose(
        to_numpy(tf.nn.pool(x4, [2, 2], "MAX", strides=[2, 2], padding="SAME")),
        np_pool2d(x4, "max", (2, 2), (2, 2), "SAME"),
    )
    np.testing.assert_allclose(
        to_numpy(tf.nn.avg_pool(x4, [1, 2, 2, 1], [1, 1, 1, 1], "VALID")),
        np_pool2d(x4, "avg", (2, 2), (1, 1), "VALID"),
        rtol=1e-12,
    )


def test_nchw_pooling_matches_nhwc():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(2, 3, 6, 5))
    got = tf.nn.max_pool2d(x, 2, 2, "VALID", data_format="NCHW")
    want = np_pool2d(x.transpose(0, 2, 3, 1), "max", (2, 2), (2, 2), "VALID").transpose(0, 3, 1, 2)
    np.testing.assert_allclose(to_numpy(got), want)


def test_float32_and_bad_input():
    x = tf.constant(np.arange(16, dtype=np.float32).reshape(1, 4, 4, 1))
    y = tf.nn.max_pool2d(x, 2, 2, "VALID")
    assert y.dtype == tf.float32
    np.testing.assert_array_equal(to_numpy(y)[0, :, :, 0], [[5, 7], [13, 15]])
    with pytest.raises((tf.errors.InvalidArgumentError, ValueError, TypeError)):
        tf.nn.avg_pool2d(x, 2, 2, [[0, 0], [1, 1], [1, 1], [0, 0]])
    with pytest.raises((tf.errors.InvalidArgumentError, ValueError)):
        tf.nn.max_pool2d(x, 2, 2, "BAD")

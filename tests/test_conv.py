"""Convolutions (``tf.nn.conv2d/conv1d/convolution/conv2d_transpose/depthwise_conv2d/separable_conv2d``).

Values are compared with a direct numpy implementation of the definition (so the file also
passes under ``TAPEGRAD_TEST_BACKEND=tensorflow``) across hypothesis-drawn shapes, strides,
dilations, paddings (SAME, VALID, explicit) and groups; gradients with respect to input and
filter, first and second order, against central finite differences in float64
(:func:`gradcheck.check_gradients`), including a WGAN-GP gradient penalty on a conv critic.
"""

from __future__ import annotations

import numpy as np
import pytest
from _backend import IS_TF, tf, to_numpy
from gradcheck import check_gradients
from hypothesis import assume, given, settings
from hypothesis import strategies as st

BAD_INPUT = (tf.errors.InvalidArgumentError, ValueError)


def same_pads(size: int, k: int, s: int, d: int) -> tuple[int, int]:
    """TF's SAME padding of one dim: output ``ceil(size / s)``, extra padding after."""
    eff = (k - 1) * d + 1
    out = -(-size // s)
    total = max((out - 1) * s + eff - size, 0)
    return total // 2, total - total // 2


def resolve(padding, x_hw, k_hw, strides, dilations):
    if padding == "VALID":
        return [(0, 0), (0, 0)]
    if padding == "SAME":
        return [same_pads(x_hw[a], k_hw[a], strides[a], dilations[a]) for a in range(2)]
    return [tuple(p) for p in padding[1:3]]


def np_conv2d(x, f, strides, dilations, padding):
    """NHWC x, HWIO f (grouped when channels = groups · f's depth), by the definition."""
    n, h, w, c = x.shape
    kh, kw, cig, cout = f.shape
    groups = c // cig
    cog = cout // groups
    (pt, pb), (pl, pr) = resolve(padding, (h, w), (kh, kw), strides, dilations)
    xp = np.pad(x, [(0, 0), (pt, pb), (pl, pr), (0, 0)])
    eh, ew = (kh - 1) * dilations[0] + 1, (kw - 1) * dilations[1] + 1
    oh = (h + pt + pb - eh) // strides[0] + 1
    ow = (w + pl + pr - ew) // strides[1] + 1
    y = np.zeros((n, oh, ow, cout), dtype=np.float64)
    for i in range(kh):
        for j in range(kw):
            ys, xs = i * dilations[0], j * dilations[1]
            patch = xp[
                :,
                ys : ys + (oh - 1) * strides[0] + 1 : strides[0],
                xs : xs + (ow - 1) * strides[1] + 1 : strides[1],
                :,
            ]
            for g in range(groups):
                y[..., g * cog : (g + 1) * cog] += np.einsum(
                    "nhwc,co->nhwo", patch[..., g * cig : (g + 1) * cig], f[i, j, :, g * cog : (g + 1) * cog]
                )
    return y


def np_conv2d_transpose(dy, f, out_shape, strides, dilations, padding):
    """The adjoint of ``np_conv2d`` in its input: f is ``[kh, kw, out_c, in_c]`` (groups = 1)."""
    n, h, w, c = out_shape
    kh, kw = f.shape[:2]
    (pt, pb), (pl, pr) = resolve(padding, (h, w), (kh, kw), strides, dilations)
    xp = np.zeros((n, h + pt + pb, w + pl + pr, c))
    oh, ow = dy.shape[1:3]
    for i in range(kh):
        for j in range(kw):
            ys, xs = i * dilations[0], j * dilations[1]
            contrib = np.einsum("nhwo,co->nhwc", dy, f[i, j])
            xp[
                :,
                ys : ys + (oh - 1) * strides[0] + 1 : strides[0],
                xs : xs + (ow - 1) * strides[1] + 1 : strides[1],
                :,
            ] += contrib
    return xp[:, pt : pt + h, pl : pl + w, :]


@st.composite
def conv_cases(draw, max_side=7, max_channels=3, groups=True, explicit=True, dilate=True):
    n = draw(st.integers(1, 2), label="n")
    h, w = draw(st.integers(1, max_side)), draw(st.integers(1, max_side))
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    g = draw(st.integers(1, 2)) if groups else 1
    cig = draw(st.integers(1, max_channels))
    cout = g * draw(st.integers(1, max_channels))
    strides = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilations = (draw(st.integers(1, 2)), draw(st.integers(1, 2))) if dilate else (1, 1)
    choices = ["SAME", "VALID"] + (["EXPLICIT"] if explicit else [])
    padding = draw(st.sampled_from(choices))
    if padding == "EXPLICIT":
        padding = [
            [0, 0],
            [draw(st.integers(0, 2)), draw(st.integers(0, 2))],
            [draw(st.integers(0, 2)), draw(st.integers(0, 2))],
            [0, 0],
        ]
    pads = resolve(padding, (h, w), (kh, kw), strides, dilations)
    for a, (size, k) in enumerate(((h, kh), (w, kw))):
        assume(size + sum(pads[a]) >= (k - 1) * dilations[a] + 1)
    # TF computes dilated strided convolutions only with stride 1 or dilation 1 per dim.
    assume(all(s == 1 or d == 1 for s, d in zip(strides, dilations)))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    x = rng.normal(size=(n, h, w, g * cig))
    f = rng.normal(size=(kh, kw, cig, cout))
    return x, f, strides, dilations, padding


@settings(max_examples=60, deadline=None)
@given(conv_cases())
def test_conv2d_values_match_the_definition(case):
    x, f, strides, dilations, padding = case
    want = np_conv2d(x, f, strides, dilations, padding)
    got = tf.nn.conv2d(tf.constant(x), tf.constant(f), strides, padding, dilations=list(dilations))
    np.testing.assert_allclose(to_numpy(got), want, rtol=1e-10, atol=1e-10)
    got32 = tf.nn.conv2d(
        tf.constant(x, tf.float32), tf.constant(f, tf.float32), strides, padding, dilations=list(dilations)
    )
    assert got32.dtype == tf.float32
    np.testing.assert_allclose(to_numpy(got32), want, rtol=1e-4, atol=1e-4)


@settings(max_examples=12, deadline=None)
@given(conv_cases(max_side=4, max_channels=2, groups=False, dilate=False))
def test_conv2d_gradients_first_and_second_order(case):
    x, f, strides, dilations, padding = case

    def fn(x, f):
        return tf.nn.conv2d(x, f, strides, padding, dilations=list(dilations))

    check_gradients(fn, [x, f], order=2)


@pytest.mark.tapegrad_only  # TF's CPU kernels have no dilated Conv2DBackpropInput
@pytest.mark.parametrize("strides", [(1, 1), (2, 1)])
def test_dilated_conv2d_gradients(strides):
    rng = np.random.default_rng(10)
    x, f = rng.normal(size=(1, 5, 6, 2)), rng.normal(size=(2, 2, 2, 2))
    dil = [1, 2] if strides == (2, 1) else [2, 2]

    def fn(x, f):
        return tf.nn.conv2d(x, f, list(strides), "SAME", dilations=dil)

    check_gradients(fn, [x, f], order=2, reference=lambda x, f: np_conv2d(x, f, strides, dil, "SAME"))


@pytest.mark.tapegrad_only  # TF's CPU kernels have no grouped Conv2DBackpropInput
def test_conv2d_grouped_gradients():
    rng = np.random.default_rng(1)
    x, f = rng.normal(size=(1, 4, 4, 4)), rng.normal(size=(2, 2, 2, 4))

    def fn(x, f):
        return tf.nn.conv2d(x, f, 1, "SAME")

    check_gradients(fn, [x, f], order=2, reference=lambda x, f: np_conv2d(x, f, (1, 1), (1, 1), "SAME"))


def test_conv2d_strided_gradient_matches_tf_layout():
    # stride 2 over an even input: SAME pads only after, and the last row is never read
    rng = np.random.default_rng(2)
    x, f = rng.normal(size=(2, 6, 5, 2)), rng.normal(size=(3, 3, 2, 3))
    check_gradients(lambda x, f: tf.nn.conv2d(x, f, [1, 2, 2, 1], "SAME"), [x, f], order=1)


@pytest.mark.parametrize("padding", ["SAME", "VALID"])
def test_conv2d_nchw_matches_nhwc(padding):
    rng = np.random.default_rng(3)
    # float32: TF 2.21 runs NCHW on the CPU through oneDNN only (float64 NCHW is unimplemented)
    x = rng.normal(size=(2, 3, 6, 5)).astype(np.float32)
    f = rng.normal(size=(3, 2, 3, 4)).astype(np.float32)
    got = tf.nn.conv2d(x, f, [1, 1, 2, 1], padding, data_format="NCHW")
    want = np_conv2d(x.transpose(0, 2, 3, 1), f, (2, 1), (1, 1), padding).transpose(0, 3, 1, 2)
    np.testing.assert_allclose(to_numpy(got), want, rtol=1e-4, atol=1e-4)


@settings(max_examples=25, deadline=None)
@given(conv_cases(groups=False, explicit=False, dilate=False))
def test_conv2d_transpose_is_the_adjoint(case):
    x, f, strides, dilations, padding = case
    y = np_conv2d(x, f, strides, dilations, padding)
    rng = np.random.default_rng(0)
    dy = rng.normal(size=y.shape)
    ft = f.transpose(0, 1, 2, 3)  # [kh, kw, in (= transposed conv's output), out]
    got = tf.nn.conv2d_transpose(
        tf.constant(dy), tf.constant(ft), list(x.shape), list(strides), padding, dilations=list(dilations)
    )
    want = np_conv2d_transpose(dy, f, x.shape, strides, dilations, padding)
    np.testing.assert_allclose(to_numpy(got), want, rtol=1e-10, atol=1e-10)


def test_conv2d_transpose_gradients():
    rng = np.random.default_rng(4)
    dy, f = rng.normal(size=(1, 3, 3, 2)), rng.normal(size=(3, 3, 2, 2))

    def fn(dy, f):
        return tf.nn.conv2d_transpose(dy, f, [1, 6, 6, 2], 2, "SAME")

    check_gradients(fn, [dy, f], order=2)


def test_conv1d_and_convolution():
    rng = np.random.default_rng(5)
    x, f = rng.normal(size=(2, 9, 3)), rng.normal(size=(3, 3, 4))
    want = np_conv2d(x[:, None], f[None], (1, 2), (1, 1), "SAME")[:, 0]
    np.testing.assert_allclose(to_numpy(tf.nn.conv1d(x, f, 2, "SAME")), want, rtol=1e-10, atol=1e-10)
    want_valid = np_conv2d(x[:, None], f[None], (1, 1), (1, 2), "VALID")[:, 0]
    got = tf.nn.convolution(x, f, padding="VALID", dilations=[2])
    np.testing.assert_allclose(to_numpy(got), want_valid, rtol=1e-10, atol=1e-10)
    x4, f4 = rng.normal(size=(1, 5, 5, 2)), rng.normal(size=(2, 2, 2, 3))
    got4 = tf.nn.convolution(x4, f4, strides=2, padding="SAME")
    np.testing.assert_allclose(to_numpy(got4), np_conv2d(x4, f4, (2, 2), (1, 1), "SAME"), rtol=1e-10)
    check_gradients(lambda x, f: tf.nn.conv1d(x, f, 1, "SAME"), [x[:1, :5], f[:, :, :2]], order=2)


def test_depthwise_and_separable():
    rng = np.random.default_rng(6)
    x, dw, pw = rng.normal(size=(2, 5, 6, 3)), rng.normal(size=(3, 3, 3, 2)), rng.normal(size=(1, 1, 6, 4))
    # depthwise: output channel c·m + k is channel c convolved with dw[:, :, c, k]
    want = np.concatenate(
        [np_conv2d(x[..., c : c + 1], dw[:, :, c : c + 1, :], (1, 1), (1, 1), "SAME") for c in range(3)],
        axis=-1,
    )
    got = tf.nn.depthwise_conv2d(x, dw, [1, 1, 1, 1], "SAME")
    np.testing.assert_allclose(to_numpy(got), want, rtol=1e-10, atol=1e-10)
    sep = tf.nn.separable_conv2d(x, dw, pw, [1, 1, 1, 1], "SAME")
    np.testing.assert_allclose(
        to_numpy(sep), np.einsum("nhwc,co->nhwo", want, pw[0, 0]), rtol=1e-10, atol=1e-10
    )
    check_gradients(
        lambda x, dw: tf.nn.depthwise_conv2d(x, dw, [1, 2, 2, 1], "VALID"), [x[:1], dw[:2, :2]], order=2
    )


def test_wgan_gp_penalty_on_a_conv_critic():
    """d/dθ (‖∂D/∂x‖ − 1)², D a two-layer conv critic: a second derivative through conv2d."""
    rng = np.random.default_rng(7)
    x = rng.normal(size=(2, 5, 5, 1))
    f1, f2 = rng.normal(size=(3, 3, 1, 2)) * 0.5, rng.normal(size=(2, 2, 2, 1)) * 0.5

    def penalty(x, f1, f2):
        with tf.GradientTape() as inner:
            inner.watch(x)
            h = tf.nn.conv2d(x, f1, 2, "SAME")
            h = tf.math.softplus(h)
            d = tf.reduce_sum(tf.nn.conv2d(h, f2, 1, "VALID"))
        gx = inner.gradient(d, x)
        norm = tf.sqrt(tf.reduce_sum(tf.square(gx), axis=[1, 2, 3]))
        return tf.square(norm - 1.0)

    check_gradients(penalty, [x, f1, f2], order=1)


def test_bad_input():
    x = tf.zeros([1, 5, 5, 4])
    f = tf.zeros([3, 3, 3, 2])
    with pytest.raises(tf.errors.InvalidArgumentError, match="evenly divisible"):
        tf.nn.conv2d(x, f, 1, "SAME")
    with pytest.raises(BAD_INPUT):
        tf.nn.conv2d(tf.zeros([1, 5, 5, 3]), f, 1, "FOO")
    with pytest.raises(BAD_INPUT):
        tf.nn.conv2d(tf.zeros([1, 5, 5, 3]), f, [1, 2, 3], "SAME")


@pytest.mark.tapegrad_only  # TF 2.21 aborts the process (a CHECK failure) on these
def test_bad_ranks_and_windows_raise():
    f = tf.zeros([3, 3, 3, 2])
    with pytest.raises(ValueError, match="4-dimensional"):
        tf.nn.conv2d(tf.zeros([5, 5, 3]), f, 1, "SAME")
    with pytest.raises(tf.errors.InvalidArgumentError, match="negative"):
        tf.nn.conv2d(tf.zeros([1, 1, 1, 3]), f, 1, "VALID")
    with pytest.raises(tf.errors.InvalidArgumentError, match="out_backprop"):
        tf.nn.conv2d_transpose(tf.zeros([1, 4, 4, 2]), tf.zeros([3, 3, 3, 2]), [1, 5, 5, 3], 2, "SAME")


@pytest.mark.skipif(IS_TF, reason="thread-count determinism is a tapegrad guarantee")
def test_conv_is_bit_identical_across_thread_counts():
    import tapegrad

    rng = np.random.default_rng(9)
    x = tf.constant(rng.normal(size=(4, 20, 20, 16)).astype(np.float32))
    f = tf.constant(rng.normal(size=(3, 3, 16, 16)).astype(np.float32))
    before = tapegrad.config.threading.get_intra_op_parallelism_threads()
    results = []
    try:
        for threads in (1, 2):
            tapegrad.config.threading.set_intra_op_parallelism_threads(threads)
            with tf.GradientTape() as tape:
                tape.watch([x, f])
                y = tf.nn.conv2d(x, f, 1, "SAME")
                loss = tf.reduce_sum(y * y)
            gx, gf = tape.gradient(loss, [x, f])
            results.append([to_numpy(t) for t in (y, gx, gf)])
    finally:
        tapegrad.config.threading.set_intra_op_parallelism_threads(before)
    for a, b in zip(*results):
        assert np.array_equal(a, b)


@pytest.mark.parametrize("shape", [(2, 30, 30, 16), (3, 60, 60, 16)])
def test_large_convolutions_and_their_adjoints(shape):
    """Shapes that span many row tiles (and, for the filter gradient, several tiles per partial sum)."""
    rng = np.random.default_rng(11)
    x, f = rng.normal(size=shape), rng.normal(size=(3, 3, shape[-1], 8))
    want = np_conv2d(x, f, (1, 1), (1, 1), "VALID")
    xt, ft = tf.constant(x), tf.constant(f)
    g = rng.normal(size=want.shape)
    with tf.GradientTape() as tape:
        tape.watch([xt, ft])
        y = tf.nn.conv2d(xt, ft, 1, "VALID")
    np.testing.assert_allclose(to_numpy(y), want, rtol=1e-9, atol=1e-9)
    gx, gf = tape.gradient(y, [xt, ft], output_gradients=tf.constant(g))
    inner = float((want * g).sum())
    np.testing.assert_allclose(float((x * to_numpy(gx)).sum()), inner, rtol=1e-9)
    np.testing.assert_allclose(float((f * to_numpy(gf)).sum()), inner, rtol=1e-9)
    # the filter gradient element by element: sum over positions of patch · g
    gf_want = np.zeros_like(f)
    for i in range(3):
        for j in range(3):
            patch = x[:, i : i + want.shape[1], j : j + want.shape[2], :]
            gf_want[i, j] = np.einsum("nhwc,nhwo->co", patch, g)
    np.testing.assert_allclose(to_numpy(gf), gf_want, rtol=1e-9, atol=1e-9)
    gx_want = np_conv2d_transpose(g, f, x.shape, (1, 1), (1, 1), "VALID")
    np.testing.assert_allclose(to_numpy(gx), gx_want, rtol=1e-9, atol=1e-9)

"""TF functions built as compositions of differentiable ops: values, gradients and errors.

Forward values are compared with numpy (or with TensorFlow 2.21 literals where the
semantics are TF's own, e.g. gradients at kinks and ties); first and second order
gradients with finite differences in float64 via :func:`gradcheck.check_gradients`.
Every test except those marked ``tapegrad_only`` also passes with
``TAPEGRAD_TEST_BACKEND=tensorflow``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import strategies as S
from _backend import IS_TF, tf, to_numpy
from gradcheck import check_gradients
from hypothesis import given, settings
from hypothesis import strategies as st

# Errors TF raises as InvalidArgumentError (an OpError, not a ValueError in TF; a ValueError in tapegrad).
INVALID = (ValueError, tf.errors.InvalidArgumentError)
FEW = settings(max_examples=6)


def _grad(fn, *xs):
    """Tape gradients of ``fn(*xs)`` w.r.t. each ``x`` (a constant), as numpy arrays (None stays None)."""
    xs = [tf.constant(x) for x in xs]
    with tf.GradientTape(persistent=True) as tape:
        for x in xs:
            tape.watch(x)
        y = fn(*xs)
    return [to_numpy(tape.gradient(y, x)) for x in xs]


# --------------------------------------------------------------------------------------
# einsum
# --------------------------------------------------------------------------------------

EINSUM = [
    ("ij,jk->ik", [(2, 3), (3, 2)]),
    ("ij,jk", [(2, 3), (3, 2)]),
    ("ij->ji", [(2, 3)]),
    ("bij,bjk->bik", [(2, 2, 3), (2, 3, 2)]),
    ("i,i->", [(3,), (3,)]),
    ("i,j->ij", [(2,), (3,)]),
    ("ij->", [(2, 3)]),
    ("ij->j", [(2, 3)]),
    ("...ij,...jk->...ik", [(2, 2, 3), (3, 2)]),
    ("...i,...i->...", [(2, 1, 3), (2, 3)]),
    ("ii->", [(3, 3)]),
    ("ii->i", [(3, 3)]),
    ("ii", [(3, 3)]),
    ("iij->ji", [(2, 2, 3)]),
    ("Ba,aB", [(2, 3), (3, 2)]),
    ("ij,jk,kl->il", [(2, 3), (3, 2), (2, 2)]),
    ("bhqd,bhkd->bhqk", [(1, 2, 2, 3), (1, 2, 3, 3)]),
    ("ij,ij->ij", [(2, 3), (2, 3)]),
    ("ij,kj->ikj", [(2, 3), (2, 3)]),
    ("i,->i", [(3,), ()]),
]


@pytest.mark.parametrize("equation,shapes", EINSUM, ids=[e for e, _ in EINSUM])
@FEW
@given(data=st.data())
def test_einsum_matches_numpy_and_gradients(equation, shapes, data):
    """einsum: forward vs np.einsum, first and second order gradients vs finite differences."""
    xs = [data.draw(S.arrays(s), label=f"x{i}") for i, s in enumerate(shapes)]
    check_gradients(lambda *t: tf.einsum(equation, *t), xs, seed=data.draw(S.seeds, label="seed"),
                    reference=lambda *a: np.einsum(equation, *a))


@FEW
@given(data=st.data(), dims=st.lists(st.integers(1, 3), min_size=4, max_size=4))
def test_einsum_drawn_shapes(data, dims):
    """Batched contraction, trace-of-product and broadcast ellipsis with hypothesis-drawn sizes."""
    b, i, j, k = dims
    x = data.draw(S.arrays((b, i, j)), label="x")
    y = data.draw(S.arrays((b, j, k)), label="y")
    seed = data.draw(S.seeds, label="seed")
    for eq in ["bij,bjk->bik", "bij,bjk->kb", "...ij,...jk->...", "bij,bji->b" if i == k else "bij,bjk->bjk"]:
        check_gradients(lambda s, t, eq=eq: tf.einsum(eq, s, t), [x, y], seed=seed,
                        reference=lambda s, t, eq=eq: np.einsum(eq, s, t))


def test_einsum_float32_and_int_values():
    """float32 matmul-style and int32 contractions give TF's dtype and values."""
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    out = tf.einsum("ij,kj->ik", tf.constant(a), tf.constant(a))
    assert out.dtype == tf.float32
    np.testing.assert_allclose(to_numpy(out), a @ a.T)
    ints = tf.einsum("ij,jk->ik", tf.constant([[1, 2]]), tf.constant([[3], [4]]))
    assert ints.dtype == tf.int32 and to_numpy(ints).tolist() == [[11]]


@pytest.mark.parametrize("equation,shapes,error", [
    ("ij,jk->ik", [(2, 3)], ValueError),                # wrong number of inputs
    ("ij,jk->ii", [(2, 3), (3, 2)], ValueError),        # repeated output label
    ("ij,jk->iq", [(2, 3), (3, 2)], ValueError),        # output label absent from inputs
    ("ij,jk->ik", [(2, 3), (4, 2)], INVALID),           # contracted sizes differ
    ("ijk->i", [(2, 3)], INVALID),                      # rank does not match the subscripts
    ("...ij->i", [(4, 2, 3)], INVALID),                 # broadcast dims but no ellipsis in output
])
def test_einsum_errors(equation, shapes, error):
    """Malformed equations and mismatched shapes raise TF's exception types."""
    with pytest.raises(error):
        tf.einsum(equation, *[tf.ones(s) for s in shapes])


# --------------------------------------------------------------------------------------
# Index functions: gather_nd, boolean_mask, where, roll, reverse, repeat, meshgrid
# --------------------------------------------------------------------------------------

@FEW
@given(x=S.arrays((3, 2, 2)), seed=S.seeds)
def test_gather_nd_gradients(x, seed):
    """gather_nd with full and partial index depth, repeated indices; gradient is a scatter-add."""
    idx = [[0, 1], [2, 0], [0, 1]]
    check_gradients(lambda t: tf.gather_nd(t, idx), [x], seed=seed,
                    reference=lambda a: a[[0, 2, 0], [1, 0, 1]])
    full = [[[0, 1, 1]], [[2, 0, 0]]]
    check_gradients(lambda t: tf.gather_nd(t, full), [x], seed=seed,
                    reference=lambda a: np.array([[a[0, 1, 1]], [a[2, 0, 0]]]))


def test_gather_nd_batch_dims_and_errors():
    """batch_dims=1 gathers within each batch; out-of-range indices raise InvalidArgumentError."""
    p = np.arange(24.0).reshape(2, 3, 4)
    out = tf.gather_nd(tf.constant(p), [[[0], [2]], [[1], [1]]], batch_dims=1)
    np.testing.assert_array_equal(to_numpy(out), np.stack([p[0, [0, 2]], p[1, [1, 1]]]))
    g = _grad(lambda t: tf.reduce_sum(tf.gather_nd(t, [[1, 1], [1, 1], [0, 2]])), np.ones((2, 3)))[0]
    np.testing.assert_array_equal(g, [[0, 0, 1], [0, 2, 0]])
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.gather_nd(tf.ones([2, 3]), [[0, 3]])
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.gather_nd(tf.ones([2, 3]), [[0, 1, 1]])


@FEW
@given(x=S.arrays((3, 4)), seed=S.seeds, mask=st.lists(st.booleans(), min_size=4, max_size=4))
def test_boolean_mask_gradients(x, seed, mask):
    """boolean_mask along axis 0 (2-D mask) and axis 1 (1-D mask)."""
    m2 = np.array([[True, False, True, True], [False, False, True, False], [True, True, False, True]])
    check_gradients(lambda t: tf.boolean_mask(t, m2), [x], seed=seed, reference=lambda a: a[m2])
    m1 = np.array(mask)
    check_gradients(lambda t: tf.boolean_mask(t, m1, axis=1), [x], seed=seed, reference=lambda a: a[:, m1])


def test_boolean_mask_errors():
    """A scalar mask or a mask of the wrong shape raises ValueError, as in TF."""
    with pytest.raises(ValueError):
        tf.boolean_mask(tf.ones([2, 3]), True)
    with pytest.raises(ValueError):
        tf.boolean_mask(tf.ones([2, 3]), [True, False, True])


def test_where_single_argument():
    """tf.where(condition) gives int64 coordinates of the true entries."""
    out = tf.where(tf.constant([[True, False], [False, True]]))
    assert out.dtype == tf.int64
    assert to_numpy(out).tolist() == [[0, 0], [1, 1]]


@FEW
@given(x=S.arrays((3, 4)), seed=S.seeds, s0=st.integers(-5, 5), s1=st.integers(-5, 5))
def test_roll_reverse_gradients(x, seed, s0, s1):
    """roll (several axes, wrapping shifts) and reverse match numpy; gradients flow back."""
    check_gradients(lambda t: tf.roll(t, [s0, s1], [0, 1]), [x], seed=seed,
                    reference=lambda a: np.roll(a, (s0, s1), (0, 1)))
    check_gradients(lambda t: tf.roll(t, s0, -1), [x], seed=seed, reference=lambda a: np.roll(a, s0, -1))
    check_gradients(lambda t: tf.reverse(t, [1, 0]), [x], seed=seed, reference=lambda a: a[::-1, ::-1])


def test_roll_reverse_bad_axis():
    """Axes out of range raise InvalidArgumentError."""
    with pytest.raises(INVALID):
        tf.roll(tf.ones([2, 3]), 1, 2)
    with pytest.raises(INVALID):
        tf.reverse(tf.ones([2, 3]), [2])


@FEW
@given(x=S.arrays((2, 3)), seed=S.seeds)
def test_repeat_gradients(x, seed):
    """repeat with a scalar, per-element counts and axis=None (flattened)."""
    check_gradients(lambda t: tf.repeat(t, [2, 0, 1], axis=1), [x], seed=seed,
                    reference=lambda a: np.repeat(a, [2, 0, 1], axis=1))
    check_gradients(lambda t: tf.repeat(t, 2), [x], seed=seed, reference=lambda a: np.repeat(a, 2))
    with pytest.raises(ValueError):
        tf.repeat(tf.ones([2, 3]), [1, 2, 3], axis=0)


@pytest.mark.parametrize("indexing", ["xy", "ij"])
def test_meshgrid(indexing):
    """meshgrid matches numpy; gradients sum over the grid."""
    a, b, c = np.array([1.0, 2.0]), np.array([3.0, 4.0, 5.0]), np.array([6.0])
    outs = tf.meshgrid(tf.constant(a), tf.constant(b), tf.constant(c), indexing=indexing)
    for got, want in zip(outs, np.meshgrid(a, b, c, indexing=indexing)):
        np.testing.assert_array_equal(to_numpy(got), want)
    ga, gb = _grad(lambda s, t: tf.reduce_sum(tf.meshgrid(s, t, indexing=indexing)[0]), a, b)
    np.testing.assert_array_equal(ga, [3.0, 3.0])
    assert gb is None


# --------------------------------------------------------------------------------------
# sort, argsort, top_k, unique
# --------------------------------------------------------------------------------------

@FEW
@given(x=S.distinct_arrays((2, 4)), seed=S.seeds)
def test_sort_top_k_gradients(x, seed):
    """sort (both directions, both axes) and top_k values: gathers, so gradients flow back."""
    check_gradients(lambda t: tf.sort(t), [x], seed=seed, reference=lambda a: np.sort(a, -1))
    check_gradients(lambda t: tf.sort(t, axis=0, direction="DESCENDING"), [x], seed=seed,
                    reference=lambda a: -np.sort(-a, 0))
    check_gradients(lambda t: tf.math.top_k(t, 3).values, [x], seed=seed,
                    reference=lambda a: -np.sort(-a, -1)[:, :3])
    np.testing.assert_array_equal(to_numpy(tf.argsort(tf.constant(x))), np.argsort(x, -1))


def test_top_k_argsort_ties_match_tf():
    """Ties keep the lower index first (TF 2.21 values and gradient)."""
    v = np.array([3.0, 1.0, 3.0, 2.0], dtype=np.float32)
    res = tf.math.top_k(tf.constant(v), 2)
    assert res.indices.dtype == tf.int32
    assert to_numpy(res.indices).tolist() == [0, 2]
    g = _grad(lambda t: tf.reduce_sum(tf.math.top_k(t, 2).values * tf.constant([1.0, 10.0])), v)[0]
    np.testing.assert_array_equal(g, [1.0, 0.0, 10.0, 0.0])  # TF 2.21
    assert to_numpy(tf.argsort(tf.constant(v))).tolist() == [1, 3, 0, 2]  # TF 2.21
    assert to_numpy(tf.argsort(tf.constant(v), direction="DESCENDING")).tolist() == [0, 2, 3, 1]
    assert to_numpy(tf.sort(tf.constant([3, 1, 2]))).tolist() == [1, 2, 3]
    with pytest.raises(INVALID):
        tf.math.top_k(tf.constant([[1.0, 3.0, 2.0]]), 5)
    with pytest.raises(ValueError):
        tf.argsort(tf.constant(v), direction="UP")


def test_unique():
    """unique keeps first-occurrence order; idx maps back."""
    y, idx = tf.unique(tf.constant([3, 1, 3, 2, 1]))
    assert to_numpy(y).tolist() == [3, 1, 2]
    assert to_numpy(idx).tolist() == [0, 1, 0, 2, 1] and idx.dtype == tf.int32
    with pytest.raises(INVALID):
        tf.unique(tf.constant([[1]]))


# --------------------------------------------------------------------------------------
# Segment reductions
# --------------------------------------------------------------------------------------

IDS = np.array([2, 0, 2, -1, 0])


def _np_segment_sum(a, ids, n):
    out = np.zeros((n, *a.shape[1:]))
    for i, s in enumerate(ids):
        if s >= 0:
            out[s] += a[i]
    return out


@FEW
@given(x=S.arrays((5, 2)), seed=S.seeds)
def test_unsorted_segment_sum_mean_gradients(x, seed):
    """unsorted_segment_sum/mean: negative ids dropped, empty segments 0."""
    check_gradients(lambda t: tf.math.unsorted_segment_sum(t, IDS, 4), [x], seed=seed,
                    reference=lambda a: _np_segment_sum(a, IDS, 4))
    counts = np.maximum(np.bincount(IDS[IDS >= 0], minlength=4), 1)[:, None]
    check_gradients(lambda t: tf.math.unsorted_segment_mean(t, IDS, 4), [x], seed=seed,
                    reference=lambda a: _np_segment_sum(a, IDS, 4) / counts)
    check_gradients(lambda t: tf.math.segment_sum(t, [0, 0, 1, 3, 3]), [x], seed=seed,
                    reference=lambda a: _np_segment_sum(a, [0, 0, 1, 3, 3], 4))


@FEW
@given(x=S.distinct_arrays((5, 2)), seed=S.seeds)
def test_segment_max_gradients(x, seed):
    """unsorted_segment_max / segment_max without ties: the gradient goes to the maximum."""
    want = np.stack([np.max(x[IDS == s], 0) for s in (0, 2)])
    check_gradients(lambda t: tf.gather(tf.math.unsorted_segment_max(t, IDS, 3), [0, 2]), [x], seed=seed,
                    reference=lambda a: want)
    check_gradients(lambda t: tf.math.segment_max(t, [0, 0, 1, 1, 1]), [x], seed=seed,
                    reference=lambda a: np.stack([a[:2].max(0), a[2:].max(0)]))


def test_segment_values_and_tie_gradients_match_tf():
    """Empty segments and tied maxima as in TF 2.21 (literal values)."""
    d = np.array([1.0, 3.0, 3.0, 2.0], dtype=np.float32)
    out = tf.math.unsorted_segment_max(tf.constant(d), [0, 0, 0, 1], 3)
    np.testing.assert_array_equal(to_numpy(out), [3.0, 2.0, -3.4028234663852886e38])
    g = _grad(lambda t: tf.math.unsorted_segment_max(t, [0, 0, 0, 1], 3), d)[0]
    np.testing.assert_array_equal(g, [0.0, 0.5, 0.5, 1.0])  # TF splits the gradient among ties
    smax = tf.math.segment_max(tf.constant(d), [0, 0, 0, 2])
    np.testing.assert_array_equal(to_numpy(smax), [3.0, 0.0, 2.0])
    np.testing.assert_array_equal(to_numpy(tf.math.segment_mean(tf.constant([1.0, 2.0, 3.0]), [1, 1, 3])),
                                  [0.0, 1.5, 0.0, 3.0])
    ints = tf.math.unsorted_segment_sum(tf.constant([1, 2, 3]), [0, -1, 2], 4)
    assert ints.dtype == tf.int32 and to_numpy(ints).tolist() == [1, 0, 3, 0]


def test_segment_errors():
    """Out-of-range ids, unsorted ids and mismatched shapes raise InvalidArgumentError."""
    with pytest.raises(INVALID):
        tf.math.unsorted_segment_sum(tf.ones([3]), [0, 1, 1], 1)
    with pytest.raises(INVALID):
        tf.math.unsorted_segment_sum(tf.ones([3]), [0, 1], 4)
    with pytest.raises(INVALID):
        tf.math.segment_sum(tf.ones([3]), [0, 2, 1])


# --------------------------------------------------------------------------------------
# Norms, moments, losses
# --------------------------------------------------------------------------------------

@FEW
@given(x=S.magnitude_arrays((2, 3)), seed=S.seeds, axis=S.axes_for(2))
def test_norm_functions_gradients(x, seed, axis):
    """reduce_euclidean_norm, l2_normalize, clip_by_norm over axes."""
    ax = S.np_axis(axis)
    check_gradients(lambda t: tf.math.reduce_euclidean_norm(t, axis), [x], seed=seed,
                    reference=lambda a: np.sqrt(np.sum(a * a, ax)))
    check_gradients(lambda t: tf.nn.l2_normalize(t, axis), [x], seed=seed,
                    reference=lambda a: a / np.sqrt(np.sum(a * a, ax, keepdims=True)))
    check_gradients(lambda t: tf.clip_by_norm(t, 1.3, axes=axis), [x], seed=seed,
                    reference=lambda a: a * 1.3 / np.maximum(np.sqrt(np.sum(a * a, ax, keepdims=True)), 1.3))


def test_norm_values_match_tf():
    """Integer euclidean norms truncate; clip_by_norm of zeros has TF's gradient (TF 2.21 literals)."""
    n = tf.math.reduce_euclidean_norm(tf.constant([[3, 4], [1, 1], [2, 2]]), 1)
    assert n.dtype == tf.int32 and to_numpy(n).tolist() == [5, 1, 2]
    g = _grad(lambda t: tf.clip_by_norm(t, 1.0), np.zeros(3, np.float32))[0]
    np.testing.assert_array_equal(g, [1.0, 1.0, 1.0])


@FEW
@given(a=S.magnitude_arrays((2, 2)), b=S.magnitude_arrays((3,)), seed=S.seeds)
def test_clip_by_global_norm_gradients(a, b, seed):
    """clip_by_global_norm: both tensors scaled by clip / max(norm, clip); gradients through the norm."""
    def fn(s, t):
        clipped, norm = tf.clip_by_global_norm([s, None, t], 1.5)
        assert clipped[1] is None
        return tf.concat([tf.reshape(clipped[0], [-1]), clipped[2], tf.reshape(norm, [1])], 0)

    def ref(s, t):
        norm = math.sqrt(np.sum(s * s) + np.sum(t * t))
        scale = 1.5 / max(norm, 1.5)
        return np.concatenate([s.reshape(-1) * scale, t * scale, [norm]])

    check_gradients(fn, [a, b], seed=seed, reference=ref)


def test_clip_by_global_norm_special_cases():
    """A non-finite norm gives NaNs; a tensor instead of a list is a TypeError; use_norm is honoured."""
    clipped, norm = tf.clip_by_global_norm([tf.constant([1.0, np.inf])], 1.0)
    assert np.isinf(to_numpy(norm)) and np.isnan(to_numpy(clipped[0])).all()
    with pytest.raises(TypeError):
        tf.clip_by_global_norm(tf.ones([2]), 1.0)
    clipped, norm = tf.clip_by_global_norm([tf.constant([3.0, 4.0])], 1.0, use_norm=tf.constant(10.0))
    np.testing.assert_allclose(to_numpy(clipped[0]), [0.3, 0.4], rtol=1e-6)


@FEW
@given(x=S.arrays((3, 2)), seed=S.seeds)
def test_moments_gradients(x, seed):
    """nn.moments: mean and population variance; first order only, since TF (and tapegrad) take
    the variance around stop_gradient(mean), which changes second derivatives on purpose."""
    check_gradients(lambda t: tf.stack(tf.nn.moments(t, [0])), [x], seed=seed, order=1,
                    reference=lambda a: np.stack([a.mean(0), a.var(0)]))
    check_gradients(lambda t: tf.nn.moments(t, [0, 1], keepdims=True)[1], [x], seed=seed, order=1,
                    reference=lambda a: a.var(keepdims=True))


def test_moments_second_order_matches_tf():
    """The nested-tape second derivative of the variance is TF's (TF 2.21 literals)."""
    x = tf.constant([[1.0, 2.0], [3.0, 5.0]])
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            mean, var = tf.nn.moments(x, [0])
        g = inner.gradient(var, x)
    np.testing.assert_allclose(to_numpy(mean), [2.0, 3.5])
    np.testing.assert_allclose(to_numpy(var), [1.0, 2.25])
    np.testing.assert_allclose(to_numpy(g), [[-1.0, -1.5], [1.0, 1.5]])
    np.testing.assert_allclose(to_numpy(outer.gradient(g, x)), [[1.0, 1.0], [1.0, 1.0]])


def _np_sce(z, x):
    return np.maximum(x, 0) - x * z + np.log1p(np.exp(-np.abs(x)))


@FEW
@given(z=S.arrays((2, 3), 0.0, 1.0), x=S.arrays((2, 3), -4, 4, avoid=(0.0,)), seed=S.seeds)
def test_cross_entropy_with_logits_gradients(z, x, seed):
    """sigmoid / weighted cross-entropy: stable formulas, gradients to logits and labels."""
    check_gradients(lambda a, b: tf.nn.sigmoid_cross_entropy_with_logits(labels=a, logits=b), [z, x],
                    seed=seed, reference=_np_sce)
    check_gradients(lambda a, b: tf.nn.weighted_cross_entropy_with_logits(a, b, 2.5), [z, x], seed=seed,
                    reference=lambda a, b: (1 - a) * b + (1 + 1.5 * a) * (np.log1p(np.exp(-np.abs(b)))
                                                                         + np.maximum(-b, 0)))


def test_cross_entropy_values_match_tf():
    """Values and gradients (including at logits = 0) are TF 2.21's, written as literals."""
    lg, lb = np.array([0.0, 2.0, -3.0], np.float32), np.array([0.3, 1.0, 0.0], np.float32)
    fn = lambda a, b: tf.nn.sigmoid_cross_entropy_with_logits(labels=a, logits=b)
    np.testing.assert_allclose(to_numpy(fn(tf.constant(lb), tf.constant(lg))),
                               [0.6931471824645996, 0.12692800164222717, 0.04858735203742981], rtol=1e-6)
    g_lb, g_lg = _grad(fn, lb, lg)
    np.testing.assert_allclose(g_lg, [0.19999998807907104, -0.11920291185379028, 0.04742587357759476],
                               rtol=1e-6)
    np.testing.assert_allclose(g_lb, [0.0, -2.0, 3.0], rtol=1e-6)
    wfn = lambda a, b: tf.nn.weighted_cross_entropy_with_logits(a, b, 2.5)
    np.testing.assert_allclose(to_numpy(wfn(tf.constant(lb), tf.constant(lg))),
                               [1.0050634145736694, 0.31731998920440674, 0.04858732223510742], rtol=1e-6)
    g_lb, g_lg = _grad(wfn, lb, lg)
    np.testing.assert_allclose(g_lg, [0.699999988079071, -0.2980072796344757, 0.04742587357759476], rtol=1e-6)
    np.testing.assert_allclose(g_lb, [1.0397207736968994, -1.809607982635498, 7.572880744934082], rtol=1e-6)
    with pytest.raises(ValueError):
        tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.ones([2]), logits=tf.ones([3]))
    with pytest.raises(ValueError):
        tf.nn.sigmoid_cross_entropy_with_logits(logits=tf.ones([2]))


@FEW
@given(x=S.arrays((2, 3, 2)), b=S.arrays((3,)), c=S.arrays((3,)), seed=S.seeds)
def test_bias_add_polyval_gradients(x, b, c, seed):
    """bias_add (last axis, and axis 1 for NC.. formats) and polyval by Horner's rule."""
    check_gradients(lambda t, s: tf.nn.bias_add(t, s, data_format="NCW"), [x, b], seed=seed,
                    reference=lambda t, s: t + s[:, None])
    check_gradients(lambda t, s: tf.nn.bias_add(tf.transpose(t, [0, 2, 1]), s), [x, b], seed=seed,
                    reference=lambda t, s: np.transpose(t, [0, 2, 1]) + s)
    check_gradients(lambda s, t: tf.math.polyval(tf.unstack(s), t), [c, b], seed=seed,
                    reference=lambda s, t: np.polyval(s, t))


def test_bias_add_errors():
    """bias_add rejects a 1-D value, a 2-D bias and a size mismatch."""
    for value, bias in [([2, 3], [4]), ([3], [3]), ([2, 3], [1, 3])]:
        with pytest.raises(INVALID):
            tf.nn.bias_add(tf.ones(value), tf.ones(bias))


@pytest.mark.tapegrad_only  # draws come from tapegrad.random, so the mask differs from TF's
def test_dropout_statistics():
    """dropout keeps about 1 - rate of the entries, scaled by 1 / (1 - rate); gradient = the mask."""
    x = tf.ones([4000])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.nn.dropout(x, 0.25, seed=3)
    values = to_numpy(y)
    assert set(np.unique(values).tolist()) <= {0.0, float(np.float32(4.0 / 3.0))}
    assert abs(np.mean(values > 0) - 0.75) < 0.04
    np.testing.assert_allclose(to_numpy(tape.gradient(y, x)), values)
    assert to_numpy(tf.nn.dropout(tf.ones([3, 5]), 0.5, noise_shape=[3, 1], seed=1)).std(axis=1).max() == 0


def test_dropout_arguments():
    """rate 0 is the identity; rates outside [0, 1) and integer inputs raise ValueError."""
    x = tf.constant([1.0, 2.0])
    np.testing.assert_array_equal(to_numpy(tf.nn.dropout(x, 0.0)), [1.0, 2.0])
    with pytest.raises(ValueError):
        tf.nn.dropout(x, 1.0)
    with pytest.raises(ValueError):
        tf.nn.dropout(tf.constant([1, 2]), 0.5)


# --------------------------------------------------------------------------------------
# Control flow
# --------------------------------------------------------------------------------------

@FEW
@given(x=S.arrays((3,), 0.2, 1.5), seed=S.seeds)
def test_cond_and_while_loop_gradients(x, seed):
    """Gradients (first and second order) flow through the branch taken and every iteration."""
    def branchy(t):
        return tf.cond(tf.reduce_sum(t) > 0, lambda: tf.sin(t) * t, lambda: t)

    check_gradients(branchy, [x], seed=seed, reference=lambda a: np.sin(a) * a)

    def loop(t):
        i, acc = tf.while_loop(lambda i, acc: i < 3, lambda i, acc: (i + 1, acc * t + 1.0),
                               (tf.constant(0), tf.ones_like(t)))
        return acc

    check_gradients(loop, [x], seed=seed, reference=lambda a: a**3 + a**2 + a + 1)


def test_while_loop_structure_and_limits():
    """Returns the loop_vars structure as tensors; maximum_iterations stops early; errors."""
    out = tf.while_loop(lambda i, j: i < 3, lambda i, j: (i + 1, j * 2), (0, 1.0), maximum_iterations=2)
    assert isinstance(out, tuple) and int(out[0]) == 2 and float(out[1]) == 4.0
    (single,) = tf.while_loop(lambda i: i < 3, lambda i: (i + 1,), (0,))
    assert int(single) == 3 and tf.is_tensor(single)
    nested = tf.while_loop(lambda s: s["n"] < 4, lambda s: [{"n": s["n"] * 2, "v": s["v"] + 1.0}],
                           [{"n": tf.constant(1), "v": tf.constant(0.0)}])
    assert int(nested[0]["n"]) == 4 and float(nested[0]["v"]) == 2.0
    with pytest.raises(ValueError):
        tf.while_loop(lambda i: i < 3, lambda i: [i + 1, 2], [0])
    with pytest.raises(ValueError):
        tf.while_loop(lambda: True, lambda: (), [])
    assert tf.cond(True, lambda: 1, lambda: 2) == 1
    with pytest.raises(TypeError):
        tf.cond(True, None, lambda: 2)


@FEW
@given(x=S.arrays((3, 2)), w=S.arrays((2,)), seed=S.seeds)
def test_map_fn_and_vectorized_map_gradients(x, w, seed):
    """map_fn / vectorized_map: per-row results stacked; gradients to elems and closed-over tensors."""
    check_gradients(lambda t, v: tf.map_fn(lambda row: tf.reduce_sum(row * v) * row, t), [x, w], seed=seed,
                    reference=lambda t, v: (t @ v)[:, None] * t)
    check_gradients(lambda t, v: tf.vectorized_map(lambda row: tf.tanh(row) + v, t), [x, w], seed=seed,
                    reference=lambda t, v: np.tanh(t) + v)


def test_map_fn_structures():
    """Nested elems, a structured output with fn_output_signature, and zero elements."""
    a, b = tf.constant([1.0, 2.0]), tf.constant([3.0, 4.0])
    summed = tf.map_fn(lambda p: p[0] + p[1], (a, b), fn_output_signature=tf.float32)
    np.testing.assert_array_equal(to_numpy(summed), [4.0, 6.0])
    ints = tf.map_fn(lambda x: tf.cast(x, tf.int32), a, fn_output_signature=tf.int32)
    assert ints.dtype == tf.int32
    empty = tf.map_fn(lambda x: x, tf.zeros([0, 3]))
    assert tuple(empty.shape) == (0,)
    with pytest.raises(ValueError):
        tf.map_fn(lambda x: x, tf.constant(1.0))
    with pytest.raises(ValueError):
        tf.map_fn(lambda x: x, (tf.ones([2]), tf.ones([3])))


@FEW
@given(x=S.arrays((4,), 0.3, 1.5), seed=S.seeds)
def test_scan_fold_gradients(x, seed):
    """scan (forward, reverse, with initializer), foldl and foldr match numpy recurrences."""
    check_gradients(lambda t: tf.scan(lambda a, e: a * e + 1.0, t), [x], seed=seed,
                    reference=lambda a: np.array([a[0], a[0] * a[1] + 1, (a[0] * a[1] + 1) * a[2] + 1,
                                                  ((a[0] * a[1] + 1) * a[2] + 1) * a[3] + 1]))
    check_gradients(lambda t: tf.scan(lambda a, e: a + e * e, t, initializer=tf.constant(0.5, tf.float64),
                                      reverse=True),
                    [x], seed=seed, reference=lambda a: 0.5 + np.cumsum((a * a)[::-1])[::-1])
    check_gradients(lambda t: tf.foldl(lambda a, e: a * e - e, t), [x], seed=seed,
                    reference=lambda a: ((a[0] * a[1] - a[1]) * a[2] - a[2]) * a[3] - a[3])
    check_gradients(lambda t: tf.foldr(lambda a, e: a * e - e, t), [x], seed=seed,
                    reference=lambda a: ((a[3] * a[2] - a[2]) * a[1] - a[1]) * a[0] - a[0])


def test_scan_fold_values_match_tf():
    """TF 2.21 values: reverse scan with an initializer, tuple accumulators, fold order."""
    v = tf.constant([1.0, 2.0, 3.0])
    np.testing.assert_array_equal(to_numpy(tf.scan(lambda a, x: a + x, v, initializer=tf.constant(10.0),
                                                   reverse=True)), [16.0, 15.0, 13.0])
    s, p = tf.scan(lambda a, x: (a[0] + x, a[1] * x), v, initializer=(tf.constant(0.0), tf.constant(1.0)))
    np.testing.assert_array_equal(to_numpy(s), [1.0, 3.0, 6.0])
    np.testing.assert_array_equal(to_numpy(p), [1.0, 2.0, 6.0])
    assert float(tf.foldr(lambda a, x: a * 10 + x, v)) == 321.0
    assert float(tf.foldl(lambda a, x: a * 10 + x, v)) == 123.0
    assert float(tf.foldl(lambda a, x: a + x, v, initializer=5.0)) == 11.0
    with pytest.raises(tf.errors.OpError):
        tf.foldl(lambda a, x: a + x, tf.zeros([0]))


def test_switch_case():
    """switch_case picks a branch by index; out-of-range indices run the default."""
    fns = [lambda: tf.constant(1), lambda: tf.constant(2)]
    assert int(tf.switch_case(tf.constant(1), fns)) == 2
    assert int(tf.switch_case(tf.constant(5), fns, default=lambda: tf.constant(9))) == 9


# --------------------------------------------------------------------------------------
# nest, dtypes, get_static_value, debugging
# --------------------------------------------------------------------------------------

def test_nest():
    """tf.nest flattens dicts by sorted key, packs back, maps, and checks structures."""
    s = {"b": [1, (2, 3)], "a": 0}
    assert tf.nest.flatten(s) == [0, 1, 2, 3]
    assert tf.nest.pack_sequence_as(s, [4, 5, 6, 7]) == {"b": [5, (6, 7)], "a": 4}
    assert tf.nest.map_structure(lambda x, y: x + y, [1, (2, 3)], [10, (20, 30)]) == [11, (22, 33)]
    assert tf.nest.is_nested([1]) and not tf.nest.is_nested(tf.constant(1))
    assert tf.nest.flatten(None) == [None]
    with pytest.raises(TypeError):
        tf.nest.map_structure(lambda a, b: a + b, [1, 2], (3, 4))
    with pytest.raises(ValueError):
        tf.nest.map_structure(lambda a, b: a + b, [1, 2], [3])
    with pytest.raises(ValueError):
        tf.nest.pack_sequence_as([1, [2]], [5])
    tf.nest.assert_same_structure([1, (2,)], [3, (4,)])


def test_dtypes_and_static_value():
    """tf.dtypes namespace and get_static_value."""
    assert tf.dtypes.float32 == tf.float32 and tf.dtypes.as_dtype("float64") == tf.float64
    assert tf.dtypes.cast(tf.constant([1.7]), tf.dtypes.int32).dtype == tf.int32
    assert isinstance(tf.float32, tf.dtypes.DType)
    np.testing.assert_array_equal(tf.get_static_value(tf.constant([1, 2])), [1, 2])
    assert tf.get_static_value(3) == 3
    assert tf.get_static_value(tf.Variable(3.0)) is None


def test_debugging_asserts():
    """assert_equal / assert_near / check_numerics raise InvalidArgumentError when they fail."""
    tf.debugging.assert_equal(tf.constant([1, 2]), tf.constant([1, 2]))
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.debugging.assert_equal(tf.constant([1, 2]), tf.constant([1, 3]))
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.debugging.assert_equal(tf.constant([1, 2]), tf.constant([1, 2, 3]))
    tf.debugging.assert_near(tf.constant([1.0, 2.0]), tf.constant([1.0, 2.000001]))
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.debugging.assert_near(tf.constant([1.0, 2.0]), tf.constant([1.0, 2.0001]))
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.debugging.check_numerics(x * 3.0, "ok")
    np.testing.assert_array_equal(to_numpy(tape.gradient(y, x)), [3.0, 3.0])
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.debugging.check_numerics(tf.constant([1.0, np.nan]), "bad")
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.debugging.assert_all_finite(tf.constant([np.inf]), "bad")


@pytest.mark.skipif(IS_TF, reason="checks tapegrad's own namespace")
def test_new_names_are_exported():
    """The new public names are in tapegrad's namespaces and __all__."""
    import tapegrad

    names = ["einsum", "gather_nd", "boolean_mask", "cond", "while_loop", "map_fn", "nest", "dtypes",
             "debugging", "clip_by_global_norm", "sort", "argsort", "roll", "reverse", "repeat", "meshgrid"]
    for name in names:
        assert name in tapegrad.__all__ and hasattr(tapegrad, name)
    for name in ["unsorted_segment_sum", "top_k", "reduce_euclidean_norm", "polyval", "l2_normalize"]:
        assert name in tapegrad.math.__all__
    for name in ["moments", "dropout", "bias_add", "sigmoid_cross_entropy_with_logits", "l2_normalize"]:
        assert name in tapegrad.nn.__all__
    assert tapegrad.linalg.einsum is tapegrad.einsum

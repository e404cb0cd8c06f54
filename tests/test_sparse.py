"""Sparse gradients (IndexedSlices), scatter ops, and sparse variable updates, as in TF 2.21."""

from __future__ import annotations

import numpy as np
import pytest
from _backend import tf, to_numpy
from gradcheck import check_gradients
from hypothesis import given
from hypothesis import strategies as st

W0 = np.arange(12, dtype=np.float32).reshape(4, 3) / 10


def is_slices(g):
    return isinstance(g, tf.IndexedSlices)


# ------------------------------------------------------------ IndexedSlices gradients


def test_gather_gradient_of_a_variable_is_indexed_slices():
    w = tf.Variable(W0)
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(tf.gather(w, [2, 0, 2]) * [[1.0, 2.0, 3.0]])
    g = tape.gradient(y, w)
    assert is_slices(g)
    assert to_numpy(g.indices).tolist() == [2, 0, 2]
    assert to_numpy(g.values).tolist() == [[1.0, 2.0, 3.0]] * 3
    assert to_numpy(g.dense_shape).tolist() == [4, 3]
    assert g.dtype == tf.float32
    assert tuple(g.shape) == (4, 3)
    dense = to_numpy(tf.convert_to_tensor(g))
    np.testing.assert_array_equal(dense, [[1, 2, 3], [0, 0, 0], [2, 4, 6], [0, 0, 0]])


def test_gather_gradient_of_a_watched_tensor_is_indexed_slices():
    x = tf.constant(W0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(tf.gather(x, [1, 1]))
    g = tape.gradient(y, x)
    assert is_slices(g)
    np.testing.assert_array_equal(to_numpy(tf.convert_to_tensor(g))[1], [2.0, 2.0, 2.0])


def test_two_dimensional_indices_are_flattened():
    w = tf.Variable(W0)
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(tf.gather(w, [[1, 0], [3, 1]]))
    g = tape.gradient(y, w)
    assert is_slices(g)
    assert to_numpy(g.indices).tolist() == [1, 0, 3, 1]
    assert list(to_numpy(g.values).shape) == [4, 3]


def test_identity_then_gather_is_still_slices():
    w = tf.Variable(W0)
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(tf.gather(tf.identity(w), [0]))
    assert is_slices(tape.gradient(y, w))


def test_two_gathers_concatenate():
    w = tf.Variable(W0)
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(tf.gather(w, [0])) + 2.0 * tf.reduce_sum(tf.gather(w, [1, 0]))
    g = tape.gradient(y, w)
    assert is_slices(g)
    assert sorted(to_numpy(g.indices).tolist()) == [0, 0, 1]
    np.testing.assert_array_equal(to_numpy(tf.convert_to_tensor(g))[:2], [[3.0] * 3, [2.0] * 3])


@pytest.mark.parametrize(
    "use",
    [
        lambda w: tf.reduce_sum(tf.gather(w, [1])) + tf.reduce_sum(w),
        lambda w: tf.reduce_sum(tf.gather(w, [1], axis=1)),
        lambda w: tf.reduce_sum(tf.gather(w * 1.0, [0])),
        lambda w: tf.reduce_sum(tf.gather_nd(w, [[0, 1]])),
    ],
    ids=["mixed", "axis1", "after_mul", "gather_nd"],
)
def test_other_uses_give_dense_gradients(use):
    w = tf.Variable(W0)
    with tf.GradientTape() as tape:
        y = use(w)
    g = tape.gradient(y, w)
    assert not is_slices(g)
    assert isinstance(g, tf.Tensor)


def test_unused_dense_branch_does_not_make_it_dense():
    # Only the ops on the way to the target count (a persistent tape with two losses).
    w = tf.Variable(W0)
    with tf.GradientTape(persistent=True) as tape:
        y = tf.reduce_sum(tf.gather(w, [3]))
        z = tf.reduce_sum(w * w)
    assert is_slices(tape.gradient(y, w))
    assert not is_slices(tape.gradient(z, w))


def test_embedding_lookup_and_layer_give_slices():
    w = tf.Variable(W0)
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(tf.nn.embedding_lookup(w, [0, 3]))
    assert is_slices(tape.gradient(y, w))
    layer = tf.keras.layers.Embedding(5, 2)
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(layer(tf.constant([[1, 4], [1, 1]])))
    (g,) = tape.gradient(y, layer.trainable_variables)
    assert is_slices(g)
    dense = to_numpy(tf.convert_to_tensor(g))
    np.testing.assert_array_equal(dense[:, 0], [0.0, 3.0, 0.0, 0.0, 1.0])


def test_second_order_through_gather_slices():
    x = tf.constant([1.0, 2.0, 3.0], tf.float64)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = tf.reduce_sum(tf.gather(x, [0, 2, 2]) ** 3)
        g = tf.convert_to_tensor(inner.gradient(y, x))
    np.testing.assert_allclose(to_numpy(g), [3.0, 0.0, 54.0])
    np.testing.assert_allclose(to_numpy(outer.gradient(g, x)), [6.0, 0.0, 36.0])


def test_indexed_slices_arithmetic_as_tf():
    s = tf.IndexedSlices(tf.constant([[1.0, 2.0]]), tf.constant([1]), tf.constant([3, 2]))
    t = tf.ones((3, 2))
    np.testing.assert_array_equal(to_numpy(s + t), [[1, 1], [2, 3], [1, 1]])
    np.testing.assert_array_equal(to_numpy(t + s), [[1, 1], [2, 3], [1, 1]])
    np.testing.assert_array_equal(to_numpy(tf.add(s, t)), [[1, 1], [2, 3], [1, 1]])
    assert float(tf.reduce_sum(s)) == 3.0
    assert is_slices(-s)
    assert to_numpy((-s).values).tolist() == [[-1.0, -2.0]]
    with pytest.raises(TypeError):
        s + s  # noqa: B018
    with pytest.raises(TypeError):
        0.1 * s  # noqa: B018


# ------------------------------------------------------------ optimizers and repeated indices

IDX = [1, 1, 3, 1]
COEF = np.arange(12, dtype=np.float64).reshape(4, 3) - 5.0


def _sparse_grad_parts():
    """The dense sum G and the sum of squared slices S for the loss below."""
    g = np.zeros((4, 3))
    s = np.zeros((4, 3))
    for i, row in zip(IDX, COEF):
        g[i] += row
        s[i] += row**2
    return g, s


def _run(make, sparse=True, steps=2):
    w = tf.Variable(W0)
    opt = make()
    for _ in range(steps):
        with tf.GradientTape() as tape:
            y = tf.reduce_sum(tf.gather(w, IDX) * tf.constant(COEF, tf.float32))
        g = tape.gradient(y, w)
        if not sparse:
            g = tf.convert_to_tensor(g)
        opt.apply_gradients([(g, w)])
    return to_numpy(w).astype(np.float64)


def test_sgd_sparse_equals_dense():
    g, _ = _sparse_grad_parts()
    np.testing.assert_allclose(_run(lambda: tf.keras.optimizers.SGD(0.1)), W0 - 2 * 0.1 * g, rtol=1e-5)


def test_adam_squares_each_slice_as_keras():
    lr, b1, b2, eps = 0.1, 0.9, 0.999, 1e-7
    g, s = _sparse_grad_parts()
    w, m, v = W0.astype(np.float64), np.zeros((4, 3)), np.zeros((4, 3))
    for t in (1, 2):
        alpha = lr * np.sqrt(1 - b2**t) / (1 - b1**t)
        m += (g - m) * (1 - b1)
        v += (s - v) * (1 - b2)
        w = w - m * alpha / (np.sqrt(v) + eps)
    got = _run(lambda: tf.keras.optimizers.Adam(lr))
    np.testing.assert_allclose(got, w, rtol=1e-4, atol=1e-5)
    # ... which is not what the densified gradient gives.
    assert np.abs(got - _run(lambda: tf.keras.optimizers.Adam(lr), sparse=False)).max() > 1e-2


def test_rmsprop_squares_each_slice_as_keras():
    lr, rho, eps = 0.1, 0.9, 1e-7
    g, s = _sparse_grad_parts()
    w, vel = W0.astype(np.float64), np.zeros((4, 3))
    for _ in range(2):
        vel = rho * vel + (1 - rho) * s
        w = w - lr * g / np.sqrt(vel + eps)
    np.testing.assert_allclose(_run(lambda: tf.keras.optimizers.RMSprop(lr)), w, rtol=1e-4, atol=1e-5)


def test_adagrad_squares_each_slice_as_keras():
    lr, eps = 0.1, 1e-7
    g, s = _sparse_grad_parts()
    w, acc = W0.astype(np.float64), np.full((4, 3), 0.1)
    for _ in range(2):
        acc = acc + s
        w = w - lr * g / np.sqrt(acc + eps)
    np.testing.assert_allclose(_run(lambda: tf.keras.optimizers.Adagrad(lr)), w, rtol=1e-4, atol=1e-5)


# ------------------------------------------------------------ gather(batch_dims)


def _np_batch_gather(p, idx, axis, b):
    if b == 0:
        return np.take(p, idx, axis=axis)
    return np.stack([_np_batch_gather(p[i], idx[i], axis - 1, b - 1) for i in range(p.shape[0])])


@given(
    b=st.integers(1, 2),
    extra=st.integers(0, 1),
    seed=st.integers(0, 2**16),
)
def test_gather_batch_dims_matches_numpy_and_finite_differences(b, extra, seed):
    rng = np.random.default_rng(seed)
    batch = [2, 3][:b]
    p_shape = [*batch, *rng.integers(1, 4, size=1 + extra).tolist(), 2]
    axis = b + int(rng.integers(0, 1 + extra))
    idx = rng.integers(0, p_shape[axis], size=[*batch, 2])
    p = rng.standard_normal(p_shape)
    out = tf.gather(tf.constant(p), tf.constant(idx), axis=axis, batch_dims=b)
    np.testing.assert_allclose(to_numpy(out), _np_batch_gather(p, idx, axis, b))
    check_gradients(lambda t: tf.gather(t, tf.constant(idx), axis=axis, batch_dims=b), p, seed=seed)


def test_gather_negative_batch_dims():
    p = np.arange(24.0).reshape(2, 3, 4)
    idx = np.array([[0, 3], [1, 1]])
    out = tf.gather(tf.constant(p), tf.constant(idx), axis=2, batch_dims=-1)
    np.testing.assert_allclose(to_numpy(out), _np_batch_gather(p, idx, 2, 1))


def test_gather_batch_dims_out_of_range_is_invalid_argument():
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.gather(tf.ones((2, 3)), tf.zeros((2, 1), tf.int32), axis=1, batch_dims=2)


# ------------------------------------------------------------ scatter ops


def test_scatter_nd_sums_repeated_indices():
    out = tf.scatter_nd([[1], [1], [3]], [5.0, 7.0, 1.0], [4])
    assert to_numpy(out).tolist() == [0.0, 12.0, 0.0, 1.0]
    out = tf.scatter_nd([[0, 1], [1, 0]], [1, 2], tf.constant([2, 2]))
    assert out.dtype == tf.int32
    assert to_numpy(out).tolist() == [[0, 1], [2, 0]]


def test_scatter_nd_slices():
    out = tf.scatter_nd([[1]], [[1.0, 2.0]], [3, 2])
    assert to_numpy(out).tolist() == [[0, 0], [1, 2], [0, 0]]


def test_scatter_nd_bad_input_is_invalid_argument():
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.scatter_nd([[3]], [5.0], [3])
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.scatter_nd([[1]], [5.0, 6.0], [3])


def test_tensor_scatter_nd_values():
    t = tf.constant([1.0, 2.0, 3.0, 4.0])
    assert to_numpy(tf.tensor_scatter_nd_add(t, [[1], [1]], [5.0, 7.0])).tolist() == [1, 14, 3, 4]
    assert to_numpy(tf.tensor_scatter_nd_sub(t, [[0], [3]], [1.0, 1.0])).tolist() == [0, 2, 3, 3]
    assert to_numpy(tf.tensor_scatter_nd_update(t, [[2], [0]], [9.0, 8.0])).tolist() == [8, 2, 9, 4]
    assert to_numpy(tf.tensor_scatter_nd_update(tf.zeros(3), [[1], [1]], [5.0, 7.0])).tolist() == [0, 7, 0]
    assert to_numpy(tf.tensor_scatter_nd_max(tf.zeros(3), [[1], [1], [2]], [5.0, 7.0, -1.0])).tolist() == [
        0,
        7,
        0,
    ]
    assert to_numpy(tf.tensor_scatter_nd_min(tf.zeros(3), [[1], [1], [2]], [5.0, 7.0, -1.0])).tolist() == [
        0,
        0,
        -1,
    ]


@given(seed=st.integers(0, 2**16))
def test_scatter_gradients_match_finite_differences(seed):
    rng = np.random.default_rng(seed)
    t = rng.standard_normal((4, 3))
    u = rng.standard_normal((3, 3))
    idx = tf.constant([[2], [0], [2]])
    uniq = tf.constant([[3], [0], [1]])
    check_gradients(lambda a, b: tf.tensor_scatter_nd_add(a, idx, b), [t, u], seed=seed)
    check_gradients(lambda a, b: tf.tensor_scatter_nd_sub(a, idx, b), [t, u], seed=seed)
    check_gradients(lambda a, b: tf.tensor_scatter_nd_update(a, uniq, b) ** 2, [t, u], seed=seed)
    check_gradients(lambda b: tf.scatter_nd(idx, b, [4, 3]) * 2.0, [u], seed=seed)
    elem = tf.constant([[0, 1], [3, 2]])
    check_gradients(lambda a, b: tf.tensor_scatter_nd_update(a, elem, b), [t, u[0, :2]], seed=seed)


# ------------------------------------------------------------ variable updates


def test_variable_scatter_updates():
    v = tf.Variable(np.arange(6, dtype=np.float32).reshape(3, 2))
    v.scatter_update(tf.IndexedSlices(tf.constant([[5.0, 5.0], [6.0, 6.0]]), tf.constant([2, 2])))
    assert to_numpy(v).tolist() == [[0, 1], [2, 3], [6, 6]]
    v.scatter_add(tf.IndexedSlices(tf.constant([[1.0, 1.0], [1.0, 1.0]]), tf.constant([0, 0])))
    assert to_numpy(v).tolist() == [[2, 3], [2, 3], [6, 6]]
    v.scatter_sub(tf.IndexedSlices(tf.constant([[1.0, 1.0]]), tf.constant([1])))
    assert to_numpy(v).tolist() == [[2, 3], [1, 2], [6, 6]]
    v.scatter_nd_update([[0, 1], [2, 0]], [100.0, 200.0])
    assert to_numpy(v).tolist() == [[2, 100], [1, 2], [200, 6]]
    v.scatter_nd_add([[1, 1]], [10.0])
    assert to_numpy(v).tolist() == [[2, 100], [1, 12], [200, 6]]


def test_sliced_assignment():
    v = tf.Variable(np.arange(6, dtype=np.float32).reshape(3, 2))
    v[0:2].assign([[9.0, 9.0], [8.0, 8.0]])
    assert to_numpy(v).tolist() == [[9, 9], [8, 8], [4, 5]]
    v[:, 1].assign([1.0, 2.0, 3.0])
    assert to_numpy(v).tolist() == [[9, 1], [8, 2], [4, 3]]
    v[1:].assign(0.5)
    assert to_numpy(v).tolist() == [[9, 1], [0.5, 0.5], [0.5, 0.5]]


def test_slice_of_a_variable_is_still_differentiable():
    v = tf.Variable([1.0, 2.0, 3.0])
    with tf.GradientTape() as tape:
        y = v[1:] * v[1:]
    assert to_numpy(tape.gradient(y, v)).tolist() == [0.0, 4.0, 6.0]

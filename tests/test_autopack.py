"""Lists and tuples holding tensors are packed with a recorded stack (TF's auto-packing).

A list like ``[w * 3, w * w]`` passed to any op differentiates through its
elements, as in TensorFlow; nothing in it silently becomes a constant.
"""

from __future__ import annotations

import numpy as np
import pytest
from _backend import tf, to_numpy
from gradcheck import check_gradients
from hypothesis import given
from hypothesis import strategies as st


def grads(fn, *sources):
    """``(value, [d value / d source])`` with every tensor source watched."""
    with tf.GradientTape(persistent=True) as tape:
        for s in sources:
            if not isinstance(s, tf.Variable):
                tape.watch(s)
        y = fn()
    return y, [tape.gradient(y, s) for s in sources]


def values(gs):
    return [None if g is None else to_numpy(g).tolist() for g in gs]


def test_reduce_sum_of_list_of_tensors():
    w = tf.Variable(2.0)
    y, gs = grads(lambda: tf.reduce_sum([w * 3, w * w]), w)
    assert float(y) == 10.0
    assert values(gs) == [7.0]


def test_reduce_mean_of_losses():
    a, b = tf.constant(3.0), tf.constant(5.0)
    y, gs = grads(lambda: tf.reduce_mean([a * a, b]), a, b)
    assert float(y) == 7.0
    assert values(gs) == [3.0, 0.5]


def test_convert_to_tensor_packs_and_keeps_gradient():
    a, w = tf.constant(3.0), tf.Variable(2.0)
    y, gs = grads(lambda: tf.convert_to_tensor([a, w]), a, w)
    assert to_numpy(y).tolist() == [3.0, 2.0]
    assert y.dtype == tf.float32
    assert values(gs) == [1.0, 1.0]


def test_matmul_nested_list_argument():
    a, b = tf.constant(3.0), tf.constant(2.0)
    y, gs = grads(lambda: tf.matmul([[a, b]], tf.constant([[1.0], [4.0]])), a, b)
    assert to_numpy(y).tolist() == [[11.0]]
    assert values(gs) == [1.0, 4.0]


def test_mixed_numbers_take_the_tensor_dtype():
    a = tf.constant(3.0, tf.float64)
    y, gs = grads(lambda: tf.convert_to_tensor([1, a, 2.5]), a)
    assert y.dtype == tf.float64
    assert to_numpy(y).tolist() == [1.0, 3.0, 2.5]
    assert values(gs) == [1.0]


def test_mixed_numpy_values():
    a = tf.constant([1.0, 2.0])
    y, gs = grads(lambda: tf.reduce_sum([a * 2.0, np.ones(2), np.float32(3.0) * np.ones(2)]), a)
    assert float(y) == 14.0
    assert values(gs) == [[2.0, 2.0]]


def test_nested_lists_and_tuples():
    a, w = tf.constant(3.0), tf.Variable(2.0)
    y, gs = grads(lambda: tf.reduce_sum([[a, 1.0], (w, a * a)]), a, w)
    assert float(y) == 15.0
    assert values(gs) == [7.0, 1.0]


def test_sub_list_without_tensors_next_to_one_with():
    a = tf.constant(3.0)
    y, gs = grads(lambda: tf.convert_to_tensor([[a, a], [1, 2]]), a)
    assert to_numpy(y).tolist() == [[3.0, 3.0], [1.0, 2.0]]
    assert values(gs) == [2.0]


def test_binary_op_with_list_operand():
    a, w = tf.constant(3.0), tf.Variable(2.0)
    y, gs = grads(lambda: a * [a, w], a, w)
    assert to_numpy(y).tolist() == [9.0, 6.0]
    assert values(gs) == [8.0, 3.0]
    y, gs = grads(lambda: [a, w] - a, a, w)
    assert to_numpy(y).tolist() == [0.0, -1.0]
    assert values(gs) == [-1.0, 1.0]


def test_add_with_list_and_scalar():
    a, w = tf.constant(3.0), tf.Variable(2.0)
    y, gs = grads(lambda: tf.add([a, w], 1.0), a, w)
    assert to_numpy(y).tolist() == [4.0, 3.0]
    assert values(gs) == [1.0, 1.0]


def test_requested_dtype_casts_the_tensors():
    a, w = tf.constant(3.0), tf.Variable(2.0)
    y, gs = grads(lambda: tf.convert_to_tensor([a, w], dtype=tf.float64), a, w)
    assert y.dtype == tf.float64
    assert values(gs) == [1.0, 1.0]
    y, gs = grads(lambda: tf.convert_to_tensor([a, w], dtype_hint=tf.float64), a, w)
    assert y.dtype == tf.float64


def test_reshape_and_stack_and_concat_of_lists():
    a, w = tf.constant(3.0), tf.Variable(2.0)
    y, gs = grads(lambda: tf.reshape([a, w], (2, 1)) * [[1.0], [5.0]], a, w)
    assert values(gs) == [1.0, 5.0]
    y, gs = grads(lambda: tf.stack([[a, w], [a, 1.0]]), a, w)
    assert values(gs) == [2.0, 1.0]
    y, gs = grads(lambda: tf.concat([[a], [w]], 0), a, w)
    assert values(gs) == [1.0, 1.0]


def test_maml_style_loss_list():
    # Meta-learning loops sum per-task losses kept in a Python list.
    w = tf.Variable([1.0, -2.0])
    xs = [tf.constant([1.0, 2.0]), tf.constant([3.0, 1.0])]
    with tf.GradientTape() as tape:
        losses = [tf.reduce_sum(w * x) ** 2 for x in xs]
        loss = tf.reduce_mean(losses)
    g = tape.gradient(loss, w)
    # d/dw mean((w.x)^2) = mean(2 (w.x) x)
    rows = np.array([[1.0, 2.0], [3.0, 1.0]])
    expected = np.mean([2 * np.dot([1.0, -2.0], r) * r for r in rows], axis=0)
    np.testing.assert_allclose(to_numpy(g), expected)


def test_second_order_through_packed_list():
    x = tf.constant(2.0)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = tf.reduce_sum([x**3, x * x])
        g = inner.gradient(y, x)
    assert float(g) == 16.0  # 3x² + 2x
    assert float(outer.gradient(g, x)) == 14.0  # 6x + 2


@given(
    rows=st.integers(1, 3),
    cols=st.integers(1, 3),
    seed=st.integers(0, 2**16),
)
def test_packed_grid_gradients_match_finite_differences(rows, cols, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((rows, cols))

    def fn(t):
        # A nested list whose leaves are slices of t, numbers and products.
        grid = [[t[i, j] * t[i, 0] if (i + j) % 2 else t[i, j] for j in range(cols)] for i in range(rows)]
        return tf.matmul(grid, [[1.5]] * cols) + [[0.5]]

    check_gradients(fn, x, seed=seed)


def test_mismatched_shapes_are_invalid_argument():
    a = tf.constant([1.0, 2.0])
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.reduce_sum([a, [1.0]])


def test_mismatched_tensor_dtypes_are_invalid_argument():
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.reduce_sum([tf.constant(1.0), tf.constant(1.0, tf.float64)])


def test_float_next_to_int_tensor_is_type_error():
    with pytest.raises(TypeError):
        tf.convert_to_tensor([tf.constant(1), 2.5])


def test_int_tensors_pack_as_ints():
    y = tf.convert_to_tensor([tf.constant(1), 2])
    assert y.dtype == tf.int32
    assert to_numpy(y).tolist() == [1, 2]


def test_constant_of_list_holding_tensors_raises_as_tf():
    # TF 2.21's constant() rejects these (ValueError); convert_to_tensor packs them.
    with pytest.raises(ValueError):
        tf.constant([tf.constant(1.0), 2.0])


def test_constant_of_a_tensor_is_that_tensor():
    a = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(a)
        y = tf.constant(a) * 2.0
    assert float(tape.gradient(y, a)) == 2.0
    with pytest.raises(TypeError):
        tf.constant(a, dtype=tf.float64)


def test_constant_of_a_variable_is_a_value():
    w = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        y = tf.constant(w) * 2.0
    assert tape.gradient(y, w) is None


def test_variable_initialised_from_list_of_tensors():
    v = tf.Variable([tf.constant(1.0), tf.constant(2.0) * 3.0])
    assert to_numpy(v).tolist() == [1.0, 6.0]


def test_keras_layer_called_on_list_holding_tensors():
    # A layer converting its inputs must not drop the tape either.
    layer = tf.keras.layers.Dense(1, kernel_initializer="ones", use_bias=False)
    a = tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch(a)
        y = layer(tf.convert_to_tensor([[a, a * a]]))
    assert float(tape.gradient(y, a)) == 5.0

"""Tape semantics checked against TensorFlow 2.21's answers.

Second derivatives of piecewise-linear activations are connected zeros (TF's
ReluGrad family has gradients) while maximum/minimum/clip give None; sqrt,
rsqrt and reciprocal give a zero gradient where the incoming one is zero;
re-entering a tape and stop_recording misuse raise TF's exceptions; numpy
scalars and arrays keep their dtype.
"""

from __future__ import annotations

import numpy as np
import pytest
from _backend import tf, to_numpy
from gradcheck import check_gradients
from hypothesis import given
from hypothesis import strategies as st


def second(op, x0, dtype=None):
    """``(f'(x0), f''(x0))`` with two nested tapes; f'' may be None."""
    x = tf.constant(x0, dtype or tf.float64)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = op(x)
        g = inner.gradient(y, x)
    return g, outer.gradient(g, x)


CONNECTED_ZEROS = {
    "relu": (lambda x: tf.nn.relu(x), [(0.3, 1.0), (-2.0, 0.0)]),
    "relu6": (lambda x: tf.nn.relu6(x), [(0.3, 1.0), (-2.0, 0.0), (7.0, 0.0)]),
    "leaky_relu": (lambda x: tf.nn.leaky_relu(x), [(0.3, 1.0), (-2.0, 0.2)]),
    "leaky_relu_alpha": (lambda x: tf.nn.leaky_relu(x, alpha=0.5), [(0.3, 1.0), (-2.0, 0.5)]),
    "elu": (lambda x: tf.nn.elu(x), [(0.3, 1.0)]),
    "abs": (lambda x: tf.abs(x), [(0.3, 1.0), (-2.0, -1.0)]),
    "relu_times_two": (lambda x: tf.nn.relu(x) * 2.0, [(0.3, 2.0), (-2.0, 0.0)]),
}


@pytest.mark.parametrize("name", sorted(CONNECTED_ZEROS))
def test_piecewise_linear_second_derivative_is_connected_zero(name):
    op, points = CONNECTED_ZEROS[name]
    for x0, first in points:
        g, gg = second(op, x0)
        assert float(g) == pytest.approx(first, rel=1e-6), (name, x0)
        assert gg is not None, (name, x0)
        assert float(gg) == 0.0, (name, x0)


@pytest.mark.parametrize(
    "op",
    [
        lambda x: tf.maximum(x, 0.5),
        lambda x: tf.minimum(x, 0.5),
        lambda x: tf.clip_by_value(x, -1.0, 1.0),
        lambda x: tf.where(x > 0, x, tf.zeros_like(x)),
        lambda x: x * 2.0,
    ],
)
def test_linear_selection_second_derivative_is_none(op):
    # TF: these gradients do not depend on x, so the outer gradient is None.
    _, gg = second(op, 0.3)
    assert gg is None


def test_relu_hessian_through_a_layer_is_zeros():
    w = tf.Variable([[1.0, -2.0], [0.5, 1.0]], dtype=tf.float64)
    x = tf.constant([[0.3, 0.7]], tf.float64)
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            y = tf.reduce_sum(tf.nn.relu(tf.matmul(x, w)))
        g = inner.gradient(y, w)
    h = outer.gradient(g, w)
    assert h is not None
    np.testing.assert_array_equal(to_numpy(h), np.zeros((2, 2)))


# Points away from every kink: 0 for relu/leaky_relu, and 6 for relu6(2x), i.e. x = 3.
_AWAY_FROM_KINKS = st.floats(0.05, 5.0).filter(lambda v: abs(v - 3.0) > 0.05)


@given(x=st.lists(_AWAY_FROM_KINKS.map(lambda v: v * (1 if v > 2.5 else -1)), min_size=1, max_size=5))
def test_relu_family_gradients_match_finite_differences(x):
    arr = np.array(x)
    check_gradients(lambda t: tf.nn.leaky_relu(t, alpha=0.3), arr)
    check_gradients(lambda t: tf.nn.relu6(t * 2.0), arr)
    check_gradients(lambda t: tf.nn.relu(t) * t, arr)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(
    ("op", "at_four"),
    [(tf.sqrt, 0.25), (tf.math.rsqrt, -1.0 / 16.0), (tf.math.reciprocal, -1.0 / 16.0)],
    ids=["sqrt", "rsqrt", "reciprocal"],
)
def test_zero_incoming_gradient_gives_zero_not_nan(op, at_four, dtype):
    x = tf.constant([0.0, 4.0], getattr(tf, dtype))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = op(x)
        z = tf.reduce_sum(tf.where(x > 0, y, tf.zeros_like(y)))
    g = to_numpy(tape.gradient(z, x))
    assert g[0] == 0.0
    assert g[1] == pytest.approx(at_four)


def test_zero_incoming_gradient_recorded_backward_pass():
    # The same rule when an outer tape records the backward pass.
    x = tf.constant([0.0, 4.0], tf.float64)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = tf.sqrt(x)
            z = tf.reduce_sum(tf.where(x > 0, y, tf.zeros_like(y)))
        g = inner.gradient(z, x)
    assert to_numpy(g).tolist() == [0.0, 0.25]


def test_other_ops_still_give_nan_as_tf():
    # TF has the zero rule for SqrtGrad/RsqrtGrad/ReciprocalGrad only: 1/x and log are NaN.
    x = tf.constant(0.0)
    for op in (lambda t: 1.0 / t, tf.math.log):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = op(x)
            z = tf.where(x > 0, y, tf.zeros_like(y))
        assert np.isnan(float(tape.gradient(z, x)))


def test_sqrt_gradient_check_away_from_zero():
    check_gradients(tf.sqrt, np.array([0.5, 2.0, 3.0]))
    check_gradients(tf.math.rsqrt, np.array([0.5, 2.0, 3.0]))
    check_gradients(tf.math.reciprocal, np.array([0.5, -2.0, 3.0]))


def test_entering_an_active_tape_raises_value_error():
    t = tf.GradientTape()
    with t:
        with pytest.raises(ValueError, match="re-enter"):
            t.__enter__()


def test_persistent_tape_can_be_entered_again_after_exit():
    x = tf.constant(1.0)
    t = tf.GradientTape(persistent=True)
    with t:
        t.watch(x)
        y = x * x
    with t:
        z = x * y
    assert float(t.gradient(z, x)) == 3.0


def test_stop_recording_on_a_tape_never_entered_raises_runtime_error():
    t = tf.GradientTape()
    with pytest.raises(RuntimeError):
        with t.stop_recording():
            pass


def test_nested_stop_recording_raises_value_error():
    t = tf.GradientTape()
    with t:
        with t.stop_recording():
            with pytest.raises(ValueError):
                with t.stop_recording():
                    pass


def test_stop_recording_still_stops_recording():
    x = tf.constant(2.0)
    with tf.GradientTape(persistent=True) as t:
        t.watch(x)
        with t.stop_recording():
            y = x * x
        z = x * 3.0
    assert t.gradient(y, x) is None
    assert float(t.gradient(z, x)) == 3.0


@pytest.mark.parametrize(
    ("value", "dtype"),
    [
        (np.float64(2), "float64"),
        (np.array(2.0), "float64"),
        (np.float32(2), "float32"),
        (np.int64(2), "int64"),
        (np.int32(2), "int32"),
        ([np.float64(2), 1.0], "float64"),
        ([[np.float64(1)], [2.0]], "float64"),
        ((np.float64(1.5),), "float64"),
        ([np.ones(2), [1.0, 2.0]], "float64"),
        ([1, np.float64(2)], "float32"),
        ([np.float32(1), np.float64(2)], "float32"),
        ([np.int64(3), 2], "int32"),
        ([2.0, 1.0], "float32"),
    ],
)
def test_numpy_values_keep_their_dtype(value, dtype):
    assert tf.constant(value).dtype == getattr(tf, dtype)
    assert tf.convert_to_tensor(value).dtype == getattr(tf, dtype)


def test_numpy_float64_next_to_a_float32_tensor_takes_its_dtype():
    a = tf.constant(3.0)
    assert (a * np.float64(2)).dtype == tf.float32
    assert (np.float64(2) * a).dtype == tf.float32
    assert float(a * np.float64(2)) == 6.0

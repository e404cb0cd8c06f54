"""``tf.TensorArray`` in eager mode: every method, TF 2.21's error cases, and gradients.

The expectations are TensorFlow 2.21's eager behaviour (this file also runs with
``TAPEGRAD_TEST_BACKEND=tensorflow``).  Gradients through the array are checked against
central finite differences in float64, and two real programs are covered: the discounted
returns of the TF actor-critic tutorial and a hand-written RNN loop, whose gradient must equal
the one of the same loop unrolled with a Python list.
"""

from __future__ import annotations

import numpy as np
import pytest
from _backend import tf, to_numpy
from gradcheck import check_gradients
from hypothesis import given, settings
from hypothesis import strategies as hs

RNG = np.random.default_rng(20260312)


def close(got, want, rtol=1e-6, atol=1e-12):
    np.testing.assert_allclose(to_numpy(got), want, rtol=rtol, atol=atol)


# ----------------------------------------------------------------------------- construction


def test_constructor_properties():
    ta = tf.TensorArray(tf.float32, size=3)
    assert ta.dtype == tf.float32
    assert ta.dynamic_size is False
    assert ta.element_shape.rank is None
    assert str(ta.element_shape) == "<unknown>"
    assert not ta.element_shape.is_fully_defined()
    assert int(ta.size()) == 3
    assert ta.size().dtype == tf.int32
    assert tf.TensorArray("float64", size=1).dtype == tf.float64
    assert tf.TensorArray(tf.float32, size=1, dynamic_size=True).dynamic_size is True
    assert int(tf.TensorArray(tf.float32, size=tf.constant(4)).size()) == 4
    assert int(tf.TensorArray(tf.float32, size=0).size()) == 0
    flow = tf.TensorArray(tf.float32, size=1).flow
    assert flow.dtype == tf.int32 and int(flow) == 0


def test_element_shape_argument():
    ta = tf.TensorArray(tf.float32, size=2, element_shape=[2, 3])
    assert ta.element_shape.is_fully_defined()
    assert ta.element_shape.as_list() == [2, 3]
    partial = tf.TensorArray(tf.float32, size=2, element_shape=[None, 3])
    assert partial.element_shape.rank == 2
    assert partial.element_shape.as_list() == [None, 3]
    assert not partial.element_shape.is_fully_defined()
    given_shape = tf.TensorShape([4])
    assert tf.TensorArray(tf.float32, size=1, element_shape=given_shape).element_shape.as_list() == [4]


def test_constructor_errors():
    with pytest.raises(ValueError, match="Size must be declared"):
        tf.TensorArray(tf.float32)
    with pytest.raises(ValueError, match="handles are not supported"):
        tf.TensorArray(tf.float32, size=1, handle=1)
    with pytest.raises(TypeError):
        tf.TensorArray("no-such-dtype", size=1)
    with pytest.raises(TypeError):
        tf.TensorArray(tf.float32, size=2.0)


# ----------------------------------------------------------------------------- write / read


def test_write_returns_the_array_and_read_gives_the_value():
    ta = tf.TensorArray(tf.float32, size=2)
    ta2 = ta.write(0, tf.constant([1.0, 2.0]))
    # Eagerly the write mutates the array: the old and the returned object agree.
    assert int(ta.size()) == 2
    ta2 = ta2.write(1, [3.0, 4.0])
    close(ta2.read(1), np.array([3.0, 4.0], np.float32))
    close(ta.read(0), np.array([1.0, 2.0], np.float32))
    assert ta2.element_shape.as_list() == [2]


def test_write_converts_python_and_numpy_values_to_the_dtype():
    assert tf.TensorArray(tf.float32, size=1).write(0, 1).read(0).dtype == tf.float32
    assert tf.TensorArray(tf.float32, size=1).write(0, np.float64(1.5)).read(0).dtype == tf.float32
    assert tf.TensorArray(tf.float32, size=1).write(0, np.array([1.0])).read(0).dtype == tf.float32
    assert tf.TensorArray(tf.int32, size=1).write(tf.constant(0), 7).read(0).dtype == tf.int32


def test_writing_a_slot_twice_overwrites_it():
    ta = tf.TensorArray(tf.float32, size=1, clear_after_read=False)
    ta = ta.write(0, 1.0).write(0, 2.0)
    close(ta.read(0), np.float32(2.0))


def test_index_may_be_a_tensor_or_numpy_integer():
    ta = tf.TensorArray(tf.float32, size=3)
    ta = ta.write(tf.constant(1), 5.0).write(np.int64(2), 6.0)
    close(ta.stack(), np.array([0.0, 5.0, 6.0], np.float32))


def test_write_errors():
    with pytest.raises(tf.errors.OutOfRangeError, match="not resizeable and size is: 1"):
        tf.TensorArray(tf.float32, size=1).write(3, 1.0)
    with pytest.raises(tf.errors.OutOfRangeError, match="negative indices"):
        tf.TensorArray(tf.float32, size=1).write(-1, 1.0)
    wrong_dtype = "dtype is float32 but Op is trying to write dtype int32"
    with pytest.raises(tf.errors.InvalidArgumentError, match=wrong_dtype):
        tf.TensorArray(tf.float32, size=1).write(0, tf.constant(1, tf.int32))
    with pytest.raises(tf.errors.InvalidArgumentError, match="dtype is int32"):
        tf.TensorArray(tf.int32, size=1).write(0, 1.5)
    with pytest.raises(ValueError, match=r"Incompatible shape for value \(\(3,\)\), expected \(\(2,\)\)"):
        tf.TensorArray(tf.float32, size=2).write(0, [1.0, 2.0]).write(1, [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="Incompatible shape"):
        tf.TensorArray(tf.float32, size=2, element_shape=[3]).write(0, [1.0, 2.0])
    with pytest.raises(ValueError, match="Incompatible shape"):
        tf.TensorArray(tf.float32, size=2, element_shape=[None, 2]).write(0, [[1.0, 2.0, 3.0]])
    with pytest.raises(TypeError):
        tf.TensorArray(tf.float32, size=2).write(1.0, 1.0)


def test_failed_write_leaves_the_array_unchanged():
    ta = tf.TensorArray(tf.float32, size=2, clear_after_read=False).write(0, [1.0, 2.0])
    with pytest.raises(ValueError):
        ta.write(1, [1.0])
    with pytest.raises(tf.errors.InvalidArgumentError):
        ta.write(1, tf.constant([1, 2]))
    assert ta.element_shape.as_list() == [2]
    close(ta.stack(), np.array([[1.0, 2.0], [0.0, 0.0]], np.float32))


def test_infer_shape_false_allows_different_shapes():
    ta = tf.TensorArray(tf.float32, size=2, infer_shape=False)
    ta = ta.write(0, [1.0, 2.0]).write(1, [3.0])
    assert ta.element_shape.rank is None
    close(ta.concat(), np.array([1.0, 2.0, 3.0], np.float32))
    with pytest.raises(tf.errors.InvalidArgumentError):
        ta.stack()


def test_dynamic_size_grows_on_write():
    ta = tf.TensorArray(tf.float32, size=0, dynamic_size=True)
    ta = ta.write(3, 1.0)
    assert int(ta.size()) == 4
    close(ta.stack(), np.array([0.0, 0.0, 0.0, 1.0], np.float32))


def test_read_errors():
    with pytest.raises(tf.errors.OutOfRangeError, match="Tried to read from index 1 but array size is: 1"):
        tf.TensorArray(tf.float32, size=1).read(1)
    with pytest.raises(tf.errors.OutOfRangeError, match="negative indices"):
        tf.TensorArray(tf.float32, size=1).read(-1)


def test_reading_an_unwritten_slot():
    ta = tf.TensorArray(tf.float32, size=2).write(0, 1.0)
    close(ta.read(1), np.float32(0.0))
    known = tf.TensorArray(tf.float64, size=2, element_shape=[2, 3])
    got = known.read(0)
    assert got.dtype == tf.float64
    close(got, np.zeros((2, 3)))
    with pytest.raises(ValueError, match="partially known TensorShape <unknown>"):
        tf.TensorArray(tf.float32, size=2).read(0)
    with pytest.raises(ValueError, match=r"partially known TensorShape \(None, 2\)"):
        tf.TensorArray(tf.float32, size=2, element_shape=[None, 2]).read(0)


def test_clear_after_read():
    ta = tf.TensorArray(tf.float32, size=2).write(0, [1.0]).write(1, [2.0])
    close(ta.read(0), np.array([1.0], np.float32))
    with pytest.raises(tf.errors.InvalidArgumentError, match="Could not read index 0 twice"):
        ta.read(0)
    # stack() after a read sees the cleared slot as zeros (TF's eager behaviour).
    close(ta.stack(), np.array([[0.0], [2.0]], np.float32))
    keep = tf.TensorArray(tf.float32, size=1, clear_after_read=False).write(0, 1.0)
    close(keep.read(0), np.float32(1.0))
    close(keep.read(0), np.float32(1.0))


# ----------------------------------------------------------------------------- whole-array ops


def test_stack():
    ta = tf.TensorArray(tf.int32, size=3)
    for i in range(3):
        ta = ta.write(i, tf.constant([2 * i + 1, 2 * i + 2]))
    got = ta.stack()
    assert got.dtype == tf.int32
    close(got, np.array([[1, 2], [3, 4], [5, 6]]))


def test_stack_of_an_empty_array():
    empty = tf.TensorArray(tf.float32, size=0).stack()
    assert tuple(empty.shape) == (0,) and empty.dtype == tf.float32
    known = tf.TensorArray(tf.float64, size=0, element_shape=[2, 3]).stack()
    assert tuple(known.shape) == (0, 2, 3) and known.dtype == tf.float64
    with pytest.raises(ValueError, match="partially known"):
        tf.TensorArray(tf.float32, size=2).stack()


def test_unstack():
    ta = tf.TensorArray(tf.float32, size=3).unstack([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    close(ta.read(1), np.array([3.0, 4.0], np.float32))
    fewer = tf.TensorArray(tf.float32, size=4).unstack([1.0, 2.0, 3.0])
    assert int(fewer.size()) == 3
    grown = tf.TensorArray(tf.float32, size=0, dynamic_size=True).unstack([1.0, 2.0])
    close(grown.stack(), np.array([1.0, 2.0], np.float32))
    ta = tf.TensorArray(tf.float32, size=1)
    assert ta.unstack([1.0]) is ta


def test_unstack_errors():
    with pytest.raises(ValueError, match="Cannot unstack 3 tensors into a TensorArray of static size 2"):
        tf.TensorArray(tf.float32, size=2).unstack([1.0, 2.0, 3.0])
    with pytest.raises(ValueError):
        tf.TensorArray(tf.float32, size=1).unstack(1.0)


def test_scatter_and_gather():
    ta = tf.TensorArray(tf.float32, size=3).scatter([2, 0], [[1.0, 2.0], [3.0, 4.0]])
    close(ta.stack(), np.array([[3.0, 4.0], [0.0, 0.0], [1.0, 2.0]], np.float32))
    src = tf.TensorArray(tf.float32, size=3, clear_after_read=False).unstack([1.0, 2.0, 3.0])
    close(src.gather([2, 0]), np.array([3.0, 1.0], np.float32))
    close(src.gather(tf.constant([1, 1])), np.array([2.0, 2.0], np.float32))
    # Eager TF indexes a Python list: a negative index counts from the end.
    close(src.gather([-1]), np.array([3.0], np.float32))
    empty = src.gather([])
    assert tuple(empty.shape) == (0,)


def test_scatter_errors():
    with pytest.raises(tf.errors.OutOfRangeError, match="Tried to write to index 5"):
        tf.TensorArray(tf.float32, size=3).scatter([5], [[1.0, 2.0]])
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.TensorArray(tf.float32, size=3).scatter([0], tf.constant([[1, 2]]))
    with pytest.raises(IndexError):
        tf.TensorArray(tf.float32, size=3).unstack([1.0, 2.0, 3.0]).gather([5])


def test_concat_and_split():
    ta = tf.TensorArray(tf.float32, size=2, clear_after_read=False).split([1.0, 2.0, 3.0], [1, 2])
    close(ta.read(1), np.array([2.0, 3.0], np.float32))
    close(ta.concat(), np.array([1.0, 2.0, 3.0], np.float32))
    # split (like unstack) does not refine the element shape.
    assert ta.element_shape.rank is None
    grown = tf.TensorArray(tf.float32, size=1, dynamic_size=True).split(tf.constant([1.0, 2.0, 3.0]), [1, 2])
    assert int(grown.size()) == 2
    mat = tf.TensorArray(tf.float64, size=3).split(np.arange(12.0).reshape(6, 2), tf.constant([1, 3, 2]))
    close(mat.concat(), np.arange(12.0).reshape(6, 2))


def test_concat_and_split_errors():
    with pytest.raises(tf.errors.InvalidArgumentError, match="scalar shape at index 0"):
        tf.TensorArray(tf.float32, size=2).write(0, 1.0).write(1, 2.0).concat()
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.TensorArray(tf.float32, size=0).concat()
    with pytest.raises(tf.errors.InvalidArgumentError, match="sum of lengths is 2"):
        tf.TensorArray(tf.float32, size=2).split([1.0, 2.0, 3.0], [1, 1])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"size of lengths \(3 vs. 2\)"):
        tf.TensorArray(tf.float32, size=3).split([1.0, 2.0, 3.0], [1, 2])
    with pytest.raises(tf.errors.InvalidArgumentError, match="at least a vector"):
        tf.TensorArray(tf.float32, size=1).split(1.0, [1])
    with pytest.raises(tf.errors.InvalidArgumentError, match="lengths to be a vector"):
        tf.TensorArray(tf.float32, size=1).split([1.0], [[1]])


def test_close_identity_grad():
    ta = tf.TensorArray(tf.float32, size=2).write(0, 1.0)
    assert ta.identity() is not None
    close(ta.identity().read(0), np.float32(1.0))
    ta.close()
    assert int(ta.size()) == 0
    with pytest.raises(NotImplementedError):
        tf.TensorArray(tf.float32, size=1).grad("source")


# ----------------------------------------------------------------------------- gradients


@settings(max_examples=8, deadline=None)
@given(n=hs.integers(1, 4), width=hs.integers(1, 3))
def test_gradient_write_then_stack(n, width):
    x = RNG.standard_normal((n, width))

    def fn(xs):
        ta = tf.TensorArray(tf.float64, size=n)
        for i in range(n):
            ta = ta.write(i, tf.sin(xs[i]) * xs[n - 1 - i])
        return ta.stack()

    check_gradients(fn, [x], reference=lambda a: np.sin(a) * a[::-1])


@settings(max_examples=8, deadline=None)
@given(n=hs.integers(1, 4), width=hs.integers(1, 3))
def test_gradient_unstack_then_read(n, width):
    x = RNG.standard_normal((n, width))

    def fn(xs):
        ta = tf.TensorArray(tf.float64, size=n).unstack(xs)
        return tf.add_n([ta.read(i) * float(i + 1) for i in range(n)]) ** 2

    check_gradients(fn, [x])


def test_gradient_scatter_then_gather():
    x = RNG.standard_normal((3, 2))

    def fn(xs):
        ta = tf.TensorArray(tf.float64, size=4, clear_after_read=False).scatter([3, 0, 2], xs)
        return ta.gather([0, 3, 3, 1]) * ta.gather([2, 2, 0, 3])

    check_gradients(fn, [x], reference=lambda a: np.stack([a[1], a[0], a[0], np.zeros(2)])
                    * np.stack([a[2], a[2], a[1], a[0]]))


def test_gradient_split_then_concat():
    x = RNG.standard_normal((5, 2))

    def fn(xs):
        ta = tf.TensorArray(tf.float64, size=3, clear_after_read=False).split(xs, [2, 1, 2])
        return tf.tanh(ta.concat()) * ta.read(1)

    check_gradients(fn, [x])


def test_gradient_through_a_variable_written_to_the_array():
    v = tf.Variable([1.0, 2.0], dtype=tf.float64)
    with tf.GradientTape() as tape:
        ta = tf.TensorArray(tf.float64, size=2)
        ta = ta.write(0, v).write(1, v * v)
        loss = tf.reduce_sum(ta.stack())
    close(tape.gradient(loss, v), np.array([3.0, 5.0]))


def test_unwritten_slots_are_constants_for_the_gradient():
    x = tf.constant([1.0, 2.0], dtype=tf.float64)
    with tf.GradientTape() as tape:
        tape.watch(x)
        ta = tf.TensorArray(tf.float64, size=3).write(1, x * 3.0)
        loss = tf.reduce_sum(ta.stack() ** 2)
    close(tape.gradient(loss, x), 18.0 * np.array([1.0, 2.0]))


# ----------------------------------------------------------------------------- real programs

EPS32 = np.finfo(np.float32).eps.item()


def get_expected_return(rewards, gamma: float, standardize: bool = True, dtype=None):
    """The TF actor-critic tutorial's discounted returns (its ``dtype`` is ``tf.float32``).

    The tutorial also calls ``discounted_sum.set_shape(...)``, a graph-mode shape hint that
    does nothing eagerly; it is left out here.
    """
    dtype = dtype or tf.float32
    n = tf.shape(rewards)[0]
    returns = tf.TensorArray(dtype=dtype, size=n)

    # Start from the end of `rewards` and accumulate reward sums into the `returns` array.
    rewards = tf.cast(rewards[::-1], dtype=dtype)
    discounted_sum = tf.constant(0.0, dtype=dtype)
    for i in tf.range(n):
        reward = rewards[i]
        discounted_sum = reward + gamma * discounted_sum
        returns = returns.write(i, discounted_sum)
    returns = returns.stack()[::-1]

    if standardize:
        returns = (returns - tf.math.reduce_mean(returns)) / (tf.math.reduce_std(returns) + EPS32)
    return returns


def _numpy_returns(rewards, gamma, standardize):
    out = np.zeros_like(rewards)
    acc = 0.0
    for i in range(len(rewards) - 1, -1, -1):
        acc = rewards[i] + gamma * acc
        out[i] = acc
    if standardize:
        out = (out - out.mean()) / (out.std() + EPS32)
    return out


def test_actor_critic_expected_return_values():
    rewards = np.array([1.0, 1.0, 0.0, 1.0, 2.0, 0.5], np.float32)
    got = get_expected_return(tf.constant(rewards), 0.99, standardize=False)
    assert got.dtype == tf.float32
    close(got, _numpy_returns(rewards.astype(np.float64), 0.99, False), rtol=1e-6)
    got = get_expected_return(tf.constant(rewards), 0.99)
    close(got, _numpy_returns(rewards.astype(np.float64), 0.99, True), rtol=1e-5, atol=1e-6)


def test_actor_critic_expected_return_gradient():
    rewards = RNG.uniform(0.0, 2.0, size=7)
    check_gradients(
        lambda r: get_expected_return(r, 0.9, standardize=True, dtype=tf.float64),
        [rewards],
        reference=lambda r: _numpy_returns(r, 0.9, True),
    )


def _rnn_tensor_array(xs, w, u, b):
    """A hand-written RNN: inputs read from one TensorArray, states written to another."""
    steps = int(xs.shape[0])
    inputs = tf.TensorArray(xs.dtype, size=steps).unstack(xs)
    states = tf.TensorArray(xs.dtype, size=0, dynamic_size=True)
    h = tf.zeros([int(xs.shape[1]), int(u.shape[0])], dtype=xs.dtype)
    for t in range(steps):
        h = tf.tanh(tf.matmul(inputs.read(t), w) + tf.matmul(h, u) + b)
        states = states.write(t, h)
    return states.stack()


def _rnn_unrolled(xs, w, u, b):
    """The same RNN with a Python list."""
    h = tf.zeros([int(xs.shape[1]), int(u.shape[0])], dtype=xs.dtype)
    out = []
    for t in range(int(xs.shape[0])):
        h = tf.tanh(tf.matmul(xs[t], w) + tf.matmul(h, u) + b)
        out.append(h)
    return tf.stack(out)


def test_rnn_loop_gradient_matches_the_unrolled_loop():
    steps, batch, n_in, n_hidden = 4, 2, 3, 5
    arrays = [
        RNG.standard_normal((steps, batch, n_in)),
        RNG.standard_normal((n_in, n_hidden)) * 0.5,
        RNG.standard_normal((n_hidden, n_hidden)) * 0.5,
        RNG.standard_normal((n_hidden,)) * 0.1,
    ]
    weights = tf.constant(RNG.standard_normal((steps, batch, n_hidden)))

    def grads(rnn):
        params = [tf.constant(a) for a in arrays]
        with tf.GradientTape() as tape:
            tape.watch(params)
            out = rnn(*params)
            loss = tf.reduce_sum(weights * out)
        return to_numpy(out), [to_numpy(g) for g in tape.gradient(loss, params)]

    out_ta, grads_ta = grads(_rnn_tensor_array)
    out_ref, grads_ref = grads(_rnn_unrolled)
    np.testing.assert_allclose(out_ta, out_ref, rtol=1e-12, atol=1e-12)
    for got, want in zip(grads_ta, grads_ref):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    check_gradients(_rnn_tensor_array, arrays, order=1)


def test_rnn_loop_trains_a_variable():
    w = tf.Variable(RNG.standard_normal((2, 3)) * 0.5)
    xs = tf.constant(RNG.standard_normal((3, 1, 2)))
    with tf.GradientTape() as tape:
        ta = tf.TensorArray(tf.float64, size=3)
        for t in range(3):
            ta = ta.write(t, tf.tanh(tf.matmul(xs[t], w)))
        loss = tf.reduce_sum(ta.stack() ** 2)
    g = tape.gradient(loss, w)
    assert g is not None and tuple(g.shape) == (2, 3)


def test_tensor_array_as_a_while_loop_variable():
    x = tf.constant([1.0, 2.0, 3.0], dtype=tf.float64)

    def body(i, ta):
        return i + 1, ta.write(i, x[i] ** 2)

    with tf.GradientTape() as tape:
        tape.watch(x)
        _, ta = tf.while_loop(lambda i, ta: i < 3, body, [tf.constant(0), tf.TensorArray(tf.float64, size=3)])
        y = tf.reduce_sum(ta.stack() * tf.constant([1.0, 10.0, 100.0], dtype=tf.float64))
    close(ta.stack(), np.array([1.0, 4.0, 9.0]))
    close(tape.gradient(y, x), np.array([2.0, 40.0, 600.0]))


def test_fibonacci_needs_clear_after_read_false_eagerly():
    def fibonacci(n, clear_after_read=None):
        ta = tf.TensorArray(tf.float32, size=0, dynamic_size=True, clear_after_read=clear_after_read)
        ta = ta.unstack([0.0, 1.0])
        for i in range(2, n):
            ta = ta.write(i, ta.read(i - 1) + ta.read(i - 2))
        return ta.stack()

    close(fibonacci(7, clear_after_read=False), np.array([0, 1, 1, 2, 3, 5, 8], np.float32))
    with pytest.raises(tf.errors.InvalidArgumentError, match="Could not read index 1 twice"):
        fibonacci(7)


def test_gradient_reaches_tensors_inside_python_lists():
    # TF packs a list of tensors into one tensor with a recorded op; the gradient must reach x.
    x = tf.constant(2.0, dtype=tf.float64)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        ys = [
            tf.TensorArray(tf.float64, size=2).unstack([x * 2.0, x * 3.0]).stack(),
            tf.TensorArray(tf.float64, size=1).write(0, [x, x * x]).stack(),
            tf.TensorArray(tf.float64, size=2).scatter([1, 0], [x, 5.0 * x]).stack(),
            tf.TensorArray(tf.float64, size=2).split([x, x, x], [1, 2]).concat(),
        ]
        sums = [tf.reduce_sum(y) for y in ys]
    for total, want in zip(sums, [5.0, 5.0, 6.0, 3.0]):
        close(tape.gradient(total, x), want)


def test_writing_a_variable_stores_its_current_value():
    # TF's TensorArray docstring, example 3, run eagerly.
    v = tf.Variable(1)
    ta = tf.TensorArray(tf.int32, size=0, dynamic_size=True)
    for i in tf.range(5):
        v.assign_add(i)
        ta = ta.write(i, v)
    close(ta.stack(), np.array([1, 2, 4, 7, 11]))


def test_partial_element_shape_prints_and_compares_like_tf():
    shape = tf.TensorArray(tf.float32, size=1, element_shape=[None, 2]).element_shape
    assert str(shape) == "(None, 2)"
    assert shape.is_compatible_with([3, 2])
    assert not shape.is_compatible_with([3, 3])
    assert not shape.is_compatible_with([2])
    unknown = tf.TensorArray(tf.float32, size=1).element_shape
    assert unknown.is_compatible_with([1, 2, 3])
    with pytest.raises(ValueError):
        unknown.as_list()

"""Hostile inputs: overflowing shapes, allocations that cannot succeed, panics,
integer ranges and reference cycles through the tape.

Every call here must end in a clean Python exception (TF's type) or a correct
result, and the process must stay usable afterwards. Sizes are chosen to fail
fast: 2**20 x 2**20 float32 is 4 TiB, which no allocator here can reserve.
"""

from __future__ import annotations

import gc

import numpy as np
import pytest
from _backend import tf

HUGE = (2**20, 2**20)  # 4 TiB of float32: valid shape, impossible allocation
OVERFLOW = (2**32, 2**32)  # 2**64 elements: not a valid shape at all


def _still_usable():
    x = tf.constant([1.0, 2.0, 3.0])
    with tf.GradientTape() as t:
        t.watch(x)
        y = tf.reduce_sum(x * x)
    np.testing.assert_allclose(t.gradient(y, x).numpy(), [2.0, 4.0, 6.0])


# ---------------------------------------------------------------- checked shapes


def test_reshape_with_wrapping_dims_is_rejected():
    # 7 * (7^-1 mod 2**64) == 1 in 64-bit arithmetic: must not pass as 1 element.
    bad = pow(7, -1, 2**64)
    with pytest.raises(tf.errors.InvalidArgumentError, match="too many elements"):
        tf.reshape(tf.constant([1.0]), (7, bad))
    _still_usable()


def test_zeros_of_overflowing_shape_is_rejected():
    with pytest.raises(tf.errors.InvalidArgumentError, match="4294967296"):
        tf.zeros(OVERFLOW)
    _still_usable()


@pytest.mark.parametrize(
    "shape",
    [(2**31 - 1, 2**31 - 1), (2**62, 4), (3, 2**62)],
)
def test_zeros_of_impossible_shapes_raise_cleanly(shape):
    with pytest.raises((tf.errors.InvalidArgumentError, tf.errors.ResourceExhaustedError)):
        tf.zeros(shape)
    _still_usable()


def test_broadcast_of_two_valid_shapes_that_overflows():
    a = tf.reshape(tf.constant([1.0]), (1, 1))
    with pytest.raises((tf.errors.InvalidArgumentError, tf.errors.ResourceExhaustedError)):
        tf.broadcast_to(a, OVERFLOW)
    _still_usable()


def test_huge_matmul_fails_fast():
    a = tf.zeros((2**20, 1))
    b = tf.zeros((1, 2**20))
    with pytest.raises(tf.errors.ResourceExhaustedError):
        tf.matmul(a, b)
    _still_usable()


def test_empty_tensor_with_huge_dims_multiplies_safely():
    # Shape arithmetic on zero-size tensors: no kernel may wrap around.
    x = tf.zeros((0, 5))
    y = tf.reshape(x, (5, 0))
    assert tuple(y.shape) == (5, 0)
    assert tuple(tf.matmul(x, tf.zeros((5, 3))).shape) == (0, 3)


# ---------------------------------------------------------------- allocation failure


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: tf.zeros(HUGE), id="zeros"),
        pytest.param(lambda: tf.ones(HUGE), id="ones"),
        pytest.param(lambda: tf.eye(2**20), id="eye"),
        pytest.param(lambda: tf.one_hot(tf.zeros((2**20,), tf.int32), 2**20), id="one_hot"),
        pytest.param(lambda: tf.fill(HUGE, 1.0), id="fill"),
        pytest.param(lambda: tf.pad(tf.zeros((2, 2)), [[0, 2**20], [0, 2**20]]), id="pad"),
        pytest.param(lambda: tf.tile(tf.zeros((2, 2)), [2**19, 2**19]), id="tile"),
        pytest.param(lambda: tf.broadcast_to(tf.constant(1.0), HUGE), id="broadcast_to"),
        pytest.param(lambda: tf.random.normal(HUGE), id="random_normal"),
        pytest.param(lambda: tf.random.uniform(HUGE), id="random_uniform"),
        pytest.param(lambda: tf.zeros((2**20, 1)) + tf.zeros((1, 2**20)), id="add_broadcast"),
    ],
)
def test_impossible_allocations_raise_resource_exhausted(make):
    with pytest.raises(tf.errors.ResourceExhaustedError):
        make()
    _still_usable()


@pytest.mark.tapegrad_only
def test_linspace_impossible_count():
    # TF truncates num to int32 (2**40 -> 0) and returns an empty tensor.
    with pytest.raises((tf.errors.ResourceExhaustedError, tf.errors.InvalidArgumentError)):
        tf.linspace(0.0, 1.0, 2**40)
    _still_usable()


@pytest.mark.tapegrad_only
def test_resource_exhausted_is_a_memory_error_naming_op_shape_and_bytes():
    with pytest.raises(MemoryError) as info:
        tf.zeros(HUGE)
    msg = str(info.value)
    assert "zeros" in msg and "1048576, 1048576" in msg and str(4 * 2**40) in msg


def test_dense_with_an_impossible_width():
    layer = tf.keras.layers.Dense(2**40)
    with pytest.raises((tf.errors.ResourceExhaustedError, tf.errors.InvalidArgumentError)):
        layer(tf.ones((1, 2**10)))
    _still_usable()


def test_gradient_through_a_huge_broadcast():
    x = tf.Variable(tf.ones((2**20, 1)))
    with tf.GradientTape() as t:
        with pytest.raises(tf.errors.ResourceExhaustedError):
            _ = x * tf.ones((1, 2**20))
        y = tf.reduce_sum(x * 2.0)
    np.testing.assert_allclose(t.gradient(y, x).numpy()[:3, 0], [2.0, 2.0, 2.0])


# ---------------------------------------------------------------- panics


@pytest.mark.tapegrad_only
def test_found_panics_now_raise_clean_errors():
    with pytest.raises((tf.errors.InvalidArgumentError, tf.errors.ResourceExhaustedError)):
        tf.zeros((2**31 - 1, 2**31 - 1))
    # TF wraps the int32 depth (2**62 -> 0); tapegrad rejects the shape instead.
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.one_hot([0], 2**62)
    _still_usable()


@pytest.mark.tapegrad_only
def test_a_planted_panic_reaches_python_as_internal_error():
    from tapegrad import _core

    x = tf.Variable([1.0, 2.0])
    with tf.GradientTape(persistent=True) as t:
        y = tf.reduce_sum(x * x)
        with pytest.raises(tf.errors.InternalError, match="planted bug") as info:
            _core._test_panic("planted bug in some_op")
        z = tf.reduce_sum(3.0 * x)
    assert isinstance(info.value, Exception)
    # The tape is consistent: both gradients still come out right.
    np.testing.assert_allclose(t.gradient(y, x).numpy(), [2.0, 4.0])
    np.testing.assert_allclose(t.gradient(z, x).numpy(), [3.0, 3.0])
    try:
        _core._test_panic("caught by except Exception")
    except Exception as e:  # noqa: BLE001 - the point of the test
        assert "caught by" in str(e)


# ---------------------------------------------------------------- integer ranges


def test_python_int_beyond_int64_is_rejected():
    with pytest.raises(ValueError):
        tf.constant([2**63])


@pytest.mark.tapegrad_only
def test_uint64_array_beyond_int64_is_rejected():
    # TF has a uint64 dtype; tapegrad converts uint64 to int64 and must not wrap.
    with pytest.raises(ValueError):
        tf.constant(np.array([2**64 - 1], dtype=np.uint64))
    assert tf.constant(np.array([5], dtype=np.uint64)).numpy().tolist() == [5]


@pytest.mark.parametrize("index", [2**32 + 1, -(2**63), 2**31])
def test_gather_indices_do_not_wrap(index):
    x = tf.constant([1.0, 2.0])
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.gather(x, [index])


def test_one_hot_index_beyond_int32_is_an_off_row():
    out = tf.one_hot([2**32 + 1, 1], 3).numpy()
    np.testing.assert_array_equal(out, [[0, 0, 0], [0, 1, 0]])


# ---------------------------------------------------------------- reference cycles


def _step_with_a_cycle(persistent):
    """One custom-gradient call whose grad_fn closes over its own tape."""
    import weakref

    tape = tf.GradientTape(persistent=persistent)

    @tf.custom_gradient
    def f(x):
        def grad(dy):
            _ = tape  # tape -> node -> grad_fn -> closure -> tape
            return dy * 2.0

        return tf.identity(x), grad

    x = tf.constant(1.0)
    with tape:
        tape.watch(x)
        f(x)
    return weakref.ref(tape)


@pytest.mark.tapegrad_only
@pytest.mark.parametrize("persistent", [True, False])
def test_custom_gradient_closing_over_its_tape_is_collected(persistent):
    refs = [_step_with_a_cycle(persistent) for _ in range(50)]
    gc.collect()
    alive = sum(r() is not None for r in refs)
    assert alive == 0, f"{alive} of {len(refs)} tapes leaked through custom-gradient cycles"


# ---------------------------------------------------------------- Ctrl-C


@pytest.mark.tapegrad_only
def test_ctrl_c_interrupts_a_long_backward_pass_and_the_tape_stays_usable():
    import signal
    import threading
    import time

    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signals are delivered to the main thread")
    n = 128
    w = tf.eye(n) * 1.0
    x = tf.Variable(tf.ones((n, n)))
    with tf.GradientTape(persistent=True) as t:
        y = x
        for _ in range(3000):
            y = tf.matmul(y, w)
        loss = tf.reduce_sum(y)
    t0 = time.perf_counter()
    expected = t.gradient(loss, x).numpy()
    full = time.perf_counter() - t0
    if full < 0.25:
        pytest.skip(f"the backward pass took only {full:.3f}s: too short to interrupt reliably")

    sent = []
    finished = []

    def interrupt():
        sent.append(time.perf_counter())
        signal.raise_signal(signal.SIGINT)

    timer = threading.Timer(min(0.05, full / 4), interrupt)
    start = time.perf_counter()
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            t.gradient(loss, x)
            finished.append(True)
            time.sleep(2)  # the pass ended before the signal: wait for it here
    finally:
        timer.cancel()
    assert not finished, f"the {full:.3f}s backward pass ran to its end despite Ctrl-C"
    latency = time.perf_counter() - sent[0]
    assert latency < 0.5, f"KeyboardInterrupt came {latency:.3f}s after Ctrl-C (pass: {full:.3f}s)"
    assert time.perf_counter() - start < full + 1.0
    # The persistent tape is intact: the next pass gives the same gradient.
    np.testing.assert_allclose(t.gradient(loss, x).numpy(), expected)

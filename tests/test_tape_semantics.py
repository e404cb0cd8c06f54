"""GradientTape semantics: persistence, watching, structures, unconnected sources."""

from __future__ import annotations

import collections

import numpy as np
import pytest
from _backend import to_numpy


def test_non_persistent_second_gradient_raises(tf):
    """A non-persistent tape computes one set of gradients; the 2nd call raises RuntimeError."""
    x = tf.constant(3.0)
    with tf.GradientTape() as t:
        t.watch(x)
        y = x * x
    assert float(t.gradient(y, x)) == 6.0
    with pytest.raises(RuntimeError):
        t.gradient(y, x)


def test_persistent_tape_allows_many_gradients(tf):
    """A persistent tape answers repeated and different gradient queries."""
    x = tf.constant(3.0)
    with tf.GradientTape(persistent=True) as t:
        t.watch(x)
        y = x * x
        z = y * y
    assert float(t.gradient(z, x)) == 108.0
    assert float(t.gradient(y, x)) == 6.0
    assert float(t.gradient(z, y)) == 18.0
    assert float(t.gradient(z, x)) == 108.0
    del t


def test_sources_nested_structures(tf):
    """Sources may be any nesting of lists, tuples and dicts; the result has the same structure."""
    a = tf.constant(1.0)
    b = tf.constant(2.0)
    c = tf.Variable(3.0)
    with tf.GradientTape(persistent=True) as t:
        t.watch([a, b])
        y = a * b * c
    g_list = t.gradient(y, [a, b])
    assert isinstance(g_list, list) and len(g_list) == 2
    assert [float(g) for g in g_list] == [6.0, 3.0]
    g_tuple = t.gradient(y, (a, c))
    assert isinstance(g_tuple, tuple)
    assert [float(g) for g in g_tuple] == [6.0, 2.0]
    g_dict = t.gradient(y, {"a": a, "c": c})
    assert isinstance(g_dict, dict) and set(g_dict) == {"a", "c"}
    assert float(g_dict["a"]) == 6.0 and float(g_dict["c"]) == 2.0
    nested = t.gradient(y, {"x": [a, (b, {"deep": c})], "y": (c,)})
    assert float(nested["x"][0]) == 6.0
    assert isinstance(nested["x"][1], tuple)
    assert float(nested["x"][1][0]) == 3.0
    assert float(nested["x"][1][1]["deep"]) == 2.0
    assert isinstance(nested["y"], tuple) and float(nested["y"][0]) == 2.0
    single = t.gradient(y, a)
    assert float(single) == 6.0
    # Containers of other kinds keep their type; flat ones take a shortcut, nested ones not.
    pair = collections.namedtuple("pair", "first second")
    g_named = t.gradient(y, pair(a, c))
    assert type(g_named) is pair and float(g_named.second) == 2.0
    g_ordered = t.gradient(y, collections.OrderedDict([("c", c), ("a", a)]))
    assert type(g_ordered) is collections.OrderedDict and list(g_ordered) == ["c", "a"]
    assert float(g_ordered["a"]) == 6.0

    class Params(list):
        pass

    g_sub = t.gradient(y, Params([b, c]))
    assert type(g_sub) is Params and [float(g) for g in g_sub] == [3.0, 2.0]
    # Several targets: their gradients add up.
    assert float(t.gradient([y, y], a)) == 12.0
    assert [float(g) for g in t.gradient((y, {"k": y}), [b])] == [6.0]
    del t


def test_same_source_twice_in_list(tf):
    """A source listed twice gets the full gradient in both positions."""
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as t:
        t.watch(x)
        y = tf.reduce_sum(x * x)
    g1, g2 = t.gradient(y, [x, x])
    np.testing.assert_array_equal(to_numpy(g1), [2.0, 4.0])
    np.testing.assert_array_equal(to_numpy(g2), [2.0, 4.0])


def test_output_gradients_vector_jacobian_product(tf):
    """output_gradients weights the target's elements (a vector-Jacobian product)."""
    x = tf.constant([1.0, 2.0, 3.0])
    with tf.GradientTape() as t:
        t.watch(x)
        y = x * x
    g = t.gradient(y, x, output_gradients=tf.constant([1.0, 0.5, -1.0]))
    np.testing.assert_array_equal(to_numpy(g), [2.0, 2.0, -6.0])


def test_list_targets_with_output_gradients(tf):
    """A list of targets sums their (weighted) gradients."""
    x = tf.constant([0.5, 1.0, -2.0], dtype=tf.float64)
    with tf.GradientTape() as t:
        t.watch(x)
        y1 = x * 2.0
        y2 = x * x
    g = t.gradient([y1, y2], x,
                   output_gradients=[tf.ones(3, dtype=tf.float64), 2.0 * tf.ones(3, dtype=tf.float64)])
    np.testing.assert_allclose(to_numpy(g), 2.0 + 4.0 * np.array([0.5, 1.0, -2.0]))


def test_list_targets_sum(tf):
    """Without output_gradients, a list of targets gives the gradient of their total sum."""
    x = tf.constant(2.0)
    with tf.GradientTape() as t:
        t.watch(x)
        y1 = x * x
        y2 = 3.0 * x
    assert float(t.gradient([y1, y2], x)) == 7.0


def test_non_scalar_target_is_summed(tf):
    """The gradient of a non-scalar target is the gradient of its sum."""
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    with tf.GradientTape() as t:
        t.watch(x)
        y = x * x
    np.testing.assert_array_equal(to_numpy(t.gradient(y, x)), 2 * to_numpy(x))


def test_unconnected_gradients_none_and_zero(tf):
    """Unconnected sources give None by default, or zeros (shape and dtype of the source)."""
    x = tf.constant([1.0, 2.0])
    other = tf.constant([[1.0, 2.0, 3.0]], dtype=tf.float64)
    v = tf.Variable(1.0)
    with tf.GradientTape(persistent=True) as t:
        t.watch([x, other])
        y = tf.reduce_sum(x * 3.0)
    gx, go, gv = t.gradient(y, [x, other, v])
    np.testing.assert_array_equal(to_numpy(gx), [3.0, 3.0])
    assert go is None and gv is None
    gx, go, gv = t.gradient(y, [x, other, v], unconnected_gradients=tf.UnconnectedGradients.ZERO)
    np.testing.assert_array_equal(to_numpy(gx), [3.0, 3.0])
    assert go.dtype == tf.float64 and tuple(go.shape) == (1, 3)
    np.testing.assert_array_equal(to_numpy(go), np.zeros((1, 3)))
    assert gv.dtype == tf.float32 and tuple(gv.shape) == ()
    assert float(gv) == 0.0
    explicit_none = t.gradient(y, other, unconnected_gradients=tf.UnconnectedGradients.NONE)
    assert explicit_none is None
    del t


def test_gradient_wrt_intermediate(tf):
    """Gradients w.r.t. intermediate tensors (not watched explicitly)."""
    x = tf.constant(2.0)
    with tf.GradientTape(persistent=True) as t:
        t.watch(x)
        y = x * x
        z = tf.sin(y) + y
    assert float(t.gradient(z, y)) == pytest.approx(np.cos(4.0) + 1.0)
    assert float(t.gradient(z, x)) == pytest.approx((np.cos(4.0) + 1.0) * 4.0)
    assert t.gradient(y, z) is None
    del t


def test_target_is_source(tf):
    """d x / d x = ones."""
    x = tf.constant([1.0, 5.0])
    with tf.GradientTape() as t:
        t.watch(x)
    np.testing.assert_array_equal(to_numpy(t.gradient(x, x)), [1.0, 1.0])


def test_unwatched_constant_gets_none(tf):
    """Constants are not watched automatically."""
    x = tf.constant(3.0)
    with tf.GradientTape() as t:
        y = x * x
    assert t.gradient(y, x) is None


def test_target_computed_outside_tape(tf):
    """Operations before the tape or after its context are not recorded."""
    x = tf.constant(3.0)
    before = x * x
    with tf.GradientTape(persistent=True) as t:
        t.watch(x)
        inside = x * 2.0
    after = inside * inside
    assert t.gradient(before, x) is None
    assert t.gradient(after, x) is None
    assert float(t.gradient(inside, x)) == 2.0
    del t


def test_trainable_variable_watched_on_read(tf):
    """Reading a trainable variable inside the tape watches it."""
    v = tf.Variable([1.0, -2.0])
    with tf.GradientTape() as t:
        y = tf.reduce_sum(v * v * v)
    np.testing.assert_array_equal(to_numpy(t.gradient(y, v)), [3.0, 12.0])


def test_non_trainable_variable_not_watched(tf):
    """A non-trainable variable is not watched on read, but can be watched explicitly."""
    v = tf.Variable(2.0, trainable=False)
    assert v.trainable is False
    with tf.GradientTape() as t:
        y = v * v
    assert t.gradient(y, v) is None
    assert len(t.watched_variables()) == 0
    with tf.GradientTape() as t:
        t.watch(v)
        y = v * v
    assert float(t.gradient(y, v)) == 4.0


def test_watch_accessed_variables_false(tf):
    """With watch_accessed_variables=False only explicitly watched variables get gradients."""
    v0 = tf.Variable(1.0)
    v1 = tf.Variable(2.0)
    with tf.GradientTape(watch_accessed_variables=False) as t:
        t.watch(v1)
        y = v0 * v1
    g0, g1 = t.gradient(y, [v0, v1])
    assert g0 is None
    assert float(g1) == 1.0
    assert [v is v1 for v in t.watched_variables()] == [True]


def test_watch_accessed_variables_false_nothing_watched(tf):
    """Nothing watched at all: every gradient is None and watched_variables() is empty."""
    v = tf.Variable(3.0)
    with tf.GradientTape(watch_accessed_variables=False) as t:
        y = v * 2.0
    assert t.gradient(y, v) is None
    assert len(t.watched_variables()) == 0


def test_watched_variables_content_and_order(tf):
    """watched_variables() is a tuple of the watched variables in creation order."""
    a = tf.Variable(1.0, name="a")
    b = tf.Variable(2.0, name="b")
    c = tf.Variable(3.0, name="c")
    frozen = tf.Variable(4.0, name="frozen", trainable=False)
    with tf.GradientTape() as t:
        y = c * b * frozen
        y = y * a * c
    watched = t.watched_variables()
    assert isinstance(watched, tuple)
    assert [v.name for v in watched] == ["a:0", "b:0", "c:0"]
    assert all(w is v for w, v in zip(watched, (a, b, c)))


def test_watched_variables_includes_explicit_watch(tf):
    """Explicitly watched variables (trainable or not) appear once."""
    a = tf.Variable(1.0, name="a")
    n = tf.Variable(2.0, name="n", trainable=False)
    with tf.GradientTape() as t:
        t.watch(n)
        t.watch(a)
        y = a * n * a
    assert [v.name for v in t.watched_variables()] == ["a:0", "n:0"]
    ga, gn = t.gradient(y, [a, n])
    assert float(ga) == 4.0 and float(gn) == 1.0


def test_watch_nested_structure(tf):
    """watch accepts nested lists/tuples/dicts of tensors."""
    a = tf.constant(1.0)
    b = tf.constant(2.0)
    c = tf.constant(3.0)
    with tf.GradientTape() as t:
        t.watch([a, (b, {"k": c})])
        y = a * b * c
    assert [float(g) for g in t.gradient(y, [a, b, c])] == [6.0, 3.0, 2.0]


def test_stop_gradient(tf):
    """stop_gradient blocks the gradient: d(x * sg(x))/dx = x."""
    x = tf.constant([1.0, 2.0, 3.0])
    with tf.GradientTape(persistent=True) as t:
        t.watch(x)
        s = tf.stop_gradient(x * x)
        y = s * x
    np.testing.assert_array_equal(to_numpy(t.gradient(y, x)), [1.0, 4.0, 9.0])
    np.testing.assert_array_equal(to_numpy(s), [1.0, 4.0, 9.0])
    assert t.gradient(s, x) is None
    del t


def test_stop_recording(tf):
    """Operations inside stop_recording() are not recorded."""
    x = tf.constant([0.3, 1.7])
    with tf.GradientTape(persistent=True) as t:
        t.watch(x)
        with t.stop_recording():
            y = x * x
        z = y * x
    np.testing.assert_allclose(to_numpy(t.gradient(z, x)), [0.09, 2.89], rtol=1e-6)
    assert t.gradient(y, x) is None
    del t


def test_reset(tf):
    """reset() forgets everything recorded so far; recording continues afterwards."""
    x = tf.constant(2.0)
    with tf.GradientTape() as t:
        t.watch(x)
        y = x * x
        t.reset()
        z = x * 3.0
        t.watch(x)
        w = x * x * x
    assert [float(g) if g is not None else None for g in t.gradient([y, z, w], [x])] == [12.0]


def test_reset_forgets_watched_constants(tf):
    """After reset() a constant watched before is no longer watched."""
    x = tf.constant(2.0)
    with tf.GradientTape(persistent=True) as t:
        t.watch(x)
        y = x * x
        t.reset()
        z = x * 3.0
    assert t.gradient(z, x) is None
    assert t.gradient(y, x) is None
    del t


def test_reset_variables_watched_again(tf):
    """After reset() variables read again are watched again."""
    v = tf.Variable(1.0)
    u = tf.Variable(5.0)
    with tf.GradientTape() as t:
        y = v * u
        t.reset()
        z = v * 3.0
    gv, gu = t.gradient(z, [v, u])
    assert float(gv) == 3.0
    assert gu is None


def test_variable_assigned_between_reads(tf):
    """Each read records the value at read time: y = v*1 (v=2), assign 5, + v*v -> 1 + 10."""
    v = tf.Variable(2.0)
    with tf.GradientTape() as t:
        y1 = v * 1.0
        v.assign(5.0)
        y2 = v * v
        y = y1 + y2
    assert float(y) == 27.0
    assert float(t.gradient(y, v)) == 11.0


def test_same_variable_read_twice(tf):
    """Two reads of the same variable accumulate: d(v * v)/dv = 2v."""
    v = tf.Variable(3.0)
    with tf.GradientTape() as t:
        a = v + 0.0
        b = v * 1.0
        y = a * b
    assert float(t.gradient(y, v)) == 6.0


def test_read_value_is_differentiable(tf):
    """read_value() inside a tape is a differentiable read of the variable."""
    v = tf.Variable([1.0, 2.0])
    with tf.GradientTape() as t:
        r = v.read_value()
        y = tf.reduce_sum(r * r)
    np.testing.assert_array_equal(to_numpy(t.gradient(y, v)), [2.0, 4.0])


def test_assign_sub_outside_tape_then_new_tape(tf):
    """Variables updated between tapes: the next tape sees the new value."""
    v = tf.Variable(3.0)
    for expected in (6.0, 4.0, 2.0):
        with tf.GradientTape() as t:
            y = v * v
        g = t.gradient(y, v)
        assert float(g) == expected
        v.assign_sub(1.0)


@pytest.mark.filterwarnings("ignore")
def test_integer_tensor_gradient_is_none(tf):
    """Watching an int32 tensor is allowed but its gradient is None."""
    x = tf.constant(3)
    assert x.dtype == tf.int32
    with tf.GradientTape() as t:
        t.watch(x)
        y = x * x
    assert t.gradient(y, x) is None


@pytest.mark.filterwarnings("ignore")
def test_integer_variable_gradient_is_none(tf):
    """An int32 variable never gets a gradient."""
    v = tf.Variable(3)
    with tf.GradientTape() as t:
        y = v * v
    assert t.gradient(y, v) is None


def test_cast_to_int_blocks_gradient(tf):
    """A path through an integer cast carries no gradient."""
    x = tf.constant([1.5, 2.5])
    with tf.GradientTape() as t:
        t.watch(x)
        y = tf.cast(tf.cast(x, tf.int32), tf.float32) * x
    np.testing.assert_array_equal(to_numpy(t.gradient(y, x)), [1.0, 2.0])


@pytest.mark.parametrize(
    "name,fn",
    [
        ("floor", lambda tf, x: tf.math.floor(x)),
        ("ceil", lambda tf, x: tf.math.ceil(x)),
        ("round", lambda tf, x: tf.math.round(x)),
        ("floordiv", lambda tf, x: x // 2.0),
        ("ones_like", lambda tf, x: tf.ones_like(x)),
        ("zeros_like", lambda tf, x: tf.zeros_like(x)),
        ("stop_gradient", lambda tf, x: tf.stop_gradient(x)),
        ("comparison", lambda tf, x: tf.cast(tf.greater(x, 0.5), tf.float32)),
    ],
)
def test_non_differentiable_ops_give_none(tf, name, fn):
    """Ops without a gradient (TF registers none) leave the source unconnected."""
    x = tf.constant([0.3, 1.7, -2.5])
    with tf.GradientTape() as t:
        t.watch(x)
        y = fn(tf, x)
    assert t.gradient(y, x) is None


def test_gradient_inside_tape_context(tf):
    """gradient() may be called inside the tape's own with-block."""
    x = tf.constant(2.0)
    with tf.GradientTape() as t:
        t.watch(x)
        y = x * x * x
        g = t.gradient(y, x)
    assert float(g) == 12.0


def test_persistent_gradient_inside_context_then_more_ops(tf):
    """A persistent tape queried inside its context keeps recording afterwards."""
    x = tf.constant(2.0)
    with tf.GradientTape(persistent=True) as t:
        t.watch(x)
        y = x * x
        g1 = t.gradient(y, x)
        z = y * x
    assert float(g1) == 4.0
    assert float(t.gradient(z, x)) == 12.0
    del t


def test_gradient_dtype_follows_source(tf):
    """float64 sources get float64 gradients, float32 sources float32 ones."""
    x64 = tf.constant([1.0, 2.0], dtype=tf.float64)
    x32 = tf.constant([1.0, 2.0])
    with tf.GradientTape() as t:
        t.watch([x64, x32])
        y = tf.reduce_sum(x64 * x64) + tf.cast(tf.reduce_sum(x32 * x32), tf.float64)
    g64, g32 = t.gradient(y, [x64, x32])
    assert g64.dtype == tf.float64
    assert g32.dtype == tf.float32
    np.testing.assert_array_equal(to_numpy(g64), [2.0, 4.0])
    np.testing.assert_array_equal(to_numpy(g32), [2.0, 4.0])


def test_python_control_flow(tf):
    """Only the executed branch/loop iterations are recorded."""
    def f(x, n):
        out = tf.constant(1.0)
        for i in range(n):
            if i % 2 == 0:
                out = out * x
            else:
                out = out + x
        return out

    x = tf.constant(2.0)
    with tf.GradientTape() as t:
        t.watch(x)
        y = f(x, 3)  # ((1*x) + x) * x = 2x^2
    assert float(y) == 8.0
    assert float(t.gradient(y, x)) == 8.0


def test_multiple_tapes_at_once(tf):
    """Two tapes active at the same time each record the computation."""
    x = tf.constant(3.0)
    with tf.GradientTape() as t1, tf.GradientTape() as t2:
        t1.watch(x)
        t2.watch(x)
        y = x * x
    assert float(t1.gradient(y, x)) == 6.0
    assert float(t2.gradient(y, x)) == 6.0


def test_gradient_through_indexing_and_assignment_free_updates(tf):
    """Gradient through slicing: unused elements get zero."""
    x = tf.constant([1.0, 2.0, 3.0, 4.0])
    with tf.GradientTape() as t:
        t.watch(x)
        y = x[1:3] * x[1:3] + x[0]
    np.testing.assert_array_equal(to_numpy(t.gradient(y, x)), [2.0, 4.0, 6.0, 0.0])


def test_a_source_that_is_a_target_gets_its_seed(tf):
    """TF's sources-that-are-targets rule: ``gradient(x, x)`` is ones even when the tape never
    saw ``x``, a variable target stands for the variable (its handle), and such a seed adds to
    what flows through the tape."""
    v = tf.Variable(2.0)
    c = tf.constant([3.0, 4.0])
    with tf.GradientTape(persistent=True) as tape:
        y = v * 2.0
    assert float(tape.gradient(v, v)) == 1.0  # read by the tape
    assert float(tape.gradient([v, y], v)) == 3.0  # 1 (itself) + 2 (through y)
    np.testing.assert_array_equal(to_numpy(tape.gradient(c, c)), [1.0, 1.0])  # never watched
    np.testing.assert_array_equal(
        to_numpy(tape.gradient(c, c, output_gradients=tf.constant([5.0, 6.0]))), [5.0, 6.0]
    )
    assert tape.gradient(y, c) is None  # not a target: unconnected as before

    w = tf.Variable(1.0, trainable=False)
    with tf.GradientTape() as tape:
        pass
    assert float(tape.gradient(w, w)) == 1.0  # not read, not trainable: still itself

    x0 = tf.constant(1.0)
    v0, v1 = tf.Variable(2.0), tf.Variable(2.0)
    with tf.GradientTape() as tape:
        tape.watch(x0)
        result = v0 if x0 > 0.0 else v1**2  # the TF guide's "returns a variable" case
    d0, d1 = tape.gradient(result, [v0, v1])
    assert float(d0) == 1.0 and d1 is None

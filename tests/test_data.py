"""``tf.data``: datasets built from tensors, ranges and generators, and their transformations.

Every expectation here is TensorFlow 2.21's (the file also runs with
``TAPEGRAD_TEST_BACKEND=tensorflow``): element values and dtypes, element specs,
cardinalities, and the exception types of bad arguments. Shuffled orders are only
checked to be permutations (tapegrad's generator is not TF's).
"""

from __future__ import annotations

import collections

import numpy as np
import pytest
from _backend import IS_TF, tf
from hypothesis import given
from hypothesis import strategies as hs


def values(ds):
    """The dataset's elements as nested numpy values (via ``as_numpy_iterator``)."""
    return list(ds.as_numpy_iterator())


def card(ds):
    return int(ds.cardinality().numpy())


def spec(shape, dtype):
    return tf.TensorSpec(shape, dtype)


# ------------------------------------------------------------------------------------ sources
def test_from_tensor_slices_dtypes_follow_tf():
    ds = tf.data.Dataset.from_tensor_slices(([1.0, 2.0, 3.0], np.arange(3), np.array([1.5, 2.5, 3.5])))
    assert ds.element_spec == (spec((), tf.float32), spec((), tf.int64), spec((), tf.float64))
    elements = list(ds)
    assert len(elements) == 3
    x, i, d = elements[1]
    assert tf.is_tensor(x) and x.dtype == tf.float32 and float(x) == 2.0
    assert i.dtype == tf.int64 and int(i) == 1
    assert d.dtype == tf.float64 and float(d) == 2.5
    assert card(ds) == 3 and len(ds) == 3


def test_from_tensor_slices_of_tensors_dicts_and_nesting():
    t = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    ds = tf.data.Dataset.from_tensor_slices({"b": t, "a": [1, 2], "c": (np.zeros((2, 3)), [True, False])})
    s = ds.element_spec
    assert s["b"] == spec((2,), tf.float32)
    assert s["a"] == spec((), tf.int32)
    assert s["c"][0] == spec((3,), tf.float64) and s["c"][1] == spec((), tf.bool)
    got = values(ds)
    np.testing.assert_array_equal(got[1]["b"], [3.0, 4.0])
    assert got[0]["a"] == 1 and got[1]["c"][1] == np.False_
    assert list(got[0]) == ["b", "a", "c"]  # the dict's own key order is kept


def test_a_list_is_one_tensor_and_namedtuples_stay_namedtuples():
    ds = tf.data.Dataset.from_tensor_slices([np.zeros(3), np.ones(3)])
    assert ds.element_spec == spec((3,), tf.float64)
    P = collections.namedtuple("P", "a b")
    ds = tf.data.Dataset.from_tensor_slices(P(np.arange(3), np.arange(3.0)))
    assert isinstance(ds.element_spec, P)
    seen = []
    got = values(ds.map(lambda p: seen.append(type(p)) or p.a + 1))  # one argument, not unpacked
    assert got == [1, 2, 3] and seen[0] is P


def test_from_tensor_slices_bad_input():
    with pytest.raises(ValueError, match="not compatible"):
        tf.data.Dataset.from_tensor_slices((np.arange(3), np.arange(4)))
    with pytest.raises(ValueError, match="rank >= 1"):
        tf.data.Dataset.from_tensor_slices(np.float32(3))


def test_from_tensors_range_and_specs():
    ds = tf.data.Dataset.from_tensors([1, 2, 3])
    assert card(ds) == 1 and ds.element_spec == spec((3,), tf.int32)
    np.testing.assert_array_equal(values(ds)[0], [1, 2, 3])
    assert values(tf.data.Dataset.from_tensors({"a": 1})) == [{"a": 1}]
    r = tf.data.Dataset.range(2, 10, 3)
    assert values(r) == [2, 5, 8] and card(r) == 3
    assert r.element_spec == spec((), tf.int64)
    assert tf.data.Dataset.range(5, output_type=tf.int32).element_spec == spec((), tf.int32)
    assert values(tf.data.Dataset.range(3, 0, -1)) == [3, 2, 1]
    assert isinstance(values(tf.data.Dataset.range(2))[0], np.int64)


def test_from_generator_with_signature():
    def gen():
        yield 1, [1.0, 2.0]
        yield 2, [3.0]

    sig = (tf.TensorSpec((), tf.int32), tf.TensorSpec((None,), tf.float32))
    ds = tf.data.Dataset.from_generator(gen, output_signature=sig)
    assert ds.element_spec == sig
    assert card(ds) == tf.data.UNKNOWN_CARDINALITY
    got = values(ds)
    assert got[0][0] == 1 and got[0][0].dtype == np.int32
    np.testing.assert_array_equal(got[1][1], np.array([3.0], np.float32))
    assert len(values(ds)) == 2  # the generator is called again for each iteration


def test_from_generator_args_and_old_signature():
    def gen(n):
        yield from range(int(n))

    ds = tf.data.Dataset.from_generator(gen, output_types=tf.int64, output_shapes=(), args=(3,))
    assert ds.element_spec == spec((), tf.int64)
    assert values(ds) == [0, 1, 2]


def test_from_generator_checks_each_value():
    ds = tf.data.Dataset.from_generator(lambda: iter([[1.0, 2.0, 3.0]]),
                                        output_signature=tf.TensorSpec((2,), tf.float32))
    with pytest.raises(tf.errors.InvalidArgumentError, match="shape"):
        list(ds)
    ds = tf.data.Dataset.from_generator(lambda: iter(["a"]),
                                        output_signature=tf.TensorSpec((), tf.float32))
    with pytest.raises(tf.errors.InvalidArgumentError, match="could not be converted"):
        list(ds)


# ---------------------------------------------------------------------------- transformations
def test_map_unpacks_tuples_and_converts_lists():
    ds = tf.data.Dataset.from_tensor_slices((np.arange(3), np.arange(3) * 10))
    got = values(ds.map(lambda a, b: a + b, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True))
    assert got == [0, 11, 22]
    m = tf.data.Dataset.range(3).map(lambda x: [x, x * 2])
    assert m.element_spec == (spec((), tf.int64), spec((), tf.int64))
    assert values(m)[2] == (2, 4)
    d = tf.data.Dataset.range(2).map(lambda x: {"a": tf.cast(x, tf.float32) / 2})
    assert d.element_spec == {"a": spec((), tf.float32)}
    assert values(d) == [{"a": 0.0}, {"a": 0.5}]


def test_map_of_python_float_is_float32():
    ds = tf.data.Dataset.range(2).map(lambda x: (x, 1.5))
    assert ds.element_spec[1] == spec((), tf.float32)


def test_filter_and_its_predicate_check():
    ds = tf.data.Dataset.range(6).filter(lambda x: x % 2 == 0)
    assert values(ds) == [0, 2, 4]
    assert card(ds) == tf.data.UNKNOWN_CARDINALITY
    with pytest.raises(TypeError, match="length is unknown"):
        len(ds)
    with pytest.raises(ValueError, match="must return a `tf.bool` scalar tensor"):
        list(tf.data.Dataset.range(3).filter(lambda x: x))


def test_batch_and_drop_remainder():
    ds = tf.data.Dataset.from_tensor_slices((np.arange(10.0).reshape(5, 2), np.arange(5)))
    b = ds.batch(2)
    assert card(b) == 3
    assert b.element_spec == (spec((None, 2), tf.float64), spec((None,), tf.int64))
    got = values(b)
    assert [g[0].shape for g in got] == [(2, 2), (2, 2), (1, 2)]
    np.testing.assert_array_equal(got[2][1], [4])
    bd = ds.batch(2, drop_remainder=True)
    assert card(bd) == 2 and bd.element_spec[0] == spec((2, 2), tf.float64)
    assert len(values(bd)) == 2
    # Batching an element stream (not a slice source) gives the same batches.
    m = ds.map(lambda x, y: (x, y)).batch(2)
    for a, e in zip(values(m), got):
        np.testing.assert_array_equal(a[0], e[0])
        np.testing.assert_array_equal(a[1], e[1])


def test_batch_errors():
    with pytest.raises(tf.errors.InvalidArgumentError, match="greater than zero"):
        list(tf.data.Dataset.range(3).batch(0))
    ragged = tf.data.Dataset.range(1, 3).map(lambda x: tf.fill([x], x))
    with pytest.raises(tf.errors.InvalidArgumentError, match="Cannot add tensor to the batch"):
        list(ragged.batch(2))


def test_unbatch():
    ds = tf.data.Dataset.from_tensor_slices([[1, 2], [3, 4]]).unbatch()
    assert values(ds) == [1, 2, 3, 4]
    assert ds.element_spec == spec((), tf.int32)
    assert values(tf.data.Dataset.range(5).batch(2).unbatch()) == [0, 1, 2, 3, 4]
    with pytest.raises(ValueError, match="scalar components"):
        tf.data.Dataset.range(3).unbatch()


def test_padded_batch():
    ds = tf.data.Dataset.range(1, 5).map(lambda x: tf.fill([x], x))
    got = values(ds.padded_batch(2))
    np.testing.assert_array_equal(got[0], [[1, 0], [2, 2]])
    np.testing.assert_array_equal(got[1], [[3, 3, 3, 0], [4, 4, 4, 4]])
    assert ds.padded_batch(2).element_spec == spec((None, None), tf.int64)
    got = values(ds.padded_batch(2, padded_shapes=[5], padding_values=np.int64(-1)))
    np.testing.assert_array_equal(got[0], [[1, -1, -1, -1, -1], [2, 2, -1, -1, -1]])
    assert ds.padded_batch(3, padded_shapes=[5], drop_remainder=True).element_spec == spec((3, 5), tf.int64)
    with pytest.raises(tf.errors.DataLossError, match="smaller size"):
        list(ds.padded_batch(2, padded_shapes=[2]))
    pairs = tf.data.Dataset.range(1, 4).map(lambda x: (tf.fill([x], x), x))
    got = values(pairs.padded_batch(3, padded_shapes=([None], [])))
    np.testing.assert_array_equal(got[0][0], [[1, 0, 0], [2, 2, 0], [3, 3, 3]])
    np.testing.assert_array_equal(got[0][1], [1, 2, 3])


def test_shuffle_is_a_permutation_and_reshuffles():
    ds = tf.data.Dataset.range(50).shuffle(10, seed=3)
    a, b = values(ds), values(ds)
    assert sorted(a) == list(range(50)) and sorted(b) == list(range(50))
    assert a != list(range(50))
    assert a != b  # reshuffle_each_iteration defaults to True
    fixed = tf.data.Dataset.range(50).shuffle(50, seed=3, reshuffle_each_iteration=False)
    assert values(fixed) == values(fixed)
    assert card(ds) == 50
    with pytest.raises(tf.errors.InvalidArgumentError, match="buffer_size"):
        list(tf.data.Dataset.range(3).shuffle(0))


def test_shuffle_buffer_bounds_displacement():
    # With a buffer of k, element i can appear no earlier than position i - k + 1.
    got = values(tf.data.Dataset.range(100).shuffle(4, seed=0))
    assert all(pos >= x - 3 for pos, x in enumerate(got))


def test_repeat_take_skip_and_cardinalities():
    r = tf.data.Dataset.range(3)
    assert values(r.repeat(2)) == [0, 1, 2, 0, 1, 2]
    assert card(r.repeat(2)) == 6
    assert card(r.repeat()) == tf.data.INFINITE_CARDINALITY
    with pytest.raises(TypeError, match="infinite"):
        len(r.repeat())
    assert values(r.repeat().take(7)) == [0, 1, 2, 0, 1, 2, 0]
    assert card(r.repeat().take(4)) == 4
    assert card(r.take(5)) == 3 and card(r.skip(5)) == 0 and card(r.take(-1)) == 3
    assert values(r.skip(1)) == [1, 2] and values(r.skip(-1)) == []
    assert card(r.filter(lambda x: x > 0).repeat(2)) == tf.data.UNKNOWN_CARDINALITY
    assert card(r.batch(2).repeat(3)) == 6
    assert tf.data.INFINITE_CARDINALITY == -1 and tf.data.UNKNOWN_CARDINALITY == -2


def test_zip_concatenate_enumerate():
    a, b = tf.data.Dataset.range(3), tf.data.Dataset.range(5).map(lambda x: x * 10)
    z = tf.data.Dataset.zip((a, b))
    assert card(z) == 3 and values(z) == [(0, 0), (1, 10), (2, 20)]
    assert values(tf.data.Dataset.zip(a, b)) == values(z)
    d = tf.data.Dataset.zip({"x": a, "y": b})
    assert values(d)[1] == {"x": 1, "y": 10}
    c = a.concatenate(tf.data.Dataset.range(7, 9))
    assert values(c) == [0, 1, 2, 7, 8] and card(c) == 5
    with pytest.raises(TypeError, match="Incompatible dataset elements"):
        a.concatenate(a.map(lambda x: tf.cast(x, tf.float32)))
    e = tf.data.Dataset.from_tensor_slices([10.0, 20.0]).enumerate(start=5)
    got = values(e)
    assert got[1][0] == 6 and got[1][1] == np.float32(20.0)
    assert e.element_spec == (spec((), tf.int64), spec((), tf.float32))


def test_concatenate_relaxes_shapes():
    a = tf.data.Dataset.from_tensor_slices([[1], [2]])
    b = tf.data.Dataset.from_tensor_slices([[1, 2]])
    assert a.concatenate(b).element_spec == spec((None,), tf.int32)


def test_prefetch_cache_reduce_and_iterators():
    calls = []

    def f(x):
        calls.append(1)
        return x * 2

    ds = tf.data.Dataset.range(4).map(f).cache().prefetch(tf.data.AUTOTUNE)
    assert values(ds) == [0, 2, 4, 6]
    n = len(calls)
    assert values(ds) == [0, 2, 4, 6]
    assert len(calls) == n  # the second pass reads the cache
    total = tf.data.Dataset.range(5).reduce(np.int64(0), lambda s, x: s + x)
    assert total.dtype == tf.int64 and int(total) == 10
    pair = tf.data.Dataset.from_tensor_slices(([1.0, 2.0], [3.0, 4.0])).reduce(
        np.float32(0), lambda s, e: s + e[0] * e[1])
    assert float(pair) == 11.0
    it = iter(tf.data.Dataset.range(2))
    assert int(next(it)) == 0 and int(it.get_next()) == 1
    with pytest.raises(tf.errors.OutOfRangeError):
        it.get_next()
    assert tf.data.experimental.AUTOTUNE == tf.data.AUTOTUNE


def test_flat_map_interleave_shard_take_while():
    ds = tf.data.Dataset.range(1, 4).flat_map(lambda x: tf.data.Dataset.range(x))
    assert values(ds) == [0, 0, 1, 0, 1, 2]
    il = tf.data.Dataset.range(1, 4).interleave(
        lambda x: tf.data.Dataset.from_tensors(x).repeat(3), cycle_length=2, block_length=2)
    assert values(il) == [1, 1, 2, 2, 1, 2, 3, 3, 3]
    sh = tf.data.Dataset.range(10).shard(3, 1)
    assert values(sh) == [1, 4, 7] and card(sh) == 3
    tw = tf.data.Dataset.range(10).take_while(lambda x: x < 4)
    assert values(tw) == [0, 1, 2, 3]


def test_dataset_training_loop_gets_gradients():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 3)).astype(np.float32)
    y = x @ np.array([1.0, -2.0, 0.5], np.float32)
    w = tf.Variable(tf.zeros([3]))
    ds = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(32, seed=1).batch(8)
    for _ in range(60):
        for xb, yb in ds:
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(tf.reduce_sum(xb * w, axis=1) - yb))
            g = tape.gradient(loss, w)
            w.assign_sub(0.1 * g)
    np.testing.assert_allclose(w.numpy(), [1.0, -2.0, 0.5], atol=1e-3)


def test_uint8_images_map_to_float():
    images = np.arange(12, dtype=np.uint8).reshape(3, 2, 2)
    ds = tf.data.Dataset.from_tensor_slices(images).map(lambda im: tf.cast(im, tf.float32) / 255.0)
    got = values(ds)
    np.testing.assert_allclose(got[2], images[2] / 255.0, rtol=1e-6)


@pytest.mark.tapegrad_only
def test_uint8_is_held_as_int32():
    ds = tf.data.Dataset.from_tensor_slices(np.zeros((2, 2), np.uint8))
    assert ds.element_spec == spec((2,), tf.int32)


@given(n=hs.integers(0, 30), size=hs.integers(1, 7), drop=hs.booleans())
def test_batch_cardinality_matches_iteration(n, size, drop):
    ds = tf.data.Dataset.range(n).batch(size, drop_remainder=drop)
    got = values(ds)
    assert card(ds) == len(got)
    flat = [int(v) for b in got for v in b]
    assert flat == list(range(n))[: len(flat)]


def test_tensor_spec_basics():
    s = tf.TensorSpec([None, 3], tf.float32, name="x")
    assert s.shape.as_list() == [None, 3] and s.name == "x" and s.dtype == tf.float32
    assert s.is_compatible_with(tf.zeros((5, 3)))
    assert not s.is_compatible_with(tf.zeros((5, 4)))
    assert not s.is_compatible_with(tf.zeros((5, 3), tf.float64))
    assert tf.TensorSpec.from_tensor(tf.zeros((2, 3))) == tf.TensorSpec((2, 3), tf.float32)
    assert tf.TensorSpec([2]) == tf.TensorSpec([2], tf.float32)
    assert s.shape.rank == 2
    assert "TensorSpec(shape=(None, 3)" in repr(s)
    if not IS_TF:
        assert str(tf.TensorSpec(None).shape) == "<unknown>"


def test_shuffled_batches_keep_rows_together_and_dtypes():
    x = np.arange(20.0).reshape(10, 2)
    y = np.arange(10) * 2.0
    ds = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(10, seed=0).repeat(2).batch(4)
    got = values(ds)
    assert [len(b[1]) for b in got] == [4, 4, 4, 4, 4]
    for xb, yb in got:
        assert xb.dtype == np.float64 and yb.dtype == np.float64
        np.testing.assert_array_equal(xb[:, 0], yb)  # x[i, 0] == 2 i == y[i]
    seen = np.concatenate([b[1] for b in got])
    assert sorted(seen) == sorted(list(y) * 2)
    one = next(iter(tf.data.Dataset.from_tensor_slices(y).shuffle(3).skip(1).take(2)))
    assert one.dtype == tf.float64 and one.shape == ()

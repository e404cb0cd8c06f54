"""Tensor / Variable API: dtypes, reprs, numpy interop, operators, indexing, shape ops, RNG."""

from __future__ import annotations

import _backend
import numpy as np
import pytest
from _backend import REPR_PREFIX as P
from _backend import to_numpy
from hypothesis import given
from hypothesis import strategies as st

# --------------------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------------------

TOP_LEVEL = (
    "Tensor Variable constant convert_to_tensor GradientTape UnconnectedGradients stop_gradient "
    "float32 float64 int32 int64 bool ones zeros ones_like zeros_like fill range reshape "
    "transpose expand_dims squeeze concat stack cast matmul tensordot add subtract multiply "
    "divide pow square sqrt exp sin cos tan tanh sigmoid abs sign maximum minimum where "
    "reduce_sum reduce_mean reduce_max reduce_min reduce_prod reduce_logsumexp norm equal "
    "not_equal less less_equal greater greater_equal gather one_hot clip_by_value argmax "
    "argmin cumsum tile pad Module errors random math nn keras config"
).split()
MATH = (
    "sin log reduce_sum softplus sigmoid log1p expm1 reciprocal rsqrt sinh cosh atan asin acos "
    "erf squared_difference reduce_std reduce_variance cumsum cumprod floor ceil round"
).split()
NN = (
    "relu softplus softmax log_softmax sigmoid tanh elu leaky_relu gelu silu relu6 "
    "softmax_cross_entropy_with_logits sparse_softmax_cross_entropy_with_logits l2_loss"
).split()


def test_public_names_exist(tf):
    """Every TensorFlow name of the documented API is present."""
    assert [n for n in TOP_LEVEL if not hasattr(tf, n)] == []
    assert [n for n in MATH if not hasattr(tf.math, n)] == []
    assert [n for n in NN if not hasattr(tf.nn, n)] == []
    assert [n for n in ("normal", "uniform", "set_seed") if not hasattr(tf.random, n)] == []
    assert hasattr(tf.keras.layers, "Dense")
    assert hasattr(tf.config.threading, "set_intra_op_parallelism_threads")
    assert hasattr(tf.errors, "InvalidArgumentError")


@pytest.mark.tapegrad_only  # TF2 has no top-level tf.log / enable_eager_execution / contrib
def test_tapegrad_compat_names(tf):
    """``tf.log``, a no-op ``enable_eager_execution()`` and ``tf.contrib.eager`` exist."""
    assert float(tf.log(tf.constant(np.e, dtype=tf.float64))) == pytest.approx(1.0)
    assert tf.enable_eager_execution() is None
    assert tf.contrib.eager is not None


@pytest.mark.tapegrad_only  # TF refuses to change threads after its context is initialised
def test_set_intra_op_parallelism_threads(tf):
    """Setting the thread count is accepted and ops still compute the same values."""
    a = np.arange(64 * 48, dtype=np.float32).reshape(64, 48) / 1000.0
    b = np.arange(48 * 32, dtype=np.float32).reshape(48, 32) / 1000.0
    tf.config.threading.set_intra_op_parallelism_threads(2)
    got2 = to_numpy(tf.matmul(a, b))
    tf.config.threading.set_intra_op_parallelism_threads(1)
    got1 = to_numpy(tf.matmul(a, b))
    tf.config.threading.set_intra_op_parallelism_threads(0)
    np.testing.assert_allclose(got2, a @ b, rtol=1e-5)
    np.testing.assert_allclose(got1, got2, rtol=1e-6)


@pytest.mark.tapegrad_only  # tf.errors.InvalidArgumentError derives from OpError, not ValueError
def test_invalid_argument_error_is_value_error(tf):
    """tapegrad.errors.InvalidArgumentError is a ValueError."""
    assert issubclass(tf.errors.InvalidArgumentError, ValueError)


# --------------------------------------------------------------------------------------
# dtypes
# --------------------------------------------------------------------------------------

def test_dtype_defaults(tf):
    """Python float -> float32, int -> int32, bool -> bool, numpy keeps its dtype."""
    assert tf.constant(3.0).dtype == tf.float32
    assert tf.constant(3).dtype == tf.int32
    assert tf.constant(True).dtype == tf.bool
    assert tf.constant([1, 2.5]).dtype == tf.float32
    assert tf.constant([[1, 2], [3, 4]]).dtype == tf.int32
    assert tf.constant(np.array([1.0, 2.0])).dtype == tf.float64
    assert tf.constant(np.array([1.0], dtype=np.float32)).dtype == tf.float32
    assert tf.constant(np.int64(3)).dtype == tf.int64
    assert tf.constant(np.array([1, 2], dtype=np.int64)).dtype == tf.int64
    assert tf.constant(np.float32(1.0)).dtype == tf.float32
    assert tf.convert_to_tensor(2.0).dtype == tf.float32
    assert tf.convert_to_tensor(np.ones(2)).dtype == tf.float64
    assert tf.float32 != tf.float64
    assert tf.int32 != tf.int64


def test_constant_with_dtype(tf):
    """constant(value, dtype=...) converts Python numbers."""
    c = tf.constant(1, dtype=tf.float64)
    assert c.dtype == tf.float64 and float(c) == 1.0
    c = tf.constant([1, 2], dtype=tf.float32)
    assert c.dtype == tf.float32
    np.testing.assert_array_equal(c.numpy(), np.array([1.0, 2.0], dtype=np.float32))
    c = tf.constant(7, dtype=tf.int64)
    assert c.dtype == tf.int64 and int(c) == 7
    assert tf.convert_to_tensor([1.0, 2.0], dtype=tf.float64).dtype == tf.float64


@st.composite
def _nested_python_lists(draw):
    """A regular nested list (or tuple) of Python floats, ints (some beyond int32) or bools."""
    shape = draw(st.lists(st.integers(0, 3), min_size=1, max_size=3))
    kind = draw(st.sampled_from(["float", "int", "mixed", "bool", "big int"]))
    n = int(np.prod(shape))
    leaf = {
        "float": st.floats(-1e6, 1e6, width=64),
        "int": st.integers(-1000, 1000),
        "mixed": st.one_of(st.integers(-1000, 1000), st.floats(-1e3, 1e3)),
        "bool": st.booleans(),
        "big int": st.integers(-(2**40), 2**40),
    }[kind]
    flat = draw(st.lists(leaf, min_size=n, max_size=n))
    as_tuple = draw(st.booleans())

    def nest(values, dims):
        if not dims:
            return values.pop(0)
        out = [nest(values, dims[1:]) for _ in range(dims[0])]
        return tuple(out) if as_tuple else out

    return nest(list(flat), shape), shape


def _tf_dtype_of_python_list(value):
    """TF's rule through numpy: Python floats are float32, ints int32 unless one does not fit."""
    arr = np.asarray(value)
    if arr.dtype == np.float64:
        return arr.astype(np.float32)
    if arr.dtype == np.int64:
        fits = arr.size == 0 or (arr.min() >= -(2**31) and arr.max() < 2**31)
        return arr.astype(np.int32 if fits else np.int64)
    return arr


@given(_nested_python_lists())
def test_constant_from_nested_python_lists(case):
    """Nested lists/tuples of Python numbers read as numpy would, with TF's default dtypes."""
    value, shape = case
    t = _backend.tf.constant(value)
    expected = _tf_dtype_of_python_list(value)
    if expected.size == 0:
        expected = expected.astype(np.float32)  # no leaves: TF's default float32
    # The shape stops after the first 0 (a list of no lists says nothing deeper).
    assert tuple(t.shape) == tuple(shape[: shape.index(0) + 1] if 0 in shape else shape)
    assert t.numpy().dtype == expected.dtype
    np.testing.assert_array_equal(t.numpy(), expected)


def test_constant_from_irregular_lists_follows_numpy(tf):
    """Lists the direct reader declines (ragged, tensors or numpy scalars inside, bools among
    numbers, ints beyond int64) behave as numpy's conversion does."""
    with pytest.raises(ValueError):
        tf.constant([[1.0, 2.0], [3.0]])
    with pytest.raises(ValueError):
        tf.constant([[], 1.0])
    # Tensors inside: TF 2.21's constant raises; convert_to_tensor packs them.
    with pytest.raises(ValueError):
        tf.constant([tf.constant(1.0), 2.0])
    np.testing.assert_array_equal(tf.convert_to_tensor([tf.constant(1.0), 2.0]).numpy(), [1.0, 2.0])
    assert tf.constant([np.float32(1.0), 2.0]).dtype == tf.float32
    assert tf.constant([1, True]).dtype == tf.int32
    assert tf.constant([[1, 2**40]]).dtype == tf.int64
    with pytest.raises((TypeError, ValueError, OverflowError)):
        tf.constant([2**70])
    assert tf.constant([[], []]).shape == (2, 0) and tf.constant([]).dtype == tf.float32


def test_constant_from_numpy_layouts_and_dtypes(tf):
    """numpy arrays of any layout and byte order convert by value; small and unsigned ints
    and float16 widen as TF does."""
    a = np.arange(12.0).reshape(3, 4)
    np.testing.assert_array_equal(tf.constant(a[:, ::2]).numpy(), a[:, ::2])
    np.testing.assert_array_equal(tf.constant(a.T).numpy(), a.T)  # Fortran order
    np.testing.assert_array_equal(tf.constant(np.asfortranarray(a)).numpy(), a)
    v = tf.Variable(np.zeros((4, 3)))
    v.assign(a.T)
    np.testing.assert_array_equal(v.numpy(), a.T)
    big_endian = np.array([1.5, -2.0], dtype=">f4")
    t = tf.constant(big_endian)
    assert t.dtype == tf.float32
    np.testing.assert_array_equal(t.numpy(), [1.5, -2.0])
    assert tf.constant(np.array([1.0], dtype=np.float16)).dtype == tf.float32
    assert tf.constant(np.array([1, 2], dtype=np.uint8)).dtype == tf.int32
    assert tf.constant(np.array([2**32 - 1], dtype=np.uint32)).dtype == tf.int64
    assert int(tf.constant(np.array([2**32 - 1], dtype=np.uint32))[0]) == 2**32 - 1


def test_python_lists_take_the_other_operand_dtype(tf):
    """A list operand converts to the tensor operand's dtype, as a Python number does."""
    x = tf.constant([1.0, 2.0], dtype=tf.float64)
    y = x + [1, 2]
    assert y.dtype == tf.float64
    np.testing.assert_array_equal(y.numpy(), [2.0, 4.0])
    assert (x * [0.5, 0.25]).dtype == tf.float64
    i = tf.constant([1, 2], dtype=tf.int64)
    assert (i + [3, 4]).dtype == tf.int64
    with pytest.raises((TypeError, ValueError)):
        i + [0.5, 1.5]


def test_convert_to_tensor_passes_tensors_through(tf):
    """convert_to_tensor of a tensor keeps its value and dtype."""
    x = tf.constant([1.0, 2.0], dtype=tf.float64)
    y = tf.convert_to_tensor(x)
    assert y.dtype == tf.float64
    np.testing.assert_array_equal(y.numpy(), [1.0, 2.0])
    v = tf.Variable([3.0, 4.0])
    t = tf.convert_to_tensor(v)
    assert isinstance(t, tf.Tensor)
    np.testing.assert_array_equal(t.numpy(), [3.0, 4.0])


def test_creation_ops_dtypes_and_values(tf):
    """ones/zeros/fill/range/*_like default dtypes and values."""
    assert tf.ones((2, 3)).dtype == tf.float32
    np.testing.assert_array_equal(tf.ones((2, 3)).numpy(), np.ones((2, 3)))
    z = tf.zeros(2, dtype=tf.int64)
    assert z.dtype == tf.int64 and z.numpy().tolist() == [0, 0]
    f = tf.fill((2, 3), 5.0)
    assert f.dtype == tf.float32 and f.numpy().tolist() == [[5.0] * 3] * 2
    assert tf.fill((2,), 5).dtype == tf.int32
    r = tf.range(4)
    assert r.dtype == tf.int32 and r.numpy().tolist() == [0, 1, 2, 3]
    assert tf.range(1, 10, 2).numpy().tolist() == [1, 3, 5, 7, 9]
    assert tf.range(5.0).dtype == tf.float32
    assert tf.range(4, dtype=tf.float32).numpy().tolist() == [0.0, 1.0, 2.0, 3.0]
    i = tf.constant([[1, 2]])
    assert tf.ones_like(i).dtype == tf.int32 and tf.ones_like(i).numpy().tolist() == [[1, 1]]
    d = tf.constant([1.5], dtype=tf.float64)
    assert tf.zeros_like(d).dtype == tf.float64 and tf.zeros_like(d).numpy().tolist() == [0.0]


def test_int_true_division_gives_float64(tf):
    """TensorFlow's ``/`` on int32 tensors is true division producing float64."""
    q = tf.constant(3) / tf.constant(2)
    assert q.dtype == tf.float64
    assert float(q) == 1.5


def test_cast(tf):
    """cast truncates toward zero to ints and converts between float types."""
    x = tf.constant([-1.7, 0.5, 2.9])
    ci = tf.cast(x, tf.int32)
    assert ci.dtype == tf.int32 and ci.numpy().tolist() == [-1, 0, 2]
    c64 = tf.cast(x, tf.float64)
    assert c64.dtype == tf.float64
    np.testing.assert_array_equal(c64.numpy(), np.array([-1.7, 0.5, 2.9], dtype=np.float32))
    assert tf.cast(tf.constant([0, 2]), tf.bool).numpy().tolist() == [False, True]
    assert tf.cast(tf.constant([True, False]), tf.float32).numpy().tolist() == [1.0, 0.0]


# --------------------------------------------------------------------------------------
# repr / str / numpy
# --------------------------------------------------------------------------------------

def test_tensor_repr(tf):
    """Tensor reprs follow TensorFlow's format with the module prefix."""
    assert repr(tf.range(4, dtype=tf.float32)) == (
        f"<{P}.Tensor: shape=(4,), dtype=float32, numpy=array([0., 1., 2., 3.], dtype=float32)>"
    )
    assert repr(tf.constant(28.0)) == f"<{P}.Tensor: shape=(), dtype=float32, numpy=28.0>"
    assert repr(tf.constant(3)) == f"<{P}.Tensor: shape=(), dtype=int32, numpy=3>"
    assert repr(tf.constant([True, False])) == (
        f"<{P}.Tensor: shape=(2,), dtype=bool, numpy=array([ True, False])>"
    )
    assert repr(tf.constant([1.5, 2.0], dtype=tf.float64)) == (
        f"<{P}.Tensor: shape=(2,), dtype=float64, numpy=array([1.5, 2. ])>"
    )
    assert repr(tf.ones((2, 2))) == (
        f"<{P}.Tensor: shape=(2, 2), dtype=float32, numpy=\n"
        "array([[1., 1.],\n       [1., 1.]], dtype=float32)>"
    )


def test_tensor_str(tf):
    """str(tensor) is ``<prefix>.Tensor(<numpy str>, shape=..., dtype=...)``."""
    assert str(tf.constant(6.0)) == f"{P}.Tensor(6.0, shape=(), dtype=float32)"
    assert str(tf.constant([1, 2])) == f"{P}.Tensor([1 2], shape=(2,), dtype=int32)"
    assert str(tf.constant([[1.0, 2.0], [3.0, 4.0]])) == (
        f"{P}.Tensor(\n[[1. 2.]\n [3. 4.]], shape=(2, 2), dtype=float32)"
    )


def test_variable_repr(tf):
    """Variable reprs show the name, shape, dtype and value."""
    v = tf.Variable(tf.range(4, dtype=tf.float32))
    assert repr(v) == (
        f"<{P}.Variable 'Variable:0' shape=(4,) dtype=float32, "
        "numpy=array([0., 1., 2., 3.], dtype=float32)>"
    )
    w = tf.Variable(3.0, name="x0")
    assert repr(w) == f"<{P}.Variable 'x0:0' shape=() dtype=float32, numpy=3.0>"


def test_numpy_conversion(tf):
    """.numpy() gives an ndarray (numpy scalar for 0-d); np.asarray works via __array__."""
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    a = x.numpy()
    assert isinstance(a, np.ndarray) and a.dtype == np.float32 and a.shape == (2, 2)
    s = tf.constant(3.0).numpy()
    assert isinstance(s, np.float32) and s == 3.0
    assert isinstance(tf.constant(3).numpy(), np.int32)
    assert isinstance(tf.constant(True).numpy(), np.bool_)
    assert isinstance(tf.constant(2.0, dtype=tf.float64).numpy(), np.float64)
    b = np.asarray(x)
    assert b.dtype == np.float32 and b.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    c = np.array(x, dtype=np.float64)
    assert c.dtype == np.float64 and c.sum() == 10.0
    assert np.sum(np.asarray(tf.ones((3,)))) == 3.0


def test_scalar_python_conversions(tf):
    """bool/float/int of scalar tensors."""
    assert float(tf.constant(2.5)) == 2.5
    assert int(tf.constant(7)) == 7
    assert int(tf.constant(2.9)) == 2
    assert bool(tf.constant(True)) is True
    assert bool(tf.constant(0.0)) is False
    assert bool(tf.constant(3.0) > 2.0) is True
    x = tf.constant(3.0)
    hit = "yes" if x > 1.0 else "no"
    assert hit == "yes"


def test_len_and_iteration(tf):
    """len() is the first dimension; iterating yields the sub-tensors."""
    x = tf.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    assert len(x) == 3
    rows = list(x)
    assert len(rows) == 3
    assert all(isinstance(r, tf.Tensor) for r in rows)
    assert [r.numpy().tolist() for r in rows] == [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]
    assert [float(e) for e in tf.constant([4.0, 5.0])] == [4.0, 5.0]
    with pytest.raises(TypeError):
        len(tf.constant(1.0))
    with pytest.raises(TypeError):
        iter(tf.constant(1.0))


def test_shape_and_ndim(tf):
    """.shape compares equal to tuples and lists; it indexes and iterates like one."""
    x = tf.ones((2, 3))
    assert x.shape == (2, 3)
    assert x.shape == [2, 3]
    assert x.shape != (3, 2)
    assert tuple(x.shape) == (2, 3)
    assert list(x.shape) == [2, 3]
    assert x.shape[0] == 2 and x.shape[-1] == 3
    assert len(x.shape) == 2
    assert str(x.shape) == "(2, 3)"
    assert x.ndim == 2
    assert tf.constant(1.0).shape == ()
    assert tf.constant(1.0).ndim == 0
    assert str(tf.constant([1.0]).shape) == "(1,)"


# --------------------------------------------------------------------------------------
# Operators
# --------------------------------------------------------------------------------------

def _val(t):
    """numpy value of a tensor result, checking it is a tensor first."""
    assert hasattr(t, "numpy") and not isinstance(t, np.ndarray), f"not a tensor: {type(t)}"
    return t.numpy()


def test_arithmetic_operators_with_python_scalars(tf):
    """All arithmetic operators, tensor on the left and on the right."""
    x = tf.constant([1.0, 2.0, 4.0])
    xn = np.array([1.0, 2.0, 4.0], dtype=np.float32)
    cases = [
        (x + 1, xn + 1), (1 + x, 1 + xn), (x - 1.5, xn - 1.5), (1.5 - x, 1.5 - xn),
        (x * 2, xn * 2), (2 * x, 2 * xn), (x / 4, xn / 4), (4 / x, 4 / xn),
        (x**2, xn**2), (2.0**x, 2.0**xn), (x // 1.5, xn // 1.5), (7.0 // x, 7.0 // xn),
        (x % 1.5, xn % 1.5), (7.0 % x, 7.0 % xn), (-x, -xn),
    ]
    for got, want in cases:
        v = _val(got)
        assert got.dtype == tf.float32
        np.testing.assert_allclose(v, want, rtol=1e-6)


def test_operators_with_lists_and_numpy_arrays(tf):
    """Lists and numpy arrays on either side are converted to the tensor's dtype."""
    x = tf.constant([1.0, 2.0])
    for got, want in [
        (x + [1.0, 2.0], [2.0, 4.0]),
        ([1.0, 2.0] + x, [2.0, 4.0]),
        (x - [1.0, 3.0], [0.0, -1.0]),
        ([1.0, 2.0] * x, [1.0, 4.0]),
        (x + np.array([1.0, 2.0]), [2.0, 4.0]),
        (np.array([1.0, 2.0]) + x, [2.0, 4.0]),
        (np.array([3.0, 4.0], dtype=np.float32) - x, [2.0, 2.0]),
        (np.array([2.0, 8.0], dtype=np.float32) / x, [2.0, 4.0]),
        (x * np.float32(3.0), [3.0, 6.0]),
    ]:
        assert isinstance(got, tf.Tensor), type(got)
        assert got.dtype == tf.float32
        np.testing.assert_allclose(got.numpy(), want)


def test_matmul_operator_with_lists_and_arrays(tf):
    """``@`` with a list or numpy array on the left (reflected matmul)."""
    m = tf.constant([[1.0], [2.0]])
    for left in ([[1.0, 2.0]], np.array([[1.0, 2.0]], dtype=np.float32), tf.constant([[1.0, 2.0]])):
        got = left @ m
        assert isinstance(got, tf.Tensor)
        assert got.shape == (1, 1) and float(got[0, 0]) == 5.0
    assert (tf.constant([[1.0, 2.0]]) @ [[3.0], [4.0]]).numpy().tolist() == [[11.0]]


def test_integer_operators(tf):
    """Integer floor division and modulo follow Python's sign conventions."""
    a = tf.constant([-7, 7, 6])
    assert (a // 2).numpy().tolist() == [-4, 3, 3]
    assert (a % 3).numpy().tolist() == [2, 1, 0]
    assert (a // 2).dtype == tf.int32
    assert (tf.constant(-7.0) // 2.0).numpy() == -4.0
    assert (a * 2 + 1).numpy().tolist() == [-13, 15, 13]


def test_comparisons_return_bool_tensors(tf):
    """Comparison operators and functions are elementwise and give bool tensors."""
    x = tf.constant([1.0, 2.0, 3.0])
    checks = [
        (x == 2.0, [False, True, False]),
        (x != 2.0, [True, False, True]),
        (x < 2.0, [True, False, False]),
        (x <= 2.0, [True, True, False]),
        (x > 2.0, [False, False, True]),
        (x >= 2.0, [False, True, True]),
        (1.5 < x, [False, True, True]),
        (x < [2.0, 2.0, 4.0], [True, False, True]),
        (tf.equal(x, [1.0, 0.0, 3.0]), [True, False, True]),
        (tf.not_equal(x, 1.0), [False, True, True]),
        (tf.less(x, 3.0), [True, True, False]),
        (tf.less_equal(x, 1.0), [True, False, False]),
        (tf.greater(x, 1.0), [False, True, True]),
        (tf.greater_equal(x, 3.0), [False, False, True]),
    ]
    for got, want in checks:
        assert got.dtype == tf.bool
        assert got.numpy().tolist() == want


# --------------------------------------------------------------------------------------
# Indexing
# --------------------------------------------------------------------------------------

def test_indexing_matches_numpy(tf):
    """Ints, negative ints, slices with steps, ``...`` and ``None``."""
    a = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    x = tf.constant(a)
    for index in [
        1, -1, (0, 2), (1, -1, 3), slice(None), (slice(1, None), slice(None, None, 2)),
        (Ellipsis, None), (Ellipsis, 1), (None, 0), (slice(None, None, -1),),
        (0, slice(None, None, -2), slice(1, 3)), (slice(-2, None), Ellipsis, slice(None, 2)),
    ]:
        got = x[index]
        np.testing.assert_array_equal(got.numpy(), a[index])
        assert tuple(got.shape) == a[index].shape
    assert float(x[1][2][3]) == 23.0
    assert x[1:, ::2].shape == (1, 2, 4)
    assert x[..., None].shape == (2, 3, 4, 1)


# --------------------------------------------------------------------------------------
# Shape and value ops
# --------------------------------------------------------------------------------------

def test_shape_ops(tf):
    """reshape/transpose/expand_dims/squeeze/concat/stack/tile/pad against numpy."""
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    x = tf.constant(a)
    np.testing.assert_array_equal(tf.reshape(x, (3, 2)).numpy(), a.reshape(3, 2))
    np.testing.assert_array_equal(tf.reshape(x, [-1]).numpy(), a.reshape(-1))
    np.testing.assert_array_equal(tf.transpose(x).numpy(), a.T)
    b = np.arange(24).reshape(2, 3, 4)
    np.testing.assert_array_equal(tf.transpose(tf.constant(b), perm=[1, 2, 0]).numpy(),
                                  b.transpose(1, 2, 0))
    assert tf.expand_dims(x, 0).shape == (1, 2, 3)
    assert tf.expand_dims(x, -1).shape == (2, 3, 1)
    assert tf.squeeze(tf.ones((1, 2, 1))).shape == (2,)
    assert tf.squeeze(tf.ones((1, 2, 1)), axis=0).shape == (2, 1)
    np.testing.assert_array_equal(tf.concat([x, x], axis=0).numpy(), np.concatenate([a, a], 0))
    np.testing.assert_array_equal(tf.concat([x, x], axis=-1).numpy(), np.concatenate([a, a], 1))
    np.testing.assert_array_equal(tf.stack([x, x], axis=1).numpy(), np.stack([a, a], 1))
    np.testing.assert_array_equal(tf.tile(x, [2, 1]).numpy(), np.tile(a, (2, 1)))
    np.testing.assert_array_equal(tf.pad(x, [[1, 0], [0, 2]]).numpy(),
                                  np.pad(a, [[1, 0], [0, 2]]))


def test_value_ops(tf):
    """gather/one_hot/argmax/argmin/cumsum/clip/where/round/floor/ceil values and dtypes."""
    x = tf.constant([[1.0, 3.0], [4.0, 2.0]])
    np.testing.assert_array_equal(tf.gather(x, [1, 0, 1]).numpy(), [[4, 2], [1, 3], [4, 2]])
    np.testing.assert_array_equal(tf.gather(x, [1], axis=1).numpy(), [[3.0], [2.0]])
    oh = tf.one_hot([0, 2], 3)
    assert oh.dtype == tf.float32
    np.testing.assert_array_equal(oh.numpy(), [[1, 0, 0], [0, 0, 1]])
    am = tf.argmax(x)
    assert am.dtype == tf.int64 and am.numpy().tolist() == [1, 0]
    assert tf.argmax(x, axis=1).numpy().tolist() == [1, 0]
    assert tf.argmin(x, axis=1).numpy().tolist() == [0, 1]
    assert tf.argmin(x).dtype == tf.int64
    np.testing.assert_array_equal(tf.cumsum(tf.constant([1.0, 2.0, 3.0])).numpy(), [1, 3, 6])
    np.testing.assert_array_equal(tf.math.cumprod(tf.constant([1.0, 2.0, 3.0])).numpy(),
                                  [1, 2, 6])
    np.testing.assert_array_equal(tf.clip_by_value(x, 1.5, 3.5).numpy(), [[1.5, 3.0], [3.5, 2.0]])
    np.testing.assert_array_equal(
        tf.where(tf.constant([True, False]), tf.constant([1.0, 2.0]), tf.constant([9.0, 8.0]))
        .numpy(), [1.0, 8.0])
    np.testing.assert_array_equal(tf.math.round(tf.constant([0.5, 1.5, 2.5, -0.5, -1.5])).numpy(),
                                  [0.0, 2.0, 2.0, -0.0, -2.0])
    np.testing.assert_array_equal(tf.math.floor(tf.constant([-1.5, 1.5])).numpy(), [-2.0, 1.0])
    np.testing.assert_array_equal(tf.math.ceil(tf.constant([-1.5, 1.5])).numpy(), [-1.0, 2.0])


def test_where_single_argument(tf):
    """where(cond) returns the int64 coordinates of True elements."""
    idx = tf.where(tf.constant([[True, False], [False, True]]))
    assert idx.dtype == tf.int64
    assert idx.numpy().tolist() == [[0, 0], [1, 1]]


def test_reductions_values(tf):
    """Reduction values, axis lists, keepdims and integer inputs."""
    a = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype=np.float32)
    x = tf.constant(a)
    assert float(tf.reduce_sum(x)) == 21.0
    assert tf.reduce_sum(x, axis=0).numpy().tolist() == [5.0, 7.0, 9.0]
    assert tf.reduce_sum(x, axis=[0, 1], keepdims=True).shape == (1, 1)
    assert tf.reduce_mean(x, axis=1).numpy().tolist() == [2.0, 5.0]
    assert tf.reduce_max(x, axis=-1).numpy().tolist() == [3.0, 6.0]
    assert tf.reduce_min(x).numpy() == 1.0
    assert float(tf.reduce_prod(x)) == 720.0
    np.testing.assert_allclose(tf.reduce_logsumexp(x, axis=1).numpy(),
                               np.log(np.exp(a).sum(1)), rtol=1e-6)
    np.testing.assert_allclose(float(tf.norm(tf.constant([3.0, 4.0]))), 5.0)
    np.testing.assert_allclose(tf.math.reduce_std(x, axis=1).numpy(), a.std(1), rtol=1e-6)
    np.testing.assert_allclose(tf.math.reduce_variance(x).numpy(), a.var(), rtol=1e-6)
    i = tf.constant([[1, 2], [3, 4]])
    assert tf.reduce_sum(i).dtype == tf.int32 and int(tf.reduce_sum(i)) == 10
    assert tf.reduce_max(i, axis=0).numpy().tolist() == [3, 4]


def test_math_and_nn_values(tf):
    """A few forward values with closed forms."""
    x = tf.constant([0.0, 1.0, -2.0])
    np.testing.assert_allclose(tf.nn.relu(x).numpy(), [0.0, 1.0, 0.0])
    np.testing.assert_allclose(tf.nn.softmax(tf.constant([0.0, 0.0])).numpy(), [0.5, 0.5])
    np.testing.assert_allclose(tf.nn.log_softmax(tf.constant([0.0, 0.0])).numpy(),
                               [-np.log(2)] * 2, rtol=1e-6)
    np.testing.assert_allclose(tf.nn.softplus(tf.constant(0.0)).numpy(), np.log(2), rtol=1e-6)
    np.testing.assert_allclose(tf.nn.l2_loss(tf.constant([3.0, 4.0])).numpy(), 12.5)
    np.testing.assert_allclose(tf.math.squared_difference(3.0, tf.constant(1.0)).numpy(), 4.0)
    xent = tf.nn.softmax_cross_entropy_with_logits(labels=[[0.0, 1.0]], logits=[[0.0, 0.0]])
    np.testing.assert_allclose(xent.numpy(), [np.log(2)], rtol=1e-6)
    sp = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[1], logits=[[0.0, 0.0]])
    np.testing.assert_allclose(sp.numpy(), [np.log(2)], rtol=1e-6)
    np.testing.assert_allclose(tf.matmul([[1.0, 2.0]], [[3.0], [4.0]]).numpy(), [[11.0]])
    np.testing.assert_allclose(tf.tensordot([1.0, 2.0], [3.0, 4.0], axes=1).numpy(), 11.0)


# --------------------------------------------------------------------------------------
# Variables
# --------------------------------------------------------------------------------------

def test_variable_basics(tf):
    """Default name/trainable/dtype, explicit name and dtype, shapes."""
    v = tf.Variable([1.0, 2.0])
    assert v.name == "Variable:0"
    assert tf.Variable(1.0).name == "Variable:0"
    assert v.trainable is True
    assert v.dtype == tf.float32
    assert v.shape == (2,)
    w = tf.Variable(1.0, name="w")
    assert w.name == "w:0"
    assert tf.Variable(1.0, name="w").name == "w:0"
    assert tf.Variable(1).dtype == tf.int32
    assert tf.Variable(1.0, dtype=tf.float64).dtype == tf.float64
    assert tf.Variable([1, 2], dtype=tf.float32).numpy().tolist() == [1.0, 2.0]
    assert tf.Variable(np.zeros((2, 3))).dtype == tf.float64
    assert tf.Variable(1.0, trainable=False).trainable is False


def test_variable_assign_family(tf):
    """assign / assign_add / assign_sub update the value in place."""
    v = tf.Variable([1.0, 2.0])
    v.assign([5.0, 6.0])
    assert v.numpy().tolist() == [5.0, 6.0]
    v.assign_add([1.0, 1.0])
    assert v.numpy().tolist() == [6.0, 7.0]
    v.assign_sub(tf.constant([2.0, 3.0]))
    assert v.numpy().tolist() == [4.0, 4.0]
    v.assign(tf.constant([0.5, 0.25]))
    np.testing.assert_array_equal(v.numpy(), [0.5, 0.25])
    s = tf.Variable(1.0)
    s.assign_add(2.0)
    s.assign_sub(0.5)
    assert float(s.numpy()) == 2.5


def test_variable_arithmetic_returns_tensor(tf):
    """``var + 1.0`` and friends are Tensors, not Variables."""
    v = tf.Variable([1.0, 2.0])
    for t in (v + 1.0, 1.0 + v, v * v, v - v, -v, v / 2.0, v**2, tf.square(v)):
        assert isinstance(t, tf.Tensor)
        assert not isinstance(t, tf.Variable)
    assert (v + 1.0).numpy().tolist() == [2.0, 3.0]
    m = tf.Variable([[1.0, 2.0], [3.0, 4.0]])
    assert (m @ m).numpy().tolist() == [[7.0, 10.0], [15.0, 22.0]]
    assert (v > 1.5).numpy().tolist() == [False, True]


def test_variable_read_value_is_a_snapshot(tf):
    """read_value() and numpy() results do not change when the variable is assigned later."""
    v = tf.Variable([1.0, 2.0])
    r = v.read_value()
    n = v.numpy()
    t = v + 0.0
    v.assign([9.0, 9.0])
    assert isinstance(r, tf.Tensor)
    assert r.numpy().tolist() == [1.0, 2.0]
    assert n.tolist() == [1.0, 2.0]
    assert t.numpy().tolist() == [1.0, 2.0]
    assert v.read_value().numpy().tolist() == [9.0, 9.0]


def test_variable_from_tensor_and_numpy(tf):
    """A variable can be created from a tensor; np.asarray works on it."""
    v = tf.Variable(tf.range(3, dtype=tf.float32))
    assert v.shape == (3,) and v.dtype == tf.float32
    assert np.asarray(v).tolist() == [0.0, 1.0, 2.0]


# --------------------------------------------------------------------------------------
# Random
# --------------------------------------------------------------------------------------

def test_random_seed_determinism(tf):
    """set_seed makes the following sequence of draws reproducible."""
    tf.random.set_seed(1234)
    a1 = tf.random.normal((3, 2)).numpy()
    a2 = tf.random.uniform((4,)).numpy()
    a3 = tf.random.normal((3, 2)).numpy()
    tf.random.set_seed(1234)
    b1 = tf.random.normal((3, 2)).numpy()
    b2 = tf.random.uniform((4,)).numpy()
    b3 = tf.random.normal((3, 2)).numpy()
    np.testing.assert_array_equal(a1, b1)
    np.testing.assert_array_equal(a2, b2)
    np.testing.assert_array_equal(a3, b3)
    assert not np.array_equal(a1, a3)
    tf.random.set_seed(4321)
    c1 = tf.random.normal((3, 2)).numpy()
    assert not np.array_equal(a1, c1)


def test_random_shapes_dtypes_and_ranges(tf):
    """normal/uniform shapes, dtypes, ranges and rough moments."""
    tf.random.set_seed(7)
    n = tf.random.normal((100, 100))
    assert n.dtype == tf.float32 and n.shape == (100, 100)
    arr = n.numpy()
    assert abs(arr.mean()) < 0.05 and abs(arr.std() - 1.0) < 0.05
    m = tf.random.normal((5000,), mean=3.0, stddev=0.5).numpy()
    assert abs(m.mean() - 3.0) < 0.05 and abs(m.std() - 0.5) < 0.05
    assert tf.random.normal((2,), dtype=tf.float64).dtype == tf.float64
    u = tf.random.uniform((10000,)).numpy()
    assert u.dtype == np.float32 and u.min() >= 0.0 and u.max() < 1.0
    assert abs(u.mean() - 0.5) < 0.02
    r = tf.random.uniform((1000,), minval=2.0, maxval=5.0).numpy()
    assert r.min() >= 2.0 and r.max() < 5.0
    assert tf.random.normal(shape=()).shape == ()

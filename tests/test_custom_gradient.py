"""``tf.custom_gradient`` and ``GradientTape.batch_jacobian``.

Literal expectations were produced by TensorFlow 2.21 (CPU); the suite also runs
against it (``TAPEGRAD_TEST_BACKEND=tensorflow``). Gradients of float64 functions
are checked against finite differences with ``gradcheck``.
"""

from __future__ import annotations

import gc

import numpy as np
import pytest
from _backend import to_numpy
from gradcheck import check_gradients, numeric_gradient

# ---------------------------------------------------------------- helpers


def make_log1pexp(tf):
    """TF's docs example: a numerically stable gradient for log(1 + exp(x))."""

    @tf.custom_gradient
    def log1pexp(x):
        """log(1 + e^x) with a stable gradient."""
        e = tf.exp(x)

        def grad(upstream):
            return upstream * (1 - 1 / (1 + e))

        return tf.math.log(1 + e), grad

    return log1pexp


def make_clip_gradients(tf):
    """TF's docs example: the identity, with its gradient clipped by norm."""

    @tf.custom_gradient
    def clip_gradients(y):
        def backward(dy):
            return tf.clip_by_norm(dy, 0.5)

        return y, backward

    return clip_gradients


# ---------------------------------------------------------------- first order


def test_log1pexp_gradient_is_stable(tf):
    log1pexp = make_log1pexp(tf)
    x = tf.constant(100.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = log1pexp(x)
    # TF 2.21: 1.0 (the automatic gradient exp(x)/(1+exp(x)) is inf/inf = nan here).
    assert float(tape.gradient(y, x)) == 1.0
    x = tf.constant(0.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = log1pexp(x)
    assert float(tape.gradient(y, x)) == 0.5


def test_decorator_keeps_name_and_doc(tf):
    log1pexp = make_log1pexp(tf)
    assert log1pexp.__name__ == "log1pexp"
    assert "stable gradient" in log1pexp.__doc__


def test_called_form_and_no_tape(tf):
    def square(x):
        return x * x, lambda dy: dy * 10.0

    f = tf.custom_gradient(square)
    assert float(f(tf.constant(3.0))) == 9.0  # no tape: just the value
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = f(x)
    assert float(tape.gradient(y, x)) == 10.0


def test_clip_gradients_docs_example(tf):
    clip_gradients = make_clip_gradients(tf)
    v = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        output = clip_gradients(v * v)
    # TF 2.21: 2.0 = 2v · clip_by_norm(1, 0.5)
    assert float(tape.gradient(output, v)) == 2.0
    xs = tf.constant([3.0, 4.0])
    with tf.GradientTape() as tape:
        tape.watch(xs)
        out = clip_gradients(xs * 1.0)
    g = tape.gradient(out, xs, output_gradients=tf.constant([3.0, 4.0]))
    np.testing.assert_allclose(to_numpy(g), [0.3, 0.4], rtol=1e-6)  # TF 2.21


def test_finite_differences_float64(tf):
    @tf.custom_gradient
    def f(x, y):
        def grad(dz):
            return dz * tf.sin(y), dz * x * tf.cos(y)

        return x * tf.sin(y), grad

    rng = np.random.default_rng(0)
    check_gradients(f, [rng.standard_normal((2, 3)), rng.standard_normal((2, 3))], order=2)


def test_gradient_is_the_custom_one_not_the_forward_ops(tf):
    @tf.custom_gradient
    def f(x):
        return tf.sin(x), lambda dy: dy * 2.0  # deliberately not cos(x)

    x = tf.constant([0.5, 1.0], dtype=tf.float64)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = f(x)
    np.testing.assert_array_equal(to_numpy(tape.gradient(y, x)), [2.0, 2.0])


def test_none_gradient_means_no_gradient(tf):
    @tf.custom_gradient
    def f(x, y):
        return x * y, lambda dz: (dz, None)

    x1, x2 = tf.constant(1.0), tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch([x1, x2])
        y = f(x1, x2)
    gx, gy = tape.gradient(y, [x1, x2])
    assert float(gx) == 1.0 and gy is None


def test_python_number_args_are_converted_and_unconnected(tf):
    seen = []

    @tf.custom_gradient
    def scale(x, k):
        seen.append(type(k))
        return x * k, lambda dy: (dy * k, dy * x)

    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = scale(x, 2.0)
    assert seen == [float]  # f sees the argument as given
    assert float(tape.gradient(y, x)) == 2.0


def test_tensor_kwargs_get_no_gradient(tf):
    @tf.custom_gradient
    def kw(x, scale=None):
        return x * scale, lambda dy: dy * scale

    x, s = tf.constant(3.0), tf.constant(4.0)
    with tf.GradientTape() as tape:
        tape.watch([x, s])
        y = kw(x, scale=s)
    gx, gs = tape.gradient(y, [x, s])
    assert float(gx) == 4.0 and gs is None  # TF 2.21: kwargs are not inputs of the op


def test_nested_args_are_flattened(tf):
    @tf.custom_gradient
    def prod(xs):
        return xs[0] * xs[1], lambda dy: [dy * 10.0, dy * 20.0]

    a, b = tf.constant(1.0), tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch([a, b])
        y = prod([a, b])
    assert [float(g) for g in tape.gradient(y, [a, b])] == [10.0, 20.0]


def test_method(tf):
    class Scaler:
        def __init__(self):
            self.k = 3.0

        @tf.custom_gradient
        def apply(self, x):
            return x * 1.0, lambda dy: dy * self.k

    x = tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = Scaler().apply(x)
    assert float(tape.gradient(y, x)) == 3.0


def test_tape_watching_only_a_closed_over_tensor_uses_the_forward_ops(tf):
    w = tf.constant(5.0)

    @tf.custom_gradient
    def f(x):
        return x * w, lambda dy: dy * 100.0

    with tf.GradientTape() as tape:
        tape.watch(w)
        y = f(tf.constant(3.0))
    # The custom op is not recorded on a tape that saw none of its inputs.
    assert float(tape.gradient(y, w)) == 3.0


def test_custom_gradient_inside_jacobian(tf):
    clip_gradients = make_clip_gradients(tf)
    xs = tf.constant([3.0, 4.0])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(xs)
        out = clip_gradients(xs * xs)
    np.testing.assert_allclose(to_numpy(tape.jacobian(out, xs)), [[3.0, 0.0], [0.0, 4.0]])  # TF 2.21


# ---------------------------------------------------------------- multiple outputs


def test_multiple_outputs_one_call_with_zero_upstreams(tf):
    upstreams = []

    @tf.custom_gradient
    def two(x):
        def grad(da, db):
            upstreams.append((to_numpy(da).tolist(), to_numpy(db).tolist()))
            return da * 2.0 + db * 3.0

        return (x * 2.0, x * 3.0), grad

    x = tf.constant([1.0, 2.0])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        a, b = two(x)
    np.testing.assert_array_equal(to_numpy(tape.gradient([a, b], x)), [5.0, 5.0])
    np.testing.assert_array_equal(to_numpy(tape.gradient(a, x)), [2.0, 2.0])
    # TF 2.21: one call per gradient; an output no gradient reached gets zeros.
    assert upstreams == [([1.0, 1.0], [1.0, 1.0]), ([1.0, 1.0], [0.0, 0.0])]


def test_dict_outputs(tf):
    @tf.custom_gradient
    def d(x):
        # Leaves are flattened in sorted-key order: da is "a"'s, db is "b"'s.
        return {"b": x * 2.0, "a": x * 1.0}, lambda da, db: da + 2.0 * db

    x = tf.constant(1.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        r = d(x)
    assert sorted(r) == ["a", "b"]
    assert float(tape.gradient(r["b"], x)) == 2.0


def test_multiple_outputs_finite_differences(tf):
    @tf.custom_gradient
    def polar(r, t):
        def grad(dx, dy):
            return dx * tf.cos(t) + dy * tf.sin(t), -dx * r * tf.sin(t) + dy * r * tf.cos(t)

        return (r * tf.cos(t), r * tf.sin(t)), grad

    def fn(r, t):
        x, y = polar(r, t)
        return x * 0.3 + y * y

    rng = np.random.default_rng(1)
    check_gradients(fn, [rng.uniform(0.5, 2.0, (3,)), rng.standard_normal((3,))], order=2)


# ---------------------------------------------------------------- higher order


def test_second_order_through_a_closed_over_tensor(tf):
    log1pexp = make_log1pexp(tf)
    x = tf.constant(1.5)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = log1pexp(x)
        g = inner.gradient(y, x)
    d2 = outer.gradient(g, x)
    # TF 2.21: sigmoid(1.5) and its derivative.
    np.testing.assert_allclose(float(g), 0.8175745, rtol=1e-6)
    np.testing.assert_allclose(float(d2), 0.14914645, rtol=1e-5)


def test_second_order_float64_matches_finite_differences(tf):
    log1pexp = make_log1pexp(tf)

    def dlog1pexp(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = log1pexp(x)
        return tape.gradient(y, x)

    x0 = np.array([-2.0, 0.3, 4.0])
    with tf.GradientTape() as outer:
        x = tf.constant(x0)
        outer.watch(x)
        g = dlog1pexp(x)
    d2 = to_numpy(outer.gradient(g, x))
    numeric = numeric_gradient(lambda t: tf.reduce_sum(dlog1pexp(t)), [x0])[0]
    np.testing.assert_allclose(d2, numeric, rtol=1e-6, atol=1e-9)


def test_nested_custom_gradient_docs_example(tf):
    calls = []

    @tf.custom_gradient
    def op(x):
        y = x**3

        @tf.custom_gradient
        def grad_fn(dy):
            gdy = 3.0 * x * x * dy

            def grad_grad_fn(ddy):  # not the second derivative of op w.r.t. x
                calls.append(1)
                return 7.0 * ddy

            return gdy, grad_grad_fn

        return y, grad_fn

    x = tf.constant(2.0)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = op(x)
        g = inner.gradient(y, x)
    # TF 2.21: 12.0 both. The outer tape never saw dy, so grad_fn's custom op is
    # not recorded there and it differentiates 3x²·dy through the ops.
    assert float(g) == 12.0
    assert float(outer.gradient(g, x)) == 12.0
    assert calls == []
    dy = tf.constant(1.0)
    with tf.GradientTape() as outer:
        outer.watch(dy)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = op(x)
        g = inner.gradient(y, x, output_gradients=dy)
    assert float(outer.gradient(g, dy)) == 7.0  # TF 2.21: grad_grad_fn's answer
    assert calls == [1]


# ---------------------------------------------------------------- variables


def test_variables_docs_example(tf):
    weights = tf.Variable(tf.ones([2]))
    seen = []

    @tf.custom_gradient
    def linear_poly(x):
        poly = weights[1] * x + weights[0]

        def grad_fn(dpoly, variables):
            seen.append(list(variables))
            grad_xs = dpoly * weights[1]
            dy_dw = dpoly * tf.stack([x**1, x**0])
            return grad_xs, [tf.reduce_sum(tf.reshape(dy_dw, [2, -1]), axis=1)]

        return poly, grad_fn

    x = tf.constant([1.0, 2.0, 3.0])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        poly = linear_poly(x)
    # TF 2.21 docs values.
    np.testing.assert_array_equal(to_numpy(poly), [2.0, 3.0, 4.0])
    np.testing.assert_array_equal(to_numpy(tape.gradient(poly, x)), [1.0, 1.0, 1.0])
    np.testing.assert_array_equal(to_numpy(tape.gradient(poly, weights)), [6.0, 3.0])
    assert len(seen[0]) == 1 and seen[0][0] is weights


def test_variable_gradient_and_input_gradient(tf):
    v = tf.Variable(2.0)

    @tf.custom_gradient
    def f(x):
        return x * v, lambda dy, variables: (dy * v, [dy * x * 10.0])

    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = f(x)
    gx, gv = tape.gradient(y, [x, v])
    assert (float(gx), float(gv)) == (2.0, 30.0)  # TF 2.21


def test_grad_fn_must_accept_variables(tf):
    v = tf.Variable(2.0)

    @tf.custom_gradient
    def f(x):
        return x * v, lambda dy: dy

    msg = "grad_fn must accept keyword argument 'variables', since function uses"
    with pytest.raises(TypeError, match=msg):
        f(tf.constant(1.0))


def test_variable_passed_as_argument_is_an_input(tf):
    v = tf.Variable(2.0)

    @tf.custom_gradient
    def f(x):
        return x * x, lambda dy: dy * 5.0  # no `variables`: v is an argument

    with tf.GradientTape() as tape:
        y = f(v)
    assert float(tape.gradient(y, v)) == 5.0


def test_wrong_number_of_variable_gradients(tf):
    v = tf.Variable(2.0)

    @tf.custom_gradient
    def f(x):
        return x * v, lambda dy, variables: (dy, [])

    x = tf.constant(1.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = f(x)
    msg = "Must return gradient for each variable from @custom_gradient grad_fn"
    with pytest.raises(ValueError, match=msg):
        tape.gradient(y, x)


# ---------------------------------------------------------------- errors


def test_wrong_number_of_gradients(tf):
    @tf.custom_gradient
    def bad(x, y):
        return x * y, lambda dz: dz

    x1, x2 = tf.constant(1.0), tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch([x1, x2])
        y = bad(x1, x2)
    with pytest.raises(ValueError) as info:
        tape.gradient(y, [x1, x2])
    # TF 2.21's message.
    assert str(info.value) == (
        "custom_gradient function expected to return 2 gradients, but returned 1 instead."
    )


class _Boom(Exception):
    pass


def test_exception_in_grad_fn_reaches_the_caller_unchanged(tf):
    err = _Boom("kaboom")

    @tf.custom_gradient
    def boom(x):
        def grad(dy):
            raise err

        return x * 1.0, grad

    x = tf.constant([1.0, 2.0])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = boom(x)
        z = x * 2.0
    with pytest.raises(_Boom, match="kaboom") as info:
        tape.gradient(y, x)
    assert info.value is err
    # A persistent tape is still usable, and so is the interpreter.
    np.testing.assert_array_equal(to_numpy(tape.gradient(z, x)), [2.0, 2.0])
    del tape, info
    gc.collect()
    assert float(tf.reduce_sum(x)) == 3.0


def test_exception_in_grad_fn_under_an_outer_tape(tf):
    @tf.custom_gradient
    def boom(x):
        def grad(dy):
            raise KeyError("missing")

        return x * 1.0, grad

    x = tf.constant(1.0)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = boom(x)
        with pytest.raises(KeyError, match="missing"):
            inner.gradient(y, x)
        z = x * 3.0
    assert float(outer.gradient(z, x)) == 3.0


def test_exception_in_large_backward_pass(tf):
    # Big enough that the binding releases the GIL around the backward pass.
    @tf.custom_gradient
    def boom(x):
        def grad(dy):
            raise ArithmeticError("big")

        return x * 1.0, grad

    x = tf.ones([512, 512])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(tf.sin(boom(x * 2.0)))
    with pytest.raises(ArithmeticError, match="big"):
        tape.gradient(y, x)


def test_large_backward_pass_through_a_custom_gradient(tf):
    clip_gradients = make_clip_gradients(tf)
    x = tf.ones([512, 512])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(clip_gradients(x * 2.0))
    g = to_numpy(tape.gradient(y, x))
    np.testing.assert_allclose(g, np.full((512, 512), 2.0 * 0.5 / 512), rtol=1e-5)


@pytest.mark.tapegrad_only
def test_misshapen_gradients(tf):
    # TF hands a misshapen gradient back unchanged; tapegrad broadcasts it to the
    # input's shape, or raises if it cannot.
    def make(g):
        @tf.custom_gradient
        def f(x):
            return x * 1.0, lambda dy: g

        return f

    x = tf.constant([1.0, 2.0, 3.0])
    for g, expected in ((tf.constant(2.0), [2.0, 2.0, 2.0]), (tf.constant([1.0, 2.0]), None)):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = make(g)(x)
        if expected is None:
            with pytest.raises(tf.errors.InvalidArgumentError, match=r"gradient of shape \[2\]"):
                tape.gradient(y, x)
        else:
            np.testing.assert_array_equal(to_numpy(tape.gradient(y, x)), expected)


@pytest.mark.tapegrad_only
def test_non_persistent_tape_is_consumed_after_an_exception(tf):
    # TF's tape is left half-consumed (InternalError on reuse); tapegrad's is consumed.
    @tf.custom_gradient
    def boom(x):
        def grad(dy):
            raise _Boom("once")

        return x * 1.0, grad

    x = tf.constant(1.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = boom(x)
    with pytest.raises(_Boom):
        tape.gradient(y, x)
    with pytest.raises(RuntimeError, match="non-persistent GradientTape"):
        tape.gradient(y, x)


# ---------------------------------------------------------------- batch_jacobian

_X = np.arange(6.0).reshape(2, 3) / 5.0
_W = np.arange(12.0).reshape(3, 4) / 7.0 - 0.5

# TF 2.21: tape.batch_jacobian(tanh(x @ w), x) for the float32 _X, _W above (rounded to 5 places).
_DENSE_JACOBIAN = [
    [
        [-0.4649, 0.06641, 0.59773],
        [-0.3152, 0.18912, 0.69344],
        [-0.1772, 0.29533, 0.76787],
        [-0.05468, 0.38273, 0.82014],
    ],
    [
        [-0.42782, 0.06112, 0.55005],
        [-0.215, 0.129, 0.473],
        [-0.07875, 0.13124, 0.34124],
        [-0.01468, 0.10273, 0.22013],
    ],
]


def test_batch_jacobian_dense_layer_matches_tf(tf):
    x = tf.constant(_X, dtype=tf.float32)
    w = tf.constant(_W, dtype=tf.float32)
    with tf.GradientTape() as tape:  # not persistent: one call is allowed (TF, with pfor)
        tape.watch(x)
        y = tf.tanh(tf.matmul(x, w))
    j = tape.batch_jacobian(y, x)
    assert tuple(j.shape) == (2, 4, 3)
    np.testing.assert_allclose(to_numpy(j), _DENSE_JACOBIAN, atol=1e-5)


def test_batch_jacobian_dense_layer_float64_matches_finite_differences(tf):
    w = tf.constant(_W)
    x = tf.constant(_X)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = tf.tanh(tf.matmul(x, w))
    j = to_numpy(tape.batch_jacobian(y, x))
    for b in range(2):
        for i in range(4):

            def yi(t, b=b, i=i):
                return tf.tanh(tf.matmul(t, w))[b, i]

            expected = numeric_gradient(yi, [_X])[0]
            np.testing.assert_allclose(j[b, i], expected[b], rtol=1e-6, atol=1e-9)


def test_batch_jacobian_elementwise(tf):
    x = tf.constant(_X, dtype=tf.float32)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = tf.sin(x) * 2.0
    j = to_numpy(tape.batch_jacobian(y, x))
    assert j.shape == (2, 3, 3)
    expected = np.stack([np.diag(2.0 * np.cos(row)) for row in _X.astype(np.float32)])
    np.testing.assert_allclose(j, expected, rtol=1e-5, atol=1e-6)
    j_loop = tape.batch_jacobian(y, x, experimental_use_pfor=False)  # persistent: allowed
    np.testing.assert_allclose(to_numpy(j_loop), j)


def test_batch_jacobian_higher_rank_shapes(tf):
    x = tf.constant(np.arange(24.0).reshape(2, 3, 4) / 10.0, dtype=tf.float32)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = tf.reduce_sum(x**2, axis=2)  # [2, 3]
    j = to_numpy(tape.batch_jacobian(y, x))
    assert j.shape == (2, 3, 3, 4)
    expected = np.zeros((2, 3, 3, 4), np.float32)
    xv = to_numpy(x)
    for b in range(2):
        for i in range(3):
            expected[b, i, i] = 2 * xv[b, i]
    np.testing.assert_allclose(j, expected, rtol=1e-6)


def test_batch_jacobian_of_a_variable(tf):
    v = tf.Variable(np.ones((2, 3)), dtype=tf.float32)
    with tf.GradientTape(persistent=True) as tape:
        y = v * v
    j = tape.batch_jacobian(y, v)
    assert tuple(j.shape) == (2, 3, 3)
    np.testing.assert_allclose(to_numpy(j), np.stack([np.eye(3) * 2.0] * 2))


def test_batch_jacobian_unconnected_source_gives_zeros(tf):
    x = tf.constant(_X, dtype=tf.float32)
    u = tf.ones((2, 5))
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([x, u])
        y = x * 2.0
    # TF 2.21: zeros whatever unconnected_gradients says.
    for mode in (tf.UnconnectedGradients.NONE, tf.UnconnectedGradients.ZERO):
        j = tape.batch_jacobian(y, u, unconnected_gradients=mode)
        assert tuple(j.shape) == (2, 3, 5)
        assert not to_numpy(j).any()


def test_batch_jacobian_second_order(tf):
    x = tf.constant(_X, dtype=tf.float32)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = x**3
        j = inner.batch_jacobian(y, x)
    # TF 2.21: d/dx of sum(diag(3x²)) = 6x
    np.testing.assert_allclose(to_numpy(outer.gradient(j, x)), 6.0 * _X, rtol=1e-6)


def test_batch_jacobian_through_a_custom_gradient(tf):
    @tf.custom_gradient
    def f(x):
        return tf.sin(x), lambda dy: dy * 3.0

    x = tf.constant(_X, dtype=tf.float32)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = f(x)
    np.testing.assert_allclose(to_numpy(tape.batch_jacobian(y, x)), np.stack([np.eye(3) * 3.0] * 2))


def test_batch_jacobian_errors(tf):
    x = tf.constant(_X, dtype=tf.float32)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * 2.0
    msg = r"Need first dimension of target shape \(\(2, 3\)\) and source shape"
    with pytest.raises(ValueError, match=msg):
        tape.batch_jacobian(y, tf.ones((3, 3)))
    with pytest.raises(ValueError, match=r"Shape \(2,\) must have rank at least 2"):
        tape.batch_jacobian(tf.constant([1.0, 2.0]), x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * 2.0
    with pytest.raises(RuntimeError, match="persistent=True to compute the batch_jacobian"):
        tape.batch_jacobian(y, x, experimental_use_pfor=False)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * 2.0
    tape.batch_jacobian(y, x)
    with pytest.raises(RuntimeError, match="A non-persistent GradientTape can only be used to"):
        tape.batch_jacobian(y, x)


def test_jacobian_on_a_non_persistent_tape(tf):
    x, u = tf.constant([1.0, 2.0]), tf.constant([3.0, 4.0, 5.0])
    with tf.GradientTape() as tape:
        tape.watch([x, u])
        y = x * x
    jx, ju = tape.jacobian(y, [x, u])
    np.testing.assert_array_equal(to_numpy(jx), [[2.0, 0.0], [0.0, 4.0]])  # TF 2.21
    assert ju is None
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    with pytest.raises(RuntimeError, match="persistent=True to compute the jacobian"):
        tape.jacobian(y, x, experimental_use_pfor=False)

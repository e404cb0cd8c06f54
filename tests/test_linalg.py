"""Dense linear algebra (``tf.linalg.solve/inv/det/slogdet/logdet/cholesky/triangular_solve``).

Values are compared with ``np.linalg`` on random well-conditioned matrices
(hypothesis-drawn sizes 1..5 and batch shapes); gradients and nested-tape
Hessian-vector products with central finite differences in float64
(:func:`gradcheck.check_gradients`); errors and edge cases with TensorFlow
2.21's behaviour (this file also passes under ``TAPEGRAD_TEST_BACKEND=tensorflow``).
"""

from __future__ import annotations

import numpy as np
import pytest
import strategies as S
from _backend import tf, to_numpy
from gradcheck import check_gradients
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

BAD_INPUT = (tf.errors.InvalidArgumentError, ValueError)


def _batches(max_dims: int = 2, max_side: int = 3):
    """Batch shapes with 0..max_dims dims of size 1..max_side."""
    return hnp.array_shapes(min_dims=0, max_dims=max_dims, min_side=1, max_side=max_side)


@st.composite
def well_conditioned(draw, n=None, batch=None, max_n: int = 5, max_batch_dims: int = 2,
                     max_side: int = 3):
    """``[*batch, n, n]`` float64 matrices, strictly diagonally dominant with random diagonal signs.

    Their determinants take either sign and they stay well away from singular, so
    finite differences and float32 comparisons are stable.
    """
    if n is None:
        n = draw(st.integers(1, max_n), label="n")
    if batch is None:
        batch = draw(_batches(max_batch_dims, max_side), label="batch")
    shape = (*batch, n, n)
    m = draw(S.arrays(shape, -1.0, 1.0), label="offdiag")
    signs = draw(hnp.arrays(np.bool_, (*batch, n)), label="signs")
    diag = np.where(signs, -1.0, 1.0) * (n + 0.5)
    return m + diag[..., None] * np.eye(n)


@st.composite
def spd(draw, n=None, batch=None, max_n: int = 5):
    """Symmetric positive-definite ``[*batch, n, n]`` float64 matrices ``b bᵀ + n I``."""
    if n is None:
        n = draw(st.integers(1, max_n), label="n")
    if batch is None:
        batch = draw(_batches(2, 2), label="batch")
    b = draw(S.arrays((*batch, n, n), -1.0, 1.0), label="b")
    return b @ np.swapaxes(b, -1, -2) + n * np.eye(n)


def _sym(a):
    """A symmetric positive-definite matrix from any square ``a``, differentiably: ``(a+aᵀ)/2 + n·I``."""
    n = int(a.shape[-1])
    return (a + tf.linalg.matrix_transpose(a)) * 0.5 + tf.eye(n, dtype=a.dtype) * (2.0 * n)


# --------------------------------------------------------------------------------------
# Forward values vs numpy
# --------------------------------------------------------------------------------------


@given(a=well_conditioned(), k=st.integers(1, 3), adjoint=st.booleans(), data=st.data())
def test_solve_values(a, k, adjoint, data):
    """solve(a, b) matches np.linalg.solve (of aᵀ with adjoint), float64 and float32."""
    b = data.draw(S.arrays((*a.shape[:-1], k)), label="b")
    x = tf.linalg.solve(tf.constant(a), tf.constant(b), adjoint=adjoint)
    ref = np.linalg.solve(np.swapaxes(a, -1, -2) if adjoint else a, b)
    assert x.dtype == tf.float64 and tuple(x.shape) == ref.shape
    np.testing.assert_allclose(to_numpy(x), ref, rtol=1e-10, atol=1e-12)
    x32 = tf.linalg.solve(tf.constant(a, tf.float32), tf.constant(b, tf.float32), adjoint=adjoint)
    assert x32.dtype == tf.float32
    np.testing.assert_allclose(to_numpy(x32), ref, rtol=1e-4, atol=1e-5)


@given(a=well_conditioned(), adjoint=st.booleans())
def test_inv_values(a, adjoint):
    """inv matches np.linalg.inv, and inv(a) @ a is the identity."""
    got = to_numpy(tf.linalg.inv(tf.constant(a), adjoint=adjoint))
    ref = np.linalg.inv(np.swapaxes(a, -1, -2) if adjoint else a)
    np.testing.assert_allclose(got, ref, rtol=1e-10, atol=1e-12)
    got32 = to_numpy(tf.linalg.inv(tf.constant(a, tf.float32)))
    np.testing.assert_allclose(got32, np.linalg.inv(a), rtol=1e-4, atol=1e-5)


@given(a=well_conditioned())
def test_det_and_slogdet_values(a):
    """det and slogdet match numpy; slogdet is a (sign, log_abs_determinant) namedtuple."""
    d = tf.linalg.det(tf.constant(a))
    assert tuple(d.shape) == a.shape[:-2]
    np.testing.assert_allclose(to_numpy(d), np.linalg.det(a), rtol=1e-10)
    res = tf.linalg.slogdet(tf.constant(a))
    sign, logabs = res
    ref_sign, ref_log = np.linalg.slogdet(a)
    np.testing.assert_array_equal(to_numpy(sign), ref_sign)
    np.testing.assert_allclose(to_numpy(logabs), ref_log, rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(to_numpy(res.sign), ref_sign)
    np.testing.assert_allclose(to_numpy(res.log_abs_determinant), ref_log, rtol=1e-10, atol=1e-12)
    d32 = tf.linalg.det(tf.constant(a, tf.float32))
    assert d32.dtype == tf.float32
    np.testing.assert_allclose(to_numpy(d32), np.linalg.det(a), rtol=1e-4)


@given(a=spd())
def test_cholesky_and_logdet_values(a):
    """cholesky matches np.linalg.cholesky; logdet matches slogdet's log|det|."""
    lo = to_numpy(tf.linalg.cholesky(tf.constant(a)))
    np.testing.assert_allclose(lo, np.linalg.cholesky(a), rtol=1e-10, atol=1e-12)
    ld = to_numpy(tf.linalg.logdet(tf.constant(a)))
    np.testing.assert_allclose(ld, np.linalg.slogdet(a)[1], rtol=1e-10, atol=1e-12)


@given(a=well_conditioned(batch=()), lower=st.booleans(), adjoint=st.booleans(),
       batch=_batches(2, 2), data=st.data())
def test_triangular_solve_values(a, lower, adjoint, batch, data):
    """triangular_solve reads one triangle and broadcasts batch dims (matrix unbatched here)."""
    n = a.shape[-1]
    b = data.draw(S.arrays((*batch, n, 2)), label="b")
    x = to_numpy(tf.linalg.triangular_solve(tf.constant(a), tf.constant(b), lower=lower, adjoint=adjoint))
    t = np.tril(a) if lower else np.triu(a)
    if adjoint:
        t = t.T
    ref = np.linalg.solve(np.broadcast_to(t, (*batch, n, n)), b)
    np.testing.assert_allclose(x, ref, rtol=1e-10, atol=1e-12)


def test_known_values(tf):
    """Hand-computed 2x2 and 3x3 results, float32 by default."""
    a = tf.constant([[0.0, 2.0, 1.0], [1.0, 1.0, 0.0], [3.0, 0.0, 1.0]])
    assert a.dtype == tf.float32
    np.testing.assert_allclose(tf.linalg.det(a).numpy(), -5.0, rtol=1e-6)
    np.testing.assert_allclose(
        tf.linalg.inv(a).numpy(), [[-0.2, 0.4, 0.2], [0.2, 0.6, -0.2], [0.6, -1.2, 0.4]], atol=1e-6
    )
    x = tf.linalg.solve(a, tf.constant([[7.0], [3.0], [6.0]]))
    np.testing.assert_allclose(x.numpy(), [[1.0], [2.0], [3.0]], atol=1e-6)
    sign, logabs = tf.linalg.slogdet(a)
    assert float(sign.numpy()) == -1.0
    np.testing.assert_allclose(logabs.numpy(), np.log(5.0), rtol=1e-6)
    chol = tf.linalg.cholesky(tf.constant([[4.0, 2.0], [2.0, 5.0]], tf.float64))
    np.testing.assert_array_equal(chol.numpy(), [[2.0, 0.0], [1.0, 2.0]])


def test_singular_values(tf):
    """det of a singular matrix is 0; slogdet gives (0, -inf); empty matrices have det 1."""
    s = tf.constant([[1.0, 2.0], [2.0, 4.0]], tf.float64)
    assert float(tf.linalg.det(s).numpy()) == 0.0
    sign, logabs = tf.linalg.slogdet(s)
    assert float(sign.numpy()) == 0.0 and float(logabs.numpy()) == -np.inf
    z = tf.zeros((2, 0, 0))
    np.testing.assert_array_equal(tf.linalg.det(z).numpy(), [1.0, 1.0])
    assert tuple(tf.linalg.inv(z).shape) == (2, 0, 0)
    sign, logabs = tf.linalg.slogdet(tf.zeros((0, 0)))
    assert float(sign.numpy()) == 1.0 and float(logabs.numpy()) == 0.0
    assert tuple(tf.linalg.solve(tf.zeros((0, 0)), tf.zeros((0, 2))).shape) == (0, 2)


def test_logdet_and_cholesky_of_non_pd(tf):
    """As TF: cholesky reads the lower triangle only; a non-PD input gives NaNs, not an error."""
    chol = tf.linalg.cholesky(tf.constant([[4.0, 100.0], [2.0, 5.0]]))
    np.testing.assert_array_equal(chol.numpy(), [[2.0, 0.0], [1.0, 2.0]])
    bad = tf.linalg.cholesky(tf.constant([[1.0, 2.0], [2.0, 1.0]], tf.float64)).numpy()
    assert np.isnan(bad[0, 0]) and np.isnan(bad[1, 0]) and np.isnan(bad[1, 1])
    assert np.isnan(tf.linalg.logdet(-tf.eye(3)).numpy())
    np.testing.assert_allclose(tf.linalg.logdet(tf.constant([[2.0, 1.0], [0.0, 2.0]])).numpy(), np.log(4.0))


# --------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------


def test_singular_solve_and_inverse_raise(tf):
    """TF's InvalidArgumentError with its messages for solve and inverse of a singular matrix."""
    s = tf.constant([[1.0, 2.0], [2.0, 4.0]])
    with pytest.raises(tf.errors.InvalidArgumentError, match="Input matrix is not invertible"):
        tf.linalg.solve(s, tf.ones((2, 1)))
    with pytest.raises(tf.errors.InvalidArgumentError, match="Input is not invertible"):
        tf.linalg.inv(s)
    batch = tf.stack([tf.eye(2), tf.zeros((2, 2))])
    with pytest.raises(tf.errors.InvalidArgumentError, match="not invertible"):
        tf.linalg.inv(batch)


def test_det_gradient_of_singular_matrix_raises(tf):
    """TF's det gradient inverts the matrix, so a singular input raises in backward."""
    z = tf.Variable(tf.zeros((2, 2), tf.float64))
    with tf.GradientTape() as tape:
        y = tf.linalg.det(z)
    with pytest.raises(tf.errors.InvalidArgumentError, match="not invertible"):
        tape.gradient(y, z)


@pytest.mark.parametrize(
    "call,pattern",
    [
        (lambda tf: tf.linalg.solve(tf.eye(3), tf.ones((2, 1))), "incompatible"),
        (lambda tf: tf.linalg.solve(tf.ones((3, 2)), tf.ones((3, 1))), "square"),
        (lambda tf: tf.linalg.solve(tf.eye(3), tf.ones((3,))), "same rank"),
        (lambda tf: tf.linalg.solve(tf.eye(3, batch_shape=[2]), tf.ones((3, 1))), "same rank"),
        (lambda tf: tf.linalg.solve(tf.eye(3, batch_shape=[2]), tf.ones((3, 3, 1))), "outer dimensions"),
        (lambda tf: tf.linalg.solve(tf.eye(3, batch_shape=[1]), tf.ones((2, 3, 1))), "outer dimensions"),
        (lambda tf: tf.linalg.inv(tf.ones((3, 2))), "square"),
        (lambda tf: tf.linalg.inv(tf.ones((3,))), "rank >= 2"),
        (lambda tf: tf.linalg.det(tf.ones((2, 3))), "square"),
        (lambda tf: tf.linalg.det(tf.ones((3,))), "rank >= 2"),
        (lambda tf: tf.linalg.slogdet(tf.ones((3, 2))), "square"),
        (lambda tf: tf.linalg.cholesky(tf.ones((3, 2))), "square"),
        (lambda tf: tf.linalg.triangular_solve(tf.eye(3), tf.ones((2, 1))), "mismatch"),
        (lambda tf: tf.linalg.triangular_solve(tf.eye(3, batch_shape=[2]), tf.ones((3, 3, 1))),
         "compatible batch dimensions"),
        (lambda tf: tf.linalg.inv(tf.eye(2, dtype=tf.int32)), "int32"),
        (lambda tf: tf.linalg.solve(tf.eye(2), tf.ones((2, 1), tf.float64)), "double|float64"),
    ],
)
def test_shape_and_dtype_errors(tf, call, pattern):
    """Bad shapes and dtypes raise InvalidArgumentError naming the problem."""
    with pytest.raises(BAD_INPUT, match=pattern):
        call(tf)


@pytest.mark.tapegrad_only
def test_error_messages_name_op_and_shapes(tf):
    """tapegrad's messages also name the op and both shapes."""
    with pytest.raises(tf.errors.InvalidArgumentError) as e:
        tf.linalg.solve(tf.eye(3, batch_shape=[2]), tf.ones((3, 3, 1)))
    msg = str(e.value)
    assert "MatrixSolve" in msg and "[2, 3, 3]" in msg and "[3, 3, 1]" in msg


def test_triangular_solve_broadcasts(tf):
    """triangular_solve broadcasts batch dims (solve does not)."""
    x = tf.linalg.triangular_solve(tf.eye(3, batch_shape=[2, 1]), tf.ones((4, 3, 1)))
    assert tuple(x.shape) == (2, 4, 3, 1)


# --------------------------------------------------------------------------------------
# Gradients: first and second order vs finite differences (float64)
# --------------------------------------------------------------------------------------

GRAD_MATS = well_conditioned(max_n=4, max_batch_dims=1, max_side=2)


@given(a=GRAD_MATS, adjoint=st.booleans(), seed=S.seeds, data=st.data())
def test_solve_gradients(a, adjoint, seed, data):
    """d solve / d(a, b), first and second order."""
    b = data.draw(S.arrays((*a.shape[:-1], 2)), label="b")
    check_gradients(
        lambda m, r: tf.linalg.solve(m, r, adjoint=adjoint),
        [a, b],
        seed=seed,
        reference=lambda m, r: np.linalg.solve(np.swapaxes(m, -1, -2) if adjoint else m, r),
    )


@given(a=GRAD_MATS, adjoint=st.booleans(), seed=S.seeds)
def test_inv_gradients(a, adjoint, seed):
    """d inv / da, first and second order."""
    check_gradients(
        lambda m: tf.linalg.inv(m, adjoint=adjoint),
        [a],
        seed=seed,
        reference=lambda m: np.linalg.inv(np.swapaxes(m, -1, -2) if adjoint else m),
    )


@given(a=GRAD_MATS, seed=S.seeds)
def test_det_gradients(a, seed):
    """d det / da = det · a⁻ᵀ, first and second order (scaled so values stay O(1))."""
    n = a.shape[-1]
    check_gradients(
        lambda m: tf.linalg.det(m * (1.0 / n)),
        [a],
        seed=seed,
        reference=lambda m: np.linalg.det(m / n),
    )


@given(a=GRAD_MATS, seed=S.seeds)
def test_slogdet_gradients(a, seed):
    """d log|det| / da = a⁻ᵀ; the sign's gradient is zero (not None)."""
    check_gradients(lambda m: tf.linalg.slogdet(m)[1], [a], seed=seed,
                    reference=lambda m: np.linalg.slogdet(m)[1])
    x = tf.constant(a)
    with tf.GradientTape() as tape:
        tape.watch(x)
        sign = tf.linalg.slogdet(x).sign
    g = tape.gradient(sign, x)
    assert g is not None
    np.testing.assert_array_equal(to_numpy(g), np.zeros_like(a))


@given(seed=S.seeds, data=st.data())
def test_cholesky_and_logdet_gradients(seed, data):
    """cholesky and logdet of a symmetric parameterisation, first and second order."""
    n = data.draw(st.integers(1, 4), label="n")
    batch = data.draw(_batches(1, 2), label="batch")
    a = data.draw(S.arrays((*batch, n, n), -1.0, 1.0), label="a")
    check_gradients(lambda m: tf.linalg.cholesky(_sym(m)), [a], seed=seed)
    check_gradients(lambda m: tf.linalg.logdet(_sym(m)), [a], seed=seed)


@given(a=well_conditioned(max_n=4, batch=()), lower=st.booleans(), adjoint=st.booleans(),
       seed=S.seeds, data=st.data())
def test_triangular_solve_gradients(a, lower, adjoint, seed, data):
    """d triangular_solve / d(matrix, rhs) with a broadcast rhs batch, first and second order.

    Finite differences only see the triangle that is read, which is exactly TF's
    gradient (the other triangle gets zeros).
    """
    n = a.shape[-1]
    b = data.draw(S.arrays((2, n, 2)), label="b")
    check_gradients(
        lambda m, r: tf.linalg.triangular_solve(m, r, lower=lower, adjoint=adjoint),
        [a, b],
        seed=seed,
    )


def test_logdet_gradient_matches_tf(tf):
    """logdet's gradient through Cholesky is symmetric: inv(x) for symmetric x."""
    x = tf.Variable([[2.0, 1.0], [1.0, 3.0]], dtype=tf.float64)
    with tf.GradientTape() as tape:
        y = tf.linalg.logdet(x)
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), [[0.6, -0.2], [-0.2, 0.4]], rtol=1e-12)


def test_inverse_hessian_symmetry(tf):
    """Second derivatives through inv: the Hessian of sum(inv(x)) is symmetric."""
    x0 = np.array([[3.0, 0.5], [0.2, 2.0]])
    x = tf.constant(x0)
    with tf.GradientTape(persistent=True) as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = tf.reduce_sum(tf.linalg.inv(x))
        g = inner.gradient(y, x)
        flat = tf.reshape(g, [-1])
        rows = [flat[i] for i in range(4)]
    h = np.stack([to_numpy(outer.gradient(r, x)).reshape(-1) for r in rows])
    np.testing.assert_allclose(h, h.T, rtol=1e-10, atol=1e-12)


# --------------------------------------------------------------------------------------
# The TF guide's Newton step (advanced autodiff: a Hessian, regularised and solved)
# --------------------------------------------------------------------------------------


def test_newton_step(tf):
    """``h_mat + eye*1e-3`` solved against ``g_vec`` of shape (40, 1), as in TF's guide."""
    rng = np.random.default_rng(0)
    n = 40
    w = tf.Variable(rng.normal(size=(n, 1)) * 0.1, dtype=tf.float32)
    xs = tf.constant(rng.normal(size=(64, n)), tf.float32)
    ys = tf.constant(rng.normal(size=(64, 1)), tf.float32)
    with tf.GradientTape(persistent=True) as t2:
        with tf.GradientTape() as t1:
            pred = tf.tanh(xs @ w)
            loss = tf.reduce_mean((pred - ys) ** 2)
        g = t1.gradient(loss, w)
    h = t2.jacobian(g, w)
    del t2
    h_mat = tf.reshape(h, [n, n])
    g_vec = tf.reshape(g, [n, 1])
    eye_eps = tf.eye(n) * 1e-3
    update = tf.linalg.solve(h_mat + eye_eps, g_vec)
    assert tuple(update.shape) == (n, 1)
    ref = np.linalg.solve(h_mat.numpy().astype(np.float64) + np.eye(n) * 1e-3, g_vec.numpy())
    np.testing.assert_allclose(update.numpy(), ref, rtol=2e-3, atol=1e-4 * np.abs(ref).max())
    w.assign_sub(tf.reshape(update, w.shape))


def test_namespace():
    """The linalg names are in tapegrad.linalg; TF 2.21 has no top-level matrix_solve etc."""
    for name in ("solve", "inv", "det", "slogdet", "logdet", "cholesky", "triangular_solve"):
        assert hasattr(tf.linalg, name)
    assert not hasattr(tf, "matrix_solve")


def test_matrix_transpose_swaps_last_two_dims(tf):
    """tf.linalg.matrix_transpose / adjoint swap only the last two dims of a batch."""
    x = tf.reshape(tf.range(24.0), (2, 3, 4))
    y = tf.linalg.matrix_transpose(x)
    assert tuple(y.shape) == (2, 4, 3)
    np.testing.assert_array_equal(y.numpy(), np.swapaxes(x.numpy(), -1, -2))
    assert tuple(tf.linalg.adjoint(x).shape) == (2, 4, 3)
    with pytest.raises(ValueError, match="rank >= 2"):
        tf.linalg.matrix_transpose(tf.ones((3,)))

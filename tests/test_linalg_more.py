"""More of ``tf.linalg``: structural ops, eigh/svd/qr/lu, solvers built on them, expm, norms.

Values are compared with numpy (``np.linalg``; a Taylor-series ``expm``), in float64
and float32, on hypothesis-drawn sizes and batch shapes; factors that are unique
only up to signs (eigenvectors, singular vectors) are compared through
sign-invariant forms. Gradients are checked against central finite differences in
float64, first order and nested-tape Hessian-vector products, on matrices whose
eigenvalues (singular values) are well separated, with losses that do not depend
on the factors' signs. Errors and TF's special cases (degenerate eigenvalues, ops
without a gradient) follow TensorFlow 2.21; the file also passes under
``TAPEGRAD_TEST_BACKEND=tensorflow``.
"""

from __future__ import annotations

import numpy as np
import pytest
import strategies as S
from _backend import IS_TF, tf, to_numpy
from gradcheck import check_gradients
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

BAD_INPUT = (tf.errors.InvalidArgumentError, ValueError)


def _batches(max_dims: int = 1, max_side: int = 2):
    return hnp.array_shapes(min_dims=0, max_dims=max_dims, min_side=1, max_side=max_side)


def _orthogonal(rng: np.random.Generator, batch: tuple, n: int) -> np.ndarray:
    q, r = np.linalg.qr(rng.standard_normal((*batch, n, n)))
    return q * np.sign(np.diagonal(r, axis1=-2, axis2=-1))[..., None, :]


@st.composite
def separated_symmetric(draw, max_n: int = 4, batch=None):
    """Symmetric ``[*batch, n, n]`` with eigenvalues at least 0.5 apart (finite differences stay stable)."""
    n = draw(st.integers(1, max_n), label="n")
    if batch is None:
        batch = draw(_batches(), label="batch")
    rng = np.random.default_rng(draw(S.seeds, label="seed"))
    gaps = rng.uniform(0.5, 1.5, size=(*batch, n))
    e = np.cumsum(gaps, axis=-1) - 2.0
    q = _orthogonal(rng, batch, n)
    a = (q * e[..., None, :]) @ np.swapaxes(q, -1, -2)
    return (a + np.swapaxes(a, -1, -2)) / 2


@st.composite
def separated_singular(draw, m=None, n=None, max_side: int = 4, batch=None):
    """``[*batch, m, n]`` with singular values ≥ 0.5 and at least 0.4 apart."""
    if m is None:
        m = draw(st.integers(1, max_side), label="m")
    if n is None:
        n = draw(st.integers(1, max_side), label="n")
    if batch is None:
        batch = draw(_batches(), label="batch")
    rng = np.random.default_rng(draw(S.seeds, label="seed"))
    p = min(m, n)
    s = 0.5 + np.cumsum(rng.uniform(0.4, 1.0, size=(*batch, p)), axis=-1)[..., ::-1]
    u = _orthogonal(rng, batch, m)[..., :p]
    v = _orthogonal(rng, batch, n)[..., :p]
    return (u * s[..., None, :]) @ np.swapaxes(v, -1, -2)


def _sign_fix(vectors: np.ndarray) -> np.ndarray:
    """Columns scaled so their largest-magnitude entry is positive."""
    idx = np.argmax(np.abs(vectors), axis=-2)[..., None, :]
    signs = np.sign(np.take_along_axis(vectors, idx, axis=-2))
    return vectors * np.where(signs == 0, 1.0, signs)


def _np_expm(a: np.ndarray) -> np.ndarray:
    """Reference matrix exponential: Taylor series after scaling, then squaring (float64)."""
    a = np.asarray(a, np.float64)
    norm = np.max(np.sum(np.abs(a), axis=-2), axis=-1, initial=0.0)
    s = int(max(0, np.ceil(np.log2(max(np.max(norm), 1e-300) / 0.25)))) if a.size else 0
    x = a / 2.0**s
    n = a.shape[-1]
    term = np.broadcast_to(np.eye(n), a.shape).copy()
    total = term.copy()
    for k in range(1, 30):
        term = term @ x / k
        total = total + term
    for _ in range(s):
        total = total @ total
    return total


# --------------------------------------------------------------------------------------
# Structural ops: values
# --------------------------------------------------------------------------------------


@given(batch=_batches(2), m=st.integers(1, 4), n=st.integers(1, 4), data=st.data())
def test_matvec_and_matmul_flags(batch, m, n, data):
    """matvec and matmul's transpose/adjoint flags match numpy."""
    a = data.draw(S.arrays((*batch, m, n)), label="a")
    x = data.draw(S.arrays((*batch, n)), label="x")
    y = tf.linalg.matvec(tf.constant(a), tf.constant(x))
    np.testing.assert_allclose(to_numpy(y), (a @ x[..., None])[..., 0], rtol=1e-12, atol=1e-12)
    xt = data.draw(S.arrays((*batch, m)), label="xt")
    yt = tf.linalg.matvec(tf.constant(a), tf.constant(xt), adjoint_a=True)
    want_t = (np.swapaxes(a, -1, -2) @ xt[..., None])[..., 0]
    np.testing.assert_allclose(to_numpy(yt), want_t, rtol=1e-12, atol=1e-12)
    b = data.draw(S.arrays((*batch, m, 2)), label="b")
    for kw in ({"transpose_a": True}, {"adjoint_a": True}):
        got = tf.linalg.matmul(tf.constant(a), tf.constant(b), **kw)
        np.testing.assert_allclose(to_numpy(got), np.swapaxes(a, -1, -2) @ b, rtol=1e-12, atol=1e-12)
    c = data.draw(S.arrays((*batch, 2, n)), label="c")
    got = tf.linalg.matmul(tf.constant(a), tf.constant(c), adjoint_b=True)
    np.testing.assert_allclose(to_numpy(got), a @ np.swapaxes(c, -1, -2), rtol=1e-12, atol=1e-12)


@given(batch=_batches(2), m=st.integers(1, 4), n=st.integers(1, 4), data=st.data())
def test_diagonal_ops_values(batch, m, n, data):
    """trace, diag, diag_part (rectangular), set_diag and band_part match numpy."""
    a = data.draw(S.arrays((*batch, m, n)), label="a")
    k = min(m, n)
    d = data.draw(S.arrays((*batch, k)), label="d")
    x = tf.constant(a)
    want_trace = np.trace(a, axis1=-2, axis2=-1)
    np.testing.assert_allclose(to_numpy(tf.linalg.trace(x)), want_trace, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(to_numpy(tf.linalg.diag_part(x)), np.diagonal(a, axis1=-2, axis2=-1))
    want = a.copy()
    idx = np.arange(k)
    want[..., idx, idx] = d
    np.testing.assert_array_equal(to_numpy(tf.linalg.set_diag(x, tf.constant(d))), want)
    dm = np.zeros((*batch, k, k))
    dm[..., idx, idx] = d
    np.testing.assert_array_equal(to_numpy(tf.linalg.diag(tf.constant(d))), dm)
    lo = data.draw(st.integers(-1, m), label="lower")
    up = data.draw(st.integers(-1, n), label="upper")
    i, j = np.arange(m)[:, None], np.arange(n)[None, :]
    keep = ((lo < 0) | (i - j <= lo)) & ((up < 0) | (j - i <= up))
    np.testing.assert_array_equal(to_numpy(tf.linalg.band_part(x, lo, up)), np.where(keep, a, 0.0))


def test_diag_padding_and_tensor_diag(tf):
    """diag's num_rows/num_cols/padding_value; tensor_diag and tensor_diag_part; cross."""
    d = tf.constant([1.0, 2.0])
    got = tf.linalg.diag(d, num_rows=3, num_cols=2, padding_value=9.0)
    np.testing.assert_array_equal(to_numpy(got), [[1.0, 9.0], [9.0, 2.0], [9.0, 9.0]])
    t = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    td = tf.linalg.tensor_diag(t)
    assert tuple(td.shape) == (2, 2, 2, 2)
    np.testing.assert_array_equal(to_numpy(td)[1, 0, 1, 0], 3.0)
    assert float(np.sum(to_numpy(td))) == 10.0
    np.testing.assert_array_equal(to_numpy(tf.linalg.tensor_diag_part(td)), to_numpy(t))
    c = tf.linalg.cross(tf.constant([1.0, 0.0, 0.0]), tf.constant([0.0, 1.0, 0.0]))
    np.testing.assert_array_equal(to_numpy(c), [0.0, 0.0, 1.0])


def test_band_part_keeps_inf_outside_as_zero(tf):
    """Entries outside the band become 0 even when they are inf (a mask multiply would give NaN)."""
    x = tf.constant([[1.0, np.inf], [np.inf, 2.0]])
    np.testing.assert_array_equal(to_numpy(tf.linalg.band_part(x, 0, 0)), [[1.0, 0.0], [0.0, 2.0]])


# --------------------------------------------------------------------------------------
# Decompositions: values
# --------------------------------------------------------------------------------------


@given(a=separated_symmetric(max_n=5, batch=None))
def test_eigh_values(a):
    """eigh/eigvalsh match np.linalg.eigh (vectors up to sign), float64 and float32; lower triangle only."""
    noisy_upper = a + np.triu(np.full(a.shape, 7.0), 1)  # the upper triangle must not be read
    e, v = tf.linalg.eigh(tf.constant(noisy_upper))
    we, wv = np.linalg.eigh(a)
    assert e.dtype == tf.float64 and tuple(v.shape) == a.shape
    np.testing.assert_allclose(to_numpy(e), we, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(_sign_fix(to_numpy(v)), _sign_fix(wv), rtol=1e-8, atol=1e-8)
    np.testing.assert_allclose(to_numpy(tf.linalg.eigvalsh(tf.constant(a))), we, rtol=1e-10, atol=1e-10)
    e32, v32 = tf.linalg.eigh(tf.constant(a, tf.float32))
    assert e32.dtype == tf.float32 and v32.dtype == tf.float32
    np.testing.assert_allclose(to_numpy(e32), we, rtol=1e-4, atol=1e-4)


@given(a=separated_singular(max_side=5), full=st.booleans())
def test_svd_values(a, full):
    """svd returns (s, u, v) as TF: s descending, a = u diag(s) vᵀ, orthonormal u/v, np's values."""
    m, n = a.shape[-2:]
    p = min(m, n)
    s, u, v = tf.linalg.svd(tf.constant(a), full_matrices=full)
    wu, ws, wvh = np.linalg.svd(a, full_matrices=full)
    np.testing.assert_allclose(to_numpy(s), ws, rtol=1e-10, atol=1e-10)
    assert tuple(u.shape) == wu.shape and tuple(v.shape) == np.swapaxes(wvh, -1, -2).shape
    un, vn = to_numpy(u), to_numpy(v)
    rebuilt = (un[..., :p] * ws[..., None, :]) @ np.swapaxes(vn[..., :p], -1, -2)
    np.testing.assert_allclose(rebuilt, a, atol=1e-10)
    k = un.shape[-1]
    eye = np.broadcast_to(np.eye(k), (*un.shape[:-2], k, k))
    np.testing.assert_allclose(np.swapaxes(un, -1, -2) @ un, eye, atol=1e-10)
    np.testing.assert_allclose(_sign_fix(un[..., :p]), _sign_fix(wu[..., :p]), atol=1e-8)
    wv = np.swapaxes(wvh, -1, -2)
    np.testing.assert_allclose(_sign_fix(vn[..., :p]), _sign_fix(wv[..., :p]), atol=1e-8)
    s_only = tf.linalg.svd(tf.constant(a, tf.float32), compute_uv=False)
    assert s_only.dtype == tf.float32 and tuple(s_only.shape) == ws.shape
    np.testing.assert_allclose(to_numpy(s_only), ws, rtol=1e-4, atol=1e-4)


@given(batch=_batches(2), m=st.integers(1, 5), n=st.integers(1, 5), full=st.booleans(), data=st.data())
def test_qr_values(batch, m, n, full, data):
    """qr matches np.linalg.qr (Householder: same signs), float64 and float32."""
    a = data.draw(S.arrays((*batch, m, n)), label="a")
    q, r = tf.linalg.qr(tf.constant(a), full_matrices=full)
    wq, wr = np.linalg.qr(a, mode="complete" if full else "reduced")
    assert tuple(q.shape) == wq.shape and tuple(r.shape) == wr.shape
    np.testing.assert_allclose(to_numpy(q) @ to_numpy(r), a, atol=1e-10)
    np.testing.assert_array_equal(np.tril(to_numpy(r), -1), 0.0)
    # numpy (LAPACK) and TF (Eigen) are both Householder: the same factors for a full-rank matrix
    k = min(m, n)
    full_rank = data.draw(separated_singular(m=m, n=n, batch=batch), label="full_rank")
    fq, fr = tf.linalg.qr(tf.constant(full_rank), full_matrices=full)
    wq, wr = np.linalg.qr(full_rank, mode="complete" if full else "reduced")
    np.testing.assert_allclose(to_numpy(fq)[..., :k], wq[..., :k], atol=1e-8)
    np.testing.assert_allclose(to_numpy(fr)[..., :k, :], wr[..., :k, :], atol=1e-8)
    q32, r32 = tf.linalg.qr(tf.constant(a, tf.float32))
    assert q32.dtype == tf.float32 and r32.dtype == tf.float32
    res = tf.linalg.qr(tf.constant(a))
    assert hasattr(res, "q") and hasattr(res, "r")


def test_lu_matches_tf(tf):
    """lu's packed factors and permutation are TF's (Eigen's partial pivoting), and they rebuild A."""
    a = tf.constant([[0.0, 2.0, 1.0], [1.0, 1.0, 0.0], [3.0, 0.0, 1.0]], tf.float64)
    lu, p = tf.linalg.lu(a)
    np.testing.assert_allclose(
        to_numpy(lu), [[3.0, 0.0, 1.0], [0.0, 2.0, 1.0], [1.0 / 3.0, 0.5, -5.0 / 6.0]], rtol=1e-14
    )
    assert p.dtype == tf.int32
    np.testing.assert_array_equal(to_numpy(p), [2, 0, 1])
    np.testing.assert_allclose(to_numpy(tf.linalg.lu_reconstruct(lu, p)), to_numpy(a), atol=1e-14)
    p64 = tf.linalg.lu(a, output_idx_type=tf.int64).p
    assert p64.dtype == tf.int64
    with pytest.raises(tf.errors.InvalidArgumentError, match="not invertible"):
        tf.linalg.lu(tf.constant([[1.0, 2.0], [2.0, 4.0]]))


@given(batch=_batches(2), n=st.integers(1, 4), data=st.data())
def test_solvers_values(batch, n, data):
    """lu_solve, lu_matrix_inverse, cholesky_solve match np.linalg.solve/inv."""
    a = data.draw(S.arrays((*batch, n, n)), label="a") + 3.0 * n * np.eye(n)
    b = data.draw(S.arrays((*batch, n, 2)), label="b")
    lu, p = tf.linalg.lu(tf.constant(a))
    np.testing.assert_allclose(to_numpy(tf.linalg.lu_solve(lu, p, tf.constant(b))), np.linalg.solve(a, b),
                               rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(to_numpy(tf.linalg.lu_matrix_inverse(lu, p)), np.linalg.inv(a),
                               rtol=1e-10, atol=1e-12)
    spd = a @ np.swapaxes(a, -1, -2)
    chol = tf.linalg.cholesky(tf.constant(spd))
    np.testing.assert_allclose(to_numpy(tf.linalg.cholesky_solve(chol, tf.constant(b))),
                               np.linalg.solve(spd, b), rtol=1e-8, atol=1e-10)


@given(batch=_batches(1), m=st.integers(1, 5), n=st.integers(1, 5), data=st.data())
def test_lstsq_values(batch, m, n, data):
    """lstsq: fast (normal equations, optional l2) and fast=False (minimum norm) vs numpy."""
    a = data.draw(separated_singular(m=m, n=n, batch=batch), label="a")
    b = data.draw(S.arrays((*batch, m, 2)), label="b")
    want = np.linalg.pinv(a) @ b
    got = tf.linalg.lstsq(tf.constant(a), tf.constant(b))
    np.testing.assert_allclose(to_numpy(got), want, rtol=1e-8, atol=1e-8)
    got = tf.linalg.lstsq(tf.constant(a), tf.constant(b), fast=False)
    np.testing.assert_allclose(to_numpy(got), want, rtol=1e-8, atol=1e-8)
    lam = 0.3
    at = np.swapaxes(a, -1, -2)
    if m >= n:
        reg = np.linalg.solve(at @ a + lam * np.eye(n), at @ b)
    else:
        reg = at @ np.linalg.solve(a @ at + lam * np.eye(m), b)
    got = tf.linalg.lstsq(tf.constant(a), tf.constant(b), l2_regularizer=lam)
    np.testing.assert_allclose(to_numpy(got), reg, rtol=1e-8, atol=1e-8)


def test_lstsq_rank_deficient_min_norm(tf):
    """fast=False gives the minimum-norm solution of a rank-deficient system (TF's values)."""
    a = tf.constant([[1.0, 2.0], [2.0, 4.0], [3.0, 6.0]], tf.float64)
    x = tf.linalg.lstsq(a, tf.ones((3, 1), tf.float64), fast=False)
    np.testing.assert_allclose(to_numpy(x), [[3.0 / 35.0], [6.0 / 35.0]], rtol=1e-10)


@given(batch=_batches(1), m=st.integers(1, 5), n=st.integers(1, 5), rank=st.integers(0, 5), data=st.data())
def test_pinv_and_matrix_rank(batch, m, n, rank, data):
    """pinv and matrix_rank match numpy, including rank-deficient matrices."""
    r = min(rank, m, n)
    left = data.draw(S.arrays((*batch, m, r)), label="left")
    right = data.draw(S.arrays((*batch, r, n)), label="right")
    a = np.round(left, 3) @ np.round(right, 3)  # no subnormal scales: cutoffs there are arbitrary
    want = np.linalg.pinv(a, rcond=10 * max(m, n) * np.finfo(float).eps)
    np.testing.assert_allclose(to_numpy(tf.linalg.pinv(tf.constant(a))), want, rtol=1e-6, atol=1e-8)
    got = tf.linalg.matrix_rank(tf.constant(a))
    assert got.dtype == tf.int32
    np.testing.assert_array_equal(to_numpy(got), np.linalg.matrix_rank(a))


@given(batch=_batches(2), n=st.integers(1, 4), scale=st.sampled_from([0.01, 0.2, 1.0, 4.0, 30.0]),
       data=st.data())
def test_expm_values(batch, n, scale, data):
    """expm matches a Taylor-series reference across the Padé degrees and the squaring path."""
    a = data.draw(S.arrays((*batch, n, n), -1.0, 1.0), label="a") * scale / n
    want = _np_expm(a)
    got = tf.linalg.expm(tf.constant(a))
    # At norm ~30 the entries reach e^30 and the Taylor reference itself loses digits (seen: 2e-8).
    rtol = 1e-9 if scale <= 4.0 else 1e-7
    np.testing.assert_allclose(to_numpy(got), want, rtol=rtol, atol=1e-12 * np.max(np.abs(want), initial=1.0))
    got32 = tf.linalg.expm(tf.constant(a, tf.float32))
    assert got32.dtype == tf.float32
    if scale > 4.0:
        return  # float32 Padé-7 after TF's floor(log2) scaling loses digits there (TF's algorithm)
    big = np.max(np.abs(want), initial=1.0)
    np.testing.assert_allclose(to_numpy(got32), want, rtol=2e-4, atol=2e-5 * big)


def test_expm_mixed_batch_and_known(tf):
    """A batch whose matrices need different degrees and squarings; a nilpotent matrix; a non-finite one."""
    a = np.stack([np.array([[0.0, 1e-3], [0.0, 0.0]]), np.array([[0.0, 6.0], [-6.0, 0.0]]),
                  np.array([[1.0, 2.0], [0.5, -1.0]])])
    np.testing.assert_allclose(to_numpy(tf.linalg.expm(tf.constant(a))), _np_expm(a), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(to_numpy(tf.linalg.expm(tf.constant([[0.0, 1.0], [0.0, 0.0]]))),
                               [[1.0, 1.0], [0.0, 1.0]], atol=1e-7)
    nan = to_numpy(tf.linalg.expm(tf.constant([[np.inf, 0.0], [0.0, 1.0]])))
    assert np.isnan(nan).all()


ORDS = ["euclidean", "fro", 1, 2, np.inf]


@given(batch=_batches(1), m=st.integers(1, 4), n=st.integers(1, 4), ord=st.sampled_from(ORDS),
       keepdims=st.booleans(), data=st.data())
def test_matrix_norms(batch, m, n, ord, keepdims, data):
    """tf.norm / tf.linalg.norm with a matrix axis pair matches np.linalg.norm."""
    a = np.round(data.draw(S.arrays((*batch, m, n)), label="a"), 3)  # no subnormal scales
    np_ord = {"euclidean": "fro", "fro": "fro"}.get(ord, ord)
    want = np.linalg.norm(a, ord=np_ord, axis=(-2, -1), keepdims=keepdims)
    for fn in (tf.norm, tf.linalg.norm):
        got = fn(tf.constant(a), ord=ord, axis=(-2, -1), keepdims=keepdims)
        np.testing.assert_allclose(to_numpy(got), want, rtol=1e-10)
    got = tf.norm(tf.constant(a), ord=ord, axis=[-1, -2])  # swapped axes transpose the matrix
    want_t = np.linalg.norm(np.swapaxes(a, -1, -2), ord=np_ord, axis=(-2, -1))
    np.testing.assert_allclose(to_numpy(got), want_t, rtol=1e-10)


@given(shape=S.shapes(1, 3, max_side=3), ord=st.sampled_from(["euclidean", 1, 2, np.inf, 3, 0.5]),
       data=st.data())
def test_vector_norms_and_normalize(shape, ord, data):
    """Vector norms (axis None or an int) and normalize match numpy."""
    a = data.draw(S.arrays(shape), label="a")
    p = 2 if ord == "euclidean" else ord
    flat = a.reshape(-1)
    want = np.sum(np.abs(flat) ** p) ** (1 / p) if p != np.inf else np.max(np.abs(flat))
    np.testing.assert_allclose(to_numpy(tf.norm(tf.constant(a), ord=ord)), want, rtol=1e-10)
    axis = data.draw(st.integers(-len(shape), len(shape) - 1), label="axis")
    want = np.linalg.norm(a, ord=p, axis=axis, keepdims=True)
    normed, n = tf.linalg.normalize(tf.constant(a), ord=ord, axis=axis)
    np.testing.assert_allclose(to_numpy(n), want, rtol=1e-10)
    np.testing.assert_allclose(to_numpy(normed), a / want, rtol=1e-10)


def test_global_norm_and_operator(tf):
    """global_norm; LinearOperatorFullMatrix's basic methods agree with the dense ops."""
    g = tf.linalg.global_norm([tf.constant([3.0]), tf.constant([[4.0]])])
    assert float(g) == 5.0
    m = np.array([[4.0, 1.0], [1.0, 3.0]])
    op = tf.linalg.LinearOperatorFullMatrix(m, is_self_adjoint=True, is_positive_definite=True)
    assert op.shape.as_list() == [2, 2] and op.domain_dimension == 2 and op.range_dimension == 2
    x = np.array([[1.0], [2.0]])
    np.testing.assert_allclose(to_numpy(op.matmul(x)), m @ x)
    np.testing.assert_allclose(to_numpy(op.matmul(x, adjoint=True)), m.T @ x)
    np.testing.assert_allclose(to_numpy(op.matvec(x[:, 0])), m @ x[:, 0])
    np.testing.assert_allclose(to_numpy(op.solve(x)), np.linalg.solve(m, x))
    np.testing.assert_allclose(to_numpy(op.solvevec(x[:, 0])), np.linalg.solve(m, x[:, 0]))
    np.testing.assert_allclose(to_numpy(op.determinant()), np.linalg.det(m))
    np.testing.assert_allclose(to_numpy(op.log_abs_determinant()), np.log(np.linalg.det(m)))
    np.testing.assert_allclose(to_numpy(op.to_dense()), m)
    np.testing.assert_allclose(to_numpy(op.trace()), 7.0)
    np.testing.assert_allclose(to_numpy(op.diag_part()), [4.0, 3.0])
    np.testing.assert_allclose(to_numpy(op.cholesky().to_dense()), np.linalg.cholesky(m))


def test_operator_gradient_reaches_variable(tf):
    """A Variable inside LinearOperatorFullMatrix gets gradients through solve."""
    v = tf.Variable([[2.0, 0.0], [0.0, 4.0]], dtype=tf.float64)
    op = tf.linalg.LinearOperatorFullMatrix(v)
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(op.solvevec(tf.constant([1.0, 1.0], tf.float64)))
    g = tape.gradient(y, v)
    # d sum(A⁻¹ 1) / dA = −A⁻ᵀ 1 (A⁻¹ 1)ᵀ
    np.testing.assert_allclose(to_numpy(g), [[-0.25, -0.125], [-0.125, -1.0 / 16.0]])


# --------------------------------------------------------------------------------------
# Gradients vs finite differences (float64), first and second order
# --------------------------------------------------------------------------------------


@given(batch=_batches(), m=st.integers(1, 3), n=st.integers(1, 3), seed=S.seeds, data=st.data())
def test_structural_gradients(batch, m, n, seed, data):
    """matvec, trace, diag_part, set_diag, band_part, diag, tensor_diag: first and second order."""
    a = data.draw(S.arrays((*batch, m, n)), label="a")
    x = data.draw(S.arrays((*batch, n)), label="x")
    d = data.draw(S.arrays((*batch, min(m, n))), label="d")
    check_gradients(lambda p, q: tf.linalg.matvec(p, q) ** 2, [a, x], seed=seed)
    check_gradients(lambda p: tf.linalg.trace(p * p), [a], seed=seed)
    check_gradients(lambda p: tf.linalg.diag_part(p) ** 3, [a], seed=seed)
    check_gradients(lambda p, q: tf.linalg.set_diag(p * p, q * q), [a, d], seed=seed)
    check_gradients(lambda p: tf.linalg.band_part(p * p, 1, 0), [a], seed=seed)
    check_gradients(lambda q: tf.linalg.diag(q * q), [d], seed=seed)
    check_gradients(lambda q: tf.linalg.tensor_diag(q * q), [d], seed=seed)


@settings(deadline=None)
@given(a=separated_symmetric(max_n=4), seed=S.seeds)
def test_eigh_gradients(a, seed):
    """eigh (a sign-invariant function of e and v), eigvalsh: TF's rule vs finite differences."""
    check_gradients(lambda x: tf.linalg.eigvalsh(x) ** 2, [a], seed=seed)

    def spectral(x):
        e, v = tf.linalg.eigh(x)
        rebuilt = tf.matmul(v * tf.expand_dims(tf.sin(e), -2), v, transpose_b=True)
        return tf.concat([rebuilt, v * v, tf.expand_dims(e, -2)], axis=-2)

    check_gradients(spectral, [a], seed=seed)


@settings(deadline=None)
@given(a=separated_singular(max_side=4), seed=S.seeds, full=st.booleans())
def test_svd_gradients(a, seed, full):
    """svd (s, and sign-invariant u/v forms; full_matrices where TF has a rule): TF's rule vs FD."""
    m, n = a.shape[-2:]
    p = min(m, n)
    check_gradients(lambda x: tf.linalg.svd(x, compute_uv=False) ** 2, [a], seed=seed)
    if full and abs(m - n) > 1:
        full = False

    def parts(x):
        s, u, v = tf.linalg.svd(x, full_matrices=full)
        u1, v1 = u[..., :p], v[..., :p]
        rebuilt = tf.matmul(u1 * tf.expand_dims(tf.exp(s), -2), v1, transpose_b=True)
        return tf.concat([tf.reshape(rebuilt, [-1]), tf.reshape(u1 * u1, [-1]), tf.reshape(v1 * v1, [-1]),
                          tf.reshape(s, [-1])], axis=0)

    check_gradients(parts, [a], seed=seed)


@settings(deadline=None)
@given(batch=_batches(), m=st.integers(1, 4), n=st.integers(1, 4), full=st.booleans(), seed=S.seeds,
       data=st.data())
def test_qr_gradients(batch, m, n, full, seed, data):
    """qr's q and r (deep, square and wide; full_matrices unless TF has no rule): TF's rule vs FD."""
    if full and m > n:
        full = False
    a = data.draw(separated_singular(m=m, n=n, batch=batch), label="a")

    def both(x):
        q, r = tf.linalg.qr(x, full_matrices=full)
        return tf.concat([tf.reshape(q, [-1]), tf.reshape(r, [-1])], axis=0)

    check_gradients(both, [a], seed=seed)


@settings(deadline=None)
@given(batch=_batches(), n=st.integers(1, 3), seed=S.seeds, data=st.data())
def test_solver_gradients(batch, n, seed, data):
    """cholesky_solve, lu_solve (w.r.t. the factors and rhs), pinv: first and second order."""
    a = data.draw(S.arrays((*batch, n, n), -1.0, 1.0), label="a") + 2.0 * n * np.eye(n)
    b = data.draw(S.arrays((*batch, n, 2)), label="b")
    chol = np.linalg.cholesky(a @ np.swapaxes(a, -1, -2))
    check_gradients(lambda c, r: tf.linalg.cholesky_solve(tf.linalg.band_part(c, -1, 0), r), [chol, b],
                    seed=seed)
    lu, p = tf.linalg.lu(tf.constant(a))
    check_gradients(lambda f, r: tf.linalg.lu_solve(f, p, r), [to_numpy(lu), b], seed=seed)
    # pinv through the SVD: TF's rule is exact only for distinct singular values
    distinct = data.draw(separated_singular(m=n, n=n + 1, batch=batch), label="distinct")
    check_gradients(lambda x: tf.linalg.pinv(x), [distinct], seed=seed)


@settings(deadline=None)
@given(batch=_batches(), m=st.integers(1, 4), n=st.integers(1, 4), l2=st.sampled_from([0.0, 0.5]),
       seed=S.seeds, data=st.data())
def test_lstsq_gradients(batch, m, n, l2, seed, data):
    """lstsq (fast; over- and underdetermined; with l2_regularizer): first and second order."""
    a = data.draw(separated_singular(m=m, n=n, batch=batch), label="a")
    b = data.draw(S.arrays((*batch, m, 2)), label="b")
    check_gradients(lambda x, r: tf.linalg.lstsq(x, r, l2_regularizer=l2), [a, b], seed=seed)


@settings(deadline=None)
@given(batch=_batches(), n=st.integers(1, 3), scale=st.sampled_from([0.05, 0.5, 2.0, 12.0]), seed=S.seeds,
       data=st.data())
def test_expm_gradients(batch, n, scale, seed, data):
    """expm through every Padé degree and with squarings: first and second order."""
    a = data.draw(S.arrays((*batch, n, n), -1.0, 1.0), label="a") * scale / n
    check_gradients(lambda x: tf.linalg.expm(x), [a], seed=seed, reference=_np_expm)


@settings(deadline=None)
@given(m=st.integers(1, 3), n=st.integers(1, 3), ord=st.sampled_from(ORDS), seed=S.seeds, data=st.data())
def test_norm_gradients(m, n, ord, seed, data):
    """Matrix norms (the 2-norm through the SVD) and a vector p-norm: first and second order."""
    a = data.draw(separated_singular(m=m, n=n, batch=(2,)), label="a")
    check_gradients(lambda x: tf.norm(x, ord=ord, axis=[-2, -1]), [a], seed=seed)
    check_gradients(lambda x: tf.norm(x, ord=3, axis=-1), [a + 3.0], seed=seed)


# --------------------------------------------------------------------------------------
# TF's special cases and errors
# --------------------------------------------------------------------------------------


def test_degenerate_eigenvalues_follow_tf(tf):
    """Equal eigenvalues: TF's safe reciprocal makes their cross terms 0, so the gradient is finite."""
    x = tf.Variable(tf.eye(3, dtype=tf.float64))
    with tf.GradientTape() as tape:
        e, v = tf.linalg.eigh(x)
        y = tf.reduce_sum(v) + tf.reduce_sum(e)
    np.testing.assert_allclose(to_numpy(tape.gradient(y, x)), np.eye(3), atol=1e-12)
    with tf.GradientTape() as tape:
        s, u, v = tf.linalg.svd(x)
        y = tf.reduce_sum(u)
    np.testing.assert_allclose(to_numpy(tape.gradient(y, x)), np.zeros((3, 3)), atol=1e-12)


def test_no_gradient_cases(tf):
    """lu has no gradient (LookupError); lstsq fast=False refuses one (ValueError); as TF."""
    x = tf.Variable([[1.0, 2.0], [3.0, 4.0]])
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(tf.linalg.lu(x).lu)
    with pytest.raises(LookupError):
        tape.gradient(y, x)
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(tf.linalg.lstsq(x, tf.ones((2, 1)), fast=False))
    with pytest.raises(ValueError, match="fast=False"):
        tape.gradient(y, x)


def test_unsupported_rules_raise(tf):
    """svd with full_matrices and |m-n| > 1, qr with full_matrices and m > n: TF has no rule."""
    x = tf.Variable(np.arange(8.0).reshape(4, 2) + np.eye(4, 2))
    with tf.GradientTape() as tape:
        s, u, v = tf.linalg.svd(x, full_matrices=True)
        y = tf.reduce_sum(u)
    with pytest.raises((NotImplementedError, tf.errors.InvalidArgumentError)):
        tape.gradient(y, x)
    with tf.GradientTape() as tape:
        q, r = tf.linalg.qr(x, full_matrices=True)
        y = tf.reduce_sum(q)
    with pytest.raises((NotImplementedError, tf.errors.InvalidArgumentError)):
        tape.gradient(y, x)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda tf: tf.linalg.eigh(tf.ones((2, 3))), "square"),
        (lambda tf: tf.linalg.eigh(tf.ones((3,))), "rank"),
        (lambda tf: tf.linalg.eigvalsh(tf.ones((2, 3))), "square"),
        (lambda tf: tf.linalg.svd(tf.ones((3,))), "rank"),
        (lambda tf: tf.linalg.qr(tf.ones((3,))), ""),
        (lambda tf: tf.linalg.lu(tf.ones((2, 3))), "square"),
        (lambda tf: tf.linalg.expm(tf.ones((2, 3))), ""),
        (lambda tf: tf.linalg.set_diag(tf.ones((2, 3)), tf.ones((3,))), ""),
        (lambda tf: tf.linalg.band_part(tf.ones((2, 3)), 3, 0), ""),
        (lambda tf: tf.linalg.diag_part(tf.ones((3,))), ""),
        (lambda tf: tf.linalg.trace(tf.ones((3,))), ""),
    ],
)
def test_bad_shapes_raise(tf, call, match):
    """Bad ranks and shapes raise TF's exception types."""
    with pytest.raises(BAD_INPUT, match=match):
        call(tf)


def test_eigh_nan_and_int_inputs(tf):
    """NaN input to eigh raises as in TF; svd of NaN gives NaNs; integer matrices are refused."""
    with pytest.raises(tf.errors.InvalidArgumentError, match="not successful"):
        tf.linalg.eigh(tf.constant([[np.nan, 2.0], [2.0, 1.0]]))
    s = tf.linalg.svd(tf.constant([[np.nan, 2.0], [1.0, 1.0]]), compute_uv=False)
    assert np.isnan(to_numpy(s)).all()
    with pytest.raises((tf.errors.InvalidArgumentError, TypeError)):
        tf.linalg.eigh(tf.constant([[1, 2], [2, 1]]))


@pytest.mark.parametrize(
    "kwargs",
    [{"ord": "fro"}, {"ord": 0}, {"ord": -1}, {"ord": "nuc", "axis": (0, 1)}, {"axis": (0, 0)},
     {"axis": (0, 1, 2)}],
)
def test_norm_bad_arguments(tf, kwargs):
    """tf.norm rejects unsupported ord/axis combinations with ValueError, as TF."""
    with pytest.raises(ValueError):
        tf.norm(tf.ones((2, 2, 2)), **kwargs)


def test_empty_matrices(tf):
    """Empty matrices: svd of [0, 3] (full) gives an identity v; qr/eigh/expm keep empty shapes."""
    s, u, v = tf.linalg.svd(tf.zeros((0, 3)), full_matrices=True)
    assert tuple(s.shape) == (0,) and tuple(u.shape) == (0, 0)
    np.testing.assert_array_equal(to_numpy(v), np.eye(3))
    e, vv = tf.linalg.eigh(tf.zeros((2, 0, 0)))
    assert tuple(e.shape) == (2, 0) and tuple(vv.shape) == (2, 0, 0)
    q, r = tf.linalg.qr(tf.zeros((3, 0)))
    assert tuple(q.shape) == (3, 0) and tuple(r.shape) == (0, 0)
    assert tuple(tf.linalg.expm(tf.zeros((0, 0))).shape) == (0, 0)


@pytest.mark.skipif(IS_TF, reason="the message wording is tapegrad's")
def test_messages_name_op_and_shape(tf):
    """tapegrad's messages name the op and the shape."""
    with pytest.raises(tf.errors.InvalidArgumentError) as e:
        tf.linalg.eigh(tf.ones((2, 3)))
    assert "SelfAdjointEigV2" in str(e.value) and "[2, 3]" in str(e.value)

"""keras.layers MultiHeadAttention / Attention / AdditiveAttention against NumPy references
(identical weights through ``set_weights``), and their gradients against finite differences."""

from __future__ import annotations

import numpy as np
import pytest
from _backend import tf, to_numpy
from gradcheck import check_gradients
from hypothesis import given
from hypothesis import strategies as st

layers = tf.keras.layers


def _softmax(x, mask=None):
    if mask is not None:
        x = x + (1.0 - mask) * -1e9
    e = np.exp(x - x.max(-1, keepdims=True))
    w = e / e.sum(-1, keepdims=True)
    return w if mask is None else w * mask


def np_mha(q_in, v_in, k_in, ws, heads, key_dim, mask=None):
    wq, bq, wk, bk, wv, bv, wo, bo = ws
    q = np.einsum("abc,cde->abde", q_in, wq) + bq
    k = np.einsum("abc,cde->abde", k_in, wk) + bk
    v = np.einsum("abc,cde->abde", v_in, wv) + bv
    q = q / np.sqrt(key_dim)
    scores = np.einsum("aecd,abcd->acbe", k, q)
    m = None if mask is None else mask[:, None].astype(scores.dtype)
    w = _softmax(scores, m)
    ctx = np.einsum("acbe,aecd->abcd", w, v)
    return np.einsum("abcd,cde->abe", ctx, wo) + bo, w


def mha_weights(rng, dq, dv, dk, heads, key_dim, value_dim, out_dim, dtype=np.float32):
    def r(*s):
        return rng.uniform(-0.5, 0.5, s).astype(dtype)

    return [r(dq, heads, key_dim), r(heads, key_dim), r(dk, heads, key_dim), r(heads, key_dim),
            r(dv, heads, value_dim), r(heads, value_dim), r(heads, value_dim, out_dim), r(out_dim)]


mha_case = st.fixed_dictionaries({
    "batch": st.integers(1, 2),
    "tq": st.integers(1, 4),
    "tv": st.integers(1, 4),
    "dim": st.integers(1, 4),
    "heads": st.integers(1, 3),
    "key_dim": st.integers(1, 3),
    "masked": st.booleans(),
    "causal": st.booleans(),
    "seed": st.integers(0, 2**16),
})


@given(mha_case)
def test_multi_head_attention_matches_numpy(c):
    rng = np.random.default_rng(c["seed"])
    b, tq, tv, d = c["batch"], c["tq"], c["tv"], c["dim"]
    if c["causal"]:
        tv = tq
    q = rng.normal(size=(b, tq, d)).astype(np.float32)
    v = rng.normal(size=(b, tv, d)).astype(np.float32)
    layer = layers.MultiHeadAttention(num_heads=c["heads"], key_dim=c["key_dim"])
    layer(q, v)
    ws = mha_weights(rng, d, d, d, c["heads"], c["key_dim"], c["key_dim"], d)
    layer.set_weights(ws)
    mask = None
    if c["masked"]:
        mask = rng.random((b, tq, tv)) < 0.7
        mask[:, :, 0] = True  # no query row fully masked
    full = None if mask is None else mask.copy()
    if c["causal"]:
        tri = np.tril(np.ones((tq, tv), bool))[None]
        full = tri if full is None else full & tri
    out, scores = layer(q, v, attention_mask=None if mask is None else tf.constant(mask),
                        return_attention_scores=True, use_causal_mask=c["causal"])
    want, want_scores = np_mha(q.astype(np.float64), v.astype(np.float64), v.astype(np.float64),
                               [w.astype(np.float64) for w in ws], c["heads"], c["key_dim"], full)
    np.testing.assert_allclose(to_numpy(out), want, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(to_numpy(scores), want_scores, rtol=1e-4, atol=1e-5)


def test_multi_head_attention_weight_layout():
    layer = layers.MultiHeadAttention(num_heads=2, key_dim=3, value_dim=4, output_shape=5)
    q = np.zeros((1, 2, 6), np.float32)
    v = np.zeros((1, 3, 7), np.float32)
    out = layer(q, v)
    assert tuple(out.shape) == (1, 2, 5)
    assert [tuple(w.shape) for w in layer.weights] == [
        (6, 2, 3), (2, 3), (7, 2, 3), (2, 3), (7, 2, 4), (2, 4), (2, 4, 5), (5,)
    ]


@pytest.mark.tapegrad_only
def test_multi_head_attention_variable_names():
    tf.keras.backend.clear_session()
    layer = layers.MultiHeadAttention(num_heads=2, key_dim=3)
    x = np.zeros((1, 2, 4), np.float32)
    layer(x, x)
    assert [w.name for w in layer.weights][:2] == [
        "multi_head_attention/query/kernel:0", "multi_head_attention/query/bias:0"
    ]
    assert layer.weights[-1].name == "multi_head_attention/attention_output/bias:0"


def test_multi_head_attention_key_differs_from_value():
    rng = np.random.default_rng(1)
    q = rng.normal(size=(2, 3, 4)).astype(np.float32)
    v = rng.normal(size=(2, 5, 2)).astype(np.float32)
    k = rng.normal(size=(2, 5, 3)).astype(np.float32)
    layer = layers.MultiHeadAttention(num_heads=2, key_dim=2)
    layer(q, v, k)
    ws = mha_weights(rng, 4, 2, 3, 2, 2, 2, 4)
    layer.set_weights(ws)
    want, _ = np_mha(q, v, k, ws, 2, 2)
    np.testing.assert_allclose(to_numpy(layer(q, v, k)), want, rtol=1e-4, atol=1e-5)


def test_multi_head_attention_gradients_float64():
    rng = np.random.default_rng(2)
    layer = layers.MultiHeadAttention(num_heads=2, key_dim=2, dtype="float64")
    q = rng.normal(size=(1, 3, 3))
    v = rng.normal(size=(1, 2, 3))
    layer(q, v)
    check_gradients(lambda a, b: layer(a, b), [q, v], order=2)


def np_attention(q, v, k, scale=None, causal=False, v_mask=None, q_mask=None):
    scores = q @ np.swapaxes(k, -1, -2)
    if scale is not None:
        scores = scores * scale
    keep = np.ones(scores.shape, bool)
    if v_mask is not None:
        keep &= v_mask[:, None, :]
    if causal:
        keep &= np.tril(np.ones(scores.shape[-2:], bool))[None]
    scores = scores - 1e9 * (~keep)
    e = np.exp(scores - scores.max(-1, keepdims=True))
    w = e / e.sum(-1, keepdims=True)
    out = w @ v
    if q_mask is not None:
        out = out * q_mask[..., None]
    return out, w


@pytest.mark.parametrize("use_scale", [False, True])
@pytest.mark.parametrize("causal", [False, True])
def test_dot_attention_matches_numpy(use_scale, causal):
    rng = np.random.default_rng(3)
    q = rng.normal(size=(2, 3, 4)).astype(np.float32)
    v = rng.normal(size=(2, 3, 4)).astype(np.float32)
    k = rng.normal(size=(2, 3, 4)).astype(np.float32)
    layer = layers.Attention(use_scale=use_scale)
    layer([q, v, k])
    if use_scale:
        layer.set_weights([np.array(1.7, np.float32)])
    v_mask = np.array([[True, True, False], [True, False, True]])
    q_mask = np.array([[True, False, True], [True, True, True]])
    out, w = layer([q, v, k], mask=[tf.constant(q_mask), tf.constant(v_mask)], return_attention_scores=True,
                   use_causal_mask=causal)
    want, want_w = np_attention(q, v, k, 1.7 if use_scale else None, causal, v_mask, q_mask)
    np.testing.assert_allclose(to_numpy(out), want, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(to_numpy(w), want_w, rtol=1e-5, atol=1e-6)


def test_additive_attention_matches_numpy():
    rng = np.random.default_rng(4)
    q = rng.normal(size=(2, 3, 4)).astype(np.float32)
    v = rng.normal(size=(2, 5, 4)).astype(np.float32)
    layer = layers.AdditiveAttention()
    layer([q, v])
    scale = rng.normal(size=(4,)).astype(np.float32)
    layer.set_weights([scale])
    scores = np.sum(scale * np.tanh(q[:, :, None, :] + v[:, None, :, :]), axis=-1)
    e = np.exp(scores - scores.max(-1, keepdims=True))
    want = (e / e.sum(-1, keepdims=True)) @ v
    np.testing.assert_allclose(to_numpy(layer([q, v])), want, rtol=1e-5, atol=1e-6)


def test_attention_needs_a_list():
    with pytest.raises(ValueError):
        layers.Attention()(np.zeros((1, 2, 3), np.float32))

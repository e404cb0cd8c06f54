"""keras.layers SimpleRNN / LSTM / GRU / RNN(cell) / Bidirectional / TimeDistributed.

Values are checked against a NumPy transcription of Keras' cells (so the same tests
pass under TAPEGRAD_TEST_BACKEND=tensorflow with identical weights set through
``set_weights``); gradients against central finite differences of that reference in
float64.
"""

from __future__ import annotations

import numpy as np
import pytest
from _backend import tf, to_numpy
from gradcheck import check_gradients
from hypothesis import given
from hypothesis import strategies as st

layers = tf.keras.layers
KINDS = ["simple", "lstm", "gru", "gru_v1"]


def _sig(x):
    return 1.0 / (1.0 + np.exp(-x))


def np_rnn(kind, x, weights, h0=None, c0=None, mask=None, go_backwards=False, activation=np.tanh):
    """Keras' recurrent layers in NumPy: (outputs in processing order, final h, final c)."""
    kernel, rec = weights[0], weights[1]
    bias = weights[2] if len(weights) > 2 else None
    batch, steps, _ = x.shape
    n = rec.shape[0]
    h = np.zeros((batch, n), x.dtype) if h0 is None else h0
    c = np.zeros((batch, n), x.dtype) if c0 is None else c0
    outs = []
    order = range(steps - 1, -1, -1) if go_backwards else range(steps)
    for t in order:
        xt = x[:, t]
        cn = c
        if kind == "simple":
            hn = activation(xt @ kernel + h @ rec + (0 if bias is None else bias))
        elif kind == "lstm":
            z = xt @ kernel + h @ rec + (0 if bias is None else bias)
            i, f, g, o = (z[:, k * n:(k + 1) * n] for k in range(4))
            cn = _sig(f) * c + _sig(i) * np.tanh(g)
            hn = _sig(o) * np.tanh(cn)
        elif kind == "gru":
            xz = xt @ kernel + (0 if bias is None else bias[0])
            r_ = h @ rec + (0 if bias is None else bias[1])
            z = _sig(xz[:, :n] + r_[:, :n])
            r = _sig(xz[:, n:2 * n] + r_[:, n:2 * n])
            hh = np.tanh(xz[:, 2 * n:] + r * r_[:, 2 * n:])
            hn = z * h + (1 - z) * hh
        else:  # gru_v1: reset before the recurrent product
            xz = xt @ kernel + (0 if bias is None else bias)
            z = _sig(xz[:, :n] + h @ rec[:, :n])
            r = _sig(xz[:, n:2 * n] + h @ rec[:, n:2 * n])
            hh = np.tanh(xz[:, 2 * n:] + (r * h) @ rec[:, 2 * n:])
            hn = z * h + (1 - z) * hh
        out = hn
        if mask is not None:
            # Keras: a masked step carries the state and repeats the previous output (zeros at first)
            m = mask[:, t:t + 1].astype(bool)
            out = np.where(m, hn, outs[-1] if outs else np.zeros_like(hn))
            hn = np.where(m, hn, h)
            cn = np.where(m, cn, c)
        h, c = hn, cn
        outs.append(out)
    return np.stack(outs, axis=1), h, c


def make_layer(kind, units, **kwargs):
    if kind == "simple":
        return layers.SimpleRNN(units, **kwargs)
    if kind == "lstm":
        return layers.LSTM(units, **kwargs)
    if kind == "gru":
        return layers.GRU(units, **kwargs)
    return layers.GRU(units, reset_after=False, **kwargs)


def random_weights(kind, features, units, rng, dtype=np.float32, scale=0.6):
    gates = {"simple": 1, "lstm": 4, "gru": 3, "gru_v1": 3}[kind]
    kernel = rng.uniform(-scale, scale, (features, gates * units)).astype(dtype)
    rec = rng.uniform(-scale, scale, (units, gates * units)).astype(dtype)
    bias_shape = (2, 3 * units) if kind == "gru" else (gates * units,)
    bias = rng.uniform(-scale, scale, bias_shape).astype(dtype)
    return [kernel, rec, bias]


def built_layer(kind, units, x, weights, **kwargs):
    layer = make_layer(kind, units, **kwargs)
    layer(x[:, :1])  # build
    layer.set_weights(weights)
    return layer


case = st.fixed_dictionaries({
    "kind": st.sampled_from(KINDS),
    "batch": st.integers(1, 3),
    "steps": st.integers(1, 5),
    "features": st.integers(1, 3),
    "units": st.integers(1, 4),
    "go_backwards": st.booleans(),
    "masked": st.booleans(),
    "seed": st.integers(0, 2**16),
})


def _mask(rng, batch, steps):
    return rng.random((batch, steps)) < 0.7


@given(case)
def test_values_match_keras_cells(c):
    rng = np.random.default_rng(c["seed"])
    x = rng.normal(size=(c["batch"], c["steps"], c["features"])).astype(np.float32)
    weights = random_weights(c["kind"], c["features"], c["units"], rng)
    mask = _mask(rng, c["batch"], c["steps"]) if c["masked"] else None
    layer = built_layer(c["kind"], c["units"], x, weights, return_sequences=True, return_state=True,
                        go_backwards=c["go_backwards"])
    result = layer(x, mask=None if mask is None else tf.constant(mask))
    seq, h, cc = np_rnn(c["kind"], x.astype(np.float64), [w.astype(np.float64) for w in weights],
                        mask=mask, go_backwards=c["go_backwards"])
    np.testing.assert_allclose(to_numpy(result[0]), seq, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(to_numpy(result[1]), h, rtol=1e-5, atol=1e-5)
    assert len(result) == (3 if c["kind"] == "lstm" else 2)
    if c["kind"] == "lstm":
        assert len(result) == 3
        np.testing.assert_allclose(to_numpy(result[2]), cc, rtol=1e-5, atol=1e-5)
    else:
        assert len(result) == 2
    assert result[0].dtype == tf.float32


@pytest.mark.parametrize("kind", KINDS)
def test_last_output_and_initial_state(kind):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 4, 3)).astype(np.float32)
    weights = random_weights(kind, 3, 5, rng)
    h0 = rng.normal(size=(2, 5)).astype(np.float32)
    c0 = rng.normal(size=(2, 5)).astype(np.float32)
    layer = built_layer(kind, 5, x, weights)
    init = [tf.constant(h0), tf.constant(c0)] if kind == "lstm" else [tf.constant(h0)]
    out = layer(x, initial_state=init)
    _, h, _ = np_rnn(kind, x.astype(np.float64), weights, h0=h0, c0=c0)
    assert tuple(out.shape) == (2, 5)
    np.testing.assert_allclose(to_numpy(out), h, rtol=1e-5, atol=1e-5)


def test_simple_rnn_other_activation_runs_step_by_step():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(2, 3, 2)).astype(np.float32)
    weights = random_weights("simple", 2, 3, rng)
    layer = built_layer("simple", 3, x, weights, activation="relu", return_sequences=True)
    mask = np.array([[1, 0, 1], [1, 1, 0]], bool)
    out = layer(x, mask=tf.constant(mask))
    seq, _, _ = np_rnn("simple", x, weights, mask=mask, activation=lambda v: np.maximum(v, 0))
    np.testing.assert_allclose(to_numpy(out), seq, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kind", KINDS)
def test_weight_shapes_and_keras_initializers(kind):
    layer = make_layer(kind, 4)
    layer(np.zeros((2, 3, 5), np.float32))
    weights = layer.get_weights()
    gates = {"simple": 1, "lstm": 4, "gru": 3, "gru_v1": 3}[kind]
    assert [w.shape for w in weights] == [
        (5, gates * 4), (4, gates * 4), (2, 12) if kind == "gru" else (gates * 4,)
    ]
    rec = weights[1].astype(np.float64)
    # orthogonal recurrent kernel: rows orthonormal
    np.testing.assert_allclose(rec @ rec.T, np.eye(4), atol=1e-5)
    expected_bias = np.zeros_like(weights[2])
    if kind == "lstm":
        expected_bias[4:8] = 1.0  # unit_forget_bias
    np.testing.assert_array_equal(weights[2], expected_bias)
    assert len(layer.trainable_weights) == 3


@pytest.mark.tapegrad_only
def test_variable_names_follow_tf_keras_2():
    tf.keras.backend.clear_session()
    lstm = layers.LSTM(2)
    lstm(np.zeros((1, 2, 3), np.float32))
    assert [w.name for w in lstm.weights] == [
        "lstm/lstm_cell/kernel:0", "lstm/lstm_cell/recurrent_kernel:0", "lstm/lstm_cell/bias:0"
    ]
    gru = layers.GRU(2)
    gru(np.zeros((1, 2, 3), np.float32))
    assert gru.weights[0].name == "gru/gru_cell/kernel:0"
    bi = layers.Bidirectional(layers.SimpleRNN(2))
    bi(np.zeros((1, 2, 3), np.float32))
    assert [w.name for w in bi.weights][:1] == ["bidirectional/forward_simple_rnn/simple_rnn_cell/kernel:0"]
    assert bi.weights[3].name == "bidirectional/backward_simple_rnn/simple_rnn_cell/kernel:0"


grad_case = st.fixed_dictionaries({
    "kind": st.sampled_from(KINDS),
    "batch": st.integers(1, 2),
    "steps": st.integers(1, 4),
    "features": st.integers(1, 2),
    "units": st.integers(1, 3),
    "go_backwards": st.booleans(),
    "masked": st.booleans(),
    "sequences": st.booleans(),
    "seed": st.integers(0, 2**16),
})


@given(grad_case)
def test_gradients_match_finite_differences_float64(c):
    rng = np.random.default_rng(c["seed"])
    kind, units = c["kind"], c["units"]
    x = rng.normal(size=(c["batch"], c["steps"], c["features"]))
    weights = random_weights(kind, c["features"], units, rng, dtype=np.float64)
    h0 = rng.normal(size=(c["batch"], units))
    c0 = rng.normal(size=(c["batch"], units))
    mask = _mask(rng, c["batch"], c["steps"]) if c["masked"] else None
    layer = built_layer(kind, units, x, weights, return_sequences=c["sequences"], return_state=True,
                        go_backwards=c["go_backwards"], dtype="float64")
    n_states = 2 if kind == "lstm" else 1
    out_shapes = [(c["batch"], c["steps"], units) if c["sequences"] else (c["batch"], units)]
    out_shapes += [(c["batch"], units)] * n_states
    proj = [rng.normal(size=s) for s in out_shapes]

    def loss_np(x_, h0_, c0_, ws):
        seq, h, cc = np_rnn(kind, x_, ws, h0=h0_, c0=c0_, mask=mask, go_backwards=c["go_backwards"])
        outs = [seq if c["sequences"] else seq[:, -1], h] + ([cc] if kind == "lstm" else [])
        return sum(float(np.sum(p * o)) for p, o in zip(proj, outs))

    xt, h0t, c0t = tf.constant(x), tf.constant(h0), tf.constant(c0)
    with tf.GradientTape() as tape:
        tape.watch([xt, h0t, c0t])
        init = [h0t, c0t] if kind == "lstm" else [h0t]
        outs = layer(xt, mask=None if mask is None else tf.constant(mask), initial_state=init)
        loss = tf.add_n([tf.reduce_sum(tf.constant(p) * o) for p, o in zip(proj, outs)])
    sources = [xt, h0t] + ([c0t] if kind == "lstm" else []) + list(layer.trainable_weights)
    grads = [to_numpy(g) for g in tape.gradient(loss, sources)]
    np.testing.assert_allclose(float(to_numpy(loss)), loss_np(x, h0, c0, weights), rtol=1e-10)

    eps = 1e-6

    def numeric(arrays, which):
        g = np.zeros_like(arrays[which])
        for j in range(g.size):
            plus = [a.copy() for a in arrays]
            minus = [a.copy() for a in arrays]
            plus[which].reshape(-1)[j] += eps
            minus[which].reshape(-1)[j] -= eps
            lp = loss_np(plus[0], plus[1], plus[2], plus[3:])
            lm = loss_np(minus[0], minus[1], minus[2], minus[3:])
            g.reshape(-1)[j] = (lp - lm) / (2 * eps)
        return g

    arrays = [x, h0, c0, *weights]
    index = [0, 1] + ([2] if kind == "lstm" else []) + [3, 4, 5]
    for g, which in zip(grads, index):
        np.testing.assert_allclose(g, numeric(arrays, which), rtol=1e-6, atol=1e-7, err_msg=f"input {which}")


def test_input_gradient_of_fused_lstm_with_gradcheck():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 3, 2))
    layer = built_layer("lstm", 3, x, random_weights("lstm", 2, 3, rng, dtype=np.float64),
                        return_sequences=True, dtype="float64")
    check_gradients(lambda v: layer(v), [x], order=1)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("masked", [False, True])
def test_second_order_through_fused_sequence(kind, masked):
    rng = np.random.default_rng(4)
    x = rng.normal(size=(2, 3, 2))
    mask = tf.constant(np.array([[True, False, True], [True, True, False]])) if masked else None
    layer = built_layer(kind, 2, x, random_weights(kind, 2, 2, rng, dtype=np.float64),
                        return_sequences=True, go_backwards=masked, dtype="float64")
    check_gradients(lambda v: layer(v, mask=mask), [x], order=2)


def test_second_order_through_step_by_step_cell():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(1, 2, 2))
    layer = built_layer("simple", 2, x, random_weights("simple", 2, 2, rng, dtype=np.float64),
                        activation="sigmoid", dtype="float64")
    check_gradients(lambda v: layer(v), [x], order=2)


@pytest.mark.parametrize("merge_mode", ["concat", "sum", "mul", "ave", None])
def test_bidirectional_matches_both_directions(merge_mode):
    rng = np.random.default_rng(6)
    x = rng.normal(size=(2, 4, 3)).astype(np.float32)
    wf = random_weights("lstm", 3, 2, rng)
    wb = random_weights("lstm", 3, 2, rng)
    bi = layers.Bidirectional(layers.LSTM(2, return_sequences=True), merge_mode=merge_mode)
    bi(x)
    bi.set_weights(wf + wb)
    out = bi(x)
    f, _, _ = np_rnn("lstm", x, wf)
    b, _, _ = np_rnn("lstm", x, wb, go_backwards=True)
    b = b[:, ::-1]
    want = {"concat": lambda: np.concatenate([f, b], -1), "sum": lambda: f + b, "mul": lambda: f * b,
            "ave": lambda: (f + b) / 2, None: lambda: [f, b]}[merge_mode]()
    if merge_mode is None:
        for o, w in zip(out, want):
            np.testing.assert_allclose(to_numpy(o), w, rtol=1e-5, atol=1e-6)
    else:
        np.testing.assert_allclose(to_numpy(out), want, rtol=1e-5, atol=1e-6)


def test_bidirectional_return_state_and_last_output():
    rng = np.random.default_rng(7)
    x = rng.normal(size=(2, 3, 2)).astype(np.float32)
    bi = layers.Bidirectional(layers.GRU(3, return_state=True))
    out = bi(x)
    assert len(out) == 3
    assert tuple(out[0].shape) == (2, 6)
    np.testing.assert_allclose(to_numpy(out[0])[:, :3], to_numpy(out[1]), rtol=1e-6)
    np.testing.assert_allclose(to_numpy(out[0])[:, 3:], to_numpy(out[2]), rtol=1e-6)


def test_time_distributed_dense():
    rng = np.random.default_rng(8)
    x = rng.normal(size=(2, 3, 4)).astype(np.float32)
    td = layers.TimeDistributed(layers.Dense(5))
    out = td(x)
    kernel, bias = td.get_weights()
    assert tuple(out.shape) == (2, 3, 5)
    np.testing.assert_allclose(to_numpy(out), x @ kernel + bias, rtol=1e-5, atol=1e-6)


def test_rnn_with_generic_cell_matches_layer():
    rng = np.random.default_rng(9)
    x = rng.normal(size=(2, 3, 2)).astype(np.float32)
    weights = random_weights("gru", 2, 3, rng)
    rnn = layers.RNN(layers.GRUCell(3), return_sequences=True)
    rnn(x)
    rnn.set_weights(weights)
    seq, _, _ = np_rnn("gru", x, weights)
    np.testing.assert_allclose(to_numpy(rnn(x)), seq, rtol=1e-5, atol=1e-6)


def test_dropout_only_while_training():
    rng = np.random.default_rng(10)
    x = rng.normal(size=(4, 3, 5)).astype(np.float32)
    weights = random_weights("lstm", 5, 3, rng)
    layer = built_layer("lstm", 3, x, weights, dropout=0.5, recurrent_dropout=0.5)
    _, h, _ = np_rnn("lstm", x, weights)
    np.testing.assert_allclose(to_numpy(layer(x)), h, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(to_numpy(layer(x, training=False)), h, rtol=1e-5, atol=1e-6)
    trained = to_numpy(layer(x, training=True))
    assert trained.shape == (4, 3)
    assert not np.allclose(trained, h, atol=1e-4)


def test_rank_two_input_is_rejected():
    layer = layers.LSTM(2)
    with pytest.raises(ValueError):
        layer(np.zeros((2, 3), np.float32))


def test_lstm_text_classifier_trains():
    rng = np.random.default_rng(11)
    vocab, steps, batch = 20, 6, 16
    ids = rng.integers(1, vocab, size=(batch, steps))
    ids[: batch // 2, -2:] = 0  # padding
    labels = (ids[:, 0] % 2).astype(np.int32)
    emb = layers.Embedding(vocab, 8)
    lstm = layers.LSTM(8)
    dense = layers.Dense(2)
    loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    opt = tf.keras.optimizers.Adam(0.05)
    losses = []
    for _ in range(15):
        with tf.GradientTape() as tape:
            e = emb(ids)
            h = lstm(e, mask=tf.not_equal(tf.constant(ids), 0))
            loss = loss_fn(labels, dense(h))
        variables = emb.trainable_weights + lstm.trainable_weights + dense.trainable_weights
        grads = tape.gradient(loss, variables)
        opt.apply_gradients(zip(grads, variables))
        losses.append(float(to_numpy(loss)))
    assert losses[-1] < 0.5 * losses[0]


def test_sequential_text_model_with_bidirectional_lstm_trains():
    rng = np.random.default_rng(13)
    ids = rng.integers(1, 30, size=(8, 7))
    labels = (ids[:, 0] > 15).astype(np.int32)
    model = tf.keras.Sequential([
        layers.Embedding(30, 6),
        layers.Bidirectional(layers.LSTM(5, return_sequences=True)),
        layers.GRU(4),
        layers.Dense(2),
    ])
    loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    opt = tf.keras.optimizers.SGD(0.5)
    first = None
    for _ in range(10):
        with tf.GradientTape() as tape:
            loss = loss_fn(labels, model(ids))
        grads = tape.gradient(loss, model.trainable_variables)
        assert all(g is not None for g in grads)
        opt.apply_gradients(zip(grads, model.trainable_variables))
        first = float(to_numpy(loss)) if first is None else first
    assert float(to_numpy(loss)) < first
    assert len(model.trainable_variables) == 1 + 6 + 3 + 2

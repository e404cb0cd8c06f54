"""The functional API: keras.Input, KerasTensors through layers, operators and tf ops,
keras.Model(inputs, outputs) with lists and dicts, shared layers, nested models,
Sequential with an input shape, get_layer, summary and count_params.

Values are computed with NumPy from the weights, so the same expectations hold
for TF 2.21's Keras (``TAPEGRAD_TEST_BACKEND=tensorflow``)."""

from __future__ import annotations

import numpy as np
import pytest
from _backend import IS_TF, tf

keras = tf.keras


def _dense_np(x, layer, activation=None):
    kernel, bias = layer.get_weights()
    y = x @ kernel + bias
    if activation == "relu":
        y = np.maximum(y, 0.0)
    return y


def _data(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


def test_input_shape_dtype_and_name():
    x = keras.Input(shape=(3,), name="features")
    assert tuple(x.shape) == (None, 3)
    assert x.dtype == tf.float32
    assert x.name == "features"
    assert tuple(keras.Input((3,), batch_size=8).shape) == (8, 3)
    assert keras.Input((4,), dtype="int32").dtype == tf.int32
    assert tuple(keras.layers.Input(shape=(None, 5)).shape) == (None, None, 5)


def test_input_needs_a_shape():
    with pytest.raises(ValueError, match="shape"):
        keras.Input()


def test_layer_call_on_keras_tensor_infers_shape_and_builds():
    x = keras.Input(shape=(3,))
    dense = keras.layers.Dense(4)
    y = dense(x)
    assert tuple(y.shape) == (None, 4)
    assert dense.built and tuple(dense.kernel.shape) == (3, 4)
    z = keras.layers.Reshape((2, 2))(y)
    assert tuple(z.shape) == (None, 2, 2)
    f = keras.layers.Flatten()(z)
    assert tuple(f.shape) == (None, 4)


def test_two_inputs_two_outputs_values():
    a = keras.Input(shape=(3,), name="a")
    b = keras.Input(shape=(2,), name="b")
    merged = keras.layers.Concatenate()([a, b])
    hidden = keras.layers.Dense(4, activation="relu", name="hidden")(merged)
    out1 = keras.layers.Dense(1, name="out1")(hidden)
    out2 = keras.layers.Dense(2, name="out2")(hidden)
    model = keras.Model(inputs=[a, b], outputs=[out1, out2])
    assert [t.name for t in model.inputs] == ["a", "b"]
    assert len(model.outputs) == 2
    xa, xb = _data(5, 3), _data(5, 2, seed=1)
    y1, y2 = model([xa, xb])
    h = _dense_np(np.concatenate([xa, xb], -1), model.get_layer("hidden"), "relu")
    np.testing.assert_allclose(y1.numpy(), _dense_np(h, model.get_layer("out1")), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(y2.numpy(), _dense_np(h, model.get_layer("out2")), rtol=1e-5, atol=1e-6)


def test_dict_inputs_and_outputs():
    a = keras.Input(shape=(3,), name="a")
    b = keras.Input(shape=(3,), name="b")
    s = keras.layers.Add()([a, b])
    d = keras.layers.Dense(2, name="proj")(s)
    model = keras.Model(inputs={"a": a, "b": b}, outputs={"sum": s, "proj": d})
    xa, xb = _data(4, 3), _data(4, 3, seed=2)
    out = model({"a": xa, "b": xb})
    assert set(out) == {"sum", "proj"}
    np.testing.assert_allclose(out["sum"].numpy(), xa + xb, rtol=1e-6)
    np.testing.assert_allclose(
        out["proj"].numpy(), _dense_np(xa + xb, model.get_layer("proj")), rtol=1e-5, atol=1e-6
    )


def test_shared_layer_has_two_nodes_and_one_set_of_weights():
    a = keras.Input(shape=(3,))
    b = keras.Input(shape=(3,))
    shared = keras.layers.Dense(2, name="shared")
    first = shared(a)
    out = keras.layers.Add()([first, shared(b)])
    model = keras.Model([a, b], out)
    assert len(model.trainable_weights) == 2
    assert model.count_params() == 8
    xa, xb = _data(2, 3), _data(2, 3, seed=3)
    expected = _dense_np(xa, shared) + _dense_np(xb, shared)
    np.testing.assert_allclose(model([xa, xb]).numpy(), expected, rtol=1e-5, atol=1e-6)
    assert shared.output is first  # the first call's, as in Keras 3


def test_layer_input_and_output_views():
    x = keras.Input(shape=(3,))
    dense = keras.layers.Dense(2)
    y = dense(x)
    assert dense.input is x
    assert dense.output is y
    assert tuple(dense.output.shape) == (None, 2)


def test_nested_functional_model_used_as_layer():
    inner_in = keras.Input(shape=(3,))
    inner = keras.Model(inner_in, keras.layers.Dense(2, name="inner_dense")(inner_in), name="inner")
    x = keras.Input(shape=(3,))
    y = keras.layers.Dense(1, name="head")(inner(x))
    outer = keras.Model(x, y)
    assert [layer.name for layer in outer.layers][1:] == ["inner", "head"]
    assert outer.count_params() == 8 + 3
    data = _data(4, 3)
    expected = _dense_np(_dense_np(data, inner.get_layer("inner_dense")), outer.get_layer("head"))
    np.testing.assert_allclose(outer(data).numpy(), expected, rtol=1e-5, atol=1e-6)
    inner.trainable = False
    assert len(outer.trainable_weights) == 2
    assert len(outer.non_trainable_weights) == 2


def test_sequential_with_input_is_built_at_once():
    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(3), keras.layers.Dense(1)])
    assert model.built
    assert len(model.layers) == 2
    assert tuple(model.inputs[0].shape) == (None, 4)
    assert tuple(model.outputs[0].shape) == (None, 1)
    assert model.count_params() == 4 * 3 + 3 + 3 + 1


def test_sequential_with_input_shape_is_built_at_once():
    model = keras.Sequential([keras.layers.Dense(3, input_shape=(4,)), keras.layers.Dense(2)])
    assert model.built
    assert model.count_params() == 15 + 8


def test_sequential_used_in_functional_model():
    seq = keras.Sequential([keras.layers.Dense(3, activation="relu"), keras.layers.Dense(1)])
    x = keras.Input(shape=(2,))
    model = keras.Model(x, seq(x))
    data = _data(3, 2)
    expected = _dense_np(_dense_np(data, seq.layers[0], "relu"), seq.layers[1])
    np.testing.assert_allclose(model(data).numpy(), expected, rtol=1e-5, atol=1e-6)


def test_unbuilt_count_params_raises():
    with pytest.raises(ValueError, match="isn't built"):
        keras.Sequential([keras.layers.Dense(3)]).count_params()


def test_get_layer_by_name_and_index():
    x = keras.Input(shape=(3,), name="x_in")
    y = keras.layers.Dense(2, name="d1")(x)
    model = keras.Model(x, keras.layers.Dense(1, name="d2")(y))
    assert [layer.name for layer in model.layers] == ["x_in", "d1", "d2"]
    assert model.get_layer("d1") is model.layers[1]
    assert model.get_layer(index=2).name == "d2"
    with pytest.raises(ValueError, match="No such layer: zz"):
        model.get_layer("zz")
    with pytest.raises(ValueError, match="index 10"):
        model.get_layer(index=10)


def test_summary_table_lists_layers_and_totals():
    a = keras.Input(shape=(3,), name="a")
    b = keras.Input(shape=(3,), name="b")
    c = keras.layers.Concatenate(name="cat")([a, b])
    y = keras.layers.Dense(4, name="dense_out")(c)
    model = keras.Model([a, b], y)
    lines = []
    model.summary(print_fn=lambda *args, **kwargs: lines.append(str(args[0]) if args else ""))
    text = "\n".join(lines)
    for expected in (
        "Layer (type)",
        "Output Shape",
        "Param #",
        "Connected to",
        "a (InputLayer)",
        "(None, 6)",
        "dense_out (Dense)",
        "a[0][0]",
        "cat[0][0]",
        "Total params: 28",
        "Trainable params: 28",
        "Non-trainable params: 0",
    ):
        assert expected in text, expected


def test_operators_on_keras_tensors():
    x = keras.Input(shape=(3,))
    y = (x + 1.0) * 2.0 - x / 2.0
    first = y[:, 0]
    assert tuple(first.shape) == (None,)
    model = keras.Model(x, [y, first, -x, 3.0 - x])
    data = _data(4, 3)
    out = model(data)
    expected = (data + 1.0) * 2.0 - data / 2.0
    np.testing.assert_allclose(out[0].numpy(), expected, rtol=1e-6)
    np.testing.assert_allclose(out[1].numpy(), expected[:, 0], rtol=1e-6)
    np.testing.assert_allclose(out[2].numpy(), -data)
    np.testing.assert_allclose(out[3].numpy(), 3.0 - data, rtol=1e-6)


@pytest.mark.tapegrad_only  # tf.keras 2 (TFOpLambda); Keras 3 refuses tf ops on KerasTensors
def test_tf_ops_on_keras_tensors_become_layers():
    a = keras.Input(shape=(3,))
    b = keras.Input(shape=(2,))
    cat = tf.concat([a, b], -1)
    assert tuple(cat.shape) == (None, 5)
    mean = tf.reduce_mean(cat, axis=1, keepdims=True)
    assert tuple(mean.shape) == (None, 1)
    act = tf.nn.relu(cat)
    model = keras.Model([a, b], [mean, act, tf.math.square(a)])
    xa, xb = _data(2, 3), _data(2, 2, seed=5)
    out = model([xa, xb])
    both = np.concatenate([xa, xb], -1)
    np.testing.assert_allclose(out[0].numpy(), both.mean(1, keepdims=True), rtol=1e-5)
    np.testing.assert_allclose(out[1].numpy(), np.maximum(both, 0))
    np.testing.assert_allclose(out[2].numpy(), xa**2, rtol=1e-6)


@pytest.mark.tapegrad_only  # tf.keras 2 (TFOpLambda)
def test_tf_op_unknown_dims_stay_unknown():
    x = keras.Input(shape=(None, 4))
    y = tf.reshape(x, (-1, 4))
    assert tuple(y.shape) == (None, 4)
    z = tf.reduce_sum(x, axis=1)
    assert tuple(z.shape) == (None, 4)


def test_wrong_last_dimension_names_layer_and_shapes():
    dense = keras.layers.Dense(2, name="picky")
    dense(keras.Input(shape=(3,)))
    with pytest.raises(
        ValueError, match=r"picky.*expected axis -1 of input shape to have value 3.*\(None, 4\)"
    ):
        dense(keras.Input(shape=(4,)))


def test_wrong_rank_names_layer():
    with pytest.raises(ValueError, match=r"expected min_ndim=2, found ndim=1"):
        keras.layers.Dense(2, name="ranky")(keras.Input(shape=()))


def test_model_called_with_wrong_number_of_inputs():
    a = keras.Input(shape=(3,))
    b = keras.Input(shape=(3,))
    model = keras.Model([a, b], keras.layers.Add()([a, b]))
    with pytest.raises(ValueError, match="input"):
        model([np.ones((2, 3), "float32")])


def test_model_called_with_wrong_shape():
    x = keras.Input(shape=(3,))
    model = keras.Model(x, keras.layers.Dense(1)(x))
    with pytest.raises(ValueError, match=r"expected shape=\(None, 3\), found shape=\(2, 4\)"):
        model(np.ones((2, 4), "float32"))


def test_disconnected_graph_raises():
    a = keras.Input(shape=(3,))
    b = keras.Input(shape=(3,))
    with pytest.raises(ValueError):
        keras.Model(a, keras.layers.Dense(2)(b))


def test_functional_model_gradients_match_numpy():
    x = keras.Input(shape=(3,))
    model = keras.Model(x, keras.layers.Dense(1)(x))
    data = _data(5, 3)
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(model(data) ** 2)
    grads = tape.gradient(loss, model.trainable_variables)
    kernel, bias = model.get_weights()
    pred = data @ kernel + bias
    np.testing.assert_allclose(grads[0].numpy(), 2 * data.T @ pred / 5, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(grads[1].numpy(), [2 * pred.mean()], rtol=1e-4, atol=1e-6)


def test_training_flag_reaches_dropout_in_functional_model():
    x = keras.Input(shape=(100,))
    model = keras.Model(x, keras.layers.Dropout(0.5)(x))
    data = np.ones((2, 100), "float32")
    np.testing.assert_array_equal(model(data).numpy(), data)
    trained = model(data, training=True).numpy()
    assert set(np.unique(trained)) <= {0.0, 2.0} and (trained == 0).any()


@pytest.mark.skipif(IS_TF, reason="tapegrad keeps the plain ops until a KerasTensor exists")
def test_dispatch_keeps_eager_results():
    keras.Input(shape=(1,))
    value = tf.concat([tf.constant([1.0]), tf.constant([2.0])], 0)
    np.testing.assert_array_equal(value.numpy(), [1.0, 2.0])
    with pytest.raises((TypeError, ValueError)):
        tf.concat([tf.constant([1.0]), "x"], 0)


def test_clone_model_functional_and_sequential():
    x = keras.Input(shape=(3,), name="cx")
    shared = keras.layers.Dense(2, name="shared_c")
    y = keras.layers.Add()([shared(x), shared(x * 2.0)])
    model = keras.Model(x, keras.layers.Dense(1, activation="relu")(y))
    clone = keras.models.clone_model(model)
    assert clone is not model
    assert [layer.__class__.__name__ for layer in clone.layers] == [
        l.__class__.__name__ for l in model.layers
    ]
    assert len(clone.weights) == len(model.weights) == 4  # the shared layer stays shared
    assert all(a is not b for a, b in zip(clone.weights, model.weights))
    clone.set_weights(model.get_weights())
    data = _data(4, 3)
    np.testing.assert_allclose(clone(data).numpy(), model(data).numpy(), rtol=1e-6)

    seq = keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(3, activation="tanh"), keras.layers.Dense(1)]
    )
    target = keras.models.clone_model(seq)
    target.set_weights(seq.get_weights())
    data = _data(2, 4)
    np.testing.assert_allclose(target(data).numpy(), seq(data).numpy(), rtol=1e-6)
    assert target.count_params() == seq.count_params()


def test_feature_extractor_from_layer_outputs():
    model = keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(3, name="f1"), keras.layers.Dense(2, name="f2")]
    )
    extractor = keras.Model(inputs=model.inputs, outputs=[layer.output for layer in model.layers])
    data = _data(2, 4)
    first, second = extractor(data)
    np.testing.assert_allclose(first.numpy(), _dense_np(data, model.layers[0]), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(second.numpy(), model(data).numpy(), rtol=1e-5, atol=1e-6)

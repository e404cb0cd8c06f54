"""save_weights / load_weights: Keras 3's `.weights.h5` layout (h5py, optional) and a
dependency-free `.npz`; a round trip restores training bit for bit (optimizer state
included); bad files and names raise clear errors."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from _backend import IS_TF, tf

keras = tf.keras


def _model(seed=0):
    inputs = keras.Input((4,))
    hidden = keras.layers.Dense(8, activation="relu")(inputs)
    inner = keras.Sequential([keras.Input((8,)), keras.layers.Dense(3), keras.layers.Dense(2)], name="inner")
    outputs = keras.layers.Dense(1)(inner(hidden))
    model = keras.Model(inputs, outputs)
    rng = np.random.default_rng(seed)
    model.set_weights([rng.normal(size=w.shape).astype("float32") for w in model.get_weights()])
    return model


def _data():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(32, 4)).astype("float32")
    return x, (x.sum(axis=1, keepdims=True) ** 2).astype("float32")


def _suffixes():
    out = [".npz"] if not IS_TF else []
    try:
        import h5py  # noqa: F401

        out.append(".weights.h5")
    except ImportError:
        pass
    return out


@pytest.mark.parametrize("suffix", _suffixes())
def test_round_trip_restores_weights(tmp_path, suffix):
    model = _model(0)
    path = str(tmp_path / f"w{suffix}")
    model.save_weights(path)
    other = _model(1)
    other.load_weights(path)
    for got, want in zip(other.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("suffix", _suffixes())
def test_round_trip_resumes_training_bit_for_bit(tmp_path, suffix):
    x, y = _data()
    model = _model(0)
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="mse")
    model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    path = str(tmp_path / f"ckpt{suffix}")
    model.save_weights(path)
    model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)

    resumed = _model(5)
    resumed.compile(optimizer=keras.optimizers.Adam(1e-2), loss="mse")
    resumed.optimizer.build(resumed.trainable_variables)
    resumed.load_weights(path)
    assert int(resumed.optimizer.iterations.numpy()) == 8
    resumed.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    for got, want in zip(resumed.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(got, want)


def test_h5_layout_is_keras_3s(tmp_path):
    h5py = pytest.importorskip("h5py")
    model = _model()
    model.compile(optimizer="adam", loss="mse")
    path = str(tmp_path / "layout.weights.h5")
    model.save_weights(path)
    names = []
    with h5py.File(path, "r") as file:
        file.visititems(lambda name, obj: names.append(name) if isinstance(obj, h5py.Dataset) else None)
        assert file["layers/sequential/vars"].attrs["name"] == "inner"
    layer_keys = sorted(n for n in names if n.startswith("layers/"))
    assert layer_keys == [
        "layers/dense/vars/0",
        "layers/dense/vars/1",
        "layers/dense_1/vars/0",
        "layers/dense_1/vars/1",
        "layers/sequential/layers/dense/vars/0",
        "layers/sequential/layers/dense/vars/1",
        "layers/sequential/layers/dense_1/vars/0",
        "layers/sequential/layers/dense_1/vars/1",
    ]
    assert any(n.startswith("optimizer/vars/") for n in names)


@pytest.mark.parametrize("suffix", _suffixes())
def test_shape_mismatch_raises(tmp_path, suffix):
    path = str(tmp_path / f"w{suffix}")
    _model().save_weights(path)
    inputs = keras.Input((5,))
    hidden = keras.layers.Dense(8, activation="relu")(inputs)
    inner = keras.Sequential([keras.Input((8,)), keras.layers.Dense(3), keras.layers.Dense(2)])
    wrong = keras.Model(inputs, keras.layers.Dense(1)(inner(hidden)))
    with pytest.raises(ValueError):
        wrong.load_weights(path)


def test_bad_filename_raises(tmp_path):
    with pytest.raises(ValueError, match=r"\.weights\.h5"):
        _model().save_weights(str(tmp_path / "weights.txt"))


@pytest.mark.tapegrad_only  # tapegrad's h5py-less install path
def test_missing_h5py_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "h5py", None)
    with pytest.raises(ImportError, match="pip install h5py"):
        _model().save_weights(str(tmp_path / "w.weights.h5"))
    path = str(tmp_path / "w.npz")
    _model().save_weights(path)  # .npz still works
    _model(1).load_weights(path)

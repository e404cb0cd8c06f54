"""Keras optimizers applying ``IndexedSlices`` gradients with repeated indices, against TF 2.21.

TF 2.21's Keras 3 optimizers do not simply densify slices: ``square``/``abs`` of
the gradient act on each slice before repeated rows are summed, ``clipnorm`` and
``clipvalue`` clip slice by slice, and ``global_clipnorm`` takes the norm of the
slice values. Each case applies three steps of slices at rows ``[0, 2, 0]`` to a
4x3 variable and compares with the variable TensorFlow produced
(``data/sparse_optimizers_tf221.json``; regenerate with
``TAPEGRAD_TEST_BACKEND=tensorflow python tests/test_sparse_optimizers.py``). For
most cases TF's result differs from applying the densified gradient, which the
test checks too, so that it cannot pass by densifying.
"""

from __future__ import annotations

import json
import pathlib
from typing import Any

import numpy as np
import pytest
from _backend import IS_TF, tf

GOLDEN = pathlib.Path(__file__).parent / "data" / "sparse_optimizers_tf221.json"

INITIAL = np.arange(12, dtype=np.float32).reshape(4, 3) / 10 - 0.5
INDICES = [0, 2, 0]
VALUES = np.array([[1.0, -2.0, 0.5], [0.3, 0.7, -1.5], [-0.8, 1.2, 2.0]], np.float32)
STEPS = 3

CLIPPING: list[dict[str, Any]] = [{}, {"clipnorm": 1.0}, {"clipvalue": 0.9}, {"global_clipnorm": 1.0}]
OPTIMIZERS: list[tuple[str, dict[str, Any]]] = [
    ("Nadam", {"learning_rate": 0.1}),
    ("Adamax", {"learning_rate": 0.1}),
    ("Adadelta", {"learning_rate": 1.0}),
    ("Ftrl", {"learning_rate": 0.1}),
    (
        "Ftrl",
        {
            "learning_rate": 0.1,
            "l1_regularization_strength": 0.01,
            "l2_regularization_strength": 0.1,
            "l2_shrinkage_regularization_strength": 0.05,
            "beta": 0.5,
        },
    ),
    ("Lion", {"learning_rate": 0.1}),
    ("Lamb", {"learning_rate": 0.1}),
    ("Adafactor", {"learning_rate": 0.1}),
    ("Adafactor", {"learning_rate": 0.1, "relative_step": False, "clip_threshold": 0.5}),
    ("SGD", {"learning_rate": 0.1}),
    ("SGD", {"learning_rate": 0.1, "momentum": 0.9, "nesterov": True}),
    ("Adam", {"learning_rate": 0.1}),
    ("Adam", {"learning_rate": 0.1, "amsgrad": True}),
    ("AdamW", {"learning_rate": 0.1, "weight_decay": 0.1}),
    ("RMSprop", {"learning_rate": 0.1}),
    ("RMSprop", {"learning_rate": 0.1, "momentum": 0.5, "centered": True}),
    ("Adagrad", {"learning_rate": 0.1}),
]
CASES = [(name, {**kwargs, **clip}) for name, kwargs in OPTIMIZERS for clip in CLIPPING]


def case_id(name: str, kwargs: dict[str, Any]) -> str:
    return name + "".join(f"-{k}={v}" for k, v in sorted(kwargs.items()))


def slices(step: int) -> Any:
    """Step ``step``'s gradient: ``VALUES * (step + 1)`` at rows ``INDICES`` of a 4x3 tensor."""
    return tf.IndexedSlices(tf.constant(VALUES * (step + 1)), tf.constant(INDICES), tf.constant([4, 3]))


def train(name: str, kwargs: dict[str, Any], gradient_of_step: Any) -> np.ndarray:
    variable = tf.Variable(INITIAL)
    optimizer = getattr(tf.keras.optimizers, name)(**kwargs)
    for step in range(STEPS):
        optimizer.apply_gradients([(gradient_of_step(step, variable), variable)])
    return variable.numpy()


def golden() -> dict[str, Any]:
    return json.loads(GOLDEN.read_text())


@pytest.mark.parametrize(("name", "kwargs"), CASES, ids=[case_id(n, k) for n, k in CASES])
def test_indexed_slices_with_repeated_indices_match_tf(name: str, kwargs: dict[str, Any]) -> None:
    expected = golden()[case_id(name, kwargs)]
    result = train(name, kwargs, lambda step, _: slices(step))
    np.testing.assert_allclose(result, np.array(expected["sparse"], np.float32), rtol=2e-5, atol=2e-6)
    dense = train(name, kwargs, lambda step, _: tf.convert_to_tensor(slices(step)))
    np.testing.assert_allclose(dense, np.array(expected["dense"], np.float32), rtol=2e-5, atol=2e-6)


def test_cases_exercise_what_densifying_gets_wrong() -> None:
    """Guards the golden data: TF's sparse result differs from the densified update
    wherever a per-slice ``square``/``abs`` or per-slice clipping is involved."""
    data = golden()

    def differs(name: str, kwargs: dict[str, Any]) -> bool:
        value = data[case_id(name, kwargs)]
        return not np.allclose(value["sparse"], value["dense"], rtol=1e-5, atol=1e-6)

    for name, kwargs in OPTIMIZERS:
        if name not in ("Lion", "SGD"):
            assert differs(name, kwargs), name
        assert differs(name, {**kwargs, "clipvalue": 0.9}), name
        if name != "Lion":  # sign(.) does not see the norm
            assert differs(name, {**kwargs, "clipnorm": 1.0}), name


RANK_ONE = ["Nadam", "Adamax", "Adadelta", "Ftrl", "Lamb", "Adafactor"]


def train_rank_one(name: str) -> np.ndarray:
    """Three steps of slices at rows ``[1, 1, 3]`` of a 5-vector (Adafactor's unfactored path)."""
    variable = tf.Variable(np.linspace(-1.0, 1.0, 5).astype(np.float32))
    optimizer = getattr(tf.keras.optimizers, name)(learning_rate=0.1)
    for step in range(STEPS):
        values = tf.constant(np.array([0.5, -1.5, 2.0], np.float32) * (step + 1))
        gradient = tf.IndexedSlices(values, tf.constant([1, 1, 3]), tf.constant([5]))
        optimizer.apply_gradients([(gradient, variable)])
    return variable.numpy()


@pytest.mark.parametrize("name", RANK_ONE)
def test_slices_of_a_vector_match_tf(name: str) -> None:
    expected = golden()[f"rank1-{name}"]
    np.testing.assert_allclose(train_rank_one(name), np.array(expected, np.float32), rtol=2e-5, atol=2e-6)


def train_mixed_global_clipnorm() -> list[np.ndarray]:
    """``global_clipnorm`` over a dense gradient and slices: the norm counts each slice."""
    embeddings, bias = tf.Variable(INITIAL), tf.Variable([0.5, -0.5, 1.0])
    optimizer = tf.keras.optimizers.SGD(learning_rate=0.1, global_clipnorm=2.0)
    for step in range(STEPS):
        bias_gradient = tf.constant([1.0, -2.0, 3.0]) * (step + 1)
        optimizer.apply_gradients([(slices(step), embeddings), (bias_gradient, bias)])
    return [embeddings.numpy(), bias.numpy()]


def test_global_clipnorm_of_slices_and_dense_gradients_matches_tf() -> None:
    expected = golden()["global_clipnorm-mixed-SGD"]
    for result, want in zip(train_mixed_global_clipnorm(), expected):
        np.testing.assert_allclose(result, np.array(want, np.float32), rtol=2e-5, atol=2e-6)


def embedding_gradient(step: int, variable: Any) -> Any:
    """The gradient of ``sum(gather(variable, INDICES) * VALUES * (step + 1))``: slices."""
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(tf.gather(variable, INDICES) * VALUES * (step + 1))
    gradient = tape.gradient(loss, variable)
    assert isinstance(gradient, tf.IndexedSlices)
    return gradient


@pytest.mark.parametrize("name", ["Nadam", "Adamax", "Adadelta", "Ftrl", "Lamb", "Adafactor", "Lion"])
def test_gather_gradients_apply_as_in_tf(name: str) -> None:
    kwargs = dict(next(k for n, k in OPTIMIZERS if n == name))
    expected = golden()[case_id(name, kwargs)]["sparse"]
    result = train(name, kwargs, embedding_gradient)
    np.testing.assert_allclose(result, np.array(expected, np.float32), rtol=2e-5, atol=2e-6)


def test_embedding_layer_gradient_applies_as_in_tf() -> None:
    layer = tf.keras.layers.Embedding(4, 3)
    layer.build((None,))
    layer.embeddings.assign(INITIAL)
    optimizer = tf.keras.optimizers.Adamax(learning_rate=0.1)
    for step in range(STEPS):
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(layer(tf.constant(INDICES)) * VALUES * (step + 1))
        gradients = tape.gradient(loss, layer.trainable_variables)
        assert isinstance(gradients[0], tf.IndexedSlices)
        optimizer.apply_gradients(zip(gradients, layer.trainable_variables))
    expected = golden()[case_id("Adamax", {"learning_rate": 0.1})]["sparse"]
    np.testing.assert_allclose(layer.embeddings.numpy(), np.array(expected, np.float32), rtol=2e-5, atol=2e-6)


@pytest.mark.tapegrad_only  # Keras 3 optimizers have no `minimize` (tf.keras 2's API, kept by tapegrad)
@pytest.mark.parametrize("name", ["Adadelta", "Adafactor"])
def test_minimize_with_embedding_matches_apply_gradients(name: str) -> None:
    kwargs = dict(next(k for n, k in OPTIMIZERS if n == name))
    variable = tf.Variable(INITIAL)
    optimizer = getattr(tf.keras.optimizers, name)(**kwargs)
    for step in range(STEPS):
        optimizer.minimize(
            lambda step=step: tf.reduce_sum(tf.nn.embedding_lookup(variable, INDICES) * VALUES * (step + 1)),
            [variable],
        )
    expected = golden()[case_id(name, kwargs)]["sparse"]
    np.testing.assert_allclose(variable.numpy(), np.array(expected, np.float32), rtol=2e-5, atol=2e-6)


def _regenerate() -> None:  # pragma: no cover - run by hand under TensorFlow
    assert IS_TF, "regenerate the expectations with TAPEGRAD_TEST_BACKEND=tensorflow"
    data = {
        case_id(name, kwargs): {
            "sparse": train(name, kwargs, lambda step, _: slices(step)).tolist(),
            "dense": train(name, kwargs, lambda step, _: tf.convert_to_tensor(slices(step))).tolist(),
        }
        for name, kwargs in CASES
    }
    data.update({f"rank1-{name}": train_rank_one(name).tolist() for name in RANK_ONE})
    data["global_clipnorm-mixed-SGD"] = [value.tolist() for value in train_mixed_global_clipnorm()]
    lines = [f"{json.dumps(key)}: {json.dumps(value)}" for key, value in data.items()]
    GOLDEN.write_text("{\n" + ",\n".join(lines) + "\n}\n")


if __name__ == "__main__":  # pragma: no cover
    _regenerate()

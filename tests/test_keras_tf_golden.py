"""Keras layers, metrics, losses and optimizers against values recorded from TF 2.21 (Keras 3).

Each case below builds its inputs from a fixed seed and returns tensors; the values TF 2.21
gave for them are stored in ``data/keras_tf221_golden.npz``. Regenerate them with

    TAPEGRAD_TEST_BACKEND=tensorflow python tests/test_keras_tf_golden.py --regenerate

(run under TensorFlow, the test then only re-checks TF against its own recording).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(__file__))

from _backend import IS_TF, tf, to_numpy  # noqa: E402

GOLDEN = os.path.join(os.path.dirname(__file__), "data", "keras_tf221_golden.npz")


def _metric(metric, *args, **kwargs):
    metric.update_state(*args, **kwargs)
    return metric.result()


def _optimizer_run(name, **kwargs):
    variable = tf.Variable([[1.0, -2.0], [0.5, 0.0]])
    optimizer = getattr(tf.keras.optimizers, name)(**kwargs)
    for i in range(5):
        optimizer.apply_gradients([(tf.constant([[0.1 * i, -0.3], [0.2, 0.05 * i]]), variable)])
    return variable


def _optimizer_run_vector(name, **kwargs):
    variable = tf.Variable([1.0, -2.0, 0.5])
    optimizer = getattr(tf.keras.optimizers, name)(**kwargs)
    for i in range(5):
        optimizer.apply_gradients([(tf.constant([0.1 * i, -0.3, 0.2]), variable)])
    return variable


def _cases() -> dict[str, Callable[[], object]]:
    """Name -> zero-argument function returning a tensor or a list of tensors."""
    rng = np.random.default_rng(42)
    L, M, Ls = tf.keras.layers, tf.keras.metrics, tf.keras.losses
    x3 = rng.standard_normal((4, 5, 6)).astype(np.float32)
    x2 = rng.standard_normal((8, 3)).astype(np.float32)
    labels = rng.integers(0, 2, (20, 3)).astype(np.float32)
    scores = rng.uniform(size=(20, 3)).astype(np.float32)
    weights = rng.uniform(size=(20,)).astype(np.float32)
    weights_2d = rng.uniform(size=(20, 3)).astype(np.float32)
    mask = (rng.uniform(size=(4, 5, 6)) > 0.3).astype(np.float32)
    one_hot_3d = np.eye(3, dtype=np.float32)[rng.integers(0, 3, (4, 5))]
    ids_3d = rng.integers(0, 3, (4, 5))
    scores_3d = rng.uniform(size=(4, 5, 3)).astype(np.float32)
    one_hot_20 = np.eye(3, dtype=np.float32)[rng.integers(0, 3, 20)]
    noisy = (x2 + 0.1 * rng.standard_normal((8, 3))).astype(np.float32)
    logits_3d = rng.standard_normal((4, 5, 3)).astype(np.float32)

    def adapted(axis):
        layer = L.Normalization(axis=axis)
        layer.adapt(x3)
        return layer(x3)

    def batch_norm(axis):
        layer = L.BatchNormalization(axis=axis, momentum=0.5)
        first = layer(x3, training=True)
        second = layer(x3 * 2, training=True)
        return [first, second, layer(x3), layer.moving_mean, layer.moving_variance]

    cases: dict[str, Callable[[], object]] = {}
    for axis in (1, 2, -1, (1, 2)):
        cases[f"normalization_adapt_axis_{axis}"] = lambda axis=axis: adapted(axis)
    for axis in (1, 2):
        cases[f"batch_norm_axis_{axis}"] = lambda axis=axis: batch_norm(axis)
        cases[f"layer_norm_axis_{axis}"] = lambda axis=axis: L.LayerNormalization(axis=axis)(x3)
    cases.update(
        {
            "group_norm_axis_1": lambda: L.GroupNormalization(groups=5, axis=1)(x3),
            "group_norm_3d": lambda: L.GroupNormalization(groups=3)(x3),
            "group_norm_instance": lambda: L.GroupNormalization(groups=-1)(x2),
            "softmax_float_mask": lambda: L.Softmax()(x3, mask=mask),
            "dot_axes_1": lambda: L.Dot(axes=1)([tf.constant(x3), tf.constant(x3)]),
            "dot_normalized_axes_2": lambda: L.Dot(axes=2, normalize=True)(
                [tf.constant(x3), tf.constant(x3[:, :2])]
            ),
            "category_count_2d": lambda: L.CategoryEncoding(num_tokens=5, output_mode="count")(
                np.array([[1, 2, 2], [0, 4, 4]])
            ),
            "category_one_hot_column": lambda: L.CategoryEncoding(num_tokens=5, output_mode="one_hot")(
                np.array([[1], [4]])
            ),
            "category_multi_hot_vector": lambda: L.CategoryEncoding(num_tokens=5)(np.array([1, 1, 3])),
            "category_out_of_range": lambda: L.CategoryEncoding(num_tokens=3)(np.array([[1, 5]])),
            "category_scalar": lambda: L.CategoryEncoding(num_tokens=3, output_mode="one_hot")(np.array(2)),
            "rescaling_per_channel": lambda: L.Rescaling([1.0, 2.0, 3.0], offset=[0.0, 1.0, 2.0])(x2),
            "prelu_shared_axis_2": lambda: L.PReLU(alpha_initializer="ones", shared_axes=2)(x3),
            "permute": lambda: L.Permute((2, 1))(x3),
            "leaky_relu_default": lambda: L.LeakyReLU()(x3),
            "unit_normalization_axis_1": lambda: L.UnitNormalization(axis=1)(x3),
            "rms_normalization_axes_12": lambda: L.RMSNormalization(axis=[1, 2])(x3),
            "auc_2d_weighted": lambda: _metric(M.AUC(), labels, scores, sample_weight=weights),
            "auc_pr_13": lambda: _metric(M.AUC(curve="PR", num_thresholds=13), labels, scores),
            "auc_multi_label_weighted": lambda: _metric(
                M.AUC(multi_label=True), labels, scores, sample_weight=weights
            ),
            "auc_label_weights": lambda: _metric(M.AUC(label_weights=[1.0, 2.0, 0.5]), labels, scores),
            "precision_weighted": lambda: _metric(M.Precision(), labels, scores, sample_weight=weights),
            "recall_thresholds_2d_weights": lambda: _metric(
                M.Recall(thresholds=[0.2, 0.7]), labels, scores, sample_weight=weights_2d
            ),
            "precision_top_1_class_2": lambda: _metric(
                M.Precision(top_k=1, class_id=2), labels, scores, sample_weight=weights
            ),
            "true_positives_weighted": lambda: _metric(
                M.TruePositives(), labels, scores, sample_weight=weights
            ),
            "sensitivity_at_specificity": lambda: _metric(M.SensitivityAtSpecificity(0.6), labels, scores),
            "specificity_at_sensitivity_class_1": lambda: _metric(
                M.SpecificityAtSensitivity(0.4, num_thresholds=20, class_id=1), labels, scores
            ),
            "precision_at_recall_weighted": lambda: _metric(
                M.PrecisionAtRecall(0.5), labels, scores, sample_weight=weights
            ),
            "recall_at_precision_one_threshold": lambda: _metric(
                M.RecallAtPrecision(0.3, num_thresholds=1), labels, scores
            ),
            "top_2_accuracy_3d": lambda: _metric(M.TopKCategoricalAccuracy(k=2), one_hot_3d, scores_3d),
            "sparse_top_1_accuracy_3d": lambda: _metric(
                M.SparseTopKCategoricalAccuracy(k=1), ids_3d, scores_3d
            ),
            "rmse_weighted": lambda: _metric(
                M.RootMeanSquaredError(), x2, x2 * 0.5, sample_weight=weights[:8]
            ),
            "cosine_similarity_axis_1": lambda: _metric(M.CosineSimilarity(axis=1), x3, x3 + 0.3),
            "f1_per_class": lambda: _metric(M.F1Score(), labels, scores),
            "f1_micro_threshold": lambda: _metric(
                M.F1Score(average="micro", threshold=0.5), labels, scores, sample_weight=weights
            ),
            "r2_weighted": lambda: _metric(M.R2Score(), x2, noisy, sample_weight=weights[:8]),
            "mean_iou_2d": lambda: _metric(M.MeanIoU(num_classes=3), ids_3d, ids_3d[::-1]),
            "binary_crossentropy_metric_smoothed": lambda: _metric(
                M.BinaryCrossentropy(label_smoothing=0.1), labels, scores
            ),
            "sparse_crossentropy_metric_3d": lambda: _metric(
                M.SparseCategoricalCrossentropy(from_logits=True), ids_3d, logits_3d
            ),
            "hinge_weighted": lambda: Ls.Hinge()(labels, scores - 0.5, sample_weight=weights),
            "squared_hinge_none": lambda: Ls.SquaredHinge(reduction="none")(labels, scores),
            "categorical_hinge_sum": lambda: Ls.CategoricalHinge(reduction="sum")(one_hot_20, scores),
            "poisson_vector": lambda: Ls.Poisson()(np.array([1.0, 2.0, 3.0]), np.array([1.5, 1.5, 2.5])),
            "mape_zero_target": lambda: Ls.MeanAbsolutePercentageError()(
                np.array([[0.0, 2.0]]), np.array([[1.0, 1.0]])
            ),
            "binary_focal_smoothed": lambda: Ls.BinaryFocalCrossentropy(label_smoothing=0.1, gamma=1.5)(
                labels, scores
            ),
            "categorical_focal_smoothed": lambda: Ls.CategoricalFocalCrossentropy(
                label_smoothing=0.1, alpha=0.5
            )(one_hot_20, scores),
            "nadam_clipnorm": lambda: _optimizer_run("Nadam", learning_rate=0.1, clipnorm=0.1),
            "lion_weight_decay": lambda: _optimizer_run("Lion", learning_rate=0.1, weight_decay=0.1),
            "adamax_global_clipnorm": lambda: _optimizer_run(
                "Adamax", learning_rate=0.1, global_clipnorm=0.1
            ),
            "adadelta_clipvalue": lambda: _optimizer_run("Adadelta", learning_rate=1.0, clipvalue=0.1),
            "ftrl_cyclic_polynomial": lambda: _optimizer_run(
                "Ftrl", learning_rate=tf.keras.optimizers.schedules.PolynomialDecay(0.5, 3, cycle=True)
            ),
            "lamb_weight_decay": lambda: _optimizer_run("Lamb", learning_rate=0.1, weight_decay=0.01),
            "adafactor_matrix": lambda: _optimizer_run("Adafactor", learning_rate=0.1),
            "adafactor_matrix_absolute_step": lambda: _optimizer_run(
                "Adafactor", learning_rate=0.7, relative_step=False, clip_threshold=0.5
            ),
            "adafactor_vector": lambda: _optimizer_run_vector("Adafactor", learning_rate=0.1),
            "adafactor_schedule": lambda: _optimizer_run_vector(
                "Adafactor", learning_rate=tf.keras.optimizers.schedules.ExponentialDecay(0.9, 2, 0.5)
            ),
        }
    )
    return cases


def _evaluate(name: str) -> list[np.ndarray]:
    value = _cases()[name]()
    values = value if isinstance(value, (list, tuple)) else [value]
    return [np.asarray(to_numpy(v)) for v in values]


def _golden() -> dict[str, np.ndarray]:
    with np.load(GOLDEN) as data:
        return {key: data[key] for key in data.files}


@pytest.mark.parametrize("name", sorted(_cases()))
def test_matches_tensorflow_recording(name):
    golden = _golden()
    got = _evaluate(name)
    expected = [golden[f"{name}/{i}"] for i in range(sum(key.startswith(f"{name}/") for key in golden))]
    assert len(got) == len(expected), name
    for i, (actual, want) in enumerate(zip(got, expected)):
        assert actual.shape == want.shape, f"{name}/{i}: shape {actual.shape} != {want.shape}"
        np.testing.assert_allclose(actual, want, rtol=1e-4, atol=1e-5, err_msg=f"{name}/{i}")


if __name__ == "__main__":
    if "--regenerate" not in sys.argv or not IS_TF:
        sys.exit("run with TAPEGRAD_TEST_BACKEND=tensorflow and --regenerate to record TF's values")
    arrays = {f"{name}/{i}": value for name in sorted(_cases()) for i, value in enumerate(_evaluate(name))}
    os.makedirs(os.path.dirname(GOLDEN), exist_ok=True)
    np.savez_compressed(GOLDEN, **arrays)
    print(f"wrote {len(arrays)} arrays to {GOLDEN}")

"""Losses (MAPE, Poisson, hinge family and the existing regression losses) and metrics (AUC,
Precision, Recall, confusion counts, top-k accuracies, RMSE, cross-entropies, ...) against NumPy
formulas; run with TAPEGRAD_TEST_BACKEND=tensorflow the same expectations hold for TF 2.21."""

from __future__ import annotations

import numpy as np
import pytest
from _backend import to_numpy
from gradcheck import check_gradients

EPS = 1e-7


def _rng(seed=0):
    return np.random.default_rng(seed)


# ------------------------------------------------------------------ NumPy losses
def _np_mape(t, p):
    return 100 * np.mean(np.abs((t - p) / np.maximum(np.abs(t), EPS)), axis=-1)


def _np_poisson(t, p):
    return np.mean(p - t * np.log(p + EPS), axis=-1)


def _hinge_labels(t):
    return 2 * t - 1 if np.all((t == 0) | (t == 1)) else t


def _np_hinge(t, p):
    return np.mean(np.maximum(1 - _hinge_labels(t) * p, 0), axis=-1)


def _np_squared_hinge(t, p):
    return np.mean(np.maximum(1 - _hinge_labels(t) * p, 0) ** 2, axis=-1)


def _np_categorical_hinge(t, p):
    return np.maximum(np.max((1 - t) * p, axis=-1) - np.sum(t * p, axis=-1) + 1, 0)


def _np_huber(t, p, delta=1.0):
    e = np.abs(p - t)
    return np.mean(np.where(e <= delta, 0.5 * e**2, delta * e - 0.5 * delta**2), axis=-1)


def _np_log_cosh(t, p):
    return np.mean(np.log(np.cosh(p - t)), axis=-1)


def _np_kld(t, p):
    t, p = np.clip(t, EPS, 1), np.clip(p, EPS, 1)
    return np.sum(t * np.log(t / p), axis=-1)


def _np_msle(t, p):
    return np.mean((np.log(np.maximum(p, EPS) + 1) - np.log(np.maximum(t, EPS) + 1)) ** 2, axis=-1)


def _data(seed):
    rng = _rng(seed)
    y_true = rng.uniform(0.1, 2.0, (4, 3)).astype(np.float32)
    y_pred = rng.uniform(0.1, 2.0, (4, 3)).astype(np.float32)
    return y_true, y_pred


LOSSES = [
    ("mape", "MeanAbsolutePercentageError", _np_mape, _data),
    ("poisson", "Poisson", _np_poisson, _data),
    ("huber", "Huber", _np_huber, _data),
    ("logcosh", "LogCosh", _np_log_cosh, _data),
    ("msle", "MeanSquaredLogarithmicError", _np_msle, _data),
    (
        "kld",
        "KLDivergence",
        _np_kld,
        lambda s: tuple(x / x.sum(-1, keepdims=True) for x in _data(s)),
    ),
    (
        "hinge",
        "Hinge",
        _np_hinge,
        lambda s: (_rng(s).integers(0, 2, (4, 3)).astype(np.float32), _data(s)[1] - 1),
    ),
    (
        "hinge",
        "Hinge",
        _np_hinge,
        lambda s: (2 * _rng(s).integers(0, 2, (4, 3)).astype(np.float32) - 1, _data(s)[1] - 1),
    ),
    (
        "squared_hinge",
        "SquaredHinge",
        _np_squared_hinge,
        lambda s: (_rng(s).integers(0, 2, (4, 3)).astype(np.float32), _data(s)[1] - 1),
    ),
    (
        "categorical_hinge",
        "CategoricalHinge",
        _np_categorical_hinge,
        lambda s: (np.eye(3, dtype=np.float32)[_rng(s).integers(0, 3, 4)], _data(s)[1] - 1),
    ),
]


@pytest.mark.parametrize("fn_name, class_name, reference, make", LOSSES)
def test_loss_function_and_class_values(tf, fn_name, class_name, reference, make):
    y_true, y_pred = make(3)
    per_sample = reference(y_true.astype(np.float64), y_pred.astype(np.float64))
    fn = getattr(tf.keras.losses, fn_name)
    np.testing.assert_allclose(to_numpy(fn(y_true, y_pred)), per_sample, rtol=1e-5, atol=1e-6)
    cls = getattr(tf.keras.losses, class_name)
    np.testing.assert_allclose(
        float(to_numpy(cls()(y_true, y_pred))), per_sample.mean(), rtol=1e-5, atol=1e-6
    )
    np.testing.assert_allclose(
        float(to_numpy(cls(reduction="sum")(y_true, y_pred))), per_sample.sum(), rtol=1e-5, atol=1e-6
    )
    np.testing.assert_allclose(
        to_numpy(cls(reduction="none")(y_true, y_pred)), per_sample, rtol=1e-5, atol=1e-6
    )
    weights = np.array([0.5, 0.0, 2.0, 1.0], np.float32)
    np.testing.assert_allclose(
        float(to_numpy(cls()(y_true, y_pred, sample_weight=weights))),
        (per_sample * weights).sum() / 4,
        rtol=1e-5,
        atol=1e-6,
    )
    loss = cls(name="custom")
    assert loss.name == "custom"
    assert loss.get_config()["reduction"] == "sum_over_batch_size"
    # by name: the function for snake_case names, an instance for class names
    if fn_name != "logcosh":  # Keras 3's get() knows "log_cosh" but not its exported short name
        assert tf.keras.losses.get(fn_name) is fn
    assert isinstance(tf.keras.losses.get(class_name), cls)


@pytest.mark.parametrize(
    "fn_name",
    ["mape", "poisson", "hinge", "squared_hinge", "categorical_hinge", "logcosh"],
)
def test_loss_gradients(tf, fn_name):
    rng = _rng(5)
    y_pred = rng.uniform(0.2, 0.9, (3, 4))
    if fn_name == "categorical_hinge":
        y_true = np.eye(4)[[0, 2, 3]]
    elif "hinge" in fn_name:
        y_true = np.where(rng.uniform(size=(3, 4)) > 0.5, 1.0, -1.0)
    else:
        y_true = rng.uniform(0.5, 2.0, (3, 4))
    fn = getattr(tf.keras.losses, fn_name)
    check_gradients(lambda p: fn(tf.constant(y_true), p), [y_pred], order=2)


def test_mape_alias_and_tf_losses(tf):
    y_true, y_pred = _data(1)
    np.testing.assert_allclose(
        to_numpy(tf.keras.losses.MAPE(y_true, y_pred)), _np_mape(y_true, y_pred), rtol=1e-5
    )
    assert tf.losses.Poisson is tf.keras.losses.Poisson
    assert tf.keras.metrics.mape is tf.keras.losses.mape and tf.keras.metrics.MSE is tf.keras.losses.mse
    assert tf.keras.losses.MeanSquaredError().name == "mean_squared_error"


# ------------------------------------------------------------------ confusion metrics
def _np_counts(y_true, y_pred, thresholds, weights=None):
    y_true = np.asarray(y_true, bool).reshape(-1)
    y_pred = np.asarray(y_pred, np.float64).reshape(-1)
    w = np.ones_like(y_pred) if weights is None else np.broadcast_to(weights, y_pred.shape).astype(np.float64)
    counts = {k: [] for k in ("tp", "fp", "tn", "fn")}
    for t in thresholds:
        pos = y_pred > t
        counts["tp"].append(np.sum(w * (y_true & pos)))
        counts["fp"].append(np.sum(w * (~y_true & pos)))
        counts["tn"].append(np.sum(w * (~y_true & ~pos)))
        counts["fn"].append(np.sum(w * (y_true & ~pos)))
    return {k: np.array(v) for k, v in counts.items()}


def _auc_thresholds(n):
    return [-EPS] + [(i + 1) / (n - 1) for i in range(n - 2)] + [1 + EPS]


def _np_auc(c, curve, method="interpolation"):
    div = lambda a, b: np.where(b == 0, 0.0, a / np.where(b == 0, 1, b))  # noqa: E731
    tp, fp, tn, fn = c["tp"], c["fp"], c["tn"], c["fn"]
    if curve == "PR" and method == "interpolation":
        dtp = tp[:-1] - tp[1:]
        p = tp + fp
        dp = p[:-1] - p[1:]
        slope = div(dtp, np.maximum(dp, 0))
        intercept = tp[1:] - slope * p[1:]
        ratio = np.where((p[:-1] > 0) & (p[1:] > 0), div(p[:-1], np.maximum(p[1:], 0)), 1.0)
        return np.sum(div(slope * (dtp + intercept * np.log(ratio)), np.maximum(tp[1:] + fn[1:], 0)))
    recall = div(tp, tp + fn)
    x, y = (div(fp, fp + tn), recall) if curve == "ROC" else (recall, div(tp, tp + fp))
    heights = {
        "interpolation": (y[:-1] + y[1:]) / 2,
        "minoring": np.minimum(y[:-1], y[1:]),
        "majoring": np.maximum(y[:-1], y[1:]),
    }[method]
    return np.sum((x[:-1] - x[1:]) * heights)


def _scores(seed, n=60):
    rng = _rng(seed)
    labels = rng.integers(0, 2, n).astype(np.float32)
    scores = np.clip(0.3 * labels + rng.uniform(0, 0.7, n), 0, 1).astype(np.float32)
    return labels, scores


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"curve": "PR"},
        {"num_thresholds": 11, "summation_method": "minoring"},
        {"num_thresholds": 7, "curve": "PR", "summation_method": "majoring"},
        {"curve": "ROC", "thresholds": [0.25, 0.5, 0.75]},
    ],
)
def test_auc_matches_formula_over_batches(tf, kwargs):
    labels, scores = _scores(0)
    weights = _rng(1).uniform(0.5, 2.0, labels.shape).astype(np.float32)
    metric = tf.keras.metrics.AUC(**kwargs)
    metric.update_state(labels[:25], scores[:25], sample_weight=weights[:25])
    metric.update_state(labels[25:], scores[25:], sample_weight=weights[25:])
    if "thresholds" in kwargs:
        thresholds = [-EPS, *kwargs["thresholds"], 1 + EPS]
    else:
        thresholds = _auc_thresholds(kwargs.get("num_thresholds", 200))
    counts = _np_counts(labels, scores, thresholds, weights)
    expected = _np_auc(counts, kwargs.get("curve", "ROC"), kwargs.get("summation_method", "interpolation"))
    np.testing.assert_allclose(float(to_numpy(metric.result())), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(to_numpy(metric.true_positives), counts["tp"], rtol=1e-5)
    metric.reset_state()
    assert float(to_numpy(metric.result())) == 0.0


def test_auc_roc_is_close_to_the_exact_area(tf):
    labels, scores = _scores(2, n=200)
    pos, neg = scores[labels == 1], scores[labels == 0]
    exact = np.mean((pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :]))
    metric = tf.keras.metrics.AUC(num_thresholds=1000)
    metric.update_state(labels, scores)
    assert abs(float(to_numpy(metric.result())) - exact) < 5e-3


def test_auc_from_logits_and_multi_label(tf):
    labels, scores = _scores(3)
    logits = np.log(scores + 1e-3) - np.log(1 - scores + 1e-3)
    a = tf.keras.metrics.AUC(from_logits=True)
    a.update_state(labels, logits.astype(np.float32))
    b = tf.keras.metrics.AUC()
    b.update_state(labels, 1 / (1 + np.exp(-logits.astype(np.float32))))
    np.testing.assert_allclose(float(to_numpy(a.result())), float(to_numpy(b.result())), rtol=1e-6)

    y_true = np.stack([_scores(4)[0], _scores(5)[0]], axis=1)
    y_pred = np.stack([_scores(4)[1], _scores(5)[1]], axis=1)
    multi = tf.keras.metrics.AUC(multi_label=True, num_thresholds=50)
    multi.update_state(y_true, y_pred)
    per_label = [
        _np_auc(_np_counts(y_true[:, i], y_pred[:, i], _auc_thresholds(50)), "ROC") for i in range(2)
    ]
    np.testing.assert_allclose(float(to_numpy(multi.result())), np.mean(per_label), rtol=1e-5)
    weighted = tf.keras.metrics.AUC(multi_label=True, num_thresholds=50, label_weights=[1.0, 3.0])
    weighted.update_state(y_true, y_pred)
    np.testing.assert_allclose(
        float(to_numpy(weighted.result())), (per_label[0] + 3 * per_label[1]) / 4, rtol=1e-5
    )
    flat = tf.keras.metrics.AUC(num_thresholds=50)
    flat.update_state(y_true, y_pred)
    expected = _np_auc(_np_counts(y_true, y_pred, _auc_thresholds(50)), "ROC")
    np.testing.assert_allclose(float(to_numpy(flat.result())), expected, rtol=1e-5)


def test_auc_config_and_bad_arguments(tf):
    config = tf.keras.metrics.AUC(num_thresholds=10, curve="PR", name="auc_pr").get_config()
    assert config["num_thresholds"] == 10 and config["curve"] == "PR"
    assert config["summation_method"] == "interpolation" and config["name"] == "auc_pr"
    with pytest.raises(ValueError):
        tf.keras.metrics.AUC(curve="XYZ")
    with pytest.raises(ValueError):
        tf.keras.metrics.AUC(num_thresholds=1)


def test_precision_recall_thresholds_and_weights(tf):
    labels, scores = _scores(6)
    weights = _rng(7).uniform(0, 2, labels.shape).astype(np.float32)
    thresholds = [0.3, 0.5, 0.8]
    counts = _np_counts(labels, scores, thresholds, weights)
    precision = tf.keras.metrics.Precision(thresholds=thresholds)
    recall = tf.keras.metrics.Recall(thresholds=thresholds)
    for metric in (precision, recall):
        metric.update_state(labels[:30], scores[:30], sample_weight=weights[:30])
        metric.update_state(labels[30:], scores[30:], sample_weight=weights[30:])
    np.testing.assert_allclose(
        to_numpy(precision.result()), counts["tp"] / (counts["tp"] + counts["fp"]), rtol=1e-5
    )
    np.testing.assert_allclose(
        to_numpy(recall.result()), counts["tp"] / (counts["tp"] + counts["fn"]), rtol=1e-5
    )
    single = tf.keras.metrics.Precision()
    single.update_state(labels, scores)
    c = _np_counts(labels, scores, [0.5])
    np.testing.assert_allclose(
        float(to_numpy(single.result())), c["tp"][0] / (c["tp"][0] + c["fp"][0]), rtol=1e-6
    )
    assert float(to_numpy(tf.keras.metrics.Recall().result())) == 0.0  # 0/0 is 0


def test_precision_recall_top_k_and_class_id(tf):
    y_true = np.array([[0, 0, 1, 1], [1, 0, 0, 1], [0, 1, 0, 0]], np.float32)
    y_pred = np.array([[0.1, 0.5, 0.3, 0.9], [0.6, 0.2, 0.8, 0.1], [0.2, 0.9, 0.7, 0.4]], np.float32)
    # top-2 predictions per row: {3, 1}, {2, 0}, {1, 2}
    top = np.zeros_like(y_pred, bool)
    for i, row in enumerate(y_pred):
        top[i, np.argsort(-row)[:2]] = True
    tp = np.sum(top & (y_true == 1))
    fp = np.sum(top & (y_true == 0))
    fn = np.sum(~top & (y_true == 1))
    p = tf.keras.metrics.Precision(top_k=2)
    p.update_state(y_true, y_pred)
    np.testing.assert_allclose(float(to_numpy(p.result())), tp / (tp + fp), rtol=1e-6)
    r = tf.keras.metrics.Recall(top_k=2)
    r.update_state(y_true, y_pred)
    np.testing.assert_allclose(float(to_numpy(r.result())), tp / (tp + fn), rtol=1e-6)
    p3 = tf.keras.metrics.Precision(class_id=3)
    p3.update_state(y_true, y_pred)
    pos = y_pred[:, 3] > 0.5
    np.testing.assert_allclose(float(to_numpy(p3.result())), np.sum(pos & (y_true[:, 3] == 1)) / np.sum(pos))
    r2 = tf.keras.metrics.Recall(top_k=1, class_id=2)
    r2.update_state(y_true, y_pred)
    assert float(to_numpy(r2.result())) == 0.0  # class 2 is the top-1 only of row 1, whose label is 0
    config = tf.keras.metrics.Precision(thresholds=0.7, top_k=2, class_id=1).get_config()
    assert (config["thresholds"], config["top_k"], config["class_id"]) == (0.7, 2, 1)


def test_confusion_counts(tf):
    labels, scores = _scores(8)
    counts = _np_counts(labels, scores, [0.2, 0.6])
    for name, key in (
        ("TruePositives", "tp"),
        ("FalsePositives", "fp"),
        ("TrueNegatives", "tn"),
        ("FalseNegatives", "fn"),
    ):
        metric = getattr(tf.keras.metrics, name)(thresholds=[0.2, 0.6])
        metric.update_state(labels, scores)
        np.testing.assert_allclose(to_numpy(metric.result()), counts[key], err_msg=name)
        single = getattr(tf.keras.metrics, name)()
        single.update_state(labels, scores)
        assert float(to_numpy(single.result())) == _np_counts(labels, scores, [0.5])[key][0]


# ------------------------------------------------------------------ mean metrics
def test_top_k_accuracies(tf):
    y_pred = np.array([[0.1, 0.5, 0.4], [0.3, 0.3, 0.4], [0.8, 0.1, 0.1], [0.2, 0.2, 0.6]], np.float32)
    labels = np.array([2, 1, 1, 0])
    # k=1: no row has its label on top; k=2: every label is within the top 2 (ties count as in)
    for k, expected in ((1, 0.0), (2, 1.0)):
        sparse = tf.keras.metrics.SparseTopKCategoricalAccuracy(k=k)
        sparse.update_state(labels, y_pred)
        np.testing.assert_allclose(float(to_numpy(sparse.result())), expected)
        dense = tf.keras.metrics.TopKCategoricalAccuracy(k=k)
        dense.update_state(np.eye(3)[labels], y_pred)
        np.testing.assert_allclose(float(to_numpy(dense.result())), expected)
    weighted = tf.keras.metrics.SparseTopKCategoricalAccuracy(k=1)
    weighted.update_state(np.array([[1], [2], [0], [2]]), y_pred, sample_weight=[1.0, 3.0, 1.0, 0.0])
    np.testing.assert_allclose(float(to_numpy(weighted.result())), 5 / 5)
    assert tf.keras.metrics.TopKCategoricalAccuracy().get_config()["k"] == 5


def test_regression_and_probabilistic_metrics(tf):
    y_true, y_pred = _data(9)
    w = np.array([1.0, 0.5, 0.0, 2.0], np.float32)
    rmse = tf.keras.metrics.RootMeanSquaredError()
    rmse.update_state(y_true, y_pred, sample_weight=w)
    per_sample = np.mean((y_true - y_pred) ** 2, axis=-1)
    np.testing.assert_allclose(
        float(to_numpy(rmse.result())), np.sqrt((per_sample * w).sum() / w.sum()), rtol=1e-5
    )
    cos = tf.keras.metrics.CosineSimilarity()
    cos.update_state(y_true, y_pred)
    expected = np.sum(y_true * y_pred, -1) / np.linalg.norm(y_true, axis=-1) / np.linalg.norm(y_pred, axis=-1)
    np.testing.assert_allclose(float(to_numpy(cos.result())), expected.mean(), rtol=1e-5)
    for name, reference in (
        ("MeanAbsolutePercentageError", _np_mape),
        ("MeanSquaredLogarithmicError", _np_msle),
        ("LogCoshError", _np_log_cosh),
        ("Poisson", _np_poisson),
        ("Hinge", _np_hinge),
        ("SquaredHinge", _np_squared_hinge),
    ):
        metric = getattr(tf.keras.metrics, name)()
        metric.update_state(y_true[:2], y_pred[:2])
        metric.update_state(y_true[2:], y_pred[2:])
        np.testing.assert_allclose(
            float(to_numpy(metric.result())), reference(y_true, y_pred).mean(), rtol=1e-5, err_msg=name
        )


def test_crossentropy_metrics(tf):
    rng = _rng(10)
    logits = rng.standard_normal((5, 4)).astype(np.float32)
    labels = rng.integers(0, 4, 5)
    probs = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    cce = -np.log(probs[np.arange(5), labels])
    sparse = tf.keras.metrics.SparseCategoricalCrossentropy(from_logits=True)
    sparse.update_state(labels, logits)
    np.testing.assert_allclose(float(to_numpy(sparse.result())), cce.mean(), rtol=1e-5)
    dense = tf.keras.metrics.CategoricalCrossentropy()
    dense.update_state(np.eye(4)[labels], probs)
    np.testing.assert_allclose(float(to_numpy(dense.result())), cce.mean(), rtol=1e-5)
    targets = rng.integers(0, 2, (5, 4)).astype(np.float32)
    sig = 1 / (1 + np.exp(-logits))
    bce = -(targets * np.log(sig) + (1 - targets) * np.log(1 - sig)).mean(-1)
    binary = tf.keras.metrics.BinaryCrossentropy(from_logits=True)
    binary.update_state(targets, logits)
    np.testing.assert_allclose(float(to_numpy(binary.result())), bce.mean(), rtol=1e-5)
    assert binary.get_config()["from_logits"] is True
    kld = tf.keras.metrics.KLDivergence()
    kld.update_state(probs[::-1], probs)
    np.testing.assert_allclose(float(to_numpy(kld.result())), _np_kld(probs[::-1], probs).mean(), rtol=1e-5)
    hinge = tf.keras.metrics.CategoricalHinge()
    hinge.update_state(np.eye(4)[labels], logits)
    np.testing.assert_allclose(
        float(to_numpy(hinge.result())), _np_categorical_hinge(np.eye(4)[labels], logits).mean(), rtol=1e-5
    )


def test_metric_classes_construct_with_defaults(tf):
    for name in (
        "Accuracy",
        "CategoricalAccuracy",
        "SparseCategoricalAccuracy",
        "MeanSquaredError",
        "MeanAbsoluteError",
    ):
        metric = getattr(tf.keras.metrics, name)()
        assert metric.name == name[0].lower() + "".join(
            "_" + c.lower() if c.isupper() else c for c in name[1:]
        )
    assert tf.metrics.AUC is tf.keras.metrics.AUC


# ------------------------------------------------------------------ focal losses, F-scores, R^2
@pytest.mark.parametrize("balanced", [False, True])
def test_binary_focal_crossentropy(tf, balanced):
    rng = _rng(11)
    y_true = rng.integers(0, 2, (4, 3)).astype(np.float32)
    logits = rng.standard_normal((4, 3)).astype(np.float32)
    p = 1 / (1 + np.exp(-logits.astype(np.float64)))
    pc = np.clip(p, EPS, 1 - EPS)
    bce = -(y_true * np.log(pc) + (1 - y_true) * np.log(1 - pc))
    p_t = y_true * p + (1 - y_true) * (1 - p)
    focal = (1 - p_t) ** 2.0 * bce
    if balanced:
        focal = (y_true * 0.25 + (1 - y_true) * 0.75) * focal
    per_sample = focal.mean(-1)
    loss = tf.keras.losses.BinaryFocalCrossentropy(apply_class_balancing=balanced, from_logits=True)
    np.testing.assert_allclose(float(to_numpy(loss(y_true, logits))), per_sample.mean(), rtol=1e-5)
    np.testing.assert_allclose(
        to_numpy(
            tf.keras.losses.binary_focal_crossentropy(
                y_true, p.astype(np.float32), apply_class_balancing=balanced
            )
        ),
        per_sample,
        rtol=1e-4,
    )
    config = loss.get_config()
    assert config["gamma"] == 2.0 and config["alpha"] == 0.25 and config["from_logits"] is True
    check_gradients(
        lambda z: tf.keras.losses.binary_focal_crossentropy(
            tf.constant(y_true, tf.float64), z, from_logits=True
        ),
        [logits.astype(np.float64)],
        order=1,
    )


def test_categorical_focal_crossentropy(tf):
    rng = _rng(12)
    y_true = np.eye(4, dtype=np.float32)[rng.integers(0, 4, 5)]
    logits = rng.standard_normal((5, 4)).astype(np.float32)
    p = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    pc = np.clip(p, EPS, 1 - EPS)
    per_sample = np.sum(0.25 * (1 - pc) ** 2 * -y_true * np.log(pc), axis=-1)
    loss = tf.keras.losses.CategoricalFocalCrossentropy(from_logits=True)
    np.testing.assert_allclose(float(to_numpy(loss(y_true, logits))), per_sample.mean(), rtol=1e-5)
    np.testing.assert_allclose(
        to_numpy(tf.keras.losses.categorical_focal_crossentropy(y_true, p)), per_sample, rtol=1e-5
    )


@pytest.mark.parametrize("average", [None, "micro", "macro", "weighted"])
def test_f_scores(tf, average):
    rng = _rng(13)
    y_true = np.eye(3, dtype=np.float32)[rng.integers(0, 3, 12)]
    y_pred = rng.uniform(0, 1, (12, 3)).astype(np.float32)
    weights = rng.uniform(0.5, 1.5, 12).astype(np.float32)

    def expected(beta, predicted):
        axis = None if average == "micro" else 0
        w = weights[:, None]
        tp = np.sum(predicted * y_true * w, axis=axis)
        fp = np.sum(predicted * (1 - y_true) * w, axis=axis)
        fn = np.sum((1 - predicted) * y_true * w, axis=axis)
        support = np.sum(y_true * w, axis=axis)
        precision, recall = tp / (tp + fp + EPS), tp / (tp + fn + EPS)
        score = precision * recall / (beta**2 * precision + recall + EPS) * (1 + beta**2)
        if average == "weighted":
            return np.sum(score * support / (support.sum() + EPS))
        return score if average is None else np.mean(score)

    f1 = tf.keras.metrics.F1Score(average=average)
    f1.update_state(y_true[:6], y_pred[:6], sample_weight=weights[:6])
    f1.update_state(y_true[6:], y_pred[6:], sample_weight=weights[6:])
    on_max = (y_pred == y_pred.max(-1, keepdims=True)).astype(np.float64)
    np.testing.assert_allclose(to_numpy(f1.result()), expected(1.0, on_max), rtol=1e-5)
    fbeta = tf.keras.metrics.FBetaScore(average=average, beta=2.0, threshold=0.4)
    fbeta.update_state(y_true, y_pred, sample_weight=weights)
    np.testing.assert_allclose(
        to_numpy(fbeta.result()), expected(2.0, (y_pred > 0.4).astype(np.float64)), rtol=1e-5
    )
    assert "beta" not in f1.get_config() and fbeta.get_config()["beta"] == 2.0
    with pytest.raises(ValueError, match="average"):
        tf.keras.metrics.F1Score(average="mean")


@pytest.mark.parametrize("aggregation", ["uniform_average", "variance_weighted_average", None])
def test_r2_score(tf, aggregation):
    rng = _rng(14)
    y_true = rng.standard_normal((10, 2)).astype(np.float32)
    y_pred = (y_true + 0.3 * rng.standard_normal((10, 2))).astype(np.float32)
    metric = tf.keras.metrics.R2Score(class_aggregation=aggregation)
    metric.update_state(y_true[:4], y_pred[:4])
    metric.update_state(y_true[4:], y_pred[4:])
    ss_res = np.sum((y_true - y_pred) ** 2, axis=0)
    ss_tot = np.sum((y_true - y_true.mean(0)) ** 2, axis=0)
    raw = 1 - ss_res / ss_tot
    expected = {
        "uniform_average": raw.mean(),
        "variance_weighted_average": np.sum(ss_tot * raw) / ss_tot.sum(),
        None: raw,
    }[aggregation]
    np.testing.assert_allclose(to_numpy(metric.result()), expected, rtol=1e-4)
    adjusted = tf.keras.metrics.R2Score(num_regressors=2)
    adjusted.update_state(y_true, y_pred)
    n = y_true.size
    np.testing.assert_allclose(
        float(to_numpy(adjusted.result())), 1 - (1 - raw.mean()) * (n - 1) / (n - 2 - 1), rtol=1e-4
    )


def test_metrics_get_by_name_and_config(tf):
    for name, cls in (
        ("auc", "AUC"),
        ("AUC", "AUC"),
        ("accuracy", "Accuracy"),
        ("mse", "MeanSquaredError"),
        ("precision", "Precision"),
        ("categorical_crossentropy", "CategoricalCrossentropy"),
        ("top_k_categorical_accuracy", "TopKCategoricalAccuracy"),
        ("root_mean_squared_error", "RootMeanSquaredError"),
    ):
        assert type(tf.keras.metrics.get(name)) is getattr(tf.keras.metrics, cls), name
    metric = tf.keras.metrics.get({"class_name": "AUC", "config": {"num_thresholds": 7, "curve": "PR"}})
    assert metric.get_config()["num_thresholds"] == 7 and metric.get_config()["curve"] == "PR"
    restored = tf.keras.metrics.deserialize(
        tf.keras.metrics.serialize(tf.keras.metrics.Recall(thresholds=0.3))
    )
    assert type(restored) is tf.keras.metrics.Recall and restored.get_config()["thresholds"] == 0.3
    with pytest.raises(ValueError):
        tf.keras.metrics.get("no_such_metric")


def test_reduction_names(tf):
    R = tf.keras.losses.Reduction
    assert (R.NONE, R.SUM, R.SUM_OVER_BATCH_SIZE) == ("none", "sum", "sum_over_batch_size")
    loss = tf.keras.losses.Poisson(reduction=R.NONE)
    assert tuple(loss([[1.0], [2.0]], [[1.5], [0.5]]).shape) == (2,)
    with pytest.raises(ValueError):
        tf.keras.losses.Hinge(reduction=R.AUTO)
    with pytest.raises(ValueError):
        R.validate("mean_of_means")


def _np_iou(y_true, y_pred, n, ids, weights=None):
    cm = np.zeros((n, n))
    w = np.ones(len(y_true)) if weights is None else weights
    for t, p, wi in zip(y_true, y_pred, w):
        if 0 <= t < n and 0 <= p < n:
            cm[t, p] += wi
    tp = np.diag(cm)
    denominator = cm.sum(0) + cm.sum(1) - tp
    valid = denominator[ids] > 1e-9
    return np.sum(np.where(valid, tp[ids] / (denominator[ids] + EPS), 0)) / (valid.sum() + EPS)


def test_iou_metrics(tf):
    rng = _rng(15)
    y_true = rng.integers(0, 3, 30)
    y_pred = rng.integers(0, 3, 30)
    weights = rng.uniform(0, 1, 30).astype(np.float32)
    mean_iou = tf.keras.metrics.MeanIoU(num_classes=3)
    mean_iou.update_state(y_true[:10], y_pred[:10])
    mean_iou.update_state(y_true[10:], y_pred[10:])
    np.testing.assert_allclose(
        float(to_numpy(mean_iou.result())), _np_iou(y_true, y_pred, 3, [0, 1, 2]), rtol=1e-6
    )
    iou = tf.keras.metrics.IoU(num_classes=3, target_class_ids=[0, 2], dtype="float32")
    iou.update_state(y_true, y_pred, sample_weight=weights)
    np.testing.assert_allclose(
        float(to_numpy(iou.result())), _np_iou(y_true, y_pred, 3, [0, 2], weights), rtol=1e-5
    )
    # int64 by default, as in TF 2.21: fractional weights truncate to 0
    truncated = tf.keras.metrics.MeanIoU(num_classes=2)
    truncated.update_state([0, 0, 1, 1], [0, 1, 0, 1], sample_weight=[0.3, 0.3, 0.3, 0.1])
    assert float(to_numpy(truncated.result())) == 0.0
    one_hot = tf.keras.metrics.OneHotMeanIoU(num_classes=3)
    one_hot.update_state(np.eye(3)[y_true], rng.uniform(0, 1, (30, 3)) + np.eye(3)[y_pred])
    np.testing.assert_allclose(
        float(to_numpy(one_hot.result())), _np_iou(y_true, y_pred, 3, [0, 1, 2]), rtol=1e-6
    )
    binary = tf.keras.metrics.BinaryIoU(target_class_ids=[0, 1], threshold=0.3, dtype="float32")
    binary.update_state([0, 1, 0, 1], [0.1, 0.2, 0.4, 0.7], sample_weight=[0.2, 0.3, 0.4, 0.1])
    np.testing.assert_allclose(float(to_numpy(binary.result())), (0.2 / 0.9 + 0.1 / 0.8) / 2, rtol=1e-5)
    ignoring = tf.keras.metrics.MeanIoU(num_classes=3, ignore_class=1)
    ignoring.update_state(y_true, y_pred)
    keep = y_true != 1
    np.testing.assert_allclose(
        float(to_numpy(ignoring.result())), _np_iou(y_true[keep], y_pred[keep], 3, [0, 1, 2]), rtol=1e-6
    )
    with pytest.raises(ValueError, match="out of range"):
        tf.keras.metrics.IoU(num_classes=2, target_class_ids=[2])


def test_custom_metric_subclass_with_add_weight(tf):
    class BinaryTruePositives(tf.keras.metrics.Metric):
        def __init__(self, name="binary_true_positives", **kwargs):
            super().__init__(name=name, **kwargs)
            self.true_positives = self.add_weight(name="tp", initializer="zeros")
            self.offset = self.add_variable(shape=(2,), initializer="ones", name="offset")

        def update_state(self, y_true, y_pred, sample_weight=None):
            hits = tf.logical_and(tf.cast(y_true, tf.bool), tf.cast(y_pred, tf.bool))
            hits = tf.cast(hits, self.dtype)
            if sample_weight is not None:
                hits = hits * tf.cast(sample_weight, self.dtype)
            self.true_positives.assign_add(tf.reduce_sum(hits))

        def result(self):
            return self.true_positives + 0 * tf.reduce_sum(self.offset)

    metric = BinaryTruePositives()
    metric.update_state([1, 1, 0, 1], [1, 0, 1, 1], sample_weight=[0.5, 1.0, 1.0, 2.0])
    assert float(to_numpy(metric.result())) == 2.5
    np.testing.assert_array_equal(to_numpy(metric.offset), [1.0, 1.0])
    assert len(metric.variables) == 2
    metric.reset_state()
    assert float(to_numpy(metric.result())) == 0.0


@pytest.mark.parametrize(
    "name, value, constrained, dependent",
    [
        ("SensitivityAtSpecificity", 0.6, "specificity", "sensitivity"),
        ("SpecificityAtSensitivity", 0.4, "sensitivity", "specificity"),
        ("PrecisionAtRecall", 0.5, "sensitivity", "precision"),
        ("RecallAtPrecision", 0.7, "precision", "sensitivity"),
    ],
)
def test_metrics_at_an_operating_point(tf, name, value, constrained, dependent):
    labels, scores = _scores(16)
    weights = _rng(17).uniform(0.5, 1.5, labels.shape).astype(np.float32)
    thresholds = [0.0] + [(i + 1) / 49 for i in range(48)] + [1.0]
    c = _np_counts(labels, scores, thresholds, weights)
    div = lambda a, b: np.where(b == 0, 0.0, a / np.where(b == 0, 1, b))  # noqa: E731
    rates = {
        "sensitivity": div(c["tp"], c["tp"] + c["fn"]),
        "specificity": div(c["tn"], c["tn"] + c["fp"]),
        "precision": div(c["tp"], c["tp"] + c["fp"]),
    }
    expected = max(0.0, np.max(np.where(rates[constrained] >= value, rates[dependent], 0.0)))
    metric = getattr(tf.keras.metrics, name)(value, num_thresholds=50)
    metric.update_state(labels, scores, sample_weight=weights)
    np.testing.assert_allclose(float(to_numpy(metric.result())), expected, rtol=1e-5, atol=1e-7)
    config = metric.get_config()
    argument = {
        "SensitivityAtSpecificity": "specificity",
        "SpecificityAtSensitivity": "sensitivity",
        "PrecisionAtRecall": "recall",
        "RecallAtPrecision": "precision",
    }[name]
    assert config["num_thresholds"] == 50 and config[argument] == value
    with pytest.raises(ValueError):
        getattr(tf.keras.metrics, name)(1.5)

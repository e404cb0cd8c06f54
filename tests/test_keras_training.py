"""tf.keras training APIs: optimizers, schedules, losses, metrics, extra layers and initializers.

Expected numbers marked "TF 2.21" are TensorFlow 2.21 (Keras 3.15)'s output for the
same code, pasted as literals; the suite also passes with TAPEGRAD_TEST_BACKEND=tensorflow.
"""

from __future__ import annotations

import numpy as np
import pytest
from _backend import to_numpy

W0 = np.array([[1.0, -2.0], [0.5, 3.0]], np.float32)
B0 = np.array([0.1, -0.2], np.float32)

# TF 2.21: [w.ravel(), b.ravel()] after each of 3 apply_gradients calls on _quadratic_loss.
OPTIMIZER_STEPS = {
    "sgd": [
        [0.89001667, -1.780133, 0.44999999, 2.7, 0.00049958378, -0.0039866865],
        [0.80096507, -1.601721, 0.405, 2.4300001, -0.088502072, 0.17402521],
        [0.72970724, -1.4588637, 0.36449999, 2.187, -0.1682851, 0.33177805],
    ],
    "sgd_momentum": [
        [0.89001667, -1.780133, 0.44999999, 2.7, 0.00049958378, -0.0039866865],
        [0.70198005, -1.4038408, 0.35999998, 2.1600001, -0.17805246, 0.35043719],
        [0.48026043, -0.95912457, 0.243, 1.4580001, -0.40783748, 0.8012706],
    ],
    "sgd_nesterov": [
        [0.79103166, -1.5822527, 0.405, 2.4299998, -0.089050792, 0.17242531],
        [0.56854641, -1.1361313, 0.28755, 1.7252998, -0.31934664, 0.6273663],
        [0.38312459, -0.75725102, 0.1636605, 0.98196292, -0.55826432, 1.0712812],
    ],
    "adam": [
        [0.90000093, -1.9000008, 0.40000132, 2.9000008, 9.9092722e-07, -0.10000084],
        [0.80101609, -1.8003604, 0.3011902, 2.8001046, -0.099611297, -0.00011253357],
        [0.7041198, -1.7013789, 0.20487472, 2.7003839, -0.19844386, 0.099531762],
    ],
    "adam_amsgrad": [
        [0.90000093, -1.9000008, 0.40000132, 2.9000008, 9.9092722e-07, -0.10000084],
        [0.80101609, -1.8003604, 0.3011902, 2.8001046, -0.099611297, -0.00011253357],
        [0.7041198, -1.7013789, 0.20487472, 2.7003839, -0.19844386, 0.099531762],
    ],
    "adamw": [
        [0.89000094, -1.8800008, 0.39500132, 2.8700008, -0.0009990111, -0.098000832],
        [0.78220898, -1.7616167, 0.29234147, 2.7414417, -0.10054303, 0.0028297082],
        [0.67777729, -1.6451793, 0.19341901, 2.614408, -0.19819963, 0.10233616],
    ],
    "rmsprop": [
        [0.68377233, -1.6837723, 0.18377286, 2.6837723, -0.21622759, 0.11622773],
        [0.55407298, -1.4937701, 0.069531977, 2.466821, -0.39887112, 0.32769057],
        [0.50634861, -1.3584607, 0.024435587, 2.2917659, -0.53231108, 0.48960525],
    ],
    "rmsprop_centered_momentum": [
        [0.66666681, -1.6666667, 0.1666674, 2.6666667, -0.23333314, 0.13333328],
        [0.36719912, -1.2926121, -0.11373097, 2.2598572, -0.59797883, 0.53315139],
        [0.27729762, -0.99565685, -0.1774202, 1.8638736, -0.87695169, 0.88965541],
    ],
    "adagrad": [
        [0.90389365, -1.9010185, 0.41548458, 2.9005508, 0.0046973452, -0.1012765],
        [0.84171343, -1.8340675, 0.35801226, 2.8312407, -0.060756132, -0.032304361],
        [0.79457587, -1.7811216, 0.31363362, 2.7752056, -0.11273181, 0.023271635],
    ],
    "sgd_clipnorm": [
        [0.98593825, -1.9718893, 0.49360731, 2.9616439, 0.077367924, -0.15541537],
        [0.97205764, -1.9441252, 0.48716319, 2.9229794, 0.054843739, -0.11077613],
        [0.95836347, -1.9167244, 0.48066649, 2.8839991, 0.032400005, -0.066096395],
    ],
    "sgd_global_clipnorm": [
        [0.98774201, -1.9754951, 0.49442735, 2.9665642, 0.088910379, -0.17815372],
        [0.97557944, -1.951174, 0.48884138, 2.9330482, 0.077795066, -0.15618806],
        [0.96351331, -1.9270402, 0.48324141, 2.8994484, 0.066653028, -0.13410828],
    ],
    "sgd_clipvalue": [
        [0.97000003, -1.97, 0.47, 2.97, 0.07, -0.17],
        [0.94000006, -1.9400001, 0.44, 2.9400001, 0.039999999, -0.14],
        [0.91000009, -1.9100001, 0.41, 2.9100001, 0.0099999979, -0.11],
    ],
}

OPTIMIZER_ARGS = {
    "sgd": ("SGD", {"learning_rate": 0.1}),
    "sgd_momentum": ("SGD", {"learning_rate": 0.1, "momentum": 0.9}),
    "sgd_nesterov": ("SGD", {"learning_rate": 0.1, "momentum": 0.9, "nesterov": True}),
    "adam": ("Adam", {"learning_rate": 0.1}),
    "adam_amsgrad": ("Adam", {"learning_rate": 0.1, "amsgrad": True}),
    "adamw": ("AdamW", {"learning_rate": 0.1, "weight_decay": 0.1}),
    "rmsprop": ("RMSprop", {"learning_rate": 0.1}),
    "rmsprop_centered_momentum": ("RMSprop", {"learning_rate": 0.1, "momentum": 0.5, "centered": True}),
    "adagrad": ("Adagrad", {"learning_rate": 0.1}),
    "sgd_clipnorm": ("SGD", {"learning_rate": 0.1, "clipnorm": 0.5}),
    "sgd_global_clipnorm": ("SGD", {"learning_rate": 0.1, "global_clipnorm": 0.5}),
    "sgd_clipvalue": ("SGD", {"learning_rate": 0.1, "clipvalue": 0.3}),
}


def _quadratic_loss(tf, w, b):
    return tf.reduce_sum(tf.square(w)) * 0.5 + tf.reduce_sum(tf.sin(b) * w[0])


def _np(value):
    return np.asarray(to_numpy(value))


# ------------------------------------------------------------------ optimizers
@pytest.mark.parametrize("case", sorted(OPTIMIZER_STEPS))
def test_optimizer_steps_match_tf(tf, case):
    """Three update steps of each optimizer give TF 2.21's variable values (float32 tolerance)."""
    cls_name, kwargs = OPTIMIZER_ARGS[case]
    opt = getattr(tf.keras.optimizers, cls_name)(**kwargs)
    w, b = tf.Variable(W0), tf.Variable(B0)
    for expected in OPTIMIZER_STEPS[case]:
        with tf.GradientTape() as tape:
            loss = _quadratic_loss(tf, w, b)
        opt.apply_gradients(zip(tape.gradient(loss, [w, b]), [w, b]))
        got = np.concatenate([_np(w).ravel(), _np(b).ravel()])
        np.testing.assert_allclose(got, expected, rtol=2e-6, atol=1e-7)
    assert int(_np(opt.iterations)) == 3


def test_optimizer_slot_variables(tf):
    """Adam keeps iteration, learning rate, then momentum and velocity per variable (lazily made)."""
    opt = tf.keras.optimizers.Adam(0.1)
    assert len(opt.variables) == 2
    w, b = tf.Variable(W0), tf.Variable(B0)
    opt.apply_gradients([(tf.ones_like(w), w), (tf.ones_like(b), b)])
    variables = opt.variables
    assert len(variables) == 6
    assert [tuple(v.shape) for v in variables[2:]] == [(2, 2), (2, 2), (2,), (2,)]
    # First step: m = 0.1 * g, v = 0.001 * g^2 (Keras 3 formulas).
    np.testing.assert_allclose(_np(variables[2]), np.full((2, 2), 0.1), rtol=1e-6)
    np.testing.assert_allclose(_np(variables[3]), np.full((2, 2), 0.001), rtol=1e-5)


def test_slots_are_keyed_by_variable_not_name(tf):
    """Two variables with the same name get their own momentum."""
    opt = tf.keras.optimizers.SGD(0.1, momentum=0.9)
    a = tf.Variable([1.0], name="w")
    b = tf.Variable([1.0], name="w")
    for _ in range(2):
        opt.apply_gradients([(tf.constant([1.0]), a), (tf.constant([-1.0]), b)])
    # m1 = -0.1 g, m2 = 0.9 m1 - 0.1 g: var = 1 - 0.1 g - 0.19 g
    np.testing.assert_allclose(_np(a), [0.71], rtol=1e-6)
    np.testing.assert_allclose(_np(b), [1.29], rtol=1e-6)


@pytest.mark.tapegrad_only
def test_slots_created_lazily_for_new_variables(tf):
    """tapegrad accepts variables first seen after the first step (Keras 3 raises 'Unknown variable')."""
    opt = tf.keras.optimizers.Adam(0.1)
    a, b = tf.Variable([1.0]), tf.Variable([2.0])
    opt.apply_gradients([(tf.constant([1.0]), a)])
    assert len(opt.variables) == 4
    opt.apply_gradients([(tf.constant([1.0]), a), (tf.constant([1.0]), b)])
    assert len(opt.variables) == 6
    assert opt.get_slot(b, "momentum") is opt.variables[4]


def test_apply_gradients_skips_none(tf):
    """A None gradient leaves its variable untouched; the others are updated."""
    opt = tf.keras.optimizers.SGD(0.5)
    a, b = tf.Variable([1.0]), tf.Variable([2.0])
    with pytest.warns(UserWarning, match="Gradients do not exist"):
        opt.apply_gradients([(tf.constant([1.0]), a), (None, b)])
    np.testing.assert_allclose(_np(a), [0.5])
    np.testing.assert_allclose(_np(b), [2.0])
    assert int(_np(opt.iterations)) == 1


def test_apply_gradients_all_none_raises(tf):
    """Keras 3's message when no variable has a gradient."""
    opt = tf.keras.optimizers.Adam()
    with pytest.raises(ValueError, match="No gradients provided for any variable"):
        opt.apply_gradients([(None, tf.Variable([1.0]))])


def test_learning_rate_property_and_setter(tf):
    """learning_rate reads as a float32 variable and can be assigned a float."""
    opt = tf.keras.optimizers.SGD(learning_rate=0.1)
    assert float(_np(opt.learning_rate)) == pytest.approx(0.1)
    opt.learning_rate = 0.5
    assert float(_np(opt.learning_rate)) == pytest.approx(0.5)
    v = tf.Variable([1.0])
    opt.apply_gradients([(tf.constant([1.0]), v)])
    np.testing.assert_allclose(_np(v), [0.5])
    assert opt.get_config()["learning_rate"] == pytest.approx(0.5)


def test_learning_rate_errors(tf):
    """An int learning rate is refused (Keras 3); a schedule-driven rate cannot be set to a float."""
    with pytest.raises(ValueError, match="learning_rate` should be float"):
        tf.keras.optimizers.SGD(learning_rate=1)
    opt = tf.keras.optimizers.SGD(tf.keras.optimizers.schedules.ExponentialDecay(0.1, 2, 0.5))
    with pytest.raises(TypeError, match="not settable"):
        opt.learning_rate = 0.3


# TF 2.21: schedule(step) for step in 0..4.
SCHEDULES = [
    ("ExponentialDecay", (0.1, 2, 0.5), {}, [0.1, 0.070710681, 0.05, 0.035355341, 0.025]),
    ("ExponentialDecay", (0.1, 2, 0.5), {"staircase": True}, [0.1, 0.1, 0.05, 0.05, 0.025]),
    ("PiecewiseConstantDecay", ([1, 3], [0.1, 0.05, 0.01]), {}, [0.1, 0.1, 0.05, 0.05, 0.01]),
    ("InverseTimeDecay", (0.1, 2, 0.5), {}, [0.1, 0.08, 0.066666670, 0.057142857, 0.05]),
]


@pytest.mark.parametrize("name, args, kwargs, expected", SCHEDULES)
def test_schedules_match_tf(tf, name, args, kwargs, expected):
    """Each schedule's values at steps 0..4, and the optimizer reads it at ``iterations``."""
    schedule = getattr(tf.keras.optimizers.schedules, name)(*args, **kwargs)
    got = [float(_np(schedule(step))) for step in range(5)]
    np.testing.assert_allclose(got, expected, rtol=1e-6)
    opt = tf.keras.optimizers.SGD(schedule)
    v = tf.Variable([0.0])
    for step in range(4):
        assert float(_np(opt.learning_rate)) == pytest.approx(expected[step], rel=1e-6)
        opt.apply_gradients([(tf.constant([-1.0]), v)])
    np.testing.assert_allclose(_np(v), [sum(expected[:4])], rtol=1e-6)


def test_optimizer_config_and_get(tf):
    """get_config lists Keras 3's keys; get() resolves names case-insensitively."""
    config = tf.keras.optimizers.SGD(0.1, momentum=0.9, nesterov=True, clipnorm=1.0).get_config()
    assert config["learning_rate"] == pytest.approx(0.1)
    assert (config["momentum"], config["nesterov"], config["clipnorm"]) == (0.9, True, 1.0)
    assert config["weight_decay"] is None and config["global_clipnorm"] is None
    adam = tf.keras.optimizers.Adam(epsilon=1e-5).get_config()
    assert (adam["beta_1"], adam["beta_2"], adam["epsilon"], adam["amsgrad"]) == (0.9, 0.999, 1e-5, False)
    assert tf.keras.optimizers.AdamW().get_config()["weight_decay"] == 0.004
    rms = tf.keras.optimizers.RMSprop().get_config()
    assert (rms["rho"], rms["momentum"], rms["centered"]) == (0.9, 0.0, False)
    assert tf.keras.optimizers.Adagrad().get_config()["initial_accumulator_value"] == 0.1
    for name, cls in [("adam", "Adam"), ("SGD", "SGD"), ("rmsprop", "RMSprop"), ("adagrad", "Adagrad")]:
        assert isinstance(tf.keras.optimizers.get(name), getattr(tf.keras.optimizers, cls))
    opt = tf.keras.optimizers.Adam()
    assert tf.keras.optimizers.get(opt) is opt
    with pytest.raises(ValueError, match="Could not interpret optimizer identifier: foo"):
        tf.keras.optimizers.get("foo")


def test_optimizer_argument_errors(tf):
    """Clear errors for conflicting clip arguments, bad momentum and unknown keywords."""
    with pytest.raises(ValueError, match="Only one of `clipnorm`, `clipvalue` and `global_clipnorm`"):
        tf.keras.optimizers.SGD(clipnorm=1.0, clipvalue=1.0)
    with pytest.raises(ValueError, match="momentum` must be a float between"):
        tf.keras.optimizers.SGD(momentum=1.5)
    with pytest.raises(ValueError, match="Argument\\(s\\) not recognized"):
        tf.keras.optimizers.Adam(betaone=0.9)
    with pytest.raises(ValueError, match="weight_decay"):
        tf.keras.optimizers.AdamW(weight_decay=None)


@pytest.mark.tapegrad_only
def test_minimize_with_callable_and_tape(tf):
    """tf.keras 2's ``minimize``: a callable loss, or a tensor loss with its tape (Keras 3 dropped it)."""
    w = tf.Variable([1.0, -2.0])
    opt = tf.keras.optimizers.SGD(0.1)
    opt.minimize(lambda: tf.reduce_sum(w * w), [w])
    np.testing.assert_allclose(_np(w), [0.8, -1.6], rtol=1e-6)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(w * w)
    opt.minimize(loss, [w], tape=tape)
    np.testing.assert_allclose(_np(w), [0.64, -1.28], rtol=1e-6)
    opt.minimize(lambda: tf.reduce_sum(w), lambda: [w])
    np.testing.assert_allclose(_np(w), [0.54, -1.38], rtol=1e-6)
    with pytest.raises(ValueError, match="`tape` is required"):
        opt.minimize(loss, [w])
    assert int(_np(opt.iterations)) == 3


# ---------------------------------------------------------------------- losses
Y_REG = np.array([[0.5, -1.0, 2.0], [1.5, 0.0, -0.5], [-2.0, 1.0, 0.3], [0.2, 0.4, -1.2]], np.float32)
P_REG = np.array([[1.0, -0.5, 0.0], [1.0, 2.5, -0.5], [0.5, 1.1, 0.8], [-3.0, 0.6, -1.0]], np.float32)
LOGITS = np.array(
    [[0.13, -0.13, 0.64], [0.1, -0.54, 0.36], [1.3, 0.95, -0.7], [-1.27, -0.62, 0.04]], np.float32
)
PROBS = np.array([[1.0, 0.0, 0.0], [0.35, 0.19, 0.46], [0.54, 0.38, 0.08], [0.15, 0.29, 0.56]], np.float32)
ONEHOT = np.eye(3, dtype=np.float32)[[0, 2, 1, 2]]
LABELS = np.array([0, 2, 1, 2])
YB = np.array([[1, 0, 1], [0, 0, 1], [1, 1, 0], [0, 1, 0]], np.float32)
PB = np.array([[0.9, 0.2, 1.0], [0.1, 0.4, 0.6], [0.7, 0.5, 0.0], [0.3, 0.8, 0.2]], np.float32)
SAMPLE_WEIGHT = np.array([1.0, 0.5, 0.0, 2.0], np.float32)
_INPUTS = {
    "Y_REG": Y_REG,
    "P_REG": P_REG,
    "ABS_Y_REG": np.abs(Y_REG),
    "LOGITS": LOGITS,
    "PROBS": PROBS,
    "ONEHOT": ONEHOT,
    "LABELS": LABELS,
    "YB": YB,
    "PB": PB,
}

# TF 2.21: (class, kwargs, y_true, y_pred, reduction="none", default reduction, "sum" with SAMPLE_WEIGHT).
LOSS_CASES = [
    ("MeanSquaredError", {}, "Y_REG", "P_REG", [1.5, 2.1666667, 2.1700001, 3.4400003], 2.3191669, 9.4633341),
    ("MeanAbsoluteError", {}, "Y_REG", "P_REG", [1, 1, 1.0333333, 1.2], 1.0583334, 3.9000001),
    (
        "MeanSquaredLogarithmicError",
        {},
        "ABS_Y_REG",
        "P_REG",
        [0.59005421, 0.5945366, 0.1962444, 0.22424555],
        0.40127018,
        1.3358136,
    ),
    (
        "Huber",
        {"delta": 1.5},
        "Y_REG",
        "P_REG",
        [0.70833331, 0.91666669, 0.91833335, 1.2383333],
        0.94541669,
        3.6433334,
    ),
    (
        "LogCosh",
        {},
        "Y_REG",
        "P_REG",
        [0.52174389, 0.64456087, 0.64622474, 0.84941649],
        0.66548651,
        2.5428572,
    ),
    (
        "CosineSimilarity",
        {},
        "Y_REG",
        "P_REG",
        [-0.39036, -0.40414518, -0.10399452, -0.20378749],
        -0.27557179,
        -1.0000076,
    ),
    ("KLDivergence", {}, "ONEHOT", "PROBS", [0, 0.7765258, 0.96758109, 0.57981557], 0.5809806, 1.547894),
    (
        "BinaryCrossentropy",
        {},
        "YB",
        "PB",
        [0.1095014, 0.37567058, 0.34994075, 0.267654],
        0.27569169,
        0.8326447,
    ),
    (
        "BinaryCrossentropy",
        {"label_smoothing": 0.2},
        "YB",
        "PB",
        [0.76036471, 0.47594237, 0.91545391, 0.38831687],
        0.63501948,
        1.7749696,
    ),
    (
        "BinaryCrossentropy",
        {"from_logits": True},
        "YB",
        "LOGITS",
        [0.56133765, 0.57760662, 0.323717, 0.67043447],
        0.53327394,
        2.19101,
    ),
    (
        "CategoricalCrossentropy",
        {},
        "ONEHOT",
        "PROBS",
        [1.192093e-07, 0.77652878, 0.96758401, 0.57981849],
        0.58098286,
        1.5479015,
    ),
    (
        "CategoricalCrossentropy",
        {"label_smoothing": 0.1},
        "ONEHOT",
        "PROBS",
        [1.0745399, 0.81511194, 1.0078089, 0.64566374],
        0.88578111,
        2.7734232,
    ),
    (
        "CategoricalCrossentropy",
        {"from_logits": True},
        "ONEHOT",
        "LOGITS",
        [1.2344077, 0.77823317, 0.95977825, 0.58035433],
        0.88819337,
        2.7842329,
    ),
    (
        "SparseCategoricalCrossentropy",
        {},
        "LABELS",
        "PROBS",
        [2.3841855e-07, 0.77652878, 0.96758407, 0.57981849],
        0.58098292,
        1.5479016,
    ),
    (
        "SparseCategoricalCrossentropy",
        {"from_logits": True},
        "LABELS",
        "LOGITS",
        [1.2344077, 0.77823317, 0.95977825, 0.58035433],
        0.88819337,
        2.7842329,
    ),
]


@pytest.mark.parametrize("name, kwargs, y_true, y_pred, per_sample, mean, weighted_sum", LOSS_CASES)
def test_losses_match_tf(tf, name, kwargs, y_true, y_pred, per_sample, mean, weighted_sum):
    """Each loss class under the three reductions (and a sample weight) gives TF 2.21's values."""
    cls = getattr(tf.keras.losses, name)
    a, b = _INPUTS[y_true], _INPUTS[y_pred]
    np.testing.assert_allclose(_np(cls(reduction="none", **kwargs)(a, b)), per_sample, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(_np(cls(**kwargs)(a, b)), mean, rtol=1e-5, atol=1e-6)
    total = cls(reduction="sum", **kwargs)(a, b, sample_weight=SAMPLE_WEIGHT)
    np.testing.assert_allclose(_np(total), weighted_sum, rtol=1e-5, atol=1e-6)


def test_loss_functions_match_tf(tf):
    """The function forms return per-sample losses (TF 2.21 values)."""
    losses = tf.keras.losses
    np.testing.assert_allclose(
        _np(losses.mse(Y_REG, P_REG)), [1.5, 2.1666667, 2.1700001, 3.4400003], rtol=1e-6
    )
    np.testing.assert_allclose(
        _np(losses.binary_crossentropy(YB, PB)), [0.1095014, 0.37567058, 0.34994075, 0.267654], rtol=1e-5
    )
    np.testing.assert_allclose(
        _np(losses.categorical_crossentropy(ONEHOT, LOGITS, from_logits=True)),
        [1.2344077, 0.77823317, 0.95977825, 0.58035433],
        rtol=1e-6,
    )
    np.testing.assert_allclose(
        _np(losses.sparse_categorical_crossentropy(LABELS, PROBS)),
        [2.3841855e-07, 0.77652878, 0.96758407, 0.57981849],
        rtol=1e-5,
        atol=1e-6,
    )


@pytest.mark.tapegrad_only
def test_long_loss_function_names(tf):
    """``mean_squared_error`` & co. (Keras 3 names, absent from TF 2.21's tf.keras namespace) are aliases."""
    losses = tf.keras.losses
    assert losses.mean_squared_error is losses.mse
    assert losses.mean_absolute_error is losses.mae
    assert losses.kl_divergence is losses.kld
    assert losses.log_cosh is losses.logcosh


def test_loss_rank_matching(tf):
    """Rank-1 y_true is matched to (batch, 1) predictions; integer labels may end in a 1 (TF 2.21)."""
    bce = tf.keras.losses.BinaryCrossentropy()(np.array([1.0, 0.0, 1.0]), np.array([[0.8], [0.3], [0.4]]))
    np.testing.assert_allclose(_np(bce), 0.49870309, rtol=1e-6)
    scce = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    np.testing.assert_allclose(
        _np(scce(LABELS[:, None], LOGITS, sample_weight=SAMPLE_WEIGHT)), 0.69605821, rtol=1e-6
    )


def test_loss_gradient_flows(tf):
    """The loss is differentiable: d/dp of mean squared error is 2 (p - y) / n."""
    p = tf.Variable(P_REG)
    with tf.GradientTape() as tape:
        loss = tf.keras.losses.MeanSquaredError()(Y_REG, p)
    np.testing.assert_allclose(_np(tape.gradient(loss, p)), 2 * (P_REG - Y_REG) / Y_REG.size, rtol=1e-5)


def test_loss_get_and_errors(tf):
    """get() resolves function and class names; bad reductions and names raise ValueError."""
    losses = tf.keras.losses
    assert losses.get("mse") is losses.mse
    assert losses.get("binary_crossentropy") is losses.binary_crossentropy
    assert isinstance(losses.get("MeanSquaredError"), losses.MeanSquaredError)
    assert losses.get(None) is None
    with pytest.raises(ValueError, match="Could not interpret loss identifier: foo"):
        losses.get("foo")
    with pytest.raises(ValueError, match="Invalid value for argument `reduction`"):
        losses.MeanSquaredError(reduction="bad")
    with pytest.raises(ValueError, match="must have the same shape"):
        losses.CategoricalCrossentropy()(ONEHOT[:, :2], PROBS)
    config = losses.BinaryCrossentropy(label_smoothing=0.1).get_config()
    assert config == {
        "name": "binary_crossentropy",
        "reduction": "sum_over_batch_size",
        "from_logits": False,
        "label_smoothing": 0.1,
        "axis": -1,
    }


# --------------------------------------------------------------------- metrics
def test_mean_and_sum_metrics(tf):
    """Mean and Sum accumulate across updates, honour sample weights, and reset (TF 2.21 values)."""
    mean = tf.keras.metrics.Mean()
    mean.update_state([1.0, 2.0, 3.0])
    mean.update_state([[4.0, 6.0]], sample_weight=[2.0])
    assert float(_np(mean.result())) == pytest.approx(3.2)
    mean.reset_state()
    assert float(_np(mean.result())) == 0.0
    assert float(_np(mean([5.0, 7.0]))) == pytest.approx(6.0)
    total = tf.keras.metrics.Sum()
    total.update_state([1.0, 2.0, 3.0], sample_weight=[1.0, 0.0, 2.0])
    assert float(_np(total.result())) == pytest.approx(7.0)
    assert len(mean.variables) == 2 and len(total.variables) == 1


def test_accuracy_metrics_match_tf(tf):
    """The accuracy metrics on fixed data (TF 2.21 values)."""
    metrics = tf.keras.metrics
    sca = metrics.SparseCategoricalAccuracy()
    sca.update_state(LABELS, LOGITS)
    assert float(_np(sca.result())) == pytest.approx(0.5)
    sca.update_state(LABELS[:, None], PROBS, sample_weight=SAMPLE_WEIGHT)
    assert float(_np(sca.result())) == pytest.approx(0.73333335, rel=1e-6)
    assert float(_np(metrics.CategoricalAccuracy()(ONEHOT, LOGITS))) == pytest.approx(0.5)
    binary = metrics.BinaryAccuracy()
    assert float(_np(binary(YB, PB))) == pytest.approx(0.91666669, rel=1e-6)
    assert float(_np(binary(YB, PB, sample_weight=SAMPLE_WEIGHT))) == pytest.approx(0.95555562, rel=1e-6)
    assert float(_np(metrics.BinaryAccuracy(threshold=0.7)(YB, PB))) == pytest.approx(0.75)
    assert float(_np(metrics.Accuracy()([1, 2, 3, 4], [1, 2, 0, 4]))) == pytest.approx(0.75)


def test_error_metrics_match_tf(tf):
    """MeanSquaredError / MeanAbsoluteError metrics (TF 2.21 values); reset_state zeroes them."""
    mse = tf.keras.metrics.MeanSquaredError()
    mse.update_state(Y_REG, P_REG)
    assert float(_np(mse.result())) == pytest.approx(2.3191669, rel=1e-6)
    mse.reset_state()
    assert float(_np(mse.result())) == 0.0
    mae = tf.keras.metrics.MeanAbsoluteError()
    assert float(_np(mae(Y_REG, P_REG, sample_weight=SAMPLE_WEIGHT))) == pytest.approx(1.1142857, rel=1e-6)


@pytest.mark.tapegrad_only
def test_reset_states_alias(tf):
    """``reset_states`` (the tf.keras 2 name) still works."""
    mean = tf.keras.metrics.Mean()
    mean.update_state([2.0])
    mean.reset_states()
    assert float(_np(mean.result())) == 0.0


# ---------------------------------------------------------------------- layers
X3 = np.arange(24, dtype=np.float32).reshape(2, 3, 4) / 10 - 1


def test_shape_layers(tf):
    """Flatten, Reshape (with -1), Concatenate and Add against numpy."""
    layers = tf.keras.layers
    np.testing.assert_array_equal(_np(layers.Flatten()(X3)), X3.reshape(2, 12))
    np.testing.assert_array_equal(_np(layers.Flatten()(np.array([1.0, 2.0]))), [[1.0], [2.0]])
    np.testing.assert_array_equal(_np(layers.Reshape((4, 3))(X3)), X3.reshape(2, 4, 3))
    np.testing.assert_array_equal(_np(layers.Reshape((-1, 2))(X3)), X3.reshape(2, 6, 2))
    np.testing.assert_array_equal(_np(layers.Concatenate()([X3, 2 * X3])), np.concatenate([X3, 2 * X3], -1))
    np.testing.assert_array_equal(_np(layers.Concatenate(axis=1)([X3, X3])), np.concatenate([X3, X3], 1))
    np.testing.assert_allclose(_np(layers.Add()([X3, X3, X3])), 3 * X3, rtol=1e-6)


def test_activation_layers(tf):
    """ReLU (plain and with max_value / negative_slope / threshold), Softmax and Lambda against numpy."""
    layers = tf.keras.layers
    np.testing.assert_array_equal(_np(layers.ReLU()(X3)), np.maximum(X3, 0))
    relu = layers.ReLU(max_value=0.5, negative_slope=0.1, threshold=0.2)
    expected = np.minimum(np.where(X3 >= 0.2, X3, 0.1 * (X3 - 0.2)), 0.5)
    np.testing.assert_allclose(_np(relu(X3)), expected, rtol=1e-6, atol=1e-7)
    e = np.exp(X3 - X3.max(axis=1, keepdims=True))
    np.testing.assert_allclose(_np(layers.Softmax(axis=1)(X3)), e / e.sum(axis=1, keepdims=True), rtol=1e-6)
    np.testing.assert_allclose(_np(layers.Lambda(lambda t: t * 2 + 1)(X3)), X3 * 2 + 1, rtol=1e-6)


def test_dropout(tf):
    """Identity unless training; when training, zeros about ``rate`` and scales the rest by 1/(1-rate)."""
    dropout = tf.keras.layers.Dropout(0.25)
    np.testing.assert_array_equal(_np(dropout(X3)), X3)
    np.testing.assert_array_equal(_np(dropout(X3, training=False)), X3)
    y = _np(dropout(np.ones((200, 50), np.float32), training=True))
    assert set(np.unique(y)) <= {0.0, np.float32(1 / 0.75)}
    assert abs((y == 0).mean() - 0.25) < 0.03
    model = tf.keras.Sequential([tf.keras.layers.Dropout(0.5)])
    np.testing.assert_array_equal(_np(model(X3, training=False)), X3)
    assert (_np(model(np.ones_like(X3), training=True)) != 1).all()  # each value dropped or scaled to 2


def test_dropout_rejects_bad_rate(tf):
    """rate outside [0, 1] is a ValueError naming the argument."""
    with pytest.raises(ValueError, match="rate"):
        tf.keras.layers.Dropout(1.5)


def test_embedding(tf):
    """Embedding gathers rows; its gradient scatters back into the looked-up rows."""
    embedding = tf.keras.layers.Embedding(5, 3)
    ids = np.array([[0, 4], [2, 2]])
    assert tuple(embedding(ids).shape) == (2, 2, 3)
    table = np.arange(15, dtype=np.float32).reshape(5, 3)
    embedding.set_weights([table])
    np.testing.assert_array_equal(_np(embedding(ids)), table[ids])
    upstream = np.arange(12, dtype=np.float32).reshape(2, 2, 3)
    with tf.GradientTape() as tape:
        total = tf.reduce_sum(embedding(ids) * upstream)
    expected = np.zeros_like(table)
    np.add.at(expected, ids, upstream)
    np.testing.assert_array_equal(_np(tape.gradient(total, embedding.embeddings)), expected)


# ---------------------------------------------------------------- initializers
@pytest.mark.parametrize(
    "name, stddev",
    [
        ("glorot_normal", np.sqrt(2 / (64 + 32))),
        ("he_normal", np.sqrt(2 / 64)),
        ("he_uniform", np.sqrt(2 / 64)),
        ("lecun_normal", np.sqrt(1 / 64)),
        ("lecun_uniform", np.sqrt(1 / 64)),
        ("truncated_normal", 0.05 * 0.8796),
    ],
)
def test_variance_scaling_initializers(tf, name, stddev):
    """Each named initializer has its documented stddev (truncated normals: within two sigma)."""
    init = tf.keras.initializers.get(name)
    values = _np(init((64, 32)))
    assert values.shape == (64, 32)
    assert abs(values.std() - stddev) < 0.12 * stddev


def test_identity_and_orthogonal_initializers(tf):
    """Identity is gain * eye; Orthogonal has orthonormal rows (or columns)."""
    np.testing.assert_array_equal(_np(tf.keras.initializers.Identity(gain=2.0)((3, 4))), 2 * np.eye(3, 4))
    q = _np(tf.keras.initializers.Orthogonal()((4, 6)))
    np.testing.assert_allclose(q @ q.T, np.eye(4), atol=1e-5)
    q = _np(tf.keras.initializers.get("orthogonal")((6, 4)))
    np.testing.assert_allclose(q.T @ q, np.eye(4), atol=1e-5)


# --------------------------------------------------------------- training loops
def _training_data():
    rng = np.random.default_rng(42)
    x = rng.normal(size=(16, 4)).astype(np.float32)
    labels = (x[:, 0] + x[:, 1] > 0).astype(np.int64) + (x[:, 2] > 0.5).astype(np.int64)
    targets = (np.sin(x[:, :1]) + 0.5 * x[:, 1:2]).astype(np.float32)
    weights = [rng.normal(scale=0.5, size=s).astype(np.float32) for s in [(4, 8), (8,), (8, 3), (3,)]]
    return x, labels, targets, weights


def _train(tf, model, loss_fn, optimizer, x, y, steps=20):
    losses = []
    for _ in range(steps):
        with tf.GradientTape() as tape:
            loss = loss_fn(y, model(x, training=True))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        losses.append(float(_np(loss)))
    return losses


# TF 2.21: the 20 training losses of the two loops below.
CLS_ADAM_LOSSES = [
    1.2163217,
    1.1820741,
    1.1472884,
    1.1130328,
    1.0803168,
    1.049233,
    1.0203254,
    0.99245834,
    0.96568346,
    0.93923104,
    0.91378224,
    0.88941842,
    0.86623639,
    0.84451759,
    0.82409883,
    0.8045603,
    0.78578746,
    0.76763338,
    0.74952626,
    0.73182714,
]
REG_SGD_LOSSES = [
    0.98133183,
    0.74183559,
    0.49347073,
    0.37305611,
    0.36242831,
    0.37829599,
    0.36230731,
    0.30469322,
    0.22640061,
    0.15471657,
    0.10812645,
    0.092195317,
    0.10237291,
    0.1290791,
    0.16212712,
    0.19338301,
    0.21773481,
    0.23292586,
    0.23884338,
    0.23669146,
]


def test_training_loop_classifier_adam_matches_tf(tf):
    """Sequential(Dense relu, Dense) + sparse CE from logits + Adam: TF 2.21's 20 losses and accuracy."""
    x, labels, _, weights = _training_data()
    model = tf.keras.Sequential([tf.keras.layers.Dense(8, activation="relu"), tf.keras.layers.Dense(3)])
    model(x)
    model.layers[0].set_weights(weights[:2])
    model.layers[1].set_weights(weights[2:])
    loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    losses = _train(tf, model, loss_fn, tf.keras.optimizers.Adam(0.01), x, labels)
    np.testing.assert_allclose(losses, CLS_ADAM_LOSSES, rtol=1e-5)
    accuracy = tf.keras.metrics.SparseCategoricalAccuracy()
    accuracy.update_state(labels, model(x))
    assert float(_np(accuracy.result())) == pytest.approx(0.625)


def test_training_loop_regression_sgd_schedule_matches_tf(tf):
    """Sequential(Dense tanh, Dense) + MSE + SGD(momentum, ExponentialDecay): TF 2.21's 20 losses."""
    x, _, targets, weights = _training_data()
    model = tf.keras.Sequential([tf.keras.layers.Dense(8, activation="tanh"), tf.keras.layers.Dense(1)])
    model(x)
    model.layers[0].set_weights(weights[:2])
    model.layers[1].set_weights([weights[2][:, :1], weights[3][:1]])
    schedule = tf.keras.optimizers.schedules.ExponentialDecay(0.05, 5, 0.5)
    optimizer = tf.keras.optimizers.SGD(schedule, momentum=0.9)
    losses = _train(tf, model, tf.keras.losses.MeanSquaredError(), optimizer, x, targets)
    np.testing.assert_allclose(losses, REG_SGD_LOSSES, rtol=1e-5)

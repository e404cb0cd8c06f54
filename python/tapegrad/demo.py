"""``python -m tapegrad.demo``: the four seed notebooks, run with tapegrad, then training loops,
the last a Keras functional model fitted on the bundled 8x8 digits with ``fit`` and its progress bar.

The *seed notebooks* are four TensorFlow eager gradient-tape notebooks (the TF 1 gradient-tape
tutorial, the TF 2 automatic-differentiation guide, the d2l.ai autodiff chapter and a TF 1
``tfe`` notebook) whose code tapegrad must run unchanged; their code lives in ``tapegrad._seeds``.

Every section prints what the notebook printed and checks the value the notebook
asserted or showed. The process exits with status 1 if any check fails, so the
demo doubles as an end-to-end smoke test.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any, Callable

import numpy as np

import tapegrad as tf
from tapegrad._seeds import SEEDS, Report

__all__ = ["main"]


class Checks(Report):
    """Collects named checks; prints one line per check."""

    checking = True

    def __init__(self) -> None:
        self.passed = 0
        self.failed: list[str] = []

    def expect(self, label: str, ok: bool, shown: Any) -> None:
        """Record ``ok`` under ``label`` and print ``shown`` beside it."""
        if ok:
            self.passed += 1
            print(f"  [ok]   {label}: {shown}")
        else:
            self.failed.append(label)
            print(f"  [FAIL] {label}: {shown}")

    def close(self, label: str, got: Any, expected: Any, atol: float = 1e-5) -> None:
        """Check that ``got`` (a tensor, array or number) is within ``atol`` of ``expected``."""
        if got is None:
            self.expect(label, False, f"got None, expected {expected}")
            return
        value = np.asarray(got.numpy() if hasattr(got, "numpy") else got)
        ok = value.shape == np.shape(expected) and bool(np.allclose(value, expected, atol=atol, rtol=1e-5))
        self.expect(label, ok, _fmt(value) if ok else f"got {_fmt(value)}, expected {_fmt(expected)}")

    def section(self, title: str) -> None:
        """Print a section heading."""
        print(f"\n== {title} ==")

    def show(self, *values: Any, fmt: Callable[[Any], str] = str) -> None:
        """Print what a notebook printed, indented, each value formatted by ``fmt``."""
        print(" ", *map(fmt, values))

    def none(self, label: str, got: Any) -> None:
        """Check that ``got`` is None (an unconnected gradient)."""
        self.expect(label, got is None, got)

    def equal(self, label: str, got: Any, expected: Any) -> None:
        """Check ``got == expected`` for plain Python values."""
        self.expect(label, got == expected, got if got == expected else f"got {got!r}, expected {expected!r}")


def _fmt(value: Any) -> str:
    array = np.asarray(value)
    if array.ndim == 0:
        return f"{array.item():.7g}"
    return np.array2string(array, precision=6, separator=", ").replace("\n", "")


def _bind_seed(seed: Callable[[Any, Checks], None]) -> Callable[[Checks], None]:
    """A seed from ``_seeds`` as a demo section run with tapegrad."""

    def run(check: Checks) -> None:
        seed(tf, check)

    run.__name__ = seed.__name__
    return run


# --------------------------------------------------------------------------- training
def softmax_cross_entropy(labels: Any, logits: Any) -> Any:
    """Mean softmax cross-entropy, computed stably through log-sum-exp."""
    shift = tf.stop_gradient(tf.reduce_max(logits, axis=1, keepdims=True))
    shifted = logits - shift
    log_probs = shifted - tf.math.log(tf.reduce_sum(tf.exp(shifted), axis=1, keepdims=True))
    return -tf.reduce_mean(tf.reduce_sum(labels * log_probs, axis=1))


def sgd_step(variables: list[Any], grads: list[Any], learning_rate: float) -> None:
    """``v -= learning_rate * g`` for each variable."""
    for var, g in zip(variables, grads):
        var.assign_sub(learning_rate * g)


def train_linear_regression(check: Checks) -> None:
    """Fit ``y = 3x + 2`` (plus noise) with two scalar variables and plain gradient descent."""
    check.section("Training 1 - linear regression y = 3x + 2")
    rng = np.random.default_rng(0)
    xs = rng.uniform(-1.0, 1.0, size=(256,)).astype(np.float32)
    ys = (3.0 * xs + 2.0 + rng.normal(0.0, 0.1, size=xs.shape)).astype(np.float32)
    x, y = tf.constant(xs), tf.constant(ys)
    w, b = tf.Variable(0.0, name="w"), tf.Variable(0.0, name="b")
    first = last = 0.0
    for step in range(201):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean((w * x + b - y) ** 2)
        sgd_step([w, b], tape.gradient(loss, [w, b]), 0.2)
        last = float(loss.numpy())
        first = last if step == 0 else first
        if step % 50 == 0:
            print(f"  step {step:3d}  loss {last:.5f}  w {float(w.numpy()):.4f}  b {float(b.numpy()):.4f}")
    check.expect("loss decreased", last < 0.1 * first, f"{first:.4f} -> {last:.5f}")
    check.close("w ~ 3", w, 3.0, atol=0.1)
    check.close("b ~ 2", b, 2.0, atol=0.1)


def make_blobs(rng: np.random.Generator, per_class: int = 100) -> tuple[np.ndarray, np.ndarray]:
    """Three Gaussian clusters in 2-D: ``(points float32 (3n, 2), labels int (3n,))``."""
    centers = np.array([[0.0, 2.0], [-2.0, -1.0], [2.0, -1.0]])
    labels = np.repeat(np.arange(3), per_class)
    points = centers[labels] + rng.normal(0.0, 0.8, size=(labels.size, 2))
    return points.astype(np.float32), labels


def train_mlp(check: Checks) -> None:
    """A 2-16-3 Dense MLP with softmax cross-entropy on three blobs, trained by SGD."""
    check.section("Training 2 - MLP classifier (Dense 16 relu -> Dense 3, softmax cross-entropy)")
    rng = np.random.default_rng(1)
    points, labels = make_blobs(rng)
    x = tf.constant(points)
    onehot = tf.constant(np.eye(3, dtype=np.float32)[labels])
    model = tf.keras.Sequential(
        [tf.keras.layers.Dense(16, activation="relu"), tf.keras.layers.Dense(3)], name="blobs_mlp"
    )
    first = last = 0.0
    for step in range(151):
        with tf.GradientTape() as tape:
            loss = softmax_cross_entropy(onehot, model(x))
        sgd_step(model.trainable_variables, tape.gradient(loss, model.trainable_variables), 0.5)
        last = float(loss.numpy())
        first = last if step == 0 else first
        if step % 25 == 0:
            print(f"  step {step:3d}  loss {last:.4f}")
    print("  variables:", ", ".join(f"{v.name} {tuple(v.shape)}" for v in model.trainable_variables))
    accuracy = float(np.mean(np.argmax(model(x).numpy(), axis=1) == labels))
    check.expect("loss decreased by more than half", last < 0.5 * first, f"{first:.4f} -> {last:.4f}")
    check.expect("training accuracy >= 0.9", accuracy >= 0.9, f"{accuracy:.3f}")


def _plot_history(history: Any) -> str | None:
    """Write the loss curves to a PNG in the temporary directory; None when matplotlib is missing."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    import os
    import tempfile

    path = os.path.join(tempfile.gettempdir(), "tapegrad_digits_loss.png")
    figure, axes = plt.subplots(figsize=(6, 4))
    epochs = [e + 1 for e in history.epoch]
    axes.plot(epochs, history.history["loss"], marker="o", label="training loss")
    if "val_loss" in history.history:
        axes.plot(epochs, history.history["val_loss"], marker="o", label="validation loss")
    axes.set_xlabel("epoch")
    axes.set_ylabel("sparse categorical cross-entropy")
    axes.set_title("tapegrad: functional MLP on the 8x8 digits")
    axes.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path


def train_digits(check: Checks) -> None:
    """A functional Keras model on the 8x8 digits: compile, fit with the progress bar, evaluate."""
    check.section("Training 3 - 8x8 digits, functional model with compile/fit/evaluate")
    from tapegrad.datasets import load_digits

    keras = tf.keras
    images, labels = load_digits()
    order = np.random.default_rng(0).permutation(len(labels))
    images, labels = images[order] / 16.0, labels[order]
    split = int(0.8 * len(labels))
    x_train, y_train, x_test, y_test = images[:split], labels[:split], images[split:], labels[split:]
    print(f"  {len(y_train)} training and {len(y_test)} test images of 8x8 pixels")
    keras.utils.set_random_seed(0)  # weights, dropout and fit's shuffling
    inputs = keras.Input(shape=(64,), name="pixels")
    hidden = keras.layers.Dense(64, activation="relu", name="hidden")(inputs)
    hidden = keras.layers.Dropout(0.1)(hidden)
    outputs = keras.layers.Dense(10, name="logits")(hidden)
    model = keras.Model(inputs, outputs, name="digits_mlp")
    model.summary(print_fn=lambda line, *args, **kwargs: print("  " + line))
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=1e-2),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    history = model.fit(x_train, y_train, batch_size=32, epochs=8, validation_split=0.1, verbose=1)
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"  test loss {loss:.4f}, test accuracy {accuracy:.4f}")
    losses = history.history["loss"]
    drop = f"{losses[0]:.4f} -> {losses[-1]:.4f}"
    check.expect("training loss decreased", losses[-1] < 0.5 * losses[0], drop)
    check.expect("test accuracy >= 0.9", accuracy >= 0.9, f"{accuracy:.4f}")
    path = _plot_history(history)
    if path is None:
        print("  matplotlib is not installed: no loss-curve PNG (pip install matplotlib to get one)")
    else:
        print(f"  loss curve written to {path}")


SECTIONS: list[Callable[[Checks], None]] = [
    *(_bind_seed(seed) for seed in SEEDS),
    train_linear_regression,
    train_mlp,
    train_digits,
]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The demo's command line (``--help`` lists it)."""
    parser = argparse.ArgumentParser(
        prog="python -m tapegrad.demo",
        description=(
            "Run the four seed notebooks (TensorFlow gradient-tape notebooks: the TF 1 tape tutorial, "
            "the TF 2 autodiff guide, d2l.ai's autodiff chapter, TF 1 tfe) with tapegrad, checking "
            "every value they showed, then three small training loops. Every printed line is labelled; "
            "[ok]/[FAIL] lines are checks. Exits with status 1 if any check fails."
        ),
    )
    parser.add_argument(
        "--seeds-only", action="store_true", help="run only the four seed notebooks (a few seconds)"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run every section; return 0 if all checks passed, 1 otherwise."""
    args = parse_args(argv)
    start = time.perf_counter()
    check = Checks()
    print(f"tapegrad demo (numpy {np.__version__})")
    sections = SECTIONS[: len(SEEDS)] if args.seeds_only else SECTIONS
    for run_section in sections:
        try:
            run_section(check)
        except Exception as exc:  # keep going: report every broken section, then fail
            check.expect(f"{run_section.__name__} raised", False, f"{type(exc).__name__}: {exc}")
    elapsed = time.perf_counter() - start
    print(f"\nfinished in {elapsed:.2f} s")
    print(f"demo: {check.passed} passed, {len(check.failed)} failed")
    for label in check.failed:
        print(f"  failed: {label}")
    return 1 if check.failed else 0


if __name__ == "__main__":
    sys.exit(main())

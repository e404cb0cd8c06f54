"""The four seed notebooks' computations, written once.

``python -m tapegrad.demo`` runs them with ``Checks``, a :class:`Report` that prints and
checks every value the notebooks showed; the W2 benchmark (``python -m tapegrad.bench``) runs
the same code with the base :class:`Report`, which checks nothing, for tapegrad and for
TensorFlow (``tf`` is the module under test, so nothing here imports tapegrad).
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

__all__ = ["SEEDS", "Report", "run_all"]


class Report:
    """Where a seed shows its values and checks them. This base shows and checks
    nothing (the benchmark's); the demo's ``Checks`` overrides every method."""

    #: False where nothing is checked: seeds then skip work done only to check.
    checking = False

    def section(self, title: str) -> None:
        """A heading."""

    def show(self, *values: Any, fmt: Callable[[Any], str] = str) -> None:
        """What the notebook printed: ``values`` formatted by ``fmt`` (only if shown)."""

    def expect(self, label: str, ok: bool, shown: Any) -> None:
        """A check that is already decided."""

    def close(self, label: str, got: Any, expected: Any, atol: float = 1e-5) -> None:
        """``got`` (a tensor, array or number) within ``atol`` of ``expected``."""

    def none(self, label: str, got: Any) -> None:
        """``got`` is None (an unconnected gradient)."""

    def equal(self, label: str, got: Any, expected: Any) -> None:
        """``got == expected`` for plain Python values."""


# --------------------------------------------------------------------------- seed 000
def seed_000_tapes(tf: Any, report: Report) -> None:
    """Seed 000: tapes, persistent tapes, control flow, higher-order gradients."""
    report.section("Seed 000 - gradient tapes (TF 1 tutorial)")
    getattr(tf, "enable_eager_execution", lambda: None)()  # TF 1 only

    x = tf.ones((2, 2))
    with tf.GradientTape() as t:
        t.watch(x)
        y = tf.reduce_sum(x)
        z = tf.multiply(y, y)
    dz_dx = t.gradient(z, x)
    report.close("dz/dx of (sum x)^2 at ones((2, 2))", dz_dx, np.full((2, 2), 8.0))
    report.expect(
        "dz_dx[i][j].numpy() == 8.0 for all i, j",
        all(dz_dx[i][j].numpy() == 8.0 for i in (0, 1) for j in (0, 1)),
        "indexing works",
    )

    x = tf.constant(3.0)
    with tf.GradientTape(persistent=True) as t:
        t.watch(x)
        y = x * x
        z = y * y
    report.close("persistent: dz/dx = 4x^3 at 3", t.gradient(z, x), 108.0)
    report.none("persistent: dy/dz (y does not depend on z)", t.gradient(y, z))
    del t

    def f(x: Any, y: int) -> Any:
        output = 1.0
        for i in range(y):
            if i > 1 and i < 5:
                output = tf.multiply(output, x)
        return output

    def grad(x: Any, y: int) -> Any:
        with tf.GradientTape() as t:
            t.watch(x)
            out = f(x, y)
        return t.gradient(out, x)

    x = tf.convert_to_tensor(2.0)
    report.close("control flow: grad(x, 6)", grad(x, 6), 12.0)
    report.close("control flow: grad(x, 5)", grad(x, 5), 12.0)
    report.close("control flow: grad(x, 4)", grad(x, 4), 4.0)

    x = tf.Variable(1.0)
    with tf.GradientTape() as t:
        with tf.GradientTape() as t2:
            y = x * x * x
        dy_dx = t2.gradient(y, x)
    d2y_dx2 = t.gradient(dy_dx, x)
    report.close("higher order: dy/dx of x^3 at 1", dy_dx, 3.0)
    report.close("higher order: d2y/dx2 of x^3 at 1", d2y_dx2, 6.0)


# --------------------------------------------------------------------------- seed 001
def seed_001_variables(tf: Any, report: Report) -> None:
    """Seed 001: variables, nested sources, a Dense layer, watching rules."""
    report.section("Seed 001 - automatic gradients (TF 2 guide)")
    x = tf.Variable(3.0)
    with tf.GradientTape() as tape:
        y = x**2
    report.close("d(x^2)/dx at 3", tape.gradient(y, x), 6.0)

    w = tf.Variable(tf.random.normal((3, 2)), name="w")
    b = tf.Variable(tf.zeros(2, dtype=tf.float32), name="b")
    x = [[1.0, 2.0, 3.0]]
    with tf.GradientTape() as tape:
        y = x @ w + b
        loss = tf.reduce_mean(y**2)
    [dl_dw, dl_db] = tape.gradient(loss, [w, b])
    with tf.GradientTape() as tape:
        y = x @ w + b
        loss = tf.reduce_mean(y**2)
    grad = tape.gradient(loss, {"w": w, "b": b})
    report.show("shapes of dl/dw (list source) and of dl/dw (dict source):", dl_dw.shape, grad["w"].shape)
    if report.checking:  # expected values by hand, in numpy
        y_np = np.asarray(x, dtype=np.float32) @ w.numpy() + b.numpy()
        report.close("dl/dw = x^T y (list source)", dl_dw, np.asarray(x, dtype=np.float32).T @ y_np)
        report.close("dl/db = y (list source)", dl_db, y_np[0])
        report.close("dl/dw (dict source)", grad["w"], dl_dw.numpy())

    layer = tf.keras.layers.Dense(2, activation="relu")
    x = tf.constant([[1.0, 2.0, 3.0]])
    with tf.GradientTape() as tape:
        y = layer(x)
        loss = tf.reduce_mean(y**2)
    grad = tape.gradient(loss, layer.trainable_variables)
    if report.checking:
        for var, g in zip(layer.trainable_variables, grad):
            report.show(f"{var.name}, shape:", g.shape)
        report.equal(
            "Dense variable names and gradient shapes",
            [(v.name, tuple(g.shape)) for v, g in zip(layer.trainable_variables, grad)],
            [("dense/kernel:0", (3, 2)), ("dense/bias:0", (2,))],
        )

    x0 = tf.Variable(3.0, name="x0")
    x1 = tf.Variable(3.0, name="x1", trainable=False)
    x2 = tf.Variable(2.0, name="x2") + 1.0
    x3 = tf.constant(3.0, name="x3")
    x4 = tf.Variable(4.0, name="x4")
    with tf.GradientTape() as tape:
        y = (x0**2) + (x1**2) + (x2**2) + (x3**2)
    grad = tape.gradient(y, [x0, x1, x2, x3, x4])
    for name, g in zip(["x0", "x1", "x2", "x3", "x4"], grad):
        report.show(f"dy/d{name}:", g)
    report.close("only the trainable variable x0 gets a gradient", grad[0], 6.0)
    report.expect(
        "x1 (not trainable), x2, x3 (tensors), x4 (unused) get None", grad[1:] == [None] * 4, grad[1:]
    )
    report.equal("watched_variables()", [var.name for var in tape.watched_variables()], ["x0:0"])

    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x**2
    report.close("watched constant: d(x^2)/dx at 3", tape.gradient(y, x), 6.0)

    x0 = tf.Variable(0.0)
    x1 = tf.Variable(10.0)
    with tf.GradientTape(watch_accessed_variables=False) as tape:
        tape.watch(x1)
        y0 = tf.math.sin(x0)
        y1 = tf.nn.softplus(x1)
        y = y0 + y1
        ys = tf.reduce_sum(y)
    grad = tape.gradient(ys, {"x0": x0, "x1": x1})
    report.none("watch_accessed_variables=False: dys/dx0", grad["x0"])
    report.close("dys/dx1 = sigmoid(10)", grad["x1"], 0.9999546, atol=1e-6)


# --------------------------------------------------------------------------- seed 002
def seed_002_d2l(tf: Any, report: Report) -> None:
    """Seed 002: tensordot, overwritten gradients, stop_gradient, data-dependent control flow."""
    report.section("Seed 002 - automatic differentiation (d2l)")
    x = tf.range(4, dtype=tf.float32)
    report.show("x = tf.range(4):", repr(x))
    x = tf.Variable(x)
    report.show("x = tf.Variable(x):", repr(x))

    with tf.GradientTape() as t:
        y = 2 * tf.tensordot(x, x, axes=1)
    report.close("y = 2 x.x", y, 28.0)
    report.close("dy/dx = 4x", t.gradient(y, x), [0.0, 4.0, 8.0, 12.0])

    with tf.GradientTape() as t:
        y = tf.reduce_sum(x)
    report.close("d(sum x)/dx", t.gradient(y, x), [1.0, 1.0, 1.0, 1.0])

    with tf.GradientTape() as t:
        y = (2 * (x**2)) + (3 * x) + 10
    report.close("d(2x^2 + 3x + 10)/dx", t.gradient(y, x), [3.0, 7.0, 11.0, 15.0])

    with tf.GradientTape(persistent=True) as t:
        y = x**3
        u = tf.stop_gradient(y)
        z = 2 * u * x
    x_grad = t.gradient(z, x)
    report.close("stop_gradient: dz/dx = 2u", x_grad, [0.0, 2.0, 16.0, 54.0])
    report.close("x_grad == 2 * u", x_grad == 2 * u, [True] * 4)
    y_grad_based_on_x = t.gradient(y, x)
    report.close("dy/dx = 3x^2", y_grad_based_on_x, [0.0, 3.0, 12.0, 27.0])
    report.close("y_grad_based_on_x == 3 * (x ** 2)", y_grad_based_on_x == 3 * (x**2), [True] * 4)

    def f(a: Any) -> Any:
        b = a * 2
        while tf.norm(b) < 1000:
            b = b * 2
        if tf.reduce_sum(b) > 0:
            c = b
        else:
            c = 100 * b
        return c

    a = tf.Variable(tf.random.normal(shape=()))
    with tf.GradientTape() as t:
        d = f(a)
    d_grad = t.gradient(d, a)
    report.show("d_grad:", repr(d_grad))
    report.close("while/if on tensor values: d_grad == d / a", d_grad, (d / a).numpy(), atol=1e-3)


# --------------------------------------------------------------------------- seed 003
def seed_003_tfe(tf: Any, report: Report) -> None:
    """Seed 003: TF 1 ``tfe`` alias, persistent tape, watch() across nested tapes."""
    report.section("Seed 003 - TF 1 eager (tfe)")
    getattr(tf, "enable_eager_execution", lambda: None)()  # TF 1 only
    contrib = getattr(tf, "contrib", None)  # TF 1 (and tapegrad) only
    tfe = contrib.eager if contrib is not None else None
    report.expect(
        "tf.contrib.eager.GradientTape is tf.GradientTape",
        tfe is not None and tfe.GradientTape is tf.GradientTape,
        "yes",
    )

    x = tf.ones((2, 2))
    with tf.GradientTape(persistent=True) as t:
        t.watch(x)
        y = tf.reduce_sum(x)
        z = tf.multiply(y, y)
    dz_dy = t.gradient(z, y)
    dz_dx = t.gradient(z, x)
    report.show("dz/dy:", dz_dy.numpy())
    report.show("dz/dx:", dz_dx.numpy().tolist())
    report.close("dz/dy", dz_dy, 8.0)
    report.close("dz/dx", dz_dx, np.full((2, 2), 8.0))

    x = tf.constant(1.0)
    with tf.GradientTape() as t:
        with tf.GradientTape() as t2:
            t2.watch(x)
            y = x * x * x
        dy_dx = t2.gradient(y, x)
    d2y_dx2 = t.gradient(dy_dx, x)
    report.close("dy/dx (inner tape watched x)", dy_dx, 3.0)
    report.close("d2y/dx2 (watch() also watches on the outer tape)", d2y_dx2, 6.0)


SEEDS = [seed_000_tapes, seed_001_variables, seed_002_d2l, seed_003_tfe]


def run_all(tf: Any, report: Report) -> None:
    """One pass of every computation in the four seed notebooks (fixed random seed)."""
    tf.random.set_seed(0)
    for seed in SEEDS:
        seed(tf, report)

"""Linear regression by gradient descent with a GradientTape.

Fits ``y = 3x - 2`` from noisy samples and prints the learned weight and bias.
Run: ``python examples/linear_regression.py``
"""

from __future__ import annotations

import numpy as np

import tapegrad as tf


def main() -> None:
    rng = np.random.default_rng(0)
    x = rng.uniform(-1.0, 1.0, size=(256, 1)).astype(np.float32)
    y = 3.0 * x - 2.0 + 0.05 * rng.normal(size=(256, 1)).astype(np.float32)

    w = tf.Variable(tf.zeros((1, 1)), name="w")
    b = tf.Variable(tf.zeros((1,)), name="b")
    learning_rate = 0.5
    for step in range(200):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(tf.matmul(x, w) + b - y))
        dw, db = tape.gradient(loss, [w, b])
        w.assign_sub(learning_rate * dw)
        b.assign_sub(learning_rate * db)
        if step % 50 == 0:
            print(f"step {step:3d}  loss {float(loss):.5f}")
    print(f"learned w = {float(w[0, 0]):.3f} (true 3), b = {float(b[0]):.3f} (true -2)")
    assert abs(float(w[0, 0]) - 3.0) < 0.05 and abs(float(b[0]) + 2.0) < 0.05


if __name__ == "__main__":
    main()

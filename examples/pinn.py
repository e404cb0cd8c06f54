"""A physics-informed network with nested tapes: solve ``u'' = -pi^2 sin(pi x)`` on ``[0, 1]``
with ``u(0) = u(1) = 0`` (exact solution ``sin(pi x)``).

The inner tapes give ``u'`` and ``u''`` of the network with respect to its input; the outer tape
differentiates the residual loss with respect to the weights (third-order use of the tape).
Run: ``python examples/pinn.py``
"""

from __future__ import annotations

import math

import numpy as np

import tapegrad as tf


def main() -> None:
    tf.keras.backend.clear_session()
    tf.random.set_seed(0)
    model = tf.keras.Sequential(
        [tf.keras.layers.Dense(24, activation="tanh"), tf.keras.layers.Dense(24, activation="tanh"),
         tf.keras.layers.Dense(1)]
    )
    x = tf.constant(np.linspace(0.0, 1.0, 64, dtype=np.float32)[:, None])
    boundary = tf.constant([[0.0], [1.0]])
    optimizer = tf.keras.optimizers.Adam(learning_rate=0.01)
    source = -(math.pi**2) * tf.sin(math.pi * x)

    for step in range(1500):
        with tf.GradientTape() as outer:
            with tf.GradientTape() as t2:
                t2.watch(x)
                with tf.GradientTape() as t1:
                    t1.watch(x)
                    u = model(x)
                du = t1.gradient(u, x)
            d2u = t2.gradient(du, x)
            residual = tf.reduce_mean(tf.square(d2u - source))
            loss = residual + tf.reduce_mean(tf.square(model(boundary)))
        grads = outer.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        if step % 300 == 0:
            print(f"step {step:4d}  loss {float(loss):.5f}")

    error = float(tf.reduce_max(tf.abs(model(x) - tf.sin(math.pi * x))))
    print(f"max |u - sin(pi x)| on the grid: {error:.4f}")
    assert error < 0.05, error


if __name__ == "__main__":
    main()

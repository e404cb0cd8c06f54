"""``tf.custom_gradient``: a numerically stable ``log(1 + exp(x))`` and a gradient-clipping identity.

Run: ``python examples/custom_gradient.py``
"""

from __future__ import annotations

import tapegrad as tf


@tf.custom_gradient
def log1pexp(x: tf.Tensor):  # type: ignore[no-untyped-def]
    """``log(1 + e^x)`` whose gradient ``1 - 1 / (1 + e^x)`` stays finite for large ``x``."""
    e = tf.exp(x)

    def grad(upstream: tf.Tensor) -> tf.Tensor:
        return upstream * (1.0 - 1.0 / (1.0 + e))

    # x + log(1 + e^-x) for x > 0 keeps the value finite too.
    value = tf.where(x > 0.0, x + tf.math.log1p(tf.exp(-tf.abs(x))), tf.math.log1p(e))
    return value, grad


@tf.custom_gradient
def clip_gradient(x: tf.Tensor):  # type: ignore[no-untyped-def]
    """The identity in the forward pass; the backward pass clips the gradient to [-1, 1]."""

    def grad(upstream: tf.Tensor) -> tf.Tensor:
        return tf.clip_by_value(upstream, -1.0, 1.0)

    return tf.identity(x), grad


def main() -> None:
    x = tf.constant(100.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = log1pexp(x)
    dy = tape.gradient(y, x)
    print(f"log1pexp(100) = {float(y):.1f}, gradient {float(dy):.1f}")
    assert float(y) == 100.0 and float(dy) == 1.0

    v = tf.Variable([1.0, 2.0])
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(10.0 * clip_gradient(v))
    clipped = tape.gradient(loss, v)
    print(f"gradient of sum(10 * clip_gradient(v)): {clipped.numpy()}")
    assert clipped.numpy().tolist() == [1.0, 1.0]


if __name__ == "__main__":
    main()

"""The WGAN-GP gradient penalty: the critic's loss includes ``(||d critic / d x_hat|| - 1)^2``,
so its gradient with respect to the critic's weights is a second-order gradient.

Trains a small critic and generator on a 2-D Gaussian (five critic steps per generator step) and
prints the losses and how far the generated mean is from the data mean, before and after.
Run: ``python examples/wgan_gp.py``
"""

from __future__ import annotations

from typing import Any

import numpy as np

import tapegrad as tf

DATA_MEAN = np.array([2.0, -1.0], np.float32)
BATCH, GP_WEIGHT, N_CRITIC, NOISE = 64, 10.0, 5, 4


def mlp(width: int, out: int) -> Any:
    layers = tf.keras.layers
    return tf.keras.Sequential([layers.Dense(width, activation="relu"), layers.Dense(out)])


def critic_step(critic: Any, generator: Any, optimizer: Any, real: Any) -> float:
    """One critic update on ``E[critic(fake)] - E[critic(real)] + GP_WEIGHT * penalty``."""
    with tf.GradientTape() as tape:
        fake = generator(tf.random.normal((BATCH, NOISE)))
        eps = tf.random.uniform((BATCH, 1))
        x_hat = eps * real + (1.0 - eps) * fake
        with tf.GradientTape() as gp_tape:
            gp_tape.watch(x_hat)
            critic_hat = critic(x_hat)
        grad = gp_tape.gradient(critic_hat, x_hat)
        norm = tf.sqrt(tf.reduce_sum(tf.square(grad), axis=1) + 1e-12)
        penalty = tf.reduce_mean(tf.square(norm - 1.0))
        loss = tf.reduce_mean(critic(fake)) - tf.reduce_mean(critic(real)) + GP_WEIGHT * penalty
    grads = tape.gradient(loss, critic.trainable_variables)
    optimizer.apply_gradients(zip(grads, critic.trainable_variables))
    return float(loss)


def generator_step(critic: Any, generator: Any, optimizer: Any) -> float:
    """One generator update on ``-E[critic(generator(z))]``."""
    with tf.GradientTape() as tape:
        loss = -tf.reduce_mean(critic(generator(tf.random.normal((BATCH, NOISE)))))
    grads = tape.gradient(loss, generator.trainable_variables)
    optimizer.apply_gradients(zip(grads, generator.trainable_variables))
    return float(loss)


def mean_error(generator: Any) -> float:
    sample_mean = tf.reduce_mean(generator(tf.random.normal((2048, NOISE))), axis=0).numpy()
    return float(np.linalg.norm(sample_mean - DATA_MEAN))


def main() -> None:
    tf.keras.backend.clear_session()
    tf.random.set_seed(1)
    rng = np.random.default_rng(1)
    critic, generator = mlp(32, 1), mlp(32, 2)
    c_opt = tf.keras.optimizers.Adam(1e-3, beta_1=0.5, beta_2=0.9)
    g_opt = tf.keras.optimizers.Adam(1e-3, beta_1=0.5, beta_2=0.9)
    before = mean_error(generator)
    for step in range(300):
        for _ in range(N_CRITIC):
            real = tf.constant(DATA_MEAN + 0.3 * rng.normal(size=(BATCH, 2)).astype(np.float32))
            c_loss = critic_step(critic, generator, c_opt, real)
        g_loss = generator_step(critic, generator, g_opt)
        if step % 100 == 0:
            print(f"step {step:3d}  critic loss {c_loss:8.4f}  generator loss {g_loss:8.4f}")
    after = mean_error(generator)
    print(f"|generated mean - data mean|: {before:.3f} before training, {after:.3f} after")
    assert after < before, (before, after)


if __name__ == "__main__":
    main()

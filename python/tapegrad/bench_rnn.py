"""Workload W11 of ``python -m tapegrad.bench``: one LSTM training step.

Batch 32, 50 steps, 64 features, ``LSTM(128) -> Dense(10)``, sparse softmax cross-entropy,
gradients of all variables, an SGD update. tapegrad and TensorFlow run the same Keras code;
PyTorch runs ``nn.LSTM`` + ``nn.Linear`` (its fused CPU LSTM). The ratio column compares with
PyTorch's time (the target is <= 0.7x).

``bench.py`` calls :func:`register` with itself, so this module imports only numpy at the top
(peer subprocesses run ``bench.py`` as a script).
"""

from __future__ import annotations

from typing import Any

import numpy as np

W11_BATCH, W11_STEPS, W11_FEATURES, W11_UNITS, W11_CLASSES = 32, 50, 64, 128, 10
W11_LR = 0.01
CASE = "32x50x64 LSTM(128)-Dense(10)"

_bench: Any = None  # the bench module, set by register()


def w11_data() -> tuple[np.ndarray, np.ndarray]:
    """A batch of sequences and its integer labels."""
    rng = np.random.default_rng(11)
    x = rng.standard_normal((W11_BATCH, W11_STEPS, W11_FEATURES)).astype(np.float32)
    labels = rng.integers(0, W11_CLASSES, W11_BATCH)
    return x, labels


def _ref() -> dict[str, Any]:
    return {"ref": [CASE, "step", "torch"], "ref_label": "torch time"}


def w11_tf(ctx: Any) -> list[Any]:
    """W11 for tapegrad / tensorflow: ms per training step at each thread count."""
    b = _bench
    tf = b.tf_module(ctx)
    x_np, labels = w11_data()
    x, y = tf.constant(x_np), tf.constant(labels.astype(np.int32))
    lstm = tf.keras.layers.LSTM(W11_UNITS)
    dense = tf.keras.layers.Dense(W11_CLASSES)
    dense(lstm(x))
    variables = list(lstm.trainable_variables) + list(dense.trainable_variables)

    def step() -> None:
        with tf.GradientTape() as tape:
            logits = dense(lstm(x))
            loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
        grads = tape.gradient(loss, variables)
        for v, g in zip(variables, grads):
            v.assign_sub(W11_LR * g)

    rows = []
    for t in b.thread_counts(ctx):
        with b.impl_threads(ctx, t):
            s = b.repeat(b.timed(step), ctx)
        rows.append(b.make_row(ctx, "W11", CASE, "step", "ms", b.column(s, 0, 1e3), t, **_ref()))
    return rows


def torch_w11(ctx: Any) -> list[Any]:
    """W11 for torch: ``nn.LSTM`` (batch first) and ``nn.Linear``, ``autograd.grad``, in-place SGD."""
    b = _bench
    torch = b.torch_module()
    torch.manual_seed(0)
    x_np, labels = w11_data()
    lstm = torch.nn.LSTM(W11_FEATURES, W11_UNITS, batch_first=True)
    linear = torch.nn.Linear(W11_UNITS, W11_CLASSES)
    params = list(lstm.parameters()) + list(linear.parameters())
    x, y = torch.from_numpy(x_np), torch.from_numpy(labels)

    def step() -> None:
        _, (h, _) = lstm(x)
        loss = torch.nn.functional.cross_entropy(linear(h[-1]), y)
        grads = torch.autograd.grad(loss, params)
        with torch.no_grad():
            for p, g in zip(params, grads):
                p.sub_(W11_LR * g)

    s = b.repeat(b.timed(step), ctx)
    threads = torch.get_num_threads()
    return [b.make_row(ctx, "W11", CASE, "step", "ms", b.column(s, 0, 1e3), threads, **_ref())]


def register(bench: Any) -> None:
    """Add W11 to ``bench.WORKLOADS``."""
    global _bench
    _bench = bench
    bench.WORKLOADS["W11"] = bench.Workload(
        "W11", "LSTM step: 32 x 50 x 64, LSTM(128) -> Dense(10), SGD", True,
        {"tapegrad": w11_tf, "tensorflow": w11_tf, "torch": torch_w11},
    )

"""Convolution workloads of ``python -m tapegrad.bench``: W10 (a CNN training step) and CONV
(one 3x3 convolution's forward and both gradients, as a fraction of the sgemm rate).

``bench.py`` loads this file by path (its peer subprocesses run it outside the package) and
calls :func:`workloads` with itself, so the helpers (``Ctx``, ``repeat``, ``make_row``, ...)
come from there and nothing here imports tapegrad or a peer at the top.

W10: 28x28x1 images, batch 64, Conv2D(32, 3) relu, Conv2D(64, 3) relu, MaxPooling2D(2),
Flatten, Dense(128), Dense(10), sparse softmax cross-entropy, gradients of all variables and an
SGD update (``assign_sub``), with the same initial weights in every framework.
CONV: x 8x56x56x64, filter 3x3x64x64, SAME; forward, input gradient and filter gradient.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

W10_BATCH = 64
W10_LR = 0.01
CONV_SHAPE = (8, 56, 56, 64)
CONV_FILTER = (3, 3, 64, 64)


def conv_flops() -> float:
    """Multiply-adds x 2 of the forward pass, times 3 (forward, input and filter gradients)."""
    n, h, w, c = CONV_SHAPE
    kh, kw, _, o = CONV_FILTER
    return 3 * 2.0 * n * h * w * o * kh * kw * c


def w10_weights() -> list[np.ndarray]:
    """Glorot-uniform kernels and zero biases in Keras's (HWIO, in x out) layouts."""
    rng = np.random.default_rng(10)
    shapes = [
        ((3, 3, 1, 32), 9, 9 * 32),
        ((3, 3, 32, 64), 9 * 32, 9 * 64),
        ((12 * 12 * 64, 128), 12 * 12 * 64, 128),
        ((128, 10), 128, 10),
    ]
    out: list[np.ndarray] = []
    for shape, fan_in, fan_out in shapes:
        limit = math.sqrt(6.0 / (fan_in + fan_out))
        out.append(rng.uniform(-limit, limit, size=shape).astype(np.float32))
        out.append(np.zeros(shape[-1], np.float32))
    return out


def w10_data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(11)
    return rng.random((W10_BATCH, 28, 28, 1)).astype(np.float32), rng.integers(0, 10, W10_BATCH)


def w10_tf_setup(tf: Any) -> Any:
    """The Keras model (tapegrad or TensorFlow), built and loaded with :func:`w10_weights`; a step."""
    layers = tf.keras.layers
    model = tf.keras.Sequential(
        [
            layers.Conv2D(32, 3, activation="relu"),
            layers.Conv2D(64, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Flatten(),
            layers.Dense(128),
            layers.Dense(10),
        ]
    )
    x_np, labels_np = w10_data()
    x, labels = tf.constant(x_np), tf.constant(labels_np)
    model(x)
    model.set_weights(w10_weights())
    loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    variables = model.trainable_variables

    def step() -> None:
        with tf.GradientTape() as tape:
            loss = loss_fn(labels, model(x))
        grads = tape.gradient(loss, variables)
        for v, g in zip(variables, grads):
            v.assign_sub(W10_LR * g)

    return step


def conv_tf_setup(tf: Any) -> Any:
    rng = np.random.default_rng(12)
    x = tf.constant(rng.standard_normal(CONV_SHAPE).astype(np.float32))
    f = tf.constant((rng.standard_normal(CONV_FILTER) * 0.05).astype(np.float32))
    g = tf.constant(rng.standard_normal(CONV_SHAPE[:3] + (CONV_FILTER[3],)).astype(np.float32))

    def step() -> None:
        with tf.GradientTape() as tape:
            tape.watch([x, f])
            y = tf.nn.conv2d(x, f, 1, "SAME")
        gx, gf = tape.gradient(y, [x, f], output_gradients=g)
        # make lazy results concrete, as TF's eager ops are
        _ = (gx.shape, gf.shape)

    return step


def torch_w10_setup() -> Any:
    import torch
    import torch.nn.functional as F

    w = [torch.from_numpy(a) for a in w10_weights()]
    # Keras layouts -> torch: HWIO -> OIHW, (in, out) -> (out, in); Flatten order NHWC -> NCHW
    k1, b1, k2, b2, d1, c1, d2, c2 = w
    k1 = k1.permute(3, 2, 0, 1).contiguous()
    k2 = k2.permute(3, 2, 0, 1).contiguous()
    d1 = d1.reshape(12, 12, 64, 128).permute(3, 2, 0, 1).reshape(128, -1).contiguous()
    d2 = d2.t().contiguous()
    params = [t.requires_grad_() for t in (k1, b1, k2, b2, d1, c1, d2, c2)]
    x_np, labels_np = w10_data()
    x = torch.from_numpy(x_np).permute(0, 3, 1, 2).contiguous()
    labels = torch.from_numpy(labels_np)

    def step() -> None:
        k1, b1, k2, b2, d1, c1, d2, c2 = params
        h = F.relu(F.conv2d(x, k1, b1))
        h = F.relu(F.conv2d(h, k2, b2))
        h = F.max_pool2d(h, 2).flatten(1)
        logits = F.linear(F.linear(h, d1, c1), d2, c2)
        loss = F.cross_entropy(logits, labels)
        grads = torch.autograd.grad(loss, params)
        with torch.no_grad():
            for p, gr in zip(params, grads):
                p.sub_(W10_LR * gr)

    return step


def torch_conv_setup() -> Any:
    import torch
    import torch.nn.functional as F

    rng = np.random.default_rng(12)
    x = torch.from_numpy(rng.standard_normal(CONV_SHAPE).astype(np.float32)).permute(0, 3, 1, 2).contiguous()
    f = torch.from_numpy((rng.standard_normal(CONV_FILTER) * 0.05).astype(np.float32))
    f = f.permute(3, 2, 0, 1).contiguous()
    g = torch.from_numpy(rng.standard_normal(CONV_SHAPE[:3] + (CONV_FILTER[3],)).astype(np.float32))
    g = g.permute(0, 3, 1, 2).contiguous()
    x.requires_grad_()
    f.requires_grad_()

    def step() -> None:
        y = F.conv2d(x, f, padding=1)
        torch.autograd.grad(y, [x, f], grad_outputs=g)

    return step


def workloads(b: Any) -> dict[str, Any]:
    """The W10 and CONV :class:`Workload` entries, built on ``bench``'s helpers ``b``."""
    conv_ref = {
        "ref": ["3x3 64->64 56x56 b8", "fwd+2 grads", "hardware (sgemm rate)"],
        "ref_label": "sgemm-rate time",
        "work": conv_flops() / 1e-3 / 1e9,
        "work_unit": "GFLOP/s",
    }

    def w10_tf(ctx: Any) -> list[Any]:
        tf = b.tf_module(ctx)
        step = w10_tf_setup(tf)
        rows = []
        for t in b.thread_counts(ctx):
            with b.impl_threads(ctx, t):
                s = b.repeat(b.timed(step), ctx)
            rows.append(b.make_row(ctx, "W10", "CNN 28x28 b64", "step", "ms", b.column(s, 0, 1e3), t))
        return rows

    def w10_torch(ctx: Any) -> list[Any]:
        import torch

        step = torch_w10_setup()
        s = b.repeat(b.timed(step), ctx)
        return [
            b.make_row(
                ctx,
                "W10",
                "CNN 28x28 b64",
                "step",
                "ms",
                b.column(s, 0, 1e3),
                ctx.thread_fixed or torch.get_num_threads(),
            )
        ]

    def conv_tf(ctx: Any) -> list[Any]:
        tf = b.tf_module(ctx)
        step = conv_tf_setup(tf)
        rows = []
        for t in b.thread_counts(ctx):
            with b.impl_threads(ctx, t):
                s = b.repeat(b.timed(step), ctx)
            rows.append(
                b.make_row(
                    ctx,
                    "CONV",
                    "3x3 64->64 56x56 b8",
                    "fwd+2 grads",
                    "ms",
                    b.column(s, 0, 1e3),
                    t,
                    **conv_ref,
                )
            )
        return rows

    def conv_torch(ctx: Any) -> list[Any]:
        import torch

        step = torch_conv_setup()
        s = b.repeat(b.timed(step), ctx)
        return [
            b.make_row(
                ctx,
                "CONV",
                "3x3 64->64 56x56 b8",
                "fwd+2 grads",
                "ms",
                b.column(s, 0, 1e3),
                ctx.thread_fixed or torch.get_num_threads(),
                **conv_ref,
            )
        ]

    def conv_numpy(ctx: Any) -> list[Any]:
        """The hardware reference: the convolution's flops at numpy's 1024^2 sgemm rate."""
        a, m = b.w4_inputs(1024)
        scale = conv_flops() / (2 * 1024**3)
        rows = []
        for t in ctx.threads:
            with b.threadpoolctl_limits(t):
                s = b.repeat(b.timed(lambda: a @ m), ctx)
            rows.append(
                b.make_row(
                    ctx,
                    "CONV",
                    "3x3 64->64 56x56 b8",
                    "fwd+2 grads",
                    "ms",
                    b.column(s, 0, 1e3 * scale),
                    t,
                    impl="hardware (sgemm rate)",
                    note=f"{conv_flops() / 1e9:.2f} GFLOP at numpy's 1024^2 sgemm rate",
                )
            )
        return rows

    return {
        "W10": b.Workload(
            "W10",
            "CNN step 28x28x1 b64: conv32-conv64-pool-128-10, SGD",
            True,
            {"tapegrad": w10_tf, "tensorflow": w10_tf, "torch": w10_torch},
        ),
        "CONV": b.Workload(
            "CONV",
            "conv2d 3x3 64->64 56x56 b8: forward + input and filter grads",
            True,
            {"tapegrad": conv_tf, "tensorflow": conv_tf, "torch": conv_torch, "numpy": conv_numpy},
        ),
    }

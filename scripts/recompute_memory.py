"""Peak memory of one training step of a deep MLP, with and without ``tf.recompute_grad``.

Each variant runs in its own process (peak RSS is per process): build a
``depth``-layer ReLU MLP, then one step (forward, loss, ``tape.gradient``,
apply). With ``--recompute``, every ``block`` consecutive layers are wrapped in
``tf.recompute_grad``, so only block inputs are kept for the backward pass.

    python scripts/recompute_memory.py            # prints a Markdown table row per variant
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run_variant(recompute: bool, depth: int, width: int, batch: int, block: int) -> None:
    import numpy as np

    import tapegrad as tf

    rng = np.random.default_rng(0)
    weights = [
        tf.Variable((rng.standard_normal((width, width)) / np.sqrt(width)).astype(np.float32))
        for _ in range(depth)
    ]
    x = tf.constant(rng.standard_normal((batch, width)).astype(np.float32))

    def make_block(ws):
        def f(h):
            for w in ws:
                h = tf.nn.relu(tf.matmul(h, w))
            return h

        return tf.recompute_grad(f) if recompute else f

    blocks = [make_block(weights[i : i + block]) for i in range(0, depth, block)]
    before = peak_mib()
    start = time.perf_counter()
    with tf.GradientTape() as tape:
        h = x
        for f in blocks:
            h = f(h)
        loss = tf.reduce_mean(h * h)
    grads = tape.gradient(loss, weights)
    for w, g in zip(weights, grads):
        w.assign_sub(0.01 * g)
    elapsed = time.perf_counter() - start
    print(f"{before:.0f} {peak_mib():.0f} {elapsed:.3f} {float(loss):.6g}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--depth", type=int, default=32)
    parser.add_argument("--width", type=int, default=512)
    parser.add_argument("--batch", type=int, default=4096)
    parser.add_argument("--block", type=int, default=4)
    parser.add_argument("--variant", choices=["plain", "recompute"])
    args = parser.parse_args()
    if args.variant:
        run_variant(args.variant == "recompute", args.depth, args.width, args.batch, args.block)
        return
    print(
        f"deep MLP: {args.depth} x Dense({args.width}) + ReLU, batch {args.batch}, blocks of {args.block}"
    )
    print("| variant | RSS before step (MiB) | peak RSS (MiB) | step time (s) | loss |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for variant in ("plain", "recompute"):
        cmd = [sys.executable, __file__, "--variant", variant] + [
            f"--{k}={getattr(args, k)}" for k in ("depth", "width", "batch", "block")
        ]
        before, peak, secs, loss = subprocess.run(
            cmd, check=True, capture_output=True, text=True
        ).stdout.split()
        print(f"| {variant} | {before} | {peak} | {secs} | {loss} |")


if __name__ == "__main__":
    main()

"""``python -m tapegrad.bench``: tapegrad's benchmark suite (workloads W1 to W9).

Every workload is timed for tapegrad and for a numpy reference (numpy's limit on this machine:
copy bandwidth, sgemm rate, or the same computation written by hand), measured in the same run,
and, where installed, for peer frameworks (TensorFlow, PyTorch, JAX eager and jit, HIPS
autograd). Peers run in subprocesses of this very file with whichever interpreter has them
(``--peer-python PATH``; ``/tmp/tfvenv`` and ``/tmp/peers`` are found automatically), so this
module imports nothing but the standard library and numpy at the top: tapegrad and the peers
are imported inside the functions that use them.

Each number is the median of at least 7 repeats (3 for slow peer calls) with the min and max
beside it; a repeat runs the workload enough times to last ``--min-time`` seconds.

Usage::

    python -m tapegrad.bench                      # everything, about 5 minutes without peers
    python -m tapegrad.bench --quick --only W3,W8 --threads 1,2,4
    python -m tapegrad.bench --markdown --json out.json --plot docs/thread_scaling.png
    python -m tapegrad.bench --from-json a.json b.json --markdown --plot scaling.png

W1  op overhead            W4  matmul             W7  higher order (nested tapes)
W2  the four seed notebooks W5  MLP training step  W8  wide graph, thread scaling
W3  large elementwise      W6  deep chain         W9  peak memory (fresh processes)
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gc
import importlib.util
import json
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Callable

import numpy as np

__all__ = ["Ctx", "Row", "Workload", "WORKLOADS", "main"]

F32 = np.float32
PEER_FAMILIES = ("tensorflow", "torch", "jax", "autograd")
DEFAULT_PEER_PYTHONS = ("/tmp/tfvenv/bin/python", "/tmp/peers/bin/python")
JSON_MARK = "@@TAPEGRAD_BENCH_JSON@@"
SLOW_CALL_S = 0.25  # peer calls slower than this get fewer repeats


# =========================================================================== results and timing
@dataclass
class Row:
    """One measured quantity: its samples (one per repeat) and what to compare it with."""

    workload: str
    case: str
    metric: str
    unit: str
    impl: str
    threads: int | None
    samples: list[float]
    ref: list[str] | None = None  # [case, metric, impl] of the reference row, same workload
    ref_factor: float = 1.0  # the reference time is ref.median * ref_factor
    ref_label: str = ""  # e.g. "numpy-copy time"
    work: float = 0.0  # bytes or flops per unit of the metric, for the rate column
    work_unit: str = ""  # "GB/s" or "GFLOP/s"
    note: str = ""

    @property
    def median(self) -> float:
        """Median of the samples."""
        return float(statistics.median(self.samples))

    @property
    def lo(self) -> float:
        """Smallest sample."""
        return float(min(self.samples))

    @property
    def hi(self) -> float:
        """Largest sample."""
        return float(max(self.samples))


@dataclass
class Ctx:
    """How to measure: the implementation under test, thread counts, repeats, time per repeat."""

    impl: str = "tapegrad"
    threads: list[int] = field(default_factory=lambda: [1, 2])
    repeats: int = 7
    min_time: float = 0.05
    quick: bool = False
    peer: bool = False
    thread_fixed: int | None = None  # peers: the one thread count this process runs at


Phases = tuple[float, ...]


def perf() -> float:
    """The benchmark clock."""
    return time.perf_counter()


def timed(fn: Callable[[], Any]) -> Callable[[], Phases]:
    """Wrap ``fn`` so that it returns its own wall time as a one-phase tuple."""

    def call() -> Phases:
        t0 = perf()
        fn()
        return (perf() - t0,)

    return call


def repeat(call: Callable[[], Phases], ctx: Ctx) -> list[Phases]:
    """Warm up, then run ``call`` in ``ctx.repeats`` repeats; return the mean phases of each.

    ``call`` returns the durations of its phases (e.g. forward and backward). Each repeat runs
    it ``inner`` times, enough to last ``ctx.min_time``, with the garbage collector paused (as
    ``timeit`` does) and collected between repeats.
    """
    once = sum(call())
    if once < 0.1:
        once = sum(call())
    inner = max(1, math.ceil(ctx.min_time / max(once, 1e-7)))
    repeats = ctx.repeats
    if ctx.peer and once > SLOW_CALL_S:
        repeats = max(3, ctx.repeats // 2)
    out: list[Phases] = []
    for _ in range(repeats):
        gc.collect()
        gc.disable()
        try:
            acc: list[float] = []
            for _ in range(inner):
                phases = call()
                acc = list(phases) if not acc else [a + p for a, p in zip(acc, phases)]
        finally:
            gc.enable()
        out.append(tuple(a / inner for a in acc))
    return out


def column(samples: list[Phases], index: int, scale: float = 1.0) -> list[float]:
    """Phase ``index`` of every repeat, multiplied by ``scale``."""
    return [s[index] * scale for s in samples]


def make_row(ctx: Ctx, workload: str, case: str, metric: str, unit: str, samples: list[float],
             threads: int | None = None, impl: str | None = None, **extra: Any) -> Row:
    """A :class:`Row` for ``ctx.impl`` (or ``impl``)."""
    return Row(workload, case, metric, unit, impl or ctx.impl, threads, samples, **extra)


# =========================================================================== thread control
def threadpoolctl_limits(n: int | None) -> contextlib.AbstractContextManager[Any]:
    """Limit BLAS threads (numpy, autograd) to ``n`` if threadpoolctl is installed."""
    if n is None or importlib.util.find_spec("threadpoolctl") is None:
        return contextlib.nullcontext()
    import threadpoolctl

    return threadpoolctl.threadpool_limits(limits=n)


def numpy_threads_note() -> str:
    """How numpy's BLAS threads were controlled in this run."""
    if importlib.util.find_spec("threadpoolctl") is None:
        return "numpy BLAS at its default threads (threadpoolctl not installed)"
    return "numpy BLAS threads set with threadpoolctl"


@contextlib.contextmanager
def impl_threads(ctx: Ctx, n: int | None) -> Iterator[None]:
    """Run the body with ``ctx.impl`` (and numpy's BLAS) limited to ``n`` threads."""
    if ctx.impl == "tapegrad" and n is not None:
        import tapegrad as tg

        before = tg.config.threading.get_intra_op_parallelism_threads()
        tg.config.threading.set_intra_op_parallelism_threads(n)
        try:
            yield
        finally:
            tg.config.threading.set_intra_op_parallelism_threads(before)
    elif ctx.impl in ("numpy", "autograd"):
        with threadpoolctl_limits(n):
            yield
    else:  # peers: fixed once per process, see configure_peer_threads
        yield


def thread_counts(ctx: Ctx) -> list[int]:
    """Thread counts a thread-scaling workload runs at in this process."""
    if ctx.peer:
        return [ctx.thread_fixed] if ctx.thread_fixed else []
    return ctx.threads


def default_threads(ctx: Ctx) -> int | None:
    """The thread count non-scaling workloads report (the library default)."""
    if ctx.impl == "tapegrad":
        import tapegrad as tg

        return int(tg.config.threading.get_intra_op_parallelism_threads())
    return None


# =========================================================================== tf-API module
def tf_module(ctx: Ctx) -> Any:
    """The TensorFlow-API module under test: tapegrad or tensorflow."""
    if ctx.impl == "tensorflow":
        import tensorflow

        return tensorflow
    import tapegrad

    return tapegrad


# =========================================================================== W1 op overhead
W1_OPS = 100


def w1_tf_chain(tf: Any, x: Any, c: Any, d: Any) -> Any:
    """100 scalar ops: mul, add, sin in turn."""
    y = x
    for i in range(W1_OPS):
        k = i % 3
        y = y * c if k == 0 else (y + d if k == 1 else tf.sin(y))
    return y


def w1_tf(ctx: Ctx) -> list[Row]:
    """W1 for tapegrad / tensorflow: taped forward, backward and untaped, in µs per op."""
    tf = tf_module(ctx)
    x = tf.Variable(F32(0.5))
    c, d = tf.constant(F32(1.0001)), tf.constant(F32(1e-3))

    def taped() -> Phases:
        t0 = perf()
        with tf.GradientTape() as tape:
            y = w1_tf_chain(tf, x, c, d)
        t1 = perf()
        tape.gradient(y, x)
        return (t1 - t0, perf() - t1)

    return w1_rows(ctx, taped, lambda: w1_tf_chain(tf, x, c, d), default_threads(ctx))


def w1_rows(
    ctx: Ctx, taped: Callable[[], Phases], plain: Callable[[], Any], threads: int | None
) -> list[Row]:
    """Forward, backward, untaped and overhead rows for W1 (µs per op).

    ``taped`` returns its (forward, backward) times; ``plain`` runs the chain untaped. They
    alternate inside each repeat, so the overhead row (their difference) compares runs made
    under the same machine load, not minutes apart.
    """

    def taped_then_plain() -> Phases:
        fwd, bwd = taped()
        t0 = perf()
        plain()
        return (fwd, bwd, perf() - t0)

    samples = repeat(taped_then_plain, ctx)
    us = 1e6 / W1_OPS
    fwd, bwd, untaped = column(samples, 0, us), column(samples, 1, us), column(samples, 2, us)
    ref: dict[str, Any] = {"ref": ["scalar chain", "untaped", "numpy"], "ref_label": "numpy scalar op"}
    return [
        make_row(ctx, "W1", "scalar chain", "fwd (taped)", "µs/op", fwd, threads, **ref),
        make_row(ctx, "W1", "scalar chain", "bwd", "µs/op", bwd, threads, **ref),
        make_row(ctx, "W1", "scalar chain", "untaped", "µs/op", untaped, threads, **ref),
        make_row(ctx, "W1", "scalar chain", "overhead (taped-untaped)", "µs/op",
                 [a - b for a, b in zip(fwd, untaped)], threads),
    ]


def w1_numpy(ctx: Ctx) -> list[Row]:
    """W1 reference: the same chain on numpy float32 scalars."""
    c, d = F32(1.0001), F32(1e-3)

    def chain() -> Any:
        y = F32(0.5)
        for i in range(W1_OPS):
            k = i % 3
            y = y * c if k == 0 else (y + d if k == 1 else np.sin(y))
        return y

    s = repeat(timed(chain), ctx)
    return [make_row(ctx, "W1", "scalar chain", "untaped", "µs/op", column(s, 0, 1e6 / W1_OPS), 1)]


# =========================================================================== W2 seed notebooks
def seeds_module() -> Any:
    """``_seeds.py`` beside this file, loaded by path: a peer's interpreter runs this file
    in isolated mode (``-I``), without tapegrad installed or this folder on ``sys.path``."""
    spec = importlib.util.spec_from_file_location("tapegrad_bench_seeds", os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "_seeds.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def w2_tf(ctx: Ctx) -> list[Row]:
    """W2 for tapegrad / tensorflow: ms per pass of the four seeds."""
    tf = tf_module(ctx)
    seeds = seeds_module()
    report = seeds.Report()
    s = repeat(timed(lambda: seeds.run_all(tf, report)), ctx)
    return [make_row(ctx, "W2", "4 seed notebooks", "pass", "ms", column(s, 0, 1e3), default_threads(ctx))]


# =========================================================================== W3 large elementwise
W3_N = 10_000_000
W3_BYTES = 2 * 4 * W3_N  # read x, write its gradient: the "hardware" 80 MB


def w3_input() -> np.ndarray:
    """The 10M-element float32 input."""
    return np.random.default_rng(3).standard_normal(W3_N, dtype=F32)


def w3_ref() -> dict[str, Any]:
    """Row extras: compare with numpy's copy of 40 MB, rate in GB/s over 80 MB."""
    return {"ref": ["10M f32", "copy 40 MB", "numpy"], "ref_label": "numpy-copy time",
            "work": W3_BYTES / 1e-3 / 1e9, "work_unit": "GB/s"}


def w3_tf_step(tf: Any, x: Any) -> Any:
    """``loss = reduce_sum(sin(x)*x + x*x)`` and its gradient."""
    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = tf.reduce_sum(tf.sin(x) * x + x * x)
    return tape.gradient(loss, x)


def w3_tf(ctx: Ctx) -> list[Row]:
    """W3 for tapegrad / tensorflow: forward+backward ms at each thread count."""
    tf = tf_module(ctx)
    x = tf.constant(w3_input())
    rows = []
    for n in thread_counts(ctx):
        with impl_threads(ctx, n):
            s = repeat(timed(lambda: w3_tf_step(tf, x)), ctx)
        rows.append(make_row(ctx, "W3", "10M f32", "fwd+bwd", "ms", column(s, 0, 1e3), n, **w3_ref()))
    return rows


def w3_numpy_step(x: np.ndarray) -> np.ndarray:
    """W3 by hand in numpy: forward, then ``cos(x)*x + sin(x) + 2x``."""
    s = np.sin(x)
    _loss = np.sum(s * x + x * x)
    return np.cos(x) * x + s + 2 * x


def w3_numpy(ctx: Ctx) -> list[Row]:
    """W3 references: numpy copy of 40 MB (the hardware limit) and the computation by hand."""
    x = w3_input()
    copy = repeat(timed(x.copy), ctx)
    hand = repeat(timed(lambda: w3_numpy_step(x)), ctx)
    extras = w3_ref()
    return [
        make_row(ctx, "W3", "10M f32", "copy 40 MB", "ms", column(copy, 0, 1e3), 1,
                 work=extras["work"], work_unit="GB/s"),
        make_row(ctx, "W3", "10M f32", "fwd+bwd", "ms", column(hand, 0, 1e3), 1, impl="numpy by hand",
                 **extras),
    ]


# =========================================================================== W4 matmul
def w4_sizes(ctx: Ctx) -> list[int]:
    """Matrix sizes: 1024 and 2048 (1024 only with --quick)."""
    return [1024] if ctx.quick else [1024, 2048]


def w4_inputs(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Two random n x n float32 matrices."""
    rng = np.random.default_rng(n)
    return rng.standard_normal((n, n)).astype(F32), rng.standard_normal((n, n)).astype(F32)


def w4_ref(n: int) -> dict[str, Any]:
    """Row extras: compare with 3 numpy sgemms, rate over 6 n^3 flops."""
    return {"ref": [f"n={n}", "sgemm A@B", "numpy"], "ref_factor": 3.0, "ref_label": "3 numpy sgemm",
            "work": 6 * n**3 / 1e-3 / 1e9, "work_unit": "GFLOP/s"}


def w4_tf(ctx: Ctx) -> list[Row]:
    """W4 for tapegrad / tensorflow: ``reduce_sum(A @ B)`` and grads w.r.t. A and B."""
    tf = tf_module(ctx)
    rows = []
    for n in w4_sizes(ctx):
        a_np, b_np = w4_inputs(n)
        a, b = tf.constant(a_np), tf.constant(b_np)

        def step(a: Any = a, b: Any = b) -> Any:
            with tf.GradientTape() as tape:
                tape.watch([a, b])
                loss = tf.reduce_sum(tf.matmul(a, b))
            return tape.gradient(loss, [a, b])

        for t in thread_counts(ctx):
            with impl_threads(ctx, t):
                s = repeat(timed(step), ctx)
            rows.append(make_row(ctx, "W4", f"n={n}", "fwd+bwd", "ms", column(s, 0, 1e3), t, **w4_ref(n)))
    return rows


def w4_numpy(ctx: Ctx) -> list[Row]:
    """W4 reference: numpy's sgemm ``A @ B`` (2 n^3 flops) at each thread count."""
    rows = []
    for n in w4_sizes(ctx):
        a, b = w4_inputs(n)
        for t in ctx.threads:
            with threadpoolctl_limits(t):
                s = repeat(timed(functools.partial(np.matmul, a, b)), ctx)
            rows.append(make_row(ctx, "W4", f"n={n}", "sgemm A@B", "ms", column(s, 0, 1e3), t,
                                 work=2 * n**3 / 1e-3 / 1e9, work_unit="GFLOP/s", note=numpy_threads_note()))
    return rows


# =========================================================================== W5 MLP step
W5_SIZES = (784, 512, 512, 10)
W5_BATCH = 64
W5_LR = 0.01


def w5_flops() -> float:
    """Matmul flops of one step: forward, weight grads, and input grads except the first layer."""
    pairs = list(zip(W5_SIZES[:-1], W5_SIZES[1:]))
    fwd = sum(2 * W5_BATCH * i * o for i, o in pairs)
    return 2 * fwd + fwd - 2 * W5_BATCH * W5_SIZES[0] * W5_SIZES[1]


def w5_data() -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """He-initialised weights and zero biases (W1, b1, W2, b2, W3, b3), a batch, its labels."""
    rng = np.random.default_rng(5)
    params: list[np.ndarray] = []
    for i, o in zip(W5_SIZES[:-1], W5_SIZES[1:]):
        params.append((rng.standard_normal((i, o)) * math.sqrt(2.0 / i)).astype(F32))
        params.append(np.zeros(o, F32))
    x = rng.random((W5_BATCH, W5_SIZES[0])).astype(F32)
    labels = rng.integers(0, W5_SIZES[-1], W5_BATCH)
    return params, x, labels


def w5_tf_step(tf: Any, params: list[Any], x: Any, onehot: Any) -> None:
    """One SGD step: forward, softmax cross-entropy via logsumexp, gradients, ``assign_sub``."""
    w1, b1, w2, b2, w3, b3 = params
    with tf.GradientTape() as tape:
        h = tf.nn.relu(tf.matmul(x, w1) + b1)
        h = tf.nn.relu(tf.matmul(h, w2) + b2)
        logits = tf.matmul(h, w3) + b3
        loss = tf.reduce_mean(tf.reduce_logsumexp(logits, axis=1) - tf.reduce_sum(onehot * logits, axis=1))
    grads = tape.gradient(loss, params)
    for p, g in zip(params, grads):
        p.assign_sub(W5_LR * g)


def w5_ref() -> dict[str, Any]:
    """Row extras: compare with the matmul flops at numpy's sgemm rate."""
    return {"ref": ["784-512-512-10", "step", "hardware (sgemm rate)"],
            "ref_label": "hardware time", "work": w5_flops() / 1e-3 / 1e9, "work_unit": "GFLOP/s"}


def w5_tf(ctx: Ctx) -> list[Row]:
    """W5 for tapegrad / tensorflow: ms per training step at each thread count."""
    tf = tf_module(ctx)
    params_np, x_np, labels = w5_data()
    params = [tf.Variable(p) for p in params_np]
    x, onehot = tf.constant(x_np), tf.one_hot(labels, W5_SIZES[-1])
    rows = []
    for t in thread_counts(ctx):
        with impl_threads(ctx, t):
            s = repeat(timed(lambda: w5_tf_step(tf, params, x, onehot)), ctx)
        rows.append(make_row(ctx, "W5", "784-512-512-10", "step", "ms", column(s, 0, 1e3), t, **w5_ref()))
    return rows


def w5_numpy_step(params: list[np.ndarray], x: np.ndarray, onehot: np.ndarray) -> None:
    """One SGD step of the W5 MLP written by hand in numpy (updates ``params`` in place)."""
    w1, b1, w2, b2, w3, b3 = params
    h1 = np.maximum(x @ w1 + b1, 0)
    h2 = np.maximum(h1 @ w2 + b2, 0)
    logits = h2 @ w3 + b3
    shifted = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    softmax = e / e.sum(axis=1, keepdims=True)
    g3 = (softmax - onehot) / x.shape[0]
    gh2 = (g3 @ w3.T) * (h2 > 0)
    gh1 = (gh2 @ w2.T) * (h1 > 0)
    grads = [x.T @ gh1, gh1.sum(0), h1.T @ gh2, gh2.sum(0), h2.T @ g3, g3.sum(0)]
    for p, g in zip(params, grads):
        p -= W5_LR * g


def w5_numpy(ctx: Ctx) -> list[Row]:
    """W5 references: the step by hand in numpy, and the hardware time at the sgemm rate."""
    params, x, labels = w5_data()
    onehot = np.eye(W5_SIZES[-1], dtype=F32)[labels]
    a, b = w4_inputs(1024)
    sgemm_to_step = w5_flops() / (2 * 1024**3)
    rows = []
    for t in ctx.threads:
        with threadpoolctl_limits(t):
            hand = repeat(timed(lambda: w5_numpy_step(params, x, onehot)), ctx)
            sgemm = repeat(timed(lambda: a @ b), ctx)
        rows.append(make_row(ctx, "W5", "784-512-512-10", "step", "ms", column(hand, 0, 1e3), t,
                             impl="numpy by hand", **w5_ref()))
        rows.append(make_row(ctx, "W5", "784-512-512-10", "step", "ms", column(sgemm, 0, 1e3 * sgemm_to_step),
                             t, impl="hardware (sgemm rate)",
                             note=f"{w5_flops() / 1e6:.0f} MFLOP at numpy's 1024^2 sgemm rate"))
    return rows


# =========================================================================== W6 deep chain
W6_OPS = 10_000
W6_N = 1000
W6_KINDS = ("tanh", "mul", "add")


def w6_constants() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Input, multiplier and addend vectors of 1,000 float32."""
    rng = np.random.default_rng(6)
    x = rng.standard_normal(W6_N).astype(F32)
    c = rng.uniform(0.5, 1.5, W6_N).astype(F32)
    d = rng.uniform(-0.1, 0.1, W6_N).astype(F32)
    return x, c, d


def tf_chain(tf: Any, y: Any, kinds: Sequence[str], n_ops: int, c: Any, d: Any) -> Any:
    """``n_ops`` elementwise ops (``kinds`` in turn) with the tf-API module ``tf``."""
    for i in range(n_ops):
        k = kinds[i % len(kinds)]
        if k == "mul":
            y = y * c
        elif k == "add":
            y = y + d
        else:
            y = getattr(tf, k)(y)
    return y


def w6_tf(ctx: Ctx) -> list[Row]:
    """W6 for tapegrad / tensorflow: µs per op, forward and backward, of a 10,000-op chain."""
    tf = tf_module(ctx)
    x_np, c_np, d_np = w6_constants()
    x, c, d = tf.constant(x_np), tf.constant(c_np), tf.constant(d_np)

    def run() -> Phases:
        t0 = perf()
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = tf_chain(tf, x, W6_KINDS, W6_OPS, c, d)
        t1 = perf()
        tape.gradient(y, x)
        return (t1 - t0, perf() - t1)

    s = repeat(run, ctx)
    return w6_rows(ctx, s, default_threads(ctx))


def w6_rows(ctx: Ctx, s: list[Phases], threads: int | None, impl: str | None = None) -> list[Row]:
    """Forward and backward rows for W6 (µs per op)."""
    us = 1e6 / W6_OPS
    ref = {"ref": ["10k ops x 1000", "fwd", "numpy by hand"], "ref_label": "numpy fwd"}
    refb = {"ref": ["10k ops x 1000", "bwd", "numpy by hand"], "ref_label": "numpy bwd"}
    return [
        make_row(ctx, "W6", "10k ops x 1000", "fwd", "µs/op", column(s, 0, us), threads, impl, **ref),
        make_row(ctx, "W6", "10k ops x 1000", "bwd", "µs/op", column(s, 1, us), threads, impl, **refb),
    ]


def np_chain_forward(x: np.ndarray, kinds: Sequence[str], n_ops: int, c: np.ndarray,
                     d: np.ndarray) -> tuple[np.ndarray, list[tuple[str, np.ndarray]]]:
    """Forward chain in numpy, keeping what the hand-written backward needs."""
    saved: list[tuple[str, np.ndarray]] = []
    y = x
    for i in range(n_ops):
        k = kinds[i % len(kinds)]
        if k == "mul":
            y = y * c
            saved.append((k, c))
        elif k == "add":
            y = y + d
            saved.append((k, d))
        elif k == "tanh":
            y = np.tanh(y)
            saved.append((k, y))
        else:  # sin
            saved.append((k, y))
            y = np.sin(y)
    return y, saved


def np_chain_backward(g: np.ndarray, saved: list[tuple[str, np.ndarray]]) -> np.ndarray:
    """Hand-written backward of :func:`np_chain_forward`."""
    for k, v in reversed(saved):
        if k == "mul":
            g = g * v
        elif k == "tanh":
            g = g * (1 - v * v)
        elif k == "sin":
            g = g * np.cos(v)
    return g


def w6_numpy(ctx: Ctx) -> list[Row]:
    """W6 reference: forward ops and a hand-written backward in numpy."""
    x, c, d = w6_constants()

    def run() -> Phases:
        t0 = perf()
        y, saved = np_chain_forward(x, W6_KINDS, W6_OPS, c, d)
        t1 = perf()
        np_chain_backward(np.ones_like(y), saved)
        return (t1 - t0, perf() - t1)

    return w6_rows(ctx, repeat(run, ctx), 1, impl="numpy by hand")


# =========================================================================== W7 higher order
W7_OPS = 50
W7_VECTOR = 10_000


def w7_input(case: str) -> np.ndarray:
    """The scalar or the 10,000-vector input."""
    if case == "scalar":
        return np.asarray(0.3, F32)
    return np.random.default_rng(7).uniform(-1, 1, W7_VECTOR).astype(F32)


def w7_tf_second(tf: Any, x: Any) -> Any:
    """Second derivative of a 50-op tanh chain through nested tapes."""
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = tf_chain(tf, x, ("tanh",), W7_OPS, None, None)
        g = inner.gradient(y, x)
    return outer.gradient(g, x)


def w7_tf(ctx: Ctx) -> list[Row]:
    """W7 for tapegrad / tensorflow: ms per second derivative, scalar and vector."""
    tf = tf_module(ctx)
    rows = []
    for case in ("scalar", "vector 10k"):
        x = tf.constant(w7_input(case))
        s = repeat(timed(functools.partial(w7_tf_second, tf, x)), ctx)
        rows.append(make_row(ctx, "W7", case, "d2y/dx2 (nested tapes)", "ms", column(s, 0, 1e3),
                             default_threads(ctx)))
    return rows


# =========================================================================== W8 wide graph
W8_BRANCHES = 64
W8_DEPTH = 16
W8_N = 100_000
W8_KINDS = ("sin", "mul", "add", "tanh")


def w8_inputs() -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """64 input vectors of 100,000 float32, a multiplier and an addend."""
    rng = np.random.default_rng(8)
    xs = [rng.standard_normal(W8_N).astype(F32) for _ in range(W8_BRANCHES)]
    return xs, rng.uniform(0.5, 1.5, W8_N).astype(F32), rng.uniform(-0.1, 0.1, W8_N).astype(F32)


def w8_tf_run(tf: Any, xs: list[Any], c: Any, d: Any) -> tuple[Phases, list[Any]]:
    """Forward (64 branches of 16 ops, summed) and backward; the phases and the gradients."""
    t0 = perf()
    with tf.GradientTape() as tape:
        tape.watch(xs)
        outs = [tf_chain(tf, x, W8_KINDS, W8_DEPTH, c, d) for x in xs]
        loss = tf.reduce_sum(tf.add_n(outs))
    t1 = perf()
    grads = tape.gradient(loss, xs)
    return (t1 - t0, perf() - t1), grads


def w8_tf(ctx: Ctx) -> list[Row]:
    """W8 for tapegrad / tensorflow: backward ms at each thread count; bit-identity check."""
    tf = tf_module(ctx)
    xs_np, c_np, d_np = w8_inputs()
    xs, c, d = [tf.constant(x) for x in xs_np], tf.constant(c_np), tf.constant(d_np)
    rows, digests = [], {}
    for t in thread_counts(ctx):
        with impl_threads(ctx, t):
            s = repeat(lambda: w8_tf_run(tf, xs, c, d)[0], ctx)
            grads = w8_tf_run(tf, xs, c, d)[1]
        digests[t] = b"".join(np.asarray(g).tobytes() for g in grads)
        rows += w8_rows(ctx, s, t)
    if len(digests) > 1 and rows:
        same = len(set(digests.values())) == 1
        counts = ",".join(map(str, digests))
        verdict = f"gradients bit-identical across threads {counts}: {'yes' if same else 'NO'}"
        print(f"  W8 {ctx.impl}: {verdict}", file=sys.stderr)
        for row in rows:
            row.note = verdict
    return rows


def w8_rows(ctx: Ctx, s: list[Phases], threads: int | None, impl: str | None = None) -> list[Row]:
    """Backward and forward rows for W8 (ms)."""
    ref = {"ref": ["64 x 16 ops x 100k", "bwd", "numpy by hand"], "ref_label": "numpy bwd"}
    case = "64 x 16 ops x 100k"
    return [
        make_row(ctx, "W8", case, "bwd", "ms", column(s, 1, 1e3), threads, impl, **ref),
        make_row(ctx, "W8", case, "fwd", "ms", column(s, 0, 1e3), threads, impl),
    ]


def w8_numpy(ctx: Ctx) -> list[Row]:
    """W8 reference: the branches and a hand-written backward in numpy (one thread)."""
    xs, c, d = w8_inputs()

    def run() -> Phases:
        t0 = perf()
        fwd = [np_chain_forward(x, W8_KINDS, W8_DEPTH, c, d) for x in xs]
        total = fwd[0][0].copy()
        for y, _ in fwd[1:]:
            total += y
        _loss = total.sum()
        t1 = perf()
        ones = np.ones(W8_N, F32)
        [np_chain_backward(ones, saved) for _, saved in fwd]
        return (t1 - t0, perf() - t1)

    return w8_rows(ctx, repeat(run, ctx), 1, impl="numpy by hand")


# =========================================================================== W9 memory
W9_CASES = ("W3", "W5")


def w9_child(case: str, impl: str) -> None:
    """Run workload ``case`` once (fresh process) and print its peak RSS in KiB.

    Prints ``ru_maxrss`` and, on Linux, then ``VmHWM`` (which the parent uses): Linux carries
    ``ru_maxrss`` over ``execve`` from the parent's address space (``subprocess`` uses vfork),
    so in a child of a big parent it reports the parent's peak; ``VmHWM`` belongs to the
    child's own address space.
    """
    if case == "W3":
        w9_once_w3(impl)
    elif case == "W5":
        w9_once_w5(impl)
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    hwm = vm_hwm_kib()
    if hwm is not None:
        print(hwm)


def vm_hwm_kib() -> int | None:
    """Peak RSS of this process's address space from ``/proc/self/status`` (Linux), in KiB."""
    with contextlib.suppress(OSError, ValueError):
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    return None


def w9_once_w3(impl: str) -> None:
    """W3 once with ``impl``."""
    if impl == "numpy":
        w3_numpy_step(w3_input())
    elif impl in ("tapegrad", "tensorflow"):
        tf = tf_module(Ctx(impl=impl))
        w3_tf_step(tf, tf.constant(w3_input()))
    else:
        peer_w3_once(impl)


def w9_once_w5(impl: str) -> None:
    """W5 (one training step) once with ``impl``."""
    params_np, x_np, labels = w5_data()
    if impl == "numpy":
        w5_numpy_step(params_np, x_np, np.eye(W5_SIZES[-1], dtype=F32)[labels])
    elif impl in ("tapegrad", "tensorflow"):
        tf = tf_module(Ctx(impl=impl))
        params = [tf.Variable(p) for p in params_np]
        w5_tf_step(tf, params, tf.constant(x_np), tf.one_hot(labels, W5_SIZES[-1]))
    else:
        peer_w5_once(impl)


def child_command(python: str) -> list[str]:
    """How to start this file as a script (so that it imports only what the impl needs)."""
    return [python, "-I", os.path.abspath(__file__)]


def w9_measure(command: list[str], case: str, impl: str, runs: int) -> list[float]:
    """Peak RSS (MB) of ``runs`` fresh processes running ``case`` once."""
    out = []
    for _ in range(runs):
        proc = subprocess.run(command + ["--w9-child", case, "--impl", impl], capture_output=True,
                              text=True, timeout=600, check=True)
        out.append(int(proc.stdout.strip().splitlines()[-1]) / 1024)
    return out


def w9_rows(ctx: Ctx, impl: str, python: str = sys.executable) -> list[Row]:
    """W9 rows for ``impl``: peak RSS of W3 and W5, and of an import-only process."""
    command = child_command(python)
    runs = 3
    rows = []
    for case in (*W9_CASES, "import only"):
        try:
            mb = w9_measure(command, case, impl, runs)
        except (subprocess.SubprocessError, ValueError, IndexError) as exc:
            print(f"  W9 {impl} {case}: failed ({exc})", file=sys.stderr)
            continue
        ref: dict[str, Any] = {"ref": [case, "peak RSS", "numpy"], "ref_label": "numpy by hand"}
        if case == "import only":
            ref = {}
        rows.append(make_row(ctx, "W9", case, "peak RSS", "MB", mb, None, impl=impl, **ref))
    return rows


def w9_main(ctx: Ctx) -> list[Row]:
    """W9 for tapegrad and the numpy reference, each in fresh processes."""
    return w9_rows(ctx, "tapegrad") + w9_rows(ctx, "numpy")


# =========================================================================== peers: jax, autograd, torch
def peer_modules(impl: str) -> tuple[Any, Callable[..., Any], Callable[[Any], Any]]:
    """``(numpy-like module, vjp maker, block)`` for jax / autograd.

    The vjp maker is called as ``vjp(f, x)`` and returns ``(value, pullback)``.
    """
    if impl.startswith("jax"):
        import jax
        import jax.numpy as jnp

        return jnp, jax.vjp, jax.block_until_ready
    import autograd
    import autograd.numpy as anp

    def vjp(f: Callable[[Any], Any], x: Any) -> tuple[Any, Any]:
        pullback, value = autograd.make_vjp(f)(x)
        return value, pullback

    return anp, vjp, lambda v: v


def peer_grad(impl: str) -> Callable[..., Any]:
    """``grad`` of jax (jitted for ``jax-jit``) or autograd."""
    if impl.startswith("jax"):
        import jax

        return jax.grad
    import autograd

    return autograd.grad


def maybe_jit(impl: str, f: Callable[..., Any]) -> Callable[..., Any]:
    """``jax.jit(f)`` for jax-jit, else ``f``."""
    if impl == "jax-jit":
        import jax

        return jax.jit(f)
    return f


def peer_thread_list(ctx: Ctx) -> list[int | None]:
    """Thread counts a peer process reports for scaling workloads (``[None]``: the default)."""
    counts: list[int | None] = list(thread_counts(ctx))
    return counts or [None]


def compose(block: Callable[[Any], Any], f: Callable[[Any], Any], arg: Any) -> Callable[[], Any]:
    """``lambda: block(f(arg))`` with ``f`` and ``arg`` bound now."""
    return lambda: block(f(arg))


def fn_chain(m: Any, y: Any, kinds: Sequence[str], n_ops: int, c: Any, d: Any) -> Any:
    """The elementwise chain with a numpy-like module ``m`` (jax.numpy, autograd.numpy)."""
    for i in range(n_ops):
        k = kinds[i % len(kinds)]
        y = y * c if k == "mul" else (y + d if k == "add" else getattr(m, k)(y))
    return y


def fn_w1(ctx: Ctx) -> list[Row]:
    """W1 for jax / autograd (vjp split) and jax-jit (jit(grad), fwd+bwd per op)."""
    m, vjp, block = peer_modules(ctx.impl)
    x, c, d = F32(0.5), F32(1.0001), F32(1e-3)
    if ctx.impl.startswith("jax"):
        x, c, d = m.float32(x), m.float32(c), m.float32(d)
    f = lambda v: fn_chain(m, v, ("mul", "add", "sin"), W1_OPS, c, d)
    if ctx.impl == "jax-jit":
        g = maybe_jit(ctx.impl, peer_grad(ctx.impl)(f))
        s = repeat(timed(lambda: block(g(x))), ctx)
        return [make_row(ctx, "W1", "scalar chain", "fwd+bwd (jit)", "µs/op", column(s, 0, 1e6 / W1_OPS))]
    one = m.ones_like(f(x)) if ctx.impl.startswith("jax") else 1.0

    def taped() -> Phases:
        t0 = perf()
        y, pullback = vjp(f, x)
        block(y)
        t1 = perf()
        block(pullback(one))
        return (t1 - t0, perf() - t1)

    return w1_rows(ctx, taped, lambda: block(f(x)), None)


def fn_w3(ctx: Ctx) -> list[Row]:
    """W3 for jax / jax-jit / autograd."""
    m, _, block = peer_modules(ctx.impl)
    x = m.asarray(w3_input())
    g = maybe_jit(ctx.impl, peer_grad(ctx.impl)(lambda v: m.sum(m.sin(v) * v + v * v)))
    rows = []
    for t in peer_thread_list(ctx):
        s = repeat(timed(lambda: block(g(x))), ctx)
        rows.append(make_row(ctx, "W3", "10M f32", "fwd+bwd", "ms", column(s, 0, 1e3), t, **w3_ref()))
    return rows


def fn_w4(ctx: Ctx) -> list[Row]:
    """W4 for jax / jax-jit / autograd."""
    m, _, block = peer_modules(ctx.impl)
    rows = []
    for n in w4_sizes(ctx):
        ab = [m.asarray(v) for v in w4_inputs(n)]
        g = maybe_jit(ctx.impl, peer_grad(ctx.impl)(lambda pq: m.sum(m.dot(pq[0], pq[1]))))
        for t in peer_thread_list(ctx):
            with impl_threads(ctx, t):
                s = repeat(timed(compose(block, g, ab)), ctx)
            rows.append(make_row(ctx, "W4", f"n={n}", "fwd+bwd", "ms", column(s, 0, 1e3), t, **w4_ref(n)))
    return rows


def fn_w5_step(ctx: Ctx) -> tuple[Callable[[Any], Any], list[Any], Callable[[Any], Any]]:
    """A W5 SGD step ``params -> new params`` for jax / autograd, the params, and block."""
    m, _, block = peer_modules(ctx.impl)
    if ctx.impl.startswith("jax"):
        from jax.nn import relu
        from jax.scipy.special import logsumexp
    else:
        from autograd.scipy.special import logsumexp

        relu = lambda v: m.maximum(v, 0.0)
    params_np, x_np, labels = w5_data()
    x, onehot = m.asarray(x_np), m.asarray(np.eye(W5_SIZES[-1], dtype=F32)[labels])

    def loss(params: list[Any]) -> Any:
        w1, b1, w2, b2, w3, b3 = params
        h = relu(m.dot(x, w1) + b1)
        h = relu(m.dot(h, w2) + b2)
        logits = m.dot(h, w3) + b3
        return m.mean(logsumexp(logits, axis=1) - m.sum(onehot * logits, axis=1))

    grad = peer_grad(ctx.impl)(loss)

    def step(params: list[Any]) -> list[Any]:
        return [p - W5_LR * g for p, g in zip(params, grad(params))]

    return maybe_jit(ctx.impl, step), [m.asarray(p) for p in params_np], block


def fn_w5(ctx: Ctx) -> list[Row]:
    """W5 for jax / jax-jit / autograd (functional update instead of ``assign_sub``)."""
    step, params, block = fn_w5_step(ctx)
    rows = []
    for t in peer_thread_list(ctx):
        with impl_threads(ctx, t):
            s = repeat(timed(lambda: block(step(params))), ctx)
        rows.append(make_row(ctx, "W5", "784-512-512-10", "step", "ms", column(s, 0, 1e3), t, **w5_ref()))
    return rows


def fn_w6(ctx: Ctx) -> list[Row]:
    """W6 for jax / autograd (eager only: jit of 10,000 ops is all compile time)."""
    if ctx.impl == "jax-jit":
        return []
    m, vjp, block = peer_modules(ctx.impl)
    x, c, d = (m.asarray(v) for v in w6_constants())
    f = lambda v: fn_chain(m, v, W6_KINDS, W6_OPS, c, d)
    one = m.ones_like(x)

    def run() -> Phases:
        t0 = perf()
        y, pullback = vjp(f, x)
        block(y)
        t1 = perf()
        block(pullback(one))
        return (t1 - t0, perf() - t1)

    return w6_rows(ctx, repeat(run, ctx), None)


def fn_w7(ctx: Ctx) -> list[Row]:
    """W7 for jax / jax-jit / autograd: grad of grad."""
    m, _, block = peer_modules(ctx.impl)
    grad = peer_grad(ctx.impl)
    f = lambda v: m.sum(fn_chain(m, v, ("tanh",), W7_OPS, None, None))
    second = maybe_jit(ctx.impl, grad(lambda v: m.sum(grad(f)(v))))
    rows = []
    for case in ("scalar", "vector 10k"):
        x = m.asarray(w7_input(case))
        s = repeat(timed(compose(block, second, x)), ctx)
        rows.append(make_row(ctx, "W7", case, "d2y/dx2 (nested tapes)", "ms", column(s, 0, 1e3)))
    return rows


def fn_w8(ctx: Ctx) -> list[Row]:
    """W8 for jax / autograd (vjp split) and jax-jit (fwd+bwd only)."""
    m, vjp, block = peer_modules(ctx.impl)
    xs_np, c_np, d_np = w8_inputs()
    xs, c, d = [m.asarray(x) for x in xs_np], m.asarray(c_np), m.asarray(d_np)

    def loss(vs: list[Any]) -> Any:
        total = fn_chain(m, vs[0], W8_KINDS, W8_DEPTH, c, d)
        for v in vs[1:]:
            total = total + fn_chain(m, v, W8_KINDS, W8_DEPTH, c, d)
        return m.sum(total)

    rows = []
    for t in peer_thread_list(ctx):
        if ctx.impl == "jax-jit":
            g = maybe_jit(ctx.impl, peer_grad(ctx.impl)(loss))
            s = repeat(timed(compose(block, g, xs)), ctx)
            rows.append(make_row(ctx, "W8", "64 x 16 ops x 100k", "fwd+bwd (jit)", "ms", column(s, 0, 1e3),
                                 t))
            continue

        def run() -> Phases:
            t0 = perf()
            y, pullback = vjp(loss, xs)
            block(y)
            t1 = perf()
            block(pullback(m.ones_like(y) if ctx.impl == "jax" else 1.0))
            return (t1 - t0, perf() - t1)

        with impl_threads(ctx, t):
            rows += w8_rows(ctx, repeat(run, ctx), t)
    return rows


def peer_w3_once(impl: str) -> None:
    """W3 once with jax / autograd / torch (W9)."""
    if impl == "torch":
        torch_w3_step(torch_module().from_numpy(w3_input()).requires_grad_())
        return
    m, _, block = peer_modules(impl)
    x = m.asarray(w3_input())
    block(maybe_jit(impl, peer_grad(impl)(lambda v: m.sum(m.sin(v) * v + v * v)))(x))


def peer_w5_once(impl: str) -> None:
    """W5 once with jax / autograd / torch (W9)."""
    if impl == "torch":
        torch_w5_setup()[0]()
        return
    step, params, block = fn_w5_step(Ctx(impl=impl))
    block(step(params))


# --------------------------------------------------------------------------- torch
def torch_module() -> Any:
    """``import torch``."""
    import torch

    return torch


def torch_chain(torch: Any, y: Any, kinds: Sequence[str], n_ops: int, c: Any, d: Any) -> Any:
    """The elementwise chain with torch."""
    for i in range(n_ops):
        k = kinds[i % len(kinds)]
        y = y * c if k == "mul" else (y + d if k == "add" else getattr(torch, k)(y))
    return y


def torch_w1(ctx: Ctx) -> list[Row]:
    """W1 for torch: forward with grad recording, ``backward()``, and under ``no_grad``."""
    torch = torch_module()
    x = torch.tensor(0.5, requires_grad=True)
    c, d = torch.tensor(1.0001), torch.tensor(1e-3)
    kinds = ("mul", "add", "sin")

    def taped() -> Phases:
        t0 = perf()
        y = torch_chain(torch, x, kinds, W1_OPS, c, d)
        t1 = perf()
        y.backward()
        return (t1 - t0, perf() - t1)

    def plain() -> None:
        with torch.no_grad():
            torch_chain(torch, x, kinds, W1_OPS, c, d)

    return w1_rows(ctx, taped, plain, torch.get_num_threads())


def torch_w3_step(x: Any) -> Any:
    """W3 forward and backward with torch."""
    import torch

    x.grad = None
    (torch.sin(x) * x + x * x).sum().backward()
    return x.grad


def torch_w3(ctx: Ctx) -> list[Row]:
    """W3 for torch."""
    torch = torch_module()
    x = torch.from_numpy(w3_input()).requires_grad_()
    s = repeat(timed(lambda: torch_w3_step(x)), ctx)
    return [make_row(ctx, "W3", "10M f32", "fwd+bwd", "ms", column(s, 0, 1e3), torch.get_num_threads(),
                     **w3_ref())]


def torch_w4(ctx: Ctx) -> list[Row]:
    """W4 for torch."""
    torch = torch_module()
    rows = []
    for n in w4_sizes(ctx):
        a, b = (torch.from_numpy(v).requires_grad_() for v in w4_inputs(n))

        def step(a: Any = a, b: Any = b) -> None:
            a.grad = b.grad = None
            (a @ b).sum().backward()

        s = repeat(timed(step), ctx)
        rows.append(make_row(ctx, "W4", f"n={n}", "fwd+bwd", "ms", column(s, 0, 1e3), torch.get_num_threads(),
                             **w4_ref(n)))
    return rows


def torch_w5_setup() -> tuple[Callable[[], None], Any]:
    """A W5 SGD step for torch (in-place ``sub_`` under ``no_grad``) and torch."""
    torch = torch_module()
    params_np, x_np, labels = w5_data()
    params = [torch.from_numpy(p).requires_grad_() for p in params_np]
    x, onehot = torch.from_numpy(x_np), torch.from_numpy(np.eye(W5_SIZES[-1], dtype=F32)[labels])

    def step() -> None:
        w1, b1, w2, b2, w3, b3 = params
        h = torch.relu(x @ w1 + b1)
        h = torch.relu(h @ w2 + b2)
        logits = h @ w3 + b3
        loss = (torch.logsumexp(logits, dim=1) - (onehot * logits).sum(dim=1)).mean()
        grads = torch.autograd.grad(loss, params)
        with torch.no_grad():
            for p, g in zip(params, grads):
                p.sub_(W5_LR * g)

    return step, torch


def torch_w5(ctx: Ctx) -> list[Row]:
    """W5 for torch."""
    step, torch = torch_w5_setup()
    s = repeat(timed(step), ctx)
    return [make_row(ctx, "W5", "784-512-512-10", "step", "ms", column(s, 0, 1e3), torch.get_num_threads(),
                     **w5_ref())]


def torch_w6(ctx: Ctx) -> list[Row]:
    """W6 for torch."""
    torch = torch_module()
    x_np, c_np, d_np = w6_constants()
    x, c, d = torch.from_numpy(x_np).requires_grad_(), torch.from_numpy(c_np), torch.from_numpy(d_np)

    def run() -> Phases:
        t0 = perf()
        y = torch_chain(torch, x, W6_KINDS, W6_OPS, c, d)
        t1 = perf()
        torch.autograd.grad(y, x, torch.ones_like(y))
        return (t1 - t0, perf() - t1)

    return w6_rows(ctx, repeat(run, ctx), torch.get_num_threads())


def torch_w7(ctx: Ctx) -> list[Row]:
    """W7 for torch: ``autograd.grad(create_graph=True)`` twice."""
    torch = torch_module()
    rows = []
    for case in ("scalar", "vector 10k"):
        x = torch.from_numpy(w7_input(case).copy()).requires_grad_()

        def second(x: Any = x) -> Any:
            y = torch_chain(torch, x, ("tanh",), W7_OPS, None, None).sum()
            (g,) = torch.autograd.grad(y, x, create_graph=True)
            return torch.autograd.grad(g.sum(), x)

        s = repeat(timed(second), ctx)
        rows.append(make_row(ctx, "W7", case, "d2y/dx2 (nested tapes)", "ms", column(s, 0, 1e3),
                             torch.get_num_threads()))
    return rows


def torch_w8(ctx: Ctx) -> list[Row]:
    """W8 for torch."""
    torch = torch_module()
    xs_np, c_np, d_np = w8_inputs()
    xs = [torch.from_numpy(x).requires_grad_() for x in xs_np]
    c, d = torch.from_numpy(c_np), torch.from_numpy(d_np)

    def run() -> Phases:
        t0 = perf()
        outs = [torch_chain(torch, x, W8_KINDS, W8_DEPTH, c, d) for x in xs]
        loss = torch.stack(outs).sum()
        t1 = perf()
        torch.autograd.grad(loss, xs)
        return (t1 - t0, perf() - t1)

    return w8_rows(ctx, repeat(run, ctx), torch.get_num_threads())


# =========================================================================== the registry
Runner = Callable[[Ctx], list[Row]]


@dataclass
class Workload:
    """A workload: its name, title, whether it scales with threads, and a runner per impl."""

    name: str
    title: str
    scales: bool
    runners: dict[str, Runner]


FN_IMPLS = ("jax", "jax-jit", "autograd")


def _runners(tf_fn: Runner, np_fn: Runner | None, fn_fn: Runner | None,
             torch_fn: Runner | None) -> dict[str, Runner]:
    """Runner table: tapegrad and tensorflow share the tf-API code, jax and autograd theirs."""
    out: dict[str, Runner] = {"tapegrad": tf_fn, "tensorflow": tf_fn}
    if np_fn is not None:
        out["numpy"] = np_fn
    if fn_fn is not None:
        out.update({impl: fn_fn for impl in FN_IMPLS})
    if torch_fn is not None:
        out["torch"] = torch_fn
    return out


WORKLOADS: dict[str, Workload] = {
    w.name: w
    for w in [
        Workload("W1", "op overhead: 100 scalar ops (mul, add, sin)", False,
                 _runners(w1_tf, w1_numpy, fn_w1, torch_w1)),
        Workload("W2", "one pass of the four seed notebooks", False,
                 {"tapegrad": w2_tf, "tensorflow": w2_tf}),
        Workload("W3", "reduce_sum(sin(x)*x + x*x), x 10M float32", True,
                 _runners(w3_tf, w3_numpy, fn_w3, torch_w3)),
        Workload("W4", "reduce_sum(A @ B), grads w.r.t. A and B", True,
                 _runners(w4_tf, w4_numpy, fn_w4, torch_w4)),
        Workload("W5", "MLP step 64 x 784-512-512-10, SGD", True,
                 _runners(w5_tf, w5_numpy, fn_w5, torch_w5)),
        Workload("W6", "deep chain: 10,000 ops on 1,000 float32", False,
                 _runners(w6_tf, w6_numpy, fn_w6, torch_w6)),
        Workload("W7", "second derivative of a 50-op tanh chain", False,
                 _runners(w7_tf, None, fn_w7, torch_w7)),
        Workload("W8", "wide graph: 64 branches x 16 ops x 100k, summed", True,
                 _runners(w8_tf, w8_numpy, fn_w8, torch_w8)),
        Workload("W9", "peak RSS of W3 and W5 in fresh processes", False, {}),
    ]
}

# (workload, case, metric, threads or None for any) -> (target, stretch target or None)
TARGETS: dict[tuple[str, str, str, int | None], tuple[float, float | None]] = {
    ("W1", "scalar chain", "fwd (taped)", None): (1.0, None),
    ("W1", "scalar chain", "bwd", None): (0.5, None),
    ("W1", "scalar chain", "overhead (taped-untaped)", None): (0.3, None),
    ("W2", "4 seed notebooks", "pass", None): (0.5, None),
    ("W3", "10M f32", "fwd+bwd", None): (60.0, 20.0),
    ("W5", "784-512-512-10", "step", 1): (3.0, None),
    ("W5", "784-512-512-10", "step", 2): (2.0, None),
    ("W6", "10k ops x 1000", "fwd", None): (1.5, None),
    ("W6", "10k ops x 1000", "bwd", None): (1.0, None),
    ("W7", "scalar", "d2y/dx2 (nested tapes)", None): (0.3, None),
    ("W7", "vector 10k", "d2y/dx2 (nested tapes)", None): (1.5, None),
    ("W8", "64 x 16 ops x 100k", "bwd", 1): (50.0, None),
    ("W8", "64 x 16 ops x 100k", "bwd", 2): (27.0, None),
    ("W9", "W3", "peak RSS", None): (200.0, None),
    ("W9", "W5", "peak RSS", None): (80.0, None),
}


def _load_sibling(name: str) -> Any:
    """A module next to this file, loaded by path (peer subprocesses run this file outside the package)."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), f"{name}.py")
    spec = importlib.util.spec_from_file_location(f"_tapegrad_{name}", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# W10 (CNN step) and CONV (one convolution vs the sgemm rate): see bench_conv.py.
WORKLOADS.update(_load_sibling("bench_conv").workloads(sys.modules[__name__]))


def run_local(names: list[str], ctx: Ctx) -> list[Row]:
    """Run tapegrad and the numpy references for the workloads ``names`` in this process."""
    rows: list[Row] = []
    for name in names:
        wl = WORKLOADS[name]
        t0 = perf()
        if name == "W9":
            rows += w9_main(ctx)
        for impl in ("tapegrad", "numpy"):
            if impl in wl.runners:
                rows += safe_run(wl, Ctx(**{**asdict(ctx), "impl": impl}))
        print(f"  {name} done in {perf() - t0:.1f} s", file=sys.stderr)
    return rows


def safe_run(wl: Workload, ctx: Ctx) -> list[Row]:
    """Run one workload for one impl; a failure is reported and skipped."""
    try:
        return wl.runners[ctx.impl](ctx)
    except Exception as exc:  # a broken op must not stop the suite
        print(f"  {wl.name} {ctx.impl}: failed ({type(exc).__name__}: {exc})", file=sys.stderr)
        return []


# =========================================================================== peers: processes
def probe_families(python: str) -> list[str]:
    """The peer frameworks importable by interpreter ``python``."""
    code = ("import importlib.util as u; "
            f"print(','.join(m for m in {PEER_FAMILIES!r} if u.find_spec(m)))")
    try:
        proc = subprocess.run([python, "-c", code], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return []
    return [m for m in proc.stdout.strip().split(",") if m]


def find_peers(explicit: list[str], auto: bool) -> dict[str, str]:
    """Map each peer family to the first interpreter that has it."""
    candidates = list(explicit)
    if auto:
        candidates += [p for p in DEFAULT_PEER_PYTHONS if os.path.exists(p)] + [sys.executable]
    found: dict[str, str] = {}
    for python in dict.fromkeys(candidates):
        for family in probe_families(python):
            found.setdefault(family, python)
    return found


def family_impls(family: str) -> list[str]:
    """Implementations a peer family provides."""
    return ["jax", "jax-jit"] if family == "jax" else [family]


def peer_env(family: str, threads: int | None) -> dict[str, str]:
    """Environment for a peer child: thread limits that must be set before import."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONWARNINGS="ignore")
    if threads is not None:
        for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            env[var] = str(threads)
        if family == "jax":
            eigen = "false" if threads == 1 else "true"
            env["XLA_FLAGS"] = f"--xla_cpu_multi_thread_eigen={eigen} intra_op_parallelism_threads={threads}"
    return env


def run_peer_child(python: str, family: str, names: list[str], threads: int | None, ctx: Ctx) -> list[Row]:
    """Run ``names`` for ``family`` in a subprocess of this file at ``threads``; return its rows."""
    cmd = [python, "-I", os.path.abspath(__file__), "--peer-child", family, "--only", ",".join(names),
           "--repeats", str(ctx.repeats), "--min-time", str(ctx.min_time)]
    cmd += ["--peer-threads", str(threads)] if threads is not None else []
    cmd += ["--quick"] if ctx.quick else []
    label = f"{family} threads={threads or 'default'}"
    print(f"  peer {label}: {python}", file=sys.stderr)
    try:
        env = peer_env(family, threads)
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=1800)
    except subprocess.SubprocessError as exc:
        print(f"  peer {label}: failed ({exc})", file=sys.stderr)
        return []
    for line in proc.stderr.splitlines():
        if line.startswith("  "):
            print(f"  [{family}]{line}", file=sys.stderr)
    for line in proc.stdout.splitlines():
        if line.startswith(JSON_MARK):
            return [Row(**r) for r in json.loads(line[len(JSON_MARK):])]
    print(f"  peer {label}: no result (rc {proc.returncode}): {proc.stderr[-500:]}", file=sys.stderr)
    return []


def run_peers(names: list[str], ctx: Ctx, peers: dict[str, str]) -> list[Row]:
    """Every installed peer on ``names``: scaling workloads once per thread count."""
    rows: list[Row] = []
    for family, python in peers.items():
        impls = family_impls(family)
        fixed = [n for n in names if n != "W9" and not WORKLOADS[n].scales
                 and any(i in WORKLOADS[n].runners for i in impls)]
        scaling = [n for n in names if WORKLOADS[n].scales and any(i in WORKLOADS[n].runners for i in impls)]
        if fixed:
            rows += run_peer_child(python, family, fixed, None, ctx)
        if scaling:
            if family == "torch":  # torch's peer code reports its default thread count only
                rows += run_peer_child(python, family, scaling, None, ctx)
            else:
                for t in ctx.threads:
                    rows += run_peer_child(python, family, scaling, t, ctx)
        if "W9" in names:
            for impl in impls[:1]:
                rows += w9_rows(ctx, impl, python)
    return rows


def configure_peer_threads(family: str, threads: int | None) -> None:
    """Set a peer's thread count at the start of its process."""
    if threads is None:
        return
    if family == "tensorflow":
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
    elif family == "torch":
        torch_module().set_num_threads(threads)


def peer_child_main(family: str, names: list[str], threads: int | None, ctx: Ctx) -> None:
    """Entry point of a peer subprocess: run, then print the rows as one JSON line."""
    configure_peer_threads(family, threads)
    rows: list[Row] = []
    for name in names:
        for impl in family_impls(family):
            wl = WORKLOADS[name]
            if impl in wl.runners:
                c = Ctx(**{**asdict(ctx), "impl": impl, "peer": True, "thread_fixed": threads})
                rows += safe_run(wl, c)
    print(JSON_MARK + json.dumps([asdict(r) for r in rows]))


# =========================================================================== reporting
def fmt(v: float) -> str:
    """Three significant digits, no exponent for ordinary magnitudes."""
    if v == 0 or not math.isfinite(v):
        return f"{v:g}"
    digits = max(0, 2 - int(math.floor(math.log10(abs(v)))))
    return f"{v:.{digits}f}"


def find_ref(row: Row, rows: list[Row]) -> Row | None:
    """The reference row of ``row``: same threads if measured, else the 1-thread one."""
    if not row.ref:
        return None
    case, metric, impl = row.ref
    want_key = (row.workload, case, metric, impl)
    matches = [r for r in rows if (r.workload, r.case, r.metric, r.impl) == want_key]
    for want in (row.threads, 1, None):
        for r in matches:
            if r.threads == want:
                return r
    return matches[0] if matches else None


def ratio_text(row: Row, rows: list[Row]) -> str:
    """E.g. ``3.1× numpy-copy time``."""
    ref = find_ref(row, rows)
    if ref is None or ref is row:
        return ""
    return f"{row.median / (ref.median * row.ref_factor):.2f}× {row.ref_label}"


def rate_text(row: Row) -> str:
    """Throughput at the median, e.g. ``12.3 GB/s``."""
    return f"{fmt(row.work / row.median)} {row.work_unit}" if row.work else ""


def target_for(row: Row) -> tuple[float, float | None] | None:
    """The target that applies to ``row`` (tapegrad rows only)."""
    if row.impl != "tapegrad":
        return None
    key = (row.workload, row.case, row.metric)
    return TARGETS.get((*key, row.threads)) or TARGETS.get((*key, None))


def target_text(row: Row) -> str:
    """``≤ 1.0 µs/op: met`` or ``≤ 1.0 µs/op: missed by 0.40 (1.40×)``."""
    target = target_for(row)
    if target is None:
        return ""
    goal, stretch = target
    m = row.median
    verdict = "met" if m <= goal else f"missed by {fmt(m - goal)} ({m / goal:.2f}×)"
    text = f"≤ {fmt(goal)} {row.unit}: {verdict}"
    if stretch is not None:
        text += f"; stretch ≤ {fmt(stretch)}: " + ("met" if m <= stretch else f"{m / stretch:.2f}×")
    return text


HEADERS = ["workload", "case", "metric", "impl", "threads", "median", "min–max", "rate", "ratio", "target"]


def table_cells(rows: list[Row]) -> list[list[str]]:
    """The report table, one list of cells per row."""
    out = []
    for r in rows:
        out.append([r.workload, r.case, r.metric, r.impl, "" if r.threads is None else str(r.threads),
                    f"{fmt(r.median)} {r.unit}", f"{fmt(r.lo)}–{fmt(r.hi)}", rate_text(r),
                    ratio_text(r, rows), target_text(r)])
    return out


def render_text(rows: list[Row]) -> str:
    """A plain aligned table."""
    cells = [HEADERS] + table_cells(rows)
    widths = [max(len(c[i]) for c in cells) for i in range(len(HEADERS))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(line, widths)).rstrip() for line in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def render_markdown(rows: list[Row]) -> str:
    """A markdown table."""
    lines = ["| " + " | ".join(HEADERS) + " |", "|" + "---|" * len(HEADERS)]
    lines += ["| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |" for cells in table_cells(rows)]
    return "\n".join(lines)


def notes(rows: list[Row]) -> list[str]:
    """Distinct notes attached to rows (e.g. the W8 bit-identity verdict)."""
    return list(dict.fromkeys(f"{r.workload} {r.impl}: {r.note}" for r in rows if r.note))


IMPL_ORDER = ["tapegrad", "numpy", "numpy by hand", "hardware (sgemm rate)", "tensorflow", "torch", "jax",
              "jax-jit", "autograd"]


def sort_rows(rows: list[Row]) -> list[Row]:
    """Order by workload, case, metric, implementation, threads."""
    def key(r: Row) -> tuple[Any, ...]:
        impl = IMPL_ORDER.index(r.impl) if r.impl in IMPL_ORDER else len(IMPL_ORDER)
        return (r.workload, r.case, r.metric, impl, r.threads or 0)

    return sorted(rows, key=key)


# =========================================================================== machine and JSON
def machine_info(label: str | None) -> dict[str, Any]:
    """CPU model, core count, versions: recorded with the results."""
    model = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    default_label = f"{model}, {cores} cores"
    info = {"label": label or default_label, "default_label": default_label, "cpu": model, "cores": cores,
            "python": platform.python_version(), "numpy": np.__version__,
            "date": time.strftime("%Y-%m-%d %H:%M:%S"),
            "threadpoolctl": importlib.util.find_spec("threadpoolctl") is not None,
            "loadavg_start": load_average()}
    with contextlib.suppress(Exception):
        import tapegrad

        info["tapegrad"] = getattr(tapegrad, "__version__", "?")
        info["tapegrad_default_threads"] = tapegrad.config.threading.get_intra_op_parallelism_threads()
    return info


def load_average() -> list[float]:
    """The 1, 5 and 15 minute load averages (other work on a noisy machine shows here)."""
    with contextlib.suppress(OSError, AttributeError):
        return [round(v, 2) for v in os.getloadavg()]
    return []


def load_results(paths: list[str]) -> list[dict[str, Any]]:
    """Results saved with ``--json`` (one machine each)."""
    out = []
    for path in paths:
        with open(path) as f:
            data = json.load(f)
        out.append({"meta": data["meta"], "rows": [Row(**r) for r in data["rows"]]})
    return out


def save_results(path: str, result: dict[str, Any]) -> None:
    """Write one machine's results as JSON."""
    with open(path, "w") as f:
        json.dump({"meta": result["meta"], "rows": [asdict(r) for r in result["rows"]]}, f, indent=1)


def report(results: list[dict[str, Any]], markdown: bool) -> str:
    """The table (text or markdown) for each machine's results, with notes."""
    parts = []
    for res in results:
        meta, rows = res["meta"], sort_rows(res["rows"])
        head = (f"{meta['label']} (python {meta.get('python')}, numpy {meta.get('numpy')}, "
                f"{meta.get('date')}, load average {meta.get('loadavg_start')} -> {meta.get('loadavg_end')})")
        parts.append(f"### {head}\n" if markdown else f"== {head}")
        parts.append(render_markdown(rows) if markdown else render_text(rows))
        extra = notes(rows)
        if extra:
            parts.append("\n".join(("- " if markdown else "  ") + n for n in extra))
    return "\n\n".join(parts)


# =========================================================================== plot
PLOT_PANELS = [
    ("W3", "10M f32", "fwd+bwd", "W3 large elementwise (fwd+bwd)"),
    ("W4", "n=1024", "fwd+bwd", "W4 matmul 1024² (fwd+bwd)"),
    ("W4", "n=2048", "fwd+bwd", "W4 matmul 2048² (fwd+bwd)"),
    ("W8", "64 x 16 ops x 100k", "bwd", "W8 wide graph (backward)"),
]


def plot_series(rows: list[Row], workload: str, case: str, metric: str) -> dict[str, list[tuple[int, float]]]:
    """``impl -> [(threads, median ms)]`` for one panel (numpy sgemm shown as 3 sgemms)."""
    series: dict[str, list[tuple[int, float]]] = {}
    for r in rows:
        if (r.workload, r.case) != (workload, case) or r.threads is None:
            continue
        if r.metric == metric:
            series.setdefault(r.impl, []).append((r.threads, r.median))
        elif r.metric == "sgemm A@B":
            series.setdefault("numpy 3×sgemm", []).append((r.threads, 3 * r.median))
    return {k: sorted(v) for k, v in series.items()}


def short_label(meta: dict[str, Any]) -> str:
    """A legend label for one machine: its ``--label`` if given, else its core count."""
    label = str(meta.get("label", "?"))
    if meta.get("cores") is not None and label == meta.get("default_label"):
        return f"{meta['cores']} cores"
    return label


def plot(results: list[dict[str, Any]], path: str) -> None:
    """Time against threads for W3, W4 and W8, one line per machine and implementation."""
    import matplotlib
    import matplotlib.ticker

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = [p for p in PLOT_PANELS if any(plot_series(res["rows"], *p[:3]) for res in results)]
    if not panels:
        print("plot: no thread-scaling rows (W3, W4, W8) to plot", file=sys.stderr)
        return
    fig, axes = plt.subplots(1, len(panels), figsize=(4.6 * len(panels), 4.2), squeeze=False)
    styles = ["-", "--", ":", "-."]
    for ax, (workload, case, metric, title) in zip(axes[0], panels):
        ticks: set[int] = set()
        for mi, res in enumerate(results):
            for impl, pts in plot_series(res["rows"], workload, case, metric).items():
                label = impl if len(results) == 1 else f"{impl} [{short_label(res['meta'])}]"
                ax.plot([p[0] for p in pts], [p[1] for p in pts], styles[mi % len(styles)], marker="o",
                        label=label, linewidth=2.5 if impl == "tapegrad" else 1.2)
                ticks.update(p[0] for p in pts)
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xticks(sorted(ticks))
        ax.xaxis.set_major_formatter(matplotlib.ticker.ScalarFormatter())
        ax.xaxis.set_minor_locator(matplotlib.ticker.NullLocator())
        ax.set_xlabel("threads")
        ax.set_ylabel("ms (median)")
        ax.set_title(title, fontsize=10)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle("tapegrad thread scaling (lower is better)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    print(f"plot written to {path}", file=sys.stderr)


# =========================================================================== command line
def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    p = argparse.ArgumentParser(prog="python -m tapegrad.bench", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--only", help="comma-separated workloads, e.g. W3,W8 (default: all)")
    p.add_argument("--threads", default="1,2", help="thread counts for W3, W4, W5, W8 (default 1,2)")
    p.add_argument("--quick", action="store_true", help="shorter repeats, W4 at 1024 only (~1 minute)")
    p.add_argument("--repeats", type=int, default=7, help="repeats per measurement (at least 7 advised)")
    p.add_argument("--min-time", type=float, default=None,
                   help="seconds per repeat (default 0.05; quick 0.01)")
    p.add_argument("--json", metavar="PATH", help="save the results as JSON")
    p.add_argument("--markdown", action="store_true", help="print a markdown table")
    p.add_argument("--plot", metavar="PATH", help="plot W3/W4/W8 time against threads (needs matplotlib)")
    p.add_argument("--from-json", nargs="+", metavar="PATH",
                   help="report/plot saved results instead of running")
    p.add_argument("--label", help="machine label for the results (default: CPU model and cores)")
    p.add_argument("--peer-python", action="append", default=[], metavar="PATH",
                   help="interpreter with peer frameworks (repeatable)")
    p.add_argument("--no-peers", action="store_true", help="skip peer frameworks")
    p.add_argument("--no-auto-peers", action="store_true", help="only use --peer-python interpreters")
    p.add_argument("--peer-child", help=argparse.SUPPRESS)
    p.add_argument("--peer-threads", type=int, default=None, help=argparse.SUPPRESS)
    p.add_argument("--w9-child", help=argparse.SUPPRESS)
    p.add_argument("--impl", default="tapegrad", help=argparse.SUPPRESS)
    return p.parse_args(argv)


def selected(only: str | None) -> list[str]:
    """Workload names from ``--only``, validated."""
    if not only:
        return list(WORKLOADS)
    names = [n.strip().upper() for n in only.split(",") if n.strip()]
    unknown = [n for n in names if n not in WORKLOADS]
    if unknown:
        raise SystemExit(f"unknown workloads {unknown}; choose from {list(WORKLOADS)}")
    return names


def make_ctx(args: argparse.Namespace) -> Ctx:
    """The measuring context from the command line."""
    min_time = args.min_time if args.min_time is not None else (0.01 if args.quick else 0.05)
    threads = [int(t) for t in str(args.threads).split(",") if t.strip()]
    return Ctx(threads=threads, repeats=max(1, args.repeats), min_time=min_time, quick=args.quick)


def run_all(args: argparse.Namespace, ctx: Ctx) -> dict[str, Any]:
    """Measure tapegrad, numpy and the peers; return ``{"meta", "rows"}``."""
    names = selected(args.only)
    meta = machine_info(args.label)
    print(f"tapegrad bench on {meta['label']}: {', '.join(names)}, threads {ctx.threads}", file=sys.stderr)
    t0 = perf()
    rows = run_local(names, ctx)
    if not args.no_peers:
        peers = find_peers(args.peer_python, auto=not args.no_auto_peers)
        print(f"  peers: {peers or 'none installed'}", file=sys.stderr)
        rows += run_peers(names, ctx, peers)
    meta["seconds"] = round(perf() - t0, 1)
    meta["loadavg_end"] = load_average()
    print(f"  total {meta['seconds']} s", file=sys.stderr)
    return {"meta": meta, "rows": rows}


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m tapegrad.bench``."""
    args = parse_args(argv)
    ctx = make_ctx(args)
    if args.w9_child:
        if args.w9_child == "import only":
            w9_import(args.impl)
        w9_child(args.w9_child, args.impl)
        return 0
    if args.peer_child:
        peer_child_main(args.peer_child, selected(args.only), args.peer_threads, ctx)
        return 0
    results = load_results(args.from_json) if args.from_json else [run_all(args, ctx)]
    if args.json and not args.from_json:
        save_results(args.json, results[0])
    print(report(results, args.markdown))
    if args.plot:
        plot(results, args.plot)
    return 0


def w9_import(impl: str) -> None:
    """Import what ``impl`` needs (the W9 baseline)."""
    module = {"tapegrad": "tapegrad", "jax-jit": "jax", "numpy": "numpy"}.get(impl, impl)
    __import__(module)


def _register_w11() -> None:
    """W11 (an LSTM training step) lives in ``bench_rnn``."""
    if __package__:
        from . import bench_rnn
    else:  # run as a script (peer subprocesses): load the file beside this one
        path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bench_rnn.py")
        spec = importlib.util.spec_from_file_location("tapegrad_bench_rnn", path)
        if spec is None or spec.loader is None:
            return
        bench_rnn = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(bench_rnn)
    bench_rnn.register(sys.modules[__name__])


_register_w11()

if __name__ == "__main__":
    sys.exit(main())

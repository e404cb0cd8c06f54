"""Bad-input calls over the public API, shared by the in-suite fuzzer
(``test_fuzz_api.py``) and the soak script (``scripts/soak.py``).

A call is described by plain data -- an op name and argument *source text* --
so a batch can be run in a child interpreter and any call that crashes it is
reported as a line of Python that reproduces it.
"""

from __future__ import annotations

import random

#: Values that stress conversions and ranges (source text).
SCALARS = [
    "0",
    "1",
    "-1",
    "2",
    "3",
    "7",
    "2**31 - 1",
    "2**31",
    "2**32 + 1",
    "2**62",
    "2**63 - 1",
    "2**63",
    "-2**63",
    "2**64",
    "-2**64",
    "1.5",
    "-0.0",
    "float('nan')",
    "float('inf')",
    "1e300",
    "True",
    "None",
    "'a'",
    "[]",
    "()",
    "[1, 2]",
    "[[1], [2, 3]]",
    "{'a': 1}",
    "object()",
]

#: Shapes (source text), from ordinary to impossible.
SHAPES = [
    "()",
    "(0,)",
    "(1,)",
    "(3,)",
    "(2, 3)",
    "(0, 5)",
    "(2, 0, 3)",
    "(1, 1, 1, 1)",
    "[-1]",
    "(-1, 2)",
    "(2**20, 2**20)",
    "(2**31 - 1, 2**31 - 1)",
    "(2**32, 2**32)",
    "(2**62, 4)",
    "(2**63 - 1,)",
    "(2**64,)",
    "(1.5,)",
    "('a',)",
    "(None,)",
    "5",
    "2**40",
]

#: Tensors and tensor-likes (source text; ``tf`` and ``np`` are in scope).
TENSORS = [
    "tf.constant(1.0)",
    "tf.constant([1.0, 2.0, 3.0])",
    "tf.ones((2, 3))",
    "tf.zeros((0, 4))",
    "tf.constant([1, 2, 3])",
    "tf.constant([[True, False]])",
    "tf.constant(2, tf.int64)",
    "tf.Variable([1.0, 2.0])",
    "tf.ones((2, 3), tf.float64)",
    "tf.range(6)",
    "np.arange(6.0).reshape(2, 3)[:, ::2]",
    "np.ones((3, 2)).T",
    "np.array([2**64 - 1], np.uint64)",
    "np.array([1, 2], np.uint8)",
    "np.float16(1)",
    "np.array(['a'])",
    "np.empty((0, 3))",
    "[1.0, 2.0]",
    "[[1, 2], [3]]",
    "3",
    "2.5",
    "None",
    "'text'",
    "[tf.constant(1.0), 2.0]",
]

AXES = ["0", "1", "-1", "2", "-3", "None", "[0, 1]", "[0, 0]", "1.5", "2**63", "'x'", "[]"]
DTYPES = [
    "tf.float32",
    "tf.float64",
    "tf.int32",
    "tf.int64",
    "tf.bool",
    "None",
    "'float32'",
    "'bogus'",
    "int",
    "3",
]

#: op -> list of argument kinds, each kind a pool above.
OPS: dict[str, list[list[str]]] = {
    "tf.zeros": [SHAPES, DTYPES],
    "tf.ones": [SHAPES, DTYPES],
    "tf.fill": [SHAPES, SCALARS],
    "tf.eye": [SCALARS],
    "tf.range": [SCALARS, SCALARS, SCALARS],
    "tf.linspace": [SCALARS, SCALARS, SCALARS],
    "tf.constant": [SCALARS + TENSORS, DTYPES],
    "tf.convert_to_tensor": [TENSORS, DTYPES],
    "tf.cast": [TENSORS, DTYPES],
    "tf.reshape": [TENSORS, SHAPES],
    "tf.broadcast_to": [TENSORS, SHAPES],
    "tf.tile": [TENSORS, SHAPES],
    "tf.pad": [
        TENSORS,
        ["[[0, 1]]", "[[0, 1], [2, 0]]", "[[-1, 0]]", "[[2**62, 2**62]]", "[[0, 2**20], [0, 2**20]]", "3"],
    ],
    "tf.transpose": [TENSORS, ["None", "[1, 0]", "[0, 0]", "[2, 1, 0]", "[5]"]],
    "tf.expand_dims": [TENSORS, AXES],
    "tf.squeeze": [TENSORS, AXES],
    "tf.concat": [
        [
            "[tf.ones((2, 3)), tf.ones((1, 3))]",
            "[]",
            "[tf.ones(2), tf.ones((2, 2))]",
            "[tf.ones(2), tf.constant([1, 2])]",
        ],
        AXES,
    ],
    "tf.stack": [["[tf.ones(2), tf.ones(2)]", "[]", "[tf.ones(2), tf.ones(3)]"], AXES],
    "tf.gather": [
        TENSORS,
        ["[0]", "[2**32 + 1]", "[-2**63]", "[-1]", "[[0, 1]]", "[1.5]", "[]", "tf.constant([0], tf.int64)"],
    ],
    "tf.one_hot": [["[0, 1]", "[2**32 + 1]", "[-1]", "[[0]]", "[1.5]"], SCALARS],
    "tf.reduce_sum": [TENSORS, AXES],
    "tf.reduce_mean": [TENSORS, AXES],
    "tf.reduce_max": [TENSORS, AXES],
    "tf.argmax": [TENSORS, AXES],
    "tf.argsort": [TENSORS, AXES],
    "tf.sort": [TENSORS, AXES],
    "tf.cumsum": [TENSORS, AXES],
    "tf.matmul": [TENSORS, TENSORS],
    "tf.add": [TENSORS, TENSORS],
    "tf.multiply": [TENSORS, TENSORS],
    "tf.divide": [TENSORS, TENSORS],
    "tf.math.pow": [TENSORS, TENSORS],
    "tf.maximum": [TENSORS, TENSORS],
    "tf.where": [TENSORS, TENSORS, TENSORS],
    "tf.add_n": [["[tf.ones(2), tf.ones(2)]", "[]", "[tf.ones(2), tf.ones((2, 2))]", "[tf.ones(2), 1.0]"]],
    "tf.split": [TENSORS, ["2", "[1, 1]", "0", "[2**63, 2**63 + 2]", "-1"]],
    "tf.unstack": [TENSORS, AXES],
    "tf.nn.softmax": [TENSORS, AXES],
    "tf.random.normal": [SHAPES],
    "tf.random.uniform": [SHAPES],
    "tf.exp": [TENSORS],
    "tf.sqrt": [TENSORS],
    "tf.abs": [TENSORS],
    "tf.einsum": [["'ij,jk->ik'", "'ii'", "'i->'", "'->'", "'abc'", "3"], TENSORS, TENSORS],
    "tf.linalg.inv": [TENSORS],
    "tf.linalg.det": [TENSORS],
    "tf.identity": [TENSORS],
    "tf.stop_gradient": [TENSORS],
    "tf.size": [TENSORS],
    "tf.shape": [TENSORS],
    "getitem": [
        TENSORS,
        [
            "0",
            "-1",
            "2**63",
            "slice(None, None, 0)",
            "slice(2**63, -2**63, -1)",
            "(Ellipsis, None)",
            "'a'",
            "[0, 1]",
            "(0, 0, 0, 0)",
        ],
    ],
    "tape_grad": [TENSORS, TENSORS],
    "tape_misuse": [
        ["exit_without_enter", "exit_twice", "gradient_twice", "watch_int", "output_gradients_dtype"]
    ],
}


#: Ops whose rendering needs every argument.
FIXED_ARITY = {"getitem", "tape_grad", "tape_misuse"}


def render(op: str, args: list[str]) -> str:
    """One line of Python that makes the call."""
    if op == "getitem":
        return f"({args[0]})[{args[1]}]"
    if op == "tape_grad":
        return (
            f"_x = {args[0]}\n"
            "with tf.GradientTape(persistent=True) as _t:\n"
            "    _t.watch(_x)\n"
            f"    _y = tf.reduce_sum(tf.multiply(_x, {args[1]}))\n"
            "_t.gradient(_y, _x)"
        )
    if op == "tape_misuse":
        return {
            "exit_without_enter": "tf.GradientTape().__exit__(None, None, None)",
            "exit_twice": (
                "_t = tf.GradientTape()\n_t.__enter__()\n"
                "_t.__exit__(None, None, None)\n_t.__exit__(None, None, None)"
            ),
            "gradient_twice": (
                "_x = tf.constant(1.0)\nwith tf.GradientTape() as _t:\n    _t.watch(_x)\n"
                "    _y = _x * _x\n_t.gradient(_y, _x)\n_t.gradient(_y, _x)"
            ),
            "watch_int": "with tf.GradientTape() as _t:\n    _t.watch(3)",
            "output_gradients_dtype": (
                "_x = tf.constant([1.0])\nwith tf.GradientTape() as _t:\n    _t.watch(_x)\n"
                "    _y = _x * 2.0\n_t.gradient(_y, _x, output_gradients=tf.constant([1], tf.int32))"
            ),
        }[args[0]]
    return f"{op}({', '.join(args)})"


def random_calls(n: int, seed: int) -> list[str]:
    """``n`` calls drawn with ``seed`` (deterministic)."""
    rng = random.Random(seed)
    names = sorted(OPS)
    out = []
    for _ in range(n):
        op = rng.choice(names)
        kinds = OPS[op]
        # Sometimes drop trailing arguments (defaults) or add a stray one.
        k = len(kinds) - (rng.random() < 0.2 and len(kinds) > 1 and op not in FIXED_ARITY)
        args = [rng.choice(pool) for pool in kinds[:k]]
        out.append(render(op, args))
    return out


#: What a bad call may raise: TF's exception types (and Python's for bad
#: Python values). Anything else -- a crash, a BaseException that is not an
#: Exception, tapegrad's InternalError, an AttributeError from tapegrad's own
#: Python code -- is a finding.
RUNNER = r"""
import os, resource, sys, warnings
# A bounded address space: a call that asks for more than the child may have
# must fail cleanly (ResourceExhaustedError), never take the machine's memory.
_limit = int(os.environ.get("TAPEGRAD_FUZZ_MEMORY_BYTES", str(4 << 30)))
resource.setrlimit(resource.RLIMIT_AS, (_limit, _limit))
warnings.simplefilter("ignore")
import numpy as np
import tapegrad as tf
ALLOWED = (ValueError, TypeError, MemoryError, IndexError, OverflowError, NotImplementedError, RuntimeError)
calls = sys.stdin.read().split("\n\x00\n")
for i, src in enumerate(calls):
    if not src.strip():
        continue
    print("START", i, flush=True)
    try:
        exec(compile(src, "<fuzz>", "exec"), {"tf": tf, "np": np})
    except tf.errors.InternalError as e:
        print("FINDING", i, "InternalError", repr(str(e))[:300], flush=True)
    except ALLOWED:
        pass
    except BaseException as e:
        print("FINDING", i, type(e).__name__, repr(str(e))[:300], flush=True)
print("DONE", flush=True)
"""


def run_batch(calls: list[str], timeout: float, python: str) -> list[str]:
    """Runs ``calls`` in a child interpreter; returns findings as readable strings."""
    import os
    import subprocess

    data = "\n\x00\n".join(calls)
    findings = []
    try:
        env = dict(os.environ, OPENBLAS_NUM_THREADS="1", RUST_BACKTRACE="0")
        proc = subprocess.run(
            [python, "-c", RUNNER], input=data, capture_output=True, text=True, timeout=timeout, env=env
        )
        out, code = proc.stdout, proc.returncode
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
        code = "timeout"
    last = None
    for line in out.splitlines():
        if line.startswith("START"):
            last = int(line.split()[1])
        elif line.startswith("FINDING"):
            _, i, kind, msg = line.split(" ", 3)
            findings.append(f"{kind}: {msg}\n  reproducer:\n{calls[int(i)]}")
    if "DONE" not in out:
        where = calls[last] if last is not None else "<before the first call>"
        findings.append(f"child ended with {code} (crash or hang) at:\n{where}")
    return findings

"""Fork safety: a child of ``fork()`` gets a fresh, working thread pool.

``fork`` copies only the calling thread; the pool's workers (and warm
spinners, and threads running ops) do not exist in the child. Each scenario
runs in its own interpreter under a timeout, so a regression (a child that
hangs in the parent's pool) fails the test instead of hanging the suite.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

pytestmark = [
    pytest.mark.tapegrad_only,
    pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork"),
]

TIMEOUT_S = 120

PRELUDE = textwrap.dedent(
    """
    import os, sys, time, threading, warnings
    warnings.simplefilter("ignore", DeprecationWarning)  # fork with threads (3.12+)
    import numpy as np
    import tapegrad as tf

    tf.config.threading.set_intra_op_parallelism_threads(2)

    def pooled_work():
        a = tf.ones((256, 256))
        s = float(tf.reduce_sum(tf.matmul(a, a)).numpy())
        assert s == 256.0 ** 3, s
        x = tf.Variable(tf.ones((300, 300)))
        with tf.GradientTape() as t:
            y = tf.reduce_sum(tf.matmul(x, x) * 2.0)
        g = t.gradient(y, x)
        assert float(g.numpy()[0, 0]) == 2.0 * 2 * 300, g.numpy()[0, 0]
        return s

    def wait_child(pid, deadline_s=60.0):
        end = time.monotonic() + deadline_s
        while time.monotonic() < end:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                return os.waitstatus_to_exitcode(status)
            time.sleep(0.01)
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        return "hung"

    def fork_and_work():
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                pooled_work()
                code = 0
            finally:
                os._exit(code)
        return wait_child(pid)
    """
)


def run_script(body: str, env_extra: dict[str, str] | None = None) -> None:
    env = dict(os.environ)
    env.update(env_extra or {})
    code = PRELUDE + textwrap.dedent(body)
    try:
        proc = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            env=env,
        )
    except subprocess.TimeoutExpired as e:  # pragma: no cover - a regression
        pytest.fail(f"fork scenario hung for {TIMEOUT_S}s:\n{e.stdout}\n{e.stderr}")
    assert proc.returncode == 0, f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    assert "OK" in proc.stdout, proc.stdout


def test_os_fork_after_pooled_work():
    run_script(
        """
        pooled_work()
        for _ in range(3):
            r = fork_and_work()
            assert r == 0, r
        pooled_work()  # the parent's pool is unaffected
        print("OK")
        """
    )


def test_multiprocessing_fork_pool_after_pooled_work():
    run_script(
        """
        import multiprocessing as mp

        def task(i):
            return pooled_work() + i

        if __name__ == "__main__":
            pooled_work()
            ctx = mp.get_context("fork")
            with ctx.Pool(2) as pool:
                out = pool.map_async(task, range(4)).get(timeout=60)
            assert out == [256.0 ** 3 + i for i in range(4)], out
            pooled_work()
            print("OK")
        """
    )


def test_fork_while_warm_workers_spin():
    # Workers spin for 5 s after each parallel region, so the fork lands
    # while they spin (and may hold the posted-work lock).
    run_script(
        """
        for _ in range(5):
            pooled_work()
            r = fork_and_work()
            assert r == 0, r
        print("OK")
        """,
        {"TAPEGRAD_KEEP_WARM_US": "5000000"},
    )


def test_fork_while_another_thread_runs_ops():
    run_script(
        """
        stop = threading.Event()

        def busy():
            while not stop.is_set():
                pooled_work()

        th = threading.Thread(target=busy)
        th.start()
        try:
            time.sleep(0.2)
            for _ in range(5):
                r = fork_and_work()
                assert r == 0, r
                time.sleep(0.01)
        finally:
            stop.set()
            th.join(timeout=60)
        assert not th.is_alive()
        print("OK")
        """
    )

"""Soak test (not run in CI): 10^5 bad-input calls over the public API.

Runs the fuzzer's calls (``tests/_fuzz_calls.py``) in child interpreters,
``--batch`` calls per child, and counts crashes (a child that dies), hangs (a
child past its timeout), panics (``InternalError``) and other findings (an
exception type TF would not raise). A crashed batch resumes after the call that
crashed it. Prints the counts and the first reproducers.

    python scripts/soak.py --calls 100000 --seed 0
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))

import _fuzz_calls as fc  # noqa: E402


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--calls", type=int, default=100_000)
    p.add_argument("--batch", type=int, default=2000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--timeout", type=float, default=600.0, help="seconds per batch")
    p.add_argument("--show", type=int, default=5, help="reproducers to print per kind")
    args = p.parse_args()

    calls = fc.random_calls(args.calls, args.seed)
    counts: collections.Counter[str] = collections.Counter()
    examples: dict[str, list[str]] = collections.defaultdict(list)
    start = time.monotonic()
    done = 0
    while done < len(calls):
        batch = calls[done : done + args.batch]
        findings = fc.run_batch(batch, args.timeout, sys.executable)
        advanced = len(batch)
        for f in findings:
            if f.startswith("child ended with timeout"):
                kind = "hang"
            elif f.startswith("child ended"):
                kind = "crash"
            elif f.startswith("InternalError"):
                kind = "panic"
            else:
                kind = "finding:" + f.split(":", 1)[0]
            counts[kind] += 1
            if len(examples[kind]) < args.show:
                examples[kind].append(f)
            if kind in ("hang", "crash"):
                # Resume after the call that took the child down.
                bad = f.split("at:\n", 1)[-1]
                advanced = batch.index(bad) + 1 if bad in batch else len(batch)
        done += advanced
        print(f"{done}/{len(calls)} calls, {time.monotonic() - start:.0f}s, {dict(counts)}", flush=True)

    print("\n== soak summary ==")
    print(f"calls: {done}  seconds: {time.monotonic() - start:.0f}")
    print(f"crashes: {counts['crash']}  panics: {counts['panic']}  hangs: {counts['hang']}")
    for kind, n in sorted(counts.items()):
        if kind.startswith("finding:"):
            print(f"{kind}: {n}")
    for kind, exs in examples.items():
        print(f"\n-- {kind} --")
        for e in exs:
            print(e, "\n")
    return 1 if counts["crash"] or counts["hang"] or counts["panic"] else 0


if __name__ == "__main__":
    raise SystemExit(main())

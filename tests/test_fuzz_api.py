"""A bounded bad-input fuzzer over the public API.

Hypothesis draws batches of calls with wrong shapes, dtypes, axes, odd numpy
layouts, huge sizes and tape misuse (``_fuzz_calls.OPS``); each batch runs in
a child interpreter, so a crash or hang fails the test with the call that
caused it as a reproducer instead of taking the suite down. Every call must
return or raise one of TF's exception types; the whole test takes well under
a minute. ``scripts/soak.py`` runs the same calls 10^5 at a time.
"""

from __future__ import annotations

import sys

import _fuzz_calls as fc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.tapegrad_only

BATCHES = 6
CALLS_PER_BATCH = 120


@st.composite
def calls(draw):
    op = draw(st.sampled_from(sorted(fc.OPS)))
    kinds = fc.OPS[op]
    low = len(kinds) if op in fc.FIXED_ARITY else max(1, len(kinds) - 1)
    k = draw(st.integers(min_value=low, max_value=len(kinds)))
    args = [draw(st.sampled_from(pool)) for pool in kinds[:k]]
    return fc.render(op, args)


@settings(max_examples=BATCHES, derandomize=True, deadline=None)
@given(st.lists(calls(), min_size=CALLS_PER_BATCH, max_size=CALLS_PER_BATCH))
def test_bad_inputs_raise_tf_exceptions_and_never_crash(batch):
    findings = fc.run_batch(batch, timeout=120, python=sys.executable)
    assert not findings, "\n\n".join(findings[:10])


def test_runner_reports_a_crash_with_its_reproducer():
    # The harness itself: a child that dies mid-batch names the call that killed it.
    findings = fc.run_batch(
        ["tf.constant(1.0)", "import os; os._exit(3)", "tf.constant(2.0)"], 60, sys.executable
    )
    assert len(findings) == 1 and "os._exit(3)" in findings[0]
    findings = fc.run_batch(["d = {}; d['missing']"], 60, sys.executable)
    assert len(findings) == 1 and "KeyError" in findings[0]

"""``docs/tf-coverage.md`` is what ``scripts/tf_coverage.py`` writes for the current tapegrad."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _script():
    spec = importlib.util.spec_from_file_location("tf_coverage", ROOT / "scripts" / "tf_coverage.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.tapegrad_only
def test_coverage_report_is_current():
    script = _script()
    assert script.REPORT_FILE.read_text() == script.report(), (
        "docs/tf-coverage.md is out of date: run `python scripts/tf_coverage.py`"
    )


@pytest.mark.tapegrad_only
def test_every_tf_name_is_classified_once():
    script = _script()
    import tapegrad

    result = script.compare(tapegrad)
    for path, r in result.items():
        names = r["present"] + r["missing"] + list(r["out"])
        assert len(names) == len(set(names)), path
    # The scope rules keep the in-scope numerics in scope.
    assert script.classify("tf.nn", "sparse_softmax_cross_entropy_with_logits") is None
    assert script.classify("tf.keras.losses", "SparseCategoricalCrossentropy") is None
    assert script.classify("tf", "RaggedTensor")[0] == "ragged"
    assert script.classify("tf", "complex64")[0] == "complex"

#!/usr/bin/env bash
# THE test command: install tapegrad into .venv (building the Rust extension), then run
# every check: rustfmt, clippy, cargo test (with doctests), ruff, stubtest, cargo doc, the docs
# site, the wheel and sdist, pytest.
# Every check runs even if an earlier one fails; a summary comes last, and the exit
# status is non-zero if anything failed. Usage: bash scripts/test.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_setup.sh"

RESULTS=()
FAILED=()

# run_step NAME COMMAND...: run one check, record PASS/FAIL with its duration.
run_step() {
    local name="$1" start=$SECONDS rc=0
    shift
    echo
    echo "=== $name: $*"
    "$@" || rc=$?
    if [ "$rc" -eq 0 ]; then
        RESULTS+=("PASS  $name ($((SECONDS - start)) s)")
    else
        RESULTS+=("FAIL  $name (exit $rc, $((SECONDS - start)) s)")
        FAILED+=("$name")
    fi
    return 0
}

skip_step() {
    RESULTS+=("SKIP  $1 ($2)")
}

# pytest exits 5 when it collected no tests: that is a failure here, there must be tests.
pytest_step() {
    local rc=0
    # -n auto: one worker per core; --timeout: a hang (a deadlock after fork, say) fails its test.
    python -m pytest -q -n auto --timeout=600 "$@" || rc=$?
    if [ "$rc" -eq 5 ]; then
        echo "pytest collected no tests: treating as a failure"
        return 1
    fi
    return "$rc"
}

stubtest_step() {
    local allow=()
    if [ -f .mypy-stubtest-allowlist ]; then
        allow=(--allowlist .mypy-stubtest-allowlist)
    fi
    python -m mypy.stubtest tapegrad._core "${allow[@]}"
}

setup_venv

build_ok=1
run_step "build (maturin develop --release)" build_extension
if [ "${#FAILED[@]}" -gt 0 ]; then build_ok=0; fi

run_step "rustfmt" cargo fmt --all -- --check --color never
run_step "clippy" cargo clippy --workspace --all-targets --locked -- -D warnings
run_step "cargo test" cargo test --workspace --locked
run_step "ruff" ruff check python tests examples
if [ "$build_ok" -eq 1 ] && [ -f python/tapegrad/_core.pyi ]; then
    run_step "stubtest" stubtest_step
else
    skip_step "stubtest" "needs the built extension and python/tapegrad/_core.pyi"
fi
if [ "$build_ok" -eq 1 ]; then
    run_step "mypy --strict examples" python -m mypy --strict examples
else
    skip_step "mypy --strict examples" "needs the installed package"
fi
run_step "cargo doc (-D warnings)" env RUSTDOCFLAGS="-D warnings" cargo doc --no-deps -p tapegrad --locked
run_step "docs site (mkdocs --strict)" bash scripts/docs.sh
# The release wheel relinks the extension (stripped): WHEEL_CHECK=1 runs it.
if [ "$build_ok" -eq 1 ] && [ "${WHEEL_CHECK:-}" = "1" ]; then
    run_step "wheel + sdist (scripts/wheel_check.sh)" bash scripts/wheel_check.sh
else
    skip_step "wheel + sdist" "runs when WHEEL_CHECK=1"
fi
if [ "$build_ok" -eq 1 ]; then
    run_step "pytest" pytest_step
else
    RESULTS+=("FAIL  pytest (not run: the build failed)")
    FAILED+=("pytest")
fi

echo
echo "=== summary"
for line in "${RESULTS[@]}"; do
    echo "  $line"
done
if [ "${#FAILED[@]}" -gt 0 ]; then
    echo "summary: FAILED steps: ${FAILED[*]}"
    exit 1
fi
echo "summary: every step succeeded"

#!/usr/bin/env bash
# Deeper checks of the core's unsafe code and shape arithmetic that need a
# nightly toolchain, so they are not part of scripts/test.sh:
#
#   1. Miri over the core's unit and integration tests that reach every
#      `unsafe` block (buffer views, GEMM call wrappers, the warm-worker
#      pointer hand-off, the allocator cache, the fork handlers' registration).
#      Needs `rustup component add --toolchain nightly miri`.
#   2. A libFuzzer target (fuzz/fuzz_targets/shape_arith.rs) over shape,
#      broadcast, reshape and slicing arithmetic. Needs `cargo install cargo-fuzz`.
#
# Usage: bash scripts/fuzz_and_miri.sh [miri|fuzz|all] [fuzz seconds, default 60]
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-all}"
secs="${2:-60}"

if [[ "$what" == miri || "$what" == all ]]; then
    # Small problem sizes and one thread keep Miri's interpreter to minutes;
    # isolation off so tests may read the clock and the environment.
    MIRIFLAGS="-Zmiri-disable-isolation" TAPEGRAD_NUM_THREADS=1 TAPEGRAD_KEEP_WARM_US=0 \
        cargo +nightly miri test -p tapegrad --lib -- \
        shape:: alloc:: warm:: strided:: transpose:: matmul::tests::small gather::
fi

if [[ "$what" == fuzz || "$what" == all ]]; then
    (cd fuzz && cargo +nightly fuzz run shape_arith -- -max_total_time="$secs")
fi

#!/usr/bin/env bash
# Build the release wheel and the sdist, and check that the wheel works on its own:
#   1. `maturin build --release --strip --auditwheel check` (maturin checks the extension's
#      glibc symbol versions and linked libraries against the manylinux policies and tags the
#      wheel with the oldest one it meets; WHEEL_COMPATIBILITY=manylinux_2_28 makes a newer
#      requirement fail). The tag follows the build machine's glibc: a glibc 2.35 host gives
#      manylinux_2_35; build in the manylinux_2_28 container (or with `--zig`) for 2_28;
#   2. install the wheel into a fresh throwaway venv (no source tree on the path), import it and
#      run the seed notebooks' checks (`python -m tapegrad.demo --seeds-only`);
#   3. `maturin sdist`.
# Usage: bash scripts/wheel_check.sh (after scripts/_setup.sh's setup_venv, or standalone).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_setup.sh"

if ! command -v maturin >/dev/null 2>&1; then
    setup_venv
fi

OUT="$ROOT/target/wheel-check"
rm -rf "$OUT"
mkdir -p "$OUT"

compat=()
if [ -n "${WHEEL_COMPATIBILITY:-}" ]; then
    compat=(--compatibility "$WHEEL_COMPATIBILITY")
fi
echo "--- maturin build --release --strip --auditwheel check ${compat[*]}"
maturin build --release --strip --locked --auditwheel check "${compat[@]}" \
    --interpreter "$(command -v python)" --out "$OUT/wheels"
wheel="$(ls "$OUT"/wheels/tapegrad-*.whl)"
echo "--- wheel: $(basename "$wheel") ($(du -k "$wheel" | cut -f1) KiB)"
case "$(basename "$wheel")" in
    *-abi3-manylinux*) ;;
    *) echo "wheel is not an abi3 manylinux wheel"; exit 1 ;;
esac
python - "$wheel" <<'PY'
import sys
import zipfile

names = zipfile.ZipFile(sys.argv[1]).namelist()
for want in ("tapegrad/_core.abi3.so", "tapegrad/__init__.py", "tapegrad/py.typed"):
    assert want in names, f"{want} missing from the wheel"
assert any(n.endswith("LICENSE") for n in names), "LICENSE missing from the wheel"
so = zipfile.ZipFile(sys.argv[1]).getinfo("tapegrad/_core.abi3.so")
print(f"--- _core.abi3.so: {so.file_size / 2**20:.1f} MiB uncompressed")
PY

echo "--- installing the wheel into a clean venv"
python -m venv "$OUT/venv"
# Its one dependency, numpy, comes from pip's cache (the one .venv was installed from).
"$OUT/venv/bin/python" -m pip install -q "$wheel"
(
    cd "$OUT"  # away from python/, so the import is the installed wheel's
    env -u PYTHONPATH "$OUT/venv/bin/python" - <<'PY'
import tapegrad

assert "wheel-check/venv" in tapegrad.__file__, tapegrad.__file__
print("--- imported", tapegrad.__file__)
PY
    env -u PYTHONPATH "$OUT/venv/bin/python" -m tapegrad.demo --seeds-only
)

echo "--- maturin sdist"
maturin sdist --out "$OUT/sdist"
sdist="$(ls "$OUT"/sdist/tapegrad-*.tar.gz)"
tar -tzf "$sdist" | grep -q '/LICENSE$' || { echo "LICENSE missing from the sdist"; exit 1; }
echo "--- sdist: $(basename "$sdist") ($(du -k "$sdist" | cut -f1) KiB)"

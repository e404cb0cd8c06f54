#!/usr/bin/env bash
# Build the documentation site (mkdocs.yml) with --strict into site/: a broken link, a missing
# page or an unresolved API reference fails. The tools, pinned in docs/requirements.txt, live
# in their own venv .venv-docs (reinstalled when that file changes), apart from .venv.
# Usage: bash scripts/docs.sh [extra mkdocs arguments, e.g. serve]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PIP_DISABLE_PIP_VERSION_CHECK=1 NO_MKDOCS_2_WARNING=1

DOCS_VENV="$ROOT/.venv-docs"
if [ ! -x "$DOCS_VENV/bin/python" ]; then
    "${PYTHON:-python3}" -m venv "$DOCS_VENV"
fi
stamp="$DOCS_VENV/.requirements.sha256"
want="$(sha256sum docs/requirements.txt | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "--- installing docs/requirements.txt into $DOCS_VENV"
    "$DOCS_VENV/bin/python" -m pip install -q -r docs/requirements.txt
    echo "$want" >"$stamp"
fi
if [ "$#" -gt 0 ]; then
    exec "$DOCS_VENV/bin/mkdocs" "$@"
fi
"$DOCS_VENV/bin/mkdocs" build --strict --quiet
echo "--- site built in $ROOT/site"

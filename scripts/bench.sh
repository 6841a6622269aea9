#!/usr/bin/env bash
# Set up everything, then run the benchmarks; results are appended to benchmarks/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export QT_QPA_PLATFORM=offscreen
exec .venv/bin/python -m benchmarks "$@"

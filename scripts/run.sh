#!/usr/bin/env bash
# Set up everything (scripts/setup.sh), then run GridWatch on the bundled sample district.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/gridwatch info sample_data/luquan_sample.gpkg "$@"

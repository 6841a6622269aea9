#!/usr/bin/env bash
# Set up everything (scripts/setup.sh), then run GridWatch on the bundled sample district.
# The first run copies the sample into the user's data folder; the bundled file is never changed.
# Extra arguments go to `gridwatch` (for example: bash scripts/run.sh open other.gpkg).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "run: no display found; starting GridWatch on a virtual screen (Xvfb). Close it with Ctrl+C."
  exec xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/gridwatch "$@"
fi
exec .venv/bin/gridwatch "$@"

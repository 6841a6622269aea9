#!/usr/bin/env bash
# Screenshots of the main window, every dock and every dialog at 1366x768 and 1600x1000, in Chinese
# (or the language given second): bash tools/screenshots.sh OUTDIR [zh_CN|en]
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:?usage: tools/screenshots.sh OUTDIR [zh_CN|en]}"
lang="${2:-zh_CN}"
for size in 1366x768 1600x1000; do
    xvfb-run -a -s "-screen 0 ${size}x24" .venv/bin/python tools/screenshot.py --all "$out" --lang "$lang"
done

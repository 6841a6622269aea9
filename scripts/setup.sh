#!/usr/bin/env bash
# Set up GridWatch on a fresh Debian/Ubuntu machine with Python 3.11+ (--test: also what tests need):
# system packages (Qt runtime libraries, a CJK font, Xvfb), a virtual environment in .venv with
# the exact versions of requirements.lock, and GridWatch itself (editable).
# Safe to run again: every step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

PY="${PYTHON:-python3}"
FOR_TESTS=0
[ "${1:-}" = "--test" ] && FOR_TESTS=1

# --- system packages -------------------------------------------------------------------------
# Qt (PySide6 wheels) needs these shared libraries even when drawing offscreen; the CJK font makes
# Chinese text render on a machine that has none; Xvfb runs the real window in a virtual screen.
SYSTEM_PACKAGES=(
  python3-venv libegl1 libgl1 libopengl0 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libfreetype6
  libdbus-1-3 libglib2.0-0 libx11-xcb1 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
  libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libxrender1 libxi6
  fonts-noto-cjk xvfb xauth
)
# Tests also open written GeoPackages in real QGIS (system Python bindings), render PDF maps (pdftoppm)
# and load HTML maps in headless Chromium (driven by playwright, which uses this browser).
# The PostGIS shared project (gridwatch/sync/pg) is tested against a throwaway PostgreSQL 15 cluster
# with PostGIS and PL/Python (the server runs the domain's own judge).
# Word bulletins (python-docx) are converted to PDF by LibreOffice (headless) and rendered with pdftoppm.
TEST_PACKAGES=(python3-qgis qgis-providers poppler-utils chromium postgresql-15 postgresql-15-postgis-3
               postgresql-plpython3-15 libreoffice-writer)
[ "$FOR_TESTS" = 1 ] && SYSTEM_PACKAGES+=("${TEST_PACKAGES[@]}")
missing=()
for pkg in "${SYSTEM_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else
    echo "setup: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; fi
  echo "setup: installing system packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# PostgreSQL refuses to run as root: the tests' throwaway cluster runs as this unprivileged system user.
if [ "$FOR_TESTS" = 1 ] && [ "$(id -u)" -eq 0 ] && ! getent passwd gridwatch-pg >/dev/null; then
  useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin gridwatch-pg
fi

# --- Python environment ------------------------------------------------------------------------
"$PY" - <<'PYCHECK'
import sys
if sys.version_info < (3, 11):
    sys.exit(f"setup: GridWatch needs Python 3.11 or newer, found {sys.version.split()[0]}")
PYCHECK
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  "$PY" -m venv .venv
fi
stamp=.venv/.gridwatch-installed
want="$(cat requirements.lock requirements-nodeps.txt pyproject.toml | sha256sum | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: installing Python packages (requirements.lock)"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -r requirements.lock
  .venv/bin/python -m pip install -q --no-deps -r requirements-nodeps.txt
  .venv/bin/python -m pip install -q --no-deps -e .
  # pip compiles what it installs; this catches any package installed without its bytecode (pandas, PySide6,
  # numpy: compiling them at the app's first start would add seconds to its first painted map)
  .venv/bin/python -m compileall -q -j 0 .venv/lib >/dev/null 2>&1 || true
  echo "$want" > "$stamp"
fi

# --- bytecode ----------------------------------------------------------------------------------
# Compiled once here, so the app starts from cached bytecode even where PYTHONDONTWRITEBYTECODE is
# set (compiling GridWatch's modules on every start added seconds to the first painted map).
# Quick when nothing changed: only modules newer than their bytecode are compiled.
.venv/bin/python -m compileall -q -j 0 gridwatch >/dev/null

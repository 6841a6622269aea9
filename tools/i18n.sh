#!/usr/bin/env bash
# Refresh translations: core titles -> gridwatch/ui/core_strings.py, lupdate over the UI, fill the
# core titles' Chinese from the specs, compile the .qm. Translate new UI strings in the .ts with
# Qt Linguist (.venv/bin/pyside6-linguist), then run this again.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
$PY tools/gen_ui_strings.py
.venv/bin/pyside6-lupdate $(find gridwatch/ui -name "*.py" | sort) -ts resources/translations/gridwatch_zh_CN.ts -no-obsolete
$PY tools/fill_core_translations.py
.venv/bin/pyside6-lrelease resources/translations/gridwatch_zh_CN.ts -qm resources/translations/gridwatch_zh_CN.qm

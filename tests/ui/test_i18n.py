"""Every visible string goes through Qt's translator and has a Chinese translation."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from ..conftest import ROOT

TS = ROOT / "resources" / "translations" / "gridwatch_zh_CN.ts"
QM = TS.with_suffix(".qm")
BIN = Path(sys.executable).parent


def _messages(ts: Path) -> dict[tuple[str, str], ET.Element]:
    out = {}
    for ctx in ET.parse(ts).getroot().findall("context"):
        for msg in ctx.findall("message"):
            out[(ctx.findtext("name"), msg.findtext("source"))] = msg
    return out


def test_core_strings_module_is_current():
    sys.path.insert(0, str(ROOT / "tools"))
    from gen_ui_strings import render

    assert (ROOT / "gridwatch" / "ui" / "core_strings.py").read_text(encoding="utf-8") == render(), (
        "core titles changed: run bash tools/i18n.sh"
    )


def test_every_ui_string_is_in_the_ts_and_translated(tmp_path):
    fresh = tmp_path / "fresh.ts"
    ui_files = sorted(str(p) for p in (ROOT / "gridwatch" / "ui").rglob("*.py"))
    subprocess.run([str(BIN / "pyside6-lupdate"), *ui_files, "-ts", str(fresh)], check=True, capture_output=True)
    extracted = set(_messages(fresh))
    committed = _messages(TS)
    assert len(extracted) > 100
    missing = extracted - set(committed)
    assert not missing, f"strings not in the .ts (run bash tools/i18n.sh): {sorted(missing)[:10]}"
    unfinished = [k for k in extracted if committed[k].find("translation").get("type") == "unfinished"]
    assert not unfinished, f"untranslated: {unfinished[:10]}"


def test_compiled_qm_matches_the_ts(tmp_path):
    out = tmp_path / "check.qm"
    subprocess.run([str(BIN / "pyside6-lrelease"), str(TS), "-qm", str(out)], check=True, capture_output=True)
    assert out.read_bytes() == QM.read_bytes(), "run bash tools/i18n.sh to recompile the .qm"


def test_language_follows_the_system_locale():
    from gridwatch.ui.i18n import resolve

    assert resolve("system", "zh_CN") == "zh_CN"
    assert resolve("system", "zh_TW") == "zh_CN"
    assert resolve("system", "en_US") == "en"
    assert resolve("en", "zh_CN") == "en"


def test_no_translation_calls_hide_inside_f_strings():
    """lupdate does not look inside f-string expressions: a tr() there is never translated."""
    import re

    pattern = re.compile(r"""\bf(["']).*\{[^}]*\btr\(""")
    hits = [f"{p.name}:{n}" for p in (ROOT / "gridwatch" / "ui").rglob("*.py")
            for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if pattern.search(line)]
    assert not hits, f"tr() inside an f-string (lupdate misses it): {hits}"

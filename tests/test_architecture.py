"""The core never imports Qt: only gridwatch/ui may."""

from __future__ import annotations

import ast
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import gridwatch

QT_MODULES = ("PySide6", "shiboken6", "pyqtgraph", "PyQt5", "PyQt6")
PKG_DIR = Path(gridwatch.__file__).parent


def core_modules() -> list[str]:
    mods = []
    for info in pkgutil.walk_packages([str(PKG_DIR)], prefix="gridwatch."):
        if info.name == "gridwatch.ui" or info.name.startswith("gridwatch.ui."):
            continue
        if info.name == "gridwatch.__main__":
            continue
        mods.append(info.name)
    return mods


def test_core_module_list_is_complete():
    names = core_modules()
    for expected in ("gridwatch.storage.project", "gridwatch.sample.generator", "gridwatch.layers.fire_point",
                     "gridwatch.cli", "gridwatch.tasks", "gridwatch.errors"):
        assert expected in names


def test_importing_every_core_module_loads_no_qt():
    code = (
        "import importlib, json, sys\n"
        f"mods = {core_modules()!r}\n"
        "for m in mods: importlib.import_module(m)\n"
        f"print(json.dumps(sorted(k for k in sys.modules if k.split('.')[0] in {QT_MODULES!r})))\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    loaded = json.loads(res.stdout.strip().splitlines()[-1])
    assert loaded == [], f"core imports pulled in Qt modules: {loaded}"


def test_no_core_source_file_imports_qt():
    offenders = []
    for path in PKG_DIR.rglob("*.py"):
        rel = path.relative_to(PKG_DIR)
        if rel.parts[0] == "ui":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            if any(n.split(".")[0] in QT_MODULES for n in names):
                offenders.append(f"{rel}:{node.lineno}")
    assert offenders == []


def test_no_sql_built_with_fstrings():
    """SQL gets values as placeholders and names through quote_ident, never an f-string."""
    offenders = []
    for path in PKG_DIR.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("execute", "executemany", "executescript") and node.args
                    and isinstance(node.args[0], ast.JoinedStr)):
                offenders.append(f"{path.relative_to(PKG_DIR)}:{node.lineno}")
    assert offenders == []


def _is_sql_text(node: ast.AST) -> bool:
    """A string literal, f-string or concatenation holding one: what SQL is written as."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp):
        return _is_sql_text(node.left) or _is_sql_text(node.right)
    return False


def test_ui_runs_no_sql():
    """Storage is the only code that runs SQL: the UI reads through storage.queries and writes through the core."""
    offenders = []
    for path in (PKG_DIR / "ui").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        rel = path.relative_to(PKG_DIR)
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
                if any(n.split(".")[0] == "sqlite3" or n.endswith("gpkg") for n in names) \
                        or any(a.name in ("connect_readonly", "connect_readwrite") for a in node.names):
                    offenders.append(f"{rel}:{node.lineno}")
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("execute", "executemany", "executescript") and node.args
                    and _is_sql_text(node.args[0])):
                offenders.append(f"{rel}:{node.lineno}")
    assert offenders == []


ROOT = PKG_DIR.parent
#: The contracts of pyproject.toml, each run with this interpreter (the versions of requirements.lock).
CONTRACTS = {
    "import-linter (layers, no Qt in the core, no SQL in the domain)":
        ["-c", "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"],
    "ruff": ["-m", "ruff", "check", "gridwatch", "tests", "tools"],
    "mypy (domain, storage)": ["-m", "mypy", "gridwatch/domain", "gridwatch/storage"],
}


@pytest.mark.parametrize("name", list(CONTRACTS))
def test_contract(name):
    res = subprocess.run([sys.executable, *CONTRACTS[name]], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, f"{name} failed:\n{res.stdout[-6000:]}\n{res.stderr[-3000:]}"

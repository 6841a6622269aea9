"""One vocabulary: every code list and its titles live in gridwatch/domain/vocabulary.py, and every
door (schema CHECK lists, layer specs, CLI, UI, exports, sample) shows the same title for a code."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import gridwatch
from gridwatch.domain import vocabulary as v
from gridwatch.layers import LAYERS
from gridwatch.storage.schema import WORKFLOW_TABLES

PKG = Path(gridwatch.__file__).parent
CJK = re.compile(r"[\u4e00-\u9fff]")
ALL_CODES = {str(code) for table in v.CODE_LISTS.values() for code in table}


def test_every_code_has_one_chinese_and_one_english_title():
    for name, table in v.CODE_LISTS.items():
        assert table, name
        for code, (zh, en) in table.items():
            assert zh and en, (name, code)
            assert CJK.search(zh) or code in ("MODIS", "VIIRS"), (name, code, zh)


def test_the_one_title_for_an_assigned_task():
    assert v.title(v.TASK_STATUS_TITLES, "assigned") == "待检查"
    assert v.title(v.TASK_STATUS_TITLES, "in_progress") == "检查中"


def test_schema_and_layer_choices_are_the_vocabulary_lists():
    choices = {(spec.name, f.name): tuple(f.choices) for spec in (*LAYERS.values(), *WORKFLOW_TABLES.values())
               for f in spec.fields if getattr(f, "choices", None)}
    lists = {tuple(str(c) for c in table) for table in v.CODE_LISTS.values()}
    for where, codes in choices.items():
        assert codes in lists, f"{where} has a code list of its own: {codes}"
    assert choices[("assignment", "status")] == v.ASSIGNMENT_STATUSES
    assert choices[("finding", "status")] == v.FINDING_STATUSES
    assert choices[("fire_point", "status")] == v.FIRE_STATUSES


def _title_tables(tree: ast.AST) -> list[int]:
    """Lines of dict literals mapping vocabulary codes to Chinese text: a second title table."""
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Dict) or len(node.keys) < 2:
            continue
        pairs = [(k.value, val) for k, val in zip(node.keys, node.values)
                 if isinstance(k, ast.Constant) and isinstance(k.value, str)]
        hits = 0
        for key, val in pairs:
            texts = [val] if isinstance(val, ast.Constant) else list(getattr(val, "elts", []))
            if key in ALL_CODES and any(isinstance(t, ast.Constant) and isinstance(t.value, str)
                                        and CJK.search(t.value) for t in texts):
                hits += 1
        if hits >= 2:
            lines.append(node.lineno)
    return lines


def test_no_module_but_the_vocabulary_keeps_titles_of_codes():
    offenders = []
    for path in PKG.rglob("*.py"):
        rel = path.relative_to(PKG)
        # sample/texts.py: what inspectors write in the sample's findings, per category (not titles)
        if rel.as_posix() in ("domain/vocabulary.py", "ui/core_strings.py", "sample/texts.py"):
            continue
        for line in _title_tables(ast.parse(path.read_text(encoding="utf-8"))):
            offenders.append(f"{rel}:{line}")
    assert offenders == []


def test_cli_ui_and_exports_read_the_vocabulary():
    """The modules that show codes to people import their titles from the vocabulary."""
    for rel in ("cli/tasks.py", "ui/tasks/panel.py", "ui/findings/panel.py", "export/tables.py",
                "export/html_layers.py", "analysis/rules.py", "sample/shapes.py", "sample/names.py"):
        source = (PKG / rel).read_text(encoding="utf-8")
        assert "domain.vocabulary" in source or "vocabulary import" in source, rel


def test_the_cli_shows_the_apps_title(sample_copy):
    from gridwatch.storage import Project
    from gridwatch.storage.workflow import Actor, create_assignments

    people = Project.open(sample_copy).read_table("inspector")
    sup = people[people["role"] == "supervisor"].iloc[0]
    cells = Project.open(sample_copy).read_layer("grid_cell")["code"].iloc[:2].tolist()
    create_assignments(sample_copy, Actor(sup["uuid"], sup["name"], "supervisor"), cells, "coal_ban")
    out = subprocess.run([sys.executable, "-m", "gridwatch", "tasks", str(sample_copy), "--open"],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert v.title(v.TASK_STATUS_TITLES, "assigned") in out.stdout
    assert v.title(v.KIND_TITLES, "coal_ban") in out.stdout

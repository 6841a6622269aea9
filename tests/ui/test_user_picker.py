"""Who is working: asked on the first start, people told apart by role, township and phone tail, an
optional PIN kept hashed on the laptop, and the same person chosen again keeps the undo history."""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing

import pytest
from PySide6.QtWidgets import QDialogButtonBox

from gridwatch.storage import Project

from ..conftest import SAMPLE
from .test_main_window import wait_render


@pytest.fixture
def fresh(qtbot, tmp_path, monkeypatch):
    """The app's first start on a project with two people called 张海 (different townships and phones)."""
    monkeypatch.setenv("GRIDWATCH_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("GRIDWATCH_DATA_DIR", str(tmp_path / "data"))
    from gridwatch.ui import i18n
    from gridwatch.ui.app import create_app, create_window

    create_app()
    i18n.install("en")
    path = tmp_path / "district.gpkg"
    shutil.copyfile(SAMPLE, path)
    people = Project.open(path).read_table("inspector")
    first = people[people["name"] == "张海"].iloc[0]
    other = people[(people["role"] == "inspector") & (people["township_code"] != first["township_code"])].iloc[0]
    # The app refuses a second active 张海, but two offices adding one each meet after a sync: as found then.
    with closing(sqlite3.connect(path)) as con, con:
        con.execute("UPDATE inspector SET name = ?, phone = ? WHERE uuid = ?", ("张海", "13900005678", other["uuid"]))
    w = create_window(path)
    qtbot.addWidget(w)
    w.resize(1300, 850)
    w.show()
    qtbot.waitUntil(lambda: w.data is not None, timeout=30_000)
    wait_render(qtbot, w)
    yield w
    w.close()


def rows(picker):
    t = picker.table
    return [[t.item(r, c).text() for c in range(t.columnCount())] for r in range(t.rowCount())]


def test_first_start_asks_who_is_working_with_nobody_preselected(fresh, qtbot):
    w = fresh
    assert w.workflow.actor is None
    picker = w._user_picker
    assert picker.isVisible() and picker.first_start
    ok = picker.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert picker.selected() is None and not ok.isEnabled()  # not the administrator by default
    assert "first" in ok.toolTip().lower() or ok.toolTip()
    # two people called 张海: told apart by township and the phone's last digits
    zhang = [r for r in rows(picker) if r[0] == "张海"]
    assert len(zhang) == 2
    assert zhang[0][2] != zhang[1][2] and "5678" in [r[3] for r in zhang]
    from gridwatch.domain.vocabulary import ROLE_TITLES

    assert {r[1] for r in rows(picker)} >= {ROLE_TITLES[r][1] for r in ("inspector", "supervisor", "admin")}
    # greyed actions say why
    assert not w.act_assign.isEnabled() and "Choose who you are" in w.act_assign.toolTip()
    # pinyin initials find people in the picker too
    picker.filter.setText("zhanghai")
    shown = [r for r in range(picker.table.rowCount()) if not picker.table.isRowHidden(r)]
    assert shown and all(picker.table.item(r, 0).text().startswith("张") for r in shown)
    picker.filter.clear()
    second = next(r for r in range(picker.table.rowCount())
                  if picker.table.item(r, 0).text() == "张海" and picker.table.item(r, 3).text() == "5678")
    picker.table.selectRow(second)
    assert ok.isEnabled()
    with qtbot.waitSignal(w.workflow.userChanged, timeout=5000):
        ok.click()
    people = w.workflow.people
    chosen = people[(people["name"] == "张海") & people["phone"].astype(str).str.endswith("5678")].iloc[0]
    assert w.workflow.actor.uuid == chosen["uuid"]  # the second 张海, not the first of that name
    assert w.settings.value("user_uuid") == chosen["uuid"]
    assert "张海" in w.user_label.text()


def test_a_pin_guards_a_person_and_is_stored_hashed(fresh, qtbot):
    w = fresh
    picker = w._user_picker
    sup = w.workflow.people[w.workflow.people["role"] == "supervisor"].iloc[0]
    picker.select_uuid(sup["uuid"])
    picker.set_pin.setChecked(True)
    picker.new_pin.setText("12")
    assert not picker.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()  # 4 to 8 digits
    picker.new_pin.setText("2468")
    picker.accept()
    assert w.workflow.actor.uuid == sup["uuid"]
    stored = str(w.settings.value(f"pins/{sup['uuid']}"))
    assert stored.startswith("pbkdf2_sha256$") and "2468" not in stored
    # later: the PIN is asked for that person
    w.choose_user()
    picker = w._user_picker
    assert picker.selected()["uuid"] == sup["uuid"]  # the current user is preselected after the first start
    admin = w.workflow.people[w.workflow.people["role"] == "admin"].iloc[0]
    assert picker.choose(admin["uuid"])  # people without a PIN are chosen as before
    w.choose_user()
    picker = w._user_picker
    assert not picker.choose(sup["uuid"], pin="1111")
    assert picker.isVisible() and "Wrong PIN" in picker.error.text()
    assert w.workflow.actor.uuid == admin["uuid"]
    assert picker.choose(sup["uuid"], pin="2468")
    assert w.workflow.actor.uuid == sup["uuid"]


def test_choosing_the_same_user_again_keeps_the_undo_history(fresh, qtbot):
    from gridwatch.storage.workflow import create_assignments

    w = fresh
    sup = w.workflow.people[w.workflow.people["role"] == "supervisor"].iloc[0]
    assert w._user_picker.choose(sup["uuid"])
    code = str(w.data.layers["grid_cell"].frame["code"].iloc[3])
    with qtbot.waitSignal(w.workflow.changed, timeout=10_000):
        w.workflow.run(create_assignments, [code], "patrol")
    assert w.workflow.undo_stack.count() == 1
    w.choose_user()
    assert w._user_picker.choose(sup["uuid"])
    assert w.workflow.undo_stack.count() == 1 and w.act_undo.isEnabled()
    other = w.workflow.people[w.workflow.people["role"] == "admin"].iloc[0]
    w.choose_user()
    assert w._user_picker.choose(other["uuid"])
    assert w.workflow.undo_stack.count() == 0  # another person: their own history


def test_the_assign_dialog_tells_two_people_of_one_name_apart(fresh, qtbot):
    w = fresh
    sup = w.workflow.people[w.workflow.people["role"] == "supervisor"].iloc[0]
    w._user_picker.choose(str(sup["uuid"]))
    w.set_selection(w.data.layers["grid_cell"].frame.index[:2].to_numpy())
    w.assign_selected_cells()
    combo = w._assign_dialog.assignee_combo
    texts = [combo.itemText(i) for i in range(1, combo.count())]
    zhang = [t for t in texts if t.startswith("张海 ")]
    assert len(zhang) == 2 and len(set(zhang)) == 2, zhang  # township and phone tail differ
    assert any("phone ends in 5678" in t for t in zhang)
    others = [t for t in texts if not t.startswith("张海 ")]
    from gridwatch.domain.vocabulary import ROLE_TITLES

    assert others and not any("phone ends in" in t for t in others)  # unique names stay short
    assert any(f"({ROLE_TITLES['inspector'][1]}, " in t for t in others)  # with role and township
    w._assign_dialog.close()


def test_thousands_of_people_filter_as_each_text_is_matched(qapp, tmp_path, realdata):
    """A city's list (thousands of people, real township names): the filter shows exactly the people one of
    whose texts the query finds, whatever was typed before, and choosing a person picks that person."""
    import numpy as np
    import pandas as pd
    from PySide6.QtCore import QSettings

    from gridwatch.mapview.search import pinyin_keys
    from gridwatch.ui.data.user_picker import UserPicker

    def finds(text: str, query: str) -> bool:  # the rule, restated: a part of the text or of its pinyin
        q = query.strip().lower()
        if q in text.lower():
            return True
        if not (q.isascii() and q.replace(" ", "").isalnum() and any(c.isalpha() for c in q)):
            return False
        initials, full = pinyin_keys(text)
        q = q.replace(" ", "")
        return q in initials or full.startswith(q) or (len(q) >= 4 and q in full)

    towns = pd.read_csv(realdata / "china" / "streets_township_names_2023.csv", dtype=str).head(300)
    rng = np.random.default_rng(7)
    surnames, given = list("张王李赵刘陈杨黄吴周徐孙马朱胡郭何高林罗"), list("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰")
    n = 3000
    people = pd.DataFrame({
        "uuid": [f"p{i:05d}" for i in range(n)],
        "name": ["".join(rng.choice(surnames, 1)) + "".join(rng.choice(given, rng.integers(1, 3))) for _ in range(n)],
        "role": rng.choice(["inspector", "supervisor", "admin"], n, p=[0.9, 0.08, 0.02]),
        "township_code": rng.choice(towns["code"].to_numpy(), n),
        "phone": [f"13{rng.integers(0, 10**9):09d}" for _ in range(n)],
        "active": 1,
    })
    picker = UserPicker(people, dict(zip(towns["code"], towns["name"])),
                        QSettings(str(tmp_path / "pins.ini"), QSettings.Format.IniFormat), first_start=True)
    table = picker.table
    texts = [[table.item(r, c).text() for c in range(4)] for r in range(table.rowCount())]
    assert len(texts) == n and all(row[2] for row in texts)  # every township named
    for query in ["zh", "张", "街道", "jd", "zhangwei", "13", "5", "supervisor", "", "z w", "xyzq"]:
        picker.filter.setText(query)
        shown = [r for r in range(n) if not table.isRowHidden(r)]
        expected = [r for r, row in enumerate(texts) if not query or any(w and finds(w, query) for w in row)]
        assert shown == expected, query
        if query in ("", "zh"):
            assert len(shown) > 10
    picker.filter.setText("")
    last = picker.people.iloc[-1]
    assert picker.select_uuid(str(last["uuid"])) and picker.selected()["uuid"] == last["uuid"]
    assert not picker.select_uuid("nobody")

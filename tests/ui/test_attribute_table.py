"""The attribute table dock, driven offscreen like a user: header clicks, typing, row clicks.

The sample district's grid cells are the main subject; a synthetic million-row frame shows that
building, sorting and filtering stay vectorised.
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import QLocale, QPoint, Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QCheckBox, QLabel, QLineEdit, QTableView

from gridwatch.layers import LAYERS
from gridwatch.storage import Project
from gridwatch.ui.data.attribute_table import AttributeTableDock
from gridwatch.ui.data.frame_model import FrameTableModel

GRID = LAYERS["grid_cell"]


@pytest.fixture(scope="module")
def layers(sample_path):
    """Every layer of the committed sample, read once for the module."""
    return Project.open(sample_path).read_all_layers()


@pytest.fixture(scope="module")
def cells(layers) -> pd.DataFrame:
    return layers["grid_cell"]


def zh(name: str) -> str:
    return GRID.field(name).title_zh


@pytest.fixture
def dock(qtbot, cells) -> AttributeTableDock:
    dock = AttributeTableDock()
    qtbot.addWidget(dock)
    dock.set_layer("grid_cell", cells, header_for=zh, title=GRID.title_zh)
    dock.resize(1100, 650)
    dock.show()
    qtbot.waitExposed(dock)
    return dock


# -- helpers that act and look like a user -------------------------------------------------------

def view_of(dock) -> QTableView:
    return dock.findChild(QTableView, "attributeView")


def filter_box(dock) -> QLineEdit:
    return dock.findChild(QLineEdit, "attributeFilter")


def count_text(dock) -> str:
    return dock.findChild(QLabel, "attributeCount").text()


def column_of(view: QTableView, field: str) -> int:
    """Column showing ``field``, found through the header tooltip (the raw field name)."""
    model = view.model()
    for c in range(model.columnCount()):
        if model.headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole) == field:
            return c
    raise AssertionError(f"no column for {field}")


def shown(view: QTableView, field: str, limit: int | None = None) -> list[str]:
    """Texts the table shows in ``field``'s column, top to bottom."""
    model, c = view.model(), column_of(view, field)
    n = model.rowCount() if limit is None else min(limit, model.rowCount())
    return [model.data(model.index(r, c)) for r in range(n)]


def click_header(qtbot, view: QTableView, column: int) -> None:
    header = view.horizontalHeader()
    view.scrollTo(view.model().index(0, column))
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))


def click_row(qtbot, view: QTableView, row: int,
              modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    index = view.model().index(row, 1)
    view.scrollTo(index)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, modifier, view.visualRect(index).center())


def type_chinese(widget: QLineEdit, text: str) -> None:
    """Type ``text`` as a Chinese input method does: one committed string.

    QTest.keyClicks (and so qtbot.keyClicks) only maps ASCII characters to keys and aborts on
    others, while real users enter Chinese through an input method's commit.
    """
    widget.setFocus()
    event = QInputMethodEvent("", [])
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def selected_rows(view: QTableView) -> list[int]:
    return sorted(i.row() for i in view.selectionModel().selectedRows())


def n(value: int) -> str:
    return QLocale().toString(value)


# -- the sample's grid cells ---------------------------------------------------------------------

def test_shows_every_cell_with_chinese_headings_and_no_geometry(dock, cells):
    view = view_of(dock)
    model = view.model()
    assert model.rowCount() == 2400 == len(cells)
    assert count_text(dock) == f"{n(2400)} feature(s)"
    assert dock.windowTitle() == "Attribute table — 网格"
    assert filter_box(dock).placeholderText() == "Filter…"

    headings = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert "网格名称" in headings
    assert headings == [f.title_zh for f in GRID.fields if f.name != "uuid"]  # ids only when asked
    ids = dock.findChild(QCheckBox, "attributeShowIds")
    ids.setChecked(True)
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())] == \
        [f.title_zh for f in GRID.fields]
    ids.setChecked(False)
    assert model.headerData(0, Qt.Orientation.Horizontal) != "唯一标识"
    assert "geometry" not in [model.headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
                              for c in range(model.columnCount())]
    assert model.headerData(0, Qt.Orientation.Vertical) == "1"
    assert model.headerData(2399, Qt.Orientation.Vertical) == "2400"
    assert shown(view, "name", 3) == cells["name"].head(3).tolist()
    assert dock.model.uuid_at(0) == cells["uuid"].iloc[0]
    # Rows are one line high and whole rows get selected.
    assert not view.wordWrap()
    assert view.selectionBehavior() == QTableView.SelectionBehavior.SelectRows
    assert view.selectionMode() == QTableView.SelectionMode.ExtendedSelection


def test_clicking_the_code_heading_sorts_ascending_then_descending(qtbot, dock, cells):
    view = view_of(dock)
    col = column_of(view, "code")
    header = view.horizontalHeader()
    expected = {
        Qt.SortOrder.AscendingOrder: cells.sort_values("code", kind="stable"),
        Qt.SortOrder.DescendingOrder: cells.sort_values("code", ascending=False, kind="stable"),
    }
    seen = []
    for _ in range(2):
        click_header(qtbot, view, col)
        order = header.sortIndicatorOrder()
        assert header.sortIndicatorSection() == col
        want = expected[order]
        assert shown(view, "code", 5) == want["code"].head(5).tolist()
        assert shown(view, "name", 5) == want["name"].head(5).tolist()
        assert shown(view, "code")[-1] == want["code"].iloc[-1]
        assert view.model().headerData(0, Qt.Orientation.Vertical) == "1"
        seen.append(order)
    assert set(seen) == {Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder}

    click_header(qtbot, view, col)  # third click: back to the order of the file
    assert [dock.model.uuid_at(r) for r in range(5)] == cells["uuid"].head(5).tolist()


def test_typing_a_village_name_filters_and_counts(qtbot, dock, cells):
    village = re.sub(r"\d+号网格$", "", cells["name"].iloc[700])
    needle = village[:3]
    assert needle and re.fullmatch(r"[\u4e00-\u9fff]+", needle), needle
    text = cells.drop(columns="geometry").astype(str)
    oracle = cells[text.apply(lambda c: c.str.contains(needle, regex=False)).any(axis=1)]
    assert 0 < len(oracle) < len(cells)

    type_chinese(filter_box(dock), needle)
    view = view_of(dock)
    assert view.model().rowCount() == len(oracle)
    assert count_text(dock) == f"{n(len(oracle))} of {n(2400)} features"
    names = shown(view, "name")
    assert all(needle in name for name in names)
    assert sorted(dock.model.uuid_at(r) for r in range(view.model().rowCount())) == sorted(oracle["uuid"])

    # The whole village name plus a typed cell number narrows to that village's cells 1, 10-19...
    filter_box(dock).clear()
    type_chinese(filter_box(dock), village)
    qtbot.keyClicks(filter_box(dock), "1")
    assert filter_box(dock).text() == village + "1"
    names = shown(view, "name")
    assert names and all(name.startswith(village + "1") for name in names)
    filter_box(dock).clear()
    assert view.model().rowCount() == 2400
    assert count_text(dock) == f"{n(2400)} feature(s)"


def test_filter_keeps_the_sort_order(qtbot, dock, cells):
    view = view_of(dock)
    click_header(qtbot, view, column_of(view, "code"))
    order = view.horizontalHeader().sortIndicatorOrder()
    qtbot.keyClicks(filter_box(dock), "special")
    special = cells[cells["level"] == "special"].sort_values(
        "code", ascending=order == Qt.SortOrder.AscendingOrder, kind="stable")
    assert len(special) > 1
    assert shown(view, "code") == special["code"].tolist()


def test_clicking_rows_reports_their_uuids(qtbot, dock, cells):
    view = view_of(dock)
    with qtbot.waitSignal(dock.selectionChangedByUser, timeout=2000) as blocker:
        click_row(qtbot, view, 2)
    assert blocker.args == ["grid_cell", [cells["uuid"].iloc[2]]]

    with qtbot.waitSignal(dock.selectionChangedByUser, timeout=2000) as blocker:
        click_row(qtbot, view, 5, Qt.KeyboardModifier.ControlModifier)
    assert blocker.args == ["grid_cell", cells["uuid"].iloc[[2, 5]].tolist()]
    assert selected_rows(view) == [2, 5]

    # After sorting, the top row is the feature pandas puts first.
    click_header(qtbot, view, column_of(view, "name"))
    ascending = view.horizontalHeader().sortIndicatorOrder() == Qt.SortOrder.AscendingOrder
    first = cells.sort_values("name", ascending=ascending, kind="stable")["uuid"].iloc[0]
    with qtbot.waitSignal(dock.selectionChangedByUser, timeout=2000) as blocker:
        click_row(qtbot, view, 0)
    assert blocker.args == ["grid_cell", [first]]


def test_select_uuids_selects_rows_quietly_and_survives_sorting(qtbot, dock, cells):
    view = view_of(dock)
    picks = [10, 11, 12, 1500]
    uuids = cells["uuid"].iloc[picks].tolist()
    with qtbot.assertNotEmitted(dock.selectionChangedByUser):
        dock.select_uuids("grid_cell", uuids)
        dock.select_uuids("village", [cells["uuid"].iloc[0]])  # another layer: ignored
    assert selected_rows(view) == picks
    assert view.viewport().rect().intersects(view.visualRect(view.model().index(10, 0)))

    with qtbot.assertNotEmitted(dock.selectionChangedByUser):
        click_header(qtbot, view, column_of(view, "name"))
    assert sorted(dock.selected_uuids()) == sorted(uuids)
    assert len(selected_rows(view)) == 4

    with qtbot.assertNotEmitted(dock.selectionChangedByUser):
        dock.select_uuids("grid_cell", [])
    assert selected_rows(view) == []


def test_filter_keeps_the_selection_of_rows_still_shown(qtbot, dock, cells):
    view = view_of(dock)
    village_codes = cells["village_code"].drop_duplicates().iloc[[3, 40]].tolist()
    chosen = cells[cells["village_code"].isin(village_codes)].groupby("village_code").head(2)
    with qtbot.assertNotEmitted(dock.selectionChangedByUser):
        dock.select_uuids("grid_cell", chosen["uuid"].tolist())
        qtbot.keyClicks(filter_box(dock), village_codes[0])
    kept = chosen.loc[chosen["village_code"] == village_codes[0], "uuid"]
    assert 0 < len(kept) < len(chosen)
    assert sorted(dock.selected_uuids()) == sorted(kept)
    assert all(code == village_codes[0] for code in shown(view, "village_code"))

    with qtbot.assertNotEmitted(dock.selectionChangedByUser):
        filter_box(dock).clear()
    assert sorted(dock.selected_uuids()) == sorted(chosen["uuid"])


def test_language_change_relabels_headings(dock, cells):
    language = {"current": "zh"}

    def heading(name: str) -> str:
        f = GRID.field(name)
        return f.title_zh if language["current"] == "zh" else f.title_en

    dock.set_layer("grid_cell", cells, header_for=heading, title="Grid cells")
    model = view_of(dock).model()
    assert "网格名称" in [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    language["current"] = "en"
    dock.retranslate()
    assert "Name" in [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert dock.windowTitle() == "Attribute table — Grid cells"


def test_reloading_the_layer_keeps_filter_sort_and_selection(qtbot, dock, cells):
    view = view_of(dock)
    click_header(qtbot, view, column_of(view, "code"))
    qtbot.keyClicks(filter_box(dock), "special")
    special = cells[cells["level"] == "special"]
    dock.select_uuids("grid_cell", special["uuid"].iloc[:2].tolist())
    before = shown(view, "code")
    dock.set_layer("grid_cell", cells.copy(), header_for=zh, title=GRID.title_zh)
    assert filter_box(dock).text() == "special"
    assert shown(view, "code") == before
    assert sorted(dock.selected_uuids()) == sorted(special["uuid"].iloc[:2])
    dock.set_layer("village", pd.DataFrame({"uuid": ["v1"], "name": ["x"]}))  # another layer starts fresh
    assert filter_box(dock).text() == "" and view.model().rowCount() == 1 and dock.selected_uuids() == []


# -- cell texts ----------------------------------------------------------------------------------

def test_cells_read_naturally(qtbot):
    frame = pd.DataFrame({
        "uuid": ["a", "b", "c"],
        "name": ["Alpha", None, "gamma"],
        "area": [1500.0, 0.125, np.nan],
        "count": np.array([3, -7, 12], dtype="int64"),
        "ok": [True, False, True],
        "when": pd.to_datetime(["2025-03-03 02:05:11.250", None, "2024-12-31 23:59:59"], utc=True,
                               format="ISO8601"),
        "day": [dt.date(2024, 3, 19), None, dt.date(2026, 1, 2)],
    })
    model = FrameTableModel(frame)
    view = QTableView()  # the cells as a view paints them
    qtbot.addWidget(view)
    view.setModel(model)

    def row(r: int) -> list[str]:
        return [model.data(model.index(r, c)) for c in range(model.columnCount())]

    assert row(0) == ["a", "Alpha", "1500", "3", "✓", "2025-03-03 02:05:11", "2024-03-19"]
    assert row(1) == ["b", "", "0.125", "-7", "", "", ""]
    assert row(2) == ["c", "gamma", "", "12", "✓", "2024-12-31 23:59:59", "2026-01-02"]
    right = int(Qt.AlignmentFlag.AlignRight)
    assert model.data(model.index(0, 2), Qt.ItemDataRole.TextAlignmentRole) & right
    assert model.data(model.index(0, 3), Qt.ItemDataRole.TextAlignmentRole) & right
    assert not (model.data(model.index(0, 1), Qt.ItemDataRole.TextAlignmentRole) or 0) & right

    model.sort(2, Qt.SortOrder.DescendingOrder)  # missing values last either way
    assert [model.data(model.index(r, 2)) for r in range(3)] == ["1500", "0.125", ""]
    model.sort(5, Qt.SortOrder.AscendingOrder)
    assert [model.data(model.index(r, 0)) for r in range(3)] == ["c", "a", "b"]
    model.set_filter("GAM")  # case-insensitive
    assert [model.data(model.index(r, 0)) for r in range(model.rowCount())] == ["c"]
    model.set_filter("-7")  # numbers match as typed
    assert model.rowCount() == 1 and model.uuid_at(0) == "b"
    model.set_filter("2024-")  # datetimes and dates as their text
    assert sorted(model.uuid_at(r) for r in range(model.rowCount())) == ["a", "c"]
    assert model.view_row_of_position(1) == -1


# -- a million rows ------------------------------------------------------------------------------

def test_a_million_rows_build_sort_filter_and_select(qtbot):
    rows = 1_000_000
    rng = np.random.default_rng(7)
    villages = np.array(["东风村", "西柏坡村", "Wangjiazhuang", "上庄社区", "北新城"])
    value = rng.normal(100.0, 30.0, rows)
    value[rng.random(rows) < 0.01] = np.nan
    frame = pd.DataFrame({
        "uuid": "p-" + pd.Series(np.arange(rows)).astype("str"),
        "village": pd.Series(pd.Categorical.from_codes(rng.integers(0, len(villages), rows),
                                                       villages)).astype("str"),
        "value": value,
        "detected": pd.to_datetime(rng.integers(1_700_000_000, 1_760_000_000, rows), unit="s", utc=True),
    })
    dock = AttributeTableDock()
    qtbot.addWidget(dock)
    dock.set_layer("fire_point", frame)
    dock.resize(900, 500)
    dock.show()
    qtbot.waitExposed(dock)
    view = view_of(dock)
    assert view.model().rowCount() == rows
    assert count_text(dock) == f"{n(rows)} feature(s)"

    view.sortByColumn(column_of(view, "value"), Qt.SortOrder.DescendingOrder)  # what a header click does
    model = dock.model
    value_col = column_of(view, "value")
    assert float(model.data(model.index(0, value_col))) == pytest.approx(np.nanmax(value), abs=1e-6)
    assert model.position_of_row(0) == int(np.nanargmax(value))
    assert model.data(model.index(rows - 1, value_col)) == ""  # NaN last

    box = filter_box(dock)
    type_chinese(box, "西柏坡")
    qtbot.keyClick(box, Qt.Key.Key_Return)  # big tables filter on Enter or after a pause, on a worker
    hits = int((frame["village"] == "西柏坡村").sum())
    qtbot.waitUntil(lambda: not dock.filtering and model.rowCount() == hits, timeout=10_000)
    assert count_text(dock) == f"{n(hits)} of {n(rows)} features"
    assert model.position_of_row(0) == int(np.nanargmax(np.where(frame["village"] == "西柏坡村", value, np.nan)))

    picks = [model.uuid_at(0), model.uuid_at(1), model.uuid_at(5000)]
    with qtbot.assertNotEmitted(dock.selectionChangedByUser):
        dock.select_uuids("fire_point", picks)
    assert selected_rows(view) == [0, 1, 5000]

    box.clear()  # without Enter, a big table filters after a pause in typing
    qtbot.waitUntil(lambda: model.rowCount() == rows, timeout=3000)
    assert sorted(dock.selected_uuids()) == sorted(picks)

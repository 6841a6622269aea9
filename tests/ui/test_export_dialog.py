"""The export dialog (File > Export for briefing…) driven as a user drives it: choose a kind, set
options, point the output into tmp_path, click Export and read the written file back (PNG size and
metadata, PDF pages with pdfinfo, XLSX sheets with openpyxl, the HTML text).  Projects: a copy of the
sample district and the hand-computed district of test_stats (3 townships, 8 findings)."""

from __future__ import annotations

import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

import openpyxl
import pytest
from PIL import Image
from PySide6.QtCore import QDate, QSettings, Qt
from PySide6.QtGui import QImage

from gridwatch.app.periods import Period
from gridwatch.storage import Project
from gridwatch.ui import i18n
from gridwatch.ui.data.export_dialog import FOLDER_KEY, PREVIEW_DPI, ExportDialog, workers_running

from ..test_stats import NOW, write_district

WAIT = 60_000
RED = "#c62828"


@pytest.fixture
def english(qapp):
    before = i18n.current()
    i18n.install("en")
    yield
    i18n.install(before)


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def district(tmp_path):
    return write_district(tmp_path / "district.gpkg")


@pytest.fixture
def out_dir(tmp_path):
    d = tmp_path / "out"
    d.mkdir()
    return d


@pytest.fixture
def make_dialog(qtbot, settings, english):
    made = []

    def make(path, kind, now=None):
        dlg = ExportDialog(path, settings)
        qtbot.addWidget(dlg)
        made.append(dlg)
        dlg.now = now
        dlg.show()
        dlg.set_kind(kind)
        dlg.refresh_preview()  # with ``now`` set
        wait_preview(qtbot, dlg)
        return dlg

    yield make
    for dlg in made:
        dlg.close()
    qtbot.waitUntil(lambda: not workers_running(), timeout=WAIT)


def wait_preview(qtbot, dlg):
    qtbot.waitUntil(lambda: not dlg.preview_busy, timeout=WAIT)


def export(qtbot, dlg, out: Path):
    dlg.out_edit.setText(str(out))
    with qtbot.waitSignal(dlg.exportFinished, timeout=WAIT) as blocker:
        qtbot.mouseClick(dlg.export_button, Qt.MouseButton.LeftButton)
    return blocker.args[0]


def choose(combo, data):
    i = combo.findData(data)
    assert i >= 0, data
    combo.setCurrentIndex(i)


def check_only(lst, keys):
    for i in range(lst.count()):
        item = lst.item(i)
        item.setCheckState(Qt.CheckState.Checked if item.data(Qt.ItemDataRole.UserRole) in keys
                           else Qt.CheckState.Unchecked)


def table_column(dlg, title):
    t = dlg.preview_table
    headers = [t.horizontalHeaderItem(j).text() for j in range(t.columnCount())]
    j = headers.index(title)
    return [t.item(i, j).text() for i in range(t.rowCount())]


def sheet_rows(path, name):
    rows = list(openpyxl.load_workbook(path)[name].iter_rows(values_only=True))
    return list(rows[0]), [dict(zip(rows[0], r)) for r in rows[1:]]


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".") or p.suffix == ".tmp")


def status_count(path, statuses):
    marks = ",".join("?" * len(statuses))
    with closing(sqlite3.connect(path)) as con:
        return con.execute(f"SELECT count(*) FROM finding WHERE status IN ({marks})", list(statuses)).fetchone()[0]


# --------------------------------------------------------------------------------------------


def test_map_preview_follows_the_township_and_png_is_a4_at_the_chosen_dpi(qtbot, make_dialog, sample_copy, out_dir):
    dlg = make_dialog(sample_copy, "map")
    district_image = dlg.preview_image.image().toImage()
    assert not district_image.isNull()
    # page 1 of an A4 portrait page at the preview resolution (210 x 297 mm)
    assert abs(district_image.width() - 210 / 25.4 * PREVIEW_DPI) <= 2
    assert abs(district_image.height() - 297 / 25.4 * PREVIEW_DPI) <= 2
    assert dlg.preview_image.pixmap() is not None and not dlg.preview_image.pixmap().isNull()  # shown, scaled

    with qtbot.waitSignal(dlg.previewUpdated, timeout=WAIT):
        choose(dlg.map_extent, "130110100")  # 获鹿镇
    town_image = dlg.preview_image.image().toImage()
    assert not town_image.isNull() and town_image.size() == district_image.size()
    assert town_image != district_image

    choose(dlg.format, ".png")
    choose(dlg.dpi, 150)
    choose(dlg.paper, "A4")
    choose(dlg.orientation, "portrait")
    wait_preview(qtbot, dlg)
    assert dlg.out_edit.text().endswith(".png")  # the suffix follows the format
    assert not dlg.atlas.isEnabled()  # an atlas is PDF only
    assert "1240 × 1754" in dlg.preview_info.text()
    out = out_dir / "获鹿镇.png"
    assert export(qtbot, dlg, out) == out
    with Image.open(out) as im:
        assert im.size == (1240, 1754)  # A4 at 150 dpi
        assert "获鹿镇" in im.info["Title"]
    assert str(out) in dlg.status.text() and dlg.open_folder.isVisible()
    assert RED not in dlg.status.styleSheet()
    assert leftovers(out_dir) == []
    assert dlg.settings.value(FOLDER_KEY) == str(out_dir)


def test_atlas_pdf_has_an_overview_and_a_page_per_township(qtbot, make_dialog, district, out_dir):
    dlg = make_dialog(district, "map", now=NOW)
    choose(dlg.format, ".pdf")
    assert dlg.atlas.isEnabled()
    dlg.atlas.setChecked(True)
    assert not dlg.map_extent.isEnabled()
    choose(dlg.paper, "A3")
    choose(dlg.orientation, "landscape")
    out = out_dir / "图集.pdf"
    assert export(qtbot, dlg, out) == out
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
    assert "Pages:           4" in info  # overview + 3 townships
    size = next(line for line in info.splitlines() if line.startswith("Page size"))
    w, h = (float(v) for v in size.split(":")[1].split("pts")[0].split("x"))
    assert abs(w - 420 / 25.4 * 72) < 1 and abs(h - 297 / 25.4 * 72) < 1  # A3 landscape
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    for town in ("一镇", "二镇", "三镇"):
        assert town in text


def test_cancel_mid_atlas_leaves_the_existing_file_byte_identical(qtbot, make_dialog, sample_copy, out_dir):
    dlg = make_dialog(sample_copy, "map")
    choose(dlg.format, ".pdf")
    dlg.atlas.setChecked(True)
    out = out_dir / "atlas.pdf"
    old = b"%PDF-1.4 an older atlas the office printed last week\n"
    out.write_bytes(old)
    dlg.out_edit.setText(str(out))
    qtbot.mouseClick(dlg.export_button, Qt.MouseButton.LeftButton)
    assert dlg.exporting and dlg.cancel_button.isVisible() and not dlg.export_button.isEnabled()
    # pages are being drawn (13 townships): the GUI keeps running and shows the progress
    qtbot.waitUntil(lambda: dlg.progress.value() >= 300, timeout=WAIT)
    assert dlg.exporting
    assert [p.name for p in out_dir.iterdir() if p.suffix == ".tmp"]  # the temp file beside the target
    with qtbot.waitSignal(dlg.exportFinished, timeout=WAIT) as blocker:
        qtbot.mouseClick(dlg.cancel_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [None]
    assert out.read_bytes() == old
    assert leftovers(out_dir) == []
    assert "cancelled" in dlg.status.text() and "atlas.pdf" in dlg.status.text()
    assert dlg.export_button.isEnabled() and not dlg.progress.isVisible()


def test_html_map_holds_the_chosen_layers_of_one_township(qtbot, make_dialog, sample_copy, out_dir):
    dlg = make_dialog(sample_copy, "html")
    with qtbot.waitSignal(dlg.previewUpdated, timeout=WAIT):
        choose(dlg.html_township, "130110100")
        check_only(dlg.html_layers, {"grid_cell", "township", "mine"})
        dlg.html_fires.setChecked(True)
        dlg.period_control.set_period(Period("30d"))  # the fire points of the period
    wait_preview(qtbot, dlg)
    cells = Project.open(sample_copy).read_layer("grid_cell")
    town_cells = int((cells["township_code"] == "130110100").sum())
    layers = dict(zip(table_column(dlg, "Layer"), table_column(dlg, "Features")))
    assert layers["网格"] == str(town_cells)
    assert layers["乡镇/街道"] == "1"
    assert set(layers) == {"网格", "乡镇/街道", "露天矿山", "火点（近30天）"}
    assert "MB" in dlg.preview_info.text() or "KB" in dlg.preview_info.text()

    out = out_dir / "web.html"
    assert export(qtbot, dlg, out) == out
    html = out.read_text(encoding="utf-8")
    for title in ("网格", "乡镇/街道", "露天矿山", "火点（近30天）", "获鹿镇"):
        assert title in html
    assert '"key":"construction_site"' not in html and '"key":"mine"' in html
    assert leftovers(out_dir) == []


def test_ledger_open_findings_of_the_district_to_xlsx_and_csv(qtbot, make_dialog, district, out_dir):
    dlg = make_dialog(district, "ledger", now=NOW)
    dlg.period_control.set_period(Period("all"))
    wait_preview(qtbot, dlg)
    assert dlg.preview_table.rowCount() == 8  # every finding
    with qtbot.waitSignal(dlg.previewUpdated, timeout=WAIT):
        qtbot.mouseClick(dlg.status_open, Qt.MouseButton.LeftButton)
    wait_preview(qtbot, dlg)
    open_count = status_count(district, ("found", "assigned", "rectified"))
    assert open_count == 5
    assert dlg.preview_table.rowCount() == open_count
    assert set(table_column(dlg, "状态")) == {"发现", "已交办", "已整改"}
    assert "Sheet 整改台账: 5 rows." in dlg.preview_info.text()

    out = out_dir / "台账.xlsx"
    assert export(qtbot, dlg, out) == out
    assert openpyxl.load_workbook(out).sheetnames == ["整改台账", "分类统计", "说明"]
    _, notes = sheet_rows(out, "说明")
    assert notes[0] == {"项目": "时段", "内容": "全部"}
    header, rows = sheet_rows(out, "整改台账")
    assert {"序号", "状态", "整改期限", "是否超期"} <= set(header)
    assert len(rows) == 5 and {r["状态"] for r in rows} == {"发现", "已交办", "已整改"}

    choose(dlg.format, ".csv")
    assert dlg.out_edit.text().endswith("台账.csv")
    wait_preview(qtbot, dlg)
    assert "CSV" in dlg.preview_info.text()
    out_csv = export(qtbot, dlg, Path(dlg.out_edit.text()))
    lines = out_csv.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("序号,") and len(lines) == 1 + 5


def test_coverage_table_with_chosen_periods(qtbot, make_dialog, sample_copy, out_dir):
    dlg = make_dialog(sample_copy, "coverage")
    with qtbot.waitSignal(dlg.previewUpdated, timeout=WAIT):
        dlg.periods.setText("7,14")
    wait_preview(qtbot, dlg)
    assert dlg.preview_table.rowCount() == 13  # townships
    out = out_dir / "覆盖率.xlsx"
    assert export(qtbot, dlg, out) == out
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["乡镇覆盖率", "网格员覆盖率", "网格巡查"]
    header, rows = sheet_rows(out, "乡镇覆盖率")
    assert "近14天覆盖率(%)" in header and "近30天覆盖率(%)" not in header
    assert len(rows) == 13
    assert book["网格巡查"].max_row - 1 == len(Project.open(sample_copy).read_layer("grid_cell"))

    # a wrong period: the preview and Export say so in red; nothing is written
    with qtbot.waitSignal(dlg.previewUpdated, timeout=WAIT):
        dlg.periods.setText("7,x")
    assert "7,x" in dlg.preview_info.text() and RED in dlg.preview_info.styleSheet()
    before = sorted(out_dir.iterdir())
    qtbot.mouseClick(dlg.export_button, Qt.MouseButton.LeftButton)
    assert RED in dlg.status.styleSheet() and "7,x" in dlg.status.text()
    assert not dlg.exporting and sorted(out_dir.iterdir()) == before


def test_ranking_follows_month_and_weights(qtbot, make_dialog, district, out_dir):
    dlg = make_dialog(district, "ranking", now=NOW)
    with qtbot.waitSignal(dlg.previewUpdated, timeout=WAIT):
        dlg.month.setDate(QDate(2025, 11, 1))
    wait_preview(qtbot, dlg)
    assert table_column(dlg, "乡镇") == ["三镇", "一镇", "二镇"]  # hand-computed in test_stats
    # test_stats' scores (40.0, 27.5) counted fire points against T1 and T2; the ranking is the assessment's
    # now (issue 17): every detection in this district is unverified, not counted, so both score 100 on fires
    # (.15 * 100 = +15): T1 40 + 15 = 55.0, T2 27.5 + 15 = 42.5
    assert table_column(dlg, "综合得分") == ["75.0", "55.0", "42.5"]
    out = out_dir / "排名.xlsx"
    assert export(qtbot, dlg, out) == out
    assert openpyxl.load_workbook(out).sheetnames == ["考核排名", "乡镇指标", "火点核查", "说明"]
    _, rows = sheet_rows(out, "考核排名")
    assert [(r["排名"], r["乡镇"], r["综合得分"]) for r in rows] == [(1, "三镇", 75.0), (2, "一镇", 55.0),
                                                                   (3, "二镇", 42.5)]

    # closure only: 二镇 closed most of its findings
    with qtbot.waitSignal(dlg.previewUpdated, timeout=WAIT):
        for key, spin in dlg.weights.items():
            spin.setValue(1.0 if key == "closure" else 0.0)
    wait_preview(qtbot, dlg)
    assert table_column(dlg, "乡镇") == ["二镇", "一镇", "三镇"]
    export(qtbot, dlg, out)
    _, rows = sheet_rows(out, "考核排名")
    assert [r["乡镇"] for r in rows] == ["二镇", "一镇", "三镇"]
    _, notes = sheet_rows(out, "说明")
    assert {n["项目"]: n["内容"] for n in notes}["问题整改率权重"] == "1.000"

    # all weights 0: said in red at once, not exported
    for spin in dlg.weights.values():
        spin.setValue(0.0)
    qtbot.mouseClick(dlg.export_button, Qt.MouseButton.LeftButton)
    assert RED in dlg.status.styleSheet() and "weights" in dlg.status.text()


@pytest.mark.parametrize("kind, name", [("ledger", "missing/台账.xlsx"), ("map", "missing/map.pdf"),
                                        ("html", "missing/web.html")])
def test_unwritable_target_is_named_in_red_and_leaves_no_temp_files(qtbot, make_dialog, district, out_dir, kind,
                                                                    name):
    dlg = make_dialog(district, kind, now=NOW)
    before = sorted(p.name for p in out_dir.rglob("*"))
    target = out_dir / name
    assert export(qtbot, dlg, target) is None
    assert RED in dlg.status.styleSheet()
    assert str(target) in dlg.status.text() and "does not exist" in dlg.status.text()
    assert not dlg.open_folder.isVisible() and dlg.export_button.isEnabled()
    assert sorted(p.name for p in out_dir.rglob("*")) == before


def test_a_folder_as_target_is_refused_and_kept(qtbot, make_dialog, district, out_dir):
    dlg = make_dialog(district, "ranking", now=NOW)
    folder = out_dir / "排名.xlsx"
    folder.mkdir()
    (folder / "keep.txt").write_text("x")
    assert export(qtbot, dlg, folder) is None
    assert "is a folder" in dlg.status.text() and RED in dlg.status.styleSheet()
    assert (folder / "keep.txt").read_text() == "x" and leftovers(out_dir) == []


def test_output_name_and_folder(qtbot, make_dialog, district, out_dir, settings):
    dlg = make_dialog(district, "ledger", now=NOW)
    assert Path(dlg.out_edit.text()).parent == district.parent  # nothing remembered yet: the project's folder
    assert Path(dlg.out_edit.text()).name == "测试区_整改台账_20251120.xlsx"
    choose(dlg.format, ".csv")
    assert dlg.out_edit.text().endswith("_20251120.csv")
    export(qtbot, dlg, out_dir / "a.csv")
    assert settings.value(FOLDER_KEY) == str(out_dir)
    dlg.set_kind("ranking")
    assert Path(dlg.out_edit.text()).parent == out_dir  # the last folder
    dlg.set_kind("ledger")
    assert dlg.out_edit.text() == str(out_dir / "a.csv")  # what the user had for this kind
    # a name typed without a suffix gets the format's suffix
    dlg.set_kind("coverage")
    assert export(qtbot, dlg, out_dir / "周报") == out_dir / "周报.xlsx"
    # a typed suffix of another format of this export chooses that format
    assert export(qtbot, dlg, out_dir / "周报.csv") == out_dir / "周报.csv"
    assert dlg.format.currentData() == ".csv"
    assert (out_dir / "周报.csv").read_text(encoding="utf-8-sig").startswith("乡镇代码,")


def test_preview_image_is_a_qimage_of_the_core_png(qtbot, make_dialog, district):
    """The preview is exactly what export_map writes at the preview resolution."""
    from gridwatch.export.maps import MapSpec, export_map

    dlg = make_dialog(district, "map", now=NOW)
    choose(dlg.orientation, "landscape")
    qtbot.waitUntil(lambda: dlg.preview_busy, timeout=WAIT)
    wait_preview(qtbot, dlg)
    shown = dlg.preview_image.image().toImage()
    period = dlg.period_control.period()  # the main window's, printed on the map
    ref = export_map(district, Path(dlg.project_path).parent / "ref.png",
                     MapSpec(orientation="landscape", dpi=PREVIEW_DPI, now=NOW, window=period.window(NOW),
                             period_label=period.label(NOW)))
    assert shown == QImage(str(ref)).convertToFormat(shown.format())


def test_opened_from_the_main_window_controller_and_following_its_edits(qtbot, bare_copy, settings, english,
                                                                         out_dir):
    """The main window opens the dialog with its WorkflowController: the controller's project and
    settings are used, and a finding recorded while the dialog is open reaches the ledger preview."""
    from gridwatch.storage.gpkg import blob_to_geometry
    from gridwatch.storage.workflow import record_finding
    from gridwatch.ui.session import WorkflowController

    sample_copy = bare_copy
    with closing(sqlite3.connect(sample_copy)) as con:
        boss = con.execute("SELECT name FROM inspector WHERE role = 'supervisor' ORDER BY name").fetchone()[0]
        code, blob = con.execute("SELECT code, geom FROM grid_cell WHERE township_code = '130110102' "
                                 "ORDER BY code LIMIT 1").fetchone()
    settings.setValue("user", boss)
    controller = WorkflowController(settings)
    controller.set_project(sample_copy)
    dlg = ExportDialog(controller=controller)
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.set_kind("ledger")
    wait_preview(qtbot, dlg)
    assert dlg.project_path == sample_copy and dlg.settings is settings
    assert dlg.preview_table.rowCount() == 0  # the sample has no findings yet
    pt = blob_to_geometry(blob).representative_point()
    with qtbot.waitSignal(dlg.previewUpdated, timeout=WAIT):
        controller.run(record_finding, category="fireworks", longitude=pt.x, latitude=pt.y, cell_code=code,
                       description="烟花")
    wait_preview(qtbot, dlg)
    assert table_column(dlg, "问题描述") == ["烟花"] and table_column(dlg, "乡镇") == ["寺家庄镇"]
    out = export(qtbot, dlg, out_dir / "台账.xlsx")
    _, rows = sheet_rows(out, "整改台账")
    assert [r["问题描述"] for r in rows] == ["烟花"]
    dlg.close()
    qtbot.waitUntil(lambda: not workers_running() and not controller.busy, timeout=WAIT)
    controller.undo_stack.clear()


def test_the_web_map_offers_its_cell_colours(qtbot, sample_copy, tmp_path):
    from PySide6.QtCore import QSettings

    from gridwatch.ui.data.export_dialog import ExportDialog

    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    dialog = ExportDialog(sample_copy, settings)
    qtbot.addWidget(dialog)
    dialog.set_kind("html")
    assert dialog.options()["coverage_colours"] is True
    combo = dialog.html_theme
    combo.setCurrentIndex(combo.findData("plain"))
    assert dialog.options()["coverage_colours"] is False


def test_coverage_maps_offer_what_counts_as_a_patrol(qtbot, sample_copy, tmp_path):
    """The PDF map's coverage theme and the web map's cell colours can count reported inspections, patrol
    tracks or both (issue 20); the choice is offered only where cells are coloured by coverage."""
    from PySide6.QtCore import QSettings

    from gridwatch.ui.data.export_dialog import ExportDialog

    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    dialog = ExportDialog(sample_copy, settings)
    qtbot.addWidget(dialog)
    dialog.set_kind("map")
    assert not dialog.map_basis.isEnabled()  # a map of layers counts no visits
    dialog.theme.setCurrentIndex(dialog.theme.findData("coverage"))
    assert dialog.map_basis.isEnabled()
    dialog.map_basis.setCurrentIndex(dialog.map_basis.findData("tracks"))
    assert dialog.options()["coverage_basis"] == "tracks"
    assert dialog.map_basis.currentText() in ("巡查轨迹", "Patrol tracks")  # titled, not a code
    dialog.set_kind("html")
    assert dialog.options()["coverage_basis"] == "reported"
    dialog.html_basis.setCurrentIndex(dialog.html_basis.findData("both"))
    assert dialog.options()["coverage_basis"] == "both"
    dialog.html_theme.setCurrentIndex(dialog.html_theme.findData("plain"))
    assert not dialog.html_basis.isEnabled()

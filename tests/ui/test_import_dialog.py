"""The Import dialog, driven offscreen like a user: pick a file, look at the preview, check, import.

Every test works on a copy of the sample district and on files written into ``tmp_path``; the
project's sha256 is compared wherever nothing may be written.  Workers are real (a thread pool),
so results are awaited with ``qtbot.waitUntil`` / ``waitSignal``.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QTableView,
    QTableWidget,
)
from shapely.geometry import Point, box

from gridwatch.storage import Project
from gridwatch.ui.data.import_dialog import ImportDialog
from gridwatch.ui.data.import_parts import jobs_running

from ..conftest import sha256

WAIT = 60_000  # ms; generous for a loaded CI machine

#: Three construction sites inside the sample district (lon 114.30-114.40, lat 38.05-38.12).
SITES = {
    "工地名称": ["城南花园三期工地", "滹沱河安置房工地", "铜冶物流园工地"],
    "扬尘等级": ["A", "B", "C"],
    "建设单位": ["石家庄城建集团", "鹿泉区住建局", "冀中物流有限公司"],
}
SITE_BOXES = [box(114.31, 38.06, 114.315, 38.064), box(114.35, 38.08, 114.356, 38.085),
              box(114.38, 38.10, 114.384, 38.104)]


# -- files the user imports ---------------------------------------------------------------------

def gb18030_site_shapefile(folder: Path) -> Path:
    """A GB18030 shapefile without a .cpg (as many Chinese desktop GIS write them), in EPSG:4326."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "工地.shp"
    frame = gpd.GeoDataFrame(SITES, geometry=SITE_BOXES, crs=4326)
    pyogrio.write_dataframe(frame, path, encoding="GB18030")
    path.with_suffix(".cpg").unlink(missing_ok=True)
    dbf = path.with_suffix(".dbf").read_bytes()
    assert "工地名称".encode("gb18030") in dbf and "城南花园".encode("gb18030") in dbf
    with pytest.raises(UnicodeDecodeError):
        dbf.decode("utf-8")
    return path


def point_geojson(folder: Path) -> Path:
    path = folder / "矿山点.geojson"
    frame = gpd.GeoDataFrame({"矿山名称": ["西山石灰石矿", "北岭砂石矿"], "矿种": ["limestone", "sand_gravel"],
                              "状态": ["operating", "closed"]},
                             geometry=[Point(114.32, 38.07), Point(114.36, 38.09)], crs=4326)
    frame.to_file(path, driver="GeoJSON")
    return path


def two_layer_geopackage(folder: Path) -> Path:
    path = folder / "surveys.gpkg"
    sites = gpd.GeoDataFrame({"name": ["测绘工地"], "dust_grade": ["B"]}, geometry=[SITE_BOXES[0]], crs=4490)
    roads = gpd.GeoDataFrame({"路名": ["鹿泉大道"]}, geometry=[box(114.30, 38.05, 114.40, 38.051)], crs=4490)
    pyogrio.write_dataframe(sites, path, layer="sites")
    pyogrio.write_dataframe(roads, path, layer="roads")
    return path


# -- the dialog and helpers that act and look like a user ---------------------------------------

@pytest.fixture
def dialog(qtbot, sample_copy):
    dlg = ImportDialog(sample_copy, user="王建国")
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    yield dlg
    dlg.cancel()
    qtbot.waitUntil(lambda: not jobs_running(), timeout=WAIT)


def child(dlg, cls, name):
    w = dlg.findChild(cls, name)
    assert w is not None, f"no {cls.__name__} named {name}"
    return w


def choose_kind(dlg, kind: str) -> None:
    combo = child(dlg, QComboBox, "importKind")
    combo.setCurrentIndex(combo.findData(kind))


def wait_preview(qtbot, dlg) -> str:
    """Wait until the preview worker answered; returns the notes text."""
    notes = child(dlg, QLabel, "importNotes")
    qtbot.waitUntil(lambda: not dlg.busy_working() and notes.text() != "", timeout=WAIT)
    return notes.text()


def summary(dlg) -> QLabel:
    return child(dlg, QLabel, "importSummary")


def import_button(dlg) -> QPushButton:
    return child(dlg, QPushButton, "importRun")


def check(qtbot, dlg) -> str:
    """Click Check and wait for its answer; returns the summary text."""
    qtbot.mouseClick(child(dlg, QPushButton, "importCheck"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dlg.busy_working(), timeout=WAIT)
    return summary(dlg).text()


def mapping_combo(dlg, target: str) -> QComboBox:
    return child(dlg, QComboBox, f"importMap_{target}")


def column_values(view: QTableView, header: str) -> list[str]:
    model = view.model()
    heads = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert header in heads, heads
    c = heads.index(header)
    return [model.data(model.index(r, c)) for r in range(model.rowCount())]


def type_text(widget: QLineEdit, text: str) -> None:
    """Type ``text`` (Chinese too) as an input method commits it, then press Enter."""
    widget.setFocus()
    widget.selectAll()
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)
    widget.returnPressed.emit()
    widget.editingFinished.emit()


def site_shapefile_checked(qtbot, dlg, tmp_path) -> Path:
    shp = gb18030_site_shapefile(tmp_path / "工地数据")
    choose_kind(dlg, "construction_site")
    dlg.set_file(shp)
    wait_preview(qtbot, dlg)
    text = check(qtbot, dlg)
    assert import_button(dlg).isEnabled(), text
    return shp


# -- tests ----------------------------------------------------------------------------------------

def test_gb18030_shapefile_is_previewed_mapped_checked_and_imported(qtbot, dialog, sample_copy, tmp_path):
    shp = gb18030_site_shapefile(tmp_path / "工地数据")
    before = sha256(sample_copy)
    sites_before = Project.open(sample_copy).read_layer("construction_site")

    choose_kind(dialog, "construction_site")
    # The path has Chinese folder and file names: typed through the input method, Enter pressed.
    type_text(child(dialog, QLineEdit, "importFile"), str(shp))
    notes = wait_preview(qtbot, dialog)
    assert not import_button(dialog).isEnabled()

    # Detected encoding and CRS are shown.
    encoding = child(dialog, QComboBox, "importEncoding")
    assert encoding.currentIndex() == 0
    assert encoding.currentText().upper() == "AUTO (DETECTED: GB18030)"
    assert "GB18030" in notes.upper()
    assert dialog.encoding() is None  # auto: the reader decides, as the check will
    assert child(dialog, QLineEdit, "importCrs").text() == "EPSG:4326 (from file)"
    assert dialog.crs() is None

    # The preview table shows the Chinese names intact, the map draws the three polygons.
    table = child(dialog, QTableView, "importPreviewTable")
    assert table.model().rowCount() == 3
    assert column_values(table, "工地名称") == SITES["工地名称"]
    assert column_values(table, "扬尘等级") == ["A", "B", "C"]
    assert column_values(table, "建设单位") == SITES["建设单位"]
    pixmap = child(dialog, QLabel, "importPreviewMap").pixmap()
    assert pixmap is not None and not pixmap.isNull()
    img = pixmap.toImage()
    background = img.pixelColor(1, 1)
    drawn = sum(img.pixelColor(x, y) != background for x in range(0, img.width(), 4) for y in range(0, img.height(), 4))
    assert drawn > 20, "the preview map drew nothing"

    # Field mapping guessed from the Chinese headers; required fields are starred.
    assert mapping_combo(dialog, "name").currentData() == "工地名称"
    assert mapping_combo(dialog, "dust_grade").currentData() == "扬尘等级"
    assert mapping_combo(dialog, "developer").currentData() == "建设单位"
    assert mapping_combo(dialog, "area_m2").currentData() is None
    assert dialog.field_map() == {"工地名称": "name", "扬尘等级": "dust_grade", "建设单位": "developer"}
    fields = child(dialog, QTableWidget, "importFieldMap")
    titles = [fields.item(r, 0).text() for r in range(fields.rowCount())]
    assert "Name *" in titles and "Dust grade *" in titles and "Developer" in titles

    # Check: a summary, nothing written.
    text = check(qtbot, dialog)
    assert "Read 3 feature(s) from 工地.shp; 3 to import into Construction sites." in text, text
    assert "repaired" not in text and "outside" not in text  # nothing to say about them
    assert summary(dialog).property("error") is False
    assert import_button(dialog).isEnabled()
    assert sha256(sample_copy) == before

    # Import: writes the three sites, emits imported with the report and says what it did.
    with qtbot.waitSignal(dialog.imported, timeout=WAIT) as blocker:
        qtbot.mouseClick(import_button(dialog), Qt.MouseButton.LeftButton)
    report = blocker.args[0]
    assert report.imported == 3 and report.kind == "construction_site"
    assert dialog.isVisible() and "Imported: 3 feature(s) written to Construction sites." in summary(dialog).text()
    assert not import_button(dialog).isEnabled()  # not twice
    dialog.reject()
    assert not dialog.isVisible()

    sites = Project.open(sample_copy).read_layer("construction_site")
    assert len(sites) == len(sites_before) + 3
    new = sites.loc[~sites["uuid"].isin(sites_before["uuid"])].sort_values("name")
    by_name = dict(zip(new["name"], new["dust_grade"]))
    assert by_name == dict(zip(SITES["工地名称"], SITES["扬尘等级"]))
    assert sorted(new["developer"]) == sorted(SITES["建设单位"])
    assert sites.crs.to_epsg() == 4490
    minx, miny, maxx, maxy = new.total_bounds
    assert 114.30 <= minx and maxx <= 114.40 and 38.05 <= miny and maxy <= 38.12
    assert new["township_code"].notna().all()  # joined to the township they lie in
    with closing(sqlite3.connect(sample_copy)) as con:
        user, table = con.execute("SELECT user_name, table_name FROM audit_log WHERE action = 'import' "
                                  "ORDER BY at DESC LIMIT 1").fetchone()
    assert (user, table) == ("王建国", "construction_site")


def test_failing_check_shows_the_error_and_import_stays_disabled(qtbot, dialog, sample_copy, tmp_path):
    src = point_geojson(tmp_path)
    before = sha256(sample_copy)
    choose_kind(dialog, "mine")
    dialog.set_file(src)
    wait_preview(qtbot, dialog)
    assert column_values(child(dialog, QTableView, "importPreviewTable"), "矿山名称") == ["西山石灰石矿", "北岭砂石矿"]

    text = check(qtbot, dialog)
    assert "Point but the mine layer takes Polygon, MultiPolygon" in text
    assert "Traceback" not in text and 'File "' not in text
    label = summary(dialog)
    assert label.property("error") is True and "c62828" in label.styleSheet()
    assert not import_button(dialog).isEnabled()
    assert dialog.isVisible()
    assert sha256(sample_copy) == before


def test_a_missing_file_is_reported_in_words(qtbot, dialog, tmp_path):
    dialog.set_file(tmp_path / "没有这个文件.shp")
    notes = child(dialog, QLabel, "importNotes")
    assert "File not found" in notes.text() and "没有这个文件.shp" in notes.text()
    text = check(qtbot, dialog)
    assert summary(dialog).property("error") is True and "Traceback" not in text
    assert not import_button(dialog).isEnabled()


def test_any_option_change_after_a_check_disables_import(qtbot, dialog, sample_copy, tmp_path):
    site_shapefile_checked(qtbot, dialog, tmp_path)
    before = sha256(sample_copy)

    # Mode: replace, then back to append; the check no longer holds either way.
    qtbot.mouseClick(child(dialog, QRadioButton, "importReplace"), Qt.MouseButton.LeftButton)
    assert dialog.mode() == "replace" and not import_button(dialog).isEnabled()
    assert "check the file again" in summary(dialog).text()
    qtbot.mouseClick(child(dialog, QRadioButton, "importAppend"), Qt.MouseButton.LeftButton)
    assert not import_button(dialog).isEnabled()
    text = check(qtbot, dialog)
    assert import_button(dialog).isEnabled(), text

    # A field mapping choice.
    combo = mapping_combo(dialog, "developer")
    combo.setCurrentIndex(0)  # (none)
    assert not import_button(dialog).isEnabled()
    text = check(qtbot, dialog)
    assert import_button(dialog).isEnabled()
    # "(none)" means empty: the core no longer fills developer from 建设单位 by its name.
    assert "developer" not in dialog.prepared.report.field_map
    assert dialog.prepared.frame["developer"].isna().all() if "developer" in dialog.prepared.frame else True

    # The encoding: choosing one re-reads the preview with it.
    encoding = child(dialog, QComboBox, "importEncoding")
    encoding.setCurrentIndex(encoding.findData("GB18030"))
    assert dialog.encoding() == "GB18030" and not import_button(dialog).isEnabled()
    wait_preview(qtbot, dialog)
    assert column_values(child(dialog, QTableView, "importPreviewTable"), "工地名称") == SITES["工地名称"]
    check(qtbot, dialog)
    assert import_button(dialog).isEnabled()

    # The CRS, typed as a bare EPSG code.
    crs = child(dialog, QLineEdit, "importCrs")
    crs.setFocus()
    crs.selectAll()
    qtbot.keyClicks(crs, "4326")
    qtbot.keyClick(crs, Qt.Key.Key_Return)
    assert dialog.crs() == "EPSG:4326" and not import_button(dialog).isEnabled()
    wait_preview(qtbot, dialog)
    check(qtbot, dialog)
    assert import_button(dialog).isEnabled()

    # The target layer.
    choose_kind(dialog, "mine")
    assert not import_button(dialog).isEnabled()
    assert sha256(sample_copy) == before


def test_a_file_without_crs_asks_for_one_and_accepts_a_typed_epsg_code(qtbot, dialog, sample_copy, tmp_path):
    # Surveyed in CGCS2000 / 3-degree Gauss-Kruger CM 114E metres, shipped without its .prj.
    frame = gpd.GeoDataFrame(SITES, geometry=SITE_BOXES, crs=4490).to_crs(4547)
    shp = tmp_path / "sites_4547.shp"
    pyogrio.write_dataframe(frame, shp, encoding="GB18030")  # with a .cpg this time
    shp.with_suffix(".prj").unlink()
    choose_kind(dialog, "construction_site")
    dialog.set_file(shp)
    notes = wait_preview(qtbot, dialog)
    assert "Coordinate system" in notes and "e.g. 4490 or EPSG:4547" in notes
    assert "c62828" in child(dialog, QLabel, "importNotes").styleSheet()
    assert child(dialog, QTableView, "importPreviewTable").model().rowCount() == 0

    crs = child(dialog, QLineEdit, "importCrs")
    crs.setFocus()
    qtbot.keyClicks(crs, "EPSG:4547")
    qtbot.keyClick(crs, Qt.Key.Key_Return)
    assert dialog.crs() == "EPSG:4547"
    notes = wait_preview(qtbot, dialog)
    assert "EPSG:4547 (as entered)" in notes
    assert column_values(child(dialog, QTableView, "importPreviewTable"), "工地名称") == SITES["工地名称"]
    text = check(qtbot, dialog)
    assert "3 to import" in text and import_button(dialog).isEnabled()
    with qtbot.waitSignal(dialog.imported, timeout=WAIT):
        qtbot.mouseClick(import_button(dialog), Qt.MouseButton.LeftButton)
    sites = Project.open(sample_copy).read_layer("construction_site")
    new = sites.loc[sites["name"].isin(SITES["工地名称"])]
    assert len(new) == 3
    # Reprojected back to degrees where they were drawn (to well under a metre).
    assert np.allclose(new.sort_values("name").total_bounds,
                       gpd.GeoSeries(SITE_BOXES).total_bounds, atol=1e-6)


def test_source_layers_of_a_geopackage_are_offered(qtbot, dialog, tmp_path):
    src = two_layer_geopackage(tmp_path)
    choose_kind(dialog, "construction_site")
    dialog.set_file(src)
    notes = wait_preview(qtbot, dialog)
    # Two layers and none named: the dialog offers them and guesses nothing.
    assert "several layers" in notes
    layers = child(dialog, QComboBox, "importSourceLayer")
    assert sorted(layers.itemText(i) for i in range(layers.count())) == ["roads", "sites"]
    assert layers.isEnabled() and layers.currentIndex() == -1 and dialog.source_layer() is None
    assert child(dialog, QTableView, "importPreviewTable").model().rowCount() == 0
    layers.setCurrentIndex(layers.findText("roads"))
    wait_preview(qtbot, dialog)
    table = child(dialog, QTableView, "importPreviewTable")
    assert column_values(table, "路名") == ["鹿泉大道"]
    layers.setCurrentIndex(layers.findText("sites"))
    wait_preview(qtbot, dialog)
    assert column_values(table, "name") == ["测绘工地"]
    assert mapping_combo(dialog, "name").currentData() == "name"
    assert mapping_combo(dialog, "dust_grade").currentData() == "dust_grade"
    text = check(qtbot, dialog)
    assert "1 to import" in text and import_button(dialog).isEnabled()


def test_cancelled_import_writes_nothing_and_the_dialog_stays_open(qtbot, dialog, sample_copy, tmp_path):
    site_shapefile_checked(qtbot, dialog, tmp_path)
    before = sha256(sample_copy)
    emitted = []
    dialog.imported.connect(emitted.append)
    # Another program holds the write lock, so the import cannot finish before Cancel is pressed.
    blocker = sqlite3.connect(sample_copy, isolation_level=None)
    try:
        blocker.execute("BEGIN IMMEDIATE")
        qtbot.mouseClick(import_button(dialog), Qt.MouseButton.LeftButton)
        cancel = child(dialog, QPushButton, "importCancel")
        assert cancel.isEnabled() and child(dialog, QProgressBar, "importProgress").isVisible()
        assert not import_button(dialog).isEnabled()
        qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
        blocker.execute("ROLLBACK")
    finally:
        blocker.close()
    qtbot.waitUntil(lambda: not dialog.busy_working(), timeout=WAIT)
    assert "cancelled" in summary(dialog).text().lower() and summary(dialog).property("error") is True
    assert dialog.isVisible() and emitted == []
    assert not import_button(dialog).isEnabled()  # check again first
    assert sha256(sample_copy) == before


def test_failed_import_shows_the_message_and_stays_open(qtbot, dialog, sample_copy, tmp_path):
    shp = site_shapefile_checked(qtbot, dialog, tmp_path)
    before = sha256(sample_copy)
    # The file changes between the check and the import (someone saves it again, the sites moved
    # a little): the import refuses it.
    moved = gpd.GeoDataFrame(SITES, geometry=[g.buffer(0.0005) for g in SITE_BOXES], crs=4326)
    pyogrio.write_dataframe(moved, shp, encoding="GB18030")
    shp.with_suffix(".cpg").unlink(missing_ok=True)
    emitted = []
    dialog.imported.connect(emitted.append)
    qtbot.mouseClick(import_button(dialog), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.busy_working(), timeout=WAIT)
    text = summary(dialog).text()
    assert "the file changed since it was checked" in text and "Traceback" not in text
    assert summary(dialog).property("error") is True
    assert dialog.isVisible() and emitted == [] and not import_button(dialog).isEnabled()
    assert sha256(sample_copy) == before
    # Checking again picks up the changed file and allows the import.
    text = check(qtbot, dialog)
    assert import_button(dialog).isEnabled(), text


def test_preview_reads_at_most_200_features(qtbot, dialog, tmp_path):
    n = 450
    rng = np.random.default_rng(7)
    xs, ys = rng.uniform(114.30, 114.40, n), rng.uniform(38.05, 38.12, n)
    frame = gpd.GeoDataFrame({"名称": [f"火点{i}" for i in range(n)]},
                             geometry=[Point(x, y) for x, y in zip(xs, ys)], crs=4490)
    src = tmp_path / "many.gpkg"
    pyogrio.write_dataframe(frame, src, layer="many")
    dialog.set_file(src)
    notes = wait_preview(qtbot, dialog)
    assert child(dialog, QTableView, "importPreviewTable").model().rowCount() == 200
    assert "450" in notes


# -- fire-point files, bad values row by row, nothing to import -------------------------------------


def test_a_firms_csv_goes_to_fire_points_with_a_preview(qtbot, dialog, realdata, sample_copy):
    before = sha256(sample_copy)
    dialog.set_file(realdata / "firms" / "world_fires_1_day_modis_c61.csv")  # kind left at its default
    notes = wait_preview(qtbot, dialog)
    assert dialog.kind() == "fire_point", notes
    assert "fire-point table" in notes and "--crs" not in notes
    assert child(dialog, QTableView, "importPreviewTable").model().rowCount() == 200
    text = check(qtbot, dialog)
    assert "to import into Fire points" in text and "outside the district are not stored" in text
    assert "WGS84" in text and "--" not in text
    assert sha256(sample_copy) == before
    # a user who chose the layer keeps it
    choose_kind(dialog, "township")
    dialog.kind_combo.activated.emit(dialog.kind_combo.currentIndex())
    dialog.set_file(realdata / "firms" / "world_fires_1_day_modis_c61.csv")
    wait_preview(qtbot, dialog)
    assert dialog.kind() == "township"


def sites_with_grade_d(folder: Path) -> Path:
    path = folder / "工地等级.geojson"
    frame = gpd.GeoDataFrame({"工地名称": ["甲工地", "乙工地", "丙工地"], "扬尘等级": ["A", "D", "C"]},
                             geometry=[Point(114.32, 38.07), Point(114.36, 38.09), Point(114.37, 38.10)], crs=4326)
    frame.to_file(path, driver="GeoJSON")
    return path


def test_a_bad_value_is_left_out_or_mapped_row_by_row(qtbot, dialog, sample_copy, tmp_path):
    choose_kind(dialog, "construction_site")
    dialog.set_file(sites_with_grade_d(tmp_path))
    wait_preview(qtbot, dialog)
    text = check(qtbot, dialog)
    assert "2 to import" in text and "1 row(s) with values the layer does not allow are left out" in text, text
    box = child(dialog, QTableWidget, "importBadTable")
    assert box.isVisible() and box.rowCount() == 1
    assert [box.item(0, c).text() for c in range(3)] == ["Dust grade", "D", "1"]
    assert import_button(dialog).isEnabled()  # the good rows can go in
    # map D to grade C: checked again at once, all three go in
    combo = box.cellWidget(0, 3)
    assert combo.itemText(0) == "Leave these rows out"
    combo.setCurrentIndex(combo.findData("C"))
    qtbot.waitUntil(lambda: not dialog.busy_working() and "3 to import" in summary(dialog).text(), timeout=WAIT)
    assert dialog.options().value_map == {"dust_grade": {"D": "C"}}
    with qtbot.waitSignal(dialog.imported, timeout=WAIT) as blocker:
        qtbot.mouseClick(import_button(dialog), Qt.MouseButton.LeftButton)
    assert blocker.args[0].imported == 3
    sites = Project.open(sample_copy).read_layer("construction_site")
    assert sites.set_index("name").loc["乙工地", "dust_grade"] == "C"


def test_nothing_to_import_disables_import(qtbot, dialog, sample_copy, tmp_path):
    path = tmp_path / "全是错的.geojson"
    gpd.GeoDataFrame({"工地名称": ["甲工地"], "扬尘等级": ["X"]}, geometry=[Point(114.32, 38.07)],
                     crs=4326).to_file(path, driver="GeoJSON")
    choose_kind(dialog, "construction_site")
    dialog.set_file(path)
    wait_preview(qtbot, dialog)
    text = check(qtbot, dialog)
    assert "Nothing to import." in text and summary(dialog).property("error") is True
    assert not import_button(dialog).isEnabled()

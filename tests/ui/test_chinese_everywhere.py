"""The Chinese UI has no English: every widget's text (labels, buttons, titles, headings, tabs, menus,
choices, placeholders) of the main window, every dock and every dialog is walked."""

from __future__ import annotations

import re

import pytest
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDialog,
    QDockWidget,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QTabBar,
    QWidget,
)

from .test_main_window import wait_render

#: Latin words that are names, not English: formats, systems, units, satellites, the product.
ALLOWED = {"GridWatch", "EPSG", "CGCS", "PDF", "PNG", "UTC", "WGS", "MODIS", "VIIRS", "FIRMS", "NASA", "CSV",
           "XLSX", "KML", "KMZ", "GeoJSON", "GeoPackage", "gpkg", "shp", "zip", "json", "geojson", "csv", "xlsx",
           "kml", "kmz", "UUID", "PIN", "Terra", "Aqua", "dpi", "km", "English", "HTML", "Leaflet", "hlz", "huolu",
           "QGIS", "Excel", "png", "pdf", "html", "Fengyun", "FRP", "MW", "GCJ", "Gauss", "Kruger", "CM",
           "Noto", "Sans", "CJK", "SC", "mu", "GB", "UTF", "Shapefile", "GBK", "postgresql", "PostgreSQL", "PostGIS",
           "VOCs", "Word", "docx",  # VOCs: the plans' own word for volatile organic compounds
           "GPS", "NMEA", "gpsd", "GPX", "gpx", "MBTiles", "PMTiles", "mbtiles", "pmtiles", "OpenStreetMap", "pbf", "osm"}
WORD = re.compile(r"[A-Za-z]{3,}")
#: Widgets that show the user's own data (a file's column names and values, encodings): not UI words.
DATA_WIDGETS = ("importPreviewTable", "importSourceLayer", "importEncoding", "importBadTable", "searchResults")


def shows_data(w: QWidget) -> bool:
    while w is not None:
        name = w.objectName()
        if name in DATA_WIDGETS or name.startswith("importMap_"):
            return True
        w = w.parentWidget()
    return False


def texts_of(widget: QWidget) -> list[tuple[str, str]]:
    """(where, text) of everything a user reads in ``widget`` and its children."""
    out: list[tuple[str, str]] = []

    def add(w: QWidget, text: str) -> None:
        if text:
            out.append((f"{type(w).__name__}#{w.objectName()}", text))

    widgets = [widget] + widget.findChildren(QWidget)
    for w in widgets:
        if shows_data(w):
            continue
        if isinstance(w, QLabel):
            add(w, w.text())
        elif isinstance(w, QAbstractButton):
            add(w, w.text())
        elif isinstance(w, QGroupBox):
            add(w, w.title())
        elif isinstance(w, QLineEdit):
            add(w, w.placeholderText())
        elif isinstance(w, QComboBox):
            for i in range(w.count()):
                add(w, w.itemText(i))
        elif isinstance(w, QTabBar):
            for i in range(w.count()):
                add(w, w.tabText(i))
        elif isinstance(w, QHeaderView):
            model = w.model()
            if model is not None:
                for c in range(model.columnCount() if w.orientation().name == "Horizontal" else 0):
                    add(w, str(model.headerData(c, w.orientation()) or ""))
        elif isinstance(w, QMenu):
            add(w, w.title())
            for a in w.actions():
                add(w, a.text())
        if isinstance(w, (QDialog, QDockWidget)) or w is widget:
            add(w, w.windowTitle())
    return out


def english(texts: list[tuple[str, str]]) -> list[tuple[str, str]]:
    bad = []
    for where, text in texts:
        if "/" in text and ("." in text or text.startswith("/")):  # a file path
            continue
        words = [m for m in WORD.findall(text) if m not in ALLOWED and m.upper() not in ALLOWED]
        if words:
            bad.append((where, text))
    return bad


@pytest.fixture
def chinese_window(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("GRIDWATCH_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("GRIDWATCH_DATA_DIR", str(tmp_path / "data"))
    from gridwatch.ui import i18n
    from gridwatch.ui.app import create_app, create_window, make_settings

    create_app()
    settings = make_settings()
    settings.setValue("language", "zh_CN")
    settings.sync()
    w = create_window()
    qtbot.addWidget(w)
    w.resize(1366, 740)
    w.show()
    qtbot.waitUntil(lambda: w.data is not None, timeout=30_000)
    wait_render(qtbot, w)
    yield w
    w.close()
    i18n.install("en")


def test_no_english_in_the_chinese_ui(chinese_window, qtbot, realdata):
    w = chinese_window
    found: list[tuple[str, str]] = []
    # first start: the user picker
    picker = w._user_picker
    found += english(texts_of(picker))
    sup = w.workflow.people[w.workflow.people["role"] == "supervisor"].iloc[0]
    assert picker.choose(str(sup["uuid"]))
    cells = w.data.layers["grid_cell"].frame
    w.set_selection(cells.index[:5].to_numpy())
    w.show_identify("grid_cell", 0)
    w.search_panel.box.setText("hlz")
    for dock in w.docks():
        dock.show()
        dock.raise_()
        qtbot.wait(50)
        found += english(texts_of(dock))
    found += english(texts_of(w))
    for menu in w.menuBar().findChildren(QMenu):
        found += english(texts_of(menu))
    # dialogs
    openers = [
        (lambda: w.show_import_dialog(), "_import_dialog"),
        (lambda: w.show_export_dialog(), "_export_dialog"),
        (lambda: w.assign_selected_cells(), "_assign_dialog"),
        (lambda: w.show_fire_checks_dialog(), "_fire_dialog"),
        (lambda: w.show_people_dialog(), "_people_dialog"),
        (lambda: w.give_selected_cells(), "_cell_inspector_dialog"),
        (lambda: w.show_history(str(cells["uuid"].iloc[0])), "_history_dialog"),
        (lambda: w.choose_user(), "_user_picker"),
        (lambda: w.show_checkout_dialog(), "_checkout_dialog"),
    ]
    for open_it, attr in openers:
        open_it()
        d = getattr(w, attr)
        qtbot.wait(50)
        if attr == "_import_dialog":
            d.set_file(realdata / "firms" / "world_fires_1_day_modis_c61.csv")
            qtbot.waitUntil(lambda d=d: d.preview_frame is not None and not d.busy_working(), timeout=60_000)
        found += english(texts_of(d))
        d.close()
    assert not found, "English in the Chinese UI:\n" + "\n".join(f"{w_}: {t!r}" for w_, t in found[:150])

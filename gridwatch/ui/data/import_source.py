"""The import dialog's source side: reading the chosen file's preview and describing it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QPixmap

from ...errors import CRSError
from ..jobs import Job
from .import_parts import (
    _ERROR_STYLE,
    _crs_string,
    _job,
    _Preview,
    _read_preview,
)

if TYPE_CHECKING:
    import pandas as pd
else:
    from ...lazy import pd

# Texts keep the ImportDialog translation context (they are the ImportDialog's own).
translate = QCoreApplication.translate


def geometry_type_text(gtype: Any) -> str:
    """A file's geometry type in words (GDAL's Point, MultiPolygon… and their Z/M forms)."""
    base = str(gtype or "").replace(" Z", "").replace(" M", "").replace("25D", "").strip()
    words = {
        "Point": translate("ImportDialog", "points"), "MultiPoint": translate("ImportDialog", "points (multi)"),
        "LineString": translate("ImportDialog", "lines"), "MultiLineString": translate("ImportDialog", "lines (multi)"),
        "Polygon": translate("ImportDialog", "polygons"), "MultiPolygon": translate("ImportDialog", "polygons (multi)"),
        "GeometryCollection": translate("ImportDialog", "mixed geometries"),
        "Unknown": translate("ImportDialog", "mixed geometries"),
    }
    if not base:
        return translate("ImportDialog", "none")
    return words.get(base, base)


class ImportSource:
    """Preview of the chosen file: layer, encoding and CRS detected, first features (part of ImportDialog)."""

    def _source_changed(self, text: str) -> None:
        """A new file: forget what the last one detected and preview this one."""
        self._building = True
        try:
            self.layer_combo.clear()
            self.layer_combo.setEnabled(False)
            self.encoding_combo.setCurrentIndex(0)
            self.encoding_combo.setEditText(self.encoding_combo.itemText(0))
            self._detected_encoding = None
            self._crs_detected = None
            self._crs_auto_text = ""
            self.crs_edit.clear()
        finally:
            self._building = False
        self._retranslate_auto_texts()
        self._preview_key = None
        self._start_preview()
        self._update_state()

    def _on_source_option_changed(self, *_args: Any) -> None:
        if self._building:
            return
        if not self._file_text():
            self._update_state()
            return
        self._start_preview()
        self._update_state()

    def _start_preview(self) -> None:
        text = self._file_text()
        key = (text, self.source_layer(), self.encoding(), self.crs())
        if key == self._preview_key:
            return
        self._preview_key = key
        if self._preview_job is not None:
            self._preview_job.cancel()  # superseded: its answer will be dropped
            self._preview_job = None
        if not text:
            self._show_preview_error("")
            return
        path = Path(text)
        if not path.exists():
            self._show_preview_error(translate("ImportDialog", "File not found: %s") % text)
            return
        _file, layer, encoding, crs = key
        job = _job(lambda _progress, cancel: _read_preview(path, layer, encoding, crs, cancel),
                   f"preview of {path}")
        job.succeeded.connect(self._on_preview_done, Qt.ConnectionType.QueuedConnection)
        job.failed.connect(self._on_preview_failed, Qt.ConnectionType.QueuedConnection)
        self._preview_job = job
        self.busy.show()
        self.busy.setToolTip(translate("ImportDialog", "Reading %s…") % path.name)
        job.start()

    def _on_preview_done(self, job: Job, result: _Preview) -> None:
        job.handled = True
        if job is not self._preview_job:
            return
        self.busy.hide()
        info = result.info
        self.preview_info = info
        self.preview_frame = result.frame
        self.preview_qimage = result.image
        self._building = True
        try:
            layers = [str(x) for x in (getattr(info, "layers", None) or [])]
            current = getattr(info, "layer", None)
            if [self.layer_combo.itemText(i) for i in range(self.layer_combo.count())] != layers:
                self.layer_combo.clear()
                self.layer_combo.addItems(layers)
            if current is not None and str(current) in layers:
                self.layer_combo.setCurrentIndex(layers.index(str(current)))
            self.layer_combo.setEnabled(len(layers) > 1)
            if self.encoding() is None:
                self._detected_encoding = getattr(info, "encoding", None)
            crs_text = _crs_string(getattr(info, "crs", None))
            if crs_text and self.crs() is None:
                self._crs_detected = (crs_text, str(getattr(info, "crs_source", "") or ""))
        finally:
            self._building = False
        self._retranslate_auto_texts()
        # The key now names the layer the file actually opened (the combo may have been empty).
        self._preview_key = (self._file_text(), self.source_layer(), self.encoding(), self.crs())
        self.preview_model.set_frame(result.frame)
        self.preview_table.resizeColumnsToContents()
        self.preview_map.setPixmap(QPixmap.fromImage(result.image))
        self.notes_label.setStyleSheet("")
        text = self._describe(info, len(result.frame))
        if result.fire_table:
            text = translate("ImportDialog", "This is a satellite fire-point table (NASA FIRMS or similar): "
                                             "it is imported into the fire points.") + "\n" + text
            if self.kind() != "fire_point" and not self._kind_chosen:
                self._building = True
                try:
                    self.kind_combo.setCurrentIndex(self.kind_combo.findData("fire_point"))
                finally:
                    self._building = False
                self._on_kind_changed()
        self.notes_label.setText(text)
        if result.fields != self._source_fields:
            self._source_fields = list(result.fields)
            self._rebuild_field_map()
        self._update_state()

    def _on_preview_failed(self, job: Job, message: str, how: str) -> None:
        exc = job.error
        job.handled = True
        if job is not self._preview_job or how == "cancelled":
            return
        choices = [str(x) for x in (getattr(exc, "layers", None) or [])]
        if how == "bug":
            message = translate("ImportDialog",
                                "Unexpected error while reading the file (details are in the log): ") + message
        elif choices and self.source_layer() is None:
            # Several layers and none chosen: offer them and let the user pick (nothing is guessed).
            self._offer_layers(choices)
            self._show_preview_error(translate("ImportDialog", "This file holds several layers; choose one under "
                                             "\u201cLayer in the file\u201d.") + "\n" + message)
            self._update_state()
            return
        elif isinstance(exc, CRSError):
            message = self._crs_problem(exc)
        self._show_preview_error(message)
        self._update_state()

    def _crs_problem(self, exc: Any) -> str:
        """A CRS problem told for this dialog (the core's text names the command line's --crs)."""
        text = translate("ImportDialog", "GridWatch cannot tell which coordinate system this file uses: it names "
                                         "none, or its coordinates do not fit the one it names.")
        self.notes_label.setToolTip(str(exc))
        return text + "\n" + self._crs_hint()

    def _crs_hint(self) -> str:
        return translate("ImportDialog",
                         "Type the coordinate system of the file in the \u201cCoordinate system\u201d box, "
                       "e.g. 4490 or EPSG:4547.")

    def _offer_layers(self, layers: list[str]) -> None:
        self._building = True
        try:
            self.layer_combo.clear()
            self.layer_combo.addItems(layers)
            self.layer_combo.setCurrentIndex(-1)  # shows the placeholder until the user picks
            self.layer_combo.setEnabled(True)
        finally:
            self._building = False

    def _show_preview_error(self, message: str) -> None:
        self.busy.hide()
        self.preview_info = None
        self.preview_frame = None
        self.preview_model.set_frame(pd.DataFrame())
        self.preview_map.clear()
        self.notes_label.setStyleSheet(_ERROR_STYLE if message else "")
        self.notes_label.setText(message)
        if self._source_fields:
            self._source_fields = []
            self._rebuild_field_map()

    def _describe(self, info: Any, shown: int) -> str:
        lines = []
        count = getattr(info, "feature_count", None)
        fmt = getattr(info, "format", None) or ""
        gtype = geometry_type_text(getattr(info, "geometry_type", None))
        if count is not None and count >= 0:
            lines.append(translate("ImportDialog",
                                   "{format}: {count} features, geometry {geometry} (first {shown} shown)").format(
                format=fmt, count=f"{int(count):,}", geometry=gtype, shown=shown))
        else:
            lines.append(translate("ImportDialog", "{format}: geometry {geometry} ({shown} features shown)").format(
                format=fmt, geometry=gtype, shown=shown))
        enc = getattr(info, "encoding", None)
        if enc:
            lines.append(translate("ImportDialog", "Encoding: {encoding} ({how})").format(
                encoding=enc, how=self._encoding_source_text(getattr(info, "encoding_source", ""))))
        crs = _crs_string(getattr(info, "crs", None))
        lines.append(translate("ImportDialog", "Coordinate system: {crs} ({how})").format(
            crs=crs or translate("ImportDialog",
                                 "unknown"), how=self._crs_source_text(getattr(info, "crs_source", ""))))
        lines += [str(n) for n in (getattr(info, "notes", None) or [])]
        return "\n".join(lines)

    def _crs_source_text(self, source: Any) -> str:
        """How the CRS was found, in words ("from file", "guessed", …)."""
        s = str(source or "").strip().lower()
        if s in ("prj", "file"):
            return translate("ImportDialog", "from file")
        if s == "guessed":
            return translate("ImportDialog", "guessed")
        if s == "user":
            return translate("ImportDialog", "as entered")
        if s == "missing":
            return translate("ImportDialog", "missing")
        return str(source)

    def _encoding_source_text(self, source: Any) -> str:
        """How the text encoding was found, in words."""
        s = str(source or "").strip().lower()
        if s == "cpg":
            return translate("ImportDialog", "from the .cpg file")
        if s == "detected":
            return translate("ImportDialog", "detected")
        if s == "cpg-wrong-detected":
            return translate("ImportDialog", "detected; the .cpg file names a wrong one")
        if s == "user":
            return translate("ImportDialog", "as chosen")
        if s == "utf-8":
            return translate("ImportDialog", "always UTF-8 in this format")
        return str(source)

"""The export dialog's preview and export, both run as jobs."""

from __future__ import annotations

import numbers
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QImage, QPixmap
from PySide6.QtWidgets import (
    QTableWidgetItem,
)

from ...app.exports import locked_render as _locked_render
from ...app.exports import map_spec, period_of, run_export, table_sheets
from ...errors import GridWatchError
from ...tasks import CancelToken, ProgressCallback
from .. import i18n
from ..jobs import Job
from .export_parts import (
    _ERROR_STYLE,
    _OK_STYLE,
    FOLDER_KEY,
    FORMATS,
    PREVIEW_DPI,
    PREVIEW_ROWS,
    _size_text,
)

# Texts keep the ExportDialog translation context (they are the ExportDialog's own).
translate = QCoreApplication.translate


class ExportRunning:
    """Preview and export of the chosen options (part of ExportDialog)."""

    def _project_changed(self, *_args: Any) -> None:
        if getattr(self.controller, "path", None) not in (None, self.project_path):
            return
        self._shown_key = None
        self._schedule_preview()

    def _schedule_preview(self) -> None:
        self._debounce.start()

    def refresh_preview(self) -> None:
        """Compute the preview of the current options on a worker thread (stale ones are dropped)."""
        self._debounce.stop()
        if self._preview_worker is not None:
            self._preview_worker.cancel()
        self._preview_gen += 1
        kind = self.kind()
        path, now = self.project_path, self.now
        try:
            options = self._core_options(kind, self.options())
        except GridWatchError as exc:
            self._preview_worker = None
            self._show_preview_error(i18n.error_text(exc))
            return
        key = (kind, repr(sorted((k, v) for k, v in options.items() if k != "dpi")))
        if key == self._shown_key:
            # only the resolution or the file format changed: same picture, new description
            self._preview_worker = None
            self.preview_info.setStyleSheet("")
            if kind == "map":
                self.preview_info.setText(self._map_info(options))
            elif kind != "html":
                self._show_sheet()
            self.preview_message = self.preview_info.text()
            self.previewUpdated.emit()
            return
        self._shown_key = None
        self.preview_info.setStyleSheet("")
        self.preview_info.setText(translate("ExportDialog", "Updating the preview…"))

        if kind == "map":
            def work(progress: ProgressCallback, cancel: CancelToken) -> Any:
                from ...export.maps import export_map

                spec = replace(map_spec(options, now), dpi=PREVIEW_DPI)
                with tempfile.TemporaryDirectory(prefix="gridwatch-preview-") as folder:
                    out = _locked_render(cancel, lambda: export_map(path, Path(folder) / "page1.png", spec,
                                                                    cancel=cancel))
                    image = QImage(str(out))  # QImage (not QPixmap) may be made on a worker thread
                return ("map", image, options, key)
        elif kind == "html":
            def work(progress: ProgressCallback, cancel: CancelToken) -> Any:
                from ...export.html import render_html
                from ...export.html_layers import build_layers

                layers, facts = build_layers(path, layers=options["layers"], township=options.get("township"),
                                             fire_days=options.get("fire_days"), now=now,
                                             period=period_of(options, now),
                                             coverage_colours=options.get("coverage_colours", True))
                cancel.raise_if_cancelled()
                size = len(render_html(layers, facts).encode("utf-8"))
                return ("html", [(layer.title, len(layer)) for layer in layers], size, key)
        else:
            def work(progress: ProgressCallback, cancel: CancelToken) -> Any:
                return ("table", table_sheets(kind, path, options, now), key)

        worker = Job(work, "export-preview", tag=self._preview_gen)
        worker.succeeded.connect(self._preview_done, Qt.ConnectionType.QueuedConnection)
        worker.failed.connect(self._preview_failed, Qt.ConnectionType.QueuedConnection)
        self._preview_worker = worker
        worker.start()

    @property
    def preview_busy(self) -> bool:
        """True while a preview is scheduled or being computed."""
        # _preview_worker is cleared on the GUI thread when its (queued) result has been shown
        return self._debounce.isActive() or self._preview_worker is not None

    def _preview_done(self, job: Job, result: Any) -> None:
        if job.tag != self._preview_gen:
            return
        self._preview_worker = None
        what = result[0]
        self._shown_key = result[-1]
        if what == "map":
            image, options = result[1], result[2]
            self.preview_image.set_image(QPixmap.fromImage(image))
            self.preview_info.setText(self._map_info(options))
        elif what == "html":
            rows, size = result[1], result[2]
            self._fill_table([translate("ExportDialog", "Layer"), translate("ExportDialog", "Features")],
                             [[t, n] for t, n in rows])
            total = sum(n for _, n in rows)
            text = translate("ExportDialog", "%1 layers, %2 features; the file will be about %3 and opens "
                                               "offline in any browser.")
            self.preview_info.setText(text.replace("%1", str(len(rows))).replace("%2", str(total))
                                      .replace("%3", _size_text(size)))
        else:
            self._sheets = result[1]
            self.sheet_combo.blockSignals(True)
            self.sheet_combo.clear()
            self.sheet_combo.addItems(list(self._sheets))
            self.sheet_combo.blockSignals(False)
            self._show_sheet()
        self.preview_message = self.preview_info.text()
        self.previewUpdated.emit()

    def _map_info(self, options: dict[str, Any]) -> str:
        from ...export.maps import PAPER_MM

        short, long = PAPER_MM[options["paper"]]
        w_mm, h_mm = (short, long) if options["orientation"] == "portrait" else (long, short)
        paper = "%s %s" % (options["paper"], self.orientation.currentText())
        if self.suffix() == ".png":
            px = (round(w_mm / 25.4 * options["dpi"]), round(h_mm / 25.4 * options["dpi"]))
            return translate("ExportDialog", "Page 1 shown at %1 dpi. The PNG will be %2 at %3 dpi (%4 × %5 pixels).") \
                .replace("%1", str(PREVIEW_DPI)).replace("%2", paper).replace("%3", str(options["dpi"])) \
                .replace("%4", str(px[0])).replace("%5", str(px[1]))
        pages = 1 + len(self.townships) if options.get("atlas") else 1
        text = translate("ExportDialog", "Page 1 shown at %1 dpi. The PDF will be %2, %3 page(s), vector with text "
                                         "you can search.")
        return text.replace("%1", str(PREVIEW_DPI)).replace("%2", paper).replace("%3", str(pages))

    def _show_sheet(self) -> None:
        name = self.sheet_combo.currentText()
        frame = self._sheets.get(name)
        if frame is None:
            return
        head = frame.head(PREVIEW_ROWS)
        rows = [[v for v in row] for row in head.itertuples(index=False, name=None)]
        self._fill_table([str(c) for c in frame.columns], rows)
        n = len(frame)
        info = [translate("ExportDialog", "Sheet %1: %2 rows.").replace("%1", name).replace("%2", str(n))]
        if n > PREVIEW_ROWS:
            info.append(translate("ExportDialog", "The first %1 rows are shown.").replace("%1", str(PREVIEW_ROWS)))
        if self.suffix() == ".csv":
            info.append(translate("ExportDialog", "A CSV file holds only the first sheet (%1).")
                        .replace("%1", next(iter(self._sheets))))
        elif len(self._sheets) > 1:
            info.append(translate("ExportDialog", "The workbook has %1 sheets: %2.")
                            .replace("%1", str(len(self._sheets)))
                        .replace("%2", "、".join(self._sheets)))
        self.preview_info.setText(" ".join(info))
        self.preview_message = info

    def _fill_table(self, header: list[str], rows: list[list[Any]]) -> None:
        t = self.preview_table
        t.clear()
        t.setColumnCount(len(header))
        t.setRowCount(len(rows))
        t.setHorizontalHeaderLabels(header)
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                text = "" if value is None or (isinstance(value, float) and value != value) else str(value)
                if text in ("<NA>", "NaT", "nan"):
                    text = ""
                item = QTableWidgetItem(text)
                if isinstance(value, numbers.Real) and not isinstance(value, bool):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                t.setItem(i, j, item)
        t.resizeColumnsToContents()
        for j in range(t.columnCount()):
            t.setColumnWidth(j, max(56, min(t.columnWidth(j), 260)))

    def _preview_failed(self, job: Job, message: str, kind: str) -> None:
        if job.tag != self._preview_gen:
            return
        self._preview_worker = None
        if kind == "cancelled":
            return
        self._show_preview_error(message)

    def _show_preview_error(self, message: str) -> None:
        self._shown_key = None
        self.preview_info.setStyleSheet(_ERROR_STYLE)
        self.preview_info.setText(translate("ExportDialog", "No preview: %s") % message)
        self.preview_message = self.preview_info.text()
        self.previewUpdated.emit()

    @property
    def exporting(self) -> bool:
        return self._export_worker is not None

    def start_export(self) -> None:
        """Export: check the options and the file name, then write on a worker thread."""
        if self.exporting:
            return
        kind = self.kind()
        self._clear_result()
        typed = Path(self.out_edit.text().strip()).suffix.lower()
        if typed != self.suffix() and typed in FORMATS[kind]:
            self.format.setCurrentIndex(self.format.findData(typed))  # "报告.csv" typed: CSV it is
        out = self.output_path()
        if out is None:
            self._show_error(translate("ExportDialog", "Choose the file to write."))
            return
        try:
            options = self._core_options(kind, self.options())
        except GridWatchError as exc:
            self._show_error(translate("ExportDialog", "Cannot export to %1: %2").replace("%1", str(out))
                             .replace("%2", i18n.error_text(exc)))
            return
        if self.out_edit.text().strip() != str(out):
            self.out_edit.setText(str(out))
        path, now = self.project_path, self.now
        self._export_gen += 1
        worker = Job(lambda progress, cancel: run_export(kind, path, out, options, now=now, progress=progress,
                                                         cancel=cancel), "export-" + kind, tag=self._export_gen)
        worker.progressed.connect(self._export_progress, Qt.ConnectionType.QueuedConnection)
        worker.succeeded.connect(self._export_done, Qt.ConnectionType.QueuedConnection)
        worker.failed.connect(self._export_failed, Qt.ConnectionType.QueuedConnection)
        worker.out = out  # type: ignore[attr-defined]
        self._export_worker = worker
        self._set_busy(True)
        self.status.setStyleSheet("")
        self.status.setText(translate("ExportDialog", "Exporting to %s…") % out.name)
        worker.start()

    def cancel_export(self) -> None:
        """Cancel: the export stops at its next step; an existing file is left as it was."""
        if self._export_worker is not None:
            self._export_worker.cancel()
            self.cancel_button.setEnabled(False)
            self.status.setText(translate("ExportDialog", "Cancelling…"))

    def _set_busy(self, busy: bool) -> None:
        self.progress.setValue(0)
        self.progress.setFormat("%p%")
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)
        self.cancel_button.setEnabled(busy)
        self.export_button.setEnabled(not busy)
        self.kind_list.setEnabled(not busy)
        self.options_box.setEnabled(not busy)
        self.output_box.setEnabled(not busy)

    def _export_progress(self, job: Job, fraction: float, message: str) -> None:
        if job.tag != self._export_gen or self._export_worker is None:
            return
        self.progress.setValue(int(round(max(0.0, min(1.0, fraction)) * 1000)))
        self.progress.setFormat((message.replace("%", "％") + "  " if message else "") + "%p%")

    def _export_done(self, job: Job, result: Any) -> None:
        if job.tag != self._export_gen:
            return
        self._export_worker = None
        self._set_busy(False)
        out = Path(result)
        self.last_written = out
        self.settings.setValue(FOLDER_KEY, str(out.parent))
        try:
            size = _size_text(out.stat().st_size)
        except OSError:
            size = ""
        self.status.setStyleSheet(_OK_STYLE)
        self.status.setText(translate("ExportDialog", "Written: %1 (%2)").replace("%1", str(out)).replace("%2", size))
        self.open_folder.show()
        self.exported.emit(out)
        self.exportFinished.emit(out)

    def _export_failed(self, job: Job, message: str, kind: str) -> None:
        if job.tag != self._export_gen or self._export_worker is None:
            return
        out = getattr(self._export_worker, "out", None)
        self._export_worker = None
        self._set_busy(False)
        if kind == "cancelled":
            self.status.setStyleSheet("")
            self.status.setText(translate("ExportDialog", "Export cancelled; %s was not changed.")
                                % (out.name if out else ""))
        else:
            if out is not None and str(out) in message:  # core messages name the file themselves
                self._show_error(translate("ExportDialog", "Could not write: %s") % message)
            else:
                self._show_error(translate("ExportDialog", "Could not write %1: %2").replace("%1", str(out))
                                 .replace("%2", message))
        self.exportFinished.emit(None)

    def _show_error(self, text: str) -> None:
        self.status.setStyleSheet(_ERROR_STYLE)
        self.status.setText(text)

    def _clear_result(self) -> None:
        self.status.setText("")
        self.status.setStyleSheet("")
        self.open_folder.hide()

    def open_output_folder(self) -> None:
        """Open folder: the folder of the written file in the system's file manager."""
        if self.last_written is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.last_written.parent)))

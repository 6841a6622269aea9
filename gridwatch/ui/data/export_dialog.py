"""Export for briefings (File > Export for briefing…): maps, the interactive HTML map and tables.

The dialog offers five exports, each with its own options, an output file and a preview:

- map (地图): :func:`~gridwatch.export.maps.export_map` or ``export_atlas``; PDF or PNG;
- web map (交互式网页地图): :func:`~gridwatch.export.html.export_html`; HTML;
- findings ledger (整改台账): :func:`~gridwatch.export.tables.ledger_sheets`; XLSX or CSV;
- coverage table (覆盖率表): :func:`~gridwatch.analysis.coverage.coverage_from_project` and
  :func:`~gridwatch.export.tables.coverage_sheets`; XLSX or CSV;
- monthly ranking (月通报排名): :func:`~gridwatch.export.tables.ranking_sheets`; XLSX or CSV.

These are the functions ``gridwatch export ...`` calls, so a file made here equals the file the
command line makes with the same options.

Previews: a map is rendered as page 1 at :data:`PREVIEW_DPI` by the same ``export_map`` into a
temporary PNG; a table shows the first :data:`PREVIEW_ROWS` rows of a sheet and the row count; the
HTML map lists its layers, their feature counts and the file size.  Previews are refreshed
:data:`PREVIEW_DELAY_MS` after the last option change.

Every preview and export runs on a plain Python thread (``threading.Thread``), never on a
``QThreadPool`` thread: pyproj keeps a per-thread PROJ context that dangles on reused Qt pool
threads (pyproj issue #1509) and every map reprojects.  Results come back through queued signals
and carry a generation number, so a late preview of options the user has since changed is dropped.
Matplotlib's cached font objects are not thread-safe, so map previews and map exports take turns
(:data:`gridwatch.app.exports.RENDER_LOCK`).  The core writes every file to a temp file beside the target and moves it
into place: a failed or cancelled export leaves an existing file as it was.
"""

from __future__ import annotations

import datetime as _dt
import os
from pathlib import Path
from typing import Any, Optional

from PySide6.QtCore import QEvent, QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QWidget,
)

from ...app.periods import parse_periods
from ...errors import GridWatchError
from ..jobs import Job
from ..widgets import retranslate_safely, settings_of
from .export_form import ExportForm
from .export_parts import (
    _FILE_WORDS,
    _FILTERS,
    FOLDER_KEY,
    FORMATS,
    KIND_KEY,
    KINDS,
    PREVIEW_DELAY_MS,
    PREVIEW_DPI,
    PREVIEW_ROWS,
    _checked,
    _set_checked,
    workers_running,
)
from .export_run import ExportRunning

__all__ = ["ExportDialog", "KINDS", "FORMATS", "PREVIEW_DPI", "PREVIEW_ROWS", "workers_running"]


# --------------------------------------------------------------------------------------------
# widgets


class ExportDialog(QDialog, ExportForm, ExportRunning):
    """Export maps, the HTML map and the briefing tables of one project (see the module docstring).

    Parameters
    ----------
    project_path : path-like, optional
        The project (.gpkg); default the controller's project.
    settings : QSettings, optional
        Where the last output folder is remembered; default the controller's settings.
    parent : QWidget, optional
    controller : WorkflowController, optional
        The main window's controller (its project and settings).

    ``now`` (attribute, default None = the clock) fixes the moment the exports describe.
    ``exported`` is emitted with the written path; ``previewUpdated`` after a preview was shown.
    """

    exported = Signal(object)
    previewUpdated = Signal()
    exportFinished = Signal(object)  # the written path, or None after an error or cancel

    def __init__(self, project_path: Optional[os.PathLike[str] | str] = None, settings: Optional[QSettings] = None,
                 parent: Optional[QWidget] = None, controller: Optional[Any] = None) -> None:
        super().__init__(parent)
        self.setObjectName("exportDialog")
        self.controller = controller
        if project_path is None and controller is not None:
            project_path = getattr(controller, "path", None)
        if project_path is None:
            raise GridWatchError("no project is open: open a project before exporting")
        self.project_path = Path(project_path)
        self.settings = settings_of(controller, settings)
        self.now: Optional[_dt.datetime] = None
        self.district = ""
        self.townships: list[tuple[str, str]] = []
        self.load_error = ""  # the project could not be read (gone, locked, damaged): said in the status line
        self._load_townships()
        self._paths: dict[str, str] = {}  # output path per kind (the user may switch kinds and back)
        self._preview_gen = 0
        self._preview_worker: Optional[Job] = None
        self._shown_key: Optional[tuple[str, str]] = None  # options of the preview on screen
        self._export_gen = 0
        self._export_worker: Optional[Job] = None
        self._sheets: dict[str, Any] = {}
        self.last_written: Optional[Path] = None
        self.preview_message = ""
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(PREVIEW_DELAY_MS)
        self._debounce.timeout.connect(self.refresh_preview)

        self._build()
        self.retranslate()
        if controller is not None and hasattr(controller, "changed"):
            controller.changed.connect(self._project_changed)  # an edit elsewhere: the preview follows
        kind = str(self.settings.value(KIND_KEY, "map") or "map")
        self.kind_list.setCurrentRow(KINDS.index(kind) if kind in KINDS else 0)  # shows it (_kind_changed)
        self.resize(1180, 760)
        if self.load_error:
            self._show_error(self.load_error)

    # --- project facts --------------------------------------------------------------------------
    def _load_townships(self) -> None:
        from ...app.store import Project
        from ...errors import GridWatchError
        from ..i18n import error_text

        try:
            project = Project.open(self.project_path)
        except GridWatchError as exc:  # the file went bad under an open window; exporting says so again
            self.load_error = error_text(exc)
            return
        self.district = project.district_name or ""
        towns = project.read_layer("township", columns=["code", "name"])
        pairs = sorted(zip(towns["code"].astype(str), towns["name"].astype(str)))
        self.townships = [(c, n) for c, n in pairs]

    # --- texts ----------------------------------------------------------------------------------


    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            retranslate_safely(self)
        super().changeEvent(event)

    # --- options --------------------------------------------------------------------------------
    def kind(self) -> str:
        item = self.kind_list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else "map"

    def set_kind(self, kind: str) -> None:
        self.kind_list.setCurrentRow(KINDS.index(kind))

    def options(self) -> dict[str, Any]:
        """The options of the current export, as the core functions take them."""
        kind = self.kind()
        period = self.period_control.period()
        if kind == "map":
            return {"title": self.map_title.text().strip(), "paper": self.paper.currentData(),
                    "orientation": self.orientation.currentData(), "dpi": int(self.dpi.currentData()),
                    "extent": self.map_extent.currentData() or "district", "theme": self.theme.currentData(),
                    "layers": _checked(self.map_layers),
                    "atlas": self.atlas.isChecked() and self.suffix() == ".pdf", "period": period,
                    "coverage_basis": str(self.map_basis.currentData())}
        if kind == "html":
            layers = _checked(self.html_layers) + (["fire_point"] if self.html_fires.isChecked() else [])
            return {"township": self.html_township.currentData() or None, "layers": layers, "period": period,
                    "coverage_colours": self.html_theme.currentData() == "coverage",
                    "coverage_basis": str(self.html_basis.currentData())}
        if kind == "ledger":
            statuses = _checked(self.ledger_status)
            return {"statuses": statuses if len(statuses) < self.ledger_status.count() else None,
                    "township": self.ledger_township.currentData() or None, "all_statuses": statuses,
                    "period": period}
        if kind == "coverage":
            return {"periods_text": self.periods.text(), "basis": str(self.basis.currentData())}
        d = self.month.date()
        return {"month": f"{d.year():04d}-{d.month():02d}",
                "weights": {k: float(s.value()) for k, s in self.weights.items()}}

    def _core_options(self, kind: str, options: dict[str, Any]) -> dict[str, Any]:
        """``options`` checked and completed; GridWatchError names a wrong one."""
        from ...analysis import stats

        out = dict(options)
        if kind == "map" and not out["layers"]:
            raise GridWatchError(self.tr("Choose at least one layer for the map."))
        if kind == "html" and not out["layers"]:
            raise GridWatchError(self.tr("Choose at least one layer for the web map."))
        if kind == "ledger" and not out["all_statuses"]:
            raise GridWatchError(self.tr("Choose at least one finding status for the ledger."))
        if kind == "coverage":
            out["periods"] = parse_periods(out["periods_text"])
        if kind == "ranking":
            stats.validate_weights(out["weights"])
        return out

    def _options_changed(self) -> None:
        if self.kind() == "map":
            self._update_atlas_enabled()
        self._schedule_preview()

    def _theme_changed(self) -> None:
        from ...export.maps import DEFAULT_LAYERS

        _set_checked(self.map_layers, DEFAULT_LAYERS[self.theme.currentData()])
        self.map_basis.setEnabled(self.theme.currentData() == "coverage")
        self._options_changed()

    def _atlas_changed(self) -> None:
        self._update_atlas_enabled()
        self._update_default_name()
        self._schedule_preview()

    def _update_atlas_enabled(self) -> None:
        pdf = self.kind() == "map" and self.suffix() == ".pdf"
        self.atlas.setEnabled(pdf)
        self.atlas.setToolTip("" if pdf else self.tr("An atlas is a multi-page PDF: choose the PDF format"))
        self.map_extent.setEnabled(not (pdf and self.atlas.isChecked()))

    def _set_statuses(self, statuses: Any) -> None:
        _set_checked(self.ledger_status, statuses)
        self._options_changed()

    def _reset_weights(self) -> None:
        from ...analysis import stats

        for key, spin in self.weights.items():
            spin.setValue(stats.DEFAULT_WEIGHTS[key])

    def _kind_changed(self) -> None:
        kind = self.kind()
        previous = getattr(self, "_shown_kind", None)
        if previous is not None:
            self._paths[previous] = self.out_edit.text()
        self._shown_kind = kind
        self.settings.setValue(KIND_KEY, kind)
        self.options_stack.setCurrentIndex(KINDS.index(kind))
        self.format.blockSignals(True)
        self.format.clear()
        for suffix in FORMATS[kind]:
            self.format.addItem(suffix[1:].upper(), suffix)
        self.format.blockSignals(False)
        saved = self._paths.get(kind)
        if saved:
            self.out_edit.setText(saved)
            i = self.format.findData(Path(saved).suffix.lower())
            if i >= 0:
                self.format.blockSignals(True)
                self.format.setCurrentIndex(i)
                self.format.blockSignals(False)
        else:
            self.out_edit.setText(str(self._default_path(kind)))
        self.preview_stack.setCurrentIndex(0 if kind == "map" else 1)
        self.sheet_combo.setVisible(kind != "html")
        self.sheet_label.setVisible(kind != "html")
        self._update_atlas_enabled()
        self._clear_result()
        self.refresh_preview()

    # --- output file ----------------------------------------------------------------------------
    def suffix(self) -> str:
        return str(self.format.currentData() or FORMATS[self.kind()][0])

    def _folder(self) -> Path:
        folder = str(self.settings.value(FOLDER_KEY, "") or "")
        if folder and Path(folder).is_dir():
            return Path(folder)
        return self.project_path.parent

    def _default_path(self, kind: str) -> Path:
        now = (self.now or _dt.datetime.now(_dt.timezone.utc)).astimezone(_dt.timezone(_dt.timedelta(hours=8)))
        word = _FILE_WORDS["atlas" if kind == "map" and self.atlas.isChecked() else kind]
        if kind == "ranking":
            d = self.month.date()
            stamp = f"{d.year():04d}{d.month():02d}"
        else:
            stamp = now.strftime("%Y%m%d")
        parts = [p for p in (self.district, word, stamp) if p]
        suffix = self.suffix() if self.suffix() in FORMATS[kind] else FORMATS[kind][0]
        return self._folder() / ("_".join(parts) + suffix)

    def _update_default_name(self) -> None:
        """After the atlas box changes: a default-looking file name follows it."""
        current = Path(self.out_edit.text())
        if any(w in current.name for w in (_FILE_WORDS["map"], _FILE_WORDS["atlas"])):
            self.out_edit.setText(str(current.parent / self._default_path("map").name))

    def output_path(self) -> Optional[Path]:
        text = self.out_edit.text().strip()
        if not text:
            return None
        path = Path(os.path.expanduser(text))
        if not path.is_absolute():
            path = self._folder() / path
        if path.suffix.lower() != self.suffix() and not (self.suffix() == ".html" and path.suffix.lower() == ".htm"):
            path = path.with_name(path.name + self.suffix()) if path.suffix.lower() not in _FILTERS \
                else path.with_suffix(self.suffix())
        return path

    def _format_changed(self) -> None:
        text = self.out_edit.text().strip()
        if text:
            path = Path(text)
            if path.suffix.lower() in _FILTERS:
                self.out_edit.setText(str(path.with_suffix(self.suffix())))
        self._update_atlas_enabled()
        self._schedule_preview()

    def choose_file(self) -> None:
        """Browse…: a save-file dialog starting in the last export folder."""
        current = self.output_path() or self._default_path(self.kind())
        filters = ";;".join(_FILTERS[s] for s in FORMATS[self.kind()])
        path, chosen = QFileDialog.getSaveFileName(self, self.tr("Export to"), str(current), filters,
                                                   _FILTERS[self.suffix()])
        if not path:
            return
        suffix = next((s for s, f in _FILTERS.items() if f == chosen), self.suffix())
        p = Path(path)
        if p.suffix.lower() not in FORMATS[self.kind()]:
            p = p.with_name(p.name + suffix)
        i = self.format.findData(p.suffix.lower() if p.suffix.lower() != ".htm" else ".html")
        if i >= 0:
            self.format.setCurrentIndex(i)
        self.out_edit.setText(str(p))
        self.settings.setValue(FOLDER_KEY, str(p.parent))

    # --- closing --------------------------------------------------------------------------------
    def done(self, result: int) -> None:  # noqa: D401 - Qt API
        """Closing cancels a running preview or export (an existing file stays as it was)."""
        self._debounce.stop()
        if self._preview_worker is not None:
            self._preview_worker.cancel()
        if self._export_worker is not None:
            self._export_worker.cancel()
        super().done(result)

"""The import dialog's check and import, both run as jobs."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QTableWidgetItem,
)

from ...app.imports import ImportOptions, ImportReport, PreparedImport, commit_import, guess_field_map, prepare_import
from ...errors import CRSError
from ...layers import LAYERS
from ..i18n import error_text
from ..jobs import Job
from ..texts import field_title, layer_title, value_title
from .import_parts import (
    _job,
    _Snapshot,
)

# Texts keep the ImportDialog translation context (they are the ImportDialog's own).
translate = QCoreApplication.translate


class ImportRunning:
    """Check (prepare_import) and import (commit_import) of the chosen options (part of ImportDialog)."""

    def _rebuild_field_map(self) -> None:
        spec = LAYERS[self.kind()]
        fields = [f for f in spec.fields if f.name != "uuid"]
        guesses = guess_field_map(spec, self._source_fields) if self._source_fields else {}
        self._building = True
        try:
            for combo in self._map_combos.values():
                # Replaced cell widgets are only deleted later: unname them now so that nothing
                # (findChild, a test, an accessibility tool) finds a stale box meanwhile.
                combo.setObjectName("")
                combo.blockSignals(True)
            self.field_table.setRowCount(0)
            self.field_table.setRowCount(len(fields))
            self._map_combos = {}
            for row, f in enumerate(fields):
                item = QTableWidgetItem()
                item.setData(Qt.ItemDataRole.UserRole, f.name)
                item.setToolTip(f.name)
                self.field_table.setItem(row, 0, item)
                combo = QComboBox()
                combo.setObjectName(f"importMap_{f.name}")
                combo.addItem("", None)
                for src in self._source_fields:
                    combo.addItem(src, src)
                guess = guesses.get(f.name)
                if guess is not None:
                    combo.setCurrentIndex(combo.findData(guess))
                combo.currentIndexChanged.connect(self._update_state)
                self.field_table.setCellWidget(row, 1, combo)
                self._map_combos[f.name] = combo
        finally:
            self._building = False
        self.field_table.setEnabled(self.kind() != "fire_point")
        self._retranslate_field_map()

    def _snapshot(self) -> _Snapshot:
        fmap = {} if self.kind() == "fire_point" else self.field_map()
        values = tuple(sorted((f, str(v), str(code)) for f, m in self.value_map_now().items() for v, code in m.items()))
        return _Snapshot(self._file_text(), self.kind(), self.source_layer(), self.encoding(),
                         self.crs(), self.mode(), tuple(sorted(fmap.items())), values)

    def _duplicate_sources(self) -> list[str]:
        seen: dict[str, int] = {}
        for combo in self._map_combos.values():
            src = combo.currentData()
            if src is not None:
                seen[str(src)] = seen.get(str(src), 0) + 1
        return [s for s, n in seen.items() if n > 1]

    def check(self) -> None:
        """Run prepare_import on a worker; shows the summary and enables Import when it succeeds."""
        if self._importing():
            return
        snap = self._snapshot()
        if not snap.file:
            self._show_summary(translate("ImportDialog", "Choose a file first."), error=True)
            return
        dup = self._duplicate_sources() if self.kind() != "fire_point" else []
        if dup:
            self._show_summary(translate("ImportDialog",
                                         "Each source field can fill only one layer field; used twice: %s")
                               % ", ".join(dup), error=True)
            return
        self.prepared = None
        self._checked = None
        if self._check_job is not None:
            self._check_job.cancel()  # superseded: its answer will be dropped
        value_map: dict[str, dict[str, str]] = {}
        for name, value, code in snap.value_map:
            value_map.setdefault(name, {})[value] = code
        options = ImportOptions(kind=snap.kind, source_layer=snap.source_layer, field_map=dict(snap.field_map),
                                encoding=snap.encoding, crs=snap.crs, mode=snap.mode, user=self.user,
                                unmapped=self.unmapped_fields() if snap.kind != "fire_point" else (),
                                value_map=value_map, skip_bad_rows=True)
        project, source = self.project_path, Path(snap.file)
        job = _job(lambda progress, cancel: (snap, prepare_import(project, source, options,
                                                                  progress=progress, cancel=cancel)),
                   f"checking {source} for {snap.kind}")
        job.progressed.connect(self._on_progress, Qt.ConnectionType.QueuedConnection)
        job.succeeded.connect(self._on_check_done, Qt.ConnectionType.QueuedConnection)
        job.failed.connect(self._on_check_failed, Qt.ConnectionType.QueuedConnection)
        self._check_job = job
        self._show_summary(translate("ImportDialog", "Checking %s…") % source.name)
        self.progress.setValue(0)
        self.progress.show()
        job.start()
        self._update_state()

    def _on_check_done(self, job: Job, result: tuple[_Snapshot, PreparedImport]) -> None:
        job.handled = True
        if job is not self._check_job:
            return
        self.progress.hide()
        snap, prepared = result
        if snap != self._snapshot():  # the options changed while checking: that check is stale
            self._show_summary(translate("ImportDialog", "The options changed during the check; check again."))
            self._update_state()
            return
        self.prepared = prepared
        self._checked = snap
        r = prepared.report
        lines = report_lines(r)
        self._show_bad_values(r)
        if snap.kind != "fire_point":
            # The core fills fields it matches by name even when the box says "(none)": say so.
            chosen = dict((dst, src) for src, dst in snap.field_map)
            for target, source in sorted((r.field_map or {}).items()):
                if target not in chosen and target in self._map_combos:
                    lines.append(translate("ImportDialog",
                                           "{field} is filled from the column {column} (matched by name).").format(
                        field=field_title(snap.kind, target), column=source))
        if snap.mode == "replace":
            lines.append(translate("ImportDialog",
                                   "Replace: every feature now in {layer} is deleted before the import.").format(
                layer=layer_title(snap.kind)))
        if r.imported == 0:
            lines.append(translate("ImportDialog", "Nothing to import."))
        self._show_summary("\n".join(lines), error=r.imported == 0)
        self.summary_label.setToolTip("\n".join(r.repaired[:20] + r.converted + r.notes))
        self._update_state()

    def _show_bad_values(self, r: ImportReport) -> None:
        """The values the layer does not allow, each with what to do: leave its rows out or use a value."""
        spec = LAYERS[self.kind()]
        entries = [(f, v, n) for f, counts in sorted(r.bad_values.items()) for v, n in sorted(counts.items())]
        mapped = [(f, v) for f, m in self.value_map_now().items() for v in m]
        self.bad_box.setVisible(bool(entries) or bool(mapped))
        if not entries and not mapped:
            return
        rows = entries + [(f, v, 0) for f, v in mapped if not any(e[0] == f and e[1] == v for e in entries)]
        self.bad_table.setRowCount(len(rows))
        self.bad_table.setHorizontalHeaderLabels([translate("ImportDialog", "Field"),
                                                  translate("ImportDialog", "Value in the file"),
                                                  translate("ImportDialog", "Rows"),
                                                  translate("ImportDialog", "What to do")])
        for i, (name, value, n) in enumerate(rows):
            f = spec.field(name)
            self.bad_table.setItem(i, 0, QTableWidgetItem(field_title(self.kind(), name)))
            self.bad_table.setItem(i, 1, QTableWidgetItem(value or translate("ImportDialog", "(empty)")))
            self.bad_table.setItem(i, 2, QTableWidgetItem(str(n) if n else "—"))
            combo = QComboBox()
            combo.setObjectName(f"importBad_{name}_{i}")
            combo.addItem(translate("ImportDialog", "Leave these rows out"), None)
            for code in f.choices or ():
                combo.addItem(translate("ImportDialog", "Use %s") % value_title(code), code)
            chosen = self.value_map.get(name, {}).get(value)
            if chosen is not None:
                combo.setCurrentIndex(max(0, combo.findData(chosen)))
            combo.currentIndexChanged.connect(lambda _i, c=combo, n_=name, v=value: self._on_bad_value_choice(n_, v, c))
            self.bad_table.setCellWidget(i, 3, combo)
        self.bad_table.resizeColumnsToContents()
        skipped = len({s["row"] for s in r.skipped})
        self.bad_hint.setText(translate("ImportDialog", "%1 row(s) hold values this layer does not allow; they are "
                                                        "left out unless you choose a value for them. Nothing is "
                                                        "written before Import.").replace("%1", str(skipped)))

    def _on_bad_value_choice(self, name: str, value: str, combo: QComboBox) -> None:
        code = combo.currentData()
        if code is None:
            self.value_map.get(name, {}).pop(value, None)
        else:
            self.value_map.setdefault(name, {})[value] = str(code)
        self._update_state()
        self.check()  # the choice changes what is imported: check again at once

    def _on_check_failed(self, job: Job, message: str, how: str) -> None:
        exc = job.error
        job.handled = True
        if job is not self._check_job:
            return
        self.progress.hide()
        if how == "cancelled":
            self._show_summary(translate("ImportDialog", "Check cancelled."))
        elif how == "bug":
            self._show_summary(translate("ImportDialog",
                                         "Unexpected error while checking the file (details are in the log): ")
                               + message, error=True)
        else:
            if isinstance(exc, CRSError):
                message = self._crs_problem(exc)
            else:
                message = error_text(exc) if exc is not None else message
            self._show_summary(translate("ImportDialog",
                                         "This file cannot be imported as it is:") + "\n" + message, error=True)
        self._update_state()

    def run_import(self) -> None:
        """Write the checked rows (commit_import) on a worker; accepts the dialog when done."""
        if not self._import_allowed():
            return
        prepared = self.prepared
        assert prepared is not None
        job = _job(lambda progress, cancel: commit_import(prepared, progress=progress, cancel=cancel),
                   f"importing {prepared.source} into {prepared.options.kind}")
        job.progressed.connect(self._on_progress, Qt.ConnectionType.QueuedConnection)
        job.succeeded.connect(self._on_import_done, Qt.ConnectionType.QueuedConnection)
        job.failed.connect(self._on_import_failed, Qt.ConnectionType.QueuedConnection)
        self._import_job = job
        self.progress.setValue(0)
        self.progress.show()
        self._show_summary(translate("ImportDialog", "Importing into %s…") % layer_title(prepared.options.kind))
        job.start()
        self._update_state()

    def cancel(self) -> None:
        """Stop the running check or import (an import is rolled back: nothing is written)."""
        for job in (self._import_job, self._check_job):
            if job is not None and not job.handled:
                job.cancel()
        self.cancel_button.setEnabled(False)

    def _on_import_done(self, job: Job, report: ImportReport) -> None:
        """The import is written: say what it did (the dialog stays open until the user closes it)."""
        job.handled = True
        self.progress.setValue(100)
        self.progress.hide()
        self.report = report
        self.prepared = None
        self._checked = None
        self._import_job_done()
        lines = [translate("ImportDialog", "Imported: %1 feature(s) written to %2.").replace(
            "%1", f"{report.imported:,}").replace("%2", layer_title(report.kind))] + report_lines(report)[1:]
        self._show_summary("\n".join(lines))
        self.summary_label.setProperty("done", True)
        self._update_state()
        self.imported.emit(report)

    def _on_import_failed(self, job: Job, message: str, how: str) -> None:
        job.handled = True
        self.progress.hide()
        self._import_job_done()
        self.prepared = None
        self._checked = None
        if how == "cancelled":
            self._show_summary(translate("ImportDialog", "Import cancelled: nothing was written."), error=True)
        elif how == "bug":
            self._show_summary(translate("ImportDialog", "Unexpected error while importing (details are in the log); "
                                       "the project is unchanged: ") + message, error=True)
        else:
            self._show_summary(translate("ImportDialog", "Import failed:") + "\n" + message + "\n"
                               + translate("ImportDialog", "Check the file again before importing."), error=True)
        self._update_state()

    def _import_job_done(self) -> None:
        self.options_box.setEnabled(True)
        self.field_table.setEnabled(self.kind() != "fire_point")

    def _on_progress(self, job: Job, fraction: float, message: str) -> None:
        if job is not self._import_job and job is not self._check_job or job.handled:
            return
        self.progress.setValue(int(round(100 * max(0.0, min(1.0, fraction)))))
        self.progress.setFormat(f"%p% {message}" if message else "%p%")

    def _importing(self) -> bool:
        return self._import_job is not None and not self._import_job.handled

    def _checking(self) -> bool:
        return self._check_job is not None and not self._check_job.handled

    def _import_allowed(self) -> bool:
        return (self.prepared is not None and self._checked is not None and not self._importing()
                and not self._checking() and self._checked == self._snapshot()
                and self.prepared.report.imported > 0)


def _note_text(note: str) -> str:
    """A note the importer writes in English, as the Import dialog says it ('' for others: tooltip only)."""
    if note == "coordinates read as WGS84 longitude/latitude (fire-point table without a CRS)":
        return translate("ImportDialog", "Coordinates read as WGS84 longitude/latitude (a fire-point table "
                                         "carries no coordinate system).")
    if note == "times read as UTC (FIRMS acq_date/acq_time are UTC)":
        return translate("ImportDialog", "Times read as UTC (FIRMS acq_date/acq_time are UTC) and shown in "
                                         "Beijing time.")
    return ""


def report_lines(r: ImportReport) -> list[str]:
    """What a check or an import found, in the user's language (the core's notes as far as known)."""
    lines = [translate("ImportDialog", "Read %1 feature(s) from %2; %3 to import into %4.")
             .replace("%1", f"{r.read:,}").replace("%2", Path(r.file).name).replace("%3", f"{r.imported:,}")
             .replace("%4", layer_title(r.kind))]
    if r.empty_dropped:
        lines.append(translate("ImportDialog", "%1 empty or missing geometries are dropped.").replace(
            "%1", f"{r.empty_dropped:,}"))
    if r.repaired:
        lines.append(translate("ImportDialog", "%1 invalid geometries are repaired (details in the tooltip).").replace(
            "%1", f"{len(r.repaired):,}"))
    if r.outside:
        lines.append(translate("ImportDialog", "%1 point(s) outside the district are not stored.").replace(
            "%1", f"{r.outside:,}"))
    if r.duplicates:
        lines.append(translate("ImportDialog", "%1 detection(s) already in the project are not stored again.").replace(
            "%1", f"{r.duplicates:,}"))
    if r.skipped:
        lines.append(translate("ImportDialog", "%1 row(s) with values the layer does not allow are left out.").replace(
            "%1", f"{len({s['row'] for s in r.skipped}):,}"))
    if r.replaced:
        lines.append(translate("ImportDialog", "%1 feature(s) that were in the layer are replaced.").replace(
            "%1", f"{r.replaced:,}"))
    lines += [t for t in (_note_text(n) for n in r.notes) if t]
    return lines

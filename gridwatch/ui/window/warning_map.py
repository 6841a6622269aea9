"""Heavy-pollution warnings on the map, and the office's upkeep when a project opens (part of MainWindow).

While a warning is in force the period bar names it and the canvas draws a frame in its colour, a
banner with its level and period, and each construction site under way as checked or not (read on a
worker).  A supervisor ends a warning early from the menu (its summary is kept).  When the office's
copy opens (and after every sync, which reopens it), the summaries of warnings that have ended are
kept and the campaigns' rounds that have started are created (Qt-free: :mod:`gridwatch.app.upkeep`).
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, Optional

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMessageBox

from ...app.store import warning_on_map
from ...domain.policy import Action
from .. import i18n
from ..jobs import Job, run_job
from ..map.warning_overlay import WarningOverlay, WarningState

translate = QCoreApplication.translate


class WindowWarning:
    """The warning's frame, banner and site checks on the map; ending a warning; the office's upkeep."""

    warning_overlay: WarningOverlay
    #: The warning in force (its row), for "End warning"; None: none.
    warning_row: Optional[dict[str, Any]] = None
    #: Fixed "now" for tests; None: the clock.
    warning_now: Optional[_dt.datetime] = None

    def _make_warning_map(self) -> None:
        self.warning_overlay = WarningOverlay()
        self.canvas.overlay_painters.append(self.warning_overlay)

    def show_warning(self) -> None:
        """Show the warning in force beside the period and on the map (none: hidden)."""
        from ..analysis.plans import warning_text

        path = getattr(self, "project_path", None)
        text = warning_text(path, self.warning_now, i18n.current())
        self.warning_label.setText(text)
        self.warning_action.setVisible(bool(text))
        if not text:
            self._warning_job = None  # a job still running was asked before: its answer is stale
            self.warning_row = None
            self.warning_overlay.state = None
            self.canvas.update()
            self._update_actions()
            return
        now = self.warning_now
        self._warning_job = run_job(lambda progress, cancel: warning_on_map(path, now), "warning-map",
                                    succeeded=self._on_warning_map, failed=self._job_failed_in_status_bar)

    def _on_warning_map(self, job: Job, result: Optional[tuple[dict[str, Any], Any]]) -> None:
        from ..analysis.plans import warning_text

        if job is not getattr(self, "_warning_job", None):
            return  # asked before the warning changed (ended, or a newer question): not what is in force
        if result is None or self.data is None:
            self.warning_row, self.warning_overlay.state = None, None
        else:
            warning, sites = result
            self.warning_row = warning
            points: list[tuple[float, float, bool]] = []
            layer = self.data.layers.get("construction_site")
            if layer is not None and len(sites):
                frame = layer.frame
                where = dict(zip(frame["uuid"], frame.geometry.representative_point()))
                points = [(float(where[u].x), float(where[u].y), bool(c)) for u, c in zip(sites["uuid"],
                                                                                       sites["checked"]) if u in where]
            n, checked = len(sites), int(sites["checked"].sum()) if len(sites) else 0
            banner = (warning_text(self.project_path, self.warning_now, i18n.current(), with_start=True) + "\n" +
                      translate("MainWindow", "Sites under way: %1, checked %2, unchecked %3")
                      .replace("%1", str(n)).replace("%2", str(checked)).replace("%3", str(n - checked)))
            self.warning_overlay.state = WarningState(str(warning["level"]), banner, points)
        self.canvas.update()
        self._update_actions()

    def end_warning_now(self) -> None:
        """Inspections > End the warning now (supervisors): its end becomes now, its summary is kept."""
        from ...app.store import end_warning

        if self.warning_row is None:
            return
        answer = QMessageBox.question(self, translate("MainWindow", "End warning"), translate(
            "MainWindow", "End the warning in force now? Its summary (sites checked, breaches found, unchecked "
                          "sites) is kept as it stands."))
        if answer == QMessageBox.StandardButton.Yes:
            self.workflow.run(end_warning, str(self.warning_row["uuid"]))

    def gate_end_warning(self, gate: Any) -> None:
        wf = self.workflow
        gate(self.act_end_warning, self.warning_row is not None and wf.may(Action.DECLARE_WARNING),
             wf.refusal(Action.DECLARE_WARNING) or translate("MainWindow", "No warning is in force"))

    # --- the office's upkeep --------------------------------------------------------------------
    def office_upkeep(self) -> Optional[Job]:
        """Keep ended warnings' summaries and create the campaign rounds that have started (the office's
        copy only: asked of the domain policy in the core); on a worker."""
        from ...app.upkeep import upkeep

        path, actor = self.project_path, self.workflow.actor
        if path is None or actor is None or self.workflow.read_only:
            return None
        return run_job(lambda progress, cancel: upkeep(path, actor), "upkeep", succeeded=self._on_upkeep,
                       failed=self._job_failed_in_status_bar)

    def _job_failed_in_status_bar(self, job: Job, message: str, kind: str) -> None:
        # a bound method, not a lambda: Qt drops the connection when the window is deleted, so a job that
        # fails after its window has gone (a test's, or a window replaced) does not call into a deleted one
        self.statusBar().showMessage(message, 8000)

    def _on_upkeep(self, job: Job, done: Any) -> None:
        if not (done.summaries or done.tasks):
            return
        self.workflow.reload()
        self.show_warning()
        self.statusBar().showMessage(done.text(i18n.current()), 12000)

"""The work plans in the app (issue 17): the township assessment dialog (考核: ranking with fire
deductions, ties, veto items, change against the previous period, the Word bulletin), the
heavy-pollution warning dialog, and the banner the dashboard shows (season, warning in force,
reporting deadlines).  Reads and exports run through the one worker runner; edits through the
workflow controller (undoable, refused by the core when the role may not)."""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

from PySide6.QtCore import QDateTime, QEvent, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from ...analysis.assessment import AssessmentPeriod, assessment_from_project, current_period, parse_assessment_period
from ...app.store import plans
from ...domain.calendar import report_deadlines, season_of
from ...domain.policy import Action
from ...domain.seasonal import season_plan
from ...domain.vocabulary import (
    DEADLINE_TITLES,
    DUST_GRADE_TITLES,
    KIND_TITLES,
    VETO_ITEM_TITLES,
    WARNING_LEVEL_TITLES,
    title,
)
from ...errors import GridWatchError
from ...times import BEIJING, beijing_text
from .. import i18n
from ..jobs import Job, run_job
from ..session import PendingEdit, error_label
from ..widgets import fill, fit_to_screen, hbox, named, record_table, retranslate_safely
from .ranking_view import RANKING_COLUMNS, fill_ranking, ranking_headers

if TYPE_CHECKING:
    import pandas as pd
else:
    from ...lazy import pd

KINDS = ("month", "quarter", "year")


def _today() -> _dt.date:
    return _dt.datetime.now(_dt.timezone.utc).astimezone(BEIJING).date()


def warning_text(path: Optional[Path], now: Optional[_dt.datetime] = None, language: str = "zh_CN",
                 with_start: bool = False) -> str:
    """The heavy-pollution warning in force ('' without one): what the map's bar and the dashboard show."""
    if path is None:
        return ""
    t = now or _dt.datetime.now(_dt.timezone.utc)
    try:
        settings = plans.read_settings(path)
        warning = plans.warning_in_force(path, t)
    except GridWatchError:
        return ""
    if warning is None:
        return ""
    ends = pd.Timestamp(warning["ends_at"])
    end = (ends if ends.tzinfo else ends.tz_localize("UTC")).tz_convert(BEIJING)
    name = title(WARNING_LEVEL_TITLES, warning["level"], language)
    stop = plans.stops_earthwork(str(warning["level"]), settings["earthwork_stop_level"])
    start = beijing_text(warning["starts_at"], "%m-%d %H:%M") + " " if with_start else ""
    if language.startswith("zh"):
        return "⚠ " + name + f" {start}至 {end:%m-%d %H:%M}" + ("：停止工地土石方作业" if stop else "")
    return f"⚠ {name} {start + 'to' if start else 'until'} {end:%m-%d %H:%M}" + (": earthwork stopped" if stop else "")


def banner_text(path: Optional[Path], now: Optional[_dt.datetime] = None, language: str = "zh_CN") -> str:
    """The season, a warning in force and the next reporting deadlines, on one line ('' without a project)."""
    if path is None:
        return ""
    t = now or _dt.datetime.now(_dt.timezone.utc)
    today = t.astimezone(BEIJING).date()
    zh = language.startswith("zh")
    season = season_of(today)
    try:
        settings: Optional[dict[str, Any]] = plans.read_settings(path)
    except GridWatchError:
        settings = None
    kind = title(KIND_TITLES, season_plan(settings or {}, today).default_kind, language)  # the district's calendar
    parts = [f"{season.title_zh}：{season.focus_zh}（默认任务：{kind}）" if zh
             else f"{season.title_en} (new tasks: {kind})"]
    warning = warning_text(path, t, language)
    if warning:
        parts.append(warning)
    if settings is not None:
        for key, day in report_deadlines(today, settings["township_report_day"], settings["bulletin_day"]):
            left = (day - today).days
            parts.append(f"{title(DEADLINE_TITLES, key, language)} {day:%m-%d}" +
                         (f"（还有 {left} 天）" if zh else f" ({left} days)"))
    return "　|　".join(parts)


class AssessmentDialog(QDialog):
    """Analysis > Township assessment: the ranking of a month, quarter or year; veto items; the bulletin."""

    def __init__(self, controller: Any, townships: list[tuple[str, str]], parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setObjectName("assessmentDialog")
        self.controller = controller
        self.now: Optional[_dt.datetime] = None  # tests pin the moment
        self.kind = named(QComboBox(), "assessmentKind")
        for k in KINDS:
            self.kind.addItem("", k)
        self.period_edit = named(QLineEdit(current_period("month", _today()).previous().label), "assessmentPeriod")
        self.compute_button = named(QPushButton(), "assessmentCompute", clicked=self.compute)
        self.table = record_table(named(QTableWidget(0, len(RANKING_COLUMNS)), "assessmentTable"))
        self.status = named(QLabel(), "assessmentStatus")
        self.status.setWordWrap(True)
        # a veto item: township, item, date, reason
        self.veto_town = named(QComboBox(), "vetoTownship")
        for code, name in townships:
            self.veto_town.addItem(name, code)
        self.veto_item = named(QComboBox(), "vetoItem")
        for code in VETO_ITEM_TITLES:
            self.veto_item.addItem("", code)
        self.veto_date = named(QDateEdit(), "vetoDate")
        self.veto_date.setDisplayFormat("yyyy-MM-dd")
        self.veto_date.setDate(_today())
        self.veto_reason = named(QLineEdit(), "vetoReason")
        self.veto_button = named(QPushButton(), "vetoSet", clicked=self.set_veto)
        self.veto_error = error_label("vetoError")
        # the veto items on record: a supervisor lifts one with a reason (the same reason field)
        self.veto_list = record_table(named(QTableWidget(0, 4), "vetoList"))
        self.veto_list.setMaximumHeight(120)
        self.lift_button = named(QPushButton(), "vetoLift", clicked=self.lift_veto)
        self.bulletin_button = named(QPushButton(), "assessmentBulletin", clicked=self.choose_bulletin_file)
        self.close_buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.close_buttons.rejected.connect(self.reject)
        self._labels = [QLabel() for _ in range(2)]
        self.veto_box = QWidget()
        fill(self.veto_box, hbox(self._labels[1], self.veto_town, self.veto_item, self.veto_date, stretch=False),
             hbox((self.veto_reason, 1), self.veto_button, self.lift_button, stretch=False), self.veto_list,
             self.veto_error, margins=0)
        fill(self, hbox(self._labels[0], self.kind, self.period_edit, self.compute_button, self.bulletin_button),
             (self.table, 1), self.status, self.veto_box, self.close_buttons)
        self.kind.currentIndexChanged.connect(self._kind_chosen)
        self.pending = PendingEdit(controller, self, lambda e: e.action in ("set_veto", "lift_veto"), self.veto_error,
                                   on_refused=self._veto_buttons, on_applied=self._veto_applied)
        self.result: Optional[Any] = None
        self._job: Optional[Job] = None
        fit_to_screen(self, 980, 620)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Township assessment"))
        for i, text in enumerate((self.tr("Monthly bulletin"), self.tr("Quarterly comparison"),
                                  self.tr("Yearly assessment"))):
            self.kind.setItemText(i, text)
        for i, code in enumerate(VETO_ITEM_TITLES):
            self.veto_item.setItemText(i, title(VETO_ITEM_TITLES, code, i18n.current()))
        self._labels[0].setText(self.tr("Period:"))
        self._labels[1].setText(self.tr("Veto item:"))
        self.period_edit.setToolTip(self.tr("2026-11 (a month), 2026-Q4 (a quarter) or 2026 (a year)"))
        self.compute_button.setText(self.tr("Compute"))
        self.bulletin_button.setText(self.tr("Bulletin (Word)…"))
        self.bulletin_button.setToolTip(self.tr("The bulletin of this period as a Word document: ranking, fire "
                                                "points by kind, coverage, overdue and rejected findings, the map"))
        self.veto_reason.setPlaceholderText(self.tr("Reason (what happened, the evidence)"))
        self.veto_button.setText(self.tr("Set veto"))
        self.lift_button.setText(self.tr("Lift selected"))
        self._veto_buttons()
        self.veto_list.setHorizontalHeaderLabels([self.tr("Township"), self.tr("Veto item"), self.tr("Date"),
                                                  self.tr("Reason")])
        self.table.setHorizontalHeaderLabels(ranking_headers())
        self.show_vetoes()
        if self.result is not None:
            self._fill()

    def _veto_buttons(self) -> None:
        """Setting and lifting are the supervisor's (asked of the domain policy)."""
        why = self.controller.refusal(Action.SET_VETO) if self.controller is not None else ""
        self.veto_button.setEnabled(not why)
        self.veto_button.setToolTip(why or self.tr("The township is put last in every period holding this date"))
        self.lift_button.setEnabled(not why)
        self.lift_button.setToolTip(why or self.tr("Lift the veto item selected below; give the reason above"))

    def _veto_applied(self, edit: Any) -> None:
        self.veto_reason.clear()
        self._veto_buttons()
        self.show_vetoes()
        self.compute()

    def show_vetoes(self) -> None:
        """The veto items on record (newest date first); the uuid is the first cell's user data."""
        path = self.controller.path if self.controller is not None else None
        try:
            frame = plans.vetoes(path) if path is not None else pd.DataFrame()
        except GridWatchError:
            frame = pd.DataFrame()
        names = {str(self.veto_town.itemData(i)): self.veto_town.itemText(i) for i in range(self.veto_town.count())}
        rows = frame.iloc[::-1] if len(frame) else frame
        self.veto_list.setRowCount(len(rows))
        for i, (_, r) in enumerate(rows.iterrows()):
            cells = [names.get(str(r["township_code"]), str(r["township_code"])),
                     title(VETO_ITEM_TITLES, r["item"], i18n.current()), str(r["occurred_on"])[:10], str(r["reason"])]
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if j == 0:
                    item.setData(Qt.ItemDataRole.UserRole, str(r["uuid"]))
                self.veto_list.setItem(i, j, item)
        self.veto_list.resizeColumnsToContents()

    def lift_veto(self) -> None:
        """Lift the selected veto item with the reason given (required: the core refuses an empty one)."""
        row = self.veto_list.currentRow()
        self.veto_error.hide()
        if row < 0:
            self.veto_error.setText(self.tr("Choose the veto item to lift in the list."))
            self.veto_error.show()
            return
        uuid = self.veto_list.item(row, 0).data(Qt.ItemDataRole.UserRole)
        self.lift_button.setEnabled(False)
        self.pending.start()
        self.controller.run(plans.lift_veto, str(uuid), self.veto_reason.text().strip())

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            retranslate_safely(self)
        super().changeEvent(event)

    def _kind_chosen(self) -> None:
        kind = str(self.kind.currentData())
        p = current_period(kind, _today())
        self.period_edit.setText((p.previous() if kind == "month" else p).label)

    def period(self) -> AssessmentPeriod:
        return parse_assessment_period(self.period_edit.text())

    def compute(self) -> None:
        """The assessment of the chosen period, on the worker."""
        path = self.controller.path if self.controller is not None else None
        if path is None:
            return
        try:
            period = self.period()
        except GridWatchError as exc:
            self.status.setText(i18n.error_text(exc))
            return
        now = self.now
        self.status.setText(self.tr("Computing…"))
        self._job = run_job(lambda progress, cancel: assessment_from_project(path, period, now=now, progress=progress,
                                                                             cancel=cancel),
                            "assessment", succeeded=self._on_result, failed=self._on_failed)

    def _on_result(self, job: Job, result: Any) -> None:
        if job is not self._job:
            return
        self.result = result
        self._fill()

    def _on_failed(self, job: Job, message: str, kind: str) -> None:
        if job is self._job:
            self.status.setText(message)

    def _fill(self) -> None:
        t = self.result.table
        fill_ranking(self.table, t)
        self.table.resizeColumnsToContents()
        self.status.setText(self.tr("%1: %2 townships; equal scores share a rank, vetoed townships are last; fire "
                                    "points checked as no burning or heat sources are not counted")
                            .replace("%1", self.result.period.label_zh).replace("%2", str(len(t))))

    def set_veto(self) -> None:
        reason = self.veto_reason.text().strip()
        qd = self.veto_date.date()
        self.veto_error.hide()
        self.veto_button.setEnabled(False)
        self.pending.start()
        self.controller.run(plans.set_veto, str(self.veto_town.currentData()), str(self.veto_item.currentData()),
                            _dt.date(qd.year(), qd.month(), qd.day()), reason)

    def choose_bulletin_file(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, self.tr("Save the bulletin"),
                                              f"通报-{self.period_edit.text().strip()}.docx",
                                              self.tr("Word documents (*.docx)"))
        if name:
            self.export_bulletin(Path(name))

    def export_bulletin(self, out: Path) -> Optional[Job]:
        """Write the bulletin of the chosen period to ``out`` on the worker (the one export runner)."""
        from ...app.exports import run_export

        path = self.controller.path if self.controller is not None else None
        if path is None:
            return None
        options = {"assessment_period": self.period_edit.text().strip()}
        now = self.now
        self.status.setText(self.tr("Writing the bulletin…"))
        self._export_job = run_job(lambda progress, cancel: run_export("bulletin", path, out, options, now=now,
                                                                       progress=progress, cancel=cancel),
                                   "bulletin", succeeded=self._on_written, failed=self._on_export_failed)
        return self._export_job

    def _on_written(self, job: Job, out: Any) -> None:
        self.status.setText(self.tr("Wrote %s") % str(out))

    def _on_export_failed(self, job: Job, message: str, kind: str) -> None:
        self.status.setText(message)


class WarningDialog(QDialog):
    """Inspections > Declare heavy-pollution warning: level, period, note; orange and red stop earthwork
    and create a check of every construction site under way, due the same day."""

    def __init__(self, controller: Any, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setObjectName("warningDialog")
        self.controller = controller
        self.explain = named(QLabel(), "warningExplain")
        self.explain.setWordWrap(True)
        self.level = named(QComboBox(), "warningLevel")
        for code in WARNING_LEVEL_TITLES:
            self.level.addItem("", code)
        self.level.setCurrentIndex(1)
        now = QDateTime.currentDateTime()
        self.start = named(QDateTimeEdit(now), "warningStart")
        self.end = named(QDateTimeEdit(now.addDays(2)), "warningEnd")
        for edit in (self.start, self.end):
            edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.note = named(QLineEdit(), "warningNote")
        self.error = error_label("warningError")
        self.summary = named(QLabel(), "warningSummary")  # the latest warning: sites checked, breaches, unchecked
        self.summary.setWordWrap(True)
        # every warning with its summary as kept when it ended (an ended one exports)
        self.list = record_table(named(QTableWidget(0, 8), "warningList"))
        self.list.setMinimumHeight(150)
        self.export_button = named(QPushButton(), "warningExport", clicked=self.choose_export_file)
        self.export_button.setEnabled(False)
        self.list.itemSelectionChanged.connect(
            lambda: self.export_button.setEnabled(self.chosen_summary() is not None))
        self.kept: dict[str, Any] = {}
        self._labels = [QLabel() for _ in range(4)]
        form = QFormLayout()
        for label, widget in zip(self._labels, (self.level, self.start, self.end, self.note)):
            label.setBuddy(widget)
            form.addRow(label, widget)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        fill(self, self.explain, form, self.summary, (self.list, 1), hbox(self.export_button), self.error,
             self.buttons)
        self.setMinimumWidth(640)
        self.pending = PendingEdit(controller, self, lambda e: e.action == "declare_warning", self.error,
                                   on_refused=lambda: self._ok().setEnabled(True))
        self.retranslate()

    def _ok(self) -> Any:
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Declare heavy-pollution warning"))
        self.explain.setText(self.tr("From orange up the plans stop earthwork on construction sites: every site "
                                     "under way gets a check, due 23:59 on the first day, for its cell's inspector. "
                                     "The dashboard shows the warning while it is in force."))
        for i, code in enumerate(WARNING_LEVEL_TITLES):
            self.level.setItemText(i, title(WARNING_LEVEL_TITLES, code, i18n.current()))
        for label, text in zip(self._labels, (self.tr("&Level:"), self.tr("&From (Beijing time):"),
                                              self.tr("&To (Beijing time):"), self.tr("&Note:"))):
            label.setText(text)
        self.note.setPlaceholderText(self.tr("The warning's number or text"))
        why = self.controller.refusal(Action.DECLARE_WARNING) if self.controller is not None else ""
        self.summary.setText(self.latest_summary())
        self.list.setHorizontalHeaderLabels([self.tr("Level"), self.tr("From"), self.tr("To"), self.tr("State"),
                                             self.tr("Sites"), self.tr("Checked"), self.tr("Breaches"),
                                             self.tr("Unchecked")])
        self.export_button.setText(self.tr("Export the kept summary…"))
        self.fill_list()
        self._ok().setText(self.tr("Declare"))
        self._ok().setEnabled(not why)
        self._ok().setToolTip(why)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            retranslate_safely(self)
        super().changeEvent(event)

    def latest_summary(self) -> str:
        """The latest warning: the sites under way, how many were checked while it was in force, the
        breaches found and the unchecked sites (by name, the first ten)."""
        path = self.controller.path if self.controller is not None else None
        if path is None:
            return ""
        try:
            frame = plans.warnings(path)
            if not len(frame):
                return ""
            row, sites = plans.warning_summary(path, str(frame["uuid"].iloc[0]))
        except GridWatchError as exc:
            return i18n.error_text(exc)
        unchecked = sites.loc[~sites["checked"].astype(bool), "name"].tolist() if len(sites) else []
        text = (self.tr("Latest: %1 from %2 to %3. Sites under way: %4; checked: %5; breaches found: %6; "
                        "unchecked: %7.")
                .replace("%1", title(WARNING_LEVEL_TITLES, row["level"], i18n.current()))
                .replace("%2", beijing_text(row["starts_at"])).replace("%3", beijing_text(row["ends_at"]))
                .replace("%4", str(len(sites))).replace("%5", str(int(sites["checked"].sum()) if len(sites) else 0))
                .replace("%6", str(int(sites["breaches"].sum()) if len(sites) else 0))
                .replace("%7", str(len(unchecked))))
        return text + ("\n" + "、".join(unchecked[:10]) + ("…" if len(unchecked) > 10 else "") if unchecked else "")

    def fill_list(self) -> None:
        """Every warning, latest first, with its kept summary (an ended one) or its state."""
        from ...app.store import stored_summaries

        path = self.controller.path if self.controller is not None else None
        try:
            frame = plans.warnings(path) if path is not None else pd.DataFrame()
            self.kept = stored_summaries(path) if path is not None else {}
        except GridWatchError as exc:
            self.error.setText(i18n.error_text(exc))
            self.error.show()
            return
        now = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        self.list.setRowCount(len(frame))
        for i, r in enumerate(frame.to_dict("records")):
            s = self.kept.get(r["uuid"])
            state = ((self.tr("Ended early") if s["ended_early"] else self.tr("Ended")) if s else
                     self.tr("In force") if r["starts_at"] <= now < r["ends_at"] else
                     self.tr("Declared") if now < r["starts_at"] else self.tr("Ended, summary not kept yet"))
            cells = [title(WARNING_LEVEL_TITLES, r["level"], i18n.current()), beijing_text(r["starts_at"]),
                     beijing_text(s["ends_at"] if s else r["ends_at"]), state] + \
                ([str(s[k]) for k in ("sites_under_way", "checked", "breaches", "unchecked")] if s else [""] * 4)
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, r["uuid"])
                if j >= 4:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.list.setItem(i, j, item)
        self.list.resizeColumnsToContents()

    def chosen_summary(self) -> Optional[dict[str, Any]]:
        items = self.list.selectedItems()
        return self.kept.get(items[0].data(Qt.ItemDataRole.UserRole)) if items else None

    def choose_export_file(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, self.tr("Export the warning's summary"), "预警汇总.xlsx",
                                              self.tr("Excel (*.xlsx);;CSV (*.csv)"))
        if name:
            self.export_summary(Path(name))

    def export_summary(self, out: Path) -> Optional[Job]:
        """Write the chosen warning's kept summary (XLSX: the warning and its sites; CSV: the sites) on the worker."""
        from ...app.store import summary_sheets
        from ...export.tables import write_tables

        summary = self.chosen_summary()
        if summary is None:
            return None
        sheets = summary_sheets(summary)
        if out.suffix.lower() == ".csv":
            sheets = {"工地检查": sheets["工地检查"]}
        return run_job(lambda progress, cancel: write_tables(sheets, out), "warning-summary",
                       succeeded=self._summary_written, failed=self._summary_failed)

    # bound methods, not lambdas: Qt drops the connections when this panel is deleted before the job ends
    def _summary_written(self, job: Job, path: Any) -> None:
        self.error.hide()
        self.summary.setText(self.tr("Written: %s") % path)

    def _summary_failed(self, job: Job, message: str, kind: str) -> None:
        self.error.setText(message)
        self.error.show()

    def values(self) -> dict[str, Any]:
        def aware(edit: QDateTimeEdit) -> _dt.datetime:
            d, t = edit.dateTime().date(), edit.dateTime().time()
            return _dt.datetime(d.year(), d.month(), d.day(), t.hour(), t.minute(), tzinfo=BEIJING)

        return {"level": str(self.level.currentData()), "start": aware(self.start), "end": aware(self.end),
                "note": self.note.text().strip()}

    def accept(self) -> None:
        v = self.values()
        self.error.hide()
        self._ok().setEnabled(False)
        self.pending.start()
        self.controller.run(plans.declare_warning, v["level"], v["start"], v["end"], note=v["note"])


class DowngradeDialog(QDialog):
    """Rule checks > Downgrade site: a lower dust grade and the reason (及时降级; audited, undoable)."""

    def __init__(self, controller: Any, site_uuid: str, site_name: str, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setObjectName("downgradeDialog")
        self.controller = controller
        self.site_uuid = site_uuid
        self.site_name = site_name
        self.explain = named(QLabel(), "downgradeExplain")
        self.explain.setWordWrap(True)
        self.grade = named(QComboBox(), "downgradeGrade")
        for code in ("B", "C"):
            self.grade.addItem(title(DUST_GRADE_TITLES, code, i18n.current()), code)
        self.grade.setCurrentIndex(1)
        self.reason = named(QLineEdit(), "downgradeReason")
        self.error = error_label("downgradeError")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self._labels = [QLabel(), QLabel()]
        form = QFormLayout()
        for label, widget in zip(self._labels, (self.grade, self.reason)):
            form.addRow(label, widget)
        fill(self, self.explain, form, self.error, self.buttons)
        self.setMinimumWidth(460)
        self.pending = PendingEdit(controller, self, lambda e: e.action == "downgrade_site", self.error,
                                   on_refused=lambda: self.buttons.button(
                                       QDialogButtonBox.StandardButton.Ok).setEnabled(True))
        self.setWindowTitle(self.tr("Downgrade construction site"))
        self.explain.setText(self.tr("Lower the dust grade of %s. The reason is kept in its change history.")
                             % site_name)
        self._labels[0].setText(self.tr("New grade:"))
        self._labels[1].setText(self.tr("Reason:"))
        self.reason.setPlaceholderText(self.tr("What the check found"))

    def accept(self) -> None:
        self.error.hide()
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)
        self.pending.start()
        self.controller.run(plans.downgrade_site, self.site_uuid, str(self.grade.currentData()),
                            self.reason.text().strip())

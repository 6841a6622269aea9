"""Assigning inspections to cells and creating fire-point checks."""

from __future__ import annotations

import datetime as _dt
from collections import Counter
from typing import Any, Optional

from PySide6.QtCore import QDateTime, QEvent, QTime, QTimeZone
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from ...app.pins import phone_tail
from ...app.store import (
    ASSIGNMENT_KINDS,
    TARGET_LAYERS,
    create_assignments,
    create_fire_checks,
    default_task_kind,
    fire_check_preview,
    fire_check_since,
)
from ...domain.policy import Action
from ...domain.seasonal import season_plan
from ...domain.vocabulary import KIND_TITLES, PRIORITY_TITLES, ROLE_TITLES, title
from ...errors import GridWatchError
from .. import i18n
from ..session import WorkflowController
from ..widgets import fill, named, retranslate_safely

_BJ = _dt.timezone(_dt.timedelta(hours=8))
# Beijing time (UTC+8, no daylight saving): the one time zone people read and type times in.
BEIJING_ZONE = QTimeZone(8 * 3600)


def _lang() -> str:
    return i18n.current()


def _ok_cancel(dialog: QDialog) -> QDialogButtonBox:
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons


class AssignDialog(QDialog):
    """Assign one inspection per chosen cell (or per chosen feature of a target layer)."""

    def __init__(
        self,
        controller: WorkflowController,
        cell_codes: list[str],
        *,
        target_layer: Optional[str] = None,
        target_uuids: Optional[list[str]] = None,
        description: str = "",
        townships: Optional[dict[str, str]] = None,
        parent: Optional[QWidget] = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("assignDialog")
        self.controller = controller
        #: Township names by code: people are listed with theirs (two 张伟 are common).
        self.townships = dict(townships or {})
        self.cell_codes = list(cell_codes)
        self.target_layer = target_layer
        self.target_uuids = list(target_uuids) if target_uuids is not None else None
        self.description = description

        self.description_label = named(QLabel(description), "assignDescription")
        self.description_label.setWordWrap(True)
        self.description_label.setVisible(bool(description))
        self.count_label = named(QLabel(), "assignCount")
        self.kind_combo = named(QComboBox(), "assignKind")
        for kind in ASSIGNMENT_KINDS:
            self.kind_combo.addItem(kind, kind)
        #: The user chose a kind: a new due date no longer picks the season's default.
        self._kind_chosen = False
        self.kind_combo.activated.connect(lambda _i: setattr(self, "_kind_chosen", True))
        self.assignee_combo = named(QComboBox(), "assignAssignee")
        self.assignee_combo.addItem("", None)
        people = controller.people
        if len(people):
            active = people[people["active"].fillna(1) != 0] if "active" in people.columns else people
            actor = controller.actor
            if actor is not None and actor.role == "chief" and "township_code" in active.columns:
                active = active[active["township_code"] == actor.township_code]  # a chief's own township
            for role in ("inspector", "chief", "supervisor"):
                for _, p in active[active["role"] == role].sort_values("name").iterrows():
                    self.assignee_combo.addItem(str(p["name"]), str(p["uuid"]))
        # One time zone everywhere: Beijing time, whatever the laptop's clock is set to (lists show it too).
        self.due_edit = named(QDateTimeEdit(), "assignDue")
        self.due_edit.setTimeZone(BEIJING_ZONE)
        self.due_edit.setCalendarPopup(True)
        self.due_edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        today = QDateTime.currentDateTime().toTimeZone(BEIJING_ZONE).date()
        self.due_edit.setDateTime(QDateTime(today.addDays(1), QTime(18, 0), BEIJING_ZONE))
        self.due_edit.dateChanged.connect(lambda _d: self._default_kind())
        self._default_kind()
        self.priority_combo = named(QComboBox(), "assignPriority")
        for p in (1, 2, 3):
            self.priority_combo.addItem(str(p), p)
        self.priority_combo.setCurrentIndex(1)
        self.notes_edit = named(QPlainTextEdit(), "assignNotes")
        self.notes_edit.setMaximumHeight(90)
        self.refusal_label = named(QLabel(), "assignRefusal")
        self.refusal_label.setWordWrap(True)
        self.refusal_label.setStyleSheet("color: #c62828;")

        self.form = QFormLayout()
        self._form_labels = [QLabel() for _ in range(5)]
        for label, widget in zip(self._form_labels, (self.kind_combo, self.assignee_combo, self.due_edit,
                                                     self.priority_combo, self.notes_edit)):
            label.setBuddy(widget)
            self.form.addRow(label, widget)
        self.buttons = _ok_cancel(self)
        fill(self, self.description_label, self.count_label, self.form, self.refusal_label, self.buttons)
        self.retranslate()

    def _default_kind(self) -> None:
        """The target layer's kind, else the seasonal calendar's first kind for the due date's season."""
        if self._kind_chosen:
            return
        d = self.due_edit.dateTime().toTimeZone(BEIJING_ZONE).date()
        day = _dt.date(d.year(), d.month(), d.day())
        path = getattr(self.controller, "path", None)
        try:
            kind = default_task_kind(path, day, self.target_layer) if path is not None else \
                TARGET_LAYERS.get(self.target_layer or "") or season_plan({}, day).default_kind
        except GridWatchError:
            kind = TARGET_LAYERS.get(self.target_layer or "", "patrol")
        self.kind_combo.setCurrentIndex(max(0, self.kind_combo.findData(kind)))

    def retranslate(self) -> None:
        lang = _lang()
        self.setWindowTitle(self.tr("Assign inspections"))
        cells = len(dict.fromkeys(self.cell_codes))
        if self.target_uuids is not None:
            self.count_label.setText(self.tr("%s tasks: one per feature, in %s cells")
                                     % (len(self.target_uuids), cells))
        else:
            self.count_label.setText(self.tr("%s cells: one task per cell") % cells)
        for label, text in zip(self._form_labels, (self.tr("&Kind:"), self.tr("&Assign to:"),
                                                   self.tr("&Due (Beijing time):"), self.tr("&Priority:"),
                                                   self.tr("&Notes:"))):
            label.setText(text)
        for i in range(self.kind_combo.count()):
            self.kind_combo.setItemText(i, title(KIND_TITLES, self.kind_combo.itemData(i), lang))
        self.assignee_combo.setItemText(0, self.tr("Each cell's own inspector"))
        people = self.controller.people
        by_uuid = {str(p["uuid"]): p for p in people.to_dict("records")} if len(people) else {}
        listed = [by_uuid.get(self.assignee_combo.itemData(i), {}) for i in range(1, self.assignee_combo.count())]
        counts = Counter(str(p.get("name") or "") for p in listed)
        shared = {n for n, k in counts.items() if n and k > 1}
        for i, p in enumerate(listed, start=1):
            self.assignee_combo.setItemText(i, self.person_text(p, str(p.get("name") or "") in shared))
        self.due_edit.setToolTip(self.tr("Due time in Beijing time, as every list shows it"))
        for i in range(self.priority_combo.count()):
            self.priority_combo.setItemText(i, title(PRIORITY_TITLES, self.priority_combo.itemData(i), lang))
        self.notes_edit.setPlaceholderText(self.tr("What to look at (optional)"))
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(self.tr("Assign"))
        if not self.cell_codes:
            self.refusal_label.setText(self.tr("No cells chosen: select cells on the map first."))
        elif not self.controller.may(Action.ASSIGN_TASKS):
            self.refusal_label.setText(self.tr("Only a grid chief, supervisor or administrator may assign "
                                               "inspections."))
        else:
            self.refusal_label.setText("")
        self.refusal_label.setVisible(bool(self.refusal_label.text()))
        ok.setEnabled(not self.refusal_label.text())

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            retranslate_safely(self)
        super().changeEvent(event)

    def due_at(self) -> _dt.datetime:
        """The chosen due time as an aware UTC datetime."""
        secs = self.due_edit.dateTime().toSecsSinceEpoch()
        return _dt.datetime.fromtimestamp(secs, tz=_dt.timezone.utc)

    def person_text(self, person: dict, name_shared: bool) -> str:
        """张海 (inspector, 获鹿镇), and the phone's last digits when another listed person has the same name."""
        details = [title(ROLE_TITLES, person.get("role"), i18n.current())]
        town = self.townships.get(str(person.get("township_code") or ""), "")
        if town:
            details.append(town)
        tail = phone_tail(person.get("phone")) if name_shared else ""
        if tail:
            details.append(self.tr("phone ends in %1").replace("%1", tail))
        text = self.tr("%1 (%2)").replace("%2", self.tr(", ").join(details))
        return text.replace("%1", str(person.get("name") or ""))

    def values(self) -> dict[str, Any]:
        """What Assign will create: the arguments of ``create_assignments``."""
        assignee = self.assignee_combo.currentData()
        return {
            "cell_codes": list(self.cell_codes),
            "kind": str(self.kind_combo.currentData()),
            "due_at": self.due_at(),
            "assignee_uuid": str(assignee) if assignee else None,
            "priority": int(self.priority_combo.currentData()),
            "notes": self.notes_edit.toPlainText().strip(),
            "target_layer": self.target_layer,
            "target_uuids": list(self.target_uuids) if self.target_uuids is not None else None,
        }

    def accept(self) -> None:
        v = self.values()
        self.controller.run(create_assignments, v["cell_codes"], v["kind"], due_at=v["due_at"],
                            assignee_uuid=v["assignee_uuid"], priority=v["priority"], notes=v["notes"],
                            target_layer=v["target_layer"], target_uuids=v["target_uuids"])
        super().accept()


class FireChecksDialog(QDialog):
    """Create fire-point checks for the unverified fire points not yet in a check."""

    def __init__(self, controller: WorkflowController, townships: list[tuple[str, str]],
                 parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setObjectName("fireChecksDialog")
        self.controller = controller
        self.explain = named(QLabel(), "fireChecksExplain")
        self.explain.setWordWrap(True)
        self.deadline = named(QSpinBox(), "fireDeadline")
        self.deadline.setRange(1, 168)
        self.deadline.setValue(24)
        self.township = named(QComboBox(), "fireTownship")
        self.township.addItem("", None)
        for code, name in townships:
            self.township.addItem(str(name), str(code))
        # Detections since the last run of checks, at most the last 24 hours (adjustable); the box lets a
        # supervisor take older ones too (after a holiday), within the hours chosen.
        self.window_hours = named(QSpinBox(), "fireWindowHours")
        self.window_hours.setRange(1, 24 * 30)
        self.window_hours.setValue(24)
        self.before_last = named(QCheckBox(), "fireBeforeLastRun")
        self.last_run_label = named(QLabel(), "fireLastRun")
        self.last_run_label.setWordWrap(True)
        recent_row = QHBoxLayout()
        recent_row.addWidget(self.window_hours)
        recent_row.addWidget(self.before_last)
        recent_row.addStretch(1)
        recent_box = QWidget()
        recent_box.setLayout(recent_row)
        recent_row.setContentsMargins(0, 0, 0, 0)
        self.preview = named(QLabel(), "firePreview")
        self.preview.setWordWrap(True)
        self.refusal_label = QLabel()
        self.refusal_label.setWordWrap(True)
        self.refusal_label.setStyleSheet("color: #c62828;")
        self._form_labels = [QLabel(), QLabel(), QLabel()]
        form = QFormLayout()
        for label, widget in zip(self._form_labels, (self.deadline, self.township, recent_box)):
            label.setBuddy(widget)
            form.addRow(label, widget)
        form.addRow(self.last_run_label)
        self.buttons = _ok_cancel(self)
        fill(self, self.explain, form, self.preview, self.refusal_label, self.buttons)
        self._counts: tuple[int, int] = (0, 0)
        self._now: Optional[_dt.datetime] = None  # tests pin the moment; None: the clock
        self.township.currentIndexChanged.connect(self.update_preview)
        self.window_hours.valueChanged.connect(self.update_preview)
        self.before_last.toggled.connect(self.update_preview)
        actor = controller.actor
        if actor is not None and actor.role == "chief" and actor.township_code:
            # a township grid chief checks their own township's fire points
            self.township.setCurrentIndex(max(0, self.township.findData(actor.township_code)))
            self.township.setEnabled(False)
        self.retranslate()
        self.update_preview()

    def update_preview(self) -> None:
        """How many fire points and checks the current choice makes (a quick read-only query)."""
        if self.controller.path is None:
            return
        v = self.values()
        self._show_window(v)
        try:
            self._counts = fire_check_preview(self.controller.path, township_code=v["township_code"],
                                              since=v["since"])
        except GridWatchError as exc:
            self.preview.setText(i18n.error_text(exc))
            return
        points, checks = self._counts
        if points:
            self.preview.setText(self.tr("%1 unverified fire point(s) without a check → %2 check(s)")
                                 .replace("%1", f"{points:,}").replace("%2", f"{checks:,}"))
        else:
            self.preview.setText(self.tr("No unverified fire points without a check for this choice."))
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(self.controller.may(Action.CREATE_FIRE_CHECKS) and points > 0)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Create fire-point checks"))
        self.explain.setText(self.tr("One check per cell per day for the unverified fire points detected since "
                                     "the last run of checks (at most the last 24 hours) that are not yet in a "
                                     "check. Each check goes to the cell's inspector."))
        self._form_labels[0].setText(self.tr("&Deadline:"))
        self._form_labels[1].setText(self.tr("&Township:"))
        self._form_labels[2].setText(self.tr("Detections of the last:"))
        self.window_hours.setSuffix(self.tr(" h"))
        self.window_hours.setToolTip(self.tr("At most this far back (24 hours unless you change it)"))
        self.before_last.setText(self.tr("also those before the last run"))
        self.before_last.setToolTip(self.tr("Detections not yet in a check that came in before the last run "
                                            "(for instance after a holiday)"))
        self.deadline.setSuffix(self.tr(" h"))
        self.deadline.setToolTip(self.tr("Hours from now until the checks are due"))
        self.township.setItemText(0, self.tr("All townships"))
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(self.tr("Create checks"))
        allowed = self.controller.may(Action.CREATE_FIRE_CHECKS)
        self.refusal_label.setText("" if allowed else
                                   self.tr("Only a grid chief, supervisor or administrator may create fire-point "
                                           "checks."))
        self.refusal_label.setVisible(not allowed)
        ok.setEnabled(allowed)
        if hasattr(self, "_counts"):  # after construction: OK also needs something to create
            self.update_preview()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            retranslate_safely(self)
        super().changeEvent(event)

    def values(self) -> dict[str, Any]:
        """The checks to create: deadline, township, and the detections ``since`` when."""
        code = self.township.currentData()
        now = self._now or _dt.datetime.now(_dt.timezone.utc)
        window = _dt.timedelta(hours=int(self.window_hours.value()))
        since, last = now - window, None
        if self.controller.path is not None:
            since, last = fire_check_since(self.controller.path, now=now, window=window)
            if self.before_last.isChecked():
                since = now - window
        return {"deadline": _dt.timedelta(hours=int(self.deadline.value())),
                "township_code": str(code) if code else None, "since": since, "last_run": last, "now": now}

    def _show_window(self, v: dict[str, Any]) -> None:
        since = v["since"].astimezone(_BJ).strftime("%Y-%m-%d %H:%M")
        last = v["last_run"]
        if last is None:
            text = self.tr("No checks were created before: detections since %1 (Beijing time).")
        else:
            text = self.tr("Last run of checks: %2. New detections since %1 (Beijing time).")
            text = text.replace("%2", last.astimezone(_BJ).strftime("%Y-%m-%d %H:%M"))
        self.last_run_label.setText(text.replace("%1", since))

    def accept(self) -> None:
        v = self.values()
        self.controller.run(create_fire_checks, deadline=v["deadline"], township_code=v["township_code"],
                            since=v["since"], now=v["now"])
        super().accept()

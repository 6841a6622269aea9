"""Dialogs of a finding: record it, take one step of its loop, correct it."""

from __future__ import annotations

import datetime as _dt
from typing import Any, Optional

import shapely
from PySide6.QtCore import QDate, QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from ...app.store import FINDING_CATEGORIES, Edit, change_finding, edit_finding, record_finding
from ...domain.vocabulary import (
    CATEGORY_TITLES,
    FINDING_STATUS_TITLES,
    KIND_TITLES,
    SEVERITY_TITLES,
    title,
)
from ...photos import Photo, photo_flags
from ...times import parse_stored_time as parse_time
from .. import i18n
from ..session import PendingEdit, error_label
from ..widgets import fill, hbox, named, retranslate_safely, set_texts
from .common import (
    _ERROR_STYLE,
    _KIND_CATEGORY,
    FINDING_ACTIONS,
    _changes,
    _int,
    _PhotoPicker,
    _qdate,
    _short,
    _text,
    _to_date,
    cell_geometry,
)


class FindingActionDialog(QDialog, _PhotoPicker):
    """Take one step of a finding's loop: what the step needs, then OK runs ``change_finding``.

    The dialog stays open until the controller reports the edit applied (it then accepts) or
    refused (the message is shown in ``actionError`` and OK is enabled again).
    """

    def __init__(self, controller: Any, finding: dict[str, Any], action: str,
                 parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        if action not in FINDING_ACTIONS:
            raise ValueError(f"unknown finding action {action!r}")
        self.setObjectName("findingActionDialog")
        self.controller = controller
        self.finding = dict(finding)
        self.uuid = str(finding["uuid"])
        self.action = action
        self._cell = None

        self.summary = named(QLabel(), "actionSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        form = QFormLayout()
        self.labels: dict[str, QLabel] = {}
        self.deadline: Optional[QDateEdit] = None
        self.party: Optional[QLineEdit] = None
        self.note: Optional[QPlainTextEdit] = None
        self.reason: Optional[QPlainTextEdit] = None
        self.confirm: Optional[QLabel] = None
        self.remove_photo_button: Optional[QPushButton] = None

        if action == "assign":
            self.deadline = named(QDateEdit(), "actionDeadline")
            self.deadline.setCalendarPopup(True)
            self.deadline.setDisplayFormat("yyyy-MM-dd")
            known = _to_date(finding.get("rectify_deadline"))
            self.deadline.setDate(_qdate(known) if known else QDate.currentDate().addDays(7))
            self.party = named(QLineEdit(_text(finding.get("responsible_party"))), "actionParty")
            self.party.textChanged.connect(self._update_ok)
            form.addRow(self._label("deadline"), self.deadline)
            form.addRow(self._label("party"), self.party)
        elif action == "rectify":
            self.note = self._text_box("actionNote")
            self._init_photos("actionPhotos", "actionError", "actionAddPhotos")
            self._cell = cell_geometry(controller.path, _text(finding.get("cell_code")))
            self.remove_photo_button = named(QPushButton(), "actionRemovePhoto", clicked=self.remove_selected_photos)
            form.addRow(self._label("note"), self.note)
            row = hbox(self.add_photos_button, self.remove_photo_button)
            form.addRow(self._label("photos"), row)
            form.addRow(self.photo_list)
        elif action == "verify":
            self.note = self._text_box("actionNote")
            form.addRow(self._label("note"), self.note)
        elif action == "reject":
            self.reason = self._text_box("actionReason")
            form.addRow(self._label("reason"), self.reason)
        else:
            self.confirm = named(QLabel(), "actionConfirm")
            self.confirm.setWordWrap(True)
            form.addRow(self.confirm)
        if action != "rectify":
            self.photo_error = error_label("actionError")
        self._waiting = PendingEdit(controller, self,
                                    lambda edit: edit.action == self.action and _changes(edit, self.uuid),
                                    self.photo_error, self._update_ok)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.setObjectName("actionButtons")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        fill(self, self.summary, form, self.photo_error, self.buttons)
        self.resize(480, 420 if action == "rectify" else 240)
        self.retranslate()
        self._update_ok()

    def _label(self, key: str) -> QLabel:
        label = QLabel()
        self.labels[key] = label
        return label

    def _text_box(self, name: str) -> QPlainTextEdit:
        box = QPlainTextEdit()
        box.setObjectName(name)
        box.setTabChangesFocus(True)
        box.setMinimumHeight(70)
        box.textChanged.connect(self._update_ok)
        return box

    @property
    def ok_button(self) -> QPushButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def retranslate(self) -> None:
        titles = {"assign": self.tr("Assign for rectification"), "rectify": self.tr("Record rectification"),
                  "verify": self.tr("Verify"), "reject": self.tr("Reject"), "close": self.tr("Close")}
        lang = i18n.current()
        self.setWindowTitle(titles[self.action])
        place = " · ".join(x for x in (_text(self.finding.get("township_name")),
                                       _text(self.finding.get("village_name")),
                                       _text(self.finding.get("cell_name")) or _text(self.finding.get("cell_code")))
                           if x)
        self.summary.setText(" · ".join(x for x in (title(CATEGORY_TITLES, self.finding.get("category"), lang),
                                                    title(FINDING_STATUS_TITLES, self.finding.get("status"), lang),
                                                    place) if x)
                             + ("\n" + _short(_text(self.finding.get("description")), 120)
                                if _text(self.finding.get("description")) else ""))
        texts = {"deadline": self.tr("Rectification deadline"), "party": self.tr("Responsible party"),
                 "note": self.tr("Verification note") if self.action == "verify" else self.tr("What was done"),
                 "photos": self.tr("Photos after rectification"), "reason": self.tr("Reason for rejecting")}
        for key, label in self.labels.items():
            label.setText(texts[key])
        if self.party is not None:
            self.party.setPlaceholderText(self.tr("Company, household or office that must rectify"))
        if self.action == "rectify":
            self.add_photos_button.setText(self.tr("Add photos…"))
            assert self.remove_photo_button is not None
            self.remove_photo_button.setText(self.tr("Remove photo"))
            assert self.note is not None
            self.note.setPlaceholderText(self.tr("What was done to rectify the problem"))
        if self.reason is not None:
            self.reason.setPlaceholderText(self.tr("Why the rectification is not accepted"))
        if self.confirm is not None:
            self.confirm.setText(self.tr("Close this finding? Closed findings can no longer be changed."))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            retranslate_safely(self)
        super().changeEvent(event)

    # --- photos (rectify) ------------------------------------------------------------------------
    def _flags_for(self, photo: Photo) -> list[str]:
        now = _dt.datetime.now(_dt.timezone.utc)
        return photo_flags(photo, cell=self._cell, window=(now - _dt.timedelta(days=60), now))

    def _photos_changed(self) -> None:
        self._update_ok()

    # --- OK -------------------------------------------------------------------------------------
    def is_complete(self) -> bool:
        """Whether what this step needs is filled in."""
        if self.action == "assign":
            return bool(self.party is not None and self.party.text().strip())
        if self.action == "rectify":
            return bool(self.note is not None and self.note.toPlainText().strip() and self.photos)
        if self.action == "verify":
            return bool(self.note is not None and self.note.toPlainText().strip())
        if self.action == "reject":
            return bool(self.reason is not None and self.reason.toPlainText().strip())
        return True

    def _update_ok(self) -> None:
        self.ok_button.setEnabled(self.is_complete() and not self._waiting.active)

    def arguments(self) -> dict[str, Any]:
        """The keyword arguments of ``change_finding`` for what is filled in."""
        if self.action == "assign":
            assert self.deadline is not None and self.party is not None
            return {"rectify_deadline": self.deadline.date().toPython(),
                    "responsible_party": self.party.text().strip()}
        if self.action == "rectify":
            assert self.note is not None
            return {"note": self.note.toPlainText().strip(), "after_photos": list(self.photos)}
        if self.action == "verify":
            assert self.note is not None
            return {"note": self.note.toPlainText().strip()}
        if self.action == "reject":
            assert self.reason is not None
            return {"reason": self.reason.toPlainText().strip()}
        return {}

    def accept(self) -> None:
        """OK: run the step; the dialog closes once the controller reports it applied."""
        self.submit()

    def submit(self) -> None:
        if not self.is_complete() or self._waiting.active:
            return
        self._waiting.start()
        self._update_ok()
        self.photo_error.hide()
        self.controller.run(change_finding, self.uuid, self.action, **self.arguments())


class FindingDialog(QDialog, _PhotoPicker):
    """Record a finding at a point: category, severity, description, photos, deadline and party.

    Under an inspector's task in progress (``task``, a row of ``queries.tasks``) or, for a
    supervisor, directly in the cell ``cell_code``.  ``pickLocationRequested`` asks the main
    window to let the user click the map; it then calls :meth:`set_location`.
    """

    pickLocationRequested = Signal()
    findingRecorded = Signal(str)  # uuid of the new finding

    def __init__(self, controller: Any, *, task: Optional[dict[str, Any]], cell_code: str, cell_geometry: Any,
                 longitude: float, latitude: float, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setObjectName("findingDialog")
        self.controller = controller
        self.task = dict(task) if task is not None else None
        self.cell_code = str(task["cell_code"]) if task is not None and _text(task.get("cell_code")) else cell_code
        self.cell_geometry = cell_geometry
        self.longitude = float(longitude)
        self.latitude = float(latitude)
        self.recorded_uuid: Optional[str] = None
        self._window = self._task_window()

        self.category = named(QComboBox(), "findingCategoryInput")
        for code in FINDING_CATEGORIES:
            self.category.addItem("", code)
        if self.task is not None and self.task.get("kind") in _KIND_CATEGORY:
            self.category.setCurrentIndex(self.category.findData(_KIND_CATEGORY[self.task["kind"]]))
        self.severity = named(QComboBox(), "findingSeverity")
        for level in (1, 2, 3):
            self.severity.addItem("", level)
        self.severity.setCurrentIndex(1)
        self.description = named(QPlainTextEdit(), "findingDescription")
        self.description.setTabChangesFocus(True)
        self.description.setMinimumHeight(70)
        self.context = named(QLabel(), "findingContext")
        self.context.setWordWrap(True)
        self.context.setTextFormat(Qt.TextFormat.PlainText)
        self.location = named(QLabel(), "findingLocation")
        self.location.setTextFormat(Qt.TextFormat.PlainText)
        self.location_warning = named(QLabel(), "findingLocationWarning")
        self.location_warning.setStyleSheet(_ERROR_STYLE)
        self.location_warning.setWordWrap(True)
        self.location_warning.setTextFormat(Qt.TextFormat.PlainText)
        self.location_warning.hide()
        self.pick_location = named(QPushButton(), "findingPickLocation", clicked=self.pickLocationRequested)
        self._init_photos("findingPhotoList", "findingPhotoError", "findingAddPhotos")
        self.remove_photo_button = named(QPushButton(), "findingRemovePhoto", clicked=self.remove_selected_photos)
        self.deadline_enabled = named(QCheckBox(), "findingDeadlineEnabled")
        self.deadline = named(QDateEdit(), "findingDeadline")
        self.deadline.setCalendarPopup(True)
        self.deadline.setDisplayFormat("yyyy-MM-dd")
        self.deadline.setDate(QDate.currentDate().addDays(7))
        self.deadline.setEnabled(False)
        self.deadline_enabled.toggled.connect(self.deadline.setEnabled)
        self.party = named(QLineEdit(), "findingParty")
        self.error = error_label("findingError")
        self._waiting = PendingEdit(controller, self,
                                    lambda edit: edit.action == "create" and bool(edit.created("finding")),
                                    self.error, lambda: self.ok_button.setEnabled(True), self._recorded)

        self.labels = {k: QLabel() for k in ("category", "severity", "description", "location", "photos",
                                             "deadline", "party")}
        form = QFormLayout()
        form.addRow(self.context)
        form.addRow(self.labels["category"], self.category)
        form.addRow(self.labels["severity"], self.severity)
        form.addRow(self.labels["description"], self.description)
        loc = hbox((self.location, 1), self.pick_location, stretch=False)
        form.addRow(self.labels["location"], loc)
        form.addRow(self.location_warning)
        ph = hbox(self.add_photos_button, self.remove_photo_button)
        form.addRow(self.labels["photos"], ph)
        form.addRow(self.photo_list)
        form.addRow(self.photo_error)
        dl = hbox(self.deadline_enabled, self.deadline)
        form.addRow(self.labels["deadline"], dl)
        form.addRow(self.labels["party"], self.party)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.setObjectName("findingButtons")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        fill(self, form, self.error, self.buttons)
        self.resize(560, 640)
        self.retranslate()
        self.set_location(self.longitude, self.latitude)

    @property
    def ok_button(self) -> QPushButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def retranslate(self) -> None:
        lang = i18n.current()
        self.setWindowTitle(self.tr("Record finding"))
        for i in range(self.category.count()):
            self.category.setItemText(i, title(CATEGORY_TITLES, self.category.itemData(i), lang))
        for i in range(self.severity.count()):
            self.severity.setItemText(i, title(SEVERITY_TITLES, self.severity.itemData(i), lang))
        texts = {"category": self.tr("Category"), "severity": self.tr("Severity"),
                 "description": self.tr("Description"), "location": self.tr("Location"),
                 "photos": self.tr("Photos"), "deadline": self.tr("Rectification deadline"),
                 "party": self.tr("Responsible party")}
        for k, label in self.labels.items():
            label.setText(texts[k])
        if self.task is not None:
            self.context.setText(self.tr("Task: %s in cell %s") % (title(KIND_TITLES, self.task.get("kind"), lang),
                                                                  self.cell_code))
        else:
            self.context.setText(self.tr("Recorded directly in cell %s (no task)") % self.cell_code)
        self.description.setPlaceholderText(self.tr("What was found, where exactly, who is involved"))
        set_texts(self.pick_location, self.tr("Pick on map"), self.tr("Click the map to place the finding"))
        self.add_photos_button.setText(self.tr("Add photos…"))
        self.remove_photo_button.setText(self.tr("Remove photo"))
        self.deadline_enabled.setText(self.tr("Set a deadline"))
        self.party.setPlaceholderText(self.tr("Company, household or office that must rectify"))
        self._show_location()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            retranslate_safely(self)
        super().changeEvent(event)

    # --- location ---------------------------------------------------------------------------------------
    def set_location(self, longitude: float, latitude: float) -> None:
        """Move the finding to ``(longitude, latitude)`` (lon/lat degrees), e.g. after a click on the map."""
        self.longitude = float(longitude)
        self.latitude = float(latitude)
        self._show_location()
        if not self.isVisible() or not self.isActiveWindow():
            self.raise_()
            self.activateWindow()

    def location_outside(self) -> bool:
        """Whether the point lies outside the cell (recorded anyway, with a warning)."""
        if self.cell_geometry is None or shapely.is_empty(self.cell_geometry):
            return False
        return not self.cell_geometry.covers(shapely.Point(self.longitude, self.latitude))

    def _show_location(self) -> None:
        self.location.setText(f"{self.longitude:.6f}, {self.latitude:.6f} · " + self.tr("cell %s") % self.cell_code)
        outside = self.location_outside()
        self.location_warning.setText(self.tr("The location is outside cell %s") % self.cell_code if outside else "")
        self.location_warning.setVisible(outside)

    # --- photos -------------------------------------------------------------------------------------------
    def _task_window(self) -> Optional[tuple[_dt.datetime, _dt.datetime]]:
        if self.task is None:
            return None
        start = parse_time(self.task.get("started_at")) or parse_time(self.task.get("created_at"))
        if start is None:
            return None
        return start, max(_dt.datetime.now(_dt.timezone.utc), start)

    def _flags_for(self, photo: Photo) -> list[str]:
        window = self._window
        if window is not None:  # the task goes on while the dialog is open
            window = (window[0], max(window[1], _dt.datetime.now(_dt.timezone.utc)))
        return photo_flags(photo, cell=self.cell_geometry, window=window)

    # --- OK ----------------------------------------------------------------------------------------------
    def arguments(self) -> dict[str, Any]:
        """The keyword arguments of ``record_finding`` for what is filled in."""
        return {
            "assignment_uuid": str(self.task["uuid"]) if self.task is not None else None,
            "cell_code": None if self.task is not None else self.cell_code,
            "category": self.category.currentData(),
            "severity": int(self.severity.currentData()),
            "description": self.description.toPlainText().strip(),
            "longitude": self.longitude,
            "latitude": self.latitude,
            "rectify_deadline": self.deadline.date().toPython() if self.deadline_enabled.isChecked() else None,
            "responsible_party": self.party.text().strip(),
            "photos": list(self.photos),
        }

    def accept(self) -> None:
        """OK: record the finding; the dialog closes once the controller reports it applied."""
        self.submit()

    def submit(self) -> None:
        if self._waiting.active:
            return
        self._waiting.start()
        self.ok_button.setEnabled(False)
        self.error.hide()
        self.controller.run(record_finding, **self.arguments())

    def _recorded(self, edit: Edit) -> None:
        self.recorded_uuid = edit.created("finding")[0]
        self.findingRecorded.emit(self.recorded_uuid)
        super().accept()  # the edit is applied: close


class FindingEditDialog(QDialog):
    """Correct a recorded finding's category, severity, description, party and deadline.

    OK sends only what changed to ``edit_finding``; like the other dialogs it stays open until
    the edit is applied, and shows a refusal in ``editError``.
    """

    def __init__(self, controller: Any, finding: dict[str, Any], parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setObjectName("findingEditDialog")
        self.controller = controller
        self.finding = dict(finding)
        self.uuid = str(finding["uuid"])
        self.category = named(QComboBox(), "editCategory")
        for code in FINDING_CATEGORIES:
            self.category.addItem("", code)
        self.category.setCurrentIndex(max(0, self.category.findData(finding.get("category"))))
        self.severity = named(QComboBox(), "editSeverity")
        for level in (1, 2, 3):
            self.severity.addItem("", level)
        self.severity.setCurrentIndex(max(0, self.severity.findData(_int(finding.get("severity"), 2))))
        self.description = named(QPlainTextEdit(_text(finding.get("description"))), "editDescription")
        self.description.setTabChangesFocus(True)
        self.description.setMinimumHeight(70)
        self.party = named(QLineEdit(_text(finding.get("responsible_party"))), "editParty")
        known = _to_date(finding.get("rectify_deadline"))
        self.deadline_enabled = named(QCheckBox(), "editDeadlineEnabled")
        self.deadline_enabled.setChecked(known is not None)
        self.deadline = named(QDateEdit(), "editDeadline")
        self.deadline.setCalendarPopup(True)
        self.deadline.setDisplayFormat("yyyy-MM-dd")
        self.deadline.setDate(_qdate(known) if known else QDate.currentDate().addDays(7))
        self.deadline.setEnabled(known is not None)
        self.deadline_enabled.toggled.connect(self.deadline.setEnabled)
        self.error = error_label("editError")
        self._waiting = PendingEdit(controller, self,
                                    lambda edit: edit.action == "edit" and _changes(edit, self.uuid),
                                    self.error, self._update_ok)
        self.labels = {k: QLabel() for k in ("category", "severity", "description", "deadline", "party")}
        form = QFormLayout()
        form.addRow(self.labels["category"], self.category)
        form.addRow(self.labels["severity"], self.severity)
        form.addRow(self.labels["description"], self.description)
        dl = hbox(self.deadline_enabled, self.deadline)
        form.addRow(self.labels["deadline"], dl)
        form.addRow(self.labels["party"], self.party)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.setObjectName("editButtons")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        for signal in (self.category.currentIndexChanged, self.severity.currentIndexChanged,
                       self.description.textChanged, self.party.textChanged, self.deadline_enabled.toggled,
                       self.deadline.dateChanged):
            signal.connect(self._update_ok)
        fill(self, form, self.error, self.buttons)
        self.resize(520, 380)
        self.retranslate()
        self._update_ok()

    @property
    def ok_button(self) -> QPushButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def retranslate(self) -> None:
        lang = i18n.current()
        self.setWindowTitle(self.tr("Correct finding"))
        for i in range(self.category.count()):
            self.category.setItemText(i, title(CATEGORY_TITLES, self.category.itemData(i), lang))
        for i in range(self.severity.count()):
            self.severity.setItemText(i, title(SEVERITY_TITLES, self.severity.itemData(i), lang))
        texts = {"category": self.tr("Category"), "severity": self.tr("Severity"),
                 "description": self.tr("Description"), "deadline": self.tr("Rectification deadline"),
                 "party": self.tr("Responsible party")}
        for k, label in self.labels.items():
            label.setText(texts[k])
        self.deadline_enabled.setText(self.tr("Set a deadline"))
        self.party.setPlaceholderText(self.tr("Company, household or office that must rectify"))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            retranslate_safely(self)
        super().changeEvent(event)

    def changes(self) -> dict[str, Any]:
        """The keyword arguments of ``edit_finding``: only the fields that differ from the finding."""
        f = self.finding
        out: dict[str, Any] = {}
        if self.category.currentData() != f.get("category"):
            out["category"] = self.category.currentData()
        if int(self.severity.currentData()) != _int(f.get("severity"), 2):
            out["severity"] = int(self.severity.currentData())
        if self.description.toPlainText().strip() != _text(f.get("description")):
            out["description"] = self.description.toPlainText().strip()
        if self.party.text().strip() != _text(f.get("responsible_party")):
            out["responsible_party"] = self.party.text().strip() or None
        deadline = self.deadline.date().toPython() if self.deadline_enabled.isChecked() else None
        if deadline != _to_date(f.get("rectify_deadline")):
            out["rectify_deadline"] = deadline
        return out

    def _update_ok(self) -> None:
        self.ok_button.setEnabled(bool(self.changes()) and not self._waiting.active)

    def accept(self) -> None:
        """OK: save the corrections; the dialog closes once the controller reports them applied."""
        changes = self.changes()
        if not changes or self._waiting.active:
            return
        self._waiting.start()
        self._update_ok()
        self.error.hide()
        self.controller.run(edit_finding, self.uuid, **changes)

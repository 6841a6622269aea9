"""Settings > Seasonal calendar (issue 17): per season of the plans, the patrol interval of each cell
class and the default kind of new tasks.  Everyone may look; supervisors and administrators (asked of
the domain policy) change it; the core checks the values and stores them in the project
(``setting.calendar``), written on the one worker runner."""

from __future__ import annotations

import copy
import datetime as _dt
from typing import Any, Optional

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QWidget,
)

from ...app.store import plans
from ...domain.calendar import SEASONS, season_of
from ...domain.policy import Action
from ...domain.seasonal import CELL_CLASS_TITLES, CELL_CLASSES, DEFAULT_CALENDAR, MAX_DAYS
from ...domain.vocabulary import KIND_TITLES, title
from ...errors import GridWatchError
from ...times import BEIJING
from .. import i18n
from ..jobs import Job, run_job
from ..session import error_label
from ..widgets import fill, fit_to_screen, named, retranslate_safely


class CalendarDialog(QDialog):
    """The district's seasonal calendar: one row per season, a spin box per cell class, the default kind."""

    saved = Signal()

    def __init__(self, controller: Any, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setObjectName("calendarDialog")
        self.controller = controller
        self.explain = named(QLabel(), "calendarExplain")
        self.explain.setWordWrap(True)
        self.today = named(QLabel(), "calendarToday")
        self.today.setWordWrap(True)
        self.table = named(QTableWidget(len(SEASONS), len(CELL_CLASSES) + 1), "calendarTable")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setMinimumSectionSize(80)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.spins: dict[tuple[str, str], QDoubleSpinBox] = {}
        self.kinds: dict[str, QComboBox] = {}
        for row, season in enumerate(SEASONS):
            for col, cls in enumerate(CELL_CLASSES):
                spin = QDoubleSpinBox()
                spin.setObjectName(f"calendar_{season.key}_{cls}")
                spin.setRange(0.5, MAX_DAYS)
                spin.setDecimals(1)
                spin.setSingleStep(0.5)
                self.table.setCellWidget(row, col, spin)
                self.spins[(season.key, cls)] = spin
            combo = named(QComboBox(), f"calendarKind_{season.key}")
            for kind in KIND_TITLES:
                combo.addItem("", kind)
            self.table.setCellWidget(row, len(CELL_CLASSES), combo)
            self.kinds[season.key] = combo
        self.table.setMinimumHeight(220)
        self.defaults_button = named(QPushButton(), "calendarDefaults", clicked=lambda: self.show_calendar(
            DEFAULT_CALENDAR))
        self.error = error_label("calendarError")
        self.status = named(QLabel(), "calendarStatus")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Close)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.buttons.addButton(self.defaults_button, QDialogButtonBox.ButtonRole.ResetRole)
        fill(self, self.explain, self.today, (self.table, 1), self.error, self.status, self.buttons)
        self.stored: dict[str, Any] = copy.deepcopy(DEFAULT_CALENDAR)
        self._load()
        self.retranslate()
        fit_to_screen(self, 1180, 440)

    # --- values -----------------------------------------------------------------------------------
    def _load(self) -> None:
        path = getattr(self.controller, "path", None)
        try:
            self.settings = plans.read_settings(path) if path is not None else {"calendar": DEFAULT_CALENDAR}
        except GridWatchError as exc:
            self.settings = {"calendar": DEFAULT_CALENDAR}
            self.error.setText(i18n.error_text(exc))
            self.error.show()
        self.stored = copy.deepcopy(self.settings["calendar"])
        self.show_calendar(self.stored)

    def show_calendar(self, calendar: dict[str, Any]) -> None:
        """Put ``calendar`` in the table (the stored one, or the plans' defaults)."""
        for (season, cls), spin in self.spins.items():
            spin.setValue(float(calendar[season]["intervals"][cls]))
        for season, combo in self.kinds.items():
            combo.setCurrentIndex(max(0, combo.findData(calendar[season]["task_kinds"][0])))

    def value(self) -> dict[str, Any]:
        """The calendar as shown: the intervals, and each season's kinds with the chosen default first."""
        out: dict[str, Any] = {}
        for season in (s.key for s in SEASONS):
            first = str(self.kinds[season].currentData())
            rest = [k for k in self.stored[season]["task_kinds"] if k != first]
            out[season] = {"intervals": {cls: float(self.spins[(season, cls)].value()) for cls in CELL_CLASSES},
                           "task_kinds": [first, *rest]}
        return out

    # --- texts ------------------------------------------------------------------------------------
    def retranslate(self) -> None:
        lang = i18n.current()
        zh = lang.startswith("zh")
        self.setWindowTitle(self.tr("Seasonal calendar"))
        self.explain.setText(self.tr(
            "Per season of the work plans: how many days may pass between patrols of each class of cell (a cell "
            "in several classes keeps the shortest; the fireworks-ban zone's interval applies during the "
            "fireworks ban around the Spring Festival only), and the kind a new task gets unless another is "
            "chosen. Coverage marks cells overdue by these intervals."))
        # long class titles break before their note in brackets (the columns stay narrow enough for 1366 px)
        heads = [title(CELL_CLASS_TITLES, c, lang).replace("（", "\n（").replace(" (", "\n(") for c in CELL_CLASSES]
        self.table.setHorizontalHeaderLabels(heads + [self.tr("Default task kind")])
        self.table.setVerticalHeaderLabels([(f"{s.title_zh}\n{min(s.months)}–{max(s.months)}月" if s.key != "winter"
                                             else f"{s.title_zh}\n12–2月") if zh else
                                            f"{s.title_en}\n" + ", ".join(str(m) for m in s.months)
                                            for s in SEASONS])
        for spin in self.spins.values():
            spin.setSuffix(self.tr(" days"))
        for combo in self.kinds.values():
            for i in range(combo.count()):
                combo.setItemText(i, title(KIND_TITLES, combo.itemData(i), lang))
        today = _dt.datetime.now(_dt.timezone.utc).astimezone(BEIJING).date()
        season = season_of(today)
        kind = title(KIND_TITLES, self.stored[season.key]["task_kinds"][0], lang)
        self.today.setText(self.tr("Today (%1) is in the %2: focus %3; new tasks default to %4.")
                           .replace("%1", today.isoformat())
                           .replace("%2", season.title_zh if zh else season.title_en)
                           .replace("%3", season.focus_zh).replace("%4", kind))
        self.defaults_button.setText(self.tr("The plans' defaults"))
        why = self.controller.refusal(Action.EDIT_SETTINGS) if self.controller is not None else ""
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        save.setEnabled(not why)
        save.setToolTip(why)
        self.defaults_button.setEnabled(not why)
        for widget in (*self.spins.values(), *self.kinds.values()):
            widget.setEnabled(not why)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            retranslate_safely(self)
        super().changeEvent(event)

    # --- saving -----------------------------------------------------------------------------------
    def save(self) -> Optional[Job]:
        """Store the calendar (on the worker; the core checks role and values, one transaction)."""
        path, actor = getattr(self.controller, "path", None), getattr(self.controller, "actor", None)
        if path is None or actor is None:
            return None
        self.error.hide()
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(False)
        value = self.value()
        self.status.setText(self.tr("Saving…"))
        return run_job(lambda progress, cancel: plans.set_settings(path, actor, {"calendar": value}), "settings",
                       succeeded=self._on_saved, failed=self._on_failed)

    def _on_saved(self, job: Job, settings: dict[str, Any]) -> None:
        self.settings = settings
        self.stored = copy.deepcopy(settings["calendar"])
        self.status.setText(self.tr("Saved."))
        self.retranslate()
        self.saved.emit()

    def _on_failed(self, job: Job, message: str, kind: str) -> None:
        self.status.setText("")
        self.error.setText(message)
        self.error.show()
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(True)

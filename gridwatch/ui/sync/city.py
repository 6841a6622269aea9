"""File > City view: the districts of one PostGIS database side by side, and their townships ranked
together (:func:`gridwatch.sync.pg.city.city_view`, read live on a worker job; nothing is checked out).

For a city office that supervises several districts: the server's address and a month; each
district's cells, coverage, findings and closure, overdue work and fire checks in time, and one
assessment ranking of every township with the work plans' rules (fire points by kind with their
deductions, equal scores sharing a rank, veto items last), and the districts ranked the same way.
Districts the login may not read are named below the tables.
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import TYPE_CHECKING, Any, Optional

from PySide6.QtCore import QEvent, QSettings, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...app.sharing import is_server_address
from ...times import BEIJING
from ..jobs import Job, run_job
from ..widgets import hbox, named, retranslate_safely
from .common import _error_label, _show_error

if TYPE_CHECKING:
    import pandas as pd
else:
    from ...lazy import pd

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
NUMBERS_DISTRICTS = (0, 3, 4, 5, 6, 7, 8, 9, 10)  # right-aligned columns
NUMBERS_TOWNSHIPS = (0, 3, 4, 5, 6, 7, 8, 9)


def _num(v: Any, digits: int = 1) -> str:
    if v is None or (not isinstance(v, str) and bool(pd.isna(v))):
        return "–"
    if isinstance(v, float) and not v.is_integer():
        return f"{v:.{digits}f}"
    return str(int(v)) if isinstance(v, (int, float)) else str(v)


def _rank(row: Any) -> str:
    """A rank as the bulletin writes it: a shared rank with "=" after it ("2=")."""
    return _num(row.rank) + ("=" if bool(getattr(row, "tied", False)) else "")


class CityDialog(QDialog):
    """Coverage and the township ranking across the districts of one PostGIS database."""

    def __init__(self, settings: QSettings, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setObjectName("cityDialog")
        self.settings = settings
        self._job: Optional[Job] = None
        self.view: Any = None
        self.address_edit = named(QLineEdit(), "cityAddress", returnPressed=self.start)
        self.month_edit = named(QLineEdit(), "cityMonth", returnPressed=self.start)
        self.month_edit.setMaximumWidth(110)
        self.show_button = named(QPushButton(), "cityShow", clicked=self.start)
        self.error = _error_label("cityError")
        self.status = named(QLabel(), "cityStatus")
        self.districts = named(QTableWidget(0, 11), "cityDistricts")
        self.townships = named(QTableWidget(0, 11), "cityTownships")
        for table in (self.districts, self.townships):
            table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
            table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
            table.verticalHeader().setVisible(False)
            table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # the names take the spare width; the numbers keep theirs
        self.districts.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.townships.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.skipped = named(QLabel(), "citySkipped")
        self.skipped.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)

        form = QFormLayout()
        self._labels = [QLabel(), QLabel()]
        form.addRow(self._labels[0], self.address_edit)
        form.addRow(self._labels[1], hbox(self.month_edit, self.show_button))
        for label, w in zip(self._labels, (self.address_edit, self.month_edit)):
            label.setBuddy(w)
        self._titles = [QLabel(), QLabel()]
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.error)
        lay.addWidget(self.status)
        lay.addWidget(self._titles[0])
        lay.addWidget(self.districts, 2)
        lay.addWidget(self._titles[1])
        lay.addWidget(self.townships, 3)
        lay.addWidget(self.skipped)
        lay.addWidget(self.buttons)

        self.address_edit.setText(str(settings.value("city/address", "") or ""))
        self.month_edit.setText(_dt.datetime.now(BEIJING).strftime("%Y-%m"))
        self.retranslate()
        self.resize(900, 640)

    # --- texts ------------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("City view"))
        self._labels[0].setText(self.tr("&Server:"))
        self._labels[1].setText(self.tr("&Month:"))
        self.address_edit.setPlaceholderText(self.tr("postgresql://HOST/DATABASE (every district in it)"))
        self.month_edit.setPlaceholderText(self.tr("YYYY-MM"))
        self.show_button.setText(self.tr("Show"))
        self._titles[0].setText(self.tr("Districts, ranked by the work plans' assessment"))
        self._titles[1].setText(self.tr("Townships of every district, ranked together (equal scores share a rank, "
                                        "veto items last)"))
        self.districts.setHorizontalHeaderLabels([
            self.tr("Rank"), self.tr("District"), self.tr("Schema"), self.tr("Score"), self.tr("Cells"),
            self.tr("Coverage %"),
            self.tr("Findings"), self.tr("Closed %"), self.tr("Overdue"), self.tr("Burning fire points"),
            self.tr("Vetoed townships")])
        self.townships.setHorizontalHeaderLabels([
            self.tr("Rank"), self.tr("District"), self.tr("Township"), self.tr("Score"), self.tr("Coverage %"),
            self.tr("Closed %"), self.tr("Overdue"), self.tr("Fire checks in time %"), self.tr("Burning fire points"),
            self.tr("Deduction (yuan)"), self.tr("Veto")])
        if self.view is not None:
            self._fill(self.view)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            retranslate_safely(self)
        super().changeEvent(event)

    # --- work ---------------------------------------------------------------------------------------
    def start(self) -> None:
        address, month = self.address_edit.text().strip(), self.month_edit.text().strip()
        if not is_server_address(address):
            _show_error(self.error, self.tr("Enter a PostgreSQL server's address, e.g. postgresql://HOST/DATABASE."))
            return
        if not _MONTH.match(month):
            _show_error(self.error, self.tr("Enter the month as YYYY-MM, e.g. 2026-11."))
            return
        if self._job is not None and self._job.running:
            return
        _show_error(self.error, "")
        self.settings.setValue("city/address", address)
        self.show_button.setEnabled(False)
        self.status.setText(self.tr("Reading the districts…"))
        from ...app.sharing import city_view

        self._job = run_job(lambda progress, cancel: city_view(address, month=month, progress=progress, cancel=cancel),
                            "city", succeeded=self._done, failed=self._failed)

    def _done(self, job: Job, view: Any) -> None:
        if job is not self._job:
            return
        self.show_button.setEnabled(True)
        self.view = view
        self._fill(view)

    def _failed(self, job: Job, message: str, _kind: str) -> None:
        if job is not self._job:
            return
        self.show_button.setEnabled(True)
        self.status.setText("")
        _show_error(self.error, message)

    def _fill(self, view: Any) -> None:
        d, t = view.districts, view.townships
        self.status.setText(self.tr("%n district(s), %1", "", len(d)).replace("%1", f"{view.period[0]:%Y-%m}"))
        self._rows(self.districts, NUMBERS_DISTRICTS, [
            [_rank(r), r.name, r.district, _num(r.score), _num(r.cells),
             _num(r.coverage_pct), _num(r.findings), _num(r.closure_pct), _num(r.findings_overdue + r.tasks_overdue),
             _num(r.fire_points), _num(r.vetoed)] for r in d.itertuples()])
        self._rows(self.townships, NUMBERS_TOWNSHIPS, [
            [_rank(r), r.district_name, r.name, _num(r.score), _num(r.coverage_pct), _num(r.closure_pct),
             _num(r.findings_overdue + r.tasks_overdue), _num(r.fire_in_time_pct), _num(r.fire_points),
             _num(r.deduction_yuan), "" if r.veto is None or r.veto != r.veto else str(r.veto)]
            for r in t.itertuples()])
        self.skipped.setText(self.tr("Not readable with this login: %1").replace("%1", "; ".join(view.skipped))
                             if view.skipped else "")

    @staticmethod
    def _rows(table: QTableWidget, numbers: tuple[int, ...], rows: list[list[Any]]) -> None:
        table.setRowCount(len(rows))
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                item = QTableWidgetItem("" if value is None else str(value))
                if j in numbers:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                table.setItem(i, j, item)

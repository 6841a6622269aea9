"""The township ranking as the dashboard shows it: the assessment of issue 17
(:meth:`gridwatch.analysis.stats.Dashboard.ranking`): rank with shared ranks marked, the change
against the previous period, fire points by kind with the deduction, the veto item, then the
indicators as extra columns."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QTableWidget, QTableWidgetItem

if TYPE_CHECKING:
    import pandas as pd
else:
    from ...lazy import pd

#: Column keys in display order (the tests read the table through them).
RANKING_COLUMNS = ("rank", "name", "score", "change", "fires_straw", "fires_other", "fires_unverified",
                   "fires_industrial_heat", "deduction", "veto", "coverage_pct", "closure_pct", "overdue",
                   "fire_in_time_pct")


translate = QCoreApplication.translate


def ranking_headers() -> list[str]:
    """The column titles in the current language (literal calls: lupdate reads them)."""
    return [translate("RankingTable", "Rank"), translate("RankingTable", "Township"),
            translate("RankingTable", "Score"), translate("RankingTable", "Change"),
            translate("RankingTable", "Straw burning"), translate("RankingTable", "Other burning"),
            translate("RankingTable", "Unverified"), translate("RankingTable", "Industrial heat"),
            translate("RankingTable", "Deduction (10k yuan)"), translate("RankingTable", "Veto"),
            translate("RankingTable", "Coverage %"), translate("RankingTable", "Closure %"),
            translate("RankingTable", "Overdue"), translate("RankingTable", "Fire checks in time %")]


def change_text(change: Any) -> str:
    """↑2 (moved up two places), ↓1, = (same rank), — (no previous period)."""
    if change is None or pd.isna(change):
        return "—"
    return f"↑{int(change)}" if change > 0 else f"↓{-int(change)}" if change < 0 else "="


def fill_ranking(table: QTableWidget, frame: pd.DataFrame) -> None:
    """Write ``frame`` (an assessment ranking) into ``table``; the township code is the rank cell's
    user data; the leader's score is shaded, a vetoed township's row tinted."""
    table.setSortingEnabled(False)
    table.setColumnCount(len(RANKING_COLUMNS))
    table.setHorizontalHeaderLabels(ranking_headers())
    table.setRowCount(len(frame))

    def num(value: Any, fmt: str = "{:.1f}") -> str:
        return "-" if value is None or pd.isna(value) else fmt.format(value)

    def count(row: Any, key: str) -> str:
        return num(row.get(key, 0), "{:.0f}")

    for r, (_, row) in enumerate(frame.iterrows()):
        vetoed = "veto" in row and not pd.isna(row["veto"])
        rank = num(row["rank"], "{}") + (translate("RankingTable", " (tied)") if bool(row.get("tied", False)) else "")
        overdue = int(row.get("findings_overdue", 0) or 0) + int(row.get("tasks_overdue", 0) or 0)
        values = [rank, str(row["name"]), num(row["score"]), change_text(row.get("rank_change")),
                  count(row, "fires_straw"), count(row, "fires_other"), count(row, "fires_unverified"),
                  count(row, "fires_industrial_heat"), num(float(row.get("deduction_yuan", 0.0)) / 10_000, "{:g}"),
                  str(row["veto"]) if vetoed else "", num(row.get("coverage_pct")), num(row.get("closure_pct")),
                  str(overdue), num(row.get("fire_in_time_pct"))]
        for c, text in enumerate(values):
            item = QTableWidgetItem(text)
            if RANKING_COLUMNS[c] not in ("name", "veto"):
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if c == 0:
                item.setData(Qt.ItemDataRole.UserRole, row["township_code"])
            if vetoed:
                item.setBackground(QColor("#fdecea"))
            table.setItem(r, c, item)
    if len(frame) and not pd.isna(frame["score"].iloc[0]):
        table.item(0, 2).setBackground(QColor("#e8f5e9"))

"""Small widget helpers every panel and dialog uses."""

from __future__ import annotations

import sys
from typing import Any, Callable, Optional, TypeVar

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QBoxLayout,
    QHBoxLayout,
    QHeaderView,
    QLayout,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

W = TypeVar("W", bound=QObject)


def named(widget: W, name: str, **signals: Callable[..., Any]) -> W:
    """``widget`` with object name ``name`` (tests, style sheets and saved state find it by it) and
    each of its ``signals`` (``clicked=...``, ``textEdited=...``) connected."""
    widget.setObjectName(name)
    for signal, slot in signals.items():
        getattr(widget, signal).connect(slot)
    return widget


def number_item(value: Any) -> QTableWidgetItem:
    """A table item that shows ``value`` (a number) right-aligned and sorts by number, not text."""
    item = QTableWidgetItem()
    item.setData(Qt.ItemDataRole.DisplayRole, value)
    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


def settings_of(controller: Any, settings: Any = None) -> Any:
    """The settings a panel keeps its choices in: those given, else its controller's, else the app's."""
    from PySide6.QtCore import QSettings

    if settings is not None:
        return settings
    return controller.settings if controller is not None else QSettings()


def weight_spin(key: str, value: float) -> Any:
    """A spin box for one ranking weight (0-10 in steps of 0.05), named ``weight_<key>``."""
    from PySide6.QtWidgets import QDoubleSpinBox

    spin = QDoubleSpinBox()
    spin.setObjectName("weight_" + key)
    spin.setRange(0.0, 10.0)
    spin.setSingleStep(0.05)
    spin.setDecimals(2)
    spin.setValue(value)
    return spin


def record_table(table: QTableWidget) -> QTableWidget:
    """``table`` set up as a list of records: read-only, one whole row selected at a time, no row
    numbers, striped, columns the user can resize with the last one filling the width."""
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().setVisible(False)
    table.setAlternatingRowColors(True)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    table.horizontalHeader().setStretchLastSection(True)
    return table


L = TypeVar("L", bound=QBoxLayout)


def _add(lay: L, parts: tuple[Any, ...]) -> L:
    """Add ``parts`` (widgets, layouts, or ``(part, stretch)``) to ``lay`` in order."""
    for part in parts:
        item, stretch = part if isinstance(part, tuple) else (part, 0)
        if isinstance(item, QLayout):
            lay.addLayout(item, stretch)
        else:
            lay.addWidget(item, stretch)
    return lay


def fill(widget: W, *parts: Any, margins: Optional[int] = None) -> W:
    """``widget`` laid out with ``parts`` (widgets, layouts, or ``(part, stretch)``) one under the
    other; ``margins`` in pixels (None: the style's)."""
    lay = _add(QVBoxLayout(widget), parts)
    if margins is not None:
        lay.setContentsMargins(margins, margins, margins, margins)
    return widget


def column(*parts: Any, margins: int = 0) -> QWidget:
    """A new widget holding ``parts`` one under the other (see :func:`fill`)."""
    return fill(QWidget(), *parts, margins=margins)


def hbox(*parts: Any, stretch: bool = True) -> QHBoxLayout:
    """A horizontal layout of ``parts`` (widgets, layouts, or ``(part, stretch)``), pushed to the left by
    a stretch after them unless ``stretch`` is False."""
    lay = _add(QHBoxLayout(), parts)
    if stretch:
        lay.addStretch(1)
    return lay


def set_texts(widget: Any, text: str, tooltip: Optional[str] = None) -> None:
    """Set a widget's (translated) text and, when given, its tooltip."""
    widget.setText(text)
    if tooltip is not None:
        widget.setToolTip(tooltip)


class KeyItem(QTableWidgetItem):
    """A read-only table cell that sorts by its ``key`` (a distance, a number of days, a time) rather
    than its text."""

    def __init__(self, text: str, key: Any = None) -> None:
        super().__init__(text)
        self.key = text if key is None else key
        self.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)

    def __lt__(self, other: QTableWidgetItem) -> bool:  # type: ignore[override]
        mine, theirs = self.key, getattr(other, "key", other.text())
        try:
            return bool(mine < theirs)
        except TypeError:
            return str(mine) < str(theirs)


def available_size(widget: Any) -> Any:
    """The free area (without task bars) of the screen ``widget`` is on, or the primary screen's."""
    from PySide6.QtGui import QGuiApplication

    screen = widget.screen() if widget is not None and widget.screen() is not None \
        else QGuiApplication.primaryScreen()
    return screen.availableGeometry()


def fit_to_screen(widget: Any, width: int, height: int, margin: int = 24) -> None:
    """Resize a dialog to ``width`` x ``height`` or, on a small screen (1366x768 field laptops), to what
    the screen leaves free, keeping it on the screen: its buttons are never off the bottom."""
    free = available_size(widget)
    w = max(200, min(width, free.width() - margin))
    h = max(150, min(height, free.height() - margin))
    widget.resize(w, h)
    g = widget.frameGeometry()
    x = min(max(g.x(), free.x()), free.x() + free.width() - g.width())
    y = min(max(g.y(), free.y()), free.y() + free.height() - g.height())
    if (x, y) != (g.x(), g.y()):
        widget.move(x, y)


class _AtLeastMinimum(QWidget):
    """Holds a scroll area's body: asked how tall it wants to be at a width, it answers with the
    least its layout needs there (a word-wrapped label makes Qt ask), so the area shrinks the body's
    lists to the room there is instead of scrolling a button off the bottom of a short dock.  Only for
    bodies whose parts all say their least height (labels, lists, buttons): a splitter or group of
    wrapped labels under-reports it and would be squeezed."""

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt's name
        layout = self.layout()
        return layout.minimumHeightForWidth(width) if layout is not None else super().heightForWidth(width)


def scrolled(inner: Any, *, shrink_lists: bool = False) -> Any:
    """``inner`` in a frameless scroll area that grows with it: a long form stays usable on a short screen.
    ``shrink_lists``: a body that fits when its lists are at their least is shown whole, without scrolling
    (see :class:`_AtLeastMinimum`)."""
    from PySide6.QtWidgets import QFrame, QScrollArea

    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    if shrink_lists:
        holder = _AtLeastMinimum()
        box = QVBoxLayout(holder)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(inner)
        inner = holder
    area.setWidget(inner)
    return area


def retranslate_safely(widget: Any) -> None:
    """Re-read ``widget``'s texts after a language change (its ``changeEvent``), never letting an error
    escape into Qt: it is reported through ``sys.excepthook`` (the app logs it and says where the log is).

    Why: an exception leaving a Python override of a Qt virtual stays pending while Qt hands the same
    event on to the other widgets, and shiboken 6.11-6.12 then drops a reference to every override it
    looks up in that state (its error path releases a borrowed function): a class's method was freed and
    the app crashed at the next widget of that class (seen when a window's project folder was gone and
    its task list could not be re-read on a language change).
    """
    try:
        widget.retranslate()
    except Exception:  # noqa: BLE001 - reported here, never raised into Qt
        sys.excepthook(*sys.exc_info())

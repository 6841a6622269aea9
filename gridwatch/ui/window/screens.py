"""The main window on the screen it is on: a size that fits (field laptops are often 1366x768), docks
laid out for that width, and the user's layout remembered per screen size (part of MainWindow)."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QRect, Qt
from PySide6.QtWidgets import QDockWidget, QTabBar

from ..widgets import available_size, scrolled

#: The window's size on a big screen; smaller screens get all of their free area.
PREFERRED = (1400, 900)
#: Width of the side docks on a small screen and on a big one.
SIDE_DOCK_WIDTH = {"small": (220, 330), "large": (250, 360)}
#: Version of the saved dock layout: bump it when docks are added or rearranged.
STATE_VERSION = 2


def screen_key(free: QRect) -> str:
    """The settings key of a screen's saved window layout (its free area's size)."""
    return f"{free.width()}x{free.height()}"


def is_small(free: QRect) -> bool:
    return free.width() < 1500 or free.height() < 950


class WindowScreens:
    """Fit the window and its docks to the screen; remember the layout per screen size."""

    def show_default(self) -> None:
        """Show the window as a user opening GridWatch sees it: the layout they left on this screen size,
        or a size that fits the screen with docks laid out for it."""
        free = available_size(self)
        key = screen_key(free)
        geometry = self.settings.value(f"window/{key}/geometry")
        state = self.settings.value(f"window/{key}/state")
        restored = False
        if isinstance(geometry, QByteArray) and isinstance(state, QByteArray):
            restored = self.restoreGeometry(geometry) and self.restoreState(state, STATE_VERSION)
        if not restored:
            self.fit_to(free)
        self._check_on_screen(free)
        if not restored and is_small(free):
            self.showMaximized()
        else:
            self.show()

    def fit_to(self, free: QRect) -> None:
        """A window size and dock widths for a screen whose free area is ``free``."""
        w, h = min(PREFERRED[0], free.width()), min(PREFERRED[1], free.height())
        self.setGeometry(free.x() + (free.width() - w) // 2, free.y() + (free.height() - h) // 2, w, h)
        left, right = SIDE_DOCK_WIDTH["small" if is_small(free) else "large"]
        self.resizeDocks([self.layers_panel, self.identify_panel], [left, right], Qt.Orientation.Horizontal)
        self.resizeDocks([self.search_panel, self.layers_panel], [150, max(300, h - 300)], Qt.Orientation.Vertical)

    def _check_on_screen(self, free: QRect) -> None:
        """A layout saved on a bigger screen (or another monitor) must not leave the window off this one."""
        g = self.frameGeometry()
        if g.width() > free.width() or g.height() > free.height() or not free.intersects(g):
            self.fit_to(free)

    def save_window_state(self) -> None:
        """Remember the window's geometry and dock layout for this screen size."""
        key = screen_key(available_size(self))
        self.settings.setValue(f"window/{key}/geometry", self.saveGeometry())
        self.settings.setValue(f"window/{key}/state", self.saveState(STATE_VERSION))
        self.settings.sync()

    def tidy_dock_tabs(self) -> None:
        """Dock tabs show their whole title (scroll buttons when they do not fit), never "Ta…"."""
        for bar in self.findChildren(QTabBar):
            if isinstance(bar.parent(), type(self)) or bar.parent() is self:
                bar.setElideMode(Qt.TextElideMode.ElideNone)
                bar.setUsesScrollButtons(True)
                bar.setExpanding(False)

    def docks(self) -> list[QDockWidget]:
        return self.findChildren(QDockWidget)

    def scroll_dock_bodies(self, docks: list[QDockWidget], shrink_lists: tuple[QDockWidget, ...] = ()) -> None:
        """Each of ``docks`` scrolls its body instead of demanding its full height: on a 1366x768 screen the
        identify panel and a tab of tasks or findings share the right column, and the window must still
        fit with its status bar.  Docks in ``shrink_lists`` shrink their lists before they scroll."""
        for dock in docks:
            body = dock.widget()
            if body is not None:
                area = scrolled(body, shrink_lists=dock in shrink_lists)
                area.setObjectName(dock.objectName() + "Scroll")
                dock.setWidget(area)

    def show_bottom_dock(self, dock: QDockWidget, share: float = 0.5) -> None:
        """Show a bottom dock (dashboard, attribute table) with ``share`` of the window's height, not a sliver."""
        dock.show()
        dock.raise_()
        if not dock.isFloating():
            self.resizeDocks([dock], [max(200, int(self.height() * share))], Qt.Orientation.Vertical)

"""The map answers back: what a list, the table, identify or search points at is highlighted on the map
(part of MainWindow)."""

from __future__ import annotations

from typing import Any, Callable, Iterable, Optional

import numpy as np
from PySide6.QtCore import QCoreApplication

from ...mapview.measure import area_text, distance_text, measure
from ..jobs import Job, queue, run_job
from ..map.canvas import SELECTION_LAYER

#: Rows of a big fire-point layer drawn from the file, found by their uuids (a check's, a list's), one read at a
#: time.
_FIND_POOL = queue("find-points")

# Texts keep the MainWindow translation context (they are the MainWindow's own).
translate = QCoreApplication.translate


class WindowMapping:
    """Highlighting and "show on map" for every layer, from every list (part of MainWindow)."""

    def positions_of_uuids(self, layer: str, uuids: Iterable[str]) -> np.ndarray:
        """Feature positions of ``uuids`` in map layer ``layer`` (unknown ones skipped; a big fire-point layer
        drawn from the file reads those rows, through the index on ``uuid``)."""
        if self.data is None or layer not in self.data.layers:
            return np.empty(0, dtype=np.int64)
        return self.data.layers[layer].positions_of_uuids(list(uuids))

    def find_positions(self, layer: str, uuids: list[str], then: Callable[[np.ndarray], Any],
                       purpose: str = "") -> None:
        """``then(positions)`` with the feature positions of ``uuids`` in ``layer``: at once for a layer in memory;
        for a big fire-point layer drawn from the file when a worker has read those rows (a later call for the
        same ``purpose`` overtakes it)."""
        if self.data is None or layer not in self.data.layers:
            return
        serials = self.__dict__.setdefault("_find_serials", {})
        serials[purpose] = serials.get(purpose, 0) + 1
        found = self.data.layers[layer]
        if getattr(found, "loaded", True) or not uuids:
            then(found.positions_of_uuids(uuids) if uuids else np.empty(0, dtype=np.int64))
            return
        run_job(lambda progress, cancel: found.positions_of_uuids(uuids), "find-points",
                succeeded=self._on_positions_found, executor=_FIND_POOL,
                tag=(self.data, then, purpose, serials[purpose]))

    def _on_positions_found(self, job: Job, positions: np.ndarray) -> None:
        data, then, purpose, serial = job.tag
        if data is self.data and self.__dict__.get("_find_serials", {}).get(purpose) == serial:
            then(positions)

    def highlight_features(self, layer: str, positions: Any, *, zoom: bool = False) -> None:
        """Highlight features ``positions`` of ``layer`` (and zoom to them when ``zoom``)."""
        positions = np.asarray(positions, dtype=np.int64)
        self.canvas.highlight(layer, positions)
        if zoom and self.data is not None and layer in self.data.layers and len(positions):
            self.canvas.zoom_to(self.data.layers[layer].features_bounds(positions), 0.004)

    def show_on_map(self, layer: str, uuids: list[str], *, zoom: bool = True) -> bool:
        """Highlight rows ``uuids`` of ``layer`` on the map and show them: map layers by their features,
        findings by their marker, tasks by their cell.  False when nothing could be shown."""
        if self.data is None or not uuids:
            return False
        if layer in self.data.layers:
            if not getattr(self.data.layers[layer], "loaded", True):  # drawn from the file: found on a worker
                self.find_positions(layer, uuids, lambda found: self.highlight_features(layer, found, zoom=zoom),
                                    purpose="show")
                return True
            positions = self.positions_of_uuids(layer, uuids)
            self.highlight_features(layer, positions, zoom=zoom)
            return bool(len(positions))
        if layer == "finding":
            return self._show_finding(uuids[0], zoom)
        if layer in ("assignment", "inspection"):
            code = self._task_cell(uuids[0]) if layer == "assignment" else None
            if code:
                self.highlight_cells([code], zoom=zoom)
                return True
        return False

    def highlight_cells(self, codes: list[str], *, zoom: bool = False) -> None:
        """Highlight the cells with these codes (a task's cell, a township's cells)."""
        if self.data is None:
            return
        frame = self.data.layers[SELECTION_LAYER].frame
        self.highlight_features(SELECTION_LAYER, np.flatnonzero(frame["code"].isin(codes).to_numpy()), zoom=zoom)

    def _task_cell(self, uuid: str) -> Optional[str]:
        frame = getattr(self.task_panel, "frame", None)
        if frame is not None and len(frame):
            match = frame.loc[frame["uuid"] == uuid, "cell_code"]
            if len(match):
                return str(match.iloc[0])
        return None

    def _show_finding(self, uuid: str, zoom: bool) -> bool:
        self.finding_panel.show()
        self.finding_panel.raise_()
        if not self.finding_panel.select_finding(uuid):
            return False
        chosen = self.finding_panel.selected_finding() or {}
        lon, lat = chosen.get("longitude"), chosen.get("latitude")
        if zoom and lon is not None and lat is not None and lon == lon:
            self.canvas.zoom_to((lon, lat, lon, lat), 0.01)
        self.canvas.clear_highlight()  # the finding's own marker is drawn highlighted
        return True

    def _on_task_selected(self, task: dict) -> None:
        code = task.get("cell_code") if task else None
        if code:
            self.highlight_cells([str(code)])
        if task and task.get("kind") == "fire_check":
            self.highlight_check_fires(task)  # a fire-point check: its fire points rather than its cell

    def _on_hits_selected(self, hits: list) -> None:
        """Rule-check hits chosen in the list: highlight those of the first hit's layer."""
        if not hits:
            return
        layer = hits[0].layer
        self.show_on_map(layer, [h.uuid for h in hits if h.layer == layer], zoom=False)

    def _on_search_current(self, hit: Any) -> None:
        if hit is not None:
            self.canvas.highlight(hit.layer, list(hit.features))

    # --- measuring ------------------------------------------------------------------------------
    def _measure_click(self, lon: float, lat: float) -> None:
        """The measure tool: each click adds a point; the path's length and the area it closes are shown."""
        points = self.canvas.measure_points + [(lon, lat)]
        self.canvas.set_measure(points, self.measure_text(points))
        self.statusBar().showMessage(self.canvas.measure_label.replace("\n", " · "))

    def measure_text(self, points: list) -> str:
        m = measure(points)
        if m.points < 2:
            return translate("MainWindow", "Click the next point; right-click or Esc starts again")
        value, unit = distance_text(m.length_m)
        lines = [translate("MainWindow", "Distance: %1 %2").replace("%1", _number(value)).replace("%2", unit)]
        if m.points >= 3:
            value, unit = area_text(m.area_m2)
            lines.append(translate("MainWindow", "Area: %1 %2 (%3 mu)").replace("%1", _number(value))
                         .replace("%2", unit).replace("%3", _number(m.area_mu)))
        return "\n".join(lines)

    def _measure_cleared(self) -> None:
        self.canvas.set_measure([], translate("MainWindow", "Click points on the map to measure"))
        self.statusBar().clearMessage()

    def start_measuring(self) -> None:
        self.canvas.set_tool(self.canvas.MEASURE)
        self._measure_cleared()

    # --- my cells ------------------------------------------------------------------------------
    def my_cells(self) -> np.ndarray:
        """Positions of the cells the current user is responsible for."""
        actor = self.workflow.actor
        if self.data is None or actor is None or SELECTION_LAYER not in self.data.layers:
            return np.empty(0, dtype=np.int64)
        frame = self.data.layers[SELECTION_LAYER].frame
        if "inspector_uuid" not in frame.columns:
            return np.empty(0, dtype=np.int64)
        return np.flatnonzero(frame["inspector_uuid"].fillna("").astype(str).to_numpy() == actor.uuid)

    def zoom_to_my_cells(self) -> None:
        """View > Zoom to my cells: the current user's cells, highlighted."""
        cells = self.my_cells()
        if len(cells):
            self.highlight_features(SELECTION_LAYER, cells, zoom=True)


def _number(value: float) -> str:
    """1,234.5 / 12.35 / 0.123: a few significant digits, thousands separated."""
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:,.1f}"
    return f"{value:,.2f}"

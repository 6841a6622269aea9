"""The main window's identify and selection, search and attribute-table wiring (a mixin of
:class:`~gridwatch.ui.window.main_window.MainWindow`, split from it to keep modules small)."""

from __future__ import annotations

from typing import Optional

import numpy as np
from PySide6.QtCore import QCoreApplication

from ...layers import LAYERS
from ...mapview.search import PERSON, SearchHit, as_text, parent_names, search_all
from ...times import short_time
from ..data.display import display_frame
from ..findings.panel import FindingDialog
from ..jobs import Job, queue, run_job
from ..map.canvas import SELECTION_LAYER, MapCanvas
from ..texts import feature_title, layer_title, table_header, value_title

#: Layers hit-tested for identify, topmost first.
IDENTIFY_ORDER = ("fire_point", "construction_site", "mine", "grid_cell", "village", "township",
                  "fireworks_ban_zone", "coal_ban_zone")

#: Clicks on a big fire-point layer drawn from the file are answered here, one at a time.
_PICK_POOL = queue("identify")
#: Every point of a big fire-point layer, read for the attribute table.
_TABLE_POOL = queue("table-points")
translate = QCoreApplication.translate


class WindowSelection:
    """Identify, cell selection, search hits and the attribute table of the main window."""

    # --- identify and selection ---------------------------------------------------------------
    def _identify_layers(self) -> list[str]:
        """The layers a click may identify now (shown, not empty), topmost first."""
        assert self.data is not None
        return [n for n in IDENTIFY_ORDER if n in self.data.layers and self.canvas.states[n].visible
                and self.data.layers[n].count > 0]

    def _identify_in(self, names: list[str], lon: float, lat: float, tol: float) -> Optional[tuple[str, int]]:
        assert self.data is not None
        for name in names:
            layer = self.data.layers[name]
            hits = layer.at_point(lon, lat, tol)
            if layer.visible is not None:  # not what the period hides
                hits = [h for h in hits if layer.visible[int(h)]]
            if len(hits):
                return name, int(hits[0])
        return None

    def identify_at(self, lon: float, lat: float) -> Optional[tuple[str, int]]:
        """The topmost visible feature at a map position: ``(layer, index)`` or None (here and now: a big
        fire-point layer drawn from the file reads the few points around the position on this thread; a click
        on the map asks it on a worker, see :meth:`identify_click`)."""
        if self.data is None:
            return None
        return self._identify_in(self._identify_layers(), lon, lat, self.canvas.click_tolerance())

    def identify_click(self, lon: float, lat: float) -> None:
        """Identify what a click hit and show it.  The layers in memory answer at once; a big fire-point layer
        drawn from the file is asked on a worker (it reads the points of a small box around the click through
        the spatial index), and the answer is shown when it is in; a later click overtakes it."""
        if self.data is None:
            return
        self._click_serial = getattr(self, "_click_serial", 0) + 1
        names, tol = self._identify_layers(), self.canvas.click_tolerance()
        for i, name in enumerate(names):
            layer = self.data.layers[name]
            if getattr(layer, "loaded", True):
                continue
            hit = self._identify_in(names[:i], lon, lat, tol)  # layers above it (in memory)
            if hit is not None:
                self._show_identified(hit)
                return
            run_job(lambda progress, cancel, layer=layer: layer.at_point(lon, lat, tol), "identify",
                    succeeded=self._on_points_picked, failed=self._on_pick_failed, executor=_PICK_POOL,
                    tag=(self._click_serial, self.data, names[i], names[i + 1:], lon, lat, tol))
            return
        self._show_identified(self._identify_in(names, lon, lat, tol))

    def _on_points_picked(self, job: Job, hits: np.ndarray) -> None:
        serial, data, name, below, lon, lat, tol = job.tag
        if serial != self._click_serial or data is not self.data:
            return  # another click, or another project, since
        visible = data.layers[name].visible  # (read whole meanwhile, for the table: the period's mask)
        if visible is not None:
            hits = [h for h in hits if visible[int(h)]]
        self._show_identified((name, int(hits[0])) if len(hits) else self._identify_in(below, lon, lat, tol))

    def _on_pick_failed(self, job: Job, message: str, kind: str) -> None:
        if job.tag[0] in (-1, getattr(self, "_click_serial", 0)) and kind != "cancelled":
            self.statusBar().showMessage(message, 8000)

    def _show_identified(self, hit: Optional[tuple[str, int]]) -> None:
        if hit is None:
            self.identify_panel.clear_feature()
            self.identified = None
            self.canvas.clear_highlight()
            self._update_actions()
        else:
            self.show_identify(*hit)

    def show_identify(self, name: str, index: int) -> None:
        assert self.data is not None
        row = self.data.layers[name].row(index)  # a fire point drawn from the file: the row its click read
        columns = list(row.index)
        rows: list[tuple[str, str]] = []
        if name in ("grid_cell", "village", "fire_point"):
            parents = parent_names(self.data, name, index)
            if "township" in parents:
                rows.append((feature_title("township"), parents["township"]))
            if "village" in parents and name != "village":
                rows.append((feature_title("village"), parents["village"]))
        spec = LAYERS[name]
        for col in columns:
            if col in ("geometry", "uuid") or (col.endswith("_uuid") and col != "inspector_uuid"):
                continue  # ids: the change history and the table's "Show IDs" have them
            if col == "detected_local" and "detected_utc" in columns:
                continue  # the same instant, shown once in Beijing time below
            value = row[col]
            field = spec.field(col) if col in spec.field_names else None
            if col.endswith("inspector_uuid") and isinstance(value, str) and len(self.inspectors):
                match = self.inspectors.loc[self.inspectors["uuid"] == value, "name"]
                text = str(match.iloc[0]) if len(match) else value
            elif field is not None and field.choices:
                text = value_title(value)
            elif field is not None and field.type == "DATETIME":
                text = short_time(value)
            else:
                text = as_text(value)
            rows.append((table_header(name, col), text))
        label = row.get("name") if "name" in columns else row.get("detected_local", "")
        self.identify_panel.show_feature(f"{feature_title(name)}: {label}", rows, uuid=str(row.get("uuid", "")))
        self.identified = (name, index)
        self.canvas.highlight(name, [index])
        if name == "grid_cell" and self.project_path is not None:
            self._show_cell_records(str(row["code"]))
        self._update_actions()

    def _on_click(self, lon: float, lat: float, shift: bool) -> None:
        if self.data is None:
            return
        if self.canvas.tool == MapCanvas.PICK:
            self._finish_pick(lon, lat)
            return
        if self.canvas.tool == MapCanvas.MEASURE:
            self._measure_click(lon, lat)
            return
        if self.canvas.tool == MapCanvas.SELECT:
            cells = self.data.layers[SELECTION_LAYER].at_point(lon, lat, 0.0)
            if len(cells) == 0:
                if not shift:
                    self.set_selection(np.empty(0, dtype=np.int64))
                return
            cell = int(cells[0])
            if shift:
                if cell in self.selected:
                    self.set_selection(self.selected[self.selected != cell])
                else:
                    self.set_selection(np.append(self.selected, cell))
            else:
                self.set_selection(np.array([cell]))
            self.show_identify(SELECTION_LAYER, cell)
            return
        self.identify_click(lon, lat)

    def _on_rectangle(self, minx: float, miny: float, maxx: float, maxy: float, shift: bool) -> None:
        if self.data is None:
            return
        cells = self.data.layers[SELECTION_LAYER].in_rect(minx, miny, maxx, maxy)
        self.set_selection(np.union1d(self.selected, cells) if shift else cells)

    def set_selection(self, indices: np.ndarray, from_table: bool = False) -> None:
        self.selected = np.unique(np.asarray(indices, dtype=np.int64))
        self.canvas.set_selection(self.selected)
        self._update_selection_label()
        if not from_table and self.data is not None and self._table_layer == SELECTION_LAYER:
            uuids = self.data.layers[SELECTION_LAYER].frame["uuid"].to_numpy()[self.selected].tolist()
            self.table_dock.select_uuids(SELECTION_LAYER, uuids)
        self.selectionChanged.emit(len(self.selected))

    def selected_codes(self) -> list[str]:
        if self.data is None:
            return []
        return self.data.layers[SELECTION_LAYER].frame["code"].to_numpy()[self.selected].tolist()

    def zoom_to_selection(self) -> None:
        if self.data is not None and len(self.selected):
            self.canvas.zoom_to(self.data.layers[SELECTION_LAYER].features_bounds(self.selected))

    def zoom_to_layer(self, name: Optional[str]) -> None:
        if self.data is not None and name in self.data.layers:
            self.canvas.zoom_to(self.data.layers[name].extent)

    # --- workflow -------------------------------------------------------------------------------
    identified: Optional[tuple[str, int]] = None
    _pick_dialog: Optional[FindingDialog] = None

    # --- search -------------------------------------------------------------------------------
    def _on_search(self, text: str) -> None:
        if self.data is not None:
            self.search_panel.show_hits(search_all(self.data, text, self.workflow.people))

    def go_to_place(self, hit: SearchHit) -> None:
        """Show a search hit: zoom to it and identify it (a person: their cells, highlighted)."""
        if hit.kind == PERSON:
            if hit.indices:
                self.canvas.zoom_to(hit.bounds)
            self.canvas.highlight(hit.layer, list(hit.indices))
            self.statusBar().showMessage(self.search_panel.hit_text(hit), 8000)
            return
        self.canvas.zoom_to(hit.bounds)
        self.show_identify(hit.layer, hit.index)

    # --- attribute table ------------------------------------------------------------------------
    _table_layer: Optional[str] = None

    def show_table(self, name: str) -> None:
        if self.data is None or name not in self.data.layers:
            return
        layer = self.data.layers[name]
        if not getattr(layer, "loaded", True):
            # a big fire-point layer drawn from the file: its every point is read on a worker, the table shows
            # when they are in (the map stays usable meanwhile)
            self.statusBar().showMessage(translate("MainWindow", "Reading every fire point for the table…"))
            run_job(lambda progress, cancel: (layer.load(), layer.complete_attributes()), "table-points",
                    succeeded=self._on_table_points_read, failed=self._on_pick_failed, executor=_TABLE_POOL,
                    tag=(-1, self.data, name))
            return
        frame = layer.frame
        self._table_layer = name
        shown, ids = display_frame(name, frame, self.workflow.people)
        self.table_dock.set_layer(name, shown, header_for=lambda col, n=name: table_header(n, col),
                                  title=layer_title(name), ids=ids)
        if not self.table_dock.isVisible():
            self.show_bottom_dock(self.table_dock, 0.38)
        if name == SELECTION_LAYER and len(self.selected):
            uuids = frame["uuid"].to_numpy()[self.selected].tolist()
            self.table_dock.select_uuids(name, uuids)

    def _on_table_points_read(self, job: Job, _result: object) -> None:
        _, data, name = job.tag
        if data is self.data:
            self.statusBar().clearMessage()
            self.show_table(name)

    def _on_table_selection(self, layer: str, uuids: list) -> None:
        if self.data is None:
            return
        frame = self.data.layers[layer].frame
        positions = np.flatnonzero(frame["uuid"].isin(uuids).to_numpy())
        if layer == SELECTION_LAYER:
            self.set_selection(positions, from_table=True)
        self.canvas.highlight(layer, positions)
        if len(positions):
            self.canvas.zoom_to(self.data.layers[layer].features_bounds(positions))

"""The main window's identify and selection, search and attribute-table wiring (a mixin of
:class:`~gridwatch.ui.window.main_window.MainWindow`, split from it to keep modules small)."""

from __future__ import annotations

from typing import Optional

import numpy as np

from ...layers import LAYERS
from ...mapview.search import PERSON, SearchHit, as_text, parent_names, search_all
from ...times import short_time
from ..data.display import display_frame
from ..findings.panel import FindingDialog
from ..map.canvas import SELECTION_LAYER, MapCanvas
from ..texts import feature_title, layer_title, table_header, value_title

#: Layers hit-tested for identify, topmost first.
IDENTIFY_ORDER = ("fire_point", "construction_site", "mine", "grid_cell", "village", "township",
                  "fireworks_ban_zone", "coal_ban_zone")


class WindowSelection:
    """Identify, cell selection, search hits and the attribute table of the main window."""

    # --- identify and selection ---------------------------------------------------------------
    def identify_at(self, lon: float, lat: float) -> Optional[tuple[str, int]]:
        """The topmost visible feature at a map position: ``(layer, index)`` or None."""
        if self.data is None:
            return None
        tol = self.canvas.click_tolerance()
        for name in IDENTIFY_ORDER:
            layer = self.data.layers.get(name)
            if layer is None or not self.canvas.states[name].visible or layer.count == 0:
                continue
            hits = layer.at_point(lon, lat, tol)
            if layer.visible is not None:  # not what the period hides
                hits = [h for h in hits if layer.visible[int(h)]]
            if len(hits):
                return name, int(hits[0])
        return None

    def show_identify(self, name: str, index: int) -> None:
        assert self.data is not None
        frame = self.data.layers[name].frame
        row = frame.iloc[index]
        rows: list[tuple[str, str]] = []
        if name in ("grid_cell", "village", "fire_point"):
            parents = parent_names(self.data, name, index)
            if "township" in parents:
                rows.append((feature_title("township"), parents["township"]))
            if "village" in parents and name != "village":
                rows.append((feature_title("village"), parents["village"]))
        spec = LAYERS[name]
        for col in frame.columns:
            if col in ("geometry", "uuid") or (col.endswith("_uuid") and col != "inspector_uuid"):
                continue  # ids: the change history and the table's "Show IDs" have them
            if col == "detected_local" and "detected_utc" in frame.columns:
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
        label = row.get("name") if "name" in frame.columns else row.get("detected_local", "")
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
        hit = self.identify_at(lon, lat)
        if hit is None:
            self.identify_panel.clear_feature()
            self.identified = None
            self.canvas.clear_highlight()
            self._update_actions()
        else:
            self.show_identify(*hit)

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
        frame = self.data.layers[name].frame
        self._table_layer = name
        shown, ids = display_frame(name, frame, self.workflow.people)
        self.table_dock.set_layer(name, shown, header_for=lambda col, n=name: table_header(n, col),
                                  title=layer_title(name), ids=ids)
        if not self.table_dock.isVisible():
            self.show_bottom_dock(self.table_dock, 0.38)
        if name == SELECTION_LAYER and len(self.selected):
            uuids = frame["uuid"].to_numpy()[self.selected].tolist()
            self.table_dock.select_uuids(name, uuids)

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

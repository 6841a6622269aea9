"""The coverage panel's map theme: the grid cells coloured by their coverage class while the map switch
is on, with the theme's legend in the layers panel (a part of :class:`CoveragePanel`)."""

from __future__ import annotations

from typing import Any

from ...analysis.coverage import COVERAGE_CLASSES, OVERDUE_OUTLINE, OVERDUE_TITLE
from ...mapview.theme import coverage_theme
from ..map.panels import LegendEntry

#: The layer the coverage theme colours.
CELL_LAYER = "grid_cell"


class CoverageMap:
    """The map side of the coverage panel (``map_mode``, ``coverage`` and ``theme`` are the panel's)."""

    map_mode: Any
    coverage: Any
    theme: Any
    _canvas: Any = None
    _layers_panel: Any = None

    def bind_map(self, canvas: Any, layers_panel: Any) -> None:
        """Colour ``canvas``'s grid cells while the map switch is on; legend in ``layers_panel``."""
        self._canvas = canvas
        self._layers_panel = layers_panel
        self._apply_map()

    def legend_entries(self) -> list[LegendEntry]:
        """Legend of the coverage theme: the classes with their counts, then the overdue outline."""
        theme = self.theme
        counts = theme.counts() if theme is not None else [None] * len(COVERAGE_CLASSES)
        out = [LegendEntry(c.key, c.title_zh, c.title_en, c.rgba, n, c.hatch, c.hatch_rgba)
               for c, n in zip(COVERAGE_CLASSES, counts)]
        out.append(LegendEntry("overdue", OVERDUE_TITLE[0], OVERDUE_TITLE[1], OVERDUE_OUTLINE,
                               theme.emphasised() if theme is not None else None, outline=True))
        return out

    def _apply_map(self) -> None:
        canvas, layers = self._canvas, self._layers_panel
        on = self.map_mode.isChecked() and self.coverage is not None
        data = getattr(canvas, "data", None) if canvas is not None else None
        if on and data is not None and CELL_LAYER in data.layers:
            assert self.coverage is not None
            codes = data.layers[CELL_LAYER].frame["code"].to_numpy()
            self.theme = coverage_theme(codes, self.coverage)
            canvas.set_layer_theme(CELL_LAYER, self.theme)
            if layers is not None:
                layers.set_legend(CELL_LAYER, self.legend_entries())
            return
        self.theme = None
        if canvas is not None:
            canvas.set_layer_theme(CELL_LAYER, None)
        if layers is not None and CELL_LAYER in layers.legends:
            layers.set_legend(CELL_LAYER, None)

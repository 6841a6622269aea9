"""What a printed map shows and on what paper (MapSpec), checked before anything is drawn."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, replace
from typing import Optional

from ..layers import LAYERS
from .files import ExportError

#: Paper sizes (short side, long side) in millimetres.
PAPER_MM: dict[str, tuple[float, float]] = {"A4": (210.0, 297.0), "A3": (297.0, 420.0)}


ORIENTATIONS = ("portrait", "landscape")


THEMES = ("layers", "coverage")


#: Layers drawn when none are chosen, per theme.
DEFAULT_LAYERS: dict[str, tuple[str, ...]] = {
    "layers": tuple(LAYERS),
    "coverage": ("township", "village", "grid_cell"),
}


@dataclass(frozen=True)
class MapSpec:
    """What a printed map shows and on what paper.

    Parameters
    ----------
    title : str, optional
        Map title; default ``<district><township>网格化环境监管图`` (``…网格巡查覆盖图`` for the
        coverage theme).  Atlas pages put the township's name in front of it.
    subtitle : str, optional
        A line of its own under the title (e.g. the meeting it is for).
    paper : {"A4", "A3"}
    orientation : {"portrait", "landscape"}
    dpi : int
        Pixels per inch of a PNG (PDFs are vector; images in them use this resolution).
    layers : tuple of str, optional
        Layer names (see :data:`gridwatch.layers.LAYERS`) to draw; default :data:`DEFAULT_LAYERS`
        of the theme.  Township boundaries are always drawn.
    theme : {"layers", "coverage"}
    extent : str
        ``"district"`` or a township code or name (an unambiguous part of it is enough).
    fire_days : int, optional
        Only fire points detected in the last ``fire_days`` days before ``now`` (default: all).
    labels : bool
        Township names (and village names on township pages).
    now : datetime, optional
        The moment the map shows (coverage, fire period) and its date; default: now.
    overview : bool
        Atlas only: an overview page of the district before the township pages.
    window, period_label : optional
        The period control's choice (``(start, end)`` aware datetimes, None where open, and how it is
        printed): only fire points detected in it are drawn, and the label is printed in the notes.
        ``fire_days`` N is the same as the last N days.
    """

    title: Optional[str] = None
    subtitle: Optional[str] = None
    paper: str = "A4"
    orientation: str = "portrait"
    dpi: int = 300
    layers: Optional[tuple[str, ...]] = None
    theme: str = "layers"
    extent: str = "district"
    fire_days: Optional[int] = None
    labels: bool = True
    now: Optional[_dt.datetime] = None
    overview: bool = True
    window: Optional[tuple[Optional[_dt.datetime], Optional[_dt.datetime]]] = None
    period_label: Optional[str] = None
    #: Coverage theme: what counts as a visit (reported inspections, patrol tracks or both).
    coverage_basis: str = "reported"

    def checked(self) -> "MapSpec":
        """This spec with defaults filled in; :class:`ExportError` names a wrong value."""
        paper = str(self.paper).upper()
        if paper not in PAPER_MM:
            raise ExportError(f"paper {self.paper!r}: choose one of {', '.join(PAPER_MM)}")
        if self.orientation not in ORIENTATIONS:
            raise ExportError(f"orientation {self.orientation!r}: choose portrait or landscape")
        if self.coverage_basis not in ("reported", "tracks", "both"):
            raise ExportError(f"coverage basis {self.coverage_basis!r}: choose reported, tracks or both")
        if self.theme not in THEMES:
            raise ExportError(f"theme {self.theme!r}: choose one of {', '.join(THEMES)}")
        if not 50 <= int(self.dpi) <= 1200:
            raise ExportError(f"dpi {self.dpi}: give a resolution between 50 and 1200 (300 for print)")
        layers = tuple(self.layers) if self.layers is not None else DEFAULT_LAYERS[self.theme]
        unknown = [name for name in layers if name not in LAYERS]
        if unknown:
            raise ExportError(f"unknown layer(s) {', '.join(unknown)}; layers: {', '.join(LAYERS)}")
        if not layers:
            raise ExportError("no layers chosen; name at least one of " + ", ".join(LAYERS))
        if self.theme == "coverage" and "grid_cell" not in layers:
            layers = layers + ("grid_cell",)
        if self.fire_days is not None and not 0 < int(self.fire_days) <= 3660:
            raise ExportError(f"fire_days {self.fire_days}: give a number of days greater than 0")
        now = self.now or _dt.datetime.now(_dt.timezone.utc)
        if now.tzinfo is None:
            raise ExportError("now must carry a time zone")
        window, label = self.window, self.period_label
        if window is None and self.fire_days is not None:
            start = now - _dt.timedelta(days=int(self.fire_days))
            window = (start, now + _dt.timedelta(microseconds=1))
            bj = _dt.timezone(_dt.timedelta(hours=8))
            label = (f"近{int(self.fire_days)}天（{start.astimezone(bj):%Y-%m-%d %H:%M} 至 "
                     f"{now.astimezone(bj):%Y-%m-%d %H:%M}）")
        return replace(self, paper=paper, layers=layers, dpi=int(self.dpi), now=now, window=window,
                       period_label=label or ("全部" if window is None else None))

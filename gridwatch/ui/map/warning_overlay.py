"""What the canvas draws while a heavy-pollution warning is in force (issue 17): a frame round the map
in the warning's colour, a banner with its level, period and the site checks so far, and each
construction site under way marked checked (a green disc with a tick) or not (a red ring with "!")."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen

from ...layers.palette import SITE_CHECKED, SITE_UNCHECKED, WARNING_LEVEL
from ...mapview.viewport import Viewport


@dataclass
class WarningState:
    """A warning in force as the map shows it."""

    level: str
    banner: str  # the whole banner line, translated
    sites: list[tuple[float, float, bool]] = field(default_factory=list)  # lon, lat, checked


class WarningOverlay:
    """A canvas overlay painter (``canvas.overlay_painters``); ``state`` None draws nothing."""

    FRAME = 6

    def __init__(self) -> None:
        self.state: Optional[WarningState] = None

    def colour(self) -> QColor:
        assert self.state is not None
        return QColor(*WARNING_LEVEL.get(self.state.level, WARNING_LEVEL["orange"]))

    def __call__(self, p: QPainter, vp: Viewport) -> None:
        if self.state is None:
            return
        w, h = p.device().width(), p.device().height()
        colour = self.colour()
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        for lon, lat, checked in self.state.sites:
            x, y = vp.to_screen(lon, lat)
            if -12 <= x <= w + 12 and -12 <= y <= h + 12:
                self._site(p, QPointF(float(x), float(y)), checked)
        half = self.FRAME / 2
        p.setPen(QPen(colour, self.FRAME))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRect(QRectF(half, half, w - self.FRAME, h - self.FRAME))
        font = QFont(p.font())
        font.setPointSizeF(max(font.pointSizeF(), 10.0) * 1.15)
        font.setBold(True)
        p.setFont(font)
        metrics = QFontMetrics(font)
        room = max(60, w - 140)  # clear of the north arrow at the top right
        lines = [metrics.elidedText(line, Qt.TextElideMode.ElideRight, room) for line in self.state.banner.split("\n")]
        tw = max(metrics.horizontalAdvance(line) for line in lines) + 28
        th = metrics.lineSpacing() * len(lines) + 12
        box = QRectF(max(self.FRAME + 6, (w - tw) / 2 - 40), self.FRAME + 6, tw, th)
        text = "\n".join(lines)
        p.setPen(QPen(QColor(40, 40, 40, 200), 1.0))
        p.setBrush(colour)
        p.drawRoundedRect(box, 6, 6)
        p.setPen(QColor(255, 255, 255) if self.state.level == "red" else QColor(20, 20, 20))
        p.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)

    @staticmethod
    def _site(p: QPainter, c: QPointF, checked: bool) -> None:
        r = 7.5
        if checked:
            p.setPen(QPen(QColor(255, 255, 255), 1.5))
            p.setBrush(QColor(*SITE_CHECKED))
            p.drawEllipse(c, r, r)
            p.setPen(QPen(QColor(255, 255, 255), 2.2, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
            p.drawPolyline([QPointF(c.x() - 3.5, c.y()), QPointF(c.x() - 1, c.y() + 3), QPointF(c.x() + 4, c.y() - 3)])
        else:
            p.setPen(QPen(QColor(*SITE_UNCHECKED), 3.0))
            p.setBrush(QColor(255, 255, 255, 230))
            p.drawEllipse(c, r, r)
            p.setPen(QPen(QColor(*SITE_UNCHECKED), 2.2, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
            p.drawLine(QPointF(c.x(), c.y() - 3.5), QPointF(c.x(), c.y() + 1))
            p.drawPoint(QPointF(c.x(), c.y() + 3.5))

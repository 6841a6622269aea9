"""A dashboard chart as an image: the chart with its title and period printed above it, so that a
picture pasted into a briefing says what it shows and for when (every export prints its period)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter

#: Margin around the caption's lines, pixels.
PAD = 6


def captioned(image: QImage, title: str, period: str) -> QImage:
    """``image`` under a white band holding ``title`` (bold) and ``period``; both are also kept in the
    PNG's text chunks (``Title``, ``Period``) for whoever reads the file's properties."""
    bold = QFont()
    bold.setPointSizeF(11.0)
    bold.setBold(True)
    plain = QFont()
    plain.setPointSizeF(10.0)
    lines = ((bold, title), (plain, period))
    heights = [QFontMetrics(font).height() for font, _ in lines]
    band = sum(heights) + PAD * (len(lines) + 1)
    out = QImage(image.width(), image.height() + band, QImage.Format.Format_ARGB32)
    out.fill(QColor("white"))
    painter = QPainter(out)
    try:
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        painter.setPen(QColor("#212121"))
        y = PAD
        for (font, text), h in zip(lines, heights):
            painter.setFont(font)
            painter.drawText(PAD, y, max(1, out.width() - 2 * PAD), h,
                             int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), text)
            y += h + PAD
        painter.drawImage(0, band, image)
    finally:
        painter.end()
    out.setText("Title", title)
    out.setText("Period", period)
    return out

"""A dashboard chart as an image: the chart with its title and period printed above it, so that a
picture pasted into a briefing says what it shows and for when (every export prints its period)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pyqtgraph.exporters import ImageExporter
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter

from ...errors import GridWatchError
from ...export.files import checked_target, write_atomically

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


def save_chart(item: Any, path: os.PathLike[str] | str, title: str, period: str) -> Path:
    """Write the pyqtgraph layout ``item`` to a PNG at its on-screen size under its caption.

    The image is written beside ``path`` and moved into place: an existing file is replaced whole or
    left as it was.  Returns the file written (``.png`` added when missing).
    """
    target = Path(path)
    if target.suffix.lower() != ".png":
        target = target.with_suffix(".png")
    target = checked_target(target, (".png",), error=GridWatchError)

    def write(tmp: Path) -> None:
        exporter = ImageExporter(item)
        exporter.parameters()["width"] = int(round(item.boundingRect().width()))
        image = exporter.export(toBytes=True)  # a QImage; saved as PNG whatever the temp name ends in
        if image is not None and not image.isNull():
            image = captioned(image, title, period)
        if image is None or image.isNull() or not image.save(str(tmp), "PNG") or tmp.stat().st_size == 0:
            raise GridWatchError(f"{target}: the chart image could not be made")

    write_atomically(target, write, error=GridWatchError)
    return target

"""Where am I: GPS positions through Qt Positioning, and their drawing on the map.

Sources, all through ``QNmeaPositionInfoSource`` or the system's default source:

* a USB/serial receiver sending NMEA 0183 (QtSerialPort, 4800 or 9600 baud);
* gpsd (the Linux GPS daemon) over TCP, asked for raw NMEA (``?WATCH={"enable":true,"nmea":true}``);
* the system's positioning service (``QGeoPositionInfoSource.createDefaultSource``: GeoClue on Linux,
  Windows location);
* an NMEA log replayed at its recorded pace (training, demos, tests).

The accuracy is the source's horizontal accuracy; for NMEA, HDOP times a user equivalent range
error of 5 m (:data:`gridwatch.importers.nmea.UERE_M`).  :class:`GpsOverlay` draws the position,
its accuracy circle and the patrol tracks shown on the map, over the rendered map each frame.
"""

from __future__ import annotations

import datetime as _dt
import math
from pathlib import Path
from typing import Optional

import numpy as np
from PySide6.QtCore import QFile, QIODevice, QObject, QPointF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen, QPolygonF

from ...app.imports import UERE_M
from ...layers.palette import OKABE_ITO
from ...mapview.viewport import METRES_PER_DEGREE, Viewport


class GpsSource(QObject):
    """One position source at a time; ``positionChanged(lon, lat, accuracy_m or NaN, utc datetime)``."""

    positionChanged = Signal(float, float, float, object)
    statusChanged = Signal(str)  # "running", "stopped", or an error text
    KINDS = ("replay", "serial", "gpsd", "system")

    def __init__(self, parent: Optional[QObject] = None) -> None:
        super().__init__(parent)
        self._source = None
        self._device: Optional[QIODevice] = None
        self.kind = ""
        self._gpsd = ("", 0)
        self.last: Optional[tuple[float, float, float, _dt.datetime]] = None

    @property
    def running(self) -> bool:
        return self._source is not None

    def start_replay(self, path: Path) -> None:
        """Replay an NMEA log at its recorded pace (the first fix at once)."""
        from PySide6.QtPositioning import QNmeaPositionInfoSource

        f = QFile(str(path), self)
        if not f.open(QIODevice.OpenModeFlag.ReadOnly):
            self.statusChanged.emit(self.tr("Cannot open %1").replace("%1", str(path)))
            return
        self._start_nmea(QNmeaPositionInfoSource.UpdateMode.SimulationMode, f, "replay")

    def start_serial(self, port: str, baud: int = 9600) -> None:
        """A receiver on a serial port (``/dev/ttyUSB0``, ``COM3``)."""
        from PySide6.QtPositioning import QNmeaPositionInfoSource
        from PySide6.QtSerialPort import QSerialPort

        sp = QSerialPort(port, self)
        sp.setBaudRate(baud)
        if not sp.open(QIODevice.OpenModeFlag.ReadOnly):
            self.statusChanged.emit(self.tr("Cannot open the receiver on %1: %2").replace("%1", port)
                                    .replace("%2", sp.errorString()))
            return
        self._start_nmea(QNmeaPositionInfoSource.UpdateMode.RealTimeMode, sp, "serial")

    def start_gpsd(self, host: str = "127.0.0.1", port: int = 2947) -> None:
        """gpsd's raw NMEA over TCP."""
        from PySide6.QtNetwork import QTcpSocket
        from PySide6.QtPositioning import QNmeaPositionInfoSource

        sock = QTcpSocket(self)
        self._gpsd = (host, port)
        # bound methods, not lambdas: a lambda holding this object, connected to a child's signal, made
        # PySide destroy the child directly when this object went (Qt: "shared QObject was deleted directly")
        sock.connected.connect(self._gpsd_connected)
        sock.errorOccurred.connect(self._gpsd_error)
        sock.connectToHost(host, port)
        self._start_nmea(QNmeaPositionInfoSource.UpdateMode.RealTimeMode, sock, "gpsd")

    def _gpsd_connected(self) -> None:
        if self._device is not None:
            self._device.write(b'?WATCH={"enable":true,"nmea":true}\n')

    def _gpsd_error(self, _error: object) -> None:
        host, port = self._gpsd
        message = self._device.errorString() if self._device is not None else ""
        self.statusChanged.emit(self.tr("gpsd at %1:%2: %3").replace("%1", host).replace("%2", str(port))
                                .replace("%3", message))

    def start_system(self) -> None:
        """The system's positioning service."""
        from PySide6.QtPositioning import QGeoPositionInfoSource

        src = QGeoPositionInfoSource.createDefaultSource(self)
        if src is None:
            self.statusChanged.emit(self.tr("This computer has no positioning service"))
            return
        self._begin(src, None, "system")

    def _start_nmea(self, mode, device: QIODevice, kind: str) -> None:  # type: ignore[no-untyped-def]
        from PySide6.QtPositioning import QNmeaPositionInfoSource

        src = QNmeaPositionInfoSource(mode, self)
        src.setUserEquivalentRangeError(UERE_M)
        src.setDevice(device)
        # The device lives as long as the source that reads it: a child is deleted after its parent's own
        # destructor ran.  As a sibling made before it, the device went first when this object was destroyed,
        # and the source's destructor then touched a deleted device (a crash found by the serial test).
        device.setParent(src)
        self._begin(src, device, kind)

    def _begin(self, src, device: Optional[QIODevice], kind: str) -> None:  # type: ignore[no-untyped-def]
        self.stop()
        self._source, self._device, self.kind = src, device, kind
        src.positionUpdated.connect(self._on_position)
        src.errorOccurred.connect(self._on_error)  # a bound method (see start_gpsd)
        src.startUpdates()
        self.statusChanged.emit("running")

    def stop(self) -> None:
        if self._source is not None:
            self._source.stopUpdates()
        if self._device is not None:
            self._device.close()
        if self._source is not None:
            self._source.deleteLater()  # and its device with it (see _start_nmea)
        was = self._source is not None
        self._source, self._device, self.kind = None, None, ""
        if was:
            self.statusChanged.emit("stopped")

    def _on_error(self, error: object) -> None:
        self.statusChanged.emit(self.tr("Positioning error %1").replace("%1", str(getattr(error, "name", error))))

    def _on_position(self, info) -> None:  # type: ignore[no-untyped-def]
        from PySide6.QtPositioning import QGeoPositionInfo

        c = info.coordinate()
        if not c.isValid():
            return
        acc = info.attribute(QGeoPositionInfo.Attribute.HorizontalAccuracy) \
            if info.hasAttribute(QGeoPositionInfo.Attribute.HorizontalAccuracy) else float("nan")
        ts = info.timestamp().toSecsSinceEpoch() if info.timestamp().isValid() else None
        t = _dt.datetime.fromtimestamp(ts, _dt.timezone.utc) if ts is not None else _dt.datetime.now(_dt.timezone.utc)
        self.last = (c.longitude(), c.latitude(), float(acc), t)
        self.positionChanged.emit(c.longitude(), c.latitude(), float(acc), t)


class GpsOverlay:
    """What the canvas draws over the map each frame: tracks shown (per person, a colour each) and the position."""

    def __init__(self) -> None:
        self.position: Optional[tuple[float, float, float]] = None  # lon, lat, accuracy m (NaN unknown)
        #: (label, lon array, lat array, colour) per shown track; lines break where points are > 5 min apart
        self.tracks: list[tuple[str, np.ndarray, np.ndarray, QColor]] = []

    def __call__(self, p: QPainter, vp: Viewport) -> None:
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        sx, ox, sy, oy = vp.affine()
        for _label, lon, lat, colour in self.tracks:
            x, y = lon * sx + ox, lat * sy + oy
            breaks = np.flatnonzero(np.isnan(x))
            start = 0
            for stop in [*breaks.tolist(), len(x)]:
                if stop - start >= 2:
                    poly = QPolygonF([QPointF(a, b) for a, b in zip(x[start:stop], y[start:stop])])
                    p.setPen(QPen(QColor(255, 255, 255, 200), 4.5, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                                  Qt.PenJoinStyle.RoundJoin))
                    p.drawPolyline(poly)
                    p.setPen(QPen(colour, 2.5, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                                  Qt.PenJoinStyle.RoundJoin))
                    p.drawPolyline(poly)
                start = stop + 1
        if self.position is not None:
            lon, lat, acc = self.position
            x, y = vp.to_screen(lon, lat)
            centre = QPointF(float(x), float(y))
            if math.isfinite(acc) and acc > 0:
                r = acc / (vp.res * METRES_PER_DEGREE)
                p.setPen(QPen(QColor(0, 114, 178, 160), 1.0))
                p.setBrush(QColor(0, 114, 178, 45))
                p.drawEllipse(centre, r, r)
            p.setPen(QPen(QColor(255, 255, 255), 2.5))
            p.setBrush(QColor(0, 114, 178))
            p.drawEllipse(centre, 7.0, 7.0)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)


def track_colour(i: int) -> QColor:
    """A colour per shown track (Okabe-Ito, skipping black and the position's blue)."""
    keys = ["vermillion", "bluish_green", "reddish_purple", "orange", "sky_blue", "yellow"]
    rgb = OKABE_ITO[keys[i % len(keys)]]
    return QColor(*rgb[:3])

"""The GPS sources a field laptop really uses, with real devices in the test: a USB/serial receiver
(a pseudo-terminal whose master side the test writes the shipped NMEA log into, the app reading the
slave device path as it reads /dev/ttyUSB0) and gpsd (a small TCP server in the test speaking gpsd's
JSON protocol: VERSION on connect, ?WATCH answered with DEVICES and WATCH, then the log's sentences
as gpsd relays them when asked for NMEA, or TPV reports when asked for JSON)."""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from pathlib import Path

import pytest

from gridwatch.ui.map.gps import GpsSource

LOG = Path(__file__).resolve().parent.parent / "data" / "patrol_walk.nmea"


def _fixes() -> list[tuple[float, float]]:
    """(lon, lat) of every GGA sentence of the log, parsed here by hand (ddmm.mmmm to degrees)."""
    out = []
    for line in LOG.read_text(encoding="ascii").splitlines():
        f = line.split(",")
        if f[0].endswith("GGA") and f[6] != "0":
            lat = int(f[2][:2]) + float(f[2][2:]) / 60.0
            lon = int(f[4][:3]) + float(f[4][3:]) / 60.0
            out.append((lon if f[5] == "E" else -lon, lat if f[3] == "N" else -lat))
    return out


def _collect(source: GpsSource) -> list[tuple[float, float, float]]:
    got: list[tuple[float, float, float]] = []
    source.positionChanged.connect(lambda lon, lat, acc, t: got.append((lon, lat, acc)))
    return got


def _on_the_walk(got: list[tuple[float, float, float]], fixes: list[tuple[float, float]]) -> bool:
    """Every position received is one of the log's fixes (as the sentences say it)."""
    return all(any(abs(lon - a) < 1e-7 and abs(lat - b) < 1e-7 for a, b in fixes) for lon, lat, _acc in got)


def test_a_serial_receiver_on_a_pseudo_terminal_gives_positions(qtbot):
    pytest.importorskip("PySide6.QtSerialPort")
    master, slave = os.openpty()
    port = os.ttyname(slave)
    fixes = _fixes()
    source = GpsSource()
    got = _collect(source)
    errors: list[str] = []
    source.statusChanged.connect(errors.append)
    stop = threading.Event()

    def receiver() -> None:
        # a receiver sends its sentences at 4800-9600 baud as it computes fixes: a line at a time
        for line in LOG.read_bytes().splitlines(keepends=True):
            if stop.is_set():
                return
            try:
                os.write(master, line.replace(b"\n", b"\r\n"))
            except OSError:
                return
            time.sleep(0.002)

    try:
        source.start_serial(port, 9600)
        assert source.running and source.kind == "serial", errors
        writer = threading.Thread(target=receiver, daemon=True)
        writer.start()
        qtbot.waitUntil(lambda: len(got) >= 50, timeout=20_000)
        first_lon, first_lat, acc = got[0]
        assert abs(first_lon - 114.32864) < 1e-5 and abs(first_lat - 38.112788) < 1e-5  # 3806.7673N 11419.7184E
        assert 0 < acc < 50  # HDOP 0.8 x 5 m
        assert _on_the_walk(got, fixes)
        assert len({(round(lon, 6), round(lat, 6)) for lon, lat, _ in got}) > 20  # it walks, not one fix again
        assert source.last is not None and (source.last[0], source.last[1]) == got[-1][:2]
    finally:
        stop.set()
        source.stop()
        os.close(master)
        os.close(slave)
    assert not source.running


class _Gpsd(threading.Thread):
    """gpsd as far as a client sees it: the JSON protocol's VERSION, ?WATCH, DEVICES, WATCH and the
    reports of the watched device (raw NMEA sentences, or TPV objects), replaying the log."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.watch: dict = {}
        self.stop = threading.Event()

    def run(self) -> None:
        conn, _addr = self.server.accept()
        with conn:
            conn.sendall(b'{"class":"VERSION","release":"3.22","rev":"3.22","proto_major":3,"proto_minor":14}\r\n')
            buf = b""
            while b"\n" not in buf and b";" not in buf:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                buf += chunk
            command = buf.decode("ascii").strip().rstrip(";")
            assert command.startswith("?WATCH=")
            self.watch = json.loads(command[len("?WATCH="):])
            device = "/dev/ttyACM0"
            conn.sendall(json.dumps({"class": "DEVICES", "devices": [
                {"class": "DEVICE", "path": device, "driver": "NMEA0183", "activated": "2026-12-01T01:00:00.000Z",
                 "native": 0, "bps": 9600, "parity": "N", "stopbits": 1, "cycle": 1.0}]}).encode() + b"\r\n")
            conn.sendall(json.dumps({"class": "WATCH", "enable": True, "json": bool(self.watch.get("json")),
                                     "nmea": bool(self.watch.get("nmea")), "raw": 0, "scaled": False,
                                     "timing": False, "split24": False, "pps": False}).encode() + b"\r\n")
            for line in LOG.read_text(encoding="ascii").splitlines():
                if self.stop.is_set():
                    return
                try:
                    if self.watch.get("nmea"):
                        conn.sendall(line.encode("ascii") + b"\r\n")
                    elif self.watch.get("json") and line[3:6] == "GGA":
                        f = line.split(",")
                        conn.sendall(json.dumps({
                            "class": "TPV", "device": device, "mode": 3,
                            "lat": int(f[2][:2]) + float(f[2][2:]) / 60.0,
                            "lon": int(f[4][:3]) + float(f[4][3:]) / 60.0}).encode() + b"\r\n")
                except OSError:
                    return
                time.sleep(0.002)


def test_gpsd_is_asked_for_nmea_and_its_sentences_give_positions(qtbot):
    pytest.importorskip("PySide6.QtNetwork")
    gpsd = _Gpsd()
    gpsd.start()
    fixes = _fixes()
    source = GpsSource()
    got = _collect(source)
    try:
        source.start_gpsd("127.0.0.1", gpsd.port)
        assert source.running and source.kind == "gpsd"
        qtbot.waitUntil(lambda: len(got) >= 50, timeout=20_000)
        # the app asked gpsd for the receiver's sentences (gpsd's JSON lines before them are skipped)
        assert gpsd.watch == {"enable": True, "nmea": True}
        lon, lat, acc = got[0]
        assert abs(lon - 114.32864) < 1e-5 and abs(lat - 38.112788) < 1e-5 and 0 < acc < 50
        assert _on_the_walk(got, fixes)
    finally:
        gpsd.stop.set()
        source.stop()
        gpsd.server.close()


def test_gpsd_not_running_is_said_in_the_status(qtbot):
    pytest.importorskip("PySide6.QtNetwork")
    with socket.create_server(("127.0.0.1", 0)) as s:
        port = s.getsockname()[1]  # a port nobody listens on once closed
    source = GpsSource()
    status: list[str] = []
    source.statusChanged.connect(status.append)
    source.start_gpsd("127.0.0.1", port)
    qtbot.waitUntil(lambda: any(f"127.0.0.1:{port}" in s for s in status), timeout=10_000)
    source.stop()

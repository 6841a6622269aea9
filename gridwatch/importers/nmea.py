"""NMEA 0183 from GPS receivers: parse sentences, write them, read a recorded log as a track.

A USB/serial receiver (or gpsd's raw mode) sends lines like
``$GPRMC,013015.00,A,3805.4012,N,11418.6012,E,1.20,87.5,061226,,,A*6C``.  GridWatch reads the
position and time from RMC (recommended minimum) and GGA (fix data: quality, satellites, HDOP),
with any talker (GP GPS, BD/GB BeiDou, GN multi-constellation, GL, GA).  A sentence whose checksum
does not match is dropped (a serial line garbles bytes); a log whose lines are not NMEA at all is
refused with the line that is wrong.  Qt-free: the UI's live sources feed lines to
:class:`NmeaReader` and the replay and the importer read files with :func:`read_nmea_log`.
"""

from __future__ import annotations

import datetime as _dt
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Optional

import numpy as np

from ..errors import BadInputFile

#: Metres of horizontal error per unit of HDOP (a consumer receiver's user range error, about 5 m).
UERE_M = 5.0


@dataclass(frozen=True)
class Fix:
    """One position: UTC time, longitude/latitude degrees, an accuracy estimate in metres (or None)."""

    time: _dt.datetime
    lon: float
    lat: float
    accuracy_m: Optional[float] = None
    speed_mps: Optional[float] = None
    satellites: Optional[int] = None


def checksum(body: str) -> str:
    """The two hex digits of the XOR of the characters between ``$`` and ``*``."""
    value = 0
    for ch in body:
        value ^= ord(ch)
    return f"{value:02X}"


def _split(line: str) -> Optional[list[str]]:
    """The fields of a sentence with a valid checksum (None: not one, or garbled)."""
    line = line.strip()
    if not line.startswith("$") or "*" not in line:
        return None
    body, _, given = line[1:].rpartition("*")
    if given.strip().upper() != checksum(body):
        return None
    return body.split(",")


def _degrees(value: str, hemi: str) -> Optional[float]:
    """``ddmm.mmmm`` / ``dddmm.mmmm`` with N/S/E/W as signed decimal degrees."""
    if not value or hemi not in ("N", "S", "E", "W"):
        return None
    try:
        raw = float(value)
    except ValueError:
        return None
    deg = math.floor(raw / 100.0)
    out = deg + (raw - deg * 100.0) / 60.0
    return -out if hemi in ("S", "W") else out


def _time(hhmmss: str, day: Optional[_dt.date]) -> Optional[_dt.datetime]:
    if day is None or len(hhmmss) < 6:
        return None
    try:
        h, m, s = int(hhmmss[0:2]), int(hhmmss[2:4]), float(hhmmss[4:])
    except ValueError:
        return None
    base = _dt.datetime(day.year, day.month, day.day, tzinfo=_dt.timezone.utc)
    return base + _dt.timedelta(hours=h, minutes=m, seconds=s)


class NmeaReader:
    """Turns a stream of sentences into fixes.

    RMC carries the date and the position; GGA (which has no date) adds quality, satellites and
    HDOP to the fix of the same second.  A fix is emitted on each valid RMC; GGA only refines it.
    """

    def __init__(self) -> None:
        self.day: Optional[_dt.date] = None
        self._hdop: dict[str, float] = {}
        self._sats: dict[str, int] = {}
        self.sentences = 0
        self.bad_checksums = 0

    def feed(self, line: str) -> Optional[Fix]:
        """One line; returns a fix when the line completes one."""
        text = line.strip()
        if not text:
            return None
        fields = _split(text)
        if fields is None:
            if text.startswith("$"):
                self.bad_checksums += 1
            return None
        self.sentences += 1
        kind = fields[0][-3:]
        if kind == "GGA" and len(fields) >= 9:
            if fields[6] not in ("", "0") and fields[8]:
                try:
                    self._hdop[fields[1][:6]] = float(fields[8])
                    self._sats[fields[1][:6]] = int(fields[7] or 0)
                except ValueError:
                    pass
            return None
        if kind == "RMC" and len(fields) >= 10:
            if fields[2] != "A":  # V: no valid fix
                return None
            date = fields[9]
            try:
                self.day = _dt.date(2000 + int(date[4:6]), int(date[2:4]), int(date[0:2]))
            except (ValueError, IndexError):
                return None
            t = _time(fields[1], self.day)
            lat, lon = _degrees(fields[3], fields[4]), _degrees(fields[5], fields[6])
            if t is None or lat is None or lon is None:
                return None
            key = fields[1][:6]
            hdop = self._hdop.pop(key, None)
            sats = self._sats.pop(key, None)
            speed = None
            try:
                speed = float(fields[7]) * 0.514444 if fields[7] else None
            except ValueError:
                pass
            return Fix(t, lon, lat, None if hdop is None else round(hdop * UERE_M, 1), speed, sats)
        return None


def _dm(value: float, lat: bool) -> tuple[str, str]:
    hemi = ("N" if value >= 0 else "S") if lat else ("E" if value >= 0 else "W")
    v = abs(value)
    deg = int(v)
    minutes = (v - deg) * 60.0
    if round(minutes, 4) >= 60.0:
        deg, minutes = deg + 1, 0.0
    return (f"{deg:02d}{minutes:07.4f}" if lat else f"{deg:03d}{minutes:07.4f}"), hemi


def sentence(body: str) -> str:
    """``$body*CS``."""
    return f"${body}*{checksum(body)}"


def fix_sentences(fix: Fix, talker: str = "GN") -> list[str]:
    """The GGA and RMC sentences a receiver sends for ``fix`` (for recorded logs and tests)."""
    t = fix.time.astimezone(_dt.timezone.utc)
    hms = t.strftime("%H%M%S") + f".{t.microsecond // 10000:02d}"
    lat, ns = _dm(fix.lat, True)
    lon, ew = _dm(fix.lon, False)
    hdop = (fix.accuracy_m or UERE_M) / UERE_M
    sats = fix.satellites or 9
    gga = sentence(f"{talker}GGA,{hms},{lat},{ns},{lon},{ew},1,{sats:02d},{hdop:.1f},85.0,M,-12.0,M,,")
    knots = (fix.speed_mps or 0.0) / 0.514444
    rmc = sentence(f"{talker}RMC,{hms},A,{lat},{ns},{lon},{ew},{knots:.2f},0.0,{t.strftime('%d%m%y')},,,A")
    return [gga, rmc]


def iter_fixes(lines: Iterable[str]) -> Iterator[Fix]:
    reader = NmeaReader()
    for line in lines:
        fix = reader.feed(line)
        if fix is not None:
            yield fix


def read_nmea_log(path: os.PathLike[str] | str) -> list[Fix]:
    """Every fix of a recorded NMEA log.

    Raises
    ------
    BadInputFile
        The file cannot be read, is not NMEA (the first such line is named) or has no valid fix.
    """
    p = Path(path)
    try:
        text = p.read_bytes().decode("ascii", errors="replace")
    except OSError as exc:
        raise BadInputFile(f"{p}: cannot be read ({exc.strerror or exc})") from exc
    reader = NmeaReader()
    fixes = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped and not stripped.startswith("$") and not stripped.startswith("!"):
            raise BadInputFile(f"{p}, line {number}: not an NMEA 0183 sentence ({stripped[:40]!r}); "
                               "choose the receiver's raw log (.nmea, .log, .txt)")
        fix = reader.feed(stripped)
        if fix is not None:
            fixes.append(fix)
    if not fixes:
        raise BadInputFile(f"{p}: no valid position in {reader.sentences} NMEA sentences "
                           f"({reader.bad_checksums} with a wrong checksum); was the receiver's fix ever valid?")
    return fixes


def fixes_arrays(fixes: list[Fix]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """lon, lat, times (datetime64[ns] UTC), accuracy (NaN unknown) of a list of fixes."""
    lon = np.array([f.lon for f in fixes], dtype=float)
    lat = np.array([f.lat for f in fixes], dtype=float)
    times = np.array([f.time.astimezone(_dt.timezone.utc).replace(tzinfo=None) for f in fixes],
                     dtype="datetime64[ns]")
    acc = np.array([np.nan if f.accuracy_m is None else f.accuracy_m for f in fixes], dtype=float)
    return lon, lat, times, acc

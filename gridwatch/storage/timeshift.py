"""Moving a demo project in time: every date of its records shifted by whole days.

The bundled sample district holds two months of work that end on the day before its *as-of* date.
On first run the user's copy is shifted so that the month ends yesterday (and ``gridwatch sample
--as-of DATE`` does the same to a new file).  Whole days keep every time of day, weekday gaps and
Beijing-time day boundaries as they were.

What moves: the times of fire points, tasks, inspections, findings, photos (their columns, the
EXIF dates inside the JPEG bytes, their SHA-256 and ``IMG_YYYYMMDD_`` file names), the audit log
(times and the dates inside its old/new values), sync history and conflicts, dates written in
notes, and construction sites' start and end dates.  Boundaries, zones (their legal dates) and
people do not move.  One transaction: the file is either shifted or left as it was.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import os
import re
import sqlite3
from contextlib import closing
from typing import Any, Optional

from .gpkg import column_names, connect_readwrite, quote_ident, sqlite_tables, transaction
from .schema import META_TABLE

#: Tables whose dates move, with the columns holding a date or time (ISO text) and those holding
#: free text that may mention dates (notes, JSON values).
SHIFTED: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "fire_point": (("detected_utc", "detected_local"), ()),
    "construction_site": (("start_date", "end_date"), ()),
    "assignment": (("due_at", "created_at", "updated_at", "started_at", "finished_at", "cancelled_at"),
                   ("notes", "status_note")),
    "inspection": (("started_at", "finished_at"), ("notes",)),
    "finding": (("rectify_deadline", "found_at", "updated_at", "rectified_at", "verified_at", "closed_at"),
                ("description", "rectify_note", "verify_note", "reject_reason")),
    "attachment": (("taken_at", "created_at"), ("filename",)),
    "audit_log": (("at",), ("old_values", "new_values", "details")),
    "sync_conflict": (("at", "reviewed_at"), ("kept_value", "other_value")),
    "sync_log": (("at",), ("details",)),
    "track_point": (("recorded_at",), ()),  # schema 5: patrol tracks
}
_ISO_DATE = re.compile(r"(?<![\d:])(\d{4})-(\d{2})-(\d{2})(?![\d-])")
_COMPACT_DATE = re.compile(r"(?<=IMG_)(\d{4})(\d{2})(\d{2})(?=_)")
_EXIF_DATE = re.compile(rb"(\d{4}):(\d{2}):(\d{2})(?=[ \x00])")


def _moved(ymd: tuple[Any, ...], days: int) -> Optional[_dt.date]:
    try:
        y, m, d = (int(v) for v in ymd)
        return _dt.date(y, m, d) + _dt.timedelta(days=days)
    except (ValueError, OverflowError):
        return None  # not a date after all: left as written


def shift_text(text: str, days: int) -> str:
    """``text`` with every ISO date (``2026-11-03``, also inside ISO times and JSON) moved by ``days``."""
    def iso(m: re.Match[str]) -> str:
        new = _moved(m.groups(), days)
        return new.isoformat() if new else m.group(0)

    def compact(m: re.Match[str]) -> str:
        new = _moved(m.groups(), days)
        return new.strftime("%Y%m%d") if new else m.group(0)

    return _COMPACT_DATE.sub(compact, _ISO_DATE.sub(iso, text))


def shift_exif(data: bytes, days: int) -> bytes:
    """JPEG bytes with the EXIF dates (``YYYY:MM:DD hh:mm:ss``, GPS ``YYYY:MM:DD``) moved by ``days``.

    Only the APP1 (EXIF) segment is touched, and every replacement has the same length, so the
    image data and every offset stay as they were.
    """
    def exif(m: re.Match[bytes]) -> bytes:
        new = _moved(m.groups(), days)
        return new.strftime("%Y:%m:%d").encode() if new else m.group(0)

    if data[:2] != b"\xff\xd8":
        return data
    pos = 2
    while pos + 4 <= len(data) and data[pos] == 0xFF and data[pos + 1] not in (0xD9, 0xDA):
        end = pos + 2 + int.from_bytes(data[pos + 2:pos + 4], "big")
        if data[pos + 1] == 0xE1 and data[pos + 4:pos + 10] == b"Exif\x00\x00":
            return data[:pos] + _EXIF_DATE.sub(exif, data[pos:end]) + data[end:]
        pos = end
    return data


def shift_project_times(path: os.PathLike[str] | str, days: int, *, as_of: Optional[_dt.date] = None) -> int:
    """Move every record date of the project at ``path`` by ``days`` whole days; returns rows changed.

    ``as_of``: the project's new as-of date, recorded in its metadata (``as_of``).
    """
    changed = 0
    with closing(connect_readwrite(path)) as con, transaction(con):
        tables = sqlite_tables(con)
        if days:
            for table, (time_cols, text_cols) in SHIFTED.items():
                if table in tables:
                    changed += _shift_table(con, table, time_cols, text_cols, days, tables)
            if "attachment" in tables:
                changed += _shift_photos(con, days)
        if as_of is not None:
            meta = quote_ident(META_TABLE, tables)
            con.execute("DELETE FROM " + meta + " WHERE key = ?", ("as_of",))
            con.execute("INSERT INTO " + meta + " (key, value) VALUES (?, ?)", ("as_of", as_of.isoformat()))
    return changed


def _shift_table(con: sqlite3.Connection, table: str, time_cols: tuple[str, ...], text_cols: tuple[str, ...],
                 days: int, tables: set[str]) -> int:
    cols = column_names(con, table)
    qt = quote_ident(table, tables)
    n = 0
    modifier = f"{int(days):+d} days"
    for col in (c for c in time_cols if c in cols):
        qc = quote_ident(col, cols)
        # ISO text: the date part moves, the time of day and the offset stay
        n += con.execute("UPDATE " + qt + " SET " + qc + " = date(substr(" + qc + ", 1, 10), ?) || substr(" + qc
                         + ", 11) WHERE " + qc + " GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*'",
                         (modifier,)).rowcount
    for col in (c for c in text_cols if c in cols):
        qc = quote_ident(col, cols)
        rows = con.execute("SELECT fid, " + qc + " FROM " + qt + " WHERE " + qc + " GLOB ?",
                           ("*[0-9][0-9][0-9][0-9]*",)).fetchall()
        updates = [(new, fid) for fid, old in rows if isinstance(old, str) and (new := shift_text(old, days)) != old]
        con.executemany("UPDATE " + qt + " SET " + qc + " = ? WHERE fid = ?", updates)
        n += len(updates)
    return n


def _shift_photos(con: sqlite3.Connection, days: int) -> int:
    updates = []
    for fid, data in con.execute("SELECT fid, data FROM attachment WHERE data IS NOT NULL").fetchall():
        new = shift_exif(bytes(data), days)
        if new != data:
            updates.append((new, hashlib.sha256(new).hexdigest(), fid))
    con.executemany("UPDATE attachment SET data = ?, sha256 = ? WHERE fid = ?", updates)
    return len(updates)

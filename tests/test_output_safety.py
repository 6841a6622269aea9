"""Issue 14, output: what GridWatch writes or prints cannot be turned against its reader.

* CSV: a carriage return or line feed inside a field never ends the row where Excel reads it, and no cell
  Excel will really see starts a formula;
* the terminal: names with escape sequences are printed escaped (`gridwatch tasks`, the ranking summary);
* photos: a path that is a FIFO (or a device) is refused at once, not read for ever;
* the PDF map: a long district name stays inside the frame.
"""

from __future__ import annotations

import csv
import io
import os
import sqlite3
import subprocess
import threading
from contextlib import closing
from pathlib import Path

import numpy as np
import pytest

from gridwatch.cli import main
from gridwatch.errors import ValidationError

from .test_stats import T1, write_district

HOSTILE = [
    "漏气\r=cmd|' /C calc'!A0",  # a bare carriage return, then a DDE formula
    "第一行\n+SUM(1,2)",  # a line feed, then a formula
    "\r\n@SUM(A1)",
    "  =1+1",  # a formula after blanks
    "正常\r\n两行",
]
ESCAPES = "\x1b]0;pwned\x07\x1b[2J\x9b31m红"  # window title, clear screen, a C1 CSI


@pytest.fixture
def district(tmp_path):
    from gridwatch.storage.gpkg import register_gpkg_functions

    path = write_district(tmp_path / "district.gpkg")
    with closing(sqlite3.connect(path)) as con:
        register_gpkg_functions(con)  # GDAL's R-tree triggers call them on any update
        uuids = [r[0] for r in con.execute("SELECT uuid FROM finding ORDER BY found_at")]
        for uid, text in zip(uuids, HOSTILE):
            con.execute("UPDATE finding SET description = ? WHERE uuid = ?", (text, uid))
        con.execute("UPDATE township SET name = ? WHERE code = ?", ("一镇" + ESCAPES, T1))
        con.commit()
    return path


def excel_rows(raw: bytes) -> list[list[str]]:
    """The rows as Excel reads a CSV: RFC 4180 quoting; outside quotes CR, LF and CRLF each end a row."""
    text = raw.decode("utf-8-sig")
    rows, row, cell, quoted, i = [], [], [], False, 0
    while i < len(text):
        ch = text[i]
        if quoted:
            if ch == '"' and text[i + 1:i + 2] == '"':
                cell.append('"')
                i += 1
            elif ch == '"':
                quoted = False
            else:
                cell.append(ch)
        elif ch == '"':
            quoted = True
        elif ch == ",":
            row.append("".join(cell))
            cell = []
        elif ch in "\r\n":
            if ch == "\r" and text[i + 1:i + 2] == "\n":
                i += 1
            row.append("".join(cell))
            rows.append(row)
            row, cell = [], []
        else:
            cell.append(ch)
        i += 1
    if cell or row:
        row.append("".join(cell))
        rows.append(row)
    return rows


def test_csv_cells_keep_their_line_breaks_and_never_start_a_formula(district, tmp_path, capsys):
    out = tmp_path / "台账.csv"
    assert main(["export", "ledger", str(district), "--out", str(out)]) == 0
    capsys.readouterr()
    rows = excel_rows(out.read_bytes())
    header, body = rows[0], rows[1:]
    assert len(body) == 8, f"{len(body)} rows where the ledger has 8 findings: a line break split a row"
    assert all(len(r) == len(header) for r in body)
    for r in rows:
        for cell in r:
            assert not cell.lstrip(" \t\r\n").startswith(("=", "+", "-", "@")), cell
    descriptions = [r[header.index("问题描述")] for r in body]
    assert "漏气\n=cmd|' /C calc'!A0" in descriptions  # one cell, with its line break: text, not a formula
    assert "'\n@SUM(A1)" in descriptions and "'  =1+1" in descriptions and "正常\n两行" in descriptions
    # Python's csv module (as pandas and LibreOffice read it) sees the same cells
    assert list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig"), newline=""))) == rows


def test_names_with_escape_sequences_are_printed_escaped(district, tmp_path, capsys):
    assert main(["tasks", str(district)]) == 0
    out = capsys.readouterr().out
    assert "一镇" in out
    assert "\x1b" not in out and "\x07" not in out and "\x9b" not in out
    assert "\\u001b]0;pwned\\u0007\\u001b[2J\\u009b31m红" in out
    assert main(["export", "ranking", str(district), "--out", str(tmp_path / "r.xlsx"), "--month", "2025-11"]) == 0
    out = capsys.readouterr().out
    assert "一镇\\u001b]0;pwned" in out and "\x1b" not in out
    assert main(["tasks", str(district), "--json"]) == 0
    import json

    data = json.loads(capsys.readouterr().out)  # still valid JSON, with the name intact
    assert any(t["township_name"] == "一镇" + ESCAPES for t in data)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_photo_path_that_is_a_fifo_is_refused_at_once(tmp_path):
    from gridwatch.photos import read_photo

    fifo = tmp_path / "photo.jpg"
    os.mkfifo(fifo)
    outcome: list[BaseException | None] = []

    def read() -> None:
        try:
            read_photo(str(fifo))
            outcome.append(None)
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            outcome.append(exc)

    worker = threading.Thread(target=read, daemon=True)
    worker.start()
    worker.join(60)
    assert not worker.is_alive(), "reading a FIFO as a photo never returned"
    assert isinstance(outcome[0], ValidationError) and "not a regular file" in str(outcome[0])
    with pytest.raises(ValidationError, match="not a regular file"):
        read_photo("/dev/zero", "zero.jpg")


def _title_band_ink(pdf: Path, tmp_path: Path) -> tuple[np.ndarray, int, int]:
    """Dark pixels of the page's title band, and the page border's left and right x (pixels)."""
    from PIL import Image

    subprocess.run(["pdftoppm", "-r", "72", "-png", "-singlefile", str(pdf), str(tmp_path / "page")], check=True)
    img = np.asarray(Image.open(tmp_path / "page.png").convert("L"))
    px_per_mm = img.shape[1] / 210.0
    band = img[int(12 * px_per_mm):int(28 * px_per_mm)]
    return band < 100, int(10 * px_per_mm), int(200 * px_per_mm)


def test_a_long_district_name_stays_inside_the_pdf_frame(tmp_path, sample_path, capsys):
    import shutil

    project = tmp_path / "p.gpkg"
    shutil.copyfile(sample_path, project)
    name = "河北省石家庄市鹿泉区大气污染防治网格化环境监管领导小组办公室特别指定重点管控区域（含经济技术开发区及周边乡镇）"
    with closing(sqlite3.connect(project)) as con:
        con.execute("UPDATE gridwatch_meta SET value = ? WHERE key = 'district_name'", (name,))
        con.commit()
    out = tmp_path / "map.pdf"
    assert main(["export", "map", str(project), "--out", str(out), "--layers", "township", "--no-labels"]) == 0
    ink, left, right = _title_band_ink(out, tmp_path)
    cols = np.flatnonzero(ink[:, :].any(axis=0))
    inside = cols[(cols > left + 2) & (cols < right - 2)]
    assert len(inside), "no title drawn"
    # nothing but the frame's own lines at or beyond its edges; the title's ink keeps clear of them
    outside = cols[(cols < left - 1) | (cols > right + 1)]
    assert not len(outside), f"title ink outside the frame at x={outside[:5]}"
    assert inside.min() > left + 3 and inside.max() < right - 3
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "河北省石家庄市鹿泉区" in text and "网格化环境监管图" in text  # all of it is there, wrapped

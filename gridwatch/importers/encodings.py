"""Shapefile text encodings: the .cpg if present, else what the .dbf's bytes decode as (GB18030, GBK, UTF-8)."""

from __future__ import annotations

import codecs
import contextlib
import re
import struct
from pathlib import Path
from typing import Optional

import numpy as np

from ..errors import LayerImportError
from .target import _sidecar, _Target

_DBF_SCAN_BYTES = 64 << 20  # how much of a .dbf the encoding check reads


_GB_FAMILY = {"gbk", "gb2312", "gb18030", "hz"}


_CODEPAGES = {65001: "utf-8", 936: "gbk", 20936: "gb2312", 54936: "gb18030", 950: "big5", 1252: "cp1252",
              28591: "latin-1", 437: "cp437", 874: "cp874", 932: "cp932", 949: "cp949"}


_GDAL_NAMES = {"utf-8": "UTF-8", "gb18030": "GB18030", "iso8859-1": "ISO-8859-1", "latin-1": "ISO-8859-1",
               "big5": "BIG5"}


def _codec_of(label: str) -> Optional[str]:
    """Python codec name for an encoding label (.cpg text, a user's choice), or None."""
    s = label.strip().strip("\x00\ufeff").strip()
    if not s:
        return None
    m = re.fullmatch(r"(?:ANSI|CP|OEM|WINDOWS-?)?\s*(\d+)", s, flags=re.IGNORECASE)
    name = _CODEPAGES.get(int(m.group(1)), f"cp{m.group(1)}") if m else s
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _effective(codec: str) -> str:
    """GBK, GB2312 and CP936 are read as GB18030: a byte-compatible superset that keeps 湖㳇镇."""
    if codec == "utf-8-sig":
        return "utf-8"
    return "gb18030" if codec in _GB_FAMILY else codec


def _gdal_name(codec: str) -> str:
    return _GDAL_NAMES.get(codec, codec.upper())


def _dbf_text(dbf: Path) -> tuple[list[tuple[bytes, bool]], Optional[str]]:
    """Non-ASCII field names and text values of a .dbf as raw bytes, each with "fills its width".

    Returns ([], problem) when the file cannot be parsed (GDAL will then report it).
    """
    out: dict[bytes, bool] = {}
    try:
        with open(dbf, "rb") as f:
            head = f.read(32)
            if len(head) < 32:
                return [], "the .dbf is too short"
            (nrec,) = struct.unpack("<I", head[4:8])
            hlen, rlen = struct.unpack("<HH", head[8:12])
            desc = f.read(max(0, hlen - 32))
            fields: list[tuple[int, int]] = []
            offset = 1
            for i in range(0, len(desc) - 31, 32):
                d = desc[i:i + 32]
                if d[0] == 0x0D:
                    break
                name = d[:11].split(b"\x00")[0].rstrip(b" ")
                if any(b >= 0x80 for b in name):
                    out[name] = False
                ftype = chr(d[11])
                width = d[16] + (d[17] << 8 if ftype == "C" else 0)
                if ftype == "C" and width:
                    fields.append((offset, width))
                offset += d[16] + (d[17] << 8 if ftype == "C" else 0)
            if rlen <= 0 or not fields or nrec == 0:
                return list(out.items()), None
            f.seek(hlen)
            n = min(nrec, max(1, _DBF_SCAN_BYTES // rlen))
            data = f.read(n * rlen)
    except OSError as e:
        return [], str(e)
    n = len(data) // rlen
    if n == 0:
        return list(out.items()), None
    rows = np.frombuffer(data[: n * rlen], dtype=np.uint8).reshape(n, rlen)
    for start, width in fields:
        if start + width > rlen:
            continue
        block = rows[:, start:start + width]
        hit = np.nonzero((block >= 0x80).any(axis=1))[0]
        if len(hit) == 0:
            continue
        for raw in np.unique(np.ascontiguousarray(block[hit]).view(f"S{width}").ravel()):
            # numpy's S dtype drops trailing NULs; strip the DBF's space padding as well
            value = bytes(raw).rstrip(b" \x00")
            if value:
                out[value] = len(value) >= width
    return list(out.items()), None


def _decodes(samples: list[tuple[bytes, bool]], codec: str) -> bool:
    for raw, full in samples:
        for cut in range(0, 4 if full else 1):  # a value cut at the field width may end mid-character
            try:
                raw[: len(raw) - cut].decode(codec)
                break
            except UnicodeDecodeError:
                continue
        else:
            return False
    return True


def _plausible(samples: list[tuple[bytes, bool]], codec: str) -> float:
    """Share of the decoded non-ASCII characters that ordinary Chinese text uses."""
    good = total = 0
    for raw, _ in samples[:5000]:
        text = raw.decode(codec, errors="ignore")
        for ch in text:
            o = ord(ch)
            if o < 0x80:
                continue
            total += 1
            if (0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0x20000 <= o <= 0x3134F or 0x3000 <= o <= 0x303F
                    or 0xFF00 <= o <= 0xFFEF or 0x2000 <= o <= 0x206F or 0xF900 <= o <= 0xFAFF
                    or o in (0xB0, 0xB7, 0xD7)
                    or 0x2460 <= o <= 0x24FF or 0x2160 <= o <= 0x217F):
                good += 1
    return good / total if total else 1.0


def chosen_codec(label: str, encoding: str, examples: str) -> str:
    """The codec to read with for the encoding the user chose (``examples``: what the error suggests)."""
    codec = _codec_of(str(encoding))
    if codec is None:
        raise LayerImportError(f"{label}: {encoding!r} is not a text encoding GridWatch knows; use e.g. "
                               f"{examples}.")
    return _effective(codec)


def _shapefile_encoding(t: _Target, encoding: Optional[str]) -> tuple[str, str]:
    """(GDAL encoding name, encoding_source) for a shapefile, with notes added to ``t.notes``."""
    dbf = _sidecar(t.path, ".dbf")
    assert dbf is not None
    samples, problem = _dbf_text(dbf)
    if encoding is not None:
        codec = chosen_codec(t.label, encoding, "GB18030 (also reads GBK/GB2312), UTF-8 or Big5")
        if samples and not _decodes(samples, codec):
            t.notes.append(f"{t.label}: some text in {dbf.name} does not decode as {_gdal_name(codec)}, the encoding "
                           "you chose; those characters may show wrongly.")
        return _gdal_name(codec), "user"

    cpg = _sidecar(t.path, ".cpg")
    cpg_label = None
    cpg_codec = None
    if cpg is not None:
        with contextlib.suppress(OSError):
            cpg_label = cpg.read_bytes()[:200].decode("ascii", errors="ignore").strip().strip("\ufeff\x00").strip()
        cpg_codec = _codec_of(cpg_label) if cpg_label else None
        if cpg_label and cpg_codec is None:
            t.notes.append(f"{t.label}: its .cpg names an unknown encoding {cpg_label!r}; the encoding was "
                           "detected from the text instead.")
    if problem:
        t.notes.append(f"{t.label}: {dbf.name} could not be checked for its text encoding ({problem}).")

    if not samples:  # ASCII only: every encoding reads it the same
        if cpg_codec is not None:
            return _gdal_name(_effective(cpg_codec)), "cpg"
        return "UTF-8", "detected"

    utf_ok = _decodes(samples, "utf-8")
    gb_ok = _decodes(samples, "gb18030")

    def wrong(codec: str) -> tuple[str, str]:
        t.notes.append(f"{t.label}: its .cpg says {cpg_label} but the text only decodes as {_gdal_name(codec)}: "
                       f"read as {_gdal_name(codec)}.")
        return _gdal_name(codec), "cpg-wrong-detected"

    def undecodable(codec: str, source: str) -> tuple[str, str]:
        t.notes.append(f"{t.label}: some text in {dbf.name} decodes neither as UTF-8 nor as GB18030; it was read as "
                       f"{_gdal_name(codec)} and some characters may show wrongly. If names look garbled, choose the "
                       "encoding yourself (--encoding).")
        return _gdal_name(codec), source

    if cpg_codec is not None:
        eff = _effective(cpg_codec)
        if eff == "utf-8":
            if utf_ok:
                return "UTF-8", "cpg"
            if gb_ok:
                return wrong("gb18030")
            return undecodable("utf-8", "cpg")
        # Valid multi-byte UTF-8 almost never arises from GBK or single-byte text by chance.
        if utf_ok and _plausible(samples, "utf-8") >= 0.5:
            return wrong("utf-8")
        if _decodes(samples, eff):
            return _gdal_name(eff), "cpg"
        if gb_ok:
            return wrong("gb18030")
        return undecodable(eff, "cpg")

    why = "has no .cpg" if cpg is None else "has an unusable .cpg"
    if utf_ok and (not gb_ok or _plausible(samples, "utf-8") >= _plausible(samples, "gb18030")):
        if cpg is not None:
            t.notes.append(f"{t.label} {why}; its text decodes as UTF-8: read as UTF-8.")
        return "UTF-8", "detected"
    if gb_ok:
        t.notes.append(f"{t.label} {why}; its text decodes as GB18030 (Chinese GBK/GB2312 and beyond): read as "
                       "GB18030.")
        return "GB18030", "detected"
    return undecodable("gb18030", "detected")

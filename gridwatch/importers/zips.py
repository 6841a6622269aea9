"""Zip archives from outside: member names (GBK or UTF-8 flags), sizes, ratios and paths checked before
anything is unpacked."""

from __future__ import annotations

import contextlib
import math
import os
import re
import stat
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Iterator, Optional, Union

from ..errors import LayerImportError

PathLike = Union[str, os.PathLike]


# Members smaller than this are never refused for their compression ratio alone: they cannot
# inflate into anything harmful, and tiny or blank-padded files legitimately compress very well.
_RATIO_MIN_BYTES = 1 << 20


_ZIP_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate", zipfile.ZIP_BZIP2: "bzip2",
                zipfile.ZIP_LZMA: "lzma"}


def safe_extract_zip(zip_path: PathLike, dest_dir: PathLike, *, max_members: int = 2000,
                     max_total_bytes: int = 2 * 1024**3, max_ratio: float = 100) -> list[Path]:
    """Unpack ``zip_path`` into ``dest_dir`` after checking every member; return the files written.

    Refused (:class:`LayerImportError` naming the zip and the member, nothing written): absolute
    paths or ``..`` components, symlinks, nested ``.zip`` members, encrypted members, unsupported
    compression, duplicate names, overlapping members, more than ``max_members`` entries, more
    than ``max_total_bytes`` uncompressed in total, and members over 1 MiB that inflate more
    than ``max_ratio`` times.  Member names stored in GBK without the UTF-8 flag (zips made on
    Chinese Windows) are decoded as GB18030.  If writing fails part-way, what was written is
    removed again.
    """
    zip_path = Path(zip_path)
    dest = Path(dest_dir)
    with _open_zip(zip_path) as zf:
        plan = _plan_zip(zf, zip_path, max_members=max_members, max_total_bytes=max_total_bytes,
                         max_ratio=max_ratio)
        dest_real = Path(os.path.realpath(dest))
        for info, parts in plan:
            target = os.path.realpath(dest_real.joinpath(*parts))
            if not (target + os.sep).startswith(str(dest_real) + os.sep) or target == str(dest_real):
                raise LayerImportError(f"{zip_path}: member {'/'.join(parts)!r} would be written outside "
                                       f"{dest} (through a symlink there); nothing was unpacked.")
        return _extract_plan(zf, zip_path, plan, dest)


def check_archive(path: PathLike, what: str) -> None:
    """Check a file that is a zip inside (an Excel workbook, a KMZ) with the limits of
    :func:`safe_extract_zip` before a library unpacks it in memory: a 1 MB workbook that inflates to
    gigabytes is refused, naming the member, instead of filling the memory."""
    p = Path(path)
    with _zip_file(p, what, "fetch it again, or open and save it again.") as zf:
        _plan_zip(zf, p, max_members=2000, max_total_bytes=2 * 1024**3, max_ratio=100)


@contextlib.contextmanager
def _open_zip(zip_path: Path) -> Iterator[zipfile.ZipFile]:
    if not zip_path.is_file():
        raise LayerImportError(f"{zip_path} does not exist or is not a file; choose the .zip again.")
    with _zip_file(zip_path, "zip archive", "fetch it again or unzip it yourself.") as zf:
        yield zf


def _zip_file(path: Path, what: str, then: str) -> zipfile.ZipFile:
    """``path`` opened as a zip, or one line saying it is not a readable ``what`` and what to do ``then``."""
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        raise LayerImportError(f"{path} is not a readable {what} ({e}); it may be damaged or incompletely "
                               f"downloaded: {then}") from e


def _member_name(info: zipfile.ZipInfo) -> str:
    """The member's name as its author meant it (GBK names from Chinese Windows decoded)."""
    if info.flag_bits & 0x800:
        return info.orig_filename
    raw = info.orig_filename.encode("cp437")  # zipfile decoded the raw bytes as cp437
    unicode_path = _unicode_path_extra(info.extra, raw)
    if unicode_path is not None:
        return unicode_path
    for codec in ("ascii", "utf-8", "gb18030"):
        try:
            return raw.decode(codec)
        except UnicodeDecodeError:
            continue
    return info.orig_filename


def _unicode_path_extra(extra: bytes, raw_name: bytes) -> Optional[str]:
    """Info-ZIP Unicode Path extra field (0x7075), used when it matches the stored name."""
    i = 0
    while i + 4 <= len(extra):
        tag, size = struct.unpack("<HH", extra[i:i + 4])
        data = extra[i + 4:i + 4 + size]
        i += 4 + size
        if tag == 0x7075 and len(data) >= 5 and data[0] == 1:
            (crc,) = struct.unpack("<I", data[1:5])
            if crc == zlib.crc32(raw_name):
                try:
                    return data[5:].decode("utf-8")
                except UnicodeDecodeError:
                    return None
    return None


def _plan_zip(zf: zipfile.ZipFile, zip_path: Path, *, max_members: int, max_total_bytes: int,
              max_ratio: float) -> list[tuple[zipfile.ZipInfo, list[str]]]:
    """Check every member; return (info, path parts) for each, or raise naming the culprit."""
    infos = zf.infolist()
    refuse = "; nothing was unpacked."
    if len(infos) > max_members:
        raise LayerImportError(f"{zip_path} holds {len(infos):,} members, more than the {max_members:,} "
                               f"GridWatch unpacks{refuse} Unzip it yourself and choose the file you need.")
    plan: list[tuple[zipfile.ZipInfo, list[str]]] = []
    seen: dict[str, str] = {}
    total = 0
    for info in infos:
        name = _member_name(info)
        shown = repr(name)
        norm = name.replace("\\", "/")
        if norm.startswith("/") or re.match(r"^[A-Za-z]:", norm):
            raise LayerImportError(f"{zip_path}: member {shown} has an absolute path{refuse}")
        parts = [p for p in norm.split("/") if p not in ("", ".")]
        if ".." in parts:
            raise LayerImportError(f"{zip_path}: member {shown} points outside the folder it is unpacked into "
                                   f"('..' in its path: a path-traversal attack){refuse}")
        if not parts:
            raise LayerImportError(f"{zip_path}: member {shown} has no usable name{refuse}")
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise LayerImportError(f"{zip_path}: member {shown} is a symbolic link{refuse}")
        if info.flag_bits & 0x1:
            raise LayerImportError(f"{zip_path}: member {shown} is encrypted (password-protected){refuse} "
                                   "Unzip it yourself and choose the files.")
        is_dir = norm.endswith("/")
        if not is_dir and parts[-1].lower().endswith(".zip"):
            raise LayerImportError(f"{zip_path}: member {shown} is itself a zip; nested archives are not "
                                   f"unpacked{refuse} Unzip the outer archive and choose the inner zip.")
        if not is_dir and info.compress_type not in _ZIP_METHODS:
            method = "Deflate64" if info.compress_type == 9 else f"method {info.compress_type}"
            raise LayerImportError(f"{zip_path}: member {shown} uses {method} compression, which GridWatch cannot "
                                   f"unpack{refuse} Re-zip it with ordinary (Deflate) compression.")
        key = "/".join(parts)
        folded = key.casefold()
        if folded in seen and not is_dir:
            raise LayerImportError(f"{zip_path}: member {shown} appears twice (also as {seen[folded]!r}){refuse}")
        if not is_dir:
            seen[folded] = name
            ratio = info.file_size / info.compress_size if info.compress_size else math.inf
            if info.file_size > _RATIO_MIN_BYTES and ratio > max_ratio:
                raise LayerImportError(
                    f"{zip_path}: member {shown} would inflate from {info.compress_size:,} to {info.file_size:,} "
                    f"bytes ({'' if math.isinf(ratio) else f'{ratio:,.0f}x, '}more than {max_ratio:g}x): this "
                    f"looks like a zip bomb{refuse}")
            total += info.file_size
        plan.append((info, parts))
    if total > max_total_bytes:
        biggest = max((i for i, _ in plan), key=lambda i: i.file_size)
        raise LayerImportError(f"{zip_path} would unpack to {total:,} bytes, more than the {max_total_bytes:,} "
                               f"allowed (largest member {_member_name(biggest)!r}, {biggest.file_size:,} "
                               f"bytes){refuse}")
    # Members whose data overlap (several names for the same compressed bytes) are a zip-bomb trick.
    by_offset = sorted(infos, key=lambda i: i.header_offset)
    for a, b in zip(by_offset, by_offset[1:]):
        if a.header_offset + 30 + a.compress_size > b.header_offset:
            raise LayerImportError(f"{zip_path}: members {_member_name(a)!r} and {_member_name(b)!r} overlap "
                                   f"(a zip-bomb trick){refuse}")
    return plan


def _extract_plan(zf: zipfile.ZipFile, zip_path: Path, plan: list[tuple[zipfile.ZipInfo, list[str]]],
                  dest: Path) -> list[Path]:
    created_dirs: list[Path] = []
    written: list[Path] = []

    def mkdirs(d: Path) -> None:
        missing = []
        while not d.exists():
            missing.append(d)
            d = d.parent
        for m in reversed(missing):
            m.mkdir()
            created_dirs.append(m)

    current = ""
    try:
        mkdirs(dest)
        for info, parts in plan:
            current = "/".join(parts)
            target = dest.joinpath(*parts)
            if info.orig_filename.endswith("/") or info.is_dir():
                mkdirs(target)
                continue
            mkdirs(target.parent)
            if target.is_symlink():
                raise LayerImportError(f"{zip_path}: member {current!r} would overwrite a symbolic link in {dest}; "
                                       "nothing was unpacked.")
            flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
            fd = os.open(target, flags, 0o644)
            written.append(target)
            size = 0
            with os.fdopen(fd, "wb") as out, zf.open(info) as src:
                while True:
                    block = src.read(1 << 20)
                    if not block:
                        break
                    size += len(block)
                    if size > info.file_size:
                        raise LayerImportError(f"{zip_path}: member {current!r} holds more data than its header "
                                               "declares (a damaged or hostile zip); nothing was unpacked.")
                    out.write(block)
        return written
    except BaseException as e:
        for p in reversed(written):
            with contextlib.suppress(OSError):
                p.unlink()
        for d in reversed(created_dirs):
            with contextlib.suppress(OSError):
                d.rmdir()
        if isinstance(e, (zipfile.BadZipFile, OSError, EOFError, zlib.error, RuntimeError, ValueError)) and not \
                isinstance(e, LayerImportError):
            raise LayerImportError(f"{zip_path}: member {current!r} could not be unpacked ({e}); the zip may be "
                                   "damaged: fetch it again. Nothing was unpacked.") from e
        raise

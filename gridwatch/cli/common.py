"""What every command shares: the acting person, one-line errors naming the file, argument types,
tables and JSON on stdout, progress on stderr."""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import sys
import unicodedata
from pathlib import Path
from typing import Any, Callable, Optional, Sequence

from ..errors import GridWatchError

USER_ENV = "GRIDWATCH_USER"


#: Characters a terminal acts on instead of showing (C0 and C1 controls: escape sequences that clear the screen or
#: set the window title, DEL) and the bidirectional overrides that make text read in another order.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: "re.Match[str]") -> str:
    ch = match.group(0)
    return _NAMED.get(ch) or f"\\u{ord(ch):04x}"


def printable(text: object, *, keep_newlines: bool = False) -> str:
    """``text`` with every control character written as an escape (``\\u001b``, ``\\n``), so names and
    values from files or other people never act on the terminal (clear the screen, retitle the window).
    The ``\\uXXXX`` form is also valid inside JSON strings."""
    s = str(text)
    if keep_newlines:
        return "\n".join(_CONTROL.sub(_escape, part) for part in s.split("\n"))
    return _CONTROL.sub(_escape, s)


class EscapingWriter(io.TextIOBase):
    """A text stream that writes through to ``stream`` with control characters escaped (newlines kept):
    everything a command prints to stdout goes through one, whatever its source."""

    def __init__(self, stream: Any) -> None:
        super().__init__()
        self.stream = stream

    def write(self, text: str) -> int:
        self.stream.write(printable(text, keep_newlines=True))
        return len(text)

    def flush(self) -> None:
        self.stream.flush()

    def fileno(self) -> int:
        return int(self.stream.fileno())

    def isatty(self) -> bool:
        return bool(self.stream.isatty())

    def writable(self) -> bool:
        return True

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return str(getattr(self.stream, "encoding", "utf-8"))


def progress_printer(show: bool, width: int = 40) -> Callable[[float, str], None]:
    """A progress callback writing ``NN.N%  message`` on one stderr line when ``show``."""

    def progress(fraction: float, message: str) -> None:
        if show:
            sys.stderr.write(f"\r{fraction * 100:5.1f}%  {message:<{width}}")
            sys.stderr.flush()

    return progress


def end_progress(show: bool) -> None:
    if show:
        sys.stderr.write("\n")


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


class _about:
    """``with _about(path):`` makes every GridWatchError inside it one line that names ``path``.

    ``scratch`` is a working copy (``--dry-run``) whose name is replaced by the user's file.
    """

    def __init__(self, path: Path, scratch: Optional[Path] = None) -> None:
        self.path = path
        self.scratch = scratch

    def __enter__(self) -> "_about":
        return self

    def __exit__(self, kind, exc, tb) -> bool:  # type: ignore[no-untyped-def]
        if exc is None or not isinstance(exc, GridWatchError):
            return False
        text = " ".join(str(exc).splitlines())
        if self.scratch is not None:
            text = text.replace(str(self.scratch), str(self.path))
        if str(self.path) not in text:
            text = f"{self.path}: {text}"
        if text == str(exc):
            return False
        try:
            new = type(exc)(text)
        except Exception:  # pragma: no cover - every GridWatchError takes one message
            new = GridWatchError(text)
        raise new from exc


def _check_project(path: Path) -> None:
    """A clear one-line error for a bad, missing or outdated project file, before anything else."""
    from ..storage import Project

    Project.open(path)


def _user(args: argparse.Namespace, path: Path, why: str):  # type: ignore[no-untyped-def]
    """The acting person from ``--user`` or $GRIDWATCH_USER."""
    from ..storage.workflow import find_actor

    name = (args.user or os.environ.get(USER_ENV, "")).strip()
    if not name:
        raise GridWatchError(f"{path}: who is doing this? {why} needs --user NAME (or set {USER_ENV})")
    return find_actor(path, name)


def _beijing(text: object) -> str:
    """Stored UTC time text as ``YYYY-MM-DD HH:MM`` Beijing time ('' when empty)."""
    from ..times import beijing_text

    return beijing_text(text, keep_invalid=True)


def _due_arg(text: str):  # type: ignore[no-untyped-def]
    """``--due``: 'YYYY-MM-DD HH:MM' or a bare date (23:59 that day), Beijing time."""
    import datetime as _dt

    from ..storage.queries import BEIJING

    value = text.strip()
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d"):
        try:
            t = _dt.datetime.strptime(value, fmt)
        except ValueError:
            continue
        if fmt == "%Y-%m-%d":
            t = t.replace(hour=23, minute=59)
        return t.replace(tzinfo=BEIJING)
    raise argparse.ArgumentTypeError(f"{text!r}: write YYYY-MM-DD or 'YYYY-MM-DD HH:MM' (Beijing time)")


def _days_arg(text: str) -> float:
    try:
        days = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of days") from None
    if not 0 < days <= 366:
        raise argparse.ArgumentTypeError(f"{text!r}: give a number of days between 0 and 366")
    return days


def _hours_arg(text: str) -> float:
    try:
        hours = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of hours") from None
    if not 0 < hours <= 24 * 365:
        raise argparse.ArgumentTypeError(f"{text!r}: give a number of hours greater than 0")
    return hours


def _plain(value: object) -> object:
    """A DataFrame cell as plain JSON: numpy scalars unwrapped, NaN/NA/NaT as None."""
    import pandas as pd

    if hasattr(value, "item") and not isinstance(value, (list, dict, str, bytes)):
        try:
            value = value.item()  # type: ignore[union-attr]
        except (ValueError, AttributeError):
            pass
    if isinstance(value, (list, tuple, dict)):
        return value
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value


def _write_json(frame) -> None:  # type: ignore[no-untyped-def]
    records = [{k: _plain(v) for k, v in row.items()} for row in frame.to_dict("records")]
    json.dump(records, sys.stdout, ensure_ascii=False, indent=2, allow_nan=False)
    sys.stdout.write("\n")


def _write_table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[int] = ()) -> None:
    """Columns as wide as their widest cell (CJK characters count double)."""
    headers = [printable(h) for h in headers]
    rows = [[printable(c) for c in r] for r in rows]
    widths = [max([_width(h)] + [_width(r[i]) for r in rows]) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        parts = [(" " * (w - _width(c)) + c) if i in right else _pad(c, w)
                 for i, (c, w) in enumerate(zip(cells, widths))]
        return "  ".join(parts).rstrip() + "\n"

    out = sys.stdout
    out.write(line(headers))
    for r in rows:
        out.write(line(r))


def _text(value: object) -> str:
    v = _plain(value)
    if isinstance(v, float) and v.is_integer():
        return str(int(v))  # an integer column read as float because of a NULL
    return "" if v is None else str(v)


def _count(value: object) -> int:
    v = _plain(value)
    return int(v) if isinstance(v, (int, float)) else 0


def _townships(path: Path) -> list[tuple[str, str]]:
    from ..storage import Project

    frame = Project.open(path).read_layer("township", columns=["code", "name"])
    return [(str(c), str(n)) for c, n in zip(frame["code"], frame["name"])]


def _township_code(path: Path, value: str) -> str:
    """A township given by code or name (or an unambiguous part of its name) -> its code."""
    from ..domain.places import resolve_township

    return resolve_township(_townships(path), value, path)[0]


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.replace("，", ",").split(",") if part.strip()]


def _layer_kinds() -> tuple[str, ...]:
    from ..layers import LAYERS

    return tuple(LAYERS)


def command(sub: Any, name: str, func: Callable[[argparse.Namespace], int], **kwargs: Any) -> argparse.ArgumentParser:
    """Subcommand ``name`` of ``sub``, run by ``func`` (``kwargs``: help, description... as for ``add_parser``)."""
    p: argparse.ArgumentParser = sub.add_parser(name, **kwargs)
    p.set_defaults(func=func)
    return p


def project_arg(p: argparse.ArgumentParser) -> None:
    """The positional ``project`` argument most commands take."""
    p.add_argument("project", type=Path, help="GridWatch project (.gpkg)")

"""``gridwatch`` command line: scripted office work over the same core functions the app uses.

Every failure the user can act on is printed as one line, ``gridwatch: error: <file>: <problem>``,
with exit status 2; files named on the command line are never modified by a failed command.  What
SQLite or the operating system reports (a full disk, a read-only folder, a file another program is
writing) is said in those words too, never as a traceback.  Everything printed goes through
:class:`~gridwatch.cli.common.EscapingWriter`: control characters in names and values are shown
escaped, never sent to the terminal.
One module per command group: project, tasks, exports, sync, field (basemaps, tracks); what they share is in
common.
"""

from __future__ import annotations

import argparse
import logging
import os
import sqlite3
import sys
from pathlib import Path
from typing import Optional, Sequence

from .. import __version__
from ..errors import GridWatchError
from . import exports, field, plans, project, sync, task_steps, tasks
from .common import USER_ENV, EscapingWriter, printable

__all__ = ["USER_ENV", "build_parser", "main"]

log = logging.getLogger("gridwatch")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gridwatch",
        description="GridWatch: grid-based environmental field supervision (网格化环境监管).",
    )
    parser.add_argument("--version", action="version", version=f"GridWatch {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for group in (project, tasks, task_steps, sync, exports, plans, field):
        group.add_parsers(sub)
    return parser


def app_parser() -> argparse.ArgumentParser:
    """The parser of ``gridwatch`` and ``gridwatch open PROJECT`` alone: the desktop app starts without
    building the whole command line (whose help lists rules and layers, importing pandas: a second
    before the first painted map)."""
    parser = argparse.ArgumentParser(prog="gridwatch")
    project.add_open_parser(parser.add_subparsers(dest="command", metavar="COMMAND"))
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    starts_app = not words or (words[0] == "open" and len(words) == 2 and not words[1].startswith("-"))
    parser = app_parser() if starts_app else build_parser()
    args = parser.parse_args(words)
    if not getattr(args, "func", None):
        # No command: the desktop app on the user's copy of the sample district.
        from ..ui.app import run

        return run(None)
    stdout = sys.stdout
    sys.stdout = EscapingWriter(stdout)
    # What the core tells without failing (a killed writer's journal rolled back) is one note on stderr.
    notes = logging.StreamHandler(sys.stderr)
    notes.setLevel(logging.WARNING)
    notes.setFormatter(_NoteFormatter())
    log.addHandler(notes)
    try:
        return _run(args)
    finally:
        log.removeHandler(notes)
        sys.stdout = stdout


class _NoteFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return "gridwatch: note: " + printable(record.getMessage())


def _run(args: argparse.Namespace) -> int:
    try:
        return int(args.func(args))
    except GridWatchError as exc:
        return _fail(exc)
    except KeyboardInterrupt:
        sys.stderr.write("gridwatch: interrupted; nothing was written\n")
        return 130
    except BrokenPipeError:
        # Output piped into `head` or a closed pager: stop quietly, like other Unix tools.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except (sqlite3.Error, OSError) as exc:
        # What no core function turned into a GridWatch error (a full disk met half-way, a file locked
        # between two reads): still one line, naming the file.
        from ..storage.failures import file_problem

        log.debug("file error", exc_info=True)
        return _fail(file_problem(_subject(args), exc, "used"))


def _fail(exc: GridWatchError) -> int:
    sys.stderr.write(f"gridwatch: error: {printable(' '.join(str(exc).splitlines()))}\n")
    return 2


def _subject(args: argparse.Namespace) -> Path:
    """The file a command is about: its project, working copy or shared project."""
    for name in ("project", "local", "shared", "out"):
        value = getattr(args, name, None)
        if value is not None:
            return Path(value)
    return Path(".")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

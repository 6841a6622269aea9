"""``gridwatch`` command line: scripted office work over the same core functions the app uses.

Every failure the user can act on is printed as one line, ``gridwatch: error: <file>: <problem>``,
with exit status 2; files named on the command line are never modified by a failed command.
One module per command group: project, tasks, exports, sync; what they share is in common.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import Optional, Sequence

from .. import __version__
from ..errors import GridWatchError
from . import exports, project, sync, tasks
from .common import USER_ENV

__all__ = ["USER_ENV", "build_parser", "main"]

log = logging.getLogger("gridwatch")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gridwatch",
        description="GridWatch: grid-based environmental field supervision (网格化环境监管).",
    )
    parser.add_argument("--version", action="version", version=f"GridWatch {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for group in (project, tasks, sync, exports):
        group.add_parsers(sub)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        # No command: the desktop app on the user's copy of the sample district.
        from ..ui.app import run

        return run(None)
    try:
        return int(args.func(args))
    except GridWatchError as exc:
        sys.stderr.write(f"gridwatch: error: {exc}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("gridwatch: interrupted; nothing was written\n")
        return 130
    except BrokenPipeError:
        # Output piped into `head` or a closed pager: stop quietly, like other Unix tools.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

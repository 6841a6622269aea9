"""Writing export files safely: a temp file beside the target, fsynced, moved into place.

An existing file is either replaced whole or left as it was, never truncated half-way.  The new
file gets the old file's mode (or the mode a new file gets), not the temp file's private 0600.
"""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path
from typing import Callable, Sequence

from ..errors import GridWatchError
from ..storage.failures import disk_full
from ..storage.gpkg import fsync_dir

_UNCHANGED = "nothing was written; the old file, if any, is unchanged"


class ExportError(GridWatchError):
    """An export could not be written."""


def checked_target(out: os.PathLike[str] | str, allowed: Sequence[str], *,
                   error: type[GridWatchError] = ExportError) -> Path:
    """``out`` as a Path, refused when its suffix is not one of ``allowed``, its folder is missing or
    it is a folder itself."""
    target = Path(out)
    if target.suffix.lower() not in allowed:
        raise error(f"{target}: give a file name ending in {' or '.join(allowed)}")
    if not target.parent.is_dir():
        raise error(f"{target}: folder {target.parent} does not exist")
    if target.is_dir():
        raise error(f"{target}: is a folder; give a file name")
    return target


def umask() -> int:
    """The process umask, read without changing it (os.umask would, for every thread)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    return 0o022


def _os_error(exc: BaseException) -> "OSError | None":
    """``exc`` itself or the operating-system error it was raised in handling of (or because of)."""
    seen: set[int] = set()
    current: "BaseException | None" = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, OSError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def write_atomically(target: Path, write: Callable[[Path], None], *,
                     error: type[GridWatchError] = ExportError) -> Path:
    """``write(tmp)`` into a temp file beside ``target``, fsync it, move it into place."""
    try:
        fd, tmp_name = tempfile.mkstemp(prefix="." + target.stem + ".", suffix=target.suffix + ".tmp",
                                        dir=target.parent)
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise disk_full(target, what=_UNCHANGED) from exc
        raise error(f"{target}: cannot be written in {target.parent} ({exc.strerror}); "
                    "choose a folder you may write to") from exc
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        os.chmod(tmp, target.stat().st_mode & 0o7777 if target.exists() else 0o666 & ~umask())
        write(tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        # A writer that met a full disk often fails again while closing (zlib: "inconsistent stream
        # state"); the operating system's error behind it is what the user needs to hear.
        cause = _os_error(exc)
        if cause is None or isinstance(exc, GridWatchError):
            raise
        if cause.errno in (errno.ENOSPC, errno.EDQUOT):
            raise disk_full(target, what=_UNCHANGED) from exc
        raise error(f"{target}: cannot be written ({cause.strerror or cause}); {_UNCHANGED}") from exc
    fsync_dir(target.parent)  # the rename itself is durable once the folder is synced
    return target

"""A lock on the shared project: a lock file created exclusively beside it.

The shared file lives on a network share or a USB stick, where SQLite's own locking cannot be
trusted, so syncs take turns through ``<shared>.lock``, created with ``O_CREAT | O_EXCL`` (atomic
on local disks, NFS v3+ and SMB).  Inside: a random token, the owner, the computer, the process and
the time.  While a sync runs, a heartbeat thread touches the file every few seconds.

Stale rule: a lock whose heartbeat is older than ``stale_after`` (default 2 minutes, forty missed
heartbeats) belonged to a sync that died (killed, crashed, laptop unplugged) and may be taken over;
so at once may a lock without a readable owner (a sync that could not write it, e.g. on a full
share), one left by a dead process of this computer, and one this laptop's own earlier sync could
not remove (a share gone read-only).
A live sync never looks stale because it keeps beating; and before it replaces the shared file it
checks that the lock file still holds its own token, so even a sync frozen for minutes whose lock
was taken over stops instead of overwriting the other sync's work.
"""

from __future__ import annotations

import datetime as _dt
import errno
import json
import os
import socket
import threading
import time
import uuid as _uuid
from pathlib import Path
from typing import Optional

from ..errors import SyncError
from ..tasks import CancelToken

HEARTBEAT_SECONDS = 3.0
STALE_AFTER_SECONDS = 120.0


def lock_path(shared: Path) -> Path:
    return shared.with_name(shared.name + ".lock")


def read_lock(shared: Path) -> Optional[dict]:
    """The lock's content (owner, host, pid, since, token) or None if unlocked/unreadable."""
    try:
        return json.loads(lock_path(shared).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


class SharedLock:
    """``with SharedLock(shared, owner):`` holds the shared project's lock for one sync."""

    def __init__(self, shared: Path, owner: str, *, wait_seconds: float = 60.0,
                 stale_after: float = STALE_AFTER_SECONDS, cancel: Optional[CancelToken] = None,
                 own_tokens: Optional[list[str]] = None) -> None:
        self.shared = Path(shared)
        self.path = lock_path(self.shared)
        self.owner = owner
        self.wait_seconds = wait_seconds
        self.stale_after = stale_after
        self.cancel = cancel
        self.token = str(_uuid.uuid4())
        self._stop = threading.Event()
        self._beat: Optional[threading.Thread] = None
        self.took_over: Optional[dict] = None
        self.own_tokens: set[str] = set(own_tokens or ())
        self.released = True

    def _content(self) -> bytes:
        return json.dumps({"token": self.token, "owner": self.owner, "host": socket.gethostname(),
                           "pid": os.getpid(),
                           "since": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")},
                          ensure_ascii=False).encode("utf-8")

    def _try_create(self) -> bool:
        try:
            fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            return False
        except OSError as exc:
            raise SyncError(share_problem(exc, self.shared, "cannot create the sync lock")) from None
        try:
            os.write(fd, self._content())
            os.fsync(fd)
        except OSError as exc:
            # a full or read-only share: a lock without its owner would block everybody; remove it
            os.close(fd)
            try:
                self.path.unlink()
            except OSError:
                pass
            raise SyncError(share_problem(exc, self.shared, "cannot write the sync lock")) from None
        os.close(fd)
        return True

    def _stale(self, held: Optional[dict]) -> bool:
        """Whether the lock as read (``held``; None: no owner readable) belonged to a sync that died."""
        try:
            age = time.time() - self.path.stat().st_mtime
        except FileNotFoundError:
            return False  # released meanwhile: just try again
        if held is None:
            # Empty or unreadable: a sync that could not write its lock (full share) or died creating it.
            # A live sync writes its owner right after creating the file, so a second look settles it.
            time.sleep(0.5)
            return read_lock(self.shared) is None and self.path.exists()
        if held.get("token") in self.own_tokens:
            return True  # left by this laptop's own earlier sync, which could not remove it
        if held.get("host") == socket.gethostname() and isinstance(held.get("pid"), int) \
                and not _alive(held["pid"]):
            return True  # a sync on this computer that died
        return age > self.stale_after

    def _take_over(self, held: Optional[dict]) -> None:
        """Move the dead lock out of the way (rename: only one taker wins), then make sure what was moved
        is the dead lock: another sync may have taken it over a moment before us and created its own,
        which is then put back."""
        grave = self.path.with_name(self.path.name + f".stale-{self.token}")
        try:
            os.replace(self.path, grave)
        except FileNotFoundError:
            return
        except OSError as exc:
            raise SyncError(share_problem(exc, self.shared, "cannot take over the stale sync lock")) from None
        try:
            moved = json.loads(grave.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            moved = None
        if moved is not None and (held is None or moved.get("token") != held.get("token")):
            # a live lock (someone else's fresh takeover): give it back unless a third sync holds one now
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
                try:
                    os.write(fd, grave.read_bytes())
                    os.fsync(fd)
                finally:
                    os.close(fd)
            except OSError:
                pass
        else:
            self.took_over = held or {}
        grave.unlink(missing_ok=True)

    def acquire(self) -> None:
        deadline = time.monotonic() + self.wait_seconds
        while True:
            if self._try_create():
                break
            held = read_lock(self.shared)
            if self._stale(held):
                self._take_over(held)
                continue
            if self.cancel is not None and self.cancel.cancelled:
                from ..errors import Cancelled

                raise Cancelled("sync cancelled while waiting for the shared project")
            if time.monotonic() > deadline:
                held = held or {}
                raise SyncError(
                    f"{self.shared}: another sync is running ({held.get('owner', '?')} on {held.get('host', '?')} "
                    f"since {held.get('since', '?')}); try again in a minute")
            time.sleep(0.2)
        self._beat = threading.Thread(target=self._heartbeat, name="gridwatch-sync-lock", daemon=True)
        self._beat.start()

    def _heartbeat(self) -> None:
        while not self._stop.wait(HEARTBEAT_SECONDS):
            try:
                os.utime(self.path)
            except OSError:
                pass  # the share vanished: the sync itself will fail and say so

    def still_mine(self) -> bool:
        held = read_lock(self.shared)
        return held is not None and held.get("token") == self.token

    def release(self) -> bool:
        """Remove the lock.  False if it could not be removed (a share gone read-only or away): the
        caller remembers ``token`` so that its next sync takes the lock over at once."""
        self._stop.set()
        if self._beat is not None:
            self._beat.join(timeout=HEARTBEAT_SECONDS * 2)
        try:
            if self.still_mine():
                self.path.unlink()
            return True
        except OSError:
            return False  # an unreachable share: the lock turns stale and the next sync takes it over

    def __enter__(self) -> "SharedLock":
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.released = self.release()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def share_problem(exc: OSError, shared: Path, what: str) -> str:
    """One line for a failed write on the share that says what is wrong in words a user knows."""
    folder = shared.parent
    if exc.errno == errno.ENOSPC or exc.errno == errno.EDQUOT:
        return f"{folder}: the shared folder is full ({what}); free some space on it, then sync again"
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return (f"{folder}: the shared folder is read-only or you may not write to it ({what}); "
                "your edits are safe on this laptop, sync again when it is writable")
    if exc.errno in (errno.ENOENT, errno.ENOTDIR, errno.EIO, errno.ENODEV, getattr(errno, "ESTALE", errno.EIO)):
        return (f"{folder}: the shared folder is not reachable ({what}: {exc.strerror}); your edits are safe on "
                "this laptop, sync again when it is back")
    return f"{folder}: {what} ({exc.strerror}); your edits are safe on this laptop"

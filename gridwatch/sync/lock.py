"""A lock on the shared project: a lock file created exclusively beside it.

The shared file lives on a network share or a USB stick, where SQLite's own locking cannot be
trusted, so syncs take turns through ``<shared>.lock``, created with ``O_CREAT | O_EXCL`` (atomic
on local disks, NFS v3+ and SMB).  Inside: a random token, the owner, the computer, the process and
the time.  While a sync runs, a heartbeat thread touches the file every few seconds.

Stale rule: a lock whose heartbeat is older than ``stale_after`` (default 2 minutes, forty missed
heartbeats) belonged to a sync that died (killed, crashed, laptop unplugged) and may be taken over.
A live sync never looks stale because it keeps beating; and before it replaces the shared file it
checks that the lock file still holds its own token, so even a sync frozen for minutes whose lock
was taken over stops instead of overwriting the other sync's work.
"""

from __future__ import annotations

import datetime as _dt
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
                 stale_after: float = STALE_AFTER_SECONDS, cancel: Optional[CancelToken] = None) -> None:
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
            raise SyncError(f"{self.shared.parent}: cannot create the sync lock ({exc.strerror}); "
                            "is the shared folder reachable and writable?") from exc
        try:
            os.write(fd, self._content())
            os.fsync(fd)
        finally:
            os.close(fd)
        return True

    def _stale(self) -> bool:
        try:
            age = time.time() - self.path.stat().st_mtime
        except FileNotFoundError:
            return False  # released meanwhile: just try again
        return age > self.stale_after

    def acquire(self) -> None:
        deadline = time.monotonic() + self.wait_seconds
        while True:
            if self._try_create():
                break
            if self._stale():
                held = read_lock(self.shared) or {}
                # Take over: rename the dead lock away (atomic; only one taker wins), then create ours.
                grave = self.path.with_name(self.path.name + f".stale-{self.token}")
                try:
                    os.replace(self.path, grave)
                    grave.unlink(missing_ok=True)
                    self.took_over = held
                except FileNotFoundError:
                    pass
                continue
            if self.cancel is not None and self.cancel.cancelled:
                from ..errors import Cancelled

                raise Cancelled("sync cancelled while waiting for the shared project")
            if time.monotonic() > deadline:
                held = read_lock(self.shared) or {}
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

    def release(self) -> None:
        self._stop.set()
        if self._beat is not None:
            self._beat.join(timeout=HEARTBEAT_SECONDS * 2)
        try:
            if self.still_mine():
                self.path.unlink()
        except OSError:
            pass  # an unreachable share: the lock turns stale and the next sync takes it over

    def __enter__(self) -> "SharedLock":
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

"""A shared folder on a file system of its own (tmpfs), so that tests can really make it read-only or
fill it up, as happens to USB sticks and network shares.  Mounting needs root (CI runs as root);
``can_mount()`` says whether this machine allows it."""

from __future__ import annotations

import os
import subprocess
from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=1)
def can_mount() -> bool:
    probe = Path(f"/tmp/gw-mount-probe-{os.getpid()}")
    probe.mkdir(exist_ok=True)
    try:
        ok = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(probe)], capture_output=True,
                            timeout=10).returncode == 0
        if ok:
            subprocess.run(["umount", str(probe)], capture_output=True, timeout=10)
        return ok
    except (OSError, subprocess.SubprocessError):
        return False
    finally:
        try:
            probe.rmdir()
        except OSError:
            pass


def mount(folder: Path, size: int) -> bool:
    folder.mkdir(exist_ok=True)
    if not can_mount():
        return False
    return subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                          capture_output=True).returncode == 0


def read_only(folder: Path, on: bool) -> None:
    subprocess.run(["mount", "-o", "remount," + ("ro" if on else "rw"), str(folder)], check=True, capture_output=True)


def fill(folder: Path) -> None:
    # unbuffered: a buffered file would try the last partial block again on close and raise there
    try:
        fh = open(folder / "filler.bin", "wb", buffering=0)
    except OSError:  # full already
        return
    with fh:
        try:
            while True:
                fh.write(b"\0" * 65536)
        except OSError:
            pass


def free(folder: Path) -> None:
    (folder / "filler.bin").unlink(missing_ok=True)


def unmount(folder: Path) -> None:
    subprocess.run(["mount", "-o", "remount,rw", str(folder)], capture_output=True)
    subprocess.run(["umount", "-l", str(folder)], capture_output=True)

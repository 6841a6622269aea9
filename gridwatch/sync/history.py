"""What the shared project holds, judged by its content: snapshot identity, the syncs it holds, edits
made to it by other programs, and rollbacks.

A shared folder is a folder: people copy it to USB sticks and back, restore backups over it, open
the snapshot in QGIS or sqlite3.  Modification times and inode numbers cannot tell such things apart
(FAT sticks keep 2-second times and no inode numbers; ``cp -a`` keeps the old time), so a sync
judges the share by what it holds:

* the snapshot's **identity** is a hash of its SQLite header (whose change counter moves with every
  write), its size, the syncs its ``sync_log`` holds and the tables its change triggers marked;
* the **syncs the share holds** are the snapshot's ``sync_log`` plus the entries of the change log;
  a laptop's base holds every sync it has seen, so a sync in the base that the share no longer holds
  means the share went back in time (a rollback), and the laptop sends what it holds again;
* **edits by other programs**: the snapshot carries the same change triggers as a working copy, so an
  edit made with QGIS or sqlite3 marks its table; a journal or WAL file beside it means a program has
  it open for writing, or died while writing.  The snapshot is then read from a local copy of the file
  and its journal, where SQLite finishes or rolls back that write without touching the share.

The snapshot is only ever read as an immutable file (no locks, no journal) or copied.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from ..errors import SyncError

#: Local tracking table, filled by triggers in working copies and snapshots alike.
DIRTY_TABLE = "gridwatch_sync_dirty"
JOURNALS = ("-journal", "-wal")


@dataclass
class Snapshot:
    """What a sync knows of the shared snapshot file."""

    identity: str
    syncs: frozenset[str]
    edited_tables: frozenset[str] = frozenset()
    open_elsewhere: Optional[str] = None  # a journal file beside the snapshot: its name
    notes: list[str] = field(default_factory=list)


def ro_uri(path: Path, *, immutable: bool = False) -> str:
    """A read-only SQLite URI for ``path`` (percent-encoded: Chinese names, spaces, '#', '?')."""
    return path.resolve().as_uri() + ("?mode=ro&immutable=1" if immutable else "?mode=ro")


def sync_uuids(db: Path, *, immutable: bool = False) -> frozenset[str]:
    """The syncs a project file holds (its ``sync_log`` uuids)."""
    with closing(sqlite3.connect(ro_uri(db, immutable=immutable), uri=True)) as con:
        return frozenset(r[0] for r in con.execute("SELECT uuid FROM sync_log"))


def _edited_tables(con: sqlite3.Connection) -> frozenset[str]:
    if con.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (DIRTY_TABLE,)).fetchone() is None:
        return frozenset()
    return frozenset(r[0] for r in con.execute("SELECT table_name FROM " + DIRTY_TABLE))


def journal_beside(db: Path) -> Optional[Path]:
    """A rollback journal or WAL file of ``db`` that holds something (a program writes it, or died doing so)."""
    for suffix in JOURNALS:
        j = Path(str(db) + suffix)
        try:
            if j.stat().st_size > 0:
                return j
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise SyncError(f"{j}: cannot be read ({exc.strerror}); is the shared folder reachable?") from None
    return None


def copy_snapshot(shared: Path, dst: Path) -> Optional[str]:
    """Copy the snapshot to the local file ``dst`` as the database it is, with what another program
    wrote into its journal finished (WAL) or undone (a rollback journal left by a killed writer).

    Returns the name of the journal file that was folded in, or None."""
    for suffix in ("", *JOURNALS, "-shm"):
        Path(str(dst) + suffix).unlink(missing_ok=True)
    journal = journal_beside(shared)
    try:
        shutil.copyfile(shared, dst)
        if journal is not None:
            shutil.copyfile(journal, Path(str(dst) + journal.name[len(shared.name):]))
    except FileNotFoundError:
        if not shared.exists():
            raise SyncError(f"{shared}: shared project not reachable; your edits are safe on this laptop, "
                            "sync again when the shared folder is back") from None
        journal = None  # the other program finished meanwhile: the file alone is the database
    except OSError as exc:
        raise SyncError(f"{shared}: cannot be read ({exc.strerror}); is the shared folder reachable?") from None
    if journal is not None:
        # Opening the local copy read-write lets SQLite replay the WAL or roll the journal back, here.
        try:
            with closing(sqlite3.connect(dst, timeout=10.0)) as con:
                con.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
                if journal.name.endswith("-wal"):
                    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                    con.execute("PRAGMA journal_mode = DELETE")
        except sqlite3.DatabaseError as exc:
            raise SyncError(f"{shared}: the shared project cannot be read with its journal {journal.name} "
                            f"({exc}); run gridwatch doctor on it") from None
        for suffix in JOURNALS + ("-shm",):
            Path(str(dst) + suffix).unlink(missing_ok=True)
    return journal.name if journal is not None else None


def read_snapshot(shared: Path, work: Path) -> Snapshot:
    """The snapshot's identity, syncs and outside edits, read without writing anything on the share."""
    journal = journal_beside(shared)
    source = shared
    if journal is not None:
        source = work / "snapshot-read.gpkg"
        if copy_snapshot(shared, source) is None:
            source, journal = shared, None
    try:
        size = source.stat().st_size
        with open(source, "rb") as fh:
            header = fh.read(100)
        with closing(sqlite3.connect(ro_uri(source, immutable=source == shared), uri=True)) as con:
            syncs = frozenset(r[0] for r in con.execute("SELECT uuid FROM sync_log"))
            edited = _edited_tables(con)
    except FileNotFoundError:
        raise SyncError(f"{shared}: shared project not reachable; your edits are safe on this laptop, "
                        "sync again when the shared folder is back") from None
    except sqlite3.DatabaseError as exc:
        raise SyncError(f"{shared}: the shared project cannot be read ({exc}); run gridwatch doctor on it") from None
    h = hashlib.sha256()
    h.update(header)
    h.update(str(size).encode())
    for u in sorted(syncs):
        h.update(u.encode())
    for t in sorted(edited):
        h.update(b"\0edited:" + t.encode())
    snap = Snapshot(h.hexdigest(), syncs, edited, journal.name if journal is not None else None)
    if journal is not None:
        snap.notes.append(f"the shared project is open for writing in another program ({journal.name} beside it); "
                          "its edits are taken in, but close that program so the shared file can be tidied")
    if edited:
        snap.notes.append("the shared file was edited directly by another program (tables: "
                          + ", ".join(sorted(edited)) + "); those edits are taken in as a change of the shared project")
    return snap


def lost_syncs(base: Path, share_syncs: frozenset[str] | set[str]) -> set[str]:
    """Syncs the laptop's base holds that the share does not: the share went back in time."""
    return set(sync_uuids(base)) - set(share_syncs)


ROLLBACK_MESSAGE = ("the shared project went back in time (an older copy of the shared folder or of the shared "
                    "file was put back, e.g. from a USB stick or a backup): {n} sync(s) this laptop holds were "
                    "missing from it; what they carried was sent again")

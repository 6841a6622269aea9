"""``gridwatch doctor SHARED``: check a shared folder and repair what can be repaired safely.

It looks at what users do to shared folders: a lock left by a sync that died, temp files of killed
writes, a journal beside the snapshot (another program has it open, or died writing it), a snapshot
edited by another program, change files that no longer fit (the folder went back in time, or two
syncs wrote the same number), and the snapshot's integrity.  Repairs are the ones a sync would make
itself: a dead lock removed, leftovers deleted, a dead writer's journal rolled back, the change log
folded into the snapshot (what does not fit is set aside in ``unapplied/``).  Nothing a laptop sent
is deleted; with ``check_only`` nothing is changed at all.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from contextlib import closing, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from ..errors import SyncError
from . import history, sharelog
from .lock import SharedLock, lock_path, read_lock


@dataclass
class DoctorReport:
    ok: list[str] = field(default_factory=list)
    fixed: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        return ([f"ok: {m}" for m in self.ok] + [f"fixed: {m}" for m in self.fixed]
                + [f"problem: {m}" for m in self.problems])


def doctor(shared: Path, *, check_only: bool = False, laptops: tuple[Path, ...] = (),
           stale_after: Optional[float] = None) -> DoctorReport:
    """Check (and unless ``check_only``, repair) the shared project ``shared``.

    ``laptops``: working copies whose bases are compared with the share (a base holding syncs the
    share lacks means the share went back in time; that laptop's next sync sends them again)."""
    from .engine import _compact_from, _integrity, _rebuild_shared
    from .pg.address import is_server_address

    if is_server_address(shared):
        from .pg.store import doctor as server_doctor

        out = DoctorReport()
        out.ok, out.fixed, out.problems = server_doctor(str(shared))
        return out
    sp = Path(shared).resolve()
    rep = DoctorReport()
    if not sp.is_file():
        raise SyncError(f"{sp}: shared project not found; is the shared folder reachable?")
    folder = sharelog.log_dir(sp)
    if not folder.is_dir():
        rep.ok.append("no change log yet: nobody has checked this project out (it is an ordinary project)")

    # the lock: a dead one is what a sync would take over
    held = read_lock(sp)
    if lock_path(sp).exists():
        probe = SharedLock(sp, "gridwatch doctor", **({"stale_after": stale_after} if stale_after else {}))
        if probe._stale(held):
            if check_only:
                rep.problems.append("a lock left by a sync that died blocks syncs until it turns stale")
            else:
                probe._take_over(held)
                if not lock_path(sp).exists():
                    rep.fixed.append("removed a lock left by a sync that died"
                                     + (f" ({held.get('owner')} on {held.get('host')} since {held.get('since')})"
                                        if held else " (it had no owner: a full or read-only share)"))
        elif not check_only or held is not None:
            who = held or {}
            rep.problems.append(f"a sync is running now ({who.get('owner', '?')} on {who.get('host', '?')} since "
                                f"{who.get('since', '?')}); run doctor again when it has finished")
            return rep

    work = Path(tempfile.mkdtemp(prefix="gridwatch-doctor-"))
    try:
        # --check writes nothing, so it takes no lock either (a dead lock stays for the report)
        with (nullcontext() if check_only else SharedLock(sp, "gridwatch doctor", wait_seconds=5.0)) as lock:
            _leftovers(sp, folder, check_only, rep)
            journal = history.journal_beside(sp)
            if journal is not None:
                if journal.name.endswith("-journal") and not check_only:
                    # a rollback journal nobody holds is hot: SQLite rolls it back on open (its own protocol)
                    try:
                        with closing(sqlite3.connect(sp, timeout=5.0)) as con:
                            con.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
                        if history.journal_beside(sp) is None:
                            rep.fixed.append(f"rolled back an unfinished write another program left ({journal.name})")
                    except sqlite3.Error as exc:
                        rep.problems.append(f"{journal.name} beside the shared file cannot be rolled back ({exc})")
                if history.journal_beside(sp) is not None:
                    rep.problems.append(f"{journal.name} beside the shared file: another program (QGIS?) has it open "
                                        "for writing; close it (syncs go on and take its edits in, but the log is "
                                        "not folded into the snapshot while it is open)")
            snap = history.read_snapshot(sp, work)
            copy = work / "check.gpkg"
            history.copy_snapshot(sp, copy)
            try:
                _integrity(copy, sp)
                rep.ok.append("the shared snapshot passes SQLite's integrity check")
            except SyncError as exc:
                rep.problems.append(str(exc) + "; restore the shared file from a backup, or check out from a laptop's "
                                    "copy (every laptop holds the project as of its last sync)")
                return rep
            log = sharelog.entries(sp)
            numbers = [e.seq for e in log]
            pending = [e for e in log if e.sync_uuid not in snap.syncs]
            state, skipped = _rebuild_shared(sp, log, work)
            dup = len(numbers) != len(set(numbers))
            rep.ok.append(f"{len(snap.syncs)} sync(s) in the snapshot, {len(pending)} more in the change log")
            if snap.edited_tables:
                rep.problems.append("the shared file was edited directly by another program (tables: "
                                    + ", ".join(sorted(snap.edited_tables)) + ")")
            if dup:
                rep.problems.append("two change files carry the same number (two syncs wrote at once, or an older "
                                    "copy of the folder was put back)")
            if skipped:
                rep.problems.append(f"{len(skipped)} change file(s) no longer fit the snapshot (the shared folder went "
                                    "back in time, or the snapshot was replaced or edited): "
                                    + ", ".join(e.path.name for e in skipped[:5])
                                    + ("…" if len(skipped) > 5 else "")
                                    + "; the laptops that hold them send them again at their next sync")
            aside = folder / sharelog.UNAPPLIED
            if aside.is_dir() and any(aside.iterdir()):
                rep.ok.append(f"{sum(1 for _ in aside.iterdir())} change file(s) set aside earlier in "
                              f"{aside} (kept for reference; their laptops sent them again)")
            held_syncs = history.sync_uuids(state)
            for lp in laptops:
                from .engine import sync_dir

                base = sync_dir(Path(lp).resolve()) / "base.gpkg"
                if not base.exists():
                    rep.problems.append(f"{lp}: not a working copy (no sync base)")
                    continue
                lost = history.lost_syncs(base, held_syncs)
                if lost:
                    rep.problems.append(f"{lp} holds {len(lost)} sync(s) the shared project lost (it went back in "
                                        "time); that laptop's next sync sends them again")
                else:
                    rep.ok.append(f"{lp}: everything it synced is in the shared project")
            needs_fold = bool(snap.edited_tables or dup or skipped or len(pending) > 0)
            if needs_fold and not check_only and snap.open_elsewhere is None:
                _compact_from(sp, state, sharelog.head(log), lock, work)
                what = [f"{len(pending) - len(skipped)} sync(s) folded into the snapshot"]
                if skipped:
                    what.append(f"{len(skipped)} change file(s) that no longer fit set aside in {aside}")
                if snap.edited_tables:
                    what.append("the direct edits kept as part of the shared project")
                rep.fixed.append("; ".join(what))
                rep.problems = [p for p in rep.problems if "edited directly" not in p and "same number" not in p
                                and "no longer fit" not in p]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return rep


def _leftovers(sp: Path, folder: Path, check_only: bool, rep: DoctorReport) -> None:
    """Temp files of writes that were killed (only ever written under the lock, which we hold)."""
    junk = list(sp.parent.glob("." + sp.name + ".*.tmp")) + list(sp.parent.glob(sp.name + ".lock.stale-*"))
    if folder.is_dir():
        junk += list(folder.glob(".*.tmp"))
    if not junk:
        return
    if check_only:
        rep.problems.append(f"{len(junk)} temp file(s) left by writes that were interrupted")
        return
    for j in junk:
        j.unlink(missing_ok=True)
    rep.fixed.append(f"deleted {len(junk)} temp file(s) left by writes that were interrupted")

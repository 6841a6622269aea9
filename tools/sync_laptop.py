#!/usr/bin/env python3
"""A simulated field laptop for the sync torture test (``tests/test_sync_torture.py``).

Usage (with the project venv)::

    python tools/sync_laptop.py LOCAL --seed S --edits N [--sync] [--team TEAM.json]
                                [--lock-wait 120] [--stale-after 2.0] [--heartbeat 0.5]

``LOCAL`` is a working copy made by :func:`gridwatch.sync.checkout`; the laptop's user is read
from ``.LOCAL.sync/state.json``.

``--edits N`` makes N random edits (a ``random.Random(S)`` chooses them) through the workflow API
as that user, fitting the user's role:

* supervisors: create tasks in cells of the team (``--team``: JSON ``{"cells": [...]}``), create
  fire-point checks, cancel tasks, assign / verify / reject / close findings, correct findings
  (description, severity, party, location), record findings directly in a cell, add photos, and
  now and then start or finish a task themselves;
* inspectors: start and finish their tasks, record findings under their tasks in progress
  (0-2 photos), rectify findings of their cells (with an after-photo), add photos, correct their
  own findings while still ``found``, verify or reject another inspector's rectification, and
  undo their last recorded finding (a delete; the undo record is kept in ``LOCAL.undo.pickle``
  so an undo may come after a sync, as it does in the app).

Edits whose preconditions do not hold are not attempted; a GridWatchError refusal is counted.
Every edit that was written is appended, after its transaction committed, to the journal
``LOCAL.edits.jsonl``: one line per row it inserted, changed or deleted (audit-log rows
included), with the values it wrote (BLOBs as their SHA-256).  The test checks every line against
the final shared project.

``--sync`` then syncs (``lock_wait`` 120 s, stale rule ``--stale-after``, default 2 s for the test,
with the lock heartbeat scaled down to ``--heartbeat`` so a live sync never looks stale) and
prints ``SYNC-START`` (flushed) just before calling :func:`gridwatch.sync.sync` and ``STAGE <message>``
as the sync's progress moves to each stage (checking, waiting for the lock, reading, merging,
writing the shared project, updating this laptop), so the test can kill the process at a random
point *inside* a chosen stage rather than while Python starts.

Run several at once on one computer only with a TMPDIR (ending in "/") of their own each: pygeodiff
names its temp files with an unseeded ``rand()``, the same names in every process, so two processes
rebasing at the same moment share ``$TMPDIR/geodiff_fa37Jn_*.bin`` (the test gives every laptop its
own TMPDIR, as every laptop is its own computer).

``GRIDWATCH_TORTURE_PATCH=FILE`` (diagnosis only) runs FILE before the sync, e.g. to try a candidate
fix of the sync core by monkeypatching it, without editing it.

Last line of stdout: one JSON object (user, role, edit counts, the SyncReport).  Exit status 0;
3 when the sync raised SyncError (e.g. the lock could not be had, or was taken over); 1 on any
other error (a traceback on stderr).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import pickle
import random
import sqlite3
import sys
import tempfile
from contextlib import closing
from pathlib import Path
from typing import Any, Callable, Optional

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from gridwatch.errors import GridWatchError, SyncError  # noqa: E402
from gridwatch.storage import workflow as wf  # noqa: E402
from gridwatch.storage.edits import Edit  # noqa: E402
from gridwatch.storage.gpkg import blob_to_geometry  # noqa: E402
from gridwatch.storage.schema import ASSIGNMENT_KINDS, FINDING_CATEGORIES, FIRE_CHECK_RESULTS  # noqa: E402
from gridwatch.sync import sync, sync_dir  # noqa: E402

BEIJING = dt.timezone(dt.timedelta(hours=8))


def journal_path(local: Path) -> Path:
    return local.with_name(local.name + ".edits.jsonl")


def undo_path(local: Path) -> Path:
    return local.with_name(local.name + ".undo.pickle")


def plain(v: Any) -> Any:
    """A value as the journal holds it: BLOBs as ``{"sha256": ...}``, everything else as is."""
    if isinstance(v, (bytes, bytearray, memoryview)):
        return {"sha256": hashlib.sha256(bytes(v)).hexdigest()}
    return v


def make_photo(path: Path, rng: random.Random, lon: float, lat: float, when: dt.datetime) -> Path:
    """A small JPEG with EXIF time (Beijing) and GPS position, as a phone writes it."""
    from PIL import Image
    from PIL import TiffImagePlugin as T

    img = Image.new("RGB", (64, 48), (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    img.putpixel((rng.randrange(64), rng.randrange(48)), (rng.randrange(256), 0, 0))
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9003] = when.astimezone(BEIJING).strftime("%Y:%m:%d %H:%M:%S")
    exif.get_ifd(0x8769)[0x9011] = "+08:00"

    def dms(v: float):
        v = abs(v)
        d = int(v)
        m = int((v - d) * 60)
        s = round(((v - d) * 60 - m) * 60 * 1000)
        return tuple(T.IFDRational(n, q) for n, q in ((d, 1), (m, 1), (s, 1000)))

    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", dms(lat), "E", dms(lon)
    img.save(path, "JPEG", exif=exif, quality=80)
    return path


class Laptop:
    """One user's random edits on a working copy, journaled."""

    def __init__(self, local: Path, actor: wf.Actor, rng: random.Random, cells_pool: list[str],
                 photo_dir: Path) -> None:
        self.local = local
        self.actor = actor
        self.rng = rng
        self.photo_dir = photo_dir
        self.photo_n = 0
        self.stats: dict[str, Any] = {"done": {}, "refused": 0, "refusals": {}, "skipped": 0}
        with closing(sqlite3.connect(f"file:{local}?mode=ro", uri=True)) as con:
            self.my_cells = {r[0] for r in con.execute("SELECT code FROM grid_cell WHERE inspector_uuid = ?",
                                                       (actor.uuid,))}
            self.townships = dict(con.execute("SELECT code, township_code FROM grid_cell"))
        self.cells_pool = cells_pool or sorted(self.townships)
        self._geoms: dict[str, Any] = {}
        self.no_undo = False  # a second process writing the same copy keeps off the undo record

    # --- reading the working copy --------------------------------------------------------------

    def rows(self, sql: str, args: tuple = ()) -> list[sqlite3.Row]:
        with closing(sqlite3.connect(f"file:{self.local}?mode=ro", uri=True)) as con:
            con.row_factory = sqlite3.Row
            return con.execute(sql, args).fetchall()

    def cell_geom(self, code: str):  # type: ignore[no-untyped-def]
        if code not in self._geoms:
            blob = self.rows("SELECT geom FROM grid_cell WHERE code = ?", (code,))[0][0]
            self._geoms[code] = blob_to_geometry(blob)
        return self._geoms[code]

    def point_in(self, code: str) -> tuple[float, float]:
        """A random point inside the cell (its representative point if the tries miss)."""
        import shapely

        g = self.cell_geom(code)
        x0, y0, x1, y1 = g.bounds
        for _ in range(20):
            x, y = self.rng.uniform(x0, x1), self.rng.uniform(y0, y1)
            if g.covers(shapely.Point(x, y)):
                return round(x, 7), round(y, 7)
        p = g.representative_point()
        return p.x, p.y

    def photos(self, code: str, n: int) -> list[Path]:
        out = []
        for _ in range(n):
            self.photo_n += 1
            lon, lat = self.point_in(code)
            out.append(make_photo(self.photo_dir / f"IMG_{self.photo_n:04d}.jpg", self.rng, lon, lat,
                                  dt.datetime.now(dt.timezone.utc)))
        return out

    def text(self, what: str) -> str:
        return f"{what} {self.actor.name} #{self.rng.randrange(10**6)}"

    # --- the journal ----------------------------------------------------------------------------

    def _audit_max(self) -> int:
        return self.rows("SELECT COALESCE(MAX(fid), 0) FROM audit_log")[0][0]

    def journal(self, action: str, edit: Edit, audit_after: int) -> None:
        lines = []
        for ch in edit.changes:
            base = {"user": self.actor.name, "action": action, "table": ch.table, "uuid": ch.uuid}
            if ch.before is None:
                lines.append(dict(base, op="insert", values={k: plain(v) for k, v in (ch.after or {}).items()}))
            elif ch.after is None:
                lines.append(dict(base, op="delete"))
            else:
                vals = {k: plain(ch.after[k]) for k in ch.changed_columns()}
                if vals:
                    lines.append(dict(base, op="update", values=vals))
        # this edit's audit rows only: another process may be writing the same working copy
        mine = {ch.uuid for ch in edit.changes}
        for r in self.rows("SELECT * FROM audit_log WHERE fid > ? ORDER BY fid", (audit_after,)):
            if r["row_uuid"] not in mine:
                continue
            vals = {k: plain(r[k]) for k in r.keys() if k != "fid"}
            lines.append({"user": self.actor.name, "action": action, "table": "audit_log", "uuid": r["uuid"],
                          "op": "insert", "values": vals})
        with open(journal_path(self.local), "a", encoding="utf-8") as fh:
            for line in lines:
                fh.write(json.dumps(line, ensure_ascii=False) + "\n")
            fh.flush()
            os.fsync(fh.fileno())

    def apply(self, action: str, write: Callable[[], Edit]) -> Optional[Edit]:
        before = self._audit_max()
        try:
            edit = write()
        except GridWatchError as exc:
            self.stats["refused"] += 1
            key = f"{action}: {type(exc).__name__}"
            self.stats["refusals"][key] = self.stats["refusals"].get(key, 0) + 1
            return None
        self.journal(action, edit, before)
        self.stats["done"][action] = self.stats["done"].get(action, 0) + 1
        return edit

    # --- what may be done now -------------------------------------------------------------------

    def tasks(self, status: str, mine: bool) -> list[sqlite3.Row]:
        sql = "SELECT uuid, kind, cell_code, assignee_uuid FROM assignment WHERE status = ?"
        args: tuple = (status,)
        if mine:
            sql += " AND assignee_uuid = ?"
            args += (self.actor.uuid,)
        return self.rows(sql + " ORDER BY uuid", args)

    def findings(self, status: Optional[str] = None) -> list[sqlite3.Row]:
        sql = "SELECT uuid, status, cell_code, found_by, rectified_by, responsible_party FROM finding"
        args: tuple = ()
        if status is not None:
            sql += " WHERE status = ?"
            args = (status,)
        return self.rows(sql + " ORDER BY uuid", args)

    def mine(self, f: sqlite3.Row) -> bool:
        return f["cell_code"] in self.my_cells or f["found_by"] == self.actor.uuid

    def choices(self) -> list[tuple[float, str, Callable[[], Optional[Edit]]]]:
        rng, me = self.rng, self.actor
        out: list[tuple[float, str, Callable[[], Optional[Edit]]]] = []

        def add(weight: float, name: str, candidates: list, act: Callable[[Any], Optional[Edit]]) -> None:
            if candidates:
                out.append((weight, name, lambda: act(rng.choice(candidates))))

        open_findings = [f for f in self.findings() if f["status"] != "closed"]
        if me.role == "supervisor":
            out.append((3, "create_assignments", lambda: self.apply("create_assignments", lambda: wf.create_assignments(
                self.local, me, rng.sample(self.cells_pool, rng.randint(1, 3)), rng.choice(ASSIGNMENT_KINDS),
                priority=rng.randint(1, 3), notes=self.text("任务"),
                due_at=dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=rng.randint(1, 7))))))
            out.append((0.3, "create_fire_checks", lambda: self.apply("create_fire_checks", lambda: wf.create_fire_checks(
                self.local, me, township_code=self.townships[rng.choice(self.cells_pool)],
                since=dt.datetime(2025, 11, 1, tzinfo=dt.timezone.utc) + dt.timedelta(days=rng.randint(0, 25)),
                max_checks=30))))
            out.append((1.5, "record_finding", lambda: self.record(None, rng.choice(self.cells_pool))))
            add(1, "cancel", self.tasks("assigned", False) + self.tasks("in_progress", False),
                lambda t: self.apply("cancel", lambda: wf.change_assignment(self.local, me, t["uuid"], "cancel",
                                                                           reason=self.text("撤销"))))
            add(0.4, "start", self.tasks("assigned", False),
                lambda t: self.apply("start", lambda: wf.change_assignment(self.local, me, t["uuid"], "start")))
            add(0.4, "finish", self.tasks("in_progress", False), self.finish)
            add(3, "assign", self.findings("found"), self.assign)
            add(2, "verify", self.findings("rectified"),
                lambda f: self.apply("verify", lambda: wf.change_finding(self.local, me, f["uuid"], "verify",
                                                                        note=self.text("核查通过"))))
            add(1, "reject", self.findings("rectified"),
                lambda f: self.apply("reject", lambda: wf.change_finding(self.local, me, f["uuid"], "reject",
                                                                        reason=self.text("驳回"))))
            add(1.5, "close", self.findings("verified"),
                lambda f: self.apply("close", lambda: wf.change_finding(self.local, me, f["uuid"], "close")))
            add(0.3, "rectify", self.findings("assigned"), self.rectify)
            add(2, "edit_finding", open_findings, self.edit)
            add(0.5, "add_photos", open_findings, self.add_photos)
        else:
            add(3, "start", self.tasks("assigned", True),
                lambda t: self.apply("start", lambda: wf.change_assignment(self.local, me, t["uuid"], "start")))
            in_progress = self.tasks("in_progress", True)
            add(1, "finish", in_progress, self.finish)
            add(4, "record_finding", in_progress, lambda t: self.record(t["uuid"], t["cell_code"]))
            add(3, "rectify", [f for f in self.findings("assigned") if self.mine(f)], self.rectify)
            add(1, "add_photos", [f for f in open_findings if self.mine(f)], self.add_photos)
            add(1, "edit_finding", [f for f in self.findings("found") if f["found_by"] == me.uuid], self.edit)
            others = [f for f in self.findings("rectified") if f["rectified_by"] != me.uuid]
            add(0.7, "verify", others,
                lambda f: self.apply("verify", lambda: wf.change_finding(self.local, me, f["uuid"], "verify",
                                                                        note=self.text("复核"))))
            add(0.5, "reject", others,
                lambda f: self.apply("reject", lambda: wf.change_finding(self.local, me, f["uuid"], "reject",
                                                                        reason=self.text("驳回"))))
            if undo_path(self.local).exists() and not self.no_undo:
                out.append((1, "undo_record_finding", self.undo_last))
        return out

    # --- the edits ----------------------------------------------------------------------------

    def record(self, task_uuid: Optional[str], code: str) -> Optional[Edit]:
        rng = self.rng
        lon, lat = self.point_in(code)
        photos = self.photos(code, rng.choice((0, 1, 1, 2)))
        kwargs: dict[str, Any] = {"assignment_uuid": task_uuid} if task_uuid else {"cell_code": code}
        if rng.random() < 0.5:
            kwargs.update(responsible_party=self.text("责任方"),
                          rectify_deadline=dt.date(2025, 12, 1) + dt.timedelta(days=rng.randint(0, 30)))
        edit = self.apply("record_finding", lambda: wf.record_finding(
            self.local, self.actor, category=rng.choice(FINDING_CATEGORIES), longitude=lon, latitude=lat,
            severity=rng.randint(1, 3), description=self.text("问题"), photos=photos, **kwargs))
        if edit is not None and self.actor.role == "inspector" and not self.no_undo:
            tmp = undo_path(self.local).with_suffix(".tmp")
            tmp.write_bytes(pickle.dumps(edit))
            os.replace(tmp, undo_path(self.local))
        return edit

    def undo_last(self) -> Optional[Edit]:
        edit = pickle.loads(undo_path(self.local).read_bytes())
        undo_path(self.local).unlink()
        return self.apply("undo_record_finding", lambda: wf.undo(self.local, self.actor, edit))

    def finish(self, t: sqlite3.Row) -> Optional[Edit]:
        result = self.rng.choice(FIRE_CHECK_RESULTS) if t["kind"] == "fire_check" else None
        return self.apply("finish", lambda: wf.change_assignment(self.local, self.actor, t["uuid"], "finish",
                                                                 result=result, notes=self.text("检查完毕")))

    def assign(self, f: sqlite3.Row) -> Optional[Edit]:
        rng = self.rng
        party = None if f["responsible_party"] and rng.random() < 0.5 else self.text("责任方")
        return self.apply("assign", lambda: wf.change_finding(
            self.local, self.actor, f["uuid"], "assign", responsible_party=party,
            rectify_deadline=dt.date(2025, 12, 1) + dt.timedelta(days=rng.randint(0, 30))))

    def rectify(self, f: sqlite3.Row) -> Optional[Edit]:
        photos = self.photos(f["cell_code"], 1)
        return self.apply("rectify", lambda: wf.change_finding(self.local, self.actor, f["uuid"], "rectify",
                                                               note=self.text("已整改"), after_photos=photos))

    def add_photos(self, f: sqlite3.Row) -> Optional[Edit]:
        photos = self.photos(f["cell_code"], self.rng.randint(1, 2))
        return self.apply("add_photos", lambda: wf.add_photos(self.local, self.actor, f["uuid"], photos))

    def edit(self, f: sqlite3.Row) -> Optional[Edit]:
        rng = self.rng
        values: dict[str, Any] = {}
        kind = rng.random()
        if kind < 0.5:
            values["description"] = self.text("描述")
        elif kind < 0.7:
            values["severity"] = rng.randint(1, 3)
        elif kind < 0.85:
            values["responsible_party"] = self.text("责任方")
        else:
            values["category"] = rng.choice(FINDING_CATEGORIES)
        if rng.random() < 0.15:
            values["longitude"], values["latitude"] = self.point_in(f["cell_code"])
        return self.apply("edit_finding", lambda: wf.edit_finding(self.local, self.actor, f["uuid"], **values))

    def run(self, n: int) -> dict[str, Any]:
        for _ in range(n):
            options = self.choices()
            if not options:
                self.stats["skipped"] += 1
                continue
            weights = [w for w, _, _ in options]
            _, _name, act = self.rng.choices(options, weights=weights)[0]
            act()
        return self.stats


def main(argv: Optional[list[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("local", type=Path)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--edits", type=int, default=0)
    ap.add_argument("--sync", action="store_true")
    ap.add_argument("--team", type=Path, help='JSON {"cells": [...]}: the cells supervisors create tasks in')
    ap.add_argument("--lock-wait", type=float, default=120.0)
    ap.add_argument("--compact-after", type=int, default=None,
                    help="fold the shared change log into the snapshot when it has more entries than this")
    ap.add_argument("--stale-after", type=float, default=2.0)
    ap.add_argument("--no-undo", action="store_true",
                    help="never undo (a second writer of the same working copy, running during its sync)")
    ap.add_argument("--heartbeat", type=float, default=0.5,
                    help="lock heartbeat seconds (scaled down with the test's short stale rule)")
    args = ap.parse_args(argv)

    local = args.local.resolve()
    state = json.loads((sync_dir(local) / "state.json").read_text(encoding="utf-8"))
    actor = wf.find_actor(local, state["user"])
    out: dict[str, Any] = {"user": actor.name, "role": actor.role}
    if args.edits:
        pool = json.loads(args.team.read_text(encoding="utf-8"))["cells"] if args.team else []
        with tempfile.TemporaryDirectory(prefix="photos-") as tmp:
            laptop = Laptop(local, actor, random.Random(args.seed), pool, Path(tmp))
            laptop.no_undo = args.no_undo
            out["edits"] = laptop.run(args.edits)
    if args.sync:
        from gridwatch.sync import lock

        if os.environ.get("GRIDWATCH_TORTURE_PATCH"):  # diagnosis: try a fix of the sync core without editing it
            import runpy

            runpy.run_path(os.environ["GRIDWATCH_TORTURE_PATCH"])

        lock.HEARTBEAT_SECONDS = args.heartbeat
        stage = [""]

        def progress(fraction: float, message: str) -> None:
            if message != stage[0]:
                stage[0] = message
                print("STAGE " + message, flush=True)

        print("SYNC-START", flush=True)
        try:
            report = sync(local, progress=progress, lock_wait=args.lock_wait, stale_after=args.stale_after,
                          compact_after=args.compact_after)
        except SyncError as exc:
            out["sync_error"] = str(exc)
            print(json.dumps(out, ensure_ascii=False), flush=True)
            return 3
        out["sync"] = report.to_dict()
    print(json.dumps(out, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

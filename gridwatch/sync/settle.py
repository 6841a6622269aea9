"""Settling a merge: rows aligned by uuid, same-field conflicts decided by the domain rules and
recorded, the sync's own log row."""

from __future__ import annotations

import json
import shutil
import socket
import sqlite3
import uuid as _uuid
from contextlib import closing
from pathlib import Path
from typing import Any, Optional

from ..storage.gpkg import connect_readwrite, quote_ident, sqlite_tables, transaction
from . import history
from .changes import SYNC_LOG, Change, _diff_entries, _geodiff
from .files import SyncReport, _discard, _now_text
from .rows import (
    _BOOKKEEPING,
    _CONFLICT_INSERT,
    _columns,
    _data_tables,
    _fid_uuid,
    _json_value,
    _last_editor,
    _row,
    _row_by_uuid,
    _winner,
)


def _align_fids(base: Path, theirs: Path, merged: Path, work: Path, scope: Optional[set[str]]) -> Path:
    """The base to rebase from, with every row at the fid the shared state gives its uuid.

    pygeodiff matches rows by fid, GridWatch by uuid.  The shared state may hold a row under another
    fid than this laptop: a row deleted there and another renumbered into its fid, rows put back
    after a rollback, a row this laptop sends again that the share holds already.  Here a copy of the
    base and the merged file are renumbered so that a uuid the shared state holds sits at its fid
    there, and any other row at a fid the shared state does not use; a row this laptop inserted that
    the shared state holds already goes into the base copy as the shared state has it (so the two are
    one row, not two inserts).  pygeodiff then sees for a row X deleted there and Z put in its place
    a delete of X (against our edit: recorded as a conflict) and an insert of Z.
    """
    plans: dict[str, tuple[dict[int, int], dict[int, int], list[int]]] = {}
    with closing(sqlite3.connect(history.ro_uri(base), uri=True)) as b, \
            closing(sqlite3.connect(history.ro_uri(theirs), uri=True)) as t, \
            closing(sqlite3.connect(history.ro_uri(merged), uri=True)) as m:
        for table in _data_tables(b):
            if (scope is not None and table not in scope) or "uuid" not in _columns(b, table):
                continue
            bt, tt, mt = _fid_uuid(b, table), _fid_uuid(t, table), _fid_uuid(m, table)
            at = {u: f for f, u in tt.items()}
            top = max([0, *bt, *tt, *mt])
            fresh = iter(range(top + 1, top + 1 + len(bt) + len(mt)))
            targets: dict[str, int] = {}

            def plan(rows: dict[int, str]) -> dict[int, int]:
                moves = {}
                for f, u in rows.items():
                    if u not in targets:
                        targets[u] = at[u] if u in at else (f if f not in tt else next(fresh))
                    if targets[u] != f:
                        moves[f] = targets[u]
                return moves

            base_moves, merged_moves = plan(bt), plan(mt)
            base_uuids = set(bt.values())
            shared_inserts = [at[u] for u in mt.values() if u in at and u not in base_uuids]
            if base_moves or merged_moves or shared_inserts:
                plans[table] = (base_moves, merged_moves, shared_inserts)
    if not plans:
        return base
    aligned = work / "base-aligned.gpkg"
    _discard(aligned)
    shutil.copyfile(base, aligned)
    for path, which in ((aligned, 0), (merged, 1)):
        with closing(connect_readwrite(path)) as con, transaction(con):
            names = sqlite_tables(con)
            for table, parts in plans.items():
                qt = quote_ident(table, names)
                moves = parts[which]
                if not moves:
                    continue
                # two steps, so that rows may trade places: out of the way (past every fid the table
                # holds), then into place
                top = con.execute("SELECT COALESCE(MAX(fid), 0) FROM " + qt).fetchone()[0]
                park = max([top, *moves, *moves.values()]) + 1
                for k, f in enumerate(moves):
                    con.execute("UPDATE " + qt + " SET fid = ? WHERE fid = ?", (park + k, f))
                for k, f in enumerate(moves):
                    con.execute("UPDATE " + qt + " SET fid = ? WHERE fid = ?", (moves[f], park + k))
    with closing(connect_readwrite(aligned)) as con, closing(sqlite3.connect(history.ro_uri(theirs), uri=True)) as t, \
            transaction(con):
        names = sqlite_tables(con)
        for table, (_b, _m, inserts) in plans.items():
            if not inserts:
                continue
            cols = _columns(con, table)
            qt = quote_ident(table, names)
            for fid in inserts:
                row = _row(t, table, fid)
                if row is None:
                    continue
                keys = [k for k in row if k in cols]
                con.execute("INSERT INTO " + qt + " (" + ", ".join(quote_ident(k, cols) for k in keys) + ") VALUES ("
                            + ", ".join("?" for _ in keys) + ")", [row[k] for k in keys])
    return aligned


def settle_conflicts(conflict_file: Path, merged: Path, ours: Path, theirs: Path, user: str,
                     sync_uuid: str, base: Optional[Path] = None) -> int:
    """Apply the domain rules to pygeodiff's conflicts and record every overridden value.

    Same-field conflicts are settled column by column (the later edit wins), except a lifecycle
    step against another: then the step further along wins as a whole (its status with the notes,
    people and times that came with it), and every value of the losing step is recorded.
    """
    if not conflict_file.exists():
        return 0
    entries = json.loads(conflict_file.read_text(encoding="utf-8")).get("geodiff", [])
    if not entries:
        return 0
    stamp = _now_text()
    n = 0
    with closing(connect_readwrite(merged)) as m, \
            closing(sqlite3.connect(f"file:{ours}?mode=ro", uri=True)) as o, \
            closing(sqlite3.connect(f"file:{theirs}?mode=ro", uri=True)) as t, \
            closing(sqlite3.connect(f"file:{base or theirs}?mode=ro", uri=True)) as b:
        with transaction(m):
            tables = sqlite_tables(m)
            for e in entries:
                table = e["table"]
                fid = int(e["fid"])
                cols = _columns(m, table)
                changed = [cols[c["column"]] for c in e.get("changes", [])]
                # The fid names the row in the common base; the other files may hold another row under
                # that number (a delete on one side, an insert renumbered into its place): match by uuid.
                anchor = _row(b, table, fid) or _row(o, table, fid) or {}
                row_uuid = anchor.get("uuid")
                if row_uuid is not None and "uuid" in cols:
                    row_o, row_t, row_m = (_row_by_uuid(o, table, row_uuid), _row_by_uuid(t, table, row_uuid),
                                           _row_by_uuid(m, table, row_uuid))
                else:
                    row_o, row_t, row_m = _row(o, table, fid), _row(t, table, fid), _row(m, table, fid)
                mine, other = f"{user} (this sync)", _last_editor(t, row_uuid) or "shared project"
                at_fid = _row(m, table, fid)
                if row_uuid is not None and at_fid is not None and at_fid.get("uuid") != row_uuid:
                    # pygeodiff saw "their delete + an insert renumbered into this fid" as an update
                    # of one row and put our values into the other row: give that row back its own
                    own = _row_by_uuid(t, table, at_fid["uuid"]) if "uuid" in cols else None
                    if own is not None:
                        names = [c for c in changed if c != "fid" and at_fid.get(c) != own.get(c)]
                        if names:
                            m.execute("UPDATE " + quote_ident(table, tables) + " SET "
                                      + ", ".join(quote_ident(c, cols) + " = ?" for c in names) + " WHERE fid = ?",
                                      [own[c] for c in names] + [fid])
                if row_m is None or row_o is None or row_t is None:
                    # an update met a delete: the delete stands; keep the edit visible
                    gone = row_o if row_t is None else row_t
                    for col in changed or ["*"]:
                        m.execute(_CONFLICT_INSERT, (str(_uuid.uuid4()), sync_uuid, stamp, table, row_uuid, col,
                                                     None, _json_value((gone or {}).get(col)),
                                                     "deleted", mine if row_t is None else other,
                                                     "a delete wins over an edit", "open"))
                        n += 1
                    continue
                side, rule = _winner(table, row_o, row_t, changed)
                keep, lose = (row_o, row_t) if side == "ours" else (row_t, row_o)
                if rule == "status only moves forward":
                    # the whole losing step goes: every column it changed takes the winner's value
                    row_b = _row(b, table, fid) or {}
                    changed = sorted(set(changed) | {c for c in cols if c != "fid" and lose.get(c) != row_b.get(c)})
                names = [c for c in changed if c != "fid" and row_m.get(c) != keep.get(c)]
                if names:
                    m.execute("UPDATE " + quote_ident(table, tables) + " SET "
                              + ", ".join(quote_ident(c, cols) + " = ?" for c in names) + " WHERE fid = ?",
                              [keep[c] for c in names] + [row_m["fid"]])
                for col in changed:
                    if keep.get(col) == lose.get(col) or col in _BOOKKEEPING:
                        continue
                    m.execute(_CONFLICT_INSERT, (str(_uuid.uuid4()), sync_uuid, stamp, table, row_uuid, col,
                                                 _json_value(keep.get(col)), _json_value(lose.get(col)),
                                                 mine if side == "ours" else other,
                                                 other if side == "ours" else mine, rule, "open"))
                    n += 1
    return n


def _record_deleted_edits(deleted: list[Change], theirs: Path, merged: Path, user: str, sync_uuid: str) -> int:
    """Our delete of a row someone else edited since our base: the delete stands (no deleted feature
    comes back), and each value of their edit is kept in ``sync_conflict`` so it is not lost unseen."""
    stamp = _now_text()
    n = 0
    with closing(sqlite3.connect(f"file:{theirs}?mode=ro", uri=True)) as t, closing(connect_readwrite(merged)) as m:
        with transaction(m):
            for c in deleted:
                row_uuid = c.values.get("uuid")
                if not row_uuid or "uuid" not in _columns(t, c.table):
                    continue
                row_t = _row_by_uuid(t, c.table, row_uuid)
                if row_t is None or _row_by_uuid(m, c.table, row_uuid) is not None:
                    continue  # deleted there too, or the merge kept the row
                if m.execute("SELECT 1 FROM sync_conflict WHERE sync_uuid = ? AND row_uuid = ?",
                             (sync_uuid, row_uuid)).fetchone() is not None:
                    continue  # already recorded from pygeodiff's conflicts
                editor = _last_editor(t, row_uuid) or "shared project"
                for col, value in row_t.items():
                    if col == "fid" or col in _BOOKKEEPING or value == c.values.get(col):
                        continue
                    m.execute(_CONFLICT_INSERT, (str(_uuid.uuid4()), sync_uuid, stamp, c.table, row_uuid, col, None,
                                                 _json_value(value), "deleted", editor,
                                                 "a delete wins over an edit", "open"))
                    n += 1
    return n


def _their_tables(base: Path, theirs: Path) -> Optional[set[str]]:
    """Tables other syncs changed since our base (from their sync_log rows); None if unknown."""
    with closing(sqlite3.connect(f"file:{base}?mode=ro", uri=True)) as b:
        known = {r[0] for r in b.execute("SELECT uuid FROM sync_log")}
    out: set[str] = {SYNC_LOG}
    new = 0
    with closing(sqlite3.connect(f"file:{theirs}?mode=ro", uri=True)) as t:
        for uuid, tables in t.execute("SELECT uuid, tables_changed FROM sync_log"):
            if uuid in known:
                continue
            new += 1
            if not tables:
                return None
            out |= set(json.loads(tables))
    # The shared file changed without any sync recording it (edited directly, e.g. in QGIS):
    # nothing says which tables, so compare them all.
    return out if new else None


def _received(base: Path, theirs: Path) -> int:
    """Changes others sent since our base: their syncs' logged counts (no second full diff)."""
    with closing(sqlite3.connect(f"file:{base}?mode=ro", uri=True)) as b:
        known = {r[0] for r in b.execute("SELECT uuid FROM sync_log")}
    with closing(sqlite3.connect(f"file:{theirs}?mode=ro", uri=True)) as t:
        rows = t.execute("SELECT uuid, sent FROM sync_log").fetchall()
    return int(sum((sent or 0) for uuid, sent in rows if uuid not in known))


def _log_sync(merged: Path, sync_uuid: str, user: str, report: SyncReport, tables: set[str]) -> None:
    with closing(connect_readwrite(merged)) as con, transaction(con):
        con.execute("INSERT INTO sync_log (uuid, at, user_name, host, sent, received, conflicts, refused, details, "
                    "tables_changed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (sync_uuid, _now_text(), user, socket.gethostname(), report.sent, report.received,
                     report.conflicts, report.refused, "; ".join(report.messages[:5]) or None,
                     json.dumps(sorted(tables))))


def _log_row(sync_uuid: str, user: str, report: SyncReport, tables: set[str]) -> dict[str, Any]:
    return {"uuid": sync_uuid, "at": _now_text(), "user_name": user, "host": socket.gethostname(),
            "sent": report.sent, "received": report.received, "conflicts": report.conflicts,
            "refused": report.refused, "details": "; ".join(report.messages[:5]) or None,
            "tables_changed": json.dumps(sorted(tables))}


def _log_row_changeset(base: Path, work: Path, fid: int, row: dict[str, Any]) -> Path:
    """A changeset that inserts one sync_log row (made by diffing two one-table databases)."""
    with closing(sqlite3.connect(f"file:{base}?mode=ro", uri=True)) as b:
        create = b.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (SYNC_LOG,)).fetchone()[0]
        cols = _columns(b, SYNC_LOG)
    before, after = work / "log-before.sqlite", work / "log-after.sqlite"
    for p in (before, after):
        _discard(p)
        with closing(sqlite3.connect(p)) as con:
            con.execute(create)
            con.commit()
    names = ["fid", *[k for k in row if k in cols and k != "fid"]]
    with closing(sqlite3.connect(after)) as con:
        con.execute("INSERT INTO " + SYNC_LOG + " (" + ", ".join(quote_ident(n, cols) for n in names) + ") VALUES ("
                    + ", ".join("?" for _ in names) + ")", [fid, *[row[n] for n in names[1:]]])
        con.commit()
    out = work / "log-row.diff"
    _geodiff().create_changeset(str(before), str(after), str(out))
    return out


def _their_summary(theirs: Optional[Path], base: Path, work: Path,
                   our_deletes: frozenset[tuple[str, int]] = frozenset()) -> tuple[bool, int, int]:
    """(safe for the quick path, changes others sent, highest sync_log fid) of the incoming changes.

    Not safe either: a row we deleted that others edited (the delete wins, and the full merge
    records the edit it overrides).

    Not safe: a row whose uuid changed under the same fid (a row deleted and another renumbered into
    its place): pygeodiff would take it for one row, so the full merge (which moves such rows apart)
    handles it."""
    with closing(sqlite3.connect(f"file:{base}?mode=ro", uri=True)) as b:
        top = b.execute("SELECT COALESCE(MAX(fid), 0) FROM sync_log").fetchone()[0]
        if theirs is None:
            return True, 0, top
        uuid_col: dict[str, Optional[int]] = {}
        log_cols = _columns(b, SYNC_LOG)
        received = 0
        for e in _diff_entries(theirs, work):
            t = e["table"]
            if t not in uuid_col:
                cols = _columns(b, t) if t in sqlite_tables(b) else []
                uuid_col[t] = cols.index("uuid") if "uuid" in cols else None
            if e["type"] == "update" and uuid_col[t] is not None and any(
                    c["column"] == uuid_col[t] for c in e["changes"]):
                return False, 0, top
            if e["type"] == "update" and our_deletes:
                pk = next((c.get("old", c.get("new")) for c in e["changes"] if c["column"] == 0), None)
                if pk is not None and (t, int(pk)) in our_deletes:
                    return False, 0, top
            if t == SYNC_LOG and e["type"] == "insert":
                row = {log_cols[c["column"]]: c.get("new") for c in e["changes"]}
                received += int(row.get("sent") or 0)
                top = max(top, int(row["fid"]))
    return True, received, top

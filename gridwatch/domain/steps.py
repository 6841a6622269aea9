"""Judging a row's net change by replaying its audited steps (the sync's and the server's door).

A working copy sends the net change of each row since its base, which may be several steps (a
finding recorded, assigned and rectified between two syncs).  Each step the app took is in the audit
log, so the row's new audit entries are replayed in order from the row as it was, and every step is
judged by :func:`~gridwatch.domain.policy.judge_row_change` as the person its audit entry names (on
an inspector's laptop that must be the inspector); what the final row holds beyond the audited steps
(an edit made by hand) is judged as one more change by the person sending it.

Pure Python with no imports beyond the domain: the laptop's sync (:mod:`gridwatch.sync.permissions`)
and the PostgreSQL server (its judge trigger runs this module) decide with the same code.
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable, Mapping, Optional, Sequence

from .lifecycle import transitions
from .policy import Actor, Refusal
from .row_rules import RowContext, judge_row_change
from .settle import LIFECYCLE_TABLES, RANK, matching_version, settle_step

_BLOB_NOTE = re.compile(r"^<\d+ bytes>$")


def audit_values(text: Optional[str]) -> Optional[dict[str, Any]]:
    """The values an audit entry's ``new_values`` holds (None: the step deleted the row)."""
    if text is None:
        return None
    try:
        out = json.loads(text)
    except ValueError:
        return {}
    return out if isinstance(out, dict) else {}


def judge_steps(actor: Actor, by_name: Mapping[str, Actor], table: str, kind: str,
                before: Optional[Mapping[str, Any]], after: Optional[Mapping[str, Any]],
                steps: list[Mapping[str, Any]], context: RowContext, cols: list[str],
                history: Optional[Callable[[], Sequence[Mapping[str, Any]]]] = None) -> Optional[Refusal]:
    """Why the change of one row (``before`` -> ``after``, ``kind`` insert/update/delete) may not be
    sent by ``actor`` (None: it may).

    ``steps``: the row's new audit entries in the order they were written (``user_name``,
    ``old_values``, ``new_values``); ``by_name``: the active people of the project by name; ``cols``:
    the table's columns.  Without steps the change is judged as it stands.

    ``history``: the row's earlier versions, newest first, as a store that keeps them holds them (the
    server: its own record, which no laptop writes).  A step that does not fit the row as it is now, or
    whose audit entry's old values are not the row's (even if it would fit it), was taken offline from
    the state its author saw: the version its audit entry's old values name (or
    one the author's earlier steps of this change made from such a version).  It is judged from that
    state, and its outcome settled against the row as it is now by the domain's conflict rule
    (:func:`gridwatch.domain.settle.settle_step`: a status only moves forward, otherwise the later
    edit wins), as the shared folder's merge settles it.  No state the row never had can be claimed.
    Without a history (a laptop's own check) such a step passes only from a state one step into its
    status starts from that is not ahead of the row's (:func:`_taken_earlier`).
    """
    if not steps:
        return judge_row_change(actor, table, kind, before, after, context)
    state: Optional[dict[str, Any]] = dict(before) if before is not None else None
    path: list[dict[str, Any]] = []  # the states the author's copy had, from this change's steps (newest last)
    versions: Optional[Sequence[Mapping[str, Any]]] = None
    started: Optional[Mapping[str, Any]] = None  # the earlier version the author's steps were taken from
    for a in steps:
        who = actor if a["user_name"] == actor.name else by_name.get(a["user_name"])
        if who is None:
            return Refusal("refused_by_role", f"its audit entry names {a['user_name']!r}, who is not an active "
                           "person of the project", "audit.unknown_person", {"name": a["user_name"]})
        if actor.role == "inspector" and who.uuid != actor.uuid:
            return Refusal("refused_by_role", f"{actor.name} may not send steps taken in the name of "
                           f"{a['user_name']!r}", "audit.other_name", {"name": actor.name, "other": a["user_name"]})
        new = audit_values(a["new_values"])
        if new is None:
            step_kind, b, aft = "delete", state, None
        else:
            # BLOB columns are noted by size in the audit log: their value comes from the row as it is
            clean = {k: (after or {}).get(k) if isinstance(v, str) and _BLOB_NOTE.match(v) else v
                     for k, v in new.items() if k in cols}
            if state is None:
                step_kind, b, aft = "insert", None, clean
            else:
                step_kind, b, aft = "update", state, {**state, **clean}
        why = judge_row_change(who, table, step_kind, b, aft, context)
        if step_kind == "update" and aft is not None and b is not None:
            old = audit_values(a.get("old_values"))
            # a step whose old values are not the row's was taken from another state, even when it would
            # fit the row too (an edit of a finding rejected meanwhile): the author's later steps go on
            # from the state they saw, and the whole run is settled against the row below
            if history is not None and table in LIFECYCLE_TABLES and old and (
                    why is not None or matching_version(old, [b]) is None):
                if versions is None:
                    versions = list(history())
                # the state the author saw: one of their own earlier states, or a version the row had
                seen = matching_version(old, [*reversed(path), *versions])
                if seen is not None and judge_row_change(who, table, "update", seen, {**seen, **clean},
                                                         context) is None:
                    why, aft = None, {**seen, **clean}
                    if started is None and not any(seen is p for p in path):
                        started = seen
            if why is not None and _taken_earlier(who, table, b, aft, old, context):
                why = None
                rank = RANK[table]
                if rank[str(aft.get("status"))] < rank[str(b.get("status"))]:
                    aft = {**aft, "status": b.get("status")}  # the row had moved on: its status only moves forward
        if why is not None:
            return why
        if aft is not None:
            path.append(aft)
        state = aft
    if started is not None and state is not None and before is not None:
        # the author's steps, taken from an earlier version, against the row as it is now: settled as a
        # whole by the domain's conflict rule, as the shared folder's merge settles the two rows
        state = settle_step(table, before, started, state)
    if after is None:
        return None if state is None else judge_row_change(actor, table, "delete", state, None, context)
    if state is None:
        return judge_row_change(actor, table, "insert", None, after, context)
    # beyond the steps: what the final row holds that the steps did not write.  A value the row held
    # already is no change (a sync's conflict rules kept the other side's value over a step's)
    extra = {k: v for k, v in after.items() if k != "fid" and not isinstance(v, (bytes, bytearray, memoryview))
             and v != state.get(k) and (before is None or v != before.get(k))}
    if extra:
        return judge_row_change(actor, table, "update", state, {**state, **extra}, context)
    return None


def _taken_earlier(who: Actor, table: str, before: Mapping[str, Any], after: Mapping[str, Any],
                   old: Optional[Mapping[str, Any]], context: RowContext) -> bool:
    """Whether a lifecycle step that does not fit the row as it is now was allowed from the state it
    was taken in: the row moved on on another copy meanwhile (another laptop, or the same steps
    recorded twice), and the sync's conflict rules settled which values stand.  The state it was
    taken in is its audit entry's old status, or one a step into its status starts from, never one
    ahead of the row's: so a step passes exactly when it was allowed, and cannot skip a state the row
    has not been through (nor take the row back: its status only moves forward)."""
    rank = RANK.get(table)
    if rank is None:
        return False
    now, target = before.get("status"), after.get("status")
    if not isinstance(now, str) or not isinstance(target, str) or now not in rank or target not in rank:
        return False
    sources = [old.get("status")] if old and old.get("status") in rank else []
    sources += [t.source for t in transitions(table) if t.target == target]
    for source in dict.fromkeys(s for s in sources if isinstance(s, str)):
        if source != now and rank[source] <= rank[now] and \
                judge_row_change(who, table, "update", {**before, "status": source}, after, context) is None:
            return True
    return False

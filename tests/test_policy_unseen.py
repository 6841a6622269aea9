"""The server's fast path (issue 19): the (role, table, kind) the domain passes without looking at the
row, which the server's judge decides in SQL instead of starting Python.  Each one must be a change
:func:`judge_row_change` allows whatever the row holds; rows of every shape are tried."""

from __future__ import annotations

import itertools

from gridwatch.domain.row_rules import RowContext, judge_row_change, passes_unseen
from gridwatch.domain.vocabulary import ROLES
from gridwatch.storage.schema import all_specs

from .test_policy import ADMIN, INSP, OTHER, SUP, finding, task

CHIEF = type(ADMIN)("u-chief", "赵网格长", "chief", "130110100")
ACTORS = {"admin": ADMIN, "supervisor": SUP, "chief": CHIEF, "inspector": INSP}
PEOPLE = {a.uuid: a.role for a in (*ACTORS.values(), OTHER)}
CONTEXT = RowContext(cells=frozenset({"130110100001001"}), people=PEOPLE)


def _rows() -> list[dict]:
    """Rows of many shapes: every person in every role column, codes inside and outside the actor's
    township and cells, every status the domain names."""
    people = [a.uuid for a in (*ACTORS.values(), OTHER)] + [None]
    base: list[dict] = [finding(), task(), {}]
    out = []
    for row, who, code, status in itertools.product(base, people, ["130110100001001", "130110200009009", None],
                                                    ["found", "assigned", "done", "open", "restored", "unverified"]):
        out.append({**row, "uuid": "r-1", "status": status, "cell_code": code, "inspector_uuid": who,
                    "added_by": who, "recorded_by": who, "created_by": who, "set_by": who, "declared_by": who,
                    "user_name": "somebody else", "source": "gps", "township_code": code and code[:9]})
    return out


def test_every_change_passed_unseen_is_one_the_domain_allows_whatever_the_row():
    tables = sorted(set(all_specs()) | {"mine", "fire_point", "gridwatch_meta", "sync_log", "sync_conflict",
                                        "audit_log", "track_point", "campaign", "checklist_result"})
    rows = _rows()
    passed = 0
    for role, table, kind in itertools.product(ROLES, tables, ("insert", "update", "delete")):
        if not passes_unseen(role, table, kind):
            continue
        passed += 1
        actor = ACTORS[role]
        for old, new in zip(rows, reversed(rows)):
            before = None if kind == "insert" else old
            after = None if kind == "delete" else new
            why = judge_row_change(actor, table, kind, before, after, CONTEXT)
            assert why is None, (role, table, kind, why)
    assert passed > 20


def test_the_fast_path_covers_the_common_office_sync_and_never_a_lifecycle_step():
    # an administrator's or supervisor's edit of a map layer, and every sync's own log row
    assert passes_unseen("admin", "mine", "update") and passes_unseen("supervisor", "mine", "update")
    assert all(passes_unseen(role, "sync_log", "insert") for role in ROLES)
    assert passes_unseen("supervisor", "audit_log", "insert") and not passes_unseen("inspector", "audit_log", "insert")
    # steps of findings and tasks, conflict reviews, the grid and people (but for an administrator):
    # the domain's code looks at each
    for role in ROLES:
        for table in ("finding", "assignment", "sync_conflict"):
            assert not any(passes_unseen(role, table, k) for k in ("insert", "update", "delete"))
        assert passes_unseen(role, "grid_cell", "update") == (role == "admin")
    assert not passes_unseen("inspector", "fire_point", "update")
    assert not passes_unseen("nobody", "mine", "update")

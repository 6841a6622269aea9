"""Every action x role x door agrees (issue 13): the UI's enabling, the core's edits, the CLI and the
sync's row judge all decide as the policy does, and as the table below says.

Doors:
* ui: the workflow controller the panels ask (``may`` / ``task_actions`` / ``finding_actions``);
* core: the storage function the UI and CLI call (refused = RefusedByRole / InvalidStep);
* cli: the ``gridwatch`` command, where the action has one (exit 0 or 2, file unchanged on 2);
* sync: :func:`judge_row_change` on every row the core writes for the action (the same action
  taken by the same person with an administrator's rights on a copy, so the rows exist), plus the
  audit rows in that person's name.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import sqlite3
import subprocess
import sys
import uuid as _uuid
from contextlib import closing
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

import geopandas as gpd
import pytest

from gridwatch.domain.policy import Action, Actor, RowContext, judge_row_change, may
from gridwatch.errors import InvalidTransition
from gridwatch.importers.pipeline import ImportOptions, import_file
from gridwatch.storage import Project, plans, queries
from gridwatch.storage.campaigns import advance_campaigns
from gridwatch.storage.edits import Edit, read_row
from gridwatch.storage.gpkg import connect_readwrite, transaction
from gridwatch.storage.workflow import (
    add_photos,
    change_assignment,
    change_finding,
    create_assignments,
    create_fire_checks,
    edit_finding,
    record_finding,
    save_person,
    set_cell_inspector,
)
from gridwatch.sync.conflicts import review_conflict

from .conftest import clear_work, make_photo, moved_to_today

BJ = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2025, 11, 20, 9, 0, tzinfo=BJ)
PERSONAS = ("inspector", "other_inspector", "chief", "other_chief", "supervisor", "admin")

#: Who may take each action on the prepared targets (the inspector holds the cell, is the task's
#: assignee, recorded the findings and rectified them; the other inspector verified; the chief is the
#: township grid chief of the cell's township, the other chief another township's).
EXPECTED: dict[Action, set[str]] = {
    Action.ASSIGN_TASKS: {"chief", "supervisor", "admin"},
    Action.CREATE_FIRE_CHECKS: {"chief", "supervisor", "admin"},
    Action.START_TASK: {"inspector", "chief", "supervisor", "admin"},
    Action.FINISH_TASK: {"inspector", "chief", "supervisor", "admin"},
    Action.CANCEL_TASK: {"chief", "supervisor", "admin"},
    Action.RECORD_FINDING: {"inspector", "chief", "supervisor", "admin"},
    Action.ASSIGN_FINDING: {"chief", "supervisor", "admin"},
    Action.RECTIFY_FINDING: {"inspector", "chief", "supervisor", "admin"},
    Action.VERIFY_FINDING: {"other_inspector", "chief", "supervisor", "admin"},
    Action.REJECT_FINDING: {"other_inspector", "chief", "supervisor", "admin"},
    Action.CLOSE_FINDING: {"supervisor", "admin"},
    Action.EDIT_FINDING: {"inspector", "chief", "supervisor", "admin"},
    Action.ADD_PHOTOS: set(PERSONAS),
    Action.MANAGE_PEOPLE: {"admin"},
    Action.SET_CELL_INSPECTOR: {"admin"},
    Action.REVIEW_CONFLICTS: {"supervisor", "admin"},
    Action.IMPORT_LAYER: {"supervisor", "admin"},
    Action.REPLACE_LAYER: {"supervisor", "admin"},
    # issue 17: the work plans' settings, veto items, warnings and site downgrades are the district office's
    Action.EDIT_SETTINGS: {"supervisor", "admin"},
    Action.SET_VETO: {"supervisor", "admin"},
    Action.DECLARE_WARNING: {"supervisor", "admin"},
    Action.DOWNGRADE_SITE: {"supervisor", "admin"},
    Action.CREATE_CAMPAIGN_ROUNDS: {"supervisor", "admin"},
}


def test_the_table_covers_every_action():
    assert set(EXPECTED) == set(Action)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class World:
    """A project with people, tasks and findings in each state, and the files the actions need."""

    def __init__(self, folder: Path, sample: Path) -> None:
        self.folder = folder
        self.path = folder / "base.gpkg"
        shutil.copyfile(sample, self.path)
        clear_work(moved_to_today(self.path))
        project = Project.open(self.path)
        people = project.read_table("inspector")
        cells = project.read_layer("grid_cell")
        # the inspector holds the cell of a fire point, detected five hours ago (a fresh detection)
        with closing(connect_readwrite(self.path)) as con, transaction(con):
            fire, fire_cell = con.execute("SELECT uuid, cell_code FROM fire_point WHERE cell_code IS NOT NULL "
                                          "ORDER BY fid LIMIT 1").fetchone()
            fresh = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=5)
            con.execute("UPDATE fire_point SET detected_utc = ?, detected_local = ? WHERE uuid = ?",
                        (fresh.strftime("%Y-%m-%dT%H:%M:%S.000Z"), fresh.astimezone(BJ).isoformat()[:19] + "+08:00",
                         fire))
        holder = str(cells.loc[cells["code"] == fire_cell, "inspector_uuid"].iloc[0])

        def person(role: str, n: int = 0, **where: Any) -> Actor:
            rows = people[(people["role"] == role) & (people["active"].fillna(1) != 0)]
            for column, value in where.items():
                rows = rows[(rows[column] == value) if not str(value).startswith("!") else
                            (rows[column] != str(value)[1:])]
            row = rows.iloc[n]
            town = row["township_code"] if isinstance(row["township_code"], str) else None
            return Actor(row["uuid"], row["name"], role, town)

        insp = person("inspector", uuid=holder)
        town = fire_cell[:9]
        self.people = {"inspector": insp, "other_inspector": person("inspector", uuid="!" + holder),
                       "chief": person("chief", township_code=town),
                       "other_chief": person("chief", township_code="!" + town),
                       "supervisor": person("supervisor"), "admin": person("admin")}
        own = cells[cells["code"] == fire_cell]
        self.cell = str(own["code"].iloc[0])
        self.cells_of = {p.uuid: set(cells.loc[cells["inspector_uuid"] == p.uuid, "code"])
                         for p in self.people.values()}
        self.township = str(own["township_code"].iloc[0])
        centre = own.geometry.iloc[0].representative_point()
        self.lon, self.lat = centre.x, centre.y
        self.photo = make_photo(folder / "photo.jpg", lon=self.lon, lat=self.lat, taken_local="2025:11:20 09:30:00")
        sup = self.people["supervisor"]
        p = self.path
        self.task_assigned = create_assignments(p, sup, [self.cell], "patrol", now=NOW).created("assignment")[0]
        self.task_started = create_assignments(p, sup, [self.cell], "patrol", now=NOW).created("assignment")[0]
        change_assignment(p, insp, self.task_started, "start", now=NOW)

        def new_finding() -> str:
            return record_finding(p, insp, category="scattered_coal", longitude=self.lon, latitude=self.lat,
                                  assignment_uuid=self.task_started, description="散煤", now=NOW).created("finding")[0]

        deadline = dt.date(2025, 12, 1)
        self.f_found = new_finding()
        self.f_assigned = new_finding()
        change_finding(p, sup, self.f_assigned, "assign", rectify_deadline=deadline, responsible_party="某厂", now=NOW)
        self.f_rectified = new_finding()
        change_finding(p, sup, self.f_rectified, "assign", rectify_deadline=deadline, responsible_party="某厂", now=NOW)
        change_finding(p, insp, self.f_rectified, "rectify", note="已清理", after_photos=[self.photo], now=NOW)
        self.f_verified = new_finding()
        change_finding(p, sup, self.f_verified, "assign", rectify_deadline=deadline, responsible_party="某厂", now=NOW)
        change_finding(p, insp, self.f_verified, "rectify", note="已清理", after_photos=[self.photo], now=NOW)
        change_finding(p, self.people["other_inspector"], self.f_verified, "verify", note="属实", now=NOW)
        self.fire_township = town
        self.conflict = str(_uuid.uuid4())
        with closing(sqlite3.connect(p)) as con, con:
            con.execute("INSERT INTO sync_conflict (uuid, at, table_name, row_uuid, column_name, kept_value, "
                        "other_value, kept_by, other_by, rule, status) VALUES (?, ?, 'finding', ?, 'description', "
                        "'\"散煤\"', '\"散煤堆\"', ?, ?, 'the later edit wins', 'open')",
                        (self.conflict, "2025-11-20T01:00:00Z", self.f_found, insp.name, sup.name))
        mines = project.read_layer("mine")
        src = mines.drop(columns=[c for c in ("uuid", "fid") if c in mines.columns]).iloc[:1].copy()
        src["name"] = "新增采石场"
        self.mine_src = folder / "mine.gpkg"
        gpd.GeoDataFrame(src, geometry="geometry", crs=mines.crs).to_file(self.mine_src, driver="GPKG")
        self.mine_uuid = str(mines["uuid"].iloc[0])

    def copy(self, name: str) -> Path:
        dst = self.folder / f"{name}.gpkg"
        shutil.copyfile(self.path, dst)
        return dst

    def task(self, path: Path, uuid: str) -> dict[str, Any]:
        return queries.tasks(path).set_index("uuid").loc[uuid].to_dict() | {"uuid": uuid}


@pytest.fixture(scope="module")
def world(tmp_path_factory, sample_path) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("agreement")
    yield World(folder, sample_path)
    shutil.rmtree(folder, ignore_errors=True)  # a copy per action and person: ~1 GB, not kept to the session's end


# --- each action: its target (UI/policy), its core call, its CLI command --------------------------------

Core = Callable[[Path, Actor, World], Optional[Edit]]


def _import(mode: str) -> Core:
    def run(path: Path, actor: Actor, w: World) -> None:
        import_file(path, w.mine_src, ImportOptions(kind="mine", mode=mode, user=actor.name))
    return run


CORE: dict[Action, Core] = {
    Action.ASSIGN_TASKS: lambda p, a, w: create_assignments(p, a, [w.cell], "coal_ban", now=NOW),
    Action.CREATE_FIRE_CHECKS: lambda p, a, w: create_fire_checks(p, a, township_code=w.fire_township, now=NOW),
    Action.START_TASK: lambda p, a, w: change_assignment(p, a, w.task_assigned, "start", now=NOW),
    Action.FINISH_TASK: lambda p, a, w: change_assignment(p, a, w.task_started, "finish", now=NOW),
    Action.CANCEL_TASK: lambda p, a, w: change_assignment(p, a, w.task_assigned, "cancel", reason="重复", now=NOW),
    Action.RECORD_FINDING: lambda p, a, w: record_finding(p, a, category="other", longitude=w.lon, latitude=w.lat,
                                                          assignment_uuid=w.task_started, now=NOW),
    Action.ASSIGN_FINDING: lambda p, a, w: change_finding(p, a, w.f_found, "assign", rectify_deadline=dt.date(
        2025, 12, 1), responsible_party="某厂", now=NOW),
    Action.RECTIFY_FINDING: lambda p, a, w: change_finding(p, a, w.f_assigned, "rectify", note="已整改",
                                                           after_photos=[w.photo], now=NOW),
    Action.VERIFY_FINDING: lambda p, a, w: change_finding(p, a, w.f_rectified, "verify", note="属实", now=NOW),
    Action.REJECT_FINDING: lambda p, a, w: change_finding(p, a, w.f_rectified, "reject", reason="不彻底", now=NOW),
    Action.CLOSE_FINDING: lambda p, a, w: change_finding(p, a, w.f_verified, "close", now=NOW),
    Action.EDIT_FINDING: lambda p, a, w: edit_finding(p, a, w.f_found, description="散煤两吨", now=NOW),
    Action.ADD_PHOTOS: lambda p, a, w: add_photos(p, a, w.f_found, [w.photo], now=NOW),
    Action.MANAGE_PEOPLE: lambda p, a, w: save_person(p, a, name="新来的", role="inspector", now=NOW),
    Action.SET_CELL_INSPECTOR: lambda p, a, w: set_cell_inspector(p, a, [w.cell], w.people["other_inspector"].uuid,
                                                                  now=NOW),
    Action.REVIEW_CONFLICTS: lambda p, a, w: review_conflict(p, a, w.conflict, "accept", now=NOW),
    Action.IMPORT_LAYER: _import("append"),
    Action.REPLACE_LAYER: _import("replace"),
    Action.EDIT_SETTINGS: lambda p, a, w: _settings(p, a),
    Action.SET_VETO: lambda p, a, w: plans.set_veto(p, a, w.township, "other", dt.date(2025, 11, 10), "测试", now=NOW),
    Action.DECLARE_WARNING: lambda p, a, w: plans.declare_warning(
        p, a, "orange", dt.datetime(2025, 11, 21, 8, tzinfo=BJ), dt.datetime(2025, 11, 22, 8, tzinfo=BJ), now=NOW),
    Action.DOWNGRADE_SITE: lambda p, a, w: plans.downgrade_site(p, a, _grade_a_site(p), "C", "测试", now=NOW),
    Action.CREATE_CAMPAIGN_ROUNDS: lambda p, a, w: advance_campaigns(p, a, now=NOW),
}


def _settings(path: Path, actor: Actor) -> Edit:
    """The settings are metadata rows (no uuid, no Edit): the change as an Edit of its row, for the doors."""
    plans.set_settings(path, actor, {"bulletin_day": 27})
    return Edit("set_setting", "", [])


def _grade_a_site(path: Path) -> str:
    with closing(sqlite3.connect(path)) as con:
        return str(con.execute("SELECT uuid FROM construction_site WHERE dust_grade = 'A' ORDER BY fid").fetchone()[0])


def target(action: Action, w: World) -> Optional[dict[str, Any]]:
    if action in (Action.START_TASK, Action.CANCEL_TASK):
        return w.task(w.path, w.task_assigned)
    if action in (Action.FINISH_TASK, Action.RECORD_FINDING):
        return w.task(w.path, w.task_started)
    finding = {Action.ASSIGN_FINDING: w.f_found, Action.RECTIFY_FINDING: w.f_assigned,
               Action.VERIFY_FINDING: w.f_rectified, Action.REJECT_FINDING: w.f_rectified,
               Action.CLOSE_FINDING: w.f_verified, Action.EDIT_FINDING: w.f_found, Action.ADD_PHOTOS: w.f_found}
    if action in finding:
        return queries.finding_row(w.path, finding[action])
    if action in (Action.IMPORT_LAYER, Action.REPLACE_LAYER):
        return {"layer": "mine"}
    if action is Action.ASSIGN_TASKS:
        return {"cell_codes": [w.cell]}
    if action is Action.CREATE_FIRE_CHECKS:
        return {"township_code": w.fire_township}
    return None


def cli_args(action: Action, path: Path, actor: Actor, w: World) -> Optional[list[str]]:
    user = ["--user", actor.name]
    if action is Action.ASSIGN_TASKS:
        return ["assign", str(path), *user, "--kind", "coal_ban", "--cells", w.cell, "--due", "2025-12-05"]
    if action is Action.CREATE_FIRE_CHECKS:  # the fresh detection: within the default 24 hours
        return ["tasks", str(path), "--from-fire-points", *user, "--township", w.fire_township]
    if action is Action.IMPORT_LAYER:
        return ["import", str(path), str(w.mine_src), "--layer", "mine", *user]
    if action is Action.REPLACE_LAYER:
        return ["import", str(path), str(w.mine_src), "--layer", "mine", "--replace", *user]
    if action is Action.EDIT_SETTINGS:
        return ["settings", str(path), "--set", "bulletin_day=27", *user]
    if action is Action.SET_VETO:
        return ["veto", str(path), "--township", w.township, "--item", "other", "--date", "2025-11-10",
                "--reason", "测试", *user]
    if action is Action.DECLARE_WARNING:
        return ["warning", str(path), "--level", "orange", "--from", "2025-11-21 08:00", "--to", "2025-11-22 08:00",
                *user]
    if action is Action.DOWNGRADE_SITE:
        return ["downgrade", str(path), "--site", _grade_a_site(path), "--grade", "C", "--reason", "测试", *user]
    if action is Action.CREATE_CAMPAIGN_ROUNDS:
        return ["campaign", "advance", str(path), *user]
    return None


# --- the doors ------------------------------------------------------------------------------------------


def ui_door(action: Action, actor: Actor, w: World, qapp: Any) -> bool:
    from PySide6.QtCore import QSettings

    from gridwatch.ui.session import FINDING_STEP_ACTIONS, TASK_STEP_ACTIONS, WorkflowController

    controller = WorkflowController(QSettings(str(w.folder / "ui.ini"), QSettings.Format.IniFormat))
    controller.path, controller.actor = w.path, actor
    t = target(action, w)
    steps = {v: k for k, v in TASK_STEP_ACTIONS.items()}
    if action in steps:
        return steps[action] in controller.task_actions(t or {})
    steps = {v: k for k, v in FINDING_STEP_ACTIONS.items()}
    if action in steps:
        assert t is not None
        return steps[action] in controller.finding_actions(str(t["status"]), t)
    return controller.may(action, t)


def core_door(action: Action, actor: Actor, w: World) -> bool:
    path = w.copy(f"core-{action.value}-{actor.role}-{actor.uuid[:6]}")
    before = _sha(path)
    try:
        CORE[action](path, actor, w)
    except InvalidTransition:
        assert _sha(path) == before, "a refused action wrote to the project"
        return False
    return True


def cli_door(action: Action, actor: Actor, w: World) -> Optional[bool]:
    path = w.copy(f"cli-{action.value}-{actor.uuid[:6]}")
    args = cli_args(action, path, actor, w)
    if args is None:
        return None
    before = _sha(path)
    res = subprocess.run([sys.executable, "-m", "gridwatch", *args], capture_output=True, text=True, timeout=300)
    assert res.returncode in (0, 2), res.stderr
    if res.returncode == 2:
        assert _sha(path) == before and "Traceback" not in res.stderr
    return res.returncode == 0


def _full_rows(path: Path, changes: list[tuple[str, str, Optional[dict], Optional[dict]]]):
    """Row changes with whole rows: the core's partial before/after filled from the project as it was."""
    out = []
    with closing(sqlite3.connect(path)) as con:
        for table, uid, before, after in changes:
            row = read_row(con, table, uid) if before is not None else None
            full_before = {**(row or {}), **(before or {})} if before is not None else None
            full_after = {**(full_before or {}), **after} if after is not None else None
            kind = "insert" if before is None else "delete" if after is None else "update"
            out.append((table, kind, full_before, full_after))
    return out


def sync_door(action: Action, actor: Actor, w: World) -> Optional[bool]:
    """The rows the action writes, judged as a working copy's changes of ``actor``."""
    if action is Action.CREATE_CAMPAIGN_ROUNDS:
        # a round's rows are task inserts, judged as assignments (a chief assigns in their township); that
        # the office alone makes the later rounds is the core's rule, asked by every door that makes them
        return None
    path = w.copy(f"sync-{action.value}-{actor.uuid[:6]}")
    able = Actor(actor.uuid, actor.name, "admin")  # the same person with every right: so the rows exist
    if action in (Action.IMPORT_LAYER, Action.REPLACE_LAYER):  # the bulk writer's rows, as the sync sees them
        mine = Project.open(path).read_layer("mine")
        row = {"uuid": "new-mine", "name": "新增采石场"}
        changes = [("mine", "insert", None, row)]
        if action is Action.REPLACE_LAYER:
            changes.append(("mine", "delete", mine.iloc[0].drop("geometry").to_dict(), None))
    elif action is Action.EDIT_SETTINGS:  # a metadata row, as the sync sees it
        changes = [("gridwatch_meta", "insert", None, {"key": "setting.bulletin_day", "value": "27"})]
    else:
        edit = CORE[action](path, able, w)
        assert edit is not None
        changes = _full_rows(w.path, [(c.table, c.uuid, None if c.before is None else dict(c.before),
                                                          None if c.after is None else dict(c.after))
                                                         for c in edit.changes])
    changes.append(("audit_log", "insert", None, {"uuid": "audit", "user_name": actor.name, "action": "x"}))
    inspections = queries.inspections(w.path)
    own = inspections.loc[inspections["inspector_uuid"] == actor.uuid, "uuid"] if len(inspections) else []
    everyone = queries.people(w.path)  # as the sync reads them: every person of the project
    context = RowContext(cells=frozenset(w.cells_of.get(actor.uuid, set())), inspections=frozenset(own),
                         people=dict(zip(everyone["uuid"], everyone["role"])))
    refusals = [judge_row_change(actor, table, kind, before, after, context) for table, kind, before, after in changes]
    return all(r is None for r in refusals)


@pytest.mark.slow
@pytest.mark.parametrize("action", list(Action), ids=lambda a: a.value)
def test_every_door_agrees_for_every_role(action, world, qapp):
    rows = []
    for persona in PERSONAS:
        actor = world.people[persona]
        expected = persona in EXPECTED[action]
        verdicts = {
            "policy": may(actor, action, target(action, world)),
            "ui": ui_door(action, actor, world, qapp),
            "core": core_door(action, actor, world),
            "cli": cli_door(action, actor, world),
            "sync": sync_door(action, actor, world),
        }
        for door, verdict in verdicts.items():
            if verdict is not None and verdict != expected:
                rows.append(f"{action.value} by {persona} at {door}: {'allowed' if verdict else 'refused'}, "
                            f"expected {'allowed' if expected else 'refused'}")
    assert rows == []

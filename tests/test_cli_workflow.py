"""``gridwatch assign``, ``gridwatch tasks`` and ``gridwatch findings`` as office staff script them."""

from __future__ import annotations

import datetime as _dt
import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from gridwatch.cli import main
from gridwatch.storage import Project
from gridwatch.storage.workflow import change_assignment, find_actor, record_finding

from .conftest import sha256

BEIJING = _dt.timezone(_dt.timedelta(hours=8))


def _people(path: Path) -> dict[str, list[str]]:
    """role -> names, from the people table."""
    frame = Project.open(path).read_table("inspector")
    out: dict[str, list[str]] = {}
    for name, role in zip(frame["name"], frame["role"]):
        out.setdefault(role, []).append(name)
    return out


def _sql(path: Path, sql: str, args: tuple = ()) -> list[tuple]:
    with closing(sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True)) as con:
        return con.execute(sql, args).fetchall()


def _supervisor(path: Path) -> str:
    return _people(path)["supervisor"][0]


def _inspector(path: Path) -> str:
    return _people(path)["inspector"][0]


def _township(path: Path) -> tuple[str, str]:
    """(code, name) of a township with cells."""
    frame = Project.open(path).read_layer("township", columns=["code", "name"])
    code, name = str(frame["code"].iloc[0]), str(frame["name"].iloc[0])
    return code, name


def _one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("gridwatch: error: ") and "Traceback" not in err
    return lines[0]


# --- assign -----------------------------------------------------------------------------------


def test_assign_a_whole_township_by_name_gives_each_cell_inspector_a_task(bare_copy, capsys):
    code, name = _township(bare_copy)
    cells = dict(_sql(bare_copy, "SELECT code, inspector_uuid FROM grid_cell WHERE township_code = ?", (code,)))
    assert len(cells) > 50
    boss = _supervisor(bare_copy)
    rc = main(["assign", str(bare_copy), "--user", boss, "--kind", "coal_ban", "--township", name,
               "--due", "2025-12-05 17:00", "--priority", "1", "--notes", "入户检查散煤"])
    assert rc == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert f"created {len(cells)} tasks (coal_ban) in {len(cells)} cells" in out
    assert "due 2025-12-05 17:00 (Beijing time)" in out

    rows = _sql(bare_copy, "SELECT cell_code, assignee_uuid, kind, status, due_at, priority, notes, created_by "
                             "FROM assignment")
    assert len(rows) == len(cells)
    assert {r[0] for r in rows} == set(cells)
    for cell, assignee, kind, status, due, priority, notes, created_by in rows:
        assert assignee == cells[cell]  # the cell's own inspector
        assert (kind, status, priority, notes) == ("coal_ban", "assigned", 1, "入户检查散煤")
        assert due == "2025-12-05T09:00:00.000Z"  # 17:00 Beijing time
        assert created_by == find_actor(bare_copy, boss).uuid


def test_assign_bare_date_means_end_of_day_and_user_from_environment(bare_copy, capsys, monkeypatch):
    monkeypatch.setenv("GRIDWATCH_USER", _supervisor(bare_copy))
    cell = _sql(bare_copy, "SELECT code FROM grid_cell ORDER BY code LIMIT 2")
    codes = ",".join(c for (c,) in cell)
    assert main(["assign", str(bare_copy), "--kind", "patrol", "--cells", codes, "--due", "2025-12-05"]) == 0
    assert "created 2 tasks (patrol) in 2 cells, due 2025-12-05 23:59 (Beijing time)" in capsys.readouterr().out
    assert {r[0] for r in _sql(bare_copy, "SELECT due_at FROM assignment")} == {"2025-12-05T15:59:00.000Z"}


def test_assign_features_targets_the_mine_in_its_cell(bare_copy, capsys):
    mine_uuid, mine_geom = _sql(bare_copy, "SELECT uuid, geom FROM mine ORDER BY fid LIMIT 1")[0]
    assignee = _inspector(bare_copy)
    rc = main(["assign", str(bare_copy), "--user", _supervisor(bare_copy), "--kind", "mine",
               "--features", f"mine:{mine_uuid}", "--assignee", assignee])
    assert rc == 0, capsys.readouterr().err
    assert "created 1 tasks (mine) in 1 cells" in capsys.readouterr().out
    (cell, layer, target, who), = _sql(bare_copy, "SELECT cell_code, target_layer, target_uuid, assignee_uuid "
                                                    "FROM assignment")
    assert (layer, target) == ("mine", mine_uuid)
    assert who == find_actor(bare_copy, assignee).uuid
    # the mine lies in that cell
    mine = Project.open(bare_copy).read_layer("mine")
    grid = Project.open(bare_copy).read_layer("grid_cell", columns=["code"])
    point = mine[mine["uuid"] == mine_uuid].geometry.iloc[0].representative_point()
    assert grid[grid["code"] == cell].geometry.iloc[0].covers(point)


def test_inspector_may_not_assign_one_line_and_file_unchanged(bare_copy, capsys):
    before = sha256(bare_copy)
    name = _inspector(bare_copy)
    code, _ = _township(bare_copy)
    assert main(["assign", str(bare_copy), "--user", name, "--kind", "patrol", "--township", code]) == 2
    cap = capsys.readouterr()
    line = _one_error_line(cap.err)
    assert str(bare_copy) in line and name in line and "supervisor" in line
    assert cap.out == ""
    assert sha256(bare_copy) == before


def test_unknown_township_unknown_user_and_missing_user(bare_copy, capsys, monkeypatch):
    before = sha256(bare_copy)
    boss = _supervisor(bare_copy)
    assert main(["assign", str(bare_copy), "--user", boss, "--kind", "patrol", "--township", "不存在镇"]) == 2
    line = _one_error_line(capsys.readouterr().err)
    assert "不存在镇" in line and str(bare_copy) in line

    assert main(["assign", str(bare_copy), "--user", "无名氏", "--kind", "patrol", "--cells", "1"]) == 2
    assert "无名氏" in _one_error_line(capsys.readouterr().err)

    monkeypatch.delenv("GRIDWATCH_USER", raising=False)
    assert main(["assign", str(bare_copy), "--kind", "patrol", "--township", "x"]) == 2
    line = _one_error_line(capsys.readouterr().err)
    assert "--user" in line and "GRIDWATCH_USER" in line

    assert main(["assign", str(bare_copy), "--user", boss, "--kind", "patrol", "--cells", "999,998"]) == 2
    assert "unknown cell code(s) 999, 998" in _one_error_line(capsys.readouterr().err)
    assert main(["assign", str(bare_copy), "--user", boss, "--kind", "mine", "--features", "mine"]) == 2
    assert "LAYER:UUID" in _one_error_line(capsys.readouterr().err)
    assert sha256(bare_copy) == before


def test_assign_dry_run_writes_nothing(bare_copy, capsys):
    before = sha256(bare_copy)
    siblings = sorted(p.name for p in bare_copy.parent.iterdir())
    code, name = _township(bare_copy)
    n = _sql(bare_copy, "SELECT COUNT(*) FROM grid_cell WHERE township_code = ?", (code,))[0][0]
    rc = main(["assign", str(bare_copy), "--user", _supervisor(bare_copy), "--kind", "fireworks",
               "--township", code, "--due", "2026-02-16", "--dry-run"])
    assert rc == 0
    out = capsys.readouterr().out
    assert f"would create {n} tasks (fireworks) in {n} cells" in out and "nothing written" in out
    assert sha256(bare_copy) == before
    assert sorted(p.name for p in bare_copy.parent.iterdir()) == siblings
    # and a dry run still refuses what the real run would
    assert main(["assign", str(bare_copy), "--user", _inspector(bare_copy), "--kind", "fireworks",
                 "--township", code, "--dry-run"]) == 2
    line = _one_error_line(capsys.readouterr().err)
    assert str(bare_copy) in line and "dry-run" not in line
    assert sha256(bare_copy) == before


@pytest.mark.parametrize("argv, valid", [
    (["assign", "P", "--user", "x", "--kind", "sweeping", "--cells", "1"], "coal_ban"),
    (["findings", "P", "--status", "open"], "rectified"),
    (["findings", "P", "--category", "coal"], "scattered_coal"),
])
def test_invalid_choices_list_the_valid_values(argv, valid, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice" in err and valid in err


def test_assign_needs_exactly_one_target_and_a_readable_due(capsys):
    with pytest.raises(SystemExit):
        main(["assign", "P", "--user", "x", "--kind", "patrol"])
    assert "required" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["assign", "P", "--user", "x", "--kind", "patrol", "--cells", "1", "--township", "t"])
    assert "not allowed with" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["assign", "P", "--user", "x", "--kind", "patrol", "--cells", "1", "--due", "5.12."])
    assert "YYYY-MM-DD" in capsys.readouterr().err


# --- tasks ------------------------------------------------------------------------------------


def _fire_groups(path: Path) -> tuple[int, int]:
    """(distinct (cell, Beijing day) groups, fire points) of unverified fire points with a cell."""
    rows = _sql(path, "SELECT cell_code, detected_utc FROM fire_point WHERE status = 'unverified' "
                      "AND cell_code IS NOT NULL AND check_uuid IS NULL")
    days = {(cell, _dt.datetime.fromisoformat(utc.replace("Z", "+00:00")).astimezone(BEIJING).date())
            for cell, utc in rows}
    return len(days), len(rows)


def test_tasks_from_fire_points_once(bare_copy, capsys):
    groups, fires = _fire_groups(bare_copy)
    assert groups > 10
    boss = _supervisor(bare_copy)
    t0 = _dt.datetime.now(_dt.timezone.utc)
    assert main(["tasks", str(bare_copy), "--from-fire-points", "--user", boss, "--deadline-hours", "12",
                 "--since-days", "366"]) == 0
    out = capsys.readouterr().out
    assert f"created {groups} fire-point checks for {fires} fire points detected of the last 366 day(s)" in out
    rows = _sql(bare_copy, "SELECT kind, target_layer, due_at, priority FROM assignment")
    assert len(rows) == groups and {r[:2] for r in rows} == {("fire_check", "fire_point")}
    due = _dt.datetime.fromisoformat(rows[0][2].replace("Z", "+00:00"))
    assert abs((due - t0).total_seconds() - 12 * 3600) < 120
    assert _sql(bare_copy, "SELECT COUNT(*) FROM fire_point WHERE status = 'unverified' AND cell_code IS NOT NULL "
                             "AND check_uuid IS NULL") == [(0,)]

    before = sha256(bare_copy)
    assert main(["tasks", str(bare_copy), "--from-fire-points", "--user", boss, "--since-days", "366"]) == 2
    line = _one_error_line(capsys.readouterr().err)
    assert str(bare_copy) in line and "nothing to create" in line
    assert sha256(bare_copy) == before

    # the list shows the checks with their fire counts
    assert main(["tasks", str(bare_copy), "--open"]) == 0
    out = capsys.readouterr().out
    assert "火点核查" in out and "待检查" in out  # one title per code (issue 13): the app's wording and out.rstrip().endswith(f"{groups} tasks")
    assert main(["tasks", str(bare_copy), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert sum(t["fire_count"] for t in data) == fires


def test_tasks_from_fire_points_for_one_township(bare_copy, capsys):
    (code, name), = _sql(bare_copy, "SELECT t.code, t.name FROM township t JOIN fire_point f "
                                      "ON f.township_code = t.code WHERE f.status = 'unverified' "
                                      "GROUP BY t.code ORDER BY COUNT(*) DESC LIMIT 1")
    n = len({(c, _dt.datetime.fromisoformat(u.replace("Z", "+00:00")).astimezone(BEIJING).date())
             for c, u in _sql(bare_copy, "SELECT cell_code, detected_utc FROM fire_point WHERE status = "
                                           "'unverified' AND cell_code IS NOT NULL AND township_code = ?", (code,))})
    assert main(["tasks", str(bare_copy), "--from-fire-points", "--user", _supervisor(bare_copy),
                 "--township", name, "--since-days", "366"]) == 0
    assert n > 0 and f"created {n} fire-point checks" in capsys.readouterr().out
    assert _sql(bare_copy, "SELECT COUNT(*) FROM assignment")[0][0] == n
    assert main(["tasks", str(bare_copy), "--from-fire-points", "--user", _supervisor(bare_copy),
                 "--township", "不存在镇"]) == 2
    assert "不存在镇" in _one_error_line(capsys.readouterr().err)


def test_inspector_may_not_create_fire_checks(bare_copy, capsys):
    before = sha256(bare_copy)
    assert main(["tasks", str(bare_copy), "--from-fire-points", "--user", _inspector(bare_copy)]) == 2
    assert "supervisor" in _one_error_line(capsys.readouterr().err)
    assert sha256(bare_copy) == before


def test_tasks_overdue_json_and_mine(bare_copy, capsys):
    code, name = _township(bare_copy)
    boss = _supervisor(bare_copy)
    cells = [c for (c,) in _sql(bare_copy, "SELECT code FROM grid_cell ORDER BY code LIMIT 3")]
    assert main(["assign", str(bare_copy), "--user", boss, "--kind", "patrol", "--cells", ",".join(cells[:2]),
                 "--due", "2025-01-10 09:30"]) == 0
    far = (_dt.datetime.now(BEIJING) + _dt.timedelta(days=30)).strftime("%Y-%m-%d")
    assert main(["assign", str(bare_copy), "--user", boss, "--kind", "unannounced", "--cells", cells[2],
                 "--due", far]) == 0
    capsys.readouterr()

    assert main(["tasks", str(bare_copy), "--json", "--overdue"]) == 0
    raw = capsys.readouterr().out
    assert "NaN" not in raw
    data = json.loads(raw)
    assert [t["cell_code"] for t in data] == cells[:2]
    for t in data:
        assert t["overdue"] is True and t["kind"] == "patrol" and t["status"] == "assigned"
        assert t["due_at"] == "2025-01-10T01:30:00.000Z"  # as stored (UTC)
        assert t["result"] is None and t["started_at"] is None
        assert t["assignee_name"] and t["township_name"] and t["village_name"]

    assert main(["tasks", str(bare_copy), "--overdue"]) == 0
    out = capsys.readouterr().out
    assert "2025-01-10 09:30" in out and "逾期" in out and "巡查" in out and "暗访" not in out
    assert out.rstrip().endswith("2 tasks")

    assert main(["tasks", str(bare_copy)]) == 0
    out = capsys.readouterr().out
    assert "暗访" in out and out.rstrip().endswith("3 tasks")

    # --mine: the user's own tasks
    owner_uuid = _sql(bare_copy, "SELECT inspector_uuid FROM grid_cell WHERE code = ?", (cells[0],))[0][0]
    owner = _sql(bare_copy, "SELECT name FROM inspector WHERE uuid = ?", (owner_uuid,))[0][0]
    assert main(["tasks", str(bare_copy), "--mine", "--user", owner, "--json"]) == 0
    mine = json.loads(capsys.readouterr().out)
    assert mine and {t["assignee_name"] for t in mine} == {owner}
    assert main(["tasks", str(bare_copy), "--assignee", owner, "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == mine


# --- findings ---------------------------------------------------------------------------------


@pytest.fixture
def project_with_finding(bare_copy):
    """A task started by its inspector with one scattered-coal finding recorded inside the cell."""
    cell, inspector_uuid, township_code = _sql(
        bare_copy, "SELECT code, inspector_uuid, township_code FROM grid_cell WHERE inspector_uuid IS NOT NULL "
                     "ORDER BY code LIMIT 1")[0]
    inspector = _sql(bare_copy, "SELECT name FROM inspector WHERE uuid = ?", (inspector_uuid,))[0][0]
    town = _sql(bare_copy, "SELECT name FROM township WHERE code = ?", (township_code,))[0][0]
    assert main(["assign", str(bare_copy), "--user", _supervisor(bare_copy), "--kind", "coal_ban",
                 "--cells", cell]) == 0
    task = _sql(bare_copy, "SELECT uuid FROM assignment")[0][0]
    actor = find_actor(bare_copy, inspector)
    change_assignment(bare_copy, actor, task, "start")
    grid = Project.open(bare_copy).read_layer("grid_cell", columns=["code"])
    point = grid[grid["code"] == cell].geometry.iloc[0].representative_point()
    edit = record_finding(bare_copy, actor, assignment_uuid=task, category="scattered_coal",
                          longitude=point.x, latitude=point.y, description="院内堆放散煤",
                          responsible_party="村民王某")
    return {"path": bare_copy, "cell": cell, "town": town, "township_code": township_code,
            "uuid": edit.created("finding")[0], "point": point, "inspector": inspector}


def test_findings_json_and_filters(project_with_finding, capsys):
    f = project_with_finding
    path = str(f["path"])
    assert main(["findings", path, "--json"]) == 0
    raw = capsys.readouterr().out
    assert "NaN" not in raw
    data = json.loads(raw)
    assert len(data) == 1
    item = data[0]
    assert item["uuid"] == f["uuid"] and item["status"] == "found" and item["category"] == "scattered_coal"
    assert item["cell_code"] == f["cell"] and item["township_name"] == f["town"]
    assert item["found_by_name"] == f["inspector"] and item["responsible_party"] == "村民王某"
    assert item["longitude"] == pytest.approx(f["point"].x) and item["latitude"] == pytest.approx(f["point"].y)
    assert item["rectify_deadline"] is None and item["location_note"] is None and item["overdue"] is False
    assert item["found_at"].endswith("Z") and item["photo_count"] == 0

    for args, expected in [
        (["--status", "found"], 1), (["--status", "closed"], 0),
        (["--township", f["town"]], 1), (["--township", f["town"][:2]], 1), (["--township", f["township_code"]], 1),
        (["--category", "scattered_coal"], 1), (["--category", "open_burning"], 0),
        (["--status", "found", "--township", f["town"], "--category", "scattered_coal"], 1),
        (["--overdue"], 0),
    ]:
        assert main(["findings", path, "--json", *args]) == 0, args
        assert len(json.loads(capsys.readouterr().out)) == expected, args

    other = _sql(f["path"], "SELECT name FROM township WHERE code != ? LIMIT 1", (f["township_code"],))[0][0]
    assert main(["findings", path, "--json", "--township", other]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_findings_table(project_with_finding, capsys):
    f = project_with_finding
    assert main(["findings", str(f["path"])]) == 0
    out = capsys.readouterr().out
    for text in ("发现", "散煤", f["town"], f["cell"], "村民王某"):
        assert text in out, text
    assert out.rstrip().endswith("1 findings")
    assert main(["findings", str(f["path"]), "--status", "verified"]) == 0
    assert capsys.readouterr().out.strip() == "0 findings"
    assert main(["findings", str(f["path"]), "--township", "不存在镇"]) == 2
    assert "不存在镇" in _one_error_line(capsys.readouterr().err)


def test_bad_project_file_gives_one_line(tmp_path, capsys):
    bad = tmp_path / "notes.gpkg"
    bad.write_text("这不是 GeoPackage\n", encoding="utf-8")
    before = sha256(bad)
    for argv in (["tasks", str(bad)], ["findings", str(bad)],
                 ["assign", str(bad), "--user", "x", "--kind", "patrol", "--cells", "1"]):
        assert main(argv) == 2
        line = _one_error_line(capsys.readouterr().err)
        assert str(bad) in line and "not a GeoPackage" in line
    assert sha256(bad) == before


def _detections_at(path: Path, hours_ago: list[float]) -> list[str]:
    """Give fire points of the project these detection times (hours before now; every other one ten
    days ago); returns their uuids, in that order."""
    from gridwatch.storage.gpkg import connect_readwrite, gpkg_datetime, transaction

    now = _dt.datetime.now(_dt.timezone.utc)
    uuids = [r[0] for r in _sql(path, "SELECT uuid FROM fire_point WHERE cell_code IS NOT NULL ORDER BY fid")]

    def when(h: float) -> tuple[str, str]:
        t = now - _dt.timedelta(hours=h)
        return gpkg_datetime(t), t.astimezone(BEIJING).strftime("%Y-%m-%dT%H:%M:%S+08:00")

    with closing(connect_readwrite(path)) as con, transaction(con):
        con.execute("UPDATE fire_point SET detected_utc = ?, detected_local = ?", when(240))
        for uid, h in zip(uuids, hours_ago):
            con.execute("UPDATE fire_point SET detected_utc = ?, detected_local = ? WHERE uuid = ?", (*when(h), uid))
    return uuids[:len(hours_ago)]


def _checked(path: Path) -> set[str]:
    return {r[0] for r in _sql(path, "SELECT uuid FROM fire_point WHERE check_uuid IS NOT NULL")}


def test_fire_checks_take_only_the_detections_since_the_last_run(bare_copy, capsys):
    """By default one click takes what came in since the last run, at most the last 24 hours: never the
    season's archive (issue 15: one click made 507 checks for fires up to nine months old)."""
    recent, yesterday, older = _detections_at(bare_copy, [2.0, 30.0, 60.0])
    sup = _supervisor(bare_copy)
    assert main(["tasks", str(bare_copy), "--from-fire-points", "--user", sup]) == 0
    out = capsys.readouterr().out
    assert "created 1 fire-point checks for 1 fire points detected since" in out and "no earlier run" in out
    assert _checked(bare_copy) == {recent}
    # again at once: nothing came in since the last run, whatever the window
    before = sha256(bare_copy)
    for extra in ([], ["--since-hours", "72"]):
        assert main(["tasks", str(bare_copy), "--from-fire-points", "--user", sup, *extra]) == 2
        assert "nothing to create" in _one_error_line(capsys.readouterr().err)
    assert sha256(bare_copy) == before
    # said outright: every detection of the last days, also those before the last run
    assert main(["tasks", str(bare_copy), "--from-fire-points", "--user", sup, "--since-days", "3"]) == 0
    assert "created 2 fire-point checks for 2 fire points detected of the last 3 day(s)" in capsys.readouterr().out
    assert _checked(bare_copy) == {recent, yesterday, older}
    with pytest.raises(SystemExit) as exit_:
        main(["tasks", str(bare_copy), "--from-fire-points", "--user", sup, "--since-days", "2", "--since-hours", "5"])
    assert exit_.value.code == 2 and "give one of them" in capsys.readouterr().err


def test_fire_checks_for_recent_detections_only(bare_copy, capsys):
    """--since-days narrows to recent detections; nothing that recent -> a clear refusal."""
    from gridwatch.cli import main

    _detections_at(bare_copy, [])
    people = Project.open(bare_copy).read_table("inspector")
    sup = people[people["role"] == "supervisor"]["name"].iloc[0]
    before = sha256(bare_copy)
    code = main(["tasks", str(bare_copy), "--from-fire-points", "--user", sup, "--since-days", "2"])
    err = capsys.readouterr().err
    assert code == 2 and "no unverified fire points without a check since" in err
    assert sha256(bare_copy) == before

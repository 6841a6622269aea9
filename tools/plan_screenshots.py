"""Screenshots of the work plans in the app (issue 17) at the screen's size, in Chinese, for docs/:
the map with an orange heavy-pollution warning in force (``warning-1366.png``), the campaign view
with a winter campaign round by round (``campaign-1366.png``) and the seasonal calendar dialog
(``calendar-1366.png``).

    xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python tools/plan_screenshots.py docs

The project is the sample's first-run copy (its work moved to end yesterday); the warning, its site
checks and the campaign are added by the office's own commands, as a supervisor would.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import sys
import tempfile
from contextlib import closing
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

BJ = dt.timezone(dt.timedelta(hours=8))


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "docs")
    tmp = Path(tempfile.mkdtemp(prefix="gridwatch-plan-shots-"))
    os.environ["GRIDWATCH_CONFIG_DIR"] = str(tmp / "config")
    os.environ["GRIDWATCH_DATA_DIR"] = str(tmp / "data")
    from PySide6.QtGui import QGuiApplication
    from shot_catalog import pump, wait_for  # type: ignore[import-not-found]

    from gridwatch.storage import plans
    from gridwatch.storage.campaigns import advance_campaigns, start_campaign
    from gridwatch.storage.workflow import find_actor
    from gridwatch.ui.app import create_app, create_window, make_settings

    app = create_app()
    settings = make_settings()
    settings.setValue("language", "zh_CN")
    settings.setValue("ask_user_on_start", False)
    settings.sync()
    window = create_window()
    window.show_default()
    wait_for(lambda: window.data is not None, 60_000)
    path = window.project_path
    with closing(sqlite3.connect(path)) as con:
        sup_name = con.execute("SELECT name FROM inspector WHERE role = 'supervisor' ORDER BY name").fetchone()[0]
    window.workflow.set_user(sup_name)
    sup = find_actor(path, sup_name)
    now = dt.datetime.now(dt.timezone.utc)
    today = now.astimezone(BJ).date()
    size = QGuiApplication.primaryScreen().size()
    suffix = f"{size.width()}"

    # an orange warning since 08:00 today for two days; a third of the sites checked so far
    start = dt.datetime.combine(today, dt.time(8), BJ)
    edit = plans.declare_warning(path, sup, "orange", start, start + dt.timedelta(days=2), note="区重污染天气应急指挥部第3号",
                                 now=start - dt.timedelta(hours=1))
    tasks = edit.created("assignment")
    stamp = (start + dt.timedelta(hours=1)).astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    with closing(sqlite3.connect(path)) as con, con:
        con.executemany("UPDATE assignment SET status = 'done', finished_at = ? WHERE uuid = ?",
                        [(stamp, u) for u in tasks[::3]])
    window.warning_now = min(now, start + dt.timedelta(hours=10)) if now > start else start + dt.timedelta(hours=3)
    window.reload_project()
    wait_for(lambda: window.data is not None and window.warning_overlay.state is not None, 60_000)
    layer = window.data.layers["construction_site"]
    window.canvas.zoom_to(layer.extent)
    wait_for(lambda: not window.canvas.is_rendering, 30_000)
    pump(1500)
    QGuiApplication.primaryScreen().grabWindow(0).save(str(out / f"warning-{suffix}.png"))

    # a winter coal-ban campaign started three weeks ago: four rounds made, some tasks done
    first = today - dt.timedelta(days=21)
    camp = start_campaign(path, sup, "winter_coal_ban", first_day=first, last_day=dt.date(today.year + (today.month > 2),
                                                                                          2, 28),
                          now=dt.datetime.combine(first, dt.time(9), BJ))
    advance_campaigns(path, sup, now=now)
    with closing(sqlite3.connect(path)) as con, con:
        key = camp.created("campaign")[0]
        rounds = [r[0] for r in con.execute("SELECT DISTINCT due_at FROM assignment WHERE target_uuid = ? ORDER BY 1",
                                            (key,))]
        for i, due in enumerate(rounds[:-1]):
            share = (9, 7, 5)[min(i, 2)]
            uuids = [r[0] for r in con.execute("SELECT uuid FROM assignment WHERE target_uuid = ? AND due_at = ? "
                                               "ORDER BY uuid", (key, due))]
            done = uuids[: len(uuids) * share // 10]
            con.executemany("UPDATE assignment SET status = 'done', finished_at = ? WHERE uuid = ?",
                            [(due, u) for u in done])
    window.warning_now = None
    window.show_campaign_dialog()
    dialog = window._campaign_dialog
    wait_for(lambda: dialog.rounds.rowCount() > 0 and dialog.rounds.item(0, 4) is not None, 30_000)
    pump(800)
    QGuiApplication.primaryScreen().grabWindow(0).save(str(out / f"campaign-{suffix}.png"))
    dialog.close()

    window.show_calendar_dialog()
    pump(800)
    QGuiApplication.primaryScreen().grabWindow(0).save(str(out / f"calendar-{suffix}.png"))
    window._calendar_dialog.close()
    window.canvas.shutdown()
    window.hide()
    app.processEvents()
    print("wrote", *(out / f"{n}-{suffix}.png" for n in ("warning", "campaign", "calendar")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""In the field (part of MainWindow): the basemap beneath the map, the GPS position, patrol tracks.

* Basemap: the project's registered basemaps (``gridwatch basemap add`` or *Add…*), one drawn at a
  time beneath the layers through the canvas's basemap hook; the choice is remembered per project.
* GPS: a :class:`~gridwatch.ui.map.gps.GpsSource`; the position and its accuracy circle are drawn
  over the map, *Locate me* centres it, *Follow* keeps it in view, the status says the cell I am in.
  A finding recorded while the position is fresh is placed there (see ``WindowWork.record_finding``).
* Tracks: while a task of the current user is in progress and the GPS runs, a point is kept every
  *Record every* seconds and written to the project (one track per GPS session) every 30 points and
  when the GPS stops; tracks of a person and day are drawn on the map; phone tracks are imported.
"""

from __future__ import annotations

import datetime as _dt
import math
import uuid as _uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import numpy as np
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox

from ...domain.tracks import TrackRules
from ..jobs import Job, queue, run_job
from ..map.canvas import SELECTION_LAYER
from ..map.field_panel import FieldPanel
from ..map.gps import GpsOverlay, GpsSource, track_colour

if TYPE_CHECKING:
    import pandas as pd
else:
    from ...lazy import pd

translate = QCoreApplication.translate
_FIELD_POOL = queue("field")
# Points kept in memory before they are written.
FLUSH_POINTS = 30
# A position older than this is not used for a new finding.
FRESH = _dt.timedelta(minutes=2)


class WindowField:
    """The field dock and its wiring (part of MainWindow)."""

    def _make_field(self) -> None:
        self.field_panel = FieldPanel(self)  # type: ignore[arg-type]
        self.gps = GpsSource(self)  # type: ignore[arg-type]
        self.gps_overlay = GpsOverlay()
        self.canvas.overlay_painters.append(self.gps_overlay)
        self._basemaps: list[Any] = []
        self._drawer: Any = None
        self._follow = False
        self._pending: list[tuple[float, float, float, _dt.datetime]] = []
        self._track_uuid: Optional[str] = None
        self._last_kept: Optional[_dt.datetime] = None
        self._recording_task: Optional[dict] = None
        self.recorded_points = 0
        fp = self.field_panel
        fp.interval.setValue(int(self.settings.value("track/interval_s", TrackRules().interval_s)))
        fp.basemapChosen.connect(self.choose_basemap)
        fp.addBasemapRequested.connect(self.add_basemap_file)
        fp.gpsStartRequested.connect(self.start_gps)
        fp.gpsStopRequested.connect(self.stop_gps)
        fp.locateRequested.connect(self.locate_me)
        fp.followToggled.connect(self._set_follow)
        fp.showTracksRequested.connect(self.show_tracks)
        fp.importTrackRequested.connect(self.import_track_file)
        fp.removeTrackRequested.connect(self.remove_track)
        self.workflow.changed.connect(self._tracks_edited)
        fp.intervalChanged.connect(lambda v: self.settings.setValue("track/interval_s", int(v)))
        fp.retention.setValue(int(self.settings.value("track/retention_days", TrackRules().retention_days)))
        fp.retentionChanged.connect(lambda v: self.settings.setValue("track/retention_days", int(v)))
        fp.signinRequested.connect(self.signin_check)
        self.gps.positionChanged.connect(self._on_position)
        self.gps.statusChanged.connect(self._on_gps_status)

    # --- basemap ------------------------------------------------------------------------------
    def _field_loaded(self) -> None:
        """A project opened and its map is drawn: its people, the recording state (its basemaps were chosen
        before the first paint: ``_refresh_basemaps``)."""
        combo = self.field_panel.person_combo
        combo.clear()
        combo.addItem(translate("FieldPanel", "Everybody"), "")
        if len(self.inspectors):
            # the names in one call, then their uuids (a city's 21,777 people: 0.5 s added one by one)
            people = self.inspectors.sort_values("name")
            combo.addItems([str(n) for n in people["name"].tolist()])
            for i, uuid in enumerate(people["uuid"].tolist(), start=1):
                combo.setItemData(i, str(uuid))
        actor = self.workflow.actor
        if actor is not None:
            combo.setCurrentIndex(max(0, combo.findData(actor.uuid)))
        self.gps_overlay.tracks = []
        self._update_recording()

    def _refresh_basemaps(self, choose: Optional[str] = None) -> None:
        from ...basemap import list_basemaps

        combo = self.field_panel.basemap_combo
        combo.clear()
        combo.addItem(translate("FieldPanel", "No basemap"))
        self._basemaps = []
        if self.project_path is not None:
            try:
                self._basemaps = list_basemaps(self.project_path)
            except Exception as exc:  # a damaged list: say so, draw none
                self.field_panel.basemap_note.setText(str(exc))
        for b in self._basemaps:
            combo.addItem(b.name)
        wanted = choose if choose is not None else str(self.settings.value(self._basemap_key(), ""))
        names = [b.name for b in self._basemaps]
        self.choose_basemap(names.index(wanted) + 1 if wanted in names else 0)

    def _basemap_key(self) -> str:
        return "basemap/" + (Path(self.project_path).name if self.project_path else "")

    def choose_basemap(self, index: int) -> None:
        """Draw basemap ``index`` (1-based into the project's list; 0: none) beneath the layers."""
        from ..map.basemap import drawer_for

        self.field_panel.basemap_combo.setCurrentIndex(index)
        entry = self._basemaps[index - 1] if 0 < index <= len(self._basemaps) else None
        # the previous drawer is not closed here: a render on a worker may still be reading its tiles;
        # its file closes when the last render lets go of it
        try:
            self._drawer = drawer_for(self.project_path, entry)
        except Exception as exc:
            self._drawer = None
            self.field_panel.basemap_note.setText(str(exc))
            self.canvas.set_basemap(None)
            return
        self.canvas.set_basemap(self._drawer)
        self.field_panel.basemap_note.setText(self._basemap_note(entry))
        if self.project_path is not None:
            self.settings.setValue(self._basemap_key(), entry.name if entry else "")

    def _basemap_note(self, entry: Any) -> str:
        """What the chosen basemap is, in the UI's language (the registry's note is English)."""
        if entry is None:
            return ""
        if entry.kind == "osm":
            return translate("FieldPanel", "OpenStreetMap roads, rivers, water and settlements, cut to the district "
                                           "(© OpenStreetMap contributors)")
        if entry.datum == "gcj02":
            return translate("FieldPanel", "GCJ-02 web tiles, shifted into place by GridWatch")
        return translate("FieldPanel", "Raster tiles (Web Mercator, WGS 84 = CGCS2000), drawn in the map's view")

    def add_basemap_file(self, path: Optional[str] = None, shift_gcj: bool = False) -> None:
        if self.project_path is None:
            return
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self, translate("FieldPanel", "Add basemap"), "", translate(
                "FieldPanel", "Basemaps (*.mbtiles *.gpkg *.pmtiles *.pbf *.osm)"))
            if not path:
                return
        from ...basemap import add_basemap

        project = self.project_path
        self.field_panel.basemap_note.setText(translate("FieldPanel", "Adding the basemap…"))
        run_job(lambda progress, cancel: add_basemap(project, path, shift_gcj=shift_gcj), "basemap",
                succeeded=self._basemap_added, failed=self._basemap_failed, executor=_FIELD_POOL)

    def _basemap_added(self, job: Job, entry: Any) -> None:
        self._refresh_basemaps(choose=entry.name)

    def _basemap_failed(self, job: Job, message: str, kind: str) -> None:
        self.field_panel.basemap_note.setText(message)

    # --- GPS ------------------------------------------------------------------------------------
    def start_gps(self, kind: str, path: Optional[str] = None) -> None:
        if kind == "replay":
            if path is None:
                path, _ = QFileDialog.getOpenFileName(self, translate("FieldPanel", "NMEA log"), "", translate(
                    "FieldPanel", "NMEA logs (*.nmea *.nma *.log *.txt);;All files (*)"))
            if not path:
                self.field_panel.set_gps_running(False)
                return
            self.gps.start_replay(Path(path))
        elif kind == "serial":
            port, ok = QInputDialog.getText(self, translate("FieldPanel", "GPS receiver"),
                                            translate("FieldPanel", "Serial port (e.g. /dev/ttyUSB0 or COM3):"),
                                            text=str(self.settings.value("gps/port", "/dev/ttyUSB0")))
            if not ok or not port.strip():
                self.field_panel.set_gps_running(False)
                return
            self.settings.setValue("gps/port", port.strip())
            self.gps.start_serial(port.strip())
        elif kind == "gpsd":
            self.gps.start_gpsd()
        else:
            self.gps.start_system()
        self.field_panel.set_gps_running(self.gps.running)
        self._prune_my_tracks()

    def _prune_my_tracks(self) -> None:
        """The retention: the user's own track points older than the setting go (on a worker)."""
        actor, days = self.workflow.actor, int(self.field_panel.retention.value())
        if self.project_path is None or actor is None or self.workflow.read_only or days <= 0:
            return
        from ...app.store import prune_tracks

        project = self.project_path
        run_job(lambda progress, cancel: prune_tracks(project, actor, days), "track-prune", executor=_FIELD_POOL)

    def stop_gps(self) -> None:
        self.gps.stop()
        self._flush_track()
        self._track_uuid = None
        self.field_panel.set_gps_running(False)

    def _on_gps_status(self, status: str) -> None:
        if status not in ("running", "stopped"):
            self.field_panel.gps_label.setText(status)
            self.field_panel.set_gps_running(self.gps.running)

    def _set_follow(self, on: bool) -> None:
        self._follow = on
        if on:
            self.locate_me()

    def gps_position(self) -> Optional[tuple[float, float]]:
        """The last position if it is fresh (for a new finding), else None."""
        last = self.gps.last
        if last is None or not self.gps.running:
            return None
        if self.gps.kind != "replay" and _dt.datetime.now(_dt.timezone.utc) - last[3] > FRESH:
            return None
        return last[0], last[1]

    def locate_me(self) -> None:
        if self.gps.last is None:
            self.field_panel.gps_label.setText(translate("FieldPanel", "No position yet"))
            return
        lon, lat = self.gps.last[0], self.gps.last[1]
        self.canvas.zoom_to((lon, lat, lon, lat), 0.004)

    def cell_at(self, lon: float, lat: float) -> Optional[tuple[str, str]]:
        """(code, name) of the grid cell at a point."""
        if self.data is None or SELECTION_LAYER not in self.data.layers:
            return None
        import shapely

        layer = self.data.layers[SELECTION_LAYER]
        b = layer.bounds
        cand = np.flatnonzero((b[:, 0] <= lon) & (b[:, 2] >= lon) & (b[:, 1] <= lat) & (b[:, 3] >= lat))
        for i in cand:
            if layer.geoms is not None and shapely.contains_xy(layer.geoms[int(i)], lon, lat):
                row = layer.frame.iloc[int(i)]
                return str(row["code"]), str(row.get("name") or "")
        return None

    def _on_position(self, lon: float, lat: float, acc: float, t: _dt.datetime) -> None:
        self.gps_overlay.position = (lon, lat, acc)
        cell = self.cell_at(lon, lat)
        acc_text = f" ±{acc:.0f} m" if math.isfinite(acc) else ""
        where = (translate("FieldPanel", "in cell %1").replace("%1", f"{cell[1]} ({cell[0]})") if cell
                 else translate("FieldPanel", "outside the grid"))
        self.field_panel.gps_label.setText(f"{lat:.5f}°N {lon:.5f}°E{acc_text} · {where}")
        if self._follow and self.canvas.viewport is not None:
            vp = self.canvas.viewport
            x, y = vp.to_screen(lon, lat)
            if not (0.2 * vp.width <= x <= 0.8 * vp.width and 0.2 * vp.height <= y <= 0.8 * vp.height):
                from dataclasses import replace

                self.canvas.set_viewport(replace(vp, cx=lon, cy=lat))
        self.canvas.update()
        self._record(lon, lat, acc, t)

    # --- recording --------------------------------------------------------------------------------
    def _update_recording(self) -> None:
        """The current user's task in progress, if any (recording runs only then)."""
        self._recording_task = None
        actor = self.workflow.actor
        if self.project_path is None or actor is None or self.workflow.read_only:
            self._show_recording()
            return
        from ...app.store import queries

        try:
            tasks = queries.tasks(self.project_path)
        except Exception:
            tasks = pd.DataFrame()
        if len(tasks):
            mine = tasks[(tasks["assignee_uuid"] == actor.uuid) & (tasks["status"] == "in_progress")]
            if len(mine):
                self._recording_task = mine.iloc[0].to_dict()
        self._show_recording()

    def _show_recording(self) -> None:
        fp = self.field_panel
        if self._recording_task is None:
            fp.track_label.setText(translate("FieldPanel", "Not recording: a track is recorded while a task of "
                                                           "yours is in progress and the GPS is on"))
        else:
            fp.track_label.setText(translate("FieldPanel", "Recording the track of task %1: %2 points")
                                   .replace("%1", str(self._recording_task.get("cell_code", "")))
                                   .replace("%2", str(self.recorded_points + len(self._pending))))

    def _record(self, lon: float, lat: float, acc: float, t: _dt.datetime) -> None:
        if self._recording_task is None:
            return
        every = _dt.timedelta(seconds=self.field_panel.interval.value())
        if self._last_kept is not None and t - self._last_kept < every:
            return
        self._last_kept = t
        self._pending.append((lon, lat, acc, t))
        if len(self._pending) >= FLUSH_POINTS:
            self._flush_track()
        self._show_recording()

    def _flush_track(self) -> None:
        if not self._pending or self.project_path is None or self.workflow.actor is None:
            return
        from ...app.store import TrackPoints, add_track

        points, self._pending = self._pending, []
        self._track_uuid = self._track_uuid or str(_uuid.uuid4())
        pts = TrackPoints.from_lists([p[0] for p in points], [p[1] for p in points], [p[3] for p in points],
                                     [None if not math.isfinite(p[2]) else p[2] for p in points])
        project, actor, track = self.project_path, self.workflow.actor, self._track_uuid
        task = (self._recording_task or {}).get("uuid")
        self.recorded_points += len(points)
        run_job(lambda progress, cancel: add_track(project, actor, pts, inspector_uuid=actor.uuid, source="gps",
                                                   assignment_uuid=task, track_uuid=track),
                "track", failed=self._track_failed, succeeded=self._track_saved, executor=_FIELD_POOL)

    # bound methods, not lambdas: Qt drops the connections when the window is deleted before the job ends
    def _track_failed(self, job: Job, message: str, kind: str) -> None:
        self.field_panel.track_label.setText(message)

    def _track_saved(self, job: Job, result: Any) -> None:
        self.refresh_sync_status()

    # --- tracks on the map ------------------------------------------------------------------------
    def show_tracks(self) -> None:
        """Draw the tracks of the chosen person (or everybody) on the chosen day."""
        if self.project_path is None:
            return
        from ...app.field import day_window
        from ...app.store import read_tracks

        fp = self.field_panel
        q = fp.day_edit.date()
        day = _dt.date(q.year(), q.month(), q.day())
        person = fp.person_combo.currentData()
        start, end = day_window(day)
        project = self.project_path
        run_job(lambda progress, cancel: read_tracks(project, inspector_uuids=[person] if person else None,
                                                     start=start, end=end),
                "tracks", succeeded=self._tracks_read, executor=_FIELD_POOL)

    def _tracks_read(self, job: Job, frame: pd.DataFrame) -> None:
        names = dict(zip(self.inspectors.get("uuid", []), self.inspectors.get("name", [])))
        shown = []
        for i, (person, rows) in enumerate(frame.groupby("inspector_uuid", sort=True)):
            t = rows["recorded_at"].to_numpy("datetime64[ns]").astype(np.int64)
            lon, lat = rows["lon"].to_numpy(float).copy(), rows["lat"].to_numpy(float).copy()
            gaps = np.flatnonzero(np.diff(t) > 300 * 10**9) + 1  # break the line across gaps over 5 minutes
            lon, lat = np.insert(lon, gaps, np.nan), np.insert(lat, gaps, np.nan)
            shown.append((names.get(person, person), lon, lat, track_colour(i)))
        self.gps_overlay.tracks = shown
        self.canvas.update()
        if len(frame):
            self.canvas.zoom_to((float(frame["lon"].min()), float(frame["lat"].min()),
                                 float(frame["lon"].max()), float(frame["lat"].max())))
        self.field_panel.track_label.setText(
            translate("FieldPanel", "%1 tracks, %2 points").replace("%1", str(len(shown)))
            .replace("%2", str(len(frame))) if len(frame) else translate("FieldPanel", "No track on that day"))

    def signin_check(self) -> None:
        """签到: the chosen day's inspections (of the chosen person, or everybody) with no track near their cell."""
        if self.project_path is None:
            return
        from ...analysis.track_coverage import signin_check_from_project
        from ...app.field import day_window

        fp = self.field_panel
        q = fp.day_edit.date()
        start, end = day_window(_dt.date(q.year(), q.month(), q.day()))
        person = fp.person_combo.currentData()
        project = self.project_path
        rules = TrackRules(interval_s=float(fp.interval.value()))

        def work(progress: Any, cancel: Any) -> pd.DataFrame:
            out = signin_check_from_project(project, start=start, end=end, rules=rules)
            return out[out["inspector_uuid"] == person] if person else out

        run_job(work, "signin", succeeded=self._signin_done, executor=_FIELD_POOL)

    def _signin_done(self, job: Job, out: pd.DataFrame) -> None:
        flagged = out[~out["signed_in"]]
        self.field_panel.track_label.setText(
            translate("FieldPanel", "%1 inspections, %2 with no track near their cell")
            .replace("%1", str(len(out))).replace("%2", str(len(flagged))))
        if self.data is not None and len(flagged):
            codes = self.data.layers[SELECTION_LAYER].frame["code"].astype(str).to_numpy()
            idx = np.flatnonzero(np.isin(codes, flagged["cell_code"].astype(str).to_numpy()))
            self.canvas.highlight(SELECTION_LAYER, idx)
        self.last_signin = out

    def import_track_file(self, path: Optional[str] = None) -> None:
        if self.project_path is None or self.workflow.actor is None:
            return
        fp = self.field_panel
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self, translate("FieldPanel", "Import track"), "", translate(
                "FieldPanel", "Tracks (*.gpx *.kml *.kmz *.nmea *.log)"))
            if not path:
                return
        from ...app.imports import import_track

        person = fp.person_combo.currentData() or self.workflow.actor.uuid
        q = fp.day_edit.date()
        day = _dt.date(q.year(), q.month(), q.day())
        project, actor = self.project_path, self.workflow.actor
        run_job(lambda progress, cancel: import_track(project, actor, path, inspector_uuid=person, day=day,
                                                      progress=progress, cancel=cancel),
                "track-import", succeeded=self._track_imported, failed=self._track_failed, executor=_FIELD_POOL)

    def _track_imported(self, job: Job, result: tuple[str, int]) -> None:
        self.field_panel.track_label.setText(translate("FieldPanel", "Imported %1 points").replace(
            "%1", str(result[1])))
        self.refresh_sync_status()
        self.show_tracks()

    def _track_failed(self, job: Job, message: str, kind: str) -> None:
        QMessageBox.warning(self, translate("FieldPanel", "Import track"), message)  # type: ignore[arg-type]

    def removable_tracks(self) -> pd.DataFrame:
        """The tracks of the chosen person (or everybody) on the chosen day that the current user may
        remove (the domain policy decides), earliest first: ``track_uuid``, ``inspector_uuid``,
        ``source``, ``points``, ``first``, ``last``."""
        from ...app.field import day_window
        from ...app.store import track_summaries
        from ...domain.policy import why_not_remove_track

        actor = self.workflow.actor
        if self.project_path is None or actor is None or self.workflow.read_only:
            return pd.DataFrame()
        fp = self.field_panel
        q = fp.day_edit.date()
        start, end = day_window(_dt.date(q.year(), q.month(), q.day()))
        tracks = track_summaries(self.project_path)
        if not len(tracks):
            return tracks
        first = pd.to_datetime(tracks["first"], utc=True, format="ISO8601")
        last = pd.to_datetime(tracks["last"], utc=True, format="ISO8601")
        on_day = (last >= start) & (first < end)
        person = fp.person_combo.currentData()
        if person:
            on_day &= tracks["inspector_uuid"] == person
        tracks = tracks[on_day]
        may = [why_not_remove_track(actor, {"inspector_uuid": r.inspector_uuid, "source": r.source}) is None
               for r in tracks.itertuples()]
        return tracks[np.asarray(may, dtype=bool)].reset_index(drop=True)

    def remove_track(self, track_uuid: Optional[str] = None) -> None:
        """Remove a track of the chosen person and day (asked which when there are several); undoable."""
        from ...app.store import remove_track_edit

        if self.project_path is None:
            return
        fp = self.field_panel
        if track_uuid is None:
            why = self.workflow.refusal("") if self.workflow.actor is None else ""
            tracks = self.removable_tracks()
            if not len(tracks):
                QMessageBox.information(self, translate("FieldPanel", "Remove track"), why or translate(  # type: ignore[arg-type]
                    "FieldPanel", "No track of the chosen person and day that you may remove (you may remove "
                                  "your own tracks; supervisors any)"))
                return
            names = dict(zip(self.inspectors.get("uuid", []), self.inspectors.get("name", [])))
            labels = [self._track_label(r, names) for r in tracks.itertuples()]
            if len(labels) == 1:
                ok = QMessageBox.question(self, translate("FieldPanel", "Remove track"),  # type: ignore[arg-type]
                                          translate("FieldPanel", "Remove this track?") + "\n" + labels[0]
                                          ) == QMessageBox.StandardButton.Yes
                chosen = labels[0]
            else:
                chosen, ok = QInputDialog.getItem(self, translate("FieldPanel", "Remove track"),  # type: ignore[arg-type]
                                                  translate("FieldPanel", "Track to remove:"), labels, 0, False)
            if not ok:
                return
            track_uuid = str(tracks["track_uuid"].iloc[labels.index(chosen)])
        fp.track_label.setText(translate("FieldPanel", "Removing the track…"))
        self.workflow.run(remove_track_edit, track_uuid)

    def _track_label(self, r: Any, names: dict) -> str:
        from ...domain.vocabulary import TRACK_SOURCE_TITLES, title
        from ..i18n import current

        first = pd.to_datetime(r.first, utc=True).tz_convert("Asia/Shanghai")
        last = pd.to_datetime(r.last, utc=True).tz_convert("Asia/Shanghai")
        return (translate("FieldPanel", "%1, %2–%3, %4 points (%5)")
                .replace("%1", str(names.get(r.inspector_uuid, r.inspector_uuid)))
                .replace("%2", first.strftime("%m-%d %H:%M")).replace("%3", last.strftime("%H:%M"))
                .replace("%4", str(r.points)).replace("%5", title(TRACK_SOURCE_TITLES, str(r.source), current())))

    def _tracks_edited(self, edit: Any) -> None:
        """A track was removed (or brought back by undo): say so, draw the day's tracks again."""
        if not any(c.table == "track_point" for c in edit.changes):
            return
        removed = sum(1 for c in edit.changes if c.table == "track_point" and c.after is None)
        added = sum(1 for c in edit.changes if c.table == "track_point" and c.before is None)
        self.field_panel.track_label.setText(
            translate("FieldPanel", "Track removed: %1 points").replace("%1", str(removed)) if removed
            else translate("FieldPanel", "Track restored: %1 points").replace("%1", str(added)))
        if self.gps_overlay.tracks:
            self.show_tracks()

    def _retranslate_field(self) -> None:
        self.field_panel.retranslate()
        self._show_recording()
        self.field_panel.person_combo.setItemText(0, translate("FieldPanel", "Everybody")) \
            if self.field_panel.person_combo.count() else None

    def _field_dock_area(self) -> Qt.DockWidgetArea:
        return Qt.DockWidgetArea.RightDockWidgetArea

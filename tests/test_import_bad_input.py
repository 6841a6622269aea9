"""Issue 14, imports: hostile and real-world files get one clear line naming the rows (or are imported as the
user would expect), and the project is left as it was.

* GeoJSON with NaN/Infinity coordinates, polygon rings of two points (GeoJSON, shapefile): refused by row,
  no traceback;
* an .xlsx is a zip: the zip-bomb limits apply before the workbook is unpacked;
* features far outside the district are refused for every layer (``--allow-outside`` to force);
* latitude and longitude swapped is diagnosed as such, and no message says the user gave a CRS they did not;
* row numbers are those a spreadsheet program shows;
* fire-point sheets with only dates (in 时间, a date column with an empty time column, Excel day numbers)
  are imported with day precision, which checks and statistics respect.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import sqlite3
import struct
import zipfile
from contextlib import closing
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from gridwatch.cli import main
from gridwatch.importers.pipeline import ImportOptions, import_file, prepare_import
from gridwatch.storage import Project

from .conftest import sha256

SUPERVISOR = "文秀兰"
BEIJING = dt.timezone(dt.timedelta(hours=8))


def cli(capsys, *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    out = capsys.readouterr()
    return status, out.out, out.err


@pytest.fixture(scope="module")
def places(sample_path):
    """Points inside two cells of the sample district, the district's area, and a cell's code."""
    cells = Project.open(sample_path).read_layer("grid_cell", columns=["code"])
    pts = shapely.point_on_surface(np.asarray(cells.geometry.values[:2]))
    return {"inside": [(p.x, p.y) for p in pts], "cell": str(cells["code"].iloc[0]),
            "bounds": tuple(cells.total_bounds)}


def one_line_refusal(status: int, err: str, *words: str) -> str:
    assert status == 2, err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    for w in words:
        assert w in err, (w, err)
    return err


# --- geometries no library can build --------------------------------------------------------------


def test_geojson_with_nan_and_infinity_coordinates_is_refused_by_row(sample_copy, tmp_path, capsys, places):
    (x, y), _ = places["inside"]
    src = tmp_path / "sites.geojson"
    src.write_text('{"type": "FeatureCollection", "features": ['
                   f'{{"type": "Feature", "properties": {{"name": "A", "dust_grade": "A"}}, "geometry": {{"type": '
                   f'"Point", "coordinates": [{x}, {y}]}}}},'
                   '{"type": "Feature", "properties": {"name": "B", "dust_grade": "B"}, "geometry": {"type": '
                   f'"Point", "coordinates": [NaN, {y}]}}}},'
                   '{"type": "Feature", "properties": {"name": "C", "dust_grade": "B"}, "geometry": {"type": '
                   f'"Point", "coordinates": [{x}, Infinity]}}}}]}}', encoding="utf-8")
    before = sha256(sample_copy)
    status, _out, err = cli(capsys, "import", str(sample_copy), str(src), "--layer", "construction_site", "--user",
                            SUPERVISOR)
    one_line_refusal(status, err, str(src), "not numbers (NaN or Infinity)", "row(s) 2, 3")
    assert sha256(sample_copy) == before


def _two_point_ring_shapefile(folder: Path, x: float, y: float) -> Path:
    """A polygon shapefile whose only ring has two points (as broken digitising tools write them)."""
    pts = [(x, y), (x + 0.01, y)]
    box = (x, y, x + 0.01, y)
    content = struct.pack("<i4d2i", 5, *box, 1, len(pts)) + struct.pack("<i", 0) + b"".join(
        struct.pack("<2d", *p) for p in pts)
    header = struct.pack("<2i4d4d", 1000, 5, *box, 0, 0, 0, 0)
    (folder / "mines.shp").write_bytes(struct.pack(">7i", 9994, 0, 0, 0, 0, 0, 50 + 4 + len(content) // 2) + header
                                       + struct.pack(">2i", 1, len(content) // 2) + content)
    (folder / "mines.shx").write_bytes(struct.pack(">7i", 9994, 0, 0, 0, 0, 0, 50 + 4) + header
                                       + struct.pack(">2i", 50, len(content) // 2))
    dbf = struct.pack("<B3BIHH20x", 3, 126, 1, 1, 1, 32 + 32 + 1, 1 + 10)
    dbf += struct.pack("<11sc4xB15x", b"NAME", b"C", 10) + b"\r" + b" " + b"M1".ljust(10) + b"\x1a"
    (folder / "mines.dbf").write_bytes(dbf)
    (folder / "mines.prj").write_text('GEOGCS["China Geodetic Coordinate System 2000",DATUM["China_2000",SPHEROID['
                                      '"CGCS2000",6378137,298.257222101]],PRIMEM["Greenwich",0],UNIT["degree",'
                                      '0.0174532925199433]]')
    return folder / "mines.shp"


@pytest.mark.parametrize("kind", ["geojson", "shapefile"])
def test_a_polygon_ring_of_two_points_is_refused_by_row(kind, sample_copy, tmp_path, capsys, places):
    (x, y), _ = places["inside"]
    if kind == "geojson":
        src = tmp_path / "mines.geojson"
        src.write_text(json.dumps({"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"name": "ok"}, "geometry": {"type": "Polygon", "coordinates": [[
                [x, y], [x + 0.01, y], [x + 0.01, y + 0.01], [x, y]]]}},
            {"type": "Feature", "properties": {"name": "two points"}, "geometry": {"type": "Polygon",
                                                                                   "coordinates": [[[x, y], [x + 0.01, y]]]}}]}))
        row = "row 2"
    else:
        src = _two_point_ring_shapefile(tmp_path, x, y)
        row = "row 1"
    before = sha256(sample_copy)
    status, _out, err = cli(capsys, "import", str(sample_copy), str(src), "--layer", "mine", "--user", SUPERVISOR,
                            "--dry-run")
    one_line_refusal(status, err, str(src), "geometries that cannot be read", row, "at least 4 points")
    assert sha256(sample_copy) == before


# --- an .xlsx is a zip ------------------------------------------------------------------------------


def test_a_workbook_that_inflates_a_thousandfold_is_refused_before_it_is_unpacked(sample_copy, tmp_path, capsys):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["经度", "纬度", "名称"])
    wb.active.append([114.3, 38.0, "A"])
    plain = io.BytesIO()
    wb.save(plain)
    bomb = tmp_path / "sites.xlsx"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":  # 40 MB of one repeated cell: a 1000-fold ratio
                data = data.replace(b"</sheetData>", b"<row r=\"3\">" + b"<c t=\"n\"><v>0</v></c>" * 2_000_000
                                    + b"</row></sheetData>")
            dst.writestr(info, data)
    assert bomb.stat().st_size < 200_000
    before = sha256(sample_copy)
    status, _out, err = cli(capsys, "import", str(sample_copy), str(bomb), "--layer", "construction_site",
                            "--dry-run")
    one_line_refusal(status, err, str(bomb), "xl/worksheets/sheet1.xml", "zip bomb")
    assert sha256(sample_copy) == before


# --- far outside the district -------------------------------------------------------------------------


def test_features_far_outside_the_district_are_refused_for_every_layer(sample_copy, tmp_path, capsys, places):
    (x, y), _ = places["inside"]
    site = tmp_path / "sites.geojson"
    site.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "本区工地", "dust_grade": "A"},
         "geometry": {"type": "Point", "coordinates": [x, y]}},
        {"type": "Feature", "properties": {"name": "北京工地", "dust_grade": "B"},  # Beijing, ~260 km away
         "geometry": {"type": "Point", "coordinates": [116.40, 39.90]}}]}, ensure_ascii=False))
    before = sha256(sample_copy)
    status, _out, err = cli(capsys, "import", str(sample_copy), str(site), "--layer", "construction_site", "--user",
                            SUPERVISOR)
    one_line_refusal(status, err, "1 of 2 feature(s) lie far outside 鹿泉区", "row 2 (2", "--allow-outside")
    assert sha256(sample_copy) == before
    # 275 key areas in Belgium (a file in the wrong CRS, or the wrong file)
    rng = np.random.default_rng(7)
    belgium = gpd.GeoDataFrame({"name": [f"site {i}" for i in range(275)]},
                               geometry=gpd.points_from_xy(rng.uniform(3, 6, 275), rng.uniform(50, 51.4, 275)),
                               crs=4326)
    keys = tmp_path / "keys.gpkg"
    belgium.to_file(keys, driver="GPKG")
    status, _out, err = cli(capsys, "import", str(sample_copy), str(keys), "--layer", "key_area", "--user", SUPERVISOR)
    one_line_refusal(status, err, "275 of 275 feature(s) lie far outside", "and 270 more")
    assert sha256(sample_copy) == before
    # --allow-outside: imported, and said so
    status, out, err = cli(capsys, "import", str(sample_copy), str(site), "--layer", "construction_site", "--user",
                           SUPERVISOR, "--allow-outside")
    assert status == 0, err
    assert "imported 2" in out and "far outside 鹿泉区 imported as asked (--allow-outside): row 2" in out
    names = set(Project.open(sample_copy).read_layer("construction_site")["name"])
    assert {"本区工地", "北京工地"} <= names


def test_a_site_just_across_the_boundary_is_imported_with_a_note(sample_copy, places):
    minx, miny, maxx, maxy = places["bounds"]
    src_dir = Path(sample_copy).parent
    site = src_dir / "near.geojson"
    site.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "界外工地", "dust_grade": "A"},
         "geometry": {"type": "Point", "coordinates": [maxx + 0.02, (miny + maxy) / 2]}}]}, ensure_ascii=False))
    prepared = prepare_import(sample_copy, site, ImportOptions(kind="construction_site"))
    assert prepared.report.imported == 1
    assert any("just outside 鹿泉区" in n and "row 1" in n for n in prepared.report.notes), prepared.report.notes


# --- swapped latitude and longitude --------------------------------------------------------------------


def test_swapped_latitude_and_longitude_are_diagnosed_as_such(sample_copy, tmp_path, capsys, places):
    (x, y), _ = places["inside"]
    fires = tmp_path / "fires.csv"  # the columns' names say longitude/latitude, the values are the other way round
    today = dt.datetime.now(BEIJING).date()
    fires.write_text(f"经度,纬度,时间\n{y},{x},{today} 13:35\n", encoding="utf-8")
    status, _out, err = cli(capsys, "import", str(sample_copy), str(fires), "--layer", "fire_point", "--dry-run")
    one_line_refusal(status, err, "look swapped", "swap the headers of columns '经度' and '纬度'")
    assert "you gave" not in err and "Gauss-Kruger" not in err and "--crs" not in err
    sites = tmp_path / "sites.csv"
    sites.write_text(f"name,lon,lat,dust_grade\nA,{y},{x},A\n", encoding="utf-8")
    status, _out, err = cli(capsys, "import", str(sample_copy), str(sites), "--layer", "construction_site",
                            "--dry-run")
    one_line_refusal(status, err, "look swapped")
    assert "you gave" not in err and "Gauss-Kruger" not in err
    status, _out, err = cli(capsys, "import", str(sample_copy), str(sites), "--layer", "construction_site",
                            "--crs", "4490", "--dry-run")  # here the user did give one
    one_line_refusal(status, err, "you gave EPSG:4490", "look swapped")
    assert "Gauss-Kruger" not in err


# --- row numbers as a spreadsheet shows them ----------------------------------------------------------------


def test_row_numbers_are_the_spreadsheets_for_coordinates_and_times(sample_copy, tmp_path, capsys, places):
    (x, y), _ = places["inside"]
    today = dt.datetime.now(BEIJING).date()
    # row 1 header, row 2 a fire, row 3 blank, row 4 a note over two lines (one row), row 5 the bad value
    bad_coord = tmp_path / "coords.csv"
    bad_coord.write_text(f'经度,纬度,时间,备注\n{x},{y},{today} 10:00,a\n\n{x},{y},{today} 11:00,"两行\n备注"\n'
                         f"{x},38.0x,{today} 12:00,c\n", encoding="utf-8")
    status, _out, err = cli(capsys, "import", str(sample_copy), str(bad_coord), "--layer", "fire_point", "--dry-run")
    one_line_refusal(status, err, "row 5, column '纬度'")
    bad_time = tmp_path / "times.csv"
    bad_time.write_text(f'经度,纬度,时间,备注\n{x},{y},{today} 10:00,a\n\n{x},{y},{today} 11:00,"两行\n备注"\n'
                        f"{x},{y},昨天下午,c\n", encoding="utf-8")
    status, _out, err = cli(capsys, "import", str(sample_copy), str(bad_time), "--layer", "fire_point", "--dry-run")
    one_line_refusal(status, err, "row 5 ('昨天下午')")
    # a workbook with a title row and the header on row 3: Excel's numbers
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["鹿泉区火点核查表"])
    ws.append([])
    ws.append(["经度", "纬度", "监测时间"])
    ws.append([x, y, f"{today} 09:00"])
    ws.append([x, y, "不详"])
    book = tmp_path / "fires.xlsx"
    wb.save(book)
    status, _out, err = cli(capsys, "import", str(sample_copy), str(book), "--layer", "fire_point", "--dry-run")
    one_line_refusal(status, err, "row 5 ('不详')")
    ws.cell(row=5, column=2, value="38.x")
    wb.save(book)
    status, _out, err = cli(capsys, "import", str(sample_copy), str(book), "--layer", "fire_point", "--dry-run")
    one_line_refusal(status, err, "row 5, column '纬度'")


# --- fire points known only by their date ----------------------------------------------------------------


def _fires(path: Path) -> list[tuple[str, str, str]]:
    with closing(sqlite3.connect(path)) as con:
        return con.execute("SELECT detected_utc, detected_local, uuid FROM fire_point ORDER BY fid DESC").fetchall()


def test_fire_sheets_with_only_dates_import_with_day_precision(sample_copy, tmp_path, places):
    (x1, y1), (x2, y2) = places["inside"]
    day = dt.datetime.now(BEIJING).date() - dt.timedelta(days=2)
    before = len(_fires(sample_copy))
    # 时间 holding dates only (a provincial sheet), one with a time: both kinds in one column
    src = tmp_path / "dates.csv"
    src.write_text(f"经度,纬度,时间,卫星\n{x1},{y1},{day},FY-3D\n{x2},{y2},{day} 13:20,FY-3D\n", encoding="utf-8")
    report = import_file(sample_copy, src, ImportOptions(kind="fire_point", user=SUPERVISOR))
    assert report.imported == 2
    assert any("1 row gives only the date" in n and "day precision" in n for n in report.notes), report.notes
    rows = _fires(sample_copy)
    assert len(rows) == before + 2
    (utc_precise, local_precise, _), (utc_day, local_day, day_uuid) = rows[0], rows[1]
    assert local_day == day.isoformat()  # stored and shown as the date alone
    start = dt.datetime.combine(day, dt.time(0), BEIJING).astimezone(dt.timezone.utc)
    assert utc_day == start.strftime("%Y-%m-%dT%H:%M:%S.000Z")  # the start of that Beijing day
    assert local_precise == f"{day}T13:20:00+08:00"

    # a date column with an empty time column, and Excel day numbers (a cell and text)
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["经度", "纬度", "日期", "时间"])
    serial = (day - dt.date(1899, 12, 30)).days
    ws.append([x1 + 0.0001, y1, serial, None])
    ws.append([x2 + 0.0001, y2, str(day), "08:30"])
    book = tmp_path / "dates.xlsx"
    wb.save(book)
    report = import_file(sample_copy, book, ImportOptions(kind="fire_point", user=SUPERVISOR))
    assert report.imported == 2
    locals_ = [r[1] for r in _fires(sample_copy)[:2]]
    assert sorted(locals_) == sorted([day.isoformat(), f"{day}T08:30:00+08:00"])

    # checks: one per cell per Beijing day, a day-precision point in its day; "since noon of that day" takes
    # it too (its day reaches past noon), though its stored instant is the day's start
    from gridwatch.storage.workflow import create_fire_checks, find_actor

    noon = dt.datetime.combine(day, dt.time(12), BEIJING)
    edit = create_fire_checks(sample_copy, find_actor(sample_copy, SUPERVISOR), since=noon)
    in_checks = {c.uuid for c in edit.changes if c.table == "fire_point"}
    assert day_uuid in in_checks
    notes = [c.after["notes"] for c in edit.changes if c.table == "assignment"]
    assert any(day.isoformat() in n for n in notes)

    # statistics: no hours-to-check for a detection known only by its date
    from gridwatch.analysis.stats import fire_outcomes, read_frames

    frames = read_frames(sample_copy)
    assignments = frames.assignments.copy()
    check_of = {c.uuid: c.after["check_uuid"] for c in edit.changes if c.table == "fire_point"}
    finished = (dt.datetime.now(dt.timezone.utc)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    assignments.loc[assignments["uuid"].isin(set(check_of.values())), ["status", "finished_at"]] = ["done", finished]
    out = fire_outcomes(frames.fire_points, assignments).set_index("uuid")
    assert np.isnan(out.loc[day_uuid, "hours_to_check"])
    precise = rows[0][2]
    assert out.loc[precise, "hours_to_check"] > 0


def test_unreadable_fire_times_keep_their_precise_message(sample_copy, tmp_path, places):
    from gridwatch.errors import LayerImportError

    (x, y), _ = places["inside"]
    day = dt.datetime.now(BEIJING).date() - dt.timedelta(days=1)
    src = tmp_path / "bad.csv"
    src.write_text(f"经度,纬度,日期,时间\n{x},{y},{day},\n{x},{y},{day},25:70\n{x},{y},,08:00\n", encoding="utf-8")
    before = sha256(sample_copy)
    with pytest.raises(LayerImportError) as err:
        import_file(sample_copy, src, ImportOptions(kind="fire_point", user=SUPERVISOR))
    msg = str(err.value)
    assert f"1 row with a time that cannot be read as a date in columns '日期' + '时间': row 3 ('{day}', '25:70')" \
        in msg
    assert "1 row with no date in columns '日期' + '时间': row 4 (empty, '08:00')" in msg
    assert "row 2" not in msg  # the date with an empty time is fine: day precision
    assert sha256(sample_copy) == before

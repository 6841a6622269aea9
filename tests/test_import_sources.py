"""Opening the files district offices receive: encodings, zips, CRSs, layers, tables.

Every file is built here in tmp_path (or is real data from ../shared/realdata), then opened the
way a user would open it.
"""

from __future__ import annotations

import csv
import stat
import struct
import zipfile
from pathlib import Path

import geopandas as gpd
import openpyxl
import pyogrio
import pytest
from shapely.geometry import LineString, Point

from gridwatch.errors import CRSError, LayerImportError
from gridwatch.importers.sources import inspect_source, read_source, safe_extract_zip

REALDATA = Path(__file__).resolve().parents[1].parent / "shared" / "realdata"
STREETS = REALDATA / "china" / "streets_township_names_2023.csv"


@pytest.fixture(scope="module")
def outside_gbk() -> list[str]:
    """Real township names with characters GBK lacks (湖㳇镇, 㮾梨街道), read from the real list."""
    with open(STREETS, encoding="utf-8", newline="") as fh:
        names = [row["name"] for row in csv.DictReader(fh)]
    wanted = [n for n in names if n in ("湖㳇镇", "㮾梨街道")]
    assert sorted(wanted) == sorted(["湖㳇镇", "㮾梨街道"])
    for n in wanted:
        with pytest.raises(UnicodeEncodeError):
            n.encode("gbk")
    return wanted


def towns(names: list[str], crs=4490, metres: bool = False) -> gpd.GeoDataFrame:
    pts = [Point(113.0 + i * 0.1, 28.0 + i * 0.1) for i in range(len(names))]
    if metres:
        pts = [Point(500000 + i * 100, 3100000 + i * 100) for i in range(len(names))]
    return gpd.GeoDataFrame({"名称": names, "code": [f"{i:04d}" for i in range(len(names))]}, geometry=pts, crs=crs)


def write_shp(frame: gpd.GeoDataFrame, path: Path, encoding: str, cpg: str | None = "keep",
              prj: bool = True) -> Path:
    frame.to_file(path, encoding=encoding)
    cpg_path = path.with_suffix(".cpg")
    if cpg is None:
        cpg_path.unlink()
    elif cpg != "keep":
        cpg_path.write_text(cpg, encoding="ascii")
    if not prj:
        path.with_suffix(".prj").unlink()
    return path


GBK_NAMES = ["东华门街道", "景山街道", "交道口街道"]


# --------------------------------------------------------------------------------------------
# shapefile encodings


def test_gbk_shapefile_without_cpg_is_detected_and_names_arrive_intact(tmp_path):
    shp = write_shp(towns(GBK_NAMES), tmp_path / "乡镇.shp", "GBK", cpg=None)
    assert not shp.with_suffix(".cpg").exists()
    info = inspect_source(shp)
    assert info.format == "shapefile"
    assert info.encoding == "GB18030" and info.encoding_source == "detected"
    assert "名称" in info.fields
    assert info.feature_count == 3
    assert any(".cpg" in n and "GB18030" in n for n in info.notes)
    frame = read_source(shp)
    assert list(frame["名称"]) == GBK_NAMES
    assert frame.attrs["encoding"] == "GB18030"


def test_cpg_saying_gbk_on_utf8_data_is_overruled(tmp_path, outside_gbk):
    shp = write_shp(towns(GBK_NAMES + outside_gbk), tmp_path / "towns.shp", "UTF-8", cpg="GBK")
    info = inspect_source(shp)
    assert (info.encoding, info.encoding_source) == ("UTF-8", "cpg-wrong-detected")
    assert any("says GBK" in n and "UTF-8" in n for n in info.notes)
    assert list(read_source(shp)["名称"]) == GBK_NAMES + outside_gbk


def test_cpg_saying_utf8_on_gb18030_data_is_overruled(tmp_path, outside_gbk):
    shp = write_shp(towns(GBK_NAMES + outside_gbk), tmp_path / "towns.shp", "GB18030", cpg="UTF-8")
    info = inspect_source(shp)
    assert (info.encoding, info.encoding_source) == ("GB18030", "cpg-wrong-detected")
    assert any("says UTF-8" in n and "GB18030" in n for n in info.notes)
    frame = read_source(shp)
    assert list(frame["名称"]) == GBK_NAMES + outside_gbk
    assert "名称" in frame.columns


@pytest.mark.parametrize("encoding", ["GB18030", "UTF-8"])
def test_names_outside_gbk_survive_with_a_truthful_cpg(tmp_path, outside_gbk, encoding):
    shp = write_shp(towns(outside_gbk), tmp_path / "towns.shp", encoding)
    info = inspect_source(shp)
    assert (info.encoding, info.encoding_source) == (encoding, "cpg")
    assert list(read_source(shp)["名称"]) == outside_gbk


def test_cpg_saying_gbk_on_gb18030_data_reads_as_gb18030(tmp_path, outside_gbk):
    """A GBK label must not lose 湖㳇镇: GB18030 (the superset) is used to read it."""
    shp = write_shp(towns(outside_gbk), tmp_path / "towns.shp", "GB18030", cpg="GBK")
    info = inspect_source(shp)
    assert (info.encoding, info.encoding_source) == ("GB18030", "cpg")
    assert list(read_source(shp)["名称"]) == outside_gbk


def test_gb18030_names_outside_gbk_without_cpg(tmp_path, outside_gbk):
    shp = write_shp(towns(outside_gbk), tmp_path / "towns.shp", "GB18030", cpg=None)
    assert list(read_source(shp)["名称"]) == outside_gbk


def test_explicit_encoding_wins(tmp_path):
    shp = write_shp(towns(GBK_NAMES), tmp_path / "towns.shp", "GBK", cpg="UTF-8")
    info = inspect_source(shp, encoding="cp936")
    assert (info.encoding, info.encoding_source) == ("GB18030", "user")
    assert list(read_source(shp, encoding="GBK")["名称"]) == GBK_NAMES
    with pytest.raises(LayerImportError, match="not a text encoding"):
        read_source(shp, encoding="klingon")


def test_shapefile_missing_dbf_says_what_to_copy(tmp_path):
    shp = write_shp(towns(GBK_NAMES), tmp_path / "towns.shp", "UTF-8")
    shp.with_suffix(".dbf").unlink()
    with pytest.raises(LayerImportError, match=r"towns\.shp.*\.dbf.*missing"):
        read_source(shp)


# --------------------------------------------------------------------------------------------
# CRS


def test_missing_prj_with_degrees_in_china_is_guessed_as_cgcs2000(tmp_path):
    shp = write_shp(towns(GBK_NAMES), tmp_path / "towns.shp", "UTF-8", prj=False)
    info = inspect_source(shp)
    assert (info.crs, info.crs_source) == ("EPSG:4490", "guessed")
    assert any("4490" in n and ".prj" in n for n in info.notes)
    frame = read_source(shp)
    assert frame.crs.to_epsg() == 4490


def test_missing_prj_with_projected_metres_asks_for_crs(tmp_path):
    shp = write_shp(towns(GBK_NAMES, crs=4547, metres=True), tmp_path / "towns.shp", "UTF-8", prj=False)
    with pytest.raises(CRSError) as err:
        read_source(shp)
    msg = str(err.value)
    assert "towns.shp" in msg and "--crs" in msg and "4547" in msg and "no coordinate reference system" in msg
    with pytest.raises(CRSError):
        inspect_source(shp)
    frame = read_source(shp, crs="4547")
    assert frame.crs.to_epsg() == 4547
    assert inspect_source(shp, crs="EPSG:4547").crs_source == "user"
    assert frame.geometry.iloc[0].x == pytest.approx(500000)


def test_zone_prefixed_eastings_get_a_zone_hint(tmp_path):
    frame = towns(GBK_NAMES, crs=4526)
    frame = frame.set_geometry([Point(38500000 + i, 4400000) for i in range(3)], crs=4526)
    shp = write_shp(frame, tmp_path / "zoned.shp", "UTF-8", prj=False)
    with pytest.raises(CRSError, match=r"zone 38, --crs EPSG:4526"):
        read_source(shp)


def test_prj_that_lies_about_degrees_is_caught(tmp_path):
    shp = write_shp(towns(GBK_NAMES, crs=4547, metres=True), tmp_path / "towns.shp", "UTF-8")
    shp.with_suffix(".prj").write_text(pyogrio_prj_4490(tmp_path), encoding="ascii")
    with pytest.raises(CRSError, match=r"\.prj.*wrong.*--crs"):
        read_source(shp)
    assert read_source(shp, crs=4547).crs.to_epsg() == 4547


def pyogrio_prj_4490(tmp_path: Path) -> str:
    ref = write_shp(towns(["x"]), tmp_path / "ref.shp", "UTF-8")
    return ref.with_suffix(".prj").read_text()


def test_explicit_crs_overrides_a_prj_and_is_noted(tmp_path):
    shp = write_shp(towns(GBK_NAMES), tmp_path / "towns.shp", "UTF-8")
    info = inspect_source(shp, crs="EPSG:4326")
    assert (info.crs, info.crs_source) == ("EPSG:4326", "user")
    assert any("using EPSG:4326" in n for n in info.notes)
    with pytest.raises(CRSError, match="not a coordinate reference system"):
        inspect_source(shp, crs="EPSG:999999")


# --------------------------------------------------------------------------------------------
# zips


def gbk_zip(files: dict[str, bytes], out: Path) -> Path:
    """A zip as Chinese Windows makes it: member names in GBK bytes, no UTF-8 flag."""
    placeholders = {}
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for i, (name, data) in enumerate(files.items()):
            raw = name.encode("gbk")
            ph = f"{i:03d}".encode() + b"Q" * (len(raw) - 3)
            assert len(ph) == len(raw)
            placeholders[ph] = raw
            zf.writestr(ph.decode("ascii"), data)
    blob = out.read_bytes()
    for ph, raw in placeholders.items():
        assert blob.count(ph) == 2  # local header and central directory
        blob = blob.replace(ph, raw)
    out.write_bytes(blob)
    with zipfile.ZipFile(out) as zf:
        assert all(not (i.flag_bits & 0x800) for i in zf.infolist())
    return out


def shapefile_parts(shp: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(shp.parent.glob(shp.stem + ".*"))}


def test_zipped_gbk_shapefile_with_gbk_member_names(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    shp = write_shp(towns(GBK_NAMES), src / "乡镇边界.shp", "GBK", cpg=None)
    z = gbk_zip({f"数据/{k}": v for k, v in shapefile_parts(shp).items()}, tmp_path / "边界.zip")
    work = tmp_path / "work"
    info = inspect_source(z, workdir=work)
    assert info.path == z and info.format == "shapefile"
    assert info.layers == ["乡镇边界"] and info.layer == "乡镇边界"
    assert info.encoding == "GB18030"
    frame = read_source(z, workdir=work)
    assert list(frame["名称"]) == GBK_NAMES
    assert frame.crs.to_epsg() == 4490
    assert list(work.iterdir()) == []  # unpacked files are cleaned up
    names = [p.name for p in safe_extract_zip(z, tmp_path / "out")]
    assert "乡镇边界.dbf" in names and (tmp_path / "out" / "数据" / "乡镇边界.shp").is_file()


def test_zip_with_two_shapefiles_needs_a_choice(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    a = write_shp(towns(GBK_NAMES), src / "roads.shp", "UTF-8")
    b = write_shp(towns(GBK_NAMES[:1]), src / "towns.shp", "UTF-8")
    z = tmp_path / "two.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for shp in (a, b):
            for name, data in shapefile_parts(shp).items():
                zf.writestr(name, data)
    with pytest.raises(LayerImportError) as err:
        read_source(z)
    assert "'roads'" in str(err.value) and "'towns'" in str(err.value) and "two.zip" in str(err.value)
    assert err.value.layers == ["roads", "towns"]
    assert len(read_source(z, layer="towns")) == 1
    assert inspect_source(z, layer="roads.shp").feature_count == 3
    with pytest.raises(LayerImportError, match="no layer 'rivers'"):
        read_source(z, layer="rivers")


def test_path_traversal_member_is_refused_and_nothing_is_written(tmp_path):
    z = tmp_path / "evil.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("ok.txt", b"fine")
        zf.writestr("../evil.shp", b"boom")
    dest = tmp_path / "box" / "dest"
    before = sorted(tmp_path.rglob("*"))
    with pytest.raises(LayerImportError) as err:
        safe_extract_zip(z, dest)
    assert "evil.zip" in str(err.value) and "../evil.shp" in str(err.value)
    assert sorted(tmp_path.rglob("*")) == before
    assert not (tmp_path / "box" / "evil.shp").exists() and not dest.exists()
    with pytest.raises(LayerImportError, match="evil.shp"):
        read_source(z, workdir=tmp_path / "work")


def test_absolute_and_backslash_traversal_members_are_refused(tmp_path):
    for bad in ("/etc/evil.shp", "C:/Windows/evil.shp", "a\\..\\..\\evil.shp"):
        z = tmp_path / "bad.zip"
        with zipfile.ZipFile(z, "w") as zf:
            zf.writestr(zipfile.ZipInfo(bad), b"x")
        with pytest.raises(LayerImportError, match="bad.zip"):
            safe_extract_zip(z, tmp_path / "dest")
        assert not (tmp_path / "dest").exists()


def test_zip_bomb_is_refused_before_unpacking(tmp_path):
    z = tmp_path / "bomb.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("data.dbf", bytes(50 * 1024 * 1024))
    assert z.stat().st_size < 50 * 1024 * 1024 / 100
    with pytest.raises(LayerImportError) as err:
        safe_extract_zip(z, tmp_path / "dest")
    assert "bomb.zip" in str(err.value) and "data.dbf" in str(err.value) and "zip bomb" in str(err.value)
    assert not (tmp_path / "dest").exists()


def test_zip_over_the_size_or_member_limit_is_refused(tmp_path):
    z = tmp_path / "big.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_STORED) as zf:
        for i in range(5):
            zf.writestr(f"part{i}.bin", bytes(1000))
    with pytest.raises(LayerImportError, match=r"big\.zip would unpack to 5,000 bytes.*part"):
        safe_extract_zip(z, tmp_path / "dest", max_total_bytes=4000)
    with pytest.raises(LayerImportError, match=r"big\.zip holds 5 members"):
        safe_extract_zip(z, tmp_path / "dest", max_members=4)
    assert not (tmp_path / "dest").exists()
    assert len(safe_extract_zip(z, tmp_path / "dest")) == 5


def test_nested_zip_is_refused(tmp_path):
    inner = tmp_path / "inner.zip"
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("a.shp", b"x")
    outer = tmp_path / "outer.zip"
    with zipfile.ZipFile(outer, "w") as zf:
        zf.write(inner, "data/inner.zip")
    with pytest.raises(LayerImportError, match=r"outer\.zip.*data/inner\.zip.*nested"):
        safe_extract_zip(outer, tmp_path / "dest")
    assert not (tmp_path / "dest").exists()


def test_symlink_member_is_refused(tmp_path):
    z = tmp_path / "link.zip"
    with zipfile.ZipFile(z, "w") as zf:
        info = zipfile.ZipInfo("towns.dbf")
        info.create_system = 3
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, "/etc/passwd")
    with pytest.raises(LayerImportError, match=r"link\.zip.*towns\.dbf.*symbolic link"):
        safe_extract_zip(z, tmp_path / "dest")
    assert not (tmp_path / "dest").exists()


def test_encrypted_member_is_refused(tmp_path):
    z = tmp_path / "locked.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("towns.shp", b"secret")
    blob = bytearray(z.read_bytes())
    for sig, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):  # set "encrypted" in both headers
        at = blob.find(sig)
        (flags,) = struct.unpack_from("<H", blob, at + flag_at)
        struct.pack_into("<H", blob, at + flag_at, flags | 0x1)
    z.write_bytes(bytes(blob))
    with pytest.raises(LayerImportError, match=r"locked\.zip.*towns\.shp.*encrypted"):
        safe_extract_zip(z, tmp_path / "dest")


def test_damaged_zip_is_reported_plainly(tmp_path):
    z = tmp_path / "half.zip"
    z.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(LayerImportError, match=r"half\.zip is not a readable zip"):
        read_source(z)


# --------------------------------------------------------------------------------------------
# GeoPackage, GeoJSON, KML


HOSTILE = 'x"; DROP TABLE y; --'


def test_geopackage_with_two_layers_lists_them_and_reads_the_chosen_one(tmp_path):
    gpkg = tmp_path / "district.gpkg"
    towns(GBK_NAMES).to_file(gpkg, layer="乡镇", driver="GPKG")
    hostile = gpd.GeoDataFrame({"备注": ["甲", "乙"]}, geometry=[LineString([(113, 28), (113.1, 28.1)]),
                                                              LineString([(113.2, 28), (113.3, 28.1)])], crs=4490)
    hostile.to_file(gpkg, layer=HOSTILE, driver="GPKG")
    with pytest.raises(LayerImportError) as err:
        inspect_source(gpkg)
    assert "'乡镇'" in str(err.value) and repr(HOSTILE) in str(err.value) and "district.gpkg" in str(err.value)
    assert set(err.value.layers) == {"乡镇", HOSTILE}
    with pytest.raises(LayerImportError, match="no layer 'roads'"):
        read_source(gpkg, layer="roads")

    info = inspect_source(gpkg, layer=HOSTILE)
    assert info.layer == HOSTILE and info.feature_count == 2 and info.geometry_type == "LineString"
    assert info.fields == ["备注"] and (info.crs, info.crs_source) == ("EPSG:4490", "file")
    frame = read_source(gpkg, layer=HOSTILE)
    assert list(frame["备注"]) == ["甲", "乙"]
    # the other layer is untouched and still reads
    assert pyogrio.list_layers(gpkg).shape[0] == 2
    assert list(read_source(gpkg, layer="乡镇")["名称"]) == GBK_NAMES


def test_geojson(tmp_path):
    path = tmp_path / "sources.geojson"
    towns(GBK_NAMES).to_crs(4326).to_file(path, driver="GeoJSON")
    info = inspect_source(path)
    assert info.format == "geojson" and info.feature_count == 3 and info.encoding_source == "utf-8"
    assert info.crs == "EPSG:4326" and info.crs_source == "file"
    assert list(read_source(path)["名称"]) == GBK_NAMES


def test_kml(tmp_path):
    if "KML" not in pyogrio.list_drivers(write=True):
        pytest.skip("this GDAL cannot write KML")
    path = tmp_path / "sources.kml"
    frame = towns(GBK_NAMES).to_crs(4326).rename(columns={"名称": "Name"})
    pyogrio.write_dataframe(frame, path, driver="KML", layer="污染源")
    info = inspect_source(path)
    assert info.format == "kml" and info.feature_count == 3
    assert info.crs == "EPSG:4326"
    frame = read_source(path)
    assert sorted(frame["Name"]) == sorted(GBK_NAMES)
    assert frame.geometry.iloc[0].x == pytest.approx(113.0)


def test_real_geopackage_with_null_geometries():
    path = REALDATA / "badinput" / "ets-gpkg12" / "null_geometry.gpkg"
    with pytest.raises(LayerImportError) as err:
        inspect_source(path)
    assert set(err.value.layers) == {"new_geopackage", "PointExamples"}
    poly = inspect_source(path, layer="new_geopackage")
    assert (poly.geometry_type, poly.feature_count) == ("Polygon", 3)
    frame = read_source(path, layer="new_geopackage")
    assert len(frame) == 3 and int(frame.geometry.isna().sum()) == 2  # NULL geometries kept for the caller
    points = read_source(path, layer="PointExamples")
    assert len(points) == 2 and int(points.geometry.isna().sum()) == 1
    assert points.crs.to_epsg() == 4326


def test_real_geopackage_with_zm_lines():
    path = REALDATA / "badinput" / "pyogrio" / "line_zm.gpkg"
    info = inspect_source(path)
    assert (info.layer, info.feature_count, info.geometry_type) == ("line_zm", 1, "LineString Z")
    assert any("Measured" in n for n in info.notes)  # the M values do not survive: the user is told
    frame = read_source(path)
    assert len(frame) == 1 and frame.geometry.iloc[0].has_z


# --------------------------------------------------------------------------------------------
# CSV and XLSX


ROWS = [("排污口A", "113.1234", "28.2345", "0050"), ("排污口B", "113.2", "28.3", "0100"), ("湖㳇镇站", "119.8", "31.3", "")]


def write_csv(path: Path, header: list[str], encoding: str, rows=ROWS) -> Path:
    lines = [",".join(header)] + [",".join(r) for r in rows]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


@pytest.mark.parametrize("encoding,expected", [("gb18030", "GB18030"), ("utf-8-sig", "UTF-8")])
def test_csv_with_chinese_coordinate_columns(tmp_path, encoding, expected):
    path = write_csv(tmp_path / "点位.csv", ["名称", "经度", "纬度", "编号"], encoding)
    info = inspect_source(path)
    assert info.format == "csv" and info.encoding == expected and info.feature_count == 3
    assert info.fields == ["名称", "经度", "纬度", "编号"]
    assert (info.crs, info.crs_source) == ("EPSG:4490", "guessed")
    frame = read_source(path)
    assert list(frame["名称"]) == [r[0] for r in ROWS]
    assert list(frame["编号"]) == ["0050", "0100", ""]  # text stays text: leading zeros kept
    assert frame.geometry.iloc[0].x == pytest.approx(113.1234) and frame.geometry.iloc[0].y == pytest.approx(28.2345)
    assert frame.crs.to_epsg() == 4490


def test_csv_headers_with_units_and_dms_values(tmp_path):
    rows = [("A", "113°07′24.2″E", "28°14′04.2″N", "1"), ("B", "东经113度12分", "北纬28度18分", "2"),
            ("C", "", "", "3")]
    path = write_csv(tmp_path / "pts.csv", ["名称", "经度(°)", "纬度（°）", "n"], "utf-8", rows)
    frame = read_source(path)
    assert frame.geometry.iloc[0].x == pytest.approx(113 + 7 / 60 + 24.2 / 3600)
    assert frame.geometry.iloc[1].y == pytest.approx(28.3)
    assert frame.geometry.iloc[2] is None  # kept, without a location
    assert any("no coordinates" in n for n in inspect_source(path).notes)


def test_csv_bad_coordinate_names_row_and_column(tmp_path):
    rows = [("A", "113.1", "28.1", "1"), ("B", "113.2", "北京", "2")]
    path = write_csv(tmp_path / "pts.csv", ["name", "lon", "lat", "n"], "utf-8", rows)
    with pytest.raises(LayerImportError, match=r"pts\.csv: row 3, column 'lat': '北京' is not a coordinate"):
        read_source(path)


def test_csv_x_y_fields_override_and_projected_needs_crs(tmp_path):
    rows = [("A", "500100", "3100100"), ("B", "500200", "3100200")]
    path = write_csv(tmp_path / "gk.csv", ["name", "东坐标", "北坐标"], "utf-8", rows)
    with pytest.raises(LayerImportError) as err:
        read_source(path)
    assert "x_field" in str(err.value) and err.value.fields == ["name", "东坐标", "北坐标"]
    with pytest.raises(CRSError, match="--crs"):
        read_source(path, x_field="东坐标", y_field="北坐标")
    frame = read_source(path, x_field="东坐标", y_field="北坐标", crs="EPSG:4547")
    assert frame.crs.to_epsg() == 4547 and frame.geometry.iloc[1].x == 500200


def test_real_firms_csv_outside_china_needs_an_explicit_crs():
    path = REALDATA / "firms" / "world_fires_1_day_modis_c61.csv"
    with pytest.raises(CRSError, match="EPSG:4326"):
        inspect_source(path)
    info = inspect_source(path, crs="EPSG:4326")
    assert info.feature_count == 3125 and info.crs == "EPSG:4326"
    frame = read_source(path, crs=4326, max_features=10)
    assert len(frame) == 10 and frame["acq_time"].iloc[0] == "0050"


def test_real_table_without_coordinates_says_which_columns_it_has():
    with pytest.raises(LayerImportError) as err:
        inspect_source(STREETS)
    assert "streets_township_names_2023.csv" in str(err.value) and "'areaCode'" in str(err.value)


def test_xlsx_with_centre_coordinates_and_a_title_row(tmp_path):
    path = tmp_path / "污染源.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "企业"
    ws.append(["某区重点污染源清单"])
    ws.append(["企业名称", "中心经度", "中心纬度", "统一社会信用代码"])
    ws.append(["甲化工", 113.25, 28.5, "91430100MA4L000001"])
    ws.append(["㮾梨砖厂", "113.3", "28.6", "91430100MA4L000002"])
    wb.create_sheet("说明").append(["填表说明"])
    wb.save(path)
    info = inspect_source(path)
    assert info.format == "xlsx" and info.layers == ["企业", "说明"] and info.layer == "企业"
    assert info.fields == ["企业名称", "中心经度", "中心纬度", "统一社会信用代码"]
    assert info.feature_count == 2 and info.crs_source == "guessed"
    frame = read_source(path)
    assert list(frame["企业名称"]) == ["甲化工", "㮾梨砖厂"]
    assert frame.geometry.iloc[0].x == pytest.approx(113.25)
    assert frame["中心经度"].iloc[0] == "113.25"
    with pytest.raises(LayerImportError, match=r"no longitude"):
        read_source(path, layer="说明")


def test_unsupported_and_missing_files_say_what_to_do(tmp_path):
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(LayerImportError, match=r"old\.xls.*save it as \.xlsx"):
        read_source(tmp_path / "old.xls")
    with pytest.raises(LayerImportError, match="does not exist"):
        read_source(tmp_path / "nope.shp")

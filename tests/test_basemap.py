"""Offline basemaps: tile packages read and reprojected, GCJ-02 recognised, the OSM extract, the project's list."""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import numpy as np
import pytest

from gridwatch.basemap import add_basemap, basemap_folder, carry_basemaps, list_basemaps
from gridwatch.basemap.chinese import detect_datum, wgs84_to_gcj02
from gridwatch.basemap.demo import demo_tiles, grid_district
from gridwatch.basemap.osm import load_osm_basemap, read_osm
from gridwatch.basemap.tiles import TileRenderer, open_tiles
from gridwatch.errors import BadInputFile
from gridwatch.storage.tilepackages import write_mbtiles

# a point in the sample district (鹿泉区) and a box around it
MARK = (114.3125, 38.0912)
BBOX = (114.28, 38.07, 114.34, 38.11)


def make_mbtiles(path: Path, metadata=None, datum=None, zooms=(12, 13, 14)) -> Path:
    meta = {"name": "demo", "format": "png", "minzoom": str(min(zooms)), "maxzoom": str(max(zooms)),
            "bounds": ",".join(map(str, BBOX)), **(metadata or {})}
    return write_mbtiles(path, meta, demo_tiles(BBOX, zooms, [MARK], datum=datum))


def make_gpkg_tiles(path: Path, zooms=(12, 13, 14)) -> Path:
    """A GeoPackage tile pyramid as GDAL writes a GoogleMapsCompatible one (tables of the 1.2 spec)."""
    world = 20037508.342789244
    tiles = demo_tiles(BBOX, zooms, [MARK])
    with closing(sqlite3.connect(path)) as con:
        con.execute("PRAGMA application_id = 1196444487")
        con.executescript("""
            CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT,
              organization_coordsys_id INTEGER, definition TEXT, description TEXT);
            CREATE TABLE gpkg_contents (table_name TEXT PRIMARY KEY, data_type TEXT, identifier TEXT, description TEXT,
              last_change DATETIME, min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER);
            CREATE TABLE gpkg_tile_matrix_set (table_name TEXT PRIMARY KEY, srs_id INTEGER, min_x DOUBLE, min_y DOUBLE,
              max_x DOUBLE, max_y DOUBLE);
            CREATE TABLE gpkg_tile_matrix (table_name TEXT, zoom_level INTEGER, matrix_width INTEGER,
              matrix_height INTEGER, tile_width INTEGER, tile_height INTEGER, pixel_x_size DOUBLE, pixel_y_size DOUBLE);
            CREATE TABLE imagery (id INTEGER PRIMARY KEY AUTOINCREMENT, zoom_level INTEGER, tile_column INTEGER,
              tile_row INTEGER, tile_data BLOB);
        """)
        con.execute("INSERT INTO gpkg_spatial_ref_sys VALUES ('WGS 84 / Pseudo-Mercator', 3857, 'EPSG', 3857, '', '')")
        con.execute("INSERT INTO gpkg_contents VALUES ('imagery', 'tiles', 'imagery', '', '', ?, ?, ?, ?, 3857)",
                    (-world, -world, world, world))
        con.execute("INSERT INTO gpkg_tile_matrix_set VALUES ('imagery', 3857, ?, ?, ?, ?)", (-world, -world, world, world))
        for z in zooms:
            n = 1 << z
            con.execute("INSERT INTO gpkg_tile_matrix VALUES ('imagery', ?, ?, ?, 256, 256, ?, ?)",
                        (z, n, n, 2 * world / n / 256, 2 * world / n / 256))
        con.executemany("INSERT INTO imagery (zoom_level, tile_column, tile_row, tile_data) VALUES (?, ?, ?, ?)",
                        [(z, x, y, d) for (z, x, y), d in tiles.items()])
        con.commit()
    return path


def make_pmtiles(path: Path, tmp: Path) -> Path:
    from pmtiles.convert import mbtiles_to_pmtiles

    mb = make_mbtiles(tmp / "for-pm.mbtiles")
    mbtiles_to_pmtiles(str(mb), str(path), None)
    return path


def _red_centre(img: np.ndarray) -> tuple[float, float]:
    red = (img[..., 0] > 200) & (img[..., 1] < 60) & (img[..., 2] < 60)
    rows, cols = np.nonzero(red)
    assert len(rows), "marker not drawn"
    return float(cols.mean()), float(rows.mean())


def _view(width=400, height=300, half=0.004):
    lon, lat = MARK
    kx = np.cos(np.radians(38.09))
    return (lon - half / kx * width / height, lat - half, lon + half / kx * width / height, lat + half), width, height


@pytest.mark.parametrize("kind", ["mbtiles", "gpkg", "pmtiles"])
def test_tile_packages_are_read_and_reprojected_to_the_cgcs2000_view(tmp_path, kind):
    path = {"mbtiles": lambda: make_mbtiles(tmp_path / "t.mbtiles"),
            "gpkg": lambda: make_gpkg_tiles(tmp_path / "t.gpkg"),
            "pmtiles": lambda: make_pmtiles(tmp_path / "t.pmtiles", tmp_path)}[kind]()
    src = open_tiles(path)
    assert (src.kind, src.min_zoom, src.max_zoom) == ({"gpkg": "gpkg"}.get(kind, kind), 12, 14)
    r = TileRenderer(src)
    extent, w, h = _view()
    img = r.render(extent, w, h)
    assert img.shape == (h, w, 4) and img[..., 3].min() == 255  # the view lies inside the package: all drawn
    cx, cy = _red_centre(img)
    # the marker drawn at MARK's Web Mercator pixel lands on MARK's pixel of the CGCS2000 view
    assert abs(cx - w / 2) <= 1.5 and abs(cy - h / 2) <= 1.5
    assert r.zoom_for((extent[2] - extent[0]) / w) == 14
    # far away from the package: transparent, nothing drawn
    far = r.render((100.0, 30.0, 100.01, 30.01), 50, 50)
    assert far[..., 3].max() == 0
    src.close()


def test_gcj02_packages_are_recognised_and_refused_or_shifted(tmp_path, sample_copy):
    gcj = make_mbtiles(tmp_path / "amap.mbtiles", {"attribution": "© 高德地图 AutoNavi"}, datum="gcj02")
    assert detect_datum({"attribution": "© 高德地图 AutoNavi"}) == "gcj02"
    assert detect_datum({"description": "tiles from webrd01.is.autonavi.com"}) == "gcj02"
    assert detect_datum({"name": "百度地图 BD-09"}) == "bd09"
    assert detect_datum({"name": "天地图 影像 (CGCS2000)"}) is None
    assert detect_datum({"name": "OpenStreetMap"}) is None
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(BadInputFile, match="GCJ-02 .* refused .*--shift-gcj02"):
        add_basemap(sample_copy, gcj)
    assert list_basemaps(sample_copy) == [] and not basemap_folder(sample_copy).exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    entry = add_basemap(sample_copy, gcj, shift_gcj=True)
    assert entry.datum == "gcj02" and "shifted" in entry.note
    # the GCJ-02 package drew the marker where GCJ-02 puts it (hundreds of metres off) ...
    glon, glat = wgs84_to_gcj02(np.array([MARK[0]]), np.array([MARK[1]]))
    off_m = np.hypot((glon[0] - MARK[0]) * 111320 * np.cos(np.radians(MARK[1])), (glat[0] - MARK[1]) * 111320)
    assert 100 < off_m < 1000
    extent, w, h = _view()
    unshifted = TileRenderer(open_tiles(gcj)).render(extent, w, h)
    ux, uy = _red_centre(unshifted)
    assert np.hypot(ux - w / 2, uy - h / 2) > 20
    # ... and shifted, it is back on the point
    cx, cy = _red_centre(TileRenderer(open_tiles(entry.path(sample_copy)), "gcj02").render(extent, w, h))
    assert abs(cx - w / 2) <= 1.5 and abs(cy - h / 2) <= 1.5
    bd = make_mbtiles(tmp_path / "baidu.mbtiles", {"name": "百度地图"})
    with pytest.raises(BadInputFile, match="BD-09"):
        add_basemap(sample_copy, bd, shift_gcj=True)


def test_bad_tile_packages_are_refused(tmp_path, sample_copy):
    txt = tmp_path / "x.mbtiles"
    txt.write_text("not tiles")
    with pytest.raises(BadInputFile, match="x.mbtiles: not a tile package"):
        add_basemap(sample_copy, txt)
    empty = tmp_path / "e.mbtiles"
    with closing(sqlite3.connect(empty)) as con:
        con.execute("CREATE TABLE something (a)")
    with pytest.raises(BadInputFile, match="neither MBTiles"):
        add_basemap(sample_copy, empty)
    assert list_basemaps(sample_copy) == []


def test_the_osm_extract_gives_roads_and_settlements(realdata):
    themes = read_osm(realdata / "osm" / "sample.osm.pbf")
    assert len(themes["roads"]) == 36 and set(themes["roads"]["class"]) <= {"major", "minor", "path"}
    assert "Jasmine Gardens" in set(themes["roads"]["name"])
    assert (themes["roads"]["class"] == "major").sum() == 2  # the Hatfield Tunnel (A1(M)) and Wellfield Road
    assert len(themes["areas"]) == 1  # the residential landuse
    with pytest.raises(BadInputFile, match="no roads, rivers, water or settlements within"):
        read_osm(realdata / "osm" / "sample.osm.pbf", bbox=BBOX)  # the extract is in England, not Hebei


def test_basemaps_registered_for_a_project_travel_with_a_checkout(tmp_path, sample_path, realdata):
    share = tmp_path / "share"
    share.mkdir()
    shared = share / "district.gpkg"
    shutil.copyfile(sample_path, shared)
    add_basemap(shared, make_mbtiles(tmp_path / "imagery.mbtiles"), name="影像")
    add_basemap(shared, make_pmtiles(tmp_path / "relief.pmtiles", tmp_path))
    assert [b.name for b in list_basemaps(shared)] == ["影像", "relief"]
    laptop = tmp_path / "laptop" / "district.gpkg"
    laptop.parent.mkdir()
    shutil.copyfile(shared, laptop)
    assert carry_basemaps(shared, laptop) == 2
    got = list_basemaps(laptop)
    assert [b.name for b in got] == ["影像", "relief"] and all(b.path(laptop).is_file() for b in got)
    assert carry_basemaps(shared, laptop) == 0  # already there


def test_an_osm_basemap_cut_to_a_district(tmp_path, realdata):
    project = grid_district(tmp_path / "welwyn.gpkg", (-0.2415, 51.7600, -0.2163, 51.7743))
    entry = add_basemap(project, realdata / "osm" / "sample.osm.pbf", name="OSM")
    assert entry.kind == "osm" and "roads 36" in entry.note
    themes = load_osm_basemap(entry.path(project))
    assert len(themes["roads"]) == 36 and themes["roads"].crs.to_epsg() == 4490

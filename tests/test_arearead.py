"""The map's own read of area layers (gridwatch.mapview.arearead: sqlite3 and numpy, for the first paint) gives
what the usual read through GDAL and geopandas gives: the same rings, outline pieces, bounds, colours, labels,
and, when first asked for, the same geometries and attributes."""

from __future__ import annotations

import shutil
from contextlib import closing

import numpy as np
import pytest
import shapely

from gridwatch.layers import LAYERS
from gridwatch.mapview.arearead import read_area_layer
from gridwatch.mapview.data import prepare_layer
from gridwatch.storage import Project
from gridwatch.storage.gpkg import connect_readwrite, geometry_to_blob, transaction

from .conftest import SAMPLE

AREAS = [n for n, s in LAYERS.items() if s.geometry_type != "Point"]
ARRAYS = ("ring_xy", "ring_offsets", "ring_feature", "piece_start", "piece_stop", "piece_feature", "piece_bounds",
          "category")


def _same(fast, usual) -> None:  # type: ignore[no-untyped-def]
    for name in ARRAYS:
        assert np.array_equal(getattr(fast, name), getattr(usual, name)), name
    assert np.allclose(fast.bounds, usual.bounds, equal_nan=True)
    assert fast.categories == usual.categories
    xy, text, priority = fast.labels()
    uxy, utext, upriority = usual.labels()
    assert np.array_equal(xy, uxy) and np.array_equal(priority, upriority)
    assert [t if isinstance(t, str) else None for t in text] == [t if isinstance(t, str) else None for t in utext]
    assert len(fast.geoms) == len(usual.geoms) and shapely.equals_exact(fast.geoms, usual.geoms, tolerance=0).all()
    frame, uframe = fast.frame, usual.frame
    assert list(frame.columns) == list(uframe.columns)
    assert frame.drop(columns="geometry").equals(uframe.drop(columns="geometry"))


@pytest.mark.parametrize("name", AREAS)
def test_the_maps_read_of_each_area_layer_matches_the_usual_read(name):
    project = Project.open(SAMPLE)
    fast = read_area_layer(project, name)
    assert fast is not None and not fast.attributes_complete  # attributes read when first asked for
    _same(fast, prepare_layer(name, project.read_layer(name)))


def test_cells_of_one_ring_are_read_without_geometry_objects_and_others_through_shapely(tmp_path):
    """The sample's cells are one-ring polygons: drawn from their bytes, geometries made on first use.  With a
    cell that has a hole the layer takes the general way, with the same result as the usual read."""
    path = tmp_path / "project.gpkg"
    shutil.copyfile(SAMPLE, path)
    project = Project.open(path)
    one_ring = read_area_layer(project, "grid_cell")
    assert one_ring is not None and one_ring.__dict__.get("_geoms_from") is not None  # no geometry made yet
    cells = project.read_layer("grid_cell")
    first = cells.geometry.iloc[0]
    holed = shapely.MultiPolygon([first.geoms[0].difference(first.centroid.buffer(first.area ** 0.5 / 8))])
    assert len(holed.geoms[0].interiors) == 1
    with closing(connect_readwrite(path)) as con, transaction(con):
        fid = con.execute("SELECT fid FROM grid_cell ORDER BY fid LIMIT 1").fetchone()[0]
        con.execute("UPDATE grid_cell SET geom = ? WHERE fid = ?", (geometry_to_blob(holed, 4490), fid))
    general = read_area_layer(project, "grid_cell")
    assert general is not None and general.__dict__.get("_geoms_from") is None  # through shapely
    assert len(general.ring_offsets) - 1 == len(one_ring.ring_offsets)  # the hole is one ring more
    _same(general, prepare_layer("grid_cell", project.read_layer("grid_cell")))

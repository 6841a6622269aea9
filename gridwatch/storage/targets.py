"""What to inspect: the cells of a village or township, the cell holding a feature."""

from __future__ import annotations

import os
from contextlib import closing
from typing import Optional, Sequence

from ..errors import StorageError
from .findings import cell_at
from .gpkg import blob_to_geometry, connect_readonly

#: Feature layers whose features can be the target of a task, with the task kind they suggest.
TARGET_LAYERS = {"fire_point": "fire_check", "construction_site": "construction_dust", "mine": "mine",
                 "coal_ban_zone": "coal_ban", "fireworks_ban_zone": "fireworks"}


def cells_in_area(path: os.PathLike[str] | str, *, village: Optional[str] = None,
                  township: Optional[str] = None) -> list[str]:
    """Codes of the cells of a village or township, given by code or exact name.

    Raises StorageError naming the village/township when nothing matches (or a name is ambiguous).
    """
    if (village is None) == (township is None):
        raise ValueError("give a village or a township")
    table, value = ("village", village) if village is not None else ("township", township)
    column = "village_code" if table == "village" else "township_code"
    with closing(connect_readonly(path)) as con:
        if table == "village":
            codes = [r[0] for r in con.execute("SELECT code FROM village WHERE code = ? OR name = ?", (value, value))]
        else:
            codes = [r[0] for r in con.execute("SELECT code FROM township WHERE code = ? OR name = ?", (value, value))]
        if not codes:
            raise StorageError(f"{path}: no {table} with code or name {value!r}")
        if len(codes) > 1:
            raise StorageError(f"{path}: {len(codes)} {table}s are called {value!r}; give the code "
                               f"({', '.join(codes[:5])})")
        sql = ("SELECT code FROM grid_cell WHERE village_code = ? ORDER BY code" if column == "village_code"
               else "SELECT code FROM grid_cell WHERE township_code = ? ORDER BY code")
        return [r[0] for r in con.execute(sql, (codes[0],))]


def cells_for_features(path: os.PathLike[str] | str, layer: str, uuids: Sequence[str]) -> list[tuple[str, str]]:
    """``(cell_code, feature_uuid)`` for features of a target layer: the cell each lies in.

    A fire point knows its cell; a site, mine or zone is placed by a point inside it (a zone or a
    large site spanning cells goes to the cell holding that point).  Features outside every cell
    are refused by name.
    """
    if layer not in TARGET_LAYERS:
        raise StorageError(f"tasks cannot target layer {layer!r}; layers: {', '.join(TARGET_LAYERS)}")
    out: list[tuple[str, str]] = []
    missing: list[str] = []
    with closing(connect_readonly(path)) as con:
        for uid in dict.fromkeys(uuids):
            if layer == "fire_point":
                row = con.execute("SELECT cell_code, geom FROM fire_point WHERE uuid = ?", (uid,)).fetchone()
            elif layer == "construction_site":
                row = con.execute("SELECT NULL, geom FROM construction_site WHERE uuid = ?", (uid,)).fetchone()
            elif layer == "mine":
                row = con.execute("SELECT NULL, geom FROM mine WHERE uuid = ?", (uid,)).fetchone()
            elif layer == "coal_ban_zone":
                row = con.execute("SELECT NULL, geom FROM coal_ban_zone WHERE uuid = ?", (uid,)).fetchone()
            else:
                row = con.execute("SELECT NULL, geom FROM fireworks_ban_zone WHERE uuid = ?", (uid,)).fetchone()
            if row is None:
                raise StorageError(f"{path}: no {layer} feature {uid}")
            code = row[0]
            if code is None and row[1] is not None:
                p = blob_to_geometry(row[1]).representative_point()
                code = cell_at(con, p.x, p.y)
            if code is None:
                missing.append(uid)
            else:
                out.append((code, uid))
    if missing:
        raise StorageError(f"{path}: {len(missing)} {layer} feature(s) lie outside every grid cell "
                           f"({', '.join(missing[:3])}); assign their nearest cell by hand")
    return out

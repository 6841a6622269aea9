"""A GeoPackage layer's spatial index (SQLite R*Tree) built in one go, for bulk loads.

Inserting a box into SQLite's R*Tree walks the tree, picks the child whose box grows least and splits
full nodes (re-inserting a share of their entries): about 20 microseconds per box, 15 s of CPU for a
season of fire points added to a stress district.  A load that brings at least a quarter of a
layer's rows instead rebuilds the whole index, packed: every entry (the old ones read from the
index, the new ones given) is sorted into full nodes by Sort-Tile-Recursive (Leutenegger et al.
1997), and the nodes are written straight into the R*Tree's three tables, in the format SQLite's
``rtree.c`` reads and writes, as GDAL's own bulk loader does (``sqlite_rtree_bulk_load.c``) when
``ogr2ogr`` makes a new layer:

* ``<name>_node(nodeno, data)``: node 1 is the root; ``data`` is the node's fixed-size blob: a
  big-endian 16-bit depth of the tree (root only, 0 elsewhere), a 16-bit cell count, then cells of
  a 64-bit id (the row's id in a leaf, the child's node number above) and the box as 32-bit floats
  ``minx, maxx, miny, maxy``, all big-endian, the rest zeros;
* ``<name>_rowid(rowid, nodeno)``: each entry's leaf; ``<name>_parent(nodeno, parentnode)``: each
  non-root node's parent.

New boxes are rounded to 32-bit floats outwards exactly as ``rtree.c`` rounds them
(``rtreeValueDown``/``rtreeValueUp``), so an entry is bit for bit what the trigger would have
stored.  Everything runs in the caller's transaction: a rollback restores the old index.  Only the
plain 2-D R*Tree GeoPackages use (``rtree(id, minx, maxx, miny, maxy)``, no auxiliary columns) is
rebuilt; anything else returns False and the caller inserts its entries one by one.
"""

from __future__ import annotations

import math
import re
import sqlite3
from typing import Optional

import numpy as np

from .gpkg import quote_ident, sqlite_tables

#: rtree.c's constants for rounding a double to the float below / above it.
_TOWARDS = 1.0 - 1.0 / 8388608.0
_AWAY = 1.0 + 1.0 / 8388608.0
#: Bytes per cell of a 2-D R*Tree: the 64-bit id and four 32-bit floats.
_CELL = np.dtype([("id", ">i8"), ("box", ">f4", (4,))])
_RTREE_SQL = re.compile(r'^CREATE VIRTUAL TABLE\s+"?[^"(]+"?\s+USING\s+rtree\s*\(\s*id\s*,\s*minx\s*,\s*maxx\s*,'
                        r'\s*miny\s*,\s*maxy\s*\)\s*$', re.IGNORECASE)


def round_down(d: np.ndarray) -> np.ndarray:
    """The 32-bit floats ``rtree.c`` stores for minimum coordinates ``d`` (never above ``d``)."""
    d = np.asarray(d, dtype=np.float64)
    f = d.astype(np.float32)
    up = f.astype(np.float64) > d
    if up.any():
        f[up] = (d[up] * np.where(d[up] < 0, _AWAY, _TOWARDS)).astype(np.float32)
    return f


def round_up(d: np.ndarray) -> np.ndarray:
    """The 32-bit floats ``rtree.c`` stores for maximum coordinates ``d`` (never below ``d``)."""
    d = np.asarray(d, dtype=np.float64)
    f = d.astype(np.float32)
    down = f.astype(np.float64) < d
    if down.any():
        f[down] = (d[down] * np.where(d[down] < 0, _TOWARDS, _AWAY)).astype(np.float32)
    return f


def _plain_rtree(con: sqlite3.Connection, name: str) -> bool:
    """Whether ``name`` is a 2-D R*Tree of 32-bit floats without auxiliary columns, with its three tables."""
    row = con.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone()
    if row is None or not row[0] or not _RTREE_SQL.match(row[0].strip()):
        return False
    tables = sqlite_tables(con)
    for suffix, cols in (("_node", ["nodeno", "data"]), ("_rowid", ["rowid", "nodeno"]),
                         ("_parent", ["nodeno", "parentnode"])):
        if name + suffix not in tables:
            return False
        got = [r[1] for r in con.execute("PRAGMA table_info(" + quote_ident(name + suffix, tables) + ")")]
        if got != cols:
            return False
    return True


def _str_order(boxes: np.ndarray, capacity: int) -> np.ndarray:
    """Sort-Tile-Recursive order of ``boxes`` (n, 4: minx, maxx, miny, maxy): vertical slices of whole nodes by the
    centres' x, each slice sorted by y, so consecutive runs of ``capacity`` make compact nodes."""
    n = len(boxes)
    nodes = math.ceil(n / capacity)
    per_slice = math.ceil(math.sqrt(nodes)) * capacity
    cx = boxes[:, 0].astype(np.float64) + boxes[:, 1]
    cy = boxes[:, 2].astype(np.float64) + boxes[:, 3]
    by_x = np.argsort(cx)
    band = np.empty(n, dtype=np.float64)
    band[by_x] = np.arange(n) // per_slice
    # one sort of band + y scaled into [0, 1): bands in order, each by y (a lexsort of the two takes twice as long)
    low, span = cy.min(), float(cy.max() - cy.min()) or 1.0
    return np.argsort(band + (cy - low) / (span * (1.0 + 1e-9)))


def _group_boxes(boxes: np.ndarray, capacity: int) -> np.ndarray:
    """Each node's box: the union of its run of ``capacity`` consecutive boxes."""
    starts = np.arange(0, len(boxes), capacity)
    return np.column_stack([np.minimum.reduceat(boxes[:, 0], starts), np.maximum.reduceat(boxes[:, 1], starts),
                            np.minimum.reduceat(boxes[:, 2], starts), np.maximum.reduceat(boxes[:, 3], starts)])


def _blobs(ids: np.ndarray, boxes: np.ndarray, capacity: int, node_size: int, depth: int) -> np.ndarray:
    """The node blobs (one row of ``node_size`` bytes each) of consecutive runs of ``capacity`` cells."""
    count = math.ceil(len(ids) / capacity)
    cells = np.zeros(count * capacity, dtype=_CELL)
    cells["id"][:len(ids)] = ids
    cells["box"][:len(ids)] = boxes
    out = np.zeros((count, node_size), dtype=np.uint8)
    out[:, 4:4 + capacity * _CELL.itemsize] = cells.view(np.uint8).reshape(count, capacity * _CELL.itemsize)
    filled = np.full(count, capacity, dtype=">u2")
    filled[-1] = len(ids) - (count - 1) * capacity
    out[:, 2:4] = filled.view(np.uint8).reshape(count, 2)
    out[:, 0:2] = np.array([depth], dtype=">u2").view(np.uint8)
    return out


def _entries(con: sqlite3.Connection, node_t: str, rowid_t: str, parent_t: str, node_size: int, capacity: int
             ) -> Optional[tuple[np.ndarray, np.ndarray]]:
    """Every entry of the tree (ids, boxes as stored 32-bit floats), decoded from its leaves' blobs: the nodes that are
    no node's parent (the root too when it is the only node).  A scan of the virtual table makes a Python tuple per
    entry, twenty times slower.  None if the tables do not hold what ``rtree.c`` writes."""
    blobs = [r[0] for r in con.execute("SELECT data FROM " + node_t + " WHERE nodeno NOT IN (SELECT parentnode FROM "
                                       + parent_t + ")")]
    if not blobs or any(len(b) != node_size for b in blobs):
        return None
    raw = np.frombuffer(b"".join(blobs), dtype=np.uint8).reshape(len(blobs), node_size)
    count = raw[:, 2:4].copy().view(">u2").ravel().astype(np.int64)
    if (count > capacity).any():
        return None
    cells = np.ascontiguousarray(raw[:, 4:4 + capacity * _CELL.itemsize]).view(_CELL).reshape(len(blobs), capacity)
    used = np.arange(capacity)[None, :] < count[:, None]
    ids = cells["id"][used].astype(np.int64)
    if len(ids) != con.execute("SELECT COUNT(*) FROM " + rowid_t).fetchone()[0]:
        return None
    return ids, cells["box"][used].astype(np.float32)


#: Pairs of whole numbers go to SQLite packed two in one (``a * 2**_PAIR_BITS + b``) when both fit.
_PAIR_BITS = 26


def insert_pairs(con: sqlite3.Connection, insert: str, a: np.ndarray, b: np.ndarray) -> None:
    """Run ``insert`` (``INSERT INTO t (x, y) ``, names already checked) for the pairs ``(a[i], b[i])`` of whole
    numbers.  They go in as one JSON array of packed numbers unpacked by SQLite's ``json_each`` (C throughout: half
    the CPU of ``executemany``, which makes a tuple and binds two values per row); pairs that do not fit in 63 bits
    packed (not the ids and node numbers of a district) take ``executemany``."""
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    if not len(a):
        return
    if a.min() >= 0 and b.min() >= 0 and b.max() < (1 << _PAIR_BITS) and a.max() < (1 << (62 - _PAIR_BITS)):
        packed = "[" + ",".join(map(str, ((a << _PAIR_BITS) | b).tolist())) + "]"
        con.execute(insert + "SELECT value >> ?, value & ? FROM json_each(?)",
                    (_PAIR_BITS, (1 << _PAIR_BITS) - 1, packed))
    else:
        con.executemany(insert + "VALUES (?, ?)", zip(a.tolist(), b.tolist()))


def rebuild(con: sqlite3.Connection, name: str, new_ids: np.ndarray, new_boxes: np.ndarray) -> bool:
    """Rebuild R*Tree ``name`` packed, holding its current entries and ``new_ids`` with ``new_boxes`` (n, 4 doubles:
    ``minx, maxx, miny, maxy``, rounded outwards to 32-bit floats here).  Inside the caller's transaction.
    Returns False, changing nothing, when ``name`` is not a plain 2-D R*Tree (see the module doc)."""
    if not _plain_rtree(con, name):
        return False
    tables = sqlite_tables(con)
    node_t, rowid_t, parent_t = (quote_ident(name + s, tables) for s in ("_node", "_rowid", "_parent"))
    root = con.execute("SELECT length(data) FROM " + node_t + " WHERE nodeno = 1").fetchone()
    if root is None or root[0] is None:
        return False
    node_size = int(root[0])
    capacity = (node_size - 4) // _CELL.itemsize
    if capacity < 4:
        return False
    old = _entries(con, node_t, rowid_t, parent_t, node_size, capacity)
    if old is None:
        return False
    old_ids, old_boxes = old
    new_boxes = np.asarray(new_boxes, dtype=np.float64).reshape(-1, 4)
    ids = np.concatenate([old_ids, np.asarray(new_ids, dtype=np.int64)])
    boxes = np.concatenate([old_boxes,
                            np.column_stack([round_down(new_boxes[:, 0]), round_up(new_boxes[:, 1]),
                                             round_down(new_boxes[:, 2]), round_up(new_boxes[:, 3])])])
    # Levels bottom up: each level's entries in STR order, grouped by `capacity` into the next level's nodes.
    levels: list[tuple[np.ndarray, np.ndarray]] = []  # (child ids or level-local node indexes, boxes) per level
    level_ids, level_boxes = ids, boxes
    while True:
        order = _str_order(level_boxes, capacity) if len(level_ids) > capacity else np.arange(len(level_ids))
        level_ids, level_boxes = level_ids[order], level_boxes[order]
        levels.append((level_ids, level_boxes))
        if len(level_ids) <= capacity:
            break
        level_boxes = _group_boxes(level_boxes, capacity)
        level_ids = np.arange(len(level_boxes), dtype=np.int64)
    # Node numbers top down: the root is 1, then each level's nodes in order.
    depth = len(levels) - 1
    first = [0] * len(levels)  # node number of the first node of the nodes each level's entries fill
    number = 1
    for k in range(depth, -1, -1):
        first[k] = number
        number += math.ceil(len(levels[k][0]) / capacity) if len(levels[k][0]) else 1
    for table in (node_t, rowid_t, parent_t):
        con.execute("DELETE FROM " + table)
    nodes: list[tuple[int, bytes]] = []
    parents: list[tuple[int, int]] = []
    for k, (entry_ids, entry_boxes) in enumerate(levels):
        # entries of level k fill the nodes first[k]...; above the leaves an entry's id is the index of its node
        # in level k - 1, which becomes that node's number
        cell_ids = entry_ids if k == 0 else entry_ids + first[k - 1]
        if len(entry_ids) == 0:
            nodes.append((first[k], bytes(node_size)))
            continue
        blobs = _blobs(cell_ids, entry_boxes, capacity, node_size, depth if k == depth else 0)
        nodes += [(first[k] + i, blobs[i].tobytes()) for i in range(len(blobs))]
        holder = first[k] + np.arange(len(entry_ids)) // capacity
        if k == 0:
            by_row = np.argsort(cell_ids)  # rowid order: appends to the table's B-tree
            insert_pairs(con, "INSERT INTO " + rowid_t + " (rowid, nodeno) ", cell_ids[by_row], holder[by_row])
        else:
            parents += list(zip(cell_ids.tolist(), holder.tolist()))
    con.executemany("INSERT INTO " + node_t + " (nodeno, data) VALUES (?, ?)", nodes)
    con.executemany("INSERT INTO " + parent_t + " (nodeno, parentnode) VALUES (?, ?)", sorted(parents))
    return True

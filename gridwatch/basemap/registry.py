"""The basemaps of a project: registered once, kept in a folder beside the project file, carried by a checkout.

``district.gpkg`` keeps its basemaps in ``district.basemaps/``: copies of the tile packages (MBTiles,
GeoPackage tiles, PMTiles) and the OpenStreetMap themes already cut to the district, listed in
``basemaps.json``.  Basemaps are not rows of the project: they are big, the same for everybody and
never edited, so the sync does not carry them; a checkout copies the folder beside the laptop's copy
(:func:`carry_basemaps`), and ``gridwatch basemap add`` on a laptop adds one there.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Optional

from ..errors import BadInputFile, GridWatchError

INDEX = "basemaps.json"
TILE_SUFFIXES = (".mbtiles", ".gpkg", ".pmtiles")
OSM_SUFFIXES = (".pbf", ".osm")


@dataclass(frozen=True)
class Basemap:
    """One registered basemap: ``kind`` "tiles" or "osm", its file in the folder, its datum and note."""

    name: str
    kind: str
    file: str
    datum: Optional[str] = None
    note: str = ""
    added_at: str = ""

    def path(self, project: os.PathLike[str] | str) -> Path:
        return basemap_folder(project) / self.file


def basemap_folder(project: os.PathLike[str] | str) -> Path:
    p = Path(project)
    return p.with_name(p.stem + ".basemaps")


def list_basemaps(project: os.PathLike[str] | str) -> list[Basemap]:
    """The project's basemaps in drawing order (first drawn first); none when the folder is missing."""
    index = basemap_folder(project) / INDEX
    if not index.is_file():
        return []
    try:
        items = json.loads(index.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise GridWatchError(f"{index}: the list of basemaps cannot be read ({exc}); remove the file and add the "
                             "basemaps again") from exc
    out = []
    for item in items:
        b = Basemap(**{k: item.get(k) for k in ("name", "kind", "file", "datum", "note", "added_at")})
        if b.path(project).is_file():
            out.append(b)
    return out


def _write_index(project: os.PathLike[str] | str, items: list[Basemap]) -> None:
    folder = basemap_folder(project)
    tmp = folder / (INDEX + ".tmp")
    tmp.write_text(json.dumps([asdict(b) for b in items], ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, folder / INDEX)


def add_basemap(project: os.PathLike[str] | str, file: os.PathLike[str] | str, *, name: Optional[str] = None,
                shift_gcj: bool = False, now: Optional[_dt.datetime] = None) -> Basemap:
    """Register ``file`` as a basemap of ``project``.

    Tile packages are checked (readable, Web Mercator, not GCJ-02 unless ``shift_gcj``, never BD-09)
    and copied; an OSM extract is cut to the district (with a 5 km margin) and its themes written.
    Nothing is left behind when the file is refused.

    Raises
    ------
    BadInputFile
        The file is not a tile package or extract GridWatch reads, or its datum is refused.
    """
    from ..storage import Project

    proj = Project.open(project)
    src = Path(file)
    if not src.is_file():
        raise BadInputFile(f"{src}: no such file")
    suffix = src.suffix.lower()
    folder = basemap_folder(proj.path)
    stamp = (now or _dt.datetime.now(_dt.timezone.utc)).astimezone(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    label = name or src.name.split(".")[0]
    if suffix in TILE_SUFFIXES:
        from .tiles import TileRenderer, describe_datum

        renderer = TileRenderer.for_file(src, shift_gcj=shift_gcj)
        datum = renderer.datum
        renderer.source.close()
        note = describe_datum(datum) + ("; shifted into place by GridWatch" if datum else "")
        folder.mkdir(exist_ok=True)
        target = folder / _unique(folder, src.name)
        tmp = target.with_name("." + target.name + ".tmp")
        shutil.copyfile(src, tmp)
        os.replace(tmp, target)
        entry = Basemap(label, "tiles", target.name, datum, note, stamp)
    elif suffix in OSM_SUFFIXES:
        from .osm import read_osm, write_osm_basemap

        minx, miny, maxx, maxy = _district_bounds(proj)
        margin = 0.05  # about 5 km
        themes = read_osm(src, bbox=(minx - margin, miny - margin, maxx + margin, maxy + margin))
        counts = ", ".join(f"{k} {len(v)}" for k, v in themes.items())
        folder.mkdir(exist_ok=True)
        target = folder / _unique(folder, src.name.split(".")[0] + ".osm.gpkg")
        write_osm_basemap(themes, target)
        entry = Basemap(label, "osm", target.name, None, f"OpenStreetMap: {counts}", stamp)
    else:
        raise BadInputFile(f"{src}: not a basemap GridWatch reads; choose an .mbtiles, .gpkg (tiles) or .pmtiles "
                           "tile package, or an OpenStreetMap .osm.pbf extract")
    items = [b for b in list_basemaps(proj.path) if b.file != entry.file] + [entry]
    _write_index(proj.path, items)
    return entry


def remove_basemap(project: os.PathLike[str] | str, name: str) -> None:
    items = list_basemaps(project)
    keep = [b for b in items if b.name != name]
    if len(keep) == len(items):
        raise GridWatchError(f"{project}: no basemap called {name!r}")
    for b in items:
        if b.name == name:
            b.path(project).unlink(missing_ok=True)
    _write_index(project, keep)


def carry_basemaps(source_project: os.PathLike[str] | str, target_project: os.PathLike[str] | str) -> int:
    """Copy the basemaps of ``source_project`` (the shared project) beside ``target_project`` (a checkout).

    Files already there with the same size are kept.  Returns how many files were copied.
    """
    src = basemap_folder(source_project)
    if not (src / INDEX).is_file():
        return 0
    dst = basemap_folder(target_project)
    dst.mkdir(exist_ok=True)
    copied = 0
    for b in list_basemaps(source_project):
        s, d = src / b.file, dst / b.file
        if d.is_file() and d.stat().st_size == s.stat().st_size:
            continue
        tmp = d.with_name("." + d.name + ".tmp")
        shutil.copyfile(s, tmp)
        os.replace(tmp, d)
        copied += 1
    mine = {b.file for b in list_basemaps(target_project)} if (dst / INDEX).is_file() else set()
    _write_index(target_project, list_basemaps(source_project) + [b for b in list_basemaps(target_project)
                                                                   if b.file in mine and b.file not in
                                                                   {x.file for x in list_basemaps(source_project)}])
    return copied


def _unique(folder: Path, name: str) -> str:
    if not (folder / name).exists():
        return name
    stem, dot, ext = name.partition(".")
    n = 2
    while (folder / f"{stem}-{n}{dot}{ext}").exists():
        n += 1
    return f"{stem}-{n}{dot}{ext}"


def _district_bounds(project) -> tuple[float, float, float, float]:  # type: ignore[no-untyped-def]
    cells = project.read_layer("grid_cell", columns=["code"])
    if len(cells):
        return tuple(float(v) for v in cells.total_bounds)  # type: ignore[return-value]
    towns = project.read_layer("township", columns=["code"])
    if len(towns):
        return tuple(float(v) for v in towns.total_bounds)  # type: ignore[return-value]
    raise GridWatchError(f"{project.path}: the project has no cells or townships to cut the basemap to")

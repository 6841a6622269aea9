"""Baseline: how fast does QGIS render a GridWatch GeoPackage headless?

Run with the *system* interpreter (Debian ``python3-qgis``, Qt5), not the project venv::

    QT_QPA_PLATFORM=offscreen /usr/bin/python3 benchmarks/qgis_render.py GPKG \\
        --width 1600 --height 1000 --repeats 5 [--json] [--save-png DIR]

GridWatch's own renderer is compared against this number, so the script tries to reproduce what a
QGIS user would get when they add the district's layers to a map and look at it:

* every map layer of the GeoPackage through the ``ogr`` provider; ``construction_site`` has a
  mixed ``GEOMETRY`` column, so it is loaded as two sublayers split by geometry type
  (``|geometrytype=Point`` and ``|geometrytype=Polygon``), as the QGIS sublayer dialog does;
* simple, default-like single-symbol styles in pixel units (outlines, translucent zone fills,
  2.5 px orange fire-point dots), no labels;
* ``QgsMapSettings`` with the requested output size, destination CRS EPSG:4490, a white
  background, antialiasing on, and ``UseRenderingOptimization`` on (on-the-fly simplification
  of geometries below 1 px, which the QGIS map canvas, QGIS Server and layouts all enable; pass
  ``--no-simplify`` to switch it off).

Measured (each value is the median of ``--repeats`` runs; a run is ``job.start()`` +
``job.waitForFinished()`` timed with ``time.perf_counter``; a fresh ``QgsMapSettings`` and a fresh
job per run):

``open_s``
    creating the ``QgsVectorLayer`` objects and checking they are valid (one run).
``full_view_s`` / ``full_view_parallel_s``
    the whole district (union of the layer extents, padded 2 % each side) with
    ``QgsMapRendererSequentialJob`` (one render thread) and ``QgsMapRendererParallelJob``
    (one thread per layer, thread pool limited to ``--threads``, default 2). No
    ``QgsMapRendererCache`` is set, so every run reads the features from the GeoPackage again
    (the OS page cache is warm after the first run, as it would be for a user panning around).
``zoom16_s`` / ``zoom16_parallel_s``
    the same two renderers on an extent 1/4 the width and 1/4 the height of the full view
    (1/16 of its area), centred on the full view's centre.
``first_paint_s`` / ``peak_mb_first_paint`` / ``peak_mb_views``
    from the start of this process (before QGIS is imported) to the first full-view render done (QGIS
    start-up, layers opened and styled, one sequential render), as GridWatch's open to first painted
    map is timed; peak memory then, and after the full-view and 1/16 renders above.
``cache_hit_s``
    sequential job with a ``QgsMapRendererCache``: one render fills the cache, then re-renders of
    the same view are timed. Every layer must be reported by ``layersRedrawnFromCache()``, else
    the script fails (it would not be measuring a cache hit).
``memory_copy_s`` / ``from_memory_full_view_s``
    every layer copied with ``QgsVectorLayer.materialize()`` into ``memory`` provider layers (one
    run, all layers together), then the full view rendered from those copies with the sequential
    job: rendering cost without the GeoPackage/OGR read.

Every job's ``errors()`` must be empty and every image must differ from a blank background;
anything else is an error (exit status 1). The GeoPackage is only read: its size, mtime and
SQLite header are compared before and after, and a difference is an error too (exit status 3).

Output: a human-readable table on stdout, or with ``--json`` a single JSON object as the last line
of stdout. Progress and per-run timings go to stderr. ``--save-png DIR`` writes ``full_view.png``
and ``zoom16.png`` (sequential renders) so a person can look at them.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path

#: Process start (before QGIS is imported): the first paint is timed from here, as GridWatch's is.
T_START = time.perf_counter()
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import (  # noqa: E402  (needs QT_QPA_PLATFORM before Qt is loaded)
    Qgis,
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsFeatureRequest,
    QgsFillSymbol,
    QgsMapRendererCache,
    QgsMapRendererParallelJob,
    QgsMapRendererSequentialJob,
    QgsMapSettings,
    QgsMarkerSymbol,
    QgsRectangle,
    QgsSingleSymbolRenderer,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QSize  # noqa: E402
from qgis.PyQt.QtGui import QColor, QImage  # noqa: E402

CRS_AUTHID = "EPSG:4490"

#: Layers in drawing order, bottom first: (key, GeoPackage layer, geometrytype filter or None,
#: symbol factory, symbol properties). Sizes and widths are in pixels.
LAYER_SPECS = [
    ("coal_ban_zone", "coal_ban_zone", None, QgsFillSymbol, {
        "color": "90,90,90,60", "outline_color": "90,90,90,160",
        "outline_width": "1", "outline_width_unit": "Pixel"}),
    ("fireworks_ban_zone", "fireworks_ban_zone", None, QgsFillSymbol, {
        "color": "220,40,40,60", "outline_color": "220,40,40,160",
        "outline_width": "1", "outline_width_unit": "Pixel"}),
    ("grid_cell", "grid_cell", None, QgsFillSymbol, {
        "style": "no", "outline_color": "200,200,200,255",
        "outline_width": "0.5", "outline_width_unit": "Pixel"}),
    ("village", "village", None, QgsFillSymbol, {
        "style": "no", "outline_color": "128,128,128,255",
        "outline_width": "1", "outline_width_unit": "Pixel"}),
    ("mine", "mine", None, QgsFillSymbol, {
        "color": "120,80,40,255", "outline_color": "60,40,20,255",
        "outline_width": "0.5", "outline_width_unit": "Pixel"}),
    ("construction_site:Polygon", "construction_site", "Polygon", QgsFillSymbol, {
        "color": "255,200,0,200", "outline_color": "160,110,0,255",
        "outline_width": "0.5", "outline_width_unit": "Pixel"}),
    ("fire_point", "fire_point", None, QgsMarkerSymbol, {
        "name": "circle", "color": "255,140,0,255", "outline_style": "no",
        "size": "2.5", "size_unit": "Pixel"}),
    ("construction_site:Point", "construction_site", "Point", QgsMarkerSymbol, {
        "name": "square", "color": "255,200,0,255", "outline_color": "160,110,0,255",
        "outline_width": "0.5", "outline_width_unit": "Pixel", "size": "5", "size_unit": "Pixel"}),
    ("township", "township", None, QgsFillSymbol, {
        "style": "no", "outline_color": "84,39,143,255",
        "outline_width": "2", "outline_width_unit": "Pixel"}),
]


class BenchmarkError(RuntimeError):
    """A layer, a render or the source file is not what the benchmark requires."""


def log(msg: str) -> None:
    """Progress line on stderr (stdout is reserved for the table / JSON)."""
    print(msg, file=sys.stderr, flush=True)


def source_fingerprint(path: Path) -> tuple:
    """Cheap change detector for the GeoPackage: size, mtime and the 100-byte SQLite header.

    The header holds the journal mode bytes (WAL switches them) and the change counter, so any
    write through SQLite shows up here; ``-wal`` / ``-shm`` side files are listed too.
    """
    st = path.stat()
    with path.open("rb") as fh:
        header = fh.read(100)
    sidecars = tuple(s for s in ("-wal", "-shm", "-journal") if Path(f"{path}{s}").exists())
    return st.st_size, st.st_mtime_ns, header, sidecars


def open_layers(path: Path) -> dict[str, QgsVectorLayer]:
    """Create one ``ogr`` layer per entry of `LAYER_SPECS` and check it is valid.

    Returns
    -------
    dict
        key -> layer, in drawing order (bottom first).
    """
    options = QgsVectorLayer.LayerOptions(False, False)  # no default style, no XML extent
    layers = {}
    for key, table, geomtype, _factory, _props in LAYER_SPECS:
        uri = f"{path}|layername={table}"
        if geomtype:
            uri += f"|geometrytype={geomtype}"
        layer = QgsVectorLayer(uri, key, "ogr", options)
        if not layer.isValid():
            raise BenchmarkError(f"layer {key!r} is not valid: {uri}")
        layers[key] = layer
    return layers


def check_and_style(layers: dict[str, QgsVectorLayer], simplify: bool) -> QgsCoordinateReferenceSystem:
    """Check every layer's CRS, give it its symbol and (optionally) drop simplification.

    Returns
    -------
    QgsCoordinateReferenceSystem
        The common CRS (EPSG:4490), used as the destination CRS.
    """
    crs = QgsCoordinateReferenceSystem(CRS_AUTHID)
    specs = {spec[0]: spec for spec in LAYER_SPECS}
    for key, layer in layers.items():
        if layer.crs().authid() != CRS_AUTHID:
            raise BenchmarkError(f"layer {key!r} has CRS {layer.crs().authid()!r}, expected {CRS_AUTHID}")
        _key, _table, _geomtype, factory, props = specs[key]
        layer.setRenderer(QgsSingleSymbolRenderer(factory.createSimple(props)))
        if not simplify:
            method = layer.simplifyMethod()
            method.setSimplifyHints(method.NoSimplification)
            layer.setSimplifyMethod(method)
    return crs


def feature_counts(path: Path, layers: dict[str, QgsVectorLayer]) -> dict[str, int]:
    """Feature count per layer; the geometry-type sublayers must add up to the whole table."""
    counts = {key: int(layer.featureCount()) for key, layer in layers.items()}
    for table in {spec[1] for spec in LAYER_SPECS if spec[2]}:
        whole = QgsVectorLayer(f"{path}|layername={table}", table, "ogr", QgsVectorLayer.LayerOptions(False, False))
        parts = sum(counts[spec[0]] for spec in LAYER_SPECS if spec[1] == table)
        if not whole.isValid() or whole.featureCount() != parts:
            raise BenchmarkError(f"{table}: geometry-type sublayers hold {parts} features, "
                                 f"the table {whole.featureCount()}")
    if any(n < 0 for n in counts.values()):
        raise BenchmarkError(f"unknown feature count: {counts}")
    return counts


def full_extent(layers: dict[str, QgsVectorLayer], pad: float = 0.02) -> QgsRectangle:
    """Union of the layer extents, grown by `pad` of its width / height on each side."""
    ext = QgsRectangle()
    ext.setMinimal()
    for layer in layers.values():
        if layer.featureCount() > 0:
            ext.combineExtentWith(layer.extent())
    if ext.isEmpty():
        raise BenchmarkError("the layers have no extent")
    dx, dy = ext.width() * pad, ext.height() * pad
    return QgsRectangle(ext.xMinimum() - dx, ext.yMinimum() - dy, ext.xMaximum() + dx, ext.yMaximum() + dy)


def map_settings(layers: list[QgsVectorLayer], extent: QgsRectangle, crs: QgsCoordinateReferenceSystem,
                 size: QSize, simplify: bool) -> QgsMapSettings:
    """A fresh ``QgsMapSettings`` for one render.

    Parameters
    ----------
    layers
        Drawing order bottom first (``QgsMapSettings`` wants the top layer first).
    extent
        Requested extent; QGIS widens it to the output's aspect ratio (see ``visibleExtent()``).
    """
    ms = QgsMapSettings()
    ms.setLayers(list(reversed(layers)))
    ms.setDestinationCrs(crs)
    ms.setOutputSize(size)
    ms.setExtent(extent)
    ms.setBackgroundColor(QColor(255, 255, 255))
    ms.setFlag(Qgis.MapSettingsFlag.Antialiasing, True)
    ms.setFlag(Qgis.MapSettingsFlag.UseRenderingOptimization, simplify)
    ms.setFlag(Qgis.MapSettingsFlag.DrawLabeling, False)  # no layer has labels
    return ms


class Renderer:
    """Times renders of one set of layers and checks every result.

    Parameters
    ----------
    crs, size, simplify
        Passed on to `map_settings` for each run.
    """

    def __init__(self, crs: QgsCoordinateReferenceSystem, size: QSize, simplify: bool):
        self.crs, self.size, self.simplify = crs, size, simplify
        self._blank = QImage(size, QImage.Format_ARGB32_Premultiplied)
        self._blank.fill(QColor(255, 255, 255))

    def once(self, layers, extent, parallel=False, cache=None):
        """One render with a fresh settings object and job.

        Returns
        -------
        seconds : float
            Wall time of ``job.start()`` + ``job.waitForFinished()``.
        job : QgsMapRendererJob
            The finished job (for its image and cache report).
        """
        ms = map_settings(layers, extent, self.crs, self.size, self.simplify)
        job = QgsMapRendererParallelJob(ms) if parallel else QgsMapRendererSequentialJob(ms)
        if cache is not None:
            job.setCache(cache)
        t0 = time.perf_counter()
        job.start()
        job.waitForFinished()
        seconds = time.perf_counter() - t0
        errors = [f"{e.layerID}: {e.message}" for e in job.errors()]
        if errors:
            raise BenchmarkError("render errors:\n  " + "\n  ".join(errors))
        image = job.renderedImage()
        if image.isNull() or image.size() != self.size:
            raise BenchmarkError(f"bad rendered image (null={image.isNull()}, size={image.size()})")
        if image.convertToFormat(QImage.Format_ARGB32_Premultiplied) == self._blank:
            raise BenchmarkError("the rendered image is blank")
        return seconds, job

    def median(self, label, repeats, layers, extent, parallel=False, cache=None, check=None):
        """Median seconds over `repeats` runs of `once`; `check(job)` is called after each run."""
        runs = []
        for _ in range(repeats):
            seconds, job = self.once(layers, extent, parallel, cache)
            if check is not None:
                check(job)
            runs.append(seconds)
        log(f"  {label:<24} " + " ".join(f"{s:.3f}" for s in runs) + f"  -> median {statistics.median(runs):.3f} s")
        return statistics.median(runs), job


def run(path: Path, args: argparse.Namespace) -> dict:
    """Run every measurement; returns the result dict printed by `main`."""
    size = QSize(args.width, args.height)
    result = {"qgis_version": Qgis.QGIS_VERSION, "width": args.width, "height": args.height,
              "repeats": args.repeats}

    log(f"QGIS {Qgis.QGIS_VERSION}, {path} ({path.stat().st_size / 2**20:.0f} MB), "
        f"{args.width}x{args.height}, {args.repeats} repeats, threads={args.threads}, "
        f"simplify={'on' if args.simplify else 'off'}")
    t0 = time.perf_counter()
    layers = open_layers(path)
    result["open_s"] = time.perf_counter() - t0
    log(f"  open                     {result['open_s']:.3f} s")
    crs = check_and_style(layers, args.simplify)
    counts = feature_counts(path, layers)
    ordered = list(layers.values())
    renderer = Renderer(crs, size, args.simplify)

    full = full_extent(layers)
    visible = map_settings(ordered, full, crs, size, args.simplify).visibleExtent()
    centre, w, h = visible.center(), visible.width() / 4, visible.height() / 4
    zoom = QgsRectangle(centre.x() - w / 2, centre.y() - h / 2, centre.x() + w / 2, centre.y() + h / 2)

    # Open to first painted map: imports, QGIS start-up, layers opened and styled, one full render.
    renderer.once(ordered, full)
    result["first_paint_s"] = time.perf_counter() - T_START
    result["peak_mb_first_paint"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    log(f"  first paint (from start) {result['first_paint_s']:.3f} s, {result['peak_mb_first_paint']:.0f} MB")
    if args.first_paint_only:
        return result

    QgsApplication.setMaxThreads(args.threads)
    result["full_view_s"], job = renderer.median("full_view", args.repeats, ordered, full)
    full_image = job.renderedImage()
    result["full_view_parallel_s"], _ = renderer.median("full_view_parallel", args.repeats, ordered, full, True)
    result["zoom16_s"], job = renderer.median("zoom16", args.repeats, ordered, zoom)
    zoom_image = job.renderedImage()
    result["zoom16_parallel_s"], _ = renderer.median("zoom16_parallel", args.repeats, ordered, zoom, True)

    # Peak memory after the views above (before the memory-layer copies below, which a user would not make).
    result["peak_mb_views"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    cache = QgsMapRendererCache()
    ids = {layer.id() for layer in ordered}
    renderer.once(ordered, full, cache=cache)  # fill the cache
    missing = ids - {lid for lid in ids if cache.hasCacheImage(lid)}
    if missing:
        raise BenchmarkError(f"the render did not fill the cache for {sorted(missing)}")

    def all_from_cache(job):
        redrawn = set(job.layersRedrawnFromCache())
        if redrawn != ids:
            raise BenchmarkError(f"cache miss for {sorted(ids - redrawn)}")

    result["cache_hit_s"], _ = renderer.median("cache_hit", args.repeats, ordered, full, cache=cache,
                                               check=all_from_cache)
    del cache

    t0 = time.perf_counter()
    memory = []
    for key, layer in layers.items():
        copy = layer.materialize(QgsFeatureRequest())
        if copy is None or not copy.isValid() or copy.featureCount() != counts[key]:
            raise BenchmarkError(f"memory copy of {key!r} failed")
        memory.append(copy)
    result["memory_copy_s"] = time.perf_counter() - t0
    log(f"  memory_copy              {result['memory_copy_s']:.3f} s")
    for copy, layer in zip(memory, ordered):
        copy.setRenderer(layer.renderer().clone())
        copy.setSimplifyMethod(layer.simplifyMethod())
    result["from_memory_full_view_s"], _ = renderer.median("from_memory_full_view", args.repeats, memory, full)
    result["features"] = counts

    if args.save_png:
        out = Path(args.save_png)
        out.mkdir(parents=True, exist_ok=True)
        for name, image in (("full_view.png", full_image), ("zoom16.png", zoom_image)):
            if not image.save(str(out / name), "PNG"):
                raise BenchmarkError(f"could not write {out / name}")
        log(f"  PNGs written to {out}")

    return result


def table(result: dict) -> str:
    """Human-readable summary of `result`."""
    rows = [
        ("open layers (create + validate)", "open_s"),
        ("full view, sequential", "full_view_s"),
        ("full view, parallel", "full_view_parallel_s"),
        ("1/16 zoom, sequential", "zoom16_s"),
        ("1/16 zoom, parallel", "zoom16_parallel_s"),
        ("full view, cache hit", "cache_hit_s"),
        ("copy to memory layers", "memory_copy_s"),
        ("full view from memory, sequential", "from_memory_full_view_s"),
    ]
    lines = [f"QGIS {result['qgis_version']} render of a GridWatch GeoPackage, "
             f"{result['width']}x{result['height']} px, median of {result['repeats']} runs", "",
             f"{'':36} {'seconds':>9}", f"{'-' * 36} {'-' * 9}"]
    lines += [f"{label:36} {result[key]:9.3f}" for label, key in rows]
    lines += ["", "features: " + ", ".join(f"{k} {v:,}" for k, v in result["features"].items())]
    return "\n".join(lines)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("gpkg", metavar="GPKG", help="GridWatch GeoPackage (opened read-only)")
    parser.add_argument("--width", type=int, default=1600, help="output width in px (default 1600)")
    parser.add_argument("--height", type=int, default=1000, help="output height in px (default 1000)")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per measurement (default 5)")
    parser.add_argument("--threads", type=int, default=2,
                        help="thread pool size for the parallel job (default 2)")
    parser.add_argument("--no-simplify", dest="simplify", action="store_false",
                        help="disable UseRenderingOptimization (on-the-fly simplification)")
    parser.add_argument("--first-paint-only", action="store_true",
                        help="stop after the first full render (open to first painted map, its peak memory)")
    parser.add_argument("--json", action="store_true", help="print one JSON object as the last stdout line")
    parser.add_argument("--save-png", metavar="DIR", help="write full_view.png and zoom16.png into DIR")
    args = parser.parse_args(argv)
    if args.width < 1 or args.height < 1 or args.repeats < 1 or args.threads < 1:
        parser.error("--width, --height, --repeats and --threads must be positive")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    path = Path(args.gpkg).resolve()
    if not path.is_file():
        log(f"ERROR: no such file: {path}")
        return 1
    before = source_fingerprint(path)
    app = QgsApplication([], False)
    QgsApplication.setPrefixPath("/usr", True)
    QgsApplication.initQgis()
    status, result = 0, None
    try:
        result = run(path, args)
    except BenchmarkError as exc:
        log(f"ERROR: {exc}")
        status = 1
    finally:
        # Closes every pooled OGR dataset, so any write would have reached the file by now.
        QgsApplication.exitQgis()
        del app
    after = source_fingerprint(path)
    if after != before:
        log(f"ERROR: {path} was modified: size/mtime {before[:2]} -> {after[:2]}, "
            f"side files {before[3]} -> {after[3]}, header changed: {before[2] != after[2]}")
        return 3
    if status == 0:
        short = args.first_paint_only and not args.json
        print(json.dumps(result) if args.json else table(result) if not short else
              f"first paint {result['first_paint_s']:.3f} s, peak {result['peak_mb_first_paint']:.0f} MB", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())

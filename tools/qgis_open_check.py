#!/usr/bin/env python3
"""Check that a GeoPackage opens in QGIS with all of its layers.

Usage (with the SYSTEM python that has the QGIS bindings, not the project venv):

    QT_QPA_PLATFORM=offscreen /usr/bin/python3 tools/qgis_open_check.py FILE.gpkg [--json]

What it does:

1. Reads the expected layers and row counts straight from the file with sqlite3
   (``gpkg_contents`` + ``SELECT COUNT(*)``), opened read-only.
2. Asks QGIS for the file's sublayers twice, the way QGIS itself does:
   a quick listing (what the browser shows) and a listing with geometry types
   resolved and features counted (what the "add layers" dialog offers). A table
   of geometry type GEOMETRY is listed as one layer of unknown type by the quick
   listing and split into one sublayer per geometry type by the resolved one.
3. Loads every sublayer of the resolved listing, plus each mixed-geometry table
   as a single layer, as QgsVectorLayers and reports name, isValid(),
   featureCount(), features actually read, geometry type, CRS and extent.
4. Renders every spatial layer on its own (it must paint some pixels if it has
   geometries) and all of them together into a PNG (default: render.png next
   to FILE, see --render).

Exit status: 0 if every layer is valid and has the expected number of features
and every non-empty spatial layer drew something; 1 if any check failed (the
failing layers are printed); 2 if the check could not run at all.

Only QGIS (qgis.core / PyQt5 as shipped with it) and the standard library are used.
"""

import argparse
import json
import os
import sqlite3
import struct
import sys
import tempfile
from contextlib import contextmanager

# QGIS needs a Qt platform; without a display only "offscreen" works.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

try:
    from qgis.core import (
        Qgis,
        QgsApplication,
        QgsCoordinateTransformContext,
        QgsFeatureRequest,
        QgsFillSymbol,
        QgsLineSymbol,
        QgsMapRendererSequentialJob,
        QgsMapSettings,
        QgsMarkerSymbol,
        QgsProviderRegistry,
        QgsProviderSublayerDetails,
        QgsRectangle,
        QgsSingleSymbolRenderer,
        QgsVectorLayer,
        QgsWkbTypes,
    )
    from qgis.PyQt.QtCore import QSize
    from qgis.PyQt.QtGui import QColor, QImage
except ImportError as exc:  # pragma: no cover - depends on the machine
    print(f"error: QGIS Python bindings not importable ({exc}); "
          "install python3-qgis and run with /usr/bin/python3", file=sys.stderr)
    sys.exit(2)


# ---------------------------------------------------------------------------
# Expectations read directly from the file with sqlite3
# ---------------------------------------------------------------------------

# WKB codes of the multi types and the single type QGIS groups them with when it
# splits a mixed-geometry layer (MultiPoint -> Point, MultiCurve -> CompoundCurve, ...).
_MULTI_TO_SINGLE = {4: 1, 5: 2, 6: 3, 11: 9, 12: 10}

# Bytes taken by the envelope of a GeoPackage geometry blob, by envelope indicator.
_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}


def blob_geometry_type(blob):
    """Return the 2D single WKB type code of a GeoPackage geometry blob.

    None for a NULL geometry, -1 for a blob that is not GeoPackage binary.
    Z/M variants are folded onto the 2D code and multi types onto their single
    type, which is how QGIS groups features when it splits a mixed layer.
    """
    if blob is None:
        return None
    blob = bytes(blob)
    if len(blob) < 8 or blob[:2] != b"GP":
        return -1
    envelope = _ENVELOPE_BYTES.get((blob[3] >> 1) & 0x07)
    if envelope is None:
        return -1
    offset = 8 + envelope  # magic, version, flags, srs_id, then the envelope
    if len(blob) < offset + 5:
        return -1
    fmt = "<I" if blob[offset] == 1 else ">I"
    code = struct.unpack_from(fmt, blob, offset + 1)[0]
    code = (code & 0x0FFFFFFF) % 1000  # drop EWKB flag bits and ISO Z/M thousands
    return _MULTI_TO_SINGLE.get(code, code)


def quote_ident(name):
    """Quote an SQL identifier for SQLite."""
    return '"' + name.replace('"', '""') + '"'


def read_expectations(path):
    """Read gpkg_contents and per-table row counts with plain sqlite3.

    Returns (header, tables) where header has application_id/user_version and
    tables maps table name -> {data_type, count, geometry_type_name,
    type_counts}. type_counts (only for feature tables) maps the single WKB
    type code (None for NULL geometries) to its number of rows.
    """
    uri = "file:" + os.path.abspath(path) + "?mode=ro"
    con = sqlite3.connect(uri, uri=True)
    con.create_function("gw_geom_type", 1, blob_geometry_type, deterministic=True)
    try:
        header = {
            "application_id": con.execute("PRAGMA application_id").fetchone()[0],
            "user_version": con.execute("PRAGMA user_version").fetchone()[0],
        }
        geom_columns = dict(
            (table, (column, type_name))
            for table, column, type_name in con.execute(
                "SELECT table_name, column_name, geometry_type_name FROM gpkg_geometry_columns"
            )
        )
        tables = {}
        for table, data_type in con.execute(
            "SELECT table_name, data_type FROM gpkg_contents ORDER BY rowid"
        ).fetchall():
            info = {
                "data_type": data_type,
                "count": con.execute(f"SELECT COUNT(*) FROM {quote_ident(table)}").fetchone()[0],
                "geometry_type_name": None,
                "type_counts": None,
            }
            if table in geom_columns:
                column, type_name = geom_columns[table]
                info["geometry_type_name"] = type_name
                info["type_counts"] = dict(
                    con.execute(
                        f"SELECT gw_geom_type({quote_ident(column)}), COUNT(*) "
                        f"FROM {quote_ident(table)} GROUP BY 1"
                    ).fetchall()
                )
            tables[table] = info
        return header, tables
    finally:
        con.close()


# ---------------------------------------------------------------------------
# Capturing what GDAL/Qt print on stderr while QGIS works
# ---------------------------------------------------------------------------

@contextmanager
def captured_stderr(lines):
    """Redirect file descriptor 2 to a temp file; append its lines to `lines`.

    GDAL writes its warnings (e.g. about the GeoPackage version or date values)
    straight to fd 2 from C code, so sys.stderr redirection is not enough.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile(mode="w+b") as sink:
        os.dup2(sink.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            sink.seek(0)
            text = sink.read().decode("utf-8", "replace")
            lines.extend(line for line in text.splitlines() if line.strip())


def summarize_messages(lines):
    """Collapse repeated message lines into [(line, times)], first-seen order."""
    counts = {}
    for line in lines:
        counts[line] = counts.get(line, 0) + 1
    return [{"message": line, "times": n} for line, n in counts.items()]


# ---------------------------------------------------------------------------
# Symbology used for the renders (GridWatch layer names; anything else gets a
# neutral default). Listed bottom-to-top: this is also the drawing order.
# ---------------------------------------------------------------------------

STYLES = [
    # name, kind-specific properties for QgsFillSymbol / QgsMarkerSymbol
    ("grid_cell", {"color": "0,0,0,0", "outline_color": "200,200,200", "outline_width": "0.1"}),
    ("village", {"color": "0,0,0,0", "outline_color": "140,140,140", "outline_width": "0.2"}),
    ("township", {"color": "0,0,0,0", "outline_color": "40,40,40", "outline_width": "0.6"}),
    ("coal_ban_zone", {"color": "60,120,220,70", "outline_color": "30,80,200", "outline_width": "0.5"}),
    ("fireworks_ban_zone", {"color": "180,60,200,70", "outline_color": "140,30,170", "outline_width": "0.5"}),
    ("mine", {"color": "140,90,40,200", "outline_color": "90,50,10", "outline_width": "0.3"}),
    ("construction_site", {"color": "250,150,30,200", "outline_color": "180,90,0", "outline_width": "0.3",
                           "size": "2.2", "name": "square"}),
    ("finding", {"color": "20,160,60", "size": "2.5", "name": "triangle"}),
    ("fire_point", {"color": "220,30,30,180", "size": "1.2", "name": "circle",
                    "outline_style": "no"}),
]
_STYLE_BY_NAME = dict(STYLES)
_DEFAULT_STYLE = {"color": "100,100,100,120", "outline_color": "60,60,60", "outline_width": "0.3",
                  "size": "2", "name": "circle"}


def apply_style(layer, table):
    """Give `layer` a single-symbol renderer matching its geometry type."""
    props = _STYLE_BY_NAME.get(table, _DEFAULT_STYLE)
    kind = layer.geometryType()
    if kind == QgsWkbTypes.PointGeometry:
        symbol = QgsMarkerSymbol.createSimple(props)
    elif kind == QgsWkbTypes.LineGeometry:
        symbol = QgsLineSymbol.createSimple(
            {"line_color": props.get("outline_color", "60,60,60"), "line_width": "0.4"})
    elif kind == QgsWkbTypes.PolygonGeometry:
        symbol = QgsFillSymbol.createSimple(props)
    else:
        return  # unknown/no geometry: keep QGIS's default renderer
    layer.setRenderer(QgsSingleSymbolRenderer(symbol))


def draw_order(entry):
    """Sort key: bottom-most first, following STYLES; unknown tables on top.

    Within one table (the split parts of a mixed table) polygons go below
    lines and lines below points.
    """
    names = [name for name, _ in STYLES]
    table = entry["table"]
    rank = names.index(table) if table in names else len(names)
    return rank, -int(entry["layer"].geometryType())


# ---------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------

def padded(rect, fraction=0.05, minimum=0.001):
    """Return a copy of `rect` grown on each side (degenerate rects get `minimum`)."""
    grow_x = max(rect.width() * fraction, minimum)
    grow_y = max(rect.height() * fraction, minimum)
    return QgsRectangle(rect.xMinimum() - grow_x, rect.yMinimum() - grow_y,
                        rect.xMaximum() + grow_x, rect.yMaximum() + grow_y)


def render(layers, extent, size, background):
    """Render `layers` (top-most first) with QGIS; return (QImage, [error strings])."""
    settings = QgsMapSettings()
    settings.setLayers(layers)
    settings.setDestinationCrs(layers[0].crs())
    settings.setExtent(extent)
    settings.setOutputSize(QSize(size, size))
    settings.setBackgroundColor(background)
    settings.setFlag(QgsMapSettings.Antialiasing, True)
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    errors = [f"{err.layerID}: {err.message}" for err in job.errors()]
    return job.renderedImage(), errors


def painted_pixels(image):
    """Count pixels that are not fully transparent in `image`."""
    rgba = image.convertToFormat(QImage.Format_RGBA8888)
    bits = rgba.constBits()
    bits.setsize(rgba.sizeInBytes())
    alpha = bytes(bits)[3::4]  # RGBA8888 is byte-ordered R,G,B,A on every platform
    return len(alpha) - alpha.count(0)


# ---------------------------------------------------------------------------
# Sublayers as QGIS offers them
# ---------------------------------------------------------------------------

def describe_sublayer(details):
    """Short, JSON-friendly view of a QgsProviderSublayerDetails."""
    return {
        "name": details.name(),
        "provider": details.providerKey(),
        "geometry_type": QgsWkbTypes.displayString(details.wkbType()),
        "feature_count": details.featureCount(),  # -2 = not counted (Qgis.FeatureCountState)
        "uri": details.uri(),
    }


def is_vector(details):
    """True for vector sublayers (the enum moved to Qgis.LayerType in QGIS 3.30)."""
    if hasattr(Qgis, "LayerType"):
        return details.type() == Qgis.LayerType.Vector
    from qgis.core import QgsMapLayerType
    return details.type() == QgsMapLayerType.VectorLayer


def table_of(details):
    """The GeoPackage table behind a sublayer (its layername= part)."""
    parts = QgsProviderRegistry.instance().decodeUri(details.providerKey(), details.uri())
    return parts.get("layerName") or details.name()


def plan_layers(path, tables, report):
    """Decide which layers to load, each with the feature count it must have.

    Fills report["presentation"] with both QGIS listings and returns a list of
    dicts: label, table, details (QgsProviderSublayerDetails), expected.
    """
    registry = QgsProviderRegistry.instance()
    quick = [d for d in registry.querySublayers(path) if is_vector(d)]
    resolved_flags = Qgis.SublayerQueryFlags(Qgis.SublayerQueryFlag.ResolveGeometryType
                                             | Qgis.SublayerQueryFlag.CountFeatures)
    resolved = [d for d in registry.querySublayers(path, resolved_flags) if is_vector(d)]
    report["presentation"] = {
        "quick_listing": [describe_sublayer(d) for d in quick],
        "resolved_listing": [describe_sublayer(d) for d in resolved],
    }

    plan = []
    for details in resolved:
        table = table_of(details)
        info = tables.get(table)
        expected = None
        label = details.name()
        if info is not None:
            expected = info["count"]
            if "geometrytype=" in details.uri():
                # One geometry type of a mixed table: expect just those rows.
                code = int(QgsWkbTypes.flatType(details.wkbType()))
                expected = (info["type_counts"] or {}).get(code, 0)
                label = f"{details.name()} [{QgsWkbTypes.displayString(details.wkbType())}]"
        plan.append({"label": label, "table": table, "details": details,
                     "expected": expected, "form": "sublayer"})

    # A mixed table is also offered as a single layer by the quick listing
    # (and by "add all sublayers" without resolving); load that form too.
    split_tables = {p["table"] for p in plan if "geometrytype=" in p["details"].uri()}
    for details in quick:
        table = table_of(details)
        if table in split_tables:
            plan.append({"label": f"{details.name()} [as one layer]", "table": table,
                         "details": details, "expected": tables[table]["count"],
                         "form": "single layer of a mixed table"})
    return plan


# ---------------------------------------------------------------------------
# The check itself
# ---------------------------------------------------------------------------

def rect_to_list(rect):
    """[xmin, ymin, xmax, ymax], or None for a null rectangle (no data)."""
    if rect.isNull():
        return None
    return [rect.xMinimum(), rect.yMinimum(), rect.xMaximum(), rect.yMaximum()]


def check_layer(entry):
    """Load one planned layer, read it fully and fill in its result dict."""
    options = QgsProviderSublayerDetails.LayerOptions(QgsCoordinateTransformContext())
    layer = entry["details"].toLayer(options)
    result = {"name": entry["label"], "table": entry["table"], "form": entry["form"],
              "uri": entry["details"].uri(), "expected_count": entry["expected"],
              "problems": [], "notes": []}
    entry["layer"] = layer
    entry["result"] = result
    if not isinstance(layer, QgsVectorLayer):
        result.update(valid=False)
        result["problems"].append("QGIS did not create a vector layer")
        return
    result.update(
        valid=layer.isValid(),
        feature_count=layer.featureCount(),
        geometry_type=QgsWkbTypes.displayString(layer.wkbType()),
        crs=layer.crs().authid() or None,
        extent=rect_to_list(layer.extent()) if layer.isSpatial() else None,
        spatial=layer.isSpatial(),
    )
    if not layer.isValid():
        error = layer.error().summary() if layer.error() else ""
        result["problems"].append(f"layer is not valid {error}".strip())
        return

    # Read every feature with all attributes: this exercises geometry parsing and
    # the DATE/DATETIME conversions, and yields the real extent of the data.
    read = 0
    data_extent = QgsRectangle()
    data_extent.setMinimal()
    geometry_types = {}  # display string -> features read with that type
    other_kinds = {}     # same, for features whose kind differs from the layer's
    for feature in layer.getFeatures(QgsFeatureRequest()):
        read += 1
        geom = feature.geometry()
        if geom.isNull():
            continue
        data_extent.combineExtentWith(geom.boundingBox())
        kind = QgsWkbTypes.displayString(geom.wkbType())
        geometry_types[kind] = geometry_types.get(kind, 0) + 1
        if QgsWkbTypes.geometryType(geom.wkbType()) != layer.geometryType():
            other_kinds[kind] = other_kinds.get(kind, 0) + 1
    result["features_read"] = read
    result["data_extent"] = rect_to_list(data_extent) if geometry_types else None
    result["geometry_types_read"] = geometry_types

    expected = entry["expected"]
    if expected is None:
        result["problems"].append("table not listed in gpkg_contents")
    else:
        if layer.featureCount() != expected:
            result["problems"].append(
                f"featureCount() {layer.featureCount()} != {expected} rows in the file")
        if read != expected:
            result["problems"].append(f"read {read} features != {expected} rows in the file")

    # The declared extent (gpkg_contents) must contain the data.
    if geometry_types and not layer.extent().contains(data_extent):
        result["notes"].append("data extends beyond the layer extent QGIS reports "
                               f"(data {rect_to_list(data_extent)})")
    # QGIS gives a mixed table opened as one layer the type of its first
    # feature; features of another kind are then skipped by its symbology.
    if other_kinds:
        result["notes"].append(
            f"QGIS types this layer as {result['geometry_type']} but it also holds "
            f"{other_kinds}; a symbol for {result['geometry_type']} does not draw those")


def render_layer(entry, fallback_extent, size):
    """Render one spatial layer alone; it must paint something if it has geometries."""
    layer, result = entry["layer"], entry["result"]
    extent = layer.extent()
    if extent.isNull():  # no features: draw over the extent of the whole file
        extent = fallback_extent
    if extent.isNull() or extent.isEmpty():
        # A file with no geometries at all: QGIS refuses map settings without an extent, and
        # there is nothing to draw.
        result["painted_pixels"] = 0
        result["render_errors"] = []
        return
    image, errors = render([layer], padded(extent), size, QColor(0, 0, 0, 0))
    result["painted_pixels"] = painted_pixels(image)
    result["render_errors"] = errors
    if errors:
        result["problems"].append("render errors: " + "; ".join(errors))
    if result.get("geometry_types_read") and result["painted_pixels"] == 0:
        result["problems"].append("QGIS drew nothing for a layer that has geometries")


def run_check(path, render_path, size):
    """Run every check; return the report dict (report["ok"] is the verdict)."""
    header, tables = read_expectations(path)
    report = {"file": os.path.abspath(path), "qgis_version": Qgis.version(),
              "gpkg_header": header, "failures": [], "layers": []}

    if "ogr" not in QgsProviderRegistry.instance().providerList():
        report["failures"].append("QGIS has no 'ogr' data provider")
        report["ok"] = False
        return report, []

    plan = plan_layers(path, tables, report)
    for entry in plan:
        check_layer(entry)
        report["layers"].append(entry["result"])

    # Every table of the file must be offered by QGIS.
    offered = {entry["table"] for entry in plan}
    for table in tables:
        if table not in offered:
            report["failures"].append(f"{table}: listed in gpkg_contents but not offered by QGIS")

    # Rows with NULL geometry are left out when QGIS splits a mixed table.
    for table in sorted({e["table"] for e in plan if e["form"] != "sublayer"}):
        nulls = (tables[table]["type_counts"] or {}).get(None, 0)
        if nulls:
            report["failures"].append(
                f"{table}: {nulls} rows with NULL geometry are missing from the split sublayers")

    # Render each spatial layer alone, then all of them (split forms only) together.
    spatial = [e for e in plan if e["result"].get("valid") and e["result"].get("spatial")]
    for entry in spatial:
        apply_style(entry["layer"], entry["table"])
    full_extent = QgsRectangle()
    full_extent.setMinimal()
    for entry in spatial:
        if not entry["layer"].extent().isNull():
            full_extent.combineExtentWith(entry["layer"].extent())
    for entry in spatial:
        render_layer(entry, full_extent, size)
    together = sorted((e for e in spatial if e["form"] == "sublayer"), key=draw_order)
    if together and not (full_extent.isNull() or full_extent.isEmpty()):
        image, errors = render([e["layer"] for e in reversed(together)],
                               padded(full_extent), size, QColor(255, 255, 255))
        if not image.save(render_path, "PNG"):
            errors.append(f"could not write {render_path}")
        report["render"] = {"path": os.path.abspath(render_path), "size": [size, size],
                            "layers_bottom_to_top": [e["label"] for e in together],
                            "errors": errors}
        report["failures"].extend(f"combined render: {err}" for err in errors)

    for result in report["layers"]:
        report["failures"].extend(f"{result['name']}: {p}" for p in result["problems"])
    report["ok"] = not report["failures"]
    return report, [e["layer"] for e in plan]


# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------

def fmt_extent(extent):
    if not extent:
        return "-"
    return "({:.6f}, {:.6f}) - ({:.6f}, {:.6f})".format(*extent)


def print_text(report):
    print(f"QGIS {report['qgis_version']}  file {report['file']}")
    header = report["gpkg_header"]
    print(f"GeoPackage application_id=0x{header['application_id']:08X} "
          f"user_version={header['user_version']}")

    pres = report.get("presentation", {})
    print("\nQuick listing (QGIS browser):")
    for d in pres.get("quick_listing", []):
        print(f"  {d['name']:<22} {d['geometry_type']}")
    print("Resolved listing (QGIS 'add layers' dialog):")
    for d in pres.get("resolved_listing", []):
        print(f"  {d['name']:<22} {d['geometry_type']:<14} {d['feature_count']:>6}  {d['uri']}")

    print("\nLayers:")
    head = f"  {'name':<36} {'valid':<5} {'count':>6} {'read':>6} {'expect':>6} " \
           f"{'geometry':<13} {'crs':<9} {'pixels':>7}  extent"
    print(head)
    for r in report["layers"]:
        print(f"  {r['name']:<36} {str(r.get('valid')):<5} {r.get('feature_count', '-'):>6} "
              f"{r.get('features_read', '-'):>6} {str(r.get('expected_count')):>6} "
              f"{r.get('geometry_type', '-'):<13} {r.get('crs') or '-':<9} "
              f"{r.get('painted_pixels', '-'):>7}  {fmt_extent(r.get('extent'))}")
        for note in r["notes"]:
            print(f"      note: {note}")
        for problem in r["problems"]:
            print(f"      FAIL: {problem}")

    render = report.get("render")
    if render:
        print(f"\nRender: {render['path']} ({render['size'][0]}x{render['size'][1]}), "
              f"layers bottom to top: {', '.join(render['layers_bottom_to_top'])}")

    messages = report.get("messages", [])
    if messages:
        print("\nMessages printed by QGIS/GDAL/Qt while checking:")
        for m in messages:
            print(f"  [{m['times']}x] {m['message']}")

    if report["ok"]:
        print(f"\nOK: all {len(report['layers'])} layers valid with the expected feature counts")
    else:
        print(f"\nFAILED ({len(report['failures'])}):")
        for failure in report["failures"]:
            print(f"  {failure}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("gpkg", help="GeoPackage file to check (opened read-only)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--render", metavar="PNG",
                        help="where to save the combined render (default: render.png next to FILE)")
    parser.add_argument("--size", type=int, default=800, help="render size in pixels (default 800)")
    args = parser.parse_args(argv)

    if not os.path.isfile(args.gpkg):
        print(f"error: no such file: {args.gpkg}", file=sys.stderr)
        return 2
    render_path = args.render or os.path.join(os.path.dirname(os.path.abspath(args.gpkg)),
                                              "render.png")
    try:  # fail early, before starting QGIS, if this is not a readable GeoPackage
        read_expectations(args.gpkg)
    except sqlite3.Error as exc:
        print(f"error: cannot read {args.gpkg} as a GeoPackage: {exc}", file=sys.stderr)
        return 2

    stderr_lines, log_lines = [], []
    layers = []
    with captured_stderr(stderr_lines):
        app = QgsApplication([], False)
        app.initQgis()
        # QGIS's own message log (provider errors and warnings end up here).
        app.messageLog().messageReceived.connect(
            lambda message, tag, level: log_lines.append(f"QGIS log [{tag}] {message}"))
        try:
            report, layers = run_check(args.gpkg, render_path, args.size)
            app.processEvents()  # deliver queued log messages
        finally:
            del layers[:]  # drop layers before QGIS shuts its providers down
            app.exitQgis()
    report["messages"] = summarize_messages(log_lines + stderr_lines)

    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        print_text(report)
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())

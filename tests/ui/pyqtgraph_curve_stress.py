#!/usr/bin/env python3
"""Stress pyqtgraph curve path rebuilding (regression check for a PySide6 bug).

PySide6 6.12.0 on CPython 3.11 drops a reference to ``None`` whenever a bound
method returns None: ``QPolygonF.resize()`` and every other void method
(``QPainterPath.addPolygon``/``reserve``/``connectPath``/``clear``,
``QByteArray.resize``, ``QPainter.drawPath``/``fillPath``, ``QWidget.resize``,
...).  pyqtgraph makes dozens of such calls each time it rebuilds and paints
a curve path, so after a few dozen to a few hundred curve updates ``None``'s
reference count reaches zero and the interpreter aborts with

    Fatal Python error: none_dealloc: deallocating None: bug likely caused by
    a refcount error in a C extension

The project pins PySide6-Essentials==6.11.3, which does not have the bug.
(On CPython 3.12+ None is immortal, so the same bug would neither crash nor
show in sys.getrefcount(None); this check is meaningful on 3.11.)

pyqtgraph 0.14 code paths that call ``QPolygonF.resize`` (pyqtgraph/functions.py):

* ``create_qpolygonf(n)``: used by ``_arrayToQPath_all`` for connect='all' with
  up to 20000 finite points, by ``_arrayToQPath_finite`` and by
  ``arrayToQPolygonF``.  Fill areas (fillLevel set, connect 'all' or
  'finite') are built from 50-point chunks, one ``create_qpolygonf`` each.
* ``_arrayToQPath_all`` with more than 20000 points: one sub-polygon resized
  for each 10000-point chunk whose size differs from the previous one.
* ``_arrayToQPath_finite`` (connect='finite' with skipFiniteCheck=True, or with
  under 2% non-finite points): one resize for each finite run between NaNs.

connect='pairs' and connect=<ndarray> build the path through QByteArray and
QDataStream instead; one such curve is included too.  Curves use
segmentedLineMode='off' so that painting always calls ``getPath()`` (and thus
arrayToQPath) rather than ``drawLines``.

Usage:
    QT_QPA_PLATFORM=offscreen python tests/ui/pyqtgraph_curve_stress.py [UPDATES]

Prints "OK <n> updates" and exits 0 when all updates were rendered.  On an
affected PySide6 it aborts (SIGABRT, exit code 134 from a shell) long before
the default 1000 updates (at update 56 with PySide6 6.12.0).  Exits 1 if
``None`` lost references during the run (the leak, caught even when too few
updates were asked for to crash), and 2 if the QPolygonF code paths above
were not reached.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
import pyqtgraph as pg  # noqa: E402
import pyqtgraph.functions as fn  # noqa: E402

# Count calls of the path builders that resize QPolygonF, so the script can
# tell when a pyqtgraph upgrade stops routing through them.
CALLS = {"create_qpolygonf": 0, "_arrayToQPath_all": 0, "_arrayToQPath_finite": 0}


def _counting(name):
    original = getattr(fn, name)

    def wrapper(*args, **kwargs):
        CALLS[name] += 1
        return original(*args, **kwargs)

    wrapper.__wrapped__ = original
    setattr(fn, name, wrapper)


for _name in CALLS:
    _counting(_name)


def _length(i: int, lo: int, hi: int) -> int:
    """A length that grows and shrinks in a triangle wave between lo and hi."""
    period = 64
    phase = i % (2 * period)
    frac = phase / period if phase < period else 2 - phase / period
    return int(lo + (hi - lo) * frac)


def _with_gaps(y: np.ndarray, rng: np.random.Generator, ngaps: int) -> np.ndarray:
    y = y.copy()
    if ngaps and len(y) > 2:
        idx = rng.choice(np.arange(1, len(y) - 1), size=min(ngaps, len(y) - 2), replace=False)
        y[idx] = np.nan
    return y


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("updates", nargs="?", type=int, default=1000,
                        help="number of curve updates (default: 1000)")
    parser.add_argument("--seed", type=int, default=12345)
    parser.add_argument("--progress", type=int, default=0, metavar="N",
                        help="print 'update <i>' to stderr every N updates")
    args = parser.parse_args(argv)
    if args.updates < 1:
        parser.error("updates must be >= 1")

    rng = np.random.default_rng(args.seed)
    app = pg.mkQApp("pyqtgraph_curve_stress")
    pg.setConfigOptions(antialias=False, useOpenGL=False)

    widget = pg.GraphicsLayoutWidget()
    widget.resize(240, 160)
    plot = widget.addPlot()
    # The widget stays hidden: grab() below renders it synchronously, exactly
    # once per update (a shown widget would also repaint in processEvents()).

    def curve(plot, **opts):
        item = pg.PlotCurveItem(**opts)
        item.setSegmentedLineMode("off")
        plot.addItem(item)
        return item

    # connect='all', small and medium lengths -> create_qpolygonf
    c_all = curve(plot, pen="y", connect="all")
    # connect='all', sometimes > 20000 points -> chunked subpoly.resize
    c_big = curve(plot, pen="c", connect="all", skipFiniteCheck=True)
    # connect='finite' without finite check -> _arrayToQPath_finite, one resize per run
    c_fin = curve(plot, pen="m", connect="finite", skipFiniteCheck=True)
    # filled area -> 50-point chunks, create_qpolygonf per chunk
    c_fill = curve(plot, pen="g", brush=(0, 120, 255, 80), fillLevel=0.0, connect="finite")
    # PlotDataItem with the default finite check: < 2% NaN -> _arrayToQPath_finite,
    # no NaN -> delegated to connect='all'
    d_item = pg.PlotDataItem(pen="r", connect="finite")
    d_item.curve.setSegmentedLineMode("off")
    plot.addItem(d_item)
    # connect='pairs' -> QByteArray + QDataStream path (no QPolygonF)
    c_pairs = curve(plot, pen="w", connect="pairs")

    plot.setXRange(0, 1)
    plot.setYRange(-2, 2)
    plot.enableAutoRange(False)
    plot.hideAxis("left")
    plot.hideAxis("bottom")

    app.processEvents()
    none_refs_start = sys.getrefcount(None)
    t0 = time.perf_counter()

    for i in range(args.updates):
        n = _length(i, 2, 1000)
        x = np.linspace(0.0, 1.0, n)
        y = np.sin(x * (6 + i % 17)) + 0.2 * rng.standard_normal(n)

        c_all.setData(x, y)

        if i % 25 == 0:
            nb = 20001 + (i * 7919) % 25000  # 3-5 chunks of 10000, last one partial
        else:
            nb = _length(i + 17, 2, 1500)
        xb = np.linspace(0.0, 1.0, nb)
        c_big.setData(xb, np.cos(xb * 9) * 1.5)

        c_fin.setData(x, _with_gaps(y * 0.7, rng, ngaps=_length(i, 0, 60)))

        nf = _length(i + 40, 3, 2500)
        xf = np.linspace(0.0, 1.0, nf)
        yf = np.abs(np.sin(xf * 5 + i * 0.1))
        c_fill.setData(xf, _with_gaps(yf, rng, ngaps=(i % 4) * 2))

        yd = np.sin(x * 3 + i * 0.05) - 1.0
        if i % 2:
            yd = _with_gaps(yd, rng, ngaps=max(1, n // 100))  # < 2% NaN
        d_item.setData(x, yd)

        c_pairs.setData(x[: n - n % 2], -y[: n - n % 2])

        # Render the scene now: paint() -> getPath() -> arrayToQPath().
        widget.grab()
        app.processEvents()

        if args.progress and (i + 1) % args.progress == 0:
            print(f"update {i + 1}", file=sys.stderr, flush=True)

    elapsed = time.perf_counter() - t0
    none_refs_end = sys.getrefcount(None)
    drift = none_refs_end - none_refs_start
    print(
        f"paths built: {CALLS['create_qpolygonf']} create_qpolygonf, "
        f"{CALLS['_arrayToQPath_all']} _arrayToQPath_all, "
        f"{CALLS['_arrayToQPath_finite']} _arrayToQPath_finite; "
        f"None refcount {none_refs_start} -> {none_refs_end}; {elapsed:.1f} s",
        flush=True,
    )

    widget.close()
    widget.deleteLater()
    app.processEvents()

    missing = [name for name, count in CALLS.items() if count == 0]
    if missing:
        print(f"FAIL: QPolygonF code paths not reached: {', '.join(missing)}", flush=True)
        return 2
    # Without the bug the count stays put (it moves by a few dozen at most);
    # with it, None loses one reference per void Qt call: hundreds per update.
    if drift < -max(200, args.updates):
        print(f"FAIL: None lost {-drift} references over {args.updates} updates "
              "(PySide6 dropping a None reference per void call, e.g. QPolygonF.resize)",
              flush=True)
        return 1
    print(f"OK {args.updates} updates", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Shared fixtures: the bundled sample, real external data, GDAL's GeoPackage validator."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data" / "luquan_sample.gpkg"
REALDATA = ROOT.parent / "shared" / "realdata"

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def pytest_report_header(config) -> str:
    """Free space where the tests write (a full disk shows up as odd errors in whichever test hits it)."""
    import tempfile

    where = Path(config.option.basetemp or tempfile.gettempdir())
    while not where.exists():
        where = where.parent
    free = shutil.disk_usage(where).free / 2**30
    note = "" if free >= 2 else " (less than the ~2 GiB the suite may use at once: expect ENOSPC failures)"
    return f"free disk at {where}: {free:.1f} GiB{note}"


# --- a passed test's tmp_path goes when the test is over ----------------------------------------------
# Hundreds of tests copy the 24 MB sample district; keeping every copy until the session ends filled a CI
# machine's disk (ENOSPC at 71 %, 9 GB of folders by 74 % on a 2-core machine). pytest's own
# tmp_path_retention_policy = "failed" removes the folder in the fixture's teardown, before pytest-qt has
# processed the events of a window the test leaves open (its deletion); removing a window's files and
# running the collector under it crashed PySide in that teardown. So the folder goes after the whole
# teardown, pytest-qt's included; a failed test's folder stays for reading.
_tmp_of: dict[str, Path] = {}
_failed: set[str] = set()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):  # type: ignore[no-untyped-def]
    tmp = (item.funcargs or {}).get("tmp_path")
    if isinstance(tmp, Path):
        _tmp_of[item.nodeid] = tmp
    return (yield)


def pytest_runtest_logreport(report) -> None:  # type: ignore[no-untyped-def]
    if report.failed:
        _failed.add(report.nodeid)


def _delete_closed_widgets() -> None:
    """Delete the widgets a finished test closed (pytest-qt's deleteLater): outside an event loop Qt
    keeps them until one runs, and a window left alive still answers the next test's events (a language
    change re-reads its project, whose folder is removed below)."""
    widgets = sys.modules.get("PySide6.QtWidgets")
    if widgets is None or widgets.QApplication.instance() is None:
        return
    from PySide6.QtCore import QCoreApplication, QEvent

    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def pytest_runtest_logfinish(nodeid: str, location) -> None:  # type: ignore[no-untyped-def]
    _delete_closed_widgets()
    tmp = _tmp_of.pop(nodeid, None)
    if tmp is not None and nodeid not in _failed:
        shutil.rmtree(tmp, ignore_errors=True)


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@pytest.fixture(scope="session")
def realdata() -> Path:
    """../shared/realdata beside the checkout (CI places it there)."""
    if not REALDATA.is_dir():
        pytest.fail(f"real test data not found at {REALDATA}; the checkout needs ../shared/realdata beside it")
    return REALDATA


@pytest.fixture(scope="session")
def sample_path() -> Path:
    """The committed sample district (read-only: copy it before changing anything)."""
    assert SAMPLE.exists(), f"bundled sample missing: {SAMPLE}"
    return SAMPLE


@pytest.fixture
def sample_copy(tmp_path: Path, sample_path: Path) -> Path:
    dst = tmp_path / "project.gpkg"
    shutil.copyfile(sample_path, dst)
    return dst


#: Tables of the sample's two months of work (tasks, visits, findings, photos, logs, patrol tracks).
WORK_TABLES = ("assignment", "inspection", "finding", "attachment", "audit_log", "sync_log", "sync_conflict",
               "track_point")


def clear_work(path: Path) -> Path:
    """Empty the workflow of a copy of the sample: no tasks, visits, findings, tracks or logs, every fire point
    unverified and unchecked (for tests that count what they create)."""
    import sqlite3
    from contextlib import closing

    from gridwatch.storage.gpkg import connect_readwrite, transaction

    with closing(connect_readwrite(path)) as con, transaction(con):
        for table in WORK_TABLES:
            con.execute("DELETE FROM " + table)  # noqa: S608 - fixed names
        con.execute("UPDATE fire_point SET status = 'unverified', check_uuid = NULL")
    with closing(sqlite3.connect(path)) as con:
        con.execute("VACUUM")
    return path


def bare_sample_in(folder: Path) -> Path:
    """A copy of the sample district in ``folder`` without its work (:func:`clear_work`)."""
    path = folder / "sample.gpkg"
    shutil.copyfile(SAMPLE, path)
    return clear_work(path)


def moved_to_today(path: Path) -> Path:
    """Move a copy of the sample in time as the first-run copy is: its work ends yesterday."""
    import datetime as _dt

    from gridwatch.sample.generator import BUNDLED_AS_OF
    from gridwatch.storage.timeshift import shift_project_times
    from gridwatch.userdata import beijing_today

    today = beijing_today()
    shift_project_times(path, (today - BUNDLED_AS_OF).days, as_of=today)
    assert isinstance(today, _dt.date)
    return path


@pytest.fixture
def bare_copy(tmp_path: Path, sample_path: Path) -> Path:
    """A copy of the sample district without its two months of work (see :func:`clear_work`), its fire
    points moved so that the last ones were detected yesterday."""
    dst = tmp_path / "project.gpkg"
    shutil.copyfile(sample_path, dst)
    return clear_work(moved_to_today(dst))


def _validator() -> Path:
    from osgeo_utils.samples import validate_gpkg  # gdal-utils, installed with --no-deps

    return Path(validate_gpkg.__file__)


def validate_gpkg(path: Path) -> subprocess.CompletedProcess:
    """Run GDAL's validate_gpkg.py on ``path`` in a separate interpreter."""
    return subprocess.run([sys.executable, str(_validator()), str(path)], capture_output=True, text=True,
                          timeout=600)


@pytest.fixture(scope="session")
def gpkg_validator():
    def check(path: Path) -> None:
        before = sha256(path)
        res = validate_gpkg(path)
        assert res.returncode == 0 and not res.stdout.strip() and not res.stderr.strip(), (
            f"validate_gpkg.py reported problems for {path}:\n{res.stdout}\n{res.stderr}"
        )
        assert sha256(path) == before, "validation changed the file"

    return check


def make_photo(path: Path, *, lon: float | None = None, lat: float | None = None, taken_local: str | None = None,
               offset: str | None = "+08:00", size: tuple[int, int] = (640, 480), color=(120, 140, 90)) -> Path:
    """Write a real JPEG with EXIF DateTimeOriginal (``YYYY:MM:DD HH:MM:SS``) and GPS position, as a phone does."""
    from PIL import Image

    img = Image.new("RGB", size, color)
    exif = Image.Exif()
    if taken_local:
        exif.get_ifd(0x8769)[0x9003] = taken_local
        if offset:
            exif.get_ifd(0x8769)[0x9011] = offset
    if lon is not None and lat is not None:
        def dms(v: float):
            v = abs(v)
            d = int(v)
            m = int((v - d) * 60)
            s = round(((v - d) * 60 - m) * 60 * 1000)
            return ((d, 1), (m, 1), (s, 1000))

        from PIL import TiffImagePlugin as T

        gps = exif.get_ifd(0x8825)
        gps[1] = "N" if lat >= 0 else "S"
        gps[2] = tuple(T.IFDRational(n, dd) for n, dd in dms(lat))
        gps[3] = "E" if lon >= 0 else "W"
        gps[4] = tuple(T.IFDRational(n, dd) for n, dd in dms(lon))
    img.save(path, "JPEG", exif=exif, quality=85)
    return Path(path)


@pytest.fixture(scope="session")
def pg_cluster():
    """A throwaway PostgreSQL 15 + PostGIS cluster for the session (tests/pgcluster.py): socket in a temp
    folder, no TCP, run as the unprivileged user scripts/setup.sh --test creates when the tests run as root."""
    from .pgcluster import Cluster, available

    why = available()
    if why:
        pytest.fail(f"PostGIS tests need a local PostgreSQL: {why}")
    cluster = Cluster().start()
    yield cluster
    cluster.stop()

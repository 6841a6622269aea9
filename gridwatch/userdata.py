"""Where GridWatch keeps a user's files, and the first-run copy of the sample district.

The bundled sample is never opened directly: on first run it is copied into the user's data
folder (temp file + ``os.replace``), and that copy is what the app opens and edits.  The copy is
moved in time on the way (:func:`gridwatch.storage.timeshift.shift_project_times`) so that the
sample's two months of work end yesterday: every "last 7 days" view has something in it.
"""

from __future__ import annotations

import datetime as _dt
import os
import shutil
import tempfile
from pathlib import Path
from typing import Optional

from .errors import DataSourceError

#: The sample district committed with the source tree.
BUNDLED_SAMPLE = Path(__file__).resolve().parent.parent / "sample_data" / "luquan_sample.gpkg"
SAMPLE_NAME = "luquan_sample.gpkg"


def user_data_dir() -> Path:
    """``$GRIDWATCH_DATA_DIR``, else ``$XDG_DATA_HOME/gridwatch``, else ``~/.local/share/gridwatch``."""
    env = os.environ.get("GRIDWATCH_DATA_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "gridwatch"


def beijing_today(now: Optional[_dt.datetime] = None) -> _dt.date:
    """Today's date in Beijing time."""
    t = now or _dt.datetime.now(_dt.timezone.utc)
    return t.astimezone(_dt.timezone(_dt.timedelta(hours=8))).date()


def ensure_sample_project(data_dir: Path | None = None, bundled: Path = BUNDLED_SAMPLE, *,
                          today: Optional[_dt.date] = None) -> Path:
    """Path of the user's copy of the sample district, copying it there on first use.

    The copy is moved by whole days so that its work ends the day before ``today`` (default: today in
    Beijing); a copy that exists already is left as it is (it holds the user's own edits).
    """
    from .storage.project import check_project
    from .storage.timeshift import shift_project_times

    data_dir = data_dir or user_data_dir()
    target = data_dir / SAMPLE_NAME
    if target.exists():
        return target
    if not bundled.exists():
        raise DataSourceError(f"{bundled}: bundled sample district missing; reinstall GridWatch")
    data_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".sample.", suffix=".tmp", dir=data_dir)
    os.close(fd)
    try:
        shutil.copyfile(bundled, tmp)
        meta = check_project(tmp)
        if meta.get("as_of"):
            as_of = today or beijing_today()
            shift_project_times(tmp, (as_of - _dt.date.fromisoformat(meta["as_of"])).days, as_of=as_of)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target

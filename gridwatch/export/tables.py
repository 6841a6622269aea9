"""Table exports (CSV, XLSX) written to a temp file beside the target and moved into place.

An existing file is either left as it was or replaced whole, never truncated half-way.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Mapping

import pandas as pd

from ..analysis.coverage import Coverage
from ..errors import GridWatchError

#: Chinese column titles of the coverage tables (the office's briefing language).
COVERAGE_TITLES = {
    "code": "网格编码", "township_code": "乡镇代码", "name": "名称", "inspector_uuid": "网格员",
    "cell_class": "网格类别", "interval_days": "巡查周期(天)", "last_inspection": "最近检查(北京时间)",
    "days_since": "距今天数", "never_inspected": "从未检查", "overdue": "超期未巡", "open_findings": "未销号问题",
    "cells": "网格数",
}
CLASS_TITLES = {"coal_ban_zone": "禁煤区网格", "mine_or_grade_c_site": "含矿山或C级工地", "other": "一般网格"}


class ExportError(GridWatchError):
    """An export could not be written."""


def _titles(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    titles = dict(COVERAGE_TITLES)
    for col in out.columns:
        days = str(col).rsplit("_", 1)[-1][:-1]
        if str(col).startswith("inspections_"):
            titles[col] = "近" + days + "天检查次数"
        elif str(col).startswith("covered_"):
            titles[col] = "近" + days + "天已检查网格"
        elif str(col).startswith("coverage_"):
            titles[col] = "近" + days + "天覆盖率(%)"
    if "cell_class" in out.columns:
        out["cell_class"] = out["cell_class"].map(CLASS_TITLES).fillna(out["cell_class"])
    if "last_inspection" in out.columns:
        t = pd.to_datetime(out["last_inspection"], utc=True)
        out["last_inspection"] = t.dt.tz_convert("Asia/Shanghai").dt.strftime("%Y-%m-%d %H:%M")
    if "days_since" in out.columns:
        out["days_since"] = out["days_since"].round(1)
    return out.rename(columns=titles)


def write_tables(sheets: Mapping[str, pd.DataFrame], out: os.PathLike[str] | str) -> Path:
    """Write ``sheets`` to ``out``: XLSX (one sheet each) or CSV (the first sheet, UTF-8 with BOM for Excel)."""
    target = Path(out)
    kind = target.suffix.lower()
    if kind not in (".xlsx", ".csv"):
        raise ExportError(f"{target}: export to .xlsx or .csv")
    if not target.parent.is_dir():
        raise ExportError(f"{target}: folder {target.parent} does not exist")
    fd, tmp_name = tempfile.mkstemp(prefix="." + target.stem + ".", suffix=kind, dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if kind == ".csv":
            next(iter(sheets.values())).to_csv(tmp, index=False, encoding="utf-8-sig")
        else:
            with pd.ExcelWriter(tmp, engine="openpyxl") as xl:
                for name, frame in sheets.items():
                    frame.to_excel(xl, sheet_name=name[:31], index=False)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ExportError(f"{target}: cannot be written ({exc.strerror})") from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


def coverage_sheets(cov: Coverage, inspector_names: Mapping[str, str] | None = None) -> dict[str, pd.DataFrame]:
    """The coverage tables with Chinese titles: townships, inspectors, cells."""
    cells = cov.cells.copy()
    if inspector_names is not None:
        cells["inspector_uuid"] = cells["inspector_uuid"].map(inspector_names).fillna(cells["inspector_uuid"])
    inspectors = cov.inspectors.drop(columns=["inspector_uuid"]) if "name" in cov.inspectors.columns \
        else cov.inspectors
    return {"乡镇覆盖率": _titles(cov.townships), "网格员覆盖率": _titles(inspectors), "网格巡查": _titles(cells)}

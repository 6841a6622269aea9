"""What the district air-pollution work plans set and a district may change: the one table of
configurable values, with the plans' defaults (issue 17).

Each value has a key, a default taken from the plans, a check and a title.  A project keeps the
values a supervisor or administrator changed in its metadata (``gridwatch_meta``, keys
``setting.<key>``: they travel with the project and its syncs); every door (the assessment, the
calendar, the warnings, the bulletins, the CLI and the app) reads them through
:func:`settings_from_meta`.  No SQL, no Qt.

Sources (quoted in README.md, "Rules from the work plans"):

* deductions per fire point: "秸秆焚烧扣减…每个火点50万元，其他可燃物每个火点10万元" (a 2024 city plan);
* the fireworks ban around the Spring Festival: from 腊月二十三 (小年) to 正月十五 (元宵), the days
  adjustable;
* the monthly reporting deadlines: the township reports by the 25th, the district bulletin by the 28th;
* heavy-pollution warnings: "橙色预警…停止工地土石方作业" (orange and red stop earthwork);
* the seasonal calendar: patrol intervals per cell class and default task kinds per season
  (:mod:`gridwatch.domain.seasonal`).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from ..errors import ValidationError
from .checklists import DEFAULT_CHECKLISTS, check_checklists, check_item_titles
from .seasonal import DEFAULT_CALENDAR, check_calendar
from .vocabulary import WARNING_LEVELS

#: Prefix of the metadata keys that hold changed values.
META_PREFIX = "setting."


@dataclass(frozen=True)
class Setting:
    """One configurable value: its default (from the plans), titles and check."""

    key: str
    default: Any
    title_zh: str
    title_en: str
    check: Callable[[Any], Any]
    #: What the setting takes, in Chinese (the settings dialog's error names it).
    hint_zh: str = ""


def _money(v: Any) -> float:
    x = float(v)
    if not math.isfinite(x) or x < 0:
        raise ValueError("an amount of money must be zero or positive")
    return x


def _days(lo: int, hi: int) -> Callable[[Any], int]:
    def check(v: Any) -> int:
        f = float(v)
        if f != int(f) or not lo <= int(f) <= hi:
            raise ValueError(f"a whole number from {lo} to {hi}")
        return int(f)
    return check


def _level(v: Any) -> str:
    if str(v) not in WARNING_LEVELS:
        raise ValueError("one of " + ", ".join(WARNING_LEVELS))
    return str(v)


SETTINGS: dict[str, Setting] = {s.key: s for s in (
    Setting("deduction_straw_yuan", 500_000.0, "秸秆焚烧火点扣减(元/个)",
            "Deduction per straw-burning fire point (yuan)", _money, "0 或正数(元)"),
    Setting("deduction_other_yuan", 100_000.0, "其他可燃物火点扣减(元/个)",
            "Deduction per other-burning fire point (yuan)", _money, "0 或正数(元)"),
    Setting("fireworks_days_before", 7, "春节前禁放天数(自小年起)", "Fireworks ban: days before the Spring Festival",
            _days(0, 60), "0 至 60 的整数"),
    Setting("fireworks_days_after", 14, "春节后禁放天数(至元宵)", "Fireworks ban: days after the Spring Festival",
            _days(0, 60), "0 至 60 的整数"),
    Setting("township_report_day", 25, "乡镇月报截止日", "Townships report by day", _days(1, 28), "1 至 28 的整数"),
    Setting("bulletin_day", 28, "月通报截止日", "District bulletin by day", _days(1, 28), "1 至 28 的整数"),
    Setting("earthwork_stop_level", "orange", "停止土石方作业的预警级别", "Warning level that stops earthwork", _level,
            "黄色预警、橙色预警或红色预警"),
    Setting("checklists", dict(DEFAULT_CHECKLISTS), "各类任务检查清单", "Checklist items per task kind",
            check_checklists, "每类任务的检查项，不可重复"),
    Setting("checklist_titles", {}, "检查项名称(改名)", "Checklist item names (renamed)", check_item_titles,
            "每项 1 至 40 个字"),
    Setting("calendar", check_calendar(DEFAULT_CALENDAR), "季节日历（各类网格巡查间隔、默认任务类型）",
            "Seasonal calendar (patrol interval per cell class, default task kinds)", check_calendar,
            "每个季节各类网格的巡查间隔(天)和默认任务类型"),
)}


def validate_setting(key: str, value: Any) -> Any:
    """``value`` checked and converted for ``key``.

    Raises
    ------
    ValidationError
        Unknown key, or a value the setting does not take (one line naming both).
    """
    setting = SETTINGS.get(key)
    if setting is None:
        raise ValidationError(f"unknown setting {key!r}; settings: {', '.join(SETTINGS)}",
                              key="setting.unknown", setting=key)
    try:
        return setting.check(value)
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"setting {key}={value!r}: {exc}", key="setting.bad", setting=key,
                              value=_shown(value), title=setting.title_zh, hint=setting.hint_zh or str(exc)) from None


def _shown(value: Any) -> str:
    """A value as the error shows it (a JSON list or mapping as JSON, Chinese kept)."""
    return json.dumps(value, ensure_ascii=False) if isinstance(value, (dict, list, tuple)) else str(value)


def settings_from_meta(meta: Mapping[str, str]) -> dict[str, Any]:
    """Every setting's value: the project's (metadata ``setting.<key>``, JSON) or the plans' default.

    A stored value that no longer passes its check falls back to the default (a hand-edited file must
    not stop the assessment)."""
    out = {k: s.default for k, s in SETTINGS.items()}
    for key in SETTINGS:
        raw = meta.get(META_PREFIX + key)
        if raw is None:
            continue
        try:
            out[key] = validate_setting(key, json.loads(raw))
        except (ValueError, ValidationError):
            continue
    return out


def meta_value(key: str, value: Any) -> tuple[str, str]:
    """The metadata row ``(key, JSON text)`` that stores ``value`` for setting ``key`` (checked)."""
    return META_PREFIX + key, json.dumps(validate_setting(key, value), ensure_ascii=False)

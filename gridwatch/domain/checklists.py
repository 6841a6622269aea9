"""Checklists recorded with inspections, per task kind (issue 17).  No SQL, no Qt.

The plans' items: construction sites' "six 100%" (围挡、覆盖、冲洗、硬化、湿法、密闭运输), the coal-ban
patrol's (coal sold or burnt, stoves) and the fireworks check's (sales points, setting off).  Each item
says which finding category a failed item becomes (one step: the item's title leads the description).
The office may change the lists per district: setting ``checklists`` (kind -> item codes) in
:mod:`gridwatch.domain.plans`; item titles come from the vocabulary.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional

from .vocabulary import ASSIGNMENT_KINDS, CHECKLIST_ITEM_TITLES, title

#: The finding category a failed item becomes.
ITEM_CATEGORY: dict[str, str] = {
    "fencing": "construction_dust", "covering": "construction_dust", "vehicle_washing": "construction_dust",
    "hardened_roads": "construction_dust", "wet_work": "construction_dust", "sealed_transport": "construction_dust",
    "coal_sold": "scattered_coal", "coal_burnt": "scattered_coal", "stoves": "scattered_coal",
    "sales_points": "fireworks", "fireworks_set_off": "fireworks",
}
#: The plans' checklists per task kind (kinds not named have none).
DEFAULT_CHECKLISTS: dict[str, tuple[str, ...]] = {
    "construction_dust": ("fencing", "covering", "vehicle_washing", "hardened_roads", "wet_work", "sealed_transport"),
    "coal_ban": ("coal_sold", "coal_burnt", "stoves"),
    "fireworks": ("sales_points", "fireworks_set_off"),
}


def check_checklists(value: Any) -> dict[str, tuple[str, ...]]:
    """A ``checklists`` setting: task kind -> list of item codes (known kinds and items only)."""
    if not isinstance(value, Mapping):
        raise ValueError("give task kind -> list of items, e.g. {\"coal_ban\": [\"coal_sold\", \"stoves\"]}")
    out: dict[str, tuple[str, ...]] = {}
    for kind, items in value.items():
        if kind not in ASSIGNMENT_KINDS:
            raise ValueError(f"unknown task kind {kind!r}")
        if isinstance(items, str) or not all(isinstance(i, str) and i in CHECKLIST_ITEM_TITLES for i in items):
            raise ValueError(f"{kind}: items are among " + ", ".join(CHECKLIST_ITEM_TITLES))
        twice = sorted({i for i in items if list(items).count(i) > 1})
        if twice:
            raise ValueError(f"{kind}: item {twice[0]} is listed twice")
        out[str(kind)] = tuple(items)
    return out


#: Longest title the office may give an item (it heads a finding's description and a bulletin line).
MAX_TITLE = 40


def check_item_titles(value: Any) -> dict[str, str]:
    """A ``checklist_titles`` setting: item code -> the district's own title for it (a renamed item)."""
    if not isinstance(value, Mapping):
        raise ValueError("give item -> title, e.g. {\"fencing\": \"工地围挡\"}")
    out: dict[str, str] = {}
    for item, text in value.items():
        if item not in CHECKLIST_ITEM_TITLES:
            raise ValueError(f"unknown checklist item {item!r}")
        name = str(text if text is not None else "").strip()
        if not name or len(name) > MAX_TITLE:
            raise ValueError(f"{item}: a title of 1 to {MAX_TITLE} characters")
        out[str(item)] = name
    return out


def item_title(item: str, custom: Optional[Mapping[str, str]] = None, language: str = "zh_CN") -> str:
    """An item's title: the district's own (the office renamed it: setting ``checklist_titles``),
    else the vocabulary's."""
    if custom and custom.get(item):
        return str(custom[item])
    return title(CHECKLIST_ITEM_TITLES, item, language)


def checklist_for(kind: str, checklists: Mapping[str, Any]) -> tuple[str, ...]:
    """The item codes of a task kind's checklist."""
    return tuple(checklists.get(kind, ()))

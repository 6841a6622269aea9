"""Translated titles of core things (layers, fields, coded values) for widgets."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from ..app.store import WORKFLOW_TABLES
from ..domain.vocabulary import CHOICE_TITLES
from ..layers import GROUPS, LAYERS


def layer_title(name: str) -> str:
    spec = LAYERS.get(name) or WORKFLOW_TABLES.get(name)
    return QCoreApplication.translate("Layers", spec.title_en) if spec else name


def group_title(group: str) -> str:
    return QCoreApplication.translate("Groups", GROUPS[group][1])


def field_title(layer: str, field: str) -> str:
    spec = LAYERS.get(layer) or WORKFLOW_TABLES.get(layer)
    if spec is None:
        return field
    for f in spec.fields:
        if f.name == field:
            return QCoreApplication.translate(f"Fields:{layer}", f.title_en)
    return field


def value_title(value: object) -> str:
    if isinstance(value, str) and value in CHOICE_TITLES:
        return QCoreApplication.translate("Values", CHOICE_TITLES[value][1])
    return "" if value is None else str(value)


def feature_title(name: str) -> str:
    """What one feature of layer ``name`` is called ("Township", not the layer's "Townships")."""
    translate = QCoreApplication.translate
    titles = {
        "township": translate("Features", "Township"), "village": translate("Features", "Village"),
        "grid_cell": translate("Features", "Grid cell"), "coal_ban_zone": translate("Features", "Coal-ban zone"),
        "fireworks_ban_zone": translate("Features", "Fireworks-ban zone"), "mine": translate("Features", "Mine"),
        "construction_site": translate("Features", "Construction site"), "key_area": translate("Features", "Key area"),
        "fire_point": translate("Features", "Fire point"), "finding": translate("Features", "Finding"),
        "assignment": translate("Features", "Task"), "inspection": translate("Features", "Inspection"),
        "inspector": translate("Features", "Person"), "attachment": translate("Features", "Photo"),
    }
    return titles.get(name) or layer_title(name)


def table_header(layer: str, field: str) -> str:
    """A column heading of the attribute table (times there are shown in Beijing time)."""
    if field == "detected_utc":
        return field_title(layer, "detected_local")  # converted: 监测时间(北京时间)
    if field == "inspector_uuid":
        return QCoreApplication.translate("Features", "Inspector")
    return field_title(layer, field)

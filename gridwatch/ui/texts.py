"""Translated titles of core things (layers, fields, coded values) for widgets."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from ..domain.vocabulary import CHOICE_TITLES
from ..layers import GROUPS, LAYERS
from ..storage.schema import WORKFLOW_TABLES


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

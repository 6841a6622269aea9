"""Map layer kinds: one module per kind, each exporting ``SPEC``.

``LAYERS`` lists them in drawing order from bottom to top within the default map.
"""

from __future__ import annotations

from . import (
    coal_ban_zone,
    construction_site,
    fire_point,
    fireworks_ban_zone,
    grid_cell,
    key_area,
    mine,
    township,
    village,
)
from .base import Field, LayerSpec, Style

#: Every map layer kind, keyed by table name, in the order they are listed and stored.
LAYERS: dict[str, LayerSpec] = {
    spec.name: spec
    for spec in (
        township.SPEC,
        village.SPEC,
        grid_cell.SPEC,
        coal_ban_zone.SPEC,
        fireworks_ban_zone.SPEC,
        mine.SPEC,
        construction_site.SPEC,
        key_area.SPEC,
        fire_point.SPEC,
    )
}

#: Layer groups as shown in the layers panel.
GROUPS: dict[str, tuple[str, str]] = {
    "boundaries": ("边界", "Boundaries"),
    "zones": ("管控区", "Zones"),
    "sources": ("污染源", "Sources"),
    "key_areas": ("重点区域", "Key areas"),
    "fires": ("火点", "Fire points"),
}


def layer_spec(name: str) -> LayerSpec:
    """Return the spec of layer ``name``; the error lists the known kinds."""
    try:
        return LAYERS[name]
    except KeyError:
        raise KeyError(f"unknown layer kind {name!r}; known kinds: {', '.join(LAYERS)}") from None


__all__ = ["LAYERS", "GROUPS", "Field", "LayerSpec", "Style", "layer_spec"]

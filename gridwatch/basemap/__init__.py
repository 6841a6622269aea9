"""Offline basemaps drawn beneath the project's layers: raster tile packages and OpenStreetMap extracts.

No Qt: :mod:`.tiles` reads and reprojects tiles into RGBA arrays, :mod:`.osm` turns an extract into
themes, :mod:`.chinese` recognises GCJ-02 / BD-09 packages, :mod:`.registry` keeps a project's list.
The UI draws them (``gridwatch/ui/map/basemap.py``).
"""

from .registry import Basemap, add_basemap, basemap_folder, carry_basemaps, list_basemaps, remove_basemap

__all__ = ["Basemap", "add_basemap", "basemap_folder", "carry_basemaps", "list_basemaps", "remove_basemap"]

"""How coded values read to people, in Chinese and English.

Files store short English codes (``burning_confirmed``); panels, legends and exports show these
titles.  The UI passes the English title through Qt's translator (context ``Values``), whose
Chinese entries are generated from this table.
"""

from __future__ import annotations

#: code -> (Chinese, English)
CHOICE_TITLES: dict[str, tuple[str, str]] = {
    "village": ("村", "Village"),
    "community": ("社区", "Community"),
    "grid": ("网格", "Grid cell"),
    "special": ("专属网格", "Special cell"),
    "limestone": ("石灰岩", "Limestone"),
    "sand_gravel": ("砂石", "Sand and gravel"),
    "clay": ("粘土", "Clay"),
    "granite": ("花岗岩", "Granite"),
    "dolomite": ("白云岩", "Dolomite"),
    "other": ("其他", "Other"),
    "operating": ("生产中", "Operating"),
    "closed": ("已关闭", "Closed"),
    "rehabilitating": ("生态修复中", "Rehabilitating"),
    "A": ("A级", "Grade A"),
    "B": ("B级", "Grade B"),
    "C": ("C级", "Grade C"),
    "MODIS": ("MODIS", "MODIS"),
    "VIIRS": ("VIIRS", "VIIRS"),
    "Fengyun": ("风云", "Fengyun"),
    "manual": ("人工上报", "Manual"),
    "unverified": ("未核查", "Not yet checked"),
    "burning_confirmed": ("确认焚烧", "Burning confirmed"),
    "no_burning": ("未发现焚烧", "No burning found"),
    "outside_cell": ("不在本网格", "Outside the cell"),
    "national_station": ("国控站点", "National monitoring station"),
    "provincial_station": ("省控站点", "Provincial monitoring station"),
    "city_station": ("市控站点", "City monitoring station"),
    "school": ("学校", "School"),
    "hospital": ("医院", "Hospital"),
    "residential": ("居民集中区", "Residential area"),
    "inspector": ("网格员", "Inspector"),
    "supervisor": ("督查员", "Supervisor"),
    "admin": ("管理员", "Administrator"),
}


def choice_title(value: str, language: str = "zh") -> str:
    """Title of a coded value; unknown codes are shown as they are."""
    titles = CHOICE_TITLES.get(value)
    if titles is None:
        return value
    return titles[0] if language.startswith("zh") else titles[1]

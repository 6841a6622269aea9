"""One palette for every map GridWatch draws (the app, the PDF/PNG maps, the web map): colour-blind safe,
and each theme in colours of its own so that two themes on one map never read alike.

Built on the Okabe-Ito colours (Okabe & Ito 2008, "Color Universal Design"), which stay apart for the
common colour-vision deficiencies, plus one sequential blue ramp for patrol coverage.  The themes split
the hues between them, and their marks differ in shape as well:

* fire points (circles): vermillion = not yet checked, black = burning confirmed, grey and white = cleared;
* construction sites (squares) by dust grade: bluish green A, yellow B, reddish purple C;
* patrol coverage (cell fills): light to dark blue by days since the last visit, never inspected grey
  and hatched, overdue outlined black;
* findings (diamonds) along the loop: orange found, yellow assigned, sky blue rectified, bluish green
  verified, grey closed;
* highlight (what the user points at): cyan with a dark halo; selection: yellow with a blue outline.

No Qt: RGBA tuples only.  ``tests/test_palette.py`` checks that each theme's colours stay apart for
normal vision and simulated deuteranopia and protanopia.
"""

from __future__ import annotations

RGBA = tuple[int, int, int, int]

#: The Okabe-Ito colours.
OKABE_ITO: dict[str, tuple[int, int, int]] = {
    "black": (0, 0, 0),
    "orange": (230, 159, 0),
    "sky_blue": (86, 180, 233),
    "bluish_green": (0, 158, 115),
    "yellow": (240, 228, 66),
    "blue": (0, 114, 178),
    "vermillion": (213, 94, 0),
    "reddish_purple": (204, 121, 167),
}


def rgba(name_or_rgb: str | tuple[int, int, int], alpha: int = 255) -> RGBA:
    rgb = OKABE_ITO[name_or_rgb] if isinstance(name_or_rgb, str) else name_or_rgb
    return (rgb[0], rgb[1], rgb[2], alpha)


#: Fire points by verification status: only "not yet checked" is a strong colour.
FIRE_STATUS: dict[str, RGBA] = {
    "unverified": rgba("vermillion", 235),
    "burning_confirmed": (25, 25, 25, 235),
    # other combustibles burnt (rubbish, leaves): dark brown, counted apart from straw burning
    "burning_other": (120, 60, 20, 235),
    "no_burning": (170, 170, 170, 210),
    "outside_cell": (250, 250, 250, 220),
    # checked on site as an industrial heat source (issue 17): slate blue, settled and not counted
    "industrial_heat": (60, 90, 140, 220),
    # a persistent heat source (kiln, plant) seen day after day: not straw burning, drawn apart
    "heat_source": rgba("blue", 235),
}
FIRE_OUTLINE: RGBA = (60, 25, 0, 255)

#: Construction sites by dust grade (A best).
DUST_GRADE: dict[str, RGBA] = {
    "A": rgba("bluish_green", 230),
    "B": rgba("yellow", 235),
    "C": rgba("reddish_purple", 235),
}

#: Patrol coverage: days since the last visit, light (recent) to dark (long ago); never inspected grey.
COVERAGE: dict[str, RGBA] = {
    "within_7": (222, 235, 247, 255),
    "within_14": (158, 202, 225, 255),
    "within_30": (66, 146, 198, 255),
    "over_30": (8, 69, 148, 255),
    "never": (189, 189, 189, 255),
}
COVERAGE_NEVER_HATCH: RGBA = (110, 110, 110, 255)
COVERAGE_OVERDUE: RGBA = (0, 0, 0, 255)

#: Findings along the loop.
FINDING_STATUS: dict[str, RGBA] = {
    "found": rgba("orange"),
    "assigned": rgba("yellow"),
    "rectified": rgba("sky_blue"),
    "verified": rgba("bluish_green"),
    "closed": (90, 90, 90, 255),  # dark: a mid grey reads as bluish green to deuteranopes
}

#: Mines by status: earth tones (areas, under the point themes).
MINE_STATUS: dict[str, RGBA] = {
    "operating": (166, 118, 29, 190),
    "closed": (150, 150, 150, 170),
    "rehabilitating": (120, 170, 110, 170),
}

#: What the user points at, and the cell selection.
HIGHLIGHT: RGBA = (0, 229, 255, 255)
HIGHLIGHT_HALO: RGBA = (20, 20, 20, 255)
SELECTION_FILL: RGBA = (255, 230, 0, 255)
SELECTION_LINE: RGBA = rgba("blue")

#: Heavy-pollution warnings in their signal colours (the national standard names the levels by colour:
#: yellow, orange, red), for the map's frame and banner; not a theme, so not held to the palette above.
WARNING_LEVEL: dict[str, RGBA] = {"yellow": (250, 204, 0, 255), "orange": (255, 128, 0, 255),
                                  "red": (214, 28, 28, 255)}
#: A construction site's check during a warning: checked (bluish green, a disc) or not (vermillion, a ring).
SITE_CHECKED: RGBA = rgba("bluish_green")
SITE_UNCHECKED: RGBA = rgba("vermillion")

#: The themes a map can show at once, for the tests (and a legend's swatches).
THEMES: dict[str, dict[str, RGBA]] = {
    "fire_status": FIRE_STATUS,
    "dust_grade": DUST_GRADE,
    "coverage": COVERAGE,
    "finding_status": FINDING_STATUS,
}

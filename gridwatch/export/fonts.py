"""The Chinese (CJK) font printed maps are drawn with.

Matplotlib's bundled DejaVu Sans has no Chinese glyphs: every 乡镇 name would print as empty boxes
("tofu").  :func:`find_cjk_font` picks a font that covers Chinese, in this order:

1. a ``.ttf`` / ``.otf`` / ``.ttc`` file in the project's ``resources/fonts/`` (an office can ship
   its own licensed font there);
2. Noto Sans CJK as ``scripts/setup.sh`` installs it (Debian/Ubuntu package ``fonts-noto-cjk``);
3. whatever fontconfig offers for ``:lang=zh``;

and checks each candidate's character map really holds Chinese before accepting it (fontconfig
answers every query with *some* font, often one without Chinese).  The font is registered with
matplotlib's font manager and used through :class:`~matplotlib.font_manager.FontProperties` by
file (with the face index of a ``.ttc`` collection), never by a family name that could resolve to
another font.  PDFs embed the glyphs they use, so a map prints the same on a machine without the
font.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional

from .tables import ExportError

#: ``resources/fonts`` of the checkout/installation (an office's own font goes here).
RESOURCE_FONTS = Path(__file__).resolve().parent.parent.parent / "resources" / "fonts"
#: Where Debian/Ubuntu's fonts-noto-cjk puts Noto Sans CJK.
NOTO_DIRS = (Path("/usr/share/fonts/opentype/noto"), Path("/usr/share/fonts/noto-cjk"),
             Path("/usr/share/fonts/google-noto-cjk"))
NOTO_REGULAR = "NotoSansCJK-Regular.ttc"
NOTO_BOLD = "NotoSansCJK-Bold.ttc"
#: Characters a font must have to count as a Chinese font (common words of GridWatch maps).
PROBE = "网格乡镇村禁煤区火点图例比例尺坐标系"
FONT_SUFFIXES = (".ttf", ".otf", ".ttc")
INSTALL_HINT = ("install a Chinese font: `sudo apt install fonts-noto-cjk` (Debian/Ubuntu; scripts/setup.sh does "
                "it) or put a .ttf/.otf/.ttc font with Chinese glyphs into " + str(RESOURCE_FONTS))


@dataclass(frozen=True)
class CJKFont:
    """A font file (and face of a collection) that covers Chinese, with an optional bold face."""

    path: Path
    face_index: int = 0
    bold_path: Optional[Path] = None
    bold_face_index: int = 0

    @property
    def name(self) -> str:
        """The family name stored in the font (e.g. 'Noto Sans CJK SC')."""
        from matplotlib import ft2font

        return str(ft2font.FT2Font(str(self.path), face_index=self.face_index).family_name)

    def properties(self, size: float, *, bold: bool = False):  # type: ignore[no-untyped-def]
        """:class:`~matplotlib.font_manager.FontProperties` for this font at ``size`` points."""
        from matplotlib.font_manager import FontPath, FontProperties

        if bold and self.bold_path is not None:
            file = FontPath(str(self.bold_path), self.bold_face_index)
        else:
            file = FontPath(str(self.path), self.face_index)
        return FontProperties(fname=file, size=size)

    def missing(self, text: str, *, bold: bool = False) -> str:
        """Characters of ``text`` (other than white space) that this font has no glyph for."""
        path, face = (self.bold_path, self.bold_face_index) if bold and self.bold_path else (self.path,
                                                                                            self.face_index)
        cmap = _cmap(str(path), face)
        return "".join(sorted({ch for ch in text if not ch.isspace() and ord(ch) not in cmap}))


@functools.lru_cache(maxsize=16)
def _cmap(path: str, face_index: int) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    font = TTFont(path, fontNumber=face_index, lazy=True)
    try:
        return frozenset(font.getBestCmap() or {})
    finally:
        font.close()


def _faces(path: Path) -> list[tuple[int, str]]:
    """(face index, family name) of every face in ``path``."""
    from matplotlib import ft2font

    first = ft2font.FT2Font(str(path))
    out = [(0, str(first.family_name))]
    for i in range(1, first.num_faces):
        out.append((i, str(ft2font.FT2Font(str(path), face_index=i).family_name)))
    return out


def _chinese_face(path: Path) -> Optional[int]:
    """Index of the face of ``path`` best for simplified Chinese, or None if none covers it."""
    try:
        faces = _faces(path)
    except (OSError, RuntimeError, ValueError):
        return None
    # Prefer the simplified-Chinese face of a pan-CJK collection (its glyph shapes are the
    # mainland standard; the JP face draws some shared characters the Japanese way).
    faces.sort(key=lambda f: (0 if f[1].endswith(" SC") or "SC" in f[1].split() else 1, f[0]))
    for index, _ in faces:
        try:
            cmap = _cmap(str(path), index)
        except Exception:  # a damaged or unsupported file: try the next candidate
            continue
        if all(ord(ch) in cmap for ch in PROBE):
            return index
    return None


def _fontconfig_candidates() -> list[Path]:
    if shutil.which("fc-match") is None:
        return []
    out: list[Path] = []
    for pattern in (":lang=zh-cn", ":lang=zh"):
        try:
            res = subprocess.run(["fc-match", "-f", "%{file}", pattern], capture_output=True, text=True, timeout=20)
        except (OSError, subprocess.SubprocessError):
            continue
        if res.returncode == 0 and res.stdout.strip():
            out.append(Path(res.stdout.strip()))
    return out


def _candidates(resource_dir: Path) -> Iterable[tuple[Path, Optional[Path]]]:
    """(regular, bold or None) font files to try, best first."""
    if resource_dir.is_dir():
        files = sorted(p for p in resource_dir.iterdir() if p.suffix.lower() in FONT_SUFFIXES and p.is_file())
        regular = [p for p in files if "bold" not in p.stem.lower()]
        bold = [p for p in files if "bold" in p.stem.lower()]
        for p in regular or files:
            yield p, (bold[0] if bold else None)
    for d in NOTO_DIRS:
        if (d / NOTO_REGULAR).is_file():
            yield d / NOTO_REGULAR, (d / NOTO_BOLD if (d / NOTO_BOLD).is_file() else None)
    for p in _fontconfig_candidates():
        yield p, None


@functools.lru_cache(maxsize=4)
def find_cjk_font(resource_dir: Optional[Path] = None) -> CJKFont:
    """The font to draw Chinese map text with (see the module docstring for the search order).

    Registers the font with matplotlib's font manager.

    Raises
    ------
    ExportError
        If no font with Chinese glyphs is found; the message says what to install.
    """
    seen: set[Path] = set()
    for regular, bold in _candidates(resource_dir or RESOURCE_FONTS):
        if regular in seen or not regular.is_file():
            continue
        seen.add(regular)
        index = _chinese_face(regular)
        if index is None:
            continue
        bold_index = _chinese_face(bold) if bold is not None and bold.is_file() else None
        font = CJKFont(regular, index, bold if bold_index is not None else None, bold_index or 0)
        register(font)
        return font
    raise ExportError("no font with Chinese glyphs found for printing maps; " + INSTALL_HINT)


def font_from_file(path: Path | str, face_index: Optional[int] = None) -> CJKFont:
    """A :class:`CJKFont` for an explicit font file (its Chinese face, or ``face_index``).

    The font is not required to cover Chinese (tests draw with a Latin-only font on purpose);
    :meth:`CJKFont.missing` tells which characters it lacks.
    """
    p = Path(path)
    if not p.is_file():
        raise ExportError(f"{p}: font file not found")
    index = face_index if face_index is not None else (_chinese_face(p) or 0)
    font = CJKFont(p, index)
    register(font)
    return font


def register(font: CJKFont) -> None:
    """Make ``font`` known to matplotlib's font manager (idempotent)."""
    from matplotlib import font_manager

    known = {f.fname for f in font_manager.fontManager.ttflist}
    for p in (font.path, font.bold_path):
        if p is not None and str(p) not in known:
            font_manager.fontManager.addfont(str(p))

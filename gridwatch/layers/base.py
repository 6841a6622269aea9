"""Building blocks of a layer definition: fields, default style, validation.

A :class:`LayerSpec` says everything GridWatch knows about one kind of map layer: the table it
lives in, its fields, the geometry it accepts, which field labels it, how it is drawn by default
and what rules its features must satisfy.  Specs are plain data; the UI turns the style into Qt
pens and brushes, the storage turns the fields into GeoPackage columns.
"""

from __future__ import annotations

import uuid as _uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Mapping, Optional

if TYPE_CHECKING:  # numpy, pandas and shapely are imported where used: the command line's parser (layer
    import numpy as np  # names) and the app's start-up do not wait for them
    import pandas as pd

#: Column type names as they appear in a GeoPackage.
FIELD_TYPES = ("TEXT", "INTEGER", "REAL", "BOOLEAN", "DATE", "DATETIME", "BLOB")

_PANDAS_DTYPES: dict[str, Any] = {
    "TEXT": object,
    "INTEGER": "int64",
    "REAL": "float64",
    "BOOLEAN": "bool",
    "DATE": object,  # datetime.date values; pyogrio writes them as GeoPackage DATE
    "DATETIME": "datetime64[ms, UTC]",
    "BLOB": object,
}

RGBA = tuple[int, int, int, int]


@dataclass(frozen=True)
class Field:
    """One attribute column.

    Parameters
    ----------
    name : str
        Column name in the GeoPackage (ASCII, lower case).
    type : str
        One of :data:`FIELD_TYPES`.
    title_zh, title_en : str
        Column heading shown to users.
    required : bool
        NULL or empty text is a validation error.
    choices : tuple of str, optional
        Allowed values (codes stored in the file; the UI translates them).
    pattern : str, optional
        Regular expression a text value must match in full.
    """

    name: str
    type: str
    title_zh: str
    title_en: str
    required: bool = False
    choices: Optional[tuple[str, ...]] = None
    pattern: Optional[str] = None
    unique: bool = False

    def __post_init__(self) -> None:
        if self.type not in FIELD_TYPES:
            raise ValueError(f"field {self.name!r}: unknown type {self.type!r}")

    @property
    def pandas_dtype(self) -> Any:
        return _PANDAS_DTYPES[self.type]


#: (GeoPackage geometry type, shapely types a feature may have) of the layer kinds.
POLYGONS: tuple[str, tuple[str, ...]] = ("MultiPolygon", ("Polygon", "MultiPolygon"))
POINTS: tuple[str, tuple[str, ...]] = ("Point", ("Point",))
POINTS_OR_POLYGONS: tuple[str, tuple[str, ...]] = ("GEOMETRY", ("Point", "Polygon", "MultiPolygon"))


def layer_spec(name: str, titles: tuple[str, str], group: str, geometry: tuple[str, tuple[str, ...]],
               fields: tuple[Field, ...], style: Style, *, label_field: Optional[str] = "name",
               **rest: Any) -> LayerSpec:
    """A :class:`LayerSpec` from its essentials: name, (Chinese, English) titles, group, one of
    :data:`POLYGONS` / :data:`POINTS` / :data:`POINTS_OR_POLYGONS`, fields and style."""
    return LayerSpec(name=name, title_zh=titles[0], title_en=titles[1], group=group, geometry_type=geometry[0],
                     accepted_geometries=geometry[1], fields=fields, label_field=label_field, style=style, **rest)


def code_field(title_zh: str, digits: int) -> Field:
    """A boundary's statistical code: unique, ``digits`` digits."""
    return Field("code", "TEXT", title_zh, "Code", required=True, unique=True, pattern=rf"\d{{{digits}}}")


def name_field(title_zh: str = "名称") -> Field:
    """The required name of a feature."""
    return Field("name", "TEXT", title_zh, "Name", required=True)


def parent_code_field(level: str, required: bool = False) -> Field:
    """The code of the village, township or county a feature lies in (``village``/``township``/``county``)."""
    title_zh, title_en, digits = {"village": ("村级代码", "Village code", 12),
                                  "township": ("乡镇代码", "Township code", 9),
                                  "county": ("区县代码", "County code", 6)}[level]
    return Field(f"{level}_code", "TEXT", title_zh, title_en, required=required, pattern=rf"\d{{{digits}}}")


def uuid_field() -> Field:
    """The stable text identifier every GridWatch row carries besides its fid."""
    return Field("uuid", "TEXT", "唯一标识", "UUID", required=True, unique=True,
                 pattern=r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@dataclass(frozen=True)
class Style:
    """Default cartographic style of a layer (plain data; the UI maps it to Qt)."""

    stroke: RGBA = (60, 60, 60, 255)
    stroke_width: float = 1.0
    fill: Optional[RGBA] = None
    hatch: Optional[str] = None  # "diagonal", "cross" or None
    marker: Optional[str] = None  # "circle", "square", "triangle" for point layers
    marker_size: float = 6.0
    #: Field whose value picks a colour from ``categories`` (fill for polygons, marker for points).
    category_field: Optional[str] = None
    categories: Mapping[str, RGBA] = field(default_factory=dict)
    #: Labels are drawn only below this map scale denominator (zoomed in at least this far).
    label_max_scale: Optional[float] = None
    #: ``(column, category)``: features whose ``column`` is true take ``category`` instead of their
    #: ``category_field`` value, unless that value is in ``flag_keeps`` (a fire point of a
    #: persistent heat source is drawn as one, unless a check confirmed burning).
    flag_category: Optional[tuple[str, str]] = None
    flag_keeps: tuple[str, ...] = ()

    def category_values(self, frame: pd.DataFrame) -> Optional[pd.Series]:
        """The category of every feature of ``frame`` (None: the style has no categories)."""
        if not self.category_field or self.category_field not in frame.columns:
            return None
        values = frame[self.category_field].astype(object)
        flagged = self.flagged(frame)
        if flagged is not None:
            values = values.where(~flagged, self.flag_category[1] if self.flag_category else None)
        return values

    def flagged(self, frame: pd.DataFrame) -> Optional[np.ndarray]:
        """Features that take the flag category (None when the style or the frame has no flag)."""
        import numpy as np
        import pandas as pd

        if self.flag_category is None or self.flag_category[0] not in frame.columns \
                or not self.category_field or self.category_field not in frame.columns:
            return None
        from ..domain.heat_sources import as_flags

        col = frame[self.flag_category[0]]
        if pd.api.types.is_bool_dtype(col.dtype) or pd.api.types.is_numeric_dtype(col.dtype):
            # A million fire points' flags as numbers, not a million Python objects (0.4 s before the first paint).
            flag = as_flags(col.to_numpy(dtype=float, na_value=np.nan))
        else:
            flag = as_flags(col.to_numpy(dtype=object, na_value=None))
        keep = frame[self.category_field].isin(self.flag_keeps).to_numpy(dtype=bool, na_value=False)
        return flag & ~keep


@dataclass(frozen=True)
class LayerSpec:
    """Everything GridWatch knows about one kind of map layer."""

    name: str
    title_zh: str
    title_en: str
    group: str  # "boundaries", "zones", "sources", "fires"
    geometry_type: str  # GeoPackage geometry type name written for the layer
    accepted_geometries: tuple[str, ...]  # shapely geom_type values a feature may have
    fields: tuple[Field, ...]
    label_field: Optional[str]
    style: Style
    #: Extra rules: ``rule(frame) -> list of problems``; each problem names row and field.
    rules: tuple[Callable[[pd.DataFrame], list[str]], ...] = ()
    #: Fields indexed in the GeoPackage for fast lookup (uuid is always unique-indexed).
    indexed: tuple[str, ...] = ()

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"layer {self.name!r} has no field {name!r}")

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def empty_frame(self) -> pd.DataFrame:
        import pandas as pd

        """An empty frame with one correctly typed column per field."""
        return pd.DataFrame({f.name: pd.Series([], dtype=f.pandas_dtype) for f in self.fields})

    def validate(self, frame: pd.DataFrame) -> list[str]:
        """Check ``frame`` against the layer's fields and rules.

        Returns a list of problems, empty when the frame is valid.  Each problem names the layer,
        the row (by its position and, when present, its code or name) and the field.
        """
        return validate_frame(self, frame)


def row_label(frame: pd.DataFrame, i: int) -> str:
    """'row 12 (code 130110100001)': a row reference a user can find in a table."""
    parts = [f"row {i + 1}"]
    for key in ("code", "name"):
        if key in frame.columns:
            value = frame[key].iloc[i]
            if isinstance(value, str) and value:
                parts.append(f"({key} {value})")
                break
    return " ".join(parts)


def _missing_mask(col: pd.Series) -> np.ndarray:
    """True where a value is NULL/NaN or blank text."""
    import numpy as np
    import pandas as pd

    mask = col.isna().to_numpy(dtype=bool)
    if col.dtype == object:
        try:  # text only (as an importer makes it): Arrow strips a million values in C
            blank = col.astype("string[pyarrow]").str.strip().eq("").fillna(False)
            return mask | np.asarray(blank, dtype=bool)
        except (TypeError, ValueError, ImportError):  # numbers among the text: one value at a time
            blank = col.map(lambda v: isinstance(v, str) and v.strip() == "").to_numpy(dtype=bool)
        mask = mask | blank
    elif pd.api.types.is_string_dtype(col.dtype):  # pandas string dtype: vectorised
        mask = mask | col.str.strip().eq("").fillna(False).to_numpy(dtype=bool)
    return mask


def _non_text_mask(col: pd.Series) -> np.ndarray:
    """True where a present value is not text (a number in a code column, say)."""
    import numpy as np
    import pandas as pd

    if pd.api.types.is_string_dtype(col.dtype) and col.dtype != object:
        return np.zeros(len(col), dtype=bool)
    return col.map(lambda v: v is not None and not isinstance(v, str) and not pd.isna(v)).to_numpy(dtype=bool)


def validate_frame(spec: LayerSpec, frame: pd.DataFrame, max_problems: int = 50) -> list[str]:
    """Validate ``frame`` (a (Geo)DataFrame) for layer ``spec``; see :meth:`LayerSpec.validate`.

    Checks are vectorised; only offending rows are visited to word the messages, so a million
    valid fire points validate in about a second.
    """
    import numpy as np
    import shapely

    problems: list[str] = []

    def add(rows: np.ndarray, message: Callable[[int], str]) -> bool:
        for i in rows[: max(0, max_problems - len(problems))]:
            problems.append(message(int(i)))
        return len(problems) >= max_problems

    missing_cols = [f.name for f in spec.fields if f.required and f.name not in frame.columns]
    for name in missing_cols:
        problems.append(f"{spec.name}: required field '{name}' is missing; map a source column to it")
    if missing_cols:
        return problems
    for f in spec.fields:
        if f.name not in frame.columns:
            continue
        col = frame[f.name]
        missing = _missing_mask(col)
        if f.required and add(np.flatnonzero(missing),
                              lambda i: f"{spec.name} {row_label(frame, i)}: field '{f.name}' is empty"):
            return problems
        if f.choices is not None:
            bad = ~missing & ~col.isin(f.choices).to_numpy()
            if add(np.flatnonzero(bad), lambda i: (
                    f"{spec.name} {row_label(frame, i)}: field '{f.name}' has {col.iloc[i]!r}; "
                    f"allowed: {', '.join(f.choices or ())}")):
                return problems
        if f.pattern is not None:
            text = col.where(~missing, "").astype(str)
            ok = text.str.fullmatch(f.pattern).fillna(False).to_numpy(dtype=bool)
            bad = ~missing & (~ok | _non_text_mask(col))
            if add(np.flatnonzero(bad), lambda i: (
                    f"{spec.name} {row_label(frame, i)}: field '{f.name}' value {col.iloc[i]!r} "
                    f"does not match the expected form {f.pattern}")):
                return problems
        if f.unique:
            dup = (col.duplicated(keep="first") & col.notna()).to_numpy()
            if add(np.flatnonzero(dup), lambda i: (
                    f"{spec.name} {row_label(frame, i)}: field '{f.name}' value {col.iloc[i]!r} is repeated")):
                return problems
    if "geometry" in frame.columns and spec.accepted_geometries:
        geoms = np.asarray(frame["geometry"])
        empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
        if add(np.flatnonzero(empty), lambda i: f"{spec.name} {row_label(frame, i)}: geometry is empty"):
            return problems
        kinds = np.asarray(shapely.get_type_id(geoms))
        allowed_ids = [_GEOM_TYPE_IDS[g] for g in spec.accepted_geometries]
        wrong = ~empty & ~np.isin(kinds, allowed_ids)
        if add(np.flatnonzero(wrong), lambda i: (
                f"{spec.name} {row_label(frame, i)}: geometry is a {geoms[i].geom_type}; "
                f"this layer takes {', '.join(spec.accepted_geometries)}")):
            return problems
    for rule in spec.rules:
        problems.extend(rule(frame))
        if len(problems) >= max_problems:
            return problems[:max_problems]
    return problems


_GEOM_TYPE_IDS = {"Point": 0, "LineString": 1, "LinearRing": 2, "Polygon": 3, "MultiPoint": 4,
                  "MultiLineString": 5, "MultiPolygon": 6, "GeometryCollection": 7}


def nests_in(child: str, parent: str, label: str) -> Callable[[pd.DataFrame], list[str]]:
    """Rule: the value of field ``child`` starts with the value of field ``parent``."""

    def rule(frame: pd.DataFrame) -> list[str]:
        out: list[str] = []
        if child not in frame.columns or parent not in frame.columns:
            return out
        for i, (c, p) in enumerate(zip(frame[child].tolist(), frame[parent].tolist())):
            if isinstance(c, str) and isinstance(p, str) and not c.startswith(p):
                out.append(f"{label} {row_label(frame, i)}: {child} {c} does not nest in {parent} {p}")
        return out

    return rule


def new_uuid() -> str:
    """A fresh random text UUID for a new row."""
    return str(_uuid.uuid4())


def uuids_from_rng(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` version-4 UUID strings drawn from ``rng`` (deterministic for a seeded generator)."""
    import numpy as np

    return uuid_strings(rng.integers(0, 256, size=(n, 16), dtype=np.uint8))


def uuid_strings(raw: np.ndarray) -> list[str]:
    """Version-4 UUID strings from an (n, 16) array of random bytes (the version and variant bits are set
    here), formatted in numpy: a million take a fraction of a second, not ten."""
    import numpy as np

    raw = np.array(raw, dtype=np.uint8).reshape(-1, 16)
    n = len(raw)
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80
    digits = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
    hexed = np.empty((n, 32), dtype=np.uint8)
    hexed[:, 0::2] = digits[raw >> 4]
    hexed[:, 1::2] = digits[raw & 0x0F]
    text = np.full((n, 36), ord("-"), dtype=np.uint8)
    for start, stop, at in ((0, 8, 0), (8, 12, 9), (12, 16, 14), (16, 20, 19), (20, 32, 24)):
        text[:, at:at + stop - start] = hexed[:, start:stop]
    flat = text.tobytes().decode("ascii")
    return [flat[i:i + 36] for i in range(0, 36 * n, 36)]

"""Periods as people type them: "7,30" days (coverage), "2025-11" months (ranking).  One parser for
the CLI and the export dialog."""

from __future__ import annotations

from ..errors import ValidationError


def parse_periods(text: object, name: str = "periods") -> tuple[int, ...]:
    """Whole days separated by commas (also the Chinese comma), e.g. ``"7,30"`` -> ``(7, 30)``.

    Raises ValidationError naming ``name`` (the option or field) when a part is not a positive whole number.
    """
    try:
        periods = tuple(int(p) for p in str(text).replace("，", ",").split(",") if p.strip())
    except ValueError:
        periods = ()
    if not periods or min(periods) <= 0:
        raise ValidationError(f"{name} {text!r}: give whole days separated by commas, e.g. 7,30",
                              key="periods.bad", name=name, text=str(text))
    return periods


def parse_pairs(text: object, name: str, example: str) -> dict[str, str]:
    """``KEY=VALUE`` pairs separated by commas (e.g. ``coal_ban_zone=7,other=14``)."""
    out: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in str(text or "").replace("，", ",").split(","))):
        key, sep, value = part.partition("=")
        if not sep:
            raise ValidationError(f"{name} {text!r}: give KEY=VALUE pairs, e.g. {example}")
        out[key.strip()] = value.strip()
    return out

"""The monthly township ranking for the bulletin (月通报): indicator weights and scores."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Mapping, Optional

import numpy as np

from ..errors import ValidationError

if TYPE_CHECKING:
    import pandas as pd
else:
    from ..lazy import pd

#: Ranking indicators: key -> (summary column, higher is better).  Percentages are used as they
#: are (0-100); per-cell counts are scored against the worst township: 100 x (1 - x / max x).
INDICATORS: dict[str, tuple[str, bool]] = {
    "coverage": ("coverage_pct", True),
    "closure": ("closure_pct", True),
    "overdue": ("overdue_per_cell", False),
    "fire_in_time": ("fire_in_time_pct", True),
    "fires": ("fires_per_cell", False),
}


#: Default weights of the ranking (the office can change them; they need not sum to 1).
DEFAULT_WEIGHTS: dict[str, float] = {"coverage": 0.30, "closure": 0.25, "overdue": 0.15, "fire_in_time": 0.15,
                                     "fires": 0.15}


def validate_weights(weights: Optional[Mapping[str, float]]) -> dict[str, float]:
    """Weights for :func:`ranking` (indicators not named weigh 0), normalised to sum 1.

    Raises
    ------
    ValidationError
        An unknown indicator, a negative or non-numeric weight, or weights summing to 0.
    """
    given = dict(DEFAULT_WEIGHTS if weights is None else weights)
    unknown = [k for k in given if k not in INDICATORS]
    if unknown:
        raise ValidationError(f"unknown ranking weight {unknown[0]!r}; the weights are "
                              + ", ".join(INDICATORS))
    clean: dict[str, float] = {}
    for k in INDICATORS:
        v = given.get(k, 0.0)
        try:
            x = float(v)
        except (TypeError, ValueError):
            raise ValidationError(f"ranking weight {k}={v!r} is not a number") from None
        if not math.isfinite(x) or x < 0:
            raise ValidationError(f"ranking weight {k}={v!r}: weights must be zero or positive numbers")
        clean[k] = x
    total = sum(clean.values())
    if total <= 0:
        raise ValidationError("ranking weights sum to 0: give at least one indicator a positive weight")
    return {k: v / total for k, v in clean.items()}


def parse_weights(text: str) -> dict[str, float]:
    """``"coverage=0.3,closure=0.3"`` as a dict (validated by :func:`validate_weights`)."""
    out: dict[str, float] = {}
    for item in (p.strip() for p in str(text).split(",")):
        if not item:
            continue
        name, sep, value = item.partition("=")
        if not sep:
            raise ValidationError(f"weights {text!r}: write NAME=NUMBER pairs separated by commas, e.g. "
                                  "coverage=0.3,closure=0.3; names: " + ", ".join(INDICATORS))
        try:
            out[name.strip()] = float(value)
        except ValueError:
            raise ValidationError(f"ranking weight {item!r}: {value.strip()!r} is not a number") from None
    validate_weights(out)
    return out


def indicator_scores(summary: pd.DataFrame) -> pd.DataFrame:
    """Each indicator of each township as a 0-100 score (NaN when it cannot be measured).

    Percentages (coverage, closure, fire checks in time) are their own score.  Per-cell counts
    where less is better (overdue findings and tasks per cell, fire points per cell) score
    ``100 x (1 - x / max)`` against the district's worst township (0 everywhere: 100 for all).
    """
    out = pd.DataFrame(index=summary.index)
    for key, (column, higher) in INDICATORS.items():
        x = summary[column].astype(float)
        if higher:
            out[key] = x.clip(0, 100)
        else:
            worst = x.max(skipna=True)
            out[key] = 100.0 if not (worst > 0) else (100.0 * (1.0 - x / worst))
            out[key] = out[key].where(x.notna())
    return out


def ranking(summary: pd.DataFrame, weights: Optional[Mapping[str, float]] = None) -> pd.DataFrame:
    """The townships ranked for the monthly bulletin.

    ``score`` (0-100, one decimal) is the weighted mean of the indicator scores
    (:func:`indicator_scores`) over the indicators a township can be measured on: an indicator
    with nothing to measure (no findings in the period for the closure rate, no fire checks due
    for the in-time rate) leaves the township's other weights to carry the score.  Weights: see
    :func:`validate_weights` (default :data:`DEFAULT_WEIGHTS`).  Townships with equal (displayed)
    scores share a rank ("1, 2, 2, 4") and are listed by township code; a township with no score
    comes last without a rank.

    Returns the summary's columns plus ``score_<indicator>``, ``score`` and ``rank``, sorted by rank.
    """
    w = validate_weights(weights)
    scores = indicator_scores(summary)
    weight = pd.DataFrame({k: np.where(scores[k].notna(), w[k], 0.0) for k in INDICATORS}, index=summary.index)
    total_w = weight.sum(axis=1)
    weighted = sum(scores[k].fillna(0.0) * weight[k] for k in INDICATORS)
    score = (weighted / total_w.where(total_w > 0)).round(1)
    out = summary.copy()
    for k in INDICATORS:
        out["score_" + k] = scores[k].round(1)
    out["score"] = score
    out["rank"] = out["score"].rank(method="min", ascending=False).astype("Int64")
    out = out.sort_values(["score", "township_code"], ascending=[False, True], na_position="last", kind="mergesort")
    return out.reset_index(drop=True)

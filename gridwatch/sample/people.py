"""The sample district's people, organised as the work plans organise them.

* a grid inspector (网格员) per village, two or three in a large one, each holding a run of the
  village's cells;
* a township grid chief (网格长) per township;
* the district office: three supervisors (督查员) and an administrator.

Mobile numbers are masked (``138****2046``), as they are printed in bulletins; office numbers are
the office's landline.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..layers.base import uuids_from_rng
from . import names as nm

if TYPE_CHECKING:
    import pandas as pd
else:
    from ..lazy import pd

#: A village with more cells than this gets a second inspector (a third above twice as many).
CELLS_PER_INSPECTOR = 14


def masked_mobile(number: str) -> str:
    """``13812342046`` -> ``138****2046``."""
    return number[:3] + "****" + number[-4:] if len(number) == 11 else number


@dataclass
class People:
    """The people table and who holds each cell."""

    table: pd.DataFrame
    cell_inspector: np.ndarray  # uuid per cell (the generator's cell order)


def unique_name(rng: np.random.Generator, taken: set[str]) -> str:
    for _ in range(1000):
        name = nm.person_name(rng)
        if name not in taken:
            taken.add(name)
            return name
    raise RuntimeError("ran out of person names")


def make_people(rng: np.random.Generator, office: list[dict], village_codes: list[str],
                cell_order: list[np.ndarray], n_cells: int) -> People:
    """People of the district.

    ``office``: rows already drawn from the district's main stream (the township grid chiefs, then
    the office); ``cell_order[i]``: the cell indices of village ``i`` in their code order, so an
    inspector holds a run of neighbouring codes.
    """
    taken = {str(r["name"]) for r in office}
    rows = [dict(r) for r in office]
    for r in rows:
        r["phone"] = masked_mobile(str(r["phone"]))
        r.setdefault("village_code", None)
    # a third supervisor for the district office
    rows.append({"uuid": uuids_from_rng(rng, 1)[0], "name": unique_name(rng, taken), "role": "supervisor",
                 "phone": f"0311-8{rng.integers(0, 10**6):06d}", "township_code": None, "active": True,
                 "village_code": None})
    holder = np.empty(n_cells, dtype=object)
    for code, cells in zip(village_codes, cell_order):
        k = 1 + (len(cells) > CELLS_PER_INSPECTOR) + (len(cells) > 2 * CELLS_PER_INSPECTOR)
        ids = uuids_from_rng(rng, k)
        for j, uid in enumerate(ids):
            mobile = f"1{rng.choice([3, 5, 8])}{rng.integers(0, 10**9):09d}"
            rows.append({"uuid": uid, "name": unique_name(rng, taken), "role": "inspector",
                         "phone": masked_mobile(mobile), "township_code": code[:9], "active": True,
                         "village_code": code})
        # contiguous runs of the village's cells in code order
        for j, part in enumerate(np.array_split(cells, k)):
            holder[part] = ids[j]
    # one inspector left the job in the autumn: kept, inactive, so the history still names them
    retired = uuids_from_rng(rng, 1)[0]
    rows.append({"uuid": retired, "name": unique_name(rng, taken), "role": "inspector",
                 "phone": masked_mobile(f"139{rng.integers(0, 10**8):08d}"), "township_code": village_codes[0][:9],
                 "active": False, "village_code": village_codes[0]})
    table = pd.DataFrame(rows, columns=["uuid", "name", "role", "phone", "township_code", "active", "village_code"])
    return People(table, holder)

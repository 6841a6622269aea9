"""Index arrays of runs, made without ``np.repeat``.

A map render makes these on worker threads: the indices of the vertices of the visible outline pieces,
the segment of every sample of a line.  ``np.repeat`` keeps Python's interpreter lock for its whole call
(15 ms for 3 million indices on a field laptop, measured: the GUI thread waits as long); a cumulative sum
of steps written in place does the same in blocks, and numpy's fancy assignment and additions let go of
the lock.  No Qt.
"""

from __future__ import annotations

import numpy as np

from ..tasks import breathe

#: Elements per block of the cumulative sum (about a millisecond of holding the lock each).
BLOCK = 1 << 20


def _cumsum_in_place(a: np.ndarray) -> np.ndarray:
    carry = 0
    for s in range(0, len(a), BLOCK):
        block = a[s:s + BLOCK]
        np.cumsum(block, out=block)
        if carry:
            block += carry
        carry = int(block[-1])
        breathe()
    return a


def run_ids(lengths: np.ndarray) -> np.ndarray:
    """The run of every element: ``np.repeat(np.arange(len(lengths)), lengths)``."""
    lengths = np.asarray(lengths, dtype=np.int64)
    ids = np.flatnonzero(lengths > 0)
    if len(ids) == 0:
        return np.empty(0, dtype=np.intp)
    sizes = lengths[ids]
    out = np.zeros(int(sizes.sum()), dtype=np.intp)
    out[0] = ids[0]
    out[np.cumsum(sizes[:-1])] = np.diff(ids)
    return _cumsum_in_place(out)


def ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The runs ``starts[i] .. starts[i] + lengths[i] - 1`` one after the other:
    ``np.concatenate([np.arange(s, s + n) for s, n in zip(starts, lengths)])``."""
    lengths = np.asarray(lengths, dtype=np.int64)
    keep = lengths > 0
    if not keep.all():
        starts, lengths = np.asarray(starts)[keep], lengths[keep]
    if len(lengths) == 0:
        return np.empty(0, dtype=np.intp)
    starts = np.asarray(starts, dtype=np.intp)
    out = np.ones(int(lengths.sum()), dtype=np.intp)
    out[0] = starts[0]
    # each run's first element: its start, less where the previous run's last element was
    out[np.cumsum(lengths[:-1])] = starts[1:] - (starts[:-1] + lengths[:-1] - 1)
    return _cumsum_in_place(out)

"""Give freed memory back to the operating system (glibc), so the map's peak memory is what it holds.

A map works with big temporary arrays (a million fire points read, a 1600 x 1000 image per layer and
render).  glibc serves big blocks with ``mmap`` and returns them on ``free``, but after the first such
free it raises its threshold to that size, and every later image comes from the heap, whose freed
pages stay with the process: on the stress district the app held 120 MB more after 20 pans and zooms.
A fixed threshold keeps big arrays mapped (returned when freed); ``malloc_trim`` returns what a load
left in the heap.  Elsewhere than glibc both do nothing.

Blocks up to the size of a render's arrays (:func:`reuse_blocks_up_to`, set by the map canvas:
:data:`RENDER_BLOCKS` or its view's image, the larger) are the exception: mapped afresh, each new layer
image of every render faulted its pages in again as it was drawn (1.5-2 ms an image of 1600 x 1000, a
quarter of a zoomed render), and so did the outline vertices of a city's grid (11 MB an array); from the
heap, a render reuses the pages the previous render freed (stress district: peak memory of open + 20
interactions 531-537 MB before, 531-547 MB after; the city 1,135 -> 1,161 MB).  Bigger blocks stay mapped.

numpy's arrays get no huge pages (:func:`no_huge_pages_for_arrays`): making one on a page fault stalled
renders for tens of milliseconds.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from typing import Any, Optional

#: Blocks from this size on are mapped, and unmapped when freed (glibc's own default, held fixed).
MMAP_THRESHOLD = 256 * 1024
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_libc: Optional[Any] = None
_tried = False
_reused = 0
#: The biggest arrays a render makes and frees again (a city's grid outlines seen whole: 1.4 million
#: vertices, 11 MB an array; a 4K view's image: 33 MB).
RENDER_BLOCKS = 64 << 20


def _glibc() -> Optional[Any]:
    global _libc, _tried
    if not _tried:
        _tried = True
        if sys.platform.startswith("linux"):
            try:
                lib = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
                if hasattr(lib, "mallopt") and hasattr(lib, "malloc_trim"):
                    _libc = lib
            except OSError:
                _libc = None
    return _libc


def keep_big_blocks_mapped() -> bool:
    """Fix glibc's mmap threshold (call once, at start-up, before the big arrays); whether it could.
    Also asks numpy for no huge pages (see :func:`no_huge_pages_for_arrays`)."""
    no_huge_pages_for_arrays()
    lib = _glibc()
    if lib is None:
        return False
    ok = lib.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
    lib.mallopt(_M_TRIM_THRESHOLD, 4 * MMAP_THRESHOLD)
    return ok


def no_huge_pages_for_arrays() -> bool:
    """Stop numpy asking the kernel for huge pages for its arrays of 4 MB and more (``madvise``); whether
    it could.  Where the kernel makes a huge page when asked by compacting memory first (Debian's and
    Ubuntu's default, ``defrag`` = ``madvise``), the first touch of such a page took 10-40 ms in the kernel:
    a render drawing onto a new view-sized image stalled there, holding the interpreter lock, and the GUI
    froze with it (the stress district's full render with a busy background job: GUI stalls of 40-74 ms,
    3-8 ms without huge pages; renders no slower)."""
    try:
        from numpy._core.multiarray import _set_madvise_hugepage  # numpy 2
    except ImportError:  # pragma: no cover - numpy 1.x
        try:
            from numpy.core.multiarray import _set_madvise_hugepage
        except ImportError:
            return False
    _set_madvise_hugepage(False)
    return True


def reuse_blocks_up_to(nbytes: int) -> bool:
    """Serve blocks of up to ``nbytes`` (a view-sized image) from the heap and keep up to twice that free at
    its top, so freed images' pages are reused; bigger blocks stay mapped.  Only ever raised (the biggest
    view seen); whether it changed anything."""
    global _reused
    lib = _glibc()
    if lib is None or nbytes <= _reused:
        return False
    _reused = nbytes
    threshold = max(MMAP_THRESHOLD, nbytes + (64 << 10))  # the block's header and a row or two of slack
    lib.mallopt(_M_MMAP_THRESHOLD, threshold)
    lib.mallopt(_M_TRIM_THRESHOLD, 2 * threshold)
    return True


def return_freed_memory() -> None:
    """Hand the heap's free pages back to the operating system (after a big load)."""
    lib = _glibc()
    if lib is not None:
        lib.malloc_trim(0)

"""Images the map renderer draws into: QImages over numpy arrays (no copy), one image per layer drawn part
after part (:class:`LayerImage`), colours (split from :mod:`.render`, which re-exports them)."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator, Optional

import numpy as np
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QImage, QPainter

Part = tuple[QImage, float]


@contextmanager
def painting(img: QImage) -> Iterator[QPainter]:
    """A painter on ``img`` that is always ended, also when a render is cancelled mid-way."""
    p = QPainter(img)
    try:
        yield p
    finally:
        p.end()


class ArrayImage(QImage):
    """A QImage drawn straight from a numpy array's memory (no copy); it keeps the array alive."""

    def __init__(self, arr: np.ndarray) -> None:
        arr = np.ascontiguousarray(arr)
        h, w = arr.shape[:2]
        super().__init__(arr.data, w, h, 4 * w, QImage.Format.Format_ARGB32_Premultiplied)
        self._array = arr


def new_image(width: int, height: int) -> QImage:
    """A transparent image to paint on. Backed by ``np.zeros`` (calloc): no fill pass needed."""
    return ArrayImage(np.zeros((max(1, height), max(1, width), 4), dtype=np.uint8))


def image_from_array(arr: np.ndarray) -> QImage:
    """Wrap a (h, w, 4) premultiplied BGRA array as a QImage without copying it."""
    return ArrayImage(arr)


def qcolor(rgba: tuple[int, int, int, int], alpha: Optional[int] = None) -> QColor:
    r, g, b, a = rgba
    return QColor(r, g, b, a if alpha is None else alpha)


_OPACITY_ALPHA: dict[float, int] = {}


def opacity_alpha(opacity: float) -> int:
    """The alpha (0-255) QPainter multiplies an image's pixels by when it draws the image at ``opacity``
    (measured on one pixel: Qt rounds the opacity its own way), so numpy blends give Qt's pixels."""
    hit = _OPACITY_ALPHA.get(opacity)
    if hit is None:
        src = QImage(1, 1, QImage.Format.Format_ARGB32_Premultiplied)
        src.fill(QColor(255, 255, 255, 255))
        dst = QImage(1, 1, QImage.Format.Format_ARGB32_Premultiplied)
        dst.fill(0)
        with painting(dst) as p:
            p.setOpacity(opacity)
            p.drawImage(0, 0, src)
        hit = _OPACITY_ALPHA[opacity] = QColor.fromRgba(dst.pixel(0, 0)).alpha()
    return hit


class LayerImage:
    """One layer's pixels for one view: its parts (fills, outlines, markers) drawn one after the other into
    a single image, as if each were drawn into an image of its own and those were laid on each other at
    their opacities, without the images in between.  No image at all when nothing is drawn.

    The pixels of the first part keep its opacity (``opacity``) until a second part is drawn over them; it is
    then applied to the pixels (once), and every later part is composited onto them.  A first part that
    cannot overlap itself (fills of one colour per pixel) can instead be drawn with its opacity already
    applied (:meth:`source_painter`): no pass at all.
    """

    def __init__(self, width: int, height: int, stacked: bool = False) -> None:
        self.width, self.height = max(1, width), max(1, height)
        self.array: Optional[np.ndarray] = None
        self.image: Optional[QImage] = None
        self.opacity = 1.0
        #: Several layers are drawn into this image one after the other (see :mod:`.renderpass`): a layer's
        #: fills are laid straight onto the layers beneath (:meth:`source_painter`), not drawn apart.
        self.stacked = stacked

    @property
    def empty(self) -> bool:
        return self.array is None

    @property
    def fills_in_place(self) -> bool:
        """Whether fills given with their alpha can be drawn straight into the image
        (:meth:`source_painter`): when it is empty, or a stack of layers."""
        return self.array is None or self.stacked

    def _adopt(self, arr: np.ndarray, opacity: float) -> None:
        self.array, self.image, self.opacity = arr, ArrayImage(arr), opacity

    def _ready(self) -> np.ndarray:
        """The image, with its pending opacity applied: ready for another part on top."""
        if self.array is None:
            self._adopt(np.zeros((self.height, self.width, 4), dtype=np.uint8), 1.0)
        elif self.opacity < 1.0:
            with painting(self.image) as p:  # type: ignore[arg-type]
                # Multiplying by the alpha Qt would composite the part with: the same pixels.
                p.setCompositionMode(QPainter.CompositionMode.CompositionMode_DestinationIn)
                p.fillRect(0, 0, self.width, self.height, QColor(0, 0, 0, opacity_alpha(self.opacity)))
            self.opacity = 1.0
        assert self.array is not None
        return self.array

    @contextmanager
    def painter(self, opacity: float = 1.0) -> Iterator[QPainter]:
        """A painter for a part drawn opaque and laid on the layer at ``opacity``: straight into the image
        when it is the first part (the opacity is applied later), else into a part image laid over it."""
        if self.array is None:
            self._adopt(np.zeros((self.height, self.width, 4), dtype=np.uint8), opacity)
            with painting(self.image) as p:  # type: ignore[arg-type]
                yield p
            return
        if opacity >= 1.0:
            # Laid on opaque: drawn straight over the pixels ("over" is associative), no image between.
            with self._over() as p:
                yield p
            return
        part = new_image(self.width, self.height)
        with painting(part) as p:
            yield p
        self.add(part, opacity)

    @contextmanager
    def _over(self) -> Iterator[QPainter]:
        """A painter drawing straight over the image's pixels (its pending opacity applied first)."""
        self._ready()
        with painting(self.image) as p:  # type: ignore[arg-type]
            yield p

    @contextmanager
    def source_painter(self) -> Iterator[Optional[QPainter]]:
        """For a first part of fills without antialiasing or patterns, to be laid on at an opacity: a
        painter that writes its colours as they are (composition mode Source), given with the alpha
        ``opacity_alpha(opacity)``.  The pixels are those of the part drawn opaque and laid on at
        ``opacity`` (a later fill replaces an earlier one in both), with no pass to apply it.
        On a stack of layers with pixels already (:attr:`stacked`) the colours are laid over them instead:
        the same pixels but where two fills of the layer overlap (they are then both seen).
        None when a layer's own image already has pixels: use :meth:`painter`."""
        if self.array is not None:
            if not self.stacked:
                yield None
                return
            with self._over() as p:
                yield p
            return
        self._adopt(np.zeros((self.height, self.width, 4), dtype=np.uint8), 1.0)
        with painting(self.image) as p:  # type: ignore[arg-type]
            p.setCompositionMode(QPainter.CompositionMode.CompositionMode_Source)
            yield p

    def add(self, img: QImage, opacity: float) -> None:
        """Lay an image of the view's size over the layer at ``opacity``."""
        if opacity <= 0:
            return
        target = getattr(img, "target", None)  # a layer drawn for its part of the view (render.render_layer)
        whole = target is None and img.width() == self.width and img.height() == self.height
        if self.array is None and whole and isinstance(img, ArrayImage):
            self._adopt(img._array, opacity)  # a view-sized first part: its pixels are the layer's
            return
        with self._over() as p:
            p.setOpacity(min(1.0, opacity))
            if target is not None:
                p.drawImage(target, img)
            elif whole:
                p.drawImage(0, 0, img)
            else:  # a raster at bin resolution, scaled to the view as the composite would
                p.drawImage(QRectF(0, 0, self.width, self.height), img)

    def array_for_over(self) -> Optional[np.ndarray]:
        """The image's pixels to composite a part onto in numpy (None: the layer is empty, draw the part's
        own image, see :meth:`add_array`)."""
        return None if self.array is None else self._ready()

    def add_array(self, arr: np.ndarray, opacity: float) -> None:
        """Lay a (height, width, 4) premultiplied array over the layer at ``opacity``."""
        if self.array is None:
            self._adopt(arr, opacity)
        else:
            self.add(ArrayImage(arr), opacity)

    def parts(self) -> list[Part]:
        return [] if self.image is None or self.opacity <= 0 else [(self.image, self.opacity)]

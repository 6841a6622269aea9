"""pandas and geopandas imported when first used, not when a module that uses them is imported.

Opening the app used to import pandas and geopandas (0.7 s of a 1.5 s budget) before the first painted map,
which needs neither: the map draws from numpy arrays.  A module writes::

    if TYPE_CHECKING:
        import pandas as pd
    else:
        from ..lazy import pd

and uses ``pd`` as before; the first attribute read (``pd.DataFrame``) imports pandas.  No Qt here.
"""

from __future__ import annotations

import importlib
import types
from typing import Any, Callable


class LazyModule(types.ModuleType):
    """A stand-in for module ``name`` that imports it on the first attribute read, then reads from it."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.__dict__["_lazy_target"] = name

    def __getattr__(self, attr: str) -> Any:
        # only called for what is not in this object's dict: the first read imports the module and
        # copies its namespace here, so later reads cost what a module attribute read costs
        module = importlib.import_module(self.__dict__["_lazy_target"])
        self.__dict__.update({k: v for k, v in module.__dict__.items() if k not in ("__name__", "__spec__")})
        return getattr(module, attr)

    def __repr__(self) -> str:
        return f"<lazy module {self.__dict__['_lazy_target']!r}>"


def module_getattr(namespace: dict[str, Any], package: str, where: dict[str, str]) -> Callable[[str], Any]:
    """A module's ``__getattr__`` (PEP 562) that reads each name in ``where`` from its module (named relative
    to ``package``) when first used, and keeps it in the module's ``namespace``."""

    def __getattr__(name: str) -> Any:
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {namespace['__name__']!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module, package), name)
        namespace[name] = value
        return value

    return __getattr__


pd = LazyModule("pandas")
gpd = LazyModule("geopandas")
#: pyogrio imports geopandas (and so pandas) when it is imported.
pyogrio = LazyModule("pyogrio")


class EmptyFrame:
    """A class attribute holding a data frame: an empty one until one is set, made when first read (a panel
    that starts empty does not import pandas while the window is built)."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.key = "_frame_" + name

    def __get__(self, obj: Any, objtype: Any = None) -> Any:
        if obj is None:
            return self
        value = obj.__dict__.get(self.key)
        if value is None:
            value = obj.__dict__[self.key] = pd.DataFrame()
        return value

    def __set__(self, obj: Any, value: Any) -> None:
        obj.__dict__[self.key] = value


def frame_read(obj: Any, name: str) -> bool:
    """Whether :class:`EmptyFrame` attribute ``name`` of ``obj`` holds a frame that was set (not read as empty)."""
    return obj.__dict__.get("_frame_" + name) is not None

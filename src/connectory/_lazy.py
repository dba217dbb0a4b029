"""Names a package offers, imported from their modules on first use (PEP 562).

A package's ``__init__`` lists what it offers; the modules behind some of them are costly to
import (jsonschema, SQLAlchemy and alembic, the runtime), and most commands need few of them::

    __getattr__, __dir__ = lazy_names(__name__, {".store": ("Catalog",), ".migrate": ("upgrade",)})

with the same names imported under ``if TYPE_CHECKING:`` for the type checker. A name is imported
on first access (``package.Catalog``, ``from package import Catalog``) and then kept in the
package, so that the next access is an ordinary one.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_names"]


def lazy_names(
    package: str, modules: Mapping[str, tuple[str, ...]]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """A module ``__getattr__`` and ``__dir__`` for ``package`` offering the names of each of
    ``modules`` (named relative to ``package``, such as ``".store"``)."""
    names = {name: module for module, offered in modules.items() for name in offered}

    def __getattr__(name: str) -> Any:
        module = names.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module, package), name)
        setattr(sys.modules[package], name, value)
        return value

    def __dir__() -> list[str]:
        return sorted({*vars(sys.modules[package]), *names})

    return __getattr__, __dir__

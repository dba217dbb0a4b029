"""Where the catalogue is when nobody names one: one home, wherever a command runs.

First found first:

    environment   ``$CONNECTORY_DATABASE_URL``
    checkout      ``catalog/connectory.db`` in the Connectory checkout holding the current folder:
                  the nearest folder, walking up, with a ``pyproject.toml`` naming the project
                  ``connectory`` and a ``catalog/`` folder (so ``make demo``, ``make desk``, the
                  notebooks in ``notebooks/`` and a command in ``src/`` share one catalogue)
    user          ``connectory.db`` in the user's data folder: ``$XDG_DATA_HOME/connectory``, by
                  default ``~/.local/share/connectory`` (the same from every other folder)

``default_location`` reads the environment and looks at folders; it creates nothing (opening the
catalogue creates the file and its folder). The ``--catalog`` option of the command and the
``url`` of ``Catalog.open`` come before all of these.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import sqlalchemy as sa

__all__ = ["DATABASE_URL_ENV", "Location", "default_location", "find_checkout"]

DATABASE_URL_ENV = "CONNECTORY_DATABASE_URL"
_PROJECT = "connectory"
_FILE = "connectory.db"
_MAX_PYPROJECT_BYTES = 1 << 20

Reason = Literal["environment", "checkout", "user"]


@dataclass(frozen=True)
class Location:
    """The default catalogue: its URL, why it is this one and, when embedded, its file."""

    url: str
    reason: Reason
    path: Path | None = None
    """The SQLite file (None when the URL comes from the environment)."""

    def describe(self) -> str:
        """Why this catalogue, in a few words (no URL: it may hold a password)."""
        if self.reason == "environment":
            return f"named by {DATABASE_URL_ENV}"
        if self.reason == "checkout":
            return f"the Connectory checkout at {self.path.parent.parent if self.path else '?'}"
        return "the user's data folder (no Connectory checkout holds the current folder)"


def _sqlite_url(path: Path) -> str:
    return sa.URL.create("sqlite+pysqlite", database=str(path)).render_as_string()


def _names_connectory(pyproject: Path) -> bool:
    try:
        with pyproject.open("rb") as handle:
            text = handle.read(_MAX_PYPROJECT_BYTES)
        project = tomllib.loads(text.decode("utf-8")).get("project")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    return isinstance(project, dict) and project.get("name") == _PROJECT


def find_checkout(start: Path) -> Path | None:
    """The Connectory checkout holding ``start`` (the nearest, walking up), if any."""
    for folder in (start, *start.parents):
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and (folder / "catalog").is_dir() and _names_connectory(pyproject):
            return folder
    return None


def default_location(environ: Mapping[str, str] | None = None, cwd: Path | None = None) -> Location:
    """The catalogue to use when none is named (see the module docstring for the order)."""
    environ = os.environ if environ is None else environ
    configured = environ.get(DATABASE_URL_ENV, "").strip()
    if configured:
        return Location(url=configured, reason="environment")
    checkout = find_checkout(Path.cwd() if cwd is None else cwd)
    if checkout is not None:
        path = checkout / "catalog" / _FILE
        return Location(url=_sqlite_url(path), reason="checkout", path=path)
    data = environ.get("XDG_DATA_HOME", "").strip()
    folder = Path(data) if data and Path(data).is_absolute() else Path.home() / ".local" / "share"
    path = folder / _PROJECT / _FILE
    return Location(url=_sqlite_url(path), reason="user", path=path)

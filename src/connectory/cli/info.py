"""``connectory info``: which catalogue the commands use and why, its database, what it holds.

Nothing is created or migrated (see ``connectory.catalog.status``); the URL shows without its
password.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING

import typer

from . import render
from .common import JsonOption, handles_errors, options, print_json

if TYPE_CHECKING:
    from connectory.catalog import Status


def _connectory_version() -> str:
    try:
        return version("connectory")
    except PackageNotFoundError:  # run from a checkout that was not installed
        return "unknown"


def _schema(found: Status) -> str:
    if not found.exists:
        return "none yet: the first command that opens the catalogue creates it"
    if found.current:
        return f"revision {found.revision} (current)"
    return (
        f"revision {found.revision or '(empty)'}, this Connectory expects "
        f"{found.expected_revision}: the next command migrates it"
    )


def _count(value: int, noun: str) -> str:
    return f"{value} {noun if value == 1 else noun + 's'}"


def _holds(found: Status) -> str:
    if found.connectors is None or found.versions is None:
        return "-"
    return f"{_count(found.connectors, 'connector')}, {_count(found.versions, 'version')}"


@handles_errors
def info(as_json: JsonOption = False) -> None:
    """Show which catalogue the commands use and why, its database and what it holds."""
    from connectory.catalog import status

    given = options["catalog"]
    found = status(given, why="named by --catalog") if given else status()
    if as_json:
        print_json({"connectory": _connectory_version(), **found.model_dump(mode="json")})
        return
    rows = [
        ("Catalogue", found.url),
        ("Why", found.why),
        ("Database", found.database),
        ("Schema", _schema(found)),
        ("Holds", _holds(found)),
        ("Connectory", _connectory_version()),
    ]
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        render.out.print(
            f"{label:<{width}}  {value}", soft_wrap=True, markup=False, highlight=False
        )


def register(app: typer.Typer) -> None:
    app.command()(info)

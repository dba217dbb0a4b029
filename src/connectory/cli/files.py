"""``connectory export`` and ``connectory import``: the catalogue as reviewable files.

The vetted catalogue that ships with the project is ``catalog/`` at the repository root (one folder
per connector, one file per published version; see ``connectory.catalog.files``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from . import render
from .common import JsonOption, handles_errors, open_catalog, print_json

__all__ = ["register"]

FolderArgument = Annotated[
    Path,
    typer.Argument(help="The catalogue folder (default: catalog/ here)."),
]


@handles_errors
def export(
    folder: FolderArgument = Path("catalog"),
    connectors: Annotated[
        list[str] | None,
        typer.Option("--connector", "-c", help="Only this connector (repeatable)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Write the published versions of the catalogue as files under FOLDER."""
    from connectory.catalog import export_catalog

    with open_catalog() as catalog:
        report = export_catalog(catalog, folder, connectors=connectors or None)
    if as_json:
        print_json(
            {
                "written": [str(path) for path in report.written],
                "unchanged": [str(path) for path in report.unchanged],
            }
        )
        return
    for path in report.written:
        render.out.print(f"wrote {path}")
    render.out.print(
        f"{len(report.written)} files written, {len(report.unchanged)} already up to date."
    )


@handles_errors
def import_(
    folder: FolderArgument = Path("catalog"),
    as_json: JsonOption = False,
) -> None:
    """Import the connectors and published versions under FOLDER; all files are checked first."""
    from connectory.catalog import import_catalog
    from connectory.settings import Settings

    with open_catalog() as catalog:
        report = import_catalog(catalog, folder, settings=Settings.from_env())
    if as_json:
        print_json({"published": report.published, "unchanged": report.unchanged})
        return
    for ref in report.published:
        render.out.print(f"published {ref}")
    render.out.print(
        f"{render.counted(len(report.published), 'version')} imported, "
        f"{len(report.unchanged)} already in the store."
    )


def register(main: typer.Typer) -> None:
    main.command("export")(export)
    main.command("import")(import_)

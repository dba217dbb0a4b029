"""``connectory diff OLD NEW``: what changed between two versions, and whom it hurts.

Each side is a stored version (``NAME@VERSION``, ``latest`` and ``default`` allowed) or a
document (a path or an http(s) URL), which is inspected as ``connectory inspect`` would.
"""

from __future__ import annotations

import shlex
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from connectory.errors import InputError

from . import render
from .common import JsonOption, ProtocolOption, handles_errors, open_catalog, print_json, split_ref

if TYPE_CHECKING:
    from connectory.catalog import Catalog
    from connectory.model.version import ConnectorVersion

__all__ = ["diff", "register"]

_LEVELS = ("breaking", "dangerous", "safe")


def register(app: typer.Typer) -> None:
    """Add ``diff`` to ``app``."""
    app.command()(diff)


def _is_document(spec: str) -> bool:
    return spec.startswith(("http://", "https://")) or "@" not in spec or Path(spec).exists()


class _Sides:
    """Loads each side, opening the catalogue only when a side is a stored version."""

    def __init__(self, protocol: str | None) -> None:
        self.protocol = protocol
        self.catalog: Catalog | None = None

    def load(self, spec: str) -> ConnectorVersion:
        if _is_document(spec):
            from connectory.onboarding import inspect

            with render.err.status(f"Inspecting {spec}"):
                return inspect(spec, protocol=self.protocol)
        name, label = split_ref(spec)
        if self.catalog is None:
            self.catalog = open_catalog()
        return self.catalog.get_version(name, label or "latest")

    def close(self) -> None:
        if self.catalog is not None:
            self.catalog.close()


@handles_errors
def diff(
    old: Annotated[str, typer.Argument(metavar="OLD", help="NAME@VERSION, a path or a URL.")],
    new: Annotated[str, typer.Argument(metavar="NEW", help="NAME@VERSION, a path or a URL.")],
    protocol: ProtocolOption = None,
    fail_on: Annotated[
        str | None,
        typer.Option(
            "--fail-on",
            metavar="LEVEL",
            help="Exit with code 1 if there is a change of this level (breaking, dangerous, safe) "
            "or a worse one.",
            show_default=False,
        ),
    ] = None,
    limit: Annotated[
        int,
        typer.Option(
            "--limit",
            metavar="N",
            min=0,
            help="List at most N changes after the counts (breaking first).",
        ),
    ] = render.CHANGES_SHOWN,
    show_all: Annotated[
        bool, typer.Option("--all", help="List every change (overrides --limit).")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Show what changed from OLD to NEW.

    First the counts of changes by level (breaking, dangerous, safe) and by kind, then the first
    changes, breaking first (20 unless --limit or --all says otherwise). --json prints every
    change.
    """
    from connectory.changes import diff as diff_versions

    if fail_on is not None and fail_on not in _LEVELS:
        raise InputError(f"--fail-on: expected one of {', '.join(_LEVELS)}, got {fail_on!r}")
    sides = _Sides(protocol)
    try:
        before, after = sides.load(old), sides.load(new)
    finally:
        sides.close()
    changes = diff_versions(before, after)
    counts: Counter[str] = Counter(change.level for change in changes)
    if as_json:
        print_json(
            {
                "old": old,
                "new": new,
                "summary": {level: counts[level] for level in _LEVELS},
                "changes": [change.model_dump(mode="json") for change in changes],
            }
        )
    else:
        counted = (
            f"{render.counted(len(changes), 'change')} ({render.level_counts(changes)})"
            if changes
            else "no changes"
        )
        render.out.print(
            f"[bold]{escape(old)}[/bold] -> [bold]{escape(new)}[/bold]: {counted}", soft_wrap=True
        )
        render.print_changes(
            changes,
            limit=None if show_all else limit,
            see_all=f"connectory diff {_quoted(old)} {_quoted(new)} --all lists them all",
        )
    if fail_on is not None:
        worst = _LEVELS[: _LEVELS.index(fail_on) + 1]
        if any(counts[level] for level in worst):
            raise typer.Exit(1)


def _quoted(argument: str) -> str:
    """``argument`` as a shell would need it typed again."""
    return shlex.quote(argument)

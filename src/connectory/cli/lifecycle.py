"""The life of a version on the command line: ``publish``, ``deprecate``, ``delete``.

``publish`` applies the publish policy (``connectory.vetting.publishing``): breaking changes since the
version it follows need a major semver bump, or ``--allow-breaking`` for other labels; the
published version carries its change report.
"""

from __future__ import annotations

import sys
from collections import Counter
from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from connectory.errors import ConfirmationRequired, InputError, PublishRefused

from . import render
from .common import JsonOption, handles_errors, open_catalog, print_json, split_ref

if TYPE_CHECKING:
    from connectory.model.version import Change

__all__ = ["delete", "deprecate", "publish", "register"]

_SHOWN = 20


def register(app: typer.Typer) -> None:
    """Add ``publish``, ``deprecate`` and ``delete`` to ``app``."""
    app.command()(publish)
    app.command()(deprecate)
    app.command()(delete)


def _counts(changes: list[Change]) -> str:
    counts = Counter(change.level for change in changes)
    return ", ".join(f"{counts[level]} {level}" for level in ("breaking", "dangerous", "safe"))


@handles_errors
def publish(
    ref: Annotated[str, typer.Argument(metavar="NAME@VERSION")],
    allow_breaking: Annotated[
        bool,
        typer.Option(
            "--allow-breaking",
            help="Publish despite breaking changes (labels that are not semver only: a semver "
            "label must bump its major version).",
        ),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Publish a draft version (it can never change again).

    Its changes since the version it follows are recorded on it; breaking ones need a major
    version bump (semver labels) or --allow-breaking (other labels).
    """
    from connectory.vetting.publishing import publish as publish_version

    name, label = split_ref(ref)
    with open_catalog() as catalog:
        try:
            published = publish_version(catalog, name, label or "", allow_breaking=allow_breaking)
        except PublishRefused as refused:
            render.print_changes(refused.changes, limit=_SHOWN, console=render.err)
            if refused.suggested_label:
                render.err.print(f"Suggested label: {name}@{refused.suggested_label}")
            raise
    version = published.version
    if as_json:
        print_json(version.model_dump(mode="json"))
        return
    render.out.print(
        f"Published [bold]{version.ref}[/bold] (content sha256 {version.content_sha256}).",
        soft_wrap=True,
    )
    if not published.checked:
        render.out.print(
            f"Changes are not checked for {version.protocol} versions yet.", soft_wrap=True
        )
    elif published.baseline is None:
        render.out.print("The first published version: nothing to compare with.", soft_wrap=True)
    else:
        render.out.print(
            f"Changes since {name}@{published.baseline}: {_counts(version.changes)} "
            f"(connectory diff {name}@{published.baseline} {version.ref}).",
            soft_wrap=True,
        )
    for impact in published.affected_boards:
        used = ", ".join(impact.actions) or "every action"
        state = "deployed" if impact.deployed else "not deployed"
        render.out.print(
            f"Board [bold]{escape(impact.board)}[/bold] ({state}) follows "
            f"{'/'.join(impact.via)} and uses what changed: {escape(used)}.",
            soft_wrap=True,
        )


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"--sunset: expected a date as YYYY-MM-DD, got {text!r}") from None


@handles_errors
def deprecate(
    ref: Annotated[str, typer.Argument(metavar="NAME@VERSION")],
    sunset: Annotated[
        str,
        typer.Option(
            "--sunset",
            metavar="DATE",
            help="When it stops working (YYYY-MM-DD).",
            show_default=False,
        ),
    ],
    replacement: Annotated[
        str | None,
        typer.Option(
            "--replacement", metavar="VERSION", help="The published version to use instead."
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Deprecate a published version: it keeps working until its sunset; `latest` skips it."""
    name, label = split_ref(ref)
    when = _date(sunset)
    with open_catalog() as catalog:
        version = catalog.deprecate(name, label or "", sunset=when, replacement=replacement)
        impacts = catalog.blast_radius(name, version.version or "")
    if as_json:
        print_json(version.model_dump(mode="json"))
        return
    instead = f", replaced by {name}@{version.replacement}" if version.replacement else ""
    render.out.print(
        f"Deprecated [bold]{version.ref}[/bold] (sunset {when}{instead}).", soft_wrap=True
    )
    if impacts:
        render.out.print("Boards using it (they keep working until the sunset):", soft_wrap=True)
        render.print_impacts(impacts, console=render.out)


@handles_errors
def delete(
    ref: Annotated[str, typer.Argument(metavar="NAME@VERSION")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    reason: Annotated[
        str | None, typer.Option("--reason", help="Recorded with the deletion.")
    ] = None,
) -> None:
    """Delete a version; a published one un-deploys the boards that use it.

    A draft goes at once. For a published (or deprecated) version, the boards it hits and the
    actions of it they use are shown first, and confirmation is needed (--yes).
    """
    name, label = split_ref(ref)
    with open_catalog() as catalog:
        try:
            deletion = catalog.delete_version(name, label or "", confirm=yes, reason=reason)
        except ConfirmationRequired as needed:
            impacts = needed.details if isinstance(needed.details, list) else []
            render.err.print(needed.message)
            if impacts:
                render.err.print("Blast radius:")
                render.print_impacts(impacts, console=render.err)
            if not sys.stdin.isatty() or not typer.confirm("Delete it anyway?", err=True):
                raise ConfirmationRequired(
                    f"{name}@{label} not deleted: pass --yes to confirm"
                ) from None
            deletion = catalog.delete_version(name, label or "", confirm=True, reason=reason)
    undeployed = ", ".join(deletion.boards_undeployed) or "none"
    render.out.print(
        f"Deleted {name}@{deletion.label} ({deletion.state}); boards un-deployed: {undeployed}.",
        soft_wrap=True,
    )

"""The life of a version on the command line: ``publish``, ``deprecate``, ``default``,
``delete``.

``publish`` applies the publish policy (``connectory.vetting.publishing``): breaking changes since the
version it follows need a major semver bump, or ``--allow-breaking`` for other labels; the
published version carries its change report.
"""

from __future__ import annotations

import sys
from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from connectory.errors import ConfirmationRequired, InputError, PublishRefused

from . import render
from .common import JsonOption, handles_errors, open_catalog, print_json, split_ref

if TYPE_CHECKING:
    from connectory.catalog.results import DefaultVersion

__all__ = ["default", "delete", "deprecate", "publish", "register"]


def register(app: typer.Typer) -> None:
    """Add ``publish``, ``deprecate``, ``default`` and ``delete`` to ``app``."""
    app.command()(publish)
    app.command()(deprecate)
    app.command()(default)
    app.command()(delete)


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
    show_all: Annotated[
        bool,
        typer.Option("--all", help="When publishing is refused, list every breaking change."),
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
            _print_refusal(refused, f"{name}@{label}", show_all=show_all)
            raise PublishRefused(
                refused.headline,
                changes=refused.changes,
                baseline=refused.baseline,
                suggested_label=refused.suggested_label,
            ) from None
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
            f"Changes since {name}@{published.baseline}: {render.level_counts(version.changes)} "
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


def _print_refusal(refused: PublishRefused, ref: str, *, show_all: bool) -> None:
    """The breaking changes that refused ``ref`` (a change report, as ``diff`` prints it), on
    stderr, and the label to use instead when there is one."""
    name = ref.partition("@")[0]
    base = f"{name}@{refused.baseline}" if refused.baseline else None
    see_all = f"connectory publish {ref} --all lists them all" + (
        f", connectory diff {base} {ref} every change" if base else ""
    )
    render.err.print(f"Breaking changes since {base}:" if base else "Breaking changes:")
    render.print_changes(
        refused.changes,
        limit=None if show_all else render.CHANGES_SHOWN,
        see_all=see_all,
        console=render.err,
    )
    if refused.suggested_label:
        render.err.print(f"Suggested label: {name}@{refused.suggested_label}")


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
        done = catalog.deprecate(name, label or "", sunset=when, replacement=replacement)
        impacts = catalog.blast_radius(name, done.label)
    if as_json:
        print_json(done.model_dump(mode="json"))
        return
    instead = f", replaced by {name}@{done.replacement}" if done.replacement else ""
    render.out.print(
        f"Deprecated [bold]{escape(name)}@{escape(done.label)}[/bold] (sunset {when}{instead}).",
        soft_wrap=True,
    )
    if done.default_moved:
        render.out.print(f"It was the default: {_default_text(done.default)}", soft_wrap=True)
    if impacts:
        render.out.print("Boards using it (they keep working until the sunset):", soft_wrap=True)
        render.print_impacts(impacts, console=render.out)


def _default_text(default: DefaultVersion) -> str:
    name = default.connector
    names = f"{name}@{default.resolves_to}" if default.resolves_to else "nothing (none published)"
    if default.follows_latest:
        return f"default follows the newest published version of {name}: now {names}."
    return f"default is {names}."


@handles_errors
def default(
    name: Annotated[str, typer.Argument(metavar="NAME")],
    label: Annotated[
        str | None,
        typer.Argument(
            metavar="[VERSION]",
            help="The published version to make the default (latest: the newest, kept there).",
            show_default=False,
        ),
    ] = None,
    follow_latest: Annotated[
        bool,
        typer.Option(
            "--follow-latest",
            help="Let default follow the newest published version again (no version set).",
        ),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Show or set what NAME@default names: a version set as the default, or the newest published.

    Only a published version that is not deprecated can be set. The first version published is
    the default until another is set; deprecating the default moves it to the replacement given,
    else back to following the newest published version.
    """
    if label is not None and follow_latest:
        raise InputError("give a VERSION or --follow-latest, not both")
    with open_catalog() as catalog:
        if label is None and not follow_latest:
            chosen = catalog.default(name)
        else:
            chosen = catalog.set_default(name, label)
    if as_json:
        print_json(chosen.model_dump(mode="json"))
        return
    render.out.print(_default_text(chosen), soft_wrap=True)
    if chosen.warning:
        render.err.print(f"Warning: {chosen.warning}", soft_wrap=True)


@handles_errors
def delete(
    ref: Annotated[str, typer.Argument(metavar="NAME@VERSION")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    reason: Annotated[
        str | None, typer.Option("--reason", metavar="TEXT", help="Recorded with the deletion.")
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

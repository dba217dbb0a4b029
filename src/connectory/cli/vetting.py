"""``connectory vet``, ``connectory vetting list`` and ``connectory deliveries``: the vetter's
verdict, and what systems delivered to a connector's webhooks, from the terminal.

``vet`` runs the acceptance checks (``connectory.vetting.checks``) on the version, compares it with the
last published one, prints both, and records the verdict with the check results, bound to the
content it checked (a draft changed meanwhile is refused: check it again). The notebooks in
``notebooks/`` do the same with more to look at.
"""

from __future__ import annotations

import getpass
import os
from typing import Annotated

import typer
from rich.markup import escape

from . import render
from .common import JsonOption, handles_errors, open_catalog, print_json, split_ref

__all__ = ["app", "register"]

_VERDICTS = ("approved", "rejected", "changes_requested")

app = typer.Typer(
    name="vetting", help="Vetting records (verdicts on versions).", no_args_is_help=True
)


def _reviewer() -> str:
    return os.environ.get("CONNECTORY_REVIEWER") or getpass.getuser()


@handles_errors
def vet(
    ref: Annotated[str, typer.Argument(metavar="NAME@VERSION")],
    verdict: Annotated[
        str,
        typer.Option(
            "--verdict",
            metavar="VERDICT",
            help="approved, rejected or changes_requested (changes-requested is taken too).",
        ),
    ],
    notes: Annotated[
        str | None, typer.Option("--notes", metavar="TEXT", help="Why; recorded with it.")
    ] = None,
    reviewer: Annotated[
        str | None,
        typer.Option(
            "--reviewer", metavar="NAME", help="Default: CONNECTORY_REVIEWER, else your user name."
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Run the acceptance checks on a version and record your verdict on it."""
    from connectory.catalog.digest import content_sha256
    from connectory.errors import InvalidName
    from connectory.model.version import Vetting
    from connectory.vetting.checks import run_checks
    from connectory.vetting.queue import compare_with_published

    chosen = verdict.strip().lower().replace("-", "_")
    if chosen not in _VERDICTS:
        raise InvalidName(f"--verdict: unknown verdict {verdict!r} (known: {', '.join(_VERDICTS)})")
    name, label = split_ref(ref)
    with open_catalog() as catalog:
        version = catalog.get_version(name, label or "")
        previous, changes = compare_with_published(catalog, version)
        checks = run_checks(version, previous)
        vetting = catalog.record_vetting(
            Vetting(
                connector=name,
                version=version.version or "",
                reviewer=reviewer or _reviewer(),
                verdict=chosen,
                notes=notes,
                checks=checks,
                sha256=content_sha256(version),  # what was checked: refused if it changed since
            )
        )
    if as_json:
        print_json(vetting.model_dump(mode="json"))
        return
    render.print_checks(checks)
    if previous is not None:
        render.out.print(
            f"Since {previous.ref}: {render.level_counts(changes)} "
            f"(connectory diff {previous.ref} {version.ref})",
            soft_wrap=True,
        )
    render.out.print(
        f"Recorded: {vetting.connector}@{vetting.version} {vetting.verdict} by "
        f"{escape(vetting.reviewer)}.",
        soft_wrap=True,
    )


@app.command("list")
@handles_errors
def list_vettings(
    ref: Annotated[
        str | None, typer.Argument(metavar="[NAME[@VERSION]]", help="Default: every connector.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """List vetting records, newest first."""
    name, label = split_ref(ref, label_required=False) if ref else (None, None)
    with open_catalog() as catalog:
        found = catalog.list_vettings(name, label)
    if as_json:
        print_json([v.model_dump(mode="json") for v in found])
    else:
        render.print_vettings(found)


@handles_errors
def deliveries(
    name: Annotated[str, typer.Argument(metavar="NAME", help="The connector.")],
    trigger: Annotated[str | None, typer.Option("--trigger", help="Only this trigger's.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=1000)] = 50,
    as_json: JsonOption = False,
) -> None:
    """List the deliveries received for connector NAME, newest first: webhooks (connectory
    serve) and subscription events kept by connectory listen --keep."""
    with open_catalog() as catalog:
        found = catalog.list_deliveries(name, trigger=trigger, limit=limit)
    if as_json:
        print_json([d.model_dump(mode="json") for d in found])
    else:
        render.print_deliveries(found)


def register(main: typer.Typer) -> None:
    main.command("vet")(vet)
    main.add_typer(app, name="vetting")
    main.command("deliveries")(deliveries)

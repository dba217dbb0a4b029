"""``connectory trust``: the origins a connector's secrets may go to, accepted by its user.

``invoke``, ``listen``, ``login`` and the ``live-auth`` check send a connector's secrets only to the
origins accepted here (``connectory.runtime.trust``); the consent is kept in the secrets file beside
the secrets, never in the catalogue.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from . import render
from .common import JsonOption, handles_errors, open_catalog, print_json, split_ref
from .tables import Column, print_table

if TYPE_CHECKING:
    from connectory.runtime import SecretsFile

__all__ = ["register"]


def _version_places(name: str, label: str) -> tuple[str, dict[str, list[str]], list[str]]:
    """The version's ref, its origins with the places that name them (those its OpenID Connect
    discovery documents name included), and why a discovery document could not be read."""
    from connectory.documents.fetch import http_client
    from connectory.runtime.hosts import discovered_places, secret_places
    from connectory.settings import Settings

    with open_catalog() as catalog:
        version = catalog.get_version(name, label)
    settings = Settings.from_env()
    with http_client(settings, read_timeout=settings.connect_timeout) as client:
        discovered, problems = discovered_places(version, client)
    places: dict[str, list[str]] = {}
    for where, found in [*secret_places(version), *discovered]:
        places.setdefault(found, []).append(where)
    return version.ref, places, problems


@handles_errors
def trust(
    ref: Annotated[str, typer.Argument(metavar="NAME[@VERSION]")],
    origins: Annotated[
        list[str] | None,
        typer.Option(
            "--origin",
            help="Also accept this URL's origin (a server given to invoke or listen with "
            "--server); with --revoke, revoke only it. Repeatable.",
        ),
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    listed: Annotated[
        bool, typer.Option("--list", help="Show the origins accepted for NAME.")
    ] = False,
    revoke: Annotated[
        bool, typer.Option("--revoke", help="Withdraw the consent (every origin, or --origin).")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Accept the origins NAME@VERSION sends secrets to: its servers and auth endpoints (and what
    its OpenID Connect discovery documents name), shown first, new ones marked.

    Kept in the secrets file for NAME; a version that names another origin needs this again.
    Secrets never go over plain http, except to loopback: such origins are not accepted.
    """
    from connectory.errors import InputError
    from connectory.runtime import SecretsFile
    from connectory.runtime.hosts import origin

    name, label = split_ref(ref, label_required=False)
    secrets_file = SecretsFile.default()
    extra = [origin(url) for url in origins or []]
    if listed or revoke:
        if label:
            raise InputError(f"--list and --revoke take a connector's name, not {ref!r}")
        _list_or_revoke(secrets_file, name, extra, listed=listed, revoke=revoke, as_json=as_json)
        return
    if not label and not extra:
        raise InputError("name a version (NAME@VERSION) or origins (--origin URL) to accept")
    _accept(secrets_file, name, label, extra, yes=yes, as_json=as_json)


def _list_or_revoke(
    secrets_file: SecretsFile,
    name: str,
    extra: list[str],
    *,
    listed: bool,
    revoke: bool,
    as_json: bool,
) -> None:
    """``--revoke`` (every origin, or those of ``extra``), then show what stays accepted."""
    if revoke:
        gone = secrets_file.revoke(name, extra or None)
        render.err.print(Text(f"Revoked for {name}: {', '.join(sorted(gone)) or 'nothing'}"))
    listing = sorted(secrets_file.accepted_origins(name))
    if as_json:
        print_json({"connector": name, "accepted": listing})
    elif listed:
        for found in listing:
            render.out.print(Text(found))
        if not listing:
            render.err.print(Text(f"No origin accepted for {name} ({secrets_file.path})"))


def _accept(
    secrets_file: SecretsFile,
    name: str,
    label: str | None,
    extra: list[str],
    *,
    yes: bool,
    as_json: bool,
) -> None:
    """Show the origins of ``name@label`` and ``extra``, ask, and accept the new ones (never
    those that would carry secrets over plain http)."""
    from connectory.runtime.hosts import needs_tls

    shown, places, problems = _version_places(name, label) if label else (name, {}, [])
    for found in extra:
        places.setdefault(found, []).append("--origin")
    accepted = secrets_file.accepted_origins(name)
    insecure = sorted(found for found in places if needs_tls(found))
    new = sorted(found for found in places if found not in accepted and found not in insecure)
    if not as_json:
        _show(shown, places, accepted, insecure, problems)
    if new and not yes:
        _confirm(name, new)
    secrets_file.accept(name, new)
    if as_json:
        print_json({"connector": name, "accepted": sorted(accepted | set(new)), "added": new,
                    "refused": insecure, "problems": problems})  # fmt: skip
        return
    added = f"accepted {', '.join(new)}" if new else "nothing new to accept"
    render.err.print(Text(f"{name}: {added} ({secrets_file.path})"))


def _confirm(name: str, new: list[str]) -> None:
    """Ask before accepting ``new`` origins; refuse when there is no terminal to ask on."""
    from connectory.errors import InputError

    question = f"Accept {len(new)} new origin{'s' * (len(new) > 1)} for {name}'s secrets?"
    if not sys.stdin.isatty() or not typer.confirm(question, err=True):
        raise InputError(f"nothing accepted for {name}: pass --yes to accept")


def _show(
    ref: str,
    places: dict[str, list[str]],
    accepted: frozenset[str],
    insecure: list[str],
    problems: list[str],
) -> None:
    rows = []
    for found in sorted(places):
        status = (
            Text("plain http: refused", style="red")
            if found in insecure
            else Text("accepted", style="green")
            if found in accepted
            else Text("new", style="yellow")
        )
        rows.append((found, status, ", ".join(places[found])))
    columns = [Column("origin", "path"), Column("trust", "tag"), Column("named by", separator=", ")]
    print_table(render.out, columns, rows, title=f"Secrets of {ref} may go to", what="origins")
    for problem in problems:
        render.err.print(Text(f"discovery document not read: {problem}", style="yellow"))


def register(main: typer.Typer) -> None:
    main.command("trust")(trust)

"""``connectory auth``: the auth methods of a version; add one to a draft the document left without.

    connectory auth add acme@1.0.0 --type bearer
    connectory auth add jupyter@1 --type api-key --in header --name Authorization --method-name token
    connectory auth list acme@1.0.0

Adding changes the draft (``Catalog.add_auth_method``): its content hash changes, so a vetting of
the old content no longer approves it. A published version never changes: draft a new one.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.text import Text

from connectory.errors import InputError

from . import render
from .common import JsonOption, handles_errors, open_catalog, print_json, split_ref
from .tables import Column, print_table

if TYPE_CHECKING:
    from connectory.model.auth import AuthMethod
    from connectory.model.version import ConnectorVersion

__all__ = ["app", "secrets_hint"]

app = typer.Typer(
    name="auth",
    help="Auth methods of a version: list them, add one to a draft (any protocol).",
    no_args_is_help=True,
)

RefArgument = Annotated[str, typer.Argument(metavar="NAME@VERSION")]

_SECRETS = {
    "api_key": ("key",),
    "http_basic": ("username", "password"),
    "http_digest": ("username", "password"),
    "http_bearer": ("token",),
    "http_scheme": ("credentials",),
    "hmac": ("secret",),
    "mutual_tls": ("certificate", "private_key"),
    "ws_security_username_token": ("username", "password"),
}


class Kind(StrEnum):
    bearer = "bearer"
    basic = "basic"
    digest = "digest"
    api_key = "api-key"
    scheme = "scheme"
    mtls = "mtls"


class Location(StrEnum):
    header = "header"
    query = "query"
    cookie = "cookie"


def secrets_hint(connector: str, method: AuthMethod) -> str:
    """Where and how ``method``'s credentials are given (names only, never a value)."""
    from connectory.model.version import name_key

    names = _SECRETS.get(method.type)
    shape = ", ".join(f'"{name}": "..."' for name in names) if names else "..."
    setting = f"connectory secret set {connector} {method.name} {names[0] if names else 'SECRET'}"
    return (
        f'Credentials: {{"{method.name}": {{{shape}}}}} in CONNECTORY_CREDENTIALS_'
        f"{name_key(connector)}, or in the secrets file ({setting})"
    )


def _spec(kind: Kind | None, location: Location | None, parameter: str | None) -> str:
    if kind is None:
        raise InputError("give --type (bearer, basic, digest, api-key, scheme, mtls) or --json")
    if kind is Kind.api_key:
        if location is None or not parameter:
            raise InputError("--type api-key needs --in header|query|cookie and --name PARAMETER")
        return f"{location.value}:{parameter}"
    if location is not None:
        raise InputError("--in is for --type api-key only")
    if kind is Kind.scheme:
        if not parameter:
            raise InputError("--type scheme needs --name SCHEME (Authorization: SCHEME ...)")
        return f"scheme:{parameter}"
    if parameter:
        raise InputError(f"--name is for --type api-key and scheme, not {kind.value}")
    return kind.value


def _requirement(version: ConnectorVersion, method: str) -> str:
    """Which actions need ``method`` now, in words."""
    needing = [
        action.name
        for action in version.actions
        if any(
            method in alternative
            for alternative in (action.auth if action.auth is not None else version.default_auth)
        )
    ]
    if needing and len(needing) == len(version.actions):
        return "every action"
    return ", ".join(needing) or "no action"


@app.command("add")
@handles_errors
def add(
    ref: RefArgument,
    kind: Annotated[
        Kind | None,
        typer.Option(
            "--type",
            help="bearer (secret token), basic and digest (username, password), api-key "
            "(secret key; with --in and --name), scheme (Authorization: SCHEME <credentials>; "
            "--name SCHEME), mtls (certificate, private_key).",
            show_default=False,
        ),
    ] = None,
    location: Annotated[
        Location | None,
        typer.Option("--in", help="Where an api-key goes.", show_default=False),
    ] = None,
    parameter: Annotated[
        str | None,
        typer.Option(
            "--name",
            help="The header, query parameter or cookie of an api-key; the scheme of --type "
            "scheme.",
            show_default=False,
        ),
    ] = None,
    method_name: Annotated[
        str | None,
        typer.Option(
            "--method-name",
            help="The method's name: the key of its credentials (default: the type, or the "
            "api-key's parameter).",
            show_default=False,
        ),
    ] = None,
    method_json: Annotated[
        str | None,
        typer.Option(
            "--json-method",
            help="Any auth method the model has, as a JSON object (instead of --type), e.g. "
            '\'{"type": "oauth2", "name": "oauth", "flows": [...]}\'.',
            show_default=False,
        ),
    ] = None,
    actions: Annotated[
        list[str] | None,
        typer.Option(
            "--action",
            help="Only this action needs it (repeatable; default: every action, and "
            "subscriptions).",
            show_default=False,
        ),
    ] = None,
    optional: Annotated[
        bool,
        typer.Option(
            "--optional",
            help="Where nothing was needed, use it only when its credentials are given.",
        ),
    ] = False,
    together: Annotated[
        bool,
        typer.Option(
            "--together",
            help="Send it with each method the document declares (an extra header beside the "
            "token), instead of as another alternative.",
        ),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Add an auth method to the draft NAME@VERSION, of any protocol.

    By default every action needs it: where the document declares no auth it becomes the auth
    of every action (and of GraphQL subscriptions); where it declares some (OAuth 2, a key), it
    is one more alternative, tried after those. A published version cannot change: draft a new
    one.
    """
    from connectory.model.add_auth import auth_method_from_spec

    name, label = split_ref(ref)
    if method_json is not None:
        if kind is not None or location is not None or parameter is not None:
            raise InputError("--json-method replaces --type, --in and --name: give one or other")
        method = auth_method_from_spec(method_json, name=method_name)
    else:
        method = auth_method_from_spec(_spec(kind, location, parameter), name=method_name)
    with open_catalog() as catalog:
        version = catalog.add_auth_method(
            name,
            label or "",
            method,
            actions=actions,
            required=not optional,
            together=together,
        )
    if as_json:
        print_json(method.model_dump(mode="json"))
        return
    render.out.print(
        Text(
            f"Added {method.name} ({method.type}) to {version.ref}: "
            f"{_requirement(version, method.name)} needs it"
            + (" when its credentials are given" if optional else "")
        )
    )
    render.err.print(Text(secrets_hint(name, method)))


@app.command("list")
@handles_errors
def list_methods(ref: RefArgument, as_json: JsonOption = False) -> None:
    """List the auth methods of NAME@VERSION and the actions that need each."""
    name, label = split_ref(ref)
    with open_catalog() as catalog:
        version = catalog.get_version(name, label or "")
    if as_json:
        print_json([method.model_dump(mode="json") for method in version.auth_methods])
        return
    if not version.auth_methods:
        render.err.print(
            f"{escape(version.ref)} has no auth method: add one with connectory auth add "
            f"{escape(version.ref)} --type ..."
        )
        return
    columns = [Column("name", "name"), Column("type", "tag"), Column("needed by", separator=", ")]
    rows = [
        (method.name, method.type, _requirement(version, method.name))
        for method in version.auth_methods
    ]
    print_table(render.out, columns, rows, title=f"Auth methods of {version.ref}", what="methods")

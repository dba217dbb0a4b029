"""The ``connectory`` command: parse arguments, call a flow or a core function, print.

Exit codes: 0 success, 2 bad input (a missing file, a malformed document, an unknown name),
1 any other failure. Errors are one line on stderr naming the problem and where it is; ``--debug``
adds the traceback.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from connectory.redaction import redact_url

from . import (
    auth,
    batch,
    boards,
    compare,
    database,
    files,
    info,
    invoke,
    lifecycle,
    listen,
    render,
    secrets,
    serve,
    server,
    trust,
    vetting,
)
from .common import CatalogOption, DebugOption, JsonOption, ProtocolOption
from .common import accept_global_options as _accept_global_options
from .common import handles_errors as _handles_errors
from .common import open_catalog as _open_catalog
from .common import print_json as _print_json
from .common import print_version as _print_version
from .common import set_global_options as _set_global_options
from .common import split_ref as _split_ref
from .flowrun import VerboseOption, check_before_run, check_source, run_flow

if TYPE_CHECKING:
    from pydantic import SecretStr

__all__ = ["app", "main"]

app = typer.Typer(
    name="connectory",
    help="Onboard connectors from OpenAPI, GraphQL and WSDL into a versioned, vetted catalogue.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

HeaderOption = Annotated[
    list[str] | None,
    typer.Option(
        "--header",
        "-H",
        metavar="'NAME: VALUE'",
        help="'Name: value', sent with the introspection query to a GraphQL endpoint (repeatable; "
        "never stored or printed). Default: CONNECTORY_GRAPHQL_HEADERS_<NAME>, a JSON object.",
        show_default=False,
    ),
]
AuthOption = Annotated[
    list[str] | None,
    typer.Option(
        "--auth",
        metavar="SPEC",
        help="An auth method the version gets, required by every action, for a document that "
        "declares none (a GraphQL endpoint, a WSDL without WS-Policy) or not all: bearer, "
        "basic, digest, mtls, header:NAME, query:NAME, cookie:NAME (an API key), scheme:SCHEME, "
        "or a JSON object of any auth method. Repeatable; a spec, never a secret (those go in "
        "the secrets file).",
        show_default=False,
    ),
]


@app.callback()
def _global_options(catalog: CatalogOption = None, debug: DebugOption = False) -> None:
    _set_global_options(catalog, debug)


@app.command()
@_handles_errors
def inspect(
    source: Annotated[str, typer.Argument(help="A path or an http(s) URL.")],
    protocol: ProtocolOption = None,
    name: Annotated[str | None, typer.Option("--name", help="The connector name.")] = None,
    header: HeaderOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show the version SOURCE would become. Nothing is stored.

    With --protocol graphql, an http(s) URL (not ending in .graphql, .json, ...) is a GraphQL
    endpoint: it is sent the introspection query.
    """
    from connectory.onboarding import inspect as inspect_source

    headers = _headers(header, protocol, source, name)
    with render.err.status(f"Inspecting {redact_url(source)}"):
        version = inspect_source(source, protocol=protocol, connector=name, headers=headers)
    _print_version(version, as_json)


def _headers(
    given: list[str] | None, protocol: str | None, source: str, name: str | None
) -> dict[str, SecretStr] | None:
    """``--header`` values as secrets; else, for a GraphQL endpoint, the connector's from the
    environment (``CONNECTORY_GRAPHQL_HEADERS_<NAME>``)."""
    from connectory.documents.parse import normalise_protocol
    from connectory.protocols.graphql import headers_from_env, is_graphql_endpoint, parse_headers

    if given:
        return parse_headers(given)
    if name and normalise_protocol(protocol) == "graphql" and is_graphql_endpoint(source):
        return headers_from_env(name) or None
    return None


def _accept_endpoint(
    name: str, protocol: str | None, source: str, headers: dict[str, SecretStr] | None
) -> None:
    """Onboarding a GraphQL endpoint with headers is the user sending them there: its origin is
    accepted for the connector (the secrets file), so that ``reintrospect`` may send them again."""
    from connectory.documents.parse import normalise_protocol
    from connectory.protocols.graphql import headers_from_env, is_graphql_endpoint
    from connectory.runtime import SecretsFile, origin

    if normalise_protocol(protocol) != "graphql" or not is_graphql_endpoint(source):
        return
    if headers or headers_from_env(name):
        SecretsFile.default().accept(name, [origin(source)])


@app.command()
@_handles_errors
def onboard(
    source: Annotated[str, typer.Argument(help="A path or an http(s) URL.")],
    name: Annotated[str, typer.Option("--name", "-n", help="The connector name (a slug).")],
    protocol: ProtocolOption = None,
    version: Annotated[
        str | None,
        typer.Option("--version", metavar="LABEL", help="The version label (default: derived)."),
    ] = None,
    publish: Annotated[bool, typer.Option("--publish", help="Publish the version too.")] = False,
    header: HeaderOption = None,
    require_auth: Annotated[
        bool,
        typer.Option(
            "--require-auth",
            help="Fail unless the live auth check passes (the version is drafted all the same).",
        ),
    ] = False,
    auth: AuthOption = None,
    as_json: JsonOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Onboard SOURCE as a draft version of connector NAME (runs the Prefect flow `onboard`).

    With --protocol graphql, an http(s) URL (not ending in .graphql, .json, ...) is a GraphQL
    endpoint: it is sent the introspection query, and `connectory reintrospect` can check it for
    changes later. --auth bearer gives it the auth its endpoint needs (-H only authenticates the
    introspection): credentials {"bearer": {"token": "..."}} in the secrets file. With the
    connector's credentials (the secrets file, CONNECTORY_CREDENTIALS_NAME), the live auth check
    calls one safe action and the draft records the result.
    """
    from connectory.model.add_auth import auth_method_from_spec
    from connectory.model.version import check_label, check_name

    check_name(name)
    if version is not None:
        check_label(version)
    for spec in auth or []:
        auth_method_from_spec(spec)  # a bad spec fails before the flow starts
    check_source(source)
    check_before_run(verbose)
    headers = _headers(header, protocol, source, None)  # the flow reads the environment
    _accept_endpoint(name, protocol, source, headers)
    from connectory_flows.onboard import onboard as onboard_flow
    from connectory_flows.secrets import shown

    result = run_flow(
        onboard_flow,
        headers={name: headers} if headers else None,
        real_sources=[source],
        source=shown(source),
        name=name,
        protocol=protocol,
        label=version,
        publish=publish,
        require_auth=require_auth,
        auth=auth,
    )
    if as_json:
        with _open_catalog() as catalog:
            _print_version(catalog.get_version(result.connector, result.version), as_json=True)
    else:
        render.print_onboarded(result)


@app.command("list")
@_handles_errors
def list_connectors(as_json: JsonOption = False) -> None:
    """List the connectors in the catalogue."""
    with _open_catalog() as catalog:
        connectors = catalog.list_connectors()
    if as_json:
        _print_json([c.model_dump(mode="json") for c in connectors])
    else:
        render.print_connectors(connectors)


@app.command()
@_handles_errors
def versions(
    name: Annotated[str, typer.Argument(help="The connector name.")], as_json: JsonOption = False
) -> None:
    """List the versions of connector NAME."""
    with _open_catalog() as catalog:
        found = catalog.list_versions(name)
    if as_json:
        _print_json([v.model_dump(mode="json") for v in found])
    else:
        render.print_versions(name, found)


@app.command()
@_handles_errors
def show(
    ref: Annotated[
        str, typer.Argument(metavar="NAME[@VERSION]", help="latest, default or a label.")
    ],
    as_json: JsonOption = False,
) -> None:
    """Show connector NAME and its versions, or one version of it."""
    name, label = _split_ref(ref, label_required=False)
    with _open_catalog() as catalog:
        if label is not None:
            _print_version(catalog.get_version(name, label), as_json)
            return
        connector = catalog.get_connector(name)
        found = catalog.list_versions(name)
    if as_json:
        _print_json(
            {
                **connector.model_dump(mode="json"),
                "versions": [v.model_dump(mode="json") for v in found],
            }
        )
    else:
        title = escape(connector.title or "")
        render.out.print(f"[bold]{connector.name}[/bold]  {connector.protocol}  {title}")
        render.print_versions(name, found)


@app.command()
@_handles_errors
def reintrospect(
    name: Annotated[
        str | None,
        typer.Argument(help="A GraphQL connector (default: every one with an endpoint)."),
    ] = None,
    as_json: JsonOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Re-introspect GraphQL endpoints now (runs the Prefect flow `reintrospect`); draft a new
    version, with its change report, of each connector whose schema changed.

    Headers (auth) come from CONNECTORY_GRAPHQL_HEADERS_<NAME>: a JSON object of header names to
    values. Exit code 1 if an endpoint failed.
    """
    if name is not None:
        from connectory.model.version import check_name

        check_name(name)
    check_before_run(verbose)
    from connectory_flows.reintrospect import reintrospect as reintrospect_flow

    result = run_flow(reintrospect_flow, connector=name)
    if as_json:
        _print_json([outcome.model_dump(mode="json") for outcome in result.outcomes])
    else:
        render.print_reintrospected(result)
    if result.failed:
        raise typer.Exit(1)


lifecycle.register(app)  # publish, deprecate, default, delete
compare.register(app)  # diff
app.add_typer(boards.app, name="board")
vetting.register(app)  # vet, vetting list
files.register(app)  # export, import
database.register(app)  # migrate
info.register(app)  # info
batch.register(app)  # onboard-batch
invoke.register(app)  # invoke, login, logout
listen.register(app)  # listen
app.add_typer(secrets.app, name="secret")
app.add_typer(auth.app, name="auth")  # auth add, auth list
trust.register(app)  # trust
serve.register(app)  # serve
app.add_typer(server.app, name="server")  # server start, stop, status
_accept_global_options(app)  # --catalog and --debug after a command's name too: keep it last


def main() -> None:
    app()

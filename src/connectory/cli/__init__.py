"""The ``connectory`` command: parse arguments, call a flow or a core function, print.

Exit codes: 0 success, 2 bad input (a missing file, a malformed document, an unknown name),
1 any other failure. Errors are one line on stderr naming the problem and where it is; ``--debug``
adds the traceback.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer

from ..errors import ConnectoryError, InputError, InvalidName
from ..model import ConnectorVersion
from . import render
from .flowrun import quiet_expected_tracebacks

__all__ = ["app", "main"]

app = typer.Typer(
    name="connectory",
    help="Onboard connectors from OpenAPI, GraphQL and WSDL into a versioned, vetted catalogue.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

_options: dict[str, Any] = {"catalog": None, "debug": False}
F = TypeVar("F", bound=Callable[..., Any])

CatalogOption = Annotated[
    str | None,
    typer.Option(
        "--catalog",
        envvar="CONNECTORY_DATABASE_URL",
        help="Catalogue database URL (default: the SQLite file catalog/connectory.db here).",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]
ProtocolOption = Annotated[
    str | None,
    typer.Option("--protocol", "-p", help="http (openapi), graphql or soap (wsdl); detected."),
]


@app.callback()
def _global_options(
    catalog: CatalogOption = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks of errors.")] = False,
) -> None:
    _options.update(catalog=catalog, debug=debug)


def _handles_errors(command: F) -> F:
    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except ConnectoryError as error:
            if _options["debug"]:
                raise
            render.err.print(f"[red]error:[/red] {error}", markup=True, highlight=False)
            raise typer.Exit(2 if isinstance(error, InputError) else 1) from None
        except KeyboardInterrupt:
            raise typer.Exit(130) from None
        except Exception as error:
            if _options["debug"]:
                raise
            message = str(error).splitlines()[0] if str(error) else ""
            render.err.print(
                f"[red]internal error:[/red] {type(error).__name__}: {message} "
                "(run with --debug for the traceback)"
            )
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def _split_ref(ref: str, *, label_required: bool = True) -> tuple[str, str | None]:
    name, at, label = ref.partition("@")
    if label_required and (not at or not label):
        raise InvalidName(f"expected NAME@VERSION, got {ref!r}")
    return name, (label or None)


def _print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, indent=2, ensure_ascii=False) + "\n")


def _print_version(version: ConnectorVersion, as_json: bool) -> None:
    if as_json:
        _print_json(version.model_dump(mode="json"))
    else:
        render.print_version(version)


def _open_catalog() -> Any:
    from ..catalog import Catalog

    return Catalog.open(_options["catalog"])


@app.command()
@_handles_errors
def inspect(
    source: Annotated[str, typer.Argument(help="A path or an http(s) URL.")],
    protocol: ProtocolOption = None,
    name: Annotated[str | None, typer.Option("--name", help="The connector name.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Show the version SOURCE would become. Nothing is stored."""
    from ..onboarding import inspect as inspect_source

    with render.err.status(f"Inspecting {source}"):
        version = inspect_source(source, protocol=protocol, connector=name)
    _print_version(version, as_json)


@app.command()
@_handles_errors
def onboard(
    source: Annotated[str, typer.Argument(help="A path or an http(s) URL.")],
    name: Annotated[str, typer.Option("--name", "-n", help="The connector name (a slug).")],
    protocol: ProtocolOption = None,
    version: Annotated[
        str | None, typer.Option("--version", help="The version label (default: derived).")
    ] = None,
    publish: Annotated[bool, typer.Option("--publish", help="Publish the version too.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Onboard SOURCE as a draft version of connector NAME (runs the Prefect flow `onboard`)."""
    from ..model import check_label, check_name

    check_name(name)
    if version is not None:
        check_label(version)
    from connectory_flows.onboard import onboard as onboard_flow

    if not _options["debug"]:
        quiet_expected_tracebacks()
    result = onboard_flow(
        source=source,
        name=name,
        protocol=protocol,
        label=version,
        publish=publish,
        catalog_url=_options["catalog"],
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
        render.out.print(f"[bold]{connector.name}[/bold]  {connector.protocol}  {connector.title}")
        render.print_versions(name, found)


@app.command()
@_handles_errors
def publish(
    ref: Annotated[str, typer.Argument(metavar="NAME@VERSION")], as_json: JsonOption = False
) -> None:
    """Publish a draft version. A published version can never change."""
    name, label = _split_ref(ref)
    with _open_catalog() as catalog:
        version = catalog.publish(name, label)
    if as_json:
        _print_json(version.model_dump(mode="json"))
    else:
        render.out.print(f"Published [bold]{version.ref}[/bold] (sha256 {version.sha256}).")


@app.command()
@_handles_errors
def delete(
    ref: Annotated[str, typer.Argument(metavar="NAME@VERSION")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    reason: Annotated[
        str | None, typer.Option("--reason", help="Recorded with the deletion.")
    ] = None,
) -> None:
    """Delete a version. Deleting a published one un-deploys the boards that use it."""
    from ..errors import ConfirmationRequired

    name, label = _split_ref(ref)
    with _open_catalog() as catalog:
        try:
            deletion = catalog.delete_version(name, label, confirm=yes, reason=reason)
        except ConfirmationRequired as needed:
            impacts = needed.details or []
            render.err.print(f"{name}@{label} is published. {needed.message}")
            for impact in impacts:
                state = "deployed" if impact.deployed else "not deployed"
                render.err.print(f"  board {impact.board} ({state})")
            if not sys.stdin.isatty() or not typer.confirm("Delete it anyway?", err=True):
                raise ConfirmationRequired(
                    f"{name}@{label} not deleted: pass --yes to confirm"
                ) from None
            deletion = catalog.delete_version(name, label, confirm=True, reason=reason)
    undeployed = ", ".join(deletion.boards_undeployed) or "none"
    render.out.print(
        f"Deleted {name}@{label} ({deletion.state}); boards un-deployed: {undeployed}."
    )


def main() -> None:
    app()

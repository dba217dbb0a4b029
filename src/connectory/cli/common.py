"""What every command module shares: the global options, error handling, references, printing.

Exit codes: 0 success, 2 bad input (``InputError``), 1 any other failure; ``handles_errors`` turns
an error into one line on stderr (``--debug``: the traceback).

The global options (``--catalog``, ``--debug``) are taken before the command's name (the app's
callback) and after it: ``accept_global_options`` adds them to every command once all are
registered. Given in both places, the one after the command's name wins.
"""

from __future__ import annotations

import functools
import inspect
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.markup import escape

from connectory.errors import ConnectoryError, InputError, InvalidName

from . import render

if TYPE_CHECKING:
    from connectory.catalog import Catalog
    from connectory.model.version import ConnectorVersion

__all__ = [
    "CatalogOption",
    "DebugOption",
    "JsonOption",
    "ProtocolOption",
    "accept_global_options",
    "handles_errors",
    "open_catalog",
    "options",
    "print_json",
    "print_version",
    "set_global_options",
    "split_ref",
]

options: dict[str, Any] = {"catalog": None, "debug": False}
"""The global options, set by the app's callback."""

F = TypeVar("F", bound=Callable[..., Any])

CatalogOption = Annotated[
    str | None,
    typer.Option(
        "--catalog",
        metavar="URL",
        help="The catalogue's database URL (default: CONNECTORY_DATABASE_URL, else the "
        "checkout's catalog/connectory.db, else ~/.local/share/connectory/connectory.db; "
        "'connectory info' says which).",
        show_default=False,
    ),
]
DebugOption = Annotated[bool, typer.Option("--debug", help="Show tracebacks of errors.")]

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]
ProtocolOption = Annotated[
    str | None,
    typer.Option("--protocol", "-p", help="http (openapi), graphql or soap (wsdl); detected."),
]


def set_global_options(catalog: str | None, debug: bool) -> None:
    """The global options as given before the command's name (the app's callback)."""
    options.update(catalog=catalog, debug=debug)


def _with_global_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """``command`` taking ``--catalog`` and ``--debug`` too (what is given there wins)."""
    signature = inspect.signature(command, eval_str=True)
    taken = set(signature.parameters)
    if {"catalog", "debug"} & taken:
        raise TypeError(f"{command.__name__} has a parameter named like a global option")

    @functools.wraps(command)
    def wrapper(*args: Any, catalog: str | None = None, debug: bool = False, **kwargs: Any) -> Any:
        if catalog is not None:
            options["catalog"] = catalog
        if debug:
            options["debug"] = True
        return command(*args, **kwargs)

    given = list(signature.parameters.values())
    variadic = [p for p in given if p.kind is inspect.Parameter.VAR_KEYWORD]
    added = [
        inspect.Parameter(
            "catalog", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=CatalogOption
        ),
        inspect.Parameter(
            "debug", inspect.Parameter.KEYWORD_ONLY, default=False, annotation=DebugOption
        ),
    ]
    parameters = [p for p in given if p not in variadic] + added + variadic
    wrapper.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {
        p.name: p.annotation for p in parameters if p.annotation is not inspect.Parameter.empty
    }
    return wrapper


def accept_global_options(app: typer.Typer) -> None:
    """Let every command of ``app`` (and of its groups) take the global options after its name,
    and write its help as ``helptext`` says (80 columns, no placeholder for a flag)."""
    from typer.core import TyperCommand, TyperGroup

    from .helptext import Command, Group

    if not app.info.cls or app.info.cls is TyperGroup:
        app.info.cls = Group
    for info in app.registered_commands:
        if not info.cls or info.cls is TyperCommand:
            info.cls = Command
        if info.callback is not None:
            info.callback = _with_global_options(info.callback)
    for group in app.registered_groups:
        if group.typer_instance is not None:
            accept_global_options(group.typer_instance)


def handles_errors(command: F) -> F:
    """Run ``command``; a ConnectoryError becomes one line on stderr and exit code 2 or 1."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except ConnectoryError as error:
            if options["debug"]:
                raise
            render.err.print(
                f"[red]error:[/red] {escape(str(error))}", markup=True, highlight=False
            )
            raise typer.Exit(2 if isinstance(error, InputError) else 1) from None
        except KeyboardInterrupt:
            raise typer.Exit(130) from None
        except typer.Exit:  # a command's own exit code
            raise
        except Exception as error:
            if options["debug"]:
                raise
            message = str(error).splitlines()[0] if str(error) else ""
            render.err.print(
                f"[red]internal error:[/red] {type(error).__name__}: {escape(message)} "
                "(run with --debug for the traceback)"
            )
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def split_ref(ref: str, *, label_required: bool = True) -> tuple[str, str | None]:
    """``NAME@VERSION`` as ``(NAME, VERSION)``; VERSION is None when absent and not required."""
    name, at, label = ref.partition("@")
    if label_required and (not at or not label):
        raise InvalidName(f"expected NAME@VERSION, got {ref!r}")
    return name, (label or None)


def print_json(value: Any) -> None:
    """``value`` as indented JSON. pydantic-core's encoder: ``json.dumps`` with an indent is pure
    Python (its C encoder is for compact output only), 0.3 s for GitHub's GraphQL version."""
    from pydantic_core import to_json

    _write(to_json(value, indent=2) + b"\n")


def _write(encoded: bytes) -> None:
    sys.stdout.flush()
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        sys.stdout.write(encoded.decode())
        return
    buffer.write(encoded)
    buffer.flush()


def print_version(version: ConnectorVersion, as_json: bool) -> None:
    if as_json:  # what print_json(version.model_dump(mode="json")) prints, in one pass
        _write(version.model_dump_json(indent=2).encode() + b"\n")
    else:
        render.print_version(version)


def open_catalog() -> Catalog:
    """The catalogue named by ``--catalog`` (or ``CONNECTORY_DATABASE_URL``, or the default)."""
    from connectory.catalog import Catalog

    return Catalog.open(options["catalog"])

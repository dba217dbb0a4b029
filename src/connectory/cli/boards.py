"""``connectory board ...``: integrations that use connector versions.

A board pins versions: ``--uses acme@2.0.0:get-thing,list-things`` (or ``acme@latest``, which
resolves when the board is deployed). Deploying checks that every version is published and has the
actions the board uses; deleting a version un-deploys the boards that use it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from connectory.errors import ConfirmationRequired, InvalidName

from . import render
from .common import JsonOption, handles_errors, open_catalog, print_json, split_ref

if TYPE_CHECKING:
    from connectory.model.version import Board, BoardUse

__all__ = ["app", "parse_use"]

app = typer.Typer(
    name="board",
    help="Boards: integrations that use connector versions (create, deploy, undeploy, list).",
    no_args_is_help=True,
)

NameArgument = Annotated[str, typer.Argument(help="The board name (a slug).")]


def parse_use(spec: str) -> BoardUse:
    """``CONNECTOR@VERSION[:ACTION,...]`` as a ``BoardUse`` (no actions: every action)."""
    from connectory.model.version import BoardUse

    ref, _, actions = spec.partition(":")
    try:
        connector, version = split_ref(ref)
    except InvalidName:
        raise InvalidName(
            f"--uses: expected CONNECTOR@VERSION[:ACTION,...], got {spec!r}"
        ) from None
    names = [a.strip() for a in actions.split(",") if a.strip()]
    return BoardUse(connector=connector, version=version or "", actions=names)


def _print_board(board: Board, as_json: bool) -> None:
    if as_json:
        print_json(board.model_dump(mode="json"))
    else:
        render.print_boards([board])


@app.command("create")
@handles_errors
def create(
    name: NameArgument,
    uses: Annotated[
        list[str],
        typer.Option(
            "--uses",
            metavar="CONNECTOR@VERSION[:ACTION,...]",
            help="A connector version the board uses, and which of its actions (default: all). "
            "Repeatable; VERSION may be latest or default.",
        ),
    ],
    description: Annotated[
        str | None,
        typer.Option("--description", metavar="TEXT", help="What the board is for."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Create an undeployed board."""
    from connectory.model.version import Board

    board = Board(name=name, description=description, uses=[parse_use(u) for u in uses])
    with open_catalog() as catalog:
        created = catalog.create_board(board)
    if as_json:
        print_json(created.model_dump(mode="json"))
    else:
        render.out.print(
            f"Created board [bold]{created.name}[/bold] (not deployed).", soft_wrap=True
        )


@app.command("deploy")
@handles_errors
def deploy(name: NameArgument, as_json: JsonOption = False) -> None:
    """Deploy a board: resolve each version it uses (latest, default) to a published one."""
    with open_catalog() as catalog:
        board = catalog.deploy_board(name)
    if as_json:
        print_json(board.model_dump(mode="json"))
        return
    render.out.print(f"Deployed board [bold]{board.name}[/bold]:", soft_wrap=True)
    for use in board.uses:
        resolved = use.resolved_version or use.version
        via = f" ({use.version})" if resolved != use.version else ""
        actions = ", ".join(use.actions) if use.actions else "every action"
        render.out.print(f"  {use.connector}@{resolved}{via}: {escape(actions)}", soft_wrap=True)


@app.command("undeploy")
@handles_errors
def undeploy(
    name: NameArgument,
    reason: Annotated[
        str | None, typer.Option("--reason", metavar="TEXT", help="Recorded on the board.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Un-deploy a board."""
    with open_catalog() as catalog:
        board = catalog.undeploy_board(name, reason=reason)
    if as_json:
        print_json(board.model_dump(mode="json"))
    else:
        render.out.print(f"Un-deployed board [bold]{board.name}[/bold].", soft_wrap=True)


@app.command("list")
@handles_errors
def list_boards(as_json: JsonOption = False) -> None:
    """List the boards, with the versions they use."""
    with open_catalog() as catalog:
        found = catalog.list_boards()
    if as_json:
        print_json([board.model_dump(mode="json") for board in found])
    elif not found:
        render.err.print("No boards: `connectory board create NAME --uses CONNECTOR@VERSION`.")
    else:
        render.print_boards(found)


@app.command("show")
@handles_errors
def show(name: NameArgument, as_json: JsonOption = False) -> None:
    """Show one board."""
    with open_catalog() as catalog:
        board = catalog.get_board(name)
    _print_board(board, as_json)


@app.command("delete")
@handles_errors
def delete(
    name: NameArgument,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Delete it even if deployed.")] = False,
) -> None:
    """Delete a board (a deployed one only with --yes)."""
    with open_catalog() as catalog:
        if catalog.get_board(name).deployed and not yes:
            raise ConfirmationRequired(f"board {name!r} is deployed: pass --yes to delete it")
        catalog.delete_board(name)
    render.out.print(f"Deleted board [bold]{name}[/bold].", soft_wrap=True)

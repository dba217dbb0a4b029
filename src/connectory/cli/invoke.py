"""``connectory invoke``: call an action of a catalogue version (``connectory.runtime``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.text import Text

from . import render
from .common import JsonOption, handles_errors, open_catalog, print_json, split_ref

__all__ = ["register"]


def _input(text: str | None) -> Any:
    from ..documents import parse_json
    from ..errors import InputError

    if text is None:
        return {}
    if text.startswith("@"):
        path = Path(text[1:])
        if not path.is_file():
            raise InputError(f"--input {text}: no such file")
        return parse_json(path.read_text(encoding="utf-8"), str(path))
    return parse_json(text, "--input")


@handles_errors
def invoke(
    ref: Annotated[str, typer.Argument(metavar="NAME@VERSION")],
    action: Annotated[str, typer.Argument(help="The action's name.")],
    input_: Annotated[
        str | None,
        typer.Option(
            "--input",
            "-i",
            help="The input as JSON, or @FILE: for HTTP {path, query, header, cookie, body}; "
            "for GraphQL the variables.",
        ),
    ] = None,
    server: Annotated[
        str | None, typer.Option("--server", help="Call this base URL or endpoint instead.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Call ACTION of a version; credentials come from CONNECTORY_CREDENTIALS_<NAME>.

    Exit code 1 when the system answers HTTP 400 or more, or an answer that does not fit the
    action's output schema.
    """
    from ..runtime import credentials_from_env
    from ..runtime import invoke as run

    name, label = split_ref(ref)
    given = _input(input_)
    with open_catalog() as catalog:
        version = catalog.get_version(name, label or "")
    done = run(version, action, given, credentials=credentials_from_env(name), server=server)
    if as_json:
        print_json(
            {
                "action": done.action,
                "method": done.method,
                "url": done.url,
                "status": done.status,
                "output": done.output,
                "problems": done.problems,
                "body": done.body,
            }
        )
    else:
        render.out.print(
            Text(f"{done.method} {done.url} -> HTTP {done.status}")
            + Text(f" (output {done.output}, {done.seconds:.2f} s)", style="dim")
        )
        for problem in done.problems:
            render.err.print(Text(f"does not fit: {problem}", style="yellow"))
        body = done.body
        render.out.print(
            Text(
                json.dumps(body, indent=2, ensure_ascii=False)
                if not isinstance(body, str)
                else body
            )
        )
    if done.status >= 400 or done.problems:
        raise typer.Exit(1)


def register(main: typer.Typer) -> None:
    main.command("invoke")(invoke)

"""``connectory listen``: a GraphQL subscription trigger's events, as they come (``runtime.subscribe``)."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.text import Text

from . import render
from .common import JsonOption, handles_errors, open_catalog, split_ref
from .invoke import read_input

__all__ = ["register"]


@handles_errors
def listen(
    ref: Annotated[str, typer.Argument(metavar="NAME@VERSION")],
    trigger: Annotated[str, typer.Argument(help="The subscription trigger's name.")],
    input_: Annotated[
        str | None,
        typer.Option("--input", "-i", help="The subscription's variables as JSON, or @FILE."),
    ] = None,
    server: Annotated[
        str | None, typer.Option("--server", help="Subscribe at this endpoint instead.")
    ] = None,
    count: Annotated[
        int | None, typer.Option("--count", "-n", min=1, help="Stop after this many events.")
    ] = None,
    seconds: Annotated[
        float | None, typer.Option("--seconds", min=0, help="Stop after this many seconds.")
    ] = None,
    subprotocol: Annotated[
        str | None,
        typer.Option(
            "--subprotocol",
            help="Speak only this one: graphql-transport-ws or graphql-ws (default: offer both, "
            "and the other if the server refuses the one it took).",
        ),
    ] = None,
    keep: Annotated[
        bool,
        typer.Option("--keep", help="Keep each event in the connector's delivery inbox too."),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Subscribe to TRIGGER of a GraphQL version and show each event as it comes (Ctrl-C stops).

    Credentials as for invoke, sent only to origins accepted with connectory trust; a secret an
    event echoes is shown as ***. Exit code 1 when an event carried GraphQL errors or did not fit
    the trigger's payload schema.
    """
    from datetime import UTC, datetime

    from connectory.runtime import credentials_for, listen, token_keeper
    from connectory.runtime.deliveries import Delivery

    name, label = split_ref(ref)
    variables = read_input(input_)
    with open_catalog() as catalog:
        version = catalog.get_version(name, label or "")
        events = listen(
            version,
            trigger,
            variables,
            credentials=credentials_for(name),
            server=server,
            count=count,
            seconds=seconds,
            on_token=token_keeper(name),
            subprotocol=subprotocol,
        )
        flawed = False
        try:
            for event in events:
                flawed = flawed or bool(event.errors or event.problems)
                if keep:
                    catalog.record_delivery(
                        Delivery(
                            connector=version.connector,
                            version=version.version or "",
                            trigger=event.trigger,
                            verified=False,
                            problems=[*event.errors, *event.problems],
                            payload=event.data,
                            received_at=datetime.now(UTC),
                        )
                    )
                if as_json:
                    line = {"trigger": event.trigger, "data": event.data, "errors": event.errors,
                            "problems": event.problems}  # fmt: skip
                    render.out.print(Text(json.dumps(line, ensure_ascii=False)), soft_wrap=True)
                    continue
                render.out.print(Text(json.dumps(event.data, indent=2, ensure_ascii=False)))
                for error in event.errors:
                    render.err.print(Text(f"error: {error}", style="yellow"))
                for problem in event.problems:
                    render.err.print(Text(f"does not fit: {problem}", style="yellow"))
        except KeyboardInterrupt:
            events.close()  # the subscription is stopped and the socket closed
    if flawed:
        raise typer.Exit(1)


def register(main: typer.Typer) -> None:
    main.command("listen")(listen)

"""``connectory onboard-batch``: many documents at once (runs the Prefect flow ``onboard-batch``)."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from . import render
from .common import JsonOption, ProtocolOption, handles_errors, print_json
from .flowrun import VerboseOption, check_before_run, run_flow

__all__ = ["register"]

_STYLES = {"drafted": "green", "published": "green", "unchanged": "dim", "failed": "red"}


def _print(batch: Any) -> None:
    table = Table(title="Batch onboarding", show_lines=False)
    for column in ("source", "outcome", "version", "actions", "triggers"):
        table.add_column(column, overflow="fold")
    for outcome in batch.outcomes:
        status = Text(outcome.status, style=_STYLES[outcome.status])
        done = outcome.onboarded
        if done is None:
            status.append(f": {outcome.error}")
            table.add_row(Text(outcome.source), status, "", "", "")
        else:
            table.add_row(
                Text(outcome.source), status, done.ref, str(done.actions), str(done.triggers)
            )
    render.out.print(table)


@handles_errors
def onboard_batch(
    sources: Annotated[
        list[str],
        typer.Argument(help="Paths or http(s) URLs; NAME=SOURCE names the connector."),
    ],
    protocol: ProtocolOption = None,
    publish: Annotated[bool, typer.Option("--publish", help="Publish each version too.")] = False,
    workers: Annotated[
        int, typer.Option("--workers", min=1, max=64, help="Documents onboarded at once.")
    ] = 8,
    as_json: JsonOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Onboard many documents, each as a version of its connector.

    NAME=SOURCE names the connector; otherwise the document's x-connectory-name or APIs.guru id
    (x-providerName, x-serviceName) does, else its source (a URL's host and path, a file's name),
    as `connectory inspect` shows. Two different sources named alike are refused before anything
    is drafted, unless each was given or declares the name (versions of one API, onboarded one
    after the other in the order given). A failing document does not stop the others. Exit code 0
    if all onboarded, 2 if the failures are all bad input (a malformed document, a missing file,
    names that collide), else 1.
    """
    check_before_run(verbose)
    from connectory_flows.batch import onboard_batch as batch_flow
    from connectory_flows.batch import shown_item, split_source
    from prefect.task_runners import ThreadPoolTaskRunner

    # names given by hand are checked before anything runs
    given = [split_source(item)[1] for item in sources]
    runner: ThreadPoolTaskRunner[Any] = ThreadPoolTaskRunner(max_workers=workers)
    result = run_flow(
        # Prefect's TaskRunner is invariant in its future type: its own thread pool runner
        # does not type-check where a TaskRunner[PrefectFuture] is asked for.
        batch_flow.with_options(task_runner=runner),  # type: ignore[arg-type]
        real_sources=given,
        sources=[shown_item(item) for item in sources],
        protocol=protocol,
        publish=publish,
    )
    if as_json:
        print_json([outcome.model_dump(mode="json") for outcome in result.outcomes])
    else:
        _print(result)
    if result.failed:
        raise typer.Exit(2 if all(outcome.bad_input for outcome in result.failed) else 1)


def register(main: typer.Typer) -> None:
    main.command("onboard-batch")(onboard_batch)

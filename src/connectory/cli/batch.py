"""``connectory onboard-batch``: many documents at once (runs the Prefect flow ``onboard-batch``)."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from typing import Annotated, Any

import typer
from rich.text import Text

from . import render
from .common import JsonOption, ProtocolOption, handles_errors, print_json
from .flowrun import VerboseOption, check_before_run, run_flow
from .tables import Column, print_table

__all__ = ["common_folder", "register"]

_STYLES = {"drafted": "green", "published": "green", "unchanged": "dim", "failed": "red"}
_STATUSES = ("drafted", "published", "unchanged", "failed")


def common_folder(sources: Sequence[str]) -> str:
    """The folder (or URL prefix, up to a ``/``) every source is under; ``""`` when none."""
    common: list[str] = []
    for segments in zip(*(source.split("/")[:-1] for source in sources), strict=False):
        if len(set(segments)) != 1:
            break
        common.append(segments[0])
    prefix = "/".join(common) + "/" if common else ""
    return prefix if len(prefix) > 1 else ""


def _print(batch: Any, seconds: float) -> None:
    outcomes = batch.outcomes
    folder = common_folder([outcome.source for outcome in outcomes])
    failures = any(outcome.onboarded is None for outcome in outcomes)
    columns = [
        Column("source", "path"),
        Column("outcome", "tag"),
        Column("version", "name"),
        Column("actions", "tag", justify="right"),
        Column("triggers", "tag", justify="right"),
    ] + ([Column("error")] if failures else [])
    rows: list[tuple[Any, ...]] = []
    for outcome in outcomes:
        status = Text(outcome.status, style=_STYLES[outcome.status])
        source = outcome.source[len(folder) :]
        done = outcome.onboarded
        if done is None:
            rows.append((source, status, "", "", "", outcome.error))
        else:
            row = (source, status, done.ref, done.actions, done.triggers)
            rows.append(row + (("",) if failures else ()))
    title = f"Batch onboarding, from {folder}" if folder else "Batch onboarding"
    print_table(render.out, columns, rows, title=title, what="documents")
    counts = Counter(outcome.status for outcome in outcomes)
    render.out.print(
        f"{render.counted(len(outcomes), 'document')}: "
        + ", ".join(f"{counts[status]} {status}" for status in _STATUSES)
        + f", in {seconds:.1f} s.",
        soft_wrap=True,
    )


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
    started = time.monotonic()
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
        _print(result, time.monotonic() - started)
    if result.failed:
        raise typer.Exit(2 if all(outcome.bad_input for outcome in result.failed) else 1)


def register(main: typer.Typer) -> None:
    main.command("onboard-batch")(onboard_batch)

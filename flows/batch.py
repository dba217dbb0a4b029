"""The ``onboard-batch`` flow: many documents in, one draft (or published) version each, in parallel.

First every document is named (``name-document``, mapped over the sources): ``NAME=SOURCE`` names
it; otherwise the document is fetched and parsed and named as ``connectory inspect`` names it
(``connectory.onboarding.suggest_name``: the name the document declares, ``x-connectory-name`` or
its APIs.guru id, else its source's host and path or file name; never its title alone, which
unrelated APIs share). Two different sources named alike are refused there, before anything is
drafted (``InvalidName``, naming both and how to name them), unless every one of them was given
or declares that name: those are versions of one API. (A document named so is fetched twice: to
name it, then to onboard it; only the names are kept in between, not the documents.)

Then each document is one task run (``onboard-document``) on the flow's task runner, Prefect's
thread pool by default (``max_workers``: how many at once). Documents of different connectors
run in parallel; those of one connector one after the other, in the order given, so that each is
compared with the one before it as the publish policy says (the catalogue serialises concurrent
publishes too; the order makes the outcome the same on every run). Fetching overlaps, which is
what a batch of URLs waits on; for CPU-bound batches across machines, run it with prefect-dask's
task runner. A document's task runs the ``onboard`` flow's own steps (``onboard_steps``: fetch,
parse, generate, validate, auth, draft and, with ``publish``, publish), each a task of its own; only
transient failures (network, HTTP 5xx, a busy database) are retried, where they happened, and a
document that fails does not stop the others: the result and the ``onboard-batch`` artifact list
every document's outcome, failures with the error that names the problem and where it is. A
batch with a failure ends Failed (calling the flow raises ``ItemsFailed``, whose ``result`` is
the batch). A document the connector already holds (same sha256) creates nothing.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any, Literal

from prefect import allow_failure, flow, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.states import State
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.utilities.annotations import unmapped
from pydantic import BaseModel, ConfigDict, SecretStr

from connectory.documents.parse import normalise_protocol, parse
from connectory.errors import InputError, InvalidName, is_transient
from connectory.model.version import check_name, name_key
from connectory.onboarding import declared_name, fetch_source, source_name
from connectory.settings import Settings

from .liveness import settle_dead_runs
from .onboard import TRANSIENT_RETRIES, Onboarded, onboard_steps
from .reporting import ItemOutcome, Outcomes, cell, collect, error_text, finished
from .secrets import catalog_url, open_catalog, real_source, shown

__all__ = [
    "Batch",
    "DocumentOutcome",
    "Naming",
    "onboard_batch",
    "refuse_collisions",
    "shown_item",
    "split_source",
]


def split_source(item: str) -> tuple[str | None, str]:
    """``NAME=SOURCE`` -> ``(NAME, SOURCE)``; a plain source (a path or URL) -> ``(None, item)``."""
    name, separator, source = item.partition("=")
    if separator and name and "/" not in name and ":" not in name:
        return check_name(name), source
    return None, item


def shown_item(item: str) -> str:
    """``item`` as the run's parameter shows it: its source ``shown`` (no secrets in a URL)."""
    name, source = split_source(item)
    return f"{name}={shown(source)}" if name else shown(source)


class DocumentOutcome(ItemOutcome):
    """What onboarding one document of the batch did."""

    source: str
    status: Literal["drafted", "published", "unchanged", "failed"]
    onboarded: Onboarded | None = None
    error: str | None = None
    bad_input: bool = False
    """The failure is the document's (retrying cannot help), not the network's or the store's."""

    def __str__(self) -> str:
        if self.onboarded is None:
            return f"{self.source}: failed: {self.error}"
        done = self.onboarded
        return f"{self.source}: {self.status} {done.ref} ({done.actions} actions)"


class Batch(Outcomes[DocumentOutcome]):
    """The flow's result: one outcome per document, in the order given."""


class Naming(BaseModel):
    """The connector a document of the batch goes to, and why."""

    model_config = ConfigDict(frozen=True)

    source: str
    """The source as the run's parameter shows it."""
    name: str
    declared: bool
    """Given (``NAME=SOURCE``) or declared by the document (``x-connectory-name``, an APIs.guru
    id): documents that share such a name are versions of one API. Else taken from the source."""

    def __str__(self) -> str:
        how = "given" if self.declared else "named after its source"
        return f"{self.source} ({how})"


@task(name="name-document", cache_policy=NO_CACHE, **TRANSIENT_RETRIES)
def name_document(item: str, protocol: str | None) -> Naming:
    """The connector ``item`` goes to: ``NAME=SOURCE``'s, else the document's own name (fetched
    and parsed for that), else its source's (``connectory.onboarding.suggest_name``)."""
    name, source = split_source(item)
    if name is not None:
        return Naming(source=source, name=name, declared=True)
    real = real_source(source)
    if normalise_protocol(protocol) == "graphql":
        from connectory.protocols.graphql import is_graphql_endpoint

        if is_graphql_endpoint(real):  # an endpoint declares nothing: named by its URL
            return Naming(source=source, name=source_name(shown(real)), declared=False)
    raw = fetch_source(real, protocol=protocol, settings=Settings.from_env())
    declared = declared_name(parse(raw, protocol=protocol))
    if declared is not None:
        return Naming(source=source, name=declared, declared=True)
    # the source as given (a folder names it, not its root file), without its secrets
    return Naming(source=source, name=source_name(shown(real)), declared=False)


def refuse_collisions(namings: list[Naming]) -> None:
    """Refuse (``InvalidName``) different sources that would go to one connector (or to names
    alike, that share its credentials: ``model.name_key``), unless each was given that name or
    declares it (versions of one API). Nothing has been drafted yet."""
    groups: dict[str, list[Naming]] = defaultdict(list)
    for naming in namings:
        groups[name_key(naming.name)].append(naming)
    problems = []
    examples = []
    for group in groups.values():
        sources = {naming.source: naming for naming in group}
        names = sorted({naming.name for naming in group})
        if len(sources) < 2 or (len(names) == 1 and all(n.declared for n in group)):
            continue
        listed = " and ".join(str(naming) for naming in sources.values())
        which = f"connector {names[0]!r}" if len(names) == 1 else f"connectors {names}, alike"
        problems.append(f"{listed} would all go to {which}")
        examples.append(list(sources.values())[-1])
    if not problems:
        return
    example = examples[0]
    raise InvalidName(
        "different sources of the batch would share a connector, so nothing was onboarded: "
        + "; ".join(problems)
        + f". Name each as NAME=SOURCE (e.g. {example.name}-2={example.source}), or give the "
        "document its own name in info.x-connectory-name; the versions of one API may share "
        "a name given or declared so"
    )


@task(name="onboard-document", cache_policy=NO_CACHE)
def onboard_document(
    item: str, protocol: str | None, publish: bool, url: SecretStr
) -> DocumentOutcome:
    """One document through the ``onboard`` flow's steps, each its own task (retried there)."""
    name, source = split_source(item)
    steps = onboard_steps(source, name, protocol=protocol, label=None, publish=publish, catalog=url)
    status: Literal["drafted", "published", "unchanged"] = (
        "published" if steps.published else "drafted" if steps.created else "unchanged"
    )
    return DocumentOutcome(
        source=shown(source),
        status=status,
        onboarded=Onboarded.of(steps.version, created=steps.created, auth=steps.auth.result),
    )


def _failure(item: str, error: BaseException) -> DocumentOutcome:
    message = error_text(error)
    bad_input = isinstance(error, InputError) and not is_transient(error)
    return DocumentOutcome(
        source=shown(split_source(item)[1]), status="failed", error=message, bad_input=bad_input
    )


def _summary(outcomes: list[DocumentOutcome]) -> str:
    counts = Counter(outcome.status for outcome in outcomes)
    head = ", ".join(f"{counts[s]} {s}" for s in ("drafted", "published", "unchanged", "failed"))
    lines = [
        "# Batch onboarding",
        "",
        f"{len(outcomes)} documents: {head}.",
        "",
        "| source | outcome | version | actions | triggers | findings |",
        "|---|---|---|---|---|---|",
    ]
    for outcome in outcomes:
        done = outcome.onboarded
        if done is None:
            error = cell(outcome.error or "")
            lines.append(f"| {cell(outcome.source)} | failed: {error} | | | | |")
            continue
        findings = ", ".join(f"{n} {severity}" for severity, n in sorted(done.findings.items()))
        lines.append(
            f"| {cell(outcome.source)} | {outcome.status} | {done.ref} | {done.actions} "
            f"| {done.triggers} | {findings or 'none'} |"
        )
    return "\n".join(lines) + "\n"


@flow(
    name="onboard-batch",
    validate_parameters=True,
    # Prefect's TaskRunner is invariant in its future type: its own thread pool runner does not
    # type-check where a TaskRunner[PrefectFuture] is asked for.
    task_runner=ThreadPoolTaskRunner(8),  # type: ignore[arg-type]
    on_running=[settle_dead_runs],
)
def onboard_batch(
    sources: list[str],
    protocol: str | None = None,
    publish: bool = False,
) -> Batch | State[Batch]:
    """Onboard every source (a path, a URL, or ``NAME=SOURCE``) as a version of its connector
    (named as the module docstring says; ``InvalidName`` before anything is drafted when two
    sources would collide).

    The catalogue (and the secrets of a source URL) come from ``connectory_flows.secrets``.
    When a document failed, the run ends Failed and calling the flow raises ``ItemsFailed``,
    whose ``result`` is the ``Batch``. Run with more or fewer at once:
    ``onboard_batch.with_options(task_runner=ThreadPoolTaskRunner(max_workers=N))``.
    """
    url = catalog_url()
    with open_catalog(url):  # create or migrate the store once, before the tasks open it
        pass
    named = name_document.map(sources, unmapped(protocol))
    namings: dict[int, Naming] = {}
    failures: dict[int, DocumentOutcome] = {}
    for index, (item, future) in enumerate(zip(sources, named, strict=True)):
        try:
            namings[index] = future.result()
        except Exception as error:
            failures[index] = _failure(item, error)
    refuse_collisions(list(namings.values()))
    # One connector's documents one after the other, in the order given; connectors in parallel.
    last: dict[str, Any] = {}
    futures: dict[int, Any] = {}
    for index, naming in namings.items():
        key = name_key(naming.name)
        after = [allow_failure(last[key])] if key in last else None
        futures[index] = last[key] = onboard_document.submit(
            f"{naming.name}={naming.source}",
            protocol,
            publish,
            url,
            return_state=False,
            wait_for=after,
        )
    outcomes = collect(
        range(len(sources)),
        lambda index: failures[index] if index in failures else futures[index].result(),
        lambda index, error: _failure(sources[index], error),
    )
    create_markdown_artifact(
        key="onboard-batch", markdown=_summary(outcomes), description="Batch onboarding outcomes"
    )
    batch = Batch(outcomes=outcomes)
    return finished(batch, "documents failed to onboard")

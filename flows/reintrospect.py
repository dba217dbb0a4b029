"""The ``reintrospect`` flow: re-introspect GraphQL endpoints, draft a version when a schema drifted.

For every GraphQL connector whose newest version was introspected from a live endpoint (or for
the one named), the flow POSTs the introspection query again (all endpoints at once, on Prefect's
task runner; headers from the Prefect Secret block ``connectory-graphql-headers-<name>`` and
``CONNECTORY_GRAPHQL_HEADERS_<NAME>``, see ``connectory_flows.secrets``), builds the version the
answer describes and compares its ``schema_sha256`` with the newest version's (the one drafted
last, whatever its state): drift is always judged against the newest version.

- the same: nothing is stored (``unchanged``);
- another: the new version is drafted with its change report since the newest version
  (``Change`` records: breaking, dangerous, safe) on it, and the report is left as a markdown
  artifact (``reintrospect-<name>``) (``drafted <label>``);
- the very document an older version was drafted from (the endpoint went back to an older
  schema): the catalogue already holds it, so nothing is stored, but it is drift all the same:
  the change report since the newest version is left as the artifact (``reverted <label>``,
  the older version's label), run after run until the catalogue follows (deleting the newest
  version, say);
- the endpoint cannot be had, or answers something unusable: ``failed <error>``. Fetches are
  retried when the failure may pass (``TransientError``); one endpoint failing does not stop the
  others, and the run then ends Failed (calling the flow raises ``ItemsFailed``, whose
  ``result`` is the ``Reintrospected`` record).

The run returns a small ``Reintrospected`` record with an outcome per connector and leaves a
summary artifact (``reintrospect``). The deployment in ``prefect.yaml`` runs it on a schedule.
"""

from __future__ import annotations

from collections import Counter
from typing import Literal

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.states import State
from pydantic import BaseModel, ConfigDict, SecretStr

from connectory.documents.fetch import RawDocument
from connectory.errors import InputError
from connectory.model.version import Change, ConnectorVersion, GraphQLMetadata
from connectory.protocols.graphql import fetch_graphql, require_accepted, sdl_changes
from connectory.settings import Settings

from .liveness import settle_dead_runs
from .onboard import TRANSIENT_RETRIES, draft_task, generate_task, parse_task, validate_task
from .quoting import quoted
from .reporting import ItemOutcome, Outcomes, cell, collect, error_text, finished
from .secrets import catalog_url, graphql_accepted_origins, graphql_headers, open_catalog

__all__ = ["Outcome", "Reintrospected", "Target", "reintrospect"]

MAX_ROWS = 100
"""Changes listed per level in a change report (the version holds them all)."""


class Target(BaseModel):
    """A connector to re-introspect: its newest version and where that was introspected."""

    model_config = ConfigDict(frozen=True)

    connector: str
    label: str
    endpoint: str
    schema_sha256: str | None


class Outcome(ItemOutcome):
    """What re-introspecting one connector did."""

    connector: str
    status: Literal["unchanged", "drafted", "reverted", "failed"]
    version: str | None = None
    """The version drafted; the newest one when unchanged; the older one that holds the schema
    the endpoint went back to when reverted."""
    since: str | None = None
    """The newest version, which the schema was compared with (drafted, reverted)."""
    error: str | None = None
    changes: dict[str, int] = {}
    """Counts by level (breaking, dangerous, safe) of the changes since the newest version."""

    def __str__(self) -> str:
        if self.status == "failed":
            return f"{self.connector}: failed {self.error}"
        if self.status == "unchanged":
            return f"{self.connector}: unchanged ({self.connector}@{self.version})"
        counts = ", ".join(f"{self.changes.get(level, 0)} {level}" for level in _LEVELS)
        if self.status == "reverted":
            return (
                f"{self.connector}: reverted {self.version} (the endpoint serves the schema of "
                f"{self.connector}@{self.version} again; since @{self.since}: {counts})"
            )
        return f"{self.connector}: drafted {self.version} ({counts})"


class Reintrospected(Outcomes[Outcome]):
    """The flow's result: one outcome per connector, in name order."""


_LEVELS = ("breaking", "dangerous", "safe")


@task(name="targets", cache_policy=NO_CACHE, **TRANSIENT_RETRIES)
def targets_task(url: SecretStr, connector: str | None) -> list[Target]:
    """The connectors to re-introspect (a named one must be a GraphQL one with an endpoint), each
    with its newest version: the one drafted last."""
    with open_catalog(url) as catalog:
        if connector is not None:
            names = [catalog.get_connector(connector).name]
        else:
            names = [c.name for c in catalog.list_connectors() if c.protocol == "graphql"]
        targets = []
        for name in names:
            versions = catalog.list_versions(name)
            if not versions:
                continue
            newest = catalog.get_version(name, versions[-1].label)
            metadata = newest.metadata
            if metadata.protocol != "graphql" or metadata.endpoint is None:
                if connector is not None:
                    raise InputError(
                        f"{newest.ref} was not introspected from a GraphQL endpoint "
                        f"(its source is {newest.source}): there is nothing to re-introspect"
                    )
                continue
            targets.append(
                Target(
                    connector=name,
                    label=versions[-1].label,
                    endpoint=metadata.endpoint,
                    schema_sha256=metadata.schema_sha256,
                )
            )
    return targets


@task(name="introspect", cache_policy=NO_CACHE, **TRANSIENT_RETRIES)
def introspect_task(target: Target) -> RawDocument:
    headers = graphql_headers(target.connector)
    if headers:  # secrets: only to an endpoint whose origin the user accepted
        require_accepted(
            target.connector, target.endpoint, graphql_accepted_origins(target.connector)
        )
    return fetch_graphql(target.endpoint, headers=headers, settings=Settings.from_env())


@task(name="changes", cache_policy=NO_CACHE, **TRANSIENT_RETRIES)
def changes_task(url: SecretStr, target: Target, version: ConnectorVersion) -> list[Change]:
    """What changed from ``target``'s newest version to ``version``."""
    with open_catalog(url) as catalog:
        old = catalog.get_version(target.connector, target.label)
    old_metadata, new_metadata = old.metadata, version.metadata
    if not isinstance(old_metadata, GraphQLMetadata) or not old_metadata.sdl:
        return []
    if not isinstance(new_metadata, GraphQLMetadata) or not new_metadata.sdl:
        return []
    return sdl_changes(old_metadata.sdl, new_metadata.sdl)


def change_report(
    heading: str, target: Target, schema_sha256: str | None, changes: list[Change]
) -> str:
    """Markdown: ``heading``, then what changed from ``target``'s newest version to the schema
    the endpoint serves now (``schema_sha256``)."""
    counts: Counter[str] = Counter(change.level for change in changes)
    lines = [
        f"# {heading}",
        "",
        f"- endpoint: `{target.endpoint}`",
        f"- schema sha256: `{target.schema_sha256}` -> `{schema_sha256}`",
        "- " + ", ".join(f"{counts.get(level, 0)} {level}" for level in _LEVELS) + " changes",
    ]
    for level in _LEVELS:
        found = [change for change in changes if change.level == level]
        if not found:
            continue
        lines += [
            "",
            f"## {level.capitalize()}",
            "",
            "| kind | location | change |",
            "|---|---|---|",
        ]
        lines += [
            f"| {c.kind} | `{cell(c.location)}` | {cell(c.message)} |" for c in found[:MAX_ROWS]
        ]
        if len(found) > MAX_ROWS:
            lines.append(f"| ... {len(found) - MAX_ROWS} more | | |")
    return "\n".join(lines) + "\n"


def _summary(outcomes: list[Outcome]) -> str:
    lines = ["# Re-introspection", "", "| connector | outcome |", "|---|---|"]
    lines += [f"| {cell(o.connector)} | {cell(str(o).split(': ', 1)[1])} |" for o in outcomes]
    if not outcomes:
        lines.append("| (no GraphQL connector with an endpoint) | |")
    return "\n".join(lines) + "\n"


def _artifact_key(connector: str) -> str:
    return "reintrospect-" + "".join(c if c.isalnum() else "-" for c in connector.lower()).strip(
        "-"
    )


def _one(target: Target, raw: RawDocument, url: SecretStr) -> Outcome:
    parsed = parse_task(quoted(raw), "graphql")
    generated = generate_task(quoted(parsed), target.connector)
    metadata = generated.metadata
    assert isinstance(metadata, GraphQLMetadata)  # generated from a GraphQL document
    schema_sha256 = metadata.schema_sha256
    if schema_sha256 == target.schema_sha256:
        return Outcome(connector=target.connector, status="unchanged", version=target.label)
    checked = validate_task(quoted(generated))
    changes = changes_task(url, target, quoted(checked))
    drafted = draft_task(url, quoted(checked.model_copy(update={"changes": changes})), None)
    stored = drafted.version
    if drafted.created:
        status: Literal["drafted", "reverted"] = "drafted"
        heading = f"{stored.ref}: the schema changed since @{target.label}"
    elif stored.version != target.label:
        # The catalogue holds this very document in an older version: the endpoint went back
        # to that schema, which is drift from the newest version all the same.
        status = "reverted"
        heading = (
            f"{target.connector}: the endpoint serves the schema of @{stored.version} again, "
            f"changed since @{target.label}"
        )
    else:  # the newest version's own document (its schema hash was computed otherwise)
        return Outcome(connector=target.connector, status="unchanged", version=stored.version)
    create_markdown_artifact(
        key=_artifact_key(target.connector),
        markdown=change_report(heading, target, schema_sha256, changes),
        description=f"Schema changes of {target.connector} since @{target.label}",
    )
    return Outcome(
        connector=target.connector,
        status=status,
        version=stored.version,
        since=target.label,
        changes=dict(Counter(change.level for change in changes)),
    )


@flow(name="reintrospect", validate_parameters=True, on_running=[settle_dead_runs])
def reintrospect(
    connector: str | None = None, catalog_block: str | None = None
) -> Reintrospected | State[Reintrospected]:
    """Re-introspect every GraphQL connector with an endpoint (or ``connector``); draft a new
    version with a change report where the schema changed since the newest version.

    The catalogue comes from ``connectory_flows.secrets`` (``catalog_block``: the Secret block
    holding its URL, for workers without CONNECTORY_DATABASE_URL). When an endpoint failed, the
    run ends Failed, its message naming each failed connector and endpoint, and calling the flow
    raises ``ItemsFailed``, whose ``result`` is the ``Reintrospected`` record.
    """
    url = catalog_url(catalog_block)
    targets = targets_task(url, connector)
    futures = [introspect_task.submit(target) for target in targets]
    outcomes = collect(
        zip(targets, futures, strict=True),
        lambda submitted: _one(submitted[0], submitted[1].result(), url),
        lambda submitted, error: Outcome(
            connector=submitted[0].connector, status="failed", error=error_text(error)
        ),
    )
    create_markdown_artifact(
        key="reintrospect", markdown=_summary(outcomes), description="Re-introspection outcomes"
    )
    result = Reintrospected(outcomes=outcomes)
    endpoints = {target.connector: target.endpoint for target in targets}
    failed = ", ".join(f"{o.connector} ({endpoints[o.connector]})" for o in result.failed)
    return finished(result, f"endpoints failed to re-introspect: {failed}")

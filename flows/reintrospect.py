"""The ``reintrospect`` flow: re-introspect GraphQL endpoints, draft a version when a schema drifted.

For every GraphQL connector whose newest version was introspected from a live endpoint (or for
the one named), the flow POSTs the introspection query again (all endpoints at once, on Prefect's
task runner; headers from the Prefect Secret block ``connectory-graphql-headers-<name>`` and
``CONNECTORY_GRAPHQL_HEADERS_<NAME>``, see ``connectory_flows.secrets``), builds the version the answer describes and compares
its ``schema_sha256`` with the newest version's:

- the same: nothing is stored (``unchanged``);
- another: the new version is drafted with its change report (``Change`` records: breaking,
  dangerous, safe) on it, and the report is left as a markdown artifact
  (``reintrospect-<name>``) (``drafted <label>``);
- the endpoint cannot be had, or answers something unusable: ``failed <error>``. Fetches are
  retried when the failure may pass (``TransientError``); one endpoint failing does not stop the
  others.

The run returns a small ``Reintrospected`` record with an outcome per connector and leaves a
summary artifact (``reintrospect``). The deployment in ``prefect.yaml`` runs it on a schedule.
"""

from __future__ import annotations

from collections import Counter
from typing import Literal

from connectory_flows.onboard import (
    TRANSIENT_RETRIES,
    draft_task,
    generate_task,
    parse_task,
    validate_task,
)
from connectory_flows.reporting import cell, error_text
from connectory_flows.secrets import graphql_headers
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.utilities.annotations import quote
from pydantic import BaseModel, ConfigDict

from connectory.catalog import Catalog
from connectory.errors import InputError
from connectory.fetch import RawDocument
from connectory.model import Change, ConnectorVersion
from connectory.protocols.graphql import fetch_graphql, sdl_changes
from connectory.settings import Settings

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


class Outcome(BaseModel):
    """What re-introspecting one connector did."""

    model_config = ConfigDict(frozen=True)

    connector: str
    status: Literal["unchanged", "drafted", "failed"]
    version: str | None = None
    """The version drafted, or the newest one when unchanged."""
    error: str | None = None
    changes: dict[str, int] = {}
    """Counts by level (breaking, dangerous, safe) of a drafted version's changes."""

    def __str__(self) -> str:
        if self.status == "failed":
            return f"{self.connector}: failed {self.error}"
        if self.status == "unchanged":
            return f"{self.connector}: unchanged ({self.connector}@{self.version})"
        counts = ", ".join(f"{self.changes.get(level, 0)} {level}" for level in _LEVELS)
        return f"{self.connector}: drafted {self.version} ({counts})"


class Reintrospected(BaseModel):
    """The flow's result: one outcome per connector, in name order."""

    model_config = ConfigDict(frozen=True)

    outcomes: list[Outcome]

    @property
    def failed(self) -> list[Outcome]:
        return [outcome for outcome in self.outcomes if outcome.status == "failed"]


_LEVELS = ("breaking", "dangerous", "safe")


@task(name="targets", cache_policy=NO_CACHE, **TRANSIENT_RETRIES)
def targets_task(catalog_url: str | None, connector: str | None) -> list[Target]:
    """The connectors to re-introspect (a named one must be a GraphQL one with an endpoint)."""
    with Catalog.open(catalog_url) as catalog:
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
    return fetch_graphql(target.endpoint, headers=headers, settings=Settings.from_env())


@task(name="changes", cache_policy=NO_CACHE, **TRANSIENT_RETRIES)
def changes_task(
    catalog_url: str | None, target: Target, version: ConnectorVersion
) -> list[Change]:
    with Catalog.open(catalog_url) as catalog:
        old = catalog.get_version(target.connector, target.label)
    if old.metadata.protocol != "graphql" or not old.metadata.sdl or not version.metadata.sdl:
        return []
    return sdl_changes(old.metadata.sdl, version.metadata.sdl)


def change_report(target: Target, version: ConnectorVersion) -> str:
    """Markdown: what changed from ``target``'s newest version to the drafted ``version``."""
    counts = Counter(change.level for change in version.changes)
    lines = [
        f"# {version.connector}@{version.version}: the schema changed since @{target.label}",
        "",
        f"- endpoint: `{target.endpoint}`",
        f"- schema sha256: `{target.schema_sha256}` -> `{version.metadata.schema_sha256}`",  # type: ignore[union-attr]
        "- " + ", ".join(f"{counts.get(level, 0)} {level}" for level in _LEVELS) + " changes",
    ]
    for level in _LEVELS:
        found = [change for change in version.changes if change.level == level]
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


def _one(target: Target, raw: RawDocument, catalog_url: str | None) -> Outcome:
    parsed = parse_task(quote(raw), "graphql")
    generated = generate_task(quote(parsed), target.connector)
    if generated.metadata.schema_sha256 == target.schema_sha256:  # type: ignore[union-attr]
        return Outcome(connector=target.connector, status="unchanged", version=target.label)
    checked = validate_task(quote(generated))
    changes = changes_task(catalog_url, target, quote(checked))
    version = checked.model_copy(update={"changes": changes})
    drafted = draft_task(catalog_url, quote(version), None)
    stored = drafted.version
    if not drafted.created:  # the endpoint answers a document drafted before: nothing new
        return Outcome(connector=target.connector, status="unchanged", version=stored.version)
    create_markdown_artifact(
        key=_artifact_key(target.connector),
        markdown=change_report(target, stored),
        description=f"Schema changes of {stored.ref}",
    )
    return Outcome(
        connector=target.connector,
        status="drafted",
        version=stored.version,
        changes=dict(Counter(change.level for change in stored.changes)),
    )


@flow(name="reintrospect", validate_parameters=True)
def reintrospect(connector: str | None = None, catalog_url: str | None = None) -> Reintrospected:
    """Re-introspect every GraphQL connector with an endpoint (or ``connector``); draft a new
    version with a change report where the schema changed.

    ``catalog_url`` defaults to ``CONNECTORY_DATABASE_URL`` or the embedded SQLite catalogue.
    """
    logger = get_run_logger()
    targets = targets_task(catalog_url, connector)
    futures = [introspect_task.submit(target) for target in targets]
    outcomes = []
    for target, future in zip(targets, futures, strict=True):
        try:
            outcome = _one(target, future.result(), catalog_url)
        except Exception as error:
            outcome = Outcome(connector=target.connector, status="failed", error=error_text(error))
            logger.warning("%s", outcome)
        else:
            logger.info("%s", outcome)
        outcomes.append(outcome)
    create_markdown_artifact(
        key="reintrospect", markdown=_summary(outcomes), description="Re-introspection outcomes"
    )
    return Reintrospected(outcomes=outcomes)

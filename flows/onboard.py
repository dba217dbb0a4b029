"""The ``onboard`` flow: one document in, one draft (or published) connector version out.

Each core step is a task, so the Prefect UI shows where a run is and where it failed; the steps
(``onboard_steps``) are those of every document of ``onboard-batch`` too. Only
transient failures (network, HTTP 5xx, a busy database) are retried; a bad document fails at once.
Re-onboarding a document already drafted for the connector (same sha256) skips straight to the
stored version. The run leaves a markdown artifact summarising the version, and returns a small
``Onboarded`` record (Prefect walks a flow's return value, so the version itself stays in the
catalogue).
"""

from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from prefect import (
    flow,
    get_run_logger,
    task,
)
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from pydantic import (
    BaseModel,
    ConfigDict,
    SecretStr,
)

from connectory.catalog import (
    Drafted,
    VersionInfo,
)
from connectory.documents.fetch import RawDocument
from connectory.documents.parse import (
    ParsedDocument,
    normalise_protocol,
    parse,
)
from connectory.errors import (
    InputError,
    NotFound,
    is_transient,
)
from connectory.model.version import (
    ConnectorVersion,
    VersionState,
    check_name,
)
from connectory.onboarding import (
    fetch_source,
    generate,
    suggest_name,
    validated,
)
from connectory.render.summary import summarize
from connectory.settings import Settings
from connectory.vetting.publishing import publish as publish_checked

from .liveness import settle_dead_runs
from .quoting import quoted
from .secrets import (
    catalog_url,
    graphql_headers,
    open_catalog,
    real_source,
)

__all__ = [
    "TRANSIENT_RETRIES",
    "Onboarded",
    "Steps",
    "onboard",
    "onboard_steps",
    "retry_if_transient",
]


def retry_if_transient(task: Any, task_run: Any, state: Any) -> bool:
    """Prefect ``retry_condition_fn``: retry only errors that may pass on their own."""
    try:
        state.result()
    except Exception as error:
        return is_transient(error)
    return False


def _retry_delays() -> list[float]:
    """Seconds between tries: ``CONNECTORY_RETRY_DELAYS`` (e.g. ``1,5,15``), one retry each."""
    text = os.environ.get("CONNECTORY_RETRY_DELAYS", "1,5,15")
    try:
        return [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise InputError(f"CONNECTORY_RETRY_DELAYS={text!r} is not a list of numbers") from None


_DELAYS = _retry_delays()
TRANSIENT_RETRIES: dict[str, Any] = {  # a task's options: retry what failed for a passing reason
    "retries": len(_DELAYS),
    "retry_delay_seconds": _DELAYS,
    "retry_condition_fn": retry_if_transient,
}


@task(name="fetch", cache_policy=NO_CACHE, **TRANSIENT_RETRIES)
def fetch_task(source: str, protocol: str | None, connector: str | None) -> RawDocument:
    """The raw document; a GraphQL endpoint is introspected with the connector's headers (see
    ``connectory_flows.secrets``), none when the connector is not named yet."""
    headers: dict[str, SecretStr] | None = None
    if connector and normalise_protocol(protocol) == "graphql":
        from connectory.protocols.graphql import is_graphql_endpoint

        if is_graphql_endpoint(source):
            headers = graphql_headers(connector)
    return fetch_source(source, protocol=protocol, headers=headers, settings=Settings.from_env())


@task(name="lookup", cache_policy=NO_CACHE, **TRANSIENT_RETRIES)
def lookup_task(url: SecretStr, connector: str, sha256: str) -> VersionInfo | None:
    """The version of ``connector`` that already holds this document, if any."""
    with open_catalog(url) as catalog:
        try:
            known = catalog.list_versions(connector)
        except NotFound:
            return None
    return next((info for info in known if info.sha256 == sha256), None)


@task(name="parse", cache_policy=NO_CACHE)
def parse_task(raw: RawDocument, protocol: str | None) -> ParsedDocument:
    return parse(raw, protocol=protocol)


@task(name="generate", cache_policy=NO_CACHE)
def generate_task(parsed: ParsedDocument, connector: str) -> ConnectorVersion:
    return generate(parsed, connector=connector)


@task(name="validate", cache_policy=NO_CACHE)
def validate_task(version: ConnectorVersion) -> ConnectorVersion:
    return validated(version)


@task(name="draft", cache_policy=NO_CACHE, **TRANSIENT_RETRIES)
def draft_task(url: SecretStr, version: ConnectorVersion, label: str | None) -> Drafted:
    with open_catalog(url) as catalog:
        return catalog.draft(version, label=label)


@task(name="publish", cache_policy=NO_CACHE, **TRANSIENT_RETRIES)
def publish_task(url: SecretStr, connector: str, label: str) -> ConnectorVersion:
    """Publish under the publish policy (``connectory.vetting.publishing.publish``): breaking changes since
    the previous version are refused unless a semver label bumps its major version; the draft
    stays, for ``connectory publish --allow-breaking`` when its label is not semver."""
    with open_catalog(url) as catalog:
        return publish_checked(catalog, connector, label).version


@task(name="read", cache_policy=NO_CACHE, **TRANSIENT_RETRIES)
def read_task(url: SecretStr, connector: str, label: str) -> ConnectorVersion:
    with open_catalog(url) as catalog:
        return catalog.get_version(connector, label)


class Onboarded(BaseModel):
    """What an onboarding run left in the catalogue (the flow's result: small on purpose).

    Read the version itself with ``Catalog.get_version(connector, version)``.
    """

    model_config = ConfigDict(frozen=True)

    connector: str
    version: str
    state: VersionState
    created: bool
    """False when the connector already held this document (same sha256): nothing was drafted."""
    sha256: str
    actions: int
    triggers: int
    definitions: int
    auth_methods: int
    findings: dict[str, int]
    """Counts by severity."""

    @classmethod
    def of(cls, version: ConnectorVersion, *, created: bool) -> Onboarded:
        return cls(
            connector=version.connector,
            version=version.version or "",
            state=version.state,
            created=created,
            sha256=version.sha256,
            actions=len(version.actions),
            triggers=len(version.triggers),
            definitions=len(version.definitions),
            auth_methods=len(version.auth_methods),
            findings=dict(Counter(f.severity for f in version.findings)),
        )

    @property
    def ref(self) -> str:
        return f"{self.connector}@{self.version}"


def _artifact_key(connector: str) -> str:
    return "onboard-" + re.sub(r"[^a-z0-9-]+", "-", connector.lower()).strip("-")


@dataclass(frozen=True)
class Steps:
    """What the onboarding steps did to one document (``onboard_steps``)."""

    version: ConnectorVersion
    created: bool
    """False when the connector already held this document (same sha256): nothing was drafted."""
    published: bool
    """The steps published the version (it was a draft, and publishing was asked for)."""


def onboard_steps(
    source: str,
    name: str | None,
    *,
    protocol: str | None,
    label: str | None,
    publish: bool,
    catalog: SecretStr,
) -> Steps:
    """Onboard one document with this module's tasks: fetch, lookup (or parse, generate,
    validate, draft), and publish when asked. The pipeline of ``onboard`` and of each document
    of ``onboard-batch``.

    ``source`` is a run's parameter (``real_source`` gives the source it stands for). Without a
    ``name``, the connector is named by ``suggest_name`` (not by title alone), so the document is
    parsed before the catalogue is asked whether it holds it already.
    """
    logger = get_run_logger()
    raw = fetch_task(real_source(source), protocol, name)
    parsed: ParsedDocument | None = None
    if name is None:
        parsed = parse_task(quoted(raw), protocol)
        name = suggest_name(parsed)
    existing = lookup_task(catalog, name, raw.sha256)
    created = False
    if existing is not None:
        logger.info("Unchanged: %s@%s holds this document already", name, existing.label)
        version = read_task(catalog, name, existing.label)
    else:
        if parsed is None:
            parsed = parse_task(quoted(raw), protocol)
        generated = generate_task(quoted(parsed), name)
        checked = validate_task(quoted(generated))
        # A description split across files has the sha256 of all its files (not the root's):
        # the catalogue, not the lookup above, then tells whether it holds it already.
        drafted = draft_task(catalog, quoted(checked), label)
        version, created = drafted.version, drafted.created
        logger.info("Drafted %s" if created else "Unchanged: %s holds it already", version.ref)
    published = publish and version.state == "draft"
    if published:
        version = publish_task(catalog, name, version.version or "")
        logger.info("Published %s", version.ref)
    return Steps(version=version, created=created, published=published)


@flow(name="onboard", validate_parameters=True, on_running=[settle_dead_runs])
def onboard(
    source: str,
    name: str,
    protocol: str | None = None,
    label: str | None = None,
    publish: bool = False,
) -> Onboarded:
    """Onboard ``source`` (a path or an http(s) URL) as a draft version of connector ``name``.

    With ``publish``, the version is published too (unless it already is). With ``protocol``
    ``graphql``, an endpoint URL is introspected. The catalogue, the introspection headers and
    the secrets of a source URL come from ``connectory_flows.secrets``, never from parameters.
    """
    check_name(name)
    steps = onboard_steps(
        source, name, protocol=protocol, label=label, publish=publish, catalog=catalog_url()
    )
    create_markdown_artifact(
        key=_artifact_key(name),
        markdown=summarize(steps.version),
        description=f"Onboarding of {steps.version.ref}",
    )
    return Onboarded.of(steps.version, created=steps.created)

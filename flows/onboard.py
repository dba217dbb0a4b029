"""The ``onboard`` flow: one document in, one draft (or published) connector version out.

Each core step is a task, so the Prefect UI shows where a run is and where it failed. Only
transient failures (network, HTTP 5xx, a busy database) are retried; a bad document fails at once.
Re-onboarding a document already drafted for the connector (same sha256) skips straight to the
stored version. The run leaves a markdown artifact summarising the version.
"""

from __future__ import annotations

import os
import re
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.utilities.annotations import quote

from connectory.catalog import Catalog
from connectory.detect import ParsedDocument, parse
from connectory.errors import InputError, is_transient
from connectory.fetch import RawDocument, fetch
from connectory.model import ConnectorVersion, check_name
from connectory.onboarding import generate, validated
from connectory.settings import Settings
from connectory.summary import summarize

__all__ = ["onboard", "retry_if_transient"]


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
_RETRIES: dict[str, Any] = {
    "retries": len(_DELAYS),
    "retry_delay_seconds": _DELAYS,
    "retry_condition_fn": retry_if_transient,
}


@task(name="fetch", cache_policy=NO_CACHE, **_RETRIES)
def fetch_task(source: str) -> RawDocument:
    return fetch(source, settings=Settings.from_env())


@task(name="lookup", cache_policy=NO_CACHE, **_RETRIES)
def lookup_task(catalog_url: str | None, connector: str, sha256: str) -> ConnectorVersion | None:
    with Catalog.open(catalog_url) as catalog:
        return catalog.find_by_sha256(connector, sha256)


@task(name="parse", cache_policy=NO_CACHE)
def parse_task(raw: RawDocument, protocol: str | None) -> ParsedDocument:
    return parse(raw, protocol=protocol)


@task(name="generate", cache_policy=NO_CACHE)
def generate_task(parsed: ParsedDocument, connector: str) -> ConnectorVersion:
    return generate(parsed, connector=connector)


@task(name="validate", cache_policy=NO_CACHE)
def validate_task(version: ConnectorVersion) -> ConnectorVersion:
    return validated(version)


@task(name="draft", cache_policy=NO_CACHE, **_RETRIES)
def draft_task(catalog_url: str | None, version: ConnectorVersion, label: str | None) -> Any:
    with Catalog.open(catalog_url) as catalog:
        return catalog.draft(version, label=label)


@task(name="publish", cache_policy=NO_CACHE, **_RETRIES)
def publish_task(catalog_url: str | None, connector: str, label: str) -> ConnectorVersion:
    with Catalog.open(catalog_url) as catalog:
        return catalog.publish(connector, label)


def _artifact_key(connector: str) -> str:
    return "onboard-" + re.sub(r"[^a-z0-9-]+", "-", connector.lower()).strip("-")


@flow(name="onboard", validate_parameters=True)
def onboard(
    source: str,
    name: str,
    protocol: str | None = None,
    label: str | None = None,
    publish: bool = False,
    catalog_url: str | None = None,
) -> ConnectorVersion:
    """Onboard ``source`` (a path or an http(s) URL) as a draft version of connector ``name``.

    ``catalog_url`` defaults to ``CONNECTORY_DATABASE_URL`` or the embedded SQLite catalogue.
    With ``publish``, the version is published too (it must be a draft or already published).
    """
    logger = get_run_logger()
    check_name(name)
    raw = fetch_task(source)
    version = lookup_task(catalog_url, name, raw.sha256)
    if version is not None:
        logger.info(
            "Unchanged: %s already holds this document (sha256 %s)", version.ref, raw.sha256
        )
    else:
        parsed = parse_task(quote(raw), protocol)
        generated = generate_task(quote(parsed), name)
        checked = validate_task(quote(generated))
        version = draft_task(catalog_url, quote(checked), label).version
        logger.info(
            "Drafted %s: %d actions, %d triggers, %d definitions, %d findings",
            version.ref,
            len(version.actions),
            len(version.triggers),
            len(version.definitions),
            len(version.findings),
        )
    if publish and version.state == "draft":
        version = publish_task(catalog_url, name, version.version)
        logger.info("Published %s", version.ref)
    create_markdown_artifact(
        key=_artifact_key(name),
        markdown=summarize(version),
        description=f"Onboarding of {version.ref}",
    )
    return version

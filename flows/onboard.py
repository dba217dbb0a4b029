"""The ``onboard`` flow: one document in, one draft (or published) connector version out.

Each core step is a task, so the Prefect UI shows where a run is and where it failed; the steps
(``onboard_steps``) are those of every document of ``onboard-batch`` too. Only
transient failures (network, HTTP 5xx, a busy database) are retried; a bad document fails at once.
Re-onboarding a document already drafted for the connector (same sha256) skips straight to the
stored version. The run leaves a markdown artifact summarising the version, and returns a small
``Onboarded`` record (Prefect walks a flow's return value, so the version itself stays in the
catalogue).

The ``auth`` task, between validate and draft, runs the live auth check with the connector's
credentials (``connectory.onboarding.auth_check``: read inside the task from the secrets file and
the environment, never a parameter): passed, failed or skipped with the reason. A new draft
records it (a finding of kind ``auth-check``, when there were credentials to try); the artifact
and the result show it. A failed check does not stop the draft; with ``require_auth`` the run
then ends Failed (``AuthNotVerified``), unless the check passed.
"""

from __future__ import annotations

import os
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar, cast

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.states import State
from prefect.tasks import Task
from pydantic import BaseModel, ConfigDict, SecretStr

from connectory.catalog import Drafted, VersionInfo
from connectory.documents.fetch import RawDocument
from connectory.documents.parse import ParsedDocument, normalise_protocol, parse
from connectory.errors import InputError, NotFound, is_transient
from connectory.model.auth import AuthMethod
from connectory.model.version import CheckResult, ConnectorVersion, VersionState, check_name
from connectory.onboarding import (
    AuthCheck,
    auth_check,
    auth_methods,
    fetch_source,
    generate,
    suggest_name,
    validated,
    with_auth,
    with_auth_check,
)
from connectory.render.summary import summarize
from connectory.settings import Settings
from connectory.vetting.publishing import publish as publish_checked

from .liveness import settle_dead_runs
from .quoting import quoted
from .reporting import AuthNotVerified, auth_markdown, auth_not_verified
from .secrets import catalog_url, graphql_headers, open_catalog, reachable, real_source

__all__ = [
    "TRANSIENT_RETRIES",
    "AuthNotVerified",
    "Onboarded",
    "Steps",
    "onboard",
    "onboard_steps",
    "retry_if_transient",
    "retrying",
]


P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")


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


def retrying(work: Callable[[], R], what: str) -> R:
    """``work()``, tried again after each of ``TRANSIENT_RETRIES``' delays while it fails for a
    passing reason (``is_transient``): the same retries as a task's, within one task."""
    for delay in _DELAYS:
        try:
            return work()
        except Exception as error:
            if not is_transient(error):
                raise
            get_run_logger().warning("%s: %s; trying again in %g s", what, error, delay)
        time.sleep(delay)
    return work()


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
def generate_task(
    parsed: ParsedDocument, connector: str, auth: list[AuthMethod] | None = None
) -> ConnectorVersion:
    """The version the document describes, with the auth methods the user named added (``--auth``:
    for a document that declares none, a GraphQL endpoint or a WSDL without WS-Policy)."""
    return with_auth(generate(parsed, connector=connector), auth or [])


@task(name="validate", cache_policy=NO_CACHE)
def validate_task(version: ConnectorVersion) -> ConnectorVersion:
    return validated(version)


@task(name="auth", cache_policy=NO_CACHE)
def auth_task(version: ConnectorVersion) -> AuthCheck:
    """The live auth check with the connector's credentials, read here (the secrets file, the
    environment): never a parameter, never in the result, the logs or the artifact. A refused or
    unreachable system fails the check, not the task."""
    checked = auth_check(version)
    result = checked.result
    log = get_run_logger().warning if result.status == "failed" else get_run_logger().info
    log("Auth check of %s %s: %s", version.connector, result.status, result.message)
    return checked


@task(name="draft", cache_policy=NO_CACHE, **TRANSIENT_RETRIES)
def draft_task(url: SecretStr, version: ConnectorVersion, label: str | None) -> Drafted:
    with open_catalog(url) as catalog:
        return catalog.draft(version, label=label)


@task(name="add-auth", cache_policy=NO_CACHE, **TRANSIENT_RETRIES)
def add_auth_task(
    url: SecretStr, connector: str, label: str, methods: list[AuthMethod]
) -> ConnectorVersion:
    """Add ``methods`` to a draft that holds the document already (onboarded before without them)."""
    with open_catalog(url) as catalog:
        version = catalog.get_version(connector, label)
        for method in methods:
            version = catalog.add_auth_method(connector, label, method)
        return version


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
    auth: CheckResult | None = None
    """The live auth check (``passed``, ``failed`` or ``skipped`` with the reason)."""

    @classmethod
    def of(
        cls, version: ConnectorVersion, *, created: bool, auth: CheckResult | None = None
    ) -> Onboarded:
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
            auth=auth,
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
    auth: AuthCheck
    """The live auth check of the version (recorded on it when it was drafted now)."""


class _Stepper:
    """Runs a step as its task (a task run of its own) or, ``direct``, as the task's function."""

    def __init__(self, direct: bool) -> None:
        self.direct = direct

    def __call__(self, step: Task[P, R]) -> Callable[P, R]:
        return step.fn if self.direct else cast("Callable[P, R]", step)

    def quoted(self, value: T) -> T:
        """``value`` as a task's argument: quoted for a task run, as it is for a plain call."""
        return value if self.direct else quoted(value)


def onboard_steps(
    source: str,
    name: str | None,
    *,
    protocol: str | None,
    label: str | None,
    publish: bool,
    catalog: SecretStr,
    auth: list[str] | None = None,
    direct: bool = False,
) -> Steps:
    """Onboard one document with this module's tasks: fetch, lookup (or parse, generate,
    validate, auth, draft; else auth on the version held), and publish when asked. The pipeline
    of ``onboard`` and of each document of ``onboard-batch``.

    ``auth``: specs of auth methods to add (``bearer``, ``header:NAME``...: see
    ``connectory.model.add_auth.auth_method_from_spec``), required by every action. A draft that
    holds the document already gets those it lacks; a published one is left as it is (a warning).

    ``source`` is a run's parameter (``real_source`` gives the source it stands for). Without a
    ``name``, the connector is named by ``suggest_name`` (not by title alone), so the document is
    parsed before the catalogue is asked whether it holds it already.

    ``direct``: the steps run as plain calls within the caller's task (a group of ``onboard-batch``,
    which retries a document whose failure may pass), not as task runs of their own: Prefect's
    cost per task run (its state changes) is then paid once per group, not seven times per
    document.
    """
    logger = get_run_logger()
    step = _Stepper(direct)
    methods = auth_methods(auth or [])  # a bad spec fails before anything is fetched
    raw = step(fetch_task)(reachable(real_source(source)), protocol, name)
    parsed: ParsedDocument | None = None
    if name is None:
        parsed = step(parse_task)(step.quoted(raw), protocol)
        name = suggest_name(parsed)
    existing = step(lookup_task)(catalog, name, raw.sha256)
    created = False
    if existing is not None:
        logger.info("Unchanged: %s@%s holds this document already", name, existing.label)
        held = step(read_task)(catalog, name, existing.label)
        version = _with_missing_auth(catalog, held, methods, step)
        check = step(auth_task)(step.quoted(version))
    else:
        if parsed is None:
            parsed = step(parse_task)(step.quoted(raw), protocol)
        generated = step(generate_task)(step.quoted(parsed), name, methods)
        checked = step(validate_task)(step.quoted(generated))
        check = step(auth_task)(step.quoted(checked))
        # A description split across files has the sha256 of all its files (not the root's):
        # the catalogue, not the lookup above, then tells whether it holds it already.
        drafted = step(draft_task)(catalog, step.quoted(with_auth_check(checked, check)), label)
        version, created = drafted.version, drafted.created
        logger.info("Drafted %s" if created else "Unchanged: %s holds it already", version.ref)
        if not created:
            version = _with_missing_auth(catalog, version, methods, step)
    published = publish and version.state == "draft"
    if published:
        version = step(publish_task)(catalog, name, version.version or "")
        logger.info("Published %s", version.ref)
    return Steps(version=version, created=created, published=published, auth=check)


def _with_missing_auth(
    catalog: SecretStr, version: ConnectorVersion, methods: list[AuthMethod], step: _Stepper
) -> ConnectorVersion:
    """``version`` (held already) with those of ``methods`` it lacks, when it is a draft."""
    have = {method.name for method in version.auth_methods}
    missing = [method for method in methods if method.name not in have]
    if not missing:
        return version
    names = ", ".join(method.name for method in missing)
    if version.state != "draft":
        get_run_logger().warning(
            "%s is %s: the auth methods %s are not added (draft a new version, then "
            "connectory auth add)",
            version.ref,
            version.state,
            names,
        )
        return version
    get_run_logger().info("Adding the auth methods %s to %s", names, version.ref)
    return step(add_auth_task)(catalog, version.connector, version.version or "", missing)


@flow(name="onboard", validate_parameters=True, on_running=[settle_dead_runs])
def onboard(
    source: str,
    name: str,
    protocol: str | None = None,
    label: str | None = None,
    publish: bool = False,
    require_auth: bool = False,
    auth: list[str] | None = None,
    catalog_block: str | None = None,
) -> Onboarded | State[Onboarded]:
    """Onboard ``source`` (a path or an http(s) URL) as a draft version of connector ``name``.

    With ``publish``, the version is published too (unless it already is). With ``protocol``
    ``graphql``, an endpoint URL is introspected. ``auth``: auth methods to add to the version
    (``bearer``, ``basic``, ``header:NAME``, ``query:NAME``...: specs, never secrets), for a
    document that declares none or not all; WS-Policy's are kept. The catalogue, the
    introspection headers and the secrets of a source URL come from
    ``connectory_flows.secrets``, never from parameters; the credentials of the auth check from
    the secrets file and the environment. With ``require_auth``, a live auth check that did not
    pass (it failed, or was skipped: no credentials, no action to try, an origin not accepted)
    ends the run Failed, saying which; the version stays drafted (and published, when asked),
    and calling the flow raises ``AuthNotVerified``, whose ``result`` is the ``Onboarded`` record.
    ``catalog_block``: the Prefect Secret block that holds the catalogue's URL, for workers
    without CONNECTORY_DATABASE_URL (default ``connectory-catalog-url``).
    """
    check_name(name)
    steps = onboard_steps(
        source,
        name,
        protocol=protocol,
        label=label,
        publish=publish,
        catalog=catalog_url(catalog_block),
        auth=auth,
    )
    create_markdown_artifact(
        key=_artifact_key(name),
        markdown=summarize(steps.version) + auth_markdown(steps.auth, steps.version),
        description=f"Onboarding of {steps.version.ref}",
    )
    result = Onboarded.of(steps.version, created=steps.created, auth=steps.auth.result)
    if require_auth and steps.auth.result.status != "passed":
        return auth_not_verified(steps.version, steps.auth, result)
    return result

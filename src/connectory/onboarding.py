"""The onboarding pipeline, as plain functions: fetch, parse, generate, validate, check auth.

``inspect(source)`` runs the first four and returns the version that onboarding would draft,
storing nothing. The Prefect flow in ``flows/`` runs the same steps as tasks, checks auth
(``auth_check``, ``with_auth_check``), then drafts and publishes through ``connectory.catalog``.

The auth step is the vetting's ``live-auth`` check (``vetting.checks.check_auth``): one safe call
with the connector's credentials, only to origins its user accepted; skipped, and nothing called,
without credentials. When there were credentials to try, the draft records the result as a
finding of kind ``auth-check``: ``info`` when it passed or was skipped (with the reason),
``warning`` when it failed (the credentials where onboarding ran are at fault, not the document:
it does not fail the ``no-error-findings`` check). Like every finding it is part of the version's
content, hashed once when the version is drafted (re-onboarding the same document drafts nothing
new); without credentials nothing is recorded, and the draft is what it was before the step.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx
from pydantic import (
    BaseModel,
    ConfigDict,
    SecretStr,
)

from connectory.model.findings import AUTH_CHECK

from . import protocols
from ._gcpause import paused_gc
from .documents.fetch import (
    RawDocument,
    fetch,
)
from .documents.parse import (
    ParsedDocument,
    normalise_protocol,
    parse,
)
from .errors import (
    ConnectoryError,
    DocumentError,
    InputError,
)
from .model.version import (
    CheckResult,
    ConnectorVersion,
    Finding,
    check_name,
)
from .schemas.validation import validate
from .settings import Settings

__all__ = [
    "AUTH_CHECK",
    "AuthCheck",
    "auth_check",
    "fetch_source",
    "generate",
    "inspect",
    "suggest_name",
    "validated",
    "with_auth_check",
]

"""The kind of the finding that records the auth step's result on a draft."""


def fetch_source(
    source: str | Path,
    *,
    protocol: str | None = None,
    headers: Mapping[str, SecretStr] | None = None,
    client: httpx.Client | None = None,
    settings: Settings | None = None,
) -> RawDocument:
    """Step 1: the raw document. With ``protocol`` ``graphql``, an http(s) URL that does not name
    a schema file (``.graphql``, ``.json``, ...) is a live endpoint: it is sent the introspection
    query, with ``headers``, and the document is its answer (``protocols.graphql.fetch_graphql``).
    """
    settings = settings or Settings.from_env()
    if normalise_protocol(protocol) == "graphql":
        from .protocols.graphql import (
            fetch_graphql,
            is_graphql_endpoint,
        )

        if is_graphql_endpoint(source):
            return fetch_graphql(str(source), headers=headers, client=client, settings=settings)
    if headers:
        raise InputError(
            "headers are only sent to GraphQL endpoints (--protocol graphql and an http(s) URL)"
        )
    return fetch(source, client=client, settings=settings)


def generate(
    parsed: ParsedDocument,
    *,
    connector: str | None = None,
    settings: Settings | None = None,
    loader: Any = None,
) -> ConnectorVersion:
    """Step 3: the version a parsed document describes (actions, triggers, definitions, auth).

    A document that imports others (a WSDL) reads them through ``loader``, by default one bound
    to the document's own folder or origin with ``settings``' limits.
    """
    name = check_name(connector) if connector else suggest_name(parsed)
    settings = settings or Settings.from_env()
    try:
        return protocols.generate(parsed, connector=name, settings=settings, loader=loader)
    except RecursionError:
        raise DocumentError("nested too deeply to process", location=parsed.raw.source) from None


def validated(version: ConnectorVersion) -> ConnectorVersion:
    """Step 4: ``version`` with the findings of ``connectory.schemas.validation`` added (a new object)."""
    try:
        findings = validate(version)
    except RecursionError:
        raise DocumentError("a schema is nested too deeply", location=version.source) from None
    if not findings:
        return version
    return version.model_copy(update={"findings": [*version.findings, *findings]})


class AuthCheck(BaseModel):
    """The auth step's outcome: the ``live-auth`` check's result, and whether it had the
    connector's credentials to try."""

    model_config = ConfigDict(frozen=True)

    result: CheckResult
    credentials: bool
    """The connector's credentials were read, and there were some (False: none, or the secrets
    file could not be read; the check then skipped or failed saying why, and the draft records
    nothing: no local path or setup of the place onboarding ran goes into the catalogue)."""

    @property
    def finding(self) -> Finding | None:
        """What the draft records of it: None without credentials."""
        if not self.credentials:
            return None
        result = self.result
        return Finding(
            severity="warning" if result.status == "failed" else "info",
            kind=AUTH_CHECK,
            location="/auth_methods",
            message=f"the live auth check at onboarding {result.status}: {result.message}",
        )


def auth_check(version: ConnectorVersion, *, settings: Settings | None = None) -> AuthCheck:
    """Step 5: the live auth check of ``version`` with its connector's credentials (the secrets
    file and ``CONNECTORY_CREDENTIALS_<NAME>``), as the vetting's ``live-auth`` check runs it:
    ``passed``, ``failed`` or ``skipped`` with the reason, never a secret in it."""
    from .runtime.credentials import credentials_for
    from .vetting.checks import check_auth

    try:
        credentials = credentials_for(version.connector)
    except ConnectoryError:  # unreadable: the check reads them again and fails, saying why
        return AuthCheck(result=check_auth(version, settings=settings), credentials=False)
    result = check_auth(version, credentials, settings=settings)
    return AuthCheck(result=result, credentials=bool(credentials))


def with_auth_check(version: ConnectorVersion, check: AuthCheck) -> ConnectorVersion:
    """``version`` with the auth step's ``finding`` added (a new object), when it has one."""
    finding = check.finding
    if finding is None:
        return version
    return version.model_copy(update={"findings": [*version.findings, finding]})


def inspect(
    source: str | Path,
    *,
    protocol: str | None = None,
    connector: str | None = None,
    client: httpx.Client | None = None,
    settings: Settings | None = None,
    headers: Mapping[str, SecretStr] | None = None,
) -> ConnectorVersion:
    """The version that onboarding ``source`` (a path or an http(s) URL) would draft.

    Nothing is stored. ``protocol`` (``http``/``openapi``, ``graphql``, ``soap``/``wsdl``) is
    detected when not given; a document of another protocol is refused. With ``graphql``, an
    endpoint URL is introspected, sending ``headers`` (see ``fetch_source``).
    """
    settings = settings or Settings.from_env()
    # The steps pause the cyclic garbage collector each; pausing it across them too saves its
    # collections in between, which walk the whole parsed document (see connectory._gcpause).
    with paused_gc():
        raw = fetch_source(
            source, protocol=protocol, headers=headers, client=client, settings=settings
        )
        parsed = parse(raw, protocol=protocol)
        return validated(generate(parsed, connector=connector, settings=settings))


def suggest_name(parsed: ParsedDocument | RawDocument) -> str:
    """A connector name from the document's title, or else from its file name."""
    raw = parsed.raw if isinstance(parsed, ParsedDocument) else parsed
    title = None
    if isinstance(parsed, ParsedDocument) and isinstance(parsed.content, dict):
        info = parsed.content.get("info")
        if isinstance(info, dict) and isinstance(info.get("title"), str):
            title = info["title"]
    for candidate in (title, raw.name.rsplit(".", 1)[0]):
        slug = _slug(candidate or "")
        if slug:
            return slug
    return "connector"


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:64].rstrip("-")

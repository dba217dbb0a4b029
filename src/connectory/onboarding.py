"""The onboarding pipeline, as plain functions: fetch, parse, generate, validate, check auth.

``inspect(source)`` runs the first four and returns the version that onboarding would draft,
storing nothing. ``with_auth(version, specs)`` adds the auth methods a user names (``--auth
bearer``) to what a document that declares none (a GraphQL endpoint, a WSDL without WS-Policy)
generated. The Prefect flow in ``flows/`` runs the same steps as tasks, checks auth
(``auth_check``, ``with_auth_check``), then drafts and publishes through ``connectory.catalog``.

The auth step is the vetting's ``live-auth`` check (``vetting.checks.check_auth``): one safe call
with the connector's credentials, only to origins its user accepted; skipped, and nothing called,
without credentials. When there were credentials to try, the draft records the result as a
finding of kind ``auth-check``: ``info`` when it passed or was skipped (with the reason),
``warning`` when it failed (the credentials where onboarding ran are at fault, not the document:
it does not fail the ``no-error-findings`` check). It is an observation, not the document's
content: the version's content hash leaves it out (``catalog.digest.OBSERVED``), so a version
rebuilt from the same document hashes the same whoever rebuilds it.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from pydantic import BaseModel, ConfigDict, SecretStr

from connectory.model.findings import AUTH_CHECK

from . import protocols
from ._gcpause import paused_gc
from .documents.fetch import RawDocument, fetch
from .documents.parse import ParsedDocument, normalise_protocol, parse
from .errors import ConnectoryError, DocumentError, InputError
from .model.add_auth import auth_method_from_spec, with_auth_method
from .model.auth import AuthMethod
from .model.version import CheckResult, ConnectorVersion, Finding, check_name
from .schemas.validation import validate
from .settings import Settings

__all__ = [
    "AUTH_CHECK",
    "NAME_EXTENSION",
    "AuthCheck",
    "auth_check",
    "auth_methods",
    "declared_name",
    "fetch_source",
    "generate",
    "inspect",
    "source_name",
    "suggest_name",
    "validated",
    "with_auth",
    "with_auth_check",
]


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
        from .protocols.graphql import fetch_graphql, is_graphql_endpoint

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


def auth_methods(specs: Iterable[str]) -> list[AuthMethod]:
    """The auth methods ``specs`` name (``bearer``, ``basic``, ``header:NAME``...: see
    ``model.add_auth.auth_method_from_spec``); ``InputError`` naming the valid forms, or two
    specs giving the same method name."""
    methods: list[AuthMethod] = []
    for spec in specs:
        method = auth_method_from_spec(spec)
        if any(other.name == method.name for other in methods):
            raise InputError(f"--auth {spec!r}: two auth methods named {method.name!r}")
        methods.append(method)
    return methods


def with_auth(version: ConnectorVersion, specs: Iterable[str | AuthMethod]) -> ConnectorVersion:
    """``version`` with the auth methods ``specs`` name (or give) added, each required by every
    action (``model.add_auth.with_auth_method``): the only way to call them where the document
    declares no auth, one more alternative where it declares some (WS-Policy's, say). A new
    object; ``version`` is not changed."""
    for spec in specs:
        method = auth_method_from_spec(spec) if isinstance(spec, str) else spec
        version = with_auth_method(version, method)
    return version


def inspect(
    source: str | Path,
    *,
    protocol: str | None = None,
    connector: str | None = None,
    client: httpx.Client | None = None,
    settings: Settings | None = None,
    headers: Mapping[str, SecretStr] | None = None,
    auth: Iterable[str] = (),
) -> ConnectorVersion:
    """The version that onboarding ``source`` (a path or an http(s) URL) would draft, with the
    auth methods ``auth`` names added (``with_auth``).

    Nothing is stored. ``protocol`` (``http``/``openapi``, ``graphql``, ``soap``/``wsdl``) is
    detected when not given; a document of another protocol is refused. With ``graphql``, an
    endpoint URL is introspected, sending ``headers`` (see ``fetch_source``).
    """
    settings = settings or Settings.from_env()
    methods = auth_methods(auth)  # a bad spec fails before anything is fetched
    # The steps pause the cyclic garbage collector each; pausing it across them too saves its
    # collections in between, which walk the whole parsed document (see connectory._gcpause).
    with paused_gc():
        raw = fetch_source(
            source, protocol=protocol, headers=headers, client=client, settings=settings
        )
        parsed = parse(raw, protocol=protocol)
        name = connector or suggest_name(parsed, source=str(source))
        generated = generate(parsed, connector=name, settings=settings)
        return validated(with_auth(generated, methods))


def suggest_name(parsed: ParsedDocument | RawDocument, *, source: str | None = None) -> str:
    """The connector name of a document when none is given: stable (the same source gets the same
    name wherever and with whatever else it is onboarded) and distinct for distinct APIs.

    1. ``info.x-connectory-name``: the name the document gives itself (a valid name, else
       ``InvalidName``);
    2. the APIs.guru id, ``info.x-providerName`` and ``info.x-serviceName``: GitHub Enterprise
       Server 2.19 is ``github-com-ghes-2-19``, GitHub AE ``github-com-github-ae``; the versions of
       one API share it;
    3. the source: a URL's host and path without the file's extension
       (``https://api.example.com/v2/openapi.json`` is ``api-example-com-v2-openapi``; the
       query, any credentials and the port are left out), a file's name without its extension
       (``shop.graphql`` is ``shop``); ``source`` is the source as given, when it is not the
       document's own (a folder: ``api/`` is ``api``, not its ``openapi.yaml``).

    The title is not used: unrelated APIs share titles ("GitHub v3 REST API" 1.1.4 is GitHub.com,
    GitHub AE and every GitHub Enterprise Server). A name longer than 64 characters keeps its
    first 55 and a hash of the whole.
    """
    raw = parsed.raw if isinstance(parsed, ParsedDocument) else parsed
    declared = declared_name(parsed) if isinstance(parsed, ParsedDocument) else None
    return declared or source_name(source or raw.source)


def declared_name(parsed: ParsedDocument) -> str | None:
    """The name an OpenAPI document declares for its API (``x-connectory-name``, else the
    APIs.guru id; see ``suggest_name``), or None. Documents that declare one name are versions of
    one API; a name taken from the source says nothing of the kind."""
    info = parsed.content.get("info") if isinstance(parsed.content, dict) else None
    if not isinstance(info, dict):
        return None
    given = info.get(NAME_EXTENSION)
    if given is not None:
        where = f"{parsed.raw.source}#/info/{NAME_EXTENSION}"
        if not isinstance(given, str):
            raise DocumentError("the connector name must be a string", location=where)
        return check_name(given, f"connector name at {where}")
    provider, service = info.get("x-providerName"), info.get("x-serviceName")
    if not isinstance(provider, str):
        return None
    return _slug(f"{provider} {service}" if isinstance(service, str) else provider) or None


def source_name(source: str) -> str:
    """The name of a document taken from its source: a URL's host and path, a file's name, each
    without the extension (see ``suggest_name``)."""
    return _slug(_source_words(source)) or "connector"


NAME_EXTENSION = "x-connectory-name"
"""The ``info`` extension by which an OpenAPI document names its connector."""


def _source_words(source: str) -> str:
    """A URL's host and path, a file's name: without the extension (see ``suggest_name``)."""
    if "://" in source:
        url = urlsplit(source)
        host, path = url.hostname or "", url.path
    else:
        host, path = "", source.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    segments = [segment for segment in path.split("/") if segment]
    if segments:
        stem, dot, _ = segments[-1].rpartition(".")
        if dot and stem:
            segments[-1] = stem
    return " ".join([host, *segments])


def _slug(text: str) -> str:
    """Lower-case ASCII words joined by ``-``; past 64 characters, the first 55 and a hash of the
    whole (so that two long sources alike in their first 64 characters still differ)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) <= 64:
        return slug
    return f"{slug[:55].rstrip('-')}-{hashlib.sha256(slug.encode()).hexdigest()[:8]}"

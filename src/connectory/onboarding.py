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

import re
import unicodedata
from collections.abc import (
    Iterable,
    Mapping,
)
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
from .model.add_auth import (
    auth_method_from_spec,
    with_auth_method,
)
from .model.auth import AuthMethod
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
    "auth_methods",
    "fetch_source",
    "generate",
    "inspect",
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
        generated = generate(parsed, connector=connector, settings=settings)
        return validated(with_auth(generated, methods))


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

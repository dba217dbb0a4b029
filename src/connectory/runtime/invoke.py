"""Invoke an action: build its request from the version and an input, send it, check the answer.

``invoke(version, "getItem", {"path": {"id": "7"}})`` runs HTTP, GraphQL and SOAP actions:

1. The input is validated against the action's input schema (refs among the version's
   definitions only); an invalid input is an ``InputError`` listing what is wrong, and nothing is
   sent.
2. The auth: the first of the action's alternatives (``Action.auth``, else the version's
   ``default_auth``) whose methods all have credentials (``runtime.credentials``); an alternative
   with no methods means none is needed. Secrets are applied by ``runtime.auth``.
3. HTTP: the server (``server=``, else the binding's or the version's first, variables at their
   defaults; a relative one resolves against the version's source URL), the path template filled
   and the query, headers and cookies serialised by their style (``runtime.styles``), the body in
   the first request media type (JSON preferred; form and multipart by each property's encoding,
   files, raw bytes: ``runtime.bodies``). GraphQL: a POST of the
   action's document with the input as its variables, to ``server=`` or the introspected endpoint.
   SOAP: the input (``{"body": {...}, "header": {...}}``) as an envelope (``runtime.soap``), to
   ``server=`` or the port's address.
4. The answer is read under ``settings``' size cap and deadline, matched to an output (exact
   status, then ``4XX``-style ranges, then ``default``) and a JSON body validated against that
   output's schema: what does not fit is listed in ``Invocation.problems`` (the call still happened).
   A system that answers 429 or 503 is asked again within a budget (``runtime.retry``:
   ``Retry-After``, else exponential backoff with jitter).
5. The HTTP client, when the caller gives none, is one shared per connector
   (``runtime.clients``); validators are built once per version content (``runtime.checks``).

Every page of a list action, item by item: ``runtime.paging.invoke_pages``.

Secrets go only where the user accepted (``runtime.trust``): the call's origin and its auth
methods' endpoints must be accepted for the connector and be https (or loopback), else nothing is
sent. Redirects are not followed (a 3xx is the answer). Secrets never appear in the
``Invocation``, in errors or in the URL it reports: a secret value, or a token derived from one,
that the answer holds (a server that echoes the ``Authorization`` header) is shown as ``***`` in
``body``, ``headers`` and ``problems``; ``unredacted_body()`` and ``unredacted_headers()`` give
the answer as it came, for a caller that needs it.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import os
import ssl
import time
from collections.abc import Callable, Collection, Generator, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache, partial
from typing import Any
from urllib.parse import urljoin

import httpx

from connectory._nesting import deeper_than
from connectory._wording import article, protocol_name
from connectory.documents.fetch import is_url, read_capped, translated_http_errors
from connectory.errors import InputError
from connectory.model.auth import MutualTLSAuth, NoAuth
from connectory.model.delivery import MAX_PAYLOAD_DEPTH
from connectory.model.version import (
    Action,
    ActionOutput,
    ConnectorVersion,
    GraphQLBinding,
    HttpBinding,
    Server,
    SoapBinding,
)
from connectory.redaction import Redactor, redact_url
from connectory.schemas.registry import ANSWER_CHECK_SECONDS
from connectory.settings import Settings

from .auth import auth_for
from .bodies import FileSlots, file_slots, request_body
from .checks import errors_in
from .clients import secrets_fingerprint, shared_client
from .credentials import (
    Credentials,
    check_methods,
    check_secrets,
    credentials_env_var,
    secret_values,
)
from .hosts import method_urls
from .oauth import Token
from .retry import IDEMPOTENT, Retries
from .styles import path_value, query_pairs, simple_value
from .tls import client_context
from .trust import SecretPolicy

__all__ = ["Invocation", "build_request", "invoke"]

_MAX_LISTED = 5


@dataclass(frozen=True)
class Invocation:
    """What an invocation sent and got back."""

    action: str
    method: str
    url: str
    """The URL requested, secret-looking query values hidden (an API key in the query is not
    in it: auth is applied as the request is sent)."""
    status: int
    headers: dict[str, str]
    """The answer's headers, secret values in them shown as ``***``."""
    body: Any
    """The answer parsed as JSON when it says it is JSON, else its text; secret values in it
    (and tokens derived from them) shown as ``***``."""
    output: str | None
    """The output it matched (``200``, ``4XX``, ``default``), None if none."""
    problems: list[str] = field(default_factory=list)
    """Where the answer does not fit the matched output's schema."""
    seconds: float = 0.0
    _answer: tuple[dict[str, str], Any] = field(default=({}, None), repr=False, compare=False)

    def unredacted_body(self) -> Any:
        """The answer's body as it came, secrets it echoes included: never print it."""
        return self._answer[1]

    def unredacted_headers(self) -> dict[str, str]:
        """The answer's headers as they came, secrets they echo included: never print them."""
        return dict(self._answer[0])


def _listed(errors: list[str]) -> str:
    more = f"; and {len(errors) - _MAX_LISTED} more" if len(errors) > _MAX_LISTED else ""
    return "; ".join(errors[:_MAX_LISTED]) + more


def _checked_input(version: ConnectorVersion, action: Action, given: Any) -> None:
    if action.input is None:
        return
    errors = errors_in(version, action.input, given, root="(input)")
    if errors:
        raise InputError(f"invalid input for {action.name}: {_listed(errors)}")


class _Chain(httpx.Auth):
    """Several auth methods used together (each adds its header, parameter or cookie)."""

    def __init__(self, auths: list[httpx.Auth]) -> None:
        self._auths = auths

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        for auth in self._auths[:-1]:
            request = next(auth.auth_flow(request))
        yield from self._auths[-1].auth_flow(request)


def auth_of(
    version: ConnectorVersion,
    alternatives: list[dict[str, list[str]]],
    what: str,
    credentials: Credentials,
    *,
    target: str | httpx.URL,
    redactor: Redactor,
    server: str | None = None,
    trusted_origins: Collection[str] | None = None,
    on_token: Callable[[str, Token], None] | None = None,
) -> tuple[httpx.Auth | None, ssl.SSLContext | None]:
    """The auth of the first of ``alternatives`` (of ``what``: an action, a trigger) the
    credentials cover, and the TLS context of a mutual TLS method in it (TLS is set up with the
    connection, not on the request).

    Before any is built, its secrets are checked (``check_secrets``) and the origins they would
    go to (``target``, the call's URL, and the methods' endpoints) must be accepted
    (``trust.SecretPolicy``, from ``trusted_origins`` or the secrets file; ``server``: the URL
    the caller named instead of the version's). Each method's flow is guarded by that policy and
    teaches ``redactor`` what it adds. Credentials for a method the version does not have are
    refused (``credentials.check_methods``), even where no auth is needed."""
    check_methods(version, credentials)
    if not alternatives:
        return None, None
    alternative = _covered(alternatives, credentials, what, version.connector)
    methods = {method.name: method for method in version.auth_methods}
    used = [
        methods[name]
        for name in alternative
        if name in methods and not isinstance(methods[name], NoAuth)
    ]
    if not used:  # nothing secret goes anywhere
        return None, None
    for method in used:
        check_secrets(method.name, credentials[method.name])
    policy = SecretPolicy.of(version, trusted_origins)
    endpoints = [found for method in used for _, found in method_urls(method)]
    policy.require([target, *endpoints], given=server, what=f" ({what})")
    auths, context = [], None
    for method in used:
        if isinstance(method, MutualTLSAuth):
            context = client_context(method, credentials[method.name])
            continue
        keep = partial(on_token, method.name) if on_token is not None else None
        auth = auth_for(method, credentials[method.name], alternative[method.name], keep)
        if auth is not None:
            auths.append(policy.guard(auth, method.name, redactor))
    return _chained(auths), context


def _covered(
    alternatives: list[dict[str, list[str]]], credentials: Credentials, what: str, connector: str
) -> dict[str, list[str]]:
    """The first alternative whose methods all have credentials; an ``InputError`` naming every
    alternative, and where the connector's credentials go, when none has."""
    for alternative in alternatives:
        if all(name in credentials for name in alternative):
            return alternative
    wanted = " or ".join(" + ".join(a) or "(none)" for a in alternatives)
    first = next((name for a in alternatives for name in a if name not in credentials), "METHOD")
    raise InputError(
        f"{what} needs credentials for {wanted}: keep them in the secrets file "
        f"(connectory secret set {connector} {first} SECRET) or give them in "
        f'{credentials_env_var(connector)} ({{"{first}": {{...}}}})'
    )


def _chained(auths: list[httpx.Auth]) -> httpx.Auth | None:
    """One auth for several (``_Chain``), the one itself, or None for none."""
    if not auths:
        return None
    return auths[0] if len(auths) == 1 else _Chain(auths)


def _server_url(version: ConnectorVersion, servers: list[Server], server: str | None) -> str:
    if server is not None:
        url = server
    elif servers:
        url = servers[0].url
        for name, variable in servers[0].variables.items():
            url = url.replace("{" + name + "}", variable.default)
    else:
        raise InputError(f"{version.ref} names no server: give one (server=, --server)")
    if not is_url(url):
        if is_url(version.source):
            return urljoin(version.source, url)
        raise InputError(f"the server URL {url!r} is relative to a file: give one (--server)")
    return url


def _http_request(
    version: ConnectorVersion,
    binding: HttpBinding,
    given: Mapping[str, Any],
    server: str | None,
    slots: FileSlots,
    settings: Settings,
) -> httpx.Request:
    servers = binding.servers or getattr(version.metadata, "servers", [])
    base = _server_url(version, servers, server).rstrip("/")
    path, query, headers, cookies = binding.path, [], {}, []
    for parameter in binding.parameters:
        values = given.get(parameter.location) or {}
        if parameter.name not in values:
            continue
        value = values[parameter.name]
        if parameter.location == "path":
            path = path.replace("{" + parameter.name + "}", path_value(parameter, value))
        elif parameter.location == "query":
            query += query_pairs(parameter, value)
        elif parameter.location == "header":
            headers[parameter.name] = simple_value(parameter, value)
        else:
            cookies += query_pairs(parameter, value)
    if "{" in path:
        raise InputError(f"no value for the path parameters of {binding.path}")
    if cookies:
        headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies)
    body = request_body(binding, given["body"], slots, settings) if "body" in given else {}
    headers = {**headers, **body.pop("headers", {})}
    params = tuple(query)  # httpx types a list of pairs invariantly; a tuple is covariant
    return httpx.Request(binding.method, base + path, params=params, headers=headers, **body)


def build_request(
    version: ConnectorVersion,
    action_name: str,
    given: Any = None,
    *,
    server: str | None = None,
    settings: Settings | None = None,
) -> httpx.Request:
    """The request ``action_name`` makes with input ``given`` (validated first), before auth.

    An HTTP body's files (``runtime.bodies``: ``{"path": ...}``, ``{"base64": ...}``, bytes) are
    checked as ``""`` against the input schema, and read under ``settings.max_upload_bytes``."""
    action = version.action(action_name)
    given = {} if given is None else given
    binding = action.binding
    if isinstance(binding, HttpBinding):
        slots = file_slots(version, action)
        _checked_input(version, action, slots.stand_ins(given))
        settings = settings or Settings.from_env()
        return _http_request(version, binding, given, server, slots, settings)
    _checked_input(version, action, given)
    if isinstance(binding, GraphQLBinding):
        endpoint = server or getattr(version.metadata, "endpoint", None)
        if not endpoint:
            raise InputError(f"{version.ref} has no endpoint: give one (server=, --server)")
        payload = {"query": binding.document, "variables": given}
        if binding.operation_name:
            payload["operationName"] = binding.operation_name
        return httpx.Request("POST", endpoint, json=payload)
    if isinstance(binding, SoapBinding):
        from .soap import soap_request  # lxml and the XSD models: SOAP only

        return soap_request(version, action, given, server)
    raise InputError(
        f"{action.name} is {article(protocol_name(binding.kind))} action: it cannot be invoked"
    )


def _output(action: Action, status: int) -> ActionOutput | None:
    by_status = {output.status.upper(): output for output in action.outputs}
    return (
        by_status.get(str(status))
        or by_status.get(f"{str(status)[0]}XX")
        or by_status.get("DEFAULT")
        or (by_status.get("DATA") if status < 300 else None)
    )


def _parsed(response: httpx.Response, content: bytes) -> Any:
    media = response.headers.get("content-type", "").split(";")[0].strip().lower()
    text = content.decode(response.encoding or "utf-8", errors="replace")
    if media == "application/json" or media.endswith("+json"):
        try:
            parsed = json.loads(text)
        except (ValueError, RecursionError):  # RecursionError: nested deeper than Python goes
            return text
        # nested deeper than a value can be shown or checked again: kept as the text it is
        return text if deeper_than(parsed, MAX_PAYLOAD_DEPTH) else parsed
    return text


def _problems(version: ConnectorVersion, output: ActionOutput | None, body: Any) -> list[str]:
    if output is None or output.schema_ is None or isinstance(body, str):
        return []
    return errors_in(
        version, output.schema_, body, root="(body)", limit=50, seconds=ANSWER_CHECK_SECONDS
    )


def _answer(
    version: ConnectorVersion, action: Action, response: httpx.Response, content: bytes
) -> tuple[Any, str | None, list[str]]:
    """``(body, output, problems)`` of an HTTP or GraphQL answer."""
    body = _parsed(response, content)
    output = _output(action, response.status_code)
    checked, problems = body, []
    if isinstance(action.binding, GraphQLBinding) and isinstance(body, dict):
        checked = body.get("data")
        errors = body.get("errors") or []
        problems = [f"errors: {e.get('message') if isinstance(e, dict) else e}" for e in errors]
    problems += _problems(version, output, checked) if checked is not None else []
    return body, output.status if output else None, problems


_ENVIRONMENT = tuple(f"CONNECTORY_{f.name.upper()}" for f in dataclasses.fields(Settings))


_ENCODED = tuple(os.fsencode(name) for name in _ENVIRONMENT)


@lru_cache(maxsize=4)
def _settings_of(values: tuple[object, ...]) -> Settings:
    return Settings.from_env(
        {name: value for name in _ENVIRONMENT if (value := os.environ.get(name)) is not None}
    )


def _settings_from_env() -> Settings:
    """``Settings.from_env()``, made again only when the environment's settings change (looked
    up in ``os.environ``'s own mapping where it has one: one lookup a setting, no decoding)."""
    raw = getattr(os.environ, "_data", None)
    if isinstance(raw, dict) and os.name == "posix":
        return _settings_of(tuple(raw.get(name) for name in _ENCODED))
    return _settings_of(tuple(os.environ.get(name) for name in _ENVIRONMENT))


def _budget(
    settings: Settings,
    retries: int | None,
    max_wait_seconds: float | None,
    sleep: Callable[[float], None],
) -> Retries:
    retries = settings.invoke_retries if retries is None else retries
    waits = settings.invoke_max_wait_seconds if max_wait_seconds is None else max_wait_seconds
    if retries < 0 or waits < 0:
        raise InputError("retries and max_wait_seconds cannot be negative")
    return Retries(retries, waits, sleep)


def invoke(
    version: ConnectorVersion,
    action_name: str,
    given: Any = None,
    *,
    credentials: Credentials | None = None,
    server: str | None = None,
    trusted_origins: Collection[str] | None = None,
    client: httpx.Client | None = None,
    settings: Settings | None = None,
    on_token: Callable[[str, Token], None] | None = None,
    retries: int | None = None,
    max_wait_seconds: float | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Invocation:
    """Call ``action_name`` of ``version`` with input ``given`` (see the module docstring).

    Secrets go only to the origins accepted for the connector (``runtime.trust``):
    ``trusted_origins`` (URLs or origins), by default those accepted in the secrets file
    (``connectory trust``); else ``UntrustedOrigin`` and nothing is sent. ``on_token(method_name,
    token)`` is told of each token an OAuth 2 method gets with a new refresh token, to keep it
    (``credentials.token_keeper``).

    A system that answers 429 or 503 (``runtime.retry``) is asked again at most ``retries``
    times, waiting at most ``max_wait_seconds`` in all (by default ``settings.invoke_retries``
    and ``invoke_max_wait_seconds``) with ``sleep``; the last answer is the invocation's."""
    settings = settings or _settings_from_env()
    budget = _budget(settings, retries, max_wait_seconds, sleep)
    action = version.action(action_name)
    credentials = credentials or {}
    redactor = Redactor(secret_values(credentials))
    with redactor.errors():
        request = build_request(version, action_name, given, server=server, settings=settings)
        with _connection(
            version, action, request, credentials, redactor, server, trusted_origins, client, settings, on_token
        ) as (auth, used):  # fmt: skip
            return _call(version, action, request, auth, used, settings, budget, redactor)


@contextmanager
def _connection(
    version: ConnectorVersion,
    action: Action,
    request: httpx.Request,
    credentials: Credentials,
    redactor: Redactor,
    server: str | None,
    trusted_origins: Collection[str] | None,
    client: httpx.Client | None,
    settings: Settings,
    on_token: Callable[[str, Token], None] | None,
) -> Iterator[tuple[httpx.Auth | None, httpx.Client]]:
    """The auth of ``action``'s call (``auth_of``) and the client to send it with: ``client``,
    else the one shared for the connector (and its client certificate)."""
    alternatives = action.auth if action.auth is not None else version.default_auth
    auth, tls = auth_of(
        version,
        alternatives,
        action.name,
        credentials,
        target=request.url,
        redactor=redactor,
        server=server,
        trusted_origins=trusted_origins,
        on_token=on_token,
    )
    if tls is not None and client is not None:
        raise InputError("mutual TLS needs invoke to make its own HTTP client: pass no client")
    if client is not None:
        yield auth, client
        return
    kept = _client_key(version, credentials) if tls is not None else None
    with shared_client((version.connector, kept), settings, tls) as used:
        yield auth, used


def _call(
    version: ConnectorVersion,
    action: Action,
    request: httpx.Request,
    auth: httpx.Auth | None,
    client: httpx.Client,
    settings: Settings,
    budget: Retries,
    redactor: Redactor,
    too_large: str | None = None,
) -> Invocation:
    """``request`` sent and its answer checked (``too_large``: the error of an answer over the
    settings' size cap)."""
    shown = redact_url(str(request.url))
    response, content, seconds = _send(request, auth, client, settings, shown, budget, too_large)
    if isinstance(action.binding, SoapBinding):
        from .soap import soap_answer

        body, matched, problems = soap_answer(version, action, content, shown, settings)
    else:
        body, matched, problems = _answer(version, action, response, content)
    headers = dict(response.headers)
    return Invocation(
        action=action.name,
        method=request.method,
        url=redactor.text(shown),
        status=response.status_code,
        headers=redactor.value(headers),
        body=redactor.value(body),
        output=matched,
        problems=redactor.value(problems),
        seconds=seconds,
        _answer=(headers, body),
    )


def _client_key(version: ConnectorVersion, credentials: Credentials) -> str:
    """What tells apart the shared clients of a connector: its mutual TLS secrets."""
    methods = {m.name for m in version.auth_methods if isinstance(m, MutualTLSAuth)}
    return secrets_fingerprint({k: v for k, v in credentials.items() if k in methods})


def _send(
    request: httpx.Request,
    auth: httpx.Auth | None,
    client: httpx.Client,
    settings: Settings,
    shown: str,
    budget: Retries,
    too_large: str | None = None,
) -> tuple[httpx.Response, bytes, float]:
    """``request`` sent with ``auth`` (redirects not followed), again as ``budget`` allows when
    the system is busy (``runtime.retry``), and its answer read under the settings' size cap and
    deadline (each time); the seconds it took, waits included."""
    started = time.monotonic()
    too_large = too_large or f"the answer is larger than {settings.max_document_bytes:,} bytes"
    method = request.method
    with translated_http_errors(shown):
        for attempt in itertools.count():
            deadline = time.monotonic() + settings.fetch_deadline
            try:
                response = client.send(request, auth=auth, stream=True, follow_redirects=False)
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.RemoteProtocolError):
                # not connected, or a kept connection the server had closed: no answer came
                if method in IDEMPOTENT and budget.wait(attempt, None, shown):
                    continue
                raise
            try:
                busy = budget.retried(method, response.status_code)
                if busy and budget.wait(attempt, response.headers, shown):
                    continue
                content = read_capped(response, shown, settings, deadline, too_large)
            finally:
                response.close()
            break
    return response, content, time.monotonic() - started

"""Custom auth methods at run time: a login request, or a JavaScript function in a sandbox.

``custom_request``: before the first call (and again once what it gave expires), the login is
sent: its ``steps`` in order, then its ``request``. Placeholders in each template's URL, query,
headers and body are filled: ``{name}`` with a value an earlier step extracted, else the secret
``name``; ``{secrets.name}`` with the secret, ``{step.name}`` with what step ``step`` extracted
(in a body given as text, each value escaped as its media type wants: XML, a JSON string, a
form).
Cookies an answer sets go back with the later steps of that login (a cookie jar per login).
``extract`` rules take values out of each answer (a JSON pointer or a JMESPath expression into a
JSON body, a regular expression over its text, an XPath over an XML body read by the hardened
parser of ``protocols.soap._xml``, a header, a cookie), ``inject`` rules put them on each call
(``{name}`` placeholders in a header, query parameter or cookie).

What it gave expires after ``expires_in_seconds``, or as the extracted value ``expiry_from``
says: a lifetime in seconds, a Unix time, a date, or a JWT's ``exp`` claim (read, not verified).
A call answered with a status of ``relogin_on`` (401 and 403 by default), or whose answer holds
what ``relogin_when`` looks for, makes it log in again and send the call again, once (not when it
has just logged in for that call: a new login would change nothing).

Bounds, each an error in one line naming the method and the step, before the call is sent: every
request goes through the connector's ``SecretPolicy`` (``runtime.trust``: accepted origins,
https unless loopback); a step follows redirects on its own origin only, at most
``MAX_LOGIN_REDIRECTS`` (a redirect elsewhere is not followed: that answer is the step's); each
answer is read up to ``MAX_TOKEN_ANSWER`` bytes, the whole login within ``MAX_LOGIN_SECONDS``;
an extracted value is at most ``MAX_EXTRACTED`` characters; a regular expression gives up after
``MAX_MATCH_SECONDS`` over one answer (a ``relogin_when`` that does is no signal); a login refused (HTTP 4xx/5xx), an
answer that is not JSON or XML as a rule needs, or one without a value a rule wants, names the
rule. Messages name templates and rules, never a value.

``custom_function``: ``source`` defines ``entrypoint(request, credentials)``, run by V8 through
mini-racer in ``runtime.sandbox``: in a worker process, a fresh isolate per call, with the
method's time and memory limits capped by the host's settings, array buffers counted, no
WebAssembly, no files, no timers. ``request`` is ``{method, url, headers, body}`` (the body as
text), ``credentials`` the secrets as strings. It returns ``{headers, query, cookies}`` (objects
of strings, each optional, few and short: checked inside the isolate and again by the host) to
add to the request. Its only I/O is ``await fetch(url, {method, headers, body})`` in an
``async`` entrypoint (a login call): the host sends it as a request of this auth flow, so only
to the origins accepted for the connector, few, small and within the call's deadline. A function
that throws, loops, eats memory, fetches where it may not or answers out of shape is stopped and
reported in one line with the method's name; a secret the function echoes is hidden.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import math
import re
import time
from collections.abc import Callable, Generator, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import quote_plus
from xml.sax.saxutils import escape as xml_escape

import httpx
import jmespath
import regex  # type: ignore[import-untyped]  # ``re`` with a timeout
from lxml import etree
from pydantic import SecretStr

from connectory.documents.fetch import read_capped
from connectory.errors import DocumentError, InputError, SourceError, SourceUnreachable
from connectory.model.auth import (
    PLACEHOLDER,
    SECRETS_SCOPE,
    CustomFunctionAuth,
    CustomRequestAuth,
    LoginStep,
    RequestTemplate,
)
from connectory.origins import origin
from connectory.redaction import redact_url
from connectory.schemas.pointer import unescape
from connectory.settings import Settings

from . import sandbox
from .oauth import MAX_TOKEN_ANSWER
from .styles import put

__all__ = ["FunctionAuth", "LoginAuth"]

MAX_LOGIN_SECONDS = 30.0
"""A login (all its steps and redirects) that takes longer is given up."""
MAX_LOGIN_REDIRECTS = 5
"""Redirects one step of a login follows (on its own origin only) before it gives up."""
MAX_EXTRACTED = 16 * 1024
"""Refuse a value a login extracts that is longer than this (characters)."""
MAX_MATCH_SECONDS = 2.0
"""A regular expression that takes longer over one answer is given up: one that cannot backtrack
without end (those are refused when drafted) may still take quadratic time on a crafted answer
(``<t>(.*)</t>`` over ``<t>`` repeated)."""
_LOGIN_LIMITS = Settings(max_document_bytes=MAX_TOKEN_ANSWER, fetch_deadline=MAX_LOGIN_SECONDS)
_REDIRECTS = (301, 302, 303, 307, 308)
_NOT_CARRIED = frozenset({"host", "cookie", "content-length"})
_NO_BODY = frozenset({"content-type", "content-length", "transfer-encoding"})


def _escaper(media_type: str | None) -> Callable[[str], str]:
    """How a value is written into a body of ``media_type`` given as text: escaped for XML (a
    password with ``<`` or ``&``), within a JSON string, percent-encoded in a form."""
    media = (media_type or "").split(";", 1)[0].strip().lower()
    if media.endswith(("/xml", "+xml")):
        return lambda value: xml_escape(value, {'"': "&quot;", "'": "&apos;"})
    if media.endswith(("/json", "+json")):
        return lambda value: json.dumps(value)[1:-1]
    if media == "application/x-www-form-urlencoded":
        return lambda value: quote_plus(value)
    return lambda value: value


def _fill(value: Any, values: Mapping[str, str], escape: Callable[[str], str] = str) -> Any:
    """``{name}`` and ``{scope.name}`` placeholders filled in every string of ``value`` (those
    ``values`` does not have are left as written), each value through ``escape``."""
    if isinstance(value, str):

        def filled(found: re.Match[str]) -> str:
            key = found.group(0)[1:-1]
            return escape(values[key]) if key in values else found.group(0)

        return PLACEHOLDER.sub(filled, value)
    if isinstance(value, dict):
        return {key: _fill(item, values) for key, item in value.items()}
    if isinstance(value, list):
        return [_fill(item, values) for item in value]
    return value


def _pointer(document: Any, pointer: str) -> Any:
    if pointer in ("", "/"):
        return document
    for token in pointer.lstrip("/").split("/"):
        token = unescape(token)
        if isinstance(document, list) and token.isdigit() and int(token) < len(document):
            document = document[int(token)]
        elif isinstance(document, dict) and token in document:
            document = document[token]
        else:
            return None
    return document


def _shown(text: str) -> str:
    return text if len(text) <= 80 else text[:77] + "..."


class _Unreadable(Exception):
    """The answer is not what a lookup reads (not JSON, not XML)."""


def _xpath_value(result: Any) -> Any:
    """What an XPath 1.0 result gives: the first node's text, a string, a number or a boolean."""
    if isinstance(result, list):
        if not result:
            return None
        result = result[0]
    if isinstance(result, bool):
        return "true" if result else "false"
    if isinstance(result, float):
        return (
            None if math.isnan(result) else str(int(result)) if result.is_integer() else str(result)
        )
    if isinstance(result, str):
        return str(result)
    if isinstance(result, etree._Element):
        return "".join(result.itertext())
    return None


class _Answer:
    """A read login answer (or a call's answer), each way of reading its body done once."""

    def __init__(self, response: httpx.Response, jar: httpx.Cookies | None = None) -> None:
        self.response, self.jar = response, jar
        self._json: Any = _NOT_READ
        self._xml: Any = _NOT_READ

    def json(self) -> Any:
        if self._json is _NOT_READ:
            try:
                self._json = json.loads(self.response.content)
            except (ValueError, RecursionError):  # nested deeper than Python recurses
                raise _Unreadable("is not JSON") from None
        return self._json

    def xml(self) -> Any:
        from connectory.protocols.soap._xml import parse_xml  # lxml: for an XML answer only

        if self._xml is _NOT_READ:
            where = str(self.response.request.url.copy_with(query=None))
            try:
                self._xml = parse_xml(self.response.content, where, Settings())
            except DocumentError:
                raise _Unreadable("is not XML (or has a DOCTYPE, which is refused)") from None
        return self._xml

    def cookie(self, name: str) -> str | None:
        cookies = SimpleCookie()
        for header in self.response.headers.get_list("set-cookie"):
            with contextlib.suppress(CookieError):
                cookies.load(header)
        if name in cookies:
            return cookies[name].value
        found = None
        for cookie in self.jar.jar if self.jar is not None else ():
            if cookie.name == name:
                found = cookie.value
        return found

    def lookup(self, source: str, path: str, namespaces: Mapping[str, str], name: str) -> Any:
        """The value at ``path`` (see ``model.auth.LookupSource``); None: none there."""
        if source == "header":
            return self.response.headers.get(path)
        if source == "cookie":
            return self.cookie(path)
        if source == "body":
            return _pointer(self.json(), path)
        if source == "jmespath":
            return jmespath.search(path, self.json())
        if source == "regex":
            try:
                found = regex.search(path, self.response.text, timeout=MAX_MATCH_SECONDS)
            except TimeoutError:
                raise _Unreadable(
                    f"takes the regular expression of {name!r} more than {MAX_MATCH_SECONDS:g} s "
                    "to search (given up)"
                ) from None
            if found is None:
                return None
            pattern = found.re
            return found.group(name if name in pattern.groupindex else 1 if pattern.groups else 0)
        xpath = etree.XPath(
            path, namespaces=dict(namespaces) or None, regexp=False, smart_strings=False
        )
        return _xpath_value(xpath(self.xml()))


_NOT_READ = object()


def _jwt_expiry(token: str) -> float | None:
    """The ``exp`` claim of the JWT ``token`` (read, not verified: only to know when to log in
    again); None: not a JWT with one."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, binascii.Error):
        return None
    exp = claims.get("exp") if isinstance(claims, dict) else None
    return float(exp) if isinstance(exp, int | float) and not isinstance(exp, bool) else None


def _date(value: str) -> float | None:
    """An HTTP date or an ISO 8601 date as Unix seconds (a date without zone is UTC)."""
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        try:
            when = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.timestamp()


class LoginAuth(httpx.Auth):
    """A ``custom_request`` method (see the module docstring)."""

    requires_request_body = True  # a call answered "logged out" is sent again

    def __init__(
        self,
        method: CustomRequestAuth,
        secrets: Mapping[str, SecretStr],
        settings: Settings | None = None,
    ) -> None:
        self._method = method
        self._secrets = {name: value.get_secret_value() for name, value in secrets.items()}
        self._settings = settings
        self._values: dict[str, str] | None = None
        self._expires_at = float("inf")

    def _where(self, step: LoginStep) -> str:
        """``auth method 'm'`` (a login of one request), or ``auth method 'm', step 's'``."""
        named = f"auth method {self._method.name!r}"
        return f"{named}, step {step.name!r}" if self._method.steps else named

    def _request(self, template: RequestTemplate, values: Mapping[str, str]) -> httpx.Request:
        url = _fill(template.url, values)
        headers = _fill(dict(template.headers), values)
        params = _fill(dict(template.query), values)
        body = (
            _fill(template.body, values, _escaper(template.media_type))
            if isinstance(template.body, str)
            else _fill(template.body, values)
        )
        if isinstance(body, dict):
            if template.media_type == "application/x-www-form-urlencoded":
                return httpx.Request(
                    template.method, url, params=params, headers=headers, data=body
                )
            content = json.dumps(body).encode()
            headers.setdefault("Content-Type", template.media_type or "application/json")
            return httpx.Request(
                template.method, url, params=params, headers=headers, content=content
            )
        if isinstance(body, str):
            if template.media_type:
                headers.setdefault("Content-Type", template.media_type)
            return httpx.Request(template.method, url, params=params, headers=headers, content=body)
        return httpx.Request(template.method, url, params=params, headers=headers)

    def _read(self, step: LoginStep, response: httpx.Response, deadline: float) -> None:
        """``response`` (streamed) read into memory, within the login's size cap and deadline."""
        where = str(response.request.url.copy_with(query=None))
        too_large = f"the login answer is larger than {MAX_TOKEN_ANSWER:,} bytes"
        try:
            # What Response.read() keeps: httpx reads each answer of an auth flow again.
            response._content = read_capped(response, where, _LOGIN_LIMITS, deadline, too_large)
        except SourceError as error:
            message = f"{self._where(step)}: {error.message}"
            raise type(error)(message, location=step.request.url) from None

    def _redirected(self, request: httpx.Request, status: int, target: httpx.URL) -> httpx.Request:
        """The request a redirect (``status``, to ``target``) asks for: 307 and 308 keep the
        method and the body, the others become a GET without one."""
        keep = status in (307, 308) or (status in (301, 302) and request.method in ("GET", "HEAD"))
        dropped = _NOT_CARRIED if keep else _NOT_CARRIED | _NO_BODY
        headers = [(k, v) for k, v in request.headers.multi_items() if k.lower() not in dropped]
        if keep:
            return httpx.Request(request.method, target, headers=headers, content=request.content)
        return httpx.Request("GET", target, headers=headers)

    def _send(
        self, step: LoginStep, request: httpx.Request, jar: httpx.Cookies, deadline: float
    ) -> Generator[httpx.Request, httpx.Response, httpx.Response]:
        """The answer to ``request``, redirects on its own origin followed (at most
        ``MAX_LOGIN_REDIRECTS``); one to another origin is not, and is the answer."""
        for _ in range(MAX_LOGIN_REDIRECTS + 1):
            if time.monotonic() > deadline:
                raise SourceUnreachable(
                    f"{self._where(step)}: the login took more than {MAX_LOGIN_SECONDS:g} s",
                    location=step.request.url,
                )
            jar.set_cookie_header(request)
            response = yield request
            self._read(step, response, deadline)
            jar.extract_cookies(response)
            location = response.headers.get("location")
            if response.status_code not in _REDIRECTS or not location:
                return response
            try:
                target = request.url.join(location)
                elsewhere = origin(target) != origin(request.url)
            except (httpx.InvalidURL, InputError):
                elsewhere = True
            if elsewhere:
                return response
            request = self._redirected(request, response.status_code, target)
        raise SourceError(
            f"{self._where(step)}: more than {MAX_LOGIN_REDIRECTS} redirects (a loop?)",
            location=step.request.url,
        )

    def _extracted(
        self, step: LoginStep, response: httpx.Response, jar: httpx.Cookies
    ) -> dict[str, str]:
        where, location = self._where(step), step.request.url
        if response.status_code >= 400:
            raise SourceError(
                f"{where}: the login request was answered HTTP {response.status_code}",
                location=location,
            )
        note = ""
        if response.status_code in _REDIRECTS and response.headers.get("location"):
            try:
                to = origin(response.request.url.join(response.headers["location"]))
            except (httpx.InvalidURL, InputError):
                to = "somewhere else"
            note = f" (it redirects to {to}, another host: not followed)"
        answer = _Answer(response, jar)
        values: dict[str, str] = {}
        for rule in step.extract:
            try:
                found = answer.lookup(rule.source, rule.path, rule.namespaces, rule.name)
            except _Unreadable as error:
                raise SourceError(
                    f"{where}: the login answer {error}{note}", location=location
                ) from None
            if found is None or isinstance(found, dict | list):
                raise SourceError(
                    f"{where}: the login answer has no value for {rule.name!r} "
                    f"({rule.source} {_shown(rule.path)}){note}",
                    location=location,
                )
            value = found if isinstance(found, str) else json.dumps(found)
            if len(value) > MAX_EXTRACTED:
                raise SourceError(
                    f"{where}: the value of {rule.name!r} is longer than {MAX_EXTRACTED:,} "
                    "characters",
                    location=location,
                )
            values[rule.name] = value
        return values

    def _lifetime(self, values: Mapping[str, str]) -> float:
        method = self._method
        fallback = float(method.expires_in_seconds) if method.expires_in_seconds else math.inf
        if not method.expiry_from or method.expiry_from not in values:
            return fallback
        value = values[method.expiry_from]
        if method.expiry_format == "seconds":
            try:
                return float(value)
            except ValueError:
                return fallback
        when: float | None
        if method.expiry_format == "jwt_exp":
            when, what = _jwt_expiry(value), "a JWT with an exp claim"
        elif method.expiry_format == "unix":
            try:
                when, what = float(value), "a Unix time"
            except ValueError:
                when, what = None, "a Unix time"
        else:
            when, what = _date(value), "a date"
        if when is None or math.isnan(when):
            raise SourceError(
                f"auth method {method.name!r}: {method.expiry_from!r} is not {what} "
                f"(expiry_format {method.expiry_format})",
                location=method.request.url,
            )
        return when - time.time()

    def _login(self) -> Generator[httpx.Request, httpx.Response, None]:
        """Every step in order, each filled from the secrets and what the steps before took."""
        deadline = time.monotonic() + MAX_LOGIN_SECONDS
        jar = httpx.Cookies()
        secrets = self._secrets
        values: dict[str, str] = {f"{SECRETS_SCOPE}.{k}": v for k, v in secrets.items()}
        plain: dict[str, str] = {}
        for step in self._method.all_steps():
            request = self._request(step.request, {**secrets, **values, **plain})
            response = yield from self._send(step, request, jar, deadline)
            found = self._extracted(step, response, jar)
            plain.update(found)
            values.update({f"{step.name}.{name}": value for name, value in found.items()})
        extracted = {k: v for k, v in values.items() if not k.startswith(SECRETS_SCOPE + ".")}
        self._values = {**extracted, **plain}
        self._expires_at = time.monotonic() + self._lifetime(plain)

    def _logged_out(self, response: httpx.Response) -> bool:
        """Whether ``response`` (a call's answer) says the login no longer holds: a status of
        ``relogin_on``, or what ``relogin_when`` looks for (the body read within the host's
        limits, as ``invoke`` would)."""
        method = self._method
        if response.status_code in method.relogin_on:
            return True
        signal = method.relogin_when
        if signal is None:
            return False
        if signal.source not in ("header", "cookie"):
            if "text/event-stream" in response.headers.get("content-type", ""):
                return False  # a stream of events: not read here
            settings = self._settings or Settings.from_env()
            shown = redact_url(str(response.request.url))
            too_large = f"the answer is larger than {settings.max_document_bytes:,} bytes"
            deadline = time.monotonic() + settings.fetch_deadline
            response._content = read_capped(response, shown, settings, deadline, too_large)
        try:
            found = _Answer(response).lookup(signal.source, signal.path, signal.namespaces, "")
        except _Unreadable:
            return False
        if found is None:
            return False
        value = found if isinstance(found, str) else json.dumps(found)
        return signal.equals is None or value == signal.equals

    def _inject(self, request: httpx.Request) -> None:
        assert self._values is not None
        for rule in self._method.inject:
            put(request, rule.location, rule.parameter, _fill(rule.template, self._values))

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        fresh = False
        if self._values is None or time.monotonic() >= self._expires_at:
            yield from self._login()
            fresh = True
        self._inject(request)
        response = yield request
        if fresh or not self._logged_out(response):
            return
        if not hasattr(response, "_content"):  # httpx would read it all: it is not wanted
            response.close()
            response._content = b""
        yield from self._login()
        self._inject(request)
        yield request


class FunctionAuth(httpx.Auth):
    """A ``custom_function`` method (see the module docstring, and ``runtime.sandbox``)."""

    def __init__(
        self,
        method: CustomFunctionAuth,
        secrets: Mapping[str, SecretStr],
        settings: Settings | None = None,
    ) -> None:
        self._method = method
        self._secrets = {name: value.get_secret_value() for name, value in secrets.items()}
        self._settings = settings or Settings.from_env()

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        given = {
            "method": request.method,
            "url": str(request.url),
            "headers": dict(request.headers),
            "body": request.content.decode("utf-8", errors="replace"),
        }
        # The requests the function fetches go out through this flow (checked by the policy
        # that guards it, as a login request is), the call only once it has answered.
        added = yield from sandbox.flow(self._method, given, self._secrets, self._settings)
        for location, key in (("header", "headers"), ("query", "query"), ("cookie", "cookies")):
            for name, value in added.get(key, {}).items():
                put(request, location, name, value)
        yield request

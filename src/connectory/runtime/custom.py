"""Custom auth methods at run time: a login request, or a JavaScript function in a sandbox.

``custom_request``: before the first call (and again once what it gave expires), the login
request is sent, with ``{name}`` placeholders in its URL, query, headers and body filled from the
run-time secrets; ``extract`` rules take values out of the answer (a JSON pointer into the body, a
header, a cookie) and ``inject`` rules put them on each request (``{name}`` placeholders in a
header, query parameter or cookie). A login refused, or an answer without a value a rule wants,
is an error naming the method and the rule.

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

import json
import re
import time
from collections.abc import (
    Generator,
    Mapping,
)
from http.cookies import SimpleCookie
from typing import Any

import httpx
from pydantic import SecretStr

from connectory.errors import SourceError
from connectory.model.auth import (
    CustomFunctionAuth,
    CustomRequestAuth,
)
from connectory.schemas.pointer import unescape
from connectory.settings import Settings

from . import sandbox
from .oauth import read_answer
from .styles import put

__all__ = ["FunctionAuth", "LoginAuth"]

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def _fill(value: Any, values: Mapping[str, str]) -> Any:
    """``{name}`` placeholders filled in every string of ``value`` (others left as written)."""
    if isinstance(value, str):
        return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), value)
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


class LoginAuth(httpx.Auth):
    """A ``custom_request`` method (see the module docstring)."""

    def __init__(self, method: CustomRequestAuth, secrets: Mapping[str, SecretStr]) -> None:
        self._method = method
        self._secrets = {name: value.get_secret_value() for name, value in secrets.items()}
        self._values: dict[str, str] | None = None
        self._expires_at = float("inf")

    def _login_request(self) -> httpx.Request:
        template = self._method.request
        url = _fill(template.url, self._secrets)
        headers = _fill(dict(template.headers), self._secrets)
        params = _fill(dict(template.query), self._secrets)
        body = _fill(template.body, self._secrets)
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

    def _extracted(self, response: httpx.Response) -> dict[str, str]:
        name = self._method.name
        if response.status_code >= 400:
            raise SourceError(
                f"auth method {name!r}: the login request was answered HTTP {response.status_code}",
                location=str(response.request.url.copy_with(query=None)),
            )
        body: Any = None
        values: dict[str, str] = {}
        for rule in self._method.extract:
            if rule.source == "header":
                found: Any = response.headers.get(rule.path)
            elif rule.source == "cookie":
                cookies = SimpleCookie()
                for header in response.headers.get_list("set-cookie"):
                    cookies.load(header)
                found = cookies[rule.path].value if rule.path in cookies else None
            else:
                if body is None:
                    try:
                        body = response.json()
                    except ValueError:
                        raise SourceError(
                            f"auth method {name!r}: the login answer is not JSON",
                            location=str(response.request.url.copy_with(query=None)),
                        ) from None
                found = _pointer(body, rule.path)
            if found is None or isinstance(found, dict | list):
                raise SourceError(
                    f"auth method {name!r}: the login answer has no value for {rule.name!r} "
                    f"({rule.source} {rule.path})",
                    location=str(response.request.url.copy_with(query=None)),
                )
            values[rule.name] = found if isinstance(found, str) else json.dumps(found)
        return values

    def _lifetime(self, values: Mapping[str, str]) -> float:
        method = self._method
        if method.expiry_from and method.expiry_from in values:
            try:
                return float(values[method.expiry_from])
            except ValueError:
                pass
        return float(method.expires_in_seconds) if method.expires_in_seconds else float("inf")

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self._values is None or time.monotonic() >= self._expires_at:
            response = yield self._login_request()
            self._values = self._extracted(read_answer(response, "the login answer"))
            self._expires_at = time.monotonic() + self._lifetime(self._values)
        for rule in self._method.inject:
            put(request, rule.location, rule.parameter, _fill(rule.template, self._values))
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

"""Auth methods that sign the request itself: an HMAC over its parts, a WS-Security header.

``hmac``: the parts named by ``signed_parts`` (``method``, ``path`` with its query, ``host``,
``timestamp``, ``body``), joined by newlines, HMAC'd with the ``secret`` (hex), sent in
``header``; with ``timestamp_header``, the Unix time signed is sent in it too.

``ws_security_username_token``: a ``wsse:Security`` header with a ``UsernameToken`` (zeep's),
added to the SOAP envelope: the password as text, or as a digest with a nonce and a creation
time (``password_type: digest``). Secrets: ``username``, ``password``.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Generator

import httpx
from lxml import etree

from connectory.errors import InputError
from connectory.model.auth import HMACAuth, WSSecurityUsernameTokenAuth

__all__ = ["HmacSigner", "UsernameTokenAuth"]

_PARTS = ("method", "path", "host", "timestamp", "body")


class HmacSigner(httpx.Auth):
    def __init__(self, method: HMACAuth, secret: str) -> None:
        unknown = [part for part in method.signed_parts if part not in _PARTS]
        if unknown:
            raise InputError(
                f"auth method {method.name!r} (hmac) signs unknown parts {unknown} "
                f"(known: {', '.join(_PARTS)})"
            )
        self._method, self._secret = method, secret.encode()

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        method = self._method
        timestamp = str(int(time.time()))
        values = {
            "method": request.method.encode(),
            "path": request.url.raw_path,
            "host": request.url.netloc,
            "timestamp": timestamp.encode(),
            "body": request.content,
        }
        signed = b"\n".join(values[part] for part in method.signed_parts)
        digest = hmac.new(self._secret, signed, getattr(hashlib, method.algorithm)).hexdigest()
        request.headers[method.header] = digest
        if method.timestamp_header:
            request.headers[method.timestamp_header] = timestamp
        yield request


class UsernameTokenAuth(httpx.Auth):
    def __init__(self, method: WSSecurityUsernameTokenAuth, username: str, password: str) -> None:
        from zeep.wsse.username import UsernameToken

        self._token = UsernameToken(username, password, use_digest=method.password_type == "digest")

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        envelope = etree.fromstring(request.content)  # the envelope runtime.soap built
        self._token.apply(envelope, {})
        content = etree.tostring(envelope, xml_declaration=True, encoding="utf-8")
        headers = {k: v for k, v in request.headers.items() if k.lower() != "content-length"}
        yield httpx.Request(request.method, request.url, headers=headers, content=content)

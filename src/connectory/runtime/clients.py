"""The HTTP clients ``invoke`` shares between calls when its caller gives none.

    with shared_client(key, settings, tls) as client: ...

A new ``httpx.Client`` per call costs more than a call on loopback (it loads the CA bundle, and a
new connection is made every time). Clients are kept per key (``invoke`` uses the connector, the
settings' timeouts and a fingerprint of the mutual TLS secrets, so that two client certificates
never share a connection), at most ``settings.invoke_shared_clients`` of them, the least
recently used closed first (once no call is using it), and all closed when the process exits.

A shared client keeps no cookies (one caller's session never goes with another's call) and
loads the CA bundle only for its first https request: plain http on loopback does no TLS work.
Sending on a client from several threads at once is safe (httpx's pool is).
"""

from __future__ import annotations

import atexit
import hashlib
import hmac
import os
import ssl
import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from http.cookiejar import CookieJar, DefaultCookiePolicy

import httpx
from pydantic import SecretStr

from connectory.settings import Settings

__all__ = ["close_shared_clients", "secrets_fingerprint", "shared_client"]

_PROCESS_KEY = os.urandom(32)
"""Fingerprints of secrets are keyed per process: they are no stable value derived from them."""


def secrets_fingerprint(secrets: Mapping[str, Mapping[str, SecretStr]]) -> str:
    """A per-process fingerprint of ``secrets`` (method -> name -> value): equal for equal
    secrets, telling nothing of them."""
    digest = hmac.new(_PROCESS_KEY, digestmod=hashlib.sha256)
    for method in sorted(secrets):
        for name in sorted(secrets[method]):
            for part in (method, name, secrets[method][name].get_secret_value()):
                digest.update(part.encode())
                digest.update(b"\0")
    return digest.hexdigest()


class _NoCookies(DefaultCookiePolicy):
    def set_ok(self, cookie: object, request: object) -> bool:
        return False


class _Transport(httpx.BaseTransport):
    """Plain http at once; https through a transport made on first use (the CA bundle loads
    then), verifying with ``tls`` (mutual TLS) or the system's CAs."""

    def __init__(self, tls: ssl.SSLContext | None) -> None:
        self._tls = tls
        self._plain = httpx.HTTPTransport(verify=False)  # never used for https
        self._secure: httpx.HTTPTransport | None = None
        self._lock = threading.Lock()

    def _https(self) -> httpx.HTTPTransport:
        with self._lock:
            if self._secure is None:
                self._secure = httpx.HTTPTransport(verify=self._tls or True)
            return self._secure

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.scheme == "http":
            return self._plain.handle_request(request)
        return self._https().handle_request(request)

    def close(self) -> None:
        self._plain.close()
        if self._secure is not None:
            self._secure.close()


def _new_client(settings: Settings, tls: ssl.SSLContext | None) -> httpx.Client:
    return httpx.Client(
        timeout=httpx.Timeout(settings.fetch_deadline, connect=settings.connect_timeout),
        follow_redirects=False,
        cookies=CookieJar(policy=_NoCookies()),
        transport=_Transport(tls),
    )


@dataclass
class _Entry:
    client: httpx.Client
    users: int = 0
    evicted: bool = False


_lock = threading.Lock()
_entries: OrderedDict[Hashable, _Entry] = OrderedDict()


@contextmanager
def shared_client(
    key: Hashable, settings: Settings, tls: ssl.SSLContext | None = None
) -> Iterator[httpx.Client]:
    """The client kept for ``key`` and ``settings``' timeouts (made with ``tls`` when new), for
    the block's duration."""
    key = (key, settings.connect_timeout, settings.fetch_deadline, tls is not None)
    closing: list[_Entry] = []
    with _lock:
        entry = _entries.get(key)
        if entry is None:
            entry = _entries[key] = _Entry(_new_client(settings, tls))
        _entries.move_to_end(key)
        entry.users += 1
        while len(_entries) > max(1, settings.invoke_shared_clients):
            _, oldest = _entries.popitem(last=False)
            oldest.evicted = True
            if oldest.users == 0:
                closing.append(oldest)
    for old in closing:
        old.client.close()
    try:
        yield entry.client
    finally:
        with _lock:
            entry.users -= 1
            done = entry.evicted and entry.users == 0
        if done:
            entry.client.close()


@atexit.register
def close_shared_clients() -> None:
    """Close every shared client (at exit; a test may call it too)."""
    with _lock:
        entries = list(_entries.values())
        _entries.clear()
        for entry in entries:
            entry.evicted = True
    for entry in entries:
        if entry.users == 0:
            entry.client.close()

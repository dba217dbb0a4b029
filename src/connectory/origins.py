"""Origins: the scheme, host and port that scope where a document is read and a secret may go.

An origin is written ``scheme://host[:port]`` (the port left out when it is the scheme's default),
as browsers scope what a site may see; a WebSocket URL has the origin of its HTTP twin (``wss`` is
``https``). The one place Connectory compares hosts: the document loaders keep a description's
references to its own origin, the runtime keeps a connector's secrets to the origins accepted.

    is_url(source)       whether ``source`` is an http(s) URL (else a path)
    origin(url)          a URL's origin, normalised (host lower-case, IDNA); ``InputError`` when
                         it has none
    same_origin(a, b)    whether two URLs share one origin
    is_loopback(url)     127.0.0.0/8, ::1 or localhost
    needs_tls(url)       whether a secret may go there only over https (not loopback)
"""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import InputError
from .redaction import redact_url

if TYPE_CHECKING:
    import httpx

__all__ = ["is_loopback", "is_url", "needs_tls", "origin", "same_origin"]

_SCHEMES = {"http": "http", "https": "https", "ws": "http", "wss": "https"}
_DEFAULT_PORTS = {"http": 80, "https": 443}
_HOST = re.compile(r"[a-z0-9._-]+|\[[0-9a-f:.]+\]")


def is_url(source: str | Path) -> bool:
    """Whether ``source`` is an http(s) URL (a ``Path`` never is)."""
    return isinstance(source, str) and source.lower().startswith(("http://", "https://"))


def origin(url: str | httpx.URL) -> str:
    """``url``'s origin, ``scheme://host[:port]`` (see the module docstring)."""
    import httpx  # imported where an origin is needed: reading the model does not need httpx

    try:
        parsed = httpx.URL(url)
        host = parsed.raw_host.decode("ascii").lower()
    except (httpx.InvalidURL, UnicodeError):
        parsed, host = None, ""
    scheme = _SCHEMES.get(parsed.scheme) if parsed is not None else None
    if ":" in host:
        host = f"[{host}]"
    if parsed is None or scheme is None or not _HOST.fullmatch(host):
        raise InputError(f"{redact_url(str(url))} is not an http(s) URL with a host")
    port = parsed.port if parsed.port != _DEFAULT_PORTS[scheme] else None
    return f"{scheme}://{host}" + (f":{port}" if port else "")


def is_loopback(url: str | httpx.URL) -> bool:
    """Whether ``url`` (or an origin) is on this machine: 127.0.0.0/8, ::1 or localhost."""
    import httpx

    try:
        host = httpx.URL(url).host.lower()
    except httpx.InvalidURL:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def needs_tls(url: str | httpx.URL) -> bool:
    """Whether a secret sent to ``url`` would travel in clear: plain http (or ws) off loopback."""
    import httpx

    return httpx.URL(url).scheme in ("http", "ws") and not is_loopback(url)


def same_origin(url: str, other: str) -> bool:
    """Whether two http(s) URLs share scheme, host and port (``False`` when either has none)."""
    try:
        return origin(url) == origin(other)
    except InputError:
        return False

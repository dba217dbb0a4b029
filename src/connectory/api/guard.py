"""What every request meets before a route runs (an ASGI middleware), and the token comparison.

1. The API token, when one is set: every path but ``/health`` and the hooks (``/hooks/...``,
   which check it themselves, since signed triggers do without) needs ``Authorization: Bearer
   <token>``, ``/openapi.json`` and ``/docs`` included. Checked before anything is read or
   parsed (FastAPI reads and parses a JSON body before a route's dependencies run), on the raw
   header bytes: any byte may come, and none makes the comparison fail with an error.
2. No NUL character in the path or the query (``%00``): PostgreSQL cannot store or compare one,
   and no name, label or value of the API may hold one (400).
3. The body cap: a ``Content-Length`` over it is refused at once (413, nothing read); a body sent
   in chunks is counted as it comes and refused when it passes the cap.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import Iterable

from pydantic import SecretStr
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import TooLarge, error_response

__all__ = ["Guard", "header", "token_matches"]

_OPEN = ("/health",)
_SELF_GUARDED = "/hooks/"


def header(headers: Iterable[tuple[bytes, bytes]], name: bytes) -> bytes | None:
    """The first value of header ``name`` (lower case) among ASGI ``headers``."""
    return next((value for key, value in headers if key == name), None)


def token_matches(authorization: bytes | None, token: SecretStr, *, basic: bool = False) -> bool:
    """Whether ``authorization`` carries ``token``: ``Bearer <token>``, or with ``basic``,
    ``Basic`` with the token as the password (whatever the user name). Bytes are compared, in
    constant time: a header with bytes outside ASCII is just another wrong token."""
    if not authorization:
        return False
    scheme, _, value = authorization.strip().partition(b" ")
    scheme = scheme.lower()
    if scheme == b"bearer":
        given = value.strip()
    elif basic and scheme == b"basic":
        try:
            given = base64.b64decode(value.strip(), validate=True).partition(b":")[2]
        except (ValueError, binascii.Error):
            return False
    else:
        return False
    return hmac.compare_digest(given, token.get_secret_value().encode())


class Guard:
    """The token and the body cap, around the whole application."""

    def __init__(self, app: ASGIApp, *, token: SecretStr | None, max_body: int) -> None:
        self.app = app
        self.token = token
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = scope["headers"]
        path: str = scope["path"]
        guarded = path not in _OPEN and not path.startswith(_SELF_GUARDED)
        if (
            guarded
            and self.token is not None
            and not token_matches(header(headers, b"authorization"), self.token)
        ):
            refused = error_response(
                401,
                "Unauthorised",
                "a valid bearer token is required",
                headers={"WWW-Authenticate": "Bearer"},
            )
            await refused(scope, receive, send)
            return
        if "\x00" in path or b"%00" in scope.get("query_string", b""):
            where = "path" if "\x00" in path else "query"
            refused = error_response(400, "RequestInvalid", "a NUL character (%00) is not allowed", where)  # fmt: skip
            await refused(scope, receive, send)
            return
        length = header(headers, b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_body:
            refused = error_response(413, "TooLarge", f"the body is larger than {self.max_body:,} bytes", path)  # fmt: skip
            await refused(scope, receive, send)
            return
        await self.app(scope, _capped(receive, self.max_body), send)


def _capped(receive: Receive, cap: int) -> Receive:
    """``receive``, raising ``TooLarge`` once the body passes ``cap`` bytes."""
    seen = 0

    async def capped() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > cap:
                raise TooLarge(cap)
        return message

    return capped

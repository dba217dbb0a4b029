"""``connectory serve``: the HTTP API (``connectory.api``) on uvicorn."""

from __future__ import annotations

import os
import string
from typing import Annotated

import typer
from pydantic import SecretStr
from rich.markup import escape

from . import render
from .common import handles_errors, options

__all__ = ["MIN_TOKEN_LENGTH", "register"]

_LOOPBACK = {"127.0.0.1", "localhost", "::1"}
MIN_TOKEN_LENGTH = 16
"""A shorter API token could be guessed: every wrong guess costs only a 401."""
_TOKEN_CHARACTERS = frozenset(string.ascii_letters + string.digits + string.punctuation)


def _token() -> SecretStr | None:
    """``CONNECTORY_API_TOKEN``: unset (or empty) for none; else at least ``MIN_TOKEN_LENGTH``
    printable ASCII characters, what an ``Authorization`` header can carry as it is."""
    from connectory.errors import InputError

    text = os.environ.get("CONNECTORY_API_TOKEN", "")
    if not text:
        return None
    if not set(text) <= _TOKEN_CHARACTERS or len(text) < MIN_TOKEN_LENGTH:
        raise InputError(
            f"CONNECTORY_API_TOKEN must be at least {MIN_TOKEN_LENGTH} printable ASCII characters "
            "without spaces (e.g. python -c 'import secrets; print(secrets.token_urlsafe(32))')"
        )
    return SecretStr(text)


@handles_errors
def serve(
    host: Annotated[str, typer.Option("--host", help="The address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535)] = 8000,
) -> None:
    """Serve the catalogue over HTTP (routes: GET /docs). With CONNECTORY_API_TOKEN set, requests
    need 'Authorization: Bearer <token>'; without it, only loopback addresses are served."""
    import uvicorn

    from connectory.api import create_app
    from connectory.errors import InputError

    token = _token()
    if token is None and host not in _LOOPBACK:
        raise InputError(
            f"refusing to serve the catalogue on {host} without CONNECTORY_API_TOKEN "
            "(anyone who can reach it could publish and delete)"
        )
    app = create_app(options["catalog"], token=token)
    base = f"http://{f'[{host}]' if ':' in host else host}:{port}"
    render.err.print(
        f"Serving {escape(app.state.catalog.url)} at {base} (the API's pages: "
        f"{base}/docs; Ctrl-C stops)",
        highlight=False,
        soft_wrap=True,
    )
    uvicorn.run(app, host=host, port=port, server_header=False)


def register(main: typer.Typer) -> None:
    main.command("serve")(serve)

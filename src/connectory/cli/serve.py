"""``connectory serve``: the HTTP API (``connectory.api``) on uvicorn."""

from __future__ import annotations

import os
from typing import Annotated

import typer
from pydantic import SecretStr

from .common import handles_errors, options

__all__ = ["register"]

_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@handles_errors
def serve(
    host: Annotated[str, typer.Option("--host", help="The address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535)] = 8000,
) -> None:
    """Serve the catalogue over HTTP (routes: GET /docs). With CONNECTORY_API_TOKEN set, requests
    need 'Authorization: Bearer <token>'; without it, only loopback addresses are served."""
    import uvicorn

    from ..api import create_app
    from ..errors import InputError

    text = os.environ.get("CONNECTORY_API_TOKEN", "").strip()
    token = SecretStr(text) if text else None
    if token is None and host not in _LOOPBACK:
        raise InputError(
            f"refusing to serve the catalogue on {host} without CONNECTORY_API_TOKEN "
            "(anyone who can reach it could publish and delete)"
        )
    uvicorn.run(create_app(options["catalog"], token=token), host=host, port=port)


def register(main: typer.Typer) -> None:
    main.command("serve")(serve)

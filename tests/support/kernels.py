"""A system whose description declares no auth though every call needs a token, as
jupyter_server's Swagger document does: for the tests that add the auth method it lacks."""

from __future__ import annotations

from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from typing import Any

from .servers import Reply


def kernels_document(server: str) -> dict[str, Any]:
    """One GET action, ``listKernels``, and no security scheme."""
    ok = {"200": {"description": "ok", "content": {"application/json": {"schema": {}}}}}
    return {
        "openapi": "3.0.3",
        "info": {"title": "Kernels", "version": "1.0.0"},
        "servers": [{"url": server}],
        "paths": {"/api/kernels": {"get": {"operationId": "listKernels", "responses": ok}}},
    }


def kernels_route(secret: str, answer: bytes) -> Callable[[BaseHTTPRequestHandler], Reply]:
    """``/api/kernels``: 403 unless ``Authorization: token SECRET``, else ``answer``."""

    def kernels(handler: BaseHTTPRequestHandler) -> Reply:
        if handler.headers.get("Authorization") != f"token {secret}":
            return Reply(403, b'{"message": "Forbidden"}', {"Content-Type": "application/json"})
        return Reply(200, answer, {"Content-Type": "application/json"})

    return kernels

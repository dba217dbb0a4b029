"""The API's own OpenAPI description, as honest as its answers.

FastAPI describes each route's parameters, body and declared answers; this adds what it cannot
know: request validation answers 400 in the ``Error`` shape (FastAPI's own 422 and its
``HTTPValidationError`` are taken out), and with a token, the bearer scheme every route but
``/health`` needs (the hooks take it as Bearer or Basic, or do without for signed triggers).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

__all__ = ["describer"]

_SCHEMES = {
    "bearer": {"type": "http", "scheme": "bearer", "description": "CONNECTORY_API_TOKEN"},
    "basic": {
        "type": "http",
        "scheme": "basic",
        "description": "Any user name, CONNECTORY_API_TOKEN as the password (hooks only).",
    },
}


def describer(app: FastAPI, *, token_required: bool) -> Callable[[], dict[str, Any]]:
    """The ``app.openapi`` of ``app``: built once, then served as is."""
    built: dict[str, Any] = {}

    def describe() -> dict[str, Any]:
        if built:
            return built
        document = get_openapi(
            title=app.title,
            version=app.version,
            summary=app.summary,
            description=app.description,
            routes=app.routes,
        )
        schemas = document.get("components", {}).get("schemas", {})
        for name in ("HTTPValidationError", "ValidationError"):
            schemas.pop(name, None)
        for path, operations in document.get("paths", {}).items():
            for operation in operations.values():
                operation["responses"].pop("422", None)
                if token_required and path != "/health":
                    hook = path.startswith("/hooks/")
                    operation["security"] = (
                        [{"bearer": []}, {"basic": []}, {}] if hook else [{"bearer": []}]
                    )
        if token_required:
            document.setdefault("components", {})["securitySchemes"] = _SCHEMES
        built.update(document)
        return built

    return describe

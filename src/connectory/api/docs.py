"""``/docs``: Swagger UI served from this API, not from a CDN (offline, on a closed network, or
behind a proxy that blocks one, FastAPI's page was blank).

Swagger UI's files come from the ``fastapi-offline`` package (MIT; it ships Swagger UI 5, which
renders OpenAPI 3.1 as FastAPI writes it; ``swagger-ui-bundle``, connexion's, is still on Swagger
UI 4, which does not): ``/docs/assets/swagger-ui-bundle.js`` and ``swagger-ui.css``, behind the
guard (the token, when one is set) like ``/docs`` itself.
"""

from __future__ import annotations

from importlib.resources import files

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response

from connectory.errors import NotFound

__all__ = ["ASSETS", "install"]

ASSETS = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "favicon.png": "image/png",
}
"""The files served under ``/docs/assets/``, and their media types."""

_PREFIX = "/docs/assets/"


def install(app: FastAPI, title: str) -> None:
    """Serve ``/docs`` and its assets from this API (``app`` built with ``docs_url=None``)."""
    cache: dict[str, bytes] = {}

    def asset(name: str) -> Response:
        if name not in ASSETS:
            raise NotFound("Swagger UI file", name, sorted(ASSETS))
        if name not in cache:
            cache[name] = (files("fastapi_offline") / "static" / name).read_bytes()
        return Response(
            cache[name],
            media_type=ASSETS[name],
            headers={"Cache-Control": "public, max-age=86400"},
        )

    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{title} - Swagger UI",
            swagger_js_url=f"{_PREFIX}swagger-ui-bundle.js",
            swagger_css_url=f"{_PREFIX}swagger-ui.css",
            swagger_favicon_url=f"{_PREFIX}favicon.png",
        )

    app.get("/docs", include_in_schema=False)(docs)
    app.get(_PREFIX + "{name}", include_in_schema=False)(asset)

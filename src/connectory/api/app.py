"""The FastAPI application (see the package docstring for the routes): the routers of each
resource, included behind the guard, the error handlers and the description."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from pydantic import BaseModel, SecretStr

from connectory.catalog import Catalog
from connectory.settings import Settings

from . import boards, connectors, docs, errors, hooks, vettings
from .bodies import StrictRoute
from .guard import Guard
from .openapi import describer
from .routing import as_json

__all__ = ["create_app"]

ROUTERS = (connectors.router, vettings.router, hooks.router, boards.router)
"""Every router of the API but ``/health``, in the order their routes are matched."""


class Health(BaseModel):
    status: str


def health() -> JSONResponse:
    return as_json(Health(status="ok"))


class Index(BaseModel):
    """What ``GET /`` answers: where to go from here (a newcomer's ``curl /`` found a 404)."""

    name: str
    docs: str
    openapi: str
    connectors: str
    health: str


def index() -> JSONResponse:
    return as_json(
        Index(
            name="Connectory",
            docs="/docs",
            openapi="/openapi.json",
            connectors="/connectors",
            health="/health",
        )
    )


def create_app(
    catalog_url: str | None = None,
    *,
    token: SecretStr | None = None,
    settings: Settings | None = None,
) -> FastAPI:
    """The API over the catalogue at ``catalog_url`` (default: ``CONNECTORY_DATABASE_URL`` or the
    embedded one); with ``token``, every route but ``/health`` requires it as a bearer token (the
    hooks: see ``hooks``). Bodies are capped at ``settings.max_document_bytes``, deliveries at
    ``settings.max_delivery_bytes`` (default: the environment's ``CONNECTORY_MAX_*_BYTES``)."""
    settings = settings or Settings.from_env()
    catalog = Catalog.open(catalog_url)  # created or migrated now, before the first request

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        catalog.close()

    app = FastAPI(
        lifespan=lifespan,
        title="Connectory",
        summary="The connector catalogue: versions, publishing, vetting, boards, webhooks.",
        version="1",
        docs_url=None,  # served by ``docs`` with its assets, not from a CDN
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
        redirect_slashes=False,  # /connectors/ is no route: 404, not a redirect built from Host
    )
    app.router.route_class = StrictRoute  # before any route is added
    errors.install(app)
    app.add_middleware(Guard, token=token, max_body=settings.max_document_bytes)
    app.openapi = describer(app, token_required=token is not None)  # type: ignore[method-assign]
    app.state.catalog = catalog
    app.state.token = token  # for the hooks, which take it or do without (see ``hooks``)
    app.state.settings = settings
    app.get("/health", response_model=Health, responses=errors.answers(400, 413))(health)
    docs.install(app, app.title)
    # With a token, any route but /health may answer 401 (the guard's answer).
    unauthorised = errors.answers(401) if token is not None else None
    app.get(
        "/", response_model=Index, responses={**errors.answers(400, 413), **(unauthorised or {})}
    )(index)
    for router in ROUTERS:
        app.include_router(router, responses=unauthorised)
    return app

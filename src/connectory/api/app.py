"""The FastAPI application (see the package docstring for the routes)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, SecretStr

from ..catalog import Catalog
from ..catalog.digest import content_sha256
from ..catalog.results import ConnectorSummary, Deletion, Drafted, VersionInfo
from ..deliveries import Delivery
from ..diff import diff
from ..errors import InputError
from ..lifecycle import publish as publish_checked
from ..model import Board, Change, Connector, ConnectorVersion, Vetting
from ..onboarding import validated
from ..settings import Settings
from . import errors
from .bodies import StrictRoute
from .guard import Guard
from .hooks import add_hooks
from .openapi import describer
from .params import (
    BoardName,
    ContentHash,
    Label,
    LabelQuery,
    Limit,
    Name,
    NewLabel,
    Reason,
    TriggerQuery,
)

__all__ = ["create_app"]


class Deprecation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sunset: date | None = None
    replacement: str | None = None


class Health(BaseModel):
    status: str


def _catalog(request: Request) -> Catalog:
    """The app's catalogue: one engine (a pool); each method is its own transaction."""
    return request.app.state.catalog  # type: ignore[no-any-return]


Store = Annotated[Catalog, Depends(_catalog)]


def _json(value: BaseModel | list[Any], status_code: int = 200) -> JSONResponse:
    """``value`` as JSON, as it dumps (its declared ``response_model`` is not checked again)."""
    if isinstance(value, BaseModel):
        return JSONResponse(value.model_dump(mode="json"), status_code=status_code)
    return JSONResponse([item.model_dump(mode="json") for item in value], status_code=status_code)


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
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
        redirect_slashes=False,  # /connectors/ is no route: 404, not a redirect built from Host
    )
    app.router.route_class = StrictRoute  # before any route is added
    errors.install(app)
    app.add_middleware(Guard, token=token, max_body=settings.max_document_bytes)
    app.openapi = describer(app, token_required=token is not None)  # type: ignore[method-assign]
    app.state.catalog = catalog

    def answers(*codes: int) -> dict[int | str, dict[str, Any]]:
        """Any route may answer 400 (a NUL in the query), 413 (a body over the cap), 503 (the
        catalogue is busy), and 401 when a token is set."""
        return errors.answers(*codes, 400, 413, 503, *((401,) if token is not None else ()))

    @app.get("/health", response_model=Health, responses=errors.answers(400, 413))
    def health() -> JSONResponse:
        return _json(Health(status="ok"))

    @app.get("/connectors", response_model=list[ConnectorSummary], responses=answers())
    def list_connectors(catalog: Store) -> JSONResponse:
        return _json(catalog.list_connectors())

    @app.get("/connectors/{name}", response_model=Connector, responses=answers(400, 404))
    def get_connector(name: Name, catalog: Store) -> JSONResponse:
        return _json(catalog.get_connector(name))

    @app.get(
        "/connectors/{name}/versions",
        response_model=list[VersionInfo],
        responses=answers(400, 404),
    )
    def list_versions(name: Name, catalog: Store) -> JSONResponse:
        return _json(catalog.list_versions(name))

    @app.post(
        "/connectors/{name}/versions",
        status_code=201,
        response_model=Drafted,
        responses=answers(400, 409),
    )
    def create_version(
        name: Name, version: ConnectorVersion, catalog: Store, label: NewLabel = None
    ) -> JSONResponse:
        """Draft a version given as JSON, checked as onboarding checks one. Its document is the
        JSON posted: its ``sha256`` is the hash the store computes of it, whatever the body
        claims (``created`` is false when the connector holds this very content already)."""
        if version.connector != name:
            raise InputError(f"the version is of {version.connector!r}, not {name!r}")
        draft = version.model_copy(
            update={
                "state": "draft",
                "version": None,
                "created_at": None,
                "published_at": None,
                "changes": [],
            }
        )
        draft = draft.model_copy(update={"sha256": content_sha256(draft)})
        drafted = catalog.draft(validated(draft), label=label or version.version)
        return _json(drafted, status_code=201)

    @app.get(
        "/connectors/{name}/versions/{label}",
        response_model=ConnectorVersion,
        responses=answers(400, 404),
    )
    def get_version(name: Name, label: Label, catalog: Store) -> JSONResponse:
        return _json(catalog.get_version(name, label))

    @app.get(
        "/connectors/{name}/versions/{label}/changes",
        response_model=list[Change],
        responses=answers(400, 404),
    )
    def changes(name: Name, label: Label, since: LabelQuery, catalog: Store) -> JSONResponse:
        new, old = catalog.get_version(name, label), catalog.get_version(name, since)
        return _json(diff(old, new))

    @app.post(
        "/connectors/{name}/versions/{label}/publish",
        response_model=ConnectorVersion,
        responses=answers(400, 404, 409),
    )
    def publish(
        name: Name,
        label: Label,
        catalog: Store,
        allow_breaking: bool = False,
        content_sha256: ContentHash = None,
    ) -> JSONResponse:
        """Publish a draft under the policy; with ``content_sha256``, only if it still holds the
        content its caller reviewed."""
        done = publish_checked(
            catalog, name, label, allow_breaking=allow_breaking, content_sha256=content_sha256
        )
        return _json(done.version)

    @app.post(
        "/connectors/{name}/versions/{label}/deprecate",
        response_model=ConnectorVersion,
        responses=answers(400, 404, 409),
    )
    def deprecate(name: Name, label: Label, body: Deprecation, catalog: Store) -> JSONResponse:
        found = catalog.deprecate(name, label, sunset=body.sunset, replacement=body.replacement)
        return _json(found)

    @app.delete(
        "/connectors/{name}/versions/{label}",
        response_model=Deletion,
        responses=answers(400, 404, 409),
    )
    def delete_version(
        name: Name, label: Label, catalog: Store, confirm: bool = False, reason: Reason = None
    ) -> JSONResponse:
        """Delete a version: a draft at once; a published one with ``confirm`` (else 409 and
        its blast radius in ``details``)."""
        return _json(catalog.delete_version(name, label, confirm=confirm, reason=reason))

    @app.get(
        "/connectors/{name}/vettings", response_model=list[Vetting], responses=answers(400, 404)
    )
    def list_vettings(name: Name, catalog: Store, label: LabelQuery | None = None) -> JSONResponse:
        return _json(catalog.list_vettings(name, label))

    @app.post(
        "/connectors/{name}/versions/{label}/vettings",
        status_code=201,
        response_model=Vetting,
        responses=answers(400, 404, 409),
    )
    def record_vetting(name: Name, label: Label, vetting: Vetting, catalog: Store) -> JSONResponse:
        """Record a verdict. Give ``sha256``, the ``content_sha256`` of the version reviewed:
        the vetting is refused (409) if the version holds other content by now."""
        if (vetting.connector, vetting.version) != (name, label):
            raise InputError(f"the vetting is of {vetting.connector}@{vetting.version}")
        return _json(catalog.record_vetting(vetting), status_code=201)

    add_hooks(app, token, settings.max_delivery_bytes)

    @app.get(
        "/connectors/{name}/deliveries",
        response_model=list[Delivery],
        responses=answers(400, 404),
    )
    def list_deliveries(
        name: Name, catalog: Store, trigger: TriggerQuery = None, limit: Limit = 100
    ) -> JSONResponse:
        """The inbox, newest first. A delivery that cannot be shown as stored is listed with a
        problem saying why (its payload as text), never failing the list."""
        return _json(catalog.list_deliveries(name, trigger=trigger, limit=limit))

    @app.get("/boards", response_model=list[Board], responses=answers())
    def list_boards(catalog: Store) -> JSONResponse:
        return _json(catalog.list_boards())

    @app.get("/boards/{name}", response_model=Board, responses=answers(400, 404))
    def get_board(name: BoardName, catalog: Store) -> JSONResponse:
        return _json(catalog.get_board(name))

    @app.post("/boards", status_code=201, response_model=Board, responses=answers(400, 404, 409))  # fmt: skip
    def create_board(board: Board, catalog: Store) -> JSONResponse:
        return _json(catalog.create_board(board), status_code=201)

    @app.post("/boards/{name}/deploy", response_model=Board, responses=answers(400, 404, 409))
    def deploy_board(name: BoardName, catalog: Store) -> JSONResponse:
        return _json(catalog.deploy_board(name))

    @app.post("/boards/{name}/undeploy", response_model=Board, responses=answers(400, 404, 409))
    def undeploy_board(name: BoardName, catalog: Store, reason: Reason = None) -> JSONResponse:
        return _json(catalog.undeploy_board(name, reason=reason))

    return app

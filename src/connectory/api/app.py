"""The FastAPI application (see the package docstring for the routes)."""

from __future__ import annotations

import base64
import hmac
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel, SecretStr

from ..catalog import Catalog
from ..catalog.failures import CatalogBusy, CatalogUnavailable
from ..deliveries import DeliveryRefused, receive, secret_for, trigger_of
from ..diff import diff
from ..errors import (
    ConfirmationRequired,
    Conflict,
    ConnectoryError,
    ImmutableVersion,
    InputError,
    NotFound,
    PublishRefused,
)
from ..lifecycle import publish as publish_checked
from ..model import Board, ConnectorVersion, Vetting
from ..onboarding import validated
from ..runtime.credentials import credentials_for
from ..settings import Settings

__all__ = ["create_app"]

_STATUS: list[tuple[type[ConnectoryError], int]] = [
    (DeliveryRefused, status.HTTP_401_UNAUTHORIZED),
    (NotFound, status.HTTP_404_NOT_FOUND),
    (ConfirmationRequired, status.HTTP_409_CONFLICT),
    (PublishRefused, status.HTTP_409_CONFLICT),
    (ImmutableVersion, status.HTTP_409_CONFLICT),
    (Conflict, status.HTTP_409_CONFLICT),
    (CatalogBusy, status.HTTP_503_SERVICE_UNAVAILABLE),
    (CatalogUnavailable, status.HTTP_503_SERVICE_UNAVAILABLE),
    (InputError, status.HTTP_400_BAD_REQUEST),
]


class Deprecation(BaseModel):
    sunset: date | None = None
    replacement: str | None = None


def _error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ConnectoryError)
    code = next((c for kind, c in _STATUS if isinstance(error, kind)), 500)
    content: dict[str, Any] = {
        "error": type(error).__name__,
        "message": error.message,
        "location": error.location,
    }
    details = getattr(error, "details", None)
    if details is not None:
        content["details"] = jsonable_encoder(details)
    return JSONResponse(status_code=code, content=content)


def _catalog(request: Request) -> Catalog:
    """The app's catalogue: one engine (a pool); each method is its own transaction."""
    return request.app.state.catalog  # type: ignore[no-any-return]


Store = Annotated[Catalog, Depends(_catalog)]


def _authorised(request: Request, authorization: Annotated[str | None, Header()] = None) -> None:
    token: SecretStr | None = request.app.state.token
    if token is None:
        return
    expected = f"Bearer {token.get_secret_value()}"
    if authorization is None or not hmac.compare_digest(authorization, expected):
        raise _Unauthorised


def _hook_token(authorization: str | None, token: SecretStr) -> bool:
    """Whether ``authorization`` carries the API token: ``Bearer <token>``, or ``Basic`` with the
    token as the password (whatever the user name)."""
    if not authorization:
        return False
    scheme, _, value = authorization.partition(" ")
    expected = token.get_secret_value()
    if scheme.lower() == "bearer":
        return hmac.compare_digest(value.strip().encode(), expected.encode())
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode()
        except (ValueError, UnicodeDecodeError):
            return False
        return hmac.compare_digest(decoded.partition(":")[2].encode(), expected.encode())
    return False


def create_app(catalog_url: str | None = None, *, token: SecretStr | None = None) -> FastAPI:
    """The API over the catalogue at ``catalog_url`` (default: ``CONNECTORY_DATABASE_URL`` or the
    embedded one); with ``token``, every route but ``/health`` requires it as a bearer token."""
    catalog = Catalog.open(catalog_url)  # created or migrated now, before the first request

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        catalog.close()

    app = FastAPI(
        lifespan=lifespan,
        title="Connectory",
        summary="The connector catalogue: versions, publishing, vetting, boards.",
        version="1",
    )
    app.add_exception_handler(ConnectoryError, _error)
    app.add_exception_handler(
        _TooLarge,
        lambda _request, error: JSONResponse(
            status_code=413,
            content={"error": "TooLarge", "message": f"more than {error.args[0]:,} bytes"},
        ),
    )
    app.add_exception_handler(
        _Unauthorised,
        lambda _request, _error: JSONResponse(
            status_code=401,
            content={"error": "Unauthorised", "message": "a valid bearer token is required"},
            headers={"WWW-Authenticate": "Bearer"},
        ),
    )
    app.state.catalog, app.state.token = catalog, token
    guarded = [Depends(_authorised)]

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/connectors", dependencies=guarded)
    def list_connectors(catalog: Store) -> list[dict[str, Any]]:
        return [c.model_dump(mode="json") for c in catalog.list_connectors()]

    @app.get("/connectors/{name}", dependencies=guarded)
    def get_connector(name: str, catalog: Store) -> dict[str, Any]:
        return catalog.get_connector(name).model_dump(mode="json")

    @app.get("/connectors/{name}/versions", dependencies=guarded)
    def list_versions(name: str, catalog: Store) -> list[dict[str, Any]]:
        return [v.model_dump(mode="json") for v in catalog.list_versions(name)]

    @app.post("/connectors/{name}/versions", dependencies=guarded, status_code=201)
    def create_version(
        name: str, version: ConnectorVersion, catalog: Store, label: str | None = None
    ) -> dict[str, Any]:
        if version.connector != name:
            raise InputError(f"the version is of {version.connector!r}, not {name!r}")
        draft = version.model_copy(
            update={"state": "draft", "version": None, "created_at": None, "published_at": None}
        )
        drafted = catalog.draft(validated(draft), label=label or version.version)
        return {"created": drafted.created, "version": drafted.version.model_dump(mode="json")}

    @app.get("/connectors/{name}/versions/{label}", dependencies=guarded)
    def get_version(name: str, label: str, catalog: Store) -> dict[str, Any]:
        return catalog.get_version(name, label).model_dump(mode="json")

    @app.get("/connectors/{name}/versions/{label}/changes", dependencies=guarded)
    def changes(name: str, label: str, since: str, catalog: Store) -> list[dict[str, Any]]:
        new, old = catalog.get_version(name, label), catalog.get_version(name, since)
        return [change.model_dump(mode="json") for change in diff(old, new)]

    @app.post("/connectors/{name}/versions/{label}/publish", dependencies=guarded)
    def publish(
        name: str, label: str, catalog: Store, allow_breaking: bool = False
    ) -> dict[str, Any]:
        done = publish_checked(catalog, name, label, allow_breaking=allow_breaking)
        return done.version.model_dump(mode="json")

    @app.post("/connectors/{name}/versions/{label}/deprecate", dependencies=guarded)
    def deprecate(name: str, label: str, body: Deprecation, catalog: Store) -> dict[str, Any]:
        found = catalog.deprecate(name, label, sunset=body.sunset, replacement=body.replacement)
        return found.model_dump(mode="json")

    @app.delete("/connectors/{name}/versions/{label}", dependencies=guarded)
    def delete_version(
        name: str, label: str, catalog: Store, confirm: bool = False, reason: str | None = None
    ) -> dict[str, Any]:
        deletion = catalog.delete_version(name, label, confirm=confirm, reason=reason)
        return deletion.model_dump(mode="json")

    @app.get("/connectors/{name}/vettings", dependencies=guarded)
    def list_vettings(name: str, catalog: Store, label: str | None = None) -> list[dict[str, Any]]:
        return [v.model_dump(mode="json") for v in catalog.list_vettings(name, label)]

    @app.post("/connectors/{name}/versions/{label}/vettings", dependencies=guarded, status_code=201)
    def record_vetting(name: str, label: str, vetting: Vetting, catalog: Store) -> dict[str, Any]:
        if (vetting.connector, vetting.version) != (name, label):
            raise InputError(f"the vetting is of {vetting.connector}@{vetting.version}")
        return catalog.record_vetting(vetting).model_dump(mode="json")

    @app.post("/hooks/{connector}/{trigger}", status_code=202)
    async def hook(
        connector: str, trigger: str, request: Request, version: str = "latest"
    ) -> dict[str, Any]:
        """A delivery for a trigger, checked against the trigger's payload schema and kept in the
        connector's inbox. A signed trigger is verified by its signature; an unsigned one, when
        the API has a token, needs it (Bearer, or Basic with the token as password: providers
        that do not sign can usually put credentials in the URL they call)."""
        found = await run_in_threadpool(catalog.get_version, connector, version)
        unsigned = trigger_of(found, trigger).verification is None
        if unsigned and token is not None and not _hook_token(request.headers.get("authorization"), token):  # fmt: skip
            raise _Unauthorised
        cap = Settings.from_env().max_document_bytes
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > cap:
                raise _TooLarge(cap)
        secret = secret_for(credentials_for(connector), trigger)
        delivery = await run_in_threadpool(  # parsing and checking: off the event loop
            receive, found, trigger, dict(request.headers), bytes(body), secret
        )
        kept = await run_in_threadpool(catalog.record_delivery, delivery)
        return {"id": kept.id, "verified": kept.verified, "problems": kept.problems}

    @app.get("/connectors/{name}/deliveries", dependencies=guarded)
    def list_deliveries(
        name: str, catalog: Store, trigger: str | None = None, limit: int = 100
    ) -> list[dict[str, Any]]:
        found = catalog.list_deliveries(name, trigger=trigger, limit=min(limit, 1000))
        return [delivery.model_dump(mode="json") for delivery in found]

    @app.get("/boards", dependencies=guarded)
    def list_boards(catalog: Store) -> list[dict[str, Any]]:
        return [b.model_dump(mode="json") for b in catalog.list_boards()]

    @app.get("/boards/{name}", dependencies=guarded)
    def get_board(name: str, catalog: Store) -> dict[str, Any]:
        return catalog.get_board(name).model_dump(mode="json")

    @app.post("/boards", dependencies=guarded, status_code=201)
    def create_board(board: Board, catalog: Store) -> dict[str, Any]:
        return catalog.create_board(board).model_dump(mode="json")

    @app.post("/boards/{name}/deploy", dependencies=guarded)
    def deploy_board(name: str, catalog: Store) -> dict[str, Any]:
        return catalog.deploy_board(name).model_dump(mode="json")

    @app.post("/boards/{name}/undeploy", dependencies=guarded)
    def undeploy_board(name: str, catalog: Store, reason: str | None = None) -> dict[str, Any]:
        return catalog.undeploy_board(name, reason=reason).model_dump(mode="json")

    return app


class _Unauthorised(Exception):
    """A request without the API's bearer token."""


class _TooLarge(Exception):
    """A delivery above the size cap (``CONNECTORY_MAX_DOCUMENT_BYTES``)."""

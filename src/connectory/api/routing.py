"""What the API's routers share: the catalogue each route is handed, its JSON answer, the
answers every route may give, and the router class whose JSON bodies are parsed strictly."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from connectory.catalog import Catalog

from . import errors
from .bodies import StrictRoute

__all__ = ["Store", "answers", "as_json", "new_router"]


def _catalog(request: Request) -> Catalog:
    """The app's catalogue: one engine (a pool); each method is its own transaction."""
    return request.app.state.catalog  # type: ignore[no-any-return]


Store = Annotated[Catalog, Depends(_catalog)]


def new_router() -> APIRouter:
    """A router of the API: its JSON bodies are parsed by ``bodies.StrictRoute``."""
    return APIRouter(route_class=StrictRoute)


def answers(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The error answers of a route that may answer ``codes``: any route may also answer 400 (a
    NUL in the query), 413 (a body over the cap) and 503 (the catalogue is busy); 401, when a
    token is set, is added where the routers are included (``app.create_app``)."""
    return errors.answers(*codes, 400, 413, 503)


def as_json(value: BaseModel | list[Any], status_code: int = 200) -> JSONResponse:
    """``value`` as JSON, as it dumps (its declared ``response_model`` is not checked again)."""
    if isinstance(value, BaseModel):
        return JSONResponse(value.model_dump(mode="json"), status_code=status_code)
    return JSONResponse([item.model_dump(mode="json") for item in value], status_code=status_code)

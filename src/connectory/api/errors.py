"""Every error over HTTP has one shape, ``Error``, and the status its kind means.

    400  InputError and its kinds; a request that does not fit its description (RequestInvalid:
         ``location`` names the part, e.g. ``query.limit`` or ``body.actions.0.name``)
    401  Unauthorised (no valid API token); DeliveryRefused (a signature missing, wrong or stale)
    404  NotFound (the message lists the known names, but to callers without the token)
    405  MethodNotAllowed
    409  Conflict, ConfirmationRequired (``details``: what it would do), PublishRefused,
         ImmutableVersion
    413  TooLarge: a body over the cap, refused before it is read when it says its length
    503  CatalogBusy, CatalogUnavailable: try again
    500  never on purpose: InternalError, its cause in the server's log only

``answers(*codes)`` declares them on a route for its OpenAPI description.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException

from connectory.catalog._failures import CatalogBusy, CatalogUnavailable
from connectory.errors import (
    ConfirmationRequired,
    Conflict,
    ConnectoryError,
    ImmutableVersion,
    InputError,
    NotFound,
    PublishRefused,
)
from connectory.runtime.deliveries import DeliveryRefused

__all__ = ["Error", "TooLarge", "answers", "error_response", "install"]

_log = logging.getLogger(__name__)

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
_MEANING = {
    400: "Bad input: a name, label, parameter or body that is not allowed or does not fit.",
    401: "No valid API token (Authorization: Bearer), or a delivery's signature is missing, "
    "wrong or stale.",
    404: "No such connector, version, trigger, board or hook.",
    409: "A conflict: the state does not allow it, someone got there first, or a confirmation "
    "is needed (details says what it would do).",
    413: "The body is larger than the server takes.",
    503: "The catalogue is busy or unreachable: try again.",
}
_MAX_DETAILS = 20


class Error(BaseModel):
    """What every error answers."""

    model_config = ConfigDict(extra="forbid")

    error: str = Field(description="The kind: NotFound, InputError, Conflict, Unauthorised, ...")
    message: str = Field(description="One line: the problem and where.")
    location: str | None = Field(
        description="Where, when known: a request part (query.limit, body.actions.0.name), a "
        "path, a JSON pointer."
    )
    details: Any = Field(
        default=None, description="More, for some kinds: a blast radius, every problem found."
    )


class TooLarge(HTTPException):
    """A body over the cap (``Settings.max_document_bytes``)."""

    def __init__(self, cap: int) -> None:
        super().__init__(413, f"the body is larger than {cap:,} bytes")


def answers(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses`` of a route that may answer ``codes`` with an ``Error``."""
    return {code: {"model": Error, "description": _MEANING[code]} for code in sorted(set(codes))}


def error_response(
    code: int,
    kind: str,
    message: str,
    location: str | None = None,
    *,
    details: Any = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    content: dict[str, Any] = {"error": kind, "message": message, "location": location}
    if details is not None:
        content["details"] = jsonable_encoder(details)
    return JSONResponse(status_code=code, content=content, headers=headers)


def _known(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ConnectoryError)
    code = next((c for kind, c in _STATUS if isinstance(error, kind)), 500)
    if code == 500:
        _log.error("unexpected %s: %s", type(error).__name__, error)
        return _internal()
    details = getattr(error, "details", None)
    return error_response(
        code, type(error).__name__, error.message, error.location, details=details
    )


def _invalid(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    found = [
        {
            "location": ".".join(str(part) for part in problem.get("loc", ())),
            "message": str(problem.get("msg", "invalid")),
        }
        for problem in error.errors()[:_MAX_DETAILS]
    ]
    location, message = (
        (found[0]["location"], found[0]["message"]) if found else (None, "the request does not fit")
    )
    more = len(error.errors()) - 1
    message += f" (and {more} more)" if more > 0 else ""
    return error_response(400, "RequestInvalid", message, location, details=found)


def _http(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    if isinstance(error.__cause__, ConnectoryError):  # FastAPI's "error parsing the body"
        return _known(request, error.__cause__)
    kind = "TooLarge" if isinstance(error, TooLarge) else HTTPStatus(error.status_code).phrase
    return error_response(
        error.status_code,
        kind.replace(" ", ""),
        str(error.detail),
        request.url.path,
        headers=error.headers,
    )


def _unexpected(_: Request, error: Exception) -> JSONResponse:
    _log.error("unexpected error", exc_info=error)
    return _internal()


def _internal() -> JSONResponse:
    return error_response(500, "InternalError", "internal error: the server's log has its cause")


def install(app: FastAPI) -> None:
    """Answer every error in the ``Error`` shape."""
    app.add_exception_handler(ConnectoryError, _known)
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_exception_handler(HTTPException, _http)
    app.add_exception_handler(Exception, _unexpected)

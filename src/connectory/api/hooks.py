"""``POST /hooks/{connector}/{trigger}``: a webhook delivery, refused as early as it can be; and
``GET /connectors/{name}/deliveries``, the inbox the deliveries are kept in.

In order, before the body is read: the hook is found (the label ``receiving_label`` names, and
that version's trigger, read alone: the version is not loaded for a caller the server does not
know yet); a caller without the API token (when one is set) learns nothing of the catalogue
from a hook that does not exist ("no such hook", no names listed); an unsigned trigger needs the
token (Bearer, or Basic with the token as password, for providers that only put credentials in
the URL they call); a signed one needs its signature header and a fresh, well-formed timestamp
(``connectory.runtime.deliveries.admit``); a ``Content-Length`` over ``max_delivery_bytes`` is refused.
Then the body is read, capped as it comes, and its signature verified; only then is the version
loaded, and the payload parsed and checked against it off the event loop, and kept: 202. A signature kept before (a replay, or a provider retrying a delivery whose answer
it lost) answers 200 ``duplicate`` and keeps nothing: providers retry any other answer, and the
delivery is already in the inbox.
"""

from __future__ import annotations

import logging
from functools import partial

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from connectory.catalog import Catalog
from connectory.errors import ConnectoryError, InputError, NotFound
from connectory.model.version import Trigger
from connectory.runtime.credentials import credentials_for
from connectory.runtime.deliveries import (
    Delivery,
    DeliveryRefused,
    admit,
    receive,
    receiving_label,
    secret_for,
    verify,
)

from .errors import TooLarge, error_response
from .guard import header, token_matches
from .params import LabelQuery, Limit, Name, TriggerName, TriggerQuery
from .routing import Store, answers, as_json, new_router

__all__ = ["Received", "router"]

_log = logging.getLogger(__name__)


class Received(BaseModel):
    """What a delivery answers: the delivery kept (or kept before, for a duplicate)."""

    model_config = ConfigDict(extra="forbid")

    id: int
    verified: bool = Field(description="Its signature was checked (False: the trigger has none).")
    problems: list[str] = Field(description="How its payload does not fit the trigger's schema.")
    duplicate: bool = Field(
        description="Its signature was kept before: nothing was kept now (200, not 202)."
    )


class NoSuchHook(NotFound):
    """A hook that does not exist, said without naming what does (for callers without the token)."""

    def __init__(self, connector: str, trigger: str) -> None:
        ConnectoryError.__init__(self, f"no such hook: /hooks/{connector}/{trigger}")
        self.known: list[str] = []


def _target(
    catalog: Catalog, connector: str, trigger: str, label: str, authorised: bool
) -> tuple[str, Trigger]:
    """The label of the version that takes the delivery and its trigger, without loading it."""
    try:
        found = receiving_label(catalog, connector, label)
        return found, catalog.get_trigger(connector, found, trigger)
    except NotFound:
        if authorised:
            raise
        raise NoSuchHook(connector, trigger) from None


def _secret(connector: str, trigger: Trigger) -> SecretStr | None:
    if trigger.verification is None:
        return None
    try:
        return secret_for(credentials_for(connector), trigger.name)
    except InputError as error:  # the server's credentials are broken: not the caller's fault
        _log.error("the credentials of %s cannot be read: %s", connector, error)
        raise DeliveryRefused(
            f"the {trigger.name} webhook is signed, and its secret cannot be read"
        ) from None


async def _body(request: Request, cap: int) -> bytes:
    """The body, refused (``TooLarge``) once it passes ``cap`` bytes, before it is all read."""
    length = header(request.scope["headers"], b"content-length")
    if length is not None and length.isdigit() and int(length) > cap:
        raise TooLarge(cap)
    chunks: list[bytes] = []
    seen = 0
    async for chunk in request.stream():
        seen += len(chunk)
        if seen > cap:
            raise TooLarge(cap)
        chunks.append(chunk)
    return b"".join(chunks)


router = new_router()


@router.post(
    "/hooks/{connector}/{trigger}",
    status_code=202,
    response_model=Received,
    responses={
        200: {"model": Received, "description": "Kept before (same signature): nothing kept."},
        **answers(401, 404),
    },
    openapi_extra={
        "requestBody": {
            "description": "The delivery, as the system sends it (JSON is parsed and checked "
            "against the trigger's payload schema; anything else is kept as text).",
            "content": {"*/*": {"schema": {}}},
        }
    },
)
async def hook(
    connector: Name, trigger: TriggerName, request: Request, version: LabelQuery = "latest"
) -> JSONResponse:
    """A delivery for a trigger, checked against the trigger's payload schema and kept in
    the connector's inbox (see the module docstring for the order of the checks)."""
    catalog: Catalog = request.app.state.catalog
    token: SecretStr | None = request.app.state.token
    authorization = header(request.scope["headers"], b"authorization")
    authorised = token is None or token_matches(authorization, token, basic=True)
    found, rule = await run_in_threadpool(_target, catalog, connector, trigger, version, authorised)
    if rule.verification is None and not authorised:
        return error_response(
            401,
            "Unauthorised",
            "this hook needs the API token (Bearer, or Basic with the token as password)",
            headers={"WWW-Authenticate": 'Bearer, Basic realm="hooks"'},
        )
    secret = await run_in_threadpool(_secret, connector, rule)
    headers = dict(request.headers)
    settings = request.app.state.settings
    admit(rule, headers, secret, settings=settings)
    body = await _body(request, settings.max_delivery_bytes)
    # Before the version is loaded:
    await run_in_threadpool(partial(verify, settings=settings), rule, headers, body, secret)
    loaded = await run_in_threadpool(catalog.get_version, connector, found)
    delivery = await run_in_threadpool(receive, loaded, trigger, headers, body, secret)
    recorded = await run_in_threadpool(catalog.record_delivery, delivery)
    kept = recorded.delivery
    answer = Received(
        id=kept.id or 0,
        verified=kept.verified,
        problems=kept.problems,
        duplicate=not recorded.created,
    )
    return JSONResponse(answer.model_dump(mode="json"), status_code=202 if recorded.created else 200)  # fmt: skip


@router.get(
    "/connectors/{name}/deliveries",
    response_model=list[Delivery],
    responses=answers(400, 404),
)
def list_deliveries(
    name: Name, catalog: Store, trigger: TriggerQuery = None, limit: Limit = 100
) -> JSONResponse:
    """The inbox, newest first. A delivery that cannot be shown as stored is listed with a
    problem saying why (its payload as text), never failing the list."""
    return as_json(catalog.list_deliveries(name, trigger=trigger, limit=limit))

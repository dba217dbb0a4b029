"""Trigger deliveries: record one, list them. Append-only in the database, like vettings.

A delivery names its version by connector and label (not by a foreign key), so that the inbox
outlives the version it was received for. A verified delivery's ``signature_sha256`` is unique:
the same signed request sent again is found, not kept twice (``Recorded.created`` is False).

Listing never fails for one row: each stored JSON column is read as text and decoded here, and a
row that cannot be shown as it is (a payload nested deeper than ``MAX_PAYLOAD_DEPTH``, stored
before that limit or by another client; JSON that does not decode; headers of the wrong shape)
is listed with what can be shown (the payload as its JSON text) and a problem that says why.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, ValidationError

from connectory._nesting import deeper_than
from connectory.documents.decode import parse_json
from connectory.errors import ConnectoryError, DocumentError, InputError
from connectory.model.delivery import MAX_PAYLOAD_DEPTH, Delivery

from ._rows import connector_row, version_row
from ._tables import deliveries

__all__ = ["MAX_LIMIT", "Recorded", "find_signature", "list_deliveries", "record"]

MAX_LIMIT = 1000
"""The most deliveries one listing returns."""

_JSON_COLUMNS = ("problems", "headers", "payload")


class Recorded(BaseModel):
    """The outcome of ``Catalog.record_delivery``: the stored delivery, and whether it is new.

    ``created`` is False when a delivery with the same ``signature_sha256`` was kept before:
    nothing was written and ``delivery`` is that one.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    delivery: Delivery
    created: bool


def record(connection: sa.Connection, delivery: Delivery, now: datetime) -> Recorded:
    if deeper_than(delivery.payload, MAX_PAYLOAD_DEPTH):
        raise DocumentError(
            f"the delivery is nested more than {MAX_PAYLOAD_DEPTH} levels deep",
            location=f"{delivery.connector}@{delivery.version} {delivery.trigger}",
        )
    if delivery.signature_sha256 is not None:
        kept = find_signature(connection, delivery.signature_sha256)
        if kept is not None:
            return Recorded(delivery=kept, created=False)
    version = version_row(
        connection, connector_row(connection, delivery.connector), delivery.version
    )
    values = {
        "connector": delivery.connector,
        "label": version.label,
        "trigger": delivery.trigger,
        "verified": delivery.verified,
        "problems": delivery.problems,
        "headers": delivery.headers,
        "payload": delivery.payload,
        "signature_sha256": delivery.signature_sha256,
        "received_at": now,
    }
    found = connection.execute(deliveries.insert().values(**values).returning(deliveries.c.id))
    stored = delivery.model_copy(
        update={"id": found.scalar_one(), "version": version.label, "received_at": now}
    )
    return Recorded(delivery=stored, created=True)


def _query() -> sa.Select[*tuple[Any, ...]]:
    """Every column as the database holds it, without SQLAlchemy's decoding (JSON as its text),
    so that ``_model`` reads each row on its own and one bad row cannot fail a listing."""
    columns = [
        sa.cast(column, sa.Text).label(column.name)
        if column.name in _JSON_COLUMNS
        else sa.type_coerce(column, sa.String).label(column.name)
        for column in deliveries.columns
    ]
    return sa.select(*columns)


def find_signature(connection: sa.Connection, signature_sha256: str) -> Delivery | None:
    """The delivery kept with this signature, if any."""
    query = _query().where(deliveries.c.signature_sha256 == signature_sha256)
    row = connection.execute(query).first()
    return None if row is None else _model(row)


def list_deliveries(
    connection: sa.Connection, connector: str, trigger: str | None, limit: int
) -> list[Delivery]:
    """Newest first, at most ``limit`` (1 to ``MAX_LIMIT``); of one trigger when given."""
    if not 1 <= limit <= MAX_LIMIT:
        raise InputError(f"limit must be from 1 to {MAX_LIMIT}, not {limit}")
    connector_row(connection, connector)  # NotFound for an unknown connector
    query = (
        _query()
        .where(deliveries.c.connector == connector)
        .order_by(deliveries.c.received_at.desc(), deliveries.c.id.desc())
        .limit(limit)
    )
    if trigger is not None:
        query = query.where(deliveries.c.trigger == trigger)
    return [_model(row) for row in connection.execute(query)]


def _decoded(text: str | None, what: str, problems: list[str]) -> Any:
    """The JSON value ``text`` holds; ``text`` itself (and a problem) when it cannot be shown."""
    if text is None:
        return None
    try:
        value = parse_json(text, f"the stored {what}")
    except ConnectoryError as error:
        problems.append(f"the stored {what} does not decode ({error}): shown as its text")
        return text
    if deeper_than(value, MAX_PAYLOAD_DEPTH):
        problems.append(
            f"the stored {what} is nested more than {MAX_PAYLOAD_DEPTH} levels deep: "
            "shown as its JSON text"
        )
        return text
    return value


def _when(value: object, notes: list[str]) -> datetime | None:
    """``received_at`` as the driver gives it (a datetime, or SQLite's text), in UTC."""
    try:
        when = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError:
        notes.append(f"the stored received_at {str(value)[:40]!r} is not a date and time")
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _model(row: sa.Row[Any]) -> Delivery:
    notes: list[str] = []
    problems = _decoded(row.problems, "problems", notes)
    headers = _decoded(row.headers, "headers", notes)
    payload = _decoded(row.payload, "payload", notes)
    if not (isinstance(problems, list) and all(isinstance(p, str) for p in problems)):
        notes.append(f"the stored problems are not a list of strings: {str(problems)[:200]}")
        problems = []
    if not (isinstance(headers, dict) and all(isinstance(v, str) for v in headers.values())):
        notes.append("the stored headers are not an object of strings: left out")
        headers = {}
    if row.verified not in (True, False, 0, 1, "0", "1"):
        notes.append(
            f"the stored verified {str(row.verified)[:20]!r} is not a boolean: shown false"
        )
    when = None if row.received_at is None else _when(row.received_at, notes)
    try:
        return Delivery(
            id=int(row.id),
            connector=str(row.connector),
            version=str(row.label),
            trigger=str(row.trigger),
            verified=row.verified in (True, 1, "1"),
            problems=[*problems, *notes],
            headers=headers,
            payload=payload,
            signature_sha256=row.signature_sha256,
            received_at=when,
        )
    except ValidationError as error:  # e.g. a signature_sha256 of another type, written by hand
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        return Delivery(
            id=int(row.id),
            connector=str(row.connector),
            version=str(row.label),
            trigger=str(row.trigger),
            verified=False,
            problems=[f"this stored delivery cannot be shown: {where}: {first['msg']}"],
        )

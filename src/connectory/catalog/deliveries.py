"""Trigger deliveries: record one, list them. Append-only in the database, like vettings.

A delivery names its version by connector and label (not by a foreign key), so that the inbox
outlives the version it was received for.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from ..deliveries import Delivery
from .rows import connector_row, version_row
from .tables import deliveries

__all__ = ["list_deliveries", "record"]


def _model(row: sa.Row) -> Delivery:
    return Delivery(
        id=row.id,
        connector=row.connector,
        version=row.label,
        trigger=row.trigger,
        verified=row.verified,
        problems=row.problems,
        headers=row.headers,
        payload=row.payload,
        received_at=row.received_at,
    )


def record(connection: sa.Connection, delivery: Delivery, now: datetime) -> Delivery:
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
        "received_at": now,
    }
    found = connection.execute(deliveries.insert().values(**values).returning(deliveries.c.id))
    return delivery.model_copy(
        update={"id": found.scalar_one(), "version": version.label, "received_at": now}
    )


def list_deliveries(
    connection: sa.Connection, connector: str, trigger: str | None, limit: int
) -> list[Delivery]:
    """Newest first, at most ``limit``; of one trigger when given."""
    connector_row(connection, connector)  # NotFound for an unknown connector
    query = (
        sa.select(deliveries)
        .where(deliveries.c.connector == connector)
        .order_by(deliveries.c.received_at.desc(), deliveries.c.id.desc())
        .limit(limit)
    )
    if trigger is not None:
        query = query.where(deliveries.c.trigger == trigger)
    return [_model(row) for row in connection.execute(query)]

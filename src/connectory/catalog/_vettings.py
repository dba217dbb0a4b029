"""Vetting records: store a verdict, list them, and what publishing asks of them.

A vetting names the version by connector, label and the ``content_sha256`` the store computes of
the version when the vetting is recorded (``digest``; never a hash the caller claims; a caller
that gives the hash of what it reviewed is refused when the version holds other content by then),
not by a foreign key, so that the record outlives the version: the history of a deleted version's review stays readable. The table
is append-only in the database (``_guards.sqlite_append_only`` / ``postgresql_append_only``).
Recording a vetting also sets the connector's ``vetting_status`` to its verdict.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from connectory.errors import Conflict, InputError
from connectory.model.version import CheckResult, Vetting

from ._rows import connector_row, load_version, version_row
from ._tables import connectors, vettings
from .digest import content_sha256

__all__ = ["list_vettings", "record", "require_approval"]


def _model(row: sa.Row[Any]) -> Vetting:
    return Vetting(
        connector=row.connector,
        version=row.label,
        reviewer=row.reviewer,
        verdict=row.verdict,
        notes=row.notes,
        checks=[CheckResult.model_validate(check) for check in row.checks],
        sha256=row.sha256,
        vetted_at=row.vetted_at,
    )


def record(connection: sa.Connection, vetting: Vetting, now: datetime) -> Vetting:
    column_type = vettings.c.reviewer.type
    width = column_type.length if isinstance(column_type, sa.String) else None
    if width is not None and len(vetting.reviewer) > width:  # the same on SQLite as on PostgreSQL
        raise InputError(f"the reviewer's name is longer than {width} characters")
    connector = connector_row(connection, vetting.connector)
    version = version_row(connection, connector, vetting.version)
    # The approval binds to what the store holds, hashed now: never to a hash a caller claims.
    # A caller that says what it reviewed (its sha256) is refused if that is not what is held:
    # the draft changed while it was being reviewed.
    digest = content_sha256(load_version(connection, connector.name, version))
    if vetting.sha256 is not None and vetting.sha256 != digest:
        raise Conflict(
            f"{connector.name}@{version.label} changed while it was being reviewed: the vetting "
            f"is of content {vetting.sha256[:12]}..., the store holds {digest[:12]}...; review "
            "it again"
        )
    values = {
        "connector": vetting.connector,
        "label": version.label,
        "sha256": digest,
        "reviewer": vetting.reviewer,
        "verdict": vetting.verdict,
        "notes": vetting.notes,
        "checks": [check.model_dump(mode="json") for check in vetting.checks],
        "vetted_at": now,
    }
    connection.execute(vettings.insert().values(**values))
    connection.execute(
        connectors.update()
        .where(connectors.c.id == connector.id)
        .values(vetting_status=vetting.verdict)
    )
    return vetting.model_copy(update={"version": version.label, "sha256": digest, "vetted_at": now})


def list_vettings(
    connection: sa.Connection, connector: str | None = None, label: str | None = None
) -> list[Vetting]:
    """Newest first; of one connector (and one of its labels) when given."""
    query = sa.select(vettings).order_by(vettings.c.vetted_at.desc(), vettings.c.id.desc())
    if connector is not None:
        connector_row(connection, connector)  # NotFound for an unknown connector
        query = query.where(vettings.c.connector == connector)
    if label is not None:
        query = query.where(vettings.c.label == label)
    return [_model(row) for row in connection.execute(query)]


def require_approval(connection: sa.Connection, name: str, label: str, sha256: str) -> None:
    """Refuse unless the newest vetting of this version, of this very content (``sha256``: its
    ``content_sha256`` as the store computed it), approves it."""
    newest = connection.execute(
        sa.select(vettings.c.verdict, vettings.c.reviewer)
        .where(vettings.c.connector == name, vettings.c.label == label, vettings.c.sha256 == sha256)
        .order_by(vettings.c.vetted_at.desc(), vettings.c.id.desc())
        .limit(1)
    ).first()
    if newest is None:
        earlier = connection.scalar(
            sa.select(sa.func.count())
            .select_from(vettings)
            .where(vettings.c.connector == name, vettings.c.label == label)
        )
        why = (
            "its content changed since it was vetted (the vettings of this label are of other "
            "content)"
            if earlier
            else "it has not been vetted"
        )
        raise Conflict(
            f"{name}@{label} cannot be published: {why}, and this catalogue requires an approved "
            f"vetting of what it publishes: connectory vet {name}@{label} --verdict approved"
        )
    if newest.verdict != "approved":
        raise Conflict(
            f"{name}@{label} cannot be published: its latest vetting by {newest.reviewer} "
            f"says {newest.verdict.replace('_', ' ')}"
        )

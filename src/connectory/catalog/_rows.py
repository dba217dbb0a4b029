"""Rows to models and back, and the lookups every operation starts with.

A version is written as one ``versions`` row (metadata columns plus ``content``: the rest of its
small top-level fields) and one row per action, trigger, definition and finding, each holding the
item's JSON as pydantic dumps it (``mode="json"``, by alias). Reading it back is one query per
table and a single ``ConnectorVersion.model_validate``: the round trip is lossless.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from pydantic import ValidationError

from connectory.errors import CatalogError, NotFound
from connectory.model.version import RESERVED_LABELS, Connector, ConnectorVersion, Trigger

from ._tables import CHILD_TABLES, connectors, triggers, version_deletions, versions
from .digest import content_sha256

__all__ = [
    "assemble",
    "child_rows",
    "connector_model",
    "connector_row",
    "default_label",
    "deleted_labels",
    "latest_label",
    "load_trigger",
    "load_version",
    "newest_deprecated",
    "resolve_label",
    "version_labels",
    "version_row",
    "version_values",
]

_CONTENT_FIELDS = frozenset({"fetched_at", "metadata", "auth_methods", "default_auth", "changes"})
_COLUMN_FIELDS = ("protocol", "title", "description", "document_version", "source", "sha256")


def version_values(version: ConnectorVersion) -> dict[str, Any]:
    """The content columns of ``version``'s row (not its label, state or timestamps), with the
    ``content_sha256`` the store computes of it (whatever the caller's object says)."""
    values: dict[str, Any] = {field: getattr(version, field) for field in _COLUMN_FIELDS}
    values["content"] = version.model_dump(mode="json", include=set(_CONTENT_FIELDS))
    values["content_sha256"] = content_sha256(version)
    return values


def child_rows(version_id: int, version: ConnectorVersion) -> dict[str, list[dict[str, Any]]]:
    """The rows of each child table for ``version``, in order (empty lists are left out)."""
    items: dict[str, Sequence[Any]] = {
        "actions": version.actions,
        "triggers": version.triggers,
        "definitions": version.definitions,
        "findings": version.findings,
    }
    rows: dict[str, list[dict[str, Any]]] = {}
    for table, models in items.items():
        if models:
            rows[table] = [
                {
                    "version_id": version_id,
                    "ordinal": ordinal,
                    "name": item.kind if table == "findings" else item.name,
                    "data": item.model_dump(mode="json"),
                }
                for ordinal, item in enumerate(models)
            ]
    return rows


def assemble(
    connector: str, row: Mapping[str, Any], children: Mapping[str, Sequence[Any]]
) -> ConnectorVersion:
    """The version a ``versions`` row (as a mapping) and its children's ``data`` make."""
    data: dict[str, Any] = {field: row[field] for field in _COLUMN_FIELDS}
    data.update(row["content"])
    data.update(
        connector=connector,
        version=row["label"],
        state=row["state"],
        created_at=row["created_at"],
        published_at=row["published_at"],
        sunset=row["sunset"],
        replacement=row["replacement"],
        content_sha256=row["content_sha256"],
    )
    for name in CHILD_TABLES:
        data[name] = children.get(name, [])
    try:
        return ConnectorVersion.model_validate(data)
    except ValidationError as error:
        raise _not_valid(f"{connector}@{row['label']}", "a valid version", error) from None


def _not_valid(what: str, kind: str, error: ValidationError) -> CatalogError:
    first = error.errors()[0]
    at = "/".join(str(part) for part in first["loc"])
    return CatalogError(
        f"{what} as stored is not {kind}: {first['msg']} at /{at} (was the database edited by "
        "hand?)"
    )


def load_version(connection: sa.Connection, connector: str, row: sa.Row[Any]) -> ConnectorVersion:
    """The full version of ``row``: one query per child table."""
    children = {
        name: connection.scalars(
            sa.select(table.c.data).where(table.c.version_id == row.id).order_by(table.c.ordinal)
        ).all()
        for name, table in CHILD_TABLES.items()
    }
    return assemble(connector, row._asdict(), children)


def load_trigger(connection: sa.Connection, ref: str, version_id: int, name: str) -> Trigger:
    """The trigger ``name`` of the version ``version_id`` (``ref``: its ``NAME@LABEL``), read
    alone; ``NotFound`` lists its triggers."""
    query = sa.select(triggers.c.data).where(triggers.c.version_id == version_id)
    data = connection.scalar(query.where(triggers.c.name == name).limit(1))
    if data is None:
        known = connection.scalars(sa.select(triggers.c.name).where(triggers.c.version_id == version_id))  # fmt: skip
        raise NotFound(f"trigger of {ref}", name, known.all())
    try:
        return Trigger.model_validate(data)
    except ValidationError as error:
        raise _not_valid(f"{ref}'s trigger {name!r}", "a valid trigger", error) from None


def connector_model(row: sa.Row[Any]) -> Connector:
    return Connector(
        name=row.name,
        title=row.title,
        protocol=row.protocol,
        description=row.description,
        tags=row.tags,
        vetting_status=row.vetting_status,
        default_version=row.default_version,
        created_at=row.created_at,
    )


def connector_row(connection: sa.Connection, name: str) -> sa.Row[Any]:
    """The ``connectors`` row named ``name``; NotFound lists the known connectors."""
    row = connection.execute(sa.select(connectors).where(connectors.c.name == name)).first()
    if row is None:
        known = connection.scalars(sa.select(connectors.c.name)).all()
        raise NotFound("connector", name, known)
    return row


def version_labels(connection: sa.Connection, connector_id: int) -> list[str]:
    query = sa.select(versions.c.label).where(versions.c.connector_id == connector_id)
    return list(connection.scalars(query.order_by(versions.c.id)))


def deleted_labels(connection: sa.Connection, connector: str) -> list[str]:
    """Labels of deleted published/deprecated versions (the audit trail keeps them)."""
    query = sa.select(version_deletions.c.label).where(version_deletions.c.connector == connector)
    return list(connection.scalars(query))


def _published_last(connection: sa.Connection, connector_id: int, state: str) -> str | None:
    """The version in ``state`` published last (by ``published_at``, then id)."""
    query = (
        sa.select(versions.c.label)
        .where(versions.c.connector_id == connector_id, versions.c.state == state)
        .order_by(versions.c.published_at.desc(), versions.c.id.desc())
        .limit(1)
    )
    return connection.scalar(query)


def latest_label(connection: sa.Connection, connector_id: int) -> str | None:
    """The newest published version (by ``published_at``, then id); deprecated ones do not count."""
    return _published_last(connection, connector_id, "published")


def newest_deprecated(connection: sa.Connection, connector_id: int) -> str | None:
    """The deprecated version published last (by ``published_at``, then id)."""
    return _published_last(connection, connector_id, "deprecated")


def default_label(connection: sa.Connection, connector: sa.Row[Any]) -> str | None:
    """What ``default`` names: the version set as the default, else the newest published one
    (``latest``), else, when every published version is deprecated, the newest of those."""
    if connector.default_version is not None:
        return str(connector.default_version)
    latest = latest_label(connection, connector.id)
    return latest if latest is not None else newest_deprecated(connection, connector.id)


def resolve_label(connection: sa.Connection, connector: sa.Row[Any], label: str) -> str:
    """``latest`` / ``default`` to a stored label; any other label must exist."""
    if label in RESERVED_LABELS:
        latest = (
            default_label(connection, connector)
            if label == "default"
            else latest_label(connection, connector.id)
        )
        if latest is None:
            known = version_labels(connection, connector.id)
            raise NotFound(f"published version of {connector.name} to resolve", label, known)
        return latest
    version_row(connection, connector, label)
    return label


def version_row(
    connection: sa.Connection, connector: sa.Row[Any], label: str, *, lock: str | None = None
) -> sa.Row[Any]:
    """The ``versions`` row of ``connector@label`` (``latest``/``default`` resolve first).

    ``lock``: ``"update"`` or ``"share"`` to lock the row until the transaction ends (PostgreSQL;
    SQLite's write transactions hold the whole database already).
    """
    if label in RESERVED_LABELS:
        label = resolve_label(connection, connector, label)
    query = sa.select(versions).where(
        versions.c.connector_id == connector.id, versions.c.label == label
    )
    if lock is not None:
        query = query.with_for_update(read=lock == "share")
    row = connection.execute(query).first()
    if row is None:
        known = version_labels(connection, connector.id)
        raise NotFound(f"version of {connector.name}", label, known)
    return row

"""The catalogue's schema (SQLAlchemy Core), as the store reads and writes it.

    connectors 1──* versions 1──* actions / triggers / definitions / findings
         │
         └──* board_uses *──1 boards                version_deletions (append-only audit)
                                                    vettings (append-only reviews)
                                                    deliveries (append-only webhook inbox)

A version is a row of metadata columns plus ``content``, a JSON object with the rest of its small
top-level fields (``fetched_at``, protocol metadata, auth methods, default auth). Its actions,
triggers, definitions and findings are rows of their own (an ``ordinal`` keeps their order, ``name``
makes them findable, ``data`` is the item's JSON) so that a 845-action version is written with one
executemany per table and read with one query per table.

JSON columns are ``sqlalchemy.JSON``: TEXT on SQLite and ``json`` (not ``jsonb``) on PostgreSQL,
because ``jsonb`` reorders object keys and a JSON Schema's ``properties`` order is part of what a
reviewer sees; ``json`` keeps the document as written, so both dialects give back the same bytes.

Ids are never reused (``sqlite_autoincrement``; sequences on PostgreSQL): the deletion record of a
version names its id, and the guards must never mistake a new version for a deleted one.

The migration ``migrations/versions/0001_initial.py`` creates these tables by hand (migrations are
frozen history); ``tests/catalog`` checks that the two agree.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

__all__ = [
    "CHILD_TABLES",
    "UTCDateTime",
    "actions",
    "board_uses",
    "boards",
    "connectors",
    "definitions",
    "deliveries",
    "findings",
    "metadata",
    "triggers",
    "version_deletions",
    "versions",
    "vettings",
]


class UTCDateTime(sa.TypeDecorator[datetime]):
    """An aware datetime stored in UTC (SQLite has no time zones; PostgreSQL uses timestamptz)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: the catalogue stores aware datetimes")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _id() -> sa.Column[Any]:
    return sa.Column("id", sa.Integer, primary_key=True, autoincrement=True)


def _version_fk() -> sa.Column[Any]:
    # DEFERRABLE (migration 0004) on PostgreSQL: the store deletes a version before its children,
    # the key checked at the commit. SQLite's tables keep the plain key (SQLite defers any key
    # with ``PRAGMA defer_foreign_keys``; changing the declaration would rebuild the tables).
    fk = sa.ForeignKey("versions.id", deferrable=True, initially="IMMEDIATE")
    return sa.Column("version_id", sa.Integer, fk, nullable=False)


metadata = sa.MetaData()

connectors = sa.Table(
    "connectors",
    metadata,
    _id(),
    sa.Column("name", sa.String(64), nullable=False, unique=True),
    sa.Column("title", sa.Text),
    sa.Column("protocol", sa.String(16), nullable=False),
    sa.Column("description", sa.Text),
    sa.Column("tags", sa.JSON, nullable=False),
    sa.Column("vetting_status", sa.String(32), nullable=False),
    sa.Column("default_version", sa.String(64)),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.CheckConstraint("protocol IN ('http', 'graphql', 'soap')", name="ck_connectors_protocol"),
    sqlite_autoincrement=True,
)

versions = sa.Table(
    "versions",
    metadata,
    _id(),
    sa.Column("connector_id", sa.Integer, sa.ForeignKey("connectors.id"), nullable=False),
    sa.Column("label", sa.String(64), nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("protocol", sa.String(16), nullable=False),
    sa.Column("title", sa.Text),
    sa.Column("description", sa.Text),
    sa.Column("document_version", sa.Text),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("content", sa.JSON, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("published_at", UTCDateTime),
    sa.Column("sunset", sa.Date),
    sa.Column("replacement", sa.Text),
    sa.Column("content_sha256", sa.String(64)),  # computed by the store (``digest``)
    sa.Column("deprecated_at", UTCDateTime),  # migration 0008
    sa.UniqueConstraint("connector_id", "label", name="uq_versions_connector_label"),
    sa.UniqueConstraint("connector_id", "sha256", name="uq_versions_connector_sha256"),
    sa.CheckConstraint("label NOT IN ('latest', 'default')", name="ck_versions_label_reserved"),
    sa.CheckConstraint("state IN ('draft', 'published', 'deprecated')", name="ck_versions_state"),
    sqlite_autoincrement=True,
)


def _child(name: str) -> sa.Table:
    return sa.Table(
        name,
        metadata,
        _id(),
        _version_fk(),
        sa.Column("ordinal", sa.Integer, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.UniqueConstraint("version_id", "ordinal", name=f"uq_{name}_version_ordinal"),
        sqlite_autoincrement=True,
    )


actions = _child("actions")
triggers = _child("triggers")
definitions = _child("definitions")
findings = _child("findings")  # name: the finding's kind
CHILD_TABLES: dict[str, sa.Table] = {
    "actions": actions,
    "triggers": triggers,
    "definitions": definitions,
    "findings": findings,
}

boards = sa.Table(
    "boards",
    metadata,
    _id(),
    sa.Column("name", sa.String(64), nullable=False, unique=True),
    sa.Column("description", sa.Text),
    sa.Column("deployed", sa.Boolean, nullable=False),
    sa.Column("deployed_at", UTCDateTime),
    sa.Column("undeployed_reason", sa.Text),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sqlite_autoincrement=True,
)

board_uses = sa.Table(
    "board_uses",
    metadata,
    _id(),
    sa.Column(
        "board_id", sa.Integer, sa.ForeignKey("boards.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("ordinal", sa.Integer, nullable=False),
    sa.Column("connector_id", sa.Integer, sa.ForeignKey("connectors.id"), nullable=False),
    sa.Column("version", sa.String(64), nullable=False),
    sa.Column("actions", sa.JSON, nullable=False),
    sa.Column("resolved_version", sa.String(64)),
    sa.UniqueConstraint("board_id", "ordinal", name="uq_board_uses_board_ordinal"),
    sa.Index("ix_board_uses_connector", "connector_id"),
    sqlite_autoincrement=True,
)

version_deletions = sa.Table(
    "version_deletions",
    metadata,
    _id(),
    sa.Column("version_id", sa.Integer, nullable=False, unique=True),
    sa.Column("connector", sa.String(64), nullable=False),
    sa.Column("label", sa.String(64), nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("reason", sa.Text),
    sa.Column("boards_undeployed", sa.JSON, nullable=False),
    sa.Column("deleted_at", UTCDateTime, nullable=False),
    sqlite_autoincrement=True,
)


vettings = sa.Table(
    "vettings",
    metadata,
    _id(),
    sa.Column("connector", sa.String(64), nullable=False, index=True),
    sa.Column("label", sa.String(64), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("reviewer", sa.String(200), nullable=False),
    sa.Column("verdict", sa.String(32), nullable=False),
    sa.Column("notes", sa.Text),
    sa.Column("checks", sa.JSON, nullable=False),
    sa.Column("vetted_at", UTCDateTime, nullable=False),
    sqlite_autoincrement=True,
)


deliveries = sa.Table(
    "deliveries",
    metadata,
    _id(),
    sa.Column("connector", sa.String(64), nullable=False, index=True),
    sa.Column("label", sa.String(64), nullable=False),
    sa.Column("trigger", sa.String(200), nullable=False),
    sa.Column("verified", sa.Boolean, nullable=False),
    sa.Column("problems", sa.JSON, nullable=False),
    sa.Column("headers", sa.JSON, nullable=False),
    sa.Column("payload", sa.JSON),
    sa.Column("received_at", UTCDateTime, nullable=False),
    # sha256 of a verified delivery's signature: kept once, so a replay is not kept again (0005)
    sa.Column("signature_sha256", sa.String(64)),
    sa.Index("uq_deliveries_signature_sha256", "signature_sha256", unique=True),
    sqlite_autoincrement=True,
)

"""The catalogue's first schema: connectors, versions and their items, boards, deletion records.

Also creates the immutability guards (``connectory.catalog._guards``) for SQLite or PostgreSQL.
Written by hand, as every migration of the catalogue: it must keep meaning what it meant when it
was released, so it does not import the store's table definitions.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from connectory.catalog.migrations import guards_0001 as guards

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

_AUTOINCREMENT = {"sqlite_autoincrement": True}


def _id() -> sa.Column[Any]:
    return sa.Column("id", sa.Integer, primary_key=True, autoincrement=True)


def _when(name: str, *, nullable: bool = True) -> sa.Column[Any]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _child(name: str) -> None:
    op.create_table(
        name,
        _id(),
        sa.Column("version_id", sa.Integer, sa.ForeignKey("versions.id"), nullable=False),
        sa.Column("ordinal", sa.Integer, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.UniqueConstraint("version_id", "ordinal", name=f"uq_{name}_version_ordinal"),
        **_AUTOINCREMENT,
    )


def upgrade() -> None:
    op.create_table(
        "connectors",
        _id(),
        sa.Column("name", sa.String(64), nullable=False, unique=True),
        sa.Column("title", sa.Text),
        sa.Column("protocol", sa.String(16), nullable=False),
        sa.Column("description", sa.Text),
        sa.Column("tags", sa.JSON, nullable=False),
        sa.Column("vetting_status", sa.String(32), nullable=False),
        sa.Column("default_version", sa.String(64)),
        _when("created_at", nullable=False),
        sa.CheckConstraint(
            "protocol IN ('http', 'graphql', 'soap')", name="ck_connectors_protocol"
        ),
        **_AUTOINCREMENT,
    )
    op.create_table(
        "versions",
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
        _when("created_at", nullable=False),
        _when("published_at"),
        sa.Column("sunset", sa.Date),
        sa.Column("replacement", sa.Text),
        sa.UniqueConstraint("connector_id", "label", name="uq_versions_connector_label"),
        sa.UniqueConstraint("connector_id", "sha256", name="uq_versions_connector_sha256"),
        sa.CheckConstraint("label NOT IN ('latest', 'default')", name="ck_versions_label_reserved"),
        sa.CheckConstraint(
            "state IN ('draft', 'published', 'deprecated')", name="ck_versions_state"
        ),
        **_AUTOINCREMENT,
    )
    for name in guards.GUARDED_CHILDREN:
        _child(name)
    op.create_table(
        "boards",
        _id(),
        sa.Column("name", sa.String(64), nullable=False, unique=True),
        sa.Column("description", sa.Text),
        sa.Column("deployed", sa.Boolean, nullable=False),
        _when("deployed_at"),
        sa.Column("undeployed_reason", sa.Text),
        _when("created_at", nullable=False),
        **_AUTOINCREMENT,
    )
    op.create_table(
        "board_uses",
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
        **_AUTOINCREMENT,
    )
    op.create_index("ix_board_uses_connector", "board_uses", ["connector_id"])
    op.create_table(
        "version_deletions",
        _id(),
        sa.Column("version_id", sa.Integer, nullable=False, unique=True),
        sa.Column("connector", sa.String(64), nullable=False),
        sa.Column("label", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("boards_undeployed", sa.JSON, nullable=False),
        _when("deleted_at", nullable=False),
        **_AUTOINCREMENT,
    )
    for statement in _guards():
        op.execute(sa.text(statement))


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    drops = (
        guards.postgresql_drop_guards() if dialect == "postgresql" else guards.sqlite_drop_guards()
    )
    for statement in drops:
        op.execute(sa.text(statement))
    for table in (
        "version_deletions",
        "board_uses",
        "boards",
        *guards.GUARDED_CHILDREN,
        "versions",
        "connectors",
    ):
        op.drop_table(table)


def _guards() -> list[str]:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        return guards.sqlite_guards()
    if bind.dialect.name == "postgresql":
        schema = bind.scalar(sa.text("SELECT current_schema()"))
        if schema is None:
            raise RuntimeError("no current schema: the search_path names no existing schema")
        return guards.postgresql_guards(bind.dialect.identifier_preparer.quote_identifier(schema))
    raise RuntimeError(f"the catalogue supports SQLite and PostgreSQL, not {bind.dialect.name}")

"""Trigger deliveries: what systems sent to connectors' webhooks, verified and checked. Append-only.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from connectory.catalog.migrations import guards_0001 as guards

revision = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None

_WHAT = "deliveries"


def upgrade() -> None:
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("connector", sa.String(64), nullable=False, index=True),
        sa.Column("label", sa.String(64), nullable=False),
        sa.Column("trigger", sa.String(200), nullable=False),
        sa.Column("verified", sa.Boolean, nullable=False),
        sa.Column("problems", sa.JSON, nullable=False),
        sa.Column("headers", sa.JSON, nullable=False),
        sa.Column("payload", sa.JSON),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sqlite_autoincrement=True,
    )
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        statements = guards.sqlite_append_only("deliveries", _WHAT)
    else:
        schema = bind.scalar(sa.text("SELECT current_schema()"))
        quoted = bind.dialect.identifier_preparer.quote_identifier(schema)
        statements = guards.postgresql_append_only("deliveries", _WHAT, quoted)
    for statement in statements:
        op.execute(sa.text(statement))


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute(sa.text("DROP FUNCTION IF EXISTS connectory_guard_deliveries() CASCADE"))
    op.drop_table("deliveries")

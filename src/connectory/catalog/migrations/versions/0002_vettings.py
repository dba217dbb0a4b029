"""Vetting records: a reviewer's verdict on a version, with the checks they saw. Append-only.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from connectory.catalog.migrations import guards_0001 as guards

revision = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

_WHAT = "vetting records"


def upgrade() -> None:
    op.create_table(
        "vettings",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("connector", sa.String(64), nullable=False, index=True),
        sa.Column("label", sa.String(64), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("reviewer", sa.String(200), nullable=False),
        sa.Column("verdict", sa.String(32), nullable=False),
        sa.Column("notes", sa.Text),
        sa.Column("checks", sa.JSON, nullable=False),
        sa.Column("vetted_at", sa.DateTime(timezone=True), nullable=False),
        sqlite_autoincrement=True,
    )
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        statements = guards.sqlite_append_only("vettings", _WHAT)
    else:
        schema = bind.scalar(sa.text("SELECT current_schema()"))
        quoted = bind.dialect.identifier_preparer.quote_identifier(schema)
        statements = guards.postgresql_append_only("vettings", _WHAT, quoted)
    for statement in statements:
        op.execute(sa.text(statement))


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute(sa.text("DROP FUNCTION IF EXISTS connectory_guard_vettings() CASCADE"))
    op.drop_table("vettings")

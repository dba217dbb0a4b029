"""When a version was deprecated: ``versions.deprecated_at``.

A deprecation is a record (``Catalog.deprecate`` answers with it: when, the sunset, the
replacement); its time was not kept. Versions deprecated before this migration keep NULL (not
known). The column is not content: the guards of 0004 let it change only as the sunset and the
replacement may, when a version becomes deprecated (adding a column fires no row trigger).

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision: str | None = "0007"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.add_column("versions", sa.Column("deprecated_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    op.drop_column("versions", "deprecated_at")  # SQLite 3.35+: no table rebuild, guards kept

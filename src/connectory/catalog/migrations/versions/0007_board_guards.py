"""A deployed board runs only published or deprecated versions, whoever writes the rows.

``Catalog.deploy_board`` resolves each use of a board to a published version before it marks the
board deployed, but nothing in the database held it: a SQL client could point a deployed board's
use at a draft (``UPDATE board_uses SET resolved_version = ...``), or mark a board deployed whose
uses name a draft, and the board would run content nobody vetted. The guards
(``guards.sqlite_board_guards`` / ``postgresql_board_guards``) refuse both.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from connectory.catalog import _guards as guards
from connectory.catalog.migrations.schema import quoted_schema

revision = "0007"
down_revision: str | None = "0006"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        statements = guards.sqlite_board_guards()
    else:
        statements = guards.postgresql_board_guards(quoted_schema(bind))
    for statement in statements:
        op.execute(sa.text(statement))


def downgrade() -> None:
    for statement in guards.board_guards_dropped(op.get_bind().dialect.name):
        op.execute(sa.text(statement))

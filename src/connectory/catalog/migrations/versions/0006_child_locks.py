"""A child's guard locks its version's row (PostgreSQL): no child write slips past a publish.

At READ COMMITTED, a client's UPDATE or DELETE of a draft's action (its guard saw a draft) could
commit just after ``publish`` had locked the version's row and read and hashed its children: the
published version then held content that was never hashed, diffed or vetted. The guards of
``actions``, ``triggers``, ``definitions`` and ``findings`` now take ``FOR SHARE`` on the version's
row first (``guards.postgresql_child_guards``): a write waits for a publish in flight and is then
refused, and a publish waits for writes in flight. SQLite runs one writer at a time: nothing to do.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from connectory.catalog import _guards as guards
from connectory.catalog.migrations.schema import quoted_schema

revision = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None


def _replace(lock_parent: bool) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for statement in guards.postgresql_child_guards(quoted_schema(bind), lock_parent=lock_parent):
        op.execute(sa.text(statement))


def upgrade() -> None:
    _replace(lock_parent=True)


def downgrade() -> None:
    _replace(lock_parent=False)

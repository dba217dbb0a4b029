"""Delivery replays: a verified delivery's signature is kept once (a unique sha256 of it).

The same signed request sent again within its timestamp tolerance (a replay, or a provider's
retry of a delivery already kept) finds the delivery kept with that signature instead of being
kept twice. Unsigned deliveries leave the column NULL, which a unique index never compares.
Adding a column fires no row trigger: the inbox stays append-only. On SQLite, the insert guard of
``deliveries`` (0004) learns the new unique column, so that ``INSERT OR REPLACE`` cannot replace a
delivery by colliding on its signature.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from connectory.catalog import _guards as guards

revision = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None


_BEFORE = ("id",)
_AFTER = ("id", "signature_sha256")


def _sqlite_guards(unique: tuple[str, ...]) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    statements = guards.sqlite_append_only("deliveries", unique)
    for statement in (*guards.sqlite_drop_triggers(statements), *statements):
        op.execute(sa.text(statement))


def upgrade() -> None:
    op.add_column("deliveries", sa.Column("signature_sha256", sa.String(64)))
    op.create_index(
        "uq_deliveries_signature_sha256", "deliveries", ["signature_sha256"], unique=True
    )
    _sqlite_guards(_AFTER)


def downgrade() -> None:
    _sqlite_guards(_BEFORE)
    op.drop_index("uq_deliveries_signature_sha256", table_name="deliveries")
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35+): a batch copy would drop 0003's guards with the
    # old table.
    op.drop_column("deliveries", "signature_sha256")

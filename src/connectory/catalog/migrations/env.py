"""Alembic environment of the catalogue: runs on the connection ``connectory.catalog.migrate`` gives.

``migrate.upgrade`` opens the transaction (taking PostgreSQL's advisory lock first) and passes the
connection as ``config.attributes["connection"]``; Alembic sees a transaction already open and runs
every migration inside it, so an upgrade is all or nothing on both dialects (SQLite's DDL is
transactional too). There is no offline (SQL script) mode.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

connection = context.config.attributes.get("connection")
if not isinstance(connection, sa.Connection):
    raise RuntimeError(
        "the catalogue's migrations run through connectory.catalog.migrate.upgrade(engine), "
        "which passes the connection in config.attributes['connection']"
    )
context.configure(connection=connection, target_metadata=None)
with context.begin_transaction():
    context.run_migrations()

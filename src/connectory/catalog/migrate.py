"""Bring a catalogue database to the current schema with Alembic, run from code.

No ``alembic.ini``: the configuration is built here, with ``script_location`` pointing at the
``migrations`` folder inside this package, and the connection handed over in
``config.attributes["connection"]``. The whole upgrade runs in one transaction:

* on PostgreSQL it first takes ``pg_advisory_xact_lock`` on a key derived from the current schema,
  so that several workers opening a fresh catalogue at once upgrade it one after the other (the
  later ones find it at head and do nothing); the lock goes with the transaction;
* on SQLite the transaction starts with ``BEGIN IMMEDIATE`` (see ``engine``), which serialises the
  upgraders the same way.

Running it again at head is a no-op, and does not load Alembic: a catalogue whose
``alembic_version`` names the newest revision (read from the migrations' file names) is left as it
is, so that a command opening it starts fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa

if TYPE_CHECKING:
    from alembic.config import Config

__all__ = [
    "MIGRATIONS",
    "alembic_config",
    "current_revision",
    "head_revision",
    "newest_revision",
    "upgrade",
]

MIGRATIONS = Path(__file__).with_name("migrations")
_LOCK_KEY = "connectory.catalog.migrate:"
_PG_LOCK = sa.text(
    "SELECT pg_advisory_xact_lock(hashtext(:prefix || coalesce(current_schema(), '')))"
)


def alembic_config(connection: sa.Connection | None = None) -> Config:
    """An Alembic configuration for the catalogue's migrations (optionally bound to a connection)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("path_separator", "os")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The revision the code expects."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError(f"no migrations found in {MIGRATIONS}")
    return head


def current_revision(engine: sa.Engine) -> str | None:
    """The revision the database is at (None for an empty database)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: sa.Engine, revision: str = "head") -> None:
    """Migrate the database of ``engine`` to ``revision``, safely against concurrent upgraders."""
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(_PG_LOCK, {"prefix": _LOCK_KEY})
        if revision == "head" and _stored_revisions(connection) == [newest_revision()]:
            return
        from alembic import command

        command.upgrade(alembic_config(connection), revision)


def newest_revision() -> str:
    """The newest revision, from the migrations' file names (``0007_board_guards.py`` holds
    revision ``0007``, each following the one before; a test checks it is Alembic's head)."""
    return max(path.name.partition("_")[0] for path in MIGRATIONS.glob("versions/[0-9]*_*.py"))


def _stored_revisions(connection: sa.Connection) -> list[str]:
    """The revisions the database's ``alembic_version`` holds (none when it has no such table)."""
    if not sa.inspect(connection).has_table("alembic_version"):
        return []
    return list(connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalars())

"""Trust: the hash the store computes of each version, and guards that hold for any client.

* ``versions.content_sha256``: the hash of the version as stored (``connectory.catalog.digest``),
  computed here for the versions already stored; the vettings of a version, which named its
  source document's sha256, now name that hash (what an approval binds to).
* The guards of ``0001``-``0003`` are replaced by ``connectory.catalog._guards``: they no longer
  rely on SQLite's ``recursive_triggers`` and ``foreign_keys`` pragmas, forged deletion records and
  dangling default versions are refused, and a published version's children stay while it exists.
* PostgreSQL: the foreign keys from a version's children to ``versions`` become DEFERRABLE
  (initially immediate), so that the store deletes a version before its children.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from connectory.catalog import _guards as guards
from connectory.catalog._rows import assemble
from connectory.catalog.digest import content_sha256
from connectory.catalog.migrations import guards_0001
from connectory.catalog.migrations.schema import quoted_schema

revision = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None

_APPEND_ONLY_0001 = {"vettings": "vetting records", "deliveries": "deliveries"}
_VERSION_COLUMNS = (
    "id",
    "connector_id",
    "label",
    "state",
    "protocol",
    "title",
    "description",
    "document_version",
    "source",
    "sha256",
)


def _run(statements: list[str]) -> None:
    for statement in statements:
        op.execute(sa.text(statement))


def _drop_earlier_guards(bind: sa.Connection) -> None:
    if bind.dialect.name == "sqlite":
        _run(guards_0001.sqlite_drop_guards())
        _run(
            [
                f"DROP TRIGGER IF EXISTS connectory_{t}_{op}"
                for t in _APPEND_ONLY_0001
                for op in ("update", "delete")
            ]
        )
    else:
        _run(guards_0001.postgresql_drop_guards())
        _run([f"DROP FUNCTION IF EXISTS connectory_guard_{t}() CASCADE" for t in _APPEND_ONLY_0001])


def _create_earlier_guards(bind: sa.Connection) -> None:
    if bind.dialect.name == "sqlite":
        _run(guards_0001.sqlite_guards())
        for table, what in _APPEND_ONLY_0001.items():
            _run(guards_0001.sqlite_append_only(table, what))
    else:
        schema = quoted_schema(bind)
        _run(guards_0001.postgresql_guards(schema))
        for table, what in _APPEND_ONLY_0001.items():
            _run(guards_0001.postgresql_append_only(table, what, schema))


def _child_foreign_keys(bind: sa.Connection) -> list[tuple[str, str]]:
    rows = bind.execute(
        sa.text(
            "SELECT conrelid::regclass::text, conname FROM pg_constraint "
            "WHERE contype = 'f' AND confrelid = 'versions'::regclass"
        )
    )
    return [(table, name) for table, name in rows if table in guards.GUARDED_CHILDREN]


def _set_deferrable(bind: sa.Connection, deferrable: bool) -> None:
    if bind.dialect.name != "postgresql":
        return
    quote = bind.dialect.identifier_preparer.quote_identifier
    mode = "DEFERRABLE INITIALLY IMMEDIATE" if deferrable else "NOT DEFERRABLE"
    _run(
        [
            f"ALTER TABLE {quote(table)} ALTER CONSTRAINT {quote(name)} {mode}"
            for table, name in _child_foreign_keys(bind)
        ]
    )


def _hashes(bind: sa.Connection) -> dict[int, tuple[str, str, str, str]]:
    """Every stored version's id -> (connector, label, document sha256, content sha256)."""
    versions = sa.table(
        "versions", *(sa.column(name) for name in _VERSION_COLUMNS), sa.column("content", sa.JSON)
    )
    connectors = sa.table("connectors", sa.column("id"), sa.column("name"))
    found: dict[int, tuple[str, str, str, str]] = {}
    query = sa.select(versions, connectors.c.name.label("connector")).join(
        connectors, connectors.c.id == versions.c.connector_id
    )
    for row in bind.execute(query).mappings():
        children: dict[str, list[Any]] = {}
        for table in guards.GUARDED_CHILDREN:
            child = sa.table(
                table, sa.column("version_id"), sa.column("ordinal"), sa.column("data", sa.JSON)
            )
            children[table] = list(
                bind.scalars(
                    sa.select(child.c.data)
                    .where(child.c.version_id == row["id"])
                    .order_by(child.c.ordinal)
                )
            )
        stored = {
            **row,
            "created_at": None,
            "published_at": None,
            "sunset": None,
            "replacement": None,
            "content_sha256": None,
        }
        version = assemble(row["connector"], stored, children)
        found[row["id"]] = (row["connector"], row["label"], row["sha256"], content_sha256(version))
    return found


def _rebind_vettings(
    bind: sa.Connection, hashes: dict[int, tuple[str, str, str, str]], *, up: bool
) -> None:
    vettings = sa.table("vettings", sa.column("connector"), sa.column("label"), sa.column("sha256"))
    for connector, label, document, content in hashes.values():
        old, new = (document, content) if up else (content, document)
        bind.execute(
            vettings.update()
            .where(
                vettings.c.connector == connector,
                vettings.c.label == label,
                vettings.c.sha256 == old,
            )
            .values(sha256=new)
        )


def upgrade() -> None:
    bind = op.get_bind()
    _drop_earlier_guards(bind)
    op.add_column("versions", sa.Column("content_sha256", sa.String(64)))
    hashes = _hashes(bind)
    table = sa.table("versions", sa.column("id"), sa.column("content_sha256"))
    for version_id, (_, _, _, content) in hashes.items():
        bind.execute(table.update().where(table.c.id == version_id).values(content_sha256=content))
    _rebind_vettings(bind, hashes, up=True)
    _set_deferrable(bind, True)
    if bind.dialect.name == "sqlite":
        _run(guards.sqlite_guards())
    else:
        _run(guards.postgresql_guards(quoted_schema(bind), lock_parent=False))  # 0006 adds the lock


def downgrade() -> None:
    bind = op.get_bind()
    _run(
        guards.sqlite_drop_guards()
        if bind.dialect.name == "sqlite"
        else guards.postgresql_drop_guards()
    )
    _set_deferrable(bind, False)
    _rebind_vettings(bind, _hashes(bind), up=False)
    op.drop_column("versions", "content_sha256")
    _create_earlier_guards(bind)

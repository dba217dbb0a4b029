"""Frozen: the database guards as migrations 0001 to 0003 created them (``0004`` replaces them).

Migrations are history: this module keeps the SQL those migrations ran, verbatim, so that a new
database is migrated step by step exactly as an old one was. The guards in force are
``connectory.catalog._guards``; read that module for what they hold.
"""

from __future__ import annotations

__all__ = [
    "GUARDED_CHILDREN",
    "VERSION_CONTENT_COLUMNS",
    "postgresql_append_only",
    "postgresql_drop_guards",
    "postgresql_guards",
    "sqlite_append_only",
    "sqlite_drop_guards",
    "sqlite_guards",
]

GUARDED_CHILDREN = ("actions", "triggers", "definitions", "findings")
VERSION_CONTENT_COLUMNS = (
    "id",
    "connector_id",
    "label",
    "protocol",
    "title",
    "description",
    "document_version",
    "source",
    "sha256",
    "content",
    "created_at",
    "published_at",
)
_IMMUTABLE = "a published or deprecated version is immutable"
_BORN_DRAFT = (
    "a version is inserted as a draft and published by an update, so that a published version "
    "is immutable from its first moment"
)
_NOT_DRAFT = "state <> 'draft'"

# -- SQLite ---------------------------------------------------------------------------------------


def _sqlite_trigger(name: str, timing: str, when: str, message: str) -> str:
    message = message.replace("'", "''")
    return (
        f"CREATE TRIGGER {name} {timing} FOR EACH ROW WHEN {when}\n"
        f"BEGIN SELECT RAISE(ABORT, 'connectory: {message}'); END"
    )


def _sqlite_parent_not_draft(row: str) -> str:
    return f"(SELECT state FROM versions WHERE id = {row}.version_id) <> 'draft'"


def _deletion_recorded(version_id: str) -> str:
    return f"EXISTS (SELECT 1 FROM version_deletions WHERE version_id = {version_id})"


def sqlite_guards() -> list[str]:
    """The CREATE TRIGGER statements for SQLite, in order."""
    changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in VERSION_CONTENT_COLUMNS)
    collides = (
        f"EXISTS (SELECT 1 FROM versions WHERE id = NEW.id AND {_NOT_DRAFT})"
        f" OR EXISTS (SELECT 1 FROM versions WHERE connector_id = NEW.connector_id"
        f" AND label = NEW.label AND {_NOT_DRAFT})"
        f" OR EXISTS (SELECT 1 FROM versions WHERE connector_id = NEW.connector_id"
        f" AND sha256 = NEW.sha256 AND {_NOT_DRAFT})"
        f" OR {_deletion_recorded('NEW.id')}"
    )
    statements = [
        _sqlite_trigger(
            "connectory_versions_insert_draft",
            "BEFORE INSERT ON versions",
            f"NEW.{_NOT_DRAFT}",
            _BORN_DRAFT,
        ),
        _sqlite_trigger(
            "connectory_versions_insert",
            "BEFORE INSERT ON versions",
            collides,
            f"{_IMMUTABLE}: it cannot be replaced, and a deleted version's id is never reused",
        ),
        _sqlite_trigger(
            "connectory_versions_update",
            "BEFORE UPDATE ON versions",
            f"OLD.{_NOT_DRAFT} AND (NEW.state <> 'deprecated' OR {changed})",
            f"{_IMMUTABLE}: only published -> deprecated (with sunset and replacement) is allowed",
        ),
        _sqlite_trigger(
            "connectory_versions_delete",
            "BEFORE DELETE ON versions",
            f"OLD.{_NOT_DRAFT} AND NOT {_deletion_recorded('OLD.id')}",
            f"{_IMMUTABLE}: delete it through the catalogue (delete_version with confirm), "
            "which records the deletion first",
        ),
    ]
    for table in GUARDED_CHILDREN:
        same_id_published = (
            f"EXISTS (SELECT 1 FROM {table} AS c JOIN versions AS v ON v.id = c.version_id"
            f" WHERE c.id = NEW.id AND v.{_NOT_DRAFT})"
        )
        message = f"{_IMMUTABLE}: its {table} cannot be added, changed, replaced or deleted"
        statements += [
            _sqlite_trigger(
                f"connectory_{table}_insert",
                f"BEFORE INSERT ON {table}",
                f"{_sqlite_parent_not_draft('NEW')} OR {same_id_published}",
                message,
            ),
            _sqlite_trigger(
                f"connectory_{table}_update",
                f"BEFORE UPDATE ON {table}",
                f"{_sqlite_parent_not_draft('OLD')} OR {_sqlite_parent_not_draft('NEW')}",
                message,
            ),
            _sqlite_trigger(
                f"connectory_{table}_delete",
                f"BEFORE DELETE ON {table}",
                f"{_sqlite_parent_not_draft('OLD')} AND NOT {_deletion_recorded('OLD.version_id')}",
                message,
            ),
        ]
    audit = "the version_deletions audit trail is append-only: its rows are immutable"
    connector_changed = "NEW.id IS NOT OLD.id OR NEW.name IS NOT OLD.name"
    statements += [
        _sqlite_trigger(
            "connectory_version_deletions_update", "BEFORE UPDATE ON version_deletions", "1", audit
        ),
        _sqlite_trigger(
            "connectory_version_deletions_delete", "BEFORE DELETE ON version_deletions", "1", audit
        ),
        _sqlite_trigger(
            "connectory_connectors_update",
            "BEFORE UPDATE ON connectors",
            f"({connector_changed} OR NEW.protocol IS NOT OLD.protocol) AND EXISTS "
            f"(SELECT 1 FROM versions WHERE connector_id = OLD.id AND {_NOT_DRAFT})",
            "the name and protocol of a connector with published versions are immutable",
        ),
    ]
    return statements


def sqlite_drop_guards() -> list[str]:
    """DROP TRIGGER statements undoing ``sqlite_guards``."""
    names = [
        "connectory_versions_insert_draft",
        "connectory_versions_insert",
        "connectory_versions_update",
        "connectory_versions_delete",
        *(
            f"connectory_{t}_{op}"
            for t in GUARDED_CHILDREN
            for op in ("insert", "update", "delete")
        ),
        "connectory_version_deletions_update",
        "connectory_version_deletions_delete",
        "connectory_connectors_update",
    ]
    return [f"DROP TRIGGER IF EXISTS {name}" for name in names]


# -- PostgreSQL -----------------------------------------------------------------------------------


def _pg_raise(message: str, *args: str) -> str:
    """A RAISE of SQLSTATE 23001 (an IntegrityError to the driver), ``%`` filled from ``args``."""
    message = message.replace("'", "''")
    params = "".join(f", {arg}" for arg in args)
    return f"RAISE EXCEPTION 'connectory: {message}'{params} USING ERRCODE = 'restrict_violation';"


def _pg_function(name: str, schema: str, body: str) -> str:
    return (
        f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql\n"
        f"SET search_path = {schema}, pg_temp AS $guard$\nBEGIN\n{body}\nEND\n$guard$"
    )


def _pg_parent_not_draft(row: str) -> str:
    return f"EXISTS (SELECT 1 FROM versions v WHERE v.id = {row}.version_id AND v.{_NOT_DRAFT})"


def _pg_versions_body() -> str:
    changed = " OR ".join(
        f"NEW.{c}::text IS DISTINCT FROM OLD.{c}::text"
        if c == "content"  # json has no equality operator; its text is what was written
        else f"NEW.{c} IS DISTINCT FROM OLD.{c}"
        for c in VERSION_CONTENT_COLUMNS
    )
    born_draft = _pg_raise(f"{_BORN_DRAFT} (label %)", "NEW.label")
    replaced = _pg_raise(
        f"{_IMMUTABLE}: it cannot be replaced, and a deleted version's id is never reused "
        "(label %)",
        "NEW.label",
    )
    changed_refused = _pg_raise(
        f"{_IMMUTABLE}: only published -> deprecated (with sunset and replacement) is allowed "
        "(label % is %)",
        "OLD.label",
        "OLD.state",
    )
    deleted_refused = _pg_raise(
        f"{_IMMUTABLE}: delete it through the catalogue (delete_version with confirm), which "
        "records the deletion first (label % is %)",
        "OLD.label",
        "OLD.state",
    )
    return f"""
IF TG_OP = 'INSERT' THEN
  IF NEW.{_NOT_DRAFT} THEN
    {born_draft}
  END IF;
  IF EXISTS (SELECT 1 FROM versions WHERE id = NEW.id AND {_NOT_DRAFT})
     OR EXISTS (SELECT 1 FROM versions WHERE connector_id = NEW.connector_id
                AND label = NEW.label AND {_NOT_DRAFT})
     OR EXISTS (SELECT 1 FROM versions WHERE connector_id = NEW.connector_id
                AND sha256 = NEW.sha256 AND {_NOT_DRAFT})
     OR {_deletion_recorded("NEW.id")} THEN
    {replaced}
  END IF;
  RETURN NEW;
ELSIF TG_OP = 'UPDATE' THEN
  IF OLD.{_NOT_DRAFT} AND (NEW.state <> 'deprecated' OR {changed}) THEN
    {changed_refused}
  END IF;
  RETURN NEW;
END IF;
IF OLD.{_NOT_DRAFT} AND NOT {_deletion_recorded("OLD.id")} THEN
  {deleted_refused}
END IF;
RETURN OLD;"""


def _pg_child_body(table: str) -> str:
    refuse = _pg_raise(
        f"{_IMMUTABLE}: its {table} cannot be added, changed, replaced or deleted (version %)",
        "{row}.version_id",
    )
    return f"""
IF TG_OP = 'INSERT' THEN
  IF {_pg_parent_not_draft("NEW")} OR EXISTS (
      SELECT 1 FROM {table} c JOIN versions v ON v.id = c.version_id
      WHERE c.id = NEW.id AND v.{_NOT_DRAFT}) THEN
    {refuse.format(row="NEW")}
  END IF;
  RETURN NEW;
ELSIF TG_OP = 'UPDATE' THEN
  IF {_pg_parent_not_draft("OLD")} THEN
    {refuse.format(row="OLD")}
  END IF;
  IF {_pg_parent_not_draft("NEW")} THEN
    {refuse.format(row="NEW")}
  END IF;
  RETURN NEW;
END IF;
IF {_pg_parent_not_draft("OLD")} AND NOT {_deletion_recorded("OLD.version_id")} THEN
  {refuse.format(row="OLD")}
END IF;
RETURN OLD;"""


def postgresql_guards(schema: str) -> list[str]:
    """The functions and triggers for PostgreSQL, for the tables in ``schema`` (a quoted name)."""
    audit = "the version_deletions audit trail is append-only: its rows are immutable"
    statements = [
        _pg_function("connectory_guard_versions", schema, _pg_versions_body()),
        "CREATE TRIGGER connectory_guard BEFORE INSERT OR UPDATE OR DELETE ON versions "
        "FOR EACH ROW EXECUTE FUNCTION connectory_guard_versions()",
    ]
    for table in GUARDED_CHILDREN:
        statements += [
            _pg_function(f"connectory_guard_{table}", schema, _pg_child_body(table)),
            f"CREATE TRIGGER connectory_guard BEFORE INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION connectory_guard_{table}()",
        ]
    statements += [
        _pg_function("connectory_guard_version_deletions", schema, _pg_raise(audit)),
        "CREATE TRIGGER connectory_guard BEFORE UPDATE OR DELETE ON version_deletions "
        "FOR EACH ROW EXECUTE FUNCTION connectory_guard_version_deletions()",
        _pg_function(
            "connectory_guard_connectors",
            schema,
            "IF (NEW.id IS DISTINCT FROM OLD.id OR NEW.name IS DISTINCT FROM OLD.name\n"
            "    OR NEW.protocol IS DISTINCT FROM OLD.protocol) AND EXISTS (\n"
            f"    SELECT 1 FROM versions WHERE connector_id = OLD.id AND {_NOT_DRAFT}) THEN\n"
            "  "
            + _pg_raise(
                "the name and protocol of a connector with published versions are immutable "
                "(connector %)",
                "OLD.name",
            )
            + "\nEND IF;\nRETURN NEW;",
        ),
        "CREATE TRIGGER connectory_guard BEFORE UPDATE ON connectors "
        "FOR EACH ROW EXECUTE FUNCTION connectory_guard_connectors()",
        _pg_function(
            "connectory_guard_truncate",
            schema,
            f"IF EXISTS (SELECT 1 FROM versions WHERE {_NOT_DRAFT})\n"
            "   OR (TG_TABLE_NAME = 'version_deletions' AND EXISTS "
            "(SELECT 1 FROM version_deletions)) THEN\n  "
            + _pg_raise(f"{_IMMUTABLE}: % cannot be truncated", "TG_TABLE_NAME")
            + "\nEND IF;\nRETURN NULL;",
        ),
    ]
    for table in ("versions", *GUARDED_CHILDREN, "version_deletions"):
        statements.append(
            f"CREATE TRIGGER connectory_guard_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION connectory_guard_truncate()"
        )
    return statements


def postgresql_drop_guards() -> list[str]:
    """DROP statements undoing ``postgresql_guards`` (dropping a function drops its triggers)."""
    functions = [
        "connectory_guard_versions",
        *(f"connectory_guard_{t}" for t in GUARDED_CHILDREN),
        "connectory_guard_version_deletions",
        "connectory_guard_connectors",
        "connectory_guard_truncate",
    ]
    return [f"DROP FUNCTION IF EXISTS {name}() CASCADE" for name in functions]


# -- append-only tables (later migrations) -------------------------------------------------------


def sqlite_append_only(table: str, what: str) -> list[str]:
    """Triggers that refuse every UPDATE and DELETE on ``table`` (SQLite)."""
    message = f"{what} are append-only: their rows are immutable"
    return [
        _sqlite_trigger(f"connectory_{table}_{op}", f"BEFORE {op.upper()} ON {table}", "1", message)
        for op in ("update", "delete")
    ]


def postgresql_append_only(table: str, what: str, schema: str) -> list[str]:
    """A function and triggers that refuse every UPDATE, DELETE and TRUNCATE on ``table``."""
    function = f"connectory_guard_{table}"
    return [
        _pg_function(
            function, schema, _pg_raise(f"{what} are append-only: their rows are immutable")
        ),
        f"CREATE TRIGGER connectory_guard BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {function}()",
        f"CREATE TRIGGER connectory_guard_truncate BEFORE TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
    ]

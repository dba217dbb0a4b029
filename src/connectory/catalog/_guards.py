"""Trust in the database itself: the triggers that guard published versions, for any client.

The store checks every operation before it writes, but a check in Python protects nothing from a
second process, an old version of the code, or someone with a SQL prompt. These triggers are the
backstop. They hold for any client of the database, on SQLite and on PostgreSQL alike, whatever
its session settings: they do not rely on SQLite's ``recursive_triggers`` or ``foreign_keys``
pragmas (a plain ``sqlite3`` connection sets neither), because every way a row can disappear
without a DELETE (``INSERT OR REPLACE``, ``UPDATE OR REPLACE``, ``REPLACE INTO``: the row that
conflicts on a unique key is deleted silently) is refused before it happens.

Invariants, each enforced by the triggers named after its table:

``versions``
    * A row's ``id`` never changes.
    * A version is inserted as a ``draft`` and published by an UPDATE (after its children are in),
      and no new or changed row may take the id, ``(connector_id, label)`` or
      ``(connector_id, sha256)`` of a published or deprecated row, nor the id of a deleted one.
    * A published or deprecated row may only become (or stay) ``deprecated``, with ``sunset`` and
      ``replacement`` the only other columns allowed to change: every content column (including
      ``content_sha256``, the hash the store sealed it with) stays as it is.
    * A published or deprecated row may be deleted only when its deletion is recorded in
      ``version_deletions``, no deployed board runs it (``board_uses.resolved_version``), and it is
      not its connector's default version: deletion un-deploys boards first, whoever deletes.

``actions``, ``triggers``, ``definitions``, ``findings`` (a version's children)
    * Ids never change; a child of a published or deprecated version cannot be inserted, changed,
      moved, replaced or deleted while that version exists. (``Catalog.delete_version`` deletes
      the version row first, with the foreign keys to it deferred to the commit, then its
      children.)
    * On PostgreSQL a child's guard locks its version's row (``FOR SHARE``, migration 0006) before
      it looks at its state: at READ COMMITTED a child write in flight would otherwise commit
      just after a publish had read and hashed the children, changing a published version. Now
      the write waits for the publish and is refused, or the publish waits for the write.

``version_deletions`` (the audit trail)
    * Append-only: no UPDATE, no DELETE, no row replaced.
    * A row must describe an existing published or deprecated version exactly (its id, connector,
      label, state and sha256): a record cannot be forged for another version, a future id, or a
      draft.

``connectors``
    * Ids never change; the name and protocol of a connector with published versions are
      immutable; no row may be replaced by another's name or id.
    * ``default_version`` is NULL or the label of one of its published or deprecated versions.
    * A connector with versions cannot be deleted.

``vettings``, ``deliveries``: append-only (no UPDATE, no DELETE, no row replaced).

``boards``, ``board_uses`` (migration 0007)
    * A deployed board's uses resolve only to published or deprecated versions: no use of a
      deployed board may be pointed at a draft, and no board may be marked deployed while a use
      names one.

On PostgreSQL statement-level BEFORE TRUNCATE triggers also refuse to truncate the append-only
tables at all, and the others while any published or deprecated version (or any audit row) exists, and the foreign keys from the
children to ``versions`` are ``DEFERRABLE`` so that the store can delete a version before its
children. The trigger functions pin their ``search_path`` to the schema they were created in.

Every message starts with ``connectory:``; both dialects report the error as an integrity
violation (SQLite ``RAISE(ABORT, ...)``; PostgreSQL SQLSTATE 23001 ``restrict_violation``), which
``_failures.raising_catalog_errors`` turns into ``ImmutableVersion``.

What no trigger can stop is whoever may change the schema: on PostgreSQL the owner of the tables
(``ALTER TABLE ... DISABLE TRIGGER``, ``DROP TRIGGER``), so run the application with a role that
does not own them (README: "A PostgreSQL catalogue for a team"); on SQLite, anyone who can write
the file. Migration ``0004_trust`` creates these guards (``0001``-``0003`` created the earlier ones,
kept verbatim in ``migrations/guards_0001``). The SQL here is part of that migration's meaning:
to change a guard once released, add a migration that drops it and creates a new one.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "APPEND_ONLY",
    "GUARDED_CHILDREN",
    "VERSION_CONTENT_COLUMNS",
    "board_guards_dropped",
    "postgresql_board_guards",
    "postgresql_child_guards",
    "postgresql_drop_guards",
    "postgresql_guards",
    "sqlite_append_only",
    "sqlite_board_guards",
    "sqlite_drop_guards",
    "sqlite_drop_triggers",
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
    "content_sha256",
)
APPEND_ONLY = {"vettings": "vetting records", "deliveries": "deliveries"}
"""Tables whose rows are never changed or removed, and how their messages name them."""

_IMMUTABLE = "a published or deprecated version is immutable"
_BORN_DRAFT = (
    "a version is inserted as a draft and published by an update, so that a published version "
    "is immutable from its first moment"
)
_REPLACED = f"{_IMMUTABLE}: it cannot be replaced, and a deleted version's id is never reused"
_CHANGED = f"{_IMMUTABLE}: only published -> deprecated (with sunset and replacement) is allowed"
_DELETED = (
    f"{_IMMUTABLE}: delete it through the catalogue (delete_version with confirm), which records "
    "the deletion, undeploys the boards running it and clears it as the default first"
)
_ID_CHANGED = "ids are immutable: a row's id never changes"
_AUDIT = "the version_deletions audit trail is append-only: its rows are immutable"
_FORGED = (
    "a deletion record must describe an existing published or deprecated version exactly "
    "(version_id, connector, label, state, sha256)"
)
_CONNECTOR = "the name and protocol of a connector with published versions are immutable"
_DEFAULT = "a connector's default_version must name one of its published or deprecated versions"
_CONNECTOR_DELETED = (
    "a connector with versions is immutable in this respect: it cannot be deleted (delete its "
    "versions first)"
)
_CONNECTOR_REPLACED = (
    "connectors are immutable in this respect: one cannot be replaced by another with its id or "
    "name"
)
_NOT_DRAFT = "state <> 'draft'"


# -- conditions both dialects share ---------------------------------------------------------------


def _deletion_recorded(version_id: str) -> str:
    return f"EXISTS (SELECT 1 FROM version_deletions WHERE version_id = {version_id})"


def _parent_not_draft(row: str) -> str:
    return f"EXISTS (SELECT 1 FROM versions v WHERE v.id = {row}.version_id AND v.{_NOT_DRAFT})"


def _version_collides(row: str, *, other_than: str | None = None) -> str:
    """Whether ``row`` (NEW) would take the place of a published or deprecated version."""
    others = f" AND id <> {other_than}" if other_than else ""
    return (
        f"EXISTS (SELECT 1 FROM versions WHERE {_NOT_DRAFT}{others} AND (id = {row}.id"
        f" OR (connector_id = {row}.connector_id AND (label = {row}.label"
        f" OR sha256 = {row}.sha256))))"
        f" OR {_deletion_recorded(f'{row}.id')}"
    )


def _runs_on_a_board(row: str) -> str:
    return (
        "EXISTS (SELECT 1 FROM board_uses u JOIN boards b ON b.id = u.board_id"
        f" WHERE b.deployed AND u.connector_id = {row}.connector_id"
        f" AND u.resolved_version = {row}.label)"
    )


def _is_default(row: str) -> str:
    return (
        f"EXISTS (SELECT 1 FROM connectors WHERE id = {row}.connector_id"
        f" AND default_version = {row}.label)"
    )


def _deletion_refused(row: str) -> str:
    return (
        f"{row}.{_NOT_DRAFT} AND (NOT {_deletion_recorded(f'{row}.id')}"
        f" OR {_runs_on_a_board(row)} OR {_is_default(row)})"
    )


def _forged_deletion(row: str) -> str:
    return (
        "NOT EXISTS (SELECT 1 FROM versions v JOIN connectors c ON c.id = v.connector_id"
        f" WHERE v.id = {row}.version_id AND v.{_NOT_DRAFT} AND v.state = {row}.state"
        f" AND v.label = {row}.label AND v.sha256 = {row}.sha256 AND c.name = {row}.connector)"
    )


def _bad_default(row: str) -> str:
    return (
        f"{row}.default_version IS NOT NULL AND NOT EXISTS (SELECT 1 FROM versions"
        f" WHERE connector_id = {row}.id AND label = {row}.default_version AND {_NOT_DRAFT})"
    )


def _has_published(connector_id: str) -> str:
    return f"EXISTS (SELECT 1 FROM versions WHERE connector_id = {connector_id} AND {_NOT_DRAFT})"


def _exists_with(table: str, row: str, columns: Sequence[str], *, other_than: str | None) -> str:
    others = f" AND id <> {other_than}" if other_than else ""
    keys = " OR ".join(f"{column} = {row}.{column}" for column in columns)
    return f"EXISTS (SELECT 1 FROM {table} WHERE ({keys}){others})"


# -- SQLite ---------------------------------------------------------------------------------------


def _sqlite_trigger(name: str, timing: str, when: str, message: str) -> str:
    message = message.replace("'", "''")
    return (
        f"CREATE TRIGGER {name} {timing} FOR EACH ROW WHEN {when}\n"
        f"BEGIN SELECT RAISE(ABORT, 'connectory: {message}'); END"
    )


def _sqlite_versions() -> list[str]:
    changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in VERSION_CONTENT_COLUMNS)
    return [
        _sqlite_trigger(
            "connectory_versions_insert_draft",
            "BEFORE INSERT ON versions",
            f"NEW.{_NOT_DRAFT}",
            _BORN_DRAFT,
        ),
        _sqlite_trigger(
            "connectory_versions_insert",
            "BEFORE INSERT ON versions",
            _version_collides("NEW"),
            _REPLACED,
        ),
        _sqlite_trigger(
            "connectory_versions_update_id",
            "BEFORE UPDATE ON versions",
            "NEW.id IS NOT OLD.id",
            _ID_CHANGED,
        ),
        _sqlite_trigger(
            "connectory_versions_update_replace",
            "BEFORE UPDATE ON versions",
            _version_collides("NEW", other_than="OLD.id"),
            _REPLACED,
        ),
        _sqlite_trigger(
            "connectory_versions_update",
            "BEFORE UPDATE ON versions",
            f"OLD.{_NOT_DRAFT} AND (NEW.state IS NOT 'deprecated' OR {changed})",
            _CHANGED,
        ),
        _sqlite_trigger(
            "connectory_versions_delete",
            "BEFORE DELETE ON versions",
            _deletion_refused("OLD"),
            _DELETED,
        ),
    ]


def _sqlite_children() -> list[str]:
    statements = []
    for table in GUARDED_CHILDREN:
        message = f"{_IMMUTABLE}: its {table} cannot be added, changed, replaced or deleted"
        of_a_published = (
            f"EXISTS (SELECT 1 FROM {table} AS c JOIN versions AS v ON v.id = c.version_id"
            f" WHERE v.{_NOT_DRAFT} AND (c.id = NEW.id"
            " OR (c.version_id = NEW.version_id AND c.ordinal = NEW.ordinal)))"
        )
        statements += [
            _sqlite_trigger(
                f"connectory_{table}_insert",
                f"BEFORE INSERT ON {table}",
                f"{_parent_not_draft('NEW')} OR {of_a_published}",
                message,
            ),
            _sqlite_trigger(
                f"connectory_{table}_update_id",
                f"BEFORE UPDATE ON {table}",
                "NEW.id IS NOT OLD.id",
                _ID_CHANGED,
            ),
            _sqlite_trigger(
                f"connectory_{table}_update",
                f"BEFORE UPDATE ON {table}",
                f"{_parent_not_draft('OLD')} OR {_parent_not_draft('NEW')} OR {of_a_published}",
                message,
            ),
            _sqlite_trigger(
                f"connectory_{table}_delete",
                f"BEFORE DELETE ON {table}",
                _parent_not_draft("OLD"),
                message,
            ),
        ]
    return statements


def sqlite_append_only(table: str, unique: Sequence[str]) -> list[str]:
    """The triggers that keep the append-only ``table`` append-only (SQLite): no UPDATE, no
    DELETE, and no INSERT that collides with a row on one of its ``unique`` columns (which
    ``INSERT OR REPLACE`` would silently delete). Drop them first with ``sqlite_drop_triggers``."""
    message = f"{APPEND_ONLY[table]} are append-only: their rows are immutable"
    return [
        _sqlite_trigger(
            f"connectory_{table}_insert",
            f"BEFORE INSERT ON {table}",
            _exists_with(table, "NEW", unique, other_than=None),
            message,
        ),
        _sqlite_trigger(f"connectory_{table}_update", f"BEFORE UPDATE ON {table}", "1", message),
        _sqlite_trigger(f"connectory_{table}_delete", f"BEFORE DELETE ON {table}", "1", message),
    ]


def _sqlite_connectors() -> list[str]:
    renamed = "NEW.name IS NOT OLD.name OR NEW.protocol IS NOT OLD.protocol"
    return [
        _sqlite_trigger(
            "connectory_connectors_insert",
            "BEFORE INSERT ON connectors",
            _exists_with("connectors", "NEW", ("id", "name"), other_than=None),
            _CONNECTOR_REPLACED,
        ),
        _sqlite_trigger(
            "connectory_connectors_insert_default",
            "BEFORE INSERT ON connectors",
            "NEW.default_version IS NOT NULL",
            _DEFAULT,
        ),
        _sqlite_trigger(
            "connectory_connectors_update_id",
            "BEFORE UPDATE ON connectors",
            "NEW.id IS NOT OLD.id",
            _ID_CHANGED,
        ),
        _sqlite_trigger(
            "connectory_connectors_update_replace",
            "BEFORE UPDATE ON connectors",
            _exists_with("connectors", "NEW", ("name",), other_than="OLD.id"),
            _CONNECTOR_REPLACED,
        ),
        _sqlite_trigger(
            "connectory_connectors_update",
            "BEFORE UPDATE ON connectors",
            f"({renamed}) AND {_has_published('OLD.id')}",
            _CONNECTOR,
        ),
        _sqlite_trigger(
            "connectory_connectors_update_default",
            "BEFORE UPDATE ON connectors",
            _bad_default("NEW"),
            _DEFAULT,
        ),
        _sqlite_trigger(
            "connectory_connectors_delete",
            "BEFORE DELETE ON connectors",
            "EXISTS (SELECT 1 FROM versions WHERE connector_id = OLD.id)",
            _CONNECTOR_DELETED,
        ),
    ]


def sqlite_guards(append_only_unique: dict[str, Sequence[str]] | None = None) -> list[str]:
    """The CREATE TRIGGER statements for SQLite, in order.

    ``append_only_unique``: per append-only table, its unique columns (default: ``id``), so that
    no insert may replace a row by colliding on one of them.
    """
    unique = append_only_unique or {}
    statements = [*_sqlite_versions(), *_sqlite_children()]
    statements += [
        _sqlite_trigger(
            "connectory_version_deletions_insert",
            "BEFORE INSERT ON version_deletions",
            _exists_with("version_deletions", "NEW", ("id", "version_id"), other_than=None),
            _AUDIT,
        ),
        _sqlite_trigger(
            "connectory_version_deletions_insert_forged",
            "BEFORE INSERT ON version_deletions",
            _forged_deletion("NEW"),
            _FORGED,
        ),
        _sqlite_trigger(
            "connectory_version_deletions_update", "BEFORE UPDATE ON version_deletions", "1", _AUDIT
        ),
        _sqlite_trigger(
            "connectory_version_deletions_delete", "BEFORE DELETE ON version_deletions", "1", _AUDIT
        ),
        *_sqlite_connectors(),
    ]
    for table in APPEND_ONLY:
        statements += sqlite_append_only(table, unique.get(table, ("id",)))
    return statements


def sqlite_drop_triggers(statements: Sequence[str]) -> list[str]:
    """DROP TRIGGER statements undoing the CREATE TRIGGER ``statements``."""
    names = [statement.split()[2] for statement in statements if statement.startswith("CREATE")]
    return [f"DROP TRIGGER IF EXISTS {name}" for name in names]


def sqlite_drop_guards() -> list[str]:
    """DROP TRIGGER statements undoing ``sqlite_guards``."""
    return sqlite_drop_triggers(sqlite_guards())


# -- PostgreSQL -----------------------------------------------------------------------------------


def _pg_raise(message: str, *args: str) -> str:
    """A RAISE of SQLSTATE 23001 (an IntegrityError to the driver), ``%`` filled from ``args``."""
    message = message.replace("'", "''")
    params = "".join(f", {arg}" for arg in args)
    return f"RAISE EXCEPTION 'connectory: {message}'{params} USING ERRCODE = 'restrict_violation';"


def _pg_function(name: str, schema: str, body: str, *, replace: bool = False) -> str:
    create = "CREATE OR REPLACE" if replace else "CREATE"
    return (
        f"{create} FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql\n"
        f"SET search_path = {schema}, pg_temp AS $guard$\nBEGIN\n{body}\nEND\n$guard$"
    )


def _pg_trigger(table: str, function: str, events: str) -> str:
    return (
        f"CREATE TRIGGER connectory_guard BEFORE {events} ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {function}()"
    )


def _pg_versions_body() -> str:
    changed = " OR ".join(
        f"NEW.{c}::text IS DISTINCT FROM OLD.{c}::text"
        if c == "content"  # json has no equality operator; its text is what was written
        else f"NEW.{c} IS DISTINCT FROM OLD.{c}"
        for c in VERSION_CONTENT_COLUMNS
    )
    return f"""
IF TG_OP = 'INSERT' THEN
  IF NEW.{_NOT_DRAFT} THEN
    {_pg_raise(f"{_BORN_DRAFT} (label %)", "NEW.label")}
  END IF;
  IF {_version_collides("NEW")} THEN
    {_pg_raise(f"{_REPLACED} (label %)", "NEW.label")}
  END IF;
  RETURN NEW;
ELSIF TG_OP = 'UPDATE' THEN
  IF NEW.id IS DISTINCT FROM OLD.id THEN
    {_pg_raise(f"{_ID_CHANGED} (version %)", "OLD.id")}
  END IF;
  IF OLD.{_NOT_DRAFT} AND (NEW.state IS DISTINCT FROM 'deprecated' OR {changed}) THEN
    {_pg_raise(f"{_CHANGED} (label % is %)", "OLD.label", "OLD.state")}
  END IF;
  RETURN NEW;
END IF;
IF {_deletion_refused("OLD")} THEN
  {_pg_raise(f"{_DELETED} (label % is %)", "OLD.label", "OLD.state")}
END IF;
RETURN OLD;"""


def _pg_lock_parent(row: str) -> str:
    """Lock the version of ``row`` (a child) until the transaction ends, waiting for a publish in
    flight; the next statement then sees its state as committed."""
    return f"PERFORM 1 FROM versions WHERE id = {row}.version_id FOR SHARE;"


def _pg_child_body(table: str, *, lock_parent: bool = True) -> str:
    """The guard of a child table. With ``lock_parent`` (migration 0006) the version's row is
    locked first, so that a child write and a publish of its version never interleave at READ
    COMMITTED: the write waits for the publish and is refused, or the publish waits for the
    write and hashes what it left."""
    refuse = _pg_raise(
        f"{_IMMUTABLE}: its {table} cannot be added, changed, replaced or deleted (version %)",
        "{row}.version_id",
    )
    lock = _pg_lock_parent if lock_parent else (lambda row: "")
    return f"""
IF TG_OP = 'INSERT' THEN
  {lock("NEW")}
  IF {_parent_not_draft("NEW")} THEN
    {refuse.format(row="NEW")}
  END IF;
  RETURN NEW;
ELSIF TG_OP = 'UPDATE' THEN
  IF NEW.id IS DISTINCT FROM OLD.id THEN
    {_pg_raise(f"{_ID_CHANGED} ({table} %)", "OLD.id")}
  END IF;
  {lock("OLD")}
  {lock("NEW")}
  IF {_parent_not_draft("OLD")} THEN
    {refuse.format(row="OLD")}
  END IF;
  IF {_parent_not_draft("NEW")} THEN
    {refuse.format(row="NEW")}
  END IF;
  RETURN NEW;
END IF;
{lock("OLD")}
IF {_parent_not_draft("OLD")} THEN
  {refuse.format(row="OLD")}
END IF;
RETURN OLD;"""


def postgresql_child_guards(schema: str, *, lock_parent: bool = True) -> list[str]:
    """``CREATE OR REPLACE`` of the child tables' guard functions (their triggers stay)."""
    return [
        _pg_function(
            f"connectory_guard_{table}",
            schema,
            _pg_child_body(table, lock_parent=lock_parent),
            replace=True,
        )
        for table in GUARDED_CHILDREN
    ]


def _pg_deletions_body() -> str:
    return f"""
IF TG_OP = 'INSERT' THEN
  IF {_forged_deletion("NEW")} THEN
    {_pg_raise(f"{_FORGED} (version %)", "NEW.version_id")}
  END IF;
  RETURN NEW;
END IF;
{_pg_raise(_AUDIT)}"""


def _pg_connectors_body() -> str:
    return f"""
IF TG_OP = 'DELETE' THEN
  IF EXISTS (SELECT 1 FROM versions WHERE connector_id = OLD.id) THEN
    {_pg_raise(f"{_CONNECTOR_DELETED} (connector %)", "OLD.name")}
  END IF;
  RETURN OLD;
END IF;
IF TG_OP = 'INSERT' THEN
  IF NEW.default_version IS NOT NULL THEN
    {_pg_raise(f"{_DEFAULT} (connector %)", "NEW.name")}
  END IF;
  RETURN NEW;
END IF;
IF NEW.id IS DISTINCT FROM OLD.id THEN
  {_pg_raise(f"{_ID_CHANGED} (connector %)", "OLD.name")}
END IF;
IF (NEW.name IS DISTINCT FROM OLD.name OR NEW.protocol IS DISTINCT FROM OLD.protocol)
   AND {_has_published("OLD.id")} THEN
  {_pg_raise(f"{_CONNECTOR} (connector %)", "OLD.name")}
END IF;
IF {_bad_default("NEW")} THEN
  {_pg_raise(f"{_DEFAULT} (connector % names %)", "NEW.name", "NEW.default_version")}
END IF;
RETURN NEW;"""


_PG_TRUNCATE_BODY = (
    f"IF EXISTS (SELECT 1 FROM versions WHERE {_NOT_DRAFT})\n"
    "   OR EXISTS (SELECT 1 FROM version_deletions) THEN\n  "
    + _pg_raise(f"{_IMMUTABLE}: % cannot be truncated", "TG_TABLE_NAME")
    + "\nEND IF;\nRETURN NULL;"
)
_PG_TRUNCATED = ("connectors", "versions", *GUARDED_CHILDREN, "version_deletions")


def _pg_truncate_trigger(table: str, function: str) -> str:
    return (
        f"CREATE TRIGGER connectory_guard_truncate BEFORE TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
    )


def postgresql_guards(schema: str, *, lock_parent: bool = True) -> list[str]:
    """The functions and triggers for PostgreSQL, for the tables in ``schema`` (a quoted name);
    ``lock_parent=False``: the child guards as migration 0004 created them (0006 adds the lock)."""
    statements = [
        _pg_function("connectory_guard_versions", schema, _pg_versions_body()),
        _pg_trigger("versions", "connectory_guard_versions", "INSERT OR UPDATE OR DELETE"),
    ]
    for table in GUARDED_CHILDREN:
        body = _pg_child_body(table, lock_parent=lock_parent)
        statements += [
            _pg_function(f"connectory_guard_{table}", schema, body),
            _pg_trigger(table, f"connectory_guard_{table}", "INSERT OR UPDATE OR DELETE"),
        ]
    statements += [
        _pg_function("connectory_guard_version_deletions", schema, _pg_deletions_body()),
        _pg_trigger(
            "version_deletions", "connectory_guard_version_deletions", "INSERT OR UPDATE OR DELETE"
        ),
        _pg_function("connectory_guard_connectors", schema, _pg_connectors_body()),
        _pg_trigger("connectors", "connectory_guard_connectors", "INSERT OR UPDATE OR DELETE"),
    ]
    for table, what in APPEND_ONLY.items():
        function = f"connectory_guard_{table}"
        statements += [
            _pg_function(
                function, schema, _pg_raise(f"{what} are append-only: their rows are immutable")
            ),
            _pg_trigger(table, function, "UPDATE OR DELETE"),
            _pg_truncate_trigger(table, function),
        ]
    statements.append(_pg_function("connectory_guard_truncate", schema, _PG_TRUNCATE_BODY))
    statements += [_pg_truncate_trigger(t, "connectory_guard_truncate") for t in _PG_TRUNCATED]
    return statements


def postgresql_drop_guards() -> list[str]:
    """DROP statements undoing ``postgresql_guards`` (dropping a function drops its triggers)."""
    functions = [
        "connectory_guard_versions",
        *(f"connectory_guard_{t}" for t in GUARDED_CHILDREN),
        "connectory_guard_version_deletions",
        "connectory_guard_connectors",
        *(f"connectory_guard_{t}" for t in APPEND_ONLY),
        "connectory_guard_truncate",
    ]
    return [f"DROP FUNCTION IF EXISTS {name}() CASCADE" for name in functions]


# -- boards (migration 0007) ----------------------------------------------------------------------

_BOARD_RUNS_DRAFT = (
    "a deployed board runs only published or deprecated versions: deploy it through the "
    "catalogue (deploy_board), which resolves each use to one"
)


def _resolves_to_a_draft(use: str) -> str:
    """Whether the board use ``use`` (a row alias) is resolved to no published version."""
    return (
        f"{use}.resolved_version IS NOT NULL AND NOT EXISTS (SELECT 1 FROM versions v"
        f" WHERE v.connector_id = {use}.connector_id AND v.label = {use}.resolved_version"
        f" AND v.{_NOT_DRAFT})"
    )


def _board_deployed(board_id: str) -> str:
    return f"EXISTS (SELECT 1 FROM boards WHERE id = {board_id} AND deployed)"


def _board_runs_a_draft(board: str) -> str:
    return (
        f"{board}.deployed AND EXISTS (SELECT 1 FROM board_uses u WHERE u.board_id = {board}.id"
        f" AND {_resolves_to_a_draft('u')})"
    )


def sqlite_board_guards() -> list[str]:
    """Triggers that keep a deployed board on published (or deprecated) versions (SQLite)."""
    use_refused = f"{_board_deployed('NEW.board_id')} AND ({_resolves_to_a_draft('NEW')})"
    return [
        _sqlite_trigger(
            f"connectory_board_uses_{op}",
            f"BEFORE {op.upper()} ON board_uses",
            use_refused,
            _BOARD_RUNS_DRAFT,
        )
        for op in ("insert", "update")
    ] + [
        _sqlite_trigger(
            f"connectory_boards_{op}",
            f"BEFORE {op.upper()} ON boards",
            _board_runs_a_draft("NEW"),
            _BOARD_RUNS_DRAFT,
        )
        for op in ("insert", "update")
    ]


def postgresql_board_guards(schema: str) -> list[str]:
    """The same for PostgreSQL, for the tables in ``schema`` (a quoted name)."""
    refuse = _pg_raise(f"{_BOARD_RUNS_DRAFT} (board %)", "{board}")
    use_body = (
        f"IF {_board_deployed('NEW.board_id')} AND ({_resolves_to_a_draft('NEW')}) THEN\n  "
        + refuse.format(board="NEW.board_id")
        + "\nEND IF;\nRETURN NEW;"
    )
    board_body = (
        f"IF {_board_runs_a_draft('NEW')} THEN\n  "
        + refuse.format(board="NEW.name")
        + "\nEND IF;\nRETURN NEW;"
    )
    return [
        _pg_function("connectory_guard_board_uses", schema, use_body),
        _pg_trigger("board_uses", "connectory_guard_board_uses", "INSERT OR UPDATE"),
        _pg_function("connectory_guard_boards", schema, board_body),
        _pg_trigger("boards", "connectory_guard_boards", "INSERT OR UPDATE"),
    ]


def board_guards_dropped(dialect: str) -> list[str]:
    """DROP statements undoing the board guards of ``dialect`` (``sqlite`` or ``postgresql``)."""
    if dialect == "sqlite":
        return sqlite_drop_triggers(sqlite_board_guards())
    return [
        f"DROP FUNCTION IF EXISTS connectory_guard_{table}() CASCADE"
        for table in ("board_uses", "boards")
    ]

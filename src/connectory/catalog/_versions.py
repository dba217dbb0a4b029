"""The life of a version, one function per step, each run inside the caller's write transaction.

    draft ──> (update_draft)* ──> publish ──> deprecate
      └────────────── delete_version ──────────────┘  (a draft at once; otherwise confirmed)

Every state change is a conditional UPDATE (``... WHERE id = ? AND state = 'draft'``): when two
processes race, the database decides and the loser sees ``rowcount == 0`` and a ``Conflict``. On
PostgreSQL the losing UPDATE waits for the winner's row lock and re-checks the condition against
the committed row (READ COMMITTED); on SQLite ``BEGIN IMMEDIATE`` runs the writers one at a time.
A publish compares its draft with the released versions, so on PostgreSQL it also locks the
connector's row first: publishes of one connector run one at a time (``_serialised``).
The functions check states themselves to give clear errors; the guards in the database
(``guards``) are the backstop.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from connectory._wording import article, protocol_name
from connectory.changes import diff, supports
from connectory.errors import (
    ConfirmationRequired,
    Conflict,
    ImmutableVersion,
    InvalidName,
    ProtocolError,
)
from connectory.model.add_auth import with_auth_method
from connectory.model.auth import AuthMethod
from connectory.model.version import (
    RESERVED_LABELS,
    Change,
    ConnectorVersion,
    check_label,
    check_name,
    name_key,
)

from . import _defaults as defaults
from . import _vettings as vetting_ops
from ._boards import blast_radius, undeploy_for_deletion
from ._labels import choose_label
from ._rows import (
    assemble,
    child_rows,
    connector_row,
    deleted_labels,
    latest_label,
    load_version,
    version_labels,
    version_row,
    version_values,
)
from ._tables import CHILD_TABLES, board_uses, boards, connectors, version_deletions, versions
from .digest import content_sha256
from .policy import (
    Released,
    Use,
    assess,
    assess_successor,
    following_latest,
    predecessor,
    successor,
)
from .results import Deletion, Deprecated, Drafted, Published

__all__ = [
    "add_auth_method",
    "check_publish",
    "delete_version",
    "deprecate",
    "draft",
    "find_by_sha256",
    "publish",
    "update_draft",
]

_DRAFT_LOCK = sa.text("SELECT pg_advisory_xact_lock(hashtext(:key))")


def find_by_sha256(
    connection: sa.Connection, connector_id: int, connector: str, sha256: str
) -> ConnectorVersion | None:
    query = sa.select(versions).where(
        versions.c.connector_id == connector_id, versions.c.sha256 == sha256
    )
    row = connection.execute(query).first()
    return None if row is None else load_version(connection, connector, row)


def _insert_children(
    connection: sa.Connection, name: str, values: dict[str, Any], version: ConnectorVersion
) -> ConnectorVersion:
    """Insert the children of the version row ``values``; return the version as stored.

    The returned version is built from the very JSON that was written (as ``get_version`` builds
    it), not copied from the input: it shares nothing with the caller's object.
    """
    rows = child_rows(values["id"], version)
    for table, table_rows in rows.items():
        connection.execute(CHILD_TABLES[table].insert(), table_rows)
    data = {table: [row["data"] for row in table_rows] for table, table_rows in rows.items()}
    return assemble(name, values, data)


def _refuse_alike(connection: sa.Connection, name: str) -> None:
    """Refuse a new connector whose name differs from another's only in '.', '_' and '-': it
    would read the other's credentials (``model.name_key``)."""
    key = name_key(name)
    for other in connection.scalars(sa.select(connectors.c.name)):
        if name_key(other) == key:
            raise Conflict(
                f"connector {name!r} would share CONNECTORY_CREDENTIALS_{key} (its credentials) "
                f"with {other!r}: choose a name that differs in more than '.', '_' and '-'"
            )


def draft(
    connection: sa.Connection, version: ConnectorVersion, label: str | None, now: datetime
) -> Drafted:
    name = check_name(version.connector)
    if connection.dialect.name == "postgresql":
        # Drafts of one connector (or of names alike) queue up: label choice and connector
        # creation do not race.
        connection.execute(_DRAFT_LOCK, {"key": f"connectory.catalog.draft:{name_key(name)}"})
    row = connection.execute(sa.select(connectors).where(connectors.c.name == name)).first()
    if row is None:
        _refuse_alike(connection, name)
        connector_id = connection.execute(
            connectors.insert().returning(connectors.c.id),
            {
                "name": name,
                "title": version.title,
                "protocol": version.protocol,
                "description": version.description,
                "tags": [],
                "vetting_status": "unvetted",
                "default_version": None,
                "created_at": now,
            },
        ).scalar_one()
    else:
        connector_id = row.id
        if row.protocol != version.protocol:
            raise ProtocolError(
                f"connector {name!r} is {article(protocol_name(row.protocol))} connector; "
                f"this version is {protocol_name(version.protocol)}"
            )
        existing = find_by_sha256(connection, connector_id, name, version.sha256)
        if existing is not None:
            return Drafted(version=existing, created=False)
    taken = version_labels(connection, connector_id)
    deleted = deleted_labels(connection, name)
    explicit = label if label is not None else version.version
    if explicit is not None:
        label = check_label(explicit)
        if label in taken:
            raise Conflict(f"{name}@{label} exists already (with other content)")
        if label in deleted:
            raise Conflict(
                f"{name}@{label} was published and deleted: a published label is never reused "
                "for other content (boards, exports and vettings name it): give this version "
                "another label"
            )
    else:
        label = choose_label(name, version.document_version, version.sha256, {*taken, *deleted})
    values = {
        **version_values(version),
        "connector_id": connector_id,
        "label": label,
        "state": "draft",
        "created_at": now,
        "published_at": None,
        "sunset": None,
        "replacement": None,
    }
    values["id"] = connection.execute(
        versions.insert().returning(versions.c.id), values
    ).scalar_one()
    return Drafted(version=_insert_children(connection, name, values, version), created=True)


def update_draft(connection: sa.Connection, version: ConnectorVersion) -> ConnectorVersion:
    if version.version is None:
        raise InvalidName("update_draft needs version.version: the label of the draft to replace")
    connector = connector_row(connection, version.connector)
    row = version_row(connection, connector, version.version, lock="update")
    ref = f"{connector.name}@{row.label}"
    if row.state != "draft":
        raise ImmutableVersion(f"{ref} is {row.state}: it cannot change; draft a new version")
    if version.protocol != connector.protocol:
        raise ProtocolError(
            f"connector {connector.name!r} is {article(protocol_name(connector.protocol))} "
            f"connector; this version is {protocol_name(version.protocol)}"
        )
    same_sha = connection.scalar(
        sa.select(versions.c.label).where(
            versions.c.connector_id == connector.id,
            versions.c.sha256 == version.sha256,
            versions.c.id != row.id,
        )
    )
    if same_sha is not None:
        raise Conflict(f"{connector.name}@{same_sha} has the same sha256 as this content")
    values = version_values(version)
    result = connection.execute(
        versions.update().where(versions.c.id == row.id, versions.c.state == "draft").values(values)
    )
    if result.rowcount != 1:
        raise ImmutableVersion(f"{ref} was published meanwhile: it cannot change")
    for table in CHILD_TABLES.values():
        connection.execute(table.delete().where(table.c.version_id == row.id))
    return _insert_children(connection, connector.name, {**row._asdict(), **values}, version)


def add_auth_method(
    connection: sa.Connection,
    name: str,
    label: str,
    method: AuthMethod,
    *,
    actions: list[str] | None,
    required: bool,
    together: bool,
) -> ConnectorVersion:
    """The draft ``name@label`` with ``method`` added (``model.add_auth.with_auth_method``),
    replaced as ``update_draft`` replaces it (its ``content_sha256`` recomputed: a vetting of
    the old content no longer matches). A published or deprecated version: ``ImmutableVersion``."""
    connector = connector_row(connection, name)
    row = version_row(connection, connector, label, lock="update")
    if row.state != "draft":
        raise ImmutableVersion(
            f"{name}@{row.label} is {row.state}: it cannot change; draft a new version to add "
            "an auth method to"
        )
    current = load_version(connection, name, row)
    changed = with_auth_method(
        current, method, actions=actions, required=required, together=together
    )
    return update_draft(connection, changed)


def _released(connection: sa.Connection, connector_id: int, draft_id: int) -> list[Released]:
    rows = connection.execute(
        sa.select(versions.c.label, versions.c.published_at).where(
            versions.c.connector_id == connector_id,
            versions.c.state != "draft",
            versions.c.id != draft_id,
        )
    )
    return [Released(row.label, row.published_at) for row in rows]


def _uses(connection: sa.Connection, connector_id: int) -> list[Use]:
    rows = connection.execute(
        sa.select(boards.c.name, boards.c.deployed, board_uses.c.version, board_uses.c.actions)
        .join(boards, boards.c.id == board_uses.c.board_id)
        .where(board_uses.c.connector_id == connector_id)
        .order_by(boards.c.name, board_uses.c.ordinal)
    )
    return [Use(row.name, row.deployed, row.version, row.actions) for row in rows]


def _changes_since(
    connection: sa.Connection,
    connector: sa.Row[Any],
    draft: ConnectorVersion,
    released: list[Released],
    allow_breaking: bool,
) -> tuple[str | None, list[Change]]:
    """The draft's predecessor among ``released`` and the changes since then, refused
    (``PublishRefused``) when breaking changes are not announced, there or between the draft and
    the released version that will follow it. A protocol that cannot be diffed keeps the
    draft's own changes."""
    label = draft.version or ""
    baseline = predecessor(released, label)
    if not supports(draft.protocol):
        return baseline, draft.changes
    changes: list[Change] = []
    if baseline is not None:
        old = load_version(connection, connector.name, version_row(connection, connector, baseline))
        changes = diff(old, draft)
        assess(baseline, changes, draft, allow_breaking=allow_breaking)
    after = successor(released, label)
    if after is not None:
        later = load_version(connection, connector.name, version_row(connection, connector, after))
        assess_successor(after, diff(draft, later), draft)
    return baseline, changes


def _seen_by_latest(
    connection: sa.Connection,
    connector: sa.Row[Any],
    draft: ConnectorVersion,
    baseline: str | None,
    changes: list[Change],
) -> list[Change]:
    """What boards following ``latest`` go through when the draft becomes it: the changes from
    the current latest, which is not the draft's predecessor when the draft is a backport
    (``1.0.1`` once ``1.1.0`` is out) or follows a deprecated version."""
    current = latest_label(connection, connector.id)
    if current is None or current == baseline or not supports(draft.protocol):
        return changes
    return diff(
        load_version(connection, connector.name, version_row(connection, connector, current)), draft
    )


def check_publish(
    connection: sa.Connection, name: str, label: str, *, allow_breaking: bool = False
) -> list[Change]:
    """What ``publish`` would record and refuse, without publishing (``Conflict`` if not a draft)."""
    connector = connector_row(connection, name)
    row = version_row(connection, connector, label)
    if row.state != "draft":
        raise Conflict(f"{name}@{row.label} is already {row.state}")
    draft = load_version(connection, name, row)
    released = _released(connection, connector.id, row.id)
    return _changes_since(connection, connector, draft, released, allow_breaking)[1]


def _serialised(connection: sa.Connection, connector: sa.Row[Any]) -> sa.Row[Any]:
    """Lock ``connector`` for the rest of the transaction and return its row as committed now.

    Publishes of one connector run one at a time: each compares its draft with what the others
    published (its predecessor, its successor, the current latest). Without the lock, two drafts
    published at once at READ COMMITTED would each lock only its own row, read the released
    versions before the other committed, and both publish with no changes recorded. On PostgreSQL
    this is a ``FOR NO KEY UPDATE`` row lock on the connector (drafts, whose foreign keys take
    ``FOR KEY SHARE``, do not wait for it); on SQLite ``BEGIN IMMEDIATE`` already runs writers one
    at a time (the clause is not emitted there).
    """
    query = sa.select(connectors).where(connectors.c.id == connector.id)
    return connection.execute(query.with_for_update(key_share=True)).one()


def publish(
    connection: sa.Connection,
    name: str,
    label: str,
    now: datetime,
    *,
    require_approval: bool = False,
    allow_breaking: bool = False,
    reviewed: str | None = None,
) -> Published:
    """Publish the draft ``name@label`` under the whole policy, in the caller's transaction.

    The draft is read back from the store and hashed (``digest``): with ``reviewed`` (the
    ``content_sha256`` its caller reviewed) it must be that content; with ``require_approval`` its
    latest vetting must approve that very content. It is compared with its predecessor and refused
    if breaking changes are not announced (``policy``); the changes are recorded on it, its hash
    sealed, and its state set, in one UPDATE that only a draft matches. Publishes of one
    connector are serialised (``_serialised``): each sees what the others published.
    """
    connector = _serialised(connection, connector_row(connection, name))
    row = version_row(connection, connector, label, lock="update")
    ref = f"{name}@{row.label}"
    if row.state != "draft":
        raise Conflict(f"{ref} is already {row.state}")
    draft = load_version(connection, name, row)
    digest = content_sha256(draft)
    if reviewed is not None and reviewed != digest:
        raise Conflict(
            f"{ref} changed since it was reviewed: it holds content {digest[:12]}..., not "
            f"{reviewed[:12]}...; review it again"
        )
    if require_approval:
        vetting_ops.require_approval(connection, name, row.label, digest)
    released = _released(connection, connector.id, row.id)
    baseline, changes = _changes_since(connection, connector, draft, released, allow_breaking)
    affected = following_latest(
        _uses(connection, connector.id),
        _seen_by_latest(connection, connector, draft, baseline, changes),
        default_follows_latest=connector.default_version is None,
    )
    content = {**row.content, "changes": [change.model_dump(mode="json") for change in changes]}
    result = connection.execute(
        versions.update()
        .where(versions.c.id == row.id, versions.c.state == "draft")
        .values(state="published", published_at=now, content=content, content_sha256=digest)
    )
    if result.rowcount != 1:
        raise Conflict(f"{ref} is already published")
    if not released:  # the first version published becomes the default (``_defaults``)
        connection.execute(
            connectors.update()
            .where(connectors.c.id == connector.id, connectors.c.default_version.is_(None))
            .values(default_version=row.label)
        )
    # What was just written is the draft read above with these four fields: no second read.
    sealed = draft.model_copy(
        update={
            "state": "published",
            "published_at": now,
            "changes": changes,
            "content_sha256": digest,
        }
    )
    return Published(
        version=sealed,
        baseline=baseline if supports(draft.protocol) else None,
        checked=supports(draft.protocol),
        affected_boards=affected,
    )


def _replacement(
    connection: sa.Connection, connector: sa.Row[Any], deprecated: sa.Row[Any], label: str
) -> str:
    """The stored label of the replacement ``label`` names: a published version of the same
    connector, other than the one deprecated (``latest`` and ``default`` resolve first)."""
    row = version_row(connection, connector, label, lock="share")
    ref = f"{connector.name}@{row.label}"
    if row.id == deprecated.id:
        raise Conflict(f"{ref} cannot replace itself: name another version as its replacement")
    if row.state != "published":
        hint = "publish it first" if row.state == "draft" else "it is deprecated too"
        raise Conflict(f"the replacement {ref} is {row.state}: it must be published ({hint})")
    return str(row.label)


def deprecate(
    connection: sa.Connection,
    name: str,
    label: str,
    sunset: date | None,
    replacement: str | None,
    now: datetime | None,
) -> Deprecated:
    """Deprecate the published ``name@label`` (``now``: when; None for an imported deprecation
    whose time is not known); the default moves off it (``_defaults``)."""
    connector = connector_row(connection, name)
    row = version_row(connection, connector, label)
    ref = f"{name}@{row.label}"
    if row.state != "published":
        hint = "publish it first" if row.state == "draft" else "it is deprecated already"
        raise Conflict(f"{ref} is {row.state}: only a published version can be deprecated ({hint})")
    if replacement is not None:
        replacement = _replacement(connection, connector, row, replacement)
    result = connection.execute(
        versions.update()
        .where(versions.c.id == row.id, versions.c.state == "published")
        .values(state="deprecated", sunset=sunset, replacement=replacement, deprecated_at=now)
    )
    if result.rowcount != 1:
        raise Conflict(f"{ref} was deprecated meanwhile")
    moved = defaults.moved_from_deprecated(connection, connector, row.label, replacement)
    return Deprecated(
        connector=name,
        label=row.label,
        deprecated_at=now,
        sunset=sunset,
        replacement=replacement,
        default=defaults.describe(connection, connector_row(connection, name)),
        default_moved=moved,
    )


def delete_version(
    connection: sa.Connection,
    name: str,
    label: str,
    *,
    confirm: bool,
    reason: str | None,
    now: datetime,
) -> Deletion:
    if label in RESERVED_LABELS:
        raise InvalidName(f"name the version to delete by its own label, not {label!r}")
    connector = connector_row(connection, name)
    row = version_row(connection, connector, label, lock="update")
    ref = f"{name}@{row.label}"
    undeployed: list[str] = []
    if row.state != "draft":
        impacts = blast_radius(connection, connector, row.label)
        if not confirm:
            using = ", ".join(
                f"{i.board} ({'deployed' if i.deployed else 'not deployed'})" for i in impacts
            )
            raise ConfirmationRequired(
                f"{ref} is {row.state}: deleting it cannot be undone"
                + (
                    f"; boards using it (deployed ones will be undeployed): {using}"
                    if using
                    else ""
                )
                + "; confirm to delete it",
                details=impacts,
            )
        undeployed = [impact.board for impact in impacts if impact.deployed]
        because = f"{ref} was deleted" + (f": {reason}" if reason else "")
        # The guards allow the delete only once no deployed board runs the version, it is not
        # the default, and its deletion is recorded (the audit trail): in that order.
        undeploy_for_deletion(connection, undeployed, because)
        connection.execute(
            connectors.update()
            .where(connectors.c.id == connector.id, connectors.c.default_version == row.label)
            .values(default_version=None)
        )
        connection.execute(
            version_deletions.insert(),
            {
                "version_id": row.id,
                "connector": name,
                "label": row.label,
                "state": row.state,
                "sha256": row.sha256,
                "reason": reason,
                "boards_undeployed": undeployed,
                "deleted_at": now,
            },
        )
    # The version goes first, its children after (the guards keep a published version's children
    # while it exists): the foreign keys to it are checked at the commit.
    _defer_foreign_keys(connection)
    connection.execute(versions.delete().where(versions.c.id == row.id))
    for table in CHILD_TABLES.values():
        connection.execute(table.delete().where(table.c.version_id == row.id))
    return Deletion(connector=name, label=row.label, state=row.state, boards_undeployed=undeployed)


def _defer_foreign_keys(connection: sa.Connection) -> None:
    """Check foreign keys at the commit, not statement by statement, in this transaction."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
    else:
        connection.exec_driver_sql("SET CONSTRAINTS ALL DEFERRED")

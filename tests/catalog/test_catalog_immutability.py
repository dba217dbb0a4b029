"""The database itself refuses to change a published version: raw SQL through the engine.

Each case runs one statement against a catalogue holding a published version (with actions,
triggers, definitions and findings) and a draft of the same connector; the statement must fail
with the guards' message, and the published version must read back unchanged.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa

from connectory.catalog import Catalog
from connectory.catalog._failures import raising_catalog_errors
from connectory.errors import ImmutableVersion
from connectory.model.version import ConnectorVersion, Vetting
from tests.support.samples import rich_version, sha

CHILDREN = ("actions", "triggers", "definitions", "findings")
TABLES = ("connectors", "versions", *CHILDREN, "version_deletions")
_NEW_VERSION = (
    "(id, connector_id, label, state, protocol, source, sha256, content, created_at) VALUES "
)
_TS = "'2024-01-01 00:00:00+00'"


@dataclass
class Guarded:
    catalog: Catalog
    params: dict[str, Any]
    published: ConnectorVersion
    counts: dict[str, int]


def _counts(catalog: Catalog) -> dict[str, int]:
    with catalog.engine.connect() as connection:
        return {
            t: int(connection.scalar(sa.text(f"SELECT count(*) FROM {t}")) or 0) for t in TABLES
        }


@pytest.fixture
def guarded(catalog: Catalog) -> Guarded:
    catalog.draft(rich_version(), label="1.0")
    published = catalog.publish("acme", "1.0").version
    catalog.draft(rich_version().model_copy(update={"sha256": sha("draft")}), label="2.0-draft")
    with catalog.engine.connect() as connection:
        ids = {
            label: id_
            for label, id_ in connection.execute(sa.text("SELECT label, id FROM versions"))
        }
        params: dict[str, Any] = {
            "pub": ids["1.0"],
            "draft": ids["2.0-draft"],
            "connector": connection.scalar(sa.text("SELECT id FROM connectors")),
            "label": "1.0",
            "sha": published.sha256,
            "other_sha": sha("other"),
        }
        for table in CHILDREN:
            params[f"{table}_id"] = connection.scalar(
                sa.text(f"SELECT min(id) FROM {table} WHERE version_id = :pub"), params
            )
    return Guarded(catalog, params, published, _counts(catalog))


def _cases() -> list[Any]:
    both = [
        ("update-title", "UPDATE versions SET title = 'changed' WHERE id = :pub"),
        ("update-content", "UPDATE versions SET content = '{}' WHERE id = :pub"),
        ("update-label", "UPDATE versions SET label = 'renamed' WHERE id = :pub"),
        ("update-sha256", "UPDATE versions SET sha256 = :other_sha WHERE id = :pub"),
        ("back-to-draft", "UPDATE versions SET state = 'draft' WHERE id = :pub"),
        ("update-published-at", "UPDATE versions SET published_at = created_at WHERE id = :pub"),
        ("update-same-values", "UPDATE versions SET title = title WHERE id = :pub"),
        (
            "deprecate-and-retitle",
            "UPDATE versions SET state = 'deprecated', title = 'x' WHERE id = :pub",
        ),
        ("delete-version", "DELETE FROM versions WHERE id = :pub"),
        (
            "insert-published-version",
            f"INSERT INTO versions {_NEW_VERSION}"
            f"(NULL, :connector, '9.9', 'published', 'http', 'x', :other_sha, '{{}}', {_TS})",
        ),
        (
            "insert-with-published-id",
            f"INSERT INTO versions {_NEW_VERSION}"
            f"(:pub, :connector, '9.9', 'draft', 'http', 'x', :other_sha, '{{}}', {_TS})",
        ),
        ("move-actions-out", "UPDATE actions SET version_id = :draft WHERE version_id = :pub"),
        ("move-actions-in", "UPDATE actions SET version_id = :pub WHERE version_id = :draft"),
        ("rename-connector", "UPDATE connectors SET name = 'renamed' WHERE id = :connector"),
        ("change-protocol", "UPDATE connectors SET protocol = 'soap' WHERE id = :connector"),
        ("delete-connectors", "DELETE FROM connectors"),
        ("renumber-version", "UPDATE versions SET id = id + 1000 WHERE id = :pub"),
        ("renumber-draft-onto-published", "UPDATE versions SET id = :pub WHERE id = :draft"),
    ]
    for t in CHILDREN:
        both += [
            (f"update-{t}", f"UPDATE {t} SET data = '{{}}' WHERE version_id = :pub"),
            (f"rename-{t}", f"UPDATE {t} SET name = 'x' WHERE id = :{t}_id"),
            (f"delete-{t}", f"DELETE FROM {t} WHERE version_id = :pub"),
            (
                f"insert-{t}",
                f"INSERT INTO {t} (version_id, ordinal, name, data) "
                "VALUES (:pub, 999, 'extra', '{}')",
            ),
        ]
    sqlite = [
        (
            "insert-or-replace-version-id",
            f"INSERT OR REPLACE INTO versions {_NEW_VERSION}"
            f"(:pub, :connector, 'other', 'draft', 'http', 'x', :other_sha, '{{}}', {_TS})",
        ),
        (
            "insert-or-replace-version-label",
            f"INSERT OR REPLACE INTO versions {_NEW_VERSION}"
            f"(NULL, :connector, :label, 'draft', 'http', 'x', :other_sha, '{{}}', {_TS})",
        ),
        (
            "insert-or-replace-version-sha256",
            f"INSERT OR REPLACE INTO versions {_NEW_VERSION}"
            f"(NULL, :connector, 'other', 'draft', 'http', 'x', :sha, '{{}}', {_TS})",
        ),
        (
            "replace-into-version",
            f"REPLACE INTO versions {_NEW_VERSION}"
            f"(:pub, :connector, :label, 'draft', 'http', 'x', :sha, '{{}}', {_TS})",
        ),
        (
            "update-or-replace-label",
            "UPDATE OR REPLACE versions SET label = :label WHERE id = :draft",
        ),
        (
            "update-or-replace-sha256",
            "UPDATE OR REPLACE versions SET sha256 = :sha WHERE id = :draft",
        ),
        (
            "insert-or-replace-action-ordinal",
            "INSERT OR REPLACE INTO actions (version_id, ordinal, name, data) "
            "VALUES (:pub, 0, 'x', '{}')",
        ),
        (
            "update-or-replace-action-id",
            "UPDATE OR REPLACE actions SET id = :actions_id WHERE version_id = :draft AND ordinal = 0",
        ),
        (
            "update-or-replace-version-id",
            "UPDATE OR REPLACE versions SET id = :pub WHERE id = :draft",
        ),
        (
            "update-or-replace-draft-into-published",
            "UPDATE OR REPLACE versions SET label = :label, sha256 = :sha WHERE id = :draft",
        ),
        (
            "replace-connector-by-id",
            "REPLACE INTO connectors (id, name, protocol, tags, vetting_status, created_at) "
            f"VALUES (:connector, 'hijack', 'http', '[]', 'unvetted', {_TS})",
        ),
        (
            "replace-connector-by-name",
            "INSERT OR REPLACE INTO connectors (name, protocol, tags, vetting_status, created_at) "
            f"VALUES ('acme', 'http', '[]', 'unvetted', {_TS})",
        ),
    ]
    for t in CHILDREN:
        sqlite.append(
            (
                f"insert-or-replace-{t}-id",
                f"INSERT OR REPLACE INTO {t} (id, version_id, ordinal, name, data) "
                f"VALUES (:{t}_id, :draft, 999, 'hijack', '{{}}')",
            )
        )
    postgresql = [
        (
            "upsert-version-id",
            f"INSERT INTO versions {_NEW_VERSION}"
            f"(:pub, :connector, 'other', 'draft', 'http', 'x', :other_sha, '{{}}', {_TS}) "
            "ON CONFLICT (id) DO UPDATE SET title = 'changed'",
        ),
        (
            "upsert-version-label",
            f"INSERT INTO versions {_NEW_VERSION}"
            f"(DEFAULT, :connector, :label, 'draft', 'http', 'x', :other_sha, '{{}}', {_TS}) "
            "ON CONFLICT (connector_id, label) DO UPDATE SET content = EXCLUDED.content",
        ),
        (
            "upsert-action-ordinal",
            "INSERT INTO actions (version_id, ordinal, name, data) VALUES (:pub, 0, 'x', '{}') "
            "ON CONFLICT (version_id, ordinal) DO UPDATE SET data = EXCLUDED.data",
        ),
        (
            "merge-version",
            "MERGE INTO versions v USING (SELECT CAST(:pub AS integer) AS id) s ON v.id = s.id "
            "WHEN MATCHED THEN UPDATE SET title = 'merged'",
        ),
        ("truncate-versions", "TRUNCATE versions CASCADE"),
        ("truncate-connectors", "TRUNCATE connectors CASCADE"),
        ("truncate-version-deletions", "TRUNCATE version_deletions"),
    ]
    for t in CHILDREN:
        postgresql += [
            (
                f"upsert-{t}-id",
                f"INSERT INTO {t} (id, version_id, ordinal, name, data) "
                f"VALUES (:{t}_id, :draft, 999, 'x', '{{}}') "
                "ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data",
            ),
            (f"truncate-{t}", f"TRUNCATE {t}"),
        ]
    return (
        [pytest.param(None, sql, id=name) for name, sql in both]
        + [pytest.param("sqlite", sql, id=name) for name, sql in sqlite]
        + [pytest.param("postgresql", sql, id=name) for name, sql in postgresql]
    )


def _sqlite_file(catalog: Catalog) -> str:
    return str(catalog.engine.url.database)


@pytest.mark.parametrize(
    ("only_on", "statement"),
    [pytest.param("sqlite", c.values[1], id=c.id) for c in _cases() if c.values[0] != "postgresql"],
)
def test_a_plain_sqlite3_client_cannot_change_a_published_version(
    guarded: Guarded, only_on: str, statement: str
) -> None:
    """Python's ``sqlite3`` with its defaults: no ``foreign_keys``, no ``recursive_triggers``, the
    pragmas Connectory's own connections set. The guards must not depend on them."""
    assert guarded.catalog.engine.dialect.name == only_on
    client = sqlite3.connect(_sqlite_file(guarded.catalog))
    try:
        assert client.execute("PRAGMA foreign_keys").fetchone() == (0,)
        assert client.execute("PRAGMA recursive_triggers").fetchone() == (0,)
        with pytest.raises(sqlite3.IntegrityError) as refused:
            client.execute(statement, guarded.params)
        client.rollback()
    finally:
        client.close()
    assert "connectory:" in str(refused.value)
    after = guarded.catalog.get_version("acme", "1.0")
    assert after.model_dump_json() == guarded.published.model_dump_json()
    assert _counts(guarded.catalog) == guarded.counts


@pytest.mark.parametrize("only_on", ["sqlite"])
def test_a_plain_sqlite3_client_cannot_rewrite_a_vetting(guarded: Guarded, only_on: str) -> None:
    catalog = guarded.catalog
    assert catalog.engine.dialect.name == only_on
    catalog.record_vetting(
        Vetting(connector="acme", version="1.0", reviewer="v", verdict="rejected")
    )
    client = sqlite3.connect(_sqlite_file(catalog))
    try:
        (vetting_id,) = client.execute("SELECT id FROM vettings").fetchone()
        for statement in (
            "INSERT OR REPLACE INTO vettings (id, connector, label, sha256, reviewer, verdict, "
            "checks, vetted_at) VALUES (?, 'acme', '1.0', 'x', 'mallory', 'approved', '[]', "
            "'2024-01-01 00:00:00')",
            "UPDATE OR REPLACE vettings SET verdict = 'approved' WHERE id = ?",
            "DELETE FROM vettings WHERE id = ?",
        ):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                client.execute(statement, (vetting_id,))
            client.rollback()
    finally:
        client.close()
    assert [(v.reviewer, v.verdict) for v in catalog.list_vettings("acme")] == [("v", "rejected")]


@pytest.mark.parametrize(("only_on", "statement"), _cases())
def test_raw_sql_cannot_change_a_published_version(
    guarded: Guarded, only_on: str | None, statement: str
) -> None:
    engine = guarded.catalog.engine
    assert only_on in (None, engine.dialect.name)  # conftest deselects the other backend
    with pytest.raises(sa.exc.IntegrityError) as refused, engine.begin() as connection:
        connection.execute(sa.text(statement), guarded.params)

    assert "connectory:" in str(refused.value)
    assert "immutable" in str(refused.value)
    after = guarded.catalog.get_version("acme", "1.0")
    assert after.model_dump_json() == guarded.published.model_dump_json()
    assert _counts(guarded.catalog) == guarded.counts


def test_the_guards_let_drafts_and_deprecation_through(guarded: Guarded) -> None:
    engine = guarded.catalog.engine
    with engine.begin() as connection:
        run = lambda sql: connection.execute(sa.text(sql), guarded.params)  # noqa: E731
        run("UPDATE versions SET title = 'draft title' WHERE id = :draft")
        run("UPDATE actions SET name = 'renamed' WHERE version_id = :draft AND ordinal = 0")
        run("DELETE FROM actions WHERE version_id = :draft AND ordinal = 2")
        run("DELETE FROM findings WHERE version_id = :draft")
        run("UPDATE versions SET state = 'deprecated', sunset = '2030-01-01' WHERE id = :pub")
        run("UPDATE versions SET sunset = '2031-01-01', replacement = '2.0' WHERE id = :pub")
    draft = guarded.catalog.get_version("acme", "2.0-draft")
    assert draft.title == "draft title"
    assert len(draft.actions) == 2
    assert draft.findings == []
    deprecated = guarded.catalog.get_version("acme", "1.0")
    assert (deprecated.state, str(deprecated.sunset), deprecated.replacement) == (
        "deprecated",
        "2031-01-01",
        "2.0",
    )
    assert (
        deprecated.model_copy(update={"state": "published", "sunset": None, "replacement": None})
        == guarded.published
    )

    with pytest.raises(sa.exc.IntegrityError, match="immutable"), engine.begin() as connection:
        connection.execute(
            sa.text("UPDATE versions SET state = 'published' WHERE id = :pub"), guarded.params
        )


def test_the_deletion_record_is_append_only(guarded: Guarded) -> None:
    guarded.catalog.delete_version("acme", "1.0", confirm=True, reason="test")
    engine = guarded.catalog.engine
    for statement in (
        "UPDATE version_deletions SET reason = 'forged'",
        "DELETE FROM version_deletions",
    ):
        with pytest.raises(sa.exc.IntegrityError, match="append-only"), engine.begin() as c:
            c.execute(sa.text(statement))
    # A deleted version's id is never reused, even when given explicitly.
    with pytest.raises(sa.exc.IntegrityError, match="connectory:"), engine.begin() as c:
        c.execute(
            sa.text(
                f"INSERT INTO versions {_NEW_VERSION}"
                f"(:pub, :connector, 'reborn', 'draft', 'http', 'x', :other_sha, '{{}}', {_TS})"
            ),
            guarded.params,
        )


def test_guard_errors_become_immutable_version(guarded: Guarded) -> None:
    catalog = guarded.catalog
    with (
        pytest.raises(ImmutableVersion, match=r"^acme@1\.0: connectory: .*immutable"),
        raising_catalog_errors(catalog.url, subject="acme@1.0"),
        catalog.engine.begin() as connection,
    ):
        connection.execute(sa.text("DELETE FROM actions WHERE version_id = :pub"), guarded.params)
    assert catalog.get_version("acme", "1.0") == guarded.published


@pytest.mark.parametrize("only_on", ["postgresql"])
def test_guards_follow_the_schema_not_the_session(guarded: Guarded, only_on: str) -> None:
    """A session whose search_path has no catalogue tables still meets the guards (PostgreSQL)."""
    engine = guarded.catalog.engine
    assert engine.dialect.name == only_on
    with engine.connect() as connection:
        schema = connection.scalar(sa.text("SELECT current_schema()"))
    with engine.begin() as connection:
        connection.execute(sa.text("SET LOCAL search_path = pg_catalog"))
        with pytest.raises(sa.exc.IntegrityError, match="connectory:"):
            connection.execute(
                sa.text(f"UPDATE \"{schema}\".actions SET name = 'x' WHERE version_id = :pub"),
                guarded.params,
            )


@pytest.mark.parametrize("only_on", ["sqlite"])
def test_a_plain_sqlite3_client_cannot_replace_a_delivery_by_its_signature(
    guarded: Guarded, only_on: str
) -> None:
    assert guarded.catalog.engine.dialect.name == only_on
    row = (
        "INTO deliveries (connector, label, trigger, verified, problems, headers, payload, "
        "received_at, signature_sha256) VALUES ('acme', '1.0', 't', {verified}, '[]', '{{}}', "
        "'{payload}', '2024-01-01 00:00:00', 'sig')"
    )
    client = sqlite3.connect(_sqlite_file(guarded.catalog))
    try:
        client.execute("INSERT " + row.format(verified=1, payload='{"kept": true}'))
        client.commit()
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            client.execute(
                "INSERT OR REPLACE " + row.format(verified=0, payload='{"forged": true}')
            )
        client.rollback()
        assert client.execute("SELECT payload FROM deliveries").fetchall() == [('{"kept": true}',)]
    finally:
        client.close()

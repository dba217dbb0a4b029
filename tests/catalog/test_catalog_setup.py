"""Opening a catalogue: the default URL, migrations, engine set-up, and errors without secrets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from connectory.catalog import (
    Catalog,
    CatalogBusy,
    CatalogUnavailable,
    create_engine,
    default_database_url,
    upgrade,
)
from connectory.catalog._failures import ValueRefused
from connectory.catalog._tables import metadata
from connectory.catalog.migrate import (
    alembic_config,
    current_revision,
    head_revision,
    newest_revision,
)
from connectory.errors import CatalogError, ConnectoryError, InputError, is_transient
from tests.support.samples import rich_version, small_version


def _schema_objects(engine: sa.Engine) -> list[str]:
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            query = "SELECT type || ' ' || name FROM sqlite_master ORDER BY 1"
        else:
            query = (
                "SELECT 'table ' || tablename FROM pg_tables WHERE schemaname = current_schema()"
                " UNION ALL SELECT 'trigger ' || tgrelid::regclass || '.' || tgname"
                " FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
                " WHERE NOT tgisinternal AND c.relnamespace = current_schema()::regnamespace"
                " UNION ALL SELECT 'function ' || proname FROM pg_proc"
                " WHERE pronamespace = current_schema()::regnamespace ORDER BY 1"
            )
        return list(connection.scalars(sa.text(query)))


def test_migrating_again_is_a_no_op(catalog: Catalog) -> None:
    catalog.draft(rich_version(), label="1")
    catalog.publish("acme", "1")
    before = catalog.get_version("acme", "1")
    objects = _schema_objects(catalog.engine)
    assert any("connectory_" in o for o in objects)

    upgrade(catalog.engine)
    with Catalog.open(catalog.engine.url.render_as_string(hide_password=False)) as again:
        assert again.get_version("acme", "1") == before

    assert current_revision(catalog.engine) == head_revision()
    assert _schema_objects(catalog.engine) == objects


def test_the_newest_revision_by_file_name_is_alembics_head() -> None:
    """``upgrade`` leaves a catalogue whose revision is ``newest_revision()`` without loading
    Alembic: a migration file not named after its revision would be skipped."""
    assert newest_revision() == head_revision()


def test_a_catalogue_one_revision_behind_is_upgraded(database_url: str) -> None:
    with Catalog.open(database_url) as catalog:
        with catalog.engine.begin() as connection:
            command.downgrade(alembic_config(connection), "-1")
        assert current_revision(catalog.engine) != head_revision()
    with Catalog.open(database_url) as catalog:
        assert current_revision(catalog.engine) == head_revision()
        assert catalog.draft(small_version()).created


def test_the_migration_downgrades_to_nothing_and_back(database_url: str) -> None:
    with Catalog.open(database_url) as catalog:
        empty = [o for o in _schema_objects(catalog.engine) if "alembic_version" in o]
        with catalog.engine.begin() as connection:
            command.downgrade(alembic_config(connection), "base")
        assert [o for o in _schema_objects(catalog.engine) if "sqlite_sequence" not in o] == empty
        upgrade(catalog.engine)
        assert catalog.draft(small_version()).created


def _deferrability_only(differences: list[Any]) -> list[Any]:
    """The foreign keys whose only difference is DEFERRABLE, which SQLite's tables do not declare
    (``tables._version_fk``): a removed and an added key between the same columns."""

    def key(difference: Any) -> tuple[str, ...] | None:
        if not (isinstance(difference, tuple) and difference[0] in ("remove_fk", "add_fk")):
            return None
        fk = difference[1]
        return (fk.parent.name, *(c.name for c in fk.columns), fk.referred_table.name)

    keys = [key(d) for d in differences]
    return [d for d, k in zip(differences, keys, strict=True) if k and keys.count(k) == 2]


def test_the_migration_builds_the_schema_the_store_uses(catalog: Catalog) -> None:
    with catalog.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    if catalog.engine.dialect.name == "sqlite":
        differences = [d for d in differences if d not in _deferrability_only(differences)]
    assert differences == []


def test_open_without_migrating_leaves_the_database_alone(database_url: str) -> None:
    catalog = Catalog.open(database_url, migrate=False)
    try:
        assert current_revision(catalog.engine) is None
    finally:
        catalog.close()


def test_the_default_database_is_the_users_file_outside_a_checkout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CONNECTORY_DATABASE_URL", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    expected = tmp_path / "data" / "connectory" / "connectory.db"
    assert sa.make_url(default_database_url()).database == str(expected)

    with Catalog.open() as catalog:
        catalog.draft(small_version())
    assert expected.is_file()

    monkeypatch.setenv("CONNECTORY_DATABASE_URL", "sqlite:///elsewhere.db")
    assert default_database_url() == "sqlite:///elsewhere.db"


def test_sqlite_connections_are_set_up(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'deep' / 'er' / 'c.db'}")
    try:
        with engine.connect() as connection:
            pragma = lambda name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
            assert pragma("journal_mode") == "wal"
            assert pragma("foreign_keys") == 1
            assert pragma("recursive_triggers") == 1
            assert pragma("busy_timeout") == 30_000
    finally:
        engine.dispose()


def test_a_locked_sqlite_catalogue_is_a_transient_error(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'c.db'}"
    Catalog.open(url).close()
    holder = sa.create_engine(url)
    impatient = Catalog(create_engine(url, connect_args={"timeout": 0.2}))
    try:
        with holder.connect() as connection:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
            with pytest.raises(CatalogBusy, match="busy") as busy:
                impatient.draft(small_version())
            connection.exec_driver_sql("ROLLBACK")
        assert is_transient(busy.value)
        assert isinstance(busy.value, CatalogError)
        assert not isinstance(busy.value.__cause__, ConnectoryError)
        assert impatient.draft(small_version()).created  # and once the lock is gone, it works
    finally:
        impatient.close()
        holder.dispose()


@pytest.mark.parametrize("only_on", ["postgresql"])
def test_a_postgresql_lock_timeout_is_a_transient_error(database_url: str, only_on: str) -> None:
    with Catalog.open(database_url) as catalog:
        catalog.draft(small_version(), label="1")
        url = sa.make_url(database_url)
        options = f"{url.query['options']} -clock_timeout=200"
        impatient = Catalog(create_engine(url.update_query_dict({"options": options})))
        try:
            with catalog.engine.connect() as connection:
                connection.execute(sa.text("SELECT * FROM versions FOR UPDATE"))
                with pytest.raises(CatalogBusy) as busy:
                    impatient.publish("acme", "1")
                connection.rollback()
            assert is_transient(busy.value)
            assert impatient.publish("acme", "1").version.state == "published"
        finally:
            impatient.close()
    assert only_on == "postgresql"


def test_an_unreachable_server_is_transient_and_keeps_the_password_secret() -> None:
    url = "postgresql+psycopg://connectory:s3cr3t-pw@127.0.0.1:9/catalog?connect_timeout=2"
    with pytest.raises(CatalogUnavailable) as unavailable:
        Catalog.open(url)
    assert is_transient(unavailable.value)
    assert "s3cr3t-pw" not in str(unavailable.value)
    assert "***" in str(unavailable.value)


def test_the_url_is_shown_without_password() -> None:
    engine = sa.create_engine("postgresql+psycopg://u:hunter2@db.example/c")
    catalog = Catalog(engine)  # no I/O: nothing connects to db.example
    assert catalog.url == "postgresql+psycopg://u:***@db.example/c"
    assert "hunter2" not in repr(catalog)


def test_a_bad_url_is_a_catalog_error() -> None:
    with pytest.raises(CatalogError, match="catalogue"):
        Catalog.open("nosuchdb://x/y")


@pytest.mark.parametrize("only_on", ["postgresql"])
def test_a_value_the_database_cannot_hold_is_bad_input(catalog: Catalog, only_on: str) -> None:
    """PostgreSQL text cannot hold NUL: the input is at fault (exit code 2, never retried)."""
    assert catalog.engine.dialect.name == only_on
    with pytest.raises(ValueRefused, match=r"cannot hold a value given: .*NUL") as refused:
        catalog.draft(small_version().model_copy(update={"title": "a\x00b"}), label="1")
    assert isinstance(refused.value, InputError)
    assert not is_transient(refused.value)
    assert catalog.list_connectors() == []

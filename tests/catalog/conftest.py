"""Fixtures of the catalogue store's tests: every store test runs on SQLite and on PostgreSQL.

SQLite: a fresh file under ``tmp_path``. PostgreSQL: the server named by
``CONNECTORY_TEST_POSTGRESQL_URL`` (default: the local trust-auth server), one fresh schema per
test (``connectory_test_<random>``, selected with ``options=-csearch_path=...`` on the URL and
dropped with CASCADE afterwards). If that server does not answer, the PostgreSQL cases are skipped,
unless ``CONNECTORY_REQUIRE_POSTGRESQL=1``, which turns the skip into a failure (for CI).

A test parametrised with ``only_on`` ("sqlite" or "postgresql") runs on that backend only: the
other combinations are deselected at collection.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from connectory.catalog import Catalog

DEFAULT_POSTGRESQL_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _postgresql_base_url() -> sa.URL:
    return sa.make_url(os.environ.get("CONNECTORY_TEST_POSTGRESQL_URL", DEFAULT_POSTGRESQL_URL))


def _unreachable(message: str) -> None:
    if os.environ.get("CONNECTORY_REQUIRE_POSTGRESQL") == "1":
        pytest.fail(f"{message} (CONNECTORY_REQUIRE_POSTGRESQL=1)")
    pytest.skip(message)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect the cases parametrised ``only_on="sqlite"`` (or postgresql) on the other backend."""
    kept: list[pytest.Item] = []
    deselected: list[pytest.Item] = []
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        only_on, backend = params.get("only_on"), params.get("database_url")
        (deselected if only_on and backend and only_on != backend else kept).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept


@pytest.fixture
def postgresql_schema_url() -> Iterator[str]:
    """The URL of a fresh PostgreSQL schema (with its password, for child processes)."""
    base = _postgresql_base_url()
    admin = sa.create_engine(base, poolclass=NullPool, connect_args={"connect_timeout": 5})
    schema = f"connectory_test_{secrets.token_hex(6)}"
    try:
        with admin.begin() as connection:
            connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    except sa.exc.OperationalError as error:
        admin.dispose()
        where = base.render_as_string(hide_password=True)
        reason = str(error.orig).strip().splitlines()[0]
        _unreachable(f"PostgreSQL at {where} does not answer: {reason}")
    url = base.update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return sa.URL.create(
        "sqlite+pysqlite", database=str(tmp_path / "catalog" / "connectory.db")
    ).render_as_string()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def database_url(request: pytest.FixtureRequest) -> str:
    """A fresh, empty catalogue database (not migrated yet), on each backend."""
    if request.param == "sqlite":
        return str(request.getfixturevalue("sqlite_url"))
    return str(request.getfixturevalue("postgresql_schema_url"))


@pytest.fixture
def catalog(database_url: str) -> Iterator[Catalog]:
    """An opened (migrated) catalogue on a fresh database, on each backend."""
    with Catalog.open(database_url) as opened:
        yield opened

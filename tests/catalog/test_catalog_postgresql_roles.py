"""A team's PostgreSQL catalogue, deployed as the README says: the tables belong to an owner role
that runs the migrations; Connectory runs as an application role that may read and write rows and
nothing else. The guards are triggers; only the owner (or a superuser) can disable or drop them,
so the application role, whoever holds its credentials, cannot get around them.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from connectory.catalog import Catalog
from connectory.errors import CatalogError
from connectory.model.version import Vetting
from tests.support.samples import small_version


@dataclass
class Roles:
    owner_url: str
    app_url: str
    app: str


def _url(base: str, user: str) -> str:
    return sa.make_url(base).set(username=user, password=None).render_as_string(hide_password=False)


@pytest.fixture
def roles(postgresql_schema_url: str) -> Iterator[Roles]:
    suffix = secrets.token_hex(4)
    owner, app = f"connectory_owner_{suffix}", f"connectory_app_{suffix}"
    admin = sa.create_engine(postgresql_schema_url, poolclass=NullPool)
    with admin.begin() as connection:
        schema = connection.scalar(sa.text("SELECT current_schema()"))
        for role in (owner, app):
            connection.execute(sa.text(f'CREATE ROLE "{role}" LOGIN'))
        connection.execute(sa.text(f'ALTER SCHEMA "{schema}" OWNER TO "{owner}"'))
        connection.execute(sa.text(f'GRANT USAGE ON SCHEMA "{schema}" TO "{app}"'))
        # What the README's deployment grants: rows, not the schema; future tables too.
        connection.execute(
            sa.text(
                f'ALTER DEFAULT PRIVILEGES FOR ROLE "{owner}" IN SCHEMA "{schema}" '
                f'GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO "{app}"'
            )
        )
        connection.execute(
            sa.text(
                f'ALTER DEFAULT PRIVILEGES FOR ROLE "{owner}" IN SCHEMA "{schema}" '
                f'GRANT USAGE, SELECT ON SEQUENCES TO "{app}"'
            )
        )
    try:
        yield Roles(_url(postgresql_schema_url, owner), _url(postgresql_schema_url, app), app)
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'ALTER SCHEMA "{schema}" OWNER TO CURRENT_USER'))
            for role in (owner, app):
                connection.execute(sa.text(f'DROP OWNED BY "{role}" CASCADE'))
            for role in (owner, app):
                connection.execute(sa.text(f'DROP ROLE "{role}"'))
        admin.dispose()


def test_the_application_role_works_and_cannot_lift_the_guards(roles: Roles) -> None:
    Catalog.open(roles.owner_url).close()  # the owner runs the migrations
    with Catalog.open(roles.app_url) as catalog:  # at head: nothing to migrate
        catalog.draft(small_version(), label="1")
        catalog.record_vetting(
            Vetting(connector="acme", version="1", reviewer="v", verdict="approved")
        )
        catalog.publish("acme", "1")
        catalog.draft(small_version(seed="2"), label="2")
        catalog.publish("acme", "2")
        catalog.delete_version("acme", "1", confirm=True)  # deferred keys: any role may
        published = catalog.get_version("acme", "2")

        attacks = [
            "ALTER TABLE versions DISABLE TRIGGER ALL",
            "ALTER TABLE actions DISABLE TRIGGER connectory_guard",
            "DROP TRIGGER connectory_guard ON versions",
            "DROP FUNCTION connectory_guard_versions() CASCADE",
            "CREATE OR REPLACE FUNCTION connectory_guard_versions() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$",
            "TRUNCATE versions CASCADE",
            "SET session_replication_role = replica",
            "ALTER TABLE versions DROP COLUMN content_sha256",
        ]
        for statement in attacks:
            with pytest.raises(sa.exc.DBAPIError) as refused, catalog.engine.begin() as c:
                c.execute(sa.text(statement))
            assert refused.value.orig is not None
            assert getattr(refused.value.orig, "sqlstate", "") in ("42501", "42883"), statement
        with (
            pytest.raises(sa.exc.IntegrityError, match="immutable"),
            catalog.engine.begin() as c,
        ):
            c.execute(sa.text("UPDATE versions SET title = 'x' WHERE label = '2'"))
        assert catalog.get_version("acme", "2") == published


def test_the_application_role_cannot_migrate_and_says_who_can(roles: Roles) -> None:
    with pytest.raises(CatalogError, match="owner") as refused:
        Catalog.open(roles.app_url)
    assert roles.app in str(refused.value) or "permission denied" in str(refused.value)

"""Publishing while another client writes a draft's children, on PostgreSQL.

On SQLite one writer holds the whole database, so nothing can change a draft's rows between the
moment publish reads them and its commit. On PostgreSQL, at READ COMMITTED, a second client could:
publish locked the version's row, read and hashed its children, and sealed that hash, while the
other client's uncommitted UPDATE or DELETE of a child (whose guard saw a draft) committed right
after, leaving a published version whose content was never hashed, diffed or vetted. A child's
guard now locks its version's row (FOR SHARE): a child write waits for a publish in flight and is
then refused, and a publish waits for child writes in flight and then hashes what they left.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from connectory.catalog import Catalog
from connectory.catalog.digest import content_sha256
from tests.support.samples import small_version

pytestmark = pytest.mark.postgresql

_EDITS = {
    "update": (
        "UPDATE actions SET data = (SELECT data FROM actions WHERE name = 'list-things' AND "
        "version_id = :id) WHERE name = 'get-thing' AND version_id = :id"
    ),
    "delete": "DELETE FROM actions WHERE name = 'get-thing' AND version_id = :id",
    "insert": (
        "INSERT INTO actions (version_id, ordinal, name, data) SELECT version_id, 9, 'sneaky', "
        "data FROM actions WHERE name = 'list-things' AND version_id = :id"
    ),
}


@pytest.fixture
def catalog(postgresql_schema_url: str) -> Iterator[Catalog]:
    with Catalog.open(postgresql_schema_url) as opened:
        opened.draft(small_version(), label="1.0.0")
        yield opened


@pytest.fixture
def other_client(postgresql_schema_url: str) -> Iterator[sa.Engine]:
    """A plain SQL client of the same database (no Connectory code on its connections)."""
    engine = sa.create_engine(postgresql_schema_url, poolclass=NullPool)
    yield engine
    engine.dispose()


def _draft_id(engine: sa.Engine) -> int:
    with engine.connect() as connection:
        return int(connection.scalar(sa.text("SELECT id FROM versions WHERE label = '1.0.0'")))


def _in_thread(work: Callable[[], Any]) -> tuple[threading.Thread, dict[str, Any]]:
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["result"] = work()
        except Exception as error:  # the test looks at it
            outcome["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


@pytest.mark.parametrize("edit", sorted(_EDITS))
def test_a_publish_waits_for_a_child_write_in_flight_and_hashes_what_it_left(
    catalog: Catalog, other_client: sa.Engine, edit: str
) -> None:
    version_id = _draft_id(other_client)
    with other_client.connect() as writer:
        writer.begin()
        writer.execute(sa.text(_EDITS[edit]), {"id": version_id})
        thread, outcome = _in_thread(lambda: catalog.publish("acme", "1.0.0"))
        thread.join(1.5)
        assert thread.is_alive(), "publish read the draft while a write to it was in flight"
        writer.commit()
    thread.join(30)
    assert "error" not in outcome, outcome
    published = catalog.get_version("acme", "1.0.0")
    assert published.state == "published"
    assert published.content_sha256 == content_sha256(published)


@pytest.mark.parametrize("edit", sorted(_EDITS))
def test_a_child_write_waits_for_a_publish_in_flight_and_is_refused(
    catalog: Catalog, other_client: sa.Engine, edit: str
) -> None:
    version_id = _draft_id(other_client)
    before = catalog.get_version("acme", "1.0.0")
    with other_client.connect() as publisher:
        publisher.begin()  # a publish in flight: the row locked, the children read, the update
        publisher.execute(sa.text("SELECT 1 FROM versions WHERE id = :id FOR UPDATE"), {"id": version_id})  # fmt: skip
        publisher.execute(
            sa.text(
                "UPDATE versions SET state = 'published', published_at = now(), "
                "content_sha256 = :digest WHERE id = :id"
            ),
            {"id": version_id, "digest": content_sha256(before)},
        )

        def write() -> None:
            with other_client.begin() as writer:
                writer.execute(sa.text(_EDITS[edit]), {"id": version_id})

        thread, outcome = _in_thread(write)
        thread.join(1.5)
        assert thread.is_alive(), "a child of a version being published was written meanwhile"
        publisher.commit()
    thread.join(30)
    assert isinstance(outcome.get("error"), sa.exc.IntegrityError), outcome
    assert "immutable" in str(outcome["error"])
    published = catalog.get_version("acme", "1.0.0")
    assert published.actions == before.actions
    assert published.content_sha256 == content_sha256(published)

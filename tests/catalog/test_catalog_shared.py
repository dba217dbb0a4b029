"""``Catalog.shared``: one engine per process and URL, a bounded pool, migrated once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa
from sqlalchemy import event

import connectory.catalog.store as store
from connectory.catalog import Catalog
from connectory.errors import CatalogError


def test_many_threads_share_a_bounded_pool_and_one_migration(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONNECTORY_POOL_SIZE", "2")
    upgrades: list[sa.Engine] = []
    real_upgrade = store.upgrade
    monkeypatch.setattr(
        store, "upgrade", lambda engine: upgrades.append(engine) or real_upgrade(engine)
    )
    first = Catalog.shared(database_url)
    out = 0
    most = 0
    lock = threading.Lock()

    def checked_out(*_: object) -> None:
        nonlocal out, most
        with lock:
            out += 1
            most = max(most, out)

    def checked_in(*_: object) -> None:
        nonlocal out
        with lock:
            out -= 1

    event.listen(first.engine, "checkout", checked_out)
    event.listen(first.engine, "checkin", checked_in)

    def work(_: int) -> int:
        with Catalog.shared(database_url) as catalog:  # closing leaves the engine alone
            assert catalog.engine is first.engine
            return len(catalog.list_connectors())

    with ThreadPoolExecutor(16) as pool:
        assert set(pool.map(work, range(64))) == {0}
    assert len(upgrades) == 1  # migrated once in this process
    assert 1 <= most <= 2  # never more connections than the pool holds, whatever the threads
    assert first.engine.pool.size() == 2  # type: ignore[attr-defined]


def test_a_bad_pool_size_is_named(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONNECTORY_POOL_SIZE", "lots")
    with pytest.raises(CatalogError, match="CONNECTORY_POOL_SIZE='lots' is not a positive"):
        Catalog.shared(sqlite_url)

"""``connectory deliveries``: a connector's webhook inbox from the terminal."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime

import sqlalchemy as sa

from connectory.catalog import Catalog
from connectory.runtime.deliveries import Delivery
from tests.support.samples import small_version

from .conftest import Run


def test_the_inbox_newest_first(run: Run, sqlite_url: str) -> None:
    with Catalog.open(sqlite_url) as catalog:
        catalog.draft(small_version(), label="1")
        for trigger, payload in (("paid", {"n": 1}), ("refund", "[/raw] text")):
            catalog.record_delivery(
                Delivery(
                    connector="acme", version="1", trigger=trigger, verified=True, payload=payload
                )
            )
    listed = run("deliveries", "acme", "--json")
    assert listed.returncode == 0, listed.stderr
    assert [d["trigger"] for d in json.loads(listed.stdout)] == ["refund", "paid"]
    only = run("deliveries", "acme", "--trigger", "paid", "--json")
    assert [d["payload"] for d in json.loads(only.stdout)] == [{"n": 1}]
    table = run("deliveries", "acme")
    assert "[/raw] text" in table.stdout
    assert run("deliveries", "nobody").returncode == 2


def test_a_row_that_cannot_be_shown_as_stored_does_not_break_the_inbox(
    run: Run, sqlite_url: str
) -> None:
    with Catalog.open(sqlite_url) as catalog:
        catalog.draft(small_version(), label="1")
        catalog.record_delivery(
            Delivery(connector="acme", version="1", trigger="paid", verified=True, payload={"n": 1})
        )
    deep = "[" * 400 + "]" * 400  # kept before deliveries had a depth limit
    database = sqlite3.connect(sa.make_url(sqlite_url).database or "")
    with database:
        database.execute(
            "INSERT INTO deliveries (connector, label, trigger, verified, problems, headers,"
            " payload, received_at) VALUES ('acme', '1', 'paid', 1, '[]', '{}', ?, ?)",
            (deep, datetime.now(UTC).replace(tzinfo=None).isoformat(" ")),
        )
    database.close()
    listed = run("deliveries", "acme", "--json")
    assert listed.returncode == 0, listed.stderr
    newest, oldest = json.loads(listed.stdout)
    assert (newest["payload"], oldest["payload"]) == (deep, {"n": 1})
    assert "nested more than 128 levels deep" in newest["problems"][0]
    table = run("deliveries", "acme")
    assert table.returncode == 0, table.stderr

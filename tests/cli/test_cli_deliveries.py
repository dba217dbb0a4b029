"""``connectory deliveries``: a connector's webhook inbox from the terminal."""

from __future__ import annotations

import json

from connectory.catalog import Catalog
from connectory.deliveries import Delivery

from ..samples import small_version
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

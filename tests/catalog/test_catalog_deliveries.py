"""The inbox in the store, on both backends: a signature is kept once, even between racing
writers; the inbox stays append-only with its replay column; a listing survives any row."""

from __future__ import annotations

import threading
import time

import pytest
import sqlalchemy as sa

from connectory.catalog import Catalog
from connectory.catalog._tables import deliveries
from connectory.errors import DocumentError, InputError
from connectory.runtime.deliveries import Delivery
from tests.support.samples import small_version

SIGNATURE = "ab" * 32


def _delivery(signature: str | None = SIGNATURE, payload: object = None) -> Delivery:
    return Delivery(
        connector="acme",
        version="1",
        trigger="paid",
        verified=signature is not None,
        payload=payload if payload is not None else {"n": 1},
        signature_sha256=signature,
    )


@pytest.fixture
def inbox(catalog: Catalog) -> Catalog:
    catalog.draft(small_version(), label="1")
    return catalog


def test_a_signature_is_kept_once(inbox: Catalog) -> None:
    first, again = inbox.record_delivery(_delivery()), inbox.record_delivery(_delivery())
    assert (first.created, again.created) == (True, False)
    assert again.delivery.id == first.delivery.id
    unsigned = [inbox.record_delivery(_delivery(None)) for _ in range(2)]
    assert [u.created for u in unsigned] == [True, True]  # no signature: nothing to compare
    listed = inbox.list_deliveries("acme")
    assert [d.signature_sha256 for d in listed] == [None, None, SIGNATURE]


def test_the_replay_column_is_append_only_too(inbox: Catalog) -> None:
    inbox.record_delivery(_delivery())
    for statement in (
        deliveries.update().values(signature_sha256=None),
        deliveries.delete(),
    ):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), inbox.engine.begin() as raw:
            raw.execute(statement)
    assert inbox.record_delivery(_delivery()).created is False


def test_limits_and_depth(inbox: Catalog) -> None:
    for limit in (0, -1, 1001):
        with pytest.raises(InputError, match="limit must be from 1 to 1000"):
            inbox.list_deliveries("acme", limit=limit)
    deep: object = 1
    for _ in range(129):
        deep = [deep]
    with pytest.raises(DocumentError, match="nested more than 128 levels deep"):
        inbox.record_delivery(_delivery(None, payload=deep))
    assert inbox.list_deliveries("acme") == []


@pytest.mark.parametrize("only_on", ["postgresql"])
def test_racing_writers_of_one_signature_keep_it_once(inbox: Catalog, only_on: str) -> None:
    """The first writer has inserted and not committed; the second finds nothing, waits on the
    unique index, loses, and is handed the winner's delivery."""
    outcome: list[object] = []
    with inbox.engine.connect() as first:
        transaction = first.begin()
        first.execute(
            deliveries.insert().values(
                connector="acme",
                label="1",
                trigger="paid",
                verified=True,
                problems=[],
                headers={},
                payload={"n": 0},
                signature_sha256=SIGNATURE,
                received_at=sa.func.now(),
            )
        )
        second = threading.Thread(target=lambda: outcome.append(inbox.record_delivery(_delivery())))
        second.start()
        time.sleep(0.5)
        assert second.is_alive()  # waiting on the first writer's row
        transaction.commit()
        second.join(10)
    (recorded,) = outcome
    assert recorded.created is False  # type: ignore[attr-defined]
    assert recorded.delivery.payload == {"n": 0}  # type: ignore[attr-defined]
    assert len(inbox.list_deliveries("acme")) == 1

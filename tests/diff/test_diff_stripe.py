"""Stripe's API 2022-04-12 -> 2023-09-12: a real 17-month drift (400+ actions, 500+ definitions
each). The assertions are changes checked by reading the two documents; the summary of counts by
level and kind is printed (``pytest -s``), not asserted."""

from __future__ import annotations

import time
from collections import Counter

import pytest

from connectory import diff, inspect
from connectory.model.version import Change, ConnectorVersion
from tests.conftest import corpus_file

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def stripe() -> tuple[ConnectorVersion, ConnectorVersion]:
    old = inspect(corpus_file("openapi", "stripe", "spec3.json"), connector="stripe")
    new = inspect(corpus_file("openapi", "stripe", "spec3.yaml"), connector="stripe")
    return old, new


@pytest.fixture(scope="module")
def changes(stripe: tuple[ConnectorVersion, ConnectorVersion]) -> list[Change]:
    started = time.perf_counter()
    found = diff(*stripe)
    elapsed = time.perf_counter() - started
    counts = Counter((c.level, c.kind) for c in found)
    print(f"\nStripe 2022-04-12 -> 2023-09-12: {len(found)} changes in {elapsed:.3f} s")
    for (level, kind), n in sorted(counts.items()):
        print(f"  {level:9} {kind:32} {n:5}")
    return found


def _has(changes: list[Change], kind: str, level: str, location: str, message: str = "") -> bool:
    return any(
        (c.kind, c.level, c.location) == (kind, level, location) and message in c.message
        for c in changes
    )


@pytest.mark.parametrize(
    "action",
    ["GetBitcoinReceivers", "PostOrders", "GetSkus", "DeleteRecipientsId", "Post3dSecure"],
)
def test_endpoints_stripe_retired_are_removed_actions(changes: list[Change], action: str) -> None:
    assert _has(changes, "action-removed", "breaking", f"actions/{action}")


def test_new_endpoints_are_added_actions(changes: list[Change]) -> None:
    assert _has(changes, "action-added", "safe", "actions/PostTaxCalculations")


def test_payment_intent_lost_charges_and_gained_latest_charge(changes: list[Change]) -> None:
    """API version 2022-11-15: PaymentIntent.charges removed, latest_charge added."""
    assert _has(changes, "property-removed", "breaking", "definitions/payment_intent/charges")
    assert _has(changes, "property-added", "safe", "definitions/payment_intent/latest_charge")


def test_webhook_events_that_no_longer_exist_cannot_be_subscribed_to(changes: list[Change]) -> None:
    where = "actions/PostWebhookEndpoints/input/body/enabled_events/[]/enum"
    for event in ("order.payment_failed", "invoiceitem.updated"):
        assert _has(changes, "enum-value-removed", "breaking", where, f'"{event}"')


def test_the_report_is_sorted_deterministic_and_fast(
    stripe: tuple[ConnectorVersion, ConnectorVersion], changes: list[Change]
) -> None:
    levels = [c.level for c in changes]
    assert levels == sorted(levels, key=["breaking", "dangerous", "safe"].index)
    assert diff(*stripe) == changes  # deterministic (its speed is in benchmarks/diff.py)
    assert diff(stripe[1], stripe[1]) == []

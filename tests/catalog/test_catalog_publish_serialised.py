"""Publishes of one connector run one at a time: each sees what the others published.

Issue 18: drafts of one connector published at once (``onboard-batch --publish`` with several
documents landing on one connector) each compared itself with the versions released before any
of them committed, so all were published, each with no changes recorded. Here the drafts differ
in a way that breaks callers (each has only its own action), so exactly one may be published and
every other is refused, on each backend, with the publishers in threads started together.
"""

from __future__ import annotations

import threading

import pytest

from connectory.catalog import Catalog
from connectory.errors import PublishRefused
from tests.support.samples import small_version

PUBLISHERS = 6


def _publish_together(url: str, labels: list[str]) -> list[tuple[str, str]]:
    """Publish every ``acme@label`` at once, each from its own catalogue (its own connection)."""
    barrier = threading.Barrier(len(labels))
    outcomes: list[tuple[str, str]] = []
    lock = threading.Lock()

    def publish(label: str) -> None:
        with Catalog.open(url, migrate=False) as catalog:
            barrier.wait(60)
            try:
                published = catalog.publish("acme", label)
            except PublishRefused as refused:
                outcome = ("refused", str(refused))
            except Exception as error:  # reported, and the test fails on it
                outcome = ("error", f"{type(error).__name__}: {error}")
            else:
                outcome = ("published", published.version.ref)
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=publish, args=(label,)) for label in labels]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert len(outcomes) == len(labels), outcomes
    return outcomes


@pytest.mark.parametrize(
    "labels",
    [
        [f"2024-01-0{n + 1}" for n in range(PUBLISHERS)],  # not semver: the latest is compared
        [f"1.{n}.0" for n in range(PUBLISHERS)],  # semver minors: breaking under a minor label
    ],
    ids=["dates", "semver"],
)
def test_concurrent_publishes_of_one_connector_each_see_the_others(
    database_url: str, labels: list[str]
) -> None:
    with Catalog.open(database_url) as catalog:
        for n, label in enumerate(labels):
            catalog.draft(small_version(seed=f"doc-{n}", actions=(f"op-{n}",)), label=label)

    outcomes = _publish_together(database_url, labels)

    kinds = sorted(kind for kind, _ in outcomes)
    assert kinds == ["published"] + ["refused"] * (PUBLISHERS - 1), outcomes
    [winner] = [detail for kind, detail in outcomes if kind == "published"]
    assert all("breaking change" in detail for kind, detail in outcomes if kind == "refused")
    with Catalog.open(database_url) as catalog:
        released = [v for v in catalog.list_versions("acme") if v.state != "draft"]
        assert [f"acme@{v.label}" for v in released] == [winner]
        # Published alone afterwards, another draft is refused as the batch's were.
        another = next(label for label in labels if f"acme@{label}" != winner)
        with pytest.raises(PublishRefused, match="breaking change"):
            catalog.publish("acme", another)

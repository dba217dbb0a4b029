"""Several processes at once on one catalogue: opening, publishing and drafting.

The processes are spawned (fresh interpreters, as Prefect workers would be), each opens the
catalogue by URL, and they start together from a barrier.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from connectory.catalog import Catalog
from connectory.catalog.migrate import head_revision
from tests.support import catalog_workers
from tests.support.samples import sha, small_version

PROCESSES = 8


def _run_together(
    target: Callable[..., None], arguments: list[tuple[Any, ...]]
) -> list[tuple[str, str]]:
    """Run ``target(*arguments[n], barrier, results)`` in one spawned process per ``n``."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(len(arguments))
    results = context.Queue()
    workers = [context.Process(target=target, args=(*args, barrier, results)) for args in arguments]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=180) for _ in workers]
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0, (worker.exitcode, outcomes)
    return outcomes


def test_concurrent_publish_has_exactly_one_winner(database_url: str) -> None:
    with Catalog.open(database_url) as catalog:
        catalog.draft(small_version(), label="1.0")

    outcomes = _run_together(catalog_workers.publish, [(database_url, "acme", "1.0")] * PROCESSES)

    kinds = sorted(kind for kind, _ in outcomes)
    assert kinds == ["conflict"] * (PROCESSES - 1) + ["ok"], outcomes
    assert all(
        "acme@1.0 is already published" in detail for kind, detail in outcomes if kind == "conflict"
    )
    with Catalog.open(database_url) as catalog:
        version = catalog.get_version("acme", "1.0")
        assert version.state == "published"
        assert version.published_at is not None
        assert catalog.get_connector("acme").default_version == "1.0"


def test_concurrent_drafts_of_one_document_store_it_once(database_url: str) -> None:
    outcomes = _run_together(catalog_workers.draft, [(database_url, "same", "3.1")] * PROCESSES)

    assert sorted(kind for kind, _ in outcomes) == ["created"] + ["existing"] * (PROCESSES - 1), (
        outcomes
    )
    assert {label for _, label in outcomes} == {"3.1"}
    with Catalog.open(database_url) as catalog:
        assert [v.label for v in catalog.list_versions("acme")] == ["3.1"]


def test_concurrent_drafts_of_different_documents_get_distinct_labels(database_url: str) -> None:
    """Every document states version 2.0: one gets "2.0", the others "2.0+<sha8>"."""
    seeds = [f"doc-{n}" for n in range(PROCESSES)]

    outcomes = _run_together(catalog_workers.draft, [(database_url, s, "2.0") for s in seeds])

    assert [kind for kind, _ in outcomes] == ["created"] * PROCESSES, outcomes
    labels = sorted(label for _, label in outcomes)
    assert labels.count("2.0") == 1, outcomes
    winner = next(s for s in seeds if f"2.0+{sha(s)[:8]}" not in labels)
    assert labels == sorted(["2.0", *(f"2.0+{sha(s)[:8]}" for s in seeds if s != winner)])
    with Catalog.open(database_url) as catalog:
        assert sorted(v.label for v in catalog.list_versions("acme")) == labels
        assert catalog.find_by_sha256("acme", sha(winner)).version == "2.0"  # type: ignore[union-attr]


def test_opening_a_fresh_catalogue_from_many_processes(database_url: str) -> None:
    outcomes = _run_together(catalog_workers.open_catalog, [(database_url,)] * PROCESSES)

    assert outcomes == [("ok", "0")] * PROCESSES
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            versions = connection.scalars(sa.text("SELECT version_num FROM alembic_version")).all()
    finally:
        engine.dispose()
    assert versions == [head_revision()]

"""Functions run in child processes (multiprocessing, spawn) by the concurrency tests.

Each opens the catalogue itself, waits for the others at a barrier, then acts, and reports
``(outcome, detail)`` on a queue: the parent decides what the outcomes mean.
"""

from __future__ import annotations

from typing import Any

from connectory.catalog import Catalog
from connectory.errors import Conflict

from .samples import small_version

BARRIER_TIMEOUT = 120.0


def open_catalog(url: str, barrier: Any, results: Any) -> None:
    try:
        barrier.wait(BARRIER_TIMEOUT)
        with Catalog.open(url) as catalog:
            results.put(("ok", str(len(catalog.list_connectors()))))
    except Exception as error:
        results.put(("error", f"{type(error).__name__}: {error}"))


def publish(url: str, connector: str, label: str, barrier: Any, results: Any) -> None:
    try:
        with Catalog.open(url) as catalog:
            barrier.wait(BARRIER_TIMEOUT)
            try:
                catalog.publish(connector, label)
            except Conflict as conflict:
                results.put(("conflict", str(conflict)))
            else:
                results.put(("ok", ""))
    except Exception as error:
        results.put(("error", f"{type(error).__name__}: {error}"))


def draft(url: str, seed: str, document_version: str | None, barrier: Any, results: Any) -> None:
    version = small_version(seed=seed, document_version=document_version)
    try:
        with Catalog.open(url) as catalog:
            barrier.wait(BARRIER_TIMEOUT)
            drafted = catalog.draft(version)
            results.put(("created" if drafted.created else "existing", drafted.version.version))
    except Exception as error:
        results.put(("error", f"{type(error).__name__}: {error}"))

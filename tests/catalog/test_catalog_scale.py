"""A GitHub-sized version (845 actions, 1,000 definitions) through the store.

Timings are printed, not asserted (machines differ); the round trip must be exact.
"""

from __future__ import annotations

import time

import pytest

from connectory.catalog import Catalog
from tests.support.samples import github_scale_version


def test_a_github_sized_version_round_trips(
    catalog: Catalog, capsys: pytest.CaptureFixture[str], record_property: object
) -> None:
    version, origin = github_scale_version()
    assert (len(version.actions), len(version.definitions)) == (845, 1000)

    started = time.perf_counter()
    drafted = catalog.draft(version)
    drafting = time.perf_counter() - started
    started = time.perf_counter()
    got = catalog.get_version("github", drafted.version.version or "")
    reading = time.perf_counter() - started
    started = time.perf_counter()
    catalog.publish("github", got.version or "")
    publishing = time.perf_counter() - started
    started = time.perf_counter()
    again = catalog.draft(version)
    redrafting = time.perf_counter() - started

    assert got.model_dump_json() == drafted.version.model_dump_json()
    assert not again.created
    timings = (
        f"{catalog.engine.dialect.name}: {origin}: draft {drafting:.2f} s, "
        f"get_version {reading:.2f} s, publish {publishing:.2f} s, "
        f"draft again (same sha256) {redrafting:.2f} s"
    )
    record_property("timings", timings)  # type: ignore[operator]
    with capsys.disabled():
        print(f"\n[catalogue scale] {timings}")

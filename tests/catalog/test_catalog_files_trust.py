"""Importing catalogue files: one transaction, the publish policy, hashes checked, history kept.

A catalogue file is input from outside (a pull request, a download): the import must not publish a
version the store's policy refuses, must not accept a version changed after its vetting, and
must leave nothing behind when it fails or is killed half way.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import signal
import time
from pathlib import Path
from typing import Any

import pytest

from connectory.catalog import Catalog, export_catalog, import_catalog
from connectory.errors import DocumentError, PublishRefused
from connectory.model.version import Vetting
from tests.support.samples import small_version


def _publish(
    catalog: Catalog, connector: str, label: str, seed: str, actions: tuple[str, ...]
) -> None:
    catalog.draft(small_version(connector, seed=seed, actions=actions), label=label)
    catalog.record_vetting(
        Vetting(connector=connector, version=label, reviewer="ann", verdict="approved")
    )
    catalog.publish(connector, label)


@pytest.fixture
def exported(catalog: Catalog, tmp_path: Path) -> Path:
    """acme 1.0.0 and 2.0.0 (2.0.0 drops an action: a major bump), and beta 1.0.0, as files."""
    _publish(catalog, "acme", "1.0.0", "one", ("list-things", "get-thing"))
    _publish(catalog, "acme", "2.0.0", "two", ("list-things",))
    _publish(catalog, "beta", "1.0.0", "beta", ("ping",))
    folder = tmp_path / "files"
    export_catalog(catalog, folder)
    return folder


@pytest.fixture
def fresh(tmp_path: Path) -> Catalog:
    with Catalog.open(f"sqlite:///{tmp_path / 'fresh' / 'catalog.db'}") as opened:
        yield opened


def _relabel(folder: Path, connector: str, old: str, new: str) -> None:
    """Rename a version's file and label, as a hostile pull request would."""
    path = folder / connector / f"{old}.json"
    entry = json.loads(path.read_text())
    entry["version"]["version"] = new
    for vetting in entry["vettings"]:
        vetting["version"] = new
    (folder / connector / f"{new}.json").write_text(json.dumps(entry, indent=2))
    path.unlink()
    described = folder / connector / "connector.json"
    connector_entry = json.loads(described.read_text())
    if connector_entry["default_version"] == old:
        connector_entry["default_version"] = new
        described.write_text(json.dumps(connector_entry, indent=2))


def test_a_file_that_breaks_callers_under_a_minor_label_is_refused(
    exported: Path, fresh: Catalog
) -> None:
    _relabel(exported, "acme", "2.0.0", "1.1.0")
    with pytest.raises(PublishRefused, match=r"acme@1\.1\.0 has 1 breaking change"):
        import_catalog(fresh, exported)
    assert fresh.list_connectors() == []  # not even acme 1.0.0 or beta: one transaction


def test_a_version_changed_after_it_was_published_is_refused(
    exported: Path, fresh: Catalog
) -> None:
    path = exported / "acme" / "1.0.0.json"
    entry = json.loads(path.read_text())
    entry["version"]["metadata"]["servers"][0]["url"] = "https://attacker.example"
    path.write_text(json.dumps(entry, indent=2))
    with pytest.raises(DocumentError, match=r"content_sha256 says .* was changed") as refused:
        import_catalog(fresh, exported)
    assert str(path) in str(refused.value)
    assert fresh.list_connectors() == []


def test_a_vetting_of_other_content_is_refused(exported: Path, fresh: Catalog) -> None:
    path = exported / "beta" / "1.0.0.json"
    entry = json.loads(path.read_text())
    entry["version"]["metadata"]["servers"][0]["url"] = "https://attacker.example"
    del entry["version"]["content_sha256"]  # no claim to contradict: the vetting still must match
    path.write_text(json.dumps(entry, indent=2))
    with pytest.raises(DocumentError, match="vetting 0 is of another version or other content"):
        import_catalog(fresh, exported)
    assert fresh.list_connectors() == []


def test_import_keeps_the_history(catalog: Catalog, exported: Path, fresh: Catalog) -> None:
    report = import_catalog(fresh, exported)
    assert sorted(report.published) == ["acme@1.0.0", "acme@2.0.0", "beta@1.0.0"]
    for name, label in (("acme", "1.0.0"), ("acme", "2.0.0"), ("beta", "1.0.0")):
        original, imported = catalog.get_version(name, label), fresh.get_version(name, label)
        assert imported.created_at == original.created_at
        assert imported.published_at == original.published_at
        assert imported.content_sha256 == original.content_sha256
        assert imported.changes == original.changes
        assert [v.vetted_at for v in fresh.list_vettings(name, label)] == [
            v.vetted_at for v in catalog.list_vettings(name, label)
        ]
    again = export_catalog(fresh, exported)
    assert again.written == []  # byte for byte what was imported


def _import(url: str, folder: str, started: Any) -> None:
    with Catalog.open(url) as catalog:
        started.set()
        import_catalog(catalog, folder)


def test_an_import_killed_half_way_leaves_nothing_and_can_run_again(
    catalog: Catalog, tmp_path: Path
) -> None:
    """``import`` was three transactions: a kill between them left a draft that a second import
    refused. Now the whole folder is one transaction: killed at a random moment inside it, the
    store holds nothing of it, and the same import runs again."""
    for n in range(40):
        _publish(catalog, f"c{n:02d}", "1.0.0", f"seed-{n}", ("a", "b", "c"))
    folder = tmp_path / "many"
    export_catalog(catalog, folder)
    with Catalog.open(f"sqlite:///{tmp_path / 'timed' / 'catalog.db'}") as timed:
        began = time.monotonic()
        import_catalog(timed, folder)
        duration = time.monotonic() - began
    context = multiprocessing.get_context("spawn")
    rng = random.Random(12)
    killed_inside = 0
    for attempt in range(3):
        url = f"sqlite:///{tmp_path / f'killed-{attempt}' / 'catalog.db'}"
        with Catalog.open(url):
            pass  # migrated here: the child's time goes to the import itself
        started = context.Event()
        child = context.Process(target=_import, args=(url, str(folder), started))
        child.start()
        assert started.wait(120), "the importing process did not start"
        time.sleep(rng.uniform(0.2, 0.7) * duration)
        if child.is_alive():
            os.kill(child.pid or 0, signal.SIGKILL)
        child.join(30)
        with Catalog.open(url) as survivor:
            count = len(survivor.list_connectors())
            assert count in (0, 40), count
            killed_inside += child.exitcode == -signal.SIGKILL and count == 0
            report = import_catalog(survivor, folder)  # runs again, whatever the kill left
            assert len(report.published) + len(report.unchanged) == 40
            assert len(survivor.list_connectors()) == 40
    assert killed_inside, "no kill landed inside the import"


def test_a_file_that_says_it_was_published_first_cannot_hide_a_breaking_change(
    exported: Path, fresh: Catalog
) -> None:
    """acme 2.0.0 (an action dropped) relabelled 1.1.0 and dated before 1.0.0: imported first,
    with nothing to compare it with, then 1.0.0 compared with it only added an action."""
    _relabel(exported, "acme", "2.0.0", "1.1.0")
    path = exported / "acme" / "1.1.0.json"
    entry = json.loads(path.read_text())
    entry["version"]["published_at"] = "2000-01-01T00:00:00Z"
    path.write_text(json.dumps(entry, indent=2))
    with pytest.raises(PublishRefused, match=r"acme@1\.0\.0 would come before acme@1\.1\.0"):
        import_catalog(fresh, exported)
    assert fresh.list_connectors() == []


@pytest.mark.parametrize("kind", ["fifo", "folder"])
def test_a_version_file_that_is_not_a_regular_file_is_refused(
    exported: Path, fresh: Catalog, kind: str
) -> None:
    """A named pipe called 3.0.0.json in a hostile folder (a tarball can hold one) made import
    wait for ever; a folder so named was an internal error."""
    path = exported / "acme" / "3.0.0.json"
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.mkdir()
    with pytest.raises(DocumentError, match="not a regular file") as refused:
        import_catalog(fresh, exported)
    assert str(path) in str(refused.value)
    assert fresh.list_connectors() == []


def test_importing_a_folder_does_not_move_the_default_of_a_connector_the_store_holds(
    catalog: Catalog, exported: Path
) -> None:
    """Every version in the folder is held already (nothing is imported), yet its
    connector.json moved the store's default back, and with it every board that follows
    ``default``, past the policy and its blast radius."""
    assert (
        json.loads((exported / "acme" / "connector.json").read_text())["default_version"] == "1.0.0"
    )
    catalog.set_default("acme", "2.0.0")
    done = import_catalog(catalog, exported)
    assert done.published == []
    assert catalog.get_connector("acme").default_version == "2.0.0"

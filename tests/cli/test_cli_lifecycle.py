"""Publish with its change report, deprecate, diff, boards and the blast radius of a deletion,
through the installed ``connectory`` command. Drafts are stored through the Python API (no
Prefect needed) from a real document and an edited release of it."""

from __future__ import annotations

import copy
import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from connectory.catalog import Catalog
from tests.support.diff_documents import onepassword, version_of, write

from .conftest import Run


@pytest.fixture
def documents(tmp_path: Path) -> tuple[Path, Path]:
    """1Password Connect as published, and a release without its /heartbeat operation."""
    document = json.loads(onepassword().read_text())
    original = write(tmp_path / "original.json", document)
    edited = copy.deepcopy(document)
    del edited["paths"]["/heartbeat"]
    return original, write(tmp_path / "edited.json", edited)


@pytest.fixture
def draft(sqlite_url: str, documents: tuple[Path, Path]) -> Callable[[str, str], None]:
    """Store ``which`` (original or edited) as a draft of connector ``op`` labelled ``label``."""

    def draft(which: str, label: str) -> None:
        path = documents[0] if which == "original" else documents[1]
        version = version_of(path).model_copy(update={"connector": "op"})
        with Catalog.open(sqlite_url) as catalog:
            catalog.draft(version, label=label)

    return draft


def _json(result: subprocess.CompletedProcess[str]) -> Any:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_publish_refuses_unannounced_breaking_changes_and_suggests_a_label(
    run: Run, draft: Callable[[str, str], None], documents: tuple[Path, Path]
) -> None:
    draft("original", "1.5.7")
    draft("edited", "1.6.0")
    first = run("publish", "op@1.5.7")
    assert first.returncode == 0, first.stderr
    assert "Published op@1.5.7" in first.stdout
    assert "The first published version" in first.stdout

    for extra in ((), ("--allow-breaking",)):
        refused = run("publish", "op@1.6.0", *extra)
        assert refused.returncode == 1
        assert "actions/GetHeartbeat" in refused.stderr
        assert "action-removed" in refused.stderr
        assert "Suggested label: op@2.0.0" in refused.stderr
        assert "error: op@1.6.0 has 1 breaking change since op@1.5.7" in refused.stderr
        assert "Traceback" not in refused.stderr
    assert _json(run("show", "op@1.6.0", "--json"))["state"] == "draft"

    report = _json(run("diff", "op@1.5.7", "op@1.6.0", "--json"))
    assert report["summary"] == {"breaking": 1, "dangerous": 0, "safe": 0}
    assert report["changes"][0]["location"] == "actions/GetHeartbeat"

    files = run("diff", str(documents[0]), str(documents[1]), "--fail-on", "breaking")
    assert files.returncode == 1
    assert "1 breaking, 0 dangerous, 0 safe" in files.stdout
    assert "actions/GetHeartbeat" in files.stdout
    assert run("diff", str(documents[0]), "op@1.5.7", "--fail-on", "safe").returncode == 0
    bad = run("diff", "op@1.5.7", "op@9", "--fail-on", "worst")
    assert bad.returncode == 2
    assert "--fail-on: expected one of breaking, dangerous, safe" in bad.stderr


def test_other_labels_publish_breaking_changes_with_consent_then_deprecate(
    run: Run, draft: Callable[[str, str], None]
) -> None:
    draft("original", "2023-01")
    draft("edited", "2023-02")
    assert run("publish", "op@2023-01").returncode == 0
    refused = run("publish", "op@2023-02")
    assert refused.returncode == 1
    assert "--allow-breaking" in refused.stderr
    assert "Suggested label" not in refused.stderr

    published = run("publish", "op@2023-02", "--allow-breaking")
    assert published.returncode == 0, published.stderr
    assert "Changes since op@2023-01: 1 breaking, 0 dangerous, 0 safe" in published.stdout
    changes = _json(run("show", "op@2023-02", "--json"))["changes"]
    assert [(c["kind"], c["level"]) for c in changes] == [("action-removed", "breaking")]

    bad_date = run("deprecate", "op@2023-01", "--sunset", "next year")
    assert bad_date.returncode == 2
    assert "--sunset: expected a date as YYYY-MM-DD, got 'next year'" in bad_date.stderr
    draft("original", "draft-1")  # same document as 2023-01: nothing new is drafted
    missing = run("deprecate", "op@2023-01", "--sunset", "2031-01-31", "--replacement", "2099")
    assert missing.returncode == 2
    assert "no version of op '2099'" in missing.stderr

    deprecated = run(
        "deprecate", "op@2023-01", "--sunset", "2031-01-31", "--replacement", "2023-02"
    )
    assert deprecated.returncode == 0, deprecated.stderr
    assert "Deprecated op@2023-01 (sunset 2031-01-31, replaced by op@2023-02)" in deprecated.stdout
    versions = {v["label"]: v for v in _json(run("versions", "op", "--json"))}
    assert versions["2023-01"]["state"] == "deprecated"
    assert (versions["2023-01"]["sunset"], versions["2023-01"]["replacement"]) == (
        "2031-01-31",
        "2023-02",
    )
    table = run("versions", "op")
    assert "2031-01-31" in table.stdout
    assert "replacement" in table.stdout


def test_boards_and_the_blast_radius_of_a_deletion(
    run: Run, draft: Callable[[str, str], None]
) -> None:
    draft("original", "1.5.7")
    assert run("publish", "op@1.5.7").returncode == 0
    created = run("board", "create", "vault-sync", "--uses", "op@1.5.7:GetVaults, GetVaultById")
    assert created.returncode == 0, created.stderr
    assert run("board", "create", "follower", "--uses", "op@latest").returncode == 0
    assert run("board", "create", "idle", "--uses", "op@1.5.7").returncode == 0
    wrong = run("board", "create", "bad", "--uses", "op@1.5.7:NoSuchAction")
    assert wrong.returncode == 2
    assert "no action of op@1.5.7 'NoSuchAction'" in wrong.stderr
    malformed = run("board", "create", "bad", "--uses", "op")
    assert malformed.returncode == 2
    assert "--uses: expected CONNECTOR@VERSION[:ACTION,...], got 'op'" in malformed.stderr

    deployed = run("board", "deploy", "vault-sync")
    assert deployed.returncode == 0, deployed.stderr
    assert "op@1.5.7: GetVaults, GetVaultById" in deployed.stdout
    follower = run("board", "deploy", "follower")
    assert "op@1.5.7 (latest): every action" in follower.stdout

    undeployed = run("board", "undeploy", "follower", "--reason", "maintenance")
    assert undeployed.returncode == 0, undeployed.stderr
    boards = {b["name"]: b for b in _json(run("board", "list", "--json"))}
    assert set(boards) == {"vault-sync", "follower", "idle"}
    assert boards["follower"]["undeployed_reason"] == "maintenance"
    assert boards["vault-sync"]["deployed"]
    assert boards["vault-sync"]["uses"][0]["resolved_version"] == "1.5.7"
    assert run("board", "deploy", "follower").returncode == 0
    listed = run("board", "list")
    assert "vault-sync" in listed.stdout
    assert "deployed" in listed.stdout

    asked = run("delete", "op@1.5.7")
    assert asked.returncode == 1
    assert "Blast radius:" in asked.stderr
    assert "board vault-sync (deployed, via 1.5.7): GetVaults, GetVaultById" in asked.stderr
    assert "board follower (deployed, via latest): every action" in asked.stderr
    assert "board idle (not deployed, via 1.5.7): every action" in asked.stderr
    assert "pass --yes to confirm" in asked.stderr
    assert _json(run("board", "show", "vault-sync", "--json"))["deployed"]

    deleted = run("delete", "op@1.5.7", "--yes", "--reason", "licence withdrawn")
    assert deleted.returncode == 0, deleted.stderr
    assert "boards un-deployed: follower, vault-sync" in deleted.stdout
    for board in _json(run("board", "list", "--json")):
        assert not board["deployed"]
        if board["name"] != "idle":
            assert board["undeployed_reason"] == "op@1.5.7 was deleted: licence withdrawn"

    refused = run("board", "delete", "idle")
    assert refused.returncode == 0, refused.stderr
    assert run("board", "show", "idle").returncode == 2


def test_vet_runs_the_checks_and_records_the_verdict(run: Run, draft) -> None:  # type: ignore[no-untyped-def]
    draft("original", "1.5.7")
    assert run("publish", "op@1.5.7").returncode == 0
    draft("edited", "2.0.0")
    result = run(
        "vet", "op@2.0.0", "--verdict", "changes-requested", "--notes", "why", "--reviewer", "ada"
    )
    assert result.returncode == 0, result.stderr
    assert "Acceptance checks" in result.stdout
    assert "definitions-valid" in result.stdout
    assert "Since op@1.5.7: 1 breaking" in result.stdout
    assert "Recorded: op@2.0.0 changes_requested by ada." in result.stdout
    (record,) = _json(run("vetting", "list", "op", "--json"))
    assert (record["version"], record["verdict"], record["notes"]) == (
        "2.0.0",
        "changes_requested",
        "why",
    )
    assert {c["name"] for c in record["checks"]} >= {"definitions-valid", "no-error-findings"}
    listed = run("vetting", "list")
    assert "op@2.0.0" in listed.stdout
    assert "changes_requested" in listed.stdout  # as --json, the API and the notebook spell it
    assert "changes requested" not in listed.stdout
    assert " p s " not in listed.stdout  # the checks in words, not letters
    assert re.search(r"\d+ passed, (\d+ failed \(diff-reviewed\), )?\d+ skipped", listed.stdout)


def test_vet_refuses_an_unknown_verdict(run: Run, draft) -> None:  # type: ignore[no-untyped-def]
    draft("original", "1.5.7")
    result = run("vet", "op@1.5.7", "--verdict", "maybe")
    assert result.returncode == 2
    assert "unknown verdict 'maybe' (known: approved, rejected, changes_requested)" in result.stderr
    assert _json(run("vetting", "list", "--json")) == []


def test_default_shows_sets_and_follows_latest(
    run: Run, draft: Callable[[str, str], None], sqlite_url: str
) -> None:
    draft("original", "1.5.7")
    draft("edited", "2.0.0")
    assert run("publish", "op@1.5.7").returncode == 0
    assert run("publish", "op@2.0.0", "--allow-breaking").returncode == 0
    shown = run("default", "op")
    assert shown.returncode == 0, shown.stderr
    assert "default is op@1.5.7." in shown.stdout
    followed = _json(run("default", "op", "--follow-latest", "--json"))
    assert (followed["follows_latest"], followed["resolves_to"]) == (True, "2.0.0")
    both = run("default", "op", "1.5.7", "--follow-latest")
    assert both.returncode != 0
    assert "not both" in both.stderr
    assert "Traceback" not in both.stderr
    set_back = run("default", "op", "1.5.7")
    assert "default is op@1.5.7." in set_back.stdout, set_back.stderr

    deprecated = run("deprecate", "op@1.5.7", "--sunset", "2031-01-01", "--replacement", "2.0.0")
    assert deprecated.returncode == 0, deprecated.stderr
    assert "It was the default: default is op@2.0.0." in deprecated.stdout
    refused = run("default", "op", "1.5.7")
    assert refused.returncode != 0
    assert "only a published version that is not deprecated" in refused.stderr
    past = run("deprecate", "op@2.0.0", "--sunset", "2001-01-01")
    assert past.returncode != 0
    assert "2001-01-01 is in the past" in past.stderr
    with Catalog.open(sqlite_url) as catalog:
        assert catalog.default("op").label == "2.0.0"

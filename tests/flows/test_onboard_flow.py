"""The onboard flow, run for real through Prefect (a session-wide test harness)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from connectory_flows.onboard import onboard

from connectory.catalog import Catalog
from connectory.errors import DocumentError, SourceError
from tests.support.flow_records import artifacts
from tests.support.servers import Reply, serve

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "openapi" / "1password-connect.json"

pytestmark = pytest.mark.usefixtures("prefect_api_url")


def test_onboard_drafts_then_publishes_with_an_artifact(sqlite_url: str) -> None:
    result = onboard(source=str(EXAMPLE), name="onepassword")
    assert (result.ref, result.state, result.created) == ("onepassword@1.5.7", "draft", True)
    assert (result.actions, result.definitions, result.auth_methods) == (15, 10, 1)
    with Catalog.open(sqlite_url) as catalog:
        stored = catalog.get_version("onepassword", "1.5.7")
    assert len(stored.actions) == 15
    assert stored.sha256 == result.sha256
    markdown = artifacts("onboard-onepassword")[0]
    assert "# onepassword@1.5.7" in markdown
    assert "15 actions" in markdown

    again = onboard(source=str(EXAMPLE), name="onepassword", publish=True)
    assert (again.ref, again.state, again.created) == ("onepassword@1.5.7", "published", False)
    with Catalog.open(sqlite_url) as catalog:
        assert [v.label for v in catalog.list_versions("onepassword")] == ["1.5.7"]
        assert catalog.get_version("onepassword", "latest").actions == stored.actions


def test_transient_fetch_failures_are_retried(sqlite_url: str) -> None:
    body = EXAMPLE.read_bytes()
    calls: list[int] = []

    def flaky(_: object) -> Reply:
        calls.append(1)
        return Reply(503, b"busy") if len(calls) < 3 else Reply(body=body)

    with serve({"/connect.json": flaky}) as server:
        result = onboard(source=server.url("/connect.json"), name="op")
    assert len(calls) == 3
    with Catalog.open(sqlite_url) as catalog:
        assert catalog.get_version("op", result.version).source == server.url("/connect.json")


def test_a_bad_document_is_not_retried_and_stores_nothing(sqlite_url: str) -> None:
    with serve({"/bad.json": Reply(body=b'{"openapi": "3.0.0",')}) as server:
        with pytest.raises(DocumentError, match="not valid JSON"):
            onboard(source=server.url("/bad.json"), name="bad")
        with pytest.raises(SourceError, match="HTTP 404"):
            onboard(source=server.url("/missing.json"), name="bad")
    assert server.requests == ["/bad.json", "/missing.json"]
    with Catalog.open(sqlite_url) as catalog:
        assert catalog.list_connectors() == []


def test_a_description_split_across_files_is_new_when_any_file_changes(
    sqlite_url: str, tmp_path: Path
) -> None:
    multi = Path(__file__).resolve().parents[1] / "fixtures" / "openapi" / "openapi-multi"
    folder = tmp_path / "orders"
    shutil.copytree(multi, folder)
    first = onboard(source=str(folder), name="orders")
    assert (first.ref, first.created, first.actions, first.triggers) == ("orders@2.0.0", True, 8, 2)
    again = onboard(source=str(folder), name="orders")
    assert (again.ref, again.created) == ("orders@2.0.0", False)
    customer = folder / "schemas" / "Customer.json"  # a sibling changes; the root does not
    customer.write_text(customer.read_text().replace('"email"]', '"email", "name"]'))
    changed = onboard(source=str(folder), name="orders")
    assert changed.created is True
    assert changed.sha256 != first.sha256
    assert changed.version.startswith("2.0.0+")

"""The onboard flow refuses a document over ``max_operations`` (from the worker's environment)
and writes nothing to the catalogue; the same document within the limit is drafted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from connectory_flows.onboard import onboard

from connectory.catalog import Catalog
from connectory.errors import DocumentError

pytestmark = pytest.mark.usefixtures("prefect_api_url")


def test_a_document_over_the_limit_is_refused_and_nothing_stored(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ok = {"200": {"description": "ok"}}
    paths = {f"/items{i}": {"get": {"responses": ok}} for i in range(3)}
    source = tmp_path / "api.json"
    source.write_text(
        json.dumps({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": paths})
    )
    monkeypatch.setenv("CONNECTORY_MAX_OPERATIONS", "2")
    with pytest.raises(DocumentError, match=r"more than 2 operations \(CONNECTORY_MAX_OPERATIONS"):
        onboard(source=str(source), name="items")
    with Catalog.open(sqlite_url) as catalog:
        assert catalog.list_connectors() == []

    monkeypatch.setenv("CONNECTORY_MAX_OPERATIONS", "3")
    result = onboard(source=str(source), name="items")
    with Catalog.open(sqlite_url) as catalog:
        assert len(catalog.get_version("items", result.version).actions) == 3

"""DataFrame views and the HTML view of a version, on real onboarded documents."""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest

from connectory import Board, BoardUse, Catalog, inspect
from connectory.render.frames import (
    actions_frame,
    auth_methods_frame,
    boards_frame,
    changes_frame,
    connectors_frame,
    definitions_frame,
    findings_frame,
    versions_frame,
)

from .support.samples import rich_version

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "openapi" / "1password-connect.json"


@pytest.fixture
def catalog(sqlite_url: str):  # type: ignore[no-untyped-def]
    with Catalog.open(sqlite_url) as catalog:
        yield catalog


def test_empty_catalogue_gives_empty_frames_with_columns(catalog: Catalog) -> None:
    frame = connectors_frame(catalog)
    assert frame.empty
    assert "latest_published" in frame.columns
    assert versions_frame(catalog).empty
    assert list(boards_frame(catalog).columns)[:2] == ["board", "deployed"]


def test_catalogue_views(catalog: Catalog) -> None:
    version = catalog.draft(inspect(EXAMPLE, connector="op")).version
    catalog.publish("op", version.version or "")
    catalog.draft(rich_version("acme"))
    catalog.create_board(Board(name="sync", uses=[BoardUse(connector="op", version="latest")]))
    catalog.deploy_board("sync")

    connectors = connectors_frame(catalog).set_index("name")
    assert connectors.loc["op", "latest_published"] == "1.5.7"
    assert connectors.loc["acme", "protocol"] == "http"
    versions = versions_frame(catalog)
    assert sorted(versions["connector"]) == ["acme", "op"]
    assert versions.set_index("connector").loc["op", "action_count"] == 15
    assert versions_frame(catalog, "acme")["state"].tolist() == ["draft"]
    boards = boards_frame(catalog)
    assert boards.to_dict("records")[0] == {
        "board": "sync",
        "deployed": True,
        "connector": "op",
        "version": "latest",
        "resolved_version": "1.5.7",
        "actions": "(all)",
    }


def test_version_views_on_a_real_document() -> None:
    version = inspect(EXAMPLE)
    actions = actions_frame(version).set_index("name")
    assert len(actions) == 15
    assert actions.loc["GetVaultById", "calls"] == "GET /vaults/{vaultUuid}"
    assert actions.loc["GetVaultById", "input"] == "path: vaultUuid*"
    assert actions.loc["GetVaultById", "outputs"] == "200 401 403 404"
    assert actions.loc["GetVaultById", "auth"] == "ConnectToken"
    definitions = definitions_frame(version).set_index("name")
    assert definitions.loc["Vault", "properties"] == 9
    assert definitions.loc["FullItem", "refs"] >= 1
    assert auth_methods_frame(version).to_dict("records")[0]["type"] == "http_bearer"


def test_findings_and_changes_frames() -> None:
    version = rich_version()
    findings = findings_frame(version)
    assert sorted(findings["severity"]) == ["error", "info", "warning"]
    changes = changes_frame(version)
    assert changes["level"].tolist() == ["breaking", "safe"]
    assert changes_frame([]).columns.tolist() == ["level", "kind", "location", "message"]


def test_html_view_shows_every_part_escaped() -> None:
    version = rich_version()
    html = version._repr_html_()
    tree = lxml.html.fromstring(html)
    headings = [h.text_content() for h in tree.iter("h4")]
    assert headings[:4] == ["Auth methods", "Actions", "Triggers", "Findings"]
    assert "Changes" in headings
    summaries = [s.text_content() for s in tree.iter("summary")]
    assert "Thing (json-schema)" in summaries
    assert "Fault (xsd)" in summaries
    assert "warning · invalid-pattern (1)" in summaries
    assert "<xs:complexType" not in html  # the XSD is shown escaped
    assert "&lt;xs:complexType" in html

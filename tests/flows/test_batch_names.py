"""The connectors of a batch (issue 18): named before anything is drafted, two different sources
named alike refused, and the versions of one connector onboarded one after the other, in order,
under the publish policy (four Azure SQL documents titled "SqlManagementClient" were published
as four versions of one connector, with no changes recorded)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from connectory_flows.batch import onboard_batch
from connectory_flows.reporting import ItemsFailed

from connectory.catalog import Catalog
from connectory.errors import InvalidName
from tests.conftest import FIXTURES

pytestmark = pytest.mark.usefixtures("prefect_api_url")

AZURE_SQL = [
    FIXTURES / "openapi" / "apis-guru" / f"azure.com-sql-{service}.json"
    for service in (
        "ManagedBackupShortTermRetention",
        "WorkloadGroups",
        "encryptionProtectors",
        "databaseVulnerabilityAssessmentBaselines",
    )
]
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "openapi" / "1password-connect.json"


def _openapi(folder: Path, title: str, operation: str) -> Path:
    folder.mkdir()
    document = {
        "openapi": "3.0.3",
        "info": {"title": title, "version": "1.0.0"},
        "paths": {f"/{operation}": {"get": {"operationId": operation, "responses": {"200": {
            "description": "ok"}}}}},
    }  # fmt: skip
    path = folder / "openapi.json"
    path.write_text(json.dumps(document))
    return path


def test_two_sources_named_alike_are_refused_before_anything_is_drafted(
    sqlite_url: str, tmp_path: Path
) -> None:
    billing = _openapi(tmp_path / "billing", "Billing", "invoices")
    orders = _openapi(tmp_path / "orders", "Orders", "orders")

    with pytest.raises(InvalidName) as refused:
        onboard_batch(sources=[str(EXAMPLE), str(billing), str(orders)], publish=True)

    message = str(refused.value)
    assert f"{billing} (named after its source) and {orders} (named after its source)" in message
    assert "would all go to connector 'openapi'" in message
    assert f"Name each as NAME=SOURCE (e.g. openapi-2={orders})" in message
    with Catalog.open(sqlite_url) as catalog:
        assert catalog.list_connectors() == []  # not even the example, which collides with none

    named = onboard_batch(sources=[f"billing={billing}", f"orders={orders}"])
    assert [o.onboarded.ref for o in named.outcomes if o.onboarded] == [
        "billing@1.0.0",
        "orders@1.0.0",
    ]


def test_documents_that_share_a_title_are_distinct_connectors(sqlite_url: str) -> None:
    batch = onboard_batch(sources=[str(path) for path in AZURE_SQL], publish=True)
    assert [o.status for o in batch.outcomes] == ["published"] * 4
    assert [o.onboarded.connector for o in batch.outcomes if o.onboarded] == [
        "azure-com-sql-managedbackupshorttermretention",
        "azure-com-sql-workloadgroups",
        "azure-com-sql-encryptionprotectors",
        "azure-com-sql-databasevulnerabilityassessmentbaselines",
    ]


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]
)
def test_versions_of_one_connector_are_published_in_order_under_the_policy(
    backend: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = str(
        request.getfixturevalue(
            f"{backend}_url" if backend == "sqlite" else "postgresql_schema_url"
        )
    )
    monkeypatch.setenv("CONNECTORY_DATABASE_URL", url)
    sources = [f"sql={path}" for path in AZURE_SQL]  # one connector, named by hand

    with pytest.raises(ItemsFailed) as failed:
        onboard_batch(sources=sources, publish=True)

    outcomes = failed.value.result.outcomes
    assert [o.status for o in outcomes] == ["published", "failed", "failed", "failed"]
    first = outcomes[0].onboarded
    assert first is not None
    for later in outcomes[1:]:
        assert f"since sql@{first.version}" in (later.error or ""), later.error
        assert "breaking change" in (later.error or "")
    with Catalog.open(url) as catalog:
        states = {v.label: v.state for v in catalog.list_versions("sql")}
    assert sorted(states.values()) == ["draft", "draft", "draft", "published"]
    assert states[first.version] == "published"

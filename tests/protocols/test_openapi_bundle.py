"""Descriptions split across files: bundled from a folder or from an origin (fixture openapi-multi/).

The loopback server serves the fixture folder under /api/; a second server stands for another host.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from connectory.errors import BadReference
from connectory.model.version import ConnectorVersion, HttpBinding, definition_uri
from connectory.onboarding import inspect
from connectory.schemas.registry import validator_for
from tests.support.openapi import FIXTURES, check_schemas, findings_of
from tests.support.servers import Reply, serve

MULTI = FIXTURES / "openapi-multi"
FILES = sorted(p.relative_to(MULTI).as_posix() for p in MULTI.rglob("*") if p.is_file())


def routes(folder: Path = MULTI) -> dict[str, Reply]:
    return {f"/api/{name}": Reply(body=(folder / name).read_bytes()) for name in FILES}


@pytest.fixture(scope="module")
def version() -> ConnectorVersion:
    return inspect(MULTI)


def test_the_folder_stands_for_its_openapi_file(version: ConnectorVersion) -> None:
    assert version.source == str((MULTI / "openapi.yaml").resolve())
    assert version.title == "Orders"


def test_schemas_of_other_files_become_definitions(version: ConnectorVersion) -> None:
    assert [d.name for d in version.definitions] == [
        "Money",
        "Filter",
        "Category",  # schemas/Category.yaml, the whole file
        "Order",  # schemas/Order.yaml
        "Order.OrderEvent",  # schemas/Order.yaml#/$defs/OrderEvent
        "Order.Status",
        "Customer",  # schemas/Customer.json
    ]
    category = version.definition("Category").content
    assert category["properties"]["children"]["items"] == {  # type: ignore[index]
        "$ref": definition_uri("Category")
    }
    order = version.definition("Order").content
    # A reference back into the root document's components is that definition.
    assert order["properties"]["total"] == {"$ref": definition_uri("Money")}  # type: ignore[index]
    event = version.definition("Order.OrderEvent").content
    assert event["properties"]["order"] == {"$ref": definition_uri("Order")}  # type: ignore[index]
    check_schemas(version)


def test_non_schema_objects_of_other_files_are_inlined(version: ConnectorVersion) -> None:
    names = [a.name for a in version.actions]
    assert names == [
        "listOrders",
        "createOrder",
        "getOrder",
        "cancelOrder",
        "putFile",
        "search",
        "get_legacy_orders",
        "getOrder_2",
    ]
    listing = version.action("listOrders")
    assert isinstance(listing.binding, HttpBinding)
    assert [p.name for p in listing.binding.parameters] == ["limit", "X-Tenant"]
    create = version.action("createOrder")
    assert create.binding.request_media_types == [  # type: ignore[union-attr]
        "application/json",
        "application/x-www-form-urlencoded",
    ]
    problem = version.action("getOrder").outputs[1]
    assert (problem.status, problem.media_types) == ("404", ["application/problem+json"])
    assert version.action("putFile").outputs[0].headers == {
        "Location": {"type": "string", "format": "uri-reference"}
    }


def test_a_payload_validates_across_files(version: ConnectorVersion) -> None:
    create = version.action("createOrder")
    assert create.input is not None
    validator = validator_for(create.input, version)
    order = {
        "lines": [{"sku": "A-1", "quantity": 2, "category": {"name": "toys", "children": []}}],
        "total": {"amount": "10.50", "currency": "EUR"},
        "customer": {"email": "ada@example.com", "name": None},
        "callbackUrl": "https://hooks.example/orders",
    }
    assert list(validator.iter_errors({"body": order})) == []  # readOnly id: not required here
    assert not validator.is_valid({"body": {**order, "total": {"amount": 10}}})
    assert not validator.is_valid({"body": {**order, "lines": [{"sku": "A-1"}]}})


def test_webhooks_and_callbacks_of_other_files(version: ConnectorVersion) -> None:
    assert [(t.name, t.kind) for t in version.triggers] == [
        ("orderShipped", "webhook"),
        ("createOrder.onStatus.post", "callback"),
    ]
    webhook, callback = version.triggers
    assert webhook.payload == {"$ref": definition_uri("Order.OrderEvent")}
    assert callback.payload == {"$ref": definition_uri("Order.OrderEvent")}
    assert callback.binding.expression == "{$request.body#/callbackUrl}"  # type: ignore[union-attr]


def test_findings_name_the_file(version: ConnectorVersion) -> None:
    assert set(findings_of(version, "example-mismatch")) == {
        "/components/schemas/Money/properties/amount/examples/1",
        "shared/parameters.yaml#/limit/example",
        "shared/examples.yaml#/NotAList/value",
    }
    assert set(findings_of(version, "duplicate-operation-id")) == {
        "/paths/~1legacy~1orders~1{orderId}/get/operationId"
    }
    assert {f.kind for f in version.findings} == {"example-mismatch", "duplicate-operation-id"}


def test_the_sha256_covers_every_file(tmp_path: Path, version: ConnectorVersion) -> None:
    copy = tmp_path / "api"
    shutil.copytree(MULTI, copy)
    assert inspect(copy).sha256 == version.sha256
    customer = copy / "schemas" / "Customer.json"
    customer.write_text(customer.read_text().replace('"email"]', '"email", "name"]'))
    changed = inspect(copy)
    assert changed.sha256 != version.sha256
    root = hashlib.sha256((copy / "openapi.yaml").read_bytes()).hexdigest()
    assert changed.sha256 != root  # the root did not change; a sibling did


def test_the_same_description_from_an_origin() -> None:
    with serve(routes()) as server:
        from_url = inspect(server.url("/api/openapi.yaml"))
        requested = list(server.requests)
    from_folder = inspect(MULTI)
    assert [a.name for a in from_url.actions] == [a.name for a in from_folder.actions]
    assert from_url.definitions == from_folder.definitions
    assert {f.location for f in from_url.findings} == {f.location for f in from_folder.findings}
    # Each file once; the root first (fetch), then the siblings as their refs were met.
    assert requested[0] == "/api/openapi.yaml"
    assert sorted(requested) == sorted(set(requested))
    assert set(requested) == {f"/api/{name}" for name in FILES}


def test_a_sibling_redirected_to_another_host_is_refused_unrequested() -> None:
    with serve({"/api/schemas/Customer.json": Reply(body=b'{"type": "object"}')}) as other:
        served = routes()
        served["/api/schemas/Customer.json"] = Reply(
            302, headers={"Location": other.url("/api/schemas/Customer.json")}
        )
        with serve(served) as server:
            with pytest.raises(
                BadReference, match=r"redirects to .*not on the document's origin"
            ) as caught:
                inspect(server.url("/api/openapi.yaml"))
            assert "/api/schemas/Customer.json" in server.requests
        assert other.requests == []
    assert caught.value.location == "schemas/Order.yaml#/properties/customer/$ref"

"""HTTP diffs on real OpenAPI documents (1Password Connect, Google Library Agent), each edited the
way a new release would change it; an edit that changes nothing but key order and whitespace
must report nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from connectory import diff
from connectory.model.version import ConnectorVersion
from tests.support.diff_documents import (
    Document,
    Edit,
    edited,
    library_agent,
    onepassword,
    reordered,
    triples,
    version_of,
    write,
)


@pytest.fixture(scope="module")
def base() -> ConnectorVersion:
    return version_of(onepassword())


@pytest.fixture(scope="module")
def oauth_base() -> ConnectorVersion:
    return version_of(library_agent())


def _param(document: Document, path: str, method: str, name: str) -> dict[str, Any]:
    params = document["paths"][path][method]["parameters"]
    return next(p for p in params if p.get("name") == name)


def _schema(document: Document, name: str) -> dict[str, Any]:
    return document["components"]["schemas"][name]


def _add_limit(required: bool) -> Edit:
    def edit(d: Document) -> None:
        param = {"name": "limit", "in": "query", "schema": {"type": "integer"}}
        d["paths"]["/vaults"]["get"]["parameters"].append({**param, "required": required})

    return edit


def _add_path(d: Document) -> None:
    d["paths"]["/ping"] = {
        "get": {"operationId": "Ping", "responses": {"200": {"description": "ok"}}}
    }


def _rename(d: Document) -> None:
    d["paths"]["/heartbeat"]["get"]["operationId"] = "Heartbeat"


def _require_limit(d: Document) -> None:
    _param(d, "/activity", "get", "limit")["required"] = True


def _retype_limit(d: Document) -> None:
    _param(d, "/activity", "get", "limit")["schema"]["type"] = "string"


def _tighten_limit(d: Document) -> None:
    _param(d, "/activity", "get", "limit")["schema"]["maximum"] = 100


def _remove_offset(d: Document) -> None:
    params = d["paths"]["/activity"]["get"]["parameters"]
    params[:] = [p for p in params if p.get("name") != "offset"]


def _require_new_item_field(d: Document) -> None:
    item = _schema(d, "Item")
    item["properties"]["owner"] = {"type": "string"}
    item["required"].append("owner")


def _drop_vault_name(d: Document) -> None:
    del _schema(d, "Vault")["properties"]["name"]


def _nullable_vault_name(d: Document) -> None:
    _schema(d, "Vault")["properties"]["name"]["nullable"] = True


def _drop_enum_value(d: Document) -> None:
    _schema(d, "Item")["properties"]["category"]["enum"].remove("CUSTOM")


def _add_enum_value(d: Document) -> None:
    _schema(d, "Item")["properties"]["category"]["enum"].append("PASSKEY")


def _change_item_pattern(d: Document) -> None:
    _schema(d, "Item")["properties"]["id"]["pattern"] = "^[a-z]{26}$"


def _bearer_to_api_key(d: Document) -> None:
    d["components"]["securitySchemes"]["ConnectToken"] = {
        "type": "apiKey",
        "in": "header",
        "name": "X-Connect-Token",
    }


def _add_scheme(d: Document) -> None:
    d["components"]["securitySchemes"]["Basic"] = {"type": "http", "scheme": "basic"}


def _secure_heartbeat(d: Document) -> None:
    d["paths"]["/heartbeat"]["get"]["security"] = [{"ConnectToken": []}]


def _drop_second_server(d: Document) -> None:
    d["servers"] = d["servers"][:1]


def _move_default_server(d: Document) -> None:
    d["servers"][0]["url"] = "https://connect.example.com"


def _drop_success(d: Document) -> None:
    del d["paths"]["/vaults"]["get"]["responses"]["200"]


def _add_error(d: Document) -> None:
    d["paths"]["/vaults"]["get"]["responses"]["500"] = {"description": "Server error"}


def _add_request_media_type(d: Document) -> None:
    content = d["paths"]["/vaults/{vaultUuid}/items"]["post"]["requestBody"]["content"]
    content["application/merge-patch+json"] = content["application/json"]


def _drop_response_media_type(d: Document) -> None:
    content = d["paths"]["/heartbeat"]["get"]["responses"]["200"]["content"]
    content["text/html"] = content.pop("text/plain")


def _change_method(d: Document) -> None:
    d["paths"]["/vaults/{vaultUuid}/items/{itemUuid}"]["post"] = d["paths"][
        "/vaults/{vaultUuid}/items/{itemUuid}"
    ].pop("put")


QUERY = "actions/GetApiActivity/input/query"
CASES: list[tuple[str, Edit, set[tuple[str, str, str]]]] = [
    (
        "operation removed",
        lambda d: d["paths"].pop("/heartbeat"),
        {("action-removed", "breaking", "actions/GetHeartbeat")},
    ),
    ("operation added", _add_path, {("action-added", "safe", "actions/Ping")}),
    ("operation renamed", _rename, {("action-renamed", "breaking", "actions/Heartbeat")}),
    (
        "optional parameter added",
        _add_limit(required=False),
        {("property-added", "safe", "actions/GetVaults/input/query/limit")},
    ),
    (
        "required parameter added",
        _add_limit(required=True),
        {
            ("required-property-added", "breaking", "actions/GetVaults/input/query/limit"),
            ("property-made-required", "breaking", "actions/GetVaults/input/query"),
        },
    ),
    ("parameter removed", _remove_offset, {("property-removed", "breaking", f"{QUERY}/offset")}),
    (
        "parameter made required",
        _require_limit,
        {
            ("property-made-required", "breaking", f"{QUERY}/limit"),
            ("property-made-required", "breaking", QUERY),
        },
    ),
    (
        "parameter type changed",
        _retype_limit,
        {("type-changed", "breaking", f"{QUERY}/limit/type")},
    ),
    (
        "parameter maximum added",
        _tighten_limit,
        {("constraint-tightened", "breaking", f"{QUERY}/limit/maximum")},
    ),
    (
        "request schema: required property added, through refs",
        _require_new_item_field,
        {
            ("required-property-added", "breaking", "definitions/Item/owner"),  # as input
            ("required-property-added", "safe", "definitions/Item/owner"),  # as output
        },
    ),
    (
        "response schema: property removed",
        _drop_vault_name,
        {("property-removed", "breaking", "definitions/Vault/name")},
    ),
    (
        "response schema: now nullable",
        _nullable_vault_name,
        {("nullable-added", "breaking", "definitions/Vault/name")},
    ),
    (
        "enum value removed",
        _drop_enum_value,
        {
            ("enum-value-removed", "breaking", "definitions/Item/category/enum"),  # as input
            ("enum-value-removed", "safe", "definitions/Item/category/enum"),  # as output
        },
    ),
    (
        "enum value added",
        _add_enum_value,
        {
            ("enum-value-added", "safe", "definitions/Item/category/enum"),
            ("enum-value-added", "dangerous", "definitions/Item/category/enum"),
        },
    ),
    (
        "pattern changed",
        _change_item_pattern,
        {("pattern-changed", "dangerous", "definitions/Item/id/pattern")},
    ),
    (
        "auth method changed",
        _bearer_to_api_key,
        {("auth-method-changed", "breaking", "auth_methods/ConnectToken")},
    ),
    ("auth method added", _add_scheme, {("auth-method-added", "safe", "auth_methods/Basic")}),
    (
        "auth now required",
        _secure_heartbeat,
        {("auth-required", "breaking", "actions/GetHeartbeat/auth")},
    ),
    ("server removed", _drop_second_server, {("server-removed", "breaking", "servers")}),
    (
        "default server moved",
        _move_default_server,
        {
            ("server-removed", "breaking", "servers"),
            ("server-added", "safe", "servers"),
            ("default-server-changed", "dangerous", "servers"),
            ("secret-host-added", "breaking", "servers/0"),  # credentials would go there
        },
    ),
    (
        "success response removed",
        _drop_success,
        {("response-removed", "breaking", "actions/GetVaults/output/200")},
    ),
    (
        "error response added",
        _add_error,
        {("error-response-added", "safe", "actions/GetVaults/output/500")},
    ),
    (
        "request media type added",
        _add_request_media_type,
        {("request-media-type-added", "safe", "actions/CreateVaultItem/input/body")},
    ),
    (
        "response media type replaced",
        _drop_response_media_type,
        {
            ("response-media-type-removed", "breaking", "actions/GetHeartbeat/output/200"),
            ("response-media-type-added", "safe", "actions/GetHeartbeat/output/200"),
        },
    ),
    (
        "method changed",
        _change_method,
        {("http-method-changed", "breaking", "actions/UpdateVaultItem")},
    ),
]


@pytest.mark.parametrize(("edit", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_kind_of_change(
    base: ConnectorVersion, tmp_path: Path, edit: Edit, expected: set[tuple[str, str, str]]
) -> None:
    changes = diff(base, version_of(edited(onepassword(), tmp_path, edit)))
    assert triples(changes) == expected, [c.model_dump() for c in changes]


def test_the_reverse_edit_reverses_the_levels(base: ConnectorVersion, tmp_path: Path) -> None:
    """Removing a property from a response is breaking; adding it back is safe."""
    without = version_of(edited(onepassword(), tmp_path, _drop_vault_name))
    assert triples(diff(without, base)) == {("property-added", "safe", "definitions/Vault/name")}


def test_messages_name_what_changed(base: ConnectorVersion, tmp_path: Path) -> None:
    changes = diff(base, version_of(edited(onepassword(), tmp_path, _drop_enum_value)))
    assert {c.message for c in changes} == {
        'value "CUSTOM" removed (as input)',
        'value "CUSTOM" removed (as output)',
    }
    assert [c.level for c in changes] == ["breaking", "safe"]  # breaking first


@pytest.mark.parametrize("source", [onepassword, library_agent], ids=["1password", "libraryagent"])
def test_reordering_keys_and_whitespace_reports_nothing(source: Any, tmp_path: Path) -> None:
    path = source()
    document = json.loads(path.read_text())
    again = write(tmp_path / "reordered.json", reordered(document), indent=7)
    as_yaml = tmp_path / "same.yaml"
    as_yaml.write_text(yaml.safe_dump(document, sort_keys=True, width=60))
    old = version_of(path)
    assert old.actions  # a real document, not an empty one
    assert diff(old, version_of(again)) == []
    assert diff(old, version_of(as_yaml)) == []
    assert diff(old, old) == []


def _drop_scope(d: Document) -> None:
    for scheme in d["components"]["securitySchemes"].values():
        for flow in scheme["flows"].values():
            flow["scopes"]["https://www.googleapis.com/auth/books"] = "Books only"
            del flow["scopes"]["https://www.googleapis.com/auth/cloud-platform"]


def _more_scopes(d: Document) -> None:
    security = d["paths"]["/v1/shelves"]["get"]["security"]
    security[0]["Oauth2"].append("https://www.googleapis.com/auth/books")


def _one_alternative_less(d: Document) -> None:
    d["paths"]["/v1/shelves"]["get"]["security"] = [
        {"Oauth2c": ["https://www.googleapis.com/auth/cloud-platform"]}
    ]


OAUTH_CASES: list[tuple[str, Edit, set[tuple[str, str, str]]]] = [
    (
        "scope removed from the methods",
        _drop_scope,
        {
            ("auth-scope-removed", "breaking", f"auth_methods/{m}/flows/{g}/scopes/{s}")
            for m, g in (("Oauth2", "implicit"), ("Oauth2c", "authorization_code"))
            for s in ("https:~1~1www.googleapis.com~1auth~1cloud-platform",)
        }
        | {
            ("auth-scope-added", "safe", f"auth_methods/{m}/flows/{g}/scopes/{s}")
            for m, g in (("Oauth2", "implicit"), ("Oauth2c", "authorization_code"))
            for s in ("https:~1~1www.googleapis.com~1auth~1books",)
        },
    ),
    (
        "an action needs more scopes",
        _more_scopes,
        {("auth-scopes-required", "breaking", "actions/libraryagent.shelves.list/auth")},
    ),
    (
        "an alternative is dropped",
        _one_alternative_less,
        {
            ("auth-alternative-removed", "breaking", "actions/libraryagent.shelves.list/auth"),
            ("auth-alternative-added", "safe", "actions/libraryagent.shelves.list/auth"),
        },
    ),
]


@pytest.mark.parametrize(
    ("edit", "expected"), [c[1:] for c in OAUTH_CASES], ids=[c[0] for c in OAUTH_CASES]
)
def test_oauth_changes(
    oauth_base: ConnectorVersion, tmp_path: Path, edit: Edit, expected: set[tuple[str, str, str]]
) -> None:
    changes = diff(oauth_base, version_of(edited(library_agent(), tmp_path, edit)))
    assert triples(changes) == expected, [c.model_dump() for c in changes]

"""A version that sends secrets to an origin its predecessor never named: ``secret-host-added``,
breaking (the users' consent does not cover it), at the place that names it."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from connectory import diff
from connectory.model.auth import CustomRequestAuth, ExtractRule, InjectRule, RequestTemplate
from connectory.model.version import ConnectorVersion, GraphQLMetadata
from tests.support.diff_documents import Document, triples, version_of, write

TOKEN_URL = "auth_methods/oauth/flows/client_credentials/token_url"
DISCOVERY = "https://id.example.com/.well-known/openid-configuration"
BASE: Document = {
    "openapi": "3.1.0",
    "info": {"title": "Items", "version": "1.0.0"},
    "servers": [{"url": "https://{region}.api.example.com/v1"}],
    "components": {
        "securitySchemes": {
            "oauth": {"type": "oauth2", "flows": {"clientCredentials": {"scopes": {}}}},
            "oidc": {"type": "openIdConnect", "openIdConnectUrl": DISCOVERY},
        }
    },
    "security": [{"oauth": []}],
    "paths": {"/items": {"get": {"operationId": "listItems", "responses": {"200": {}}}}},
}
BASE["servers"][0]["variables"] = {"region": {"default": "eu", "enum": ["eu", "us"]}}
BASE["components"]["securitySchemes"]["oauth"]["flows"]["clientCredentials"]["tokenUrl"] = (
    "https://auth.example.com/token"
)


def _pair(tmp_path: Path, edit: Callable[[Document], Any]) -> tuple[ConnectorVersion, ...]:
    new = copy.deepcopy(BASE)
    edit(new)
    old_path, new_path = write(tmp_path / "old.json", BASE), write(tmp_path / "new.json", new)
    return version_of(old_path), version_of(new_path)


def _token_url(url: str) -> Callable[[Document], None]:
    def edit(d: Document) -> None:
        d["components"]["securitySchemes"]["oauth"]["flows"]["clientCredentials"]["tokenUrl"] = url

    return edit


def _new_region(d: Document) -> None:
    d["servers"][0]["variables"]["region"]["enum"].append("evil")


def _discovery_elsewhere(d: Document) -> None:
    oidc = d["components"]["securitySchemes"]["oidc"]
    oidc["openIdConnectUrl"] = "https://id.other.example/.well-known/openid-configuration"


MOVED = {
    ("auth-endpoint-changed", "dangerous", TOKEN_URL),
    ("secret-host-added", "breaking", TOKEN_URL),
}


@pytest.mark.parametrize(
    ("edit", "expected", "origin"),
    [
        (_token_url("https://tokens.evil.example/token"), MOVED, "https://tokens.evil.example"),
        (_token_url("http://auth.example.com/token"), MOVED, "http://auth.example.com"),
        (
            _token_url("https://AUTH.example.com:443/v2/token"),  # the same origin
            {("auth-endpoint-changed", "dangerous", TOKEN_URL)},
            None,
        ),
        (
            _new_region,
            {
                ("secret-host-added", "breaking", "servers/0"),
                (
                    "server-variable-value-added",
                    "safe",
                    "servers/https:~1~1{region}.api.example.com~1v1/variables/region",
                ),
            },
            "https://evil.api.example.com",
        ),
        (
            _discovery_elsewhere,
            {
                ("secret-host-added", "breaking", "auth_methods/oidc/discovery_url"),
                ("auth-endpoint-changed", "dangerous", "auth_methods/oidc/discovery_url"),
            },
            "https://id.other.example",
        ),
    ],
    ids=["another host", "plain http", "the same origin", "a variable's new host", "discovery"],
)
def test_a_new_origin_for_secrets_is_breaking(
    tmp_path: Path, edit: Callable[[Document], Any], expected: set, origin: str | None
) -> None:
    old, new = _pair(tmp_path, edit)
    changes = diff(old, new)
    assert triples(changes) == expected
    added = [c.message for c in changes if c.kind == "secret-host-added"]
    assert added == (
        [
            f"secrets may now go to {origin}, which doc@? did not name: users must accept it "
            "(connectory trust)"
        ]
        if origin
        else []
    )


def _login(url: str) -> CustomRequestAuth:
    return CustomRequestAuth(
        name="login",
        request=RequestTemplate(url=url),
        extract=[ExtractRule(name="t", path="/t")],
        inject=[InjectRule(parameter="X", template="{t}")],
    )


def test_a_login_url_or_a_graphql_endpoint_that_moves(tmp_path: Path) -> None:
    old, _ = _pair(tmp_path, lambda d: None)
    before = old.model_copy(update={"auth_methods": [_login("https://auth.example.com/login")]})
    after = old.model_copy(update={"auth_methods": [_login("https://login.evil.example/in")]})
    added = ("secret-host-added", "breaking", "auth_methods/login/request/url")
    assert added in triples(diff(before, after))
    endpoint = GraphQLMetadata(endpoint="https://api.example.com/graphql")
    graphql = old.model_copy(update={"protocol": "graphql", "metadata": endpoint, "actions": []})
    moved = graphql.model_copy(
        update={"metadata": GraphQLMetadata(endpoint="https://gql.evil.example/graphql")}
    )
    found = {c for c in triples(diff(graphql, moved)) if c[0] == "secret-host-added"}
    assert found == {("secret-host-added", "breaking", "endpoint")}

"""Security schemes and requirements -> auth methods and alternatives (fixture: security-3.1.yaml)."""

from __future__ import annotations

import pytest

from connectory.model.auth import (
    ApiKeyAuth,
    BasicAuth,
    BearerAuth,
    DigestAuth,
    HttpSchemeAuth,
    MutualTLSAuth,
    OAuth2Auth,
    OAuth2Flow,
    OpenIDConnectAuth,
)
from connectory.model.version import ConnectorVersion
from tests.support.openapi import findings_of, fixture, generate_version

TOKEN = "https://example.com/token"
AUTHORIZE = "https://example.com/authorize"


@pytest.fixture(scope="module")
def version() -> ConnectorVersion:
    return generate_version(fixture("security-3.1.yaml"))


def test_every_scheme_type(version: ConnectorVersion) -> None:
    assert version.auth_methods == [
        ApiKeyAuth(
            name="apiKeyHeader", description="a key", location="header", parameter="X-API-Key"
        ),
        ApiKeyAuth(name="apiKeyQuery", location="query", parameter="api_key"),
        ApiKeyAuth(name="apiKeyCookie", location="cookie", parameter="session"),
        BasicAuth(name="basic"),  # the scheme name is case-insensitive: "Basic"
        BearerAuth(name="bearer", bearer_format="JWT"),
        DigestAuth(name="digest"),
        HttpSchemeAuth(name="hoba", scheme="hoba"),
        OAuth2Auth(
            name="oauth",
            flows=[
                OAuth2Flow(
                    grant="implicit", authorization_url=AUTHORIZE, scopes={"read": "read things"}
                ),
                OAuth2Flow(grant="password", token_url=TOKEN),
                OAuth2Flow(
                    grant="client_credentials",
                    token_url=TOKEN,
                    refresh_url="https://example.com/refresh",
                    scopes={"admin": "everything"},
                ),
                OAuth2Flow(
                    grant="authorization_code",
                    authorization_url=AUTHORIZE,
                    token_url=TOKEN,
                    scopes={"read": "read things", "write": "write things"},
                ),
            ],
        ),
        OpenIDConnectAuth(
            name="oidc", discovery_url="https://example.com/.well-known/openid-configuration"
        ),
        MutualTLSAuth(name="mtls"),
        BasicAuth(name="referenced"),  # a $ref to "basic", under its own name
    ]


def test_unusable_schemes_are_findings(version: ConnectorVersion) -> None:
    assert list(findings_of(version, "unknown-security-scheme-type")) == [
        "/components/securitySchemes/weird/type"
    ]
    assert list(findings_of(version, "invalid-security-scheme")) == [
        "/components/securitySchemes/badKey"
    ]


def test_root_security_is_the_default(version: ConnectorVersion) -> None:
    assert version.default_auth == [{"apiKeyHeader": []}, {"oauth": ["read"]}]


def test_operation_security(version: ConnectorVersion) -> None:
    assert version.action("public").auth == []  # security: [] switches auth off
    assert version.action("optional").auth == [{}, {"bearer": []}]  # {} makes it optional
    both = [{"apiKeyQuery": [], "apiKeyCookie": []}, {"nosuch": []}]
    assert version.action("both").auth == both
    assert version.action("default").auth is None  # the version's default applies


def test_unknown_scheme_names_are_findings(version: ConnectorVersion) -> None:
    unknown = findings_of(version, "unknown-security-scheme")
    assert list(unknown) == ["/paths/~1both/get/security/1/nosuch"]
    assert (
        "'nosuch' is not in components.securitySchemes"
        in unknown["/paths/~1both/get/security/1/nosuch"]
    )

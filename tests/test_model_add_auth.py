"""``connectory.model.add_auth``: an auth method added to a version of any protocol, a new object."""

from __future__ import annotations

import pytest

from connectory.errors import Conflict, InputError, NotFound
from connectory.model.add_auth import auth_method_from_spec, with_auth_method
from connectory.model.auth import (
    ApiKeyAuth,
    BasicAuth,
    BearerAuth,
    HttpSchemeAuth,
    MutualTLSAuth,
    OAuth2Auth,
    WSSecurityUsernameTokenAuth,
)
from connectory.model.version import ConnectorVersion
from tests.support.samples import small_version


def _declared(version: ConnectorVersion) -> ConnectorVersion:
    """``version`` as a document declaring OAuth 2 for every action, and a key for one."""
    oauth = OAuth2Auth(name="oauth")
    key = ApiKeyAuth(name="key", location="header", parameter="X-Key")
    get = version.action("get-thing").model_copy(update={"auth": [{"key": []}]})
    return version.model_copy(
        update={
            "auth_methods": [oauth, key],
            "default_auth": [{"oauth": ["read"]}],
            "actions": [version.action("list-things"), get],
        }
    )


def test_a_version_without_auth_gets_the_method_everywhere_and_is_not_changed() -> None:
    version = small_version()
    before = version.model_dump()
    added = with_auth_method(version, BearerAuth(name="bearer"))
    assert added is not version
    assert version.model_dump() == before  # the input is untouched
    assert added.auth_methods == [BearerAuth(name="bearer")]
    assert added.default_auth == [{"bearer": []}]  # subscriptions use it
    assert [a.auth for a in added.actions] == [[{"bearer": []}], [{"bearer": []}]]


def test_with_alternatives_declared_the_method_is_one_more() -> None:
    version = _declared(small_version())
    added = with_auth_method(version, BearerAuth(name="token"))
    assert added.default_auth == [{"oauth": ["read"]}, {"token": []}]
    assert added.action("list-things").auth == [{"oauth": ["read"]}, {"token": []}]
    assert added.action("get-thing").auth == [{"key": []}, {"token": []}]
    assert version.default_auth == [{"oauth": ["read"]}]
    assert version.action("list-things").auth is None


def test_together_adds_the_method_to_each_alternative() -> None:
    version = _declared(small_version())
    tenant = ApiKeyAuth(name="tenant", location="header", parameter="X-Tenant")
    added = with_auth_method(version, tenant, together=True)
    assert added.default_auth == [{"oauth": ["read"], "tenant": []}]
    assert added.action("get-thing").auth == [{"key": [], "tenant": []}]
    alone = with_auth_method(small_version(), tenant, together=True)
    assert alone.default_auth == [{"tenant": []}]


def test_optional_keeps_calls_without_credentials_possible() -> None:
    added = with_auth_method(small_version(), BasicAuth(name="basic"), required=False)
    assert added.default_auth == [{"basic": []}, {}]  # tried first, else nothing is sent
    optional = small_version().model_copy(update={"default_auth": [{}]})
    required = with_auth_method(optional, BasicAuth(name="basic"))
    assert required.default_auth == [{"basic": []}]


def test_only_the_actions_named() -> None:
    version = small_version()
    added = with_auth_method(version, BasicAuth(name="basic"), actions=["get-thing"])
    assert added.action("get-thing").auth == [{"basic": []}]
    assert added.action("list-things").auth is None
    assert added.default_auth == []
    declared_only = with_auth_method(version, BasicAuth(name="basic"), actions=[])
    assert declared_only.auth_methods == [BasicAuth(name="basic")]
    assert declared_only.actions == version.actions
    with pytest.raises(NotFound, match="list-things"):
        with_auth_method(version, BasicAuth(name="basic"), actions=["nope"])


def test_refusals() -> None:
    version = _declared(small_version())
    with pytest.raises(Conflict, match=r"named 'key' already.*oauth, key"):
        with_auth_method(version, BearerAuth(name="key"))
    with pytest.raises(InputError, match="SOAP header"):
        with_auth_method(version, WSSecurityUsernameTokenAuth(name="wsse"))
    with pytest.raises(InputError, match="invalid auth method name"):
        with_auth_method(version, BearerAuth(name="$accepted_origins"))


def test_specs() -> None:
    assert auth_method_from_spec("bearer") == BearerAuth(name="bearer")
    assert auth_method_from_spec(" Basic ") == BasicAuth(name="basic")
    assert auth_method_from_spec("mtls") == MutualTLSAuth(name="mtls")
    assert auth_method_from_spec("header:X-Api-Key") == ApiKeyAuth(
        name="X-Api-Key", location="header", parameter="X-Api-Key"
    )
    assert auth_method_from_spec("query:api_key", name="key") == ApiKeyAuth(
        name="key", location="query", parameter="api_key"
    )
    assert auth_method_from_spec("cookie:session").location == "cookie"  # type: ignore[union-attr]
    assert auth_method_from_spec("scheme:Token") == HttpSchemeAuth(name="token", scheme="Token")
    oauth = auth_method_from_spec('{"type": "oauth2", "name": "oauth"}', name="o")
    assert oauth == OAuth2Auth(name="o")


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("token", "unknown auth spec 'token': use bearer, basic"),
        ("header:", "unknown auth spec"),
        ("header:Bad Name", "'Bad Name' cannot name a header"),
        ("query:a&b", "cannot name a query"),
        ("bearer:x", "unknown auth spec"),
        ('{"type": "magic", "name": "m"}', "auth method \\(JSON\\)"),
        ('{"type": "http_bearer"}', "auth method \\(JSON\\) at http_bearer.name: Field required"),
    ],
)
def test_bad_specs_name_the_valid_forms(spec: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        auth_method_from_spec(spec)

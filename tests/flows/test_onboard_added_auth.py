"""The onboard flow's ``auth``: methods added to the version, WS-Policy's kept, a draft that holds
the document already completed, a published one left as it is."""

from __future__ import annotations

from pathlib import Path

import pytest
from connectory_flows.onboard import onboard

from connectory.catalog import Catalog
from connectory.errors import InputError
from connectory.model.auth import ApiKeyAuth, BearerAuth
from tests.protocols.test_soap_policy import USERNAME, WSP
from tests.support.soap import ECHO_TYPES, definitions, echo_binding, echo_service, write

pytestmark = pytest.mark.usefixtures("prefect_api_url")


def test_soap_keeps_ws_policy_and_gets_more(sqlite_url: str, tmp_path: Path) -> None:
    body = USERNAME + ECHO_TYPES + echo_binding(extra='<wsp:PolicyReference URI="#UT"/>')
    wsdl = write(tmp_path, "p.wsdl", definitions(body + echo_service(), WSP))
    result = onboard(source=str(wsdl), name="echo", auth=["header:X-Tenant"])
    assert result.auth_methods == 2
    with Catalog.open(sqlite_url) as catalog:
        stored = catalog.get_version("echo", result.version)
    assert [m.name for m in stored.auth_methods] == ["UsernameToken", "X-Tenant"]
    assert stored.action("EchoPort.Echo").auth == [{"UsernameToken": []}, {"X-Tenant": []}]

    again = onboard(source=str(wsdl), name="echo", auth=["header:X-Tenant", "bearer"])
    assert (again.version, again.created, again.auth_methods) == (result.version, False, 3)
    with Catalog.open(sqlite_url) as catalog:
        completed = catalog.get_version("echo", result.version)
        catalog.publish("echo", result.version)
    assert completed.auth_methods[1:] == [
        ApiKeyAuth(name="X-Tenant", location="header", parameter="X-Tenant"),
        BearerAuth(name="bearer"),
    ]
    assert completed.content_sha256 != stored.content_sha256

    published = onboard(source=str(wsdl), name="echo", auth=["basic"])
    assert (published.state, published.auth_methods) == ("published", 3)  # left as it is


def test_a_bad_spec_fails_before_anything_is_fetched(sqlite_url: str, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown auth spec 'oauth'"):
        onboard(source=str(tmp_path / "missing.wsdl"), name="echo", auth=["oauth"])
    with pytest.raises(InputError, match="two auth methods named 'bearer'"):
        onboard(source=str(tmp_path / "missing.wsdl"), name="echo", auth=["bearer", "bearer"])

"""WS-Policy -> auth methods, and adding a method by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectory import NotFound
from connectory.model.auth import BasicAuth, WSSecurityUsernameTokenAuth
from connectory.protocols.soap import with_auth_method
from tests.support.soap import (
    CALCULATOR,
    ECHO_TYPES,
    definitions,
    echo_binding,
    echo_service,
    onboard,
    write,
)

WSP = 'xmlns:wsp="http://www.w3.org/ns/ws-policy" xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"'
SP12 = 'xmlns:sp="http://docs.oasis-open.org/ws-sx/ws-securitypolicy/200702"'

USERNAME = f"""
<wsp:Policy wsu:Id="UT"><wsp:ExactlyOne><wsp:All>
  <sp:SupportingTokens {SP12}><wsp:Policy>
    <sp:UsernameToken sp:IncludeToken="http://docs.oasis-open.org/ws-sx/ws-securitypolicy/200702/IncludeToken/AlwaysToRecipient">
      <wsp:Policy><sp:WssUsernameToken10/></wsp:Policy>
    </sp:UsernameToken>
  </wsp:Policy></sp:SupportingTokens>
</wsp:All></wsp:ExactlyOne></wsp:Policy>
"""
DIGEST = f"""
<wsp:Policy wsu:Id="Digest">
  <sp:SignedSupportingTokens {SP12}><wsp:Policy>
    <sp:UsernameToken><wsp:Policy><sp:HashPassword/></wsp:Policy></sp:UsernameToken>
  </wsp:Policy></sp:SignedSupportingTokens>
</wsp:Policy>
"""
BASIC = f"""
<wsp:Policy wsu:Id="Basic"><sp:TransportBinding {SP12}><wsp:Policy><sp:TransportToken><wsp:Policy>
  <sp:HttpsToken><wsp:Policy><sp:HttpBasicAuthentication/></wsp:Policy></sp:HttpsToken>
</wsp:Policy></sp:TransportToken></wsp:Policy></sp:TransportBinding></wsp:Policy>
"""
EITHER = f"""
<wsp:Policy wsu:Id="Either"><wsp:ExactlyOne>
  <wsp:All><sp:UsernameToken {SP12}/></wsp:All>
  <wsp:All><sp:HttpBasicAuthentication {SP12}/></wsp:All>
</wsp:ExactlyOne></wsp:Policy>
"""
X509 = f"""
<wsp:Policy wsu:Id="Cert"><sp:EndorsingSupportingTokens {SP12}><wsp:Policy>
  <sp:X509Token/></wsp:Policy></sp:EndorsingSupportingTokens></wsp:Policy>
"""


def _version(tmp_path: Path, policies: str, binding_extra: str = "", operation_extra: str = ""):  # type: ignore[no-untyped-def]
    body = (
        policies + ECHO_TYPES + echo_binding(extra=binding_extra, operation_extra=operation_extra)
    )
    return onboard(write(tmp_path, "p.wsdl", definitions(body + echo_service(), WSP)))


def test_a_binding_policy_with_a_username_token_applies_to_every_action(tmp_path: Path) -> None:
    version = _version(tmp_path, USERNAME, '<wsp:PolicyReference URI="#UT"/>')
    assert version.auth_methods == [
        WSSecurityUsernameTokenAuth(
            name="UsernameToken", description="WS-Security UsernameToken, password as text"
        )
    ]
    assert version.action("EchoPort.Echo").auth == [{"UsernameToken": []}]


def test_a_hashed_password_is_a_digest_username_token(tmp_path: Path) -> None:
    version = _version(tmp_path, DIGEST, operation_extra='<wsp:PolicyReference URI="#Digest"/>')
    [method] = version.auth_methods
    assert isinstance(method, WSSecurityUsernameTokenAuth)
    assert method.password_type == "digest"
    assert version.action("EchoPort.Echo").auth == [{"UsernameTokenDigest": []}]


def test_http_basic_authentication_by_policy_uris(tmp_path: Path) -> None:
    binding = echo_binding().replace(
        '<wsdl:binding name="EchoBinding"',
        '<wsdl:binding wsp:PolicyURIs="#Basic" name="EchoBinding"',
    )
    text = definitions(BASIC + ECHO_TYPES + binding + echo_service(), WSP)
    version = onboard(write(tmp_path, "b.wsdl", text))
    assert [type(m) for m in version.auth_methods] == [BasicAuth]
    assert version.action("EchoPort.Echo").auth == [{"HttpBasic": []}]


def test_exactly_one_gives_alternatives(tmp_path: Path) -> None:
    version = _version(tmp_path, EITHER, '<wsp:PolicyReference URI="#Either"/>')
    assert version.action("EchoPort.Echo").auth == [{"UsernameToken": []}, {"HttpBasic": []}]
    assert {m.name for m in version.auth_methods} == {"UsernameToken", "HttpBasic"}


def test_unsupported_tokens_and_dangling_references_are_findings(tmp_path: Path) -> None:
    version = _version(
        tmp_path, X509, '<wsp:PolicyReference URI="#Cert"/><wsp:PolicyReference URI="#Gone"/>'
    )
    assert version.auth_methods == []
    assert version.action("EchoPort.Echo").auth is None
    assert sorted(f.kind for f in version.findings) == ["unresolved-policy", "unsupported-policy"]


def test_without_a_policy_nothing_is_assumed() -> None:
    version = onboard(CALCULATOR)
    assert version.auth_methods == []
    assert all(action.auth is None for action in version.actions)


def test_a_user_adds_an_auth_method_by_hand() -> None:
    version = onboard(CALCULATOR)
    method = WSSecurityUsernameTokenAuth(name="wsse", password_type="digest")
    updated = with_auth_method(version, method, actions=["CalculatorSoap.Add"])
    assert updated.auth_methods == [method]
    assert updated.action("CalculatorSoap.Add").auth == [{"wsse": []}]
    assert updated.action("CalculatorSoap.Divide").auth is None
    assert version.auth_methods == []  # the input is not changed
    everywhere = with_auth_method(version, BasicAuth(name="basic"))
    assert all(a.auth == [{"basic": []}] for a in everywhere.actions)
    with pytest.raises(NotFound, match=r"CalculatorSoap\.Add"):
        with_auth_method(version, method, actions=["Nope"])

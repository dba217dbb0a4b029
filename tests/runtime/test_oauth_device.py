"""The OAuth 2 device authorization grant (RFC 8628) against a real authorization server on
loopback: the polls, their pace, and how a sign-in that does not happen ends."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from connectory import inspect
from connectory.errors import InputError, SourceError, UntrustedOrigin
from connectory.model.auth import OAuth2Auth, OAuth2Flow
from connectory.model.version import ConnectorVersion
from connectory.runtime import SecretPolicy, invoke
from connectory.runtime.oauth import DeviceCode
from connectory.runtime.signin import login_device
from tests.support.consent import accept
from tests.support.oauth_server import (
    CLIENT_ID,
    CLIENT_SECRET,
    DEVICE_GRANT,
    PUBLIC_CLIENT,
    OAuthServer,
    items_document,
    serve_oauth,
)


def device_version(tmp_path: Path, server: OAuthServer, **flow: Any) -> ConnectorVersion:
    """The server's API as a version whose OAuth 2 method has a device flow, origins accepted."""
    path = tmp_path / "items.json"
    path.write_text(json.dumps(items_document(server.base_url)))
    version = inspect(path, connector="items")
    (method,) = version.auth_methods
    assert isinstance(method, OAuth2Auth)
    device = OAuth2Flow(
        grant="device_code",
        **{
            "device_authorization_url": server.url("/device"),
            "token_url": server.url("/token"),
            "scopes": {"items:read": "read"},
            **flow,
        },
    )
    method = method.model_copy(update={"flows": [*method.flows, device]})
    version = version.model_copy(update={"auth_methods": [method]})
    accept(version)
    return version


class Clock:
    """Time that passes only when the sign-in waits: the waits, without waiting."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.waits: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


def _sign_in(
    version: ConnectorVersion, secrets: dict[str, str], show: Any, clock: Clock, **options: Any
) -> Any:
    (method,) = version.auth_methods
    assert isinstance(method, OAuth2Auth)
    given = {k: SecretStr(v) for k, v in secrets.items()}
    policy = SecretPolicy.of(version)
    return login_device(method, given, show=show, policy=policy, sleep=clock.sleep, clock=clock, **options)  # fmt: skip


CONFIDENTIAL = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}


def test_pending_then_slow_down_then_a_token(tmp_path: Path) -> None:
    with serve_oauth(device_answers=["authorization_pending", "slow_down"]) as server:
        version = device_version(tmp_path, server)
        shown: list[DeviceCode] = []

        def person(code: DeviceCode) -> None:
            shown.append(code)
            server.decide(code.user_code, approve=True)

        clock = Clock()
        token = _sign_in(version, {"client_id": PUBLIC_CLIENT}, person, clock)
        polls = [r["form"] for r in server.token_requests]
        done = invoke(version, "listItems", {}, credentials={"oauth": {"client_id": SecretStr(PUBLIC_CLIENT), "token": token.access_token}})  # fmt: skip
    (code,) = shown
    assert code.verification_uri == server.url("/activate")
    assert code.user_code
    assert code.verification_uri_complete == server.url(f"/activate?user_code={code.user_code}")
    assert clock.waits == [5, 5, 10]  # the interval, then 5 s more after slow_down
    assert [p["grant_type"] for p in polls] == [DEVICE_GRANT] * 3
    assert server.device_requests[0]["form"] == {"client_id": PUBLIC_CLIENT, "scope": "items:read"}  # fmt: skip
    assert token.refresh_token is not None
    assert token.access_token.get_secret_value() in server.access_tokens
    assert done.status == 200


def test_a_confidential_client_authenticates_and_no_interval_means_five_seconds(
    tmp_path: Path,
) -> None:
    with serve_oauth(device_interval=None) as server:
        version = device_version(tmp_path, server)
        clock = Clock()
        token = _sign_in(version, CONFIDENTIAL, lambda code: server.decide(code.user_code, True), clock)  # fmt: skip
    assert clock.waits == [5]
    assert server.device_requests[0]["headers"]["Authorization"].startswith("Basic ")
    assert "client_secret" not in server.device_requests[0]["form"]
    assert token.access_token.get_secret_value() in server.access_tokens


def test_an_expired_code_is_a_clear_error(tmp_path: Path) -> None:
    with serve_oauth(device_answers=["authorization_pending", "expired_token"]) as server:
        version = device_version(tmp_path, server)
        with pytest.raises(SourceError, match="the device code expired before the sign-in was approved") as caught:  # fmt: skip
            _sign_in(version, CONFIDENTIAL, lambda code: None, Clock())
    _no_secret_in(str(caught.value), server)


def test_a_refused_sign_in_is_a_clear_error(tmp_path: Path) -> None:
    with serve_oauth() as server:
        version = device_version(tmp_path, server)
        with pytest.raises(SourceError, match=r"the sign-in was refused \(access_denied\)") as caught:  # fmt: skip
            _sign_in(version, CONFIDENTIAL, lambda code: server.decide(code.user_code, False), Clock())  # fmt: skip
    _no_secret_in(str(caught.value), server)


def test_nobody_signing_in_ends_when_the_code_expires(tmp_path: Path) -> None:
    with serve_oauth(device_expires_in=12) as server:
        version = device_version(tmp_path, server)
        clock = Clock()
        with pytest.raises(SourceError, match=r"nobody signed in within 12 s \(the code expired\)"):
            _sign_in(version, CONFIDENTIAL, lambda code: None, clock)
        with pytest.raises(SourceError, match=r"nobody signed in within 7 s \(timeout\)"):
            _sign_in(version, CONFIDENTIAL, lambda code: None, Clock(), timeout=7)
    assert clock.waits == [5, 5]  # a third wait would end past the deadline
    assert len(server.token_requests) == 3


def _no_secret_in(text: str, server: OAuthServer) -> None:
    assert CLIENT_SECRET not in text
    for device_code in server.devices:
        assert device_code not in text


def test_a_method_without_a_device_flow_or_untrusted_endpoints_is_refused(tmp_path: Path) -> None:
    with serve_oauth() as server:
        version = device_version(tmp_path, server)
        (method,) = version.auth_methods
        assert isinstance(method, OAuth2Auth)
        policy = SecretPolicy.of(version)
        secrets = {"client_id": SecretStr(PUBLIC_CLIENT)}
        without = method.model_copy(update={"flows": [f for f in method.flows if f.grant != "device_code"]})  # fmt: skip
        with pytest.raises(InputError, match="has no device_code flow"):
            login_device(without, secrets, show=print, policy=policy)
        elsewhere = OAuth2Flow(grant="device_code", device_authorization_url="https://devices.example/d", token_url=server.url("/token"))  # fmt: skip
        moved = method.model_copy(update={"flows": [elsewhere]})
        with pytest.raises(
            UntrustedOrigin, match=r"would send secrets to https://devices\.example"
        ):
            login_device(moved, secrets, show=print, policy=policy)
        with pytest.raises(InputError, match="needs the secret 'client_id'"):
            login_device(method, {}, show=print, policy=policy)
    assert server.device_requests == []


def test_a_device_flow_modelled_with_its_authorization_url_still_runs(tmp_path: Path) -> None:
    with serve_oauth() as server:
        version = device_version(tmp_path, server, device_authorization_url=None, authorization_url=server.url("/device"))  # fmt: skip
        token = _sign_in(version, CONFIDENTIAL, lambda code: server.decide(code.user_code, True), Clock())  # fmt: skip
    assert token.access_token.get_secret_value() in server.access_tokens


def test_a_device_answer_without_its_codes_is_a_clear_error(tmp_path: Path) -> None:
    with serve_oauth() as server:
        version = device_version(tmp_path, server, device_authorization_url=server.url("/token"))
        with pytest.raises(SourceError, match="device authorization endpoint answered HTTP 400 \\(unsupported_grant_type\\) without a device_code"):  # fmt: skip
            _sign_in(version, CONFIDENTIAL, lambda code: None, Clock())


def test_an_openid_connect_provider_s_device_endpoint_comes_from_discovery(tmp_path: Path) -> None:
    from connectory.model.auth import OpenIDConnectAuth

    with serve_oauth() as server:
        version = device_version(tmp_path, server)
        oidc = OpenIDConnectAuth(name="oidc", discovery_url=server.url("/.well-known/openid-configuration"))  # fmt: skip
        policy = SecretPolicy.of(version)
        secrets = {k: SecretStr(v) for k, v in CONFIDENTIAL.items()}
        clock = Clock()
        token = login_device(oidc, secrets, show=lambda code: server.decide(code.user_code, True), policy=policy, sleep=clock.sleep, clock=clock, scopes=["items:read"])  # fmt: skip
        (asked,) = server.device_requests
        elsewhere = SecretPolicy("items", frozenset(), "items@1.0.0", from_file=False)
        with pytest.raises(UntrustedOrigin, match="not in trusted_origins"):
            login_device(oidc, secrets, show=print, policy=elsewhere)
    assert asked["form"]["scope"] == "openid items:read"
    assert token.access_token.get_secret_value() in server.access_tokens
    assert len(server.device_requests) == 1  # nothing sent to an origin not accepted


@pytest.mark.parametrize(("given", "polled_every"), [(0.001, 1.0), (3, 3.0), (-2, 5.0), ("9", 5.0)])
def test_a_server_asking_to_be_polled_too_fast_is_polled_once_a_second(
    given: object, polled_every: float
) -> None:
    from connectory.runtime.oauth import parse_device_code

    answer = httpx.Response(
        200,
        json={
            "device_code": "d",
            "user_code": "ABCD-EFGH",
            "verification_uri": "https://auth.example.com/activate",
            "expires_in": 600,
            "interval": given,
        },
    )
    assert parse_device_code(answer, "https://auth.example.com/device").interval == polled_every

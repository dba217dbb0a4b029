"""What makes ``invoke`` cheap: clients shared between calls, validators built once per version."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from connectory.runtime import checks, invoke
from connectory.runtime.clients import close_shared_clients, secrets_fingerprint, shared_client
from connectory.settings import Settings
from tests.support.traffic import DOCUMENT, Answer, Seen, serve_traffic, things_version


@pytest.fixture(autouse=True)
def _fresh_clients() -> Any:
    close_shared_clients()
    yield
    close_shared_clients()


def test_calls_without_a_client_share_one_connection(tmp_path: Path) -> None:
    version = things_version(tmp_path)
    with serve_traffic(lambda _: Answer(body=[{"id": 1}])) as server:
        for _ in range(3):
            done = invoke(version, "listThings", server=server.base_url)
            assert (done.status, done.problems) == (200, [])
    assert len({seen.port for seen in server.seen}) == 1


def test_a_cookie_one_call_gets_is_not_sent_with_the_next(tmp_path: Path) -> None:
    version = things_version(tmp_path)

    def answer(seen: Seen) -> Answer:
        return Answer(body=[], headers={"Set-Cookie": "session=abc; Path=/"})

    with serve_traffic(answer) as server:
        invoke(version, "listThings", server=server.base_url)
        invoke(version, "listThings", server=server.base_url)
    assert [seen.headers.get("Cookie") for seen in server.seen] == [None, None]


def test_validators_are_built_once_per_version_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[int] = []
    original = checks.registry_for

    def counted(version: Any) -> Any:
        built.append(len(version.definitions))
        return original(version)

    monkeypatch.setattr(checks, "registry_for", counted)
    version = things_version(tmp_path)
    same = version.model_copy(deep=True)  # another object, the same content
    bodies = iter([[{"id": 1}], [{"id": "one"}], [{"id": 2}], [{"id": 3}]])
    with serve_traffic(lambda _: Answer(body=next(bodies))) as server:
        first = invoke(version, "listThings", {"query": {"q": "a"}}, server=server.base_url)
        second = invoke(version, "listThings", server=server.base_url)
        third = invoke(same, "listThings", server=server.base_url)
        assert len(built) == 1
        other = json.loads(json.dumps(DOCUMENT))
        other["components"]["schemas"]["Other"] = {"type": "string"}
        invoke(things_version(tmp_path, other), "listThings", server=server.base_url)
    assert (first.problems, third.problems) == ([], [])
    assert second.problems == ["0/id: 'one' is not of type 'integer'"]
    assert built == [1, 2]  # a version with other content has its own


def test_a_shared_client_per_key_the_oldest_closed_past_the_cap() -> None:
    settings = dataclasses.replace(Settings(), invoke_shared_clients=2)
    with shared_client("a", settings) as a, shared_client("a", settings) as again:
        assert a is again
    with shared_client("b", settings) as b:
        assert b is not a
    with shared_client("c", settings):
        pass
    assert a.is_closed
    assert not b.is_closed
    with shared_client("a", settings) as fresh:
        assert fresh is not a


def test_a_client_in_use_is_closed_only_when_its_call_ends() -> None:
    settings = dataclasses.replace(Settings(), invoke_shared_clients=1)
    with shared_client("a", settings) as a, shared_client("b", settings):
        assert not a.is_closed
    assert a.is_closed


def test_plain_http_loads_no_certificates(tmp_path: Path) -> None:
    version = things_version(tmp_path)
    with serve_traffic(lambda _: Answer(body=[])) as server:
        invoke(version, "listThings", server=server.base_url)
        with shared_client(("things", None), Settings.from_env()) as client:
            assert client._transport._secure is None  # type: ignore[attr-defined]


def test_client_certificates_never_share_a_client() -> None:
    one = {"tls": {"certificate": SecretStr("A"), "private_key": SecretStr("K")}}
    two = {"tls": {"certificate": SecretStr("B"), "private_key": SecretStr("K")}}
    again = {"tls": {"private_key": SecretStr("K"), "certificate": SecretStr("A")}}
    assert secrets_fingerprint(one) == secrets_fingerprint(again)
    assert secrets_fingerprint(one) != secrets_fingerprint(two)


def test_settings_from_the_environment_are_read_again_when_they_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    version = things_version(tmp_path)
    with serve_traffic(lambda _: Answer(503, {}, {"Retry-After": "0"})) as server:
        monkeypatch.setenv("CONNECTORY_INVOKE_RETRIES", "0")
        invoke(version, "listThings", server=server.base_url)
        monkeypatch.setenv("CONNECTORY_INVOKE_RETRIES", "2")
        invoke(version, "listThings", server=server.base_url)
        monkeypatch.delenv("CONNECTORY_INVOKE_RETRIES")
        invoke(version, "listThings", server=server.base_url)
    assert len(server.seen) == 1 + 3 + 4

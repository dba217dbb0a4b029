"""What makes ``invoke`` cheap: clients shared between calls, validators built once per version."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from connectory.model.version import Definition, definition_uri
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
    original = checks._Checks

    class Counted(original):  # type: ignore[misc,valid-type]
        def __init__(self, version: Any) -> None:
            built.append(len(version.definitions))
            super().__init__(version)

    monkeypatch.setattr(checks, "_Checks", Counted)
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


def _definitions(version: Any, schemas: dict[str, Any]) -> Any:
    return version.model_copy(
        update={
            "content_sha256": None,
            "definitions": [
                Definition(name=name, format="json-schema", content=schema)
                for name, schema in schemas.items()
            ],
        }
    )


def test_a_check_loads_only_the_definitions_its_schema_reaches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loaded: list[list[str]] = []
    original = checks.resources_of

    def counted(definitions: Any) -> Any:
        definitions = list(definitions)
        loaded.append(sorted(d.name for d in definitions))
        return original(definitions)

    monkeypatch.setattr(checks, "resources_of", counted)
    version = _definitions(
        things_version(tmp_path),
        {
            "A": {"type": "object", "properties": {"b": {"$ref": definition_uri("B")}}},
            "B": {
                "type": "array",
                "items": {"$ref": definition_uri("B") + "#/$defs/n"},
                "$defs": {"n": {"type": "integer"}},
            },
            "C": {"$id": "https://example.test/c", "type": "string"},
            "D": {"$ref": "https://example.test/c"},
            "E": {"type": "boolean"},
        },
    )
    a = {"$ref": definition_uri("A")}
    assert checks.errors_in(version, a, {"b": [1, "x"]}, root="(input)") == [
        "b/1: 'x' is not of type 'integer'"
    ]
    assert loaded == [["A", "B"]]
    assert checks.errors_in(version, {"items": a}, [{"b": [2]}], root="(input)") == []
    assert loaded == [["A", "B"]]  # nothing new reached
    # a ref that is not a definition's URI (here: an $id of one) is resolved among them all
    assert checks.errors_in(version, {"$ref": definition_uri("D")}, 5, root="(input)") == [
        "(input): 5 is not of type 'string'"
    ]
    assert loaded == [["A", "B"], ["A", "B", "C", "D", "E"]]
    unknown = {"$ref": definition_uri("Z")}
    with pytest.raises(Exception, match="Z"):
        checks.errors_in(version, unknown, 5, root="(input)")


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

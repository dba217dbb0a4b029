"""The live auth check calls one guarded read with the credentials given, and only then."""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from pydantic import SecretStr

from connectory import inspect
from connectory.model.version import ConnectorVersion
from connectory.runtime.probe import probe_action, probe_auth
from connectory.vetting.checks import live_auth
from tests.support.consent import accept
from tests.support.servers import Reply, serve

SECRET = "probe-s3cret"


def _version(tmp_path: Path, server: str) -> ConnectorVersion:
    document = {
        "openapi": "3.0.3",
        "info": {"title": "Probe", "version": "1"},
        "servers": [{"url": server}],
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearer": []}],
        "paths": {
            "/health": {
                "get": {
                    "operationId": "health",
                    "security": [],
                    "responses": {"200": {"description": "up"}},
                }
            },
            "/things/{id}": {
                "get": {
                    "operationId": "thing",
                    "parameters": [
                        {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
                    ],
                    "responses": {"200": {"description": "a thing"}},
                }
            },
            "/things": {
                "post": {"operationId": "addThing", "responses": {"201": {"description": "added"}}},
                "get": {"operationId": "listThings", "responses": {"200": {"description": "all"}}},
            },
        },
    }
    (tmp_path / "probe.json").write_text(json.dumps(document))
    return inspect(tmp_path / "probe.json", connector="probe")


def _guarded(handler: BaseHTTPRequestHandler) -> Reply:
    good = handler.headers.get("Authorization") == f"Bearer {SECRET}"
    return Reply(200, b"[]") if good else Reply(401, b"no")


CREDENTIALS = {"bearer": {"token": SecretStr(SECRET)}}


def test_the_probe_is_a_guarded_read_without_input(tmp_path: Path) -> None:
    version = _version(tmp_path, "https://probe.invalid")
    action = probe_action(version, CREDENTIALS)
    assert action is not None
    assert action.name == "listThings"  # not health (unguarded), thing (input), addThing (writes)


def test_accepted_and_refused_credentials(tmp_path: Path) -> None:
    with serve({"/things": _guarded}) as server:
        version = _version(tmp_path, server.base_url)
        accept(version)
        accepted = probe_auth(version, CREDENTIALS)
        refused = probe_auth(version, {"bearer": {"token": SecretStr("wrong")}})
    assert accepted == ("passed", "listThings answered HTTP 200 with the credentials")
    assert refused == ("failed", "listThings answered HTTP 401: the credentials were refused")
    assert server.requests == ["/things", "/things"]


def test_without_credentials_nothing_is_called(tmp_path: Path) -> None:
    with serve({"/things": _guarded}) as server:
        status, message = probe_auth(_version(tmp_path, server.base_url), {})
    assert status == "skipped"
    assert "no credentials" in message
    assert server.requests == []


def test_the_vetting_check_reads_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with serve({"/things": _guarded}) as server:
        version = _version(tmp_path, server.base_url)
        accept(version)
        assert live_auth(version, None).status == "skipped"
        credentials = json.dumps({"bearer": {"token": SECRET}})
        monkeypatch.setenv("CONNECTORY_CREDENTIALS_PROBE", credentials)
        result = live_auth(version, None)
    assert (result.status, result.message) == (
        "passed",
        "listThings answered HTTP 200 with the credentials",
    )
    assert SECRET not in result.model_dump_json()

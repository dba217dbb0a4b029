"""The onboard flow's auth step: the live auth check with the connector's credentials, against a
loopback API that requires a bearer token, run for real through Prefect and read back from it."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from connectory_flows.batch import onboard_batch
from connectory_flows.onboard import AuthNotVerified, Onboarded, onboard
from pydantic import SecretStr

from connectory.catalog import Catalog
from connectory.model.version import ConnectorVersion, Finding
from connectory.onboarding import AUTH_CHECK, auth_check, inspect
from connectory.runtime import SecretsFile, origin
from tests.support.flow_records import artifacts, flow_runs, held_since, text_of
from tests.support.servers import LoopbackServer, Reply, serve

TOKEN = "onboard-auth-t0ken"
WRONG = "wrong-t0ken"

pytestmark = pytest.mark.usefixtures("prefect_api_url")


def document(server: str) -> dict[str, object]:
    """A bearer-guarded API with one read that needs no input (the check's call) and one that
    writes (never called)."""
    return {
        "openapi": "3.0.3",
        "info": {"title": "Acme", "version": "1.0.0"},
        "servers": [{"url": server}],
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearer": []}],
        "paths": {
            "/me": {
                "get": {"operationId": "getMe", "responses": {"200": {"description": "me"}}},
                "delete": {"operationId": "deleteMe", "responses": {"204": {"description": ""}}},
            }
        },
    }


def guarded(handler: BaseHTTPRequestHandler) -> Reply:
    if handler.headers.get("Authorization") != f"Bearer {TOKEN}":
        return Reply(401, b'{"message": "bad credentials"}', {"Content-Type": "application/json"})
    return Reply(200, b'{"login": "me"}', {"Content-Type": "application/json"})


@pytest.fixture
def api(tmp_path: Path) -> Iterator[tuple[LoopbackServer, Path]]:
    """The API on loopback, and its document in a file."""
    with serve({"/me": guarded}) as server:
        path = tmp_path / "acme.json"
        path.write_text(json.dumps(document(server.base_url)))
        yield server, path


def give(server: LoopbackServer, token: str, secrets: SecretsFile | None = None) -> None:
    """The user's secrets file: the token, and the API's origin accepted for it."""
    secrets = secrets or SecretsFile.default()
    secrets.save("acme", "bearer", {"token": SecretStr(token)})
    secrets.accept("acme", [origin(server.base_url)])


def stored(sqlite_url: str, ref: Onboarded) -> ConnectorVersion:
    with Catalog.open(sqlite_url) as catalog:
        return catalog.get_version(ref.connector, ref.version)


def auth_findings(version: ConnectorVersion) -> list[Finding]:
    return [f for f in version.findings if f.kind == AUTH_CHECK]


def test_accepted_credentials_pass_are_recorded_and_never_reach_prefect(
    api: tuple[LoopbackServer, Path], sqlite_url: str, info_logs: None
) -> None:
    server, path = api
    give(server, TOKEN)
    since = datetime.now(UTC)
    result = onboard(source=str(path), name="acme")
    assert result.auth is not None
    assert (result.auth.status, result.auth.message) == (
        "passed",
        "getMe answered HTTP 200 with the credentials",
    )
    assert server.requests == ["/me"]  # the read, never the delete
    version = stored(sqlite_url, result)
    assert version.state == "draft"
    assert auth_findings(version) == [
        Finding(
            severity="info",
            kind="auth-check",
            location="/auth_methods",
            message="the live auth check at onboarding passed: getMe answered HTTP 200 with the "
            "credentials",
        )
    ]
    markdown = artifacts("onboard-acme")[0]
    assert "## Auth check\n\n**passed**: getMe answered HTTP 200 with the credentials" in markdown
    assert "Recorded on acme@1.0.0 (a finding `auth-check`, info)." in markdown
    held = held_since(since)
    text = text_of(held)
    assert TOKEN not in text
    assert "Auth check of acme passed" in text  # the run's logs were read back too
    assert [task["name"].split("-")[0] for task in held["task_runs"]].count("auth") == 1
    (run,) = [r for r in held["flow_runs"] if r["parameters"].get("name") == "acme"]
    assert run["parameters"] == {
        "source": str(path),
        "name": "acme",
        "protocol": None,
        "label": None,
        "publish": False,
        "require_auth": False,
        "auth": None,
        "catalog_block": None,
    }

    # the document again: nothing drafted, the check run again on the version held
    again = onboard(source=str(path), name="acme", require_auth=True)
    assert (again.created, again.auth) == (False, result.auth)
    assert server.requests == ["/me", "/me"]
    assert "Recorded on acme@1.0.0" in artifacts("onboard-acme")[0]


def test_refused_credentials_fail_the_check_not_the_draft(
    api: tuple[LoopbackServer, Path], sqlite_url: str
) -> None:
    server, path = api
    give(server, WRONG)
    result = onboard(source=str(path), name="acme")
    assert result.auth is not None
    assert (result.auth.status, result.auth.message) == (
        "failed",
        "getMe answered HTTP 401: the credentials were refused",
    )
    assert (result.ref, result.state, result.created) == ("acme@1.0.0", "draft", True)
    (finding,) = auth_findings(stored(sqlite_url, result))
    assert (finding.severity, finding.message) == (
        "warning",
        "the live auth check at onboarding failed: getMe answered HTTP 401: the credentials "
        "were refused",
    )
    markdown = artifacts("onboard-acme")[0]
    assert "**failed**: getMe answered HTTP 401: the credentials were refused" in markdown
    assert WRONG not in markdown


def test_required_auth_that_fails_ends_the_run_failed_with_the_draft_kept(
    api: tuple[LoopbackServer, Path], sqlite_url: str
) -> None:
    server, path = api
    give(server, WRONG)
    since = datetime.now(UTC)
    with pytest.raises(AuthNotVerified) as failed:
        onboard(source=str(path), name="acme", require_auth=True)
    message = (
        "--require-auth: the live auth check of acme@1.0.0 failed: getMe answered HTTP 401: the "
        "credentials were refused (the draft version is kept)"
    )
    assert str(failed.value) == message
    assert failed.value.result.auth.status == "failed"
    (run,) = flow_runs("onboard", since)
    assert run.state is not None
    assert (run.state.type.value, run.state.message) == ("FAILED", message)
    assert run.parameters["require_auth"] is True
    assert auth_findings(stored(sqlite_url, failed.value.result))[0].severity == "warning"
    assert "**failed**" in artifacts("onboard-acme")[0]


def test_without_credentials_the_check_is_skipped_and_nothing_recorded(
    api: tuple[LoopbackServer, Path], sqlite_url: str
) -> None:
    server, path = api
    result = onboard(source=str(path), name="acme")
    assert result.auth is not None
    assert result.auth.status == "skipped"
    assert result.auth.message.startswith("no credentials given (CONNECTORY_CREDENTIALS_ACME or")
    assert server.requests == []  # nothing called
    version = stored(sqlite_url, result)
    assert auth_findings(version) == []
    assert version.findings == inspect(path, connector="acme").findings  # as before the step
    markdown = artifacts("onboard-acme")[0]
    assert "**skipped**: no credentials given" in markdown
    assert "Nothing is recorded on the version: no credentials were tried." in markdown

    with pytest.raises(AuthNotVerified, match=r"acme@1\.0\.0 skipped: no credentials given"):
        onboard(source=str(path), name="acme", require_auth=True)
    assert server.requests == []


def test_an_origin_not_accepted_is_skipped_and_recorded_with_the_reason(
    api: tuple[LoopbackServer, Path], sqlite_url: str
) -> None:
    server, path = api
    SecretsFile.default().save("acme", "bearer", {"token": SecretStr(TOKEN)})  # no consent
    result = onboard(source=str(path), name="acme")
    assert result.auth is not None
    assert result.auth.status == "skipped"
    assert result.auth.message == (  # not drafted yet: no label to trust, its origin then
        f"getMe not called: acme@? (getMe) would send secrets to {server.base_url}, not accepted "
        f"for acme: connectory trust acme --origin {server.base_url} accepts them"
    )
    assert server.requests == []
    (finding,) = auth_findings(stored(sqlite_url, result))
    assert finding.severity == "info"
    assert finding.message.startswith("the live auth check at onboarding skipped: getMe not called")


def test_an_unreadable_secrets_file_fails_the_check_and_records_nothing(
    api: tuple[LoopbackServer, Path],
) -> None:
    server, path = api
    give(server, TOKEN)
    secrets = Path(os.environ["CONNECTORY_SECRETS_FILE"])
    secrets.chmod(0o644)
    checked = auth_check(inspect(path, connector="acme"))
    assert checked.result.status == "failed"
    assert checked.result.message.startswith(f"the secrets file {secrets} may be read by others")
    assert (checked.credentials, checked.finding) == (False, None)
    assert server.requests == []


def test_the_batch_runs_the_check_for_each_document(
    api: tuple[LoopbackServer, Path], tmp_path: Path
) -> None:
    server, path = api
    give(server, TOKEN)
    other = tmp_path / "other.json"
    other.write_text(json.dumps({**document(server.base_url), "info": {"title": "Other", "version": "2"}}))  # fmt: skip
    batch = onboard_batch(sources=[f"acme={path}", f"other={other}"])
    auth = [o.onboarded.auth for o in batch.outcomes if o.onboarded is not None]
    assert [(a.status if a else None) for a in auth] == ["passed", "skipped"]
    assert server.requests == ["/me"]

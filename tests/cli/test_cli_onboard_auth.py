"""``connectory onboard --require-auth`` through the installed console script: the live auth check
against a loopback API that requires a bearer token, with the user's secrets file."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import SecretStr

from connectory.catalog import Catalog
from connectory.runtime import SecretsFile, origin
from tests.flows.test_onboard_auth import TOKEN, WRONG, document, guarded
from tests.support.servers import serve

from .conftest import Run


def test_require_auth_fails_the_command_when_the_check_does_not_pass(
    run: Run, tmp_path: Path, sqlite_url: str, prefect_api_url: str
) -> None:
    secrets = SecretsFile(tmp_path / "secrets" / "credentials.json")  # the run's secrets file
    with serve({"/me": guarded}) as server:
        path = tmp_path / "acme.json"
        path.write_text(json.dumps(document(server.base_url)))
        secrets.save("acme", "bearer", {"token": SecretStr(TOKEN)})
        secrets.accept("acme", [origin(server.base_url)])
        wrong = {"CONNECTORY_CREDENTIALS_ACME": json.dumps({"bearer": {"token": WRONG}})}
        args = ("onboard", str(path), "--require-auth")
        refused = run(*args, "-n", "acme", env=wrong, api_url=prefect_api_url)
        accepted = run(*args, "-n", "acme", api_url=prefect_api_url)
        bare = run(*args, "-n", "bare", api_url=prefect_api_url)
        unrequired = run("onboard", str(path), "-n", "plain", api_url=prefect_api_url)
    assert refused.returncode == 1, refused.stderr
    assert (
        "error: --require-auth: the live auth check of acme@1.0.0 failed: getMe answered HTTP "
        "401: the credentials were refused (the draft version is kept)"
    ) in refused.stderr
    assert accepted.returncode == 0, accepted.stderr
    assert "Unchanged (this document is already in) acme@1.0.0, draft" in accepted.stdout
    assert "Auth check: passed" in " ".join(accepted.stdout.split())
    assert bare.returncode == 1
    assert "error: --require-auth: the live auth check of bare@1.0.0 skipped: no credentials" in (
        bare.stderr
    )
    assert unrequired.returncode == 0, unrequired.stderr  # skipped, not required: drafted
    assert server.requests == ["/me", "/me"]  # acme, wrong then right; nothing for the others
    for result in (refused, accepted, bare, unrequired):
        assert TOKEN not in result.stdout + result.stderr
        assert WRONG not in result.stdout + result.stderr
    with Catalog.open(sqlite_url) as catalog:
        kept = catalog.get_version("acme", "1.0.0")  # drafted although the check failed
        assert [(f.kind, f.severity) for f in kept.findings if f.kind == "auth-check"] == [
            ("auth-check", "warning")
        ]
        assert [c.name for c in catalog.list_connectors()] == ["acme", "bare", "plain"]

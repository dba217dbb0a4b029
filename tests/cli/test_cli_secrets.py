"""``connectory secret ...``: keeping secrets in the secrets file without showing them."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import Run

VALUE = "a-secret-value-never-shown"


def test_set_list_and_unset_secrets(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "secrets" / "credentials.json"
    kept = run("secret", "set", "items", "oauth", "client_secret", "--stdin", stdin=VALUE + "\n")
    run("secret", "set", "items", "oauth", "client_id", "--stdin", stdin="client\n")
    run("secret", "set", "other", "key", "key", "--stdin", stdin="k\n")
    environ = {"CONNECTORY_CREDENTIALS_ITEMS": json.dumps({"oauth": {"client_id": "env"}})}
    listed = run("secret", "list", "items", "--json", env=environ)
    table = run("secret", "list", "items")
    empty = run("secret", "set", "items", "oauth", "token", "--stdin", stdin="\n")
    removed = run("secret", "unset", "items", "oauth", "client_secret")
    missing = run("secret", "unset", "items", "oauth", "client_secret")
    removed_all = run("secret", "unset", "items", "oauth")
    assert kept.returncode == 0, kept.stderr
    assert f"Kept client_secret for items oauth in {path}" in kept.stderr
    assert json.loads(listed.stdout) == [
        {"method": "oauth", "secret": "client_id", "from": ["file", "environment"]},
        {"method": "oauth", "secret": "client_secret", "from": ["file"]},
    ]
    assert "client_secret" in table.stdout
    assert "CONNECTORY_CREDENTIALS_ITEMS" in table.stderr
    assert empty.returncode == 2
    assert "an empty value: nothing was kept" in empty.stderr
    assert "Removed client_secret of items oauth" in removed.stderr
    assert missing.returncode == 1
    assert "Removed client_id of items oauth" in removed_all.stderr
    assert json.loads(path.read_text()) == {"other": {"key": {"key": "k"}}}
    assert path.stat().st_mode & 0o777 == 0o600
    for result in (kept, listed, table, removed):
        assert VALUE not in result.stdout + result.stderr


def test_a_value_with_a_control_character_is_not_kept(run: Run, tmp_path: Path) -> None:
    refused = run("secret", "set", "items", "key", "key", "--stdin", stdin=VALUE + "\t\n")
    assert refused.returncode == 2
    assert (
        "auth method 'key': the secret 'key' holds a line break or another control character"
        in refused.stderr
    )
    assert VALUE not in refused.stdout + refused.stderr
    assert not (tmp_path / "secrets" / "credentials.json").exists()

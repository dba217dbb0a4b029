"""``connectory serve`` refuses to expose the catalogue beyond loopback without a token."""

from __future__ import annotations

from .conftest import Run


def test_serving_beyond_loopback_needs_a_token(run: Run) -> None:
    refused = run("serve", "--host", "0.0.0.0", "--port", "0")
    assert refused.returncode == 2
    assert "without CONNECTORY_API_TOKEN" in refused.stderr


def test_an_api_token_must_be_long_and_printable(run: Run) -> None:
    for token in ("short", " " * 20, "a-token-with spaces-in-it", "t\u00e9" * 10):
        refused = run("serve", "--port", "0", env={"CONNECTORY_API_TOKEN": token})
        assert refused.returncode == 2, token
        assert "at least 16 printable ASCII characters" in refused.stderr
        assert token not in refused.stderr

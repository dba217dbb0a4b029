"""``connectory serve`` refuses to expose the catalogue beyond loopback without a token."""

from __future__ import annotations

from .conftest import Run


def test_serving_beyond_loopback_needs_a_token(run: Run) -> None:
    refused = run("serve", "--host", "0.0.0.0", "--port", "0")
    assert refused.returncode == 2
    assert "without CONNECTORY_API_TOKEN" in refused.stderr

"""``connectory serve`` refuses to expose the catalogue beyond loopback without a token, and says
where it serves what."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from .conftest import CONNECTORY, Run


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


def test_serve_says_where_and_answers_at_its_root(tmp_path: Path, sqlite_url: str) -> None:
    """A newcomer ran ``connectory serve`` and ``curl /``: uvicorn's lines did not say which
    catalogue or where the docs are, and ``/`` answered 404."""
    assert CONNECTORY
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONNECTORY_")}
    env["CONNECTORY_DATABASE_URL"] = sqlite_url
    server = subprocess.Popen(
        [CONNECTORY, "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        banner = server.stderr.readline() if server.stderr else ""
        base = f"http://127.0.0.1:{port}"
        assert banner.strip() == (
            f"Serving {sqlite_url} at {base} (the API's pages: {base}/docs; Ctrl-C stops)"
        )
        for _ in range(600):  # until uvicorn listens (the banner comes just before)
            try:
                root = httpx.get(f"{base}/", timeout=5)
                break
            except httpx.ConnectError:
                time.sleep(0.1)
        else:
            pytest.fail("connectory serve did not answer")
        assert root.status_code == 200
        assert root.json()["docs"] == "/docs"
    finally:
        server.terminate()
        server.wait(30)

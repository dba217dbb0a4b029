"""``run``: the installed ``connectory`` console script in a subprocess, in a clean directory,
against a fresh embedded catalogue; no CONNECTORY_* or PREFECT_API_URL of the caller leaks in.
Its data folder (``XDG_DATA_HOME``) is the test's own: a local Prefect server a command starts
there (no PREFECT_API_URL) is stopped when the test ends, never left running in the user's."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

CONNECTORY = shutil.which("connectory", path=str(Path(sys.executable).parent))

Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def run(tmp_path: Path, sqlite_url: str) -> Iterator[Run]:
    """``run(*args, api_url=None, home=None, env=None, stdin=None)``: ``api_url`` is a Prefect
    server to use (and keep using), ``home`` a PREFECT_HOME (logging at INFO), ``env`` more
    variables for this one call, ``stdin`` its standard input (none by default)."""
    assert CONNECTORY, "the connectory console script is not installed in this venv"
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("CONNECTORY_") and k != "PREFECT_API_URL"
    }
    base["CONNECTORY_DATABASE_URL"] = sqlite_url
    base["CONNECTORY_SECRETS_FILE"] = str(tmp_path / "secrets" / "credentials.json")
    base["COLUMNS"] = "200"  # tables as wide as they need: no folded cells
    base["XDG_DATA_HOME"] = str(tmp_path / "data")

    def run(
        *args: str,
        api_url: str | None = None,
        home: Path | None = None,
        env: dict[str, str] | None = None,
        stdin: str | None = None,
    ) -> subprocess.CompletedProcess[str]:
        if api_url:
            base["PREFECT_API_URL"] = api_url
        if home:
            base["PREFECT_HOME"] = str(home)
            base["PREFECT_LOGGING_LEVEL"] = "INFO"
        return subprocess.run(
            [CONNECTORY, *args],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env={**base, **(env or {})},
            **({"stdin": subprocess.DEVNULL} if stdin is None else {"input": stdin}),
            timeout=300,
            check=False,
        )

    yield run
    if (tmp_path / "data" / "connectory" / "prefect" / "server.json").exists():
        run("server", "stop")

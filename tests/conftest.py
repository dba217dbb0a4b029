"""Test-wide set-up: no network beyond loopback, Prefect without analytics, shared servers.

The Prefect test harness (a temporary API server, ~12 s to start) is a session fixture that only
the tests needing Prefect request. ``prefect_api_url`` hands its URL to subprocesses (the CLI).
"""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("CONNECTORY_RETRY_DELAYS", "0.1,0.1,0.1")

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
GITHUB_OPENAPI = CORPUS / "openapi" / "apis-guru" / "github.com" / "api.github.com.json"


def corpus_absent(what: Path | str) -> NoReturn:
    """Skip a test whose part of ../shared/corpus is not beside the repository; fail it instead
    when ``CONNECTORY_REQUIRE_CORPUS=1`` (CI, where the corpus must be there)."""
    message = f"the shared corpus is not beside the repository: {what} is missing"
    if os.environ.get("CONNECTORY_REQUIRE_CORPUS") == "1":
        pytest.fail(f"{message} (CONNECTORY_REQUIRE_CORPUS=1)")
    pytest.skip(message)


def corpus_file(*parts: str) -> Path:
    """A file of ../shared/corpus (see ``corpus_absent`` when it is not there)."""
    path = CORPUS.joinpath(*parts)
    if not path.exists():
        corpus_absent(path)
    return path


# -- no network beyond loopback ------------------------------------------------------------------

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_getaddrinfo = socket.getaddrinfo


def _is_loopback(address: object) -> bool:
    if not isinstance(address, tuple):  # AF_UNIX paths
        return True
    host = str(address[0])
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def _guarded_connect(self: socket.socket, address: object) -> None:
    if not _is_loopback(address):
        raise ConnectionRefusedError(f"tests may not reach {address!r}: loopback only")
    return _real_connect(self, address)  # type: ignore[arg-type]


def _guarded_connect_ex(self: socket.socket, address: object) -> int:
    if not _is_loopback(address):
        raise ConnectionRefusedError(f"tests may not reach {address!r}: loopback only")
    return _real_connect_ex(self, address)  # type: ignore[arg-type]


def _guarded_getaddrinfo(host: object, *args: object, **kwargs: object) -> object:
    name = host.decode() if isinstance(host, bytes) else str(host)
    if name not in ("localhost", "None") and not _is_loopback((name, 0)):
        raise socket.gaierror(socket.EAI_NONAME, f"tests may not resolve {name!r}: loopback only")
    return _real_getaddrinfo(host, *args, **kwargs)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def _own_secrets_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Never the user's own secrets file (~/.config/connectory/credentials.json)."""
    folder = tmp_path_factory.mktemp("secrets")
    monkeypatch.setenv("CONNECTORY_SECRETS_FILE", str(folder / "credentials.json"))


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", _guarded_connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", _guarded_getaddrinfo)


# -- Prefect -------------------------------------------------------------------------------------


HARNESS_ATTEMPTS = 3


@pytest.fixture(scope="session")
def prefect_api_url() -> Iterator[str]:
    """A temporary Prefect API server for the session; its URL is also in the settings context.

    Prefect's harness picks a free port, lets it go, then starts its server there; meanwhile the
    other test worker may start one of its own loopback servers (some of which hang up on purpose)
    on that very port, and the harness's health check then reads that server. So the answer is
    checked to be Prefect's, and the start tried again on a fresh port when it is not.
    """
    from contextlib import ExitStack

    import httpx
    from prefect.server.api.server import SubprocessASGIServer
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    failures: list[str] = []
    for _ in range(HARNESS_ATTEMPTS):
        stack = ExitStack()
        try:
            stack.enter_context(prefect_test_harness(server_startup_timeout=60))
            url = str(PREFECT_API_URL.value())
            answer = httpx.get(f"{url}/admin/version", timeout=30)
            answer.raise_for_status()
            if not isinstance(answer.json(), str):
                raise RuntimeError(f"{url} answered, but not as Prefect: {answer.text[:200]}")
        except (httpx.HTTPError, RuntimeError, ValueError) as exc:
            failures.append(f"{type(exc).__name__}: {exc}")
            stack.close()
            stray = SubprocessASGIServer._instances.pop(None, None)
            if stray is not None:
                stray.stop()
            continue
        with stack:
            yield url
        return
    pytest.fail(f"Prefect's test server did not start: {'; '.join(failures)}")


# -- catalogue -----------------------------------------------------------------------------------


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """The URL of a fresh embedded catalogue file."""
    return f"sqlite:///{tmp_path / 'catalog.db'}"

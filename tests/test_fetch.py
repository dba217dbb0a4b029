"""fetch: files and real HTTP servers on loopback, with the size cap and the total deadline."""

from __future__ import annotations

import hashlib
import socket
import time
from pathlib import Path

import pytest

from connectory.documents.fetch import MAX_READ_WAIT, fetch, http_client
from connectory.errors import SourceError, SourceUnreachable, TransientError
from connectory.settings import Settings

from .support.servers import Reply, serve

DOC = b'{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}}'


def test_file_is_read_with_its_sha256(tmp_path: Path) -> None:
    path = tmp_path / "api.json"
    path.write_bytes(DOC)
    raw = fetch(path)
    assert raw.content == DOC
    assert raw.sha256 == hashlib.sha256(DOC).hexdigest()
    assert raw.source == str(path.resolve())
    assert raw.name == "api.json"


def test_missing_file_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"no such file") as caught:
        fetch(tmp_path / "nope.json")
    assert "nope.json" in str(caught.value)
    assert not isinstance(caught.value, TransientError)


def test_directory_is_not_a_document(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="not a file"):
        fetch(tmp_path)


def test_file_over_the_cap_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_bytes(b" " * 2048)
    with pytest.raises(SourceError, match="larger than the 1,024-byte cap"):
        fetch(path, settings=Settings(max_document_bytes=1024))


def test_other_url_schemes_are_refused() -> None:
    with pytest.raises(SourceError, match="unsupported URL scheme 'file'"):
        fetch("file:///etc/passwd")


def test_url_is_fetched_from_a_real_server() -> None:
    with serve({"/api.json": Reply(body=DOC, headers={"Content-Type": "application/json"})}) as s:
        raw = fetch(s.url("/api.json"))
    assert raw.content == DOC
    assert raw.media_type == "application/json"
    assert raw.source.endswith("/api.json")


def test_redirects_are_followed_within_the_limit() -> None:
    routes = {
        "/old": Reply(301, headers={"Location": "/new"}),
        "/new": Reply(body=DOC),
        "/loop": Reply(302, headers={"Location": "/loop"}),
    }
    with serve(routes) as s:
        assert fetch(s.url("/old")).content == DOC
        with pytest.raises(SourceError, match="more than 5 redirects"):
            fetch(s.url("/loop"))


def test_http_404_is_a_bad_source_and_not_retriable() -> None:
    with serve({}) as s, pytest.raises(SourceError, match="HTTP 404") as caught:
        fetch(s.url("/missing.json"))
    assert not isinstance(caught.value, TransientError)


@pytest.mark.parametrize("status", [500, 503, 429])
def test_server_errors_are_transient(status: int) -> None:
    with serve({"/api": Reply(status, b"busy")}) as s, pytest.raises(SourceUnreachable) as caught:
        fetch(s.url("/api"))
    assert isinstance(caught.value, TransientError)
    assert f"HTTP {status}" in str(caught.value)


def test_unreachable_host_is_transient() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(SourceUnreachable, match="cannot connect"):
        fetch(f"http://127.0.0.1:{port}/api.json")


def test_declared_length_over_the_cap_is_refused_before_reading() -> None:
    reply = Reply(body=b"x" * 5000)
    with serve({"/big": reply}) as s, pytest.raises(SourceError, match="larger than"):
        fetch(s.url("/big"), settings=Settings(max_document_bytes=1000))


def test_streamed_body_over_the_cap_is_refused() -> None:
    reply = Reply(body=b"x" * 300_000, declare_length=False)
    with serve({"/big": reply}) as s, pytest.raises(SourceError, match="larger than"):
        fetch(s.url("/big"), settings=Settings(max_document_bytes=100_000))


def test_a_dripping_server_hits_the_total_deadline() -> None:
    reply = Reply(body=b"x" * 200, drip_seconds=0.05)
    started = time.monotonic()
    with serve({"/slow": reply}) as s, pytest.raises(SourceUnreachable, match="gave up after"):
        fetch(s.url("/slow"), settings=Settings(fetch_deadline=1.0))
    assert time.monotonic() - started < 5


def test_secrets_in_the_url_are_redacted_in_source_and_errors() -> None:
    with serve({"/api": Reply(body=DOC), "/gone": Reply(410)}) as s:
        url = s.url("/api?api_key=hunter2&v=1").replace("http://", "http://me:pw@")
        raw = fetch(url)
        assert "hunter2" not in raw.source
        assert "pw@" not in raw.source
        assert "v=1" in raw.source
        with pytest.raises(SourceError) as caught:
            fetch(s.url("/gone?token=hunter2"))
    assert "hunter2" not in str(caught.value)


def test_a_folder_stands_for_its_openapi_or_swagger_file(tmp_path: Path) -> None:
    (tmp_path / "swagger.json").write_bytes(b'{"swagger": "2.0"}')
    assert fetch(tmp_path).source == str((tmp_path / "swagger.json").resolve())
    (tmp_path / "openapi.yml").write_bytes(DOC)
    raw = fetch(tmp_path)
    assert (raw.source, raw.content) == (str((tmp_path / "openapi.yml").resolve()), DOC)
    (tmp_path / "openapi.yaml").write_bytes(b"openapi: 3.1.0\n")
    assert fetch(tmp_path).name == "openapi.yaml"  # the first of FOLDER_ENTRIES found
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(SourceError, match=r"a folder without any of openapi\.yaml, "):
        fetch(empty)


def test_the_http_client_has_the_settings_limits() -> None:
    settings = Settings(connect_timeout=3.0, fetch_deadline=90.0, max_redirects=2)
    with http_client(settings) as client:
        timeout = client.timeout
        assert (timeout.connect, timeout.read, timeout.write) == (3.0, MAX_READ_WAIT, MAX_READ_WAIT)
        assert (client.follow_redirects, client.max_redirects) == (False, 2)
    with http_client(settings, follow_redirects=True, read_timeout=90.0) as client:
        assert (client.timeout.read, client.follow_redirects) == (90.0, True)
    with http_client(Settings(fetch_deadline=4.0)) as client:
        assert client.timeout.read == 4.0  # a read never waits past the whole deadline

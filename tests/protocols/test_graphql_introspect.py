"""Introspecting a live endpoint: a real graphql-core server on loopback."""

from __future__ import annotations

import json
import time
from http.server import BaseHTTPRequestHandler

import pytest
from graphql import graphql_sync
from pydantic import SecretStr

from connectory import inspect
from connectory.errors import InputError, ProtocolError, SourceError, SourceUnreachable
from connectory.onboarding import fetch_source
from connectory.protocols.graphql import (
    INTROSPECTION_QUERY,
    fetch_graphql,
    headers_env_var,
    headers_from_env,
    is_graphql_endpoint,
    parse_header,
    parse_headers,
)
from connectory.settings import Settings
from tests.support.graphql import SHOP, inspect_file, shop_schema
from tests.support.graphql_server import serve_graphql
from tests.support.servers import Reply, serve

SECRET = "s3cret-t0ken"


def test_an_endpoint_is_introspected_into_a_version() -> None:
    with serve_graphql(shop_schema()) as server:
        version = inspect(server.url, protocol="graphql", connector="shop")
    [request] = server.requests
    assert request["body"]["query"] == INTROSPECTION_QUERY
    assert request["headers"]["content-type"] == "application/json"
    assert version.source == server.url
    assert version.metadata.endpoint == server.url  # type: ignore[union-attr]
    assert version.metadata.introspected_at == version.fetched_at  # type: ignore[union-attr]
    from_file = inspect_file(SHOP)
    assert version.metadata.schema_sha256 == from_file.metadata.schema_sha256  # type: ignore[union-attr]
    assert [a.name for a in version.actions] == [a.name for a in from_file.actions]
    assert version.actions == from_file.actions
    assert from_file.metadata.endpoint is None  # type: ignore[union-attr]


def test_headers_are_sent_and_never_shown() -> None:
    with serve_graphql(
        shop_schema(), required_headers={"Authorization": f"Bearer {SECRET}"}
    ) as server:
        with pytest.raises(
            SourceError, match=r"HTTP 401.*--header 'Authorization: Bearer"
        ) as caught:
            fetch_graphql(server.url)
        wrong = {"Authorization": SecretStr("Bearer wrong-token")}
        with pytest.raises(SourceError) as wrong_caught:
            fetch_graphql(server.url, headers=wrong)
        raw = fetch_graphql(server.url, headers={"Authorization": SecretStr(f"Bearer {SECRET}")})
    assert "wrong-token" not in str(wrong_caught.value)
    assert SECRET not in str(caught.value)
    assert server.requests[-1]["headers"]["authorization"] == f"Bearer {SECRET}"
    assert SECRET.encode() not in raw.content
    assert json.loads(raw.content)["data"]["__schema"]["queryType"]["name"] == "Query"


def test_disabled_introspection_suggests_the_fallbacks() -> None:
    with (
        serve_graphql(shop_schema(), introspection=False) as server,
        pytest.raises(ProtocolError) as caught,
    ):
        fetch_graphql(server.url)
    message = str(caught.value)
    assert "answered with errors: GraphQL introspection has been disabled" in message
    assert "SDL file" in message
    assert ".json file" in message


def test_a_null_schema_suggests_the_fallbacks() -> None:
    with (
        serve_graphql(
            shop_schema(), reply=lambda body: (200, b'{"data": {"__schema": null}}')
        ) as server,
        pytest.raises(ProtocolError, match=r"__schema is null.*SDL file"),
    ):
        inspect(server.url, protocol="graphql")


def test_graphql_errors_with_an_http_error_status() -> None:
    body = b'{"errors": [{"message": "introspection not allowed"}]}'
    with (
        serve_graphql(shop_schema(), reply=lambda _: (400, body)) as server,
        pytest.raises(
            ProtocolError, match="HTTP 400 Bad Request, with errors: introspection not allowed"
        ),
    ):
        fetch_graphql(server.url)


def test_server_failures_are_transient() -> None:
    with (
        serve_graphql(shop_schema(), reply=lambda _: (503, b"busy")) as server,
        pytest.raises(SourceUnreachable, match="HTTP 503"),
    ):
        fetch_graphql(server.url)
    with pytest.raises(SourceUnreachable, match="cannot connect"):
        fetch_graphql(server.url, settings=Settings(connect_timeout=2, fetch_deadline=5))


def test_a_response_over_the_size_cap_is_refused() -> None:
    with (
        serve_graphql(shop_schema()) as server,
        pytest.raises(SourceError, match="larger than the 10,000-byte cap"),
    ):
        fetch_graphql(server.url, settings=Settings(max_document_bytes=10_000))


def test_a_dripping_server_meets_the_total_deadline() -> None:
    body = json.dumps({"data": {"__schema": None}}).encode() * 20
    with serve_graphql(shop_schema(), reply=lambda _: (200, body), drip_seconds=0.01) as server:
        started = time.monotonic()
        with pytest.raises(SourceUnreachable, match=r"gave up after 1 s"):
            fetch_graphql(server.url, settings=Settings(fetch_deadline=1))
    assert time.monotonic() - started < 5


def test_schema_file_urls_are_fetched_as_files() -> None:
    assert is_graphql_endpoint("https://api.example.com/graphql")
    assert is_graphql_endpoint("https://api.example.com/v1?x=1")
    assert not is_graphql_endpoint("https://example.com/schema.graphql")
    assert not is_graphql_endpoint("https://example.com/schema.json?raw=1")
    assert not is_graphql_endpoint("schema.graphql")
    with serve({"/schema.graphql": Reply(body=SHOP.read_bytes())}) as server:
        version = inspect(server.url("/schema.graphql"), protocol="graphql")
    assert server.requests == ["/schema.graphql"]  # a GET
    assert version.metadata.endpoint is None  # type: ignore[union-attr]
    assert len(version.actions) == 9


def test_headers_only_go_to_graphql_endpoints() -> None:
    with pytest.raises(InputError, match="only sent to GraphQL endpoints"):
        fetch_source(str(SHOP), protocol="graphql", headers={"X-Key": SecretStr(SECRET)})


def test_header_options_are_parsed_as_secrets() -> None:
    name, value = parse_header(f"Authorization:  Bearer {SECRET} ")
    assert (name, value.get_secret_value()) == ("Authorization", f"Bearer {SECRET}")
    assert SECRET not in repr(value)
    assert SECRET not in str(value)
    assert parse_headers(["X-A: 1", "X-A: 2"])["X-A"].get_secret_value() == "2"
    for bad in (SECRET, f"Bad Name: {SECRET}", f"X-A: {SECRET}\r\nX-B: 1"):
        with pytest.raises(InputError) as caught:
            parse_header(bad)
        assert SECRET not in str(caught.value)


def test_headers_for_scheduled_runs_come_from_the_environment() -> None:
    assert (
        headers_env_var("github-enterprise.v4") == "CONNECTORY_GRAPHQL_HEADERS_GITHUB_ENTERPRISE_V4"
    )
    environ = {"CONNECTORY_GRAPHQL_HEADERS_SHOP": json.dumps({"Authorization": f"Bearer {SECRET}"})}
    headers = headers_from_env("shop", environ)
    assert headers["Authorization"].get_secret_value() == f"Bearer {SECRET}"
    assert headers_from_env("other", environ) == {}
    for text in (f"Bearer {SECRET}", json.dumps([SECRET]), json.dumps({"X": 1})):
        with pytest.raises(InputError, match="CONNECTORY_GRAPHQL_HEADERS_SHOP") as caught:
            headers_from_env("shop", {"CONNECTORY_GRAPHQL_HEADERS_SHOP": text})
        assert SECRET not in str(caught.value)


def test_headers_go_over_https_only_or_to_loopback() -> None:
    headers = {"X-Api-Key": SecretStr(SECRET)}
    with pytest.raises(InputError, match="over https only") as refused:
        fetch_graphql("http://graphql.example.invalid/graphql", headers=headers)
    assert SECRET not in str(refused.value)


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_headers_never_follow_a_redirect_to_another_origin(status: int) -> None:
    """httpx drops an Authorization header on another origin, not an X-Api-Key: a redirect to
    another host (here another port) must not carry the introspection headers there."""
    with serve({"/graphql": Reply(200, b"{}")}) as elsewhere:
        moved = Reply(status, headers={"Location": elsewhere.url("/graphql")})
        with serve({"/graphql": moved}) as endpoint:
            with pytest.raises(SourceError, match=rf"redirects \({status}\)") as refused:
                fetch_graphql(endpoint.url("/graphql"), headers={"X-Api-Key": SecretStr(SECRET)})
            assert endpoint.requests == ["/graphql"]
        assert elsewhere.requests == []  # the headers went nowhere else
    assert SECRET not in str(refused.value)


def test_headers_follow_a_same_origin_redirect_that_keeps_the_method() -> None:
    result = graphql_sync(shop_schema(), INTROSPECTION_QUERY)
    answer = json.dumps({"data": result.data}).encode()
    seen: list[str | None] = []

    def endpoint(handler: BaseHTTPRequestHandler) -> Reply:
        seen.append(handler.headers.get("X-Api-Key"))
        return Reply(200, answer, headers={"Content-Type": "application/json"})

    routes = {"/old": Reply(308, headers={"Location": "/graphql"}), "/graphql": endpoint}
    with serve(routes) as server:  # type: ignore[arg-type]
        raw = fetch_graphql(server.url("/old"), headers={"X-Api-Key": SecretStr(SECRET)})
        assert server.requests == ["/old", "/graphql"]
    assert seen == [SECRET]
    assert b"__schema" in raw.content

"""A connector version cannot take a user's secrets elsewhere: each attack of a hostile version
(or a careless user) against two loopback servers on different ports, two origins: ``accepted``,
the one the user accepted for the connector, and ``elsewhere``, one they did not. The elsewhere
server records every request it gets: it must get none."""

from __future__ import annotations

import json
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from connectory import inspect
from connectory.errors import InputError, SourceError
from connectory.model.auth import CustomRequestAuth, ExtractRule, InjectRule, RequestTemplate
from connectory.model.version import ConnectorVersion
from connectory.runtime import (
    InsecureOrigin,
    SecretPolicy,
    SecretsFile,
    UntrustedOrigin,
    invoke,
    listen,
    login,
    origin,
    secret_origins,
    secret_places,
)
from connectory.runtime.hosts import discovered_places
from connectory.vetting.checks import live_auth
from tests.support.consent import accept
from tests.support.servers import LoopbackServer, Reply, serve

from .test_subscribe import _version as _prices

KEY = "key-never-leaves-the-user"
JSON = {"Content-Type": "application/json"}


def _document(server: str, schemes: dict[str, Any] | None = None) -> dict[str, Any]:
    schemes = schemes or {"key": {"type": "apiKey", "in": "header", "name": "X-Key"}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Items", "version": "2.0.0"},
        "servers": [{"url": server}],
        "components": {"securitySchemes": schemes},
        "security": [{name: [] for name in schemes}],
        "paths": {
            "/items": {
                "get": {
                    "operationId": "listItems",
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        }
                    },
                }
            },
        },
    }


def _version(tmp_path: Path, document: dict[str, Any], label: str = "2.0.0") -> ConnectorVersion:
    """``document`` as version ``label`` of connector items (as the catalogue would hold it)."""
    path = tmp_path / f"items-{label}.json"
    path.write_text(json.dumps(document))
    return inspect(path, connector="items").model_copy(update={"version": label})


CREDENTIALS = {"key": {"key": SecretStr(KEY)}}


@pytest.fixture
def accepted() -> Iterator[LoopbackServer]:
    with serve({"/items": Reply(200, b"{}", JSON)}) as server:
        yield server


@pytest.fixture
def elsewhere() -> Iterator[LoopbackServer]:
    """A server on another origin that must hear nothing: it answers every route it knows."""
    routes = {
        path: Reply(200, b'{"access_token": "t"}', JSON) for path in ("/items", "/token", "/login")
    }
    with serve(routes) as server:  # type: ignore[arg-type]
        yield server


def _port(server: LoopbackServer) -> str:
    return server.base_url.rsplit(":", 1)[1]


# -- the origins of a version ---------------------------------------------------------------------


def test_the_origins_a_version_names(tmp_path: Path) -> None:
    document = _document(
        "https://{region}.API.example.com:443/{stage}",
        {
            "oauth": {
                "type": "oauth2",
                "flows": {
                    "authorizationCode": {
                        "authorizationUrl": "https://login.example.com/authorize",
                        "tokenUrl": "https://login.example.com/token",
                        "refreshUrl": "https://refresh.example.com:8443/r",
                        "scopes": {},
                    },
                },
            },
            "oidc": {
                "type": "openIdConnect",
                "openIdConnectUrl": "https://id.example.com/.well-known/openid-configuration",
            },
        },
    )
    document["servers"][0]["variables"] = {
        "region": {"default": "eu", "enum": ["eu", "us"]},
        "stage": {"default": "v1", "enum": [f"v{i}" for i in range(50)]},  # a path: one origin
    }
    document["paths"]["/items"]["get"]["servers"] = [{"url": "wss://stream.example.com/"}]
    version = _version(tmp_path, document)
    login = CustomRequestAuth(
        name="login",
        request=RequestTemplate(url="https://auth.example.com/{tenant}/login"),
        extract=[ExtractRule(name="t", path="/t")],
        inject=[InjectRule(parameter="X", template="{t}")],
    )
    chosen = CustomRequestAuth(  # the secrets would pick the host: no fixed origin
        name="chosen",
        request=RequestTemplate(url="https://{host}/login"),
        extract=[ExtractRule(name="t", path="/t")],
        inject=[InjectRule(parameter="X", template="{t}")],
    )
    version = version.model_copy(update={"auth_methods": [*version.auth_methods, login, chosen]})
    assert secret_origins(version) == {
        "https://eu.api.example.com",
        "https://us.api.example.com",
        "https://stream.example.com",  # wss is https's twin
        "https://login.example.com",
        "https://refresh.example.com:8443",
        "https://id.example.com",
        "https://auth.example.com",
    }
    places = dict(secret_places(version))
    refresh = places["auth_methods/oauth/flows/authorization_code/refresh_url"]
    assert refresh == "https://refresh.example.com:8443"
    assert places["auth_methods/login/request/url"] == "https://auth.example.com"
    assert places["actions/listItems/servers/0"] == "https://stream.example.com"
    assert origin("HTTP://[::1]:80/x") == "http://[::1]"
    assert origin("https://bücher.example/") == "https://xn--bcher-kva.example"
    with pytest.raises(InputError, match="not an http"):
        origin("ftp://files.example.com/")


def test_a_server_whose_variables_name_too_many_hosts_is_refused(tmp_path: Path) -> None:
    document = _document("https://{a}.{b}.example.com")
    document["servers"][0]["variables"] = {
        "a": {"default": "a0", "enum": [f"a{i}" for i in range(40)]},
        "b": {"default": "b0", "enum": [f"b{i}" for i in range(40)]},
    }
    with pytest.raises(InputError, match=r"servers/0: the server's variables name 1,600 hosts"):
        secret_origins(_version(tmp_path, document))


# -- attacks ------------------------------------------------------------------------------------------


def test_a_server_the_user_did_not_accept_hears_nothing(
    tmp_path: Path, accepted: LoopbackServer, elsewhere: LoopbackServer
) -> None:
    accept(_version(tmp_path, _document(accepted.base_url), "1.0.0"))
    moved = _version(tmp_path, _document(elsewhere.base_url))
    with pytest.raises(UntrustedOrigin) as refused:
        invoke(moved, "listItems", credentials=CREDENTIALS)
    assert str(refused.value) == (
        f"items@2.0.0 (listItems) would send secrets to {elsewhere.base_url}, not accepted for "
        "items: connectory trust items@2.0.0 shows and accepts them"
    )
    assert elsewhere.requests == []
    # the user accepts it: now it goes there
    accept(moved)
    assert invoke(moved, "listItems", credentials=CREDENTIALS).status == 200
    assert elsewhere.requests == ["/items"]


def test_a_server_variable_that_moves_the_host_needs_consent(
    tmp_path: Path, accepted: LoopbackServer, elsewhere: LoopbackServer
) -> None:
    accept(_version(tmp_path, _document(accepted.base_url), "1.0.0"))
    document = _document("http://127.0.0.1:{port}")
    document["servers"][0]["variables"] = {
        "port": {"default": _port(elsewhere), "enum": [_port(accepted), _port(elsewhere)]}
    }
    moved = _version(tmp_path, document)
    assert secret_origins(moved) == {accepted.base_url, elsewhere.base_url}
    with pytest.raises(UntrustedOrigin, match=f"would send secrets to {elsewhere.base_url},"):
        invoke(moved, "listItems", credentials=CREDENTIALS)
    assert elsewhere.requests == []


def test_secrets_never_go_over_plain_http_off_loopback(tmp_path: Path) -> None:
    schemes = {
        "oauth": {
            "type": "oauth2",
            "flows": {
                "clientCredentials": {"tokenUrl": "http://auth.example.test/token", "scopes": {}}
            },
        }
    }
    version = _version(tmp_path, _document("https://api.example.test", schemes))
    secrets = {"oauth": {"client_id": SecretStr("c"), "client_secret": SecretStr(KEY)}}
    accept(version)  # even accepted: plain http is refused
    with pytest.raises(InsecureOrigin) as refused:
        invoke(version, "listItems", credentials=secrets)
    assert str(refused.value) == (
        "items@2.0.0 (listItems): secrets go over https only (or to loopback), not to "
        "http://auth.example.test/token"
    )
    plain = _version(tmp_path, _document("http://api.example.test"))
    with pytest.raises(InsecureOrigin, match=r"not to http://api\.example\.test/items"):
        invoke(
            plain, "listItems", credentials=CREDENTIALS, trusted_origins=["http://api.example.test"]
        )


def test_a_discovery_document_cannot_send_the_client_secret_elsewhere(
    tmp_path: Path, accepted: LoopbackServer, elsewhere: LoopbackServer
) -> None:
    discovery = {"issuer": accepted.base_url, "token_endpoint": elsewhere.url("/token")}
    accepted.routes["/.well-known/openid-configuration"] = Reply(
        200, json.dumps(discovery).encode(), JSON
    )
    schemes = {
        "oidc": {
            "type": "openIdConnect",
            "openIdConnectUrl": accepted.url("/.well-known/openid-configuration"),
        }
    }
    version = _version(tmp_path, _document(accepted.base_url, schemes))
    accept(version)
    secrets = {"oidc": {"client_id": SecretStr("c"), "client_secret": SecretStr(KEY)}}
    with pytest.raises(UntrustedOrigin) as refused:
        invoke(version, "listItems", credentials=secrets)
    assert f"items@2.0.0 (auth method 'oidc') would send secrets to {elsewhere.base_url}," in str(
        refused.value
    )
    assert accepted.requests == ["/.well-known/openid-configuration"]  # read, nothing sent
    assert elsewhere.requests == []


def _login(url: str) -> CustomRequestAuth:
    return CustomRequestAuth(
        name="login",
        request=RequestTemplate(url=url, body={"password": "{password}"}),
        extract=[ExtractRule(name="token", path="/access_token")],
        inject=[InjectRule(parameter="Authorization", template="Token {token}")],
    )


def test_a_login_request_elsewhere_gets_no_password(
    tmp_path: Path, accepted: LoopbackServer, elsewhere: LoopbackServer
) -> None:
    version = _version(tmp_path, _document(accepted.base_url))
    login = {"auth_methods": [_login(elsewhere.url("/login"))], "default_auth": [{"login": []}]}
    version = version.model_copy(update=login)
    SecretsFile.default().accept("items", [accepted.base_url])
    with pytest.raises(UntrustedOrigin, match=f"would send secrets to {elsewhere.base_url},"):
        invoke(version, "listItems", credentials={"login": {"password": SecretStr(KEY)}})
    assert elsewhere.requests == []


def test_secrets_that_pick_the_login_host_add_no_origin(
    tmp_path: Path, accepted: LoopbackServer, elsewhere: LoopbackServer
) -> None:
    version = _version(tmp_path, _document(accepted.base_url))
    login = {"auth_methods": [_login("http://{host}/login")], "default_auth": [{"login": []}]}
    version = version.model_copy(update=login)
    assert secret_origins(version) == {accepted.base_url}  # no fixed origin: none to accept
    accept(version)
    host = SecretStr(elsewhere.base_url.split("//")[1])
    with pytest.raises(UntrustedOrigin) as refused:  # refused as the login request is made
        invoke(
            version, "listItems", credentials={"login": {"password": SecretStr(KEY), "host": host}}
        )
    assert "(auth method 'login') would send secrets to http://***, not accepted" in str(
        refused.value
    )
    assert elsewhere.requests == []


def test_no_secret_follows_a_redirect(
    tmp_path: Path, accepted: LoopbackServer, elsewhere: LoopbackServer
) -> None:
    # the API answers 307 to another origin: even a client that follows redirects does not
    accepted.routes["/items"] = Reply(307, b"", {"Location": elsewhere.url("/items")})
    version = _version(tmp_path, _document(accepted.base_url))
    accept(version)
    with httpx.Client(follow_redirects=True) as client:
        done = invoke(version, "listItems", credentials=CREDENTIALS, client=client)
    assert done.status == 307
    # a login request (a password in its body) answered 307: not followed either, in listen too
    accepted.routes["/login"] = Reply(307, b"", {"Location": elsewhere.url("/login")})
    prices = _prices(tmp_path).model_copy(
        update={"auth_methods": [_login(accepted.url("/login"))], "default_auth": [{"login": []}]}
    )
    accept(prices, accepted.url("/graphql"))
    credentials = {"login": {"password": SecretStr(KEY)}}
    with httpx.Client(follow_redirects=True) as client:
        events = listen(prices, "ticks", server=accepted.url("/graphql"), credentials=credentials, client=client)  # fmt: skip
        with pytest.raises(SourceError, match="the login answer is not JSON"):
            next(events)
    assert elsewhere.requests == []


def test_a_server_given_by_the_caller_needs_consent_too(
    tmp_path: Path, accepted: LoopbackServer, elsewhere: LoopbackServer
) -> None:
    version = _version(tmp_path, _document(accepted.base_url))
    accept(version)
    with pytest.raises(UntrustedOrigin) as refused:
        invoke(version, "listItems", credentials=CREDENTIALS, server=elsewhere.base_url)
    assert str(refused.value).endswith(
        f"connectory trust items@2.0.0 --origin {elsewhere.base_url} shows and accepts them"
    )
    assert elsewhere.requests == []
    # a library caller decides itself: trusted_origins replaces the secrets file's
    done = invoke(
        version,
        "listItems",
        credentials=CREDENTIALS,
        server=elsewhere.base_url,
        trusted_origins=[elsewhere.url("/x")],
    )
    assert done.status == 200
    with pytest.raises(UntrustedOrigin, match="they are not in trusted_origins"):
        invoke(version, "listItems", credentials=CREDENTIALS, trusted_origins=[])


def test_the_live_auth_check_of_a_draft_naming_a_new_host_calls_nothing(
    tmp_path: Path,
    accepted: LoopbackServer,
    elsewhere: LoopbackServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CONNECTORY_CREDENTIALS_ITEMS", json.dumps({"key": {"key": KEY}}))
    published = _version(tmp_path, _document(accepted.base_url), "1.0.0")
    accept(published)  # the vetter accepted the published version's origin
    draft = _version(tmp_path, _document(elsewhere.base_url))
    checked, skipped = live_auth(published, None), live_auth(draft, published)
    assert checked.status == "passed"
    assert skipped.status == "skipped"
    assert skipped.message == (
        f"listItems not called: items@2.0.0 (listItems) would send secrets to "
        f"{elsewhere.base_url}, not accepted for items: connectory trust items@2.0.0 shows and "
        "accepts them"
    )
    assert elsewhere.requests == []
    assert accepted.requests == ["/items"]


@pytest.mark.parametrize("value", [KEY + "\n", KEY + "\r\nX-Evil: 1", "tab\there", KEY + "\x00"])
def test_a_secret_with_a_line_break_is_named_never_shown(
    tmp_path: Path, accepted: LoopbackServer, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    version = _version(tmp_path, _document(accepted.base_url))
    accept(version)
    with pytest.raises(InputError) as refused:
        invoke(version, "listItems", credentials={"key": {"key": SecretStr(value)}})
    assert str(refused.value) == (
        "auth method 'key': the secret 'key' holds a line break or another control character "
        "(a trailing newline?): set it again without it"
    )
    assert accepted.requests == []
    # and the vetting record, kept for ever, does not hold it either
    monkeypatch.setenv("CONNECTORY_CREDENTIALS_ITEMS", json.dumps({"key": {"key": value}}))
    result = live_auth(version, None)
    assert result.status == "failed"
    assert value.strip() not in result.model_dump_json()


def test_a_secret_a_header_cannot_carry_is_an_error_without_it(
    tmp_path: Path, accepted: LoopbackServer
) -> None:
    version = _version(tmp_path, _document(accepted.base_url))
    accept(version)
    cannot = "a secret holds characters that a header cannot carry"
    with pytest.raises(InputError, match=cannot) as refused:
        invoke(version, "listItems", credentials={"key": {"key": SecretStr("clé-secrète")}})
    assert "clé" not in str(refused.value)
    assert accepted.requests == []


def _echo(handler: BaseHTTPRequestHandler) -> Reply:
    """A server that shows what it got: the request's headers, in the body and a header."""
    seen = {k: v for k, v in handler.headers.items() if k.lower() in ("authorization", "x-key")}
    text = json.dumps({"you sent": seen, "key": handler.headers.get("X-Key")})
    return Reply(200, text.encode(), {**JSON, "X-Echo": json.dumps(seen)})


@pytest.mark.parametrize(
    ("schemes", "secrets", "hidden"),
    [
        ({"key": {"type": "apiKey", "in": "header", "name": "X-Key"}}, {"key": KEY}, [KEY]),
        ({"bearer": {"type": "http", "scheme": "bearer"}}, {"token": KEY}, [KEY]),
        (
            {"basic": {"type": "http", "scheme": "basic"}},
            {"username": "ann", "password": KEY},
            ["YW5uOmtleS1uZXZlci1sZWF2ZXMtdGhlLXVzZXI=", KEY],
        ),
        (
            {
                "oauth": {
                    "type": "oauth2",
                    "flows": {"clientCredentials": {"tokenUrl": "TOKEN", "scopes": {}}},
                }
            },
            {"client_id": "c", "client_secret": KEY},
            ["derived-access-token"],
        ),
    ],
    ids=["api key", "bearer", "basic", "oauth access token"],
)
def test_an_answer_that_echoes_a_secret_shows_it_hidden(
    tmp_path: Path, schemes: dict, secrets: dict, hidden: list[str]
) -> None:
    token = Reply(200, b'{"access_token": "derived-access-token"}', JSON)
    with serve({"/items": _echo, "/token": token}) as server:
        schemes = json.loads(json.dumps(schemes).replace("TOKEN", server.url("/token")))
        version = _version(tmp_path, _document(server.base_url, schemes))
        accept(version)
        (name,) = schemes
        credentials = {name: {k: SecretStr(v) for k, v in secrets.items()}}
        done = invoke(version, "listItems", credentials=credentials)
    shown = json.dumps([done.body, done.headers, done.problems, repr(done)])
    for value in hidden:
        assert value not in shown
    as_it_came = json.dumps(done.unredacted_body()) + json.dumps(done.unredacted_headers())
    assert hidden[0] in as_it_came
    assert "***" in json.dumps(done.body["you sent"])


def test_a_login_s_extracted_value_echoed_is_hidden(tmp_path: Path) -> None:
    login = Reply(200, b'{"access_token": "login-derived-value"}', JSON)
    with serve({"/items": _echo, "/login": login}) as server:
        version = _version(tmp_path, _document(server.base_url))
        version = version.model_copy(
            update={"auth_methods": [_login(server.url("/login"))], "default_auth": [{"login": []}]}
        )
        accept(version)
        done = invoke(version, "listItems", credentials={"login": {"password": SecretStr(KEY)}})
    assert done.body["you sent"] == {"Authorization": "***"}
    assert "login-derived-value" not in repr(done)


def test_accepted_origins_are_kept_beside_the_secrets(tmp_path: Path) -> None:
    secrets_file = SecretsFile(tmp_path / "credentials.json")
    secrets_file.save("items", "key", {"key": SecretStr(KEY)})
    secrets_file.accept("items", ["https://api.example.com", "http://127.0.0.1:8080"])
    assert secrets_file.credentials("items") == {"key": {"key": SecretStr(KEY)}}
    assert secrets_file.accepted_origins("items") == {
        "https://api.example.com",
        "http://127.0.0.1:8080",
    }
    assert secrets_file.revoke("items", ["https://api.example.com", "https://other"]) == {
        "https://api.example.com"
    }
    secrets_file.save("items", "key", {"key": None})
    assert json.loads(secrets_file.path.read_text()) == {
        "items": {"$accepted_origins": ["http://127.0.0.1:8080"]}
    }
    with pytest.raises(InputError, match="not an auth method's name"):
        secrets_file.save("items", "$accepted_origins", {"x": SecretStr("y")})
    secrets_file.path.write_text('{"items": {"$accepted_origins": "https://everything"}}')
    with pytest.raises(InputError, match=r"\$accepted_origins must be a list of origins"):
        secrets_file.accepted_origins("items")


def _oidc(tmp_path: Path, accepted: LoopbackServer, elsewhere: LoopbackServer) -> ConnectorVersion:
    """A version whose OpenID Connect provider (on ``accepted``) names endpoints elsewhere."""
    discovery = {
        "issuer": accepted.base_url,
        "authorization_endpoint": elsewhere.url("/authorize"),
        "token_endpoint": elsewhere.url("/token"),
    }
    document = json.dumps(discovery).encode()
    accepted.routes["/.well-known/openid-configuration"] = Reply(200, document, JSON)
    url = accepted.url("/.well-known/openid-configuration")
    schemes = {"oidc": {"type": "openIdConnect", "openIdConnectUrl": url}}
    return _version(tmp_path, _document(accepted.base_url, schemes))


def test_signing_in_goes_nowhere_the_user_did_not_accept(
    tmp_path: Path, accepted: LoopbackServer, elsewhere: LoopbackServer
) -> None:
    version = _oidc(tmp_path, accepted, elsewhere)
    accept(version)
    (method,) = version.auth_methods
    shown: list[str] = []
    secrets = {"client_id": SecretStr("c"), "client_secret": SecretStr(KEY)}
    with pytest.raises(UntrustedOrigin) as refused:
        login(method, secrets, show=shown.append, policy=SecretPolicy.of(version), timeout=1)  # type: ignore[arg-type]
    assert "its discovery document names them) would send secrets to" in str(refused.value)
    assert shown == []  # the person was not sent there either
    assert elsewhere.requests == []


def test_trust_reads_what_a_discovery_document_names(
    tmp_path: Path, accepted: LoopbackServer, elsewhere: LoopbackServer
) -> None:
    version = _oidc(tmp_path, accepted, elsewhere)
    with httpx.Client() as client:
        places, problems = discovered_places(version, client)
    where = "auth_methods/oidc/discovery_url"
    assert places == [
        (f"{where}/authorization_endpoint", elsewhere.base_url),
        (f"{where}/token_endpoint", elsewhere.base_url),
    ]
    assert problems == []
    plain = {"oidc": {"type": "openIdConnect", "openIdConnectUrl": "http://id.example.test/d"}}
    with httpx.Client() as client:
        _, problems = discovered_places(_version(tmp_path, _document("https://x", plain)), client)
    assert problems == ["http://id.example.test/d: plain http, not read"]

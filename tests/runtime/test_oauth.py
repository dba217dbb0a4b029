"""OAuth 2 against a real authorization server on loopback: signing in, grants, renewal."""

from __future__ import annotations

import base64
import json
import threading
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from connectory import inspect
from connectory.errors import InputError, SourceError
from connectory.model.auth import OAuth2Auth
from connectory.model.version import ConnectorVersion
from connectory.runtime import (
    SecretPolicy,
    SecretsFile,
    Token,
    credentials_for,
    invoke,
    login,
    token_keeper,
)
from connectory.runtime.oauth import token_secrets
from connectory.settings import Settings
from tests.support.consent import accept
from tests.support.oauth_server import (
    CLIENT_ID,
    CLIENT_SECRET,
    PASSWORD,
    PUBLIC_CLIENT,
    USER,
    OAuthServer,
    items_document,
    serve_oauth,
)
from tests.support.servers import Reply, serve


def _version(tmp_path: Path, server: OAuthServer) -> ConnectorVersion:
    """The server's API as a version, its origins accepted by the user."""
    path = tmp_path / "items.json"
    path.write_text(json.dumps(items_document(server.base_url)))
    version = inspect(path, connector="items")
    accept(version)
    return version


def _method(version: ConnectorVersion) -> OAuth2Auth:
    (method,) = version.auth_methods
    assert isinstance(method, OAuth2Auth)
    return method


def _signing_in(tmp_path: Path, server: OAuthServer) -> tuple[OAuth2Auth, SecretPolicy]:
    """The server's OAuth 2 method, and the policy of its accepted origins."""
    version = _version(tmp_path, server)
    return _method(version), SecretPolicy.of(version)


def _secrets(**values: str) -> dict[str, SecretStr]:
    return {name: SecretStr(value) for name, value in values.items()}


def _browser(follow: bool = True) -> tuple[list[str], Any]:
    """A person at a browser: opens the address and follows the redirects (in a thread, as a
    browser is another program)."""
    opened: list[str] = []

    def show(url: str) -> None:
        opened.append(url)
        if follow:
            threading.Thread(
                target=httpx.get, args=(url,), kwargs={"follow_redirects": True}
            ).start()

    return opened, show


CONFIDENTIAL = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}


# -- signing in ------------------------------------------------------------------------------------


def test_signing_in_with_a_browser_gets_tokens_with_pkce(tmp_path: Path) -> None:
    with serve_oauth() as server:
        method, policy = _signing_in(tmp_path, server)
        opened, show = _browser()
        token = login(method, _secrets(**CONFIDENTIAL), show=show, policy=policy, timeout=10)
        (exchange,) = server.token_requests
    query = httpx.URL(opened[0]).params
    assert query["code_challenge_method"] == "S256"
    assert query["redirect_uri"].startswith("http://127.0.0.1:")
    assert query["scope"] == "items:read items:write"  # every scope of the flow
    assert exchange["form"]["grant_type"] == "authorization_code"
    assert (
        len(exchange["form"]["code_verifier"]) >= 43
    )  # the server checked it against the challenge
    assert "client_secret" not in exchange["form"]  # sent by HTTP Basic
    assert token.access_token.get_secret_value() in server.access_tokens
    assert token.refresh_token is not None
    assert token.expires_at is not None
    assert token.expires_at > time.time() + 3000


def test_a_public_client_signs_in_with_its_id_alone(tmp_path: Path) -> None:
    with serve_oauth() as server:
        method, policy = _signing_in(tmp_path, server)
        _, show = _browser()
        token = login(method, _secrets(client_id=PUBLIC_CLIENT), show=show, policy=policy, scopes=["items:read"], timeout=10)  # fmt: skip
        (exchange,) = server.token_requests
    assert "Authorization" not in exchange["headers"]
    assert exchange["form"]["client_id"] == PUBLIC_CLIENT
    assert server.refresh_tokens[token.refresh_token.get_secret_value()] == "items:read"  # type: ignore[union-attr]


def test_a_refused_sign_in_says_why(tmp_path: Path) -> None:
    with serve_oauth(deny=True) as server:
        method, policy = _signing_in(tmp_path, server)
        _, show = _browser()
        with pytest.raises(SourceError, match=r"refused \(access_denied: the user said no\)"):
            login(method, _secrets(**CONFIDENTIAL), show=show, policy=policy, timeout=10)
        assert server.token_requests == []


def test_a_redirect_with_another_state_is_not_taken_for_the_answer(tmp_path: Path) -> None:
    with serve_oauth() as server:
        method, policy = _signing_in(tmp_path, server)
        seen: list[int] = []

        def show(url: str) -> None:
            redirect_uri = httpx.URL(url).params["redirect_uri"]
            forged = httpx.get(redirect_uri, params={"code": "forged", "state": "not-it"})
            seen.append(forged.status_code)
            threading.Thread(
                target=httpx.get, args=(url,), kwargs={"follow_redirects": True}
            ).start()

        token = login(method, _secrets(**CONFIDENTIAL), show=show, policy=policy, timeout=10)
        assert [r["form"]["code"] for r in server.token_requests] != ["forged"]
    assert seen == [400]
    assert token.access_token.get_secret_value()


def test_signing_in_with_openid_connect_and_renewing_through_discovery(tmp_path: Path) -> None:
    with serve_oauth() as server:
        document = items_document(server.base_url)
        discovery = server.url("/.well-known/openid-configuration")
        document["components"]["securitySchemes"] = {"oidc": {"type": "openIdConnect", "openIdConnectUrl": discovery}}  # fmt: skip
        document["security"] = [{"oidc": ["items:read"]}]
        (tmp_path / "oidc.json").write_text(json.dumps(document))
        version = inspect(tmp_path / "oidc.json", connector="items")
        accept(version)
        policy = SecretPolicy.of(version)
        (method,) = version.auth_methods
        opened, show = _browser()
        token = login(method, _secrets(**CONFIDENTIAL), show=show, policy=policy, scopes=["items:read"], timeout=10)  # type: ignore[arg-type]  # fmt: skip
        server.expire_all()
        secrets = {**_secrets(**CONFIDENTIAL), **{k: v for k, v in token_secrets(token).items() if v}}  # fmt: skip
        done = invoke(version, "listItems", credentials={"oidc": secrets}, server=server.base_url)
        grants = [r["form"]["grant_type"] for r in server.token_requests]
    assert httpx.URL(opened[0]).params["scope"] == "openid items:read"
    assert grants == ["authorization_code", "refresh_token"]
    assert done.status == 200


def test_a_redirect_without_a_code_is_an_error(tmp_path: Path) -> None:
    with serve_oauth() as server:
        method, policy = _signing_in(tmp_path, server)

        def show(url: str) -> None:  # a provider that redirects back with the state alone
            params = httpx.URL(url).params
            back = httpx.URL(params["redirect_uri"]).copy_merge_params({"state": params["state"]})
            threading.Thread(target=httpx.get, args=(back,)).start()

        with pytest.raises(SourceError, match="brought no authorization code"):
            login(method, _secrets(**CONFIDENTIAL), show=show, policy=policy, timeout=10)
        assert server.token_requests == []


def test_nobody_signing_in_ends_in_time(tmp_path: Path) -> None:
    with serve_oauth() as server:
        method, policy = _signing_in(tmp_path, server)
        opened, show = _browser(follow=False)
        with pytest.raises(SourceError, match=r"nobody signed in within 0\.5 s"):
            login(method, _secrets(**CONFIDENTIAL), show=show, policy=policy, timeout=0.5)
    # the listener is gone: the redirect URI no longer answers
    with pytest.raises(httpx.ConnectError):
        httpx.get(httpx.URL(opened[0]).params["redirect_uri"])


def test_signing_in_needs_a_client_id_and_a_flow(tmp_path: Path) -> None:
    with serve_oauth() as server:
        method, policy = _signing_in(tmp_path, server)
    with pytest.raises(InputError, match="needs the secret 'client_id'"):
        login(method, {}, show=lambda url: None, policy=policy)
    without = method.model_copy(update={"flows": [f for f in method.flows if f.grant != "authorization_code"]})  # fmt: skip
    with pytest.raises(InputError, match="no authorization code flow"):
        login(without, _secrets(**CONFIDENTIAL), show=lambda url: None, policy=policy)


# -- grants and renewal when invoking ---------------------------------------------------------------


def test_an_expired_token_is_renewed_with_the_refresh_token_and_kept(tmp_path: Path) -> None:
    secrets_file = SecretsFile(tmp_path / "secrets.json")
    with serve_oauth() as server:
        version = _version(tmp_path, server)
        _, show = _browser()
        policy = SecretPolicy.of(version)
        first = login(
            _method(version), _secrets(**CONFIDENTIAL), show=show, policy=policy, timeout=10
        )
        stale = {**CONFIDENTIAL, "token": first.access_token.get_secret_value(), "expires_at": str(int(time.time()) - 5), "refresh_token": first.refresh_token.get_secret_value()}  # type: ignore[union-attr]  # fmt: skip
        secrets_file.save("items", "oauth", _secrets(**stale))
        environ: dict[str, str] = {}
        credentials = credentials_for("items", environ, secrets_file)
        keeper = token_keeper("items", environ, secrets_file)
        done = invoke(version, "listItems", credentials=credentials, server=server.base_url, on_token=keeper)  # fmt: skip
        renewal = server.token_requests[-1]["form"]
        kept = secrets_file.credentials("items")["oauth"]
        live = set(server.refresh_tokens)
    assert done.status == 200
    assert renewal["grant_type"] == "refresh_token"
    # the server rotated the refresh token: the new one is in the file, the old one is dead
    assert kept["refresh_token"].get_secret_value() in live
    assert stale["refresh_token"] not in live
    assert kept["token"].get_secret_value() != stale["token"]
    assert float(kept["expires_at"].get_secret_value()) > time.time() + 3000
    assert kept["client_secret"].get_secret_value() == CLIENT_SECRET  # the rest stays
    # the old refresh token, given again, is refused: the error says what to do
    with serve_oauth() as other:
        version = _version(tmp_path, other)
        with pytest.raises(SourceError, match=r"invalid_grant.*refresh token was refused; sign in again"):  # fmt: skip
            invoke(version, "listItems", credentials={"oauth": _secrets(**stale)}, server=other.base_url)  # fmt: skip


def test_the_password_grant_gets_a_token_and_a_fresh_token_refused_is_not_retried(
    tmp_path: Path,
) -> None:
    with serve_oauth() as server:
        version = _version(tmp_path, server)
        credentials = {"oauth": _secrets(**CONFIDENTIAL, username=USER, password=PASSWORD)}
        kept: list[tuple[str, Token]] = []
        first = invoke(version, "listItems", credentials=credentials, server=server.base_url, on_token=lambda m, t: kept.append((m, t)))  # fmt: skip
        server.refuse_api = True
        refused = invoke(version, "listItems", credentials=credentials, server=server.base_url)
        grants = [r["form"] for r in server.token_requests]
        sent = server.api_requests
    assert (first.status, refused.status) == (200, 401)
    assert [g["grant_type"] for g in grants] == ["password", "password"]  # one per invoke
    assert (grants[0]["username"], grants[0]["scope"]) == (USER, "items:read")
    assert len(sent) == 2  # the 401 to a token just got is the answer: no loop
    assert [m for m, _ in kept] == ["oauth"]  # it came with a refresh token: worth keeping


def test_a_401_to_a_kept_token_renews_it_and_resends_the_body(tmp_path: Path) -> None:
    with serve_oauth() as server:
        version = _version(tmp_path, server)
        grant = server.token(
            {
                "Authorization": "Basic "
                + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
            },
            {"grant_type": "password", "username": USER, "password": PASSWORD},
        )[1]
        server.token_requests.clear()
        server.expire_all()
        secrets = _secrets(**CONFIDENTIAL, token=grant["access_token"], refresh_token=grant["refresh_token"])  # fmt: skip
        done = invoke(version, "addItem", {"body": {"id": "3", "name": "three"}}, credentials={"oauth": secrets}, server=server.base_url)  # fmt: skip
        sent = server.api_requests
        grants = [r["form"]["grant_type"] for r in server.token_requests]
    assert done.status == 200
    assert grants == ["refresh_token"]
    assert [r["method"] for r in sent] == ["POST", "POST"]
    assert sent[0]["token"] == grant["access_token"] != sent[1]["token"]
    assert json.loads(sent[1]["body"]) == {"id": "3", "name": "three"}


def test_client_credentials_and_a_refused_grant(tmp_path: Path) -> None:
    with serve_oauth() as server:
        version = _version(tmp_path, server)
        done = invoke(version, "listItems", credentials={"oauth": _secrets(**CONFIDENTIAL)}, server=server.base_url)  # fmt: skip
        assert done.status == 200
        assert server.token_requests[0]["form"] == {"grant_type": "client_credentials", "scope": "items:read"}  # fmt: skip
        wrong = _secrets(**CONFIDENTIAL, username=USER, password="wrong")
        with pytest.raises(SourceError, match=r"HTTP 400 \(invalid_grant\) without an access_token") as caught:  # fmt: skip
            invoke(version, "listItems", credentials={"oauth": wrong}, server=server.base_url)
    assert CLIENT_SECRET not in str(caught.value)
    assert "wrong" not in str(caught.value)


def test_an_expired_token_without_a_way_to_renew_it_is_sent_as_it_is(tmp_path: Path) -> None:
    with serve_oauth() as server:
        version = _version(tmp_path, server)
        done = invoke(version, "listItems", credentials={"oauth": _secrets(token="given", expires_at="1")}, server=server.base_url)  # fmt: skip
        assert server.api_requests[0]["token"] == "given"
    assert done.status == 401
    with pytest.raises(InputError, match="needs secrets for a grant it has"):
        invoke(version, "listItems", credentials={"oauth": _secrets(client_id=CLIENT_ID)}, server=server.base_url)  # fmt: skip


def test_a_huge_token_answer_is_refused(tmp_path: Path) -> None:
    huge = b'{"access_token": "' + b"x" * 2_000_000 + b'"}'
    answer = Reply(body=huge, headers={"Content-Type": "application/json"}, declare_length=False)

    def token(handler: BaseHTTPRequestHandler) -> Reply:
        handler.rfile.read(int(handler.headers["Content-Length"]))  # else the close is a reset
        return answer

    with serve({"/token": token}) as tokens, serve_oauth() as server:
        document = items_document(server.base_url)
        flows = document["components"]["securitySchemes"]["oauth"]["flows"]
        flows["clientCredentials"]["tokenUrl"] = tokens.url("/token")
        path = tmp_path / "items.json"
        path.write_text(json.dumps(document))
        version = inspect(path, connector="items")
        accept(version, server.base_url)
        credentials = {"oauth": _secrets(**CONFIDENTIAL)}
        with pytest.raises(SourceError, match="the token answer is larger than 1,048,576 bytes"):
            invoke(version, "listItems", credentials=credentials, server=server.base_url)
        assert server.api_requests == []


# -- the secrets file -----------------------------------------------------------------------------


def test_the_secrets_file_is_refused_when_others_may_read_it(tmp_path: Path) -> None:
    path = tmp_path / "credentials.json"
    secrets_file = SecretsFile(path)
    secrets_file.save("items", "oauth", _secrets(client_id="x", client_secret="hidden-value"))
    assert path.stat().st_mode & 0o777 == 0o600
    assert secrets_file.credentials("items")["oauth"]["client_id"].get_secret_value() == "x"
    path.chmod(0o644)
    with pytest.raises(InputError, match=r"may be read by others.*chmod 600") as caught:
        secrets_file.credentials("items")
    assert "hidden-value" not in str(caught.value)


def test_the_file_and_the_environment_are_merged_secret_by_secret(tmp_path: Path) -> None:
    secrets_file = SecretsFile(tmp_path / "nested" / "credentials.json")
    secrets_file.save("items", "oauth", _secrets(client_id="from-file", token="t"))
    secrets_file.save("items", "key", _secrets(key="file-key"))
    secrets_file.save("other", "key", _secrets(key="other"))
    secrets_file.save("items", "key", {"key": None, "extra": SecretStr("e")})
    given = {"oauth": {"client_id": "from-env"}, "basic": {"username": "u"}}
    environ = {"CONNECTORY_CREDENTIALS_ITEMS": json.dumps(given)}
    found = credentials_for("items", environ, secrets_file)
    assert {m: {k: v.get_secret_value() for k, v in s.items()} for m, s in found.items()} == {
        "oauth": {"client_id": "from-env", "token": "t"},
        "key": {"extra": "e"},
        "basic": {"username": "u"},
    }
    assert (tmp_path / "nested").stat().st_mode & 0o777 == 0o700
    assert (
        SecretsFile.default({"CONNECTORY_SECRETS_FILE": "~/x.json"}).path == Path.home() / "x.json"
    )
    assert SecretsFile.default({"XDG_CONFIG_HOME": "/cfg"}).path == Path("/cfg/connectory/credentials.json")  # fmt: skip
    # renewed tokens are kept in the file, unless the environment's refresh token would hide them
    token_keeper("items", environ, secrets_file)("oauth", Token(SecretStr("renewed")))
    assert secrets_file.credentials("items")["oauth"]["token"].get_secret_value() == "renewed"
    environ = {"CONNECTORY_CREDENTIALS_ITEMS": json.dumps({"oauth": {"refresh_token": "r"}})}
    token_keeper("items", environ, secrets_file)("oauth", Token(SecretStr("not kept")))
    assert secrets_file.credentials("items")["oauth"]["token"].get_secret_value() == "renewed"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "is not JSON"),
        (b"[1, 2]", "must hold a JSON object of connectors"),
        (
            b'{"items": {"oauth": {"client_id": 7}}}',
            "'oauth' must map secret names to string values",
        ),
        (b'{"items": []}', "must be a JSON object of auth method names"),
    ],
)
def test_a_malformed_secrets_file_is_a_clear_error(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "credentials.json"
    path.write_bytes(content)
    path.chmod(0o600)
    with pytest.raises(InputError, match=message) as caught:
        SecretsFile(path).credentials("items")
    assert str(path) in str(caught.value)


def test_the_api_answer_stays_under_invoke_s_cap_behind_a_token(tmp_path: Path) -> None:
    # auth flows read their token answers themselves: httpx does not read the API's answer whole
    # before invoke reads it under its cap (it did when an auth flow asked for every body)
    big = Reply(body=b"x" * 64_000_000, declare_length=False)
    with serve({"/api/items": big}) as api, serve_oauth() as server:
        version = _version(tmp_path, server)
        accept(version, api.base_url)
        credentials = {"oauth": _secrets(**CONFIDENTIAL)}
        small = Settings(max_document_bytes=1000)
        with pytest.raises(SourceError, match="the answer is larger than 1,000 bytes"):
            invoke(version, "listItems", credentials=credentials, server=api.base_url, settings=small)  # fmt: skip
        for _ in range(100):  # the server finds out that the client hung up
            if big.sent:
                break
            time.sleep(0.05)
    assert big.sent == [False]

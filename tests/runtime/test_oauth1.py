"""OAuth 1.0a against a real provider on loopback (oauthlib's server side verifies every
signature): signed calls, the three-legged sign-in, refusals."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from connectory import inspect
from connectory.errors import InputError, InsecureOrigin, SourceError
from connectory.model.auth import OAuth1Auth
from connectory.model.hosts import method_urls
from connectory.model.version import ConnectorVersion
from connectory.runtime import SecretPolicy, invoke
from connectory.runtime.oauth1 import OAuth1Signer, oauth1_auth
from connectory.runtime.signin import login_oauth1
from tests.support.consent import accept
from tests.support.oauth1_server import (
    CONSUMER_KEY,
    CONSUMER_SECRET,
    PRIVATE_KEY,
    RSA_CONSUMER_KEY,
    OAuth1Server,
    items_document,
    serve_oauth1,
)


def _method(server: OAuth1Server | None = None, **fields: Any) -> OAuth1Auth:
    urls = (
        {
            "request_token_url": server.url("/oauth/request_token"),
            "authorization_url": server.url("/oauth/authorize"),
            "access_token_url": server.url("/oauth/access_token"),
        }
        if server is not None
        else {}
    )
    return OAuth1Auth(name="oauth1", **{**urls, **fields})


def _version(tmp_path: Path, server: OAuth1Server, **fields: Any) -> ConnectorVersion:
    """The provider's API as a version with an oauth1 method, its origins accepted."""
    path = tmp_path / "items.json"
    path.write_text(json.dumps(items_document(server.base_url)))
    version = inspect(path, connector="items").model_copy(
        update={"auth_methods": [_method(server, **fields)], "default_auth": [{"oauth1": []}]}
    )
    accept(version)
    return version


def _secrets(**values: str) -> dict[str, SecretStr]:
    return {name: SecretStr(value) for name, value in values.items()}


def _signed_in(server: OAuth1Server, **more: str) -> dict[str, SecretStr]:
    token, secret = server.issue(more.pop("consumer_key", CONSUMER_KEY))
    base = {"consumer_key": CONSUMER_KEY, "consumer_secret": CONSUMER_SECRET}
    return _secrets(**{**base, "token": token, "token_secret": secret, **more})


def _shown(result: Any) -> str:
    return repr(result) + json.dumps(getattr(result, "body", None))


# -- signed calls ----------------------------------------------------------------------------------


@pytest.mark.parametrize("signature", ["HMAC-SHA1", "HMAC-SHA256", "PLAINTEXT"])
def test_a_call_signed_with_the_consumer_and_token_secrets_is_accepted(
    tmp_path: Path, signature: str
) -> None:
    with serve_oauth1() as server:
        version = _version(tmp_path, server, signature_method=signature)
        secrets = _signed_in(server)
        done = invoke(version, "listItems", {"query": {"q": "a b"}}, credentials={"oauth1": secrets})  # fmt: skip
    assert done.status == 200, done.body
    assert done.body == {"id": "1", "name": "one"}
    (seen,) = server.api_requests
    assert (seen["valid"], seen["method"], seen["placement"]) == (True, signature, "header")
    assert seen["authorization"].startswith("OAuth ")
    for value in ("consumer_secret", "token_secret"):
        assert secrets[value].get_secret_value() not in _shown(done)


def test_rsa_sha1_is_verified_with_the_consumer_s_public_key(tmp_path: Path) -> None:
    with serve_oauth1() as server:
        version = _version(tmp_path, server, signature_method="RSA-SHA1")
        token, secret = server.issue(RSA_CONSUMER_KEY)
        secrets = _secrets(consumer_key=RSA_CONSUMER_KEY, private_key=PRIVATE_KEY, token=token, token_secret=secret)  # fmt: skip
        done = invoke(version, "listItems", {}, credentials={"oauth1": secrets})
        other = _secrets(consumer_key=RSA_CONSUMER_KEY, private_key=_other_key(), token=token, token_secret=secret)  # fmt: skip
        refused = invoke(version, "listItems", {}, credentials={"oauth1": other})
    assert done.status == 200
    assert refused.status == 401  # signed with another key: the public key does not verify it
    assert [r["valid"] for r in server.api_requests] == [True, False]
    assert server.api_requests[0]["method"] == "RSA-SHA1"
    assert "PRIVATE KEY" not in _shown(done) + _shown(refused)


def _other_key() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()


def test_a_wrong_secret_is_refused_with_401_and_shown_nowhere(tmp_path: Path) -> None:
    with serve_oauth1() as server:
        version = _version(tmp_path, server)
        secrets = _signed_in(server, consumer_secret="a-wrong-consumer-secret")
        done = invoke(version, "listItems", {}, credentials={"oauth1": secrets})
        wrong_token = _signed_in(server, token_secret="a-wrong-token-secret")
        also = invoke(version, "listItems", {}, credentials={"oauth1": wrong_token})
    assert (done.status, also.status) == (401, 401)
    assert done.body == {"message": "invalid signature"}
    assert [r["valid"] for r in server.api_requests] == [False, False]
    assert "a-wrong-consumer-secret" not in _shown(done)
    assert "a-wrong-token-secret" not in _shown(also)


@pytest.mark.parametrize("placement", ["query", "body"])
def test_the_parameters_go_in_the_query_or_a_form_body(tmp_path: Path, placement: str) -> None:
    with serve_oauth1() as server:
        version = _version(tmp_path, server, placement=placement)
        secrets = _signed_in(server)
        done = invoke(version, "addItem", {"body": {"id": "7", "name": "seven"}}, credentials={"oauth1": secrets})  # fmt: skip
    assert done.status == 200, done.body
    (seen,) = server.api_requests
    assert (seen["valid"], seen["placement"]) == (True, placement)
    assert "id=7" in seen["body"]  # the form itself, signed with the rest
    assert secrets["token_secret"].get_secret_value() not in _shown(done)


def test_a_form_body_is_signed_with_header_placement_too(tmp_path: Path) -> None:
    with serve_oauth1() as server:
        version = _version(tmp_path, server)
        secrets = _signed_in(server)
        done = invoke(version, "addItem", {"body": {"id": "7"}}, credentials={"oauth1": secrets})
    assert done.status == 200
    assert server.api_requests[0]["valid"] is True


def test_body_placement_refuses_a_request_without_a_form(tmp_path: Path) -> None:
    with serve_oauth1() as server:
        version = _version(tmp_path, server, placement="body")
        with pytest.raises(InputError, match=r"placement 'body'.*GET request"):
            invoke(version, "listItems", {}, credentials={"oauth1": _signed_in(server)})
    assert server.api_requests == []


def test_the_consumer_alone_signs_two_legged_requests(tmp_path: Path) -> None:
    with serve_oauth1() as server:
        version = _version(tmp_path, server)
        secrets = _secrets(consumer_key=CONSUMER_KEY, consumer_secret=CONSUMER_SECRET)
        done = invoke(version, "listPublic", {}, credentials={"oauth1": secrets})
        protected = invoke(version, "listItems", {}, credentials={"oauth1": secrets})
    assert done.status == 200
    assert protected.status == 401  # a protected resource wants an access token
    assert "oauth_token=" not in server.api_requests[0]["authorization"]


def test_plaintext_over_http_off_loopback_is_refused_before_anything_is_sent() -> None:
    method = _method(signature_method="PLAINTEXT")
    signer = oauth1_auth(method, _secrets(consumer_key=CONSUMER_KEY, consumer_secret="pl41n"))
    with pytest.raises(InsecureOrigin, match="PLAINTEXT sends the secrets") as caught:
        signer.sign(httpx.Request("GET", "http://api.example.com/items?q=1"))
    assert "pl41n" not in str(caught.value)
    assert "q=1" not in str(caught.value)
    signed = signer.sign(httpx.Request("GET", "https://api.example.com/items"))
    assert 'oauth_signature="pl41n%26"' in signed.headers["Authorization"]


def test_plaintext_over_http_is_refused_by_invoke_too(tmp_path: Path) -> None:
    with serve_oauth1() as server:
        version = _version(tmp_path, server, signature_method="PLAINTEXT")
        secrets = _signed_in(server)
        with pytest.raises(InsecureOrigin, match="secrets go over https only"):
            invoke(
                version,
                "listItems",
                {},
                credentials={"oauth1": secrets},
                server="http://api.example.com",
                trusted_origins=["http://api.example.com", server.base_url],
            )
    assert server.api_requests == []


def test_missing_or_wrong_secrets_are_clear_errors() -> None:
    method = _method()
    with pytest.raises(InputError, match=r"'oauth1' \(oauth1\) needs the secret 'consumer_secret'"):
        oauth1_auth(method, _secrets(consumer_key=CONSUMER_KEY))
    with pytest.raises(InputError, match="needs the secret 'private_key'"):
        oauth1_auth(_method(signature_method="RSA-SHA1"), _secrets(consumer_key=CONSUMER_KEY))
    with pytest.raises(InputError, match="'private_key' is not an unencrypted RSA private key"):
        oauth1_auth(
            _method(signature_method="RSA-SHA1"),
            _secrets(consumer_key=CONSUMER_KEY, private_key="not-a-key-s3cret"),
        )
    with pytest.raises(InputError, match="'token' goes with 'token_secret'"):
        oauth1_auth(method, _secrets(consumer_key="k", consumer_secret="s", token="t0ken"))


def test_the_method_s_urls_are_places_secrets_go() -> None:
    method = OAuth1Auth(
        name="o",
        request_token_url="https://a.example/rt",
        authorization_url="https://b.example/auth",
        access_token_url="https://a.example/at",
    )
    assert method_urls(method) == [
        ("request_token_url", "https://a.example/rt"),
        ("authorization_url", "https://b.example/auth"),
        ("access_token_url", "https://a.example/at"),
    ]


def test_an_untrusted_token_endpoint_is_refused_before_anything_is_sent(tmp_path: Path) -> None:
    with serve_oauth1() as server:
        version = _version(tmp_path, server)
        moved = _method(server, access_token_url="https://tokens.example/at")
        elsewhere = version.model_copy(update={"auth_methods": [moved]})
        secrets = _signed_in(server)
        with pytest.raises(InputError, match=r"would send secrets to https://tokens\.example"):
            invoke(elsewhere, "listItems", {}, credentials={"oauth1": secrets})
    assert server.api_requests == []


# -- the three-legged sign-in -----------------------------------------------------------------------


def _browser() -> tuple[list[str], Any]:
    """A person at a browser: opens the address and follows the redirects (in a thread)."""
    opened: list[str] = []

    def show(url: str) -> None:
        opened.append(url)
        threading.Thread(target=httpx.get, args=(url,), kwargs={"follow_redirects": True}).start()

    return opened, show


CONSUMER = {"consumer_key": CONSUMER_KEY, "consumer_secret": CONSUMER_SECRET}


def test_signing_in_three_legged_gets_an_access_token_that_signs_calls(tmp_path: Path) -> None:
    with serve_oauth1() as server:
        version = _version(tmp_path, server)
        (method,) = version.auth_methods
        assert isinstance(method, OAuth1Auth)
        opened, show = _browser()
        token = login_oauth1(method, _secrets(**CONSUMER), show=show, policy=SecretPolicy.of(version), timeout=10)  # fmt: skip
        kept = {k: v.get_secret_value() for k, v in token.secrets().items() if v is not None}
        done = invoke(version, "listItems", {}, credentials={"oauth1": _secrets(**CONSUMER, **kept)})  # fmt: skip
        statuses = [(r["path"], r["status"]) for r in server.token_requests]
    assert statuses == [("/oauth/request_token", 200), ("/oauth/access_token", 200)]
    assert httpx.URL(opened[0]).path == "/oauth/authorize"
    assert set(kept) == {"token", "token_secret"}
    assert kept["token"] in server.validator.access_tokens
    assert server.validator.request_tokens == {}  # used once, then gone
    assert done.status == 200
    assert CONSUMER_SECRET not in opened[0]


def test_a_refused_three_legged_sign_in_says_so(tmp_path: Path) -> None:
    with serve_oauth1(deny=True) as server:
        version = _version(tmp_path, server)
        (method,) = version.auth_methods
        assert isinstance(method, OAuth1Auth)
        _, show = _browser()
        with pytest.raises(SourceError, match=r"the sign-in was refused \(access_denied\)"):
            login_oauth1(method, _secrets(**CONSUMER), show=show, policy=SecretPolicy.of(version), timeout=10)  # fmt: skip
    assert server.validator.access_tokens == {}


def test_a_wrong_consumer_secret_is_refused_at_the_request_token_endpoint(tmp_path: Path) -> None:
    with serve_oauth1() as server:
        version = _version(tmp_path, server)
        (method,) = version.auth_methods
        assert isinstance(method, OAuth1Auth)
        opened, show = _browser()
        secrets = _secrets(consumer_key=CONSUMER_KEY, consumer_secret="wrong-consumer-s3cret")
        with pytest.raises(SourceError, match="request token endpoint answered HTTP 401") as caught:
            login_oauth1(method, secrets, show=show, policy=SecretPolicy.of(version), timeout=10)
    assert opened == []  # nobody was sent to sign in
    assert "wrong-consumer-s3cret" not in str(caught.value)


def test_a_redirect_for_another_request_token_is_not_taken_for_the_answer(tmp_path: Path) -> None:
    with serve_oauth1() as server:
        version = _version(tmp_path, server)
        (method,) = version.auth_methods
        assert isinstance(method, OAuth1Auth)
        seen: list[int] = []

        def show(url: str) -> None:
            token = httpx.URL(url).params["oauth_token"]
            callback = server.validator.request_tokens[token]["redirect_uri"]
            forged = {"oauth_token": "not-it", "oauth_verifier": "forged"}
            seen.append(httpx.get(callback, params=forged).status_code)
            threading.Thread(target=httpx.get, args=(url,), kwargs={"follow_redirects": True}).start()  # fmt: skip

        token = login_oauth1(method, _secrets(**CONSUMER), show=show, policy=SecretPolicy.of(version), timeout=10)  # fmt: skip
    assert seen == [400]
    assert token.token.get_secret_value() in server.validator.access_tokens


def test_a_provider_that_does_not_confirm_the_callback_is_refused(tmp_path: Path) -> None:
    from tests.support.servers import Reply, serve

    temporary = Reply(200, b"oauth_token=TemporaryToken0123456789&oauth_token_secret=temp-s3cret")
    with serve({"/rt": temporary}) as server:
        method = OAuth1Auth(name="old", request_token_url=server.url("/rt"), authorization_url=server.url("/a"), access_token_url=server.url("/at"))  # fmt: skip
        policy = SecretPolicy("items", frozenset({server.base_url}), "items@1.0.0", from_file=False)  # fmt: skip
        opened: list[str] = []
        with pytest.raises(SourceError, match="did not confirm the callback") as caught:
            login_oauth1(method, _secrets(**CONSUMER), show=opened.append, policy=policy, timeout=5)  # fmt: skip
    assert opened == []
    assert server.requests == ["/rt"]
    assert "temp-s3cret" not in str(caught.value)


def test_signing_in_needs_the_three_urls_and_accepted_origins(tmp_path: Path) -> None:
    with serve_oauth1() as server:
        version = _version(tmp_path, server)
        policy = SecretPolicy.of(version)
        with pytest.raises(InputError, match="needs a request_token_url, an authorization_url"):
            login_oauth1(_method(), _secrets(**CONSUMER), show=print, policy=policy)
        elsewhere = _method(server, request_token_url="https://tokens.example/rt")
        with pytest.raises(InputError, match=r"would send secrets to https://tokens\.example"):
            login_oauth1(elsewhere, _secrets(**CONSUMER), show=print, policy=policy)
    assert server.token_requests == []


def test_a_signer_signs_the_request_itself() -> None:
    """In place: a WebSocket handshake's stand-in request (runtime.subscribe) is told from the
    requests a flow makes on its own by identity."""
    consumer = oauth1_auth(_method(), _secrets(**CONSUMER))._consumer
    request = httpx.Request("GET", "https://api.example.com/x")
    assert next(OAuth1Signer(_method(), consumer).auth_flow(request)) is request
    assert 'oauth_signature_method="HMAC-SHA1"' in request.headers["Authorization"]
    in_query = httpx.Request("GET", "https://api.example.com/x?a=1")
    assert next(OAuth1Signer(_method(placement="query"), consumer).auth_flow(in_query)) is in_query
    assert in_query.url.params["a"] == "1"
    assert in_query.url.params["oauth_signature"]
    form = httpx.Request("POST", "https://api.example.com/x", data={"a": "1"})
    assert next(OAuth1Signer(_method(placement="body"), consumer).auth_flow(form)) is form
    assert b"oauth_signature=" in form.content
    assert form.headers["Content-Length"] == str(len(form.content))
    assert b"oauth_signature=" in b"".join(form.stream)  # type: ignore[arg-type]


def test_a_subscription_s_handshake_is_signed(tmp_path: Path) -> None:
    from oauthlib.oauth1 import SignatureOnlyEndpoint

    from connectory.runtime import listen
    from tests.runtime.test_subscribe import _schema
    from tests.runtime.test_subscribe import _version as prices
    from tests.support.graphql_ws_server import serve_subscriptions
    from tests.support.oauth1_server import Validator

    version = prices(tmp_path).model_copy(
        update={"auth_methods": [_method()], "default_auth": [{"oauth1": []}]}
    )
    consumer = _secrets(**CONSUMER)
    with serve_subscriptions(_schema()) as server:
        accept(version, server.url)
        events = list(listen(version, "priceChanged", {"productId": "p"}, server=server.url, credentials={"oauth1": consumer}))  # fmt: skip
        (handshake,) = server.handshakes
    assert len(events) == 3
    assert handshake["authorization"].startswith("OAuth ")
    signed_over = httpx.URL(server.url).copy_with(scheme="http")
    valid, _ = SignatureOnlyEndpoint(Validator()).validate_request(
        str(signed_over), "GET", None, {"Authorization": handshake["authorization"]}
    )
    assert valid  # oauthlib's provider side verifies the handshake's signature

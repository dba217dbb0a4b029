"""OAuth 1.0a (RFC 5849): each request signed by oauthlib, the reference implementation.

``OAuth1Signer`` is the ``httpx.Auth`` of an ``oauth1`` method. oauthlib's ``Client`` computes the
signature (HMAC-SHA1/256/512 over the signature base string, RSA-SHA1/256/512 with the
consumer's private key, or PLAINTEXT) and places the ``oauth_*`` parameters where the method says:
the ``Authorization: OAuth ...`` header, the query, or a form body. As requests-oauthlib does, a
form body's parameters are signed with the rest, any other body is not (no body hash).

    consumer_key       the client's identifier                                  always
    consumer_secret    HMAC and PLAINTEXT                                       (a secret)
    private_key        RSA: the consumer's RSA private key in PEM               (a secret)
    token, token_secret  the access token (what ``connectory login`` leaves); without them the
                       consumer signs alone (two-legged)

PLAINTEXT sends the secrets themselves: refused over plain http off loopback, whatever the
origins accepted (``SecretPolicy`` refuses every secret there too). The request is signed in
place (a WebSocket handshake's stand-in is told from a flow's own requests by identity). The
secrets never leave this module but as the signature; oauthlib logs, at DEBUG on its own logger,
the signature base string, which holds what the request itself sends in the clear (the consumer
key, the ``oauth_token``, the parameters), never a secret. The three-legged sign-in
(request token, the person's consent, access token) is ``runtime.signin.login_oauth1``; the
token answers are read here, at most ``MAX_TOKEN_ANSWER`` bytes.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl

import httpx
from oauthlib import oauth1
from pydantic import SecretStr

from connectory.errors import InputError, InsecureOrigin, SourceError, SourceUnreachable
from connectory.model.auth import OAuth1Auth
from connectory.origins import needs_tls
from connectory.redaction import redact_url

__all__ = [
    "OAUTH1_TOKEN_SECRETS",
    "Consumer",
    "OAuth1Signer",
    "OAuth1Token",
    "consumer_of",
    "oauth1_auth",
    "parse_oauth1_token",
]

OAUTH1_TOKEN_SECRETS = frozenset({"token", "token_secret"})
"""The secrets that keep an OAuth 1.0a access token (``OAuth1Token.secrets``)."""

_PLACEMENT = {
    "header": oauth1.SIGNATURE_TYPE_AUTH_HEADER,
    "query": oauth1.SIGNATURE_TYPE_QUERY,
    "body": oauth1.SIGNATURE_TYPE_BODY,
}
_FORM = "application/x-www-form-urlencoded"


def _where(method: OAuth1Auth) -> str:
    return f"auth method {method.name!r} ({method.type})"


@dataclass(frozen=True)
class Consumer:
    """The client: its key, and its secret (HMAC, PLAINTEXT) or RSA private key (RSA)."""

    key: str
    secret: SecretStr | None = None
    private_key: SecretStr | None = None


@dataclass(frozen=True)
class OAuth1Token:
    """A token and its secret: temporary credentials (a request token) or an access token."""

    token: SecretStr
    secret: SecretStr

    def secrets(self) -> dict[str, SecretStr | None]:
        """The secrets that keep it (``token``, ``token_secret``)."""
        return {"token": self.token, "token_secret": self.secret}


def _value(secrets: Mapping[str, SecretStr], name: str) -> str | None:
    secret = secrets.get(name)
    return secret.get_secret_value() if secret is not None else None


def _check_rsa_key(method: OAuth1Auth, pem: str) -> None:
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    try:
        key = load_pem_private_key(pem.encode(), password=None)
    except (ValueError, TypeError):
        key = None
    if not isinstance(key, RSAPrivateKey):
        raise InputError(
            f"{_where(method)}: the secret 'private_key' is not an unencrypted RSA private key "
            "in PEM"
        )


def consumer_of(method: OAuth1Auth, secrets: Mapping[str, SecretStr]) -> Consumer:
    """The consumer ``secrets`` give for ``method``, or an error naming the missing secret."""
    rsa = method.signature_method.startswith("RSA-")
    needed = ["consumer_key", "private_key" if rsa else "consumer_secret"]
    missing = [name for name in needed if not _value(secrets, name)]
    if missing:
        raise InputError(
            f"{_where(method)} needs the secret {missing[0]!r} ({method.signature_method}); "
            f"given: {', '.join(sorted(secrets)) or 'none'}"
        )
    if rsa:
        _check_rsa_key(method, _value(secrets, "private_key") or "")
        return Consumer(_value(secrets, "consumer_key") or "", private_key=secrets["private_key"])
    return Consumer(_value(secrets, "consumer_key") or "", secret=secrets["consumer_secret"])


class OAuth1Signer(httpx.Auth):
    """Each request signed for ``consumer`` (and ``token``, if any): see the module docstring.

    ``callback`` and ``verifier`` are for the sign-in's token requests (``oauth_callback`` to
    the request token endpoint, ``oauth_verifier`` to the access token endpoint)."""

    requires_request_body = True  # a form body is signed with the rest

    def __init__(
        self,
        method: OAuth1Auth,
        consumer: Consumer,
        token: OAuth1Token | None = None,
        *,
        callback: str | None = None,
        verifier: str | None = None,
    ) -> None:
        self._method, self._consumer, self._token = method, consumer, token
        self._callback, self._verifier = callback, verifier

    def _client(self) -> oauth1.Client:
        consumer, token = self._consumer, self._token
        return oauth1.Client(
            consumer.key,
            client_secret=consumer.secret.get_secret_value() if consumer.secret else None,
            resource_owner_key=token.token.get_secret_value() if token else None,
            resource_owner_secret=token.secret.get_secret_value() if token else None,
            callback_uri=self._callback,
            verifier=self._verifier,
            signature_method=self._method.signature_method,
            signature_type=_PLACEMENT[self._method.placement],
            rsa_key=consumer.private_key.get_secret_value() if consumer.private_key else None,
            realm=self._method.realm,
        )

    def sign(self, request: httpx.Request) -> httpx.Request:
        """``request``, signed: the ``oauth_*`` parameters put in their place (the request is
        changed, and returned)."""
        method, where = self._method, _where(self._method)
        if method.signature_method == "PLAINTEXT" and needs_tls(request.url):
            raise InsecureOrigin(
                f"{where}: PLAINTEXT sends the secrets as they are: over https only (or to "
                f"loopback), not to {redact_url(str(request.url.copy_with(query=None)))}"
            )
        content_type = request.headers.get("Content-Type", "")
        content = request.content
        form = content_type.split(";")[0].strip().lower() == _FORM
        if method.placement == "body" and not content and request.method not in ("GET", "HEAD"):
            form, content_type = True, _FORM  # the parameters are the body
        if method.placement == "body" and not form:
            raise InputError(
                f"{where}: the oauth_* parameters go in the body (placement 'body'), which a "
                f"{request.method} request with {content_type or 'no'} content cannot carry: "
                "use placement 'header' or 'query'"
            )
        body: str | None = None
        if form:
            try:
                body = content.decode("ascii")
            except UnicodeDecodeError:
                raise InputError(f"{where}: the form body to sign is not URL-encoded") from None
        headers = {"Content-Type": content_type} if form else {}
        try:
            uri, signed, signed_body = self._client().sign(
                str(request.url),
                request.method,  # type: ignore[arg-type]  # any method (the stubs list nine)
                body,
                headers,
            )
        except ValueError as error:  # oauthlib's own wording names no secret
            raise InputError(f"{where}: cannot sign the request ({error})") from None
        # signed in place: callers tell the call from the requests a flow makes on its own by
        # identity (runtime.subscribe's handshake)
        request.url = httpx.URL(uri)
        if "Authorization" in signed:
            request.headers["Authorization"] = signed["Authorization"]
        if form and signed_body is not None and signed_body.encode("ascii") != content:
            data = signed_body.encode("ascii")
            request.stream = httpx.ByteStream(data)
            request._content = data  # what Request.read() keeps
            request.headers.pop("Transfer-Encoding", None)
            request.headers["Content-Length"] = str(len(data))
            request.headers["Content-Type"] = content_type
        return request

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        yield self.sign(request)


def oauth1_auth(method: OAuth1Auth, secrets: Mapping[str, SecretStr]) -> OAuth1Signer:
    """The ``httpx.Auth`` of ``method`` with ``secrets`` (see the module docstring)."""
    consumer = consumer_of(method, secrets)
    token, token_secret = secrets.get("token"), secrets.get("token_secret")
    if (token is None) != (token_secret is None):
        given = "token" if token is not None else "token_secret"
        other = "token_secret" if token is not None else "token"
        raise InputError(
            f"{_where(method)}: the secret {given!r} goes with {other!r}, which is missing; "
            "or sign in with connectory login"
        )
    kept = OAuth1Token(token, token_secret) if token and token_secret else None
    return OAuth1Signer(method, consumer, kept)


def parse_oauth1_token(
    response: httpx.Response, url: str, what: str
) -> tuple[OAuth1Token, dict[str, str]]:
    """The token in a request token or access token endpoint's answer (RFC 5849 2.1, 2.3: a
    form of ``oauth_token``, ``oauth_token_secret``...), and the answer's other parameters; or an
    error saying why not. ``what``: the endpoint, for the messages."""
    if response.status_code >= 500:
        raise SourceUnreachable(f"{what} answered HTTP {response.status_code}", location=url)
    try:
        text = response.content.decode("utf-8")
        found = dict(parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text)))
    except (UnicodeDecodeError, ValueError):
        found = {}
    token, secret = found.get("oauth_token"), found.get("oauth_token_secret")
    if response.status_code >= 300 or not token or secret is None:
        problem = found.get("error") or found.get("oauth_problem")
        reason = (
            f" ({problem[:80]})"
            if isinstance(problem, str) and problem.isprintable() and problem
            else ""
        )
        raise SourceError(
            f"{what} answered HTTP {response.status_code}{reason} without an oauth_token and "
            "its oauth_token_secret",
            location=url,
        )
    others = {k: v for k, v in found.items() if k not in ("oauth_token", "oauth_token_secret")}
    return OAuth1Token(SecretStr(token), SecretStr(secret)), others

"""JWT bearer auth (RFC 7523): a signed JWT, exchanged for an access token or sent as the bearer.

Secrets: ``private_key`` (PEM; RSA for RS*/PS*, EC for ES*, or the shared secret for HS*),
``issuer`` (the client), optionally ``subject`` (default: the issuer) and ``key_id`` (the
``kid`` header). The JWT claims ``iss``, ``sub``, ``aud`` (the method's audience, else its token
URL), ``iat``, ``exp`` (five minutes on), a random ``jti`` and the action's scopes. With a
``token_url`` it is posted as ``grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`` and the
access token answered is sent as a bearer; without one, the JWT itself is the bearer. Signing is
joserfc's (the JOSE library of authlib's author).
"""

from __future__ import annotations

import secrets as random
import time
from collections.abc import Generator, Mapping
from typing import Literal

import httpx
from pydantic import SecretStr

from connectory.errors import InputError
from connectory.model.auth import JWTBearerAuth

from .oauth import parse_token, read_answer

__all__ = ["JwtBearer"]

_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
_LIFETIME = 300
_KEY_TYPES: dict[str, Literal["RSA", "EC", "oct"]] = {
    "RS": "RSA",
    "PS": "RSA",
    "ES": "EC",
    "HS": "oct",
}


class JwtBearer(httpx.Auth):
    def __init__(
        self, method: JWTBearerAuth, secrets: Mapping[str, SecretStr], scopes: list[str]
    ) -> None:
        from joserfc.jwk import import_key

        where = f"auth method {method.name!r} (jwt_bearer)"
        key_type = _KEY_TYPES.get(method.algorithm[:2])
        if key_type is None:
            raise InputError(f"{where}: unknown algorithm {method.algorithm!r}")
        wanted = [name for name in ("private_key", "issuer") if name not in secrets]
        if wanted:
            raise InputError(f"{where} needs the secrets {wanted}; given: {sorted(secrets)}")
        key_text = secrets["private_key"].get_secret_value()
        try:
            self._key = import_key(key_text.encode(), key_type)
        except Exception:  # joserfc raises several kinds; none may show the key
            raise InputError(f"{where}: the private_key is not a {key_type} key") from None
        self._method, self._scopes = method, [*method.scopes, *scopes]
        self._issuer = secrets["issuer"].get_secret_value()
        subject = secrets.get("subject")
        self._subject = subject.get_secret_value() if subject else self._issuer
        key_id = secrets.get("key_id")
        self._key_id = key_id.get_secret_value() if key_id else None
        self._token: SecretStr | None = None

    def assertion(self) -> str:
        from joserfc import jwt

        now = int(time.time())
        claims: dict[str, object] = {
            "iss": self._issuer,
            "sub": self._subject,
            "aud": self._method.audience or self._method.token_url or "",
            "iat": now,
            "exp": now + _LIFETIME,
            "jti": random.token_hex(16),
        }
        if self._scopes:
            claims["scope"] = " ".join(self._scopes)
        header = {"alg": self._method.algorithm, **({"kid": self._key_id} if self._key_id else {})}
        return jwt.encode(header, claims, self._key)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        url = self._method.token_url
        if url is None:
            request.headers["Authorization"] = f"Bearer {self.assertion()}"
            yield request
            return
        if self._token is None:
            form = {"grant_type": _GRANT, "assertion": self.assertion()}
            if self._scopes:
                form["scope"] = " ".join(self._scopes)
            response = yield httpx.Request(
                "POST", url, data=form, headers={"Accept": "application/json"}
            )
            self._token = parse_token(read_answer(response, "the token answer"), url).access_token
        request.headers["Authorization"] = f"Bearer {self._token.get_secret_value()}"
        yield request

"""How a connector authenticates: a closed set of kinds, a pydantic model each, a union on ``type``.

An auth method describes the *shape* of authentication (where a key goes, which OAuth flow, which
login request). Credentials are never part of it: they arrive at run time as ``SecretStr``.
"""

from __future__ import annotations

import re
from typing import (
    Annotated,
    Literal,
)

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
)

__all__ = [
    "ApiKeyAuth",
    "AuthMethod",
    "BasicAuth",
    "BearerAuth",
    "CustomFunctionAuth",
    "CustomRequestAuth",
    "DigestAuth",
    "ExtractRule",
    "HMACAuth",
    "HttpSchemeAuth",
    "InjectRule",
    "JWTBearerAuth",
    "MutualTLSAuth",
    "NoAuth",
    "OAuth2Auth",
    "OAuth2Flow",
    "OpenIDConnectAuth",
    "RequestTemplate",
    "WSSecurityUsernameTokenAuth",
    "is_js_identifier",
]


class _Method(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(description="The method's name within its version (OpenAPI: the scheme key).")
    description: str | None = None


class NoAuth(_Method):
    type: Literal["none"] = "none"


class ApiKeyAuth(_Method):
    type: Literal["api_key"] = "api_key"
    location: Literal["header", "query", "cookie"]
    parameter: str = Field(
        description="The header, query parameter or cookie that carries the key."
    )


class BasicAuth(_Method):
    type: Literal["http_basic"] = "http_basic"


class BearerAuth(_Method):
    type: Literal["http_bearer"] = "http_bearer"
    bearer_format: str | None = None


class DigestAuth(_Method):
    type: Literal["http_digest"] = "http_digest"


class HttpSchemeAuth(_Method):
    """Any other HTTP ``Authorization`` scheme (IANA registry), e.g. ``hoba`` or ``negotiate``."""

    type: Literal["http_scheme"] = "http_scheme"
    scheme: str


class OAuth2Flow(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    grant: Literal[
        "client_credentials", "authorization_code", "password", "implicit", "device_code"
    ]
    authorization_url: str | None = None
    token_url: str | None = None
    refresh_url: str | None = None
    scopes: dict[str, str] = Field(default_factory=dict)
    pkce: bool = False


class OAuth2Auth(_Method):
    type: Literal["oauth2"] = "oauth2"
    flows: list[OAuth2Flow] = Field(default_factory=list)


class OpenIDConnectAuth(_Method):
    type: Literal["openid_connect"] = "openid_connect"
    discovery_url: str


class JWTBearerAuth(_Method):
    """RFC 7523: a signed JWT exchanged for an access token (or sent as the bearer itself)."""

    type: Literal["jwt_bearer"] = "jwt_bearer"
    token_url: str | None = None
    algorithm: str = "RS256"
    audience: str | None = None
    scopes: list[str] = Field(default_factory=list)


class HMACAuth(_Method):
    """Request signing: an HMAC over chosen parts of the request, sent in a header."""

    type: Literal["hmac"] = "hmac"
    algorithm: Literal["sha1", "sha256", "sha512"] = "sha256"
    header: str = "Authorization"
    signed_parts: list[str] = Field(default_factory=lambda: ["method", "path", "timestamp", "body"])
    timestamp_header: str | None = None


class MutualTLSAuth(_Method):
    type: Literal["mutual_tls"] = "mutual_tls"


class WSSecurityUsernameTokenAuth(_Method):
    type: Literal["ws_security_username_token"] = "ws_security_username_token"
    password_type: Literal["text", "digest"] = "text"
    nonce: bool = True
    created: bool = True


class RequestTemplate(BaseModel):
    """A login request. ``{credential}`` placeholders are filled from run-time credentials."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    method: str = "POST"
    url: str
    headers: dict[str, str] = Field(default_factory=dict)
    query: dict[str, str] = Field(default_factory=dict)
    body: str | dict[str, object] | None = None
    media_type: str | None = "application/json"


class ExtractRule(BaseModel):
    """Take one value out of the login response."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    source: Literal["body", "header", "cookie"] = "body"
    path: str = Field(description="A JSON pointer into the body, or a header / cookie name.")


class InjectRule(BaseModel):
    """Put an extracted value (``{name}`` placeholders) on each request."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    location: Literal["header", "query", "cookie"] = "header"
    parameter: str
    template: str


class CustomRequestAuth(_Method):
    type: Literal["custom_request"] = "custom_request"
    request: RequestTemplate
    extract: list[ExtractRule]
    inject: list[InjectRule]
    expires_in_seconds: int | None = Field(default=None, ge=1)
    expiry_from: str | None = Field(
        default=None, description="The extracted value giving lifetime."
    )


_JS_IDENTIFIER = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
_JS_RESERVED = frozenset(
    (
        *("await", "break", "case", "catch", "class", "const", "continue", "debugger"),
        *("default", "delete", "do", "else", "enum", "export", "extends", "false", "finally"),
        *("for", "function", "if", "implements", "import", "in", "instanceof", "interface"),
        *("let", "new", "null", "package", "private", "protected", "public", "return"),
        *("static", "super", "switch", "this", "throw", "true", "try", "typeof", "var"),
        *("void", "while", "with", "yield", "arguments", "eval", "undefined", "NaN", "Infinity"),
    )
)


def is_js_identifier(name: str) -> bool:
    """Whether ``name`` can name a JavaScript function: an ASCII identifier, not a reserved word
    (strict mode) nor one of the global values that are not functions."""
    return _JS_IDENTIFIER.fullmatch(name) is not None and name not in _JS_RESERVED


class CustomFunctionAuth(_Method):
    """A JavaScript function run in a sandbox with a time and memory limit (each capped, at run
    time, by the host's settings: ``function_max_seconds``, ``function_max_memory_mb``)."""

    type: Literal["custom_function"] = "custom_function"
    source: str
    entrypoint: str = Field(
        default="authenticate",
        description="The function ``source`` defines: a JavaScript identifier (ASCII).",
    )
    timeout_ms: int = Field(default=1000, ge=1, le=60_000)
    memory_limit_mb: int = Field(default=64, ge=1, le=1024)

    @field_validator("entrypoint")
    @classmethod
    def _an_identifier(cls, value: str) -> str:
        if not is_js_identifier(value):
            raise ValueError(f"{value[:60]!r} is not a JavaScript function name")
        return value


AuthMethod = Annotated[
    NoAuth
    | ApiKeyAuth
    | BasicAuth
    | BearerAuth
    | DigestAuth
    | HttpSchemeAuth
    | OAuth2Auth
    | OpenIDConnectAuth
    | JWTBearerAuth
    | HMACAuth
    | MutualTLSAuth
    | WSSecurityUsernameTokenAuth
    | CustomRequestAuth
    | CustomFunctionAuth,
    Field(discriminator="type"),
]

"""How a connector authenticates: a closed set of kinds, a pydantic model each, a union on ``type``.

An auth method describes the *shape* of authentication (where a key goes, which OAuth flow, which
login request). Credentials are never part of it: they arrive at run time as ``SecretStr``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from connectory._patterns import risky_pattern

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
    "LoginStep",
    "MutualTLSAuth",
    "NoAuth",
    "OAuth1Auth",
    "OAuth2Auth",
    "OAuth2Flow",
    "OpenIDConnectAuth",
    "RequestTemplate",
    "SessionSignal",
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
    device_authorization_url: str | None = Field(
        default=None,
        description="The device authorization endpoint (RFC 8628) of a ``device_code`` flow "
        "(none: its ``authorization_url``, where older versions kept it).",
    )


class OAuth2Auth(_Method):
    type: Literal["oauth2"] = "oauth2"
    flows: list[OAuth2Flow] = Field(default_factory=list)


class OAuth1Auth(_Method):
    """OAuth 1.0a (RFC 5849): every request signed with the consumer's and the token's secrets.

    With the three endpoint URLs a person signs in (``connectory login``: a request token, the
    person's consent in a browser, an access token for the verifier); without them the secrets
    give the token, or none (a consumer alone, two-legged).
    """

    type: Literal["oauth1"] = "oauth1"
    signature_method: Literal[
        "HMAC-SHA1", "HMAC-SHA256", "HMAC-SHA512", "RSA-SHA1", "RSA-SHA256", "RSA-SHA512",
        "PLAINTEXT",
    ] = "HMAC-SHA1"  # fmt: skip
    placement: Literal["header", "query", "body"] = Field(
        default="header",
        description="Where the oauth_* parameters go: the Authorization header, the query, or "
        "a form body (form requests only).",
    )
    realm: str | None = None
    request_token_url: str | None = None
    authorization_url: str | None = None
    access_token_url: str | None = None


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
    """A login request. ``{name}`` placeholders are filled from run-time credentials and, in a
    login of several steps, from what earlier steps extracted (see ``CustomRequestAuth``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    method: str = "POST"
    url: str
    headers: dict[str, str] = Field(default_factory=dict)
    query: dict[str, str] = Field(default_factory=dict)
    body: str | dict[str, object] | None = None
    media_type: str | None = "application/json"


LookupSource = Literal["body", "header", "cookie", "jmespath", "regex", "xpath"]
"""Where a value is looked up in an answer: ``body`` a JSON pointer into the JSON body,
``jmespath`` a JMESPath expression over it, ``regex`` a regular expression over the body's text
(the group named as the rule, else group 1, else the whole match), ``xpath`` an XPath 1.0
expression over the XML body (its prefixes bound in ``namespaces``), ``header`` / ``cookie`` a
name."""


class ExtractRule(BaseModel):
    """Take one value out of the login response."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    source: LookupSource = "body"
    path: str = Field(
        description="A JSON pointer into the body, a JMESPath, regular or XPath expression, or a "
        "header / cookie name (see ``source``)."
    )
    namespaces: dict[str, str] = Field(
        default_factory=dict, description="XPath: the namespace URI of each prefix ``path`` uses."
    )


class SessionSignal(BaseModel):
    """What, in an API's answer, says that the login no longer holds (looked up as an
    ``ExtractRule`` is)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: LookupSource = "body"
    path: str
    namespaces: dict[str, str] = Field(default_factory=dict)
    equals: str | None = Field(
        default=None, description="The value that signals it (None: any value found does)."
    )


class LoginStep(BaseModel):
    """A request a login sends before its last one, and what is taken out of its answer."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(description="An identifier: later templates read ``{name.value}``.")
    request: RequestTemplate
    extract: list[ExtractRule] = Field(default_factory=list)


class InjectRule(BaseModel):
    """Put an extracted value (``{name}`` placeholders) on each request."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    location: Literal["header", "query", "cookie"] = "header"
    parameter: str
    template: str


MAX_LOGIN_STEPS = 10
"""The most requests one login sends: its steps and its last request (redirects aside)."""
LAST_STEP = "request"
"""What the last request of a login (``CustomRequestAuth.request``) is called in messages."""
SECRETS_SCOPE = "secrets"
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?:\.([A-Za-z_][A-Za-z0-9_]*))?\}")
"""``{name}`` or ``{scope.name}`` (``scope``: ``secrets``, or a step of the login)."""
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _template_strings(template: RequestTemplate) -> Iterator[str]:
    yield template.url
    yield from _strings(template.headers)
    yield from _strings(template.query)
    yield from _strings(template.body)


def _shown(text: str) -> str:
    return repr(text if len(text) <= 80 else text[:77] + "...")


def lookup_problem(source: str, path: str, namespaces: Mapping[str, str]) -> str | None:
    """Why ``path`` cannot be looked up in ``source`` (see ``LookupSource``); None: it can."""
    if namespaces and source != "xpath":
        return "namespaces are for an xpath only"
    if source == "regex":
        try:
            re.compile(path)
        except re.error as error:
            return f"the regular expression {_shown(path)} does not compile: {error}"
        if risky_pattern(path):
            return (
                f"the regular expression {_shown(path)} may backtrack without end (a repeat "
                "holding a repeat or an alternation): write it without nesting them"
            )
    elif source == "jmespath":
        import jmespath
        from jmespath.exceptions import JMESPathError

        try:
            jmespath.compile(path)
        except JMESPathError as error:
            first = (str(error).splitlines() or [type(error).__name__])[0]
            return f"the JMESPath expression {_shown(path)} does not compile: {first}"
    elif source == "xpath":
        from lxml import etree

        try:
            etree.XPath(path, namespaces=dict(namespaces) or None, regexp=False)
        except (etree.XPathError, TypeError, ValueError) as error:
            return f"the XPath expression {_shown(path)} does not compile: {error}"
    return None


def _unknown(text: str, seen: Mapping[str, set[str]], names: set[str] | None) -> str | None:
    """The first placeholder of ``text`` that names no value extracted before: ``{step.name}``
    against ``seen`` (step: its values), ``{name}`` against ``names`` when given (else it may be
    a secret); None: each does."""
    for found in PLACEHOLDER.finditer(text):
        scope, value = found.groups()
        if value is None:
            known = names is None or scope in names
        else:
            known = scope == SECRETS_SCOPE or value in seen.get(scope, set())
        if not known:
            return found.group(0)
    return None


class CustomRequestAuth(_Method):
    """A login: ``steps`` (if any) sent in order, then ``request``; ``extract`` rules take values
    out of the answers, ``inject`` rules put them on each call (``runtime.custom``).

    A template's ``{name}`` is a value an earlier step extracted, else the secret ``name``;
    ``{secrets.name}`` is the secret, ``{step.name}`` the value step ``step`` extracted. The
    login is sent again once what it gave expires (``expires_in_seconds``, or the extracted value
    ``expiry_from`` read as ``expiry_format``), and once when a call is answered with a status of
    ``relogin_on`` or matches ``relogin_when`` (then the call is sent again, once). A method
    whose steps name what no earlier step extracts, or whose expressions do not compile, is
    refused with a message naming it and the step."""

    type: Literal["custom_request"] = "custom_request"
    steps: list[LoginStep] = Field(
        default_factory=list, description="Requests sent, in order, before ``request``."
    )
    request: RequestTemplate
    extract: list[ExtractRule]
    inject: list[InjectRule]
    expires_in_seconds: int | None = Field(default=None, ge=1)
    expiry_from: str | None = Field(
        default=None, description="The extracted value giving lifetime."
    )
    expiry_format: Literal["seconds", "unix", "date", "jwt_exp"] = Field(
        default="seconds",
        description="How ``expiry_from`` reads: a lifetime in seconds, a Unix time, an HTTP or "
        "ISO 8601 date, or a JWT whose ``exp`` claim is read (not verified).",
    )
    relogin_on: list[int] = Field(
        default_factory=lambda: [401, 403],
        description="Statuses of a call's answer that mean the login no longer holds.",
    )
    relogin_when: SessionSignal | None = Field(
        default=None, description="What in a call's answer means the login no longer holds."
    )

    def all_steps(self) -> list[LoginStep]:
        """``steps`` then ``request`` (as the step ``LAST_STEP``), in the order they are sent."""
        last = LoginStep(name=LAST_STEP, request=self.request, extract=self.extract)
        return [*self.steps, last]

    @model_validator(mode="after")
    def _coherent(self) -> CustomRequestAuth:
        problem = self._problem()
        if problem is not None:
            raise ValueError(f"auth method {self.name!r}, {problem}")
        return self

    def _problem(self) -> str | None:
        if len(self.steps) >= MAX_LOGIN_STEPS:
            return f"steps: at most {MAX_LOGIN_STEPS - 1} steps before the request"
        for status in self.relogin_on:
            if not 400 <= status <= 599:
                return f"relogin_on: {status} is not an HTTP error status (400-599)"
        if self.relogin_when is not None:
            signal = self.relogin_when
            problem = lookup_problem(signal.source, signal.path, signal.namespaces)
            if problem is not None:
                return f"relogin_when: {problem}"
        problem, names = self._steps_problem()
        if problem is not None:
            return problem
        if self.steps:
            seen = {step.name: {rule.name for rule in step.extract} for step in self.all_steps()}
            for rule in self.inject:
                wrong = _unknown(rule.template, seen, names)
                if wrong is not None:
                    return f"inject {rule.parameter[:60]!r}: {wrong} names no extracted value"
        checked = bool(self.steps) or self.expiry_format != "seconds"
        if checked and self.expiry_from is not None and self.expiry_from not in names:
            return f"expiry_from: {_shown(self.expiry_from)} names no extracted value"
        if self.expiry_format != "seconds" and self.expiry_from is None:
            return f"expiry_format {self.expiry_format!r} reads expiry_from, which is not set"
        return None

    def _steps_problem(self) -> tuple[str | None, set[str]]:
        """What is wrong with the steps (None: nothing), and the names of what they extract."""
        many = bool(self.steps)
        seen: dict[str, set[str]] = {}
        names: set[str] = set()
        for index, step in enumerate(self.all_steps()):
            where = f"step {step.name[:60]!r}"
            if index < len(self.steps):
                if not _IDENTIFIER.fullmatch(step.name) or step.name in (LAST_STEP, SECRETS_SCOPE):
                    return f"{where}: name a step by an identifier (not {LAST_STEP!r} or {SECRETS_SCOPE!r})", names  # fmt: skip
                if step.name in seen:
                    return f"{where}: two steps have that name", names
            if many:
                for text in _template_strings(step.request):
                    wrong = _unknown(text, seen, None)
                    if wrong is not None:
                        return f"{where}: {wrong} names no value an earlier step extracts", names
            extracted: set[str] = set()
            for rule in step.extract:
                problem = lookup_problem(rule.source, rule.path, rule.namespaces)
                if problem is not None:
                    return f"{where}, extract {rule.name[:60]!r}: {problem}", names
                if many and (not _IDENTIFIER.fullmatch(rule.name) or rule.name in names):
                    return f"{where}, extract {rule.name[:60]!r}: name each value once, by an identifier", names  # fmt: skip
                extracted.add(rule.name)
                names.add(rule.name)
            seen[step.name] = extracted
        return None, names


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
    | OAuth1Auth
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

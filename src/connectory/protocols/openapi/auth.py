"""Security schemes -> auth methods, and ``security`` requirements -> lists of alternatives.

| OpenAPI ``type``          | auth method                                                      |
|---------------------------|------------------------------------------------------------------|
| ``apiKey``                | ``ApiKeyAuth`` (header, query or cookie)                         |
| ``http`` ``basic``        | ``BasicAuth``                                                    |
| ``http`` ``bearer``       | ``BearerAuth`` (with ``bearerFormat``)                           |
| ``http`` ``digest``       | ``DigestAuth``                                                   |
| ``http`` other schemes    | ``HttpSchemeAuth`` (the scheme, lower-cased)                     |
| ``oauth2``                | ``OAuth2Auth``, one ``OAuth2Flow`` per flow                      |
| ``openIdConnect``         | ``OpenIDConnectAuth``                                            |
| ``mutualTLS`` (3.1)       | ``MutualTLSAuth``                                                |
| Swagger 2.0 ``basic``     | ``BasicAuth``                                                    |
| Swagger 2.0 ``oauth2``    | ``OAuth2Auth`` with its one ``flow`` (``application`` is client  |
|                           | credentials, ``accessCode`` authorization code)                  |

A ``security`` list ``[{"a": [], "b": ["scope"]}, {}]`` stays a list of alternatives, each the
schemes used together with the OAuth scopes each needs; an empty alternative ``{}`` makes
authentication optional; ``[]`` means none is needed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

from connectory.model.auth import (
    ApiKeyAuth,
    AuthMethod,
    BasicAuth,
    BearerAuth,
    DigestAuth,
    HttpSchemeAuth,
    MutualTLSAuth,
    OAuth2Auth,
    OAuth2Flow,
    OpenIDConnectAuth,
)

from . import _raw as raw
from ._refs import Resolver, child
from .findings import Findings, shorten

__all__ = ["auth_methods", "requirements"]

_GRANTS = {
    "implicit": "implicit",
    "password": "password",
    "clientCredentials": "client_credentials",
    "authorizationCode": "authorization_code",
}
_SWAGGER_GRANTS = {
    "implicit": "implicit",
    "password": "password",
    "application": "client_credentials",
    "accessCode": "authorization_code",
}
_API_KEY_LOCATIONS = ("header", "query", "cookie")
_TYPES = ("apiKey", "http", "oauth2", "openIdConnect", "mutualTLS")
_SWAGGER_TYPES = ("basic", "apiKey", "oauth2")


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _flows(value: raw.OAuthFlows | None, location: str, findings: Findings) -> list[OAuth2Flow]:
    if not isinstance(value, Mapping):
        findings.warning("invalid-security-scheme", location, "oauth2 needs an object of flows")
        return []
    flows = []
    for key, flow in value.items():
        where = child(location, key)
        if str(key).startswith("x-"):
            continue
        if key not in _GRANTS or not isinstance(flow, Mapping):
            findings.warning(
                "invalid-security-scheme",
                where,
                f"unknown OAuth 2 flow {key!r} (known: {', '.join(_GRANTS)}): skipped",
            )
            continue
        flows.append(_flow(_GRANTS[key], cast("raw.OAuthFlow", flow)))
    return flows


def _flow(grant: str, flow: raw.OAuthFlow | raw.SecurityScheme) -> OAuth2Flow:
    scopes = flow.get("scopes")
    return OAuth2Flow(
        grant=grant,
        authorization_url=_text(flow.get("authorizationUrl")),
        token_url=_text(flow.get("tokenUrl")),
        refresh_url=_text(flow.get("refreshUrl")),
        scopes={str(k): str(v) for k, v in scopes.items()} if isinstance(scopes, Mapping) else {},
    )


def _swagger_method(
    name: str, scheme: raw.SecurityScheme, location: str, findings: Findings
) -> AuthMethod | None:
    kind = scheme.get("type")
    if kind == "basic":
        return BasicAuth(name=name, description=_text(scheme.get("description")))
    if kind == "oauth2":
        flow = scheme.get("flow")
        if flow not in _SWAGGER_GRANTS:
            findings.warning(
                "invalid-security-scheme",
                child(location, "flow"),
                f"unknown OAuth 2 flow {shorten(flow)} (known: {', '.join(_SWAGGER_GRANTS)})",
            )
            flows = []
        else:
            flows = [_flow(_SWAGGER_GRANTS[flow], scheme)]
        return OAuth2Auth(name=name, description=_text(scheme.get("description")), flows=flows)
    if kind == "apiKey":
        return _method(name, scheme, location, findings)
    findings.warning(
        "unknown-security-scheme-type",
        child(location, "type"),
        f"unknown security scheme type {shorten(kind)} (known: {', '.join(_SWAGGER_TYPES)}): "
        "skipped",
    )
    return None


def _method(
    name: str, scheme: raw.SecurityScheme, location: str, findings: Findings
) -> AuthMethod | None:
    kind = scheme.get("type")
    description = _text(scheme.get("description"))
    if kind == "apiKey":
        where, parameter = scheme.get("in"), scheme.get("name")
        if where in _API_KEY_LOCATIONS and isinstance(parameter, str):
            return ApiKeyAuth(
                name=name, description=description, location=where, parameter=parameter
            )
        findings.warning(
            "invalid-security-scheme",
            location,
            f"an apiKey scheme needs a name and in (one of {', '.join(_API_KEY_LOCATIONS)}): "
            f"got in={where!r}, name={parameter!r}",
        )
        return None
    if kind == "http":
        http = scheme.get("scheme")
        if not isinstance(http, str) or not http:
            findings.warning("invalid-security-scheme", location, "an http scheme needs a scheme")
            return None
        http = http.lower()
        if http == "basic":
            return BasicAuth(name=name, description=description)
        if http == "bearer":
            bearer_format = _text(scheme.get("bearerFormat"))
            return BearerAuth(name=name, description=description, bearer_format=bearer_format)
        if http == "digest":
            return DigestAuth(name=name, description=description)
        return HttpSchemeAuth(name=name, description=description, scheme=http)
    if kind == "oauth2":
        flows = _flows(scheme.get("flows"), child(location, "flows"), findings)
        return OAuth2Auth(name=name, description=description, flows=flows)
    if kind == "openIdConnect":
        url = scheme.get("openIdConnectUrl")
        if isinstance(url, str):
            return OpenIDConnectAuth(name=name, description=description, discovery_url=url)
        findings.warning("invalid-security-scheme", location, "openIdConnect needs a URL")
        return None
    if kind == "mutualTLS":
        return MutualTLSAuth(name=name, description=description)
    findings.warning(
        "unknown-security-scheme-type",
        child(location, "type"),
        f"unknown security scheme type {shorten(kind)} (known: {', '.join(_TYPES)}): skipped",
    )
    return None


def auth_methods(
    schemes: Mapping[str, raw.SecurityScheme | raw.Reference] | None,
    location: str,
    resolver: Resolver,
    *,
    swagger: bool = False,
) -> list[AuthMethod]:
    """One auth method per usable security scheme (``components.securitySchemes``, or
    ``securityDefinitions`` in Swagger 2.0)."""
    if not isinstance(schemes, Mapping):
        return []
    methods = []
    build = _swagger_method if swagger else _method
    for name, value in schemes.items():
        resolved = resolver.follow(value, child(location, name), "security scheme")
        if resolved is not None:
            method = build(str(name), resolved.value, resolved.location, resolver.findings)
            if method is not None:
                methods.append(method)
    return methods


def requirements(
    value: list[raw.SecurityRequirement] | None,
    location: str,
    known: frozenset[str],
    findings: Findings,
) -> list[dict[str, list[str]]] | None:
    """The alternatives of a ``security`` list (scheme name -> scopes); ``None`` if not a list."""
    if not isinstance(value, list):
        findings.warning(
            "invalid-security", location, f"security must be an array: {shorten(value)}"
        )
        return None
    alternatives = []
    for index, requirement in enumerate(value):
        where = child(location, index)
        if not isinstance(requirement, Mapping):
            findings.warning("invalid-security", where, f"not an object: {shorten(requirement)}")
            continue
        names = {
            str(name): [str(s) for s in scopes] if isinstance(scopes, list) else []
            for name, scopes in requirement.items()
        }
        for name in names:
            if name not in known:
                findings.warning(
                    "unknown-security-scheme",
                    child(where, name),
                    f"security scheme {name!r} is not in components.securitySchemes"
                    + (f" (known: {', '.join(sorted(known))})" if known else ""),
                )
        alternatives.append(names)
    return alternatives

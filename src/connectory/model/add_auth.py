"""Add an auth method to a version of any protocol: for a document that does not declare its auth.

    with_auth_method(version, method, ...)   a new version with ``method`` added and required
    auth_method_from_spec(spec)              ``bearer``, ``basic``, ``header:NAME``... as a method

A document that declares no security (jupyter_server's Swagger, a GraphQL endpoint, a WSDL without
WS-Policy) gives a version that sends no credentials. These functions are how a user says what
the system really needs; the catalogue (``Catalog.add_auth_method``), the command
(``connectory auth add``, ``connectory onboard --auth``) and the API all go through them.

How the new method is required (each action's alternatives, ``Action.auth``, else the version's
``default_auth``; an alternative lists methods used together):

- where nothing was needed (no alternative, or an empty one), the method becomes needed: the
  only alternative (``required=False``: used when its credentials are given, else the call goes
  without auth, as before);
- where alternatives exist (OAuth 2 or a key, say), the method is one more alternative, tried
  after them (``invoke`` uses the first alternative whose credentials are all given);
- ``together=True`` adds it to every existing alternative instead: a header the system needs
  beside the token the document declares.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pydantic import TypeAdapter, ValidationError

from connectory.errors import Conflict, InputError

from .auth import (
    ApiKeyAuth,
    AuthMethod,
    BasicAuth,
    BearerAuth,
    DigestAuth,
    HttpSchemeAuth,
    MutualTLSAuth,
    WSSecurityUsernameTokenAuth,
)
from .version import ConnectorVersion

__all__ = ["AUTH_SPEC_FORMS", "auth_method_from_spec", "check_method_name", "with_auth_method"]

Requirement = list[dict[str, list[str]]]

AUTH_SPEC_FORMS = (
    "bearer, basic, digest, mtls, header:NAME, query:NAME, cookie:NAME, scheme:SCHEME "
    "or a JSON object of an auth method"
)
"""The forms ``auth_method_from_spec`` takes, as errors and help texts name them."""

_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]{1,200}")
"""An HTTP token (RFC 9110): a header name, an auth scheme, a cookie name."""
_QUERY_NAME = re.compile(r"[^\s&=#]{1,200}")
_METHOD_NAME = re.compile(r"[^\x00-\x1f\x7f$][^\x00-\x1f\x7f]{0,99}")
_ADAPTER: TypeAdapter[AuthMethod] = TypeAdapter(AuthMethod)
_PLAIN_KINDS: dict[str, type[BearerAuth | BasicAuth | DigestAuth | MutualTLSAuth]] = {
    "bearer": BearerAuth,
    "basic": BasicAuth,
    "digest": DigestAuth,
    "mtls": MutualTLSAuth,
    "mutual-tls": MutualTLSAuth,
}
"""The kinds a spec names without an argument, and the method each gives."""


def check_method_name(name: str) -> str:
    """``name`` if it may name an auth method: 1-100 characters, no control character, not
    starting with ``$`` (the secrets file keeps other things under such keys)."""
    if not _METHOD_NAME.fullmatch(name):
        raise InputError(
            f"invalid auth method name {name[:60]!r}: use 1-100 characters, no control "
            "characters, not starting with '$'"
        )
    return name


def auth_method_from_spec(spec: str, *, name: str | None = None) -> AuthMethod:
    """The auth method a short spec names; ``name`` names it (default: the kind, or the
    parameter of an API key, so that ``header:X-Api-Key`` takes its secret ``key`` from the
    credentials entry ``X-Api-Key``).

    ``bearer`` (secret ``token``), ``basic`` and ``digest`` (``username``, ``password``), ``mtls``
    (``certificate``, ``private_key``), ``header:NAME``, ``query:NAME`` and ``cookie:NAME`` (an
    API key, secret ``key``), ``scheme:SCHEME`` (``Authorization: SCHEME <credentials>``), or a
    JSON object of any auth method the model has (``{"type": "oauth2", "name": ..., ...}``).
    """
    text = spec.strip()
    if text.startswith("{"):
        return _method_from_json(text, name)
    kind, colon, argument = text.partition(":")
    kind = kind.strip().lower().replace("_", "-")
    argument = argument.strip()
    if not colon and kind in _PLAIN_KINDS:
        given = check_method_name(name) if name is not None else kind.replace("mutual-tls", "mtls")
        return _PLAIN_KINDS[kind](name=given)
    if colon and kind in ("header", "query", "cookie") and argument:
        return _api_key_method(spec, kind, argument, name)
    if colon and kind == "scheme" and _TOKEN.fullmatch(argument):
        given = check_method_name(name if name is not None else argument.lower())
        return HttpSchemeAuth(name=given, scheme=argument)
    raise InputError(f"unknown auth spec {spec[:60]!r}: use {AUTH_SPEC_FORMS}")


def _method_from_json(text: str, name: str | None) -> AuthMethod:
    """The auth method a JSON object describes, renamed ``name`` when one is given."""
    try:
        method = _ADAPTER.validate_json(text)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(the object)"
        raise InputError(f"auth method (JSON) at {where}: {first['msg']}") from None
    if name is not None:
        method = method.model_copy(update={"name": check_method_name(name)})
    check_method_name(method.name)
    return method


def _api_key_method(spec: str, kind: str, argument: str, name: str | None) -> ApiKeyAuth:
    """``header:NAME``, ``query:NAME`` or ``cookie:NAME``: an API key sent in that place."""
    rule = _QUERY_NAME if kind == "query" else _TOKEN
    if not rule.fullmatch(argument):
        raise InputError(f"auth spec {spec[:80]!r}: {argument[:60]!r} cannot name a {kind}")
    given = check_method_name(name if name is not None else argument)
    return ApiKeyAuth(name=given, location=kind, parameter=argument)


def _added(alternatives: Requirement, name: str, *, required: bool, together: bool) -> Requirement:
    """``alternatives`` with the method ``name`` required as the module docstring says."""
    named = [dict(alternative) for alternative in alternatives if alternative]
    open_ = len(named) < len(alternatives) or not alternatives  # a call may go without auth
    if together and named:
        result = [{**alternative, name: []} for alternative in named]
        if open_:
            result.append({name: []})
    else:
        result = [*named, {name: []}]
    if open_ and not required:
        result.append({})
    unique: Requirement = []
    for alternative in result:
        if alternative not in unique:
            unique.append(alternative)
    return unique


def with_auth_method(
    version: ConnectorVersion,
    method: AuthMethod,
    *,
    actions: Iterable[str] | None = None,
    required: bool = True,
    together: bool = False,
) -> ConnectorVersion:
    """A new version: ``version`` with ``method`` among its auth methods, required by
    ``actions`` (default: every action, the version's ``default_auth`` too, which GraphQL
    subscriptions use) as the module docstring says. ``version`` is not changed.

    Each action named gets its alternatives written out (``Action.auth``); ``actions=[]`` adds
    the method without requiring it anywhere. ``Conflict`` when the version has a method of that
    name already; ``NotFound`` (naming the actions) for an action it does not have;
    ``InputError`` for a WS-Security method on a version that is not SOAP.
    """
    check_method_name(method.name)
    if any(existing.name == method.name for existing in version.auth_methods):
        raise Conflict(
            f"{version.ref} has an auth method named {method.name!r} already: give the new one "
            f"another name (its methods: {', '.join(m.name for m in version.auth_methods)})"
        )
    if isinstance(method, WSSecurityUsernameTokenAuth) and version.protocol != "soap":
        raise InputError(
            f"a WS-Security UsernameToken is sent in a SOAP header: {version.ref} is "
            f"{version.protocol}"
        )
    wanted = None if actions is None else list(dict.fromkeys(actions))
    for action_name in wanted or []:
        version.action(action_name)  # NotFound, naming the version's actions
    options = {"required": required, "together": together}
    updated = []
    for action in version.actions:
        if wanted is None or action.name in wanted:
            current = action.auth if action.auth is not None else version.default_auth
            action = action.model_copy(update={"auth": _added(current, method.name, **options)})
        updated.append(action)
    default_auth = version.default_auth
    if wanted is None:
        default_auth = _added(default_auth, method.name, **options)
    return version.model_copy(
        update={
            "auth_methods": [*version.auth_methods, method],
            "default_auth": default_auth,
            "actions": updated,
        }
    )

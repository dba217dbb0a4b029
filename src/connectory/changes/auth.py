"""Auth: the auth methods of two versions, and what each action requires of them.

Methods are matched by name. A changed type, or a change in where the credential goes or how it is
computed, is ``auth-method-changed``; OAuth 2 flows are matched by grant and their scopes compared
one by one; a changed token, authorization, refresh, device authorization, discovery or login
URL, or an OAuth 1.0a request token or access token URL, is ``auth-endpoint-changed``.
Descriptions are not changes.

Requirements (``Action.auth``, else the version's ``default_auth``) are alternatives, each a set of
methods used together with their OAuth scopes. An alternative is matched by its set of method
names: dropping one is ``auth-alternative-removed``, needing more scopes in it
``auth-scopes-required``. Going from "no credentials needed" to "some needed" is ``auth-required``.

Where secrets go: a place of the new version (a server, a token or login URL...) that names an
origin the old version never named (``runtime.hosts.secret_places``) is ``secret-host-added``,
breaking: the users' consent (``connectory trust``) does not cover it, so their secrets are not
sent there until they accept it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from connectory.model.auth import OAuth2Auth, OAuth2Flow
from connectory.model.hosts import secret_origins, secret_places
from connectory.model.version import Action, ConnectorVersion

from .report import Report, child

__all__ = ["compare_methods", "compare_origins", "compare_requirements", "effective"]

Requirement = Sequence[Mapping[str, Sequence[str]]]

_ENDPOINTS = frozenset(
    {
        *("token_url", "authorization_url", "refresh_url", "discovery_url", "url"),
        *("device_authorization_url", "request_token_url", "access_token_url"),
    }
)


def _names(values: Iterable[str]) -> str:
    return ", ".join(sorted(values)) or "none"


def _fields(model: Any) -> dict[str, Any]:
    return {k: v for k, v in model.model_dump(mode="json").items() if k != "description"}


def _changed_fields(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


def _compare_fields(
    report: Report, before: dict[str, Any], after: dict[str, Any], location: str, what: str
) -> None:
    changed = _changed_fields(before, after)
    endpoints = [k for k in changed if k in _ENDPOINTS]
    others = [k for k in changed if k not in _ENDPOINTS]
    for key in endpoints:
        report.add(
            "auth-endpoint-changed",
            child(location, key),
            f"{what}: {key} changed from {before.get(key)!r} to {after.get(key)!r}",
        )
    if others:
        report.add("auth-method-changed", location, f"{what}: {_names(others)} changed")


def _compare_flows(report: Report, old: OAuth2Auth, new: OAuth2Auth, location: str) -> None:
    before: dict[str, OAuth2Flow] = {f.grant: f for f in old.flows}
    after: dict[str, OAuth2Flow] = {f.grant: f for f in new.flows}
    for grant in sorted(before.keys() - after.keys()):
        report.add("auth-flow-removed", child(location, "flows", grant), f"{grant} flow removed")
    for grant in sorted(after.keys() - before.keys()):
        report.add("auth-flow-added", child(location, "flows", grant), f"{grant} flow added")
    for grant in sorted(before.keys() & after.keys()):
        where = child(location, "flows", grant)
        old_flow, new_flow = before[grant], after[grant]
        for scope in sorted(old_flow.scopes.keys() - new_flow.scopes.keys()):
            report.add(
                "auth-scope-removed", child(where, "scopes", scope), f"scope {scope!r} removed"
            )
        for scope in sorted(new_flow.scopes.keys() - old_flow.scopes.keys()):
            report.add("auth-scope-added", child(where, "scopes", scope), f"scope {scope!r} added")
        fields_before = {k: v for k, v in _fields(old_flow).items() if k != "scopes"}
        fields_after = {k: v for k, v in _fields(new_flow).items() if k != "scopes"}
        if fields_before.get("pkce") is True and fields_after.get("pkce") is not True:
            fields_before["pkce"] = fields_after.get("pkce")  # dropping PKCE breaks nobody
        _compare_fields(report, fields_before, fields_after, where, f"{grant} flow")


def compare_methods(report: Report, old: Sequence[Any], new: Sequence[Any]) -> None:
    """Compare two versions' auth methods (``AuthMethod`` lists), by name."""
    before = {m.name: m for m in old}
    after = {m.name: m for m in new}
    for name in sorted(before.keys() - after.keys()):
        report.add(
            "auth-method-removed",
            child("auth_methods", name),
            f"auth method {name!r} ({before[name].type}) removed",
        )
    for name in sorted(after.keys() - before.keys()):
        report.add(
            "auth-method-added",
            child("auth_methods", name),
            f"auth method {name!r} ({after[name].type}) added",
        )
    for name in sorted(before.keys() & after.keys()):
        old_method, new_method = before[name], after[name]
        location = child("auth_methods", name)
        if old_method.type != new_method.type:
            report.add(
                "auth-method-changed",
                location,
                f"auth method {name!r} changed from {old_method.type} to {new_method.type}",
            )
            continue
        if isinstance(old_method, OAuth2Auth) and isinstance(new_method, OAuth2Auth):
            _compare_flows(report, old_method, new_method, location)
            continue
        fields_before, fields_after = _fields(old_method), _fields(new_method)
        for nested in ("request",):  # a custom login request: its URL is an endpoint
            if isinstance(fields_before.get(nested), dict) and isinstance(
                fields_after.get(nested), dict
            ):
                old_nested, new_nested = fields_before.pop(nested), fields_after.pop(nested)
                _compare_fields(
                    report,
                    old_nested,
                    new_nested,
                    child(location, nested),
                    f"auth method {name!r} login request",
                )
        _compare_fields(report, fields_before, fields_after, location, f"auth method {name!r}")


def effective(action: Action, default: Requirement) -> Requirement:
    """What ``action`` requires: its own requirements, else the version's default."""
    return default if action.auth is None else action.auth


def _alternatives(requirement: Requirement) -> dict[frozenset[str], dict[str, set[str]]]:
    return {
        frozenset(alternative): {name: set(scopes) for name, scopes in alternative.items()}
        for alternative in requirement
        if alternative
    }


def _optional(requirement: Requirement) -> bool:
    return not requirement or any(not alternative for alternative in requirement)


def compare_requirements(
    report: Report, old: Requirement, new: Requirement, location: str, what: str
) -> None:
    """Compare two auth requirements (lists of alternatives) of ``what`` (an action, ...)."""
    if _optional(old) and not _optional(new):
        report.add("auth-required", location, f"{what} now needs credentials")
    elif _optional(new) and not _optional(old):
        report.add("auth-optional", location, f"{what} can now be called without credentials")
    before, after = _alternatives(old), _alternatives(new)
    for names in sorted(before.keys() - after.keys(), key=sorted):
        if after or _optional(old):  # else auth-optional said it
            message = f"{what} no longer accepts {' + '.join(sorted(names))}"
            report.add("auth-alternative-removed", location, message)
    for names in sorted(after.keys() - before.keys(), key=sorted):
        if before or _optional(new):  # else auth-required said it
            message = f"{what} now also accepts {' + '.join(sorted(names))}"
            report.add("auth-alternative-added", location, message)
    for names in sorted(before.keys() & after.keys(), key=sorted):
        for name in sorted(names):
            more = after[names][name] - before[names][name]
            fewer = before[names][name] - after[names][name]
            if more:
                message = f"{what} needs more {name} scopes: {_names(more)}"
                report.add("auth-scopes-required", location, message)
            if fewer:
                message = f"{what} needs fewer {name} scopes: no more {_names(fewer)}"
                report.add("auth-scopes-relaxed", location, message)


def compare_origins(report: Report, old: ConnectorVersion, new: ConnectorVersion) -> None:
    """Each place of ``new`` that names an origin for secrets that ``old`` never named."""
    before = secret_origins(old)
    for where, found in secret_places(new):
        if found not in before:
            message = f"secrets may now go to {found}, which {old.ref} did not name: users must accept it (connectory trust)"
            report.add("secret-host-added", where, message)

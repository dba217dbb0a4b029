"""The live auth check: does the system accept the credentials given for a version?

With credentials for the connector (``runtime.credentials``), ``probe_auth`` calls one
action that reads (an HTTP GET, a GraphQL query), needs no input and is guarded by auth methods the
credentials cover: HTTP 401 or 403 (or GraphQL errors that say so) means the system refused them.
Without credentials, or without such an action, nothing is called and the check is skipped: the
network is touched only when a vetter gave secrets to try. The secrets go only to origins the
vetter accepted for the connector (``runtime.trust``): a draft that names another host is skipped,
with the origins and the command that accepts them, and nothing is sent there; one that would
send them over plain http fails.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any, Literal

from connectory.errors import ConnectoryError
from connectory.model.version import Action, ConnectorVersion, GraphQLBinding, HttpBinding
from connectory.settings import Settings

from .credentials import Credentials, credentials_env_var
from .invoke import invoke
from .oauth import Token
from .trust import UntrustedOrigin

__all__ = ["probe_action", "probe_auth"]

Status = Literal["passed", "failed", "skipped"]


def _needs_no_input(schema: Any) -> bool:
    if not isinstance(schema, dict):
        return True
    if schema.get("required"):
        return False
    properties = schema.get("properties") or {}
    return all(_needs_no_input(sub) for sub in properties.values() if isinstance(sub, dict))


def _reads(action: Action) -> bool:
    binding = action.binding
    if isinstance(binding, HttpBinding):
        return binding.method == "GET"
    return isinstance(binding, GraphQLBinding) and binding.operation_type == "query"


def probe_action(version: ConnectorVersion, credentials: Credentials) -> Action | None:
    """The first action that reads, needs no input and is guarded by covered auth methods."""
    for action in version.actions:
        alternatives = action.auth if action.auth is not None else version.default_auth
        guarded = [a for a in alternatives if a and all(name in credentials for name in a)]
        if guarded and _reads(action) and _needs_no_input(action.input):
            return action
    return None


def probe_auth(
    version: ConnectorVersion,
    credentials: Credentials,
    *,
    settings: Settings | None = None,
    server: str | None = None,
    trusted_origins: Collection[str] | None = None,
    on_token: Callable[[str, Token], None] | None = None,
) -> tuple[Status, str]:
    """``(status, message)`` of the live auth check (see the module docstring); ``on_token`` and
    ``trusted_origins`` as for ``invoke``."""
    if not credentials:
        return (
            "skipped",
            f"no credentials given ({credentials_env_var(version.connector)} or the secrets "
            "file): nothing called",
        )
    action = probe_action(version, credentials)
    if action is None:
        return "skipped", "no action that reads without input and uses the given credentials"
    try:
        done = invoke(
            version,
            action.name,
            {},
            credentials=credentials,
            settings=settings,
            server=server,
            trusted_origins=trusted_origins,
            on_token=on_token,
        )
    except UntrustedOrigin as error:
        return "skipped", f"{action.name} not called: {error}"
    except ConnectoryError as error:
        return "failed", f"calling {action.name} failed: {error}"
    if done.status in (401, 403):
        return "failed", f"{action.name} answered HTTP {done.status}: the credentials were refused"
    refused = [p for p in done.problems if "auth" in p.lower() or "forbidden" in p.lower()]
    if done.status >= 400 or refused:
        why = refused[0] if refused else f"HTTP {done.status}"
        return "failed", f"{action.name} answered {why}"
    return "passed", f"{action.name} answered HTTP {done.status} with the credentials"

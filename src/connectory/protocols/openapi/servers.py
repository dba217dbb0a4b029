"""The root ``servers`` list -> ``Server`` records (with their URL template variables)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectory.model import Server, ServerVariable

from .findings import Findings, shorten
from .refs import child

__all__ = ["servers"]


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _variable(value: Any, location: str, findings: Findings) -> ServerVariable | None:
    if not isinstance(value, Mapping):
        findings.warning("invalid-server", location, f"not a server variable: {shorten(value)}")
        return None
    enum = value.get("enum")
    enum = [str(item) for item in enum] if isinstance(enum, list) and enum else None
    default = value.get("default")
    if default is None:
        findings.warning("invalid-server", location, "a server variable needs a default")
        default = enum[0] if enum else ""
    return ServerVariable(
        default=str(default), enum=enum, description=_text(value.get("description"))
    )


def servers(value: Any, location: str, findings: Findings) -> list[Server]:
    """The servers listed at ``location``; an absent list gives none (not the implicit ``/``)."""
    if value is None:
        return []
    if not isinstance(value, list):
        findings.warning("invalid-server", location, f"servers must be an array: {shorten(value)}")
        return []
    result = []
    for index, server in enumerate(value):
        where = child(location, index)
        url = server.get("url") if isinstance(server, Mapping) else None
        if not isinstance(url, str):
            findings.warning("invalid-server", where, f"a server needs a url: {shorten(server)}")
            continue
        variables: dict[str, ServerVariable] = {}
        raw = server.get("variables")
        if isinstance(raw, Mapping):
            for name, variable in raw.items():
                converted = _variable(variable, child(child(where, "variables"), name), findings)
                if converted is not None:
                    variables[str(name)] = converted
        description = _text(server.get("description"))
        result.append(Server(url=url, description=description, variables=variables))
    return result

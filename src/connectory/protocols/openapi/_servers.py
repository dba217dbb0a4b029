"""The root ``servers`` list -> ``Server`` records (with their URL template variables).

Swagger 2.0 has ``host``, ``basePath`` and ``schemes`` instead: one server per scheme,
``{scheme}://{host}{basePath}``. Without ``schemes``, the scheme the document was read with (for a
URL), else ``https`` with an info finding; without ``host``, the server is the relative ``basePath``
(the host that serves the document), as OpenAPI 3's relative server URLs are.
"""

from __future__ import annotations

from collections.abc import Mapping

from connectory.model.version import Server, ServerVariable

from . import _raw as raw
from ._refs import child
from .findings import Findings, shorten

__all__ = ["servers", "swagger_servers"]


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _variable(
    value: raw.ServerVariable, location: str, findings: Findings
) -> ServerVariable | None:
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


def servers(value: list[raw.Server] | None, location: str, findings: Findings) -> list[Server]:
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


def swagger_servers(document: raw.Document, source: str, findings: Findings) -> list[Server]:
    """The servers a Swagger 2.0 document's ``host``, ``basePath`` and ``schemes`` describe."""
    host, base_path = document.get("host"), document.get("basePath", "")
    if host is not None and (not isinstance(host, str) or "/" in host or not host):
        findings.warning("invalid-server", "/host", f"host must be a host name: {shorten(host)}")
        host = None
    if not isinstance(base_path, str) or (base_path and not base_path.startswith("/")):
        findings.warning(
            "invalid-server", "/basePath", f"basePath must start with '/': {shorten(base_path)}"
        )
        base_path = ""
    if host is None:
        return [Server(url=base_path or "/")]
    schemes = document.get("schemes")
    if isinstance(schemes, list) and schemes and all(isinstance(s, str) for s in schemes):
        listed = [s.lower() for s in schemes]
    else:
        if schemes is not None:
            findings.warning("invalid-server", "/schemes", "schemes must be a list of schemes")
        read_with = source.split("://", 1)[0].lower() if "://" in source else ""
        if read_with in ("http", "https"):
            listed = [read_with]
        else:
            listed = ["https"]
            findings.info(
                "assumed-scheme",
                "/schemes",
                "no schemes, and the document was not read from a URL: https assumed",
            )
    return [Server(url=f"{scheme}://{host}{base_path}") for scheme in dict.fromkeys(listed)]

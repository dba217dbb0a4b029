"""A markdown summary of a version: what a reviewer reads first (Prefect artifact, CLI, notebooks)."""

from __future__ import annotations

from collections import Counter

from connectory.model.version import Action, ConnectorVersion

__all__ = ["action_target", "heading", "members", "summarize"]

MAX_ROWS = 50


def action_target(action: Action) -> str:
    """What an action sends, as its protocol names it: the method and path of an HTTP request
    (``GET /repos/{owner}``), the operation type and field of a GraphQL one (``query viewer``),
    the SOAP version and the SOAPAction of a SOAP one (``SOAP 1.1 http://tempuri.org/Add``; its
    operation when it has no SOAPAction): never the action's name again."""
    binding = action.binding
    if binding.kind == "http":
        return f"{binding.method} {binding.path}"
    if binding.kind == "graphql":
        return f"{binding.operation_type} {binding.field}"
    return f"SOAP {binding.soap_version} {binding.soap_action or binding.operation}"


def heading(version: ConnectorVersion) -> str:
    """``acme@1.0.0``; ``acme (inspected, not in the catalogue)`` for a version only inspected."""
    if version.version:
        return f"{version.connector}@{version.version}"
    return f"{version.connector} (inspected, not in the catalogue)"


def members(version: ConnectorVersion) -> str:
    """``15 actions, 0 triggers, 10 definitions, 1 auth method, 2 findings``."""
    counts = [
        (len(version.actions), "action"),
        (len(version.triggers), "trigger"),
        (len(version.definitions), "definition"),
        (len(version.auth_methods), "auth method"),
        (len(version.findings), "finding"),
    ]
    return ", ".join(f"{n} {noun}" if n == 1 else f"{n} {noun}s" for n, noun in counts)


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def summarize(version: ConnectorVersion) -> str:
    """Markdown: identity, counts, actions, auth methods, findings by kind."""
    lines = [
        f"# {heading(version)}: {_cell(version.title or '')}",
        "",
        f"- protocol: **{version.protocol}**, state: **{version.state}**",
        f"- source: `{version.source}`",
        f"- sha256: `{version.sha256}`",
        f"- {members(version)}",
    ]
    if version.metadata.protocol == "http" and version.metadata.servers:
        lines.append(f"- servers: {', '.join(f'`{s.url}`' for s in version.metadata.servers)}")
    if version.auth_methods:
        lines += ["", "## Auth methods", "", "| name | type |", "|---|---|"]
        lines += [f"| {_cell(m.name)} | {m.type} |" for m in version.auth_methods]
    if version.actions:
        lines += ["", "## Actions", "", "| action | calls | outputs |", "|---|---|---|"]
        for action in version.actions[:MAX_ROWS]:
            outputs = ", ".join(o.status for o in action.outputs)
            lines.append(f"| {_cell(action.name)} | `{_cell(action_target(action))}` | {outputs} |")
        if len(version.actions) > MAX_ROWS:
            lines.append(f"| ... {len(version.actions) - MAX_ROWS} more | | |")
    if version.triggers:
        lines += ["", "## Triggers", "", "| trigger | kind |", "|---|---|"]
        lines += [f"| {_cell(t.name)} | {t.kind} |" for t in version.triggers[:MAX_ROWS]]
    if version.findings:
        counts = Counter((f.severity, f.kind) for f in version.findings)
        lines += [
            "",
            "## Findings",
            "",
            "| severity | kind | count | first at |",
            "|---|---|---|---|",
        ]
        for (severity, kind), count in sorted(counts.items()):
            first = next(f for f in version.findings if (f.severity, f.kind) == (severity, kind))
            lines.append(f"| {severity} | {kind} | {count} | `{_cell(first.location)}` |")
    return "\n".join(lines) + "\n"

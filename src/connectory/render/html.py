"""A version as HTML, for Jupyter: ``ConnectorVersion._repr_html_`` renders this.

Summary first, then the auth methods, the actions, the triggers, the findings grouped by kind and
the definitions, each definition a ``<details>`` element to open. Everything is escaped; long
content is cut with a note, so that a notebook stays small.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from html import escape

from connectory.model.version import ConnectorVersion, Definition

from .summary import action_target, heading

__all__ = ["version_html"]

MAX_DEFINITIONS = 300
MAX_DEFINITION_CHARS = 5_000
MAX_FINDINGS_PER_KIND = 50
_STYLE = (
    "<style>.cty table{border-collapse:collapse;font-size:12px}"
    ".cty td,.cty th{border-bottom:1px solid #ddd;padding:2px 8px;text-align:left}"
    ".cty .scroll{max-height:420px;overflow:auto}.cty pre{font-size:11px}</style>"
)


def _table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape('' if c is None else str(c))}</td>" for c in row) + "</tr>"
        for row in rows
    )
    return f"<div class='scroll'><table><tr>{head}</tr>{body}</table></div>"


def _definition(definition: Definition) -> str:
    content = (
        definition.content
        if isinstance(definition.content, str)
        else json.dumps(definition.content, indent=2)
    )
    if len(content) > MAX_DEFINITION_CHARS:
        content = content[:MAX_DEFINITION_CHARS] + f"\n... ({len(content):,} characters in all)"
    return (
        f"<details><summary>{escape(definition.name)} <small>({definition.format})</small>"
        f"</summary><pre>{escape(content)}</pre></details>"
    )


def version_html(version: ConnectorVersion) -> str:
    """The HTML view of ``version``."""
    parts = [_STYLE, "<div class='cty'>", _summary(version)]
    if version.auth_methods:
        parts += [
            "<h4>Auth methods</h4>",
            _table(["name", "type"], ((m.name, m.type) for m in version.auth_methods)),
        ]
    if version.actions:
        action_rows = (
            (a.name, action_target(a), " ".join(o.status for o in a.outputs), a.deprecated)
            for a in version.actions
        )
        parts += [
            "<h4>Actions</h4>",
            _table(["name", "calls", "outputs", "deprecated"], action_rows),
        ]
    if version.triggers:
        trigger_rows = ((t.name, t.kind, t.description or "") for t in version.triggers)
        parts += ["<h4>Triggers</h4>", _table(["name", "kind", "description"], trigger_rows)]
    if version.findings:
        parts += _findings(version)
    if version.changes:
        change_rows = ((c.level, c.kind, c.location, c.message) for c in version.changes)
        parts += [
            "<h4>Changes</h4>",
            _table(["level", "kind", "location", "message"], change_rows),
        ]
    if version.definitions:
        parts += _definitions(version)
    parts.append("</div>")
    return "".join(parts)


def _summary(version: ConnectorVersion) -> str:
    """The heading, the title and a one-row table of what the version holds."""
    counts = _table(
        ["source", "sha256", "actions", "triggers", "definitions", "findings"],
        [
            (
                version.source,
                version.sha256[:16] + "…",
                len(version.actions),
                len(version.triggers),
                len(version.definitions),
                len(version.findings),
            )
        ],
    )
    return (
        f"<h3>{escape(heading(version))} "
        f"<small>{escape(version.state)} · {escape(version.protocol)}</small></h3>"
        f"<p>{escape(version.title or '')}</p>" + counts
    )


def _findings(version: ConnectorVersion) -> list[str]:
    """The findings grouped by severity and kind, each group a ``<details>`` element (the first
    ``MAX_FINDINGS_PER_KIND`` of it)."""
    grouped = defaultdict(list)
    for finding in version.findings:
        grouped[(finding.severity, finding.kind)].append(finding)
    parts = ["<h4>Findings</h4>"]
    for (severity, kind), found in sorted(grouped.items()):
        shown_findings = found[:MAX_FINDINGS_PER_KIND]
        more = len(found) - len(shown_findings)
        finding_rows = ((f.location, f.message) for f in shown_findings)
        parts.append(
            f"<details><summary>{escape(severity)} · {escape(kind)} ({len(found)})</summary>"
            + _table(["location", "message"], finding_rows)
            + (f"<p>... {more} more</p>" if more else "")
            + "</details>"
        )
    return parts


def _definitions(version: ConnectorVersion) -> list[str]:
    """The first ``MAX_DEFINITIONS`` definitions, each a ``<details>`` element."""
    shown = version.definitions[:MAX_DEFINITIONS]
    parts = [f"<h4>Definitions ({len(version.definitions)})</h4><div class='scroll'>"]
    parts += [_definition(d) for d in shown]
    if len(version.definitions) > len(shown):
        parts.append(f"<p>... {len(version.definitions) - len(shown)} more</p>")
    parts.append("</div>")
    return parts

"""Rich rendering of catalogue records for the terminal (tables on stdout, notes on stderr)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from rich.console import Console
from rich.table import Table

from ..model import ConnectorVersion
from ..summary import action_target

__all__ = [
    "err",
    "out",
    "print_connectors",
    "print_onboarded",
    "print_version",
    "print_versions",
]

out = Console(highlight=False, soft_wrap=False)
err = Console(stderr=True, highlight=False, soft_wrap=True)
MAX_ROWS = 40


def _table(title: str, columns: Sequence[str]) -> Table:
    table = Table(title=title, title_justify="left", show_edge=False, pad_edge=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    return table


def _rows(table: Table, rows: Iterable[Sequence[Any]], total: int, what: str) -> None:
    for i, row in enumerate(rows):
        if i == MAX_ROWS:
            table.add_row(f"[dim]... {total - MAX_ROWS} more {what} (--json shows all)[/dim]")
            break
        table.add_row(*(("" if cell is None else str(cell)) for cell in row))


def print_version(version: ConnectorVersion) -> None:
    state_style = {"draft": "yellow", "published": "green", "deprecated": "red"}[version.state]
    out.print(
        f"[bold]{version.connector}@{version.version or '(not drafted)'}[/bold] "
        f"[{state_style}]{version.state}[/{state_style}]  {version.protocol}  "
        f"{version.title or ''}"
    )
    out.print(f"source   {version.source}")
    out.print(f"sha256   {version.sha256}")
    if version.metadata.protocol == "http" and version.metadata.servers:
        out.print("servers  " + ", ".join(s.url for s in version.metadata.servers))
    if version.published_at:
        out.print(f"published {version.published_at:%Y-%m-%d %H:%M:%S %Z}")
    out.print(
        f"{len(version.actions)} actions, {len(version.triggers)} triggers, "
        f"{len(version.definitions)} definitions, {len(version.auth_methods)} auth methods, "
        f"{len(version.findings)} findings\n"
    )
    if version.auth_methods:
        table = _table("Auth methods", ["name", "type"])
        _rows(
            table, ((m.name, m.type) for m in version.auth_methods), len(version.auth_methods), ""
        )
        out.print(table, "")
    if version.actions:
        table = _table("Actions", ["name", "calls", "outputs"])
        rows = (
            (a.name, action_target(a), " ".join(o.status for o in a.outputs))
            for a in version.actions
        )
        _rows(table, rows, len(version.actions), "actions")
        out.print(table, "")
    if version.triggers:
        table = _table("Triggers", ["name", "kind"])
        _rows(
            table, ((t.name, t.kind) for t in version.triggers), len(version.triggers), "triggers"
        )
        out.print(table, "")
    if version.findings:
        table = _table("Findings", ["severity", "kind", "count", "first at"])
        counts = Counter((f.severity, f.kind) for f in version.findings)
        firsts = {}
        for finding in version.findings:
            firsts.setdefault((finding.severity, finding.kind), finding.location)
        rows = ((s, k, n, firsts[(s, k)]) for (s, k), n in sorted(counts.items()))
        _rows(table, rows, len(counts), "kinds")
        out.print(table)


def print_connectors(connectors: Sequence[Any]) -> None:
    if not connectors:
        err.print(
            "The catalogue is empty: `connectory onboard SOURCE --name NAME` adds a connector."
        )
        return
    table = _table("Connectors", ["name", "protocol", "versions", "latest", "default", "title"])
    rows = (
        (c.name, c.protocol, c.version_count, c.latest_published, c.default_version, c.title)
        for c in connectors
    )
    _rows(table, rows, len(connectors), "connectors")
    out.print(table)


def print_versions(name: str, versions: Sequence[Any]) -> None:
    table = _table(f"Versions of {name}", ["version", "state", "actions", "findings", "created"])
    rows = (
        (v.label, v.state, v.action_count, v.finding_count, f"{v.created_at:%Y-%m-%d %H:%M}")
        for v in versions
    )
    _rows(table, rows, len(versions), "versions")
    out.print(table)


def print_onboarded(result: Any) -> None:
    """What onboarding left in the catalogue (a ``connectory_flows.Onboarded``)."""
    findings = ", ".join(f"{n} {s}" for s, n in sorted(result.findings.items())) or "no findings"
    verb = "Drafted" if result.created else "Unchanged (this document is already in)"
    out.print(
        f"{verb} [bold]{result.ref}[/bold], {result.state}: {result.actions} actions, "
        f"{result.triggers} triggers, {result.definitions} definitions, "
        f"{result.auth_methods} auth methods; {findings}.",
        soft_wrap=True,
    )
    out.print(f"Details: connectory show {result.ref}")

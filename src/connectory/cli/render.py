"""Rich rendering of catalogue records for the terminal (tables on stdout, notes on stderr)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from connectory.model.auth import CustomRequestAuth
    from connectory.model.version import ConnectorVersion

__all__ = [
    "err",
    "out",
    "print_boards",
    "print_changes",
    "print_connectors",
    "print_impacts",
    "print_onboarded",
    "print_reintrospected",
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


def _text(cell: Any) -> Text:
    """A cell of data: shown as it is, never read as markup (document text has brackets)."""
    return cell if isinstance(cell, Text) else Text("" if cell is None else str(cell))


def _rows(table: Table, rows: Iterable[Sequence[Any]], total: int, what: str) -> None:
    for i, row in enumerate(rows):
        if i == MAX_ROWS:
            table.add_row(f"[dim]... {total - MAX_ROWS} more {what} (--json shows all)[/dim]")
            break
        table.add_row(*(_text(cell) for cell in row))


def print_version(version: ConnectorVersion) -> None:
    _print_summary(version)
    _print_members(version)


def _print_summary(version: ConnectorVersion) -> None:
    """The version's heading, source, state and how many of each thing it holds."""
    state_style = {"draft": "yellow", "published": "green", "deprecated": "red"}[version.state]
    out.print(
        f"[bold]{version.connector}@{version.version or '(not drafted)'}[/bold] "
        f"[{state_style}]{version.state}[/{state_style}]  {version.protocol}  "
        f"{escape(version.title or '')}"
    )
    out.print(f"source   {escape(version.source)}")
    out.print(f"sha256   {version.sha256}")
    if version.metadata.protocol == "http" and version.metadata.servers:
        out.print("servers  " + escape(", ".join(s.url for s in version.metadata.servers)))
    if version.published_at:
        out.print(f"published {version.published_at:%Y-%m-%d %H:%M:%S %Z}")
    if version.state == "deprecated":
        instead = f", replaced by {escape(version.replacement)}" if version.replacement else ""
        out.print(f"deprecated: sunset {version.sunset or 'not set'}{instead}")
    if version.changes:
        counts = Counter(change.level for change in version.changes)
        out.print(
            "changes  "
            + ", ".join(f"{counts[level]} {level}" for level in ("breaking", "dangerous", "safe"))
            + " (--json shows them)"
        )
    out.print(
        f"{len(version.actions)} actions, {len(version.triggers)} triggers, "
        f"{len(version.definitions)} definitions, {len(version.auth_methods)} auth methods, "
        f"{len(version.findings)} findings\n"
    )


def _print_members(version: ConnectorVersion) -> None:
    """A table each of the auth methods, actions, triggers and findings (by kind) it has."""
    from connectory.model.auth import CustomRequestAuth
    from connectory.render.summary import action_target

    if version.auth_methods:
        table = _table("Auth methods", ["name", "type"])
        _rows(
            table, ((m.name, m.type) for m in version.auth_methods), len(version.auth_methods), ""
        )
        out.print(table, "")
        for method in version.auth_methods:
            if isinstance(method, CustomRequestAuth):
                _print_login(method)
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
        kind_counts = Counter((f.severity, f.kind) for f in version.findings)
        firsts: dict[tuple[str, str], str] = {}
        for finding in version.findings:
            firsts.setdefault((finding.severity, finding.kind), finding.location)
        kind_rows = ((s, k, n, firsts[(s, k)]) for (s, k), n in sorted(kind_counts.items()))
        _rows(table, kind_rows, len(kind_counts), "kinds")
        out.print(table)


def _print_login(method: CustomRequestAuth) -> None:
    """The steps of a login: each request (its URL without the query, which may carry
    placeholders for secrets) and what is taken out of its answer; never a template's values."""
    table = _table(f"Login {method.name}", ["step", "method", "url", "extracts"])
    rows = (
        (
            step.name,
            step.request.method,
            step.request.url.split("?", 1)[0],
            ", ".join(f"{rule.name} ({rule.source})" for rule in step.extract),
        )
        for step in method.all_steps()
    )
    _rows(table, rows, len(method.steps) + 1, "steps")
    out.print(table)
    expiry = (
        f"expires: {method.expiry_from} ({method.expiry_format})"
        if method.expiry_from
        else f"expires: after {method.expires_in_seconds} s"
        if method.expires_in_seconds
        else "expires: when the API says so"
    )
    again = " ".join(str(status) for status in method.relogin_on) or "never"
    if method.relogin_when is not None:
        again += f", or {method.relogin_when.source} {method.relogin_when.path}"
    out.print(escape(f"{expiry}; logs in again on: {again}") + "\n")


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
    columns = ["version", "state", "actions", "findings", "created"]
    deprecations = any(v.sunset or v.replacement for v in versions)
    if deprecations:
        columns += ["sunset", "replacement"]
    table = _table(f"Versions of {name}", columns)
    rows = (
        (v.label, v.state, v.action_count, v.finding_count, f"{v.created_at:%Y-%m-%d %H:%M}")
        + ((v.sunset, v.replacement) if deprecations else ())
        for v in versions
    )
    _rows(table, rows, len(versions), "versions")
    out.print(table)


_LEVEL_STYLES = {"breaking": "red", "dangerous": "yellow", "safe": "green"}


def print_changes(
    changes: Sequence[Any], *, limit: int | None = None, console: Console = out
) -> None:
    """Changes (``connectory.model.Change``) as a table: level, kind, location, message."""
    table = _table("", ["level", "kind", "location", "message"])
    for i, change in enumerate(changes):
        if limit is not None and i == limit:
            table.add_row(f"[dim]... {len(changes) - limit} more[/dim]")
            break
        style = _LEVEL_STYLES.get(change.level, "")
        level = f"[{style}]{change.level}[/{style}]" if style else change.level
        table.add_row(
            level, *(_text(cell) for cell in (change.kind, change.location, change.message))
        )
    console.print(table)


def print_impacts(impacts: Sequence[Any], *, console: Console = err) -> None:
    """The blast radius of a version (``connectory.catalog.BoardImpact``): each board, whether it
    is deployed, how it names the version, and the actions of it that the board uses."""
    for impact in impacts:
        state = "deployed" if impact.deployed else "not deployed"
        actions = ", ".join(impact.actions) if impact.actions else "every action"
        console.print(
            f"  board {impact.board} ({state}, via {', '.join(impact.via)}): {escape(actions)}",
            soft_wrap=True,
        )


def print_boards(boards: Sequence[Any]) -> None:
    """Boards (``connectory.model.Board``): state, and each version used with its actions."""
    table = _table("Boards", ["board", "state", "uses", "note"])
    for board in boards:
        uses = []
        for use in board.uses:
            label = use.version
            if use.resolved_version and use.resolved_version != use.version:
                label = f"{use.version} -> {use.resolved_version}"
            actions = ", ".join(use.actions) if use.actions else "every action"
            uses.append(f"{use.connector}@{label}: {actions}")
        state = "[green]deployed[/green]" if board.deployed else "not deployed"
        table.add_row(
            board.name, state, _text("\n".join(uses)), _text(board.undeployed_reason or "")
        )
    out.print(table)


def counted(count: int, noun: str) -> str:
    """``1 version``, ``2 versions``: a count and its noun, agreeing (``noun`` is singular)."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def print_onboarded(result: Any) -> None:
    """What onboarding left in the catalogue (a ``connectory_flows.Onboarded``)."""
    findings = ", ".join(counted(n, s) for s, n in sorted(result.findings.items())) or "no findings"
    verb = "Drafted" if result.created else "Unchanged (this document is already in)"
    out.print(
        f"{verb} [bold]{result.ref}[/bold], {result.state}: {result.actions} actions, "
        f"{result.triggers} triggers, {result.definitions} definitions, "
        f"{result.auth_methods} auth methods; {findings}.",
        soft_wrap=True,
    )
    auth = getattr(result, "auth", None)
    if auth is not None:
        style = {"passed": "green", "failed": "red", "skipped": "yellow"}[auth.status]
        out.print(
            f"Auth check: [{style}]{auth.status}[/{style}]: {escape(auth.message)}", soft_wrap=True
        )
    out.print(f"Details: connectory show {result.ref}")


def print_reintrospected(result: Any) -> None:
    """Per-connector outcomes of a ``reintrospect`` run (a ``connectory_flows.Reintrospected``)."""
    if not result.outcomes:
        err.print("No GraphQL connector with an endpoint to re-introspect.")
        return
    styles = {"unchanged": "dim", "drafted": "green", "reverted": "yellow", "failed": "red"}
    for outcome in result.outcomes:
        style = styles[outcome.status]
        connector, _, rest = str(outcome).partition(": ")
        out.print(f"{connector}: [{style}]{escape(rest)}[/{style}]", soft_wrap=True)


def print_checks(checks: Sequence[Any]) -> None:
    """The acceptance checks of a version: status, name, message, and the first details."""
    styles = {"passed": "green", "failed": "red", "skipped": "dim"}
    table = _table("Acceptance checks", ["status", "check", "result"])
    for check in checks:
        style = styles[check.status]
        details = "".join(f"\n  {d}" for d in check.details[:5])
        table.add_row(
            f"[{style}]{check.status}[/{style}]", _text(check.name), _text(check.message + details)
        )
    out.print(table)


def print_vettings(vettings: Sequence[Any]) -> None:
    if not vettings:
        err.print("No vetting recorded: `connectory vet NAME@VERSION --verdict ...` records one.")
        return
    table = _table("Vettings", ["when", "version", "verdict", "reviewer", "checks", "notes"])
    rows = (
        (
            f"{v.vetted_at:%Y-%m-%d %H:%M}",
            f"{v.connector}@{v.version}",
            v.verdict.replace("_", " "),
            v.reviewer,
            " ".join(f"{c.status[0]}" for c in v.checks),
            v.notes,
        )
        for v in vettings
    )
    _rows(table, rows, len(vettings), "vettings")
    out.print(table)


def print_deliveries(deliveries: Sequence[Any]) -> None:
    """A connector's webhook inbox (``connectory.runtime.deliveries.Delivery``), newest first."""
    if not deliveries:
        err.print(
            "No delivery received: systems deliver to POST /hooks/NAME/TRIGGER (connectory serve)."
        )
        return
    table = _table("Deliveries", ["when", "version", "trigger", "verified", "problems", "payload"])
    rows = (
        (
            f"{d.received_at:%Y-%m-%d %H:%M:%S}",
            f"{d.connector}@{d.version}",
            d.trigger,
            "yes" if d.verified else "no",
            "; ".join(d.problems[:3]) or "none",
            str(d.payload)[:80],
        )
        for d in deliveries
    )
    _rows(table, rows, len(deliveries), "deliveries")
    out.print(table)

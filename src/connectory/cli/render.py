"""Rich rendering of catalogue records for the terminal (tables on stdout, notes on stderr)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.text import Text

from connectory._wording import protocol_name
from connectory.model.auth import CustomRequestAuth
from connectory.model.version import ConnectorVersion
from connectory.render.summary import action_target, heading, members

from .tables import Column, print_table

__all__ = [
    "CHANGES_SHOWN",
    "checks_summary",
    "counted",
    "err",
    "level_counts",
    "out",
    "print_boards",
    "print_change_summary",
    "print_changes",
    "print_checks",
    "print_connectors",
    "print_deliveries",
    "print_impacts",
    "print_onboarded",
    "print_reintrospected",
    "print_version",
    "print_versions",
    "print_vettings",
    "shortened",
]

out = Console(highlight=False, soft_wrap=False)
err = Console(stderr=True, highlight=False, soft_wrap=True)

_LEVELS = ("breaking", "dangerous", "safe")
_LEVEL_STYLES = {"breaking": "red", "dangerous": "yellow", "safe": "green"}
_STATUS_STYLES = {"passed": "green", "failed": "red", "skipped": "dim"}
CHANGES_SHOWN = 20
"""Changes listed by ``diff`` and by a refused ``publish`` unless told otherwise (``--all``)."""


def _styled(word: str, styles: dict[str, str]) -> Text:
    return Text(word, style=styles.get(word, ""))


def print_version(version: ConnectorVersion) -> None:
    _print_summary(version)
    _print_members(version)


def _print_summary(version: ConnectorVersion) -> None:
    """The version's heading, source, state and how many of each thing it holds."""
    state_style = {"draft": "yellow", "published": "green", "deprecated": "red"}[version.state]
    state = f" [{state_style}]{version.state}[/{state_style}]" if version.version else ""
    out.print(
        f"[bold]{escape(heading(version))}[/bold]{state}  {protocol_name(version.protocol)}  "
        f"{escape(version.title or '')}",
        soft_wrap=True,
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
        out.print(f"changes  {level_counts(version.changes)} (--json shows them)")
    out.print(f"{members(version)}\n")


def _print_members(version: ConnectorVersion) -> None:
    """A table each of the auth methods, actions, triggers and findings (by kind) it has."""
    rows: list[tuple[Any, ...]]
    if version.auth_methods:
        rows = [(m.name, m.type) for m in version.auth_methods]
        print_table(
            out, [Column("name", "name"), Column("type", "tag")], rows, title="Auth methods"
        )
        out.print()
        for method in version.auth_methods:
            if isinstance(method, CustomRequestAuth):
                _print_login(method)
    if version.actions:
        columns = [Column("name", "name"), Column("calls", "path"), Column("outputs")]
        rows = [
            (a.name, action_target(a), " ".join(o.status for o in a.outputs))
            for a in version.actions
        ]
        print_table(out, columns, rows, title="Actions", what="actions")
        out.print()
    if version.triggers:
        rows = [(t.name, t.kind) for t in version.triggers]
        columns = [Column("name", "name"), Column("kind", "tag")]
        print_table(out, columns, rows, title="Triggers", what="triggers")
        out.print()
    if version.findings:
        kind_counts = Counter((f.severity, f.kind) for f in version.findings)
        firsts: dict[tuple[str, str], str] = {}
        for finding in version.findings:
            firsts.setdefault((finding.severity, finding.kind), finding.location)
        columns = [
            Column("severity", "tag"),
            Column("kind", "tag"),
            Column("count", "tag", justify="right"),
            Column("first at", "path"),
        ]
        rows = [(s, k, n, firsts[(s, k)]) for (s, k), n in sorted(kind_counts.items())]
        print_table(out, columns, rows, title="Findings", what="kinds")


def _print_login(method: CustomRequestAuth) -> None:
    """The steps of a login: each request (its URL without the query, which may carry
    placeholders for secrets) and what is taken out of its answer; never a template's values."""
    columns = [
        Column("step", "name"),
        Column("method", "tag"),
        Column("url", "path"),
        Column("extracts"),
    ]
    rows = [
        (
            step.name,
            step.request.method,
            step.request.url.split("?", 1)[0],
            ", ".join(f"{rule.name} ({rule.source})" for rule in step.extract),
        )
        for step in method.all_steps()
    ]
    print_table(out, columns, rows, title=f"Login {method.name}", what="steps")
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
    columns = [
        Column("name", "name"),
        Column("protocol", "tag"),
        Column("versions", "tag", justify="right"),
        Column("latest", "name"),
        Column("default", "name"),
        Column("title"),
    ]
    rows = [
        (
            c.name,
            protocol_name(c.protocol),
            c.version_count,
            c.latest_published or "none",
            c.default_version or "latest",
            c.title,
        )
        for c in connectors
    ]
    print_table(out, columns, rows, title="Connectors", what="connectors")


def print_versions(name: str, versions: Sequence[Any]) -> None:
    columns = [
        Column("version", "name"),
        Column("state", "tag"),
        Column("actions", "tag", justify="right"),
        Column("findings", "tag", justify="right"),
        Column("created", "tag"),
    ]
    deprecations = any(v.sunset or v.replacement for v in versions)
    if deprecations:
        columns += [Column("sunset", "tag"), Column("replacement", "name")]
    rows = [
        (v.label, v.state, v.action_count, v.finding_count, f"{v.created_at:%Y-%m-%d %H:%M}")
        + ((v.sunset, v.replacement) if deprecations else ())
        for v in versions
    ]
    print_table(out, columns, rows, title=f"Versions of {name}", what="versions")


def level_counts(changes: Sequence[Any]) -> str:
    """``95 breaking, 273 dangerous, 1338 safe``."""
    counts = Counter(change.level for change in changes)
    return ", ".join(f"{counts[level]} {level}" for level in _LEVELS)


def print_change_summary(changes: Sequence[Any], *, console: Console = out) -> None:
    """How many changes of each level, and of each kind within it (the most frequent first)."""
    by_level: dict[str, Counter[str]] = {level: Counter() for level in _LEVELS}
    for change in changes:
        by_level.setdefault(change.level, Counter())[change.kind] += 1
    rows = [
        (
            _styled(level, _LEVEL_STYLES),
            sum(kinds.values()),
            ", ".join(f"{n} {kind}" for kind, n in kinds.most_common()),
        )
        for level, kinds in by_level.items()
        if kinds
    ]
    columns = [
        Column("level", "tag"),
        Column("count", "tag", justify="right"),
        Column("kinds", separator=", "),
    ]
    print_table(console, columns, rows, header=False)


def print_changes(
    changes: Sequence[Any],
    *,
    limit: int | None = CHANGES_SHOWN,
    see_all: str = "",
    console: Console = out,
) -> None:
    """A change report: the counts by level and kind, then at most ``limit`` changes
    (``connectory.model.Change``; None: all), breaking first, then how many were left out and
    ``see_all``, how to see them. ``diff`` and a refused ``publish`` print this."""
    print_change_summary(changes, console=console)
    if not changes:
        return
    rank = {level: i for i, level in enumerate(_LEVELS)}
    ordered = sorted(changes, key=lambda change: rank.get(change.level, len(rank)))
    shown = ordered if limit is None else ordered[:limit]
    columns = [
        Column("level", "tag"),
        Column("kind", "tag"),
        Column("location", "path"),
        Column("message"),
    ]
    rows = [(_styled(c.level, _LEVEL_STYLES), c.kind, c.location, c.message) for c in shown]
    console.print()
    print_table(console, columns, rows, what="changes", limit=len(rows))
    left_out = len(changes) - len(shown)
    if left_out:
        how = f": {see_all}" if see_all else ""
        console.print(
            f"{len(shown)} of {counted(len(changes), 'change')} shown (breaking first); "
            f"{left_out} left out{how}.",
            soft_wrap=True,
            markup=False,
        )


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
    rows = []
    for board in boards:
        uses = []
        for use in board.uses:
            label = use.version
            if use.resolved_version and use.resolved_version != use.version:
                label = f"{use.version} -> {use.resolved_version}"
            actions = ", ".join(use.actions) if use.actions else "every action"
            uses.append(f"{use.connector}@{label}: {actions}")
        state = Text("deployed", style="green") if board.deployed else "not deployed"
        rows.append((board.name, state, "\n".join(uses), board.undeployed_reason or ""))
    columns = [Column("board", "name"), Column("state", "tag"), Column("uses"), Column("note")]
    print_table(out, columns, rows, title="Boards", what="boards")


def counted(count: int, noun: str) -> str:
    """``1 version``, ``2 versions``: a count and its noun, agreeing (``noun`` is singular)."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def print_onboarded(result: Any) -> None:
    """What onboarding left in the catalogue (a ``connectory_flows.Onboarded``)."""
    findings = ", ".join(counted(n, s) for s, n in sorted(result.findings.items())) or "no findings"
    verb = "Drafted" if result.created else "Unchanged (this document is already in)"
    out.print(
        f"{verb} [bold]{result.ref}[/bold], {result.state}: {counted(result.actions, 'action')}, "
        f"{counted(result.triggers, 'trigger')}, {counted(result.definitions, 'definition')}, "
        f"{counted(result.auth_methods, 'auth method')}; {findings}.",
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
    rows = [
        (
            _styled(check.status, _STATUS_STYLES),
            check.name,
            check.message + "".join(f"\n- {d}" for d in check.details[:5]),
        )
        for check in checks
    ]
    columns = [Column("status", "tag"), Column("check", "tag"), Column("result")]
    print_table(out, columns, rows, title="Acceptance checks", what="checks")


def checks_summary(checks: Sequence[Any]) -> str:
    """``5 passed, 1 failed (diff-reviewed), 2 skipped``: a vetting's checks in words."""
    counts = Counter(check.status for check in checks)
    failed = [check.name for check in checks if check.status == "failed"]
    parts = [
        f"{counts[status]} {status}" + (f" ({', '.join(failed)})" if status == "failed" else "")
        for status in ("passed", "failed", "skipped")
        if counts[status]
    ]
    return ", ".join(parts) or "none run"


def print_vettings(vettings: Sequence[Any]) -> None:
    if not vettings:
        err.print("No vetting recorded: `connectory vet NAME@VERSION --verdict ...` records one.")
        return
    columns = [
        Column("when", "tag"),
        Column("version", "name"),
        Column("verdict", "tag"),
        Column("reviewer", "name"),
        Column("checks"),
        Column("notes"),
    ]
    rows = [
        (
            f"{v.vetted_at:%Y-%m-%d %H:%M}",
            f"{v.connector}@{v.version}",
            v.verdict,
            v.reviewer,
            checks_summary(v.checks),
            v.notes,
        )
        for v in vettings
    ]
    print_table(out, columns, rows, title="Vettings", what="vettings")


def print_deliveries(deliveries: Sequence[Any]) -> None:
    """A connector's webhook inbox (``connectory.runtime.deliveries.Delivery``), newest first."""
    if not deliveries:
        err.print(
            "No delivery received: systems deliver to POST /hooks/NAME/TRIGGER (connectory serve)."
        )
        return
    columns = [
        Column("when", "tag"),
        Column("version", "name"),
        Column("trigger", "name"),
        Column("verified", "tag"),
        Column("problems"),
        Column("payload"),
    ]
    rows = [
        (
            f"{d.received_at:%Y-%m-%d %H:%M:%S}",
            f"{d.connector}@{d.version}",
            d.trigger,
            "yes" if d.verified else "no",
            "; ".join(d.problems[:3]) or "none",
            shortened(_payload(d.payload), 80),
        )
        for d in deliveries
    ]
    print_table(out, columns, rows, title="Deliveries", what="deliveries")


def _payload(payload: Any) -> str:
    if isinstance(payload, str):
        return payload
    return json.dumps(payload, ensure_ascii=False, default=str)


def shortened(text: str, most: int) -> str:
    """``text`` cut to at most ``most`` characters, saying so with ``…``."""
    return text if len(text) <= most else text[: most - 1] + "…"

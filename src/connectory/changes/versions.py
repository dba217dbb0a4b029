"""What every protocol's comparison shares: actions, triggers, auth, answers, and the plug for the
protocol's own part (``Differ``).

Actions are matched by name, since boards name the actions they use. An action that disappeared
while one with the same protocol key appeared (the same HTTP method and path, the same SOAP
service, port and operation) was renamed: ``action-renamed``, and the two are compared as one.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field

from connectory.model.version import Action, ActionOutput, ConnectorVersion, Definition, Trigger

from . import auth
from .report import Report, child
from .schemas import SchemaComparer

__all__ = ["Context", "Differ", "compare_outputs", "compare_versions"]


@dataclass
class Context:
    """One comparison: the two versions, the report, and the schema comparer over their
    definitions."""

    old: ConnectorVersion
    new: ConnectorVersion
    report: Report = field(default_factory=Report)
    schemas: SchemaComparer = field(init=False)

    def __post_init__(self) -> None:
        self.schemas = SchemaComparer(
            _by_name(self.old.definitions), _by_name(self.new.definitions), self.report
        )


def _by_name(definitions: Sequence[Definition]) -> dict[str, Definition]:
    return {definition.name: definition for definition in definitions}


@dataclass(frozen=True)
class Differ:
    """A protocol's part of the comparison.

    ``key``: how an action is recognised across a rename. ``version``: the protocol metadata
    (HTTP servers, SOAP endpoints...). ``action``: two actions of the same name (or a renamed
    pair), at ``location`` (``actions/<name>``): binding, input and outputs.
    """

    key: Callable[[Action], Hashable]
    version: Callable[[Context], None]
    action: Callable[[Context, Action, Action, str], None]


def compare_versions(context: Context, differ: Differ) -> None:
    """Everything common to all protocols, with ``differ`` for the protocol's part."""
    old, new, report = context.old, context.new, context.report
    auth.compare_methods(report, old.auth_methods, new.auth_methods)
    auth.compare_origins(report, old, new)
    auth.compare_requirements(
        report, old.default_auth, new.default_auth, "default_auth", "every action by default"
    )
    differ.version(context)
    _compare_actions(context, differ)
    _compare_triggers(context)
    context.schemas.run()


def _compare_actions(context: Context, differ: Differ) -> None:
    before = {a.name: a for a in context.old.actions}
    after = {a.name: a for a in context.new.actions}
    removed = [name for name in before if name not in after]
    added = [name for name in after if name not in before]
    by_key: dict[Hashable, list[str]] = {}
    for name in added:
        by_key.setdefault(differ.key(after[name]), []).append(name)
    renamed: dict[str, str] = {}
    for name in removed:
        candidates = by_key.get(differ.key(before[name]))
        if candidates:
            renamed[name] = candidates.pop(0)
    report = context.report
    for name in removed:
        if name in renamed:
            new_name = renamed[name]
            message = f"action {name!r} is now called {new_name!r}"
            report.add("action-renamed", child("actions", new_name), message)
            _compare_action(context, differ, before[name], after[new_name])
        else:
            report.add("action-removed", child("actions", name), f"action {name!r} removed")
    targets = set(renamed.values())
    for name in added:
        if name not in targets:
            report.add("action-added", child("actions", name), f"action {name!r} added")
    for name in before:
        if name in after:
            _compare_action(context, differ, before[name], after[name])


def _compare_action(context: Context, differ: Differ, old: Action, new: Action) -> None:
    location = child("actions", new.name)
    if new.deprecated and not old.deprecated:
        context.report.add("action-deprecated", location, f"action {new.name!r} is deprecated")
    if old.auth is not None or new.auth is not None:
        auth.compare_requirements(
            context.report,
            auth.effective(old, context.old.default_auth),
            auth.effective(new, context.new.default_auth),
            child(location, "auth"),
            f"action {new.name!r}",
        )
    differ.action(context, old, new, location)


def _success(outputs: Sequence[ActionOutput], is_success: Callable[[str], bool]) -> set[str]:
    """The success answers; ``default`` is one when no other success answer is declared."""
    found = {o.status for o in outputs if is_success(o.status)}
    if not found and any(o.status == "default" for o in outputs):
        found.add("default")
    return found


def compare_outputs(
    context: Context, old: Action, new: Action, location: str, is_success: Callable[[str], bool]
) -> None:
    """Compare the answers of two actions, matched by status (``200``, ``4XX``, a fault...)."""
    report, schemas = context.report, context.schemas
    before = {o.status: o for o in old.outputs}
    after = {o.status: o for o in new.outputs}
    success = _success(old.outputs, is_success) | _success(new.outputs, is_success)
    for status in sorted(before.keys() - after.keys()):
        kind = "response-removed" if status in success else "error-response-removed"
        report.add(kind, child(location, "output", status), f"answer {status} removed")
    for status in sorted(after.keys() - before.keys()):
        kind = "response-added" if status in success else "error-response-added"
        report.add(kind, child(location, "output", status), f"answer {status} added")
    for status in sorted(before.keys() & after.keys()):
        where = child(location, "output", status)
        old_output, new_output = before[status], after[status]
        for media in sorted(set(old_output.media_types) - set(new_output.media_types)):
            report.add("response-media-type-removed", where, f"media type {media} removed")
        for media in sorted(set(new_output.media_types) - set(old_output.media_types)):
            report.add("response-media-type-added", where, f"media type {media} added")
        if old_output.schema_ is not None and new_output.schema_ is None:
            kind = "response-body-removed" if status in success else "error-response-removed"
            report.add(kind, where, f"answer {status} has no body any more")
        elif old_output.schema_ is None and new_output.schema_ is not None:
            report.add("response-body-added", where, f"answer {status} has a body now")
        elif old_output.schema_ is not None:
            schemas.compare(old_output.schema_, new_output.schema_, child(where, "body"), "output")
        for name in sorted(old_output.headers.keys() - new_output.headers.keys()):
            report.add(
                "response-header-removed", child(where, "headers", name), f"header {name} removed"
            )
        for name in sorted(new_output.headers.keys() - old_output.headers.keys()):
            report.add(
                "response-header-added", child(where, "headers", name), f"header {name} added"
            )
        for name in sorted(old_output.headers.keys() & new_output.headers.keys()):
            schemas.compare(
                old_output.headers[name],
                new_output.headers[name],
                child(where, "headers", name),
                "output",
            )


def _compare_triggers(context: Context) -> None:
    report, schemas = context.report, context.schemas
    before: dict[str, Trigger] = {t.name: t for t in context.old.triggers}
    after: dict[str, Trigger] = {t.name: t for t in context.new.triggers}
    for name in sorted(before.keys() - after.keys()):
        report.add("trigger-removed", child("triggers", name), f"trigger {name!r} removed")
    for name in sorted(after.keys() - before.keys()):
        report.add("trigger-added", child("triggers", name), f"trigger {name!r} added")
    for name in sorted(before.keys() & after.keys()):
        old, new = before[name], after[name]
        location = child("triggers", name)
        if old.kind != new.kind:
            report.add("trigger-changed", location, f"kind changed from {old.kind} to {new.kind}")
        if old.verification != new.verification:
            report.add("trigger-changed", child(location, "verification"), "verification changed")
        if old.binding != new.binding:
            report.add("trigger-binding-changed", child(location, "binding"), "binding changed")
        schemas.compare(old.payload, new.payload, child(location, "payload"), "output")

"""HTTP: servers, and each action's route, parameters, request body and responses.

An HTTP action's input is an object of ``path``, ``query``, ``header``, ``cookie`` (each an object
of parameters) and ``body``; comparing it as a schema in the input direction reports parameters
added, removed, made required and retyped, at ``actions/<name>/input/<location>/<parameter>``.
What the schema cannot say is compared here: the method and path template, how parameters are
serialised (style, explode, media type), the request media types, servers (the version's, and an
action's own), and the responses (``versions.compare_outputs``; success is a 2XX status).
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Sequence

from connectory.changes.report import Report, child
from connectory.changes.versions import Context, Differ, compare_outputs
from connectory.model.version import Action, HttpBinding, HttpMetadata, Server, ServerVariable

__all__ = ["DIFFER"]

_TEMPLATE = re.compile(r"\{[^{}]*\}")
_BINDING_FIELDS = frozenset(
    {"kind", "method", "path", "parameters", "request_media_types", "body_required", "servers"}
)


def _route(binding: HttpBinding) -> tuple[str, str]:
    """The method and the path template with its variables unnamed: ``GET /repos/{}/{}``."""
    return binding.method, _TEMPLATE.sub("{}", binding.path)


def _key(action: Action) -> Hashable:
    binding = action.binding
    return _route(binding) if isinstance(binding, HttpBinding) else ("?", action.name)


def _is_success(status: str) -> bool:
    return status.startswith("2")


def compare_servers(
    report: Report, old: Sequence[Server], new: Sequence[Server], location: str
) -> None:
    """Compare two server lists: by URL; the first one is the default."""
    before = {s.url: s for s in old}
    after = {s.url: s for s in new}
    for url in sorted(before.keys() - after.keys()):
        report.add("server-removed", location, f"server {url} removed")
    for url in sorted(after.keys() - before.keys()):
        report.add("server-added", location, f"server {url} added")
    if old and new and old[0].url != new[0].url:
        message = f"the default server changed from {old[0].url} to {new[0].url}"
        report.add("default-server-changed", location, message)
    for url in sorted(before.keys() & after.keys()):
        old_vars, new_vars = before[url].variables, after[url].variables
        where = child(location, url, "variables")
        for name in sorted(old_vars.keys() - new_vars.keys()):
            report.add("server-variable-removed", where, f"{url}: variable {name} removed")
        for name in sorted(new_vars.keys() - old_vars.keys()):
            report.add("server-variable-added", where, f"{url}: variable {name} added")
        for name in sorted(old_vars.keys() & new_vars.keys()):
            _compare_variable(report, url, name, old_vars[name], new_vars[name], where)


def _compare_variable(
    report: Report,
    url: str,
    name: str,
    old_var: ServerVariable,
    new_var: ServerVariable,
    where: str,
) -> None:
    """A server variable in both versions: its default, and the values its enum allows."""
    if old_var.default != new_var.default:
        message = (
            f"{url}: default of {name} changed from {old_var.default!r} to {new_var.default!r}"
        )
        report.add("server-variable-default-changed", child(where, name), message)
    if old_var.enum is not None or new_var.enum is not None:
        old_values = set(old_var.enum or ())
        new_values = set(new_var.enum or ())
        if new_var.enum is not None:
            for value in sorted(old_values - new_values):
                message = f"{url}: value {value!r} of {name} removed"
                report.add("server-variable-value-removed", child(where, name), message)
        if old_var.enum is not None:
            for value in sorted(new_values - old_values):
                message = f"{url}: value {value!r} of {name} added"
                report.add("server-variable-value-added", child(where, name), message)


def _version(context: Context) -> None:
    old, new = context.old.metadata, context.new.metadata
    if isinstance(old, HttpMetadata) and isinstance(new, HttpMetadata):
        compare_servers(context.report, old.servers, new.servers, "servers")


def _servers(context: Context, binding: HttpBinding, version: object) -> list[Server]:
    if binding.servers:
        return list(binding.servers)
    return list(version.servers) if isinstance(version, HttpMetadata) else []


def _action(context: Context, old: Action, new: Action, location: str) -> None:
    before, after = old.binding, new.binding
    report = context.report
    if not isinstance(before, HttpBinding) or not isinstance(after, HttpBinding):
        report.add("binding-changed", child(location, "binding"), "binding kind changed")
        return
    if before.method != after.method:
        message = f"method changed from {before.method} to {after.method}"
        report.add("http-method-changed", location, message)
    if _route(before)[1] != _route(after)[1]:
        report.add(
            "http-path-changed", location, f"path changed from {before.path} to {after.path}"
        )
    old_params = {(p.location, p.name): p for p in before.parameters}
    for param in after.parameters:
        previous = old_params.get((param.location, param.name))
        if previous is None:
            continue
        changed = [
            key
            for key in ("style", "explode", "media_type")
            if getattr(previous, key) != getattr(param, key)
        ]
        if changed:
            where = child(location, "input", param.location, param.name)
            message = f"{param.location} parameter {param.name!r}: {', '.join(changed)} changed"
            report.add("parameter-serialization-changed", where, message)
    where = child(location, "input", "body")
    for media in sorted(set(before.request_media_types) - set(after.request_media_types)):
        report.add("request-media-type-removed", where, f"request media type {media} removed")
    for media in sorted(set(after.request_media_types) - set(before.request_media_types)):
        report.add("request-media-type-added", where, f"request media type {media} added")
    if before.servers or after.servers:
        compare_servers(
            report,
            _servers(context, before, context.old.metadata),
            _servers(context, after, context.new.metadata),
            child(location, "servers"),
        )
    extra_before = before.model_dump(exclude=set(_BINDING_FIELDS))
    extra_after = after.model_dump(exclude=set(_BINDING_FIELDS))
    if extra_before != extra_after:
        report.add("binding-changed", child(location, "binding"), "the HTTP binding changed")
    context.schemas.compare(old.input, new.input, child(location, "input"), "input")
    compare_outputs(context, old, new, location, _is_success)


DIFFER = Differ(key=_key, version=_version, action=_action)
"""The HTTP part of ``connectory.changes.diff``."""

"""Operations -> actions: one per method of every path item, in document order.

An action is named after its ``operationId``. Distinct operationIds are kept as they are; a repeated
one gets the first free suffix (``_2``, ``_3``...) and a ``duplicate-operation-id`` finding; an operation
without one gets a name made of its method and path (``get /repos/{owner}`` -> ``get_repos_owner``),
suffixed in the same way if taken.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Literal, NamedTuple, cast

from connectory.model.version import Action, HttpBinding

from . import _raw as raw
from . import _swagger as swagger
from ._bodies import request_body, responses
from ._context import Context
from ._naming import generated_name, unique_name
from ._pagination import pagination
from ._parameters import build_input, merge
from ._refs import child
from ._servers import servers
from .auth import requirements
from .findings import shorten

__all__ = ["METHODS", "Operation", "build_actions", "operations"]

Method = Literal["get", "put", "post", "delete", "options", "head", "patch", "trace"]
METHODS: tuple[Method, ...] = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


class Operation(NamedTuple):
    """An operation of a path item: under ``key`` (a path or a webhook name) in its map."""

    key: str
    method: str
    value: raw.Operation
    location: str
    path_item: raw.PathItem
    path_item_location: str
    via: str | None = None
    """The ``$ref`` through which the path item was reached, if it was."""
    parameters_location: str = ""
    """Where the path item's ``parameters`` are (beside its ``$ref``, or in the path item)."""


def _path_item(
    context: Context, value: raw.PathItem, location: str
) -> tuple[raw.PathItem, str] | None:
    resolved = context.resolver.follow(value, location, "path item")
    if resolved is None:
        return None
    if isinstance(value, Mapping) and "$ref" in value and len(value) > 1:
        # Siblings of a path item $ref: the specification leaves it open; they win here.
        siblings = {k: v for k, v in value.items() if k != "$ref"}
        return cast("raw.PathItem", {**resolved.value, **siblings}), resolved.location
    return resolved


def operations(context: Context, items: raw.Paths | None, location: str) -> Iterator[Operation]:
    """Every operation of a map of path items (``paths``, ``webhooks``, a callback); counted
    against ``settings.max_operations`` (all the maps of a description together)."""
    if not isinstance(items, Mapping):
        return
    tally = context.operations
    for key, value in items.items():
        key_text = str(key)
        if key_text.startswith("x-"):
            continue
        found = _path_item(context, value, child(location, key_text))
        if found is None:
            continue
        path_item, where = found
        for method in METHODS:
            if method not in path_item:
                continue
            operation = path_item[method]
            # An operation that came from a $ref'd path item lives there; a sibling lives here.
            via = None
            if (
                isinstance(value, Mapping)
                and "$ref" in value
                and value.get(method) is not operation
            ):
                op_location = child(where, method)
                via = child(child(location, key_text), "$ref")
            else:
                op_location = child(child(location, key_text), method)
            if not isinstance(operation, Mapping):
                context.findings.warning(
                    "invalid-object", op_location, f"not an operation: {shorten(operation)}"
                )
                continue
            here = child(location, key_text)
            own = isinstance(value, Mapping) and "$ref" in value and "parameters" in value
            parameters = child(here if own else where, "parameters")
            if tally is not None:
                tally.add(location=op_location)
            yield Operation(
                key_text, method, operation, op_location, path_item, where, via, parameters
            )


def _names(context: Context, ops: list[Operation]) -> list[str]:
    ids: list[str | None] = []
    for op in ops:
        raw = op.value.get("operationId")
        ids.append(None if raw is None or raw == "" else str(raw))
    taken = {operation_id for operation_id in ids if operation_id is not None}
    claimed: set[str] = set()
    names: list[str | None] = [None] * len(ops)
    for index, operation_id in enumerate(ids):
        if operation_id is None:
            continue
        if operation_id not in claimed:
            claimed.add(operation_id)
            names[index] = operation_id
            continue
        name = unique_name(operation_id, taken)
        names[index] = name
        op = ops[index]
        where = op.via or child(op.location, "operationId")
        through = f" (of {op.location}, reached through this $ref)" if op.via else ""
        context.findings.warning(
            "duplicate-operation-id",
            where,
            f"operationId {operation_id!r}{through} is used more than once: "
            f"this action is named {name!r}",
        )
    for index, op in enumerate(ops):
        if names[index] is None:
            names[index] = unique_name(generated_name(op.method, op.key), taken)
    return [name for name in names if name is not None]


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _action(context: Context, name: str, op: Operation, openapi_30: bool) -> Action:
    value, location = op.value, op.location
    params = merge(
        context,
        op.path_item.get("parameters"),
        op.parameters_location,
        value.get("parameters"),
        child(location, "parameters"),
    )
    body = None
    if context.swagger:
        params, body = swagger.request_body(context, params, value, location)
    elif "requestBody" in value:
        body = request_body(context, value["requestBody"], child(location, "requestBody"))
    bindings, input_schema = build_input(context, params, body, op.key, location)
    outputs = []
    if "responses" not in value:
        if openapi_30:
            context.findings.warning("missing-responses", location, "an operation needs responses")
    elif context.swagger:
        where = child(location, "responses")
        outputs = swagger.responses(context, value["responses"], where, value, location)
    else:
        outputs = responses(context, value["responses"], child(location, "responses"))
    auth = None
    if "security" in value:
        where = child(location, "security")
        auth = requirements(value["security"], where, context.scheme_names, context.findings)
    if "servers" in value:
        overrides = servers(value["servers"], child(location, "servers"), context.findings)
    elif "servers" in op.path_item:
        where = child(op.path_item_location, "servers")
        overrides = servers(op.path_item["servers"], where, context.findings)
    else:
        overrides = []
    tags = value.get("tags")
    return Action(
        name=name,
        title=_text(value.get("summary")),
        description=_text(value.get("description")),
        binding=HttpBinding(
            method=op.method,
            path=op.key,
            parameters=bindings,
            request_media_types=body.media_types if body is not None else [],
            body_required=body.required if body is not None else False,
            servers=overrides,
            encoding=body.encoding if body is not None else {},
            pagination=pagination(context, op.value, op.method, outputs, location),
        ),
        input=input_schema,
        outputs=outputs,
        auth=auth,
        tags=[str(tag) for tag in tags] if isinstance(tags, list) else [],
        deprecated=value.get("deprecated") is True,
    )


def build_actions(
    context: Context, paths: raw.Paths | None, *, openapi_30: bool
) -> list[tuple[Action, Operation]]:
    """The actions of ``paths``, each with the operation it came from."""
    ops = list(operations(context, paths, "/paths"))
    for op in ops:
        if not op.key.startswith("/"):
            context.findings.warning(
                "invalid-path",
                child("/paths", op.key),
                f"path {op.key!r} does not start with '/'",
            )
    names = _names(context, ops)
    return [
        (_action(context, name, op, openapi_30), op) for name, op in zip(names, ops, strict=True)
    ]

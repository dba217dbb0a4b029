"""How a list operation pages, where the document says so -> ``Pagination`` (conservative).

    x-pagination               a ``Pagination`` as such (``style``, ``parameter``, ``next``...)
    x-speakeasy-pagination     Speakeasy's: ``type`` offsetLimit or cursor, ``inputs`` (the
                               offset/page/cursor/limit parameters), ``outputs`` (``results``,
                               ``nextCursor``: simple JSONPaths such as ``$.data.items``)
    a Link response header     on a GET's 2xx answer whose items can be found (the answer is an
                               array, or an object with one array property): RFC 8288 links

An extension that cannot be read is a warning (``invalid-pagination``) and no pagination.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from pydantic import ValidationError

from connectory.model.bindings import Pagination
from connectory.model.version import ActionOutput, JsonSchema
from connectory.schemas.pointer import pointer

from ._context import Context
from ._refs import child

__all__ = ["pagination"]

_JSONPATH = re.compile(r"\$((?:\.[A-Za-z_][A-Za-z0-9_-]*)*)")


def _items_at(schema: JsonSchema | None) -> str | None:
    """Where a list answer's items are: the whole answer (an array), or its only array property."""
    if not isinstance(schema, dict):
        return None
    if schema.get("type") == "array":
        return ""
    properties = schema.get("properties")
    if schema.get("type") != "object" or not isinstance(properties, dict):
        return None
    arrays = [k for k, v in properties.items() if isinstance(v, dict) and v.get("type") == "array"]
    return pointer(arrays[0]) if len(arrays) == 1 else None


def _path(value: object) -> str:
    """A simple JSONPath (``$.a.b``) as a JSON pointer (``/a/b``)."""
    found = _JSONPATH.fullmatch(value) if isinstance(value, str) else None
    if found is None:
        raise ValueError(f"{value!r} is not a simple JSONPath such as $.data.items")
    return pointer(*found.group(1).split(".")[1:])


def _speakeasy(value: object) -> Pagination:
    if not isinstance(value, Mapping):
        raise ValueError("an object is expected")
    inputs = {
        i.get("type"): i.get("name")
        for i in value.get("inputs") or []
        if isinstance(i, Mapping) and i.get("in", "parameters") == "parameters"
    }
    outputs = value.get("outputs") or {}
    if not isinstance(outputs, Mapping):
        raise ValueError("outputs must be an object")
    items = _path(outputs["results"]) if "results" in outputs else ""
    kind = value.get("type")
    if kind == "cursor":
        next_cursor = _path(outputs.get("nextCursor"))
        return Pagination(style="cursor", parameter=inputs.get("cursor"), next=next_cursor, items=items)  # fmt: skip
    if kind == "offsetLimit":
        style = "offset" if "offset" in inputs else "page"
        return Pagination(
            style=style,
            parameter=inputs.get(style),
            limit_parameter=inputs.get("limit"),
            items=items,
        )
    raise ValueError(f"type {kind!r} is not read (cursor or offsetLimit)")


def pagination(
    context: Context,
    operation: Mapping[str, object],
    method: str,
    outputs: list[ActionOutput],
    location: str,
) -> Pagination | None:
    """The pagination ``operation`` declares (see the module docstring), if any."""
    readers: dict[str, Callable[[object], Pagination]] = {
        "x-pagination": Pagination.model_validate,
        "x-speakeasy-pagination": _speakeasy,
    }
    for name, read in readers.items():
        if name not in operation:
            continue
        try:
            return read(operation[name])
        except (ValidationError, ValueError, KeyError) as error:
            if isinstance(error, ValidationError):
                reason = error.errors()[0]["msg"]
            else:
                reason = str(error) if not isinstance(error, KeyError) else f"{error} is missing"
            where = child(location, name)
            context.findings.warning("invalid-pagination", where, f"{name}: {reason}")
            return None
    if method.upper() != "GET":
        return None
    for output in outputs:
        if output.status.startswith("2") and any(h.lower() == "link" for h in output.headers):
            items = _items_at(output.schema_)
            if items is not None:
                return Pagination(style="link", items=items)
    return None

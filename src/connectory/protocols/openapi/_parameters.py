"""Parameters of an operation -> ``HttpParameter`` records and the action's input schema.

Path-item parameters come first; an operation parameter with the same ``(name, in)`` replaces one.
The input schema is an object with one property per location that has parameters (``path``,
``query``, ``header``, ``cookie``: each an object of the parameters' schemas, closed) and ``body``
when there is a request body. A location is required when one of its parameters is; ``body`` when
the request body is.

Rules applied (each with a finding): a path template variable with no path parameter gets an implicit
required string parameter; a path parameter absent from the template is dropped; a path parameter is
always required; a header parameter named ``Accept``, ``Content-Type`` or ``Authorization`` is
ignored, as the specification says.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from connectory.model.version import HttpParameter, JsonSchema

from . import _raw as raw
from . import _swagger as swagger
from ._bodies import Body, content_schema
from ._context import Context
from ._examples import collect
from ._refs import child
from .findings import shorten

__all__ = ["Declared", "build_input", "merge"]

LOCATIONS = ("path", "query", "header", "cookie")
SWAGGER_LOCATIONS = ("path", "query", "header", "body", "formData")
_IGNORED_HEADERS = frozenset({"accept", "content-type", "authorization"})
_TEMPLATE = re.compile(r"\{([^{}]+)\}")


class Declared(NamedTuple):
    """A parameter object (references followed), where it is used and where it is defined."""

    name: str
    location: str
    value: raw.Parameter
    used_at: str
    defined_at: str


def _declared(
    context: Context, value: list[raw.Parameter | raw.Reference] | None, location: str
) -> list[Declared]:
    if value is None:
        return []
    if not isinstance(value, list):
        context.findings.warning(
            "invalid-object", location, f"parameters must be an array: {shorten(value)}"
        )
        return []
    result = []
    locations = SWAGGER_LOCATIONS if context.swagger else LOCATIONS
    for index, item in enumerate(value):
        used_at = child(location, index)
        resolved = context.resolver.follow(item, used_at, "parameter")
        if resolved is None:
            continue
        param, defined_at = resolved
        name, where = param.get("name"), param.get("in")
        if not isinstance(name, str) or not isinstance(where, str) or where not in locations:
            context.findings.warning(
                "invalid-parameter",
                defined_at,
                f"a parameter needs a name and in (one of {', '.join(locations)}): "
                f"got name={shorten(name)}, in={shorten(where)}: skipped",
            )
            continue
        if where == "header" and name.lower() in _IGNORED_HEADERS:
            context.findings.info(
                "ignored-parameter",
                used_at,
                f"header parameter {name!r} is ignored (OpenAPI: the media types and security "
                "schemes say it)",
            )
            continue
        result.append(Declared(name, where, param, used_at, defined_at))
    return result


def merge(
    context: Context,
    path_level: list[raw.Parameter | raw.Reference] | None,
    path_location: str,
    operation_level: list[raw.Parameter | raw.Reference] | None,
    location: str,
) -> list[Declared]:
    """Path-item parameters overridden by operation parameters with the same name and location."""
    merged: dict[tuple[str, str], Declared] = {}
    for declared in (
        _declared(context, path_level, path_location),
        _declared(context, operation_level, location),
    ):
        level: set[tuple[str, str]] = set()
        for param in declared:
            key = (param.name, param.location)
            if key in level:
                context.findings.warning(
                    "duplicate-parameter",
                    param.used_at,
                    f"{param.location} parameter {param.name!r} is declared twice: the last wins",
                )
            level.add(key)
            merged[key] = param
    return list(merged.values())


def _schema(context: Context, param: Declared) -> tuple[JsonSchema, str | None]:
    value, where = param.value, param.defined_at
    if context.swagger:
        return swagger.parameter_schema(context, value, where), None
    if "schema" in value:
        schema = context.schemas.convert(value["schema"], child(where, "schema"))
        collect(context, value, where, schema)
        return schema, None
    if "content" in value:
        media_types, content = content_schema(context, value["content"], child(where, "content"))
        if media_types:
            return ({} if content is None else content), media_types[0]
    context.findings.warning(
        "invalid-parameter", where, f"parameter {param.name!r} has neither schema nor content"
    )
    return {}, None


def _annotated(schema: JsonSchema, description: str | None, deprecated: bool) -> JsonSchema:
    extra: dict[str, Any] = {}
    if description and not (isinstance(schema, dict) and "description" in schema):
        extra["description"] = description
    if deprecated:
        extra["deprecated"] = True
    if not extra or schema is False:
        return schema
    return {**extra} if schema is True else {**schema, **extra}


def build_input(
    context: Context, params: list[Declared], body: Body | None, path: str, location: str
) -> tuple[list[HttpParameter], JsonSchema]:
    """The binding's parameters and the action's input schema."""
    template = list(dict.fromkeys(_TEMPLATE.findall(path)))
    declared_path = {p.name for p in params if p.location == "path"}
    bindings: list[HttpParameter] = []
    groups: dict[str, tuple[dict[str, JsonSchema], list[str]]] = {}
    for param in params:
        value = param.value
        required = value.get("required") is True
        if param.location == "path":
            if param.name not in template:
                context.findings.warning(
                    "undeclared-path-parameter",
                    param.used_at,
                    f"path parameter {param.name!r} is not in the path template {path!r}: dropped",
                )
                continue
            if not required:
                context.findings.warning(
                    "invalid-parameter",
                    param.used_at,
                    f"path parameter {param.name!r} must be required: taken as required",
                )
                required = True
        schema, media_type = _schema(context, param)
        description = (
            value.get("description") if isinstance(value.get("description"), str) else None
        )
        deprecated = value.get("deprecated") is True
        style, explode = value.get("style"), value.get("explode")
        if context.swagger:
            style, explode = swagger.parameter_style(value, param.location)
        bindings.append(
            HttpParameter(
                name=param.name,
                location=param.location,
                required=required,
                style=style if isinstance(style, str) else None,
                explode=explode if isinstance(explode, bool) else None,
                media_type=media_type,
                deprecated=deprecated,
                description=description,
            )
        )
        properties, required_names = groups.setdefault(param.location, ({}, []))
        properties[param.name] = _annotated(schema, description, deprecated)
        if required:
            required_names.append(param.name)
    for name in template:
        if name not in declared_path:
            context.findings.warning(
                "undeclared-path-parameter",
                location,
                f"path template variable {{{name}}} has no path parameter: taken as a required "
                "string",
            )
            bindings.append(HttpParameter(name=name, location="path", required=True))
            properties, required_names = groups.setdefault("path", ({}, []))
            properties[name] = {"type": "string"}
            required_names.append(name)
    return bindings, _input_schema(groups, body)


def _input_schema(
    groups: dict[str, tuple[dict[str, JsonSchema], list[str]]], body: Body | None
) -> JsonSchema:
    properties: dict[str, JsonSchema] = {}
    required: list[str] = []
    for where in LOCATIONS:
        if where not in groups:
            continue
        names, required_names = groups[where]
        group: dict[str, Any] = {"type": "object", "properties": names}
        if required_names:
            group["required"] = required_names
            required.append(where)
        group["additionalProperties"] = False
        properties[where] = group
    if body is not None:
        properties["body"] = body.schema
        if body.required:
            required.append("body")
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    schema["additionalProperties"] = False
    return schema

"""Swagger 2.0 parameters, request bodies and responses, read into the same model as OpenAPI 3.

| Swagger 2.0                               | becomes                                                |
|-------------------------------------------|--------------------------------------------------------|
| ``in: body`` parameter                    | the request body; media types from ``consumes``        |
| ``in: formData`` parameters               | the request body: an object, one property per field;   |
|                                           | ``multipart/form-data`` if a field is a ``file``, else |
|                                           | ``application/x-www-form-urlencoded`` (or ``consumes``)|
| a parameter's ``type``, ``items``...      | its schema (``type: file`` -> binary string)           |
| ``collectionFormat`` csv/ssv/pipes/tsv/   | style ``form``/``simple``, ``spaceDelimited``,         |
| multi                                     | ``pipeDelimited``, ``tabDelimited``; ``multi``: form,  |
|                                           | exploded (a ``formData`` array's: its encoding)        |
| a response's ``schema`` + ``produces``    | the output schema and its media types                  |
| a response header (``type``, ``format``)  | its schema                                             |
| a response's ``examples`` (by media type) | examples checked against the schema                    |

``consumes`` / ``produces`` of the operation replace the document's; with neither, a body is
``application/json``. ``tabDelimited`` is not an OpenAPI 3 style: it keeps ``tsv`` recognisable.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, cast

from connectory.model.bindings import PropertyEncoding
from connectory.model.version import ActionOutput, JsonSchema

from . import _raw as raw
from ._bodies import Body, is_json, response_items
from ._context import Context
from ._examples import collect
from ._refs import child
from .findings import shorten

if TYPE_CHECKING:
    from ._parameters import Declared

__all__ = ["media_types", "parameter_schema", "parameter_style", "request_body", "responses"]

_NOT_SCHEMA = frozenset(
    {"name", "in", "required", "allowEmptyValue", "collectionFormat", "description", "schema"}
)
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
_STYLES = {"ssv": "spaceDelimited", "pipes": "pipeDelimited", "tsv": "tabDelimited"}


def media_types(
    context: Context,
    value: raw.Operation | raw.Document,
    key: Literal["consumes", "produces"],
    location: str,
) -> list[str]:
    """The operation's ``consumes`` or ``produces``, else the document's."""
    if key not in value:
        return list(context.consumes if key == "consumes" else context.produces)
    listed = value[key]
    if isinstance(listed, list) and all(isinstance(item, str) for item in listed):
        return list(dict.fromkeys(listed))
    context.findings.warning(
        "invalid-object", child(location, key), f"{key} must be a list of media types"
    )
    return []


def parameter_schema(
    context: Context, value: raw.Parameter | raw.Header, location: str
) -> JsonSchema:
    """The schema of a non-body parameter or a header: its own ``type``, ``format``, ``items``..."""
    cache = context.schemas.simple
    cached = cache.get(id(value))
    if cached is None:
        shape = {k: v for k, v in value.items() if k not in _NOT_SCHEMA}
        # Both kept alive with the result: the converter remembers schemas by identity.
        cached = cache[id(value)] = (value, shape, context.schemas.convert(shape, location))
    return cached[2]


def parameter_style(value: raw.Parameter, where: str) -> tuple[str | None, bool | None]:
    """The style and explode of a parameter, from ``collectionFormat`` (arrays only)."""
    if value.get("type") != "array":
        return None, None
    form = value.get("collectionFormat", "csv")
    if form == "multi":
        return "form", True
    if form in _STYLES:
        return _STYLES[form], False
    return ("form" if where in ("query", "cookie", "formData") else "simple"), False


def request_body(
    context: Context, params: list[Declared], operation: raw.Operation, location: str
) -> tuple[list[Declared], Body | None]:
    """The parameters that stay parameters, and the body made of ``body``/``formData`` ones."""
    bodies = [p for p in params if p.location == "body"]
    fields = [p for p in params if p.location == "formData"]
    rest = [p for p in params if p.location not in ("body", "formData")]
    declared = media_types(context, operation, "consumes", location)
    if bodies:
        for extra in [*bodies[1:], *fields]:
            context.findings.warning(
                "invalid-parameter",
                extra.used_at,
                f"{extra.location} parameter {extra.name!r} beside a body parameter: ignored",
            )
        return rest, _body_parameter(context, bodies[0], declared)
    if not fields:
        return rest, None
    return rest, _form(context, fields, declared)


def _body_parameter(context: Context, body: Declared, declared: list[str]) -> Body:
    """The body a ``body`` parameter describes (its schema, else one that accepts anything)."""
    schema: JsonSchema = {}
    if "schema" in body.value:
        where = child(body.defined_at, "schema")
        schema = context.schemas.convert(body.value["schema"], where)
    else:
        context.findings.warning(
            "invalid-parameter", body.defined_at, "a body parameter needs a schema"
        )
    description = body.value.get("description")
    return Body(
        declared or ["application/json"],
        schema,
        body.value.get("required") is True,
        description if isinstance(description, str) else None,
        {},
    )


def _form(context: Context, fields: list[Declared], declared: list[str]) -> Body:
    """The form body ``formData`` parameters make: an object with a property each."""
    properties: dict[str, JsonSchema] = {}
    required: list[str] = []
    encoding: dict[str, PropertyEncoding] = {}
    for field in fields:
        properties[field.name] = parameter_schema(context, field.value, field.defined_at)
        if field.value.get("required") is True:
            required.append(field.name)
        style, explode = parameter_style(field.value, "formData")
        if style is not None:
            encoding[field.name] = PropertyEncoding(style=style, explode=explode)
    has_file = any(field.value.get("type") == "file" for field in fields)
    forms = [media for media in declared if media.split(";")[0].strip() in _FORM_TYPES]
    if not forms:
        forms = ["multipart/form-data" if has_file else "application/x-www-form-urlencoded"]
    shape: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        shape["required"] = required
    encodings = {media: dict(encoding) for media in forms} if encoding else {}
    return Body(forms, shape, bool(required), None, encodings)


def _headers(
    context: Context, value: Mapping[str, raw.Header | raw.Reference] | None, location: str
) -> dict[str, JsonSchema]:
    if not isinstance(value, Mapping):
        return {}
    headers: dict[str, JsonSchema] = {}
    for name, header in value.items():
        where = child(location, name)
        if not isinstance(header, Mapping):
            context.findings.warning("invalid-object", where, f"not a header: {shorten(header)}")
            continue
        # Swagger 2.0 headers are no Reference Objects: a $ref is read as a schema keyword.
        swagger_header = cast("raw.Header", header)
        headers[str(name)] = schema = parameter_schema(context, swagger_header, where)
        collect(context, swagger_header, where, schema)
    return headers


def responses(
    context: Context,
    value: raw.Responses,
    location: str,
    operation: raw.Operation,
    op_location: str,
) -> list[ActionOutput]:
    """One output per response; the schema's media types are the operation's ``produces``."""
    found = response_items(context, value, location)
    if found is None:
        return []
    produces = media_types(context, operation, "produces", op_location)
    outputs = []
    for status, response, where in found:
        schema = None
        if "schema" in response:
            schema = context.schemas.convert(response["schema"], child(where, "schema"))
            examples = response.get("examples")
            if isinstance(examples, Mapping):
                for media, example in examples.items():
                    if is_json(str(media)):
                        at = child(child(where, "examples"), media)
                        context.examples.append((at, example, schema))
        description = response.get("description")
        outputs.append(
            ActionOutput(
                status=status,
                description=description if isinstance(description, str) else None,
                media_types=(produces or ["application/json"]) if schema is not None else [],
                schema_=schema,
                headers=_headers(context, response.get("headers"), child(where, "headers")),
            )
        )
    return outputs

"""Request bodies, responses and their headers: media types and the schema of each.

Where a body comes in several media types (JSON, form, multipart, XML, octet-stream...), all are
listed and its schema is that of the first JSON-like one (``application/json``, ``*/*+json``,
``text/json``; parameters ignored), else of the first one. A media type without a schema gives ``{}``
(anything). The examples of a JSON media type and of a header are kept to be checked. The
``encoding`` of each media type (how a form or multipart body sends each property: contentType,
style, explode, allowReserved) is kept per media type; an encoding's ``headers`` are not.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from connectory.model.bindings import PropertyEncoding
from connectory.model.version import ActionOutput, JsonSchema

from . import _raw as raw
from ._context import Context
from ._examples import collect
from ._refs import child
from .findings import shorten

__all__ = ["Body", "content_schema", "encodings", "is_json", "request_body", "responses"]

_STYLES = ("form", "spaceDelimited", "pipeDelimited", "deepObject")
_ENCODING_FIELDS = {
    "contentType": "content_type",
    "style": "style",
    "explode": "explode",
    "allowReserved": "allow_reserved",
}


class Body(NamedTuple):
    """A request body: its media types, the schema of the chosen one, whether it is required,
    and per media type how its properties are encoded."""

    media_types: list[str]
    schema: JsonSchema
    required: bool
    description: str | None
    encoding: dict[str, dict[str, PropertyEncoding]]


def is_json(media_type: str) -> bool:
    """Whether ``media_type`` carries JSON (``application/json``, ``application/vnd.x+json``...)."""
    base = media_type.split(";", 1)[0].strip().lower()
    return base.endswith(("/json", "+json"))


def content_schema(
    context: Context, content: Mapping[str, raw.MediaType] | None, location: str
) -> tuple[list[str], JsonSchema | None]:
    """The media types of a ``content`` map and the schema of the chosen one (``None``: no content)."""
    if not isinstance(content, Mapping):
        if content is not None:
            context.findings.warning(
                "invalid-object", location, f"content must be an object: {shorten(content)}"
            )
        return [], None
    entries = [(str(key), value) for key, value in content.items()]
    if not entries:
        return [], None
    media_types = [key for key, _ in entries]
    chosen, media = next(((k, v) for k, v in entries if is_json(k)), entries[0])
    if not isinstance(media, Mapping):
        context.findings.warning(
            "invalid-object", child(location, chosen), f"not a media type object: {shorten(media)}"
        )
        return media_types, {}
    if "schema" not in media:
        return media_types, {}
    where = child(location, chosen)
    schema = context.schemas.convert(media["schema"], child(where, "schema"))
    if is_json(chosen):
        collect(context, media, where, schema)
    return media_types, schema


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _encoding(context: Context, value: object, location: str) -> PropertyEncoding | None:
    """One Encoding object; None (with a finding) when it is no object, or when it says nothing."""
    if not isinstance(value, Mapping):
        context.findings.warning(
            "invalid-object", location, f"not an encoding object: {shorten(value)}"
        )
        return None
    kept: dict[str, Any] = {}
    for key, field in _ENCODING_FIELDS.items():
        if key not in value:
            continue
        given = value[key]
        if field == "style":
            valid = given in _STYLES
        elif field == "content_type":
            valid = isinstance(given, str) and given.strip() != ""
        else:
            valid = isinstance(given, bool)
        if valid:
            kept[field] = given
        else:
            context.findings.warning(
                "invalid-encoding", child(location, key), f"invalid {key}: {shorten(given)}"
            )
    return PropertyEncoding(**kept) if kept else None


def encodings(
    context: Context, content: object, location: str
) -> dict[str, dict[str, PropertyEncoding]]:
    """The ``encoding`` of each media type of a request body's ``content``, per property."""
    if not isinstance(content, Mapping):
        return {}
    found: dict[str, dict[str, PropertyEncoding]] = {}
    for media, value in content.items():
        if not isinstance(value, Mapping) or "encoding" not in value:
            continue
        where = child(child(location, media), "encoding")
        declared = value["encoding"]
        if not isinstance(declared, Mapping):
            context.findings.warning(
                "invalid-object", where, f"encoding must be an object: {shorten(declared)}"
            )
            continue
        properties = {}
        for name, entry in declared.items():
            kept = _encoding(context, entry, child(where, name))
            if kept is not None:
                properties[str(name)] = kept
        if properties:
            found[str(media)] = properties
    return found


def request_body(
    context: Context, value: raw.RequestBody | raw.Reference, location: str
) -> Body | None:
    """The request body at ``location``; ``None`` if its reference cannot be followed."""
    resolved = context.resolver.follow(value, location, "request body")
    if resolved is None:
        return None
    body, where = resolved
    media_types, schema = content_schema(context, body.get("content"), child(where, "content"))
    required = body.get("required") is True
    return Body(
        media_types,
        {} if schema is None else schema,
        required,
        _text(body.get("description")),
        encodings(context, body.get("content"), child(where, "content")),
    )


def _headers(
    context: Context, value: Mapping[str, raw.Header | raw.Reference] | None, location: str
) -> dict[str, JsonSchema]:
    if not isinstance(value, Mapping):
        return {}
    headers: dict[str, JsonSchema] = {}
    for name, header in value.items():
        if str(name).lower() == "content-type":
            continue  # ignored by the specification: the media type says it
        resolved = context.resolver.follow(header, child(location, name), "header")
        if resolved is None:
            continue
        if "schema" in resolved.value:
            where = child(resolved.location, "schema")
            schema = context.schemas.convert(resolved.value["schema"], where)
            headers[str(name)] = schema
            collect(context, resolved.value, resolved.location, schema)
        else:
            where = child(resolved.location, "content")
            content = content_schema(context, resolved.value.get("content"), where)[1]
            headers[str(name)] = {} if content is None else content
    return headers


def response_items(
    context: Context, value: raw.Responses, location: str
) -> list[tuple[str, raw.Response, str]] | None:
    """The responses of an operation (Swagger 2 and OpenAPI 3) as ``(status, response, where)``,
    references followed, ``x-`` keys skipped; None, with a finding, when they are no object."""
    if not isinstance(value, Mapping):
        context.findings.warning(
            "invalid-object", location, f"responses must be an object: {shorten(value)}"
        )
        return None
    found = []
    for status, item in value.items():
        if str(status).startswith("x-"):
            continue
        resolved = context.resolver.follow(item, child(location, status), "response")
        if resolved is not None:
            found.append((str(status), *resolved))
    return found


def responses(context: Context, value: raw.Responses, location: str) -> list[ActionOutput]:
    """One output per response (``200``, ``2XX``, ``default``), status keys kept as strings."""
    outputs = []
    for status, response, where in response_items(context, value, location) or []:
        media_types, schema = content_schema(
            context, response.get("content"), child(where, "content")
        )
        outputs.append(
            ActionOutput(
                status=status,
                description=_text(response.get("description")),
                media_types=media_types,
                schema_=schema,
                headers=_headers(context, response.get("headers"), child(where, "headers")),
            )
        )
    return outputs

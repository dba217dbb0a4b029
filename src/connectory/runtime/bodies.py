"""Request bodies on the wire as OpenAPI says: JSON, forms, multipart with files, raw bytes.

The body goes in the binding's first JSON media type, else its first one:

    media type                          the body                  goes as
    application/json, */*+json          anything                  JSON text
    application/x-www-form-urlencoded   an object                 fields, by each property's encoding
    multipart/*                         an object                 one part per property (or item)
    anything else (octet-stream, text)  bytes, a file reference,  those bytes, the file's bytes,
                                        text, another value       UTF-8 text, JSON text

**Form fields** follow the property's ``encoding`` (``HttpBinding.encoding``): a primitive is its
text (``true``/``false``, numbers as JSON spells them, null empty); style ``form`` (the default)
repeats an array's name when exploded (``a=1&a=2``, else ``a=1,2``), ``spaceDelimited`` and
``pipeDelimited`` join it, an exploded ``form`` object gives its own fields (``k=v``); style
``deepObject`` nests in brackets, objects by key and arrays by index, at any depth
(``address[city]=Paris&items[0][price]=p_1``: what Stripe and PHP/Rails/qs-style parsers read). A
property with a JSON ``contentType`` goes as JSON text. Where OpenAPI defines nothing, brackets
too: an object (or an array holding objects or arrays) with no style declared, and whatever is
nested below a value of another style (OpenAPI's default for an object, exploded ``form``, would
drop its name). ``allowReserved`` leaves RFC 3986's reserved characters unencoded in the value,
except ``&``, ``=``, ``+`` and ``#``, which would change what the form says.

**Multipart parts**: a file (below) is a part with a filename and a Content-Type (the reference's
``content_type``, else the encoding's when it names one type, else guessed from the filename, else
``application/octet-stream``); an array is one part per item, of the same name; an object is JSON
(``application/json``), unless its encoding's style is ``deepObject``: then one text part per
bracketed field (``file_link_data[create]``, as Stripe's file upload expects); a primitive is a
text part, with the encoding's ``contentType`` when it declares one.

**Files.** Where the body's schema takes a string (``format: binary``, Swagger 2.0's ``type:
file``, or any string: a JSON object is never a valid string, so nothing is ambiguous): a
property of a multipart body (or each item of an array property), and a whole raw body (whose
schema takes a string or says nothing), a value may be a *file reference*:

    {"path": "report.pdf"}                                  read from the file the input names
    {"base64": "JVBERi0...", "filename": "report.pdf", "content_type": "application/pdf"}

(``filename`` and ``content_type`` optional with either; the filename defaults to the path's
name, else the property's) or, from Python, ``bytes``. A plain string stays a text value. Before
the input is checked against the action's input schema, each file reference (and ``bytes``) at
such a place stands in as ``""`` (``FileSlots.stand_ins``), so the schema, which says ``string``,
holds. A file larger than ``Settings.max_upload_bytes`` (read or decoded), a missing path or bad
base64 is an ``InputError`` naming where in the input.
"""

from __future__ import annotations

import base64
import binascii
import json
import mimetypes
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

from connectory.errors import InputError
from connectory.model.bindings import HttpBinding, HttpParameter, PropertyEncoding
from connectory.model.version import DEFINITION_URI_PREFIX, Action, ConnectorVersion
from connectory.settings import Settings

from .styles import query_pairs, scalar

__all__ = ["FileSlots", "body_media_type", "file_slots", "is_file_reference", "request_body"]

_FORM = "application/x-www-form-urlencoded"
_REFERENCE_KEYS = frozenset({"path", "base64", "filename", "content_type"})
_RESERVED = ":/?[]@!$'()*,;"  # RFC 3986's, less & = + # (they would change the form)
_MAX_HOPS = 32


def _is_json(media: str) -> bool:
    """Whether ``media`` (a body's, or a property's ``contentType``) is JSON."""
    base = media.split(";", 1)[0].strip().lower()
    return base == "application/json" or base.endswith("+json")


def body_media_type(binding: HttpBinding) -> str:
    """The media type a body is sent in: the binding's first JSON one, else its first."""
    types = binding.request_media_types or ["application/json"]
    return next((media for media in types if _is_json(media)), types[0])


def _kind(media: str) -> str:
    base = media.split(";", 1)[0].strip().lower()
    if _is_json(base):
        return "json"
    if base == _FORM:
        return "form"
    if base.startswith("multipart/"):
        return "multipart"
    return "raw"


# -- where files may go ---------------------------------------------------------------------------


def _resolved(version: ConnectorVersion, schema: Any) -> Any:
    """``schema`` with its ``$ref`` to a definition of ``version`` followed (a few hops at most)."""
    for _ in range(_MAX_HOPS):
        if not isinstance(schema, Mapping):
            return schema
        ref = schema.get("$ref")
        if not isinstance(ref, str) or not ref.startswith(DEFINITION_URI_PREFIX):
            return schema
        name = ref[len(DEFINITION_URI_PREFIX) :]
        found = next((d for d in version.definitions if d.name == name), None)
        if found is None:
            return {}
        schema = found.content if found.format == "json-schema" else found.json_schema
    return {}


def _takes_string(
    version: ConnectorVersion, schema: Any, *, untyped: bool = False, depth: int = 0
) -> bool:
    """Whether ``schema`` takes a string and no object (so a file reference is not ambiguous);
    ``untyped``: also when it says nothing of the type."""
    schema = _resolved(version, schema)
    if schema is True or schema == {}:
        return untyped
    if not isinstance(schema, Mapping) or depth > _MAX_HOPS:
        return False
    if schema.get("format") == "binary" or "contentMediaType" in schema:
        return True
    kind = schema.get("type")
    if kind == "string":
        return True
    if isinstance(kind, list):
        return "string" in kind and "object" not in kind
    if kind is not None:
        return False
    branches = [b for key in ("anyOf", "oneOf") for b in schema.get(key) or []]
    if branches:
        return all(_takes_string(version, b, depth=depth + 1) for b in branches)
    if schema.get("allOf"):
        return any(_takes_string(version, b, depth=depth + 1) for b in schema["allOf"])
    return untyped and "properties" not in schema


def _takes_strings(version: ConnectorVersion, schema: Any) -> bool:
    """Whether ``schema`` is an array whose items take a string (several files)."""
    schema = _resolved(version, schema)
    if not isinstance(schema, Mapping) or schema.get("type") != "array":
        return False
    return _takes_string(version, schema.get("items"))


@dataclass(frozen=True)
class FileSlots:
    """Where an action's body takes files: the whole body (a raw one), or multipart properties."""

    media_type: str
    whole: bool = False
    properties: frozenset[str] = frozenset()

    def stand_ins(self, given: Any) -> Any:
        """``given`` (an action's input, left unchanged) with each file reference or ``bytes``
        in a file slot as ``""``: what is checked against the input schema."""
        if not isinstance(given, Mapping) or "body" not in given:
            return given
        body = given["body"]
        if self.whole:
            return {**given, "body": _stand_in(body)}
        if not self.properties or not isinstance(body, Mapping):
            return given
        replaced = {
            key: (
                [_stand_in(item) for item in value] if isinstance(value, list) else _stand_in(value)
            )
            if key in self.properties
            else value
            for key, value in body.items()
        }
        return {**given, "body": replaced}


def _stand_in(value: Any) -> Any:
    return "" if isinstance(value, bytes | bytearray) or is_file_reference(value) else value


def is_file_reference(value: Any) -> bool:
    """Whether ``value`` is ``{"path": ...}`` or ``{"base64": ...}`` (with ``filename`` and
    ``content_type`` optional, nothing else)."""
    return (
        isinstance(value, Mapping)
        and ("path" in value) != ("base64" in value)
        and set(value) <= _REFERENCE_KEYS
    )


def file_slots(version: ConnectorVersion, action: Action) -> FileSlots:
    """Where the body of ``action`` (an HTTP one) takes files, from its input schema."""
    binding = action.binding
    if not isinstance(binding, HttpBinding):
        raise InputError(f"{action.name} is no HTTP action")
    media = body_media_type(binding)
    kind = _kind(media)
    if kind in ("json", "form"):
        return FileSlots(media)
    given = action.input.get("properties") if isinstance(action.input, Mapping) else None
    schema = given.get("body", {}) if isinstance(given, Mapping) else {}
    if kind == "raw":
        # an untyped text body is text: only a binary one takes a file without saying so
        binary = not media.lower().startswith("text/")
        return FileSlots(media, whole=_takes_string(version, schema, untyped=binary))
    shape = _resolved(version, schema)
    declared = shape.get("properties") if isinstance(shape, Mapping) else None
    if not isinstance(declared, Mapping):
        return FileSlots(media)
    names = frozenset(
        str(name)
        for name, property_schema in declared.items()
        if _takes_string(version, property_schema) or _takes_strings(version, property_schema)
    )
    return FileSlots(media, properties=names)


# -- files ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _File:
    filename: str | None
    content: bytes
    content_type: str | None


def _capped(content_length: int, where: str, settings: Settings) -> None:
    if content_length > settings.max_upload_bytes:
        raise InputError(
            f"{where}: the file is larger than {settings.max_upload_bytes:,} bytes "
            "(CONNECTORY_MAX_UPLOAD_BYTES)"
        )


def _read(path_text: Any, where: str, settings: Settings) -> tuple[bytes, str]:
    if not isinstance(path_text, str) or not path_text:
        raise InputError(f"{where}.path: a file path is a non-empty string")
    path = Path(path_text).expanduser()
    try:
        if not path.is_file():
            what = "is not a file" if path.exists() else "does not exist"
            raise InputError(f"{where}.path: {path_text!r} {what}")
        _capped(path.stat().st_size, where, settings)
        with path.open("rb") as stream:
            content = stream.read(settings.max_upload_bytes + 1)
    except OSError as error:
        raise InputError(f"{where}.path: cannot read {path_text!r}: {error.strerror}") from None
    _capped(len(content), where, settings)
    return content, path.name


def _decoded(text: Any, where: str, settings: Settings) -> bytes:
    if not isinstance(text, str):
        raise InputError(f"{where}.base64: base64 text is a string")
    _capped(len(text) * 3 // 4 - 2, where, settings)
    try:
        content = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise InputError(f"{where}.base64: not base64 text") from None
    _capped(len(content), where, settings)
    return content


def _file(
    value: Any, name: str, where: str, declared: str | None, settings: Settings
) -> _File | None:
    """The file ``value`` stands for (None: it is no file reference nor bytes)."""
    if isinstance(value, bytes | bytearray):
        _capped(len(value), where, settings)
        return _File(name, bytes(value), declared or "application/octet-stream")
    if not isinstance(value, Mapping) or ("path" not in value and "base64" not in value):
        return None
    if not is_file_reference(value):
        raise InputError(
            f"{where}: a file is given as {{'path': ...}} or {{'base64': ...}}, with 'filename' "
            "and 'content_type' optional; nothing else"
        )
    for key in ("filename", "content_type"):
        if key in value and not isinstance(value[key], str):
            raise InputError(f"{where}.{key}: a string")
    if "path" in value:
        content, filename = _read(value["path"], where, settings)
    else:
        content, filename = _decoded(value["base64"], where, settings), name
    filename = value.get("filename") or filename
    content_type = (
        value.get("content_type")
        or declared
        or mimetypes.guess_type(filename)[0]
        or "application/octet-stream"
    )
    return _File(filename, content, content_type)


def _one_type(media: str | None) -> str | None:
    """``media`` when it names one concrete media type (not ``image/*``, not a list)."""
    if media is None or "*" in media or "," in media:
        return None
    return media.strip() or None


# -- forms ----------------------------------------------------------------------------------------


def _brackets(prefix: str, value: Any) -> list[tuple[str, str]]:
    """``value`` as bracketed fields: ``prefix[key]``, ``prefix[0]``, at any depth."""
    if isinstance(value, Mapping):
        return [pair for key, item in value.items() for pair in _brackets(f"{prefix}[{key}]", item)]
    if isinstance(value, list):
        return [pair for i, item in enumerate(value) for pair in _brackets(f"{prefix}[{i}]", item)]
    return [(prefix, scalar(value))]


def _flat(value: Any) -> bool:
    items = value.values() if isinstance(value, Mapping) else value
    return not any(isinstance(item, Mapping | list) for item in items)


def _json(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


def _field(name: str, value: Any, encoding: PropertyEncoding | None) -> list[tuple[str, str]]:
    """One property of a form as (name, value) pairs, unencoded."""
    if encoding is not None and encoding.content_type and _is_json(encoding.content_type):
        return [(name, _json(value))]
    if not isinstance(value, Mapping | list):
        return [(name, scalar(value))]
    style = encoding.style if encoding is not None else None
    explode = encoding.explode if encoding is not None else None
    if style == "deepObject" or not _flat(value):
        return _brackets(name, value)
    if style is None and isinstance(value, Mapping):
        return _brackets(name, value)  # OpenAPI's default (exploded form) drops the name
    parameter = HttpParameter(name=name, location="query", style=style or "form", explode=explode)
    return query_pairs(parameter, value)


def _form(value: Any, encodings: Mapping[str, PropertyEncoding]) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise InputError("(input).body: a form body is an object of fields")
    parts = []
    for name, item in value.items():
        encoding = encodings.get(str(name))
        safe = _RESERVED if encoding is not None and encoding.allow_reserved else ""
        for key, text in _field(str(name), item, encoding):
            parts.append(f"{quote_plus(key, safe='[]')}={quote_plus(text, safe=safe)}")
    return {"content": "&".join(parts).encode(), "headers": {"Content-Type": _FORM}}


# -- multipart ------------------------------------------------------------------------------------

_Part = tuple[str, tuple[str | None, bytes, str | None]]


def _text_part(name: str, value: Any, content_type: str | None) -> _Part:
    if content_type and _is_json(content_type):
        return name, (None, _json(value).encode(), content_type)
    if isinstance(value, Mapping | list):
        return name, (None, _json(value).encode(), content_type or "application/json")
    return name, (None, scalar(value).encode(), content_type)


def _part(
    name: str,
    value: Any,
    where: str,
    encoding: PropertyEncoding | None,
    takes_files: bool,
    settings: Settings,
) -> list[_Part]:
    declared = encoding.content_type if encoding is not None else None
    if takes_files:
        found = _file(value, name, where, _one_type(declared), settings)
        if found is not None:
            return [(name, (found.filename, found.content, found.content_type))]
    return [_text_part(name, value, declared)]


def _parts(
    name: str,
    value: Any,
    encoding: PropertyEncoding | None,
    takes_files: bool,
    settings: Settings,
) -> list[_Part]:
    where = f"(input).body.{name}"
    style = encoding.style if encoding is not None else None
    if style == "deepObject" and isinstance(value, Mapping | list):
        return [(key, (None, text.encode(), None)) for key, text in _brackets(name, value)]
    if isinstance(value, list):
        if style in (None, "form") and (encoding is None or encoding.explode is not False):
            return [
                part
                for i, item in enumerate(value)
                for part in _part(name, item, f"{where}[{i}]", encoding, takes_files, settings)
            ]
        if _flat(value):
            parameter = HttpParameter(
                name=name, location="query", style=style or "form", explode=False
            )
            pairs = query_pairs(parameter, value)
            return [(key, (None, text.encode(), None)) for key, text in pairs]
    return _part(name, value, where, encoding, takes_files, settings)


def _multipart(
    value: Any,
    encodings: Mapping[str, PropertyEncoding],
    slots: FileSlots,
    settings: Settings,
) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise InputError("(input).body: a multipart body is an object of parts")
    files = [
        part
        for name, item in value.items()
        for part in _parts(
            str(name), item, encodings.get(str(name)), str(name) in slots.properties, settings
        )
    ]
    return {"files": files}


# -- the body -------------------------------------------------------------------------------------


def _raw(value: Any, media: str, slots: FileSlots, settings: Settings) -> dict[str, Any]:
    found = _file(value, "body", "(input).body", None, settings) if slots.whole else None
    if found is not None:
        given = value.get("content_type") if isinstance(value, Mapping) else None
        content_type = given or _one_type(media) or found.content_type
        return {"content": found.content, "headers": {"Content-Type": content_type}}
    if isinstance(value, bytes | bytearray):
        _capped(len(value), "(input).body", settings)
        return {"content": bytes(value), "headers": {"Content-Type": media}}
    text = value if isinstance(value, str) else json.dumps(value)
    return {"content": text.encode(), "headers": {"Content-Type": media}}


def request_body(
    binding: HttpBinding, value: Any, slots: FileSlots, settings: Settings
) -> dict[str, Any]:
    """The body ``value`` as ``httpx.Request`` arguments (``content``/``files`` and ``headers``)
    in the binding's media type (``slots.media_type``), encoded as the binding says."""
    media = slots.media_type
    kind = _kind(media)
    encodings = binding.encoding.get(media, {})
    if kind == "json":
        return {"content": json.dumps(value).encode(), "headers": {"Content-Type": media}}
    if kind == "form":
        return _form(value, encodings)
    if kind == "multipart":
        return _multipart(value, encodings, slots, settings)
    return _raw(value, media, slots, settings)

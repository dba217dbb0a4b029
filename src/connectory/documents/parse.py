"""Step 2 of onboarding: recognise what a document is and parse it once.

``parse(raw)`` returns a ``ParsedDocument``: the protocol (``http``, ``graphql``, ``soap``), the
kind of document (``openapi-3.0``, ``swagger-2.0``, ``graphql-sdl``, ``wsdl-1.1``, ...) and its content
(a JSON value, or the text for SDL and XML). Given ``protocol``, a document of another protocol is
refused with a message that says what it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from connectory._wording import article, document_kind, protocol_name
from connectory.errors import DocumentError, ProtocolError
from connectory.model.version import Protocol

from .decode import decode_text, parse_json, parse_yaml, sniff_format
from .fetch import RawDocument

__all__ = ["PROTOCOL_ALIASES", "ParsedDocument", "normalise_protocol", "parse"]

PROTOCOL_ALIASES: dict[str, Protocol] = {
    "http": "http",
    "openapi": "http",
    "swagger": "http",
    "graphql": "graphql",
    "soap": "soap",
    "wsdl": "soap",
}
_SDL = re.compile(
    r'^\s*(?:#[^\n]*\n\s*|"""[\s\S]*?"""\s*|"[^"\n]*"\s*)*'
    r"(?:schema|type|interface|union|enum|input|scalar|directive|extend)\b"
)
_WSDL_ROOT = re.compile(r"<(?:[A-Za-z_][\w.-]*:)?definitions\b[^>]*schemas\.xmlsoap\.org/wsdl/")


@dataclass(frozen=True, slots=True)
class ParsedDocument:
    raw: RawDocument
    protocol: Protocol
    kind: str
    content: Any


def normalise_protocol(protocol: str | None) -> Protocol | None:
    """``openapi`` -> ``http``, ``wsdl`` -> ``soap``; unknown names are refused, naming the known."""
    if protocol is None:
        return None
    try:
        return PROTOCOL_ALIASES[protocol.lower()]
    except KeyError:
        known = ", ".join(PROTOCOL_ALIASES)
        raise ProtocolError(f"unknown protocol {protocol!r} (known: {known})") from None


def parse(raw: RawDocument, *, protocol: str | None = None) -> ParsedDocument:
    wanted = normalise_protocol(protocol)
    text = decode_text(raw)
    syntax = sniff_format(text)
    parsed: ParsedDocument
    if syntax == "xml":
        parsed = _xml(raw, text)
    elif syntax == "json":
        parsed = _structured(raw, parse_json(text, raw.source))
    elif _SDL.match(text) and (wanted in (None, "graphql")):
        parsed = ParsedDocument(raw, "graphql", "graphql-sdl", text)
    elif _SDL.match(text):
        parsed = _sdl_or_yaml(raw, text, wanted)
    else:
        parsed = _structured(raw, parse_yaml(text, raw.source))
    if wanted is not None and parsed.protocol != wanted:
        raise ProtocolError(
            f"this is {article(document_kind(parsed.kind))} ({protocol_name(parsed.protocol)}), "
            f"not {protocol_name(wanted)} as asked",
            location=raw.source,
        )
    return parsed


def _sdl_or_yaml(raw: RawDocument, text: str, wanted: str | None) -> ParsedDocument:
    """A text that starts like GraphQL SDL, when another protocol was asked for: YAML if it is
    (``type: object`` starts alike), else the SDL it looks like, refused below as not ``wanted``
    (rather than a YAML error about a document that was never YAML)."""
    try:
        return _structured(raw, parse_yaml(text, raw.source))
    except (DocumentError, ProtocolError):
        return ParsedDocument(raw, "graphql", "graphql-sdl", text)


def _xml(raw: RawDocument, text: str) -> ParsedDocument:
    if _WSDL_ROOT.search(text[:65536]):
        return ParsedDocument(raw, "soap", "wsdl-1.1", text)
    raise ProtocolError(
        "an XML document, but not a WSDL 1.1 (no wsdl:definitions root)", location=raw.source
    )


def _graphql_errors(value: dict[str, Any]) -> bool:
    """A GraphQL response with errors (an introspection query refused): ``{"errors": [...]}``."""
    return isinstance(value.get("errors"), list) and set(value) <= {"data", "errors", "extensions"}


def _structured(raw: RawDocument, value: Any) -> ParsedDocument:
    if isinstance(value, dict):
        for key, kind in (("openapi", "openapi"), ("swagger", "swagger")):
            if key in value:
                stated = str(value[key])
                major_minor = ".".join(stated.split(".")[:2])
                return ParsedDocument(raw, "http", f"{kind}-{major_minor}", value)
        data = value.get("data")
        schema_holder = data if isinstance(data, dict) else value
        if "__schema" in schema_holder or _graphql_errors(value):
            return ParsedDocument(raw, "graphql", "graphql-introspection", value)
        keys = ", ".join(sorted(map(str, value))[:8])
        found = f"an object with keys {keys}"
    elif value is None:
        found = "an empty document"
    elif isinstance(value, list):
        found = "a list"
    elif isinstance(value, str):
        found = "plain text"
    else:
        found = f"a single {type(value).__name__} value"
    raise ProtocolError(
        f"not an interface description: found {found}; expected an OpenAPI or Swagger document "
        "(an 'openapi' or 'swagger' key), a GraphQL SDL or introspection result, or a WSDL",
        location=raw.source,
    )

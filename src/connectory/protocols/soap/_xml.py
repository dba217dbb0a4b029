"""Hardened XML parsing for WSDL and XSD documents: no DTD, no entity, no network, no file.

Every WSDL and XSD byte Connectory reads goes through ``parse_xml``. The layers, outermost first:

1. The prolog is scanned before parsing: a ``<!DOCTYPE`` is refused outright (unless the settings
   allow DTDs), so billion laughs, quadratic blowup, XXE, external DTDs and parameter-entity tricks
   never reach the parser.
2. lxml parses with ``resolve_entities=False``, ``load_dtd=False``, ``no_network=True`` and
   ``huge_tree=False`` (libxml2's limits: depth 256, text nodes of 10 MB), and a resolver that
   refuses every external resource, should libxml2 ever ask for one.
3. After parsing, a DTD the scan could not see (an exotic encoding) is refused too, and when DTDs are
   allowed, a document that still uses an entity reference is refused.

Errors are ``DocumentError`` naming the document and, where libxml2 says, ``line:column``.
"""

from __future__ import annotations

import codecs
import re
from typing import Any

from lxml import etree

from connectory.errors import DocumentError
from connectory.settings import Settings

__all__ = ["has_doctype", "parse_xml"]

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_WIDE = ((b"<\0?\0", "utf-16-le"), (b"\0<\0?", "utf-16-be"))
_LIBXML_SUFFIX = re.compile(r"(?:, line \d+, column \d+)?\s*(?:\(<string>, line \d+\))?$")
_PROLOG_SCAN = 1 << 20
"""Bytes (or characters) of prolog scanned for a DOCTYPE; the parser checks beyond."""


class _RefuseEverything(etree.Resolver):
    """Asked for any external resource (a DTD, an entity, an XInclude), refuse."""

    def resolve(self, system_url: str, public_id: str, context: Any) -> Any:
        raise DocumentError(f"refused to load the external resource {system_url!r}")


def _parser() -> etree.XMLParser:
    parser = etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        dtd_validation=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
    )
    parser.resolvers.add(_RefuseEverything())
    return parser


def _prolog(data: bytes) -> str | bytes:
    """The start of ``data``, decoded when it is not ASCII-compatible."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            if encoding == "utf-8":
                return data[len(bom) : len(bom) + _PROLOG_SCAN]
            return data[: _PROLOG_SCAN * 4].decode(encoding, errors="replace").lstrip("\ufeff")
    for mark, encoding in _WIDE:
        if data.startswith(mark):
            return data[: _PROLOG_SCAN * 2].decode(encoding, errors="replace")
    return data[:_PROLOG_SCAN]


def has_doctype(data: bytes) -> bool:
    """Whether the prolog of ``data`` (before the root element) declares a DOCTYPE."""
    text = _prolog(data)
    as_text = isinstance(text, str)

    def token(value: str) -> Any:
        return value if as_text else value.encode()

    position = 0
    length = len(text)
    while position < length:
        while position < length and text[position : position + 1] in (
            token(" "),
            token("\t"),
            token("\r"),
            token("\n"),
        ):
            position += 1
        if text.startswith(token("<?"), position):
            end = text.find(token("?>"), position + 2)
            if end < 0:
                return False
            position = end + 2
        elif text.startswith(token("<!--"), position):
            end = text.find(token("-->"), position + 4)
            if end < 0:
                return False
            position = end + 3
        else:
            return bool(text[position : position + 9].upper() == token("<!DOCTYPE"))
    return False


def parse_xml(data: bytes, location: str, settings: Settings) -> etree._Element:
    """The root element of the XML document ``data`` read from ``location``, parsed safely."""
    if settings.xml_forbid_dtd and has_doctype(data):
        raise DocumentError(
            "the document has a DOCTYPE: DTDs and entities are refused in WSDL and XSD documents",
            location=location,
        )
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as error:
        line, column = error.position if error.position else (error.lineno, 0)
        message = _LIBXML_SUFFIX.sub("", str(error.msg or error))
        raise DocumentError(
            f"not well-formed XML: {message}", location=f"{location}:{line}:{column}"
        ) from None
    except DocumentError as error:
        raise DocumentError(error.message, location=location) from None
    except ValueError as error:  # e.g. lxml refusing an impossible encoding declaration
        raise DocumentError(f"not readable as XML: {error}", location=location) from None
    info = root.getroottree().docinfo
    if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
        if settings.xml_forbid_dtd:
            raise DocumentError(
                "the document has a DOCTYPE: DTDs and entities are refused in WSDL and XSD "
                "documents",
                location=location,
            )
        for entity in root.iter(etree.Entity):
            raise DocumentError(
                f"the document uses the entity {entity.text!r}: entities are never expanded",
                location=location,
            )
    return root

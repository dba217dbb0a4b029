"""Load a WSDL and everything it imports: WSDL documents and XSD documents, each parsed once.

``load_documents`` starts from the WSDL's own bytes and follows, through the ``ImportResolver``
(``resolver``: the well-known catalogue, else the ``DocumentLoader`` it was given):

- ``wsdl:import`` (of another WSDL, or of an XSD, which WSDL 1.1 allows), once per location, so a
  cycle of WSDL imports ends;
- in each schema (inline in ``wsdl:types`` or a file): ``xsd:import``, ``xsd:include``,
  ``xsd:redefine`` and ``xsd:override`` with a ``schemaLocation``, once per location (a cycle of
  schema imports is legal XSD and loads each document once). An included schema without a
  ``targetNamespace`` takes its includer's (a chameleon include), once per namespace;
- an ``xsd:import`` without a location, after everything else: nothing to load when some loaded
  schema already has that namespace, a well-known schema of the catalogue when there is one, else an
  ``unresolved-import`` finding (the components it would bring are reported where they are used).

A refused or missing import raises ``BadReference`` (from the resolver); a document that is not XML,
or not a WSDL or XSD where one is expected, raises ``DocumentError`` naming it.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from lxml import etree

from connectory.errors import BadReference, DocumentError
from connectory.settings import Settings

from . import _standard as catalogue
from ._names import WSDL, XSD
from ._resolver import ImportResolver, definition_name
from ._xml import parse_xml
from .findings import Findings

__all__ = ["Documents", "SchemaDocument", "WsdlDocument", "load_documents", "schema_text"]

_DEFINITIONS = f"{{{WSDL}}}definitions"
_SCHEMA = f"{{{XSD}}}schema"
_IMPORT = f"{{{XSD}}}import"
_INCLUDES = frozenset(f"{{{XSD}}}{tag}" for tag in ("include", "redefine", "override"))


@dataclass(slots=True)
class WsdlDocument:
    location: str
    name: str
    root: etree._Element


@dataclass(slots=True)
class SchemaDocument:
    """One XSD document: a file, a schema inline in a WSDL, or a well-known schema."""

    name: str
    """Its definition name: ``types.xsd``, ``services.wsdl#schema1``, or a well-known URL."""
    location: str
    """Where its relative imports resolve from (for an inline schema: its WSDL's location)."""
    root: etree._Element
    target_namespace: str | None
    text: str
    well_known: bool = False
    included_by: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Documents:
    wsdls: list[WsdlDocument]
    schemas: list[SchemaDocument]


def schema_text(root: etree._Element, content: bytes | None) -> str:
    """The XSD text to store: the document as written when it is UTF-8, else lxml's rendering."""
    if content is not None:
        try:
            return content.decode("utf-8-sig")
        except UnicodeDecodeError:
            pass
    text: str = etree.tostring(root, encoding="unicode")
    return text


class _Walk:
    def __init__(self, resolver: ImportResolver, settings: Settings, findings: Findings) -> None:
        self.resolver = resolver
        self.settings = settings
        self.findings = findings
        self.source = resolver.source
        self.wsdls: list[WsdlDocument] = []
        self.schemas: list[SchemaDocument] = []
        self.by_key: dict[tuple[str, str | None], SchemaDocument] = {}
        self.wsdl_locations: set[str] = set()
        self.loaded = 0
        self.pending: deque[SchemaDocument] = deque()
        self.namespace_only: list[tuple[SchemaDocument, str]] = []

    def count(self, location: str) -> None:
        self.loaded += 1
        if self.loaded > self.settings.max_xml_documents:
            raise DocumentError(
                f"needs more than {self.settings.max_xml_documents} documents "
                "(raise CONNECTORY_MAX_XML_DOCUMENTS if you trust the WSDL)",
                location=location,
            )

    def wsdl(self, location: str, root: etree._Element) -> None:
        self.wsdl_locations.add(location)
        document = WsdlDocument(location, definition_name(location, self.source), root)
        self.wsdls.append(document)
        inline = (
            element
            for types in root.iterchildren(f"{{{WSDL}}}types")
            for element in types.iterchildren(_SCHEMA)
        )
        for index, element in enumerate(inline, start=1):
            name = f"{document.name}#schema{index}"
            text = etree.tostring(element, encoding="unicode")
            self.add_schema(name, location, element, text, namespace=None, key=name)
        for element in root.iterchildren(f"{{{WSDL}}}import"):
            written = element.get("location")
            if not written:
                self.findings.warning(
                    "unresolved-import",
                    f"{document.name}#/import[@namespace='{element.get('namespace', '')}']",
                    "a wsdl:import without a location is ignored",
                )
                continue
            loaded = self.resolver.load(written, importer=location)
            if loaded.location in self.wsdl_locations or (loaded.location, None) in self.by_key:
                continue
            self.count(loaded.location)
            imported = parse_xml(loaded.content, loaded.location, self.settings)
            if imported.tag == _DEFINITIONS:
                self.wsdl(loaded.location, imported)
            elif imported.tag == _SCHEMA:
                name = definition_name(loaded.location, self.source)
                text = schema_text(imported, loaded.content)
                self.add_schema(name, loaded.location, imported, text, namespace=None)
            else:
                raise DocumentError(
                    f"imported by {location} as a WSDL, but its root is {imported.tag}, not "
                    "wsdl:definitions or xsd:schema",
                    location=loaded.location,
                )

    def add_schema(
        self,
        name: str,
        location: str,
        root: etree._Element,
        text: str,
        *,
        namespace: str | None,
        well_known: bool = False,
        key: str | None = None,
    ) -> SchemaDocument:
        """Record a schema document; ``key`` (default: its location) identifies it for reuse."""
        target = root.get("targetNamespace") or namespace
        document = SchemaDocument(name, location, root, target, text, well_known)
        self.by_key[(key or location, namespace)] = document
        self.schemas.append(document)
        self.pending.append(document)
        return document

    def schema_imports(self, document: SchemaDocument) -> None:
        for element in document.root.iterchildren(_IMPORT, *_INCLUDES):
            written = element.get("schemaLocation")
            namespace = element.get("namespace") if element.tag == _IMPORT else None
            if element.tag == _IMPORT and (document.well_known or not written):
                self.namespace_only.append((document, namespace or ""))
                continue
            if not written:
                continue  # an include without a location: the schema itself is invalid
            chameleon = None if element.tag == _IMPORT else document.target_namespace
            self.schema_at(document, written, chameleon)

    def schema_at(self, importer: SchemaDocument, written: str, chameleon: str | None) -> None:
        loaded = self.resolver.load(written, importer=importer.location)
        known = self.by_key.get((loaded.location, None)) or self.by_key.get(
            (loaded.location, chameleon)
        )
        if known is not None:
            known.included_by.append(importer.name)
            return
        self.count(loaded.location)
        root = parse_xml(loaded.content, loaded.location, self.settings)
        if root.tag != _SCHEMA:
            raise BadReference(
                f"imports {written!r}, which is not an XML Schema (its root is {root.tag})",
                location=importer.location,
            )
        own = root.get("targetNamespace")
        name = (
            loaded.well_known.url
            if loaded.well_known
            else definition_name(loaded.location, self.source)
        )
        if own is None and chameleon is not None:
            name = f"{name}#{chameleon}" if self.has_name(name) else name
        added = self.add_schema(
            name,
            loaded.location,
            root,
            schema_text(root, loaded.content),
            namespace=None if own is not None else chameleon,
            well_known=loaded.well_known is not None,
        )
        added.included_by.append(importer.name)

    def has_name(self, name: str) -> bool:
        return any(schema.name == name for schema in self.schemas)

    def resolve_namespaces(self) -> None:
        while self.namespace_only:
            document, namespace = self.namespace_only.pop(0)
            if any(schema.target_namespace == (namespace or None) for schema in self.schemas):
                continue
            entry = catalogue.find_namespace(namespace)
            if entry is not None:
                self.count(entry.url)
                root = parse_xml(entry.read(), entry.url, self.settings)
                self.add_schema(
                    entry.url,
                    entry.url,
                    root,
                    schema_text(root, entry.read()),
                    namespace=None,
                    well_known=True,
                )
                self.drain()
                continue
            self.findings.warning(
                "unresolved-import",
                f"{document.name}#/import[@namespace='{namespace}']",
                f"imports namespace {namespace!r} without a location, and no schema of the WSDL "
                "or of the well-known catalogue has it",
            )

    def drain(self) -> None:
        while self.pending:
            self.schema_imports(self.pending.popleft())


def load_documents(
    root: etree._Element, resolver: ImportResolver, settings: Settings, findings: Findings
) -> Documents:
    """The WSDL ``root`` (read from ``resolver.source``) and every document it imports."""
    walk = _Walk(resolver, settings, findings)
    walk.count(resolver.source)
    walk.wsdl(resolver.source, root)
    walk.drain()
    walk.resolve_namespaces()
    return Documents(walk.wsdls, walk.schemas)

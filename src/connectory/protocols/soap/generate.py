"""A WSDL 1.1 document -> a draft ``ConnectorVersion`` of protocol ``soap``.

The steps, all reading the parsed documents and sharing one ``Findings``:

    xml          the WSDL's bytes, parsed hardened: no DTD, no entity, no network (``_xml``)
    parse        every imported WSDL and XSD, through the ``ImportResolver`` (``_resolver``: the
                 well-known catalogue, else the given ``DocumentLoader``: folder/origin only)
    wsdl         messages, port types, bindings, services (``_wsdl``)
    xsd          the global XSD components and their content models (``_xsd``)
    definitions  a JSON Schema mirror of every global type and element, per schema document
    auth         WS-Policy -> auth methods
    actions      one per operation of each SOAP port (or of each binding no port uses)

``generate`` raises ``ProtocolError`` when the document is not a WSDL 1.1 with at least one SOAP
binding, ``DocumentError`` for unsafe or malformed XML, ``BadReference`` for a refused or missing
import; anything else wrong becomes a finding. It does no I/O itself: every read goes through
``loader`` (by default ``loader_for`` the WSDL's source: its folder or origin, closed afterwards).
"""

from __future__ import annotations

from datetime import datetime

from connectory.documents.loader import DocumentLoader, bound_loader
from connectory.documents.parse import ParsedDocument
from connectory.errors import ProtocolError
from connectory.model.version import ConnectorVersion, Definition, SoapEndpoint, SoapMetadata
from connectory.settings import DEFAULT_SETTINGS, Settings, Tally

from ._names import WSDL, XSD, local_name
from ._resolver import ImportResolver
from ._wsdl import Wsdl, read_wsdl
from ._xml import parse_xml
from ._xsd import SchemaSet
from .actions import build_actions
from .auth import Policies
from .definitions import Mirror
from .findings import Findings
from .parse import Documents, load_documents

__all__ = ["build_version", "generate"]


def _endpoints(wsdl: Wsdl) -> list[SoapEndpoint]:
    endpoints = []
    used = set()
    for service in wsdl.services.values():
        for port in service.ports:
            binding = wsdl.bindings.get(port.binding or "")
            if binding is None or binding.soap_version is None:
                continue
            used.add(binding.qname)
            endpoints.append(
                SoapEndpoint(
                    service=local_name(service.qname),
                    port=port.name,
                    binding=local_name(binding.qname),
                    soap_version=binding.soap_version,
                    address=port.address,
                )
            )
    for binding in wsdl.bindings.values():
        if binding.qname not in used and binding.soap_version is not None:
            endpoints.append(
                SoapEndpoint(
                    service=None,
                    port=None,
                    binding=local_name(binding.qname),
                    soap_version=binding.soap_version,
                )
            )
    return endpoints


_OPERATION = f"{{{WSDL}}}portType/{{{WSDL}}}operation"
_GLOBALS = frozenset(f"{{{XSD}}}{tag}" for tag in ("complexType", "simpleType", "element"))


def _check_counts(documents: Documents, settings: Settings) -> None:
    """The port types' operations against ``max_operations`` and the schemas' global types and
    elements (each a definition) against ``max_types``, before anything is built from them."""
    operations = Tally(settings, "max_operations", "operations")
    for document in documents.wsdls:
        operations.add(len(document.root.findall(_OPERATION)), location=document.name)
    types = Tally(settings, "max_types", "types (global XSD types and elements)")
    for schema in documents.schemas:
        types.add(sum(child.tag in _GLOBALS for child in schema.root), location=schema.name)


def build_version(
    content: bytes,
    *,
    connector: str,
    source: str,
    sha256: str,
    fetched_at: datetime,
    loader: DocumentLoader | None = None,
    settings: Settings = DEFAULT_SETTINGS,
) -> ConnectorVersion:
    """The draft connector version that the WSDL 1.1 ``content`` (read from ``source``) describes.

    The documents it imports are read through ``loader`` (by default ``loader_for(source)``)."""
    with bound_loader(source, loader, settings=settings) as files:
        resolver = ImportResolver(source, files, settings=settings)
        return _build(content, connector, source, sha256, fetched_at, resolver, settings)


def _build(
    content: bytes,
    connector: str,
    source: str,
    sha256: str,
    fetched_at: datetime,
    resolver: ImportResolver,
    settings: Settings,
) -> ConnectorVersion:
    findings = Findings()
    root = parse_xml(content, source, settings)
    if root.tag != f"{{{WSDL}}}definitions":
        raise ProtocolError(
            f"not a WSDL 1.1 document: the root element is {root.tag}, not wsdl:definitions",
            location=source,
        )
    documents = load_documents(root, resolver, settings, findings)
    _check_counts(documents, settings)
    wsdl = read_wsdl(documents.wsdls, findings)
    if not any(binding.soap_version for binding in wsdl.bindings.values()):
        raise ProtocolError(
            "the WSDL has no SOAP 1.1 or 1.2 binding: nothing to onboard", location=source
        )
    schemas = SchemaSet(documents.schemas, findings)
    mirror = Mirror(schemas, findings)
    definitions = [
        Definition(
            name=document.name,
            format="xsd",
            content=document.text,
            json_schema=mirror.document(document),
            namespace=document.target_namespace,
        )
        for document in documents.schemas
    ]
    policies = Policies(((d.name, d.root) for d in documents.wsdls), findings)
    actions = build_actions(wsdl, mirror, policies, findings)
    services = list(wsdl.services.values())
    return ConnectorVersion(
        connector=connector,
        protocol="soap",
        title=wsdl.name or (local_name(services[0].qname) if services else None),
        description=wsdl.documentation
        or next((s.documentation for s in services if s.documentation), None),
        source=source,
        sha256=sha256,
        fetched_at=fetched_at,
        metadata=SoapMetadata(target_namespace=wsdl.target_namespace, endpoints=_endpoints(wsdl)),
        auth_methods=policies.methods(),
        actions=actions,
        definitions=definitions,
        findings=findings.to_list(),
    )


def generate(
    document: ParsedDocument,
    *,
    connector: str,
    loader: DocumentLoader | None = None,
    settings: Settings = DEFAULT_SETTINGS,
) -> ConnectorVersion:
    """The draft version a WSDL 1.1 describes (the protocol contract:
    ``connectory.protocols.contract``); the documents it imports are read through ``loader``
    (by default ``loader_for`` the WSDL's source, closed afterwards)."""
    raw = document.raw
    return build_version(
        raw.content,
        connector=connector,
        source=raw.source,
        sha256=raw.sha256,
        fetched_at=raw.fetched_at,
        loader=loader,
        settings=settings,
    )

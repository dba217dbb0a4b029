"""The XSD models of a stored version, rebuilt from its definitions alone (no I/O).

A SOAP version carries its XSDs as definitions (format ``xsd``), so converting an action's JSON to
XML and back needs nothing but the version: ``schema_set`` parses each definition's text (hardened)
and indexes it again. A definition's ``namespace`` is the namespace its components belong to
(for a chameleon include: its includer's), as it was when the WSDL was onboarded.
"""

from __future__ import annotations

from connectory.errors import DocumentError
from connectory.model.version import ConnectorVersion
from connectory.protocols.soap._names import XSD
from connectory.protocols.soap._resolver import location_of
from connectory.protocols.soap._xml import parse_xml
from connectory.protocols.soap._xsd import SchemaSet
from connectory.protocols.soap.findings import Findings
from connectory.protocols.soap.parse import SchemaDocument
from connectory.settings import DEFAULT_SETTINGS, Settings

__all__ = ["schema_documents", "schema_set"]


def schema_documents(
    version: ConnectorVersion, settings: Settings = DEFAULT_SETTINGS
) -> list[SchemaDocument]:
    """The version's XSD definitions as parsed schema documents."""
    documents: list[SchemaDocument] = []
    for definition in version.definitions:
        if definition.format != "xsd" or not isinstance(definition.content, str):
            continue
        root = parse_xml(definition.content.encode("utf-8"), definition.name, settings)
        if root.tag != f"{{{XSD}}}schema":
            raise DocumentError(
                "an xsd definition that is not an XML Schema", location=definition.name
            )
        documents.append(
            SchemaDocument(
                name=definition.name,
                location=location_of(definition.name.split("#", 1)[0], version.source),
                root=root,
                target_namespace=definition.namespace or root.get("targetNamespace"),
                text=definition.content,
            )
        )
    return documents


def schema_set(version: ConnectorVersion, settings: Settings = DEFAULT_SETTINGS) -> SchemaSet:
    """The indexed XSD components of ``version``. The walk's findings are dropped: onboarding
    already reported them."""
    return SchemaSet(schema_documents(version, settings), Findings())

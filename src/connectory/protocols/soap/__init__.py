"""SOAP, from WSDL 1.1 -> a draft SOAP connector version.

The steps, one module each (``zeep``'s split: the WSDL side imports the XSD side, never the
reverse):

    names       namespaces, QNames as ``{namespace}local``
    findings    the findings of one run (severity, kind, location, message)
    xml         hardened XML parsing (no DTD, no entity, no network, libxml2's size limits)
    catalogue   well-known W3C/OASIS schemas, served from local copies (``schemas/``)
    resolver    the one import resolver: the WSDL's folder or origin, or the catalogue
    loading     the WSDL and every document it imports, each parsed once
    wsdl        messages, port types, bindings, services
    xsdmodel    compiled shapes of XSD components (content models, simple types)
    xsd         the XSD component graph: globals by QName, compiled on demand (no full compile)
    xsdsimple   simple types: restriction chains, facets, lists, unions
    builtins    XSD built-in types as JSON, XSD patterns as JSON Schema patterns
    mirror      the JSON Schema mirror of types, elements and messages
    policy      WS-Policy -> auth methods; ``with_auth_method`` to add one by hand
    actions     operations -> actions (names, bindings, inputs, outputs, auth)
    generate    the whole WSDL -> ``ConnectorVersion``
    stored      a stored version's XSD models, rebuilt from its definitions (no I/O)
    lexical     XML text <-> JSON values; wildcard content
    convert     JSON <-> SOAP envelopes for an action's messages, following the mirror
    compile     a full, lenient xmlschema compile of a version's XSDs (vetting, off the fast path)

The surface: ``generate`` (the step; ``Loader``/``SiblingLoader`` are its I/O seam),
``with_auth_method``, ``MessageConverter``/``message_to_xml``/``message_from_xml`` (an action's
JSON <-> SOAP envelopes), ``compile_xsd``/``check_round_trip`` (the vetting checks).
"""

from __future__ import annotations

from ._resolver import (
    Loaded,
    Loader,
    SiblingLoader,
)
from .auth import with_auth_method
from .changes import DIFFER
from .generate import generate

__all__ = [
    "DIFFER",
    "NAME",
    "Loaded",
    "Loader",
    "SiblingLoader",
    "generate",
    "with_auth_method",
]

NAME = "soap"
"""The protocol of the connectors this package makes (the contract: ``protocols.contract``)."""

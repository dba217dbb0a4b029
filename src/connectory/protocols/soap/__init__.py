"""SOAP, from WSDL 1.1 -> a draft SOAP connector version.

The steps, one module each (``zeep``'s split: the WSDL side imports the XSD side, never the
reverse):

    _names        namespaces, QNames as ``{namespace}local``
    findings      the findings of one run (severity, kind, location, message)
    _xml          hardened XML parsing (no DTD, no entity, no network, libxml2's size limits)
    _standard     the catalogue of well-known W3C/OASIS schemas, local copies (``schemas/``)
    _resolver     ``ImportResolver``: an import -> bytes, from the catalogue or through the
                  ``DocumentLoader`` it is given (the WSDL's folder or origin only)
    parse         the WSDL and every document it imports, each parsed once
    _wsdl         messages, port types, bindings, services
    _xsdmodel     compiled shapes of XSD components (content models, simple types)
    _xsd          the XSD component graph: globals by QName, compiled on demand (no full compile)
    _xsdsimple    simple types: restriction chains, facets, lists, unions
    _builtins     XSD built-in types as JSON, XSD patterns as JSON Schema patterns
    definitions   the JSON Schema mirror of types, elements and messages
    auth          WS-Policy -> auth methods; ``with_auth_method`` to add one by hand
    actions       operations -> actions (names, bindings, inputs, outputs, auth)
    generate      the whole WSDL -> ``ConnectorVersion`` (the contract's ``generate``)
    changes       the SOAP part of a version diff (``DIFFER``)

Elsewhere, in the layers above: ``connectory.runtime.soap`` (a stored version's XSD models rebuilt
from its definitions, XML text <-> JSON values, JSON <-> SOAP envelopes for an action's messages)
and ``connectory.vetting.xsd`` (a full, lenient xmlschema compile of a version's XSDs).

The surface: ``NAME``, ``DIFFER``, ``generate`` (the protocol contract: the documents a WSDL
imports are read through the ``DocumentLoader`` it is given) and ``with_auth_method``.
"""

from __future__ import annotations

from .auth import with_auth_method
from .changes import DIFFER
from .generate import generate

__all__ = [
    "DIFFER",
    "NAME",
    "generate",
    "with_auth_method",
]

NAME = "soap"
"""The protocol of the connectors this package makes (the contract: ``protocols.contract``)."""

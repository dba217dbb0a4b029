"""OpenAPI 3.0 / 3.1 and Swagger 2.0 -> a draft HTTP connector version.

A description may be one document or several files that refer to each other (read through an
injected ``connectory.documents.loader.DocumentLoader``, only within the root's folder or origin). The steps,
one module each (all private to this package except ``generate``):

    raw           the raw objects of a document (root, path items, operations, parameters...) as
                  ``TypedDict``s: what each reader reads, described, not checked
    findings      the findings of one run (severity, kind, location, message)
    refs          locations (JSON pointers, in a file); following ``$ref``s of non-schema objects
                  across files, refusing loops and long chains
    keywords      the 2020-12 keywords by the kind of value each takes
    schemacheck   keyword values checked against the 2020-12 meta-schema (invalid ones dropped)
    schemarefs    schema ``$ref``s: definitions (components, other files, recursive) or inlined
    schemas       Schema Objects -> JSON Schema 2020-12 (refs kept as definition URIs)
    context       what the steps share: resolver, schema converter, findings, dialect
    definitions   ``components.schemas`` / ``definitions``, then the bundled ones -> definitions
    servers       ``servers`` (Swagger: host, basePath, schemes) -> HTTP metadata
    auth          security schemes -> auth methods; ``security`` -> alternatives
    examples      examples checked against their schemas (bounded) -> findings
    parameters    parameters -> binding parameters and the action input schema
    bodies        request bodies and responses -> media types, schemas, outputs
    swagger       Swagger 2.0 parameters, bodies (body, formData) and responses
    naming        stable unique names (operationId, else method + path; ``_2`` suffixes)
    actions       operations -> actions (names, bindings, inputs, outputs, auth)
    triggers      ``webhooks`` / ``x-webhooks`` and ``callbacks`` -> triggers
    generate      the whole description -> ``ConnectorVersion``
"""

from __future__ import annotations

from .changes import DIFFER
from .generate import generate

__all__ = ["DIFFER", "NAME", "generate"]

NAME = "http"
"""The protocol of the connectors this package makes (the contract: ``protocols.contract``)."""

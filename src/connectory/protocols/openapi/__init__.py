"""OpenAPI 3.0 / 3.1 and Swagger 2.0 -> a draft HTTP connector version.

A description may be one document or several files that refer to each other (read through the
``connectory.documents.loader.DocumentLoader`` it is given, only within the root's folder or
origin). The package implements the protocol contract (``connectory.protocols.contract``):
``NAME``, ``DIFFER`` and ``generate``. The stage modules, in the order ``generate`` runs them:

    _servers      ``servers`` (Swagger: host, basePath, schemes) -> HTTP metadata
    definitions   ``components.schemas`` / ``definitions``, then the bundled ones -> definitions
    auth          security schemes -> auth methods; ``security`` -> alternatives
    actions       operations -> actions (names, bindings, inputs, outputs, auth)
    triggers      ``webhooks`` / ``x-webhooks`` and ``callbacks`` -> triggers
    findings      the findings of one run (severity, kind, location, message)
    generate      the whole description -> ``ConnectorVersion`` (``build_version``, the step)
    changes       this protocol's part of a version diff: servers, routes, parameters, bodies

and the private helpers they share:

    _raw          the raw objects of a document (root, path items, operations, parameters...) as
                  ``TypedDict``s: what each reader reads, described, not checked
    _refs         locations (JSON pointers, in a file); following ``$ref``s of non-schema objects
                  across files, refusing loops and long chains
    _keywords     the 2020-12 keywords by the kind of value each takes
    _schemacheck  keyword values checked against the 2020-12 meta-schema (invalid ones dropped)
    _schemarefs   schema ``$ref``s: definitions (components, other files, recursive) or inlined
    _schemas      Schema Objects -> JSON Schema 2020-12 (refs kept as definition URIs)
    _schemaforms  small rewrites of converted schemas (3.0's nullable in 2020-12 terms, ...)
    _context      what the steps share: resolver, schema converter, findings, dialect
    _examples     examples checked against their schemas (bounded) -> findings
    _parameters   parameters -> binding parameters and the action input schema
    _bodies       request bodies and responses -> media types, schemas, outputs
    _swagger      Swagger 2.0 parameters, bodies (body, formData) and responses
    _naming       stable unique names (operationId, else method + path; ``_2`` suffixes)
    _pagination   how a list operation pages (x-pagination, Speakeasy's, a Link header)
"""

from __future__ import annotations

from .changes import DIFFER
from .generate import generate

__all__ = ["DIFFER", "NAME", "generate"]

NAME = "http"
"""The protocol of the connectors this package makes (the contract: ``protocols.contract``)."""

"""OpenAPI 3.0 / 3.1 -> a draft HTTP connector version.

The steps, one module each (all private to this package except ``generate``):

    findings      the findings of one run (severity, kind, JSON pointer, message)
    refs          JSON pointers; following ``$ref``s of non-schema objects, with loop detection
    keywords      the 2020-12 keywords by the kind of value each takes
    schemas       OpenAPI Schema Objects -> JSON Schema 2020-12 (refs kept as definition URIs)
    context       what the steps share: resolver, schema converter, findings
    definitions   ``components.schemas`` -> definitions
    servers       root ``servers`` -> HTTP metadata
    auth          security schemes -> auth methods; ``security`` -> alternatives
    parameters    parameters -> binding parameters and the action input schema
    bodies        request bodies and responses -> media types, schemas, outputs
    naming        stable unique names (operationId, else method + path; ``_2`` suffixes)
    actions       operations -> actions (names, bindings, inputs, outputs, auth)
    triggers      ``webhooks`` / ``x-webhooks`` and ``callbacks`` -> triggers
    generate      the whole document -> ``ConnectorVersion``
"""

from .generate import generate

__all__ = ["generate"]

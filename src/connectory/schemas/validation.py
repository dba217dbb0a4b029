"""Step 4 of onboarding: check a generated version and report what is wrong as findings.

Every JSON Schema in the version (definitions, XSD mirrors, action inputs and outputs, trigger
payloads) is checked against the JSON Schema 2020-12 metaschema, and every reference to a definition
must name one that exists. Nothing here raises for a bad schema: it becomes a ``Finding`` whose
location is a JSON pointer into the version (``/definitions/3/content/properties/id``).
"""

from __future__ import annotations

from collections.abc import Iterator

from connectory._gcpause import paused_gc
from connectory.model.version import (
    DEFINITION_URI_PREFIX,
    ConnectorVersion,
    Finding,
    JsonSchema,
    definition_uri,
)

from .metaschema import MetaschemaChecker
from .pointer import pointer as _pointer

__all__ = ["iter_schemas", "validate"]


def iter_schemas(version: ConnectorVersion) -> Iterator[tuple[str, JsonSchema]]:
    """Every JSON Schema of ``version`` with its JSON pointer in the version."""
    for i, definition in enumerate(version.definitions):
        if definition.format == "json-schema":
            yield _pointer("definitions", i, "content"), definition.content  # type: ignore[misc]
        elif definition.json_schema is not None:
            yield _pointer("definitions", i, "json_schema"), definition.json_schema
    for i, action in enumerate(version.actions):
        if action.input is not None:
            yield _pointer("actions", i, "input"), action.input
        for j, output in enumerate(action.outputs):
            if output.schema_ is not None:
                yield _pointer("actions", i, "outputs", j, "schema"), output.schema_
            for name, header in output.headers.items():
                yield _pointer("actions", i, "outputs", j, "headers", name), header
    for i, trigger in enumerate(version.triggers):
        if trigger.payload is not None:
            yield _pointer("triggers", i, "payload"), trigger.payload


def validate(version: ConnectorVersion) -> list[Finding]:
    """Findings for invalid schemas and dangling definition references (an empty list when clean)."""
    with paused_gc():
        return _validate(version)


def _validate(version: ConnectorVersion) -> list[Finding]:
    findings: list[Finding] = []
    known = {definition_uri(d.name) for d in version.definitions}
    checker = MetaschemaChecker()
    for pointer, schema in iter_schemas(version):
        check = checker.check(schema)
        findings.extend(
            Finding(
                severity="error",
                kind="invalid-schema",
                location=pointer + _pointer(*error.path),
                message=f"not valid JSON Schema 2020-12: {error.message}",
            )
            for error in check.errors
        )
        findings.extend(
            Finding(
                severity="error",
                kind="unresolvable-ref",
                location=pointer + _pointer(*path),
                message=f"refers to {ref!r}, which is not a definition of this version",
            )
            for path, ref in check.refs
            if isinstance(ref, str)
            and ref.startswith(DEFINITION_URI_PREFIX)
            and ref.split("#", 1)[0] not in known
        )
    return findings

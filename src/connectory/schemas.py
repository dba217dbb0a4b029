"""JSON Schema helpers: a version's definitions as a ``referencing`` registry, and validators.

Schemas of a version refer to its definitions as ``urn:connectory:definition:<name>``. A registry
built here holds exactly those definitions: resolving any other URI fails (no file, no network).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from .model import ConnectorVersion, Definition, JsonSchema, definition_uri

__all__ = ["FORMATS", "FORMAT_CHECKER", "errors_of", "registry_for", "validator_for"]

FORMATS = ("date", "date-time", "time", "email", "idn-email", "ipv4", "ipv6", "regex", "uuid")
"""The ``format``s a validator checks, the same wherever Connectory runs. jsonschema checks more
where optional packages happen to be installed (the notebooks' dependencies bring several: ``uri``,
``hostname``, ``iri``...), which would make a document's findings depend on the machine. These
need only the standard library and ``rfc3339-validator``."""


def _format_checker() -> FormatChecker:
    known = Draft202012Validator.FORMAT_CHECKER.checkers
    checker = FormatChecker(formats=())
    checker.checkers = {name: known[name] for name in FORMATS}
    return checker


FORMAT_CHECKER = _format_checker()


def _json_schema_of(definition: Definition) -> JsonSchema | None:
    if definition.format == "json-schema":
        return definition.content  # type: ignore[return-value]
    return definition.json_schema


def registry_for(definitions: ConnectorVersion | Iterable[Definition]) -> Registry[Any]:
    """A registry of the JSON Schemas (and XSD mirrors) among ``definitions``.

    Unknown URIs are not retrieved: looking one up raises ``referencing.exceptions.Unresolvable``.
    """
    if isinstance(definitions, ConnectorVersion):
        definitions = definitions.definitions
    resources = []
    for definition in definitions:
        schema = _json_schema_of(definition)
        if schema is not None:
            resource = Resource(contents=schema, specification=DRAFT202012)
            resources.append((definition_uri(definition.name), resource))
    return Registry().with_resources(resources)


def validator_for(
    schema: JsonSchema,
    definitions: ConnectorVersion | Iterable[Definition] | Registry[Any],
    *,
    validator_class: type[Draft202012Validator] = Draft202012Validator,
) -> Draft202012Validator:
    """A 2020-12 validator for ``schema`` whose refs resolve among ``definitions`` only.

    ``validator_class`` may be an extension of ``Draft202012Validator`` (``jsonschema.validators
    .extend``), e.g. one that bounds the time a validation may take.
    """
    registry = definitions if isinstance(definitions, Registry) else registry_for(definitions)
    return validator_class(schema, registry=registry, format_checker=FORMAT_CHECKER)


def errors_of(
    schema: JsonSchema,
    definitions: ConnectorVersion | Iterable[Definition] | Registry[Any],
    value: Any,
    *,
    root: str,
    limit: int | None = None,
) -> list[str]:
    """Where ``value`` does not fit ``schema``: ``path/to/it: message`` (``root`` names the
    whole value), at most ``limit`` of them."""
    found = validator_for(schema, definitions).iter_errors(value)
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or root}: {error.message}"
        for error in itertools.islice(found, limit)
    ]

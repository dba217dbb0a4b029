"""JSON Schema helpers: a version's definitions as a ``referencing`` registry, and validators.

Schemas of a version refer to its definitions as ``urn:connectory:definition:<name>``. A registry
built here holds exactly those definitions: resolving any other URI fails (no file, no network).

A schema comes from a document, a value may come from anyone: ``bounded_validator_class`` checks
a deadline at every ``$ref`` (references that fan out) and does not run a ``pattern`` whose
backtracking can explode (``risky_pattern``: a repeat inside a repeat, or a repeated
alternation, such as ``(a+)+$``), since Python's ``re`` cannot be interrupted.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker, ValidationError, validators
from jsonschema.exceptions import best_match
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from connectory._patterns import risky_pattern
from connectory.model.version import ConnectorVersion, Definition, JsonSchema, definition_uri

__all__ = [
    "ANSWER_CHECK_SECONDS",
    "FORMATS",
    "FORMAT_CHECKER",
    "OutOfTime",
    "bounded_validator_class",
    "errors_of",
    "json_schema_of",
    "problems_of",
    "registry_for",
    "resources_of",
    "risky_pattern",
    "validator_for",
]

ANSWER_CHECK_SECONDS = 10.0
"""An answer (a server's: anyone's) is checked against its output schema for at most this long,
bounded (``errors_of(..., seconds=)``): no ``pattern`` that may backtrack without end is run."""
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


def json_schema_of(definition: Definition) -> JsonSchema | None:
    """The JSON Schema of ``definition`` (its content, or the mirror of an XSD type), if any."""
    if definition.format == "json-schema":
        return definition.content  # type: ignore[return-value]
    return definition.json_schema


def registry_for(definitions: ConnectorVersion | Iterable[Definition]) -> Registry[Any]:
    """A registry of the JSON Schemas (and XSD mirrors) among ``definitions``.

    Unknown URIs are not retrieved: looking one up raises ``referencing.exceptions.Unresolvable``.
    """
    if isinstance(definitions, ConnectorVersion):
        definitions = definitions.definitions
    return Registry().with_resources(resources_of(definitions))


def resources_of(definitions: Iterable[Definition]) -> list[tuple[str, Resource[Any]]]:
    """The ``(URI, resource)`` of each JSON Schema (and XSD mirror) among ``definitions``."""
    resources = []
    for definition in definitions:
        schema = json_schema_of(definition)
        if schema is not None:
            resources.append((definition_uri(definition.name), DRAFT202012.create_resource(schema)))
    return resources


def _multiple_of(validator: Any, value: Any, instance: Any, schema: Any) -> Any:
    """``multipleOf``, for a number it cannot divide (an exact ``Decimal`` by a float, a number
    too large for a float or for the quotient's precision): a problem, not an exception."""
    try:
        found = list(
            Draft202012Validator.VALIDATORS["multipleOf"](validator, value, instance, schema)
        )
    except (TypeError, ArithmeticError):
        found = [
            ValidationError(
                f"cannot check multipleOf {value!r}: the number cannot be divided by it"
            )
        ]
    yield from found


_Checked: type[Draft202012Validator] = validators.extend(
    Draft202012Validator, {"multipleOf": _multiple_of}
)
"""2020-12, ``multipleOf`` kept from raising on numbers an answer may bring."""


def validator_for(
    schema: JsonSchema,
    definitions: ConnectorVersion | Iterable[Definition] | Registry[Any],
    *,
    validator_class: type[Draft202012Validator] = _Checked,
) -> Draft202012Validator:
    """A 2020-12 validator for ``schema`` whose refs resolve among ``definitions`` only.

    ``validator_class`` may be an extension of ``Draft202012Validator`` (``jsonschema.validators
    .extend``), e.g. one that bounds the time a validation may take.
    """
    registry = definitions if isinstance(definitions, Registry) else registry_for(definitions)
    return validator_class(schema, registry=registry, format_checker=FORMAT_CHECKER)


class OutOfTime(Exception):
    """A bounded validation passed its deadline."""


def bounded_validator_class(deadline: Callable[[], bool]) -> type[Draft202012Validator]:
    """A 2020-12 validator class that raises ``OutOfTime`` at a ``$ref`` once ``deadline()`` is
    true, and skips ``pattern`` and ``patternProperties`` that are ``risky_pattern``."""
    plain = Draft202012Validator.VALIDATORS

    def ref(validator: Any, value: Any, instance: Any, schema: Any) -> Any:
        if deadline():
            raise OutOfTime
        yield from plain["$ref"](validator, value, instance, schema)

    def pattern(validator: Any, value: Any, instance: Any, schema: Any) -> Any:
        if isinstance(value, str) and not risky_pattern(value):
            yield from plain["pattern"](validator, value, instance, schema)

    def pattern_properties(validator: Any, value: Any, instance: Any, schema: Any) -> Any:
        if isinstance(value, Mapping) and not any(map(risky_pattern, value)):
            yield from plain["patternProperties"](validator, value, instance, schema)

    return validators.extend(  # type: ignore[no-any-return]
        _Checked,
        {"$ref": ref, "pattern": pattern, "patternProperties": pattern_properties},
    )


def errors_of(
    schema: JsonSchema,
    definitions: ConnectorVersion | Iterable[Definition] | Registry[Any],
    value: Any,
    *,
    root: str,
    limit: int | None = None,
    seconds: float | None = None,
) -> list[str]:
    """Where ``value`` does not fit ``schema``: ``path/to/it: message`` (``root`` names the
    whole value), at most ``limit`` of them; where no branch of an ``anyOf``/``oneOf`` fits, the
    deepest fields at fault in the branch the value comes closest to (``_at_fault``). With
    ``seconds``, for a value from anyone: bounded (``bounded_validator_class``); past the
    deadline, a last message says it was not all checked."""
    if seconds is None:
        found = validator_for(schema, definitions).iter_errors(value)
    else:
        stop_at = time.monotonic() + seconds
        bounded = bounded_validator_class(lambda: time.monotonic() > stop_at)
        found = validator_for(schema, definitions, validator_class=bounded).iter_errors(value)
    return problems_of(found, root=root, limit=limit, seconds=seconds)


def problems_of(
    found: Iterator[ValidationError],
    *,
    root: str,
    limit: int | None = None,
    seconds: float | None = None,
) -> list[str]:
    """``errors_of``'s messages for the errors a validator ``found`` (its ``iter_errors``, maybe
    of a ``bounded_validator_class``: past the deadline, a last message says so)."""
    problems: list[str] = []
    try:
        for error in itertools.islice(itertools.chain.from_iterable(map(_at_fault, found)), limit):
            where = "/".join(str(p) for p in error.absolute_path) or root
            problems.append(f"{where}: {error.message}")
    except OutOfTime:
        problems.append(f"{root}: not all checked (stopped after {seconds:g} s)")
    return problems


def _at_fault(error: ValidationError) -> Iterator[ValidationError]:
    """The errors that name what is at fault in ``error``: itself, or for an ``anyOf``/``oneOf``
    that no branch fits (a nullable object is ``anyOf: [{type: null}, {...}]``), every error of
    the branch the value comes closest to (jsonschema's ``best_match``: a branch of the value's
    type, so not ``null`` for an object), each taken apart the same way. When no branch is of the
    value's type (``5`` for an object or null), ``error`` itself."""
    if error.validator not in ("anyOf", "oneOf") or not error.context:
        yield error
        return
    best = best_match([error])
    if best is error:
        yield error
        return
    while best.parent is not error and best.parent is not None:
        best = best.parent
    branch = best.relative_schema_path[0]
    for inner in error.context:
        if inner.relative_schema_path[0] == branch:
            yield from _at_fault(inner)

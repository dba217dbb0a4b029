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
from collections.abc import (
    Callable,
    Iterable,
    Iterator,
    Mapping,
)
from functools import lru_cache
from typing import Any

from jsonschema import (
    Draft202012Validator,
    FormatChecker,
    validators,
)
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from connectory.model.version import (
    ConnectorVersion,
    Definition,
    JsonSchema,
    definition_uri,
)

try:  # the parser behind ``re``: private, but stable since Python 3.11
    import re._constants as _sre_constants  # type: ignore[import-not-found]
    import re._parser as _sre_parse  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - older layouts
    import sre_constants as _sre_constants
    import sre_parse as _sre_parse

__all__ = [
    "FORMATS",
    "FORMAT_CHECKER",
    "OutOfTime",
    "bounded_validator_class",
    "errors_of",
    "registry_for",
    "risky_pattern",
    "validator_for",
]

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
            resource = DRAFT202012.create_resource(schema)
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


_REPEATS = {_sre_constants.MAX_REPEAT, _sre_constants.MIN_REPEAT}
if hasattr(_sre_constants, "POSSESSIVE_REPEAT"):
    _REPEATS.add(_sre_constants.POSSESSIVE_REPEAT)


class OutOfTime(Exception):
    """A bounded validation passed its deadline."""


def _walk_pattern(items: Any) -> Iterator[tuple[Any, Any]]:
    for op, av in items:
        yield op, av
        if op in _REPEATS:
            yield from _walk_pattern(av[2])
        elif op is _sre_constants.SUBPATTERN:
            yield from _walk_pattern(av[-1])
        elif op is _sre_constants.BRANCH:
            for branch in av[1]:
                yield from _walk_pattern(branch)
        elif op in (_sre_constants.ASSERT, _sre_constants.ASSERT_NOT):
            yield from _walk_pattern(av[1])


@lru_cache(maxsize=4096)
def risky_pattern(pattern: str) -> bool:
    """Whether ``pattern`` has a repeat holding a repeat or an alternation (it may backtrack)."""
    try:
        parsed = _sre_parse.parse(pattern)
    except Exception:  # any failure to parse: do not run it
        return True
    for op, av in _walk_pattern(parsed):
        if op in _REPEATS and av[1] > 1:
            inner = list(_walk_pattern(av[2]))
            if any(o is _sre_constants.BRANCH or (o in _REPEATS and a[1] > 1) for o, a in inner):
                return True
    return False


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
        Draft202012Validator,
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
    whole value), at most ``limit`` of them. With ``seconds``, for a value from anyone: bounded
    (``bounded_validator_class``); past the deadline, a last message says it was not all checked."""
    if seconds is None:
        found = validator_for(schema, definitions).iter_errors(value)
    else:
        stop_at = time.monotonic() + seconds
        bounded = bounded_validator_class(lambda: time.monotonic() > stop_at)
        found = validator_for(schema, definitions, validator_class=bounded).iter_errors(value)
    problems: list[str] = []
    try:
        for error in itertools.islice(found, limit):
            where = "/".join(str(p) for p in error.absolute_path) or root
            problems.append(f"{where}: {error.message}")
    except OutOfTime:
        problems.append(f"{root}: not all checked (stopped after {seconds:g} s)")
    return problems

"""Examples that do not match their schema -> ``example-mismatch`` findings.

Checked: ``example`` / ``examples`` of schemas (kept by the converter), of parameters, JSON media
types and headers (``example``, and the ``value`` of each entry of ``examples``, references
followed), and Swagger 2.0's response ``examples`` of JSON media types. Each is validated against its
converted schema by ``connectory.schemas.validator_for`` over the version's definitions: no file and
no network. The finding's location is the example's own.

Bounded in time: at most ``settings.max_example_checks`` checks and ``settings.example_check_seconds``
seconds; the deadline is also checked at every ``$ref`` a validation follows, so schemas whose
references fan out cannot hold it. When capped, an ``examples-not-checked`` finding says how many
were left. A ``pattern`` whose backtracking can explode (a repeat inside a repeat, or a repeated
alternation, such as ``(a+)+$``) is not run against examples: Python's ``re`` cannot be interrupted.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Iterator, Mapping
from functools import lru_cache
from typing import Any

from jsonschema import Draft202012Validator, validators
from referencing import Registry
from referencing.exceptions import Unresolvable

from connectory.model import Definition
from connectory.schemas import registry_for, validator_for
from connectory.settings import Settings

from .context import Context, Example
from .findings import Findings
from .refs import child, render

try:  # the parser behind ``re``: private, but stable since Python 3.11
    import re._constants as _sre_constants  # type: ignore[import-not-found]
    import re._parser as _sre_parse  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - older layouts
    import sre_constants as _sre_constants  # type: ignore[no-redef]
    import sre_parse as _sre_parse  # type: ignore[no-redef]

__all__ = ["check_examples", "collect"]

_REPEATS = {_sre_constants.MAX_REPEAT, _sre_constants.MIN_REPEAT}
if hasattr(_sre_constants, "POSSESSIVE_REPEAT"):
    _REPEATS.add(_sre_constants.POSSESSIVE_REPEAT)


def collect(context: Context, holder: Mapping[str, Any], location: str, schema: Any) -> None:
    """Keep the ``example`` and ``examples`` of a parameter, media type or header to check."""
    if schema is None:
        return
    if "example" in holder:
        context.examples.append((child(location, "example"), holder["example"], schema))
    examples = holder.get("examples")
    if not isinstance(examples, Mapping):
        return
    where = child(location, "examples")
    for name, value in examples.items():
        resolved = context.resolver.follow(value, child(where, name), "example")
        if resolved is not None and "value" in resolved.value:
            example_at = child(resolved.location, "value")
            context.examples.append((example_at, resolved.value["value"], schema))


class _Stop(Exception):
    """The time budget is spent."""


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


def _guarded_class(deadline: Callable[[], bool]) -> type[Draft202012Validator]:
    plain = Draft202012Validator.VALIDATORS

    def ref(validator: Any, value: Any, instance: Any, schema: Any) -> Any:
        if deadline():
            raise _Stop
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


def check_examples(
    examples: list[Example], definitions: list[Definition], findings: Findings, settings: Settings
) -> None:
    """Validate each example against its schema; mismatches become findings."""
    if not examples:
        return
    started = time.monotonic()
    stop_at = started + settings.example_check_seconds
    cls = _guarded_class(lambda: time.monotonic() > stop_at)
    registry: Registry[Any] = registry_for(definitions)
    # One validator; each check evolves it to its schema, keeping the resolver over the
    # definitions (every reference in a converted schema is a definition's absolute URI).
    base = validator_for({}, registry, validator_class=cls)
    seen: set[tuple[int, int]] = set()
    checked = 0
    for index, (location, value, schema) in enumerate(examples):
        key = (id(value), id(schema))
        if key in seen:
            continue
        seen.add(key)
        if checked >= settings.max_example_checks or time.monotonic() > stop_at:
            _capped(findings, len(examples) - index, checked, settings)
            return
        checked += 1
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # FutureWarning of re: "possible nested set"
                error = next(iter(base.evolve(schema=schema).iter_errors(value)), None)
        except _Stop:
            _capped(findings, len(examples) - index, checked - 1, settings)
            return
        except (RecursionError, Unresolvable):
            continue
        if error is not None:
            where = "".join(f"/{part}" for part in error.absolute_path)
            inside = f" at {where}" if where else ""
            findings.warning(
                "example-mismatch",
                render(location),
                f"the example does not match its schema{inside}: {_cut(error.message)}",
            )


def _cut(message: str, limit: int = 200) -> str:
    return message if len(message) <= limit else message[: limit - 3] + "..."


def _capped(findings: Findings, left: int, checked: int, settings: Settings) -> None:
    findings.info(
        "examples-not-checked",
        "",
        f"{left} examples were not checked against their schemas: checking stops after "
        f"{settings.max_example_checks:,} examples or {settings.example_check_seconds:g} s "
        f"({checked} checked); raise CONNECTORY_MAX_EXAMPLE_CHECKS or "
        "CONNECTORY_EXAMPLE_CHECK_SECONDS to check them all",
    )

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
from collections.abc import Mapping
from typing import Any

from referencing import Registry
from referencing.exceptions import Unresolvable

from connectory.model.version import Definition, JsonSchema
from connectory.schemas.registry import OutOfTime as _Stop
from connectory.schemas.registry import bounded_validator_class as _guarded_class
from connectory.schemas.registry import registry_for, risky_pattern, validator_for
from connectory.settings import Settings

from . import _raw as raw
from ._context import Context, Example
from ._refs import child, render
from .findings import Findings

__all__ = ["check_examples", "collect", "risky_pattern"]


def collect(
    context: Context,
    holder: raw.Parameter | raw.MediaType | raw.Header,
    location: str,
    schema: JsonSchema | None,
) -> None:
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

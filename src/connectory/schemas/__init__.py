"""JSON Schema helpers: registries, bounded validators, the meta-schema check, pointers.

registry    a version's definitions as a ``referencing`` registry; validators with formats
validation  step 4 of onboarding: a generated version checked, problems as findings
metaschema  a fast check of schemas against the 2020-12 meta-schema
pointer     JSON pointers (RFC 6901): escaping and unescaping reference tokens
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from connectory._lazy import lazy_names

if TYPE_CHECKING:
    from .registry import (
        FORMAT_CHECKER,
        FORMATS,
        OutOfTime,
        bounded_validator_class,
        errors_of,
        registry_for,
        risky_pattern,
        validator_for,
    )
    from .validation import iter_schemas, validate

__getattr__, __dir__ = lazy_names(
    __name__,
    {
        ".registry": (
            "FORMAT_CHECKER",
            "FORMATS",
            "OutOfTime",
            "bounded_validator_class",
            "errors_of",
            "registry_for",
            "risky_pattern",
            "validator_for",
        ),
        ".validation": ("iter_schemas", "validate"),
    },
)
"""Each name imported from its module on first use: a module that needs only ``pointer`` does not
load jsonschema."""

__all__ = [
    "FORMATS",
    "FORMAT_CHECKER",
    "OutOfTime",
    "bounded_validator_class",
    "errors_of",
    "iter_schemas",
    "registry_for",
    "risky_pattern",
    "validate",
    "validator_for",
]

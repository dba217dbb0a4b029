"""JSON Schema helpers: registries, bounded validators, the meta-schema check, pointers.

registry    a version's definitions as a ``referencing`` registry; validators with formats
validation  step 4 of onboarding: a generated version checked, problems as findings
metaschema  a fast check of schemas against the 2020-12 meta-schema
pointer     JSON pointers (RFC 6901): escaping and unescaping reference tokens
"""

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

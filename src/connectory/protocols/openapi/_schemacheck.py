"""Keyword values checked against what the 2020-12 meta-schema allows; the rest is dropped.

``SchemaChecks`` keeps what is valid in the converted schema (``out``) and reports what is not as
findings: ``invalid-pattern`` for a regular expression Python's ``re`` cannot compile (each pattern
compiled once), ``invalid-schema`` for any other value of the wrong kind.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Mapping
from typing import Any

from . import _keywords as kw
from ._refs import Loc, render
from .findings import Findings, shorten

__all__ = ["SchemaChecks"]

_SIMPLE: dict[int, tuple[str, Callable[[Any], bool]]] = {
    kw.STRING: ("a string", lambda v: isinstance(v, str)),
    kw.BOOL: ("a boolean", lambda v: isinstance(v, bool)),
    kw.NUMBER: ("a number", kw.is_number),
    kw.NON_NEGATIVE: ("a non-negative integer", kw.is_non_negative_integer),
    kw.POSITIVE: ("a number > 0", lambda v: kw.is_number(v) and v > 0),
    kw.ANCHOR: (
        "an anchor name",
        lambda v: isinstance(v, str) and kw.ANCHOR_NAME.fullmatch(v) is not None,
    ),
    kw.ENUM: ("an array", lambda v: isinstance(v, list)),
    kw.DEPENDENT_REQUIRED: (
        "an object of property-name arrays",
        lambda v: isinstance(v, Mapping) and all(map(kw.is_string_set, v.values())),
    ),
}


class SchemaChecks:
    """The checks of one conversion run (compiled patterns are remembered)."""

    def __init__(self, findings: Findings) -> None:
        self.findings = findings
        self._patterns: dict[str, str | None] = {}

    def keyword(self, kind: int, key: str, value: Any, loc: Loc, out: dict[str, Any]) -> None:
        """Keep ``key: value`` in ``out`` if the meta-schema allows it (simple kinds of keyword)."""
        if kind in _SIMPLE:
            expected, check = _SIMPLE[kind]
            if check(value):
                out[key] = value
            else:
                self.drop(key, value, loc, expected)
        elif kind == kw.REQUIRED:
            if isinstance(value, list) and all(isinstance(item, str) for item in value):
                unique = list(dict.fromkeys(value))
                out[key] = value if len(unique) == len(value) else unique
            else:
                self.drop(key, value, loc, "an array of property names")
        elif kind == kw.PATTERN:
            if not isinstance(value, str):
                self.drop(key, value, loc, "a string")
            elif self.regex(value, (loc, key)):
                out[key] = value
        elif kind == kw.ID:
            out["x-$id"] = value
        # kw.VOCABULARY only means something in a meta-schema: dropped.

    def type(self, value: Any, loc: Loc, out: dict[str, Any]) -> None:
        names = value if isinstance(value, list) else [value]
        valid = [name for name in names if isinstance(name, str) and name in kw.SIMPLE_TYPES]
        if len(valid) != len(names) or not valid:
            self.invalid(
                (loc, "type"),
                f"type {shorten(value)} is not one of {sorted(kw.SIMPLE_TYPES)}: "
                + ("kept the valid names" if valid else "dropped"),
            )
        if valid:
            if not isinstance(value, list):
                out["type"] = valid[0]
            else:
                unique = list(dict.fromkeys(valid))
                out["type"] = value if unique == value else unique

    def regex(self, pattern: str, loc: Loc) -> bool:
        """Whether ``pattern`` compiles; if not, an ``invalid-pattern`` finding."""
        if pattern not in self._patterns:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # FutureWarning: "possible nested set"
                    re.compile(pattern)
                self._patterns[pattern] = None
            except (re.error, OverflowError, RecursionError) as error:
                self._patterns[pattern] = str(error)
        problem = self._patterns[pattern]
        if problem is not None:
            self.findings.warning(
                "invalid-pattern",
                render(loc),
                f"{pattern!r} is not a regular expression Python can compile ({problem}): dropped",
            )
        return problem is None

    def drop(self, key: str, value: Any, loc: Loc, expected: str) -> None:
        self.invalid((loc, key), f"{key} must be {expected}, not {shorten(value)}: dropped")

    def invalid(self, loc: Loc, message: str) -> None:
        self.findings.warning("invalid-schema", render(loc), message)

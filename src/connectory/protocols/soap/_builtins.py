"""XSD built-in simple types as JSON, and XSD regular expressions as JSON Schema patterns.

Every built-in simple type is one of a few JSON shapes: a string, a boolean, an integer (with the
bounds of ``int``, ``unsignedShort``, ...) or a number. Dates, times and durations are strings with
a pattern of their lexical form, not ``format``: JSON Schema's ``date-time`` requires a time zone
that XSD leaves optional.

XSD patterns are anchored and treat ``^`` and ``$`` as plain characters; ``pattern`` translates one
into an anchored Python/ECMA-compatible regex, or returns None for what has no equivalent (``\\i``,
``\\c``, ``\\p{Is...}`` blocks, character class subtraction), which the caller reports.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any, Literal

__all__ = ["BUILTIN_KINDS", "JsonKind", "builtin_kind", "builtin_schema", "pattern"]

JsonKind = Literal["string", "boolean", "integer", "number", "any", "anySimple"]

_INTEGER_BOUNDS: dict[str, tuple[int | None, int | None]] = {
    "integer": (None, None),
    "long": (-(2**63), 2**63 - 1),
    "int": (-(2**31), 2**31 - 1),
    "short": (-(2**15), 2**15 - 1),
    "byte": (-128, 127),
    "nonNegativeInteger": (0, None),
    "positiveInteger": (1, None),
    "nonPositiveInteger": (None, 0),
    "negativeInteger": (None, -1),
    "unsignedLong": (0, 2**64 - 1),
    "unsignedInt": (0, 2**32 - 1),
    "unsignedShort": (0, 2**16 - 1),
    "unsignedByte": (0, 255),
}
_NUMBERS = frozenset({"decimal", "float", "double"})
_STRINGS = frozenset(
    [
        "string",
        "normalizedString",
        "token",
        "language",
        "Name",
        "NCName",
        "NMTOKEN",
        "NMTOKENS",
        "ID",
        "IDREF",
        "IDREFS",
        "ENTITY",
        "ENTITIES",
        "anyURI",
        "QName",
        "NOTATION",
        "date",
        "dateTime",
        "time",
        "duration",
        "gYear",
        "gYearMonth",
        "gMonth",
        "gMonthDay",
        "gDay",
        "base64Binary",
        "hexBinary",
        "dateTimeStamp",
        "dayTimeDuration",
        "yearMonthDuration",
    ]
)

BUILTIN_KINDS: dict[str, JsonKind] = {
    **dict.fromkeys(_STRINGS, "string"),
    **dict.fromkeys(_INTEGER_BOUNDS, "integer"),
    **dict.fromkeys(_NUMBERS, "number"),
    "boolean": "boolean",
    "anyType": "any",
    "anySimpleType": "anySimple",
    "anyAtomicType": "anySimple",
}


def builtin_kind(local: str) -> JsonKind | None:
    return BUILTIN_KINDS.get(local)


def builtin_schema(local: str) -> dict[str, Any] | Literal[True]:
    """The JSON Schema of the XSD built-in type ``local`` (``int``, ``string``, ...)."""
    kind = BUILTIN_KINDS.get(local, "string")
    if kind == "any":
        return True
    if kind == "anySimple":
        return {"type": ["string", "number", "boolean"]}
    schema: dict[str, Any] = {"type": kind}
    if kind == "integer":
        low, high = _INTEGER_BOUNDS[local]
        if low is not None:
            schema["minimum"] = low
        if high is not None:
            schema["maximum"] = high
    elif local in _LEXICAL:
        schema["pattern"] = _LEXICAL[local]
    elif local == "base64Binary":
        schema["contentEncoding"] = "base64"
        schema["pattern"] = r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"
    elif local == "hexBinary":
        schema["pattern"] = "^(?:[0-9A-Fa-f]{2})*$"
    elif local in ("NMTOKENS", "IDREFS", "ENTITIES"):
        schema = {"type": "string", "pattern": r"^\S+(?: \S+)*$"}
    return schema


_ZONE = r"(?:Z|[+-]\d{2}:\d{2})?"
_LEXICAL = {
    "date": rf"^-?\d{{4,}}-\d{{2}}-\d{{2}}{_ZONE}$",
    "dateTime": rf"^-?\d{{4,}}-\d{{2}}-\d{{2}}T\d{{2}}:\d{{2}}:\d{{2}}(?:\.\d+)?{_ZONE}$",
    "time": rf"^\d{{2}}:\d{{2}}:\d{{2}}(?:\.\d+)?{_ZONE}$",
    "duration": r"^-?P(?=\d|T\d)(?:\d+Y)?(?:\d+M)?(?:\d+D)?(?:T(?=\d)(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d+)?S)?)?$",
    "gYear": rf"^-?\d{{4,}}{_ZONE}$",
    "gYearMonth": rf"^-?\d{{4,}}-\d{{2}}{_ZONE}$",
    "gMonth": rf"^--\d{{2}}{_ZONE}$",
    "gMonthDay": rf"^--\d{{2}}-\d{{2}}{_ZONE}$",
    "gDay": rf"^---\d{{2}}{_ZONE}$",
}
"""The lexical forms of the date and time types, as anchored patterns (values are not checked)."""

_UNSUPPORTED = re.compile(r"\\[iIcC]|\\[pP]\{")


@cache
def pattern(xsd_pattern: str) -> str | None:
    """The XSD pattern as an anchored regex that Python and ECMA 262 read alike, or None."""
    if _UNSUPPORTED.search(xsd_pattern):
        return None
    out: list[str] = []
    in_class = False
    escaped = False
    for position, char in enumerate(xsd_pattern):
        if escaped:
            out.append(char)
            escaped = False
        elif char == "\\":
            out.append(char)
            escaped = True
        elif in_class:
            if char == "-" and xsd_pattern[position + 1 : position + 2] == "[":
                return None  # character class subtraction
            if char == "]" and xsd_pattern[position - 1] != "[":
                in_class = False
            out.append(char)
        elif char == "[":
            in_class = True
            out.append(char)
        elif char in "^$":
            out.append("\\" + char)
        else:
            out.append(char)
    translated = "^(?:" + "".join(out) + ")$"
    try:
        re.compile(translated)
    except re.error:
        return None
    return translated

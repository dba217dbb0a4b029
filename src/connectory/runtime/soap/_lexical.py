"""XML text <-> JSON values for simple types, and untyped (wildcard) content.

``lexical`` writes a JSON scalar as the XML text of a simple type (``true``/``false``, a decimal
without exponent, a list space-separated); ``typed`` reads XML text back as the JSON value the
mirror describes (integers, numbers and booleans typed; everything else a string). Content that no
particle declares (``xsd:any``, ``anyType``) is converted generically: ``{namespace}local`` keys,
``@`` attributes, ``$`` text, repeated children as arrays.

Numbers keep every digit both ways: an integer is a Python ``int`` (any size); an ``xs:decimal``
(or a type derived from it) is a ``float`` when the float says the same number, else a
``decimal.Decimal`` with the text's digits (``12345678901234567890.123456789``); ``xs:float`` and
``xs:double`` are floats. A ``Decimal`` (or an ``int``) given for a decimal is written with its
own digits, never through a float.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from lxml import etree

from connectory.errors import InputError
from connectory.protocols.soap._builtins import builtin_kind
from connectory.protocols.soap._names import XSI, local_name, namespace_of
from connectory.protocols.soap._xsdmodel import SimpleModel

__all__ = [
    "exact_number",
    "generic_element",
    "generic_value",
    "items",
    "lexical",
    "put",
    "scalar",
    "typed",
]


def lexical(value: Any, simple: SimpleModel | None, schemas: Any, pointer: str) -> str:
    """The XML text of a JSON scalar of the simple type ``simple``."""
    if simple is not None and simple.builtin == "list":
        if not isinstance(value, list):
            raise InputError("expected an array (an XSD list)", location=pointer)
        item = schemas.simple(simple.item)
        return " ".join(lexical(v, item, schemas, pointer) for v in value)
    if isinstance(value, dict | list):
        raise InputError(f"expected a value, not {type(value).__name__}", location=pointer)
    if isinstance(value, float) and simple is not None and simple.builtin == "decimal":
        return format(Decimal(repr(value)), "f")
    if isinstance(value, Decimal) and not value.is_finite():
        raise InputError(f"{value} is not a number XML Schema can carry", location=pointer)
    return scalar(value)


def scalar(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value) if value == value and abs(value) != float("inf") else str(value).upper()
    if isinstance(value, Decimal) and value.is_finite():
        return format(value, "f")  # every digit, no exponent (xs:decimal has none)
    return str(value)


def typed(text: str, simple: SimpleModel, schemas: Any) -> Any:
    """The JSON value of XML text of the simple type ``simple``."""
    if simple.builtin == "list":
        item = schemas.simple(simple.item)
        return [typed(v, item, schemas) for v in text.split()]
    if simple.builtin == "union":
        for member in simple.members or []:
            candidate = schemas.simple(member)
            kind = builtin_kind(candidate.builtin)
            if kind in ("integer", "number", "boolean") and _parse(text, kind) is None:
                continue
            return typed(text, candidate, schemas)
        return text
    kind = builtin_kind(simple.builtin)
    if kind in ("integer", "number", "boolean"):
        parsed = _parse(text, kind, exact=simple.builtin == "decimal")
        return text if parsed is None else parsed
    return text


def _parse(text: str, kind: str, exact: bool = False) -> Any:
    """The JSON value of a number or boolean's text, None if it is not one; ``exact``: a
    decimal, a ``Decimal`` when a float would lose some of its digits."""
    text = text.strip()
    if kind == "boolean":
        return {"true": True, "1": True, "false": False, "0": False}.get(text)
    try:
        return int(text)
    except ValueError:
        if kind == "integer":
            return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    return exact_number(number) if exact else float(number)


def exact_number(number: Decimal) -> float | Decimal:
    """``number`` as a float when the float is the same number (``0.1``, ``2.50``), else as it
    is: a float would lose digits (``12345678901234567890.12``)."""
    rounded = float(number)
    if rounded != rounded or abs(rounded) == float("inf") or Decimal(repr(rounded)) != number:
        return number
    return rounded


def items(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def generic_element(key: str, value: Any) -> etree._Element:
    element = etree.Element(key)
    if isinstance(value, dict):
        for name, item in value.items():
            if name.startswith("@"):
                element.set(name[1:], scalar(item))
            elif name == "$":
                element.text = scalar(item)
            else:
                for one in item if isinstance(item, list) else [item]:
                    element.append(generic_element(name, one))
    else:
        element.text = scalar(value)
    return element


def put(result: dict[str, Any], key: str, value: Any, seen: bool) -> None:
    if not seen:
        result[key] = value
    elif isinstance(result[key], list):
        result[key].append(value)
    else:
        result[key] = [result[key], value]


def generic_value(element: etree._Element) -> Any:
    children = [c for c in element if isinstance(c.tag, str)]
    attributes = {
        "@" + local_name(k): v for k, v in element.attrib.items() if namespace_of(k) != XSI
    }
    if not children and not attributes:
        return element.text or ""
    result: dict[str, Any] = dict(attributes)
    if element.text and element.text.strip():
        result["$"] = element.text
    for child in children:
        key = child.tag if namespace_of(child.tag) else local_name(child.tag)
        put(result, key, generic_value(child), key in result)
    return result

"""Validators of a version's schemas: refs only among its definitions, the same formats anywhere."""

from __future__ import annotations

from decimal import Decimal

import pytest
from referencing.exceptions import Unresolvable

from connectory.model.version import Definition, definition_uri
from connectory.schemas.registry import FORMATS, errors_of, validator_for

PET = Definition(name="Pet", format="json-schema", content={"type": "object", "required": ["id"]})


def _errors(schema: dict, value: object) -> list[str]:
    return [error.message for error in validator_for(schema, [PET]).iter_errors(value)]


@pytest.mark.parametrize(
    ("format_", "good", "bad"),
    [
        ("date-time", "2024-05-01T10:00:00Z", "2024-05-01 10:00"),
        ("date", "2024-05-01", "2024-13-01"),
        ("time", "10:00:00Z", "25:00:00Z"),
        ("email", "a@example.com", "no-at-sign"),
        ("ipv4", "10.0.0.1", "10.0.0.300"),
        ("uuid", "0b9c1a52-7c0e-4a5e-9c87-3c5f0a1f2b3c", "not-a-uuid"),
        ("regex", "^a+$", "(unclosed"),
    ],
)
def test_the_pinned_formats_are_checked(format_: str, good: str, bad: str) -> None:
    assert format_ in FORMATS
    schema = {"type": "string", "format": format_}
    assert _errors(schema, good) == []
    assert len(_errors(schema, bad)) == 1


@pytest.mark.parametrize("format_", ["uri", "hostname", "iri", "duration", "json-pointer"])
def test_formats_that_need_optional_packages_are_never_checked(format_: str) -> None:
    """jsonschema checks these only where optional packages are installed (the notebooks bring
    several): a document's findings must not depend on the machine."""
    assert format_ not in FORMATS
    assert _errors({"type": "string", "format": format_}, "\x00 not anything valid \x00") == []


def test_refs_resolve_among_the_definitions_only() -> None:
    assert _errors({"$ref": definition_uri("Pet")}, {}) == ["'id' is a required property"]
    with pytest.raises(Unresolvable):
        _errors({"$ref": "https://example.com/schema.json"}, {})


@pytest.mark.parametrize(
    "value",
    [
        Decimal("12345678901234567890.12"),  # an exact SOAP decimal: Decimal / float is a TypeError
        Decimal("1E+999999999"),  # Decimal % int: InvalidOperation
        10**3999,  # a JSON integer too large for a float: OverflowError
    ],
)
def test_a_number_an_answer_brings_that_multipleof_cannot_divide_is_a_problem(
    value: object,
) -> None:
    # an answer's number (a hostile server's) checked against a version's multipleOf: one
    # problem naming where, not an exception out of the check
    for schema in ({"multipleOf": 0.5}, {"multipleOf": 3}):
        problems = errors_of({"properties": {"n": schema}}, [], {"n": value}, root="(body)")
        assert len(problems) == 1
        assert problems[0].startswith("n: ")
    problems = errors_of({"multipleOf": 0.5}, [], value, root="(body)")
    assert problems == ["(body): cannot check multipleOf 0.5: the number cannot be divided by it"]

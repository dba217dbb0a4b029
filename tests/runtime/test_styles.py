"""Parameter serialization: the OpenAPI 3 "style values" table, row by row."""

from __future__ import annotations

from typing import Any

import pytest

from connectory.model.version import HttpParameter
from connectory.runtime.styles import path_value, query_pairs, simple_value

ARRAY = [3, 4, 5]
OBJECT = {"role": "admin", "firstName": "Alex"}


def _p(location: str, style: str | None = None, explode: bool | None = None) -> HttpParameter:
    return HttpParameter(name="id", location=location, style=style, explode=explode)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("style", "explode", "value", "expected"),
    [
        (None, None, 5, "5"),
        (None, None, ARRAY, "3,4,5"),
        (None, False, OBJECT, "role,admin,firstName,Alex"),
        (None, True, OBJECT, "role=admin,firstName=Alex"),
        ("label", False, 5, ".5"),
        ("label", False, ARRAY, ".3,4,5"),
        ("label", True, ARRAY, ".3.4.5"),
        ("label", False, OBJECT, ".role,admin,firstName,Alex"),
        ("label", True, OBJECT, ".role=admin.firstName=Alex"),
        ("matrix", False, 5, ";id=5"),
        ("matrix", False, ARRAY, ";id=3,4,5"),
        ("matrix", True, ARRAY, ";id=3;id=4;id=5"),
        ("matrix", False, OBJECT, ";id=role,admin,firstName,Alex"),
        ("matrix", True, OBJECT, ";role=admin;firstName=Alex"),
        (None, None, "a b/c?", "a%20b%2Fc%3F"),
        (None, None, True, "true"),
    ],
)
def test_path(style: str | None, explode: bool | None, value: Any, expected: str) -> None:
    assert path_value(_p("path", style, explode), value) == expected


@pytest.mark.parametrize(
    ("style", "explode", "value", "expected"),
    [
        (None, None, 5, [("id", "5")]),
        (None, None, ARRAY, [("id", "3"), ("id", "4"), ("id", "5")]),
        (None, False, ARRAY, [("id", "3,4,5")]),
        (None, None, OBJECT, [("role", "admin"), ("firstName", "Alex")]),
        (None, False, OBJECT, [("id", "role,admin,firstName,Alex")]),
        ("spaceDelimited", False, ARRAY, [("id", "3 4 5")]),
        ("pipeDelimited", False, ARRAY, [("id", "3|4|5")]),
        ("deepObject", True, OBJECT, [("id[role]", "admin"), ("id[firstName]", "Alex")]),
        (None, None, 1.5, [("id", "1.5")]),
        (None, None, None, [("id", "")]),
    ],
)
def test_query(style: str | None, explode: bool | None, value: Any, expected: list) -> None:
    assert query_pairs(_p("query", style, explode), value) == expected


def test_header_and_content_parameters() -> None:
    assert simple_value(_p("header"), ARRAY) == "3,4,5"
    assert simple_value(_p("header", explode=True), OBJECT) == "role=admin,firstName=Alex"
    content = HttpParameter(name="f", location="query", media_type="application/json")
    assert query_pairs(content, {"a": [1, 2]}) == [("f", '{"a":[1,2]}')]

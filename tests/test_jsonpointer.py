"""jsonpointer: reference tokens escaped and unescaped as RFC 6901 says."""

from __future__ import annotations

from connectory.schemas.pointer import escape, pointer, unescape


def test_tokens_round_trip() -> None:
    for token in ("pets", "/pets", "a~b", "~1", "~01/", ""):
        assert unescape(escape(token)) == token
    assert escape("a/b~c") == "a~1b~0c"
    assert unescape("~01") == "~1"  # ~0 first would make it "/"


def test_a_pointer_from_the_root() -> None:
    assert pointer() == ""
    assert pointer("paths", "/pets/{id}", "get", 0) == "/paths/~1pets~1{id}/get/0"

"""Parsing and recognising documents: every refusal names the problem and where it is."""

from __future__ import annotations

import codecs
import json
import time

import pytest
import yaml

from connectory.documents.decode import parse_json, parse_yaml
from connectory.documents.fetch import RawDocument
from connectory.documents.parse import normalise_protocol, parse
from connectory.errors import DocumentError, ProtocolError


def raw(text: str | bytes, source: str = "doc") -> RawDocument:
    return RawDocument.from_bytes(text.encode() if isinstance(text, str) else text, source)


def test_yaml_keys_become_strings_and_timestamps_stay_text() -> None:
    value = parse_yaml(
        "responses:\n  200: {description: ok}\n  default: {}\nwhen: 2024-01-02\n", "d"
    )
    assert value == {
        "responses": {"200": {"description": "ok"}, "default": {}},
        "when": "2024-01-02",
    }


@pytest.mark.parametrize(
    ("text", "message", "where"),
    [
        ("a: 1\nb: 2\na: 3\n", "duplicate key 'a'", "d.yaml:3:1"),
        (
            "!!python/object/apply:os.system ['true']\n",
            "could not determine a constructor",
            "d.yaml:1:1",
        ),
        ("a: [1, 2\n", "not valid YAML", "d.yaml:2:1"),
        ("a: .nan\n", "nan is not a JSON number", "d.yaml:1:4"),
        ("&a [*a]\n", "an alias refers to a node that contains it", "d.yaml:1:5"),
        ("a: !!binary aGk=\n", "binary values are not JSON", "d.yaml:1:4"),
        ("a: !!set {x}\n", "could not determine a constructor", "d.yaml:1:4"),
        ("{a: 1}: 2\n", "a mapping key must be a scalar", "d.yaml:1:1"),
        ("a: 1\n---\nb: 2\n", "expected a single document", "d.yaml:2:1"),
        ("a: *nowhere\n", "undefined alias", "d.yaml:1:4"),
    ],
)
def test_bad_yaml_is_refused_with_its_location(text: str, message: str, where: str) -> None:
    with pytest.raises(DocumentError, match=message) as caught:
        parse_yaml(text, "d.yaml")
    assert caught.value.location == where


def test_yaml_alias_bomb_is_refused_quickly() -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        refs = ", ".join([f"*a{i - 1}"] * 9)
        lines.append(f"a{i}: &a{i} [{refs}]")
    started = time.perf_counter()
    with pytest.raises(DocumentError, match="aliases expand to more than"):
        parse_yaml("\n".join(lines), "bomb.yaml")
    assert time.perf_counter() - started < 2


def test_yaml_scalars_resolve_as_pyyaml_safe_load_does() -> None:
    text = (
        "a: yes\nb: off\nc: 0x1F\nd: 010\ne: 1_000\nf: 1:30\ng: 1.5e3\nh: ~\ni: ''\n"
        "j: '123'\nk: !!str 123\nl: !!int '7'\nm: 2024-01-02T03:04:05Z\nn: -.5\no:\n"
        "p: [null, Null, NULL, TRUE, n, y]\n1.5: float key\nfalse: bool key\n~: null key\n"
    )
    keys = {None: "null", True: "true", False: "false"}
    expected = {
        keys[k] if k is None or isinstance(k, bool) else str(k): v
        for k, v in yaml.load(text, Loader=yaml.CSafeLoader).items()
    }
    expected["m"] = "2024-01-02T03:04:05Z"  # timestamps stay text
    assert parse_yaml(text, "d.yaml") == expected


def test_yaml_merge_keys_let_explicit_keys_win() -> None:
    text = "base: &b {type: string, minLength: 1}\nother: &o {format: uuid, type: number}\n"
    text += "merged: {<<: [*b, *o], minLength: 2}\n"
    assert parse_yaml(text, "d.yaml")["merged"] == {
        "type": "string",
        "minLength": 2,
        "format": "uuid",
    }


def test_shared_yaml_anchors_within_bounds_are_allowed() -> None:
    value = parse_yaml("base: &b {type: string}\nother: *b\n", "d.yaml")
    assert value["other"] == {"type": "string"}


@pytest.mark.parametrize(
    ("text", "message", "where"),
    [
        ('{"a": 1,\n "a": 2}', "duplicate key 'a'", "d.json:2:2"),
        ('{"a": NaN}', "NaN is not JSON", "d.json:1:7"),
        ('{"a": Infinity}', "Infinity is not JSON", "d.json:1:7"),
        ('{"NaN": "NaN",\n "a": -Infinity}', "-Infinity is not JSON", "d.json:2:7"),
        ('{"a": }', "not valid JSON: Expecting value", "d.json:1:7"),
        ("[" * 100_000, "nested too deeply", "d.json:1:901"),
    ],
)
def test_bad_json_is_refused_with_its_location(text: str, message: str, where: str) -> None:
    with pytest.raises(DocumentError, match=message) as caught:
        parse_json(text, "d.json")
    assert caught.value.location == where


def test_not_utf8_is_refused() -> None:
    with pytest.raises(DocumentError, match="not UTF-8 text"):
        parse(raw(b'{"a": "\xff"}'))


@pytest.mark.parametrize(
    ("text", "protocol", "kind"),
    [
        ('{"openapi": "3.0.3", "paths": {}}', "http", "openapi-3.0"),
        ("openapi: 3.1.0\npaths: {}\n", "http", "openapi-3.1"),
        ('{"swagger": "2.0"}', "http", "swagger-2.0"),
        ('{"data": {"__schema": {"types": []}}}', "graphql", "graphql-introspection"),
        ('{"__schema": {"types": []}}', "graphql", "graphql-introspection"),
        ('"""The root"""\ntype Query { a: Int }\n', "graphql", "graphql-sdl"),
        ("# comment\nschema { query: Q }\n", "graphql", "graphql-sdl"),
        (
            '<?xml version="1.0"?>\n<wsdl:definitions '
            'xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"/>',
            "soap",
            "wsdl-1.1",
        ),
    ],
)
def test_protocol_is_detected(text: str, protocol: str, kind: str) -> None:
    parsed = parse(raw(text))
    assert (parsed.protocol, parsed.kind) == (protocol, kind)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("title: hello\n", "found an object with keys title"),
        ("[1, 2]", "found a list"),
        ("", "found an empty document"),
        ("just words", "found plain text"),
        ("<html><body/></html>", "not a WSDL 1.1"),
    ],
)
def test_not_an_interface_description(text: str, message: str) -> None:
    with pytest.raises(ProtocolError, match=message):
        parse(raw(text))


def test_the_wrong_protocol_is_refused_naming_what_it_is() -> None:
    with pytest.raises(
        ProtocolError, match=r"this is an OpenAPI 3.0 document \(HTTP\), not GraphQL as asked"
    ):
        parse(raw('{"openapi": "3.0.0"}'), protocol="graphql")


def test_sdl_asked_for_as_another_protocol_is_named_for_what_it_is() -> None:
    """Not "not valid YAML: mapping values are not allowed" for a document that never was YAML."""
    sdl = "type Query {\n  shop: Shop\n}\n\ntype Shop {\n  name: String\n}\n"
    with pytest.raises(
        ProtocolError, match=r"this is a GraphQL SDL document \(GraphQL\), not SOAP"
    ):
        parse(raw(sdl), protocol="soap")
    # a YAML document that starts alike (``type: object``) is still YAML
    yaml_like = "type: object\nopenapi: 3.0.0\n"
    assert parse(raw(yaml_like), protocol="http").kind == "openapi-3.0"


def test_protocol_aliases() -> None:
    assert normalise_protocol("OpenAPI") == "http"
    assert normalise_protocol("wsdl") == "soap"
    with pytest.raises(ProtocolError, match="unknown protocol 'grpc' \\(known: http, openapi"):
        normalise_protocol("grpc")


def test_json_text_beyond_ascii_parses_to_the_same_value() -> None:
    value = {"openapi": "3.0.3", "x": "café \u2019 😀 " * 3000, "clé": [1, "ü"]}
    text = json.dumps(value, ensure_ascii=False).encode()
    for content in (text, codecs.BOM_UTF8 + text):
        parsed = parse(raw(content))
        assert parsed.content == value
    broken = b'{"a": "' + b"x" * 40_000 + b'\xc3\xa9\xff"}'
    with pytest.raises(DocumentError, match=r"not UTF-8 text \(byte 40009: b'\\xff'\)"):
        parse(raw(broken))

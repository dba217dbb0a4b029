"""Step 2a of onboarding: turn raw bytes into a JSON value, safely.

JSON and YAML (libyaml, with ``CSafeLoader``'s data model: no Python tags; see ``_yaml``) are
read into plain ``dict``/``list``/``str``/``int``/``float``/``bool``/``None`` values. Every error
names the document and the line and column (or JSON pointer) of the problem. Refused: bytes that are not UTF-8, duplicate keys,
``NaN``/``Infinity``, nesting deeper than Python's recursion limit, YAML aliases that loop or
expand past ``MAX_EXPANDED_NODES`` (alias bombs). YAML mapping keys become strings (``200:`` gives
``"200"``) and timestamps stay strings, as JSON would have them.
"""

from __future__ import annotations

import codecs
import json
import re
from typing import TYPE_CHECKING, Any, Literal

from connectory._gcpause import paused_gc
from connectory.errors import DocumentError

if TYPE_CHECKING:
    from .fetch import RawDocument

__all__ = ["TextFormat", "decode_text", "parse_json", "parse_value", "parse_yaml", "sniff_format"]

TextFormat = Literal["json", "yaml", "xml", "text"]


_JSON_START = re.compile(rb"[ \t\r\n]*[\[{]")
_NON_ASCII = re.compile(rb"[\x80-\xff]+")


def decode_text(raw: RawDocument) -> str:
    """The document as text (UTF-8, with or without BOM).

    A JSON document comes back with its non-ASCII characters written as JSON escapes (``\\u2019``,
    surrogate pairs beyond the BMP): the same JSON value, as a compact one-byte-per-character string
    (one emoji would make Python store the whole text with four bytes per character). Columns in
    error locations then count escapes; lines do not change.
    """
    content = raw.content
    start = 3 if content.startswith(codecs.BOM_UTF8) else 0
    try:
        if _JSON_START.match(content, start):
            return content.decode("ascii") if content.isascii() else _ascii_json(content, start)
        return content.decode("utf-8-sig")
    except _BadUtf8 as error:
        position = error.position + start
    except UnicodeDecodeError as error:
        position = error.start
    raise DocumentError(
        f"not UTF-8 text (byte {position}: {content[position : position + 1]!r})",
        location=raw.source,
    ) from None


class _BadUtf8(ValueError):
    def __init__(self, position: int) -> None:
        super().__init__(position)
        self.position = position


_CHUNK = 1 << 14


def _ascii_json(content: bytes, start: int) -> str:
    """JSON text with its non-ASCII characters escaped; chunks that are ASCII are copied as is."""
    pieces = []
    position, end_of_content = start, len(content)
    while position < end_of_content:
        end = min(position + _CHUNK, end_of_content)
        while end < end_of_content and content[end] >= 0x80:  # never cut a character
            end += 1
        chunk = content[position:end]
        if not chunk.isascii():
            offset = position

            def escaped(match: re.Match[bytes], offset: int = offset) -> bytes:
                try:
                    text = match.group().decode("utf-8")
                except UnicodeDecodeError as error:
                    raise _BadUtf8(offset + match.start() + error.start - start) from None
                return json.dumps(text)[1:-1].encode("ascii")

            chunk = _NON_ASCII.sub(escaped, chunk)
        pieces.append(chunk)
        position = end
    return b"".join(pieces).decode("ascii")


def sniff_format(text: str) -> TextFormat:
    """Guess the syntax from the first significant character."""
    head = text.lstrip()[:1]
    if head in ("{", "["):
        return "json"
    if head == "<":
        return "xml"
    return "yaml"


def _line_col(text: str, position: int) -> str:
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    return f"{line}:{column}"


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _Duplicate(key)
            seen.add(key)
    return result


class _Duplicate(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_json(text: str, source: str) -> Any:
    """Parse JSON text, refusing duplicate keys, NaN/Infinity and too deep nesting."""
    try:
        with paused_gc():  # no cycles in JSON: see connectory._gcpause
            return json.loads(
                text, object_pairs_hook=_no_duplicates, parse_constant=_refuse_constant
            )
    except json.JSONDecodeError as error:
        location = f"{source}:{error.lineno}:{error.colno}"
        raise DocumentError(f"not valid JSON: {error.msg}", location=location) from None
    except _Duplicate as error:
        position = _find_key(text, error.key)
        where = f"{source}:{_line_col(text, position)}" if position >= 0 else source
        raise DocumentError(f"duplicate key {error.key!r}", location=where) from None
    except ValueError as error:  # NaN, Infinity
        raise DocumentError(str(error), location=_where(text, source, _constant_at)) from None
    except RecursionError:
        raise DocumentError(
            "nested too deeply", location=_where(text, source, _too_deep_at)
        ) from None


# Tokens outside strings, for the location of an error (scanned only once an error is raised).
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|(-?Infinity|NaN)|([\[{])|([\]}])')
_DEEP = 900


def _constant_at(text: str) -> int:
    for match in _TOKENS.finditer(text):
        if match.group(1):
            return match.start(1)
    return -1


def _too_deep_at(text: str) -> int:
    depth = 0
    for match in _TOKENS.finditer(text):
        if match.group(2):
            depth += 1
            if depth > _DEEP:
                return match.start(2)
        elif match.group(3):
            depth -= 1
    return -1


def _where(text: str, source: str, find: Any) -> str:
    position = find(text)
    return f"{source}:{_line_col(text, position)}" if position >= 0 else source


def _find_key(text: str, key: str) -> int:
    """Where ``key`` occurs a second time as an object key (best effort, for the message)."""
    needle = json.dumps(key) + ":"
    first = text.find(needle)
    if first < 0:
        needle = json.dumps(key)
        first = text.find(needle)
    return text.find(needle, first + 1) if first >= 0 else -1


MAX_EXPANDED_NODES = 5_000_000
"""A YAML document with more nodes than this, aliases expanded, is refused (an alias bomb)."""


def parse_yaml(text: str, source: str) -> Any:
    """Parse YAML text with libyaml, refusing aliases, duplicate keys and non-JSON values.

    The values are built straight from libyaml's events (``connectory.documents._yaml``), with the data
    model and the refusals described there.
    """
    import yaml  # libyaml: read only for a YAML document

    from ._yaml import YamlError, build

    try:
        with paused_gc():  # aliases share values, but build no cycles: see connectory._gcpause
            return build(text, max_nodes=MAX_EXPANDED_NODES)
    except YamlError as error:
        where = f"{source}:{error.line + 1}:{error.column + 1}"
        raise DocumentError(f"not valid YAML: {error.problem}", location=where) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        problem = error.problem or error.context or "invalid YAML"
        raise DocumentError(f"not valid YAML: {problem}", location=where) from None
    except yaml.YAMLError as error:
        raise DocumentError(f"not valid YAML: {error}", location=source) from None


def parse_value(raw: RawDocument) -> Any:
    """A JSON or YAML document's value (the syntax sniffed from its text); XML is refused."""
    text = decode_text(raw)
    syntax = sniff_format(text)
    if syntax == "json":
        return parse_json(text, raw.source)
    if syntax == "xml":
        raise DocumentError("an XML document where JSON or YAML was expected", location=raw.source)
    return parse_yaml(text, raw.source)

"""JSON pointers and internal ``$ref`` resolution over an already-parsed OpenAPI document.

Non-schema objects (parameters, request bodies, responses, headers, path items, callbacks, security
schemes, examples) may be a Reference Object ``{"$ref": "#/..."}``. ``Resolver.follow`` follows such a
chain to the object it names, detecting loops; it never mutates the document. A reference that cannot
be followed (external, missing, looping, not an object) becomes a finding and ``follow`` returns
``None``: the caller skips the item. Schema ``$ref``s are not followed here but kept (see ``schemas``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple
from urllib.parse import unquote

from .findings import Findings, shorten

__all__ = ["Loc", "Resolved", "Resolver", "child", "escape", "parse_ref", "pointer", "render"]


def escape(token: object) -> str:
    """Escape one reference token of a JSON pointer (RFC 6901): ``~`` -> ``~0``, ``/`` -> ``~1``."""
    text = token if isinstance(token, str) else str(token)
    if "~" in text or "/" in text:
        return text.replace("~", "~0").replace("/", "~1")
    return text


def child(location: str, token: object) -> str:
    """The pointer of ``token`` under ``location``."""
    return f"{location}/{escape(token)}"


Loc = str | tuple[Any, Any]
"""A JSON pointer, or ``(parent Loc, token)``: built cheaply while walking, rendered when needed."""


def render(location: Loc) -> str:
    """The JSON pointer a ``Loc`` stands for."""
    tokens = []
    while isinstance(location, tuple):
        location, token = location
        tokens.append(escape(token))
    return location + "".join("/" + token for token in reversed(tokens))


def pointer(tokens: list[str]) -> str:
    """The JSON pointer made of ``tokens``."""
    return "".join("/" + escape(token) for token in tokens)


def parse_ref(ref: str) -> list[str] | None:
    """The tokens of an internal reference ``#/a/b``; ``None`` for any other (external) reference.

    The fragment is percent-decoded first, then each token is JSON-pointer-unescaped.
    """
    if not ref.startswith("#"):
        return None
    fragment = unquote(ref[1:]) if "%" in ref else ref[1:]
    if fragment == "":
        return []
    if not fragment.startswith("/"):
        return None  # a plain-name fragment (an anchor): not a pointer into this document
    return [t.replace("~1", "/").replace("~0", "~") for t in fragment[1:].split("/")]


def _lookup(document: Any, tokens: list[str]) -> tuple[bool, Any]:
    node = document
    for token in tokens:
        if isinstance(node, Mapping):
            if token not in node:
                return False, None
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return False, None
    return True, node


class Resolved(NamedTuple):
    """An object reached through zero or more references, and its own JSON pointer."""

    value: Mapping[str, Any]
    location: str


class Resolver:
    """Looks up internal references in ``document``; reports every failure to ``findings``."""

    def __init__(self, document: Mapping[str, Any], findings: Findings) -> None:
        self.document = document
        self.findings = findings
        self._cache: dict[str, tuple[bool, Any, str]] = {}

    def lookup(self, ref: str) -> tuple[bool, Any, str]:
        """``(found, target, target pointer)`` for an internal ``ref``; not found if external."""
        cached = self._cache.get(ref)
        if cached is None:
            tokens = parse_ref(ref)
            if tokens is None:
                cached = (False, None, "")
            else:
                found, target = _lookup(self.document, tokens)
                cached = (found, target, pointer(tokens))
            self._cache[ref] = cached
        return cached

    def follow(self, value: Any, location: str, what: str) -> Resolved | None:
        """Follow ``value`` (which sits at ``location``) through ``$ref``s to a ``what`` object."""
        start, seen = location, [location]
        while isinstance(value, Mapping) and "$ref" in value:
            ref = value["$ref"]
            ref_location = child(location, "$ref")
            if not isinstance(ref, str):
                self.findings.error(
                    "unresolvable-ref", ref_location, f"$ref is not a string: {shorten(ref)}"
                )
                return None
            found, target, target_location = self.lookup(ref)
            if not found:
                self._unresolvable(ref, ref_location, what)
                return None
            if target_location in seen:
                chain = " -> ".join([start, *seen[1:], target_location])
                self.findings.error(
                    "ref-cycle", ref_location, f"the {what} reference loops: {chain}"
                )
                return None
            seen.append(target_location)
            value, location = target, target_location
        if not isinstance(value, Mapping):
            self.findings.error(
                "invalid-object", location, f"a {what} must be an object, not {shorten(value)}"
            )
            return None
        return Resolved(value, location)

    def _unresolvable(self, ref: str, location: str, what: str) -> None:
        if parse_ref(ref) is None:
            message = f"external reference {ref!r} to a {what} is not supported: item skipped"
        else:
            message = f"reference {ref!r} to a {what} names nothing in the document: item skipped"
        self.findings.error("unresolvable-ref", location, message)

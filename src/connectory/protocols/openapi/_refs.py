"""JSON pointers, locations, and ``$ref`` resolution across the files of one OpenAPI description.

A location is a JSON pointer into the root document (``/paths/~1pets/get``), or, for another file of
the description, that file's name (as the loader gives it, relative to the root's folder) and a
pointer: ``schemas/pet.yaml#/properties/id``. ``document_of`` reads the file back out of a location:
a relative ``$ref`` found there resolves against that file.

Non-schema objects (parameters, request bodies, responses, headers, path items, callbacks, security
schemes, examples) may be a Reference Object. ``Resolver.follow`` follows such a chain to the object it
names and never mutates a document:

- a reference that names nothing (no such pointer, no such sibling file, HTTP 404) becomes an
  ``unresolvable-ref`` finding and ``follow`` returns ``None``: the caller skips the item;
- a reference the loader refuses (outside the folder or origin), a chain longer than
  ``settings.max_ref_chain`` and a chain that loops raise ``BadReference`` naming the location.

Schema ``$ref``s are not followed here but kept (see ``schemarefs``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Generic, Literal, NamedTuple, TypeVar, overload
from urllib.parse import unquote

from connectory.documents.loader import DocumentLoader
from connectory.errors import BadReference, SourceError, SourceUnreachable
from connectory.schemas.pointer import escape, pointer, unescape
from connectory.settings import Settings

from . import _raw as raw
from .findings import Findings, shorten

__all__ = [
    "Loc",
    "Resolved",
    "Resolver",
    "Target",
    "child",
    "document_of",
    "locate",
    "parse_fragment",
    "parse_ref",
    "render",
]


def child(location: str, token: object) -> str:
    """The location of ``token`` under ``location``."""
    return f"{location}/{escape(token)}"


Loc = str | tuple[Any, Any]
"""A location, or ``(parent Loc, token)``: built cheaply while walking, rendered when needed."""


def render(location: Loc) -> str:
    """The location a ``Loc`` stands for."""
    tokens = []
    while isinstance(location, tuple):
        location, token = location
        tokens.append(escape(token))
    return location + "".join("/" + token for token in reversed(tokens))


def document_of(location: str) -> str:
    """The file a location is in: ``""`` for the root document, else the file's name."""
    if not location or location[0] == "/":
        return ""
    return location.split("#", 1)[0]


def locate(document: str, tokens: list[str]) -> str:
    """The location of ``tokens`` in ``document`` (``""``: the root)."""
    return pointer(*tokens) if document == "" else f"{document}#{pointer(*tokens)}"


def parse_fragment(fragment: str) -> list[str] | None:
    """The tokens of a fragment (``/a/b``, percent-decoded), or ``None`` if it is no JSON pointer."""
    if "%" in fragment:
        fragment = unquote(fragment)
    if fragment == "":
        return []
    if not fragment.startswith("/"):
        return None  # a plain-name fragment (an anchor)
    return [unescape(t) for t in fragment[1:].split("/")]


def parse_ref(ref: str) -> list[str] | None:
    """The tokens of a same-document reference ``#/a/b``; ``None`` for any other reference."""
    if not ref.startswith("#"):
        return None
    return parse_fragment(ref[1:])


def _lookup(document: Any, tokens: list[str]) -> tuple[bool, Any]:
    node = document
    for token in tokens:
        if type(node) is dict or isinstance(node, Mapping):
            if token not in node:
                return False, None
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return False, None
    return True, node


class Target(NamedTuple):
    """What a reference names: the value and its location, or why there is none."""

    found: bool
    value: Any
    location: str
    problem: str = ""
    """When not found: why, to end a finding's message."""


_T = TypeVar("_T")


class Resolved(NamedTuple, Generic[_T]):
    """An object reached through zero or more references, and its own location.

    ``value`` is a mapping (``follow`` checked that much) taken as the object the reference was
    meant to reach: what it holds is unchecked (see ``_raw``)."""

    value: _T
    location: str


def _chain_text(chain: list[str]) -> str:
    shown = chain if len(chain) <= 6 else [*chain[:3], "...", *chain[-2:]]
    return " -> ".join(shown)


class Resolver:
    """Looks references up in the documents of one description; loads sibling files on demand."""

    def __init__(
        self,
        document: Mapping[str, Any],
        findings: Findings,
        loader: DocumentLoader,
        settings: Settings,
    ) -> None:
        self.document = document
        self.findings = findings
        self.loader = loader
        self.settings = settings
        self.documents: dict[str, Any] = {"": document}
        """The content of each file of the description reached so far, by name."""
        self._locations: dict[str, str] = {"": loader.root}
        self._names: dict[str, str] = {loader.root: ""}
        self._cache: dict[tuple[str, str], Target] = {}

    def lookup(self, ref: str, base: str, where: str) -> Target:
        """What ``ref``, written in the file ``base`` at ``where``, names. Cached."""
        key = (base, ref)
        cached = self._cache.get(key)
        if cached is None:
            cached = self._cache[key] = self._lookup(ref, base, where)
        return cached

    def _lookup(self, ref: str, base: str, where: str) -> Target:
        address, _, fragment = ref.partition("#")
        tokens = parse_fragment(fragment)
        if tokens is None:
            return Target(False, None, "", f"its fragment {fragment!r} is not a JSON pointer")
        document = base
        if address:
            try:
                location = self.loader.resolve(address, base=self._locations[base], where=where)
                known = self._names.get(location)
                if known is None:
                    content = self.loader.load(location, where=where)
                    known = self._name(location)
                    self.documents[known] = content
                document = known
            except SourceUnreachable:
                raise
            except SourceError as error:
                return Target(False, None, "", error.message)
        found, value = _lookup(self.documents[document], tokens)
        if not found:
            return Target(False, None, "", "it names nothing in the document")
        return Target(True, value, locate(document, tokens))

    def _name(self, location: str) -> str:
        name = self.loader.name(location) or "document"
        unique, counter = name, 2
        while unique in self.documents:
            unique = f"{name}({counter})"
            counter += 1
        self._names[location] = unique
        self._locations[unique] = location
        return unique

    def files(self) -> list[tuple[str, str]]:
        """The other files of the description read so far: ``(name, location)``, by name."""
        return sorted((name, self._locations[name]) for name in self.documents if name)

    @overload
    def follow(
        self, value: object, location: str, what: Literal["parameter"]
    ) -> Resolved[raw.Parameter] | None: ...
    @overload
    def follow(
        self, value: object, location: str, what: Literal["request body"]
    ) -> Resolved[raw.RequestBody] | None: ...
    @overload
    def follow(
        self, value: object, location: str, what: Literal["response"]
    ) -> Resolved[raw.Response] | None: ...
    @overload
    def follow(
        self, value: object, location: str, what: Literal["header"]
    ) -> Resolved[raw.Header] | None: ...
    @overload
    def follow(
        self, value: object, location: str, what: Literal["example"]
    ) -> Resolved[raw.Example] | None: ...
    @overload
    def follow(
        self, value: object, location: str, what: Literal["path item"]
    ) -> Resolved[raw.PathItem] | None: ...
    @overload
    def follow(
        self, value: object, location: str, what: Literal["callback"]
    ) -> Resolved[raw.Callback] | None: ...
    @overload
    def follow(
        self, value: object, location: str, what: Literal["security scheme"]
    ) -> Resolved[raw.SecurityScheme] | None: ...
    def follow(self, value: object, location: str, what: str) -> Resolved[Any] | None:
        """Follow ``value`` (which sits at ``location``) through ``$ref``s to a ``what`` object."""
        chain = [location]
        seen = {location}
        while (type(value) is dict or isinstance(value, Mapping)) and "$ref" in value:
            ref = value["$ref"]
            ref_location = child(location, "$ref")
            if not isinstance(ref, str):
                self.findings.error(
                    "unresolvable-ref", ref_location, f"$ref is not a string: {shorten(ref)}"
                )
                return None
            if len(chain) > self.settings.max_ref_chain:
                raise BadReference(
                    f"the {what} reference chain is longer than {self.settings.max_ref_chain} "
                    f"references: {_chain_text(chain)}",
                    location=child(chain[0], "$ref"),
                )
            target = self.lookup(ref, document_of(location), ref_location)
            if not target.found:
                self.findings.error(
                    "unresolvable-ref",
                    ref_location,
                    f"reference {ref!r} to a {what} cannot be resolved: {target.problem}; "
                    "item skipped",
                )
                return None
            chain.append(target.location)
            if target.location in seen:
                raise BadReference(
                    f"the {what} reference loops: {_chain_text(chain)}", location=ref_location
                )
            seen.add(target.location)
            value, location = target.value, target.location
        if type(value) is not dict and not isinstance(value, Mapping):
            self.findings.error(
                "invalid-object", location, f"a {what} must be an object, not {shorten(value)}"
            )
            return None
        return Resolved(value, location)

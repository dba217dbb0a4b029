"""Check the shape of an introspection result before graphql-core reads it.

``build_client_schema`` trusts its input: a ``null`` where a list belongs, an unknown type name or
kind, or an ``ofType`` chain a thousand levels deep ends in a ``TypeError``, a ``KeyError`` or a
``RecursionError`` from deep inside graphql-core. ``check_introspection`` walks the result once,
iteratively, and raises a ``ProtocolError`` that names the problem and its place (a JSON pointer
into the document, after ``#``) for everything graphql-core would trip over. What it lets through,
graphql-core can build (or reject with a message of its own, which ``schema`` wraps).

Accepted: the ``{"__schema": ...}`` object itself, or a whole response ``{"data": {"__schema":
...}}``. A response with ``errors``, or with ``__schema: null``, is what a server with
introspection disabled answers: the error says so and points to the SDL and file fallbacks.

This module is the one place that reads an introspection result unchecked: what it has not checked
yet is an ``object``; what it returns is a ``RawIntrospection`` (``_raw``), which code after it
may rely on. Its limits are ``settings.graphql_max_type_wrapping`` (``LIST``/``NON_NULL`` levels of
a type reference) and ``settings.graphql_max_default_value_tokens`` (a default value's text).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import cast

from graphql import DirectiveLocation, GraphQLSyntaxError, parse_const_value

from connectory.errors import ProtocolError
from connectory.settings import DEFAULT_SETTINGS, Settings, Tally

from ._raw import RawIntrospection

__all__ = ["FALLBACK_HINT", "check_introspection", "server_errors"]

FALLBACK_HINT = (
    "introspection may be disabled on this server: onboard from the schema's SDL file "
    "(connectory onboard schema.graphql --protocol graphql) or from a saved introspection "
    "result (a .json file) instead"
)

_NAMED_KINDS = frozenset({"SCALAR", "OBJECT", "INTERFACE", "UNION", "ENUM", "INPUT_OBJECT"})
_WRAPPING_KINDS = frozenset({"LIST", "NON_NULL"})
_LOCATIONS = frozenset(location.name for location in DirectiveLocation)
_OPTIONAL: dict[str, type] = {
    "description": str,
    "deprecationReason": str,
    "specifiedByURL": str,
    "isDeprecated": bool,
    "isOneOf": bool,
    "isRepeatable": bool,
}
_OPTIONAL_TYPES = tuple((key, frozenset({kind, type(None)})) for key, kind in _OPTIONAL.items())
_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]*")
_MAX_SHOWN = 60


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 3] + "..."


def server_errors(errors: object) -> str:
    """The first few messages of a GraphQL ``errors`` list, for an error message."""
    if not isinstance(errors, list):
        return _shown(errors)
    messages = []
    for error in errors[:3]:
        message = error.get("message") if isinstance(error, Mapping) else error
        messages.append(_shown(message) if not isinstance(message, str) else message[:200])
    more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
    return "; ".join(messages) + more


class _Checker:
    """One walk over one introspection result."""

    def __init__(self, source: str, settings: Settings) -> None:
        self.source = source
        self.max_wrapping = settings.graphql_max_type_wrapping
        self.max_default_tokens = settings.graphql_max_default_value_tokens
        self.settings = settings
        self.names: dict[str, str] = {}
        """Type name -> kind, of every type the result defines."""
        self.valid_names: set[str] = set()
        """The names seen to be GraphQL names."""

    def kind_of(self, name: object) -> str | None:
        """The kind of the type named ``name`` (None if unknown, or if ``name`` is no string)."""
        return self.names.get(name) if isinstance(name, str) else None

    def fail(self, pointer: str, message: str) -> ProtocolError:
        return ProtocolError(
            f"invalid introspection result: {message}", location=f"{self.source}#{pointer}"
        )

    def mapping(self, value: object, pointer: str, what: str) -> Mapping[str, object]:
        if type(value) is not dict and not isinstance(value, Mapping):  # JSON's own, told fast
            raise self.fail(pointer, f"{what} must be an object, not {_shown(value)}")
        return value

    def listing(self, value: object, pointer: str, what: str) -> list[object]:
        if not isinstance(value, list):
            raise self.fail(pointer, f"{what} must be a list, not {_shown(value)}")
        return value

    def optional(self, holder: Mapping[str, object], pointer: str, what: str) -> None:
        """The optional texts and flags of ``holder``: strings, booleans or null."""
        get = holder.get
        if all(type(get(key)) in kinds for key, kinds in _OPTIONAL_TYPES):
            return  # the common case, told at once; else the first wrong one, said below
        for key, kind in _OPTIONAL.items():
            value = holder.get(key)
            if value is not None and not isinstance(value, kind):
                wanted = "text" if kind is str else "true or false"
                raise self.fail(
                    f"{pointer}/{key}", f"the {key} of {what} must be {wanted}, not {_shown(value)}"
                )

    def name(self, holder: Mapping[str, object], pointer: str, what: str) -> str:
        name = holder.get("name")
        if type(name) is str and name in self.valid_names:
            return name  # names recur (id, url, first, after...): each is matched once
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise self.fail(f"{pointer}/name", f"{what} has no valid name: {_shown(name)}")
        self.valid_names.add(name)
        return name

    def type_ref(self, ref: object, pointer: str, what: str, *, output: bool) -> None:
        """A chain of ``LIST``/``NON_NULL`` wrappers ending in a known named type."""
        wrappers = 0
        previous = None
        while True:
            if type(ref) is not dict:
                ref = self.mapping(ref, pointer + "/ofType" * wrappers, f"the type of {what}")
            kind = ref.get("kind")
            kind = kind if isinstance(kind, str) else None
            if kind in _WRAPPING_KINDS:
                if kind == previous == "NON_NULL":
                    pointer += "/ofType" * wrappers
                    raise self.fail(pointer, f"the type of {what} is NON_NULL of NON_NULL")
                wrappers += 1
                if wrappers > self.max_wrapping:
                    raise self.fail(
                        pointer + "/ofType" * (wrappers - 1),
                        f"the type of {what} is wrapped in more than {self.max_wrapping} "
                        "LIST/NON_NULL levels (raise CONNECTORY_GRAPHQL_MAX_TYPE_WRAPPING if you "
                        "trust the schema)",
                    )
                previous = kind
                ref = ref.get("ofType")
                continue
            pointer += "/ofType" * wrappers  # where the named type is (pointers only for errors)
            if kind not in _NAMED_KINDS:
                raise self.fail(f"{pointer}/kind", f"the type of {what} has kind {_shown(kind)}")
            name = ref.get("name")
            actual = self.kind_of(name)
            if actual is None:
                raise self.fail(f"{pointer}/name", f"{what} refers to unknown type {_shown(name)}")
            usable = (
                actual not in ("INPUT_OBJECT",)
                if output
                else actual in ("SCALAR", "ENUM", "INPUT_OBJECT")
            )
            if not usable:
                side = "an output" if output else "an input"
                raise self.fail(
                    f"{pointer}/name", f"{what} has type {name} ({actual}), not {side} type"
                )
            return

    def named_refs(self, refs: object, pointer: str, what: str, kinds: frozenset[str]) -> None:
        for i, ref in enumerate(self.listing(refs, pointer, what)):
            where = f"{pointer}/{i}"
            name = self.mapping(ref, where, what).get("name")
            if self.kind_of(name) not in kinds:
                found = self.kind_of(name) or "unknown"
                raise self.fail(f"{where}/name", f"{what} lists {_shown(name)} ({found})")

    def input_values(self, values: object, pointer: str, owner: str) -> None:
        what = f"an input of {owner}"
        for i, value in enumerate(self.listing(values, pointer, f"the inputs of {owner}")):
            where = f"{pointer}/{i}"
            value = self.mapping(value, where, what)
            name = self.name(value, where, what)
            coordinate = f"{owner}({name}:)"
            self.optional(value, where, coordinate)
            self.type_ref(value.get("type"), f"{where}/type", coordinate, output=False)
            default = value.get("defaultValue")
            if default is None:
                continue
            problem = f"must be GraphQL text, not {_shown(default)}"
            if isinstance(default, str):
                try:
                    parse_const_value(default, max_tokens=self.max_default_tokens)
                    continue
                except GraphQLSyntaxError as error:
                    problem = f"is not a GraphQL value ({error.message.removeprefix('Syntax Error: ').rstrip('.')})"
                except RecursionError:
                    problem = "is nested too deeply"
            raise self.fail(f"{where}/defaultValue", f"the default of {owner}({name}:) {problem}")

    def fields(self, type_: Mapping[str, object], pointer: str, name: str) -> None:
        where = f"{pointer}/fields"
        what = f"a field of {name}"
        for i, field in enumerate(self.listing(type_.get("fields"), where, f"{name}.fields")):
            at = f"{where}/{i}"
            field = self.mapping(field, at, what)
            field_name = self.name(field, at, what)
            coordinate = f"{name}.{field_name}"
            self.optional(field, at, coordinate)
            self.type_ref(field.get("type"), f"{at}/type", coordinate, output=True)
            self.input_values(field.get("args"), f"{at}/args", coordinate)

    def type_(self, type_: Mapping[str, object], pointer: str, name: str, kind: str) -> None:
        self.optional(type_, pointer, name)
        if kind in ("OBJECT", "INTERFACE"):
            self.fields(type_, pointer, name)
            interfaces = type_.get("interfaces")
            if interfaces is not None or kind == "OBJECT":
                what = f"the interfaces of {name}"
                self.named_refs(interfaces, f"{pointer}/interfaces", what, frozenset({"INTERFACE"}))
        elif kind == "UNION":
            what = f"the possible types of {name}"
            self.named_refs(
                type_.get("possibleTypes"), f"{pointer}/possibleTypes", what, frozenset({"OBJECT"})
            )
        elif kind == "ENUM":
            where = f"{pointer}/enumValues"
            values = self.listing(type_.get("enumValues"), where, f"{name}.enumValues")
            for i, value in enumerate(values):
                at = f"{where}/{i}"
                value = self.mapping(value, at, f"a value of {name}")
                self.optional(value, at, f"{name}.{self.name(value, at, f'a value of {name}')}")
        elif kind == "INPUT_OBJECT":
            self.input_values(type_.get("inputFields"), f"{pointer}/inputFields", name)

    def count_operations(
        self,
        schema: Mapping[str, object],
        named: list[tuple[Mapping[str, object], str, str]],
        pointer: str,
    ) -> None:
        """The root types' fields (the actions and triggers) against ``max_operations``, before
        anything is built from them (their shape is checked afterwards)."""
        roots = [schema.get(key) for key in ("queryType", "mutationType", "subscriptionType")]
        named_roots = [root.get("name") for root in roots if isinstance(root, Mapping)]
        names = {name for name in named_roots if isinstance(name, str)}
        fields = [type_.get("fields") for type_, name, _ in named if name in names]
        count = sum(len(listed) for listed in fields if isinstance(listed, list))
        tally = Tally(self.settings, "max_operations", "operations (root fields)")
        tally.check(count, location=f"{self.source}#{pointer}")

    def schema(self, schema: Mapping[str, object], pointer: str) -> None:
        types = self.listing(schema.get("types"), f"{pointer}/types", "__schema.types")
        where = f"{self.source}#{pointer}/types"
        Tally(self.settings, "max_types", "types").check(len(types), location=where)
        named: list[tuple[Mapping[str, object], str, str]] = []
        for i, raw in enumerate(types):
            where = f"{pointer}/types/{i}"
            type_ = self.mapping(raw, where, "a type")
            name = self.name(type_, where, "a type")
            kind = type_.get("kind")
            if not isinstance(kind, str) or kind not in _NAMED_KINDS:
                known = ", ".join(sorted(_NAMED_KINDS))
                raise self.fail(
                    f"{where}/kind", f"type {name} has kind {_shown(kind)} (known: {known})"
                )
            if name in self.names:
                raise self.fail(f"{where}/name", f"type {name} is defined twice")
            self.names[name] = kind
            named.append((type_, name, kind))
        self.count_operations(schema, named, pointer)
        for i, (type_, name, kind) in enumerate(named):
            self.type_(type_, f"{pointer}/types/{i}", name, kind)
        for key in ("queryType", "mutationType", "subscriptionType"):
            root = schema.get(key)
            if root is None:
                continue
            root_name = self.mapping(root, f"{pointer}/{key}", key).get("name")
            if self.kind_of(root_name) != "OBJECT":
                raise self.fail(
                    f"{pointer}/{key}/name", f"{key} {_shown(root_name)} is not an object type"
                )
        directives = schema.get("directives")
        if directives is None:
            return
        for i, directive in enumerate(
            self.listing(directives, f"{pointer}/directives", "directives")
        ):
            where = f"{pointer}/directives/{i}"
            directive = self.mapping(directive, where, "a directive")
            name = self.name(directive, where, "a directive")
            self.optional(directive, where, f"@{name}")
            locations = self.listing(
                directive.get("locations"), f"{where}/locations", f"@{name} locations"
            )
            unknown = [p for p in locations if not isinstance(p, str) or p not in _LOCATIONS]
            if unknown:
                raise self.fail(
                    f"{where}/locations", f"@{name} has unknown location {_shown(unknown[0])}"
                )
            self.input_values(directive.get("args"), f"{where}/args", f"@{name}")


def check_introspection(
    result: object, source: str, *, settings: Settings = DEFAULT_SETTINGS
) -> RawIntrospection:
    """The ``{"__schema": ...}`` object of ``result``, once its shape is known to be sound
    (within the limits of ``settings``): from here on, a ``RawIntrospection``."""
    checker = _Checker(source, settings)
    holder = checker.mapping(result, "", "an introspection result")
    if holder.get("errors"):
        raise ProtocolError(
            f"the introspection query was answered with errors: "
            f"{server_errors(holder['errors'])}; {FALLBACK_HINT}",
            location=source,
        )
    prefix = ""
    if "__schema" not in holder:
        holder = checker.mapping(holder.get("data"), "/data", "data")
        prefix = "/data"
    schema = holder.get("__schema")
    if schema is None:
        raise ProtocolError(
            f"the introspection result's __schema is null; {FALLBACK_HINT}", location=source
        )
    checker.schema(checker.mapping(schema, f"{prefix}/__schema", "__schema"), f"{prefix}/__schema")
    return cast("RawIntrospection", holder)

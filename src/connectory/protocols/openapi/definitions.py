"""Definitions: ``components.schemas`` (``definitions`` in Swagger 2.0), then the bundled ones.

One definition per entry of the root document's schemas, in document order, then one per schema
that references made a definition (schemas in other files, recursive schemas elsewhere in the root
document; see ``schemarefs``), in the order they were met. Converting those may meet more: the
loop runs until none is left.

A definition that is only a ``$ref`` to another is an alias. Aliases in a loop (``A: {$ref: B}``,
``B: {$ref: A}``) would send a validator round forever: each member becomes a schema that accepts
anything, with a ``ref-cycle`` finding. A chain of aliases longer than ``settings.max_ref_chain``
raises ``BadReference``.
"""

from __future__ import annotations

from collections.abc import Mapping

from connectory.errors import BadReference
from connectory.model.version import Definition, JsonSchema, definition_uri
from connectory.settings import Settings

from . import _raw as raw
from ._refs import child
from ._schemas import SchemaConverter
from .findings import Findings

__all__ = ["Entry", "bundled_entries", "definitions", "root_entries"]

Entry = tuple[JsonSchema, str]
"""A definition's content and where its schema is in the description."""


def root_entries(
    schemas: Mapping[str, raw.Schema] | None,
    location: str,
    converter: SchemaConverter,
    findings: Findings,
) -> dict[str, Entry]:
    """The converted entries of the root document's map of schemas (at ``location``)."""
    if not isinstance(schemas, Mapping):
        if schemas is not None:
            findings.warning("invalid-object", location, "the map of schemas must be an object")
        return {}
    entries = {}
    for name, schema in schemas.items():
        where = child(location, name)
        entries[str(name)] = (converter.convert(schema, where), where)
    return entries


def bundled_entries(converter: SchemaConverter) -> dict[str, Entry]:
    """The definitions references made (other files, recursive schemas), converted."""
    generated = converter.refs.generated
    entries: dict[str, Entry] = {}
    while len(entries) < len(generated):
        for name, (schema, location) in list(generated.items())[len(entries) :]:
            entries[name] = (converter.convert(schema, location), location)
    return entries


def _alias_targets(entries: dict[str, Entry]) -> dict[str, str]:
    names_by_uri = {definition_uri(name): name for name in entries}
    targets: dict[str, str] = {}
    for name, (content, _) in entries.items():
        if isinstance(content, dict) and len(content) == 1:
            ref = content.get("$ref")
            if isinstance(ref, str) and ref in names_by_uri:
                targets[name] = names_by_uri[ref]
    return targets


def _check_aliases(entries: dict[str, Entry], findings: Findings, settings: Settings) -> set[str]:
    """The names of aliases in a loop (with findings); raises for a too long chain of aliases."""
    targets = _alias_targets(entries)
    lengths: dict[str, int] = {}
    in_cycle: set[str] = set()
    for start in targets:
        chain: list[str] = []
        on_chain: set[str] = set()
        name: str | None = start
        while name is not None and name in targets and name not in lengths:
            if name in on_chain:
                loop = chain[chain.index(name) :]
                in_cycle.update(loop)
                for member in loop:
                    lengths[member] = 0
                break
            chain.append(name)
            on_chain.add(name)
            name = targets[name]
        after = lengths.get(name, 0) if name is not None else 0
        for member in reversed(chain):
            if member in lengths:
                after = lengths[member]
                continue
            after = lengths[member] = after + 1
            if after > settings.max_ref_chain:
                raise BadReference(
                    f"definition {member!r} starts a chain of more than {settings.max_ref_chain} "
                    "references to references",
                    location=child(entries[member][1], "$ref"),
                )
    for name in sorted(in_cycle):
        findings.error(
            "ref-cycle",
            child(entries[name][1], "$ref"),
            f"schema {name!r} is a reference that loops back to itself through other references",
        )
    return in_cycle


def definitions(
    entries: dict[str, Entry], findings: Findings, settings: Settings
) -> list[Definition]:
    """The definitions of ``entries``, aliases in a loop replaced."""
    looping = _check_aliases(entries, findings, settings)
    result = []
    for name, (content, _) in entries.items():
        if name in looping:
            content = {"description": "Accepts anything: the schema is a reference loop."}
        result.append(Definition(name=name, content=content))
    return result

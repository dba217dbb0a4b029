"""``components.schemas`` -> definitions, one per entry, in JSON Schema 2020-12.

A definition that is only a ``$ref`` to another, in a loop (``A: {$ref: B}``, ``B: {$ref: A}``), would
send a validator round forever: each member of such a loop becomes ``{}`` with a ``ref-cycle`` finding.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectory.model import Definition, JsonSchema, definition_uri

from .findings import Findings
from .refs import child
from .schemas import SchemaConverter

__all__ = ["definitions"]

LOCATION = "/components/schemas"


def _alias_cycles(contents: dict[str, JsonSchema]) -> set[str]:
    names_by_uri = {definition_uri(name): name for name in contents}
    target: dict[str, str] = {}
    for name, content in contents.items():
        ref = content.get("$ref") if isinstance(content, dict) else None
        if isinstance(ref, str) and ref in names_by_uri:
            target[name] = names_by_uri[ref]
    in_cycle: set[str] = set()
    for start in target:
        chain: list[str] = []
        name: str | None = start
        while name is not None and name not in chain and name not in in_cycle:
            chain.append(name)
            name = target.get(name)
        if name is not None and name in chain:
            in_cycle.update(chain[chain.index(name) :])
    return in_cycle


def definitions(schemas: Any, converter: SchemaConverter, findings: Findings) -> list[Definition]:
    """One definition per entry of ``schemas`` (the ``components.schemas`` map)."""
    if not isinstance(schemas, Mapping):
        if schemas is not None:
            findings.warning("invalid-object", LOCATION, "components.schemas must be an object")
        return []
    contents = {
        str(name): converter.convert(schema, child(LOCATION, name))
        for name, schema in schemas.items()
    }
    for name in sorted(_alias_cycles(contents)):
        findings.error(
            "ref-cycle",
            child(child(LOCATION, name), "$ref"),
            f"schema {name!r} is a reference that loops back to itself through other references",
        )
        contents[name] = {"description": "Accepts anything: the schema is a reference loop."}
    return [Definition(name=name, content=content) for name, content in contents.items()]

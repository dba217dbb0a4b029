"""The change report: every kind of change with its level, locations, and the sorted result.

``KINDS`` is the one table of levels (``connectory.changes``'s docstring shows it). A kind has one
level, or, for the changes found inside schemas, a level per direction:

- ``input``: data the caller sends (an action's input, a request body, SOAP input). Narrowing
  what is accepted breaks callers; widening it is safe.
- ``output``: data the caller receives (responses, SOAP output and faults, trigger payloads).
  Widening what may come back can break callers; narrowing it is safe.

``None`` for a direction means the change is not reported in that direction (a ``default`` only
matters where the caller may omit the value).

Locations are JSON-pointer-ish: ``actions/<action>/input/query/per_page``,
``actions/<action>/output/200/body/owner/login``, ``definitions/<name>/kind/enum``,
``auth_methods/<name>``, ``servers``. Property names stand for themselves (``properties`` is left
out), array items are ``[]``, additional properties ``*``, alternatives ``anyOf/<i>``; a
keyword-level change ends with the keyword (``.../maxLength``). ``~`` and ``/`` in names are
escaped as in JSON pointers (``~0``, ``~1``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from connectory.model.version import Change
from connectory.schemas.pointer import escape

__all__ = ["KINDS", "LEVELS", "Direction", "Level", "Report", "child", "level_of"]

Level = Literal["breaking", "dangerous", "safe"]
Direction = Literal["input", "output"]
LEVELS: tuple[Level, ...] = ("breaking", "dangerous", "safe")

_B: Level = "breaking"
_D: Level = "dangerous"
_S: Level = "safe"

KINDS: dict[str, Level | tuple[Level | None, Level | None]] = {
    # -- actions and triggers (every protocol) ------------------------------------------------
    "action-added": _S,
    "action-removed": _B,
    "action-renamed": _B,  # the same operation under a new name: boards name actions
    "action-deprecated": _D,
    "trigger-added": _S,
    "trigger-removed": _B,
    "trigger-changed": _B,  # kind or signature verification
    "trigger-binding-changed": _D,
    # -- auth (every protocol) ----------------------------------------------------------------
    "auth-method-added": _S,
    "auth-method-removed": _B,
    "auth-method-changed": _B,  # type, where the credential goes, algorithm, PKCE now needed...
    "auth-endpoint-changed": _D,  # token / authorization / discovery / login URL
    "auth-flow-added": _S,
    "auth-flow-removed": _B,
    "auth-scope-added": _S,
    "auth-scope-removed": _B,
    "auth-required": _B,  # could be called without credentials, cannot any more
    "auth-optional": _S,
    "auth-alternative-added": _S,
    "auth-alternative-removed": _B,
    "auth-scopes-required": _B,  # an alternative needs more scopes
    "auth-scopes-relaxed": _S,
    "secret-host-added": _B,  # secrets may go to a new origin: the users' consent lacks it
    # -- answers (HTTP responses, SOAP output and faults) --------------------------------------
    "response-added": _D,  # a new success answer to handle
    "response-removed": _B,  # a success answer is gone
    "error-response-added": _S,
    "error-response-removed": _S,
    "response-body-added": _S,
    "response-body-removed": _B,
    "response-media-type-added": _S,
    "response-media-type-removed": _B,
    "response-header-added": _S,
    "response-header-removed": _D,
    # -- HTTP ---------------------------------------------------------------------------------
    "server-added": _S,
    "server-removed": _B,
    "default-server-changed": _D,
    "server-variable-added": _S,
    "server-variable-removed": _B,
    "server-variable-default-changed": _D,
    "server-variable-value-added": _S,
    "server-variable-value-removed": _B,
    "http-method-changed": _B,
    "http-path-changed": _B,
    "parameter-serialization-changed": _B,  # style, explode or media type of a parameter
    "request-media-type-added": _S,
    "request-media-type-removed": _B,
    "binding-changed": _D,  # any other binding field (HTTP or SOAP)
    # -- SOAP ---------------------------------------------------------------------------------
    "target-namespace-changed": _B,
    "endpoint-added": _S,
    "endpoint-removed": _B,
    "endpoint-address-changed": _D,
    "endpoint-soap-version-changed": _B,
    "soap-operation-changed": _B,
    "soap-action-changed": _B,
    "soap-style-changed": _B,
    "soap-version-changed": _B,
    "soap-address-changed": _D,
    # -- schemas: (in input, in output) -------------------------------------------------------
    "property-added": (_S, _S),
    "required-property-added": (_B, _S),
    "property-removed": (_B, _B),
    "property-made-required": (_B, _S),
    "property-made-optional": (_S, _B),
    "property-deprecated": (_D, _D),
    "type-changed": (_B, _B),
    "type-narrowed": (_B, _S),
    "type-widened": (_S, _B),
    "nullable-added": (_S, _B),
    "nullable-removed": (_B, _S),
    "enum-added": (_B, _S),  # values restricted where any was allowed
    "enum-removed": (_S, _D),
    "enum-value-added": (_S, _D),
    "enum-value-removed": (_B, _S),
    "constraint-tightened": (_B, _S),  # maxLength lowered, minimum raised, uniqueItems...
    "constraint-loosened": (_S, _D),
    "constraint-changed": (_D, _D),  # neither tighter nor looser (multipleOf 3 -> 5)
    "pattern-added": (_B, _S),
    "pattern-removed": (_S, _D),
    "pattern-changed": (_D, _D),
    "format-added": (_D, _S),
    "format-removed": (_S, _D),
    "format-changed": (_D, _D),
    "additional-properties-closed": (_B, _S),
    "additional-properties-opened": (_S, _D),
    "alternative-added": (_S, _D),  # anyOf / oneOf
    "alternative-removed": (_B, _S),
    "default-changed": (_D, None),
    "keyword-changed": (_D, _D),  # allOf, not, if/then/else, patternProperties, ...
    "ref-changed": (_D, _D),  # a reference outside the version's definitions
    "namespace-changed": (_B, _B),  # an XSD definition's target namespace
    "xsd-changed": (_D, _D),  # an XSD definition without a JSON Schema mirror
}


def level_of(kind: str, direction: Direction | None = None) -> Level | None:
    """The level of ``kind`` (in ``direction``, for schema changes); None: not reported."""
    level = KINDS[kind]
    if isinstance(level, tuple):
        if direction is None:
            raise ValueError(f"{kind} is a schema change: give its direction")
        return level[0] if direction == "input" else level[1]
    return level


def child(location: str, *keys: str | int) -> str:
    """``location`` extended by ``keys``, each escaped as a JSON pointer token."""
    return "/".join([location, *map(escape, keys)]) if location else "/".join(map(escape, keys))


class Report:
    """The changes found so far; ``changes()`` sorts them: breaking first, then by location."""

    def __init__(self) -> None:
        self._changes: dict[tuple[str, str, str, str], Change] = {}

    def add(
        self, kind: str, location: str, message: str, direction: Direction | None = None
    ) -> None:
        level = level_of(kind, direction)
        if level is None:
            return
        key = (level, location, kind, message)
        if key not in self._changes:
            self._changes[key] = Change(kind=kind, level=level, location=location, message=message)

    def extend(self, changes: Iterable[Change]) -> None:
        """Add changes made elsewhere, kinds and levels as they are (a protocol's own differ, such
        as a GraphQL schema comparison, may have kinds of its own)."""
        for change in changes:
            key = (change.level, change.location, change.kind, change.message)
            self._changes.setdefault(key, change)

    def changes(self) -> list[Change]:
        rank: dict[str, int] = {level: i for i, level in enumerate(LEVELS)}
        return [
            self._changes[key]
            for key in sorted(self._changes, key=lambda k: (rank[k[0]], k[1], k[2], k[3]))
        ]

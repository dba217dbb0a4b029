"""Inputs and answers checked against a version's schemas, with validators built once.

    errors_in(version, schema, value, root="(body)", limit=50)

Building a registry of a version's definitions (GitHub's has hundreds) costs far more than a
call on loopback. Registries are kept per version content (its ``content_sha256`` as the store
computed it, else the same hash computed once per version object), the last
``_MAX_VERSIONS`` of them, and each keeps the validators built for its schemas (by their
canonical JSON). Messages are those of ``schemas.registry.errors_of``.
"""

from __future__ import annotations

import json
import math
import threading
import time
import weakref
from collections import OrderedDict
from contextvars import ContextVar
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry

from connectory.catalog.digest import content_sha256
from connectory.model.version import ConnectorVersion, Definition, JsonSchema, definition_uri
from connectory.schemas.registry import (
    bounded_validator_class,
    json_schema_of,
    problems_of,
    resources_of,
    validator_for,
)

__all__ = ["errors_in"]

_MAX_VERSIONS = 16
_DEADLINE: ContextVar[float] = ContextVar("connectory_check_deadline", default=math.inf)
_BOUNDED = bounded_validator_class(lambda: time.monotonic() > _DEADLINE.get())
"""The validators' class: bounded by the deadline of the call at hand, risky patterns skipped."""
_REF_KEYWORDS = frozenset({"$ref", "$dynamicRef"})
_MAX_VALIDATORS = 1024
"""Per version: validators kept (an action's input, each output)."""


class _Checks:
    """A version's registry, holding the definitions its checks so far reach (all of them once
    ``whole``), and the validators built on it."""

    def __init__(self, version: ConnectorVersion) -> None:
        self.by_uri = {definition_uri(d.name): d for d in version.definitions}
        self.registry: Registry[Any] = Registry()
        self.held: set[str] = set()
        self.whole = False
        self.validators: OrderedDict[str, Draft202012Validator] = OrderedDict()
        self.lock = threading.Lock()

    def reach(self, schema: JsonSchema) -> None:
        """Add to the registry the definitions ``schema`` reaches (transitively); every
        definition when one of its refs is not a definition's URI or a fragment (a ref
        relative to some ``$id``: resolved by the whole crawled registry, as before)."""
        if self.whole:
            return
        new: dict[str, Definition] = {}
        pending: list[Any] = [schema]
        while pending:
            node = pending.pop()
            if isinstance(node, dict):
                for key, value in node.items():
                    if key in _REF_KEYWORDS and not self._follow(value, new, pending):
                        self._add_all()
                        return
                    pending.append(value)
            elif isinstance(node, list):
                pending.extend(node)
        self._add(new)

    def _follow(self, ref: Any, new: dict[str, Definition], pending: list[Any]) -> bool:
        if not isinstance(ref, str):
            return False
        base = ref.partition("#")[0]
        if not base or base in self.held or base in new:
            return True
        definition = self.by_uri.get(base)
        if definition is None:
            return False
        new[base] = definition
        pending.append(json_schema_of(definition))
        return True

    def _add(self, new: dict[str, Definition]) -> None:
        if new:
            self.registry = self.registry.with_resources(resources_of(new.values())).crawl()
            self.held.update(new)

    def _add_all(self) -> None:
        self.registry = self.registry.with_resources(resources_of(self.by_uri.values())).crawl()
        self.held.update(self.by_uri)
        self.whole = True


_lock = threading.Lock()
_by_content: OrderedDict[tuple[str, int], _Checks] = OrderedDict()
_digests: dict[int, tuple[weakref.ref[ConnectorVersion], str]] = {}


def _digest(version: ConnectorVersion) -> str:
    if version.content_sha256:
        return version.content_sha256
    known = _digests.get(id(version))
    if known is not None and known[0]() is version:
        return known[1]
    digest = content_sha256(version)
    key = id(version)
    _digests[key] = (weakref.ref(version, lambda _: _digests.pop(key, None)), digest)
    return digest


def _validator(version: ConnectorVersion, schema: JsonSchema) -> Draft202012Validator:
    # their count too: a copy of a stored version with other definitions keeps its old hash
    key = (_digest(version), len(version.definitions))
    text = json.dumps(schema, sort_keys=True)
    with _lock:
        checks = _by_content.get(key)
        if checks is not None:
            _by_content.move_to_end(key)
            found = checks.validators.get(text)
            if found is not None:
                checks.validators.move_to_end(text)
                return found
        else:
            checks = _by_content[key] = _Checks(version)
            while len(_by_content) > _MAX_VERSIONS:
                _by_content.popitem(last=False)
    with checks.lock:
        checks.reach(schema)
        validator = validator_for(schema, checks.registry, validator_class=_BOUNDED)
        checks.validators[text] = validator
        while len(checks.validators) > _MAX_VALIDATORS:
            checks.validators.popitem(last=False)
    return validator


def errors_in(
    version: ConnectorVersion,
    schema: JsonSchema,
    value: Any,
    *,
    root: str,
    limit: int | None = None,
    seconds: float | None = None,
) -> list[str]:
    """Where ``value`` does not fit ``schema`` (refs among ``version``'s definitions), as
    ``schemas.registry.errors_of`` says it (the deepest fields at fault), at most ``limit``; with
    ``seconds``, for a value from anyone: stopped at that deadline (the cached validators are
    bounded ones, their deadline set per call)."""
    stop_at = _DEADLINE.set(time.monotonic() + seconds if seconds is not None else math.inf)
    try:
        found = _validator(version, schema).iter_errors(value)
        return problems_of(found, root=root, limit=limit, seconds=seconds)
    finally:
        _DEADLINE.reset(stop_at)

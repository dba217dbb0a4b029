"""Every OpenAPI document of the shared corpus onboards: ``inspect`` succeeds, counts match.

``inspect`` runs what ``connectory inspect`` runs (fetch, parse, generate, validate). Each document
gives one action per operation and one trigger per operation of a webhook (``webhooks``,
``x-webhooks``) or a callback, counted by this test's own helpers (``$ref``s followed by hand, not
by the code under test), and only findings of the kinds real documents are known to have.

INDEX.tsv's ``operations`` column counts the methods written directly in each path item; operations
reached through a path item ``$ref`` (two in ``surevoip.co.uk.json``) are actions too. So the test
checks INDEX.tsv against the document, then the actions against all operations.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from connectory.onboarding import inspect
from tests.conftest import corpus_absent
from tests.support.openapi import METHODS, OPENAPI_CORPUS, check_schemas, count_operations, load

pytestmark = pytest.mark.slow

INDEX = OPENAPI_CORPUS / "apis-guru" / "INDEX.tsv"
KNOWN_KINDS = {
    "example-mismatch",  # examples that do not match their schema
    "examples-not-checked",  # the time budget of the example checks ran out (large documents)
    "ignored-parameter",  # Accept / Content-Type / Authorization header parameters
    "invalid-pattern",  # regular expressions Python cannot compile
}


def _index() -> dict[str, int]:
    if not INDEX.is_file():
        return {}
    lines = INDEX.read_text(encoding="utf-8").splitlines()[1:]
    return {line.split("\t")[0]: int(line.split("\t")[3]) for line in lines}


OPERATIONS = _index()


def _written_operations(document: dict[str, Any]) -> int:
    """Operations written directly in path items (what INDEX.tsv counts)."""
    items = (document.get("paths") or {}).values()
    return sum(1 for item in items for method in METHODS if isinstance(item.get(method), dict))


def _deref(document: dict[str, Any], value: Any) -> Any:
    while isinstance(value, dict) and isinstance(value.get("$ref"), str):
        target: Any = document
        for token in value["$ref"].removeprefix("#/").split("/"):
            target = target[token.replace("~1", "/").replace("~0", "~")]
        value = {**target, **{k: v for k, v in value.items() if k != "$ref"}}
    return value


def _operations_of(document: dict[str, Any], items: Any) -> list[dict[str, Any]]:
    items = _deref(document, items)
    if not isinstance(items, dict):
        return []
    found = []
    for key, item in items.items():
        if key.startswith("x-"):
            continue
        item = _deref(document, item)
        found += [
            item[m] for m in METHODS if isinstance(item, dict) and isinstance(item.get(m), dict)
        ]
    return found


def count_triggers(document: dict[str, Any]) -> int:
    """Operations of webhooks, and of the callbacks of every operation of ``paths``."""
    count = sum(len(_operations_of(document, document.get(k))) for k in ("webhooks", "x-webhooks"))
    for operation in _operations_of(document, document.get("paths")):
        callbacks = operation.get("callbacks")
        for name, callback in (callbacks or {}).items():
            if not name.startswith("x-"):
                count += len(_operations_of(document, callback))
    return count


def _onboard(path: Path) -> None:
    document = load(path)
    version = inspect(path)
    expected = count_operations(document)  # with the operations of $ref'd path items
    assert len(version.actions) == expected
    assert len({action.name for action in version.actions}) == expected
    assert len(version.triggers) == count_triggers(document)
    assert {finding.kind for finding in version.findings} <= KNOWN_KINDS, version.findings
    check_schemas(version)


@pytest.mark.parametrize("relative", sorted(OPERATIONS) or ["(corpus absent)"])
def test_apis_guru_document(relative: str) -> None:
    if not OPERATIONS:
        corpus_absent(INDEX)
    path = OPENAPI_CORPUS / "apis-guru" / relative
    assert _written_operations(load(path)) == OPERATIONS[relative]
    _onboard(path)


@pytest.mark.parametrize("name", ["spec3.json", "spec3.yaml"])
def test_stripe(name: str) -> None:
    path: Path = OPENAPI_CORPUS / "stripe" / name
    if not path.is_file():
        corpus_absent(path)
    _onboard(path)
    assert count_operations(load(path)) > 400

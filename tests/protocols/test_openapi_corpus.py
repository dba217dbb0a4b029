"""Every OpenAPI document of the shared corpus: generation succeeds, counts match, schemas are valid.

INDEX.tsv's ``operations`` column counts the methods written directly in each path item; operations
reached through a path item ``$ref`` (two in ``surevoip.co.uk.json``) are actions too. So the test checks
INDEX.tsv against the document, then the actions against all operations, ``$ref``s followed (counted
by the test's own helper, not by the code under test).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .openapi_support import (
    METHODS,
    OPENAPI_CORPUS,
    check_schemas,
    count_operations,
    generate_version,
    load,
)

pytestmark = pytest.mark.slow

INDEX = OPENAPI_CORPUS / "apis-guru" / "INDEX.tsv"


def _index() -> dict[str, int]:
    if not INDEX.is_file():
        return {}
    lines = INDEX.read_text(encoding="utf-8").splitlines()[1:]
    return {line.split("\t")[0]: int(line.split("\t")[3]) for line in lines}


OPERATIONS = _index()


def _written_operations(document: dict) -> int:
    """Operations written directly in path items (what INDEX.tsv counts)."""
    items = (document.get("paths") or {}).values()
    return sum(1 for item in items for method in METHODS if isinstance(item.get(method), dict))


@pytest.mark.parametrize("relative", sorted(OPERATIONS) or ["(corpus absent)"])
def test_apis_guru_document(relative: str) -> None:
    if not OPERATIONS:
        pytest.skip(f"the shared corpus is not here: {INDEX}")
    path = OPENAPI_CORPUS / "apis-guru" / relative
    document = load(path)
    version = generate_version(document, source=relative)
    assert _written_operations(document) == OPERATIONS[relative]
    expected = count_operations(document)  # with the operations of $ref'd path items
    assert len(version.actions) == expected
    assert len({action.name for action in version.actions}) == expected
    check_schemas(version)


def test_stripe() -> None:
    path: Path = OPENAPI_CORPUS / "stripe" / "spec3.json"
    if not path.is_file():
        pytest.skip(f"the shared corpus is not here: {path}")
    document = load(path)
    version = generate_version(document, source="stripe/spec3.json")
    assert len(version.actions) == count_operations(document) == 417
    check_schemas(version)

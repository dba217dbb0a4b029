"""Real documents, edited: load one, change it as a new release would, inspect both versions."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from connectory import inspect
from connectory.model.version import Change, ConnectorVersion
from tests.conftest import corpus_file

Document = dict[str, Any]
Edit = Callable[[Document], object]


def onepassword() -> Path:
    """1Password Connect (OpenAPI 3.0.2, 15 operations, bearer auth, two servers)."""
    return corpus_file("openapi", "apis-guru", "1password.local", "connect.json")


def library_agent() -> Path:
    """Google's Library Agent (OpenAPI 3.0, OAuth 2 implicit and authorization code, scopes)."""
    return corpus_file("openapi", "apis-guru", "googleapis.com", "libraryagent.json")


def reordered(value: Any) -> Any:
    """``value`` with the keys of every object in reverse order (lists keep theirs)."""
    if isinstance(value, dict):
        return {key: reordered(value[key]) for key in reversed(list(value))}
    if isinstance(value, list):
        return [reordered(item) for item in value]
    return value


def write(path: Path, document: Document, *, indent: int | None = 2) -> Path:
    path.write_text(json.dumps(document, indent=indent, ensure_ascii=False))
    return path


def edited(source: Path, tmp_path: Path, edit: Edit, name: str = "edited.json") -> Path:
    """A copy of ``source`` in ``tmp_path`` with ``edit`` applied to its parsed content."""
    document = copy.deepcopy(json.loads(source.read_text()))
    edit(document)
    return write(tmp_path / name, document)


def version_of(path: Path) -> ConnectorVersion:
    return inspect(path, connector="doc")


def triples(changes: Iterable[Change]) -> set[tuple[str, str, str]]:
    """``(kind, level, location)`` of each change."""
    return {(c.kind, c.level, c.location) for c in changes}

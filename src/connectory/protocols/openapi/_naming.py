"""Stable, unique names for actions and triggers."""

from __future__ import annotations

import re

from connectory.protocols.naming import unique_name

__all__ = ["generated_name", "unique_name"]

_NOT_WORD = re.compile(r"[^A-Za-z0-9]+")


def generated_name(method: str, path: str) -> str:
    """A name for an operation without an operationId: ``get /repos/{owner}`` -> ``get_repos_owner``."""
    return _NOT_WORD.sub("_", f"{method} {path}").strip("_").lower() or method

"""How a drafted version gets its label when none is given.

1. From the document's own version (``info.version`` of an OpenAPI document, for instance),
   sanitised to the label pattern of ``model.check_label``: ``v1.2 (beta)`` becomes ``v1.2-beta``.
2. If that label is taken (or reserved), the first 8 hex digits of the document's sha256 are
   appended as semver build metadata: ``1.2.0+3f2a9c1d`` (``1.2.0+rc.3f2a9c1d`` when the label
   already has build metadata).
3. Without a document version: ``1``, ``2``, ... one more than the largest integer label.

Labels of deleted published versions stay taken: a label names one content, forever.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from connectory.errors import Conflict
from connectory.model.version import RESERVED_LABELS, check_label

__all__ = ["choose_label", "sanitise"]

_UNSAFE = re.compile(r"[^A-Za-z0-9._+-]+")
_EDGES = "._+-"
_BUILD_HEX = 8
_MAX = 64 - 1 - _BUILD_HEX  # room for "+<hex>"
_INTEGER = re.compile(r"[0-9]+")


def sanitise(document_version: str) -> str | None:
    """``document_version`` as a label (None when nothing usable is left)."""
    label = _UNSAFE.sub("-", document_version.strip()).strip(_EDGES)
    label = label[:_MAX].rstrip(_EDGES)
    return label or None


def choose_label(
    connector: str, document_version: str | None, sha256: str, taken: Collection[str]
) -> str:
    """A free label for a new version of ``connector`` (see the module docstring)."""
    base = sanitise(document_version) if document_version else None
    if base is None:
        numbers = [int(label) for label in taken if _INTEGER.fullmatch(label)]
        return str(max(numbers, default=0) + 1)
    if base not in taken and base not in RESERVED_LABELS:
        return check_label(base)
    separator = "." if "+" in base else "+"
    candidate = f"{base}{separator}{sha256[:_BUILD_HEX]}"
    if candidate in taken:
        raise Conflict(
            f"{connector}@{candidate} exists with other content; give this version a label"
        )
    return check_label(candidate)

"""Reading documents: the first steps of onboarding, the same for every protocol.

fetch       step 1: the raw bytes of a file or URL, capped, with their sha256 (``RawDocument``)
decode      bytes -> JSON values (JSON or YAML, bounded)
parse       step 2: what a document is (``ParsedDocument``: kind, content), parsed once
loader      the other documents a description refers to, only from its folder or origin
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from connectory._lazy import lazy_names

if TYPE_CHECKING:
    from .fetch import FOLDER_ENTRIES, RawDocument, fetch, http_client, is_url, read_capped
    from .loader import DocumentLoader, FolderLoader, OriginLoader, loader_for, same_origin
    from .parse import PROTOCOL_ALIASES, ParsedDocument, normalise_protocol, parse

__getattr__, __dir__ = lazy_names(
    __name__,
    {
        ".fetch": (
            "FOLDER_ENTRIES",
            "RawDocument",
            "fetch",
            "http_client",
            "is_url",
            "read_capped",
        ),
        ".loader": ("DocumentLoader", "FolderLoader", "OriginLoader", "loader_for", "same_origin"),
        ".parse": ("PROTOCOL_ALIASES", "ParsedDocument", "normalise_protocol", "parse"),
    },
)
"""Each name imported from its module on first use: a module that only decodes (``decode``) does
not load httpx."""

__all__ = [
    "FOLDER_ENTRIES",
    "PROTOCOL_ALIASES",
    "DocumentLoader",
    "FolderLoader",
    "OriginLoader",
    "ParsedDocument",
    "RawDocument",
    "fetch",
    "http_client",
    "is_url",
    "loader_for",
    "normalise_protocol",
    "parse",
    "read_capped",
    "same_origin",
]

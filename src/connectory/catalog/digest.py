"""The hash the store computes of a version: what a vetting approves and a publish seals.

    content_sha256(version)     sha256 of the version's canonical JSON

A version's ``sha256`` is the hash of its source document, as onboarding fetched it: provenance,
claimed by whoever drafts the version (a caller of the HTTP API can write any value there). The
store therefore never trusts it for approval. It computes ``content_sha256`` from the version as
it is stored (when it drafts, updates, vets and publishes one) and a vetting binds to that: a
draft that changes after its review, or another version that claims the same document, does not
carry the approval over.

The canonical form is the version as pydantic dumps it (JSON mode, by alias, fields left at their
default value omitted, so that a field added to the model later does not change the hash of
versions that do not use it), keys sorted, no insignificant white space, UTF-8. It leaves out
what is not the version's content: its label and state, the store's timestamps, the sunset and
replacement of a deprecation, the change report the store records at publish time, the time the
document was fetched and its sha256 (provenance, as claimed: two versions with the same content
have the same hash, whatever document they say they came from), the hash itself, and the findings
that observe the world at onboarding time rather than the document (``OBSERVED``: the live auth
check, whose result depends on whose credentials were at hand): a version rebuilt from the same
document has the same hash, whoever rebuilds it. A version
created over the HTTP API has no other document than its JSON: its ``sha256`` is this hash.
"""

from __future__ import annotations

import hashlib
import json

from connectory.model.findings import AUTH_CHECK
from connectory.model.version import ConnectorVersion

__all__ = ["NOT_HASHED", "OBSERVED", "content_sha256"]

NOT_HASHED = frozenset(
    {
        "version",
        "state",
        "created_at",
        "published_at",
        "sunset",
        "replacement",
        "changes",
        "fetched_at",
        "sha256",
        "content_sha256",
    }
)

OBSERVED = frozenset({AUTH_CHECK})
"""Kinds of findings that record an observation made while onboarding, not the document."""


def content_sha256(version: ConnectorVersion) -> str:
    """The sha256 (hex) of ``version``'s canonical JSON (see the module docstring)."""
    data = version.model_dump(
        mode="json", by_alias=True, exclude_defaults=True, exclude=set(NOT_HASHED)
    )
    if "findings" in data:
        data["findings"] = [f for f in data["findings"] if f.get("kind") not in OBSERVED]
        if not data["findings"]:
            del data["findings"]
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()

"""``Findings``: the ordered, de-duplicated collector every protocol's generator fills.

Each protocol documents its own locations (JSON pointers for OpenAPI, XPath-like paths for WSDL,
schema coordinates for GraphQL) and what its severities mean; the collecting is the same.
"""

from __future__ import annotations

from .version import Finding, Severity

__all__ = ["AUTH_CHECK", "Findings"]

AUTH_CHECK = "auth-check"
"""The kind of the finding that records the live auth check made while onboarding (an
observation, not the document's: ``catalog.digest`` leaves it out of the content hash)."""


class Findings:
    """An ordered, de-duplicated collection of findings."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str, str], Finding] = {}

    def add(self, severity: Severity, kind: str, location: str, message: str) -> None:
        key = (kind, location, message)
        if key not in self._seen:
            self._seen[key] = Finding(
                severity=severity, kind=kind, location=location, message=message
            )

    def error(self, kind: str, location: str, message: str) -> None:
        self.add("error", kind, location, message)

    def warning(self, kind: str, location: str, message: str) -> None:
        self.add("warning", kind, location, message)

    def info(self, kind: str, location: str, message: str) -> None:
        self.add("info", kind, location, message)

    def to_list(self) -> list[Finding]:
        return list(self._seen.values())

"""Collect the findings of one generation run: severity, kind, JSON pointer, message.

Severities: ``error`` when part of the document is broken and the generated connector had to drop or
replace it (an unresolvable ``$ref``, a reference loop); ``warning`` when the document breaks a rule
and the generator coped (an invalid regex, a duplicate operationId); ``info`` for a rule applied as
the specification says (an ignored ``Authorization`` header parameter).
"""

from __future__ import annotations

from connectory.model import Finding, Severity

__all__ = ["Findings", "shorten"]

_MAX_VALUE = 80


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


def shorten(value: object) -> str:
    """``repr(value)``, cut to a length that fits in a message."""
    text = repr(value)
    return text if len(text) <= _MAX_VALUE else text[: _MAX_VALUE - 3] + "..."

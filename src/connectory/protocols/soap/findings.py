"""Collect the findings of one WSDL onboarding: severity, kind, location, message.

Locations name the document and the component: ``services.wsdl#/binding[@name='X']/operation[@name='Y']``
or ``types.xsd#/complexType[@name='T']`` (an XPath-like path after the document's name).

Severities: ``error`` when part of the WSDL is broken and the connector lacks what it describes
(an operation whose message does not exist, a type that no schema defines); ``warning`` when the
WSDL breaks a rule and the generator coped (a service port naming a missing binding); ``info`` for
what is left out on purpose (an HTTP GET port, a policy assertion with no auth method).
"""

from __future__ import annotations

from connectory.model import Finding, Severity

__all__ = ["Findings"]


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

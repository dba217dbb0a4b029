"""Collect the findings of one WSDL onboarding: severity, kind, location, message.

Locations name the document and the component: ``services.wsdl#/binding[@name='X']/operation[@name='Y']``
or ``types.xsd#/complexType[@name='T']`` (an XPath-like path after the document's name).

Severities: ``error`` when part of the WSDL is broken and the connector lacks what it describes
(an operation whose message does not exist, a type that no schema defines); ``warning`` when the
WSDL breaks a rule and the generator coped (a service port naming a missing binding); ``info`` for
what is left out on purpose (an HTTP GET port, a policy assertion with no auth method).
"""

from __future__ import annotations

from connectory.model.findings import Findings

__all__ = ["Findings"]

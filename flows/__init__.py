"""Prefect flows of Connectory, installed as the package ``connectory_flows``.

    onboard        fetch -> parse -> generate -> validate -> draft (-> publish), one document
    reintrospect   re-introspect GraphQL endpoints; draft a version with a change report on drift

Deployments are declared in ``prefect.yaml`` at the repository root.
"""

from .onboard import Onboarded, onboard
from .reintrospect import Outcome, Reintrospected, reintrospect

__all__ = ["Onboarded", "Outcome", "Reintrospected", "onboard", "reintrospect"]

"""Prefect flows of Connectory, installed as the package ``connectory_flows``.

    onboard        fetch -> parse -> generate -> validate -> draft (-> publish), one document
    onboard-batch  the same for many documents at once, each a task; failures do not stop the rest
    reintrospect   re-introspect GraphQL endpoints; draft a version with a change report on drift

Deployments are declared in ``prefect.yaml`` at the repository root.
"""

from .batch import Batch, DocumentOutcome, onboard_batch
from .onboard import Onboarded, onboard
from .reintrospect import Outcome, Reintrospected, reintrospect

__all__ = [
    "Batch",
    "DocumentOutcome",
    "Onboarded",
    "Outcome",
    "Reintrospected",
    "onboard",
    "onboard_batch",
    "reintrospect",
]

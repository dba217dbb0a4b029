"""Prefect flows of Connectory, installed as the package ``connectory_flows``.

    onboard        fetch -> parse -> generate -> validate -> check auth -> draft (-> publish), one
                   document; the auth check runs when the connector's credentials are at hand
    onboard-batch  the same for many documents at once, each a task; failures do not stop the rest
    reintrospect   re-introspect GraphQL endpoints; draft a version with a change report on drift

No flow takes a secret as a parameter: the catalogue URL and the introspection headers come from
the process (``secrets.supplied``), the environment or Prefect Secret blocks (``secrets``). A run
some of whose items failed ends Failed (``ItemsFailed``); a run whose process was killed is marked
Crashed by the next run (``liveness``).

Deployments are declared in ``prefect.yaml`` at the repository root.
"""

from .batch import Batch, DocumentOutcome, onboard_batch
from .onboard import Onboarded, onboard
from .reintrospect import Outcome, Reintrospected, reintrospect
from .reporting import AuthNotVerified, ItemsFailed
from .secrets import supplied

__all__ = [
    "AuthNotVerified",
    "Batch",
    "DocumentOutcome",
    "ItemsFailed",
    "Onboarded",
    "Outcome",
    "Reintrospected",
    "onboard",
    "onboard_batch",
    "reintrospect",
    "supplied",
]

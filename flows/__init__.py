"""Prefect flows of Connectory, installed as the package ``connectory_flows``.

    onboard     fetch -> parse -> generate -> validate -> draft (-> publish), one document

Deployments are declared in ``prefect.yaml`` at the repository root.
"""

from .onboard import Onboarded, onboard

__all__ = ["Onboarded", "onboard"]

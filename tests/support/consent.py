"""Consent in tests: the origins a test's user accepted, in that test's own secrets file (the
autouse fixture of tests/conftest.py gives every test one)."""

from __future__ import annotations

from connectory.model.version import ConnectorVersion
from connectory.runtime import SecretsFile, origin, secret_origins


def accept(version: ConnectorVersion, *urls: str) -> None:
    """As ``connectory trust`` does: the user accepts ``version``'s origins, and those of
    ``urls`` (a server given instead of the version's), for its connector."""
    origins = secret_origins(version) | {origin(url) for url in urls}
    SecretsFile.default().accept(version.connector, origins)

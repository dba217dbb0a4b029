"""What a catalogue is and holds, read without changing it: ``connectory info`` shows it.

Nothing is created or migrated: an embedded catalogue whose file does not exist yet is reported
so (the first ``Catalog.open`` creates it), one at another schema revision is reported so. The URL
is kept without its password.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict

from connectory.redaction import redact_url

from ._engine import redacted_url, sqlite_file
from ._failures import raising_catalog_errors
from .location import Reason, default_location
from .migrate import current_revision, head_revision
from .store import Catalog

__all__ = ["Status", "status"]

_KINDS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


class Status(BaseModel):
    """A catalogue: where it is and why, its database, its schema revision and what it holds."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str
    """Without its password."""
    reason: Reason | None
    """Why the default catalogue is this one (None: the URL was given)."""
    why: str
    database: str
    """``SQLite``, ``PostgreSQL`` or another SQLAlchemy backend's name."""
    file: Path | None
    """The SQLite file, if there is one."""
    exists: bool
    revision: str | None
    """The schema revision the database is at (None: empty, or no file yet)."""
    expected_revision: str
    connectors: int | None
    """How many connectors (None unless the schema is the expected one)."""
    versions: int | None

    @property
    def current(self) -> bool:
        return self.exists and self.revision == self.expected_revision


def status(url: str | None = None, *, why: str = "given") -> Status:
    """The status of the catalogue at ``url`` (``why`` says where it was named), else of the
    default one (``location.default_location``)."""
    reason: Reason | None = None
    if not url:
        location = default_location()
        url, reason, why = location.url, location.reason, location.describe()
    shown = redacted_url(url)
    with raising_catalog_errors(shown):
        parsed = sa.make_url(url)
    path = sqlite_file(parsed)
    if path is None:  # a server's URL: secret-looking query values hidden too
        shown = redact_url(shown)
    exists = path is None or path.expanduser().is_file()
    revision = connectors = versions = None
    if exists:
        secret = parsed.password if isinstance(parsed.password, str) else None
        with (
            Catalog.open(url, migrate=False) as catalog,
            raising_catalog_errors(shown, secret=secret),
        ):
            revision = current_revision(catalog.engine)
            if revision == head_revision():
                summaries = catalog.list_connectors()
                connectors = len(summaries)
                versions = sum(s.version_count for s in summaries)
    backend = parsed.get_backend_name()
    return Status(
        url=shown,
        reason=reason,
        why=why,
        database=_KINDS.get(backend, backend),
        file=path,
        exists=exists,
        revision=revision,
        expected_revision=head_revision(),
        connectors=connectors,
        versions=versions,
    )

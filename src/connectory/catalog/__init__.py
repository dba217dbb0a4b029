"""The catalogue store: connectors, their versions and the boards that use them, in SQL.

SQLite (one file, the default) or PostgreSQL (for teams and several workers), through SQLAlchemy.
Published versions are immutable, enforced by the database itself; publishing is atomic; several
processes may write at once.

    store         Catalog: the public API, one transaction per method
    files         the catalogue as reviewable files (catalog/ at the repository root): export, import
    migrate       Alembic run from code (migrations/), under an advisory lock on PostgreSQL
    results       the small records the API returns
    location      where the catalogue is when none is named: the environment, the checkout, the
                  user's data folder
    status        what a catalogue is and holds, read without changing it (``connectory info``)
    policy        the publish policy: a version compared with the one it follows, breaking
                  changes announced
    digest        content_sha256: the hash the store computes of a version (what a vetting
                  approves and a publish seals)

  private, used by the store:

    _versions     draft, update_draft, publish, deprecate, delete_version
    _defaults     the default version: what ``default`` names, set, followed, moved
    _boards       boards, deployments, the blast radius of deleting a version
    _vettings     vetting records: store a verdict, list them, what publishing asks of them
    _deliveries   trigger deliveries: record one (a signature once), list them
    _labels       how a drafted version gets its label
    _rows         rows to models and back, lookups
    _tables       the schema (SQLAlchemy Core)
    _guards       the triggers that make published versions immutable and audit tables
                  append-only (SQLite and PostgreSQL)
    _engine       the default URL, SQLite's pragmas and BEGIN IMMEDIATE, read-only transactions
    _failures     database errors translated to connectory.errors (CatalogBusy, CatalogUnavailable)
    migrations/   the Alembic environment and its revisions
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from connectory._lazy import lazy_names

if TYPE_CHECKING:
    from ._engine import create_engine, default_database_url, sqlite_file
    from ._failures import CatalogBusy, CatalogUnavailable
    from .files import Exported, Imported, export_catalog, import_catalog
    from .location import Location, default_location
    from .migrate import upgrade
    from .results import (
        BoardImpact,
        ConnectorSummary,
        DefaultVersion,
        Deletion,
        Deprecated,
        Drafted,
        VersionInfo,
    )
    from .status import Status, status
    from .store import Catalog

__getattr__, __dir__ = lazy_names(
    __name__,
    {
        "._engine": ("create_engine", "default_database_url", "sqlite_file"),
        "._failures": ("CatalogBusy", "CatalogUnavailable"),
        ".files": ("Exported", "Imported", "export_catalog", "import_catalog"),
        ".location": ("Location", "default_location"),
        ".migrate": ("upgrade",),
        ".results": (
            "BoardImpact",
            "ConnectorSummary",
            "DefaultVersion",
            "Deletion",
            "Deprecated",
            "Drafted",
            "VersionInfo",
        ),
        ".status": ("Status", "status"),
        ".store": ("Catalog",),
    },
)
"""Each name imported from its module on first use: opening the store does not load the
catalogue files' import and export (and what they check with)."""

__all__ = [
    "BoardImpact",
    "Catalog",
    "CatalogBusy",
    "CatalogUnavailable",
    "ConnectorSummary",
    "DefaultVersion",
    "Deletion",
    "Deprecated",
    "Drafted",
    "Exported",
    "Imported",
    "Location",
    "Status",
    "VersionInfo",
    "create_engine",
    "default_database_url",
    "default_location",
    "export_catalog",
    "import_catalog",
    "sqlite_file",
    "status",
    "upgrade",
]

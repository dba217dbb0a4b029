"""A connector's default version: what ``default`` names, set, followed, moved.

``connectors.default_version`` holds the version set as the default; NULL means ``default``
follows the newest published version (``latest``), and when every published version is
deprecated, the newest of those (said in ``DefaultVersion.warning``). The first version published
becomes the default (``_versions.publish``); later publishes leave it alone, a default following
latest included.

Only a published version that is not deprecated can be set as the default. When the default is
deprecated it moves (``moved_from_deprecated``): to the deprecation's replacement if it names
one (a board pinned to ``default`` before a major version stays on the same line), else back to
following latest. Deleting it makes ``default`` follow latest too (``_versions.delete_version``).
The database's guards (``_guards``) are the backstop: the column names one of the connector's
published or deprecated versions, or is NULL.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from connectory.errors import Conflict

from ._rows import connector_row, default_label, latest_label, version_row
from ._tables import connectors
from .results import DefaultVersion

__all__ = ["describe", "moved_from_deprecated", "set_default"]


def describe(connection: sa.Connection, connector: sa.Row[Any]) -> DefaultVersion:
    """What ``default`` of ``connector`` (its row as it is now) is and names."""
    label = connector.default_version
    resolves_to = default_label(connection, connector)
    warning = None
    if label is None and resolves_to is not None and latest_label(connection, connector.id) is None:
        warning = (
            f"every published version of {connector.name} is deprecated: default names the "
            f"newest of them, {connector.name}@{resolves_to}; publish a new version"
        )
    return DefaultVersion(
        connector=connector.name,
        label=label,
        follows_latest=label is None,
        resolves_to=resolves_to,
        warning=warning,
    )


def set_default(connection: sa.Connection, name: str, label: str | None) -> DefaultVersion:
    """Make ``name@label`` the default (``latest`` resolves first, and the default then stays on
    that version), or with None, let ``default`` follow the newest published version."""
    owner = connector_row(connection, name)
    chosen = None
    if label is not None:
        row = version_row(connection, owner, label, lock="share")
        if row.state != "published":
            hint = (
                "publish it first"
                if row.state == "draft"
                else "its replacement, or a newer version, may be"
            )
            raise Conflict(
                f"{name}@{row.label} is {row.state}: only a published version that is not "
                f"deprecated can be the default ({hint})"
            )
        chosen = row.label
    connection.execute(
        connectors.update().where(connectors.c.id == owner.id).values(default_version=chosen)
    )
    return describe(connection, connector_row(connection, name))


def moved_from_deprecated(
    connection: sa.Connection, connector: sa.Row[Any], label: str, replacement: str | None
) -> bool:
    """Move the default off ``label``, just deprecated, if it was the default: to
    ``replacement`` (a published version), else back to following latest. Whether it moved."""
    moved = connection.execute(
        connectors.update()
        .where(connectors.c.id == connector.id, connectors.c.default_version == label)
        .values(default_version=replacement)
    )
    return moved.rowcount == 1

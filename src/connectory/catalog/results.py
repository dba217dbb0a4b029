"""What the store's methods return besides the domain models: small frozen pydantic records.

They are flat on purpose, so that ``pandas.DataFrame([r.model_dump() for r in records])`` is the
whole adapter the vetting notebooks need.
"""

from __future__ import annotations

from datetime import date

from pydantic import AwareDatetime, BaseModel, ConfigDict

from connectory.model.version import Change, Connector, ConnectorVersion, VersionState

__all__ = [
    "BoardImpact",
    "ConnectorSummary",
    "DefaultVersion",
    "Deletion",
    "Deprecated",
    "Drafted",
    "Published",
    "VersionInfo",
]


class _Result(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Drafted(_Result):
    """The outcome of ``Catalog.draft``: the stored version, and whether it is new.

    ``created`` is False when a version with the same sha256 already existed: nothing was written
    and ``version`` is that existing one (whatever its state).
    """

    version: ConnectorVersion
    created: bool


class ConnectorSummary(Connector):
    """A connector with a summary of its versions."""

    version_count: int
    latest_published: str | None = None
    """The label ``latest`` resolves to (the newest published version), if any."""
    newest: str | None = None
    """The label of the most recently created version, whatever its state."""


class VersionInfo(_Result):
    """A version without its content: what ``list_versions`` shows."""

    connector: str
    label: str
    state: VersionState
    document_version: str | None
    sha256: str
    source: str
    created_at: AwareDatetime
    published_at: AwareDatetime | None
    sunset: date | None
    replacement: str | None
    deprecated_at: AwareDatetime | None = None
    """When it was deprecated (None: not deprecated, or deprecated before this was kept)."""
    action_count: int
    trigger_count: int
    definition_count: int
    finding_count: int


class BoardImpact(_Result):
    """A board that uses a given version (the blast radius of deleting it)."""

    board: str
    deployed: bool
    via: list[str]
    """How the board names the version: the label itself, ``latest`` or ``default``."""
    actions: list[str]
    """The actions it uses; empty means every action."""


class Deletion(_Result):
    """The outcome of ``Catalog.delete_version``."""

    connector: str
    label: str
    state: VersionState
    """The state the version was in when it was deleted."""
    boards_undeployed: list[str]


class Published(_Result):
    """The outcome of ``Catalog.publish``: the version, what changed since the one it follows, and
    the boards that follow ``latest`` and use an action that changed (they get it next: the
    changes from the latest version before it, which a backport does not follow)."""

    version: ConnectorVersion
    baseline: str | None
    """The label of the version it was compared with (None: the first, or not comparable)."""
    checked: bool
    """False when the protocol cannot be diffed: nothing was compared."""
    affected_boards: list[BoardImpact] = []

    @property
    def changes(self) -> list[Change]:
        return self.version.changes


class DefaultVersion(_Result):
    """What a connector's ``default`` names: a version set as the default, or the versions it
    follows (``Catalog.default``, ``Catalog.set_default``)."""

    connector: str
    label: str | None
    """The version set as the default; None: ``default`` follows the newest published version."""
    follows_latest: bool
    resolves_to: str | None
    """The label ``default`` names now (None: nothing is published)."""
    warning: str | None = None
    """Set when ``default`` follows latest and every published version is deprecated: it names
    the newest of them."""


class Deprecated(_Result):
    """The outcome of ``Catalog.deprecate``: the deprecation, and the default afterwards (when the
    version deprecated was the default, it moved: to the replacement, else back to following the
    newest published version)."""

    connector: str
    label: str
    deprecated_at: AwareDatetime | None
    """None only for a deprecation imported from a file that does not say when."""
    sunset: date | None
    """None only for a deprecation imported from a file kept before a sunset was required."""
    replacement: str | None
    default: DefaultVersion
    default_moved: bool
    """The version was the connector's default: ``default`` names another one now."""

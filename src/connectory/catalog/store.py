"""``Catalog``: the catalogue store's public face, one method per operation.

Each method is one transaction on the engine: a write starts with ``BEGIN IMMEDIATE`` on SQLite
and runs at READ COMMITTED on PostgreSQL; a read is a read-only snapshot (see ``_engine``). The
work itself lives in ``_versions``, ``_boards``, ``_vettings`` and ``_deliveries`` (functions of a
connection); this class opens the transaction, supplies the clock, and translates database errors
(``_failures``), so that callers only ever see ``connectory.errors`` exceptions, never
SQLAlchemy's or a driver's.

Published and deprecated versions are immutable; the store refuses to change them, and the
database refuses too (``_guards``), whatever the client.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, date, datetime
from types import TracebackType
from typing import Self, TypeVar

import sqlalchemy as sa

from connectory.errors import CatalogError, Conflict, InputError
from connectory.model.auth import AuthMethod
from connectory.model.delivery import Delivery
from connectory.model.version import Board, Change, Connector, ConnectorVersion, Trigger, Vetting

from . import _boards as board_ops
from . import _defaults as default_ops
from . import _deliveries as delivery_ops
from . import _versions as version_ops
from . import _vettings as vetting_ops
from ._engine import (
    create_engine,
    default_database_url,
    prepare_engine,
    read_only,
    redacted_url,
    shared_engine,
)
from ._failures import raising_catalog_errors
from ._rows import (
    connector_model,
    connector_row,
    load_trigger,
    load_version,
    resolve_label,
    version_row,
)
from ._tables import CHILD_TABLES, connectors, versions
from .migrate import upgrade
from .results import (
    BoardImpact,
    ConnectorSummary,
    DefaultVersion,
    Deletion,
    Deprecated,
    Drafted,
    Published,
    VersionInfo,
)

__all__ = ["Catalog"]

T = TypeVar("T")


def _alembic_failed(error: BaseException) -> bool:
    """Whether ``error`` is Alembic's refusal to migrate (an unknown revision...): Alembic is
    imported only once something has gone wrong, a catalogue at head does not load it."""
    if "alembic" not in sys.modules:
        return False
    from alembic.util import CommandError

    return isinstance(error, CommandError)


def _now() -> datetime:
    return datetime.now(UTC)


class Catalog:
    """The catalogue of connectors, their versions and the boards that use them."""

    def __init__(self, engine: sa.Engine, *, require_approval: bool = False) -> None:
        prepare_engine(engine)
        self.engine = engine
        self.require_approval = require_approval
        """Whether ``publish`` demands that the version's latest vetting approves it."""
        self.url = redacted_url(engine.url)
        self._password = engine.url.password if isinstance(engine.url.password, str) else None
        self._owns_engine = True

    @staticmethod
    def _approval(require_approval: bool | None) -> bool:
        if require_approval is None:
            flag = os.environ.get("CONNECTORY_REQUIRE_APPROVAL", "")
            return flag.strip().lower() in ("1", "true", "yes")
        return require_approval

    @classmethod
    def open(
        cls, url: str | None = None, *, migrate: bool = True, require_approval: bool | None = None
    ) -> Catalog:
        """Open the catalogue at ``url`` (default: ``default_database_url()``), migrated to head.

        ``require_approval`` defaults to the environment variable ``CONNECTORY_REQUIRE_APPROVAL``
        (``1``, ``true`` or ``yes``).
        """
        url = url or default_database_url()
        with raising_catalog_errors(redacted_url(url)):
            engine = create_engine(url)
        catalog = cls(engine, require_approval=cls._approval(require_approval))
        if migrate:
            try:
                catalog._migrate()
            except BaseException:
                engine.dispose()
                raise
        return catalog

    @classmethod
    def shared(cls, url: str, *, require_approval: bool | None = None) -> Catalog:
        """The catalogue at ``url`` on this process's shared engine (``_engine.shared_engine``:
        a bounded pool, made once per process and URL), migrated to head the first time this
        process opens it. ``close`` leaves the engine to the next caller."""
        with raising_catalog_errors(redacted_url(url)):
            engine, lock, migrated = shared_engine(url)
        catalog = cls(engine, require_approval=cls._approval(require_approval))
        catalog._owns_engine = False
        if not migrated[0]:
            with lock:
                if not migrated[0]:
                    catalog._migrate()
                    migrated[0] = True
        return catalog

    def _migrate(self) -> None:
        try:
            with self._raising_catalog_errors():
                upgrade(self.engine)
        except BaseException as error:
            if _alembic_failed(error):
                raise CatalogError(f"cannot migrate the catalogue {self.url}: {error}") from error
            raise

    def close(self) -> None:
        if self._owns_engine:
            self.engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Catalog({self.url!r})"

    # -- plumbing ---------------------------------------------------------------------------------

    def _raising_catalog_errors(self, subject: str | None = None) -> AbstractContextManager[None]:
        return raising_catalog_errors(self.url, subject=subject, secret=self._password)

    @contextmanager
    def _write(self, subject: str | None = None) -> Iterator[sa.Connection]:
        with self._raising_catalog_errors(subject), self.engine.begin() as connection:
            yield connection

    @contextmanager
    def _read(self, subject: str | None = None) -> Iterator[sa.Connection]:
        with self._raising_catalog_errors(subject), read_only(self.engine) as connection:
            yield connection

    def transaction(self, subject: str | None = None) -> AbstractContextManager[sa.Connection]:
        """One write transaction, for the store's own modules that write several things at once
        (``files.import_catalog``): errors are translated as every method's are."""
        return self._write(subject)

    def _read_with(self, subject: str, work: Callable[[sa.Connection], T]) -> T:
        with self._read(subject) as connection:
            return work(connection)

    # -- connectors and versions ------------------------------------------------------------------

    def draft(self, version: ConnectorVersion, *, label: str | None = None) -> Drafted:
        """Store ``version`` as a draft, unless one with its sha256 exists (then nothing is written).

        The label is ``label``, else ``version.version``, else derived (see ``labels``). The
        connector is created on its first version.
        """
        try:
            with self._write(version.ref) as connection:
                return version_ops.draft(connection, version, label, _now())
        except Conflict as conflict:
            if not isinstance(conflict.__cause__, sa.exc.IntegrityError):
                raise
            # Lost a race on a unique index: if the winner stored the same document, that is ours.
            existing = self.find_by_sha256(version.connector, version.sha256)
            if existing is None:
                raise
            return Drafted(version=existing, created=False)

    def find_by_sha256(self, connector: str, sha256: str) -> ConnectorVersion | None:
        """The version of ``connector`` drafted from the document with this sha256, if any."""
        with self._read(connector) as connection:
            row = connection.execute(sa.select(connectors).where(connectors.c.name == connector))
            found = row.first()
            if found is None:
                return None
            return version_ops.find_by_sha256(connection, found.id, connector, sha256)

    def list_connectors(self) -> list[ConnectorSummary]:
        with self._read() as connection:
            rows = connection.execute(sa.select(connectors).order_by(connectors.c.name)).all()
            version_rows = connection.execute(
                sa.select(
                    versions.c.connector_id,
                    versions.c.label,
                    versions.c.state,
                    versions.c.created_at,
                    versions.c.published_at,
                    versions.c.id,
                )
            ).all()
        summaries = []
        for row in rows:
            mine = [v for v in version_rows if v.connector_id == row.id]
            published = [v for v in mine if v.state == "published"]
            latest = max(published, key=lambda v: (v.published_at, v.id), default=None)
            newest = max(mine, key=lambda v: (v.created_at, v.id), default=None)
            summaries.append(
                ConnectorSummary(
                    **connector_model(row).model_dump(),
                    version_count=len(mine),
                    latest_published=latest.label if latest else None,
                    newest=newest.label if newest else None,
                )
            )
        return summaries

    def get_connector(self, name: str) -> Connector:
        return self._read_with(name, lambda c: connector_model(connector_row(c, name)))

    def list_versions(self, connector: str) -> list[VersionInfo]:
        """Every version of ``connector``, oldest first, without content."""
        with self._read(connector) as connection:
            owner = connector_row(connection, connector)
            rows = connection.execute(
                sa.select(versions)
                .where(versions.c.connector_id == owner.id)
                .order_by(versions.c.id)
            ).all()
            counts: dict[str, dict[int, int]] = {}
            for name, table in CHILD_TABLES.items():
                query = (
                    sa.select(table.c.version_id, sa.func.count())
                    .join(versions, versions.c.id == table.c.version_id)
                    .where(versions.c.connector_id == owner.id)
                    .group_by(table.c.version_id)
                )
                counts[name] = {vid: n for vid, n in connection.execute(query)}
        return [
            VersionInfo(
                connector=connector,
                label=row.label,
                state=row.state,
                document_version=row.document_version,
                sha256=row.sha256,
                source=row.source,
                created_at=row.created_at,
                published_at=row.published_at,
                sunset=row.sunset,
                replacement=row.replacement,
                deprecated_at=row.deprecated_at,
                action_count=counts["actions"].get(row.id, 0),
                trigger_count=counts["triggers"].get(row.id, 0),
                definition_count=counts["definitions"].get(row.id, 0),
                finding_count=counts["findings"].get(row.id, 0),
            )
            for row in rows
        ]

    def resolve(self, connector: str, label: str) -> str:
        """The stored label ``label`` names: ``latest`` is the newest published version,
        ``default`` the connector's default version (``Catalog.default``); others name
        themselves."""
        return self._read_with(
            f"{connector}@{label}",
            lambda c: resolve_label(c, connector_row(c, connector), label),
        )

    def get_version(self, connector: str, label: str = "latest") -> ConnectorVersion:
        """The full version: what was drafted, with its label, state and timestamps."""
        with self._read(f"{connector}@{label}") as connection:
            row = version_row(connection, connector_row(connection, connector), label)
            return load_version(connection, connector, row)

    def get_trigger(self, connector: str, label: str, name: str) -> Trigger:
        """One trigger of ``connector@label``, read alone: a webhook is found without loading
        the whole version (``NotFound`` lists the version's triggers)."""
        with self._read(f"{connector}@{label}") as connection:
            row = version_row(connection, connector_row(connection, connector), label)
            return load_trigger(connection, f"{connector}@{row.label}", row.id, name)

    def update_draft(self, version: ConnectorVersion) -> ConnectorVersion:
        """Replace the content of the draft ``version.connector@version.version``."""
        with self._write(version.ref) as connection:
            return version_ops.update_draft(connection, version)

    def add_auth_method(
        self,
        connector: str,
        label: str,
        method: AuthMethod,
        *,
        actions: list[str] | None = None,
        required: bool = True,
        together: bool = False,
    ) -> ConnectorVersion:
        """Add ``method`` to the draft ``connector@label`` and return the draft as stored.

        Required by ``actions`` (default: every action and the version's ``default_auth``) as
        ``connectory.model.add_auth.with_auth_method`` says: where nothing was needed it becomes
        needed (``required=False``: only used when its credentials are given), where
        alternatives exist it is one more (``together``: added to each of them). The draft's
        ``content_sha256`` changes, so a vetting of its old content no longer approves it.
        ``ImmutableVersion`` for a published or deprecated version; ``Conflict`` when it has a
        method of that name; ``NotFound`` for an unknown connector, version or action."""
        with self._write(f"{connector}@{label}") as connection:
            return version_ops.add_auth_method(
                connection,
                connector,
                label,
                method,
                actions=actions,
                required=required,
                together=together,
            )

    def publish(
        self,
        connector: str,
        label: str,
        *,
        allow_breaking: bool = False,
        content_sha256: str | None = None,
    ) -> Published:
        """Publish a draft under the whole policy, in one transaction: the only way to publish.

        The draft is compared with the version it follows (``policy``); breaking changes need a
        major version bump for semver labels, ``allow_breaking`` for others (else
        ``PublishRefused``). With ``require_approval``, its latest vetting must approve the very
        content stored (its ``content_sha256``; else ``Conflict``). The changes are recorded on
        the published version; the result also names the boards following ``latest`` that use a
        changed action. Of concurrent publishers of one draft exactly one succeeds; the others
        get ``Conflict``. Publishes of different drafts of one connector run one at a time, each
        compared with what the others published. The first published version becomes the
        connector's default.

        ``content_sha256``: the hash of the content its caller reviewed (a vetting's ``sha256``):
        a draft that holds other content by now is not published (``Conflict``)."""
        with self._write(f"{connector}@{label}") as connection:
            return version_ops.publish(
                connection,
                connector,
                label,
                _now(),
                require_approval=self.require_approval,
                allow_breaking=allow_breaking,
                reviewed=content_sha256,
            )

    def check_publish(
        self, connector: str, label: str, *, allow_breaking: bool = False
    ) -> list[Change]:
        """The changes ``publish`` would record on the draft, breaking first; ``PublishRefused``
        when it would refuse them. Nothing is written."""
        with self._read(f"{connector}@{label}") as connection:
            return version_ops.check_publish(
                connection, connector, label, allow_breaking=allow_breaking
            )

    def deprecate(
        self,
        connector: str,
        label: str,
        *,
        sunset: date,
        replacement: str | None = None,
    ) -> Deprecated:
        """Mark a published version deprecated: it keeps working until ``sunset`` (today or
        later, else ``InputError``); ``latest`` skips it. Returns the deprecation, not the version.

        ``replacement`` must name another published version of the same connector (``latest``
        and ``default`` resolve to their label); else ``NotFound`` or ``Conflict``. When the
        version was the default, the default moves to the replacement, else back to following
        the newest published version (``Deprecated.default``)."""
        now = _now()
        if sunset < now.date():
            raise InputError(
                f"{sunset.isoformat()} is in the past (today is "
                f"{now.date().isoformat()}, UTC): a deprecated version keeps working until its "
                "sunset; give today or a later date",
                location="sunset",
            )
        with self._write(f"{connector}@{label}") as connection:
            return version_ops.deprecate(connection, connector, label, sunset, replacement, now)

    def default(self, connector: str) -> DefaultVersion:
        """What ``default`` of ``connector`` is: the version set as the default, or following the
        newest published version, and what it names now (see ``DefaultVersion``)."""
        return self._read_with(
            connector, lambda c: default_ops.describe(c, connector_row(c, connector))
        )

    def set_default(self, connector: str, label: str | None) -> DefaultVersion:
        """Make ``connector@label`` what ``default`` names (``latest`` resolves now: the default
        stays on that version); with None, ``default`` follows the newest published version
        again. Only a published version that is not deprecated can be the default (else
        ``Conflict``)."""
        with self._write(f"{connector}@{label or 'default'}") as connection:
            return default_ops.set_default(connection, connector, label)

    def blast_radius(self, connector: str, label: str) -> list[BoardImpact]:
        """The boards that use ``connector@label`` (what deleting it would affect)."""
        with self._read(f"{connector}@{label}") as connection:
            owner = connector_row(connection, connector)
            row = version_row(connection, owner, label)
            return board_ops.blast_radius(connection, owner, row.label)

    def delete_version(
        self, connector: str, label: str, *, confirm: bool = False, reason: str | None = None
    ) -> Deletion:
        """Delete a version. A draft goes at once. A published or deprecated one needs
        ``confirm=True`` (else ``ConfirmationRequired``, whose ``details`` is the blast radius);
        then, in one transaction, the deletion is recorded in ``version_deletions``, the deployed
        boards using it are undeployed (the reason names the version), and it is deleted."""
        with self._write(f"{connector}@{label}") as connection:
            return version_ops.delete_version(
                connection, connector, label, confirm=confirm, reason=reason, now=_now()
            )

    # -- boards -----------------------------------------------------------------------------------

    def create_board(self, board: Board) -> Board:
        """Store a new, undeployed board; every use must name an existing connector, a version
        that resolves, and actions of that version."""
        with self._write(f"board {board.name}") as connection:
            board_ops.create_board(connection, board, _now())
            return board_ops.load_board(connection, board.name)

    def get_board(self, name: str) -> Board:
        return self._read_with(f"board {name}", lambda c: board_ops.load_board(c, name))

    def list_boards(self) -> list[Board]:
        return self._read_with("boards", board_ops.load_boards)

    def deploy_board(self, name: str) -> Board:
        """Resolve every use to a published version and mark the board deployed."""
        with self._write(f"board {name}") as connection:
            board_ops.deploy_board(connection, name, _now())
            return board_ops.load_board(connection, name)

    def undeploy_board(self, name: str, *, reason: str | None = None) -> Board:
        with self._write(f"board {name}") as connection:
            board_ops.undeploy_board(connection, name, reason)
            return board_ops.load_board(connection, name)

    def delete_board(self, name: str) -> None:
        with self._write(f"board {name}") as connection:
            board_ops.delete_board(connection, name)

    # -- vetting ----------------------------------------------------------------------------------

    def record_vetting(self, vetting: Vetting) -> Vetting:
        """Record a verdict on a version (``latest``/``default`` resolve); vettings are never edited.

        The connector's ``vetting_status`` becomes the verdict.
        """
        with self._write(f"{vetting.connector}@{vetting.version}") as connection:
            return vetting_ops.record(connection, vetting, _now())

    def list_vettings(
        self, connector: str | None = None, label: str | None = None
    ) -> list[Vetting]:
        """Vetting records, newest first: all, or of one connector (and one version label)."""
        with self._read(connector) as connection:
            if connector is not None and label is not None:
                label = resolve_label(connection, connector_row(connection, connector), label)
            return vetting_ops.list_vettings(connection, connector, label)

    # -- trigger deliveries -----------------------------------------------------------------------

    def record_delivery(self, delivery: Delivery) -> delivery_ops.Recorded:
        """Keep a delivery received for a trigger (``connectory.runtime.deliveries.receive``), unless one
        with the same ``signature_sha256`` was kept before: then nothing is written and that one
        is returned (``created`` False). A payload nested too deep is refused (``DocumentError``)."""
        try:
            with self._write(f"{delivery.connector}@{delivery.version}") as connection:
                return delivery_ops.record(connection, delivery, _now())
        except Conflict as conflict:
            # Lost a race on the unique signature: the winner kept this very delivery.
            if delivery.signature_sha256 is None or not isinstance(
                conflict.__cause__, sa.exc.IntegrityError
            ):
                raise
            with self._read(delivery.connector) as connection:
                kept = delivery_ops.find_signature(connection, delivery.signature_sha256)
            if kept is None:
                raise
            return delivery_ops.Recorded(delivery=kept, created=False)

    def list_deliveries(
        self, connector: str, *, trigger: str | None = None, limit: int = 100
    ) -> list[Delivery]:
        """The deliveries received for ``connector`` (one trigger's), newest first: at most
        ``limit``, from 1 to 1000 (else ``InputError``). A row that cannot be shown as stored is
        listed with a problem saying why, never failing the listing."""
        with self._read(connector) as connection:
            return delivery_ops.list_deliveries(connection, connector, trigger, limit)

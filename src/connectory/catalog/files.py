"""The catalogue as reviewable files: export from a store, import into one.

The vetted catalogue that ships with the project lives in ``catalog/`` at the repository root,
one folder per connector and one file per published version::

    catalog/<connector>/connector.json      title, protocol, description, tags, default version
    catalog/<connector>/<label>.json        the published version and the vettings of it

Files are JSON with two-space indents, keys in the model's order, one trailing newline: exporting
the same store twice writes the same bytes, so a review sees exactly what changed (a new version
is a new file). Drafts are not exported; deprecated versions are, with their sunset.

``import_catalog`` reads every file first and checks it (size, JSON, the model, the folder and file
names against the content, the version's ``content_sha256`` against what the file holds, the
vettings against that hash), then writes everything in one transaction: a bad file, or a version
the store cannot take, fails the import with its name and nothing is stored, even if the process
is killed half way. Each version is drafted with its label and its timestamps, its vettings
recorded (so a store that requires approval accepts it), then published through the store's one
publish path (the policy applies: a semver label must announce breaking changes) and, if it was,
deprecated. A version the store already holds with the same document is left as it is; the same
label with another document is a ``Conflict``. The default version a ``connector.json`` names is
taken by a connector that had none; the default of a connector the store holds is left as it is
(moving it moves every board that follows ``default``).
"""

from __future__ import annotations

import json
import os
import stat
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from pydantic import ValidationError

from connectory.documents.decode import parse_json
from connectory.errors import Conflict, DocumentError, InputError, InvalidName
from connectory.model.version import Connector, ConnectorVersion, Vetting, check_label, check_name
from connectory.settings import DEFAULT_SETTINGS, Settings

from . import _versions as version_ops
from . import _vettings as vetting_ops
from ._tables import connectors, versions
from .digest import content_sha256
from .store import Catalog

__all__ = ["ENTRY_FORMAT", "Exported", "Imported", "export_catalog", "import_catalog"]

ENTRY_FORMAT = "connectory.catalogue-entry/1"
CONNECTOR_FORMAT = "connectory.connector/1"
_CONNECTOR_FILE = "connector.json"
_CONNECTOR_FIELDS = ("name", "title", "protocol", "description", "tags", "default_version")


@dataclass
class Exported:
    """What ``export_catalog`` did: files written (new or changed) and files already up to date."""

    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)


@dataclass
class Imported:
    """What ``import_catalog`` did, as ``connector@label`` references."""

    published: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def _dumps(data: Any) -> bytes:
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode()


_FILE_MODE = 0o644
"""Exported files are read by reviewers and committed: readable by all, like any source file."""


def _write(path: Path, content: bytes, report: Exported) -> None:
    """Write ``content`` to ``path`` atomically, unless it holds exactly that already."""
    if path.is_file() and path.read_bytes() == content:
        report.unchanged.append(path)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
            os.fchmod(out.fileno(), _FILE_MODE)  # mkstemp makes 0600: these are for review
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    report.written.append(path)


def export_catalog(
    catalog: Catalog, folder: str | Path, *, connectors: list[str] | None = None
) -> Exported:
    """Write the published versions of ``connectors`` (default: all) under ``folder``."""
    folder, report = Path(folder), Exported()
    names = connectors or [summary.name for summary in catalog.list_connectors()]
    for name in names:
        connector = catalog.get_connector(name)
        published = [info.label for info in catalog.list_versions(name) if info.state != "draft"]
        if not published:
            continue
        entry = {"format": CONNECTOR_FORMAT, **connector.model_dump(mode="json")}
        kept = {key: entry[key] for key in ("format", *_CONNECTOR_FIELDS)}
        _write(folder / name / _CONNECTOR_FILE, _dumps(kept), report)
        for label in published:
            version = catalog.get_version(name, label)
            vettings = [
                vetting.model_dump(mode="json")
                for vetting in reversed(catalog.list_vettings(name, label))
                if vetting.sha256 == version.content_sha256
            ]
            data = {
                "format": ENTRY_FORMAT,
                "version": version.model_dump(mode="json"),
                "vettings": vettings,
            }
            _write(folder / name / f"{label}.json", _dumps(data), report)
    return report


# -- import -----------------------------------------------------------------------------------------


@dataclass
class _Entry:
    path: Path
    version: ConnectorVersion
    vettings: list[Vetting]


_Plan = list[tuple[Connector, list[_Entry]]]


_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
"""Open without waiting (a named pipe would block) and without following a link put in place of
the file after its path was checked."""


def _bytes(real: Path, path: Path, cap: int) -> bytes:
    """The bytes of the regular file ``real`` (``path`` as named), at most ``cap``."""
    too_large = "larger than the cap of {cap:,} (CONNECTORY_MAX_DOCUMENT_BYTES)"
    try:
        descriptor = os.open(real, _OPEN_FLAGS)
    except OSError as error:
        raise DocumentError(f"cannot be read: {error.strerror}", location=str(path)) from None
    try:
        found = os.fstat(descriptor)
        if not stat.S_ISREG(found.st_mode):
            raise DocumentError("not a regular file", location=str(path))
        if found.st_size > cap:
            message = f"{found.st_size:,} bytes: " + too_large.format(cap=cap)
            raise DocumentError(message, location=str(path))
        chunks, seen = [], 0
        while seen <= cap and (chunk := os.read(descriptor, min(1 << 20, cap + 1 - seen))):
            chunks.append(chunk)
            seen += len(chunk)
    finally:
        os.close(descriptor)
    if seen > cap:  # it grew since
        raise DocumentError(too_large.format(cap=cap), location=str(path))
    return b"".join(chunks)


def _read(path: Path, folder: Path, settings: Settings) -> Any:
    real = path.resolve()
    if not real.is_relative_to(folder.resolve()):
        raise InputError(f"leads out of the catalogue folder {folder}", location=str(path))
    try:
        text = _bytes(real, path, settings.max_document_bytes).decode("utf-8")
    except UnicodeDecodeError as error:
        raise DocumentError(f"not UTF-8: {error.reason}", location=str(path)) from None
    data = parse_json(text, str(path))
    if not isinstance(data, dict):
        raise DocumentError("a catalogue file holds a JSON object", location=str(path))
    return data


def _model(kind: type[Any], data: Any, path: Path, where: str) -> Any:
    try:
        return kind.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        at = "/".join(str(part) for part in (where, *first["loc"]) if part != "")
        raise DocumentError(f"{first['msg']} at /{at}", location=str(path)) from None


def _format(data: dict[str, Any], expected: str, path: Path) -> None:
    if data.get("format") != expected:
        raise DocumentError(
            f"format {data.get('format')!r}: expected {expected!r}", location=str(path)
        )


def _entry(path: Path, folder: Path, connector: str, settings: Settings) -> _Entry:
    data = _read(path, folder, settings)
    _format(data, ENTRY_FORMAT, path)
    version: ConnectorVersion = _model(ConnectorVersion, data.get("version"), path, "version")
    label = path.name.removesuffix(".json")
    if (version.connector, version.version) != (connector, label):
        raise DocumentError(
            f"holds {version.connector}@{version.version}, not {connector}@{label} as its folder "
            "and name say",
            location=str(path),
        )
    if version.state == "draft":
        raise DocumentError("a draft: the catalogue holds published versions", location=str(path))
    digest = content_sha256(version)
    if version.content_sha256 not in (None, digest):
        raise DocumentError(
            f"content_sha256 says {version.content_sha256[:12]}..., but what the file holds "
            f"hashes to {digest[:12]}...: the version was changed after it was published",
            location=str(path),
        )
    version = version.model_copy(update={"content_sha256": digest})
    raw_vettings = data.get("vettings", [])
    if not isinstance(raw_vettings, list):
        raise DocumentError("vettings must be a list", location=str(path))
    vettings = []
    for index, raw in enumerate(raw_vettings):
        vetting: Vetting = _model(Vetting, raw, path, f"vettings/{index}")
        if (vetting.connector, vetting.version, vetting.sha256) != (connector, label, digest):
            raise DocumentError(
                f"vetting {index} is of another version or other content (its sha256 is not the "
                "version's content_sha256)",
                location=str(path),
            )
        vettings.append(vetting)
    return _Entry(path, version, vettings)


def _named(check: Any, name: str, path: Path) -> None:
    try:
        check(name)
    except InvalidName as error:
        raise DocumentError(error.message, location=str(path)) from None


def _entries(folder: Path, settings: Settings) -> Iterator[tuple[Connector, list[_Entry]]]:
    if not folder.is_dir():
        raise InputError(f"no catalogue folder at {folder}")
    for directory in sorted(p for p in folder.iterdir() if p.is_dir()):
        described = directory / _CONNECTOR_FILE
        if not described.is_file():
            continue  # not a connector's folder
        _named(check_name, directory.name, directory)
        data = _read(described, folder, settings)
        _format(data, CONNECTOR_FORMAT, described)
        fields = {key: data.get(key) for key in _CONNECTOR_FIELDS if key in data}
        connector: Connector = _model(Connector, fields, described, "")
        if connector.name != directory.name:
            raise DocumentError(
                f"names connector {connector.name!r}, not {directory.name!r} as its folder says",
                location=str(described),
            )
        files = sorted(p for p in directory.glob("*.json") if p.name != _CONNECTOR_FILE)
        for path in files:
            _named(check_label, path.name.removesuffix(".json"), path)
        entries = [_entry(path, folder, connector.name, settings) for path in files]
        labels = {entry.version.version for entry in entries}
        if connector.default_version is not None and connector.default_version not in labels:
            raise DocumentError(
                f"the default version {connector.default_version} has no file",
                location=str(described),
            )
        yield connector, entries


def _held(connection: sa.Connection, entry: _Entry, require_approval: bool) -> bool:
    """Whether the store holds this very version already; ``Conflict`` if it holds another, or
    if the store requires an approval that the file does not carry."""
    version = entry.version
    owner = connection.execute(
        sa.select(connectors).where(connectors.c.name == version.connector)
    ).first()
    existing = (
        None
        if owner is None
        else version_ops.find_by_sha256(connection, owner.id, version.connector, version.sha256)
    )
    if existing is not None:
        if existing.version == version.version and existing.state != "draft":
            return True
        raise Conflict(
            f"the store holds this document as {existing.ref} ({existing.state}), not as "
            f"a published {version.ref}",
            location=str(entry.path),
        )
    other = (
        None
        if owner is None
        else connection.execute(
            sa.select(versions.c.sha256).where(
                versions.c.connector_id == owner.id, versions.c.label == version.version
            )
        ).first()
    )
    if other is not None:
        raise Conflict(
            f"the store's {version.ref} holds another document (sha256 {other.sha256[:12]}...)",
            location=str(entry.path),
        )
    if require_approval and (not entry.vettings or entry.vettings[-1].verdict != "approved"):
        raise Conflict(
            f"{version.ref} has no approving vetting, and this catalogue requires one to publish",
            location=str(entry.path),
        )
    return False


def _publish(connection: sa.Connection, entry: _Entry, require_approval: bool) -> None:
    """Draft, vet and publish one version as its file says, under the publish policy."""
    version = entry.version
    label = version.version or ""
    draft = version.model_copy(
        update={
            "state": "draft",
            "created_at": None,
            "published_at": None,
            "sunset": None,
            "replacement": None,
        }
    )
    now = datetime.now(UTC)
    version_ops.draft(connection, draft, label, version.created_at or now)
    for vetting in entry.vettings:  # before publishing: a store may require an approval
        vetting_ops.record(connection, vetting, vetting.vetted_at or now)
    # Breaking changes between labels other than semver ones were consented to where the version
    # was first published; semver labels must still announce them.
    version_ops.publish(
        connection,
        version.connector,
        label,
        version.published_at or now,
        require_approval=require_approval,
        allow_breaking=True,
    )


def _import(connection: sa.Connection, plan: _Plan, require_approval: bool) -> Imported:
    report = Imported()
    for connector, entries in plan:
        # The store's default is left alone, as the versions it holds are: the file's (None:
        # following latest) is taken only by a connector without a released version (or new).
        released_before = connection.scalar(
            sa.select(sa.func.count())
            .select_from(versions.join(connectors, connectors.c.id == versions.c.connector_id))
            .where(connectors.c.name == connector.name, versions.c.state != "draft")
        )
        held = [(entry, _held(connection, entry, require_approval)) for entry in entries]
        report.unchanged += [entry.version.ref for entry, was in held if was]
        new = sorted(
            (entry for entry, was in held if not was),
            key=lambda e: (e.version.published_at is None, e.version.published_at, e.path.name),
        )
        for entry in new:
            _publish(connection, entry, require_approval)
        for entry in new:  # once all are in: a replacement may be a later version
            version = entry.version
            if version.state == "deprecated":
                version_ops.deprecate(
                    connection,
                    version.connector,
                    version.version or "",
                    version.sunset,
                    version.replacement,
                    None,  # when is not in the file
                )
        report.published += [entry.version.ref for entry in new]
        if not released_before:
            connection.execute(
                connectors.update()
                .where(connectors.c.name == connector.name)
                .values(default_version=connector.default_version)
            )
    return report


def import_catalog(
    catalog: Catalog, folder: str | Path, *, settings: Settings = DEFAULT_SETTINGS
) -> Imported:
    """Import every connector and published version under ``folder`` (see the module docstring),
    in one transaction: the whole folder, or nothing."""
    folder = Path(folder)
    plan = list(_entries(folder, settings))
    with catalog.transaction(f"import {folder}") as connection:
        return _import(connection, plan, catalog.require_approval)

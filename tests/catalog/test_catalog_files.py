"""The catalogue as files: export is reviewable and stable, import is all or nothing."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from connectory import inspect
from connectory.catalog import Catalog, export_catalog, import_catalog
from connectory.catalog.digest import content_sha256
from connectory.errors import Conflict, ConnectoryError, DocumentError, InputError
from connectory.model.version import ConnectorVersion, Vetting
from connectory.settings import Settings
from tests.support.samples import rich_version, small_version

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "openapi" / "1password-connect.json"
SUNSET = date(2031, 3, 31)


def _vet(catalog: Catalog, connector: str, label: str, verdict: str = "approved") -> None:
    catalog.record_vetting(
        Vetting(connector=connector, version=label, reviewer="ann", verdict=verdict, notes="ok")  # type: ignore[arg-type]
    )


@pytest.fixture
def source(catalog: Catalog) -> Catalog:
    """1Password (a real document) published and vetted twice; acme 1 (deprecated for 2) and 2
    published, 3 a draft; rich 1 published (every kind of thing a version holds)."""
    drafted = catalog.draft(inspect(EXAMPLE, connector="onepassword-connect"))
    label = drafted.version.version or ""
    _vet(catalog, "onepassword-connect", label, "changes_requested")
    _vet(catalog, "onepassword-connect", label)
    catalog.publish("onepassword-connect", label)
    for seed in ("1", "2", "3"):
        catalog.draft(small_version(seed=seed), label=seed)
    catalog.publish("acme", "1")
    catalog.publish("acme", "2")
    catalog.set_default("acme", "2")
    catalog.deprecate("acme", "1", sunset=SUNSET, replacement="2")
    catalog.draft(rich_version(connector="rich"), label="1")
    catalog.publish("rich", "1")
    return catalog


def _content(catalog: Catalog, ref: str) -> dict[str, Any]:
    name, label = ref.split("@")
    dumped = catalog.get_version(name, label).model_dump(mode="json")
    return {k: v for k, v in dumped.items() if k not in ("created_at", "published_at")}


def test_export_writes_one_file_per_published_version(source: Catalog, tmp_path: Path) -> None:
    report = export_catalog(source, tmp_path / "catalog")
    files = sorted(str(p.relative_to(tmp_path / "catalog")) for p in report.written)
    assert files == [
        "acme/1.json",
        "acme/2.json",
        "acme/connector.json",
        "onepassword-connect/1.5.7.json",
        "onepassword-connect/connector.json",
        "rich/1.json",
        "rich/connector.json",
    ]  # acme 3 is a draft
    entry = json.loads((tmp_path / "catalog" / "acme" / "1.json").read_text())
    assert entry["version"]["state"] == "deprecated"
    assert (entry["version"]["sunset"], entry["version"]["replacement"]) == ("2031-03-31", "2")
    vetted = json.loads((tmp_path / "catalog" / "onepassword-connect" / "1.5.7.json").read_text())
    assert [v["verdict"] for v in vetted["vettings"]] == ["changes_requested", "approved"]
    connector = json.loads((tmp_path / "catalog" / "acme" / "connector.json").read_text())
    assert connector["default_version"] == "2"


def test_exported_files_are_readable_by_all(source: Catalog, tmp_path: Path) -> None:
    """They are for review and commit (mkstemp alone would leave them 0600)."""
    export_catalog(source, tmp_path / "catalog")
    files = [f for f in (tmp_path / "catalog").rglob("*") if f.is_file()]
    assert files
    assert {oct(f.stat().st_mode & 0o777) for f in files} == {oct(0o644)}


def test_export_is_stable(source: Catalog, tmp_path: Path) -> None:
    first = export_catalog(source, tmp_path)
    contents = {path: path.read_bytes() for path in first.written}
    again = export_catalog(source, tmp_path)
    assert again.written == []
    assert sorted(again.unchanged) == sorted(first.written)
    assert {path: path.read_bytes() for path in first.written} == contents
    assert all(content.endswith(b"}\n") for content in contents.values())


def test_only_the_connectors_asked_for(source: Catalog, tmp_path: Path) -> None:
    report = export_catalog(source, tmp_path, connectors=["rich"])
    assert {path.parent.name for path in report.written} == {"rich"}


def test_import_restores_every_published_version(
    source: Catalog, tmp_path: Path, sqlite_url: str
) -> None:
    export_catalog(source, tmp_path)
    target_url = sqlite_url.replace(".db", "-target.db")
    for name in ("acme", "rich"):  # a store that requires approval needs one for these too
        for path in (tmp_path / name).glob("[0-9]*.json"):
            _vettings(path)
    with Catalog.open(target_url, require_approval=True) as target:
        report = import_catalog(target, tmp_path)
        assert sorted(report.published) == [
            "acme@1",
            "acme@2",
            "onepassword-connect@1.5.7",
            "rich@1",
        ]
        for ref in report.published:
            assert _content(target, ref) == _content(source, ref)
        assert target.get_connector("acme").default_version == "2"
        verdicts = [v.verdict for v in target.list_vettings("onepassword-connect", "1.5.7")]
        assert verdicts == ["approved", "changes_requested"]  # newest first
        again = import_catalog(target, tmp_path)
        assert (again.published, sorted(again.unchanged)) == ([], sorted(report.published))


def _approval(version: dict[str, Any]) -> dict[str, Any]:
    return {
        "connector": version["connector"],
        "version": version["version"],
        "reviewer": "bob",
        "verdict": "approved",
        # A vetting binds to the version's content, as the store hashes it.
        "sha256": content_sha256(ConnectorVersion.model_validate(version)),
    }


def _connector(folder: Path, name: str = "acme", **fields: Any) -> Path:
    (folder / name).mkdir(parents=True, exist_ok=True)
    data = {"format": "connectory.connector/1", "name": name, "protocol": "http", **fields}
    path = folder / name / "connector.json"
    path.write_text(json.dumps(data))
    return path


def _entry(folder: Path, label: str = "1", name: str = "acme", **changes: Any) -> Path:
    version = small_version(connector=name, seed=label, version=label)
    data: dict[str, Any] = {
        "format": "connectory.catalogue-entry/1",
        "version": {**version.model_dump(mode="json"), "state": "published", **changes},
        "vettings": [],
    }
    path = folder / name / f"{label}.json"
    path.write_text(json.dumps(data))
    return path


def _refused(catalog: Catalog, folder: Path, **kwargs: Any) -> ConnectoryError:
    with pytest.raises(ConnectoryError) as raised:
        import_catalog(catalog, folder, **kwargs)
    assert catalog.list_connectors() == []  # nothing stored, not even the good files
    return raised.value


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (lambda p: p.write_text('{"format": 1,'), "not valid JSON"),
        (lambda p: p.write_text('{"a": 1, "a": 2}'), "duplicate key 'a'"),
        (lambda p: p.write_text('{"format": "other/1"}'), "format 'other/1'"),
        (lambda p: p.write_text("[1]"), "holds a JSON object"),
        (lambda p: p.write_bytes(b'{"x": "\xff"}'), "not UTF-8"),
        (lambda p: _rewrite(p, sha256="nope"), "String should match pattern"),
        (lambda p: _rewrite(p, state="draft"), "a draft"),
        (lambda p: _rewrite(p, version="7"), "holds acme@7, not acme@2"),
        (lambda p: _rewrite(p, connector="other"), "holds other@2, not acme@2"),
        (lambda p: _vettings(p, sha256="0" * 64), "vetting 0 is of another version"),
    ],
)
def test_a_bad_file_is_named_and_nothing_is_imported(
    catalog: Catalog, tmp_path: Path, spoil: Any, message: str
) -> None:
    _connector(tmp_path)
    _entry(tmp_path, "1")
    bad = _entry(tmp_path, "2")
    spoil(bad)
    error = _refused(catalog, tmp_path)
    assert message in error.message
    assert error.location is not None
    assert error.location.startswith(str(bad))


def _rewrite(path: Path, **changes: Any) -> None:
    data = json.loads(path.read_text())
    data["version"].update(changes)
    path.write_text(json.dumps(data))


def _vettings(path: Path, **changes: Any) -> None:
    data = json.loads(path.read_text())
    data["vettings"] = [{**_approval(data["version"]), **changes}]
    path.write_text(json.dumps(data))


def test_a_reserved_label_as_a_file_name(catalog: Catalog, tmp_path: Path) -> None:
    _connector(tmp_path)
    reserved = tmp_path / "acme" / "latest.json"
    reserved.write_text("{}")
    error = _refused(catalog, tmp_path)
    assert "reserved label" in error.message
    assert error.location == str(reserved)


def test_a_default_version_without_its_file(catalog: Catalog, tmp_path: Path) -> None:
    described = _connector(tmp_path, default_version="9")
    _entry(tmp_path, "1")
    error = _refused(catalog, tmp_path)
    assert (error.message, error.location) == ("the default version 9 has no file", str(described))


def test_a_connector_file_naming_another_connector(catalog: Catalog, tmp_path: Path) -> None:
    described = _connector(tmp_path)
    described.write_text(json.dumps({**json.loads(described.read_text()), "name": "zeta"}))
    assert "names connector 'zeta', not 'acme'" in _refused(catalog, tmp_path).message


def test_a_file_that_leads_out_of_the_folder_is_not_read(catalog: Catalog, tmp_path: Path) -> None:
    folder, elsewhere = tmp_path / "catalog", tmp_path / "elsewhere"
    _connector(folder)
    (elsewhere / "acme").mkdir(parents=True)
    os.symlink(_entry(elsewhere, "1"), folder / "acme" / "1.json")
    error = _refused(catalog, folder)
    assert isinstance(error, InputError)
    assert "leads out of the catalogue folder" in error.message


def test_a_file_above_the_size_cap_is_not_read(catalog: Catalog, tmp_path: Path) -> None:
    _connector(tmp_path)
    big = _entry(tmp_path, "1")
    error = _refused(catalog, tmp_path, settings=Settings(max_document_bytes=100))
    assert isinstance(error, DocumentError)
    assert "larger than the cap of 100" in error.message
    assert error.location == str(big)


def test_the_store_holding_another_document_under_a_label_is_a_conflict(
    catalog: Catalog, tmp_path: Path
) -> None:
    _connector(tmp_path, "acme")
    _entry(tmp_path, "1", "acme")
    _connector(tmp_path, "zeta")
    clash = _entry(tmp_path, "1", "zeta")
    catalog.draft(small_version(connector="zeta", seed="other"), label="1")
    with pytest.raises(Conflict, match=r"the store's zeta@1 holds another document") as raised:
        import_catalog(catalog, tmp_path)
    assert raised.value.location == str(clash)
    assert [c.name for c in catalog.list_connectors()] == ["zeta"]  # acme was not imported


def test_a_store_that_requires_approval_refuses_unvetted_files(
    catalog: Catalog, tmp_path: Path
) -> None:
    _connector(tmp_path)
    _vettings(_entry(tmp_path, "1"))
    unvetted = _entry(tmp_path, "2")
    catalog.require_approval = True
    error = _refused(catalog, tmp_path)
    assert isinstance(error, Conflict)
    assert "acme@2 has no approving vetting" in error.message
    assert error.location == str(unvetted)


def test_a_missing_folder(catalog: Catalog, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no catalogue folder"):
        import_catalog(catalog, tmp_path / "nowhere")

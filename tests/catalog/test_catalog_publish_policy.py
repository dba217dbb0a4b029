"""The publish policy (``connectory.vetting.publishing``) on a real catalogue, with versions of a real
document (1Password Connect) edited as new releases would be: breaking changes need a major
semver bump, or consent for other labels; the published version carries its change report."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from connectory import inspect
from connectory.catalog import Catalog
from connectory.errors import Conflict, PublishRefused
from connectory.model.version import ConnectorVersion
from connectory.vetting.publishing import check_publish, predecessor, publish
from tests.support.diff_documents import onepassword, version_of, write
from tests.support.samples import sha


def _release(tmp_path: Path, name: str, edit: Any = None) -> ConnectorVersion:
    document = copy.deepcopy(json.loads(onepassword().read_text()))
    if edit is not None:
        edit(document)
    return version_of(write(tmp_path / f"{name}.json", document)).model_copy(
        update={"connector": "op"}
    )


def _without_heartbeat(document: dict[str, Any]) -> None:
    del document["paths"]["/heartbeat"]


def _with_ping(document: dict[str, Any]) -> None:
    document["paths"]["/ping"] = {
        "get": {"operationId": "Ping", "responses": {"200": {"description": "ok"}}}
    }


@pytest.fixture
def original(tmp_path: Path) -> ConnectorVersion:
    return _release(tmp_path, "original")


@pytest.fixture
def breaking(tmp_path: Path) -> ConnectorVersion:
    return _release(tmp_path, "breaking", _without_heartbeat)


@pytest.fixture
def additive(tmp_path: Path) -> ConnectorVersion:
    return _release(tmp_path, "additive", _with_ping)


def test_semver_labels_need_a_major_bump_for_breaking_changes(
    catalog: Catalog, original: ConnectorVersion, breaking: ConnectorVersion
) -> None:
    catalog.draft(original, label="1.5.7")
    first = publish(catalog, "op", "1.5.7")
    assert (first.baseline, first.checked, first.changes) == (None, True, [])

    catalog.draft(breaking, label="1.6.0")
    for allow in (False, True):  # consent does not make a semver label tell the truth
        with pytest.raises(PublishRefused, match=r"draft it as op@2\.0\.0") as refused:
            check_publish(catalog, "op", "1.6.0", allow_breaking=allow)
        assert refused.value.suggested_label == "2.0.0"
        assert refused.value.baseline == "1.5.7"
        assert [(c.kind, c.location) for c in refused.value.changes] == [
            ("action-removed", "actions/GetHeartbeat")
        ]
    with pytest.raises(PublishRefused):
        publish(catalog, "op", "1.6.0", allow_breaking=True)
    assert catalog.get_version("op", "1.6.0").state == "draft"  # nothing happened

    catalog.delete_version("op", "1.6.0")
    catalog.draft(breaking, label="2.0.0")
    second = publish(catalog, "op", "2.0.0")

    assert second.baseline == "1.5.7"
    stored = catalog.get_version("op", "2.0.0")
    assert stored.state == "published"
    assert [(c.kind, c.level) for c in stored.changes] == [("action-removed", "breaking")]
    assert stored.changes == second.changes


def test_additive_changes_need_no_major_bump(
    catalog: Catalog, original: ConnectorVersion, additive: ConnectorVersion
) -> None:
    catalog.draft(original, label="1.5.7")
    publish(catalog, "op", "1.5.7")
    catalog.draft(additive, label="1.5.8")
    published = publish(catalog, "op", "1.5.8")
    assert [(c.kind, c.level) for c in published.changes] == [("action-added", "safe")]


def test_other_labels_need_consent_for_breaking_changes(
    catalog: Catalog, original: ConnectorVersion, breaking: ConnectorVersion
) -> None:
    catalog.draft(original, label="2023-01")
    publish(catalog, "op", "2023-01")
    catalog.draft(breaking, label="2023-02")
    with pytest.raises(PublishRefused, match="--allow-breaking") as refused:
        publish(catalog, "op", "2023-02")
    assert refused.value.suggested_label is None
    published = publish(catalog, "op", "2023-02", allow_breaking=True)
    assert published.baseline == "2023-01"
    assert catalog.get_version("op", "2023-02").changes[0].kind == "action-removed"


def test_the_predecessor(catalog: Catalog, tmp_path: Path) -> None:
    def release(label: str, seed: str) -> None:
        version = _release(tmp_path, seed).model_copy(update={"sha256": sha(seed)})
        catalog.draft(version, label=label)

    release("1.0.0", "a")
    release("2.0.0", "b")
    catalog.publish("op", "1.0.0")
    catalog.publish("op", "2.0.0")
    release("1.0.1", "c")
    release("2.0.0+c0ffee00", "d")
    release("nightly", "e")

    assert predecessor(catalog, "op", "1.0.1") == "1.0.0"  # a backport follows its own line
    assert predecessor(catalog, "op", "2.0.0+c0ffee00") == "2.0.0"
    assert predecessor(catalog, "op", "3.0.0") == "2.0.0"
    assert predecessor(catalog, "op", "0.9.0") == "2.0.0"  # nothing below: the newest published
    assert predecessor(catalog, "op", "nightly") == "2.0.0"
    catalog.deprecate("op", "2.0.0", sunset=date(2031, 1, 1))
    assert predecessor(catalog, "op", "nightly") == "2.0.0"  # deprecated versions count


def test_the_same_semver_with_other_content_cannot_break(
    catalog: Catalog, original: ConnectorVersion, breaking: ConnectorVersion
) -> None:
    catalog.draft(original, label="1.5.7")
    publish(catalog, "op", "1.5.7")
    catalog.draft(breaking, label="1.5.7+c0ffee00")
    with pytest.raises(PublishRefused, match=r"op@2\.0\.0"):
        publish(catalog, "op", "1.5.7+c0ffee00")


def test_version_zero_bumps_its_minor(
    catalog: Catalog, original: ConnectorVersion, breaking: ConnectorVersion
) -> None:
    catalog.draft(original, label="0.3.1")
    publish(catalog, "op", "0.3.1")
    catalog.draft(breaking, label="0.3.2")
    with pytest.raises(PublishRefused, match=r"op@0\.4\.0"):
        publish(catalog, "op", "0.3.2")


def test_only_drafts_are_checked(catalog: Catalog, original: ConnectorVersion) -> None:
    catalog.draft(original, label="1.5.7")
    publish(catalog, "op", "1.5.7")
    with pytest.raises(Conflict, match="already published"):
        check_publish(catalog, "op", "1.5.7")
    with pytest.raises(Conflict, match="already published"):
        publish(catalog, "op", "latest")


def test_graphql_versions_are_checked_on_their_schemas(catalog: Catalog, tmp_path: Path) -> None:
    def onboarded(name: str, sdl: str) -> ConnectorVersion:
        path = tmp_path / name
        path.write_text(sdl)
        return inspect(path, connector="gql")

    catalog.draft(onboarded("v1.graphql", "type Query { a: Int b: String }"), label="1.0.0")
    publish(catalog, "gql", "1.0.0")
    catalog.draft(onboarded("v2.graphql", "type Query { b: String c: Int }"), label="1.1.0")
    with pytest.raises(PublishRefused) as refused:
        check_publish(catalog, "gql", "1.1.0")
    assert refused.value.suggested_label == "2.0.0"
    kinds = {(c.kind, c.location) for c in refused.value.changes if c.level == "breaking"}
    assert ("field-removed", "Query.a") in kinds
    catalog.draft(onboarded("v3.graphql", "type Query { a: Int b: String d: Int }"), label="1.2.0")
    published = publish(catalog, "gql", "1.2.0")
    assert published.checked
    stored = catalog.get_version("gql", "1.2.0")
    assert ("field-added", "safe") in {(c.kind, c.level) for c in stored.changes}


def test_a_lower_label_published_later_cannot_hide_a_breaking_change(
    catalog: Catalog, original: ConnectorVersion, breaking: ConnectorVersion
) -> None:
    """Publish 1.6.0 (GetHeartbeat removed) first: nothing to compare it with. Then publish
    1.5.7 (which has it): compared with 1.6.0 it only adds an action. Both were published, and
    1.5.7 -> 1.6.0 broke callers under a minor label. A version is now also compared with the
    released one that will follow it."""
    catalog.draft(breaking, label="1.6.0")
    publish(catalog, "op", "1.6.0")
    catalog.draft(original, label="1.5.7")
    with pytest.raises(PublishRefused, match=r"op@1\.5\.7 would come before op@1\.6\.0") as refused:
        check_publish(catalog, "op", "1.5.7")
    assert [(c.kind, c.location) for c in refused.value.changes] == [
        ("action-removed", "actions/GetHeartbeat")
    ]
    for allow in (False, True):
        with pytest.raises(PublishRefused, match="GetHeartbeat"):
            publish(catalog, "op", "1.5.7", allow_breaking=allow)
    assert catalog.get_version("op", "1.5.7").state == "draft"


def test_a_backport_below_a_major_release_may_differ_from_it(
    catalog: Catalog, original: ConnectorVersion, breaking: ConnectorVersion
) -> None:
    catalog.draft(breaking, label="2.0.0")
    publish(catalog, "op", "2.0.0")
    catalog.draft(original, label="1.5.7")
    assert publish(catalog, "op", "1.5.7").version.state == "published"  # 2.0.0 may break it

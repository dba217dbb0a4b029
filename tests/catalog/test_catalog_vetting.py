"""Vetting records in the store: recorded, listed, append-only, and required to publish if asked."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from connectory.catalog import Catalog
from connectory.errors import Conflict, ImmutableVersion, InputError, NotFound
from connectory.model.version import CheckResult, Vetting
from tests.support.samples import small_version

CHECKS = [
    CheckResult(name="definitions-valid", status="passed", message="3 definitions"),
    CheckResult(name="live-auth", status="skipped", message="no credentials", details=["x"]),
]


def _vet(catalog: Catalog, label: str, verdict: str, reviewer: str = "ada") -> Vetting:
    vetting = Vetting(
        connector="acme", version=label, reviewer=reviewer, verdict=verdict, checks=CHECKS
    )
    return catalog.record_vetting(vetting)


def test_vettings_are_recorded_and_listed_newest_first(catalog: Catalog) -> None:
    drafted = catalog.draft(small_version("acme", "one"), label="1.0.0").version
    first = _vet(catalog, "1.0.0", "changes_requested")
    second = _vet(catalog, "1.0.0", "approved", reviewer="grace")
    assert first.sha256 == drafted.content_sha256 != drafted.sha256
    assert first.vetted_at is not None
    listed = catalog.list_vettings("acme")
    assert [(v.reviewer, v.verdict) for v in listed] == [
        ("grace", "approved"),
        ("ada", "changes_requested"),
    ]
    assert listed[0] == second
    assert listed[0].checks == CHECKS
    assert catalog.get_connector("acme").vetting_status == "approved"
    assert catalog.list_vettings("acme", "1.0.0") == listed
    assert catalog.list_vettings() == listed


def test_vetting_an_unknown_version_is_refused(catalog: Catalog) -> None:
    catalog.draft(small_version("acme", "one"), label="1.0.0")
    with pytest.raises(NotFound, match=r"2\.0\.0"):
        _vet(catalog, "2.0.0", "approved")
    with pytest.raises(NotFound, match="nope"):
        catalog.list_vettings("nope")


def test_latest_resolves_when_vetting(catalog: Catalog) -> None:
    catalog.draft(small_version("acme", "one"), label="1.0.0")
    catalog.publish("acme", "1.0.0")
    assert _vet(catalog, "latest", "approved").version == "1.0.0"


def test_publishing_can_require_an_approved_vetting(catalog: Catalog) -> None:
    strict = Catalog(catalog.engine, require_approval=True)
    catalog.draft(small_version("acme", "one"), label="1.0.0")
    with pytest.raises(Conflict, match="has not been vetted"):
        strict.publish("acme", "1.0.0")
    _vet(catalog, "1.0.0", "rejected")
    with pytest.raises(Conflict, match="latest vetting by ada says rejected"):
        strict.publish("acme", "1.0.0")
    assert catalog.get_version("acme", "1.0.0").state == "draft"
    _vet(catalog, "1.0.0", "approved")
    assert strict.publish("acme", "1.0.0").version.state == "published"


def test_an_approval_of_another_document_does_not_count(catalog: Catalog) -> None:
    strict = Catalog(catalog.engine, require_approval=True)
    catalog.draft(small_version("acme", "one"), label="1.0.0")
    _vet(catalog, "1.0.0", "approved")
    catalog.delete_version("acme", "1.0.0")
    catalog.draft(small_version("acme", "two"), label="1.0.0")
    with pytest.raises(Conflict, match="content changed since it was vetted"):
        strict.publish("acme", "1.0.0")


def test_the_environment_turns_the_requirement_on(
    catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONNECTORY_REQUIRE_APPROVAL", "yes")
    url = catalog.engine.url.render_as_string(hide_password=False)
    with Catalog.open(url) as opened:
        assert opened.require_approval is True
    monkeypatch.setenv("CONNECTORY_REQUIRE_APPROVAL", "0")
    with Catalog.open(url) as opened:
        assert opened.require_approval is False


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE vettings SET verdict = 'approved'",
        "DELETE FROM vettings",
    ],
)
def test_raw_sql_cannot_rewrite_history(catalog: Catalog, statement: str) -> None:
    catalog.draft(small_version("acme", "one"), label="1.0.0")
    _vet(catalog, "1.0.0", "rejected")
    with pytest.raises(sa.exc.DatabaseError, match="append-only"), catalog.engine.begin() as db:
        db.execute(sa.text(statement))
    assert [v.verdict for v in catalog.list_vettings("acme")] == ["rejected"]


@pytest.mark.parametrize("only_on", ["postgresql"])
def test_truncate_is_refused_on_postgresql(catalog: Catalog, only_on: str) -> None:
    catalog.draft(small_version("acme", "one"), label="1.0.0")
    _vet(catalog, "1.0.0", "rejected")
    with pytest.raises(sa.exc.DatabaseError, match="append-only"), catalog.engine.begin() as db:
        db.execute(sa.text("TRUNCATE vettings"))
    assert len(catalog.list_vettings("acme")) == 1


def test_immutable_version_error_is_unchanged_by_vetting(catalog: Catalog) -> None:
    catalog.draft(small_version("acme", "one"), label="1.0.0")
    published = catalog.publish("acme", "1.0.0").version
    _vet(catalog, "1.0.0", "approved")
    with pytest.raises(ImmutableVersion):
        catalog.update_draft(published)


def test_a_reviewer_name_longer_than_its_column_is_bad_input_on_both_databases(
    catalog: Catalog,
) -> None:
    """A 300-character reviewer was stored on SQLite and an internal error on PostgreSQL
    (varchar(200); HTTP 500 from the API): the store refuses it the same way on both, as bad
    input naming the field."""
    catalog.draft(small_version("acme", "one"), label="1.0.0")
    with pytest.raises(InputError, match=r"reviewer.*200 characters"):
        _vet(catalog, "1.0.0", "approved", reviewer="r" * 201)
    assert catalog.list_vettings("acme") == []
    assert _vet(catalog, "1.0.0", "approved", reviewer="r" * 200).reviewer == "r" * 200

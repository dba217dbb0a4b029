"""Deprecating a version: its replacement must be another published version of the connector."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from connectory.catalog import Catalog
from connectory.errors import Conflict, InputError, NotFound
from tests.support.samples import small_version

SUNSET = date(2031, 3, 31)


@pytest.fixture
def releases(catalog: Catalog) -> Catalog:
    """acme 1 and 2 published, 3 a draft; other 1 published."""
    for label in ("1", "2", "3"):
        catalog.draft(small_version(seed=label), label=label)
    catalog.publish("acme", "1")
    catalog.publish("acme", "2")
    catalog.draft(small_version(connector="other"), label="1")
    catalog.publish("other", "1")
    return catalog


def test_the_replacement_is_recorded_by_its_label(releases: Catalog) -> None:
    before = datetime.now(UTC)
    deprecated = releases.deprecate("acme", "1", sunset=SUNSET, replacement="latest")
    assert (deprecated.label, deprecated.sunset, deprecated.replacement) == ("1", SUNSET, "2")
    assert deprecated.deprecated_at is not None
    assert before <= deprecated.deprecated_at <= datetime.now(UTC)
    info = {v.label: v for v in releases.list_versions("acme")}["1"]
    assert (info.state, info.sunset, info.replacement) == ("deprecated", SUNSET, "2")
    assert info.deprecated_at == deprecated.deprecated_at
    assert releases.get_version("acme", "1").state == "deprecated"


def test_a_sunset_in_the_past_is_refused_and_today_is_taken(releases: Catalog) -> None:
    today = datetime.now(UTC).date()
    with pytest.raises(InputError, match=r"is in the past \(today is ") as refused:
        releases.deprecate("acme", "1", sunset=today - timedelta(days=1))
    assert refused.value.location == "sunset"
    assert releases.get_version("acme", "1").state == "published"  # nothing happened
    assert releases.deprecate("acme", "1", sunset=today).sunset == today


@pytest.mark.parametrize(
    ("replacement", "error", "message"),
    [
        ("9", NotFound, r"no version of acme '9' \(known: 1, 2, 3\)"),
        (
            "3",
            Conflict,
            r"the replacement acme@3 is draft: it must be published \(publish it first\)",
        ),
        ("1", Conflict, r"acme@1 cannot replace itself"),
    ],
)
def test_a_replacement_that_is_not_a_published_version_is_refused(
    releases: Catalog, replacement: str, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        releases.deprecate("acme", "1", sunset=SUNSET, replacement=replacement)
    assert releases.get_version("acme", "1").state == "published"  # nothing happened


def test_a_deprecated_version_cannot_replace_another(releases: Catalog) -> None:
    releases.deprecate("acme", "2", sunset=SUNSET)
    with pytest.raises(Conflict, match="acme@2 is deprecated: it must be published"):
        releases.deprecate("acme", "1", sunset=SUNSET, replacement="2")


def test_a_replacement_belongs_to_the_same_connector(releases: Catalog) -> None:
    with pytest.raises(NotFound, match="no version of other '2'"):
        releases.deprecate("other", "1", sunset=SUNSET, replacement="2")

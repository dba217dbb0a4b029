"""The default version: set, followed, moved off a deprecated version (``catalog._defaults``)."""

from __future__ import annotations

from datetime import date

import pytest

from connectory.catalog import Catalog, DefaultVersion
from connectory.errors import Conflict
from tests.support.samples import small_version

SUNSET = date(2031, 3, 31)


@pytest.fixture
def releases(catalog: Catalog) -> Catalog:
    """acme 1, 2 and 3 published (1 the default, as the first published), 4 a draft."""
    for label in ("1", "2", "3", "4"):
        catalog.draft(small_version(seed=label), label=label)
    for label in ("1", "2", "3"):
        catalog.publish("acme", label)
    return catalog


def test_the_first_published_is_the_default_until_another_is_set(releases: Catalog) -> None:
    assert releases.default("acme") == DefaultVersion(
        connector="acme", label="1", follows_latest=False, resolves_to="1"
    )
    assert releases.set_default("acme", "2").resolves_to == "2"
    assert releases.get_connector("acme").default_version == "2"
    assert releases.get_version("acme", "default").version == "2"


@pytest.mark.parametrize(
    ("label", "message"),
    [
        ("4", r"acme@4 is draft: only a published version .* \(publish it first\)"),
        ("3", r"acme@3 is deprecated: only a published version that is not deprecated"),
    ],
)
def test_only_a_published_version_not_deprecated_can_be_the_default(
    releases: Catalog, label: str, message: str
) -> None:
    releases.deprecate("acme", "3", sunset=SUNSET)
    with pytest.raises(Conflict, match=message):
        releases.set_default("acme", label)
    assert releases.default("acme").label == "1"  # nothing happened


def test_following_latest_stays_after_a_publish_and_skips_deprecated(releases: Catalog) -> None:
    followed = releases.set_default("acme", None)
    assert (followed.label, followed.follows_latest, followed.resolves_to) == (None, True, "3")
    releases.publish("acme", "4")
    assert releases.default("acme").resolves_to == "4"  # not pinned by the publish
    releases.deprecate("acme", "4", sunset=SUNSET)
    assert releases.resolve("acme", "default") == "3"


def test_when_every_version_is_deprecated_default_names_the_newest_and_says_so(
    releases: Catalog,
) -> None:
    releases.set_default("acme", None)
    for label in ("1", "2", "3"):
        releases.deprecate("acme", label, sunset=SUNSET)
    default = releases.default("acme")
    assert (default.resolves_to, default.follows_latest) == ("3", True)
    assert default.warning is not None
    assert "every published version of acme is deprecated" in default.warning
    assert releases.get_version("acme", "default").version == "3"


def test_deprecating_the_default_moves_it_to_the_replacement(releases: Catalog) -> None:
    done = releases.deprecate("acme", "1", sunset=SUNSET, replacement="2")
    assert done.default_moved
    assert (done.default.label, done.default.resolves_to) == ("2", "2")
    assert releases.get_connector("acme").default_version == "2"


def test_deprecating_the_default_without_a_replacement_follows_latest(releases: Catalog) -> None:
    done = releases.deprecate("acme", "1", sunset=SUNSET)
    assert done.default_moved
    assert (done.default.follows_latest, done.default.resolves_to) == (True, "3")
    assert releases.resolve("acme", "default") == "3"


def test_deprecating_another_version_leaves_the_default(releases: Catalog) -> None:
    done = releases.deprecate("acme", "2", sunset=SUNSET, replacement="3")
    assert not done.default_moved
    assert done.default.label == "1"

"""Semantic version labels: parsing, precedence, the bump a change report needs."""

from __future__ import annotations

import pytest

from connectory.model import semver
from connectory.model.version import Change


def _change(level: str) -> Change:
    return Change(kind="k", level=level, location="l", message="m")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("label", "parsed"),
    [
        ("1.2.3", (1, 2, 3, (), None, "")),
        ("v10.0.1", (10, 0, 1, (), None, "v")),
        ("1.0.0-rc.1+build.5", (1, 0, 0, ("rc", "1"), "build.5", "")),
        ("1.2.0+3f2a9c1d", (1, 2, 0, (), "3f2a9c1d", "")),
    ],
)
def test_parse(label: str, parsed: tuple[object, ...]) -> None:
    version = semver.parse(label)
    assert version is not None
    assert (
        version.major,
        version.minor,
        version.patch,
        version.pre,
        version.build,
        version.prefix,
    ) == parsed
    assert str(version) == label


@pytest.mark.parametrize(
    "label", ["1.2", "01.2.3", "1.2.3-01", "2023-09-12", "1.2.3.4", "latest", "v"]
)
def test_not_semver(label: str) -> None:
    assert semver.parse(label) is None


def test_precedence_follows_the_specification() -> None:
    ordered = [
        "1.0.0-alpha",
        "1.0.0-alpha.1",
        "1.0.0-alpha.beta",
        "1.0.0-beta",
        "1.0.0-beta.2",
        "1.0.0-beta.11",
        "1.0.0-rc.1",
        "1.0.0",
        "1.0.1",
        "1.10.0",
        "2.0.0",
    ]
    versions = [semver.parse(label) for label in ordered]
    keys = [v.precedence() for v in versions if v is not None]
    assert keys == sorted(keys)
    assert len(set(keys)) == len(keys)
    assert semver.parse("1.0.0+a").precedence() == semver.parse("1.0.0+b").precedence()  # type: ignore[union-attr]


def test_required_bump() -> None:
    assert semver.required_bump([]) == "patch"
    assert semver.required_bump([_change("safe"), _change("dangerous")]) == "minor"
    assert semver.required_bump([_change("safe"), _change("breaking")]) == "major"


@pytest.mark.parametrize(
    ("previous", "levels", "suggested"),
    [
        ("1.4.2", ["breaking"], "2.0.0"),
        ("1.4.2", ["safe"], "1.5.0"),
        ("1.4.2", [], "1.4.3"),
        ("v1.4.2+abc", ["breaking"], "v2.0.0"),
        ("0.3.1", ["breaking"], "0.4.0"),
        ("0.3.1", ["dangerous"], "0.3.2"),
        ("2.0.0-rc.1", ["breaking"], "2.0.0"),
        ("2023-09-12", ["breaking"], None),
    ],
)
def test_suggest_next(previous: str, levels: list[str], suggested: str | None) -> None:
    assert semver.suggest_next(previous, [_change(level) for level in levels]) == suggested


@pytest.mark.parametrize(
    ("previous", "candidate", "allowed"),
    [
        ("1.4.2", "2.0.0", True),
        ("1.4.2", "1.5.0", False),
        ("1.4.2", "1.4.2+other", False),
        ("1.4.2", "2.0.0-rc.1", True),
        ("0.3.1", "0.4.0", True),
        ("0.3.1", "1.0.0", True),
        ("0.3.1", "0.3.2", False),
        ("2.0.0-rc.1", "2.0.0", True),
        ("2.0.0-rc.1", "2.0.0-rc.2", True),
        ("2.0.0-rc.1", "2.0.1", False),
    ],
)
def test_allows_breaking(previous: str, candidate: str, allowed: bool) -> None:
    old, new = semver.parse(previous), semver.parse(candidate)
    assert old is not None
    assert new is not None
    assert semver.allows_breaking(old, new) is allowed

"""Semantic version labels (https://semver.org): parse, order, and the bump a change report needs.

    parse(label)                    ``MAJOR.MINOR.PATCH[-pre][+build]`` (a leading ``v`` is kept),
                                    or None when the label is not one
    required_bump(changes)          ``major`` for a breaking change, ``minor`` for any other
                                    change, ``patch`` for none
    bump(previous, level)           the next label: ``1.4.2`` -> ``2.0.0`` / ``1.5.0`` / ``1.4.3``
    suggest_next(previous, changes) ``bump(previous, required_bump(changes))``
    allows_breaking(previous, candidate)
                                    whether ``candidate`` may break what ``previous`` promised

Version zero follows Cargo's reading of semver: in ``0.y.z`` the ``y`` is the major part, so a
breaking change after ``0.3.1`` needs ``0.4.0`` (``1.0.0`` will do too), and other changes bump
``z``. A pre-release promises nothing to its own release: ``2.0.0-rc.1`` -> ``2.0.0`` may break.
Build metadata (``+...``) does not take part in ordering.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from .version import Change

__all__ = [
    "Bump",
    "Semver",
    "allows_breaking",
    "bump",
    "parse",
    "required_bump",
    "suggest_next",
]

Bump = Literal["major", "minor", "patch"]

_NUMBER = r"0|[1-9]\d*"
_IDENTIFIERS = r"[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*"
_SEMVER = re.compile(
    rf"(?P<prefix>v?)(?P<major>{_NUMBER})\.(?P<minor>{_NUMBER})\.(?P<patch>{_NUMBER})"
    rf"(?:-(?P<pre>{_IDENTIFIERS}))?(?:\+(?P<build>{_IDENTIFIERS}))?"
)


@dataclass(frozen=True)
class Semver:
    """A parsed semantic version; ``str()`` gives the label back."""

    major: int
    minor: int
    patch: int
    pre: tuple[str, ...] = ()
    build: str | None = None
    prefix: str = ""

    @property
    def core(self) -> tuple[int, int, int]:
        return self.major, self.minor, self.patch

    def precedence(self) -> tuple[object, ...]:
        """A sort key in semver precedence: a pre-release sorts before its release; numeric
        identifiers numerically and before alphanumeric ones; build metadata is ignored."""
        if not self.pre:
            return (*self.core, 1, ())
        parts = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in self.pre)
        return (*self.core, 0, parts)

    def __str__(self) -> str:
        text = f"{self.prefix}{self.major}.{self.minor}.{self.patch}"
        if self.pre:
            text += "-" + ".".join(self.pre)
        return text + (f"+{self.build}" if self.build else "")


def parse(label: str) -> Semver | None:
    """``label`` as a semantic version, or None when it is not one."""
    found = _SEMVER.fullmatch(label)
    if found is None:
        return None
    pre = found["pre"]
    if pre and any(p.isdigit() and len(p) > 1 and p.startswith("0") for p in pre.split(".")):
        return None  # semver forbids leading zeros in numeric pre-release identifiers
    return Semver(
        major=int(found["major"]),
        minor=int(found["minor"]),
        patch=int(found["patch"]),
        pre=tuple(pre.split(".")) if pre else (),
        build=found["build"],
        prefix=found["prefix"],
    )


def required_bump(changes: Iterable[Change]) -> Bump:
    """``major`` if any change is breaking, ``minor`` if there is any change, else ``patch``."""
    levels = {change.level for change in changes}
    if "breaking" in levels:
        return "major"
    return "minor" if levels else "patch"


def bump(previous: Semver, level: Bump) -> Semver:
    """The smallest release after ``previous`` that makes a ``level`` bump (see version zero).

    From a pre-release, its own release is enough: ``2.0.0-rc.1`` -> ``2.0.0``.
    """
    if previous.pre:
        return Semver(*previous.core, prefix=previous.prefix)
    major, minor, patch = previous.core
    if major == 0:  # 0.y.z: y is the major part
        level = "minor" if level == "major" else "patch"
    if level == "major":
        return Semver(major + 1, 0, 0, prefix=previous.prefix)
    if level == "minor":
        return Semver(major, minor + 1, 0, prefix=previous.prefix)
    return Semver(major, minor, patch + 1, prefix=previous.prefix)


def suggest_next(previous: str, changes: Iterable[Change]) -> str | None:
    """The label to give the version after ``previous`` with ``changes`` (None: not semver)."""
    parsed = parse(previous)
    return None if parsed is None else str(bump(parsed, required_bump(changes)))


def allows_breaking(previous: Semver, candidate: Semver) -> bool:
    """Whether ``candidate`` may break what ``previous`` promised: a higher major version (in
    ``0.y.z``, a higher ``y``, or 1.0.0 and up), or the release of a pre-release (or another
    pre-release of the same version)."""
    if previous.pre and candidate.core == previous.core:
        return True
    if previous.major == 0:
        return candidate.major > 0 or candidate.minor > previous.minor
    return candidate.major > previous.major

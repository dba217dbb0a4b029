"""The publish policy: a version is compared with the one it follows, and breaking changes must be
announced. Pure functions: ``versions.publish`` applies them inside its one write transaction, so
that nothing publishes without them (``Catalog.publish`` is the only way to publish).

    predecessor(released, label)         the label of the published or deprecated version
                                         ``label`` follows
    successor(released, label)           the released semver label that will follow ``label``
                                         (when a lower label is published after a higher one)
    assess(baseline, draft, ...)         its changes since then; PublishRefused when breaking
                                         changes are not announced
    assess_successor(successor, ...)     the changes from the draft to that successor;
                                         PublishRefused when they break under a minor label
    following_latest(uses, changes)      the boards that follow ``latest`` and use a changed or
                                         removed action (the blast radius of publishing)

The predecessor of a semver label is the highest published or deprecated semver label at or below
it (so a ``1.4.3`` hotfix is compared with ``1.4.2``, not with a newer ``2.0.0``); for any other
label, or when there is no such version, the most recently published one.

The policy, when there are breaking changes:

- both labels semver: the new one must bump the major version (``semver.allows_breaking``: in
  ``0.y.z`` the ``y``). ``allow_breaking`` does not override this: a semver label is a promise
  that boards and their owners read, so the fix is the right label, which the error suggests;
- otherwise (dates, build numbers, free text): publishing needs ``allow_breaking=True``.

A semver label published after a higher one (a backport: ``1.4.3`` once ``1.5.0`` is out) is
also compared with the released version that will follow it, the lowest semver label above it:
``1.4.3`` -> ``1.5.0`` must not break either, unless ``1.5.0`` bumps the major version. Otherwise
publishing ``1.6.0`` first (nothing to compare it with) and ``1.5.7`` after it (which only adds
back what ``1.6.0`` removed) would hide a breaking change under a minor label.

For a protocol that cannot be diffed (``connectory.changes.supports``) nothing is compared and the
draft's own ``changes`` are kept.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from connectory.errors import PublishRefused
from connectory.model import semver
from connectory.model.version import Change, ConnectorVersion
from connectory.schemas.pointer import unescape

from .results import BoardImpact

__all__ = [
    "Released",
    "Use",
    "affected_actions",
    "assess",
    "assess_successor",
    "following_latest",
    "predecessor",
    "successor",
]

_SHOWN = 5


@dataclass(frozen=True, slots=True)
class Released:
    """A published or deprecated version, as the policy needs to know it."""

    label: str
    published_at: datetime | None


@dataclass(frozen=True, slots=True)
class Use:
    """One use of the connector by a board: how it names the version, and which actions."""

    board: str
    deployed: bool
    version: str
    actions: Sequence[str]


def predecessor(released: Iterable[Released], label: str) -> str | None:
    """The label of the released version that ``label`` follows (see the module docstring)."""
    released = [r for r in released if r.label != label]
    candidate = semver.parse(label)
    if candidate is not None:
        below = [
            (parsed.precedence(), r.published_at is not None, r.published_at, r.label)
            for r in released
            if (parsed := semver.parse(r.label)) is not None
            and parsed.precedence() <= candidate.precedence()
        ]
        if below:
            return max(below)[3]
    newest = max(
        released,
        key=lambda r: (r.published_at is not None, r.published_at, r.label),
        default=None,
    )
    return None if newest is None else newest.label


def successor(released: Iterable[Released], label: str) -> str | None:
    """The label of the released version that will follow ``label``: the lowest published or
    deprecated semver label above it (None when ``label`` is not semver, or none is above)."""
    candidate = semver.parse(label)
    if candidate is None:
        return None
    above = [
        (parsed.precedence(), r.label)
        for r in released
        if r.label != label
        and (parsed := semver.parse(r.label)) is not None
        and parsed.precedence() > candidate.precedence()
    ]
    return min(above)[1] if above else None


def _listed(changes: Sequence[Change]) -> str:
    shown = "; ".join(f"{c.location}: {c.message}" for c in changes[:_SHOWN])
    more = len(changes) - _SHOWN
    return shown + (f"; and {more} more" if more > 0 else "")


def assess(
    baseline: str, changes: list[Change], draft: ConnectorVersion, *, allow_breaking: bool
) -> None:
    """Refuse (``PublishRefused``) when ``changes`` since ``baseline`` break callers and the
    draft's label does not announce it (see the module docstring)."""
    breaking = [c for c in changes if c.level == "breaking"]
    if not breaking:
        return
    connector, label = draft.connector, draft.version or ""
    count = f"{len(breaking)} breaking change{'s' if len(breaking) > 1 else ''}"
    since = f"{draft.ref} has {count} since {connector}@{baseline}"
    old, new = semver.parse(baseline), semver.parse(label)
    if old is not None and new is not None:
        if semver.allows_breaking(old, new):
            return
        suggested = semver.suggest_next(baseline, changes)
        headline = (
            f"{since}, so its label must bump the major version: draft it as "
            f"{connector}@{suggested} instead (--allow-breaking does not apply to semver labels)"
        )
        raise PublishRefused(
            f"{headline}: {_listed(breaking)}",
            changes=breaking,
            baseline=baseline,
            suggested_label=suggested,
            headline=headline,
        )
    if not allow_breaking:
        headline = f"{since}; publish with --allow-breaking if that is intended"
        raise PublishRefused(
            f"{headline}: {_listed(breaking)}",
            changes=breaking,
            baseline=baseline,
            headline=headline,
        )


def assess_successor(successor: str, changes: list[Change], draft: ConnectorVersion) -> None:
    """Refuse (``PublishRefused``) when ``changes`` (from the draft to the released ``successor``,
    the version that will follow it) break callers and ``successor``'s label does not bump the
    major version over the draft's: the draft would put a breaking change under a minor label."""
    breaking = [c for c in changes if c.level == "breaking"]
    old, new = semver.parse(draft.version or ""), semver.parse(successor)
    if not breaking or old is None or new is None or semver.allows_breaking(old, new):
        return
    count = f"{len(breaking)} breaking change{'s' if len(breaking) > 1 else ''}"
    headline = (
        f"{draft.ref} would come before {draft.connector}@{successor}, which then has {count} "
        f"since it under a label that does not bump the major version: give it a label after "
        f"{successor}, or make it what {successor} extends"
    )
    raise PublishRefused(
        f"{headline}: {_listed(breaking)}",
        changes=breaking,
        baseline=successor,
        headline=headline,
    )


def affected_actions(changes: Iterable[Change]) -> tuple[set[str], bool]:
    """The actions that non-safe ``changes`` touch, and whether one touches every action (a
    change to the servers, endpoints or auth methods that every call goes through)."""
    named: set[str] = set()
    every = False
    for change in changes:
        if change.level == "safe":
            continue
        head, _, rest = change.location.partition("/")
        if head == "actions":
            named.add(unescape(rest.split("/", 1)[0]))
        elif head not in ("triggers", "definitions"):
            every = True
    return named, every


def following_latest(
    uses: Iterable[Use], changes: Iterable[Change], *, default_follows_latest: bool
) -> list[BoardImpact]:
    """The boards that follow ``latest`` (or ``default`` while it falls back to latest) and use an
    action that ``changes`` change or remove: what publishing the new version affects."""
    named, every = affected_actions(changes)
    following = {"latest", "default"} if default_follows_latest else {"latest"}
    boards: dict[str, tuple[bool, set[str], set[str], bool]] = {}
    for use in uses:
        if use.version not in following:
            continue
        uses_every = not use.actions
        if every:
            hit: set[str] = set(use.actions)
        else:
            hit = set(named) if uses_every else named.intersection(use.actions)
            if not hit:
                continue
        deployed, via, actions, all_actions = boards.get(
            use.board, (use.deployed, set(), set(), False)
        )
        boards[use.board] = (
            deployed or use.deployed,
            via | {use.version},
            actions | hit,
            all_actions or (every and uses_every),
        )
    return [
        BoardImpact(
            board=name,
            deployed=deployed,
            via=sorted(via),
            actions=[] if all_actions else sorted(actions),
        )
        for name, (deployed, via, actions, all_actions) in sorted(boards.items())
    ]

"""The publish policy: a version is compared with the one it follows, and breaking changes must be
announced.

    predecessor(catalog, connector, label)      the published (or deprecated) version it follows
    check_publish(catalog, connector, label)    its changes since then; PublishRefused if breaking
                                                changes are not announced
    publish(catalog, connector, label)          check, record the changes on the draft, publish

The predecessor of a semver label is the highest published or deprecated semver label at or below
it (so a ``1.4.3`` hotfix is compared with ``1.4.2``, not with a newer ``2.0.0``); for any other
label, or when there is no such version, the most recently published one.

The policy, when there are breaking changes:

- both labels semver: the new one must bump the major version (``semver.allows_breaking``: in
  ``0.y.z`` the ``y``). ``allow_breaking`` does not override this: a semver label is a promise
  that boards and their owners read, so the fix is the right label, which the error suggests;
- otherwise (dates, build numbers, free text): publishing needs ``allow_breaking=True``.

For a protocol that cannot be diffed yet (``connectory.diff.supports``) nothing is checked and the
draft's own ``changes`` are kept. The check and the publish are two transactions: a version
published in between by someone else is not taken into account (publish stays one atomic step).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from . import semver
from .catalog import Catalog
from .diff import diff, supports
from .errors import Conflict, PublishRefused
from .model import Change, ConnectorVersion

__all__ = ["Published", "check_publish", "predecessor", "publish"]

_SHOWN = 5


class Published(BaseModel):
    """The outcome of ``publish``: the version, and what changed since the one it follows."""

    model_config = ConfigDict(frozen=True)

    version: ConnectorVersion
    baseline: str | None
    """The label of the version it was compared with (None: the first, or not comparable)."""
    checked: bool
    """False when the protocol cannot be diffed yet: nothing was compared."""

    @property
    def changes(self) -> list[Change]:
        return self.version.changes


def predecessor(catalog: Catalog, connector: str, label: str) -> str | None:
    """The label of the published or deprecated version that ``connector@label`` follows."""
    released = [
        info
        for info in catalog.list_versions(connector)
        if info.state != "draft" and info.label != label
    ]
    candidate = semver.parse(label)
    if candidate is not None:
        below = [
            (parsed.precedence(), info.published_at, info.label)
            for info in released
            if (parsed := semver.parse(info.label)) is not None
            and parsed.precedence() <= candidate.precedence()
        ]
        if below:
            return max(below)[2]
    newest = max(released, key=lambda info: (info.published_at, info.label), default=None)
    return None if newest is None else newest.label


def _listed(changes: list[Change]) -> str:
    shown = "; ".join(f"{c.location}: {c.message}" for c in changes[:_SHOWN])
    more = len(changes) - _SHOWN
    return shown + (f"; and {more} more" if more > 0 else "")


def _assess(
    catalog: Catalog, draft: ConnectorVersion, allow_breaking: bool
) -> tuple[str | None, list[Change]]:
    connector, label = draft.connector, draft.version or ""
    baseline = predecessor(catalog, connector, label)
    if baseline is None:
        return None, []
    changes = diff(catalog.get_version(connector, baseline), draft)
    breaking = [c for c in changes if c.level == "breaking"]
    if not breaking:
        return baseline, changes
    count = f"{len(breaking)} breaking change{'s' if len(breaking) > 1 else ''}"
    since = f"{draft.ref} has {count} since {connector}@{baseline}"
    old, new = semver.parse(baseline), semver.parse(label)
    if old is not None and new is not None:
        if semver.allows_breaking(old, new):
            return baseline, changes
        suggested = semver.suggest_next(baseline, changes)
        raise PublishRefused(
            f"{since}, so its label must bump the major version: draft it as "
            f"{connector}@{suggested} instead (--allow-breaking does not apply to semver labels): "
            f"{_listed(breaking)}",
            changes=breaking,
            baseline=baseline,
            suggested_label=suggested,
        )
    if allow_breaking:
        return baseline, changes
    raise PublishRefused(
        f"{since}; publish with --allow-breaking (allow_breaking=True) if that is intended: "
        f"{_listed(breaking)}",
        changes=breaking,
        baseline=baseline,
    )


def _draft(catalog: Catalog, connector: str, label: str) -> ConnectorVersion:
    version = catalog.get_version(connector, label)
    if version.state != "draft":
        raise Conflict(f"{version.ref} is already {version.state}")
    return version


def check_publish(
    catalog: Catalog, connector: str, label: str, *, allow_breaking: bool = False
) -> list[Change]:
    """The changes of the draft ``connector@label`` since its predecessor (breaking first).

    Raises ``PublishRefused`` when it has breaking changes its label does not announce (see the
    module docstring), ``Conflict`` when it is not a draft.
    """
    draft = _draft(catalog, connector, label)
    if not supports(draft.protocol):
        return []
    return _assess(catalog, draft, allow_breaking)[1]


def publish(
    catalog: Catalog, connector: str, label: str, *, allow_breaking: bool = False
) -> Published:
    """Check the draft ``connector@label`` (``check_publish``), record its changes on it, and
    publish it: the published version carries its change report."""
    draft = _draft(catalog, connector, label)
    if not supports(draft.protocol):
        return Published(
            version=catalog.publish(connector, draft.version or label), baseline=None, checked=False
        )
    baseline, changes = _assess(catalog, draft, allow_breaking)
    if changes != draft.changes:
        catalog.update_draft(draft.model_copy(update={"changes": changes}))
    version = catalog.publish(connector, draft.version or label)
    return Published(version=version, baseline=baseline, checked=True)

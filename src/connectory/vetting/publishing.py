"""Publishing under the policy, as functions of a catalogue (the notebook's and the flows' names).

    predecessor(catalog, connector, label)      the published (or deprecated) version it follows
    check_publish(catalog, connector, label)    its changes since then; PublishRefused if breaking
                                                changes are not announced; nothing is written
    publish(catalog, connector, label)          ``Catalog.publish``

There is one way to publish: ``Catalog.publish``, which applies the whole policy (``semver`` labels
against the change report, the approval a catalogue may require, the changes recorded, the boards
it affects) in the transaction that publishes. The policy itself is ``connectory.catalog.policy``;
these functions only name it where a caller holds a catalogue.
"""

from __future__ import annotations

from connectory.catalog import Catalog
from connectory.catalog.policy import Released
from connectory.catalog.policy import predecessor as _predecessor
from connectory.catalog.results import Published
from connectory.model.version import Change

__all__ = ["Published", "check_publish", "predecessor", "publish"]


def predecessor(catalog: Catalog, connector: str, label: str) -> str | None:
    """The label of the published or deprecated version that ``connector@label`` follows."""
    released = [
        Released(info.label, info.published_at)
        for info in catalog.list_versions(connector)
        if info.state != "draft"
    ]
    return _predecessor(released, label)


def check_publish(
    catalog: Catalog, connector: str, label: str, *, allow_breaking: bool = False
) -> list[Change]:
    """The changes of the draft ``connector@label`` since its predecessor (breaking first).

    Raises ``PublishRefused`` when it has breaking changes its label does not announce,
    ``Conflict`` when it is not a draft.
    """
    return catalog.check_publish(connector, label, allow_breaking=allow_breaking)


def publish(
    catalog: Catalog,
    connector: str,
    label: str,
    *,
    allow_breaking: bool = False,
    content_sha256: str | None = None,
) -> Published:
    """``catalog.publish(connector, label, ...)``: the one way to publish."""
    return catalog.publish(
        connector, label, allow_breaking=allow_breaking, content_sha256=content_sha256
    )

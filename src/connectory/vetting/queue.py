"""The vetter's helpers: the review queue, and a draft compared with the last published version.

Used by ``notebooks/vetting.ipynb`` and by ``connectory vet``.
"""

from __future__ import annotations

import pandas as pd

from connectory.catalog import Catalog
from connectory.changes import diff
from connectory.model.version import Change, ConnectorVersion
from connectory.render.frames import versions_frame

from .publishing import predecessor

__all__ = ["compare_with_published", "review_queue"]


def review_queue(catalog: Catalog) -> pd.DataFrame:
    """Every draft, oldest first, with its latest verdict (none yet: awaiting a first review)."""
    drafts = versions_frame(catalog).query("state == 'draft'").sort_values("created_at")
    verdicts = {
        (v.connector, v.version, v.sha256): v.verdict
        for v in reversed(catalog.list_vettings())  # oldest first: the newest verdict wins
    }
    drafts = drafts.assign(
        last_verdict=[
            verdicts.get((row.connector, row.label, row.sha256)) for row in drafts.itertuples()
        ]
    )
    columns = ["connector", "label", "created_at", "last_verdict", "action_count", "finding_count"]
    return drafts[columns].reset_index(drop=True)


def compare_with_published(
    catalog: Catalog, version: ConnectorVersion
) -> tuple[ConnectorVersion | None, list[Change]]:
    """The published version that ``version`` follows (``lifecycle.predecessor``: what publishing
    compares it with, so the vetter sees the changes publish will record) and the changes from it
    to ``version``; ``(None, [])`` when nothing precedes it."""
    label = version.version or ""
    baseline = predecessor(catalog, version.connector, label) if label else None
    if baseline is None:
        return None, []
    previous = catalog.get_version(version.connector, baseline)
    return previous, diff(previous, version)

"""Triggers (OpenAPI 3.1 webhooks) on a real document, Adyen's report notification, edited: what
the system sends us is compared as output (a widening can break the receiver)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from connectory import diff
from tests.conftest import corpus_file
from tests.support.diff_documents import Document, edited, reordered, triples, version_of, write

WEBHOOK = "balancePlatform.report.created"


def _adyen() -> Path:
    return corpus_file(
        "openapi", "apis-guru", "adyen.com", "BalancePlatformReportNotification-v1.json"
    )


def _schemas(d: Document) -> dict[str, Any]:
    return d["components"]["schemas"]


CASES = [
    (
        "webhook removed",
        lambda d: d["webhooks"].pop(WEBHOOK),
        {("trigger-removed", "breaking", f"triggers/{WEBHOOK}")},
    ),
    (
        "payload field removed",
        lambda d: _schemas(d)["ReportNotificationData"]["properties"].pop("downloadUrl"),
        {("property-removed", "breaking", "definitions/ReportNotificationData/downloadUrl")},
    ),
    (
        "payload enum widened",
        lambda d: _schemas(d)["ReportNotificationRequest"]["properties"]["type"]["enum"].append(
            "x"
        ),
        {("enum-value-added", "dangerous", "definitions/ReportNotificationRequest/type/enum")},
    ),
]


@pytest.mark.parametrize(("edit", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_webhook_changes(tmp_path: Path, edit: Any, expected: set[tuple[str, str, str]]) -> None:
    old = version_of(_adyen())
    assert [t.name for t in old.triggers] == [WEBHOOK]
    changes = diff(old, version_of(edited(_adyen(), tmp_path, edit)))
    assert triples(changes) == expected, [c.model_dump() for c in changes]


def test_a_reordered_document_reports_nothing(tmp_path: Path) -> None:
    document = json.loads(_adyen().read_text())
    again = write(tmp_path / "reordered.json", reordered(document), indent=None)
    assert diff(version_of(_adyen()), version_of(again)) == []

"""Text from documents is shown as written: brackets are not markup (nor a crash)."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import Run

TITLE = "Odd [/oops] API [bold]x"
DOCUMENT = {
    "openapi": "3.0.3",
    "info": {"title": TITLE, "version": "1"},
    "paths": {
        "/a": {
            "get": {
                "operationId": "a",
                "parameters": [
                    {
                        "name": "q",
                        "in": "query",
                        "schema": {"type": "string", "pattern": "^[a-z]+$", "example": "[/NOT]"},
                    }
                ],
                "responses": {"200": {"description": "ok"}},
            }
        }
    },
}


def test_brackets_in_documents_are_shown_literally(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "odd [x].json"
    path.write_text(json.dumps(DOCUMENT))
    shown = run("inspect", str(path))
    assert shown.returncode == 0, shown.stderr
    assert TITLE in shown.stdout
    assert "odd [x].json" in shown.stdout
    (tmp_path / "bad.json").write_text('{"[/k]": 1, "[/k]": 2}')
    failed = run("inspect", str(tmp_path / "bad.json"))
    assert failed.returncode == 2
    assert "duplicate key '[/k]'" in failed.stderr
    assert "Traceback" not in failed.stderr

"""How the command prints: tables fitted to 80 and 120 columns without a word broken, every row
on one line when piped, the change report of ``diff`` and ``publish``, the batch table, and the
wording (articles, spellings, checks in words)."""

from __future__ import annotations

import io
import itertools
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from rich.console import Console

from connectory._wording import article, document_kind, protocol_name
from connectory.cli import batch, render
from connectory.cli.tables import Column, break_name, print_table
from connectory.model.version import Change, CheckResult, Vetting
from connectory.onboarding import inspect
from tests.conftest import FIXTURES

_NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
SOAP = FIXTURES / "wsdl" / "calculator-soap11and12.wsdl"


def _console(*, terminal: bool = False) -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=terminal, color_system=None, width=500)
    return console, buffer


def _printed(monkeypatch: pytest.MonkeyPatch, columns: int | None, show: Callable[[], None]) -> str:
    """What ``show`` prints on ``render.out`` at ``columns`` (None: piped, no COLUMNS)."""
    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", str(columns))
    console, buffer = _console()
    monkeypatch.setattr(render, "out", console)
    show()
    return buffer.getvalue()


CONNECTORS = [
    SimpleNamespace(
        name="stripe-payments-api-for-platforms",
        protocol="http",
        version_count=12,
        latest_published="2023-09-12",
        default_version=None,
        title="Stripe's public API, deprecated endpoints included, for platforms and marketplaces",
    ),
    SimpleNamespace(
        name="calculator",
        protocol="soap",
        version_count=1,
        latest_published=None,
        default_version=None,
        title="Calculator",
    ),
]


@pytest.mark.parametrize("columns", [80, 120])
def test_tables_fit_the_width_without_a_word_broken(
    monkeypatch: pytest.MonkeyPatch, columns: int
) -> None:
    shown = _printed(monkeypatch, columns, lambda: render.print_connectors(CONNECTORS))
    assert all(len(line) <= columns for line in shown.splitlines()), shown
    tokens = set(re.split(r"[\s│┃]+", shown))
    for word in ("deprecated", "endpoints", "marketplaces", "Stripe's", "versions", "HTTP"):
        assert word in tokens, shown  # old: "deprecate|d" at 80 columns


def test_piped_output_is_one_line_a_row_for_grep(monkeypatch: pytest.MonkeyPatch) -> None:
    many = [SimpleNamespace(**{**vars(CONNECTORS[0]), "name": f"connector-{i}"}) for i in range(60)]
    shown = _printed(monkeypatch, None, lambda: render.print_connectors(many))
    rows = [line for line in shown.splitlines() if line.startswith("connector-")]
    assert len(rows) == 60  # no "... more" cut on a pipe
    assert all(CONNECTORS[0].title in row for row in rows)
    assert not any(line != line.rstrip() for line in shown.splitlines())  # no trailing blanks


def test_a_terminal_gets_at_most_40_rows_and_how_to_see_the_rest() -> None:
    console, buffer = _console(terminal=True)
    rows = [(f"n{i}", "x") for i in range(45)]
    print_table(console, [Column("name", "name"), Column("x", "tag")], rows, what="things")
    shown = buffer.getvalue()
    assert "n39" in shown
    assert "n40" not in shown
    assert "... and 5 more things (--json shows every one)." in shown


def test_names_and_paths_break_between_their_parts() -> None:
    for text, width in (
        ("actions/DeleteAccountBankAccountsId/input", 20),
        ("definitions/payment_method_details_card_present/incremental", 16),
    ):
        lines = break_name(text, width)
        assert "".join(lines) == text
        assert all(len(line) <= width for line in lines)
        for line, after in itertools.pairwise(lines):
            assert line.endswith(("/", "_")) or (line[-1].islower() and after[0].isupper())


def test_soap_actions_show_what_they_send_not_their_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    version = inspect(str(SOAP))
    shown = _printed(monkeypatch, 120, lambda: render.print_version(version))
    row = next(line for line in shown.splitlines() if line.startswith("CalculatorSoap.Add "))
    assert "CalculatorSoap.Add" not in row.split("│")[1]  # old: the name again
    assert "SOAP 1.1 http://tempuri.org/Add" in row
    assert "(inspected, not in the catalogue)" in shown.splitlines()[0]
    assert "(not drafted)" not in shown
    assert "  SOAP  " in shown.splitlines()[0]


def _changes(breaking: int, safe: int) -> list[Change]:
    made = [
        Change(kind="action-removed", level="breaking", location=f"actions/Old{i}", message="gone")
        for i in range(breaking)
    ]
    made += [
        Change(kind="property-added", level="safe", location=f"definitions/x/p{i}", message="new")
        for i in range(safe)
    ]
    return made[breaking:] + made[:breaking]  # safe first: the report puts breaking first


def test_the_change_report_counts_first_then_at_most_n_breaking_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    changes = _changes(30, 100)
    shown = _printed(
        monkeypatch,
        80,
        lambda: render.print_changes(
            changes, limit=20, see_all="connectory diff A B --all", console=render.out
        ),
    )
    lines = shown.splitlines()
    assert lines[0].split() == ["breaking", "30", "30", "action-removed"]
    assert lines[1].split() == ["safe", "100", "100", "property-added"]
    listed = [line for line in lines if line.startswith(("breaking │", "safe │"))]
    assert len(listed) == 20
    assert all(line.startswith("breaking") for line in listed)
    assert lines[-1] == (
        "20 of 130 changes shown (breaking first); 110 left out: connectory diff A B --all."
    )
    everything = _printed(
        monkeypatch, 80, lambda: render.print_changes(changes, limit=None, console=render.out)
    )
    assert len([line for line in everything.splitlines() if "│" in line]) == 130
    assert "left out" not in everything


def test_checks_in_words_and_one_spelling_of_changes_requested(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    checks = [
        CheckResult(name="definitions-valid", status="passed", message="ok"),
        CheckResult(name="diff-reviewed", status="failed", message="2 breaking"),
        CheckResult(name="live-auth", status="skipped", message="no credentials"),
    ]
    assert render.checks_summary(checks) == "1 passed, 1 failed (diff-reviewed), 1 skipped"
    vetting = Vetting(
        connector="acme", version="1", reviewer="ada", verdict="changes-requested", checks=checks
    )
    assert vetting.verdict == "changes_requested"  # hyphens taken, one spelling kept
    shown = _printed(
        monkeypatch,
        120,
        lambda: render.print_vettings([vetting.model_copy(update={"vetted_at": _NOW})]),
    )
    assert "changes_requested" in shown
    assert "p f s" not in shown


def test_batch_sources_without_their_common_folder_and_a_summary_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def outcome(source: str, status: str, error: str | None = None) -> Any:
        done = SimpleNamespace(ref=f"{Path(source).stem}@1", actions=3, triggers=0)
        return SimpleNamespace(
            source=source, status=status, onboarded=None if error else done, error=error
        )

    folder = "/srv/corpus/openapi/apis-guru/"
    result = SimpleNamespace(
        outcomes=[
            outcome(folder + "adobe.com/aem/openapi.json", "drafted"),
            outcome(folder + "amadeus.com/openapi.json", "unchanged"),
            outcome(folder + "broken.yaml", "failed", "not valid YAML (line 1)"),
        ]
    )
    shown = _printed(monkeypatch, 120, lambda: batch._print(result, 12.34))
    assert f"Batch onboarding, from {folder}" in shown
    assert "adobe.com/aem/openapi.json" in shown
    narrow = _printed(monkeypatch, 80, lambda: batch._print(result, 12.34))
    assert "openapi.json" in narrow.split()  # folded between path segments, never inside one
    assert folder + "adobe.com" not in shown.replace(f"from {folder}", "")
    assert shown.splitlines()[-1] == (
        "3 documents: 1 drafted, 0 published, 1 unchanged, 1 failed, in 12.3 s."
    )


def test_articles_and_names_as_written() -> None:
    assert article(document_kind("openapi-3.0")) == "an OpenAPI 3.0 document"
    assert article(document_kind("wsdl-1.1")) == "a WSDL 1.1 document"
    assert article(protocol_name("http") + " connector") == "an HTTP connector"
    assert article(protocol_name("soap") + " version") == "a SOAP version"
    assert article("URL") == "a URL"


def test_no_wrong_article_or_python_spelling_is_left_in_what_users_see() -> None:
    root = Path(__file__).resolve().parents[2]
    places = [root / "src" / "connectory", root / "notebooks"]
    pattern = re.compile(
        r"a openapi|a OpenAPI|\(not drafted\)|\(allow_breaking=True\)|a \{[a-z.]*protocol\}|a \{binding\.kind\}"
    )
    found = [
        f"{path.relative_to(root)}:{number}"
        for place in places
        for path in sorted(place.rglob("*"))
        if path.suffix in (".py", ".ipynb")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert not found


def test_counts_agree_with_their_nouns_and_no_changes_says_so(run) -> None:
    from pathlib import Path

    example = str(Path(__file__).resolve().parents[2] / "examples/openapi/1password-connect.json")
    shown = run("inspect", example)
    assert "15 actions, 0 triggers, 10 definitions, 1 auth method, 2 findings" in shown.stdout
    same = run("diff", example, example)
    assert same.returncode == 0, same.stderr
    assert same.stdout.strip().endswith(": no changes")

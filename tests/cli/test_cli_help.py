"""Every command's ``--help`` at 80 columns: no type placeholders (``<bool>``, ``<str>``,
``{source}``), no word broken, every paragraph filled (never broken where a source line ended)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from typing import Any

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from connectory.cli import app

WIDTH = 80


def _commands(command: Any, path: list[str]) -> Iterator[tuple[list[str], Any]]:
    yield path, command
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from _commands(sub, [*path, name])


COMMANDS = list(_commands(get_command(app), []))


def _words(command: Any) -> set[str]:
    """Every word of the help written for ``command`` and its parameters."""
    texts = [command.help or ""] + [getattr(p, "help", None) or "" for p in command.params]
    return {word for text in texts for word in text.split()}


def _description(help_text: str) -> list[list[str]]:
    """The paragraphs of the description (between the usage and the first section)."""
    body = help_text.split("\n\n", 1)[1] if "\n\n" in help_text else ""
    body = re.split(r"\n(?:Arguments|Options|Commands):\n", body, maxsplit=1)[0]
    return [paragraph.splitlines() for paragraph in body.split("\n\n") if paragraph.strip()]


@pytest.mark.parametrize(
    ("path", "command"), COMMANDS, ids=[" ".join(p) or "connectory" for p, _ in COMMANDS]
)
def test_help_reads_well_at_80_columns(path: list[str], command: Any) -> None:
    result = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": str(WIDTH)})
    assert result.exit_code == 0, result.output
    shown = result.output
    assert not re.search(r"<(bool|str|int|float|list\[\w+\])>", shown), shown
    usage = shown.splitlines()[0]
    assert usage.startswith("Usage: connectory"), usage
    assert "{" not in usage, usage
    assert all(len(line) <= WIDTH for line in shown.splitlines()), shown
    tokens = set(shown.split())
    broken = sorted(word for word in _words(command) if word not in tokens)
    assert not broken, f"words broken or lost in {' '.join(path)} --help: {broken}"
    for paragraph in _description(shown):
        for line, after in itertools.pairwise(paragraph):
            if line.startswith("  ") and after.startswith("  ") and after.strip():
                first = after.split()[0]
                assert len(line) + 1 + len(first) > WIDTH - 2, f"{line!r} could hold {first!r}"


def test_flags_have_no_placeholder_and_values_are_named() -> None:
    shown = CliRunner().invoke(app, ["onboard", "--help"], env={"COLUMNS": "80"}).output
    assert "--publish  " in shown  # a flag: no <bool>
    assert "-n, --name NAME" in shown
    assert "--version LABEL" in shown
    assert "Usage: connectory onboard [OPTIONS] SOURCE" in shown
    group = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "80"}).output
    assert "..." not in group.split("Commands:")[1]  # whole summaries, never cut

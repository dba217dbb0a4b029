"""Every command takes ``--catalog URL`` and ``--debug`` before its name and after it, as the
README says; ``test_cli_catalog_location`` checks that what is given takes effect."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import typer
from typer.core import TyperGroup
from typer.testing import CliRunner

from connectory.cli import app

URL = "sqlite:///nowhere/catalog.db"  # never opened: --help exits first


def _commands(
    command: typer.core.TyperCommand | TyperGroup, path: tuple[str, ...]
) -> Iterator[tuple[str, ...]]:
    if isinstance(command, TyperGroup):
        context = typer.Context(command)
        for name in command.list_commands(context):
            found = command.get_command(context, name)
            assert found is not None
            yield from _commands(found, (*path, name))
    else:
        yield path


COMMANDS = sorted(_commands(typer.main.get_command(app), ()))


def test_every_command_is_found() -> None:
    assert len(COMMANDS) > 30
    assert ("board", "deploy") in COMMANDS
    assert ("secret", "set") in COMMANDS


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_global_options_before_and_after_the_name(path: tuple[str, ...]) -> None:
    runner = CliRunner()
    for args in (
        ["--catalog", URL, "--debug", *path, "--help"],
        [*path, "--catalog", URL, "--debug", "--help"],
        [*path, f"--catalog={URL}", "--help"],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, f"connectory {' '.join(args)}: {result.output}"
        assert "--catalog" in result.output
        assert "--debug" in result.output

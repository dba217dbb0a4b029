"""The README says what the program does: every ``connectory`` command line in it parses with the
real CLI (without running it), every ``make`` target it names is in the Makefile, every
``CONNECTORY_*`` variable it names is read by the code and every one the code reads is in it, and
its walkthrough is what ``scripts/walkthrough.py`` runs.

A synopsis (``connectory show NAME@VERSION [--json]``) is checked for its command and each option
it names; a concrete line (``connectory list --json``) is parsed whole, as the command would be.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib.util
import re
import shlex
import subprocess
from pathlib import Path
from types import ModuleType

import pytest
import typer
from typer.core import TyperCommand, TyperGroup

from connectory.cli import app
from connectory.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
ROOT_COMMAND = typer.main.get_command(app)
GLOBAL_OPTIONS = {"--catalog": True, "--debug": False}  # takes a value?

_PLACEHOLDER = re.compile(r"[\[\]|]|\.\.\.|\b[A-Z][A-Z0-9_]*\b")
_SENTINEL_NAME = "connectory"


def _walkthrough() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "walkthrough", ROOT / "scripts" / "walkthrough.py"
    )
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _code_lines() -> list[str]:
    """The lines of the README's code blocks (indented or fenced), continuation lines joined to
    the ``connectory`` line they continue."""
    lines: list[str] = []
    fenced = False
    for line in README.splitlines():
        if line.startswith("```"):
            fenced = not fenced
            continue
        if fenced:
            lines.append(line.rstrip())
        elif line.startswith("    "):
            lines.append(line[4:].rstrip())
    joined: list[str] = []
    for line in lines:
        text = line.strip()
        if joined and joined[-1].endswith("\\"):
            joined[-1] = joined[-1][:-1].rstrip() + " " + text
        elif (
            joined
            and joined[-1].startswith("connectory ")
            and line.startswith(" ")
            and text[:1] in "[-"
        ):
            joined[-1] += " " + text  # a synopsis continued on the next line
        else:
            joined.append(text)
    return joined


def _without_comment(line: str) -> str:
    """``line`` without a trailing ``# comment`` (outside quotes)."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=False)
    lexer.whitespace_split = True
    lexer.commenters = "#"
    return shlex.join(list(lexer))


def readme_commands() -> dict[str, bool]:
    """Every ``connectory`` command line of the README, and whether it is a line of a code block
    (else a mention in its prose, such as `connectory diff`, which may leave out what it needs)."""
    found = {
        _without_comment(line): True for line in _code_lines() if line.startswith("connectory ")
    }
    for span in re.findall(r"`(connectory [^`]+)`", README):
        found.setdefault(span, False)
    return found


Command = TyperCommand | TyperGroup  # typer vendors its own click: not the click package's classes


def _resolve(words: list[str]) -> tuple[list[str], Command, list[str]]:
    """The command path, the command and the rest of ``words`` (global options before the
    command's name skipped)."""
    command: Command = ROOT_COMMAND
    path: list[str] = []
    rest = list(words)
    while isinstance(command, TyperGroup) and rest:
        word = rest.pop(0)
        if word in GLOBAL_OPTIONS:
            if GLOBAL_OPTIONS[word]:
                rest.pop(0)
            continue
        found = command.get_command(typer.Context(command), word)
        assert found is not None, f"no command {' '.join([*path, word])!r}"
        path.append(word)
        command = found
    return path, command, rest


def _options(command: Command) -> set[str]:
    return {name for param in command.params for name in (*param.opts, *param.secondary_opts)}


@pytest.mark.parametrize(("line", "in_code"), readme_commands().items())
def test_every_readme_command_is_one_the_cli_has(line: str, in_code: bool) -> None:
    words = shlex.split(line)[1:]
    path, command, rest = _resolve(words)
    assert not isinstance(command, TyperGroup), f"{line!r} names a group, not a command"
    named = {m.split("=")[0] for m in re.findall(r"(?<![\w-])(--?[A-Za-z][\w-]*)", " ".join(rest))}
    missing = named - _options(command) - {"--help"}
    assert not missing, f"{line!r}: connectory {' '.join(path)} has no {sorted(missing)}"
    if not in_code or _PLACEHOLDER.search(" ".join(rest)):
        return  # a synopsis or a mention: its command and options exist
    context = command.make_context(_SENTINEL_NAME, list(rest), resilient_parsing=False)
    assert context.command is command


def test_the_readme_names_commands_at_all() -> None:
    commands = readme_commands()
    assert len(commands) > 30
    assert any(c.startswith("connectory onboard ") for c in commands)


def test_the_walkthrough_is_read_from_the_readme_and_parses() -> None:
    commands = _walkthrough().walkthrough_commands(README)
    assert commands, "the README has no <!-- walkthrough --> block"
    assert any(c.startswith("connectory onboard ") for c in commands)
    for command in commands:
        words = shlex.split(_without_comment(command))
        assert words[0] == "connectory", command
        _, found, rest = _resolve(words[1:])
        assert not _PLACEHOLDER.search(" ".join(rest)), f"{command!r} is not concrete"
        found.make_context(_SENTINEL_NAME, rest, resilient_parsing=False)
    assert set(commands) <= {line for line in _code_lines()}


def test_a_walkthrough_marker_needs_its_block() -> None:
    walkthrough = _walkthrough()
    assert walkthrough.walkthrough_commands(
        "<!-- walkthrough -->\n```sh\nconnectory list\n# a comment\n\nconnectory info  # x\n```\n"
    ) == ["connectory list", "connectory info  # x"]
    with pytest.raises(ValueError, match="not followed by"):
        walkthrough.walkthrough_commands("<!-- walkthrough -->\n\n    connectory list\n")
    with pytest.raises(ValueError, match="not closed"):
        walkthrough.walkthrough_commands("<!-- walkthrough -->\n```\nconnectory list\n")


def test_every_make_target_the_readme_names_is_in_the_makefile() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z][\w-]*):", makefile, re.MULTILINE))
    named = set(re.findall(r"\bmake ([a-z][\w-]*)", README))
    assert named, "the README names no make target"
    assert named <= targets, f"not in the Makefile: {sorted(named - targets)}"


# The environment


def _code_variables() -> tuple[set[str], set[str]]:
    """The ``CONNECTORY_*`` names the code reads (string constants that are exactly such a name)
    and the prefixes it completes (``f"CONNECTORY_CREDENTIALS_{...}"``); docstrings and messages
    that only mention one are not reading it."""
    names: set[str] = set()
    prefixes: set[str] = set()
    files = [*(ROOT / "src").rglob("*.py"), *(ROOT / "flows").rglob("*.py")]
    for file in files:
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if re.fullmatch(r"CONNECTORY_[A-Z0-9_]*[A-Z0-9]", node.value):
                    names.add(node.value)
                elif re.fullmatch(r"CONNECTORY_(?:[A-Z0-9]+_)+", node.value):
                    prefixes.add(node.value)  # CREDENTIALS_ENV_PREFIX = "CONNECTORY_CREDENTIALS_"
            elif isinstance(node, ast.JoinedStr) and node.values:
                head = node.values[0]
                if isinstance(head, ast.Constant) and re.fullmatch(
                    r"CONNECTORY_(?:[A-Z0-9]+_)*", str(head.value)
                ):
                    prefixes.add(str(head.value))
    if "CONNECTORY_" in prefixes:  # Settings.from_env: CONNECTORY_<FIELD>
        prefixes.discard("CONNECTORY_")
        names |= {f"CONNECTORY_{field.name.upper()}" for field in dataclasses.fields(Settings)}
    return names, prefixes


def _readme_variables() -> set[str]:
    return set(re.findall(r"CONNECTORY_[A-Z0-9_]*[A-Z0-9](?:_<[A-Z]+>)?", README))


def test_every_variable_the_readme_names_is_read_by_the_code() -> None:
    names, prefixes = _code_variables()
    assert "CONNECTORY_DATABASE_URL" in names
    assert "CONNECTORY_CREDENTIALS_" in prefixes
    unknown = {
        variable
        for variable in _readme_variables()
        if variable not in names
        and not any(variable.startswith(p) and variable.endswith(">") for p in prefixes)
        and not any(variable.startswith(p) and variable[len(p) :].isupper() for p in prefixes)
    }
    assert not unknown, f"the README names variables the code does not read: {sorted(unknown)}"


def test_every_variable_the_code_reads_is_in_the_readme() -> None:
    names, prefixes = _code_variables()
    named = _readme_variables()
    undocumented = {n for n in names if n not in named}
    undocumented |= {f"{p}<NAME>" for p in prefixes if f"{p}<NAME>" not in named}
    assert not undocumented, f"the README does not say what these do: {sorted(undocumented)}"


def test_the_readme_promises_nothing_for_later() -> None:
    """What the README said was coming ("GraphQL soon") had long come: it says what is."""
    stale = re.findall(r"[^.]*\b(?:soon|not yet supported|coming|planned)\b[^.]*\.", README)
    assert not stale, stale


def test_make_setup_says_what_it_does_and_shows_pips_progress() -> None:
    """``make demo`` installed silently for four minutes; now it says so and pip shows progress,
    without setuptools' editable-install warning."""
    dry = subprocess.run(
        ["make", "-n", "-B", "setup", "VENV=/nonexistent/venv"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.splitlines()
    assert any("about 4 minutes" in line for line in dry)
    (install,) = [line for line in dry if "pip install" in line and "-e " in line]
    assert "--quiet" not in install.split()
    assert "-q" not in install.split()
    assert "PYTHONWARNINGS='ignore:Editable installation'" in install

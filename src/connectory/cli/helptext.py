"""``--help`` that reads well at 80 columns: every paragraph of a docstring reflowed (never broken
where the source line ended), flags without a value placeholder, values named for what they hold
(``FILE|URL``, ``NAME@VERSION``, ``--name NAME``: the option's metavar, else its name), required
arguments as ``SOURCE`` and optional ones as ``[NAME]``, and each command's whole summary in the
list of commands (never cut with ``...``).

``Command`` and ``Group`` are the click classes typer builds every command and group with
(``common.accept_global_options`` sets them); they use only the public attributes of click's
``Parameter`` (typer may bring its own copy of click: nothing here imports click).
"""

from __future__ import annotations

import textwrap
from typing import Any

from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

Param = TyperArgument | TyperOption
_WIDTH = 80
_TERM_WIDTH = 26

__all__ = ["Command", "Group", "metavar_of"]


def metavar_of(param: Param) -> str:
    """What stands for the value of ``param`` in help: its metavar, else its name
    in capitals (``--sunset`` -> ``SUNSET``); ``""`` for a flag."""
    if isinstance(param, TyperOption) and (param.is_flag or param.count):
        return ""
    if param.metavar:
        name = param.metavar
    elif isinstance(param, TyperOption):
        longest = max(param.opts, key=len)
        name = longest.lstrip("-").upper().replace("-", "_")
    else:
        name = (param.name or "").upper()
    if param.nargs != 1 and isinstance(param, TyperArgument) and not name.endswith("..."):
        name += "..."
    return name


def _usage_pieces(command: Any, ctx: Any) -> list[str]:
    params = command.get_params(ctx)
    pieces = ["[OPTIONS]"] if any(isinstance(p, TyperOption) for p in params) else []
    for param in params:
        if isinstance(param, TyperArgument):
            name = metavar_of(param)
            pieces.append(name if param.required or name.startswith("[") else f"[{name}]")
    return pieces


def _notes(param: Param) -> str:
    """``[default: 8; required]``: what the help of ``param`` ends with, if anything."""
    notes = []
    default = param.default
    shown = getattr(param, "show_default", None)
    if isinstance(shown, str):
        notes.append(f"default: {shown}")
    elif shown and default not in (None, False, "", (), []) and not callable(default):
        notes.append(f"default: {default}")
    if param.required and isinstance(param, TyperOption):
        notes.append("required")
    return f"  [{'; '.join(notes)}]" if notes else ""


def _option_row(option: TyperOption) -> tuple[str, str]:
    names = sorted(option.opts, key=lambda o: (o.startswith("--"), o))
    names += option.secondary_opts
    metavar = metavar_of(option)
    shown = ", ".join(names) + (f" {metavar}" if metavar else "")
    return shown, (option.help or "") + _notes(option)


def _fill(text: str, width: int, indent: int, first: str = "") -> list[str]:
    """``text`` reflowed in lines of at most ``width``, indented by ``indent`` (the first line
    starting with ``first`` instead); a word is never broken, not even at a hyphen."""
    return textwrap.wrap(
        " ".join(text.split()),
        width=width,
        initial_indent=first.ljust(indent) if first else " " * indent,
        subsequent_indent=" " * indent,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [first]


def _section(title: str, rows: list[tuple[str, str]], width: int) -> list[str]:
    """``Title:`` and each row as a term and its text beside it (below it, when it is long)."""
    column = min(max(len(term) for term, _ in rows), _TERM_WIDTH) + 4
    lines = ["", f"{title}:"]
    for term, text in rows:
        if len(term) + 4 > column:
            lines.append(f"  {term}")
            lines += _fill(text, width, column) if text.strip() else []
        else:
            lines += _fill(text, width, column, first=f"  {term}")
    return lines


def _write_help(command: Any, ctx: Any, formatter: Any) -> None:
    width = max(min(formatter.width or _WIDTH, _WIDTH), 40)
    formatter.write_usage(ctx.command_path, " ".join(command.collect_usage_pieces(ctx)))
    lines: list[str] = []
    for paragraph in (command.help or "").split("\n\n"):
        if paragraph.strip():
            lines += ["", *_fill(paragraph, width, 2)]
    params = command.get_params(ctx)
    arguments = [
        (metavar_of(p), (getattr(p, "help", None) or "") + ("" if p.required else "  [optional]"))
        for p in params
        if isinstance(p, TyperArgument)
    ]
    if arguments:
        lines += _section("Arguments", arguments, width)
    options = [_option_row(p) for p in params if isinstance(p, TyperOption) and not p.hidden]
    if options:
        lines += _section("Options", options, width)
    if isinstance(command, Group):
        rows = [(name, summary(sub)) for name, sub in command.commands_shown(ctx)]
        if rows:
            lines += _section("Commands", rows, width)
    formatter.write("\n".join(lines) + "\n")


def summary(command: Any) -> str:
    """The first paragraph of a command's help, on one line (never cut)."""
    text = command.short_help or (command.help or "").split("\n\n", 1)[0]
    return " ".join(text.split())


class Command(TyperCommand):
    """A command whose usage and help are written as the module docstring says."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        return _usage_pieces(self, ctx)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        _write_help(self, ctx, formatter)


class Group(TyperGroup):
    """A group (the ``connectory`` command, ``board``, ...): its help lists each command with
    its whole summary."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        return [*_usage_pieces(self, ctx), "COMMAND [ARGS]..."]

    def format_help(self, ctx: Any, formatter: Any) -> None:
        _write_help(self, ctx, formatter)

    def commands_shown(self, ctx: Any) -> list[tuple[str, Any]]:
        """The commands of the group its help lists, in order (hidden ones left out)."""
        found = ((name, self.get_command(ctx, name)) for name in self.list_commands(ctx))
        return [(name, command) for name, command in found if command and not command.hidden]

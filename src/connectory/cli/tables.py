"""Tables that read well at any width: no word broken in the middle, one row a line when piped.

Each column says what it holds, and so how it may give way when the table is too wide:

- ``tag``: short words (a state, a level, a count, a date): never wrapped, never shrunk.
- ``text``: prose: wrapped between words (a word longer than the column, an identifier, is
  broken between its parts: ``_``, ``-``, ``.``, ``camelCase``).
- ``path``: a location, a URL, a file: broken after a ``/``, then like a word of prose.
- ``name``: what a user types back (an action, a connector): broken like a path, and only once
  the prose and the paths have given way.

The width is ``COLUMNS`` when set, else the terminal's. Output that goes to a pipe or a file
(no ``COLUMNS``) is not fitted at all: every row is one line, and no row is left out, for
``connectory list | grep NAME`` to find whole rows.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from rich import box
from rich.console import Console, RenderableType
from rich.segment import Segment, Segments
from rich.table import Table
from rich.text import Text

__all__ = [
    "Column",
    "break_name",
    "is_piped",
    "print_fitted",
    "print_table",
    "shown_rows",
    "table",
    "width_of",
]

Kind = Literal["tag", "text", "path", "name"]
Cell = str | Text | int | None

MAX_ROWS = 40
"""Rows shown on a terminal before ``... N more``; a pipe gets every row."""

_SEPARATOR = 3  # " │ " between two columns (no outer edge, no outer padding)
_SHRINK_ORDER: tuple[Kind, ...] = ("text", "path", "name")
_COARSE = re.compile(r"(?<=[/ ?&])")
_FINE = re.compile(r"(?<=[_\-.:,=])|(?<=[a-z0-9])(?=[A-Z])")


@dataclass(frozen=True)
class Column:
    header: str
    kind: Kind = "text"
    justify: Literal["left", "right"] = "left"
    separator: str = ""
    """Where a cell of a ``text`` column may break, when not at any space (``", "``: a list)."""


def width_of(console: Console) -> int | None:
    """The width tables fit in: ``COLUMNS``, else the terminal's; None for a pipe (unbounded)."""
    columns = os.environ.get("COLUMNS", "").strip()
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    return console.width if console.is_terminal else None


def is_piped(console: Console) -> bool:
    """Whether ``console`` writes to a pipe or a file (every row shown, for grep)."""
    return not console.is_terminal


def shown_rows(console: Console, total: int, limit: int = MAX_ROWS) -> int:
    """How many of ``total`` rows to show: all when piped, else at most ``limit``."""
    return total if is_piped(console) else min(total, limit)


def _lines(cell: Text) -> list[str]:
    return cell.plain.splitlines() or [""]


def _pieces(text: str, pattern: re.Pattern[str]) -> list[str]:
    return [piece for piece in pattern.split(text) if piece]


def _coarse(text: str, separator: str = "") -> list[str]:
    """``text`` in the pieces a line may end after: words, path segments (or list items)."""
    if separator:
        parts = text.split(separator)
        return [part + separator for part in parts[:-1]] + parts[-1:]
    return _pieces(text, _COARSE)


def break_name(text: str, width: int, separator: str = "") -> list[str]:
    """``text`` in lines of at most ``width``: broken after a space or a ``/`` (or after each
    ``separator``), else between the parts of a name (``_``, ``-``, ``.``, ``camelCase``); a
    part longer than ``width`` alone is cut."""
    lines: list[str] = []
    current = ""
    for coarse in _coarse(text, separator):
        pieces = [coarse] if len(coarse.rstrip()) <= width else _pieces(coarse, _FINE)
        for piece in pieces:
            while len(piece.rstrip()) > width:  # a part longer than the column: cut it
                if current:
                    lines.append(current)
                    current = ""
                lines.append(piece[:width])
                piece = piece[width:]
            if len(current) + len(piece.rstrip()) > width:
                lines.append(current)
                current = ""
            current += piece
    lines.append(current)
    return [line.rstrip() for line in lines if line.strip()] or [""]


def _floors(column: Column, cells: list[Text]) -> tuple[int, int]:
    """How narrow the column may be without breaking a word, then without breaking a part of
    a name (a tag: its full width, both times)."""
    lines = [line for cell in cells for line in _lines(cell)]
    if column.kind == "tag":
        whole = max([len(column.header), *(len(line) for line in lines)])
        return whole, whole
    coarse = [piece.rstrip() for line in lines for piece in _coarse(line, column.separator)]
    fine = [piece for word in coarse for piece in _pieces(word, _FINE)]
    return (
        max([len(column.header), *(len(word) for word in coarse)]),
        max([len(column.header), *(len(part) for part in fine)]),
    )


def _shrink(widths: list[int], floors: list[int], columns: list[int], excess: int) -> int:
    """Take ``excess`` from ``columns``, the widest first, none below its floor; what is left."""
    while excess > 0:
        wider = [i for i in columns if widths[i] > floors[i]]
        if not wider:
            break
        widest = max(wider, key=lambda i: widths[i])
        widths[widest] -= 1
        excess -= 1
    return excess


def _fit(columns: Sequence[Column], cells: list[list[Text]], width: int | None) -> list[int]:
    """Each column's width: its natural one when the table fits; else prose and paths give way
    first (the widest first), then names, none below its longest word; then below that, between
    the parts of a name; then to 8 characters. Tags never give way."""
    natural = [
        max([len(column.header), *(len(line) for cell in cells[i] for line in _lines(cell))])
        for i, column in enumerate(columns)
    ]
    if width is None:
        return natural
    widths = list(natural)
    excess = sum(widths) + _SEPARATOR * (len(columns) - 1) - width
    words, parts = zip(
        *(_floors(column, cells[i]) for i, column in enumerate(columns)), strict=True
    )
    loose = [i for i, column in enumerate(columns) if column.kind in ("text", "path")]
    names = [i for i, column in enumerate(columns) if column.kind == "name"]
    cut = [8 if column.kind != "tag" else natural[i] for i, column in enumerate(columns)]
    for floors, which in (
        (words, loose),
        (words, names),
        (parts, loose + names),
        (cut, loose + names),
    ):
        excess = _shrink(widths, list(floors), which, excess)
    return widths


def _cell(value: Cell) -> Text:
    """A cell of data, shown as it is, never read as markup (document text has brackets)."""
    if isinstance(value, Text):
        return value
    return Text("" if value is None else str(value))


def _broken(cell: Text, width: int, separator: str) -> Text:
    if all(len(line) <= width for line in _lines(cell)):
        return cell
    lines = [part for line in _lines(cell) for part in break_name(line, width, separator)]
    return Text("\n".join(lines), style=cell.style)


def table(
    columns: Sequence[Column],
    rows: Iterable[Sequence[Cell]],
    *,
    width: int | None,
    title: str = "",
    header: bool = True,
) -> Table:
    """A ``rich`` table of ``rows`` whose columns fit ``width`` (None: unbounded)."""
    texts = [[_cell(value) for value in row] for row in rows]
    by_column = [[row[i] for row in texts] for i in range(len(columns))]
    widths = _fit(columns, by_column, width)
    shown = Table(
        title=title or None,
        title_justify="left",
        show_header=header,
        show_edge=False,
        pad_edge=False,
        box=box.HEAVY_HEAD if header else None,
        padding=(0, 1) if header else (0, 2, 0, 0),
    )
    for column, column_width in zip(columns, widths, strict=True):
        shown.add_column(
            column.header,
            width=column_width,
            no_wrap=True,
            overflow="fold",
            justify=column.justify,
        )
    for row in texts:
        shown.add_row(
            *(
                cell if column.kind == "tag" else _broken(cell, column_width, column.separator)
                for cell, column, column_width in zip(row, columns, widths, strict=True)
            )
        )
    return shown


def print_table(
    console: Console,
    columns: Sequence[Column],
    rows: Sequence[Sequence[Cell]],
    *,
    title: str = "",
    what: str = "rows",
    header: bool = True,
    limit: int = MAX_ROWS,
) -> None:
    """Print ``rows`` as a table fitted to the console (see the module docstring); on a
    terminal, at most ``limit`` rows, then a line saying how many more there are."""
    width = width_of(console)
    count = shown_rows(console, len(rows), limit)
    shown = table(columns, rows[:count], width=width, title=title, header=header)
    print_fitted(console, shown, width)
    if count < len(rows):
        more = f"... and {len(rows) - count} more {what} (--json shows every one)."
        console.print(Text(more, style="dim"), soft_wrap=True)


def print_fitted(console: Console, renderable: RenderableType, width: int | None) -> None:
    """Print ``renderable`` laid out at ``width`` (None: as wide as it needs), whatever width
    ``console`` took when it was made."""
    options = console.options.update_width(width or 1_000_000)
    lines = Segment.split_lines(console.render(renderable, options))
    segments: list[Segment] = []
    for line in lines:
        segments += _rstripped(line)
        segments.append(Segment.line())
    console.print(Segments(segments), crop=False, soft_wrap=True, end="")


def _rstripped(line: list[Segment]) -> list[Segment]:
    """``line`` without the spaces that pad it on the right (a pipe gets no trailing blanks)."""
    kept = list(line)
    while kept and not kept[-1].control and not kept[-1].text.strip():
        kept.pop()
    if kept and not kept[-1].control:
        last = kept[-1]
        kept[-1] = Segment(last.text.rstrip(), last.style)
    return kept

"""What the flows' artifacts and results say: one line per error, markdown table cells."""

from __future__ import annotations

from connectory.errors import ConnectoryError

__all__ = ["cell", "error_text"]


def error_text(error: BaseException) -> str:
    """One line for a failure: Connectory's own errors name the problem and where it is."""
    if isinstance(error, ConnectoryError):
        return str(error)
    first = str(error).splitlines()[0] if str(error) else ""
    return f"{type(error).__name__}: {first}"


def cell(text: object) -> str:
    """``text`` fit for a markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")

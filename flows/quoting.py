"""``quoted``: Prefect's ``quote`` typed as the value it wraps.

A task argument wrapped in ``quote`` is passed to the task as it is, without Prefect walking it
for futures to resolve (a parsed document, a whole version). The task receives the value itself,
but Prefect types a task's parameters by the task function's signature, so the ``quote`` wrapper
does not type-check as an argument; ``quoted(value)`` is the same wrapper, typed as ``value``.
"""

from __future__ import annotations

from typing import TypeVar, cast

from prefect.utilities.annotations import quote

__all__ = ["quoted"]

T = TypeVar("T")


def quoted(value: T) -> T:
    """``quote(value)``, typed as the task receives it: as ``value``."""
    return cast("T", quote(value))

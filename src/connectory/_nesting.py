"""What a JSON value holds, asked without recursion (so that any depth is safe to ask about):
how deep it nests, and whether a string in it holds a NUL character.

pydantic serialises at most 254 nested levels below a model and Python's own recursion stops near
1000: a value that must be shown again later (a delivery in the inbox, a version over the API) is
refused at the door when it nests deeper than its caller's limit, rather than failing every time
it is read.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__all__ = ["deeper_than", "holds_nul"]


def deeper_than(value: Any, limit: int) -> bool:
    """Whether ``value`` (dicts, lists and scalars) nests containers more than ``limit`` deep.

    A scalar is 0 deep, ``[1]`` and ``{"a": 1}`` are 1 deep, ``{"a": [1]}`` is 2 deep.
    """
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        children: Iterable[Any]
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list | tuple):
            children = item
        else:
            continue
        depth += 1
        if depth > limit:
            return True
        stack.extend((child, depth) for child in children if isinstance(child, dict | list | tuple))
    return False


def holds_nul(value: Any) -> bool:
    """Whether a string of ``value``, or a key of an object in it, holds U+0000 (which
    PostgreSQL cannot store in text)."""
    stack: list[Any] = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return False

"""Names of a version's actions and triggers, unique within it, for every protocol."""

from __future__ import annotations

__all__ = ["unique_name"]


def unique_name(base: str, taken: set[str]) -> str:
    """``base``, or ``base_2``, ``base_3``... whichever is free first; the result is marked taken."""
    name = base
    counter = 2
    while name in taken:
        name = f"{base}_{counter}"
        counter += 1
    taken.add(name)
    return name

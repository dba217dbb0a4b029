"""Regular expressions that may backtrack without end, recognised before they run.

``risky_pattern(pattern)``: a repeat holding a repeat or an alternation (``(a+)+``, ``(a|aa)*``)
can take exponential time on a crafted text. JSON Schema ``pattern``s of a hostile document and the
regular expressions a login step declares are checked with it: the former are skipped when
validating, the latter refused when a version is drafted.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

try:  # the parser behind ``re``: private, but stable since Python 3.11
    import re._constants as _sre_constants  # type: ignore[import-not-found]
    import re._parser as _sre_parse  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - older layouts
    import sre_constants as _sre_constants
    import sre_parse as _sre_parse

__all__ = ["risky_pattern"]

_REPEATS = {_sre_constants.MAX_REPEAT, _sre_constants.MIN_REPEAT}
if hasattr(_sre_constants, "POSSESSIVE_REPEAT"):
    _REPEATS.add(_sre_constants.POSSESSIVE_REPEAT)


def _walk_pattern(items: Any) -> Iterator[tuple[Any, Any]]:
    for op, av in items:
        yield op, av
        if op in _REPEATS:
            yield from _walk_pattern(av[2])
        elif op is _sre_constants.SUBPATTERN:
            yield from _walk_pattern(av[-1])
        elif op is _sre_constants.BRANCH:
            for branch in av[1]:
                yield from _walk_pattern(branch)
        elif op in (_sre_constants.ASSERT, _sre_constants.ASSERT_NOT):
            yield from _walk_pattern(av[1])


@lru_cache(maxsize=4096)
def risky_pattern(pattern: str) -> bool:
    """Whether ``pattern`` has a repeat holding a repeat or an alternation (it may backtrack)."""
    try:
        parsed = _sre_parse.parse(pattern)
    except Exception:  # any failure to parse: do not run it
        return True
    for op, av in _walk_pattern(parsed):
        if op in _REPEATS and av[1] > 1:
            inner = list(_walk_pattern(av[2]))
            if any(o is _sre_constants.BRANCH or (o in _REPEATS and a[1] > 1) for o, a in inner):
                return True
    return False

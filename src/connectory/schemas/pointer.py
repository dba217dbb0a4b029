"""JSON pointers (RFC 6901): the one place reference tokens are escaped and unescaped.

A token escapes ``~`` as ``~0`` and ``/`` as ``~1`` (in that order), and unescapes the other way
round, so that ``~01`` stays the token ``~1``::

    pointer("paths", "/pets", "get")   -> "/paths/~1pets/get"
    unescape("~1pets")                 -> "/pets"
"""

from __future__ import annotations

__all__ = ["escape", "pointer", "unescape"]


def escape(token: object) -> str:
    """One reference token of a JSON pointer (``str(token)``): ``~`` -> ``~0``, ``/`` -> ``~1``."""
    text = token if isinstance(token, str) else str(token)
    if "~" in text or "/" in text:
        return text.replace("~", "~0").replace("/", "~1")
    return text


def unescape(token: str) -> str:
    """The key a reference token stands for: ``~1`` -> ``/``, ``~0`` -> ``~``."""
    if "~" in token:
        return token.replace("~1", "/").replace("~0", "~")
    return token


def pointer(*tokens: object) -> str:
    """The JSON pointer of ``tokens`` (keys or indices) from the root: ``""`` for none."""
    return "".join("/" + escape(token) for token in tokens)

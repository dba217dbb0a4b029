"""Collect the findings of one generation run: severity, kind, JSON pointer, message.

Severities: ``error`` when part of the document is broken and the generated connector had to drop or
replace it (an unresolvable ``$ref``, a reference loop); ``warning`` when the document breaks a rule
and the generator coped (an invalid regex, a duplicate operationId); ``info`` for a rule applied as
the specification says (an ignored ``Authorization`` header parameter).
"""

from __future__ import annotations

from connectory.model.findings import Findings

__all__ = ["Findings", "shorten"]

_MAX_VALUE = 80


def shorten(value: object) -> str:
    """``repr(value)``, cut to a length that fits in a message."""
    text = repr(value)
    return text if len(text) <= _MAX_VALUE else text[: _MAX_VALUE - 3] + "..."

"""The path and query parameters of the API, with the rules they follow (and its OpenAPI says).

Connector and board names are slugs (``connectory.model.check_name``), version labels follow
``check_label`` (``latest`` and ``default`` resolve in paths); a request that breaks a rule is
answered 400 before any route runs.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

from connectory.catalog._deliveries import MAX_LIMIT
from connectory.model.version import _LABEL, _NAME  # the rules check_name and check_label apply

__all__ = [
    "LABEL_RULE",
    "BoardName",
    "ContentHash",
    "Label",
    "LabelQuery",
    "Limit",
    "Name",
    "NewLabel",
    "Reason",
    "TriggerName",
    "TriggerQuery",
]

_NAME_RULE = f"^{_NAME.pattern}$"
LABEL_RULE = f"^{_LABEL.pattern}$"
_LABEL_RULE = LABEL_RULE
_NAME_HELP = "1-64 lower-case letters, digits, '.', '_' or '-', starting and ending with a letter or digit."  # fmt: skip
_LABEL_HELP = "1-64 letters, digits, '.', '_', '+' or '-', starting and ending with a letter or digit"  # fmt: skip

Name = Annotated[
    str, Path(pattern=_NAME_RULE, max_length=64, description=f"A connector name: {_NAME_HELP}")
]
BoardName = Annotated[
    str, Path(pattern=_NAME_RULE, max_length=64, description=f"A board name: {_NAME_HELP}")
]
Label = Annotated[
    str,
    Path(
        pattern=_LABEL_RULE,
        max_length=64,
        description=f"A version label ({_LABEL_HELP}), or latest or default.",
    ),
]
LabelQuery = Annotated[
    str,
    Query(
        pattern=_LABEL_RULE,
        max_length=64,
        description=f"A version label ({_LABEL_HELP}), or latest or default.",
    ),
]
NewLabel = Annotated[
    str | None,
    Query(
        pattern=_LABEL_RULE,
        max_length=64,
        description=f"The label to store it under ({_LABEL_HELP}; not latest or default). "
        "Default: the version's own, else derived from the document.",
    ),
]
TriggerName = Annotated[
    str, Path(min_length=1, max_length=200, description="A trigger of the version, by name.")
]
TriggerQuery = Annotated[
    str | None, Query(min_length=1, max_length=200, description="Only this trigger's.")
]
Limit = Annotated[
    int, Query(ge=1, le=MAX_LIMIT, description=f"At most this many (1 to {MAX_LIMIT}).")
]
ContentHash = Annotated[
    str | None,
    Query(
        pattern="^[0-9a-f]{64}$",
        description="The content_sha256 of the version its caller reviewed: a draft that holds "
        "other content by now is not published (409).",
    ),
]
Reason = Annotated[
    str | None, Query(max_length=1000, description="Why, kept with the record (1000 characters).")
]

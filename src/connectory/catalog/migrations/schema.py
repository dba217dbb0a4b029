"""What the migrations from 0004 on share: the schema their PostgreSQL guards pin themselves to."""

from __future__ import annotations

import sqlalchemy as sa

__all__ = ["quoted_schema"]


def quoted_schema(bind: sa.Connection) -> str:
    """The current schema (PostgreSQL), quoted: the one ``search_path`` names first."""
    schema = bind.scalar(sa.text("SELECT current_schema()"))
    if schema is None:
        raise RuntimeError("no current schema: the search_path names no existing schema")
    return str(bind.dialect.identifier_preparer.quote_identifier(str(schema)))

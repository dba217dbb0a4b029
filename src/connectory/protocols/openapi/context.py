"""What every generation step shares: the resolver, the schema converter, the findings."""

from __future__ import annotations

from dataclasses import dataclass

from .findings import Findings
from .refs import Resolver
from .schemas import SchemaConverter

__all__ = ["Context"]


@dataclass(frozen=True)
class Context:
    """The state of one ``generate`` call over one document."""

    resolver: Resolver
    schemas: SchemaConverter
    findings: Findings
    scheme_names: frozenset[str]
    """The keys of ``components.securitySchemes``: the names a ``security`` requirement may use."""

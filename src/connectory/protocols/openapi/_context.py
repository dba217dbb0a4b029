"""What every generation step shares: the resolver, the schema converter, the findings, the dialect."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from connectory.model.version import JsonSchema
from connectory.settings import Settings, Tally

from ._refs import Loc, Resolver
from ._schemas import SchemaConverter
from .findings import Findings

__all__ = ["Context", "Example"]

Example = tuple[Loc, Any, JsonSchema]
"""An example met in the description: where it is, its value, the schema it should match."""


@dataclass(frozen=True)
class Context:
    """The state of one ``generate`` call over one description."""

    resolver: Resolver
    schemas: SchemaConverter
    findings: Findings
    scheme_names: frozenset[str]
    """The names of the security schemes: the names a ``security`` requirement may use."""
    version: str
    """``2.0`` (Swagger), ``3.0`` or ``3.1``."""
    settings: Settings
    consumes: tuple[str, ...] = ()
    """Swagger 2.0: the document's default request media types."""
    produces: tuple[str, ...] = ()
    """Swagger 2.0: the document's default response media types."""
    examples: list[Example] = field(default_factory=list)
    """Examples of parameters, media types and headers (the converter keeps those of schemas)."""
    operations: Tally | None = None
    """The operations met so far (paths, webhooks, callbacks), against ``max_operations``."""

    @property
    def swagger(self) -> bool:
        return self.version == "2.0"

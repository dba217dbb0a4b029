"""The base of every record of the domain model (``connectory.model``, ``connectory.model.bindings``)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

__all__ = ["Record"]


class Record(BaseModel):
    """Unknown fields are refused; fields are given and shown by their aliases (``schema``)."""

    model_config = ConfigDict(
        extra="forbid", validate_by_name=True, validate_by_alias=True, serialize_by_alias=True
    )

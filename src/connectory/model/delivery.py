"""``Delivery``: one request a system sent to a trigger, as the store keeps it.

Receiving one (verification, the payload checked) is ``connectory.runtime.deliveries``.
"""

from __future__ import annotations

from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

__all__ = ["MAX_PAYLOAD_DEPTH", "Delivery"]

MAX_PAYLOAD_DEPTH = 128
"""Refuse a JSON payload nested deeper than this (pydantic shows at most 254 levels)."""


class Delivery(BaseModel):
    """One request a system sent to a trigger of a connector version."""

    model_config = ConfigDict(extra="forbid")

    id: int | None = None
    connector: str
    version: str
    trigger: str
    verified: bool = Field(description="Its signature was checked (False: the trigger has none).")
    problems: list[str] = Field(default_factory=list)
    headers: dict[str, str] = Field(default_factory=dict)
    payload: Any = None
    signature_sha256: str | None = Field(
        default=None,
        description="The sha256 of its verified signature: a signature is kept once, so a "
        "delivery sent again with the same signature (a replay or a retry) is not kept again.",
    )
    received_at: AwareDatetime | None = None

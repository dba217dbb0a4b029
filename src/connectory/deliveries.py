"""Trigger deliveries: what a system sends to a connector's webhook, verified and checked.

``receive(version, trigger, headers, body, secret)`` turns one HTTP request into a ``Delivery``:

- verified when the trigger says how (``Trigger.verification``, an HMAC): the signature header,
  without its prefix, must equal the HMAC of ``signed_payload`` (``{timestamp}`` and ``{body}``
  filled in) under the secret, compared in constant time; with a ``timestamp_header``, the
  timestamp must be within ``tolerance_seconds`` of now (no replays of old deliveries). A missing
  or wrong signature, a stale timestamp, or no secret to check with: ``DeliveryRefused``;
- its payload parsed as JSON when it is (strictly: ``connectory.documents``) and checked against
  the trigger's payload schema: what does not fit goes in ``problems`` (the system sent it; it is
  kept, and said);
- its headers kept, but for those that carry credentials.

The secret comes from the connector's credentials (``CONNECTORY_CREDENTIALS_<NAME>``): the entry
named after the trigger, else the entry ``webhooks``, its ``secret``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Mapping
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, SecretStr

from .documents import parse_json
from .errors import ConnectoryError, InputError, NotFound
from .model import ConnectorVersion, Trigger
from .schemas import errors_of

__all__ = ["Delivery", "DeliveryRefused", "receive", "secret_for", "trigger_of"]

_PRIVATE_HEADERS = {"authorization", "proxy-authorization", "cookie", "x-api-key"}
_MAX_PROBLEMS = 50


class DeliveryRefused(InputError):
    """A delivery whose signature is missing, wrong or stale (HTTP 401)."""


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
    received_at: AwareDatetime | None = None


def trigger_of(version: ConnectorVersion, name: str) -> Trigger:
    for trigger in version.triggers:
        if trigger.name == name:
            return trigger
    raise NotFound(f"trigger of {version.ref}", name, (t.name for t in version.triggers))


def secret_for(
    credentials: Mapping[str, Mapping[str, SecretStr]], trigger: str
) -> SecretStr | None:
    """The verification secret of ``trigger`` among a connector's credentials."""
    for entry in (trigger, "webhooks"):
        secret = credentials.get(entry, {}).get("secret")
        if secret is not None:
            return secret
    return None


def _verify(trigger: Trigger, headers: Mapping[str, str], body: bytes, secret: SecretStr | None,
            now: float) -> bool:  # fmt: skip
    rule = trigger.verification
    if rule is None:
        return False
    where = f"the {trigger.name} webhook"
    if secret is None:
        raise DeliveryRefused(f"{where} is signed, and no secret is configured to check it")
    lowered = {name.lower(): value for name, value in headers.items()}
    signature = lowered.get(rule.header.lower())
    if not signature:
        raise DeliveryRefused(f"{where}: no {rule.header} header")
    timestamp = ""
    if rule.timestamp_header:
        timestamp = lowered.get(rule.timestamp_header.lower(), "")
        try:
            stale = abs(now - float(timestamp)) > rule.tolerance_seconds
        except ValueError:
            stale = True
        if stale:
            raise DeliveryRefused(
                f"{where}: the {rule.timestamp_header} timestamp is missing or more than "
                f"{rule.tolerance_seconds} s away"
            )
    before, _, after = rule.signed_payload.partition("{body}")
    signed = before.replace("{timestamp}", timestamp).encode() + body
    signed += after.replace("{timestamp}", timestamp).encode()
    digest = hmac.new(secret.get_secret_value().encode(), signed, getattr(hashlib, rule.algorithm))
    expected = (
        digest.hexdigest() if rule.encoding == "hex" else base64.b64encode(digest.digest()).decode()
    )
    given = signature.strip().removeprefix(rule.prefix)
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise DeliveryRefused(f"{where}: the {rule.header} signature does not match")
    return True


def receive(
    version: ConnectorVersion,
    trigger_name: str,
    headers: Mapping[str, str],
    body: bytes,
    secret: SecretStr | None = None,
    *,
    now: float | None = None,
) -> Delivery:
    """The delivery ``body`` (with ``headers``) is, for ``trigger_name`` of ``version``."""
    trigger = trigger_of(version, trigger_name)
    verified = _verify(trigger, headers, body, secret, time.time() if now is None else now)
    problems: list[str] = []
    text = body.decode("utf-8", errors="replace")
    payload: Any = text
    media = {k.lower(): v for k, v in headers.items()}.get("content-type", "").split(";")[0]
    if media.strip().endswith("json") or text.lstrip().startswith(("{", "[")):
        try:
            payload = parse_json(text, "the delivery")
        except ConnectoryError as error:
            problems.append(f"not JSON: {error}")
    if trigger.payload is not None and not problems:
        problems = errors_of(
            trigger.payload, version, payload, root="(payload)", limit=_MAX_PROBLEMS
        )
    kept = {k: v for k, v in headers.items() if k.lower() not in _PRIVATE_HEADERS}
    return Delivery(
        connector=version.connector,
        version=version.version or "",
        trigger=trigger.name,
        verified=verified,
        problems=problems,
        headers=kept,
        payload=payload,
    )

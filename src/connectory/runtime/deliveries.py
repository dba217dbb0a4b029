"""Trigger deliveries: what a system sends to a connector's webhook, verified and checked.

``receive(version, trigger, headers, body, secret)`` turns one HTTP request into a ``Delivery``:

- verified when the trigger says how (``Trigger.verification``, an HMAC): the signature header,
  without its prefix, must equal the HMAC of ``signed_payload`` (``{timestamp}`` and ``{body}``
  filled in) under the secret, compared in constant time; with a ``timestamp_header``, the
  timestamp (whole seconds since 1970, ASCII digits only: no ``nan``, ``inf``, sign or exponent)
  must be within ``tolerance_seconds`` of now. A rule whose ``signed_payload`` leaves out the body
  (or the timestamp it checks) protects nothing: its deliveries are refused. A missing or wrong signature, a missing, malformed
  or stale timestamp, or no secret to check with: ``DeliveryRefused``. ``admit`` makes the checks
  that need no body, so that a server can refuse before it reads one;
- its signature's sha256 kept (``signature_sha256``): the store keeps a signature once, so that
  the same signed request sent again (a replay, or a provider's retry) is not kept twice;
- its payload parsed as JSON when it is (strictly: ``connectory.documents.decode``) and checked against
  the trigger's payload schema: what does not fit goes in ``problems`` (the system sent it; it is
  kept, and said). The check is bounded (``CHECK_SECONDS``, and no ``pattern`` whose backtracking
  can explode is run: ``connectory.schemas.bounded_validator_class``): a schema with such a
  pattern cannot let a sender hold the server. A payload nested deeper than ``MAX_PAYLOAD_DEPTH`` is refused
  (``DocumentError``): the inbox must be able to show every delivery it keeps;
- its headers kept, but for those that carry credentials.

The secret comes from the connector's credentials (``CONNECTORY_CREDENTIALS_<NAME>``): the entry
named after the trigger, else the entry ``webhooks``, its ``secret``. ``receiving_label`` says
which version of a connector takes a delivery (``latest``, else the newest deprecated version
before its sunset: a deprecated version keeps working until then) without loading any version,
and ``verify`` checks a signature with the trigger alone, so that a server loads a version only
for a caller it knows (``connectory.api.hooks``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr

from connectory._nesting import deeper_than
from connectory.documents.decode import parse_json
from connectory.errors import ConnectoryError, DocumentError, InputError, NotFound
from connectory.model.delivery import MAX_PAYLOAD_DEPTH, Delivery
from connectory.model.version import ConnectorVersion, Trigger, Verification
from connectory.schemas.registry import errors_of
from connectory.settings import DEFAULT_SETTINGS, Settings

if TYPE_CHECKING:
    from connectory.catalog import Catalog

__all__ = [
    "CHECK_SECONDS",
    "MAX_PAYLOAD_DEPTH",
    "Delivery",
    "DeliveryRefused",
    "SunsetPassed",
    "admit",
    "receive",
    "receiving_label",
    "secret_for",
    "trigger_of",
    "verify",
]

CHECK_SECONDS = 1.0
"""Check a payload against the trigger's schema for at most this long."""

_PRIVATE_HEADERS = {"authorization", "proxy-authorization", "cookie", "x-api-key"}
_MAX_PROBLEMS = 50
_SECONDS = re.compile(r"[0-9]{1,12}")


class DeliveryRefused(InputError):
    """A delivery whose signature is missing, wrong or stale (HTTP 401)."""


class SunsetPassed(NotFound):
    """A deprecated version whose sunset has passed: it takes no more deliveries (HTTP 404)."""

    def __init__(self, ref: str, sunset: date) -> None:
        ConnectoryError.__init__(
            self, f"{ref} reached its sunset on {sunset}: it takes no deliveries"
        )
        self.known: list[str] = []


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


def receiving_label(
    catalog: Catalog, connector: str, label: str = "latest", *, today: date | None = None
) -> str:
    """The label of the version of ``connector`` that takes a delivery addressed to ``label``,
    found without loading any version's content.

    ``latest`` is the newest published version, else the newest deprecated one whose sunset has
    not passed. A deprecated version takes deliveries until its sunset (that day included), not
    after; a draft named by its label takes them (to try it before publishing).
    """
    today = today or datetime.now(UTC).date()
    versions = catalog.list_versions(connector)  # NotFound for an unknown connector
    try:
        found = catalog.resolve(connector, label)
    except NotFound:
        usable = [
            (v.published_at, order, v.label)
            for order, v in enumerate(versions)
            if v.state == "deprecated" and (v.sunset is None or v.sunset >= today)
        ]
        if label != "latest" or not usable:
            raise
        found = max(usable)[2]
    info = next((v for v in versions if v.label == found), None)
    if info is None:  # deleted meanwhile
        raise NotFound(f"version of {connector}", found, [v.label for v in versions])
    if info.state == "deprecated" and info.sunset is not None and info.sunset < today:
        raise SunsetPassed(f"{connector}@{found}", info.sunset)
    return found


def _headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


def admit(
    trigger: Trigger,
    headers: Mapping[str, str],
    secret: SecretStr | None,
    *,
    now: float | None = None,
    settings: Settings = DEFAULT_SETTINGS,
) -> None:
    """Refuse (``DeliveryRefused``), before its body is read, a delivery to a signed trigger that
    cannot be right: no secret to check it with, no signature header, or a timestamp missing,
    malformed or outside the tolerance (the trigger's, capped by
    ``settings.max_delivery_tolerance_seconds``). An unsigned trigger admits every delivery."""
    rule = trigger.verification
    if rule is not None:
        tolerance = min(rule.tolerance_seconds, settings.max_delivery_tolerance_seconds)
        _timestamp(
            trigger.name,
            rule,
            _headers(headers),
            secret,
            time.time() if now is None else now,
            tolerance,
        )


def _timestamp(
    name: str,
    rule: Verification,
    headers: Mapping[str, str],
    secret: SecretStr | None,
    now: float,
    tolerance: int,
) -> str:
    where = f"the {name} webhook"
    if "{body}" not in rule.signed_payload or (
        rule.timestamp_header and "{timestamp}" not in rule.signed_payload
    ):
        raise DeliveryRefused(
            f"{where}: its verification signs {rule.signed_payload!r}, not the body and the "
            "timestamp: a signature could be reused for any delivery"
        )
    if secret is None:
        raise DeliveryRefused(f"{where} is signed, and no secret is configured to check it")
    if not headers.get(rule.header.lower()):
        raise DeliveryRefused(f"{where}: no {rule.header} header")
    if not rule.timestamp_header:
        return ""
    stamp = headers.get(rule.timestamp_header.lower())
    if not stamp:
        raise DeliveryRefused(f"{where}: no {rule.timestamp_header} header")
    if not _SECONDS.fullmatch(stamp):
        raise DeliveryRefused(
            f"{where}: the {rule.timestamp_header} header is not a whole number of seconds "
            "since 1970"
        )
    if abs(now - int(stamp)) > tolerance:
        raise DeliveryRefused(
            f"{where}: the {rule.timestamp_header} timestamp is more than {tolerance} s away"
        )
    return stamp


def verify(
    trigger: Trigger,
    headers: Mapping[str, str],
    body: bytes,
    secret: SecretStr | None,
    *,
    now: float | None = None,
    settings: Settings = DEFAULT_SETTINGS,
) -> str | None:
    """The sha256 of the delivery's signature once verified (``DeliveryRefused`` if it does
    not check); None for an unsigned trigger. Needs the trigger alone, not its version."""
    rule = trigger.verification
    if rule is None:
        return None
    lowered = _headers(headers)
    now = time.time() if now is None else now
    tolerance = min(rule.tolerance_seconds, settings.max_delivery_tolerance_seconds)
    timestamp = _timestamp(trigger.name, rule, lowered, secret, now, tolerance)
    assert secret is not None  # _timestamp refuses a signed delivery without one
    before, _, after = rule.signed_payload.partition("{body}")
    signed = before.replace("{timestamp}", timestamp).encode() + body
    signed += after.replace("{timestamp}", timestamp).encode()
    digest = hmac.new(secret.get_secret_value().encode(), signed, getattr(hashlib, rule.algorithm))
    expected = (
        digest.hexdigest() if rule.encoding == "hex" else base64.b64encode(digest.digest()).decode()
    )
    given = lowered[rule.header.lower()].strip().removeprefix(rule.prefix)
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise DeliveryRefused(f"the {trigger.name} webhook: the {rule.header} signature does not match")  # fmt: skip
    return hashlib.sha256(digest.digest()).hexdigest()


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
    signature = verify(trigger, headers, body, secret, now=now)
    problems: list[str] = []
    text = body.decode("utf-8", errors="replace")
    payload: Any = text
    media = _headers(headers).get("content-type", "").split(";")[0]
    if media.strip().endswith("json") or text.lstrip().startswith(("{", "[")):
        try:
            payload = parse_json(text, "the delivery")
        except ConnectoryError as error:
            problems.append(f"not JSON: {error}")
    if deeper_than(payload, MAX_PAYLOAD_DEPTH):
        raise DocumentError(
            f"the delivery is nested more than {MAX_PAYLOAD_DEPTH} levels deep",
            location=f"the {trigger.name} webhook",
        )
    if trigger.payload is not None and not problems:
        problems = errors_of(
            trigger.payload,
            version,
            payload,
            root="(payload)",
            limit=_MAX_PROBLEMS,
            seconds=CHECK_SECONDS,
        )
    kept = {k: v for k, v in headers.items() if k.lower() not in _PRIVATE_HEADERS}
    return Delivery(
        connector=version.connector,
        version=version.version or "",
        trigger=trigger.name,
        verified=signature is not None,
        problems=problems,
        headers=kept,
        payload=payload,
        signature_sha256=signature,
    )

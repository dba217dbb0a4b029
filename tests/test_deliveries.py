"""connectory.deliveries: signatures in each encoding and form, payloads checked against schemas."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest
from pydantic import SecretStr

from connectory.deliveries import DeliveryRefused, receive, secret_for
from connectory.errors import NotFound
from connectory.model import HttpTriggerBinding, Trigger, Verification

from .samples import small_version

BODY = b'{"id": 1}'
KEY = "k3y"


def _version(verification: Verification | None, payload: dict | None = None):  # type: ignore[no-untyped-def]
    trigger = Trigger(
        name="event",
        kind="webhook",
        binding=HttpTriggerBinding(path="event"),
        payload=payload,
        verification=verification,
    )
    return small_version().model_copy(update={"version": "1", "triggers": [trigger]})


@pytest.mark.parametrize("algorithm", ["sha1", "sha256", "sha512"])
def test_base64_signatures_of_the_body_alone(algorithm: str) -> None:
    rule = Verification(header="X-Hub", algorithm=algorithm, signed_payload="{body}", encoding="base64")  # type: ignore[arg-type]  # fmt: skip
    digest = hmac.new(KEY.encode(), BODY, getattr(hashlib, algorithm)).digest()
    headers = {"x-hub": base64.b64encode(digest).decode()}  # header names in any case
    delivery = receive(_version(rule), "event", headers, BODY, SecretStr(KEY))
    assert (delivery.verified, delivery.payload) == (True, {"id": 1})
    with pytest.raises(DeliveryRefused, match="does not match"):
        receive(_version(rule), "event", headers, BODY + b" ", SecretStr(KEY))


def test_the_payload_is_checked_and_credentials_are_not_kept() -> None:
    schema = {"type": "object", "required": ["name"]}
    headers = {"Authorization": "Bearer x", "Cookie": "a=b", "X-Request-Id": "r1"}
    delivery = receive(_version(None, schema), "event", headers, BODY)
    assert delivery.verified is False
    assert delivery.problems == ["(payload): 'name' is a required property"]
    assert delivery.headers == {"X-Request-Id": "r1"}
    broken = receive(_version(None, schema), "event", {"Content-Type": "application/json"}, b"{")
    assert broken.payload == "{"
    assert broken.problems[0].startswith("not JSON: ")


def test_secrets_and_triggers_are_found_by_name() -> None:
    credentials = {"event": {"secret": SecretStr("a")}, "webhooks": {"secret": SecretStr("b")}}
    assert secret_for(credentials, "event").get_secret_value() == "a"  # type: ignore[union-attr]
    assert secret_for(credentials, "other").get_secret_value() == "b"  # type: ignore[union-attr]
    assert secret_for({}, "event") is None
    with pytest.raises(NotFound, match=r"no trigger of acme@1 'nope' \(known: event\)"):
        receive(_version(None), "nope", {}, BODY)

"""connectory.runtime.deliveries: signatures in each encoding and form, payloads checked against schemas."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import pytest
from pydantic import SecretStr

from connectory._nesting import deeper_than
from connectory.errors import DocumentError, NotFound
from connectory.model.version import HttpTriggerBinding, Trigger, Verification
from connectory.runtime.deliveries import (
    MAX_PAYLOAD_DEPTH,
    DeliveryRefused,
    admit,
    receive,
    secret_for,
)
from connectory.settings import Settings

from .support.samples import small_version

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


def _signed_rule() -> Verification:
    return Verification(header="X-Sig", timestamp_header="X-Time", tolerance_seconds=300)


def _sign(stamp: str, body: bytes = BODY) -> dict[str, str]:
    digest = hmac.new(KEY.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return {"X-Sig": digest, "X-Time": stamp}


def test_admit_refuses_what_the_headers_show_without_a_body() -> None:
    trigger = _version(_signed_rule()).triggers[0]
    now = 1_700_000_000
    admit(trigger, _sign(str(now)), SecretStr(KEY), now=now)  # no body needed
    admit(_version(None).triggers[0], {}, None)  # an unsigned trigger admits everything
    cases = {
        "no secret is configured": ({"X-Sig": "x", "X-Time": str(now)}, None),
        "no X-Sig header": ({"X-Time": str(now)}, SecretStr(KEY)),
        "no X-Time header": ({"X-Sig": "x"}, SecretStr(KEY)),
        "more than 300 s away": ({"X-Sig": "x", "X-Time": str(now - 301)}, SecretStr(KEY)),
    }
    for message, (headers, secret) in cases.items():
        with pytest.raises(DeliveryRefused, match=message):
            admit(trigger, headers, secret, now=now)


def test_the_host_caps_the_tolerance_a_trigger_declares() -> None:
    """A connector declaring a ten-day tolerance made a captured signature good for ten days."""
    lax = Verification(header="X-Sig", timestamp_header="X-Time", tolerance_seconds=864_000)
    version = _version(lax)
    now = 1_700_000_000
    two_hours_ago = _sign(str(now - 7200))
    with pytest.raises(DeliveryRefused, match="more than 3600 s away"):
        admit(version.triggers[0], two_hours_ago, SecretStr(KEY), now=now)
    with pytest.raises(DeliveryRefused, match="more than 3600 s away"):
        receive(version, "event", two_hours_ago, BODY, SecretStr(KEY), now=now)
    wider = Settings(max_delivery_tolerance_seconds=86_400)  # the host may allow more
    admit(version.triggers[0], two_hours_ago, SecretStr(KEY), now=now, settings=wider)


@pytest.mark.parametrize(
    "stamp",
    ["nan", "inf", "-inf", "1e9", "-1700000000", "+1700000000", "1700000000.0", "1_700_000_000",
     "\u0661\u0667" + "\u0660" * 8, " 1700000000", "0x6553f100", "9" * 40],
)  # fmt: skip
def test_a_timestamp_is_ascii_digits_of_seconds(stamp: str) -> None:
    with pytest.raises(DeliveryRefused, match="X-Time"):
        receive(_version(_signed_rule()), "event", _sign(stamp), BODY, SecretStr(KEY), now=1_700_000_000)  # fmt: skip


def test_the_same_signed_request_has_the_same_replay_key() -> None:
    version, secret, now = _version(_signed_rule()), SecretStr(KEY), 1_700_000_000
    first = receive(version, "event", _sign(str(now)), BODY, secret, now=now)
    again = receive(version, "event", _sign(str(now)), BODY, secret, now=now + 10)
    later = receive(version, "event", _sign(str(now + 1)), BODY, secret, now=now + 10)
    assert first.signature_sha256 == again.signature_sha256 != later.signature_sha256
    assert len(first.signature_sha256 or "") == 64
    assert receive(_version(None), "event", {}, BODY).signature_sha256 is None


def test_a_payload_nested_too_deep_is_refused() -> None:
    def nested(depth: int) -> bytes:
        return b"[" * depth + b"]" * depth

    kept = receive(_version(None), "event", {}, nested(MAX_PAYLOAD_DEPTH))
    assert kept.model_dump(mode="json")["payload"] is not None  # it can be shown
    with pytest.raises(DocumentError, match=f"nested more than {MAX_PAYLOAD_DEPTH} levels deep"):
        receive(_version(None), "event", {}, nested(MAX_PAYLOAD_DEPTH + 1))
    assert not deeper_than(json.loads(nested(MAX_PAYLOAD_DEPTH)), MAX_PAYLOAD_DEPTH)
    assert [deeper_than(v, 2) for v in ({"a": [{"b": 1}]}, {"a": [1]}, "text", [])] == [
        True,
        False,
        False,
        False,
    ]
    assert deeper_than([], 0)


def test_a_pattern_that_can_backtrack_for_ever_is_not_run_on_a_payload() -> None:
    schema = {
        "type": "object",
        "properties": {"name": {"type": "string", "pattern": "^(a+)+$"}, "n": {"type": "integer"}},
    }
    started = time.monotonic()
    delivery = receive(_version(None, schema), "event", {}, b'{"name": "' + b"a" * 26 + b'!", "n": "x"}')  # fmt: skip
    assert time.monotonic() - started < 0.5  # ``re`` would take seconds (and doubles each "a")
    assert delivery.problems == ["n: 'x' is not of type 'integer'"]  # the rest is checked


@pytest.mark.parametrize("signed", ["{timestamp}", "v0:{timestamp}", "{body}"])
def test_a_rule_that_does_not_sign_the_body_and_its_timestamp_protects_nothing(signed: str) -> None:
    rule = Verification(header="X-Sig", timestamp_header="X-Time", signed_payload=signed)
    now = 1_700_000_000
    digest = hmac.new(KEY.encode(), signed.replace("{timestamp}", str(now)).replace("{body}", "").encode(), hashlib.sha256).hexdigest()  # fmt: skip
    with pytest.raises(DeliveryRefused, match="a signature could be reused"):
        receive(_version(rule), "event", {"X-Sig": digest, "X-Time": str(now)}, BODY, SecretStr(KEY), now=now)  # fmt: skip

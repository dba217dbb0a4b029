"""OAuth 1.0a methods and OAuth 2 device flows between two versions: a moved endpoint is
``auth-endpoint-changed`` (from, to), a new origin ``secret-host-added``, another signature
method ``auth-method-changed``."""

from __future__ import annotations

from pathlib import Path

from connectory import diff
from connectory.model.auth import OAuth1Auth, OAuth2Auth, OAuth2Flow
from tests.support.diff_documents import triples

from .test_diff_hosts import _pair

OAUTH1 = OAuth1Auth(
    name="o1",
    request_token_url="https://auth.example.com/request",
    authorization_url="https://auth.example.com/authorize",
    access_token_url="https://auth.example.com/access",
)


def test_an_oauth1_method_s_moved_urls_and_signature_are_reported_each(tmp_path: Path) -> None:
    old, _ = _pair(tmp_path, lambda d: None)
    before = old.model_copy(update={"auth_methods": [OAUTH1]})
    moved = OAUTH1.model_copy(
        update={
            "request_token_url": "https://auth.example.com/request/v2",
            "access_token_url": "https://tokens.evil.example/access",
            "signature_method": "PLAINTEXT",
        }
    )
    changes = diff(before, before.model_copy(update={"auth_methods": [moved]}))
    assert triples(changes) >= {
        ("auth-endpoint-changed", "dangerous", "auth_methods/o1/request_token_url"),
        ("auth-endpoint-changed", "dangerous", "auth_methods/o1/access_token_url"),
        ("secret-host-added", "breaking", "auth_methods/o1/access_token_url"),
        ("auth-method-changed", "breaking", "auth_methods/o1"),
    }
    (method_changed,) = [c for c in changes if c.kind == "auth-method-changed"]
    assert method_changed.message == "auth method 'o1': signature_method changed"
    (access,) = [c for c in changes if c.location == "auth_methods/o1/access_token_url" and c.kind == "auth-endpoint-changed"]  # fmt: skip
    assert "'https://auth.example.com/access' to 'https://tokens.evil.example/access'" in access.message  # fmt: skip


def test_a_device_flow_s_moved_authorization_url_is_an_endpoint_change(tmp_path: Path) -> None:
    old, _ = _pair(tmp_path, lambda d: None)

    def method(device_url: str) -> OAuth2Auth:
        flow = OAuth2Flow(grant="device_code", token_url="https://auth.example.com/token", device_authorization_url=device_url)  # fmt: skip
        return OAuth2Auth(name="dev", flows=[flow])

    before = old.model_copy(update={"auth_methods": [method("https://auth.example.com/device")]})
    after = old.model_copy(update={"auth_methods": [method("https://devices.example.net/d")]})
    where = "auth_methods/dev/flows/device_code/device_authorization_url"
    assert triples(diff(before, after)) >= {
        ("auth-endpoint-changed", "dangerous", where),
        ("secret-host-added", "breaking", where),
    }

"""A document that declares no auth: credentials for a method it lacks are an error naming the
methods it has; once the method is added (``with_auth_method``), invoke sends it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import SecretStr

from connectory import inspect
from connectory.errors import InputError
from connectory.model.add_auth import auth_method_from_spec, with_auth_method
from connectory.model.version import ConnectorVersion
from connectory.runtime import invoke
from connectory.runtime.credentials import check_methods
from tests.support.consent import accept
from tests.support.kernels import kernels_document, kernels_route
from tests.support.servers import serve

SECRET = "added-auth-s3cret"


def _version(tmp_path: Path, server: str) -> ConnectorVersion:
    path = tmp_path / "kernels.json"
    path.write_text(json.dumps(kernels_document(server)))
    return inspect(path, connector="kernels")


def test_credentials_for_a_method_the_version_lacks_are_an_error(tmp_path: Path) -> None:
    with serve({"/api/kernels": kernels_route(SECRET, b"[]")}) as server:
        version = _version(tmp_path, server.base_url)
        accept(version, server.base_url)
        credentials = {"token": {"credentials": SecretStr(SECRET)}}
        nothing = invoke(version, "listKernels", {})  # no credentials: sent as the document says
        with pytest.raises(InputError) as refused:
            invoke(version, "listKernels", {}, credentials=credentials)
        added = with_auth_method(version, auth_method_from_spec("scheme:token"))
        done = invoke(added, "listKernels", {}, credentials=credentials)
    assert nothing.status == 403
    message = str(refused.value)
    assert message.startswith(
        "the credentials of kernels (CONNECTORY_CREDENTIALS_KERNELS or the secrets file) name "
        "'token', which kernels@? has no auth method for: it has no auth method"
    )
    assert "connectory auth add kernels@?" in message
    assert SECRET not in message
    assert done.status == 200
    assert server.requests == ["/api/kernels", "/api/kernels"]  # the refused call sent nothing


def test_the_error_names_the_methods_the_version_has(tmp_path: Path) -> None:
    version = with_auth_method(
        _version(tmp_path, "https://x.example"), auth_method_from_spec("basic")
    )
    secret = {"k": SecretStr(SECRET)}
    with pytest.raises(InputError, match=r"name 'bsaic', which .* its auth methods are basic;"):
        check_methods(version, {"basic": secret, "bsaic": secret})
    check_methods(version, {"basic": secret, "webhooks": secret})  # delivery secrets: not methods

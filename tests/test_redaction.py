"""URLs as Connectory prints them: passwords and secret-looking query values hidden, the rest
exactly as given."""

from __future__ import annotations

import pytest

from connectory.redaction import REDACTED, redact_url


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:////tmp/catalog/connectory.db",
        "sqlite:///relative/connectory.db",
        "postgresql+psycopg://postgres@127.0.0.1:5432/test",
        "https://api.example.com/v1/openapi.json?format=json",
    ],
)
def test_a_url_without_secrets_is_printed_as_given(url: str) -> None:
    assert redact_url(url) == url


def test_a_password_is_hidden_and_the_user_kept() -> None:
    shown = redact_url("postgresql+psycopg://team:hunter2@db.example.com:5432/catalog")
    assert shown == f"postgresql+psycopg://team:{REDACTED}@db.example.com:5432/catalog"


def test_a_secret_query_value_is_hidden_and_an_absolute_sqlite_path_kept() -> None:
    shown = redact_url("sqlite:////var/lib/connectory.db?token=hunter2&mode=ro")
    assert "hunter2" not in shown
    assert shown.startswith("sqlite:////var/lib/connectory.db?")
    assert "mode=ro" in shown

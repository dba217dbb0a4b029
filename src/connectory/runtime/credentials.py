"""Run-time credentials: per auth method, named secrets; never stored, never printed.

A version's auth methods say *how* a system authenticates; the secrets arrive when an action runs,
from ``CONNECTORY_CREDENTIALS_<NAME>`` (``<NAME>``: the connector's name upper-cased, every other
character than a letter or digit as ``_``), a JSON object of auth method names (the version's
``auth_methods[].name``) to objects of secrets::

    {"bearerAuth": {"token": "..."}, "basic": {"username": "...", "password": "..."},
     "api_key": {"key": "..."}, "oauth": {"client_id": "...", "client_secret": "..."}}

Every value becomes a ``SecretStr`` as it is read; errors name the variable and the method, never
a value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from pydantic import SecretStr

from ..errors import InputError
from ..settings import env_json_object

__all__ = ["CREDENTIALS_ENV_PREFIX", "Credentials", "credentials_env_var", "credentials_from_env"]

CREDENTIALS_ENV_PREFIX = "CONNECTORY_CREDENTIALS_"

Credentials = Mapping[str, Mapping[str, SecretStr]]
"""Auth method name -> secret name (``token``, ``username``...) -> secret."""


def credentials_env_var(connector: str) -> str:
    """The environment variable that holds ``connector``'s credentials."""
    return CREDENTIALS_ENV_PREFIX + re.sub(r"[^A-Z0-9]", "_", connector.upper())


def credentials_from_env(
    connector: str, environ: Mapping[str, str] | None = None
) -> dict[str, dict[str, SecretStr]]:
    """The credentials in ``CONNECTORY_CREDENTIALS_<NAME>`` (none when it is not set)."""
    variable = credentials_env_var(connector)
    value = env_json_object(variable, "a JSON object of auth method names to objects", environ)
    found: dict[str, dict[str, SecretStr]] = {}
    for method, secrets in value.items():
        if not isinstance(secrets, dict) or not all(isinstance(v, str) for v in secrets.values()):
            raise InputError(
                f"{variable}: {str(method)[:40]!r} must map secret names to string values"
            )
        found[str(method)] = {str(name): SecretStr(item) for name, item in secrets.items()}
    return found

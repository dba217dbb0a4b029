"""Request headers for introspection (auth, mostly): from the command line or the environment.

Header values are secrets: they are ``SecretStr`` from the moment they are read, never stored in
the catalogue, and no error message here repeats one (a mistyped ``--header`` may be a token).

- On the command line: ``--header 'Authorization: Bearer ...'``, repeatable (``parse_headers``).
- For scheduled runs (the ``reintrospect`` flow) and when none are given on the command line:
  the environment variable ``CONNECTORY_GRAPHQL_HEADERS_<NAME>``, where ``<NAME>`` is the
  connector's name upper-cased with every other character than a letter or digit as ``_``
  (``github-enterprise`` -> ``CONNECTORY_GRAPHQL_HEADERS_GITHUB_ENTERPRISE``), holding a JSON
  object of header names to values: ``{"Authorization": "Bearer ..."}`` (``headers_from_env``).
  Flows also read a Prefect Secret block (``connectory_flows.secrets``) of the same shape.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from pydantic import SecretStr

from connectory.errors import InputError
from connectory.settings import env_json_object

__all__ = [
    "HEADERS_ENV_PREFIX",
    "headers_env_var",
    "headers_from_env",
    "headers_from_object",
    "parse_header",
    "parse_headers",
]

HEADERS_ENV_PREFIX = "CONNECTORY_GRAPHQL_HEADERS_"
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_FORBIDDEN = re.compile(r"[\r\n\x00]")


def headers_env_var(connector: str) -> str:
    """The environment variable that holds ``connector``'s introspection headers."""
    return HEADERS_ENV_PREFIX + re.sub(r"[^A-Z0-9]", "_", connector.upper())


def _checked(name: str, value: str, where: str) -> tuple[str, SecretStr]:
    if not _TOKEN.fullmatch(name):
        raise InputError(f"{where}: {name[:40]!r} is not a valid header name")
    if _FORBIDDEN.search(value):
        raise InputError(f"{where}: the value of header {name!r} contains a line break or NUL")
    return name, SecretStr(value.strip())


def parse_header(text: str) -> tuple[str, SecretStr]:
    """``"Name: value"`` -> ``("Name", SecretStr("value"))``."""
    name, colon, value = text.partition(":")
    if not colon or not name.strip():
        raise InputError("--header: expected 'Name: value' (the text given has no 'Name:' part)")
    return _checked(name.strip(), value, "--header")


def parse_headers(texts: Iterable[str]) -> dict[str, SecretStr]:
    """Every ``--header``; a name given twice keeps its last value."""
    return dict(parse_header(text) for text in texts)


def headers_from_object(value: object, where: str) -> dict[str, SecretStr]:
    """The headers of a JSON object of header names to values; ``where`` names it in errors."""
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise InputError(f"{where} must be a JSON object of header names to string values")
    return dict(_checked(str(name), item, where) for name, item in value.items())


def headers_from_env(
    connector: str, environ: Mapping[str, str] | None = None
) -> dict[str, SecretStr]:
    """The headers in ``CONNECTORY_GRAPHQL_HEADERS_<NAME>`` (none when it is not set)."""
    variable = headers_env_var(connector)
    value = env_json_object(variable, "a JSON object of header names to values", environ)
    return headers_from_object(value, variable)

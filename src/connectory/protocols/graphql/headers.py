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

Headers are bound to origins, as every secret is (``connectory.runtime.trust``): the endpoint a
user onboards with headers is accepted for its connector in the secrets file, and re-introspection
sends them only to an endpoint whose origin was accepted there (``connectory trust``) or is listed
in the same JSON object under ``"$accepted_origins"`` (for workers without a secrets file):
``{"Authorization": "Bearer ...", "$accepted_origins": ["https://api.github.com"]}``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from pydantic import SecretStr

from connectory.errors import InputError, UntrustedOrigin
from connectory.origins import origin
from connectory.settings import env_json_object

__all__ = [
    "ACCEPTED_ORIGINS",
    "HEADERS_ENV_PREFIX",
    "accepted_from_env",
    "accepted_in_object",
    "headers_env_var",
    "headers_from_env",
    "headers_from_object",
    "parse_header",
    "parse_headers",
    "require_accepted",
]

HEADERS_ENV_PREFIX = "CONNECTORY_GRAPHQL_HEADERS_"
ACCEPTED_ORIGINS = "$accepted_origins"
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
    if not isinstance(value, dict):
        raise InputError(f"{where} must be a JSON object of header names to string values")
    value = {name: item for name, item in value.items() if name != ACCEPTED_ORIGINS}
    if not all(isinstance(v, str) for v in value.values()):
        raise InputError(f"{where} must be a JSON object of header names to string values")
    return dict(_checked(str(name), item, where) for name, item in value.items())


def accepted_in_object(value: object, where: str) -> frozenset[str]:
    """The origins listed under ``"$accepted_origins"`` in a headers object (see the docstring)."""
    if not isinstance(value, dict) or ACCEPTED_ORIGINS not in value:
        return frozenset()
    listed = value[ACCEPTED_ORIGINS]
    if not isinstance(listed, list) or not all(isinstance(o, str) for o in listed):
        raise InputError(f"{where}: {ACCEPTED_ORIGINS} must be a list of origins")

    return frozenset(origin(item) for item in listed)


def accepted_from_env(connector: str, environ: Mapping[str, str] | None = None) -> frozenset[str]:
    """The origins listed in ``CONNECTORY_GRAPHQL_HEADERS_<NAME>`` (see the docstring)."""
    variable = headers_env_var(connector)
    value = env_json_object(variable, "a JSON object of header names to values", environ)
    return accepted_in_object(value, variable)


def headers_from_env(
    connector: str, environ: Mapping[str, str] | None = None
) -> dict[str, SecretStr]:
    """The headers in ``CONNECTORY_GRAPHQL_HEADERS_<NAME>`` (none when it is not set)."""
    variable = headers_env_var(connector)
    value = env_json_object(variable, "a JSON object of header names to values", environ)
    return headers_from_object(value, variable)


def require_accepted(connector: str, endpoint: str, accepted: Iterable[str]) -> None:
    """Refuse (``UntrustedOrigin``) to send ``connector``'s introspection headers to ``endpoint``
    unless its origin is ``accepted`` (see the module docstring)."""
    wanted = origin(endpoint)
    if wanted not in set(accepted):
        raise UntrustedOrigin(
            f"{connector}'s introspection headers would go to {wanted}, which is not accepted "
            f"for {connector}: accept it with connectory trust {connector}@VERSION (or list it "
            f'under "{ACCEPTED_ORIGINS}" in {headers_env_var(connector)} or its Secret block)'
        )

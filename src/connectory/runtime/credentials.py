"""Run-time credentials: per auth method, named secrets; never stored in the catalogue, never printed.

A version's auth methods say *how* a system authenticates; the secrets arrive when an action runs,
from two places, merged secret by secret, the environment's winning:

- ``CONNECTORY_CREDENTIALS_<NAME>`` (``<NAME>``: the connector's name upper-cased, every other
  character than a letter or digit as ``_``), a JSON object of auth method names (the version's
  ``auth_methods[].name``) to objects of secrets::

      {"bearerAuth": {"token": "..."}, "basic": {"username": "...", "password": "..."},
       "api_key": {"key": "..."}, "oauth": {"client_id": "...", "client_secret": "..."}}

- the local secrets file (``SecretsFile``): ``CONNECTORY_SECRETS_FILE``, by default
  ``$XDG_CONFIG_HOME/connectory/credentials.json`` (``~/.config/...``), one such object per
  connector: ``{"<connector>": {"<method>": {"<secret>": "..."}}}``. Like ssh with its keys, it is
  refused when others than its owner may read it. ``connectory login`` writes the tokens of an
  OAuth 2 sign-in there, and renewed tokens are written back. Beside a connector's methods, its
  entry keeps the origins its user accepted for its secrets (``connectory trust``, see
  ``runtime.trust``): ``{"<connector>": {"$accepted_origins": ["https://api.example.com"], ...}}``.

Every value becomes a ``SecretStr`` as it is read; errors name the variable, the file and the
method, never a value. An entry must name one of the version's auth methods (or a trigger, or
``webhooks``, for the secrets that verify deliveries): ``check_methods`` refuses another, naming
the methods the version has, rather than send nothing and let the system answer 401 or 403. Before a method uses its secrets, ``check_secrets`` refuses a value with a
line break or another control character (a trailing newline from a file or a paste would end up
in a header, and in the error that shows it), naming the method and the secret, never the value.
"""

from __future__ import annotations

import json
import os
import stat
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from connectory.errors import InputError
from connectory.model.version import ConnectorVersion, name_key
from connectory.settings import env_json_object

from .oauth import Token, token_secrets

__all__ = [
    "ACCEPTED_ORIGINS",
    "CREDENTIALS_ENV_PREFIX",
    "PUBLIC_SECRETS",
    "SECRETS_FILE_ENV",
    "Credentials",
    "SecretsFile",
    "check_methods",
    "check_secrets",
    "credentials_env_var",
    "credentials_for",
    "credentials_from_env",
    "secret_values",
    "token_keeper",
]

CREDENTIALS_ENV_PREFIX = "CONNECTORY_CREDENTIALS_"
SECRETS_FILE_ENV = "CONNECTORY_SECRETS_FILE"
ACCEPTED_ORIGINS = "$accepted_origins"
"""The key of a connector's accepted origins in the secrets file (no auth method is so named)."""
_MAX_FILE_BYTES = 1024 * 1024
_MULTILINE = frozenset({"private_key", "certificate", "ca_certificate"})
"""PEM secrets: line breaks (and tabs) belong in them."""
PUBLIC_SECRETS = frozenset(
    {"client_id", "consumer_key", "username", "issuer", "subject", "key_id", "expires_at"}
)
"""Identifiers given with the secrets, not secret themselves: not hidden in answers (a user's own
name in the answer about them), still checked like every value."""

Credentials = Mapping[str, Mapping[str, SecretStr]]
"""Auth method name -> secret name (``token``, ``username``...) -> secret."""


def credentials_env_var(connector: str) -> str:
    """The environment variable that holds ``connector``'s credentials."""
    return CREDENTIALS_ENV_PREFIX + name_key(connector)


def _methods(value: object, where: str) -> dict[str, dict[str, SecretStr]]:
    """``{method: {secret: value}}`` as SecretStr, or an error naming ``where`` (never a value)."""
    if not isinstance(value, dict):
        raise InputError(f"{where} must be a JSON object of auth method names to objects")
    found: dict[str, dict[str, SecretStr]] = {}
    for method, secrets in value.items():
        if not isinstance(secrets, dict) or not all(isinstance(v, str) for v in secrets.values()):
            raise InputError(
                f"{where}: {str(method)[:40]!r} must map secret names to string values"
            )
        found[str(method)] = {str(name): SecretStr(item) for name, item in secrets.items()}
    return found


def check_secrets(method: str, secrets: Mapping[str, SecretStr]) -> None:
    """Refuse a secret of ``method`` with a line break or another control character (PEM
    secrets may hold line breaks and tabs): the error names the secret, never its value."""
    for name, secret in secrets.items():
        allowed = "\r\n\t" if name in _MULTILINE else ""
        value = secret.get_secret_value()
        if any(unicodedata.category(c) in ("Cc", "Zl", "Zp") and c not in allowed for c in value):
            raise InputError(
                f"auth method {method!r}: the secret {name!r} holds a line break or another "
                "control character (a trailing newline?): set it again without it"
            )


def check_methods(version: ConnectorVersion, credentials: Credentials) -> None:
    """Refuse credentials for an auth method ``version`` does not have (a typo, a method of a
    document that declares none): the error names the entries and the version's methods (how to
    add one too), never a value. Entries named after a trigger of the version, or
    ``webhooks``, hold the secrets that verify deliveries: they are not auth methods."""
    known = {method.name for method in version.auth_methods}
    others = {trigger.name for trigger in version.triggers} | {"webhooks"}
    unknown = sorted(name for name in credentials if name not in known and name not in others)
    if not unknown:
        return
    listed = ", ".join(repr(name[:60]) for name in unknown[:5])
    has = f"its auth methods are {', '.join(sorted(known))}" if known else "it has no auth method"
    raise InputError(
        f"the credentials of {version.connector} (CONNECTORY_CREDENTIALS_"
        f"{name_key(version.connector)} or the secrets file) name {listed}, which "
        f"{version.ref} has no auth method for: {has}; rename the entry, or add the method "
        f"with connectory auth add {version.ref} ..."
    )


def secret_values(credentials: Credentials) -> Iterator[str]:
    """Every secret value in ``credentials`` that must never show (``PUBLIC_SECRETS`` aside)."""
    for secrets in credentials.values():
        for name, secret in secrets.items():
            if name not in PUBLIC_SECRETS:
                yield secret.get_secret_value()


def credentials_from_env(
    connector: str, environ: Mapping[str, str] | None = None
) -> dict[str, dict[str, SecretStr]]:
    """The credentials in ``CONNECTORY_CREDENTIALS_<NAME>`` (none when it is not set)."""
    variable = credentials_env_var(connector)
    value = env_json_object(variable, "a JSON object of auth method names to objects", environ)
    return _methods(value, variable)


class SecretsFile:
    """The local secrets file: credentials per connector, readable by its owner only."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path).expanduser()

    @classmethod
    def default(cls, environ: Mapping[str, str] | None = None) -> SecretsFile:
        """``CONNECTORY_SECRETS_FILE``, else ``credentials.json`` in the user's config folder."""
        environ = os.environ if environ is None else environ
        named = environ.get(SECRETS_FILE_ENV, "").strip()
        if named:
            return cls(named)
        config = environ.get("XDG_CONFIG_HOME", "").strip() or str(Path.home() / ".config")
        return cls(Path(config) / "connectory" / "credentials.json")

    def _read(self) -> dict[str, object]:
        try:
            with self.path.open("rb") as handle:
                mode = os.fstat(handle.fileno()).st_mode
                if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
                    raise InputError(
                        f"the secrets file {self.path} may be read by others than its owner "
                        f"(mode {stat.S_IMODE(mode):o}): run chmod 600 on it"
                    )
                data = handle.read(_MAX_FILE_BYTES + 1)
        except FileNotFoundError:
            return {}
        except IsADirectoryError:
            raise InputError(f"the secrets file {self.path} is a folder") from None
        except PermissionError:
            raise InputError(f"the secrets file {self.path} cannot be read") from None
        if len(data) > _MAX_FILE_BYTES:
            raise InputError(f"the secrets file {self.path} is larger than {_MAX_FILE_BYTES} bytes")
        try:
            value = json.loads(data) if data.strip() else {}
        except ValueError:
            raise InputError(f"the secrets file {self.path} is not JSON") from None
        if not isinstance(value, dict):
            raise InputError(f"the secrets file {self.path} must hold a JSON object of connectors")
        return value

    def _entry(self, connector: str, document: Mapping[str, Any] | None = None) -> dict[str, Any]:
        entry = (self._read() if document is None else document).get(connector)
        if entry is None:
            return {}
        if not isinstance(entry, dict):
            raise InputError(
                f"the secrets file {self.path}, connector {connector!r} must be a JSON object of "
                "auth method names to objects"
            )
        return dict(entry)

    def credentials(self, connector: str) -> dict[str, dict[str, SecretStr]]:
        """``connector``'s credentials in the file (none when the file or its entry is missing)."""
        entry = self._entry(connector)
        entry.pop(ACCEPTED_ORIGINS, None)
        return _methods(entry, f"the secrets file {self.path}, connector {connector!r}")

    def accepted_origins(self, connector: str) -> frozenset[str]:
        """The origins ``connector``'s user accepted for its secrets (``runtime.trust``)."""
        found = self._entry(connector).get(ACCEPTED_ORIGINS, [])
        if not isinstance(found, list) or not all(isinstance(o, str) for o in found):
            raise InputError(
                f"the secrets file {self.path}, connector {connector!r}: {ACCEPTED_ORIGINS} must "
                "be a list of origins"
            )
        return frozenset(found)

    def accept(self, connector: str, origins: Iterable[str]) -> None:
        """Add ``origins`` (normalised already: ``hosts.origin``) to those ``connector``'s user
        accepted."""
        self._set_origins(connector, self.accepted_origins(connector) | set(origins))

    def revoke(self, connector: str, origins: Iterable[str] | None = None) -> frozenset[str]:
        """Withdraw the consent to ``origins`` (None: every one) of ``connector``; returns those
        that were accepted."""
        accepted = self.accepted_origins(connector)
        gone = accepted if origins is None else accepted & set(origins)
        self._set_origins(connector, accepted - gone)
        return gone

    def _set_origins(self, connector: str, origins: Iterable[str]) -> None:
        document = self._read()
        entry = self._entry(connector, document)
        entry[ACCEPTED_ORIGINS] = sorted(origins)
        if not entry[ACCEPTED_ORIGINS]:
            del entry[ACCEPTED_ORIGINS]
        self._write(document, connector, entry)

    def save(self, connector: str, method: str, secrets: Mapping[str, SecretStr | None]) -> None:
        """Set (a ``None`` value: remove) secrets of one method of one connector; the rest of the
        file stays. The file is replaced at once, readable by its owner only."""
        if method == ACCEPTED_ORIGINS:
            raise InputError(f"{method!r} is not an auth method's name: it keeps accepted origins")
        document = self._read()
        entry = self._entry(connector, document)
        values = entry.get(method)
        values = dict(values) if isinstance(values, dict) else {}
        for name, secret in secrets.items():
            if secret is None:
                values.pop(name, None)
            else:
                values[name] = secret.get_secret_value()
        entry[method] = values
        if not values:  # nothing left of the method: no empty objects
            del entry[method]
        self._write(document, connector, entry)

    def _write(self, document: dict[str, Any], connector: str, entry: dict[str, Any]) -> None:
        """``document`` with ``connector``'s ``entry`` (none when it is empty), written at once,
        readable by its owner only."""
        document[connector] = entry
        if not entry:
            del document[connector]
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".credentials-", dir=self.path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:  # mkstemp: mode 600
                json.dump(document, out, indent=2, sort_keys=True)
                out.write("\n")
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


def credentials_for(
    connector: str,
    environ: Mapping[str, str] | None = None,
    secrets_file: SecretsFile | None = None,
) -> dict[str, dict[str, SecretStr]]:
    """``connector``'s credentials: the secrets file's, with the secrets that
    ``CONNECTORY_CREDENTIALS_<NAME>`` gives too taking their place (a client id in the
    environment, the tokens of a sign-in in the file)."""
    secrets_file = secrets_file or SecretsFile.default(environ)
    found = secrets_file.credentials(connector)
    for method, secrets in credentials_from_env(connector, environ).items():
        found[method] = {**found.get(method, {}), **secrets}
    return found


def token_keeper(
    connector: str,
    environ: Mapping[str, str] | None = None,
    secrets_file: SecretsFile | None = None,
) -> Callable[[str, Token], None]:
    """What ``invoke`` calls with each token an OAuth 2 method renews with a new refresh token
    (the old one may no longer work): kept in the secrets file, unless the environment gives the
    method's refresh token (it would hide the file's)."""
    secrets_file = secrets_file or SecretsFile.default(environ)
    from_env = credentials_from_env(connector, environ)

    def keep(method: str, token: Token) -> None:
        if "refresh_token" not in from_env.get(method, {}):
            secrets_file.save(connector, method, token_secrets(token))

    return keep

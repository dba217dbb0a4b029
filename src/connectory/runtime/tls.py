"""Mutual TLS: the client certificate an auth method presents when the connection is made.

Secrets: ``certificate`` and ``private_key`` (PEM), and optionally ``ca_certificate`` (PEM), a CA
to trust for the server besides the system's. TLS happens below HTTP, so this is not an
``httpx.Auth``: ``invoke`` makes its HTTP client with the context ``client_context`` returns.
Python's ``ssl`` reads a certificate chain from files only: the two PEMs are written to a private
temporary folder (mode 0600), loaded, and removed at once.
"""

from __future__ import annotations

import os
import ssl
import tempfile
from collections.abc import Mapping
from pathlib import Path

from pydantic import SecretStr

from connectory.errors import InputError
from connectory.model.auth import MutualTLSAuth

__all__ = ["client_context"]


def _private_file(path: Path, text: str) -> None:
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)


def client_context(method: MutualTLSAuth, secrets: Mapping[str, SecretStr]) -> ssl.SSLContext:
    where = f"auth method {method.name!r} (mutual_tls)"
    wanted = [name for name in ("certificate", "private_key") if name not in secrets]
    if wanted:
        raise InputError(f"{where} needs the secrets {wanted}; given: {sorted(secrets)}")
    context = ssl.create_default_context()
    ca = secrets.get("ca_certificate")
    try:
        if ca is not None:
            context.load_verify_locations(cadata=ca.get_secret_value())
        with tempfile.TemporaryDirectory(prefix="connectory-tls-") as folder:
            certificate, key = Path(folder) / "certificate.pem", Path(folder) / "key.pem"
            _private_file(certificate, secrets["certificate"].get_secret_value())
            _private_file(key, secrets["private_key"].get_secret_value())
            context.load_cert_chain(certificate, key)
    except (ssl.SSLError, ValueError, OSError):
        raise InputError(
            f"{where}: the certificate, its private key or the CA certificate cannot be loaded "
            "(PEM expected, the key matching the certificate)"
        ) from None
    return context

"""Mutual TLS against a real TLS server on loopback that requires a client certificate."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import ssl
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pydantic import SecretStr

from connectory import inspect
from connectory.errors import InputError, SourceUnreachable
from connectory.model.auth import MutualTLSAuth
from connectory.model.version import ConnectorVersion
from connectory.runtime import invoke
from tests.support.servers import running

DOCUMENT = {
    "openapi": "3.0.3",
    "info": {"title": "Bank", "version": "1"},
    "paths": {"/me": {"get": {"operationId": "me", "responses": {"200": {"description": "ok"}}}}},
}


def _pem(item: object) -> str:
    if isinstance(item, x509.Certificate):
        return item.public_bytes(serialization.Encoding.PEM).decode()
    return item.private_bytes(  # type: ignore[attr-defined]
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def _certificate(name: str, key: object, issuer: tuple | None = None, server: bool = False) -> x509.Certificate:  # fmt: skip
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    issuer_name, issuer_key = (subject, key) if issuer is None else (issuer[0].subject, issuer[1])
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())  # type: ignore[attr-defined]
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=issuer is None, path_length=None), critical=True)
    )
    if server:
        alt = x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))])
        builder = builder.add_extension(alt, critical=False)
    return builder.sign(issuer_key, hashes.SHA256())  # type: ignore[arg-type]


def _key() -> object:
    return ec.generate_private_key(ec.SECP256R1())


CA_KEY = _key()
CA = _certificate("test CA", CA_KEY)
SERVER_KEY, CLIENT_KEY, STRANGER_KEY = _key(), _key(), _key()
SERVER = _certificate("127.0.0.1", SERVER_KEY, (CA, CA_KEY), server=True)
CLIENT = _certificate("connectory-client", CLIENT_KEY, (CA, CA_KEY))
STRANGER = _certificate("stranger", STRANGER_KEY)  # self-signed: the server does not trust it


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[str]:
    (tmp_path / "server.pem").write_text(_pem(SERVER))
    (tmp_path / "server.key").write_text(_pem(SERVER_KEY))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "server.pem", tmp_path / "server.key")
    context.load_verify_locations(cadata=_pem(CA))
    context.verify_mode = ssl.CERT_REQUIRED

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            peer = self.connection.getpeercert()  # type: ignore[attr-defined]
            name = dict(item[0] for item in peer["subject"])["commonName"]
            body = json.dumps({"client": name}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    with running(Handler, tls=context) as base_url:
        yield base_url


def _version(tmp_path: Path) -> ConnectorVersion:
    (tmp_path / "bank.json").write_text(json.dumps(DOCUMENT))
    version = inspect(tmp_path / "bank.json", connector="bank")
    method = MutualTLSAuth(name="mtls")
    return version.model_copy(update={"auth_methods": [method], "default_auth": [{"mtls": []}]})


def _secrets(certificate: x509.Certificate, key: object) -> dict[str, dict[str, SecretStr]]:
    return {
        "mtls": {
            "certificate": SecretStr(_pem(certificate)),
            "private_key": SecretStr(_pem(key)),
            "ca_certificate": SecretStr(_pem(CA)),
        }
    }


def test_the_client_certificate_is_presented(tmp_path: Path, tls_server: str) -> None:
    done = invoke(_version(tmp_path), "me", credentials=_secrets(CLIENT, CLIENT_KEY), server=tls_server, trusted_origins=[tls_server])  # fmt: skip
    assert (done.status, done.body) == (200, {"client": "connectory-client"})


def test_an_untrusted_certificate_is_refused_by_the_server(tmp_path: Path, tls_server: str) -> None:
    with pytest.raises(SourceUnreachable, match="cannot connect"):
        invoke(_version(tmp_path), "me", credentials=_secrets(STRANGER, STRANGER_KEY), server=tls_server, trusted_origins=[tls_server])  # fmt: skip


def test_a_key_that_does_not_match_is_named_never_shown(tmp_path: Path) -> None:
    wrong = _secrets(CLIENT, STRANGER_KEY)
    with pytest.raises(InputError, match=r"'mtls' \(mutual_tls\): the certificate, its private key") as raised:  # fmt: skip
        invoke(
            _version(tmp_path),
            "me",
            credentials=wrong,
            server="https://127.0.0.1:9",
            trusted_origins=["https://127.0.0.1:9"],
        )
    assert "PRIVATE KEY-----\n" not in str(raised.value)

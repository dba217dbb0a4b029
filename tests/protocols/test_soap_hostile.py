"""Hostile WSDLs: each ends in a clear error within a second, with no file read and no request.

"No file read" is checked with a FIFO as the target: opening one for reading blocks until a writer
comes, so a parser that tried would hang instead of failing fast. "No request" is checked on a
loopback server's request log. "Nothing stored" is checked through the CLI in
``tests/cli/test_cli_soap.py``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from connectory import BadReference, DocumentError
from connectory.settings import Settings
from tests.support.servers import Reply, serve
from tests.support.soap import (
    ECHO_TYPES,
    definitions,
    echo_binding,
    echo_service,
    onboard,
    timed,
    write,
)

SERVICE = ECHO_TYPES + echo_binding() + echo_service()


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    """A named pipe: reading it blocks, so any attempt to read it would hang the test."""
    path = tmp_path / "secret"
    os.mkfifo(path)
    return path


def _entity_documents(fifo: Path, url: str) -> dict[str, str]:
    amplify = "".join(
        f'<!ENTITY l{i} "{"".join(f"&l{i - 1};" for _ in range(10))}">' for i in range(1, 10)
    )
    return {
        "billion laughs": f'<!DOCTYPE d [<!ENTITY l0 "lol">{amplify}]>'
        + definitions(f"<wsdl:documentation>&l9;</wsdl:documentation>{SERVICE}").split("\n", 1)[1],
        "quadratic blowup": f'<!DOCTYPE d [<!ENTITY a "{"x" * 30_000}">]>'
        + definitions(f"<wsdl:documentation>{'&a;' * 20_000}</wsdl:documentation>{SERVICE}").split(
            "\n", 1
        )[1],
        "XXE of a local file": f'<!DOCTYPE d [<!ENTITY x SYSTEM "file://{fifo}">]>'
        + definitions(f"<wsdl:documentation>&x;</wsdl:documentation>{SERVICE}").split("\n", 1)[1],
        "XXE over HTTP": f'<!DOCTYPE d [<!ENTITY x SYSTEM "{url}">]>'
        + definitions(f"<wsdl:documentation>&x;</wsdl:documentation>{SERVICE}").split("\n", 1)[1],
        "external DTD": f'<!DOCTYPE wsdl:definitions SYSTEM "{url}">'
        + definitions(SERVICE).split("\n", 1)[1],
        "parameter entity exfiltration": (
            f'<!DOCTYPE d [<!ENTITY % file SYSTEM "file://{fifo}">'
            f'<!ENTITY % dtd SYSTEM "{url}">%dtd;]>'
        )
        + definitions(SERVICE).split("\n", 1)[1],
        "DOCTYPE after comments": "<?xml version='1.0'?><!-- a --><!-- b -->\n"
        f'<!DOCTYPE d [<!ENTITY x SYSTEM "file://{fifo}">]>'
        + definitions(f"<wsdl:documentation>&x;</wsdl:documentation>{SERVICE}").split("\n", 1)[1],
    }


@pytest.mark.parametrize(
    "case",
    [
        "billion laughs",
        "quadratic blowup",
        "XXE of a local file",
        "XXE over HTTP",
        "external DTD",
        "parameter entity exfiltration",
        "DOCTYPE after comments",
    ],
)
def test_entity_and_dtd_tricks_are_refused_fast_without_io(
    tmp_path: Path, fifo: Path, case: str
) -> None:
    with serve({"/evil.dtd": Reply(body=b'<!ENTITY % x "y">')}) as server:
        text = _entity_documents(fifo, server.url("/evil.dtd"))[case]
        path = write(tmp_path, "hostile.wsdl", text)
        seconds, error = timed(lambda: onboard(path))
        assert server.requests == []
    assert isinstance(error, DocumentError), error
    assert "DOCTYPE" in str(error)
    assert str(path) in str(error)
    assert seconds < 1.0


def test_a_utf16_document_with_a_doctype_is_refused_too(tmp_path: Path, fifo: Path) -> None:
    text = (
        f'<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE d [<!ENTITY x SYSTEM "file://{fifo}">]>'
    )
    text += definitions(f"<wsdl:documentation>&x;</wsdl:documentation>{SERVICE}").split("\n", 1)[1]
    from connectory.protocols.soap._xml import parse_xml

    seconds, error = timed(lambda: parse_xml(text.encode("utf-16"), "utf16.wsdl", Settings()))
    assert isinstance(error, DocumentError)
    assert "DOCTYPE" in str(error)
    assert seconds < 1.0


def test_allowing_dtds_still_never_expands_entities(tmp_path: Path, fifo: Path) -> None:
    from connectory.protocols.soap._xml import parse_xml

    text = f'<!DOCTYPE d [<!ENTITY x SYSTEM "file://{fifo}">]><d>&x;</d>'
    seconds, error = timed(
        lambda: parse_xml(text.encode(), "d.xml", Settings(xml_forbid_dtd=False))
    )
    assert isinstance(error, DocumentError)
    assert "entity" in str(error)
    assert seconds < 1.0


def test_nesting_100000_deep_is_refused_fast(tmp_path: Path) -> None:
    deep = "<a>" * 100_000 + "</a>" * 100_000
    path = write(
        tmp_path, "deep.wsdl", definitions(f"<wsdl:documentation>{deep}</wsdl:documentation>")
    )
    seconds, error = timed(lambda: onboard(path))
    assert isinstance(error, DocumentError), error
    assert "depth" in str(error)
    assert f"{path}:" in str(error)
    assert seconds < 1.0


def test_a_20_mb_text_node_is_refused_fast(tmp_path: Path) -> None:
    big = "x" * (20 * 1024 * 1024)
    path = write(
        tmp_path, "big.wsdl", definitions(f"<wsdl:documentation>{big}</wsdl:documentation>")
    )
    seconds, error = timed(lambda: onboard(path))
    assert isinstance(error, DocumentError), error
    assert "Text node too long" in str(error)
    assert seconds < 1.0


def test_a_hostile_imported_xsd_is_refused_like_the_wsdl(tmp_path: Path, fifo: Path) -> None:
    write(
        tmp_path,
        "types.xsd",
        f'<!DOCTYPE s [<!ENTITY x SYSTEM "file://{fifo}">]>'
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:t">'
        "<xs:annotation><xs:documentation>&x;</xs:documentation></xs:annotation></xs:schema>",
    )
    types = (
        '<wsdl:types><xs:schema targetNamespace="urn:test">'
        '<xs:import namespace="urn:t" schemaLocation="types.xsd"/></xs:schema></wsdl:types>'
    )
    path = write(tmp_path, "svc.wsdl", definitions(types + SERVICE))
    seconds, error = timed(lambda: onboard(path))
    assert isinstance(error, DocumentError), error
    assert "DOCTYPE" in str(error)
    assert "types.xsd" in str(error)
    assert seconds < 1.0


# -- imports ---------------------------------------------------------------------------------------


def _importing(location: str, kind: str = "xsd") -> str:
    if kind == "wsdl":
        return definitions(f'<wsdl:import namespace="urn:x" location="{location}"/>' + SERVICE)
    types = (
        '<wsdl:types><xs:schema targetNamespace="urn:test">'
        f'<xs:import namespace="urn:x" schemaLocation="{location}"/></xs:schema></wsdl:types>'
    )
    return definitions(types + SERVICE)


@pytest.mark.parametrize("kind", ["xsd", "wsdl"])
@pytest.mark.parametrize(
    ("location", "reason"),
    [
        ("/etc/passwd", "/etc/passwd is outside the document's folder"),
        ("../outside.xsd", "outside.xsd is outside the document's folder"),
        ("file:///etc/passwd", "file: locations are never loaded"),
        ("ftp://example.com/x.xsd", "ftp: locations are never loaded"),
        ("http://169.254.169.254/latest/meta-data/", "refers to files in its folder only"),
    ],
)
def test_imports_outside_the_folder_are_refused(
    tmp_path: Path, kind: str, location: str, reason: str
) -> None:
    folder = tmp_path / "wsdl"
    write(tmp_path, "outside.xsd", '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"/>')
    path = write(folder, "svc.wsdl", _importing(location, kind))
    seconds, error = timed(lambda: onboard(path))
    assert isinstance(error, BadReference), error
    assert error.location == str(path)  # the importing file
    assert f"refused to import {location!r}" in str(error)
    assert reason in str(error)
    assert seconds < 1.0


def test_a_symlink_out_of_the_folder_is_refused(tmp_path: Path, fifo: Path) -> None:
    folder = tmp_path / "wsdl"
    folder.mkdir()
    (folder / "types.xsd").symlink_to(fifo)
    path = write(folder, "svc.wsdl", _importing("types.xsd"))
    seconds, error = timed(lambda: onboard(path))
    assert isinstance(error, BadReference), error
    assert f"{fifo} is outside the document's folder {folder}" in str(error)
    assert seconds < 1.0


def test_a_remote_import_from_a_local_wsdl_makes_no_request(tmp_path: Path) -> None:
    with serve({"/x.xsd": Reply(body=b"<x/>")}) as server:
        path = write(tmp_path, "svc.wsdl", _importing(server.url("/x.xsd")))
        error = timed(lambda: onboard(path))[1]
        assert server.requests == []
    assert isinstance(error, BadReference)
    assert "refers to files in its folder only, not to http: URLs" in str(error)


def test_a_missing_import_is_an_error_naming_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "svc.wsdl", _importing("missing.xsd"))
    error = timed(lambda: onboard(path))[1]
    assert isinstance(error, BadReference), error
    assert error.location == str(path)
    assert "imports 'missing.xsd', which cannot be read: missing.xsd: no such file" in str(error)


def test_trusting_a_document_allows_imports_beside_its_folder(tmp_path: Path) -> None:
    write(
        tmp_path,
        "shared/x.xsd",
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:x">'
        '<xs:element name="X" type="xs:string"/></xs:schema>',
    )
    path = write(tmp_path, "wsdl/svc.wsdl", _importing("../shared/x.xsd"))
    with pytest.raises(BadReference):
        onboard(path)
    version = onboard(path, settings=Settings(xml_forbid_external=False))
    assert str(tmp_path / "shared" / "x.xsd") in {d.name for d in version.definitions}


def test_trusting_a_document_allows_imports_from_other_hosts(tmp_path: Path) -> None:
    xsd = (
        b'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:x">'
        b'<xs:element name="X" type="xs:string"/></xs:schema>'
    )
    with serve({"/x.xsd": Reply(body=xsd)}) as server:
        path = write(tmp_path, "svc.wsdl", _importing(server.url("/x.xsd")))
        with pytest.raises(BadReference):
            onboard(path)
        assert server.requests == []
        version = onboard(path, settings=Settings(xml_forbid_external=False))
        assert server.requests == ["/x.xsd"]
    assert server.url("/x.xsd") in {d.name for d in version.definitions}


def test_too_many_documents_is_refused(tmp_path: Path) -> None:
    for number in range(5):
        write(
            tmp_path,
            f"s{number}.xsd",
            '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" '
            f'targetNamespace="urn:s{number}">'
            f'<xs:import namespace="urn:s{number + 1}" schemaLocation="s{number + 1}.xsd"/>'
            "</xs:schema>",
        )
    write(tmp_path, "s5.xsd", '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"/>')
    path = write(tmp_path, "svc.wsdl", _importing("s0.xsd"))
    with pytest.raises(DocumentError, match="more than 3 documents"):
        onboard(path, settings=Settings(max_xml_documents=3))
    assert len(onboard(path).definitions) == 8  # two inline schemas and s0.xsd ... s5.xsd

"""WSDL and XSD imports: relative to the WSDL's folder or origin, cycles, the offline catalogue.

URL cases run against real loopback servers; a second server stands for "another origin" and its
request log shows it was never asked.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from connectory import (
    BadReference,
    DocumentError,
    InputError,
    ParsedDocument,
    RawDocument,
    fetch,
    parse,
    protocols,
)
from connectory.documents.loader import FolderLoader, OriginLoader
from connectory.model.version import SoapBinding
from connectory.protocols.soap import generate
from connectory.settings import Settings
from tests.support.servers import Reply, serve
from tests.support.soap import ECHO_TYPES, definitions, echo_binding, echo_service, onboard, write

XSD = '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="{ns}" elementFormDefault="qualified">{body}</xs:schema>'


def _service_importing(location: str) -> str:
    types = (
        '<wsdl:types><xs:schema targetNamespace="urn:test">'
        f'<xs:import namespace="urn:a" schemaLocation="{location}"/></xs:schema></wsdl:types>'
    )
    return definitions(types + ECHO_TYPES + echo_binding() + echo_service())


def _xsd(namespace: str, body: str = "") -> bytes:
    return XSD.format(ns=namespace, body=body).encode()


def test_a_wsdl_by_url_imports_from_its_own_origin() -> None:
    routes = {
        "/svc/svc.wsdl": Reply(body=_service_importing("xsd/a.xsd").encode()),
        "/svc/xsd/a.xsd": Reply(body=_xsd("urn:a", '<xs:element name="A" type="xs:int"/>')),
    }
    with serve(routes) as server:
        version = onboard(server.url("/svc/svc.wsdl"))
        assert server.requests == ["/svc/svc.wsdl", "/svc/xsd/a.xsd"]
    assert "xsd/a.xsd" in {d.name for d in version.definitions}
    assert [a.name for a in version.actions] == ["EchoPort.Echo"]


def test_an_import_of_another_origin_is_refused_without_a_request() -> None:
    with serve({"/a.xsd": Reply(body=_xsd("urn:a"))}) as other:
        routes = {"/svc.wsdl": Reply(body=_service_importing(other.url("/a.xsd")).encode())}
        with serve(routes) as server, pytest.raises(BadReference) as caught:
            onboard(server.url("/svc.wsdl"))
        assert other.requests == []
    assert caught.value.location == server.url("/svc.wsdl")
    assert f"is not on the document's origin {server.base_url}" in str(caught.value)


def test_a_redirect_to_another_origin_is_refused_before_it_is_followed() -> None:
    with serve({"/a.xsd": Reply(body=_xsd("urn:a"))}) as other:
        routes = {
            "/svc.wsdl": Reply(body=_service_importing("a.xsd").encode()),
            "/a.xsd": Reply(302, headers={"Location": other.url("/a.xsd")}),
        }
        with serve(routes) as server, pytest.raises(BadReference) as caught:
            onboard(server.url("/svc.wsdl"))
        assert server.requests == ["/svc.wsdl", "/a.xsd"]
        assert other.requests == []
    assert f"redirects to {other.url('/a.xsd')}" in str(caught.value)
    assert f"not on the document's origin {server.base_url}" in str(caught.value)


def test_a_redirect_within_the_origin_is_followed_hop_by_hop() -> None:
    routes = {
        "/svc.wsdl": Reply(body=_service_importing("a.xsd").encode()),
        "/a.xsd": Reply(301, headers={"Location": "/moved/a.xsd"}),
        "/moved/a.xsd": Reply(body=_xsd("urn:a", '<xs:element name="A" type="xs:int"/>')),
    }
    with serve(routes) as server:
        version = onboard(server.url("/svc.wsdl"))
        assert server.requests == ["/svc.wsdl", "/a.xsd", "/moved/a.xsd"]
    assert any(d.namespace == "urn:a" for d in version.definitions)


def test_a_redirect_loop_ends() -> None:
    routes = {
        "/svc.wsdl": Reply(body=_service_importing("a.xsd").encode()),
        "/a.xsd": Reply(302, headers={"Location": "/b.xsd"}),
        "/b.xsd": Reply(302, headers={"Location": "/a.xsd"}),
    }
    with serve(routes) as server, pytest.raises(BadReference, match="redirects more than"):
        onboard(server.url("/svc.wsdl"))


def test_a_missing_remote_import_names_the_importer() -> None:
    routes = {"/svc.wsdl": Reply(body=_service_importing("gone.xsd").encode())}
    with serve(routes) as server, pytest.raises(BadReference) as caught:
        onboard(server.url("/svc.wsdl"))
    assert caught.value.location == server.url("/svc.wsdl")
    assert "gone.xsd" in str(caught.value)
    assert "HTTP 404" in str(caught.value)


def test_a_cycle_of_schema_imports_loads_each_schema_once(tmp_path: Path) -> None:
    write(
        tmp_path,
        "a.xsd",
        _xsd(
            "urn:a",
            '<xs:import namespace="urn:b" schemaLocation="b.xsd"/>'
            '<xs:element name="A"><xs:complexType><xs:sequence>'
            '<xs:element ref="b:B" minOccurs="0" xmlns:b="urn:b"/>'
            "</xs:sequence></xs:complexType></xs:element>",
        ),
    )
    write(
        tmp_path,
        "b.xsd",
        _xsd(
            "urn:b",
            '<xs:import namespace="urn:a" schemaLocation="a.xsd"/>'
            '<xs:element name="B"><xs:complexType><xs:sequence>'
            '<xs:element ref="a:A" minOccurs="0" xmlns:a="urn:a"/>'
            "</xs:sequence></xs:complexType></xs:element>",
        ),
    )
    version = onboard(write(tmp_path, "svc.wsdl", _service_importing("a.xsd")))
    names = [d.name for d in version.definitions]
    assert names.count("a.xsd") == 1
    assert names.count("b.xsd") == 1
    assert not [f for f in version.findings if f.severity == "error"]


def test_a_cycle_of_wsdl_imports_ends(tmp_path: Path) -> None:
    write(
        tmp_path,
        "a.wsdl",
        definitions('<wsdl:import namespace="urn:test" location="b.wsdl"/>' + echo_service()),
    )
    write(
        tmp_path,
        "b.wsdl",
        definitions(
            '<wsdl:import namespace="urn:test" location="a.wsdl"/>' + ECHO_TYPES + echo_binding()
        ),
    )
    version = onboard(tmp_path / "a.wsdl")
    assert [a.name for a in version.actions] == ["EchoPort.Echo"]
    binding = version.actions[0].binding
    assert isinstance(binding, SoapBinding)
    assert binding.address == "http://echo.example/soap"


def test_chameleon_includes_take_the_includers_namespace(tmp_path: Path) -> None:
    write(
        tmp_path,
        "common.xsd",
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">'
        '<xs:simpleType name="Code"><xs:restriction base="xs:string"><xs:maxLength value="3"/>'
        "</xs:restriction></xs:simpleType></xs:schema>",
    )
    write(
        tmp_path,
        "a.xsd",
        _xsd(
            "urn:a",
            '<xs:include schemaLocation="common.xsd"/>'
            '<xs:element name="A" type="a:Code" xmlns:a="urn:a"/>',
        ),
    )
    version = onboard(write(tmp_path, "svc.wsdl", _service_importing("a.xsd")))
    common = version.definition("common.xsd")
    assert common.namespace == "urn:a"
    assert common.json_schema == {"$defs": {"type:Code": {"type": "string", "maxLength": 3}}}
    assert not [f for f in version.findings if f.kind == "unresolved-type"]


@pytest.mark.parametrize(
    "import_",
    [
        '<xs:import namespace="http://www.w3.org/XML/1998/namespace" schemaLocation="http://www.w3.org/2001/xml.xsd"/>',
        '<xs:import namespace="http://www.w3.org/XML/1998/namespace" schemaLocation="https://www.w3.org/2001/xml.xsd"/>',
        '<xs:import namespace="http://www.w3.org/XML/1998/namespace"/>',
    ],
)
def test_well_known_schemas_come_from_the_offline_catalogue(tmp_path: Path, import_: str) -> None:
    types = (
        '<wsdl:types><xs:schema targetNamespace="urn:test" xmlns:xml="http://www.w3.org/XML/1998/namespace">'
        f"{import_}"
        '<xs:element name="Note"><xs:complexType><xs:simpleContent><xs:extension base="xs:string">'
        '<xs:attribute ref="xml:lang"/></xs:extension></xs:simpleContent></xs:complexType></xs:element>'
        "</xs:schema></wsdl:types>"
    )
    path = write(
        tmp_path, "svc.wsdl", definitions(types + ECHO_TYPES + echo_binding() + echo_service())
    )
    version = onboard(path)  # the network is blocked in tests: this is offline
    xml = version.definition("http://www.w3.org/2001/xml.xsd")
    assert xml.namespace == "http://www.w3.org/XML/1998/namespace"
    assert "type:lang" not in (xml.json_schema or {}).get("$defs", {})
    assert not [f for f in version.findings if f.severity == "error"]


@pytest.mark.parametrize(
    ("namespace", "location"),
    [
        ("http://www.w3.org/2003/05/soap-envelope", "http://www.w3.org/2003/05/soap-envelope"),
        (
            "http://www.w3.org/2005/08/addressing",
            "http://www.w3.org/2006/03/addressing/ws-addr.xsd",
        ),
        ("http://www.w3.org/2005/05/xmlmime", "http://www.w3.org/2005/05/xmlmime"),
        (
            "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd",
            "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd",
        ),
    ],
)
def test_the_catalogue_serves_soap_addressing_mime_and_security(
    tmp_path: Path, namespace: str, location: str
) -> None:
    types = (
        f'<wsdl:types><xs:schema targetNamespace="urn:test"><xs:import namespace="{namespace}" '
        f'schemaLocation="{location}"/></xs:schema></wsdl:types>'
    )
    path = write(
        tmp_path, "svc.wsdl", definitions(types + ECHO_TYPES + echo_binding() + echo_service())
    )
    version = onboard(path)
    imported = [d for d in version.definitions if d.namespace == namespace]
    assert len(imported) == 1
    assert imported[0].json_schema
    assert imported[0].json_schema["$defs"]
    assert not [f for f in version.findings if f.severity == "error"]


def _parsed(path: Path) -> ParsedDocument:
    return parse(fetch(str(path)))


def test_generate_reads_imports_through_the_loader_it_is_given(tmp_path: Path) -> None:
    wsdl = write(tmp_path, "svc.wsdl", _service_importing("xsd/a.xsd"))
    write(tmp_path, "xsd/a.xsd", _xsd("urn:a", '<xs:element name="A" type="xs:int"/>'))
    version = generate(_parsed(wsdl), connector="given", loader=FolderLoader(wsdl))
    assert "xsd/a.xsd" in {d.name for d in version.definitions}
    # The given loader's own limits apply: the import is read by it, not by a loader of SOAP's.
    small = FolderLoader(wsdl, settings=Settings(max_document_bytes=100))
    with pytest.raises(DocumentError, match="larger than the 100-byte cap") as caught:
        generate(_parsed(wsdl), connector="given", loader=small)
    assert caught.value.location == str(wsdl)
    assert "import 'xsd/a.xsd'" in str(caught.value)


def test_a_wsdl_by_url_reads_its_imports_through_the_given_origin_loader() -> None:
    routes = {
        "/svc/svc.wsdl": Reply(body=_service_importing("xsd/a.xsd").encode()),
        "/svc/xsd/a.xsd": Reply(body=_xsd("urn:a", '<xs:element name="A" type="xs:int"/>')),
    }
    sent: list[str] = []
    with serve(routes) as server:
        parsed = parse(fetch(server.url("/svc/svc.wsdl")))
        client = httpx.Client(event_hooks={"request": [lambda r: sent.append(r.url.path)]})
        with client, OriginLoader(server.url("/svc/svc.wsdl"), client=client) as loader:
            version = protocols.generate(parsed, connector="given", loader=loader)
        assert server.requests == ["/svc/svc.wsdl", "/svc/xsd/a.xsd"]
    assert sent == ["/svc/xsd/a.xsd"]  # through the given loader's client
    assert "xsd/a.xsd" in {d.name for d in version.definitions}


def test_a_loader_bound_to_another_folder_refuses_the_import(tmp_path: Path) -> None:
    wsdl = write(tmp_path / "wsdl", "svc.wsdl", _service_importing("a.xsd"))
    write(tmp_path / "wsdl", "a.xsd", _xsd("urn:a"))
    other = write(tmp_path / "other", "root.wsdl", "")
    with pytest.raises(BadReference) as caught:
        protocols.generate(_parsed(wsdl), connector="given", loader=FolderLoader(other))
    assert caught.value.location == str(wsdl)
    message = str(caught.value)
    assert "refused to import 'a.xsd'" in message
    assert f"outside the document's folder {tmp_path.resolve() / 'other'}" in message


def test_a_wsdl_given_in_memory_with_no_loader_imports_nothing() -> None:
    content = _service_importing("a.xsd").encode()
    with pytest.raises(BadReference, match="given in memory") as caught:
        generate(parse(RawDocument.from_bytes(content, "")), connector="memory")
    assert "imports 'a.xsd'" in str(caught.value)


def test_xml_switches_are_read_from_the_environment() -> None:
    settings = Settings.from_env(
        {"CONNECTORY_XML_FORBID_EXTERNAL": "false", "CONNECTORY_MAX_XML_DOCUMENTS": "9"}
    )
    assert (settings.xml_forbid_external, settings.xml_forbid_dtd) == (False, True)
    assert settings.max_xml_documents == 9
    with pytest.raises(InputError, match="not a boolean"):
        Settings.from_env({"CONNECTORY_XML_FORBID_DTD": "maybe"})
